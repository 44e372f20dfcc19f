"""Conditions, scoring, the interview engine and rendering, without a terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dealcoach.errors import InputError
from dealcoach.playbook import loader
from dealcoach.playbook import model as pbmod
from dealcoach.playbook.expressions import UNKNOWN, ExpressionError, compile_condition, compile_text
from dealcoach.playbook.yamlfile import split_front_matter
from dealcoach.review.document import make_review
from dealcoach.review.interview import BACK, Interview, ScriptedAsker
from dealcoach.review.render import render_json, render_markdown
from dealcoach.review.scoring import score
from dealcoach.text import md

from .helpers import MINIMAL, PLAYBOOKS


@pytest.fixture
def mini(tmp_path: Path) -> pbmod.Playbook:
    path = tmp_path / "mini.yaml"
    path.write_text(MINIMAL)
    return loader.load(path)


# -- conditions ------------------------------------------------------------------------------


def test_unknown_is_false_in_every_comparison() -> None:
    cond = compile_condition("share < 5 or share >= 5 or share == 'x' or 'a' in share", ["share"])
    assert cond({"share": UNKNOWN}) is False
    assert cond({"share": 3}) is True


def test_unknown_tests() -> None:
    assert compile_condition("x is unknown", ["x"])({"x": UNKNOWN}) is True
    assert compile_condition("x is known", ["x"])({"x": "a"}) is True


@pytest.mark.parametrize(
    "source",
    ["x.__class__", "x['__class__']", "x.__init__.__globals__", "cycler.__init__", "lipsum"],
)
def test_escapes_are_refused_before_anything_runs(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_condition(source, ["x"])


def test_a_key_path_is_placed_at_its_value_its_key_or_its_nearest_ancestor() -> None:
    from dealcoach.playbook.yamlfile import parse

    located = parse("a: 1\nb:\n  - x\n  - {c: d}\n'<key>': {e: f}\n", Path("p.yaml"), first_line=2)
    assert located.where(("a",)) == (2, 4)
    assert located.where(("a", "<key>")) == (2, 1)
    assert located.where(("b", 1, "c")) == (5, 9)
    assert located.where(("b", True)) == located.where(("b", 1)) == (5, 5)  # as a dict would find it
    assert located.where(("b", 1, "c", "<key>")) == (5, 6)
    assert located.where(("b", 5)) == (4, 3)  # no item 5: the list
    assert located.where(("<key>", "e")) == (6, 14)
    assert located.where(("<key>", "<key>")) == (6, 1)
    assert located.where(("<key>",)) == located.where(("missing", "x")) == (2, 1)  # the document
    assert parse("", Path("p.yaml"), first_line=2).where(("a",)) == (2, 1)


def test_text_template_renders_answers() -> None:
    text = compile_text("Deferred {{ n }} times", ["n"])
    assert text.render({"n": 3}) == "Deferred 3 times"
    with pytest.raises(ExpressionError):
        compile_text("{{ n.__class__ }}", ["n"])


# -- scoring ---------------------------------------------------------------------------------


def test_points_decide_and_reasons_are_quoted(mini: pbmod.Playbook) -> None:
    result = score(mini, {"ready": True, "size": "big"})
    assert result.recommended == "push"
    assert result.scores == {"push": 5, "wait": 0}
    assert [c.says for c in result.reasons_for("push", "wait")] == ["They are ready.", "It is big."]


def test_when_false_drops_the_answer(mini: pbmod.Playbook) -> None:
    # size is only asked when ready; a stale answer to it must not count.
    result = score(mini, {"ready": False, "size": "big"})
    assert result.asked == ["ready"]
    assert result.scores == {"push": 0, "wait": 3}


def test_ties_go_to_playbook_order(mini: pbmod.Playbook) -> None:
    result = score(mini, {})
    assert result.recommended == "push"
    assert result.margin == 0
    assert result.confidence == "low"


def test_unknown_becomes_a_gap_and_lowers_coverage(mini: pbmod.Playbook) -> None:
    result = score(mini, {"ready": None})
    assert [g.question for g in result.gaps] == ["ready"]
    assert result.gaps[0].find_out == "Ask whether they are ready."
    assert result.coverage == 0


def test_flags_render_answers(mini: pbmod.Playbook) -> None:
    result = score(mini, {"ready": True, "size": "small"})
    assert [(f.rule, f.text) for f in result.flags] == [("small-and-ready", "Ready but small: small")]


def test_flip_names_the_answer_that_changes_the_recommendation(mini: pbmod.Playbook) -> None:
    result = score(mini, {"ready": True, "size": "small"})
    assert result.recommended == "push"
    flip = result.flips[0]
    assert (flip.question, flip.instead, flip.strategy) == ("ready", "No", "wait")


def test_veto_removes_a_strategy_and_says_why() -> None:
    pb = loader.load(PLAYBOOKS / "resistant-end-user.yaml")
    result = score(pb, {"fear": "strong", "open_dialogue": False, "resistance_shown": "not_asked"})
    assert "change-mind" in result.vetoed
    assert "will not talk openly" in result.vetoed["change-mind"][0]
    assert result.recommended != "change-mind"


def test_scoring_is_deterministic() -> None:
    pb = loader.load(PLAYBOOKS / "dysfunctional-org.yaml")
    answers = {"process_state": "broken", "motives": ["grow", "control"], "our_pressure": ["quota"]}
    first = render_json(make_review(pb, "d", answers))
    assert all(render_json(make_review(pb, "d", answers)) == first for _ in range(3))


_RENDER_IN_A_PROCESS = """
import sys
from pathlib import Path
from dealcoach.playbook import loader
from dealcoach.review.document import make_review
from dealcoach.review.render import render_json, render_markdown
pb = loader.load(Path(sys.argv[1]))
review = make_review(pb, "d", {"process_state": "broken", "motive": "grow", "deal_weight": "critical"})
sys.stdout.write(render_json(review) + render_markdown(review))
"""


def test_scoring_is_deterministic_across_hash_seeds() -> None:
    """Set and dict order of strings changes with the hash seed, which only differs between
    processes: render the same review in two and compare."""
    import os
    import subprocess
    import sys

    def render(seed: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEALCOACH_")}
        env.update({"PYTHONHASHSEED": seed, "DEALCOACH_TODAY": "2026-11-25"})
        script = [sys.executable, "-c", _RENDER_IN_A_PROCESS, str(PLAYBOOKS / "dysfunctional-org.yaml")]
        return subprocess.run(script, env=env, capture_output=True, text=True, check=True, timeout=60).stdout

    first = render("1")
    assert first and render("2024") == first


# -- interview -------------------------------------------------------------------------------


def test_interview_skips_when_false_and_saves_each_answer(mini: pbmod.Playbook) -> None:
    saved: list[dict] = []
    asker = ScriptedAsker([False])
    answers = Interview(mini, on_answer=saved.append).run(asker)
    assert asker.asked == ["ready"]
    assert answers == {"ready": False}
    assert saved == [{"ready": False}]


def test_back_changes_an_answer_and_reopens_questions(mini: pbmod.Playbook) -> None:
    asker = ScriptedAsker([True, BACK, False])
    answers = Interview(mini).run(asker)
    assert asker.asked == ["ready", "size", "ready"]
    assert answers == {"ready": False}


def test_resume_starts_at_the_first_open_question(mini: pbmod.Playbook) -> None:
    asker = ScriptedAsker(["small"])
    answers = Interview(mini, {"ready": True}).run(asker)
    assert asker.asked == ["size"]
    assert answers == {"ready": True, "size": "small"}


def test_interview_rejects_a_value_outside_the_choices(mini: pbmod.Playbook) -> None:
    from dealcoach.playbook.answers import AnswerError

    with pytest.raises(AnswerError):
        Interview(mini).run(ScriptedAsker([True, "enormous"]))


# -- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("*bold* _it_", r"\*bold\* \_it\_"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("# not a heading", r"\# not a heading"),
        ("- not a list", r"\- not a list"),
        ("1. not a list", r"\1. not a list"),
        ("a | b", r"a \| b"),
        ("line one\n\nline two", "line one line two"),
    ],
)
def test_typed_text_is_escaped_for_markdown(typed: str, shown: str) -> None:
    assert md(typed) == shown


def test_front_matter_replays_to_the_same_answers(mini: pbmod.Playbook) -> None:
    answers = {"ready": True, "size": "small"}
    text = render_markdown(make_review(mini, 'Acme "West": #1', answers))
    front, body = split_front_matter(text)
    data = yaml.safe_load(front)
    assert data["answers"] == answers
    assert data["deal"] == 'Acme "West": #1'
    assert data["recommendation"] == "push"
    assert body.lstrip().startswith('# Deal review: Acme "West": \\#1')


def test_review_sections(mini: pbmod.Playbook) -> None:
    body = render_markdown(make_review(mini, "acme", {"ready": True, "size": "small"}))
    for heading in (
        "## Recommended strategy: Push on",
        "## Red flags",
        "## Find out before the call",
        "## Next steps",
        "## The other strategies",
        "## What would change this recommendation",
        "## Sources",
    ):
        assert heading in body
    assert "**Confidence: medium.** 2 of 2 deciding questions answered (100%); 2 points ahead" in body
    assert 'If the answer to "Are they ready?" were **No** instead of **Yes**' in body


def test_broken_team_template_names_its_line(mini: pbmod.Playbook, tmp_path: Path) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text("# {{ deal }}\n{% if %}\n")
    with pytest.raises(InputError) as caught:
        render_markdown(make_review(mini, "acme", {}), template)
    assert str(caught.value.problems[0]).startswith(f"{template}:2:")


def test_team_template_cannot_reach_python_internals(mini: pbmod.Playbook, tmp_path: Path) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text("{{ deal.__class__.__mro__ }}\n")
    with pytest.raises(InputError):
        render_markdown(make_review(mini, "acme", {}), template)


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("a and not b", {"a": True, "b": False}, True),
        ("n > 2 and n <= 5", {"n": 3}, True),
        ("1 < n < 3", {"n": 5}, False),
        ("x in ['p', 'q']", {"x": "q"}, True),
        ("x not in ('p', 'q')", {"x": "q"}, False),
        ("'p' in tags", {"tags": ["p", "r"]}, True),
        ("tags | length >= 2", {"tags": ["p", "r"]}, True),
        ("name | lower == 'cfo'", {"name": "CFO"}, True),
        ("cost / budget * 100 < 5", {"cost": 4, "budget": 100}, True),
        ("cost / budget * 100 < 5", {"cost": UNKNOWN, "budget": 100}, False),
        ("(n if n is known else 0) == 0", {"n": UNKNOWN}, True),
        ("n is divisibleby 3", {"n": 9}, True),
        ("flag is false", {"flag": False}, True),
    ],
)
def test_expressions_evaluate_like_jinja(source: str, answers: dict, expected: bool) -> None:
    names = ["a", "b", "n", "x", "tags", "name", "cost", "budget", "flag"]
    assert compile_condition(source, names)({**dict.fromkeys(names, UNKNOWN), **answers}) is expected


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("x.upper", "attribute access"),
        ("x.upper()", "calls"),
        ("x[0]", "indexing"),
        ("x ** 99999", "the ** operator"),
        ("x | attr('y')", "unknown filter 'attr'"),
        ("x is callable", "unknown test 'callable'"),
        ("{'a': 1}", "mappings"),
    ],
)
def test_expressions_refuse_what_could_reach_outside(source: str, words: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(words)):
        compile_condition(source, ["x"])


def test_the_same_expression_is_checked_against_the_names_of_each_place() -> None:
    """Expressions are checked once per distinct text; the names each place allows still count,
    and a name it does not allow is reported before a construct expressions refuse."""
    assert compile_condition("x == 1 and y", ["x", "y"]).names == {"x", "y"}
    with pytest.raises(ExpressionError, match="names 'y', which is not a question asked before"):
        compile_condition("x == 1 and y", ["x"])
    assert compile_text("{{ x }} and {{ y }}", ["x", "y"]).templated
    with pytest.raises(ExpressionError, match="names 'x', which is not a question"):
        compile_text("{{ x }} and {{ y }}", ["y"])
    for _ in range(2):
        with pytest.raises(ExpressionError, match="names 'z'"):
            compile_condition("z.upper", ["x"])
        with pytest.raises(ExpressionError, match="attribute access"):
            compile_condition("z.upper", ["z"])


def test_arithmetic_on_text_is_a_clear_error_not_a_crash() -> None:
    from dealcoach.errors import InputError

    with pytest.raises(InputError, match="arithmetic needs numbers"):
        compile_condition("x * 3 == 'aaa'", ["x"])({"x": "a"})


def test_new_names_are_claimed_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the filesystem refuses hard links the review still never replaces an existing one."""
    from dealcoach import files as review_module

    def no_links(src: str, dst: Path) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(review_module.os, "link", no_links)
    target = tmp_path / "r.md"
    first = review_module.write_atomic(target, "first\n", overwrite=False)
    second = review_module.write_atomic(target, "second\n", overwrite=False)
    assert (first, second) == (target, tmp_path / "r-2.md")
    assert target.read_text() == "first\n" and second.read_text() == "second\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-2.md", "r.md"], "no temporary file left behind"


def test_number_answers_are_probed_either_side_of_the_thresholds_rules_use(tmp_path: Path) -> None:
    text = """
id: deferrals
version: 1
title: Deferrals
summary: A number decides.
sources: ["Framework-based: test fixture"]
strategies:
  - {id: wait, title: Wait, why: Nothing yet.}
  - {id: escalate, title: Escalate, why: Too many deferrals.}
questions:
  - {id: deferrals, type: number, prompt: How many deferrals?, help: Count them., min: 0, max: 30}
rules:
  - {id: many, when: deferrals >= 3, points: {escalate: 5}}
"""
    pb = loader.loads(text, tmp_path / "deferrals.yaml")
    result = score(pb, {"deferrals": 4})
    assert result.recommended == "escalate"
    assert [(f.question, f.instead, f.strategy) for f in result.flips] == [("deferrals", "2", "wait")]
    assert score(pb, {"deferrals": 1}).flips[0].instead == "3"


def test_a_gap_is_a_template_over_the_other_answers(tmp_path: Path) -> None:
    """`gap` is a text like any other: its placeholders are filled in, never shown as written."""
    from dealcoach.playbook.loader import load
    from dealcoach.review.scoring import score

    from .helpers import MINIMAL, write

    text = MINIMAL.replace(
        "    gap: Ask whether they are ready.",
        "    gap: Ask {{ contact or 'your contact' }} whether they are ready.",
    ).replace("questions:\n", "questions:\n  - {id: contact, type: text, prompt: Who is your contact?}\n", 1)
    pb = load(write(tmp_path / "mini.yaml", text))
    named = score(pb, {"contact": "Dana"})
    assert [g.find_out for g in named.gaps if g.question == "ready"] == ["Ask Dana whether they are ready."]
    unnamed = score(pb, {})
    assert [g.find_out for g in unnamed.gaps if g.question == "ready"] == ["Ask your contact whether they are ready."]
    broken = text.replace("{{ contact or", "{{ contcat or")
    with pytest.raises(InputError) as raised:
        load(write(tmp_path / "broken.yaml", broken.replace("id: mini", "id: broken")))
    assert "contcat" in str(raised.value.problems[0])
