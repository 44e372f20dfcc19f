"""The command line, run as a real process with no terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .helpers import EXAMPLES, MINIMAL, write

ANSWERS = str(EXAMPLES / "answers" / "resistant-end-user.yaml")


def test_help_lists_commands_and_exit_codes(dealcoach) -> None:
    ran = dealcoach("--help")
    assert ran.code == 0
    for command in ("review", "playbooks", "sessions"):
        assert command in ran.out
    # The exit codes the name promises, as --help documents them (rich may wrap the line).
    words = " ".join(ran.out.split())
    for code in ("0 success", "1 failure", "2 bad input or usage", "130 interrupted"):
        assert code in words, code


def test_review_from_answers_file_to_stdout(dealcoach) -> None:
    ran = dealcoach("review", "--answers", ANSWERS, "--output", "-")
    assert ran.code == 0, ran.err
    assert ran.out.startswith("---\nplaybook: resistant-end-user\n")
    assert "## Recommended strategy: Find the political leverage and go around them" in ran.out


def test_review_writes_to_reviews_folder_and_never_overwrites(dealcoach, work: Path) -> None:
    first = dealcoach("review", "--answers", ANSWERS)
    second = dealcoach("review", "--answers", ANSWERS)
    assert first.code == second.code == 0
    folder = work / "reviews" / "acme-logistics"
    assert sorted(p.name for p in folder.iterdir()) == [
        "2026-11-25-resistant-end-user-2.md",
        "2026-11-25-resistant-end-user.md",
        "deal-context.yaml",
    ]
    assert "Review written to reviews/acme-logistics/2026-11-25-resistant-end-user-2.md" in second.err
    forced = dealcoach("review", "--answers", ANSWERS, "--force")
    assert forced.code == 0
    assert len(list(folder.glob("*.md"))) == 2


def test_set_overrides_an_answer_and_can_flip_the_strategy(dealcoach) -> None:
    ran = dealcoach(
        "review",
        "--answers",
        ANSWERS,
        "--output",
        "-",
        "--format",
        "json",
        "--set",
        "leverage=none",
        "--set",
        "others_care=only_contact",
        "--set",
        "problem_cost=low",
    )
    assert ran.code == 0, ran.err
    data = json.loads(ran.out)
    assert data["front_matter"]["answers"]["leverage"] == ["none"]
    assert data["recommendation"]["id"] == "move-on"
    assert "go-around" in [o["id"] for o in data["others"] if o["vetoed"]]


def test_json_review_has_the_same_content(dealcoach) -> None:
    data = json.loads(dealcoach("review", "--answers", ANSWERS, "-o", "-", "-f", "json").out)
    assert data["recommendation"]["id"] == "go-around"
    assert data["confidence"]["level"] == "medium"  # the end user's reasons are second-hand: check first
    assert [g["question"] for g in data["gaps"]] == ["problem_cost"]


def test_review_file_can_be_fed_back_in(dealcoach, work: Path) -> None:
    dealcoach("review", "--answers", ANSWERS, "--output", "first.md")
    again = dealcoach("review", "--answers", "first.md", "--output", "-")
    assert again.code == 0, again.err
    first = yaml.safe_load((work / "first.md").read_text().split("---")[1])
    second = yaml.safe_load(again.out.split("---")[1])
    assert first["answers"] == second["answers"]


def test_bad_answers_are_all_reported_with_lines(dealcoach, work: Path) -> None:
    write(
        work / "bad.yaml",
        """
        playbook: resistant-end-user
        deal: acme
        answers:
          fear: terrified
          colour: blue
          open_dialogue: perhaps
        """,
    )
    ran = dealcoach("review", "--answers", "bad.yaml", "-o", "-")
    assert ran.code == 2
    assert ran.out == ""
    lines = ran.err.splitlines()
    assert lines[0].startswith("bad.yaml:4:9: answer to 'fear': 'terrified' is not one of the choices: mild,")
    assert lines[1] == "bad.yaml:5:3: 'colour' is not a question in playbook 'resistant-end-user'"
    assert lines[2] == "bad.yaml:6:18: answer to 'open_dialogue': 'perhaps' is not yes or no"


def test_unknown_playbook_suggests_the_closest(dealcoach, work: Path) -> None:
    write(work / "a.yaml", "playbook: resistant-enduser\ndeal: acme\nanswers: {}\n")
    ran = dealcoach("review", "--answers", "a.yaml")
    assert ran.code == 2
    assert "no playbook 'resistant-enduser' (did you mean 'resistant-end-user'?)" in ran.err


def test_broken_yaml_answers_file(dealcoach, work: Path) -> None:
    write(work / "a.yaml", "playbook: resistant-end-user\nanswers: [fear: mild\n")
    ran = dealcoach("review", "--answers", "a.yaml")
    assert ran.code == 2
    assert ran.err.startswith("a.yaml:3:1: not valid YAML")


def test_bad_set_value(dealcoach) -> None:
    ran = dealcoach("review", "--answers", ANSWERS, "--set", "fear=huge", "-o", "-")
    assert ran.code == 2
    assert "--set: answer to 'fear': 'huge' is not one of the choices" in ran.err


def test_interactive_review_without_a_terminal_stops_at_once(dealcoach) -> None:
    ran = dealcoach("review", "resistant-end-user", "--deal", "acme", stdin="mild\n")
    assert ran.code == 2
    assert "needs a terminal" in ran.err and "--answers" in ran.err and "--defaults" in ran.err


def test_existing_output_file_is_not_replaced_without_force(dealcoach, work: Path) -> None:
    (work / "out.md").write_text("keep me")
    ran = dealcoach("review", "--answers", ANSWERS, "--output", "out.md")
    assert ran.code == 2
    assert (work / "out.md").read_text() == "keep me"


def test_playbooks_list_shows_sources_and_overrides(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "resistant-end-user.yaml", MINIMAL.replace("id: mini", "id: resistant-end-user"))
    ran = dealcoach("playbooks", "list")
    assert ran.code == 0
    assert "dysfunctional-org" in ran.out
    assert "project: " in ran.out and "(overrides " in ran.out


def test_validate_exits_2_with_one_line_per_problem(dealcoach, work: Path) -> None:
    write(work / "mini.yaml", MINIMAL.replace("title: Mini", "titel: Mini"))
    ran = dealcoach("playbooks", "validate", "mini.yaml")
    assert ran.code == 2
    assert ran.out.splitlines()[0] == "mini.yaml:1:1: this playbook is missing the required key 'title'"
    good = dealcoach("playbooks", "validate", "mini.yaml", extra_env={})
    assert good.code == 2
    write(work / "ok" / "mini.yaml", MINIMAL)
    assert dealcoach("playbooks", "validate", "ok").code == 0


def test_validate_a_large_folder_reports_problems_in_file_order(dealcoach, work: Path) -> None:
    """Big batches are checked by several processes; the output must not notice."""
    for n in range(80):
        text = MINIMAL.replace("id: mini", f"id: p{n:02d}")
        if n in (7, 63):
            text = text.replace("when: ready", "when: redy")
        write(work / "many" / f"p{n:02d}.yaml", text)
    ran = dealcoach("playbooks", "validate", "many", "--format", "json")
    assert ran.code == 2
    found = json.loads(ran.out)
    assert found["files"] == 80
    assert [(Path(p["path"]).name, p["line"]) for p in found["problems"]] == [
        ("p07.yaml", 20),
        ("p07.yaml", 26),
        ("p63.yaml", 20),
        ("p63.yaml", 26),
    ]


def test_playbooks_test_shows_a_readable_diff(dealcoach, work: Path) -> None:
    write(work / "mini.yaml", MINIMAL.replace("expect: {strategy: push}", "expect: {strategy: wait}"))
    ran = dealcoach("playbooks", "test", "mini.yaml")
    assert ran.code == 2
    assert "mini.yaml:29:1: example 'ready and big'" in ran.out.replace(str(work) + "/", "")
    assert "strategy: expected wait, got push (scores: push 5, wait 0)" in ran.out


def test_playbooks_show(dealcoach) -> None:
    ran = dealcoach("playbooks", "show", "dysfunctional-org")
    assert ran.code == 0
    assert "Walk away gracefully" in ran.out
    assert "Geoffrey James" in ran.out


def test_piped_output_has_no_escape_codes_even_with_colour_allowed(dealcoach, work: Path) -> None:
    answers = str(EXAMPLES / "answers" / "partner-triangle.yaml")
    ran = dealcoach("review", "--answers", answers, extra_env={"NO_COLOR": "", "FORCE_COLOR": ""})
    assert ran.code == 0
    assert "\x1b[" not in ran.out + ran.err
    assert ran.err.strip() == "Review written to reviews/ridgeway-manufacturing/2026-11-25-partner-triangle.md"
    assert (work / "reviews" / "ridgeway-manufacturing" / "2026-11-25-partner-triangle.md").exists()


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "ok\n{{ recommendation.__class__.__mro__ }}\n",
            "team.j2:2:1: the template failed: SecurityError: access to attribute '__class__' of 'dict' object "
            "is unsafe.",
        ),
        (
            "ok\n{% for x in range(10**9) %}{% endfor %}\n",
            "team.j2:2:1: the template failed: OverflowError: Range too big. The sandbox blocks ranges larger "
            "than MAX_RANGE (100000).",
        ),
        ("ok\n{% if %}\n", "team.j2:2:1: template error: Expected an expression, got 'end of statement block'"),
    ],
)
def test_a_hostile_or_broken_team_template_is_refused_with_its_line(
    dealcoach, work: Path, template: str, message: str
) -> None:
    write(work / "team.j2", template)
    answers = str(EXAMPLES / "answers" / "resistant-end-user.yaml")
    ran = dealcoach("review", "--answers", answers, "--template", "team.j2", "--output", "-")
    assert ran.code == 2
    assert ran.out == ""
    assert ran.err.strip().endswith(message)


def test_the_playbook_cache_sees_every_edit(dealcoach, work: Path) -> None:
    path = write(work / "playbooks" / "mini.yaml", MINIMAL)
    assert "Mini" in dealcoach("playbooks", "list").out
    path.write_text(MINIMAL.replace("title: Mini", "title: Mini renamed"), encoding="utf-8")
    assert "Mini renamed" in dealcoach("playbooks", "list").out
    path.write_text(MINIMAL.replace("when: ready\n", "when: redy\n"), encoding="utf-8")
    broken = dealcoach("playbooks", "list")
    assert "(broken file)" in broken.out
    assert "mini.yaml:21:11: the expression 'redy'" in broken.err
