"""Every built-in playbook validates, passes its examples and has no dead strategies."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealcoach.playbook import loader, yamlfile
from dealcoach.review.scoring import score
from dealcoach.review.selftest import run_examples

from .helpers import BUILTIN_PLAYBOOK_FILES, EXAMPLES, PLAYBOOKS, ROOT, review_as_written

BUILTIN = BUILTIN_PLAYBOOK_FILES


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_playbook_passes_its_examples(path: Path) -> None:
    pb = loader.load(path)
    failures = [(o.example.name, o.mismatches) for o in run_examples(pb) if not o.passed]
    assert failures == []


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_playbook_texts_state_no_quantity_no_answer_gave(path: Path) -> None:

    assert [str(p) for p in loader.lint_quantities(yamlfile.read(path))] == []


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_every_strategy_is_recommended_by_some_example(path: Path) -> None:
    pb = loader.load(path)
    recommended = {score(pb, ex.answers, flips=False).recommended for ex in pb.examples}
    assert [s.id for s in pb.strategies if s.id not in recommended] == []


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_playbook_standard(path: Path) -> None:
    pb = loader.load(path)
    assert pb.sources, "credit the sources or say framework-based"
    if pb.id != "triage":
        assert len(pb.questions) >= 8
        assert len(pb.examples) >= 3
        assert any(ex.expect.get("confidence") == "low" for ex in pb.examples), "one example must be low confidence"
    for q in pb.questions:
        assert q.help, f"{q.id} needs help text saying why it matters"


def test_triage_routes_only_to_shipped_playbooks() -> None:
    triage = loader.load(PLAYBOOKS / "triage.yaml")
    shipped = {p.stem for p in BUILTIN}
    assert {s.route for s in triage.strategies} <= shipped


@pytest.mark.parametrize("answers", sorted((EXAMPLES / "answers").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_reviews_are_in_sync(answers: Path, tmp_path: Path) -> None:
    """examples/reviews/ must be what the current code renders (regenerate: see README)."""
    expected = EXAMPLES / "reviews" / f"{answers.stem}.md"
    assert expected.exists(), f"missing {expected}"
    assert review_as_written(answers, tmp_path) == expected.read_text(encoding="utf-8")


def test_playbook_catalogue_is_in_sync() -> None:
    """docs/playbooks.md is generated; regenerate with `dealcoach playbooks docs -o docs/playbooks.md`."""
    from dealcoach.playbook.pages import catalogue_markdown

    assert (ROOT / "docs" / "playbooks.md").read_text(encoding="utf-8") == catalogue_markdown(PLAYBOOKS)
