"""A collection of damaged playbooks and answers files, each with the exact message a user sees.

The expected output lives next to the files (tests/broken/*.expected) so a change to any message
shows up as a reviewable diff. To accept a deliberate change, regenerate them:

    dealcoach playbooks validate tests/broken/playbooks 2>/dev/null | sort > tests/broken/playbooks.expected
    dealcoach deals --reviews tests/broken/reviews 2>&1 >/dev/null | grep '^skipped: ' | sort \
        > tests/broken/reviews.expected
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT

BROKEN = ROOT / "tests" / "broken"
PLAYBOOKS = sorted((BROKEN / "playbooks").glob("*.yaml"))
ANSWERS = sorted((BROKEN / "answers").glob("*.yaml"))
REVIEWS = sorted((BROKEN / "reviews").glob("*.md"))


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ran = subprocess.run(
        [sys.executable, "-m", "dealcoach", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in ran.stderr + ran.stdout
    assert "internal error" not in ran.stderr
    return ran


def test_there_are_at_least_thirty_kinds_of_damage() -> None:
    assert len(PLAYBOOKS) + len(ANSWERS) + len(REVIEWS) >= 30


def test_every_broken_playbook_gets_its_exact_messages(env: dict[str, str]) -> None:
    ran = run("playbooks", "validate", "tests/broken/playbooks", env=env)
    assert ran.returncode == 2
    expected = (BROKEN / "playbooks.expected").read_text(encoding="utf-8").splitlines()
    assert sorted(ran.stdout.splitlines()) == expected
    caught = {line.split(":", 1)[0] for line in ran.stdout.splitlines()}
    assert caught == {f"tests/broken/playbooks/{p.name}" for p in PLAYBOOKS}, "every file must be caught"
    assert f"{len(PLAYBOOKS)} playbook(s) checked" in ran.stderr


def expected_answers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = ""
    for line in (BROKEN / "answers.expected").read_text(encoding="utf-8").splitlines():
        if line.startswith("== "):
            current = line[3:]
            found[current] = []
        else:
            found[current].append(line)
    return found


@pytest.mark.parametrize("path", ANSWERS, ids=lambda p: p.stem)
def test_every_broken_answers_file_gets_its_exact_message(path: Path, env: dict[str, str]) -> None:
    ran = run("review", "--answers", f"tests/broken/answers/{path.name}", "--output", "-", env=env)
    assert ran.returncode == 2
    assert ran.stdout == "", "no review is written from a bad answers file"
    assert ran.stderr.splitlines() == expected_answers()[path.name]


def test_an_oversized_playbook_is_refused_before_it_is_parsed(env: dict[str, str], tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("id: big\nsummary: |\n" + ("  " + "x" * 98 + "\n") * 11_000, encoding="utf-8")
    ran = run("playbooks", "validate", str(big), env=env)
    assert ran.returncode == 2
    size = big.stat().st_size
    assert ran.stdout.strip() == f"{big}: larger than 1000 kB ({size} bytes); split it or trim it"


def test_every_damaged_review_is_skipped_with_its_exact_message(env: dict[str, str]) -> None:
    """Front matter is read by the same bounded reader as playbooks: an alias chain in a review
    is refused at once instead of making `deals` and `insights` run for ever."""
    ran = run("deals", "--reviews", "tests/broken/reviews", "--format", "json", env=env)
    assert ran.returncode == 0
    assert ran.stdout.strip() == "[]"
    skipped = sorted(line for line in ran.stderr.splitlines() if line.startswith("skipped: "))
    assert skipped == (BROKEN / "reviews.expected").read_text(encoding="utf-8").splitlines()
    caught = {line.split(":", 2)[1].strip() for line in skipped}
    assert caught == {f"tests/broken/reviews/{p.name}" for p in REVIEWS}, "every file must be caught"
