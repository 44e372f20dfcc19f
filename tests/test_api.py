"""The public Python API in `dealcoach/__init__.py`, as a script would use it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import dealcoach

from .helpers import MINIMAL, PLAYBOOKS, ROOT, write


def test_a_review_from_a_built_in_playbook_by_id(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    playbook = dealcoach.load_playbook("resistant-end-user")
    assert playbook.id == "resistant-end-user"
    review = dealcoach.make_review(
        playbook, "Acme", {"fear": "strong", "open_dialogue": False}, date=dt.date(2026, 1, 5)
    )
    assert "change-mind" in review.result.vetoed
    markdown = dealcoach.render_markdown(review)
    assert markdown.startswith("---\n") and "Acme" in markdown
    assert json.loads(dealcoach.render_json(review))["deal"] == "Acme"


def test_a_playbook_from_a_path_and_its_errors(tmp_path: Path) -> None:
    good = write(tmp_path / "mini.yaml", MINIMAL)
    playbook = dealcoach.load_playbook(good)
    assert dealcoach.score(playbook, {"ready": True, "size": "big"}).recommended == "push"
    bad = write(tmp_path / "bad.yaml", MINIMAL.replace("type: yesno", "type: yesnoo"))
    with pytest.raises(dealcoach.DealcoachError) as raised:
        dealcoach.load_playbook(bad)
    assert any(str(p).startswith(f"{bad}:") for p in raised.value.problems)


def test_reading_a_reviews_folder(tmp_path: Path) -> None:
    playbook = dealcoach.load_playbook(PLAYBOOKS / "resistant-end-user.yaml")
    review = dealcoach.make_review(playbook, "Acme", {"fear": "mild"}, date=dt.date(2026, 1, 5))
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "2026-01-05-resistant-end-user.md").write_text(dealcoach.render_markdown(review))
    (tmp_path / "acme" / "broken.md").write_text("---\nplaybook: [\n---\n")
    scan = dealcoach.read_reviews(tmp_path)
    assert [r.deal for r in scan.records] == ["Acme"]
    assert len(scan.skipped) == 1


def test_importing_the_package_loads_no_engine_module() -> None:
    code = "import sys, dealcoach; print(sorted(m for m in sys.modules if m.startswith('dealcoach')))"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert ran.stdout.strip() == "['dealcoach', 'dealcoach.version']"


def test_unknown_names_are_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        dealcoach.no_such_thing  # noqa: B018
