"""`dealcoach reviews export` and `reviews check`: reviews as rows for CRMs, SQL tools, and CI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from .conftest import EXAMPLES

COLUMNS = ["deal", "date", "playbook", "recommendation", "confidence", "flags", "gaps", "path", "participant"]


@pytest.fixture
def reviews(work: Path) -> Path:
    folder = work / "reviews"
    shutil.copytree(EXAMPLES / "reviews", folder)
    return folder


def test_csv_and_jsonl_have_one_row_per_review(dealcoach, reviews: Path) -> None:
    count = len(list(reviews.rglob("*.md")))
    as_csv = dealcoach("reviews", "export", "--format", "csv")
    assert as_csv.code == 0, as_csv.err
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert list(rows[0]) == COLUMNS and len(rows) == count
    harbour = [r for r in rows if r["deal"] == "Harbour Credit Union"]
    assert harbour and all(r["playbook"] and r["confidence"] in ("high", "medium", "low") for r in harbour)
    lines = dealcoach("reviews", "export", "-f", "jsonl").out.splitlines()
    parsed = [json.loads(line) for line in lines]
    assert len(parsed) == count and list(parsed[0]) == COLUMNS
    assert isinstance(parsed[0]["flags"], list)
    assert {r["deal"] for r in parsed} == {r["deal"] for r in rows}


def test_export_to_a_file(dealcoach, reviews: Path, work: Path) -> None:
    ran = dealcoach("reviews", "export", "-f", "jsonl", "--output", "out/reviews.jsonl")
    assert ran.code == 0 and "exported to out/reviews.jsonl" in ran.err
    assert (work / "out" / "reviews.jsonl").read_text(encoding="utf-8") == dealcoach(
        "reviews", "export", "-f", "jsonl"
    ).out


def test_sqlite_has_reviews_answers_and_flags(dealcoach, reviews: Path, work: Path) -> None:
    assert dealcoach("reviews", "export", "-f", "sqlite").code == 2  # a database needs a file name
    ran = dealcoach("reviews", "export", "-f", "sqlite", "-o", "reviews.db")
    assert ran.code == 0, ran.err
    db = sqlite3.connect(work / "reviews.db")
    count = len(list(reviews.rglob("*.md")))
    assert db.execute("SELECT count(*) FROM reviews").fetchone()[0] == count
    (deal, recommendation) = db.execute(
        "SELECT deal, recommendation FROM reviews WHERE playbook = 'resistant-end-user'"
    ).fetchone()
    front = (reviews / "resistant-end-user.md").read_text(encoding="utf-8")
    assert f"deal: {deal}" in front and f"recommendation: {recommendation}" in front
    answers = dict(
        db.execute(
            "SELECT question, value FROM answers JOIN reviews ON reviews.id = review_id "
            "WHERE playbook = 'resistant-end-user'"
        ).fetchall()
    )
    assert answers and all(v is None or json.loads(v) is not None for v in answers.values())
    flagged = db.execute("SELECT count(DISTINCT review_id) FROM flags").fetchone()[0]
    assert flagged >= 1
    # A second export replaces the database whole.
    assert dealcoach("reviews", "export", "-f", "sqlite", "-o", "reviews.db").code == 0
    assert sqlite3.connect(work / "reviews.db").execute("SELECT count(*) FROM reviews").fetchone()[0] == count


def test_check_passes_good_reviews_and_locates_bad_front_matter(dealcoach, reviews: Path) -> None:
    assert dealcoach("reviews", "check").code == 0
    bad = reviews / "resistant-end-user.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("confidence: ", "confidence: sure-", 1), encoding="utf-8")
    ran = dealcoach("reviews", "check", str(bad))
    assert ran.code == 2
    line = next(n for n, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if "confidence:" in text)
    assert ran.out.startswith(f"{bad}:{line}:1: 'confidence' must be high, medium or low")
    broken = reviews / "broken.md"
    broken.write_text("---\ndeal: [\n---\n", encoding="utf-8")
    ran = dealcoach("reviews", "check", str(broken))
    assert ran.code == 2 and ran.out.startswith(f"{broken}:") and "not valid YAML" in ran.out
