"""Reviews as rows for other tools: CSV and JSON Lines for a CRM import, SQLite for analysts.

One row per review with the fields a CRM import maps (deal, date, playbook, recommendation,
confidence, flags, gaps, path, participant). The SQLite form adds two tables, answers and flags,
so a sales-operations analyst can query a whole organisation's reviews in any SQL tool.
Standard library only.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from ..errors import Problem
from .records import ReviewRecord

COLUMNS = ("deal", "date", "playbook", "recommendation", "confidence", "flags", "gaps", "path", "participant")

SCHEMA = """
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    deal TEXT NOT NULL,
    date TEXT NOT NULL,            -- YYYY-MM-DD
    playbook TEXT NOT NULL,
    playbook_version INTEGER,
    recommendation TEXT,           -- NULL when no strategy could be recommended
    confidence TEXT NOT NULL,      -- high, medium or low
    path TEXT NOT NULL UNIQUE,
    participant TEXT               -- NULL unless one person's answers in a retrospective
);
CREATE TABLE answers (
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    question TEXT NOT NULL,
    value TEXT,                    -- the answer as JSON; NULL means "I don't know"
    PRIMARY KEY (review_id, question)
);
CREATE TABLE flags (
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    flag TEXT NOT NULL
);
CREATE INDEX reviews_deal ON reviews(deal);
CREATE INDEX flags_flag ON flags(flag);
"""


def row(record: ReviewRecord) -> dict[str, Any]:
    return {
        "deal": record.deal,
        "date": record.date.isoformat(),
        "playbook": record.playbook,
        "recommendation": record.recommendation,
        "confidence": record.confidence,
        "flags": list(record.flags),
        "gaps": list(record.gaps),
        "path": str(record.path),
        "participant": record.participant,
    }


def to_csv(records: list[ReviewRecord]) -> str:
    """One line per review; lists joined with ' | ' (a character reviews' texts rarely hold)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        r = row(record)
        writer.writerow({**r, "flags": " | ".join(r["flags"]), "gaps": " | ".join(r["gaps"])})
    return out.getvalue()


def to_jsonl(records: list[ReviewRecord]) -> str:
    return "".join(json.dumps(row(r), ensure_ascii=False) + "\n" for r in records)


def to_sqlite(records: list[ReviewRecord], path: Path) -> Path:
    """Write a new database at `path`, replacing it only once it is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(SCHEMA)
            for number, record in enumerate(records, 1):
                db.execute(
                    "INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        number,
                        record.deal,
                        record.date.isoformat(),
                        record.playbook,
                        record.playbook_version or None,
                        record.recommendation,
                        record.confidence,
                        str(record.path),
                        record.participant or None,
                    ),
                )
                db.executemany(
                    "INSERT INTO answers VALUES (?, ?, ?)",
                    [
                        (number, str(q), None if v is None else json.dumps(v, ensure_ascii=False, default=str))
                        for q, v in record.answers.items()
                    ],
                )
                db.executemany("INSERT INTO flags VALUES (?, ?)", [(number, f) for f in record.flags])
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


CONFIDENCES = ("high", "medium", "low")


def front_matter_problems(path: Path) -> list[Problem]:
    """What is wrong with one review's front matter, as the readers of reviews would meet it."""
    from .records import _line_of, read_record

    found = read_record(path)
    if isinstance(found, Problem):
        return [found]
    import yaml

    problems: list[Problem] = []
    head = path.read_text(encoding="utf-8").split("\n---", 1)[0].removeprefix("---\n")
    if found.confidence not in CONFIDENCES:
        line = _line_of(head, "confidence")
        problems.append(Problem(path, line, 1, f"'confidence' must be high, medium or low, not {found.confidence!r}"))
    data = yaml.safe_load(head) or {}
    for key in ("flags", "gaps", "participants"):
        if key in data and data[key] is not None and not isinstance(data[key], list):
            problems.append(Problem(path, _line_of(head, key), 1, f"'{key}' must be a list"))
    return problems
