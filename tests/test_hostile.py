"""Defects found by a hostile run: deals that crossed, work that never ended, saves that were not.

Each test here reproduced its defect before the fix.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .helpers import EXAMPLES

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
    assert sorted(p.name for p in folder.iterdir())[-1] == "2026-11-25-resistant-end-user.md"
    shown = json.loads(dealcoach("deals", "show", "Acme Logistics", "--format", "json").out)
    assert [Path(e["path"]).name for e in shown] == [
        "2026-11-25-resistant-end-user.md",
        "2026-11-25-resistant-end-user-2.md",
        "2026-11-25-resistant-end-user-3.md",
    ]
    assert shown[1]["answers_changed"]["leverage"] == ["executive", "none"]
    assert shown[2]["answers_changed"]["leverage"] == ["none", "peers"]
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
    merged = dealcoach("merge", "Harbour Credit Union", "--output", "-")
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
    (index,) = cache.glob("reviews-*.json")
    assert json.loads(index.read_text(encoding="utf-8"))["code"] == store.code_stamp()
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
