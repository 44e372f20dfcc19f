"""Defects found by hostile runs: deals that crossed, work that never ended, saves that were not;
wrong exits and messages, silent drops, file modes, workers.

Each test here reproduced its defect before the fix, through the real command. The damaged files
themselves live in tests/broken/ with their exact messages.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import EXAMPLES, MINIMAL, write

ANSWERS = EXAMPLES / "answers" / "resistant-end-user.yaml"

# Names that all became `reviews/deal/` (or collided in pairs) before.
DISTINCT_NAMES = [
    "東京商事",
    "大阪物産",
    "Москва Трейд",
    "Αθήνα Εμπορική",
    "\U0001f680",
    ".",
    "..",
    "a/b",
    "a\\b",
    "ACME",
    "Acme!",
    "Café Crème",
    "Smith-Jones",
    "Smith Jones",
]


def test_deal_names_of_every_script_get_their_own_folder_and_history(dealcoach, work: Path) -> None:
    for name in DISTINCT_NAMES:
        ran = dealcoach("review", "--answers", str(ANSWERS), "--deal", name)
        assert ran.code == 0, ran.err
    folders = sorted(p.name for p in (work / "reviews").iterdir())
    assert len(folders) == len(DISTINCT_NAMES), folders
    assert {"東京商事", "大阪物産", "москва-трейд", "café-crème", "acme", "smith-jones"} <= set(folders)
    for folder in folders:
        assert ".." not in folder and "/" not in folder and "\\" not in folder
    listed = json.loads(dealcoach("deals", "--format", "json").out)
    assert sorted(d["deal"] for d in listed) == sorted(DISTINCT_NAMES)
    assert all(d["reviews"] == 1 for d in listed)
    table = dealcoach("deals").out
    assert all(name in table for name in DISTINCT_NAMES), "piped, every name is shown whole"
    shown = json.loads(dealcoach("deals", "show", "東京商事", "--format", "json").out)
    assert len(shown) == 1 and "東京商事" in shown[0]["path"]
    # Case and spacing do not make another deal: the same folder, a second review.
    assert dealcoach("review", "--answers", str(ANSWERS), "--deal", "acme").code == 0
    assert len(list((work / "reviews" / "acme").glob("*.md"))) == 2


def test_folders_named_the_old_way_keep_their_deal(dealcoach, work: Path) -> None:
    assert dealcoach("review", "--answers", str(ANSWERS), "--deal", "Café Crème").code == 0
    assert dealcoach("review", "--answers", str(ANSWERS), "--deal", "東京商事").code == 0
    # As an earlier version stored them: accents dropped, and non-Latin names in one `deal/`.
    (work / "reviews" / "café-crème").rename(work / "reviews" / "caf-cr-me")
    (work / "reviews" / "東京商事").rename(work / "reviews" / "deal")
    assert dealcoach("review", "--answers", str(ANSWERS), "--deal", "Café Crème").code == 0
    assert len(list((work / "reviews" / "caf-cr-me").glob("*.md"))) == 2
    assert not (work / "reviews" / "café-crème").exists()
    assert dealcoach("review", "--answers", str(ANSWERS), "--deal", "大阪物産").code == 0
    assert (work / "reviews" / "大阪物産").is_dir(), "the old catch-all folder is not reused"
    listed = {d["deal"]: d["reviews"] for d in json.loads(dealcoach("deals", "--format", "json").out)}
    assert listed == {"Café Crème": 2, "東京商事": 1, "大阪物産": 1}
    assert len(json.loads(dealcoach("deals", "show", "caf-cr-me", "--format", "json").out)) == 2


def test_an_unfinished_review_of_one_deal_is_never_offered_for_another(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dealcoach.review import session

    monkeypatch.setenv("DEALCOACH_STATE_DIR", env["DEALCOACH_STATE_DIR"])
    session.save("東京商事", "resistant-end-user", 1, {"fear": "strong"})
    assert session.find("大阪物産", "resistant-end-user") is None
    assert session.find("Москва Трейд", "resistant-end-user") is None
    found = session.find("東京商事", "resistant-end-user")
    assert found is not None and found.answers == {"fear": "strong"}
    # A session file left by an earlier version under its old name is found for its own deal only.
    old = session.sessions_dir() / "deal--resistant-end-user.yaml"
    shutil.copy(found.path, old)
    found.path.unlink()
    assert session.find("大阪物産", "resistant-end-user") is None
    assert session.find("東京商事", "resistant-end-user") is not None


def test_same_day_reviews_are_ordered_by_their_own_sequence(dealcoach, work: Path) -> None:
    import yaml

    from .helpers import write

    base = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))
    for n, leverage in enumerate(["executive", "none", "peers"]):
        answers = {**base, "answers": {**base["answers"], "leverage": leverage}}
        path = write(work / f"a{n}.yaml", yaml.safe_dump(answers))
        assert dealcoach("review", "--answers", str(path)).code == 0
    # The names sort `-2.md`, `-3.md`, `.md`: the first review's name sorts last.
    folder = work / "reviews" / "acme-logistics"
    assert sorted(p.name for p in folder.glob("*.md"))[-1] == "2026-11-25-resistant-end-user.md"
    shown = json.loads(dealcoach("deals", "show", "Acme Logistics", "--format", "json").out)
    assert [Path(e["path"]).name for e in shown] == [
        "2026-11-25-resistant-end-user.md",
        "2026-11-25-resistant-end-user-2.md",
        "2026-11-25-resistant-end-user-3.md",
    ]
    assert shown[1]["answers_changed"]["leverage"] == [["executive"], ["none"]]
    assert shown[2]["answers_changed"]["leverage"] == [["none"], ["peers"]]
    last = json.loads(dealcoach("deals", "--format", "json").out)[0]
    third = yaml.safe_load(
        (folder / "2026-11-25-resistant-end-user-3.md").read_text(encoding="utf-8").split("---\n")[1]
    )
    assert last["last_recommendation"] == third["recommendation"]


def test_merge_uses_each_participants_latest_review_of_the_day(dealcoach, work: Path) -> None:
    import yaml

    from .helpers import write

    base = yaml.safe_load((EXAMPLES / "answers" / "lost-deal-postmortem.yaml").read_text(encoding="utf-8"))
    steps = [("Sam", "once"), ("Jo", "once"), ("Jo", "not_at_all"), ("Jo", "regularly")]
    for n, (name, engaged) in enumerate(steps):
        answers = {**base, "answers": {**base["answers"], "sponsor_engaged": engaged}}
        path = write(work / f"a{n}.yaml", yaml.safe_dump(answers))
        assert dealcoach("review", "--answers", str(path), "--participant", name).code == 0
    merged = dealcoach("merge", "Marlow Freight", "--output", "-")
    assert merged.code == 0, merged.err
    front = yaml.safe_load(merged.out.split("---\n")[1])
    assert front["disagreements"]["sponsor_engaged"] == {"Jo": "regularly", "Sam": "once"}


def test_an_autosave_taken_over_by_another_terminal_is_left_alone(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dealcoach.review import session

    monkeypatch.setenv("DEALCOACH_STATE_DIR", env["DEALCOACH_STATE_DIR"])
    first = session.Autosave("Acme", "mini", 1)
    second = session.Autosave("Acme", "mini", 1)  # started before the first saved anything
    assert first.save({"ready": True}) == first.path
    assert second.save({"ready": False}) is None and second.lost
    assert first.save({"ready": True, "size": "big"}) == first.path
    second.drop()  # the second finishes its review: the first's autosave stays
    found = session.find("Acme", "mini")
    assert found is not None and found.answers == {"ready": True, "size": "big"}
    first.drop()
    assert session.find("Acme", "mini") is None


def test_front_matter_with_a_bom_or_trailing_spaces_is_read_by_every_command(dealcoach, work: Path) -> None:
    variants = {
        "Bom Deal": lambda t: "\ufeff" + t,
        "Spaced Deal": lambda t: t.replace("---\n", "--- \t\n"),
        "Crlf Deal": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    }
    for name, change in variants.items():
        ran = dealcoach("review", "--answers", str(ANSWERS), "--deal", name, "--output", "-")
        assert ran.code == 0, ran.err
        path = work / "reviews" / name.lower().replace(" ", "-") / "2026-11-25-resistant-end-user.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(change(ran.out).encode("utf-8"))
        again = dealcoach("review", "--answers", str(path), "--output", "-")
        assert again.code == 0, again.err
        assert f"deal: {name}" in again.out
    for command in (["deals", "--format", "json"], ["insights", "--format", "json"], ["rescore", "--format", "json"]):
        ran = dealcoach(*command)
        assert ran.code == 0, ran.err
        assert "skipped" not in ran.err, ran.err
    listed = json.loads(dealcoach("deals", "--format", "json").out)
    assert sorted(d["deal"] for d in listed) == sorted(variants)
    assert json.loads(dealcoach("insights", "--format", "json").out)["reviews"] == 3


def big_playbook(questions: int) -> str:
    """A playbook of `questions` choice questions, every third one asked only after an earlier
    answer, and a rule for every fifth question: the size that took 19 s to review."""
    lines = [
        f"id: big{questions}",
        "version: 1",
        "title: Big",
        "summary: Many questions.",
        'sources: ["Framework-based: test fixture"]',
        "strategies:",
        "  - {id: push, title: Push, why: Push.}",
        "  - {id: wait, title: Wait, why: Wait.}",
        "  - {id: walk, title: Walk, why: Walk.}",
        "questions:",
    ]
    for i in range(questions):
        lines += [f"  - id: q{i}", "    type: choice", f"    prompt: Question {i}?"]
        lines += ["    unknown: allowed", "    gap: Ask about it."]
        if i % 3 == 2:
            lines.append(f"    when: q{i - 1} != 'c'")
        lines += [
            "    choices:",
            f"      - {{value: a, label: A, points: {{push: {1 + i % 2}}}}}",
            f"      - {{value: b, label: B, points: {{wait: {1 + i % 3}}}}}",
            "      - {value: c, label: C, points: {walk: 1}}",
        ]
    lines.append("  - id: deferrals\n    type: number\n    prompt: How many?\n    min: 0\n    max: 1000000")
    lines.append("rules:")
    for i in range(0, questions, 5):
        lines += [f"  - id: r{i}", f"    when: q{i} == 'a' and deferrals >= {i}", "    points: {walk: 2}"]
    return "\n".join(lines) + "\n"


def test_a_600_question_playbook_is_reviewed_and_still_says_what_would_change(dealcoach, work: Path) -> None:
    """Its time is measured in benchmarks/run.py; here, that it finishes and still does the work."""
    from .helpers import write

    write(work / "playbooks" / "big600.yaml", big_playbook(600))
    # Mostly "I don't know", so a single answer can change the recommendation: every question
    # and value is worth trying.
    answers: dict[str, object] = {f"q{i}": None for i in range(600)}
    answers.update({"q0": "a", "q1": "b", "deferrals": 250})
    write(work / "answers.json", json.dumps({"playbook": "big600", "deal": "Big", "answers": answers}))
    assert dealcoach("playbooks", "validate", "playbooks/big600.yaml").code == 0  # and warm the cache
    ran = dealcoach("review", "--answers", "answers.json", "--output", "-", "--format", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["flips"], "what would change the recommendation is still found"


LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}"
REPEATS = "team.j2:2:1: the template repeats text or a list with *, which templates do not allow"
TOO_BIG_A_SIZE = "team.j2:2:1: the template asks for a size of 1000000000; at most 100000"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "ok\n{{ deal * 1000000000 }}\n",
            "team.j2:2:1: the template repeats text or a list with *, which templates do not allow",
        ),
        (
            "ok\n{{ [deal] * 1000000000 }}\n",
            "team.j2:2:1: the template repeats text or a list with *, which templates do not allow",
        ),
        ("ok\n" + LOOPS + "{% endfor %}{% endfor %}\n", "team.j2: the template took longer than 3 s to render"),
        ("ok\n" + LOOPS + "x{% endfor %}{% endfor %}\n", "team.j2: the template's output is larger than 1000 kB"),
        (
            "{% set x = deal %}\n" + "{% set x = x ~ x %}\n" * 60 + "{{ x }}\n",
            "team.j2:18:1: the template builds text larger than 1000 kB",
        ),
        (
            "ok\n{{ deal.center(1000000000) }}\n",
            "team.j2:2:1: the template asks for a size of 1000000000; at most 100000",
        ),
        (
            "ok\n{{ deal | center(1000000000) }}\n",
            "team.j2:2:1: the template asks for a size of 1000000000; at most 100000",
        ),
        ("ok\n{{ 10 ** 100000000 }}\n", "team.j2:2:1: the template raises a number to a power too large"),
    ],
)
def test_a_team_template_cannot_run_for_minutes_or_take_gigabytes(
    dealcoach, work: Path, template: str, message: str
) -> None:
    from .helpers import write

    write(work / "team.j2", template)
    ran = dealcoach("review", "--answers", str(ANSWERS), "--template", "team.j2")  # its timeout catches a hang
    assert ran.code == 2, ran.err
    assert ran.err.strip().endswith(message)
    assert not (work / "reviews").exists(), "nothing half-written"


@pytest.mark.process  # settings and caches are read once per process: each run needs its own
def test_caches_live_in_the_cache_folder_keyed_on_the_code_itself(
    dealcoach, work: Path, env: dict[str, str], tmp_path: Path
) -> None:
    from dealcoach import config as store

    assert dealcoach("review", "--answers", str(ANSWERS)).code == 0
    assert dealcoach("deals").code == 0
    cache = Path(env["DEALCOACH_CACHE_DIR"])
    assert list(cache.glob("playbooks/*.pickle")), "the checked playbook is cached"
    (index,) = cache.glob("reviews-*.index")
    assert marshal.loads(index.read_bytes())["code"] == store.code_stamp()
    state = Path(env["DEALCOACH_STATE_DIR"])
    assert not (state / "index").exists(), "the state folder holds only what cannot be rebuilt"
    # The key follows the package's own files, so an edit between two commits of the same
    # version is never served stale results.
    package = tmp_path / "package"
    shutil.copytree(Path(store.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = store.code_stamp(package)
    assert store.code_stamp(package) == before
    (package / "review" / "scoring.py").write_text((package / "review" / "scoring.py").read_text() + "\n# changed\n")
    assert store.code_stamp(package) != before


def test_the_benchmark_copies_are_other_deals(dealcoach, tmp_path: Path) -> None:
    import subprocess
    import sys

    from .helpers import ROOT

    folder = tmp_path / "history"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "history.py"), str(folder), "--deals", "3", "--copies", "2"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    deals = json.loads(dealcoach("deals", "--reviews", str(folder), "--format", "json").out)
    assert len(deals) == 9
    assert {"Acme Logistics #2", "Northwind Wholesale #1"} <= {d["deal"] for d in deals}


def test_a_long_name_in_a_wide_script_still_makes_a_valid_file_name(dealcoach, work: Path) -> None:
    name = "𠀋" * 100  # four bytes a character in UTF-8
    for participant in ("", name):
        args = ["--participant", participant] if participant else []
        ran = dealcoach("review", "--answers", str(ANSWERS), "--deal", name, *args)
        assert ran.code == 0, ran.err
    (written, other) = sorted((work / "reviews").rglob("*.md"))
    for path in (written, other):
        assert len(path.name.encode()) <= 255 and len(path.parent.name.encode()) <= 255


POSTMORTEM = str(EXAMPLES / "answers" / "lost-deal-postmortem.yaml")


# -- numbers: nan, infinity, fractions of a count, percentages --------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_number_answer_that_is_not_finite_is_refused(dealcoach, value: str) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--set", f"deferrals={value}", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == f"--set: answer to 'deferrals': {value!r} is not a finite number"
    assert ran.out == ""


def test_a_count_must_be_whole_and_a_percentage_may_carry_its_sign(dealcoach) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--set", "deferrals=3.5", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == "--set: answer to 'deferrals': '3.5' must be a whole number (this question counts)"
    purchaser = str(EXAMPLES / "answers" / "resistant-purchaser.yaml")
    ran = dealcoach("review", "--answers", purchaser, "--set", "price_gap=inf%", "--output", "-")
    assert ran.err.strip() == "--set: answer to 'price_gap': 'inf%' is not a finite number"
    ran = dealcoach("review", "--answers", purchaser, "--set", "price_gap=7.5%", "--output", "-")
    assert ran.code == 0, ran.err
    assert yaml.safe_load(ran.out.split("---\n")[1])["answers"]["price_gap"] == 7.5


def test_a_blank_deal_name_is_refused(dealcoach) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--deal", "   ", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == "error: --deal is blank; give the deal's name"
    ran = dealcoach("review", "--answers", POSTMORTEM, "--deal", "  Harbour   CU ", "--output", "-")
    assert "# " in ran.out and "Harbour CU" in ran.out


# -- --defaults -----------------------------------------------------------------------------


def test_review_defaults_asks_nothing_and_takes_each_default(dealcoach, work: Path) -> None:
    text = MINIMAL.replace(
        "    unknown: allowed\n    gap: Ask whether", "    default: true\n    unknown: allowed\n    gap: Ask whether"
    )
    write(work / "playbooks" / "mini.yaml", text)
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "--output", "-")
    assert ran.code == 0, ran.err
    front = yaml.safe_load(ran.out.split("---\n")[1])
    assert front["answers"] == {"ready": True, "size": None}
    assert "note: no default (counted as I don't know): size" in ran.err
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "--set", "size=big", "--output", "-")
    assert yaml.safe_load(ran.out.split("---\n")[1])["answers"] == {"ready": True, "size": "big"}
    # --set to a question the other answers skip is said, not silently dropped
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "-s", "ready=no", "-s", "size=big", "-o", "-")
    assert ran.code == 0
    assert "note: --set not used, the other answers skip these questions: size" in ran.err
    assert "size" not in yaml.safe_load(ran.out.split("---\n")[1])["answers"]


def test_set_to_a_skipped_question_is_noted_with_an_answers_file(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "a.yaml", "playbook: mini\ndeal: Acme\nanswers: {ready: false}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--set", "size=big", "--output", "-")
    assert ran.code == 0
    assert "note: --set not used, the other answers skip these questions: size" in ran.err


# -- messages -------------------------------------------------------------------------------


def test_answers_are_shown_as_written_not_as_python_prints_them(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "a.yaml", "playbook: mini\ndeal: Acme\nanswers: {ready: true, size: yes}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == "a.yaml:3:30: answer to 'size': yes is not one of the choices: big, small"


def test_a_division_by_an_answer_of_zero_is_unknown_and_the_review_is_written(dealcoach, work: Path) -> None:
    # "A share of nothing" is not known: the rule does not fire, nothing stops the review.
    count = "  - {id: count, type: number, prompt: How many?, min: 0, max: 10}\nrules:"
    text = MINIMAL.replace("rules:", count).replace(
        "    when: ready and size == 'small'", "    when: ready and 10 / (count - 3) > 1"
    )
    write(work / "playbooks" / "mini.yaml", text)
    assert dealcoach("playbooks", "validate", "playbooks").code == 0
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "-s", "ready=yes", "-s", "count=3", "-o", "-")
    assert ran.code == 0, ran.err
    assert "Ready but small" not in ran.out
    fired = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "-s", "ready=yes", "-s", "count=4", "-o", "-")
    assert fired.code == 0 and "Ready but small" in fired.out


# -- rescore: silent drops ------------------------------------------------------------------


def test_rescore_says_which_answers_no_longer_fit(dealcoach, work: Path) -> None:
    assert dealcoach("review", "--answers", POSTMORTEM).code == 0
    review = work / "reviews" / "marlow-freight" / "2026-11-25-lost-deal-postmortem.md"
    # as if the choice had been renamed in the playbook since
    review.write_text(review.read_text(encoding="utf-8").replace("sponsor_engaged: once", "sponsor_engaged: twice"))
    ran = dealcoach("rescore")
    assert ran.code == 0, ran.err
    assert (
        "note: reviews/marlow-freight/2026-11-25-lost-deal-postmortem.md: counted as I don't know, "
        "no longer fits the playbook: answer to 'sponsor_engaged': 'twice' is not one of the choices"
    ) in ran.err


def test_rescore_skips_a_review_answered_with_a_newer_playbook(dealcoach, work: Path) -> None:
    assert dealcoach("review", "--answers", POSTMORTEM).code == 0
    review = work / "reviews" / "marlow-freight" / "2026-11-25-lost-deal-postmortem.md"
    text = review.read_text(encoding="utf-8")
    installed = int(re.search(r"^playbook_version: (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
    review.write_text(text.replace(f"playbook_version: {installed}", "playbook_version: 7"))
    ran = dealcoach("rescore")
    assert ran.code == 0
    assert (
        "skipped: reviews/marlow-freight/2026-11-25-lost-deal-postmortem.md: answered with version 7 of "
        f"'lost-deal-postmortem', newer than the version {installed} here; update the playbooks first"
    ) in ran.err
    assert "0 review(s) re-scored" in ran.err


# -- files: what cannot be written, and with which mode ---------------------------------------


def test_a_reviews_folder_that_cannot_be_written_is_named_with_the_reason(dealcoach, work: Path) -> None:
    (work / "reviews").write_text("not a folder")  # what a read-only folder does, even for root
    ran = dealcoach("review", "--answers", POSTMORTEM)
    assert ran.code == 2
    assert ran.err.strip().splitlines()[-1] == (
        "error: cannot write reviews/marlow-freight/2026-11-25-lost-deal-postmortem.md: Not a directory"
    )


def test_a_file_name_too_long_is_said_not_a_bug(dealcoach) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--output", "x" * 300 + ".md")
    assert ran.code == 2
    assert ran.err.strip().endswith("File name too long")


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_are_written_with_the_umask(env: dict[str, str], work: Path, umask: int, mode: int) -> None:
    def run(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "dealcoach", *args],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
            preexec_fn=lambda: os.umask(umask),
        )

    run("review", "--answers", POSTMORTEM)
    review = work / "reviews" / "marlow-freight" / "2026-11-25-lost-deal-postmortem.md"
    assert stat.S_IMODE(review.stat().st_mode) == mode
    run("init")
    assert stat.S_IMODE((work / "README.md").stat().st_mode) == mode


def test_a_replaced_file_keeps_its_mode(dealcoach, work: Path) -> None:
    out = work / "review.md"
    out.write_text("old")
    out.chmod(0o640)
    assert dealcoach("review", "--answers", POSTMORTEM, "--output", "review.md", "--force").code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    readme = work / "README.md"
    readme.write_text("# Team\n")
    readme.chmod(0o600)
    assert dealcoach("init").code == 0
    assert "dealcoach" in readme.read_text(encoding="utf-8")
    assert stat.S_IMODE(readme.stat().st_mode) == 0o600


# -- worker processes -----------------------------------------------------------------------


def test_workers_are_not_forked_and_fit_the_cpus_this_process_may_use(work: Path) -> None:
    code = """
import os, multiprocessing
from dealcoach import files
print(files.start_method())
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(files.usable_cpus())
else:
    print(1)
"""
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=work)
    method, cpus = ran.stdout.split()
    assert method in ("forkserver", "spawn")
    assert cpus == "1"


def test_a_large_validate_runs_in_worker_processes_and_keeps_file_order(dealcoach, work: Path) -> None:
    for n in range(80):
        write(work / "many" / f"p{n:03d}.yaml", MINIMAL.replace("id: mini", f"id: p{n:03d}"))
    write(work / "many" / "p040.yaml", MINIMAL.replace("id: mini", "id: p040").replace("version: 1", "version: x"))
    ran = dealcoach("playbooks", "validate", "many", extra_env={"PYTHONWARNINGS": "error::DeprecationWarning"})
    assert ran.code == 2
    assert ran.out.splitlines() == ["many/p040.yaml:2:10: 'version' must be a whole number, not the string 'x'"]
    assert "80 playbook(s) checked, 1 problem(s)" in ran.err


# -- playbooks diff -------------------------------------------------------------------------


def git(work: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Team", "-c", "user.email=team@example.com", *args],
        cwd=work,
        check=True,
        capture_output=True,
    )


def test_diff_of_a_team_playbook_compares_with_its_committed_version(dealcoach, work: Path) -> None:
    path = write(work / "playbooks" / "mini.yaml", MINIMAL)
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "mini")
    write(path, MINIMAL.replace("prompt: Are they ready?", "prompt: Are they ready now?"))
    ran = dealcoach("playbooks", "diff", "playbooks/mini.yaml")
    assert ran.code == 1
    assert ran.out.splitlines() == ["~ question ready: re-worded: 'Are they ready?' -> 'Are they ready now?'"]
    assert "as committed in git" in ran.err


def test_diff_of_a_file_with_nothing_to_compare_with_says_so(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    ran = dealcoach("playbooks", "diff", "playbooks/mini.yaml")
    assert ran.code == 0
    assert ran.out == ""  # not "No changes": there is nothing it was compared with
    assert "a new playbook: it overrides no other and git has no committed version of it" in ran.err


def test_diff_reports_changed_wording_as_well_as_scoring(dealcoach, work: Path) -> None:
    old = write(work / "old" / "mini.yaml", MINIMAL)
    changed = (
        MINIMAL.replace("label: Big,", "label: Large,")
        .replace("help: ", "help: ")
        .replace("gap: Ask whether they are ready.", "gap: Ask them.")
        .replace("why: Wait because it is early.", "why: It is early.")
        .replace('text: "Ready but small: {{ size }}"', 'text: "Small: {{ size }}"')
        .replace("title: Mini", "title: Mini playbook")
    )
    new = write(work / "new" / "mini.yaml", changed)
    ran = dealcoach("playbooks", "diff", str(old), str(new))
    assert ran.code == 1
    assert ran.out.splitlines() == [
        "~ question ready: gap changed: 'Ask whether they are ready.' -> 'Ask them.'",
        "~ question size: label of big changed: 'Big' -> 'Large'",
        "~ strategy wait: why changed: 'Wait because it is early.' -> 'It is early.'",
        "~ rule small-and-ready: flag changed: ('medium', 'Ready but small: {{ size }}') -> "
        "('medium', 'Small: {{ size }}')",
        "~ playbook: title changed: 'Mini' -> 'Mini playbook'",
    ]


def test_a_large_file_without_aliases_is_not_blamed_on_aliases(dealcoach, work: Path) -> None:
    items = ",".join("1" for _ in range(100_500))  # 200 kB: under the size limit, over the value limit
    write(work / "a.yaml", f"playbook: lost-deal-postmortem\ndeal: Acme\nnotes: [{items}]\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--output", "-")
    assert ran.code == 2
    assert "aliases" not in ran.err
    assert ran.err.strip().endswith("holds more than 100000 values; split it or trim it")


def test_front_matter_too_long_is_not_said_never_to_end(dealcoach, work: Path) -> None:
    assert dealcoach("review", "--answers", POSTMORTEM).code == 0
    review = work / "reviews" / "marlow-freight" / "2026-11-25-lost-deal-postmortem.md"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("answers:\n", "padding: '" + "x" * 300_000 + "'\nanswers:\n", 1))
    ran = dealcoach("deals")
    assert "never ends" not in ran.err
    assert "front matter is larger than 256 kB" in ran.err


def test_an_answers_file_from_a_newer_playbook_version_is_noted(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "a.yaml", "playbook: mini\nplaybook_version: 3\ndeal: Acme\nanswers: {ready: true}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--output", "-")
    assert ran.code == 0
    assert (
        "note: a.yaml: answered with version 3 of 'mini', newer than the version 1 here; "
        "update the playbooks to score it as it was meant"
    ) in ran.err
