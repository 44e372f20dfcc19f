"""Deal history, re-scoring, retrospectives with several participants, and insights across deals."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import EXAMPLES, PLAYBOOKS, ROOT, write


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A generated reviews folder: 12 deals, several reviews each, some lost and post-mortemed."""
    folder = tmp_path / "history"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "history.py"), str(folder), "--deals", "12", "--seed", "3"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return folder


def test_deals_lists_every_deal_with_its_last_review(dealcoach, history: Path) -> None:
    ran = dealcoach("deals", "--reviews", str(history), "--format", "json")
    assert ran.code == 0, ran.err
    deals = json.loads(ran.out)
    folders = {p.name for p in history.iterdir()}
    assert len(deals) == len(folders) == 12
    files = sorted(p for p in history.rglob("*.md") if p.name != "actions.md")  # not the deals' checklists
    assert sum(d["reviews"] for d in deals) == len(files)
    last = max(deals, key=lambda d: d["last"])
    assert deals[0] == last  # most recent first
    text = dealcoach("deals", "--reviews", str(history))
    assert last["deal"].split()[0] in text.out


def test_deals_show_is_a_timeline_of_what_changed(dealcoach, tmp_path: Path) -> None:
    reviews = tmp_path / "reviews"
    answers = yaml.safe_load((EXAMPLES / "answers" / "resistant-end-user.yaml").read_text(encoding="utf-8"))
    first = write(tmp_path / "first.yaml", yaml.safe_dump(answers))
    answers["answers"]["leverage"] = "none"
    answers["answers"]["others_care"] = "only_contact"
    answers["answers"]["problem_cost"] = "low"
    second = write(tmp_path / "second.yaml", yaml.safe_dump(answers))
    env = {"DEALCOACH_REVIEWS": str(reviews)}
    assert dealcoach("review", "--answers", str(first), extra_env={**env, "DEALCOACH_TODAY": "2026-10-01"}).code == 0
    assert dealcoach("review", "--answers", str(second), extra_env=env).code == 0
    ran = dealcoach("deals", "--reviews", str(reviews), "show", "acme logistics", "--format", "json")
    assert ran.code == 0, ran.err
    first_entry, second_entry = json.loads(ran.out)
    assert (first_entry["date"], second_entry["date"]) == ("2026-10-01", "2026-11-25")
    assert second_entry["answers_changed"] == {
        "others_care": ["many", "only_contact"],
        "leverage": [["executive"], ["none"]],
        "problem_cost": [None, "low"],
    }
    assert second_entry["recommendation_changed"] is True
    assert "lonely-champion" in second_entry["flags_raised"]
    text = dealcoach("deals", "--reviews", str(reviews), "show", "Acme Logistics")
    assert "recommendation: go-around -> " in text.out
    assert "others_care: many -> only_contact" in text.out
    missing = dealcoach("deals", "--reviews", str(reviews), "show", "acme logistic")
    assert missing.code == 2
    assert "did you mean 'Acme Logistics'" in missing.err


def test_damaged_reviews_are_reported_and_skipped(dealcoach, history: Path) -> None:
    good = len([p for p in history.rglob("*.md") if p.name != "actions.md"])
    write(history / "broken" / "2026-01-01-x.md", "---\nplaybook: x\ndeal: [unclosed\n---\nbody\n")
    write(history / "broken" / "2026-01-02-y.md", "# no front matter\n")
    write(
        history / "broken" / "2026-01-03-z.md",
        "---\nplaybook: x\ndeal: z\ndate: yesterday\nanswers: {}\nrecommendation: a\nconfidence: low\n---\n",
    )
    ran = dealcoach("insights", str(history), "--format", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["skipped"] == 3
    assert json.loads(ran.out)["reviews"] == good
    skipped = sorted(line for line in ran.err.splitlines() if line.startswith("skipped:"))
    assert skipped == [
        f"skipped: {history}/broken/2026-01-01-x.md:4:1: front matter: not valid YAML: "
        "did not find expected ',' or ']'; check the indentation and quoting here",
        f"skipped: {history}/broken/2026-01-02-y.md:1:1: no front matter: a review starts with a '---' line",
        f"skipped: {history}/broken/2026-01-03-z.md:4:1: 'date' must be YYYY-MM-DD, not 'yesterday'",
    ]


def test_rescore_reports_recommendations_a_changed_playbook_would_change(dealcoach, work: Path) -> None:
    answers = str(EXAMPLES / "answers" / "resistant-end-user.yaml")
    assert dealcoach("review", "--answers", answers).code == 0
    review = work / "reviews" / "acme-logistics" / "2026-11-25-resistant-end-user.md"
    before = review.read_text(encoding="utf-8")
    unchanged = dealcoach("rescore")
    assert unchanged.code == 0
    assert "1 review(s) re-scored, 0 changed" in unchanged.err
    # The team's override makes one-off deals a reason to move on, and bumps the version.
    text = (PLAYBOOKS / "resistant-end-user.yaml").read_text(encoding="utf-8")
    version = int(re.search(r"^version: (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
    text = text.replace(f"\nversion: {version}\n", f"\nversion: {version + 1}\n", 1)
    text = text.replace(
        "points: {go-around: 2}\n    says: It is a one-off deal",
        "points: {move-on: 30}\n    says: It is a one-off deal",
    )
    write(work / "playbooks" / "resistant-end-user.yaml", text)
    ran = dealcoach("rescore")
    assert ran.code == 0, ran.err
    assert (
        ran.out.splitlines()[0]
        == "reviews/acme-logistics/2026-11-25-resistant-end-user.md: go-around -> move-on (high)"
    )
    assert f"    playbook version {version} -> {version + 1}" in ran.out
    assert review.read_text(encoding="utf-8") == before, "nothing is rewritten without --write"
    written = dealcoach("rescore", "--write")
    assert "1 rewritten" in written.err
    front = yaml.safe_load(review.read_text(encoding="utf-8").split("---\n")[1])
    assert (front["recommendation"], front["playbook_version"], front["answered_with_version"]) == (
        "move-on",
        version + 1,
        version,
    )


def test_a_retrospective_merges_participants_and_shows_disagreement(dealcoach, work: Path) -> None:
    base = yaml.safe_load((EXAMPLES / "answers" / "lost-deal-postmortem.yaml").read_text(encoding="utf-8"))
    views = {
        "Sam": {},
        "Priya": {"sponsor_engaged": "not_at_all"},
        "Jo": {"sponsor_engaged": "regularly", "competitor_checks": "never"},
    }
    for name, changes in views.items():
        answers = {**base, "answers": {**base["answers"], **changes}}
        path = write(work / f"{name}.yaml", yaml.safe_dump(answers))
        ran = dealcoach("review", "--answers", str(path), "--participant", name)
        assert ran.code == 0, ran.err
    folder = work / "reviews" / "marlow-freight"
    assert sorted(p.name for p in folder.iterdir()) == [
        "2026-11-25-lost-deal-postmortem--jo.md",
        "2026-11-25-lost-deal-postmortem--priya.md",
        "2026-11-25-lost-deal-postmortem--sam.md",
    ]
    merged = dealcoach("merge", "Marlow Freight")
    assert merged.code == 0, merged.err
    assert (
        "Merged 3 participants: Jo, Priya, Sam; 2 question(s) to discuss: competitor_checks, sponsor_engaged"
        in merged.err
    )
    text = (folder / "2026-11-25-lost-deal-postmortem.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["participants"] == ["Jo", "Priya", "Sam"]
    assert front["answers"]["sponsor_engaged"] is None  # three different answers: no majority
    assert front["answers"]["competitor_checks"] == "early_only"  # two of three agree
    assert front["disagreements"]["sponsor_engaged"] == {"Jo": "regularly", "Priya": "not_at_all", "Sam": "once"}
    assert "## Where the team agrees and disagrees" in text
    assert "- How engaged did you keep the senior sponsor (the executive who backed this) through to the end?" in text
    assert "  - Priya: **Not at all after they handed us on**" in text
    lonely = dealcoach("merge", "Nobody Inc")
    assert lonely.code == 2
    assert "a merge needs two or more" in lonely.err


def test_insights_report_with_filters_and_exports(dealcoach, history: Path, work: Path) -> None:
    ran = dealcoach("insights", str(history), "--output", "insights.md", "--format", "json")
    assert ran.code == 0, ran.err
    found = json.loads(ran.out)
    lost = {p.parent.name for p in history.rglob("*lost-deal-postmortem.md")}
    assert sum(row["count"] for row in found["losses_by_cause"]) == len(lost)
    assert found["deals"] == 12
    report = (work / "insights.md").read_text(encoding="utf-8")
    for heading in (
        "## Losses by root cause",
        "## Red flags raised before losses",
        "## Most often unknown",
        "## Recommendations by playbook",
        "## Confidence over time",
    ):
        assert heading in report
    rows = list(csv.reader(io.StringIO(dealcoach("insights", str(history), "--format", "csv").out)))
    assert rows[0] == ["section", "key", "detail", "count"]
    assert ["totals", "deals", "", "12"] in rows
    only = json.loads(dealcoach("insights", str(history), "--playbook", "lost-deal-postmortem", "--format", "json").out)
    assert set(only["recommendations"]) <= {"lost-deal-postmortem"}
    later = json.loads(dealcoach("insights", str(history), "--since", "2026-06-01", "--format", "json").out)
    assert all(row["month"] >= "2026-06" for row in later["confidence_by_month"])
    bad = dealcoach("insights", str(history), "--since", "June")
    assert bad.code == 2
    assert "--since 'June': use YYYY-MM-DD" in bad.err
    drawn = dealcoach("insights", str(history), extra_env={"COLUMNS": "120"})
    assert "Losses by root cause" in drawn.out and "█" in drawn.out


def test_the_front_matter_index_notices_edited_added_and_removed_reviews(dealcoach, history: Path) -> None:
    first = json.loads(dealcoach("insights", str(history), "--format", "json").out)
    folders = [f for f in sorted(history.iterdir()) if len(list(f.glob("*.md"))) >= 2]
    edited, removed = sorted(folders[0].glob("*.md"))[:2]
    text = edited.read_text(encoding="utf-8")
    playbook = yaml.safe_load(text.split("---\n")[1])["playbook"]
    edited.write_text(text.replace("\nrecommendation: ", "\nrecommendation: edited-", 1), encoding="utf-8")
    (history / "extra").mkdir()
    (history / "extra" / "copy.md").write_text(text.replace("\ndeal: ", "\ndeal: Extra ", 1), encoding="utf-8")
    removed.unlink()
    second = json.loads(dealcoach("insights", str(history), "--format", "json").out)
    assert second["reviews"] == first["reviews"]  # one added, one removed
    assert second["deals"] == first["deals"] + 1
    assert any(row["strategy"].startswith("edited-") for row in second["recommendations"][playbook])
