"""The steps of a review that do not need a terminal: find the playbook, gather answers, write.

The CLI strings these together; tests call them directly.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..files import write_atomic
from ..playbook.answers import AnswersFile, check_answers, parse_set_options
from ..playbook.catalogue import Catalogue, reviews_dir
from ..playbook.loader import IncludeFinder, load_cached
from ..playbook.model import Playbook
from .document import review_path
from .model import Review

_cache: dict[Path, Playbook] = {}


def load_playbook(catalogue: Catalogue, playbook_id: str) -> Playbook:
    """Load a playbook by id from the catalogue, once per run."""
    path = catalogue.find(playbook_id).path
    if path not in _cache:
        _cache[path] = load_cached(path, IncludeFinder(catalogue))
    return _cache[path]


@dataclass
class GatheredAnswers:
    answers: dict[str, Any]
    removed: dict[str, Any] = field(default_factory=dict)
    answered_with_version: int | None = None
    notes: list[str] = field(default_factory=list)


def answers_from_file(playbook: Playbook, source: AnswersFile) -> GatheredAnswers:
    """Check an answers file (or review) against the playbook.

    A file that records an older playbook version may name questions that have since been
    removed: those are kept aside and reported, not treated as errors. Anything else that does
    not fit is an error, all of them reported together.
    """
    recorded = source.extra.get("playbook_version")
    older = isinstance(recorded, int) and recorded < playbook.version
    raw = dict(source.answers)
    removed: dict[str, Any] = {}
    notes: list[str] = []
    if isinstance(recorded, int) and recorded > playbook.version:  # scored by rules it was not meant for
        notes.append(
            f"{source.path}: answered with version {recorded} of {playbook.id!r}, newer than the version "
            f"{playbook.version} here; update the playbooks to score it as it was meant"
        )
    if older:
        for qid in list(raw):
            if playbook.question(str(qid)) is None:
                removed[str(qid)] = raw.pop(qid)
        if removed:
            notes.append(
                f"{source.path}: answered with version {recorded} of {playbook.id!r}; "
                f"questions since removed: {', '.join(removed)}"
            )
    answers, problems = check_answers(playbook, raw, source.located, ("answers",))
    if problems:
        raise InputError(f"{source.path}: the answers do not fit playbook {playbook.id!r}", problems)
    return GatheredAnswers(answers, removed, recorded if isinstance(recorded, int) else None, notes)


def apply_set(playbook: Playbook, answers: dict[str, Any], items: list[str]) -> dict[str, Any]:
    """Apply `--set QUESTION=VALUE` overrides on top of `answers`."""
    if not items:
        return answers
    overrides, problems = check_answers(playbook, parse_set_options(items), None, ())
    if problems:
        raise InputError(
            "--set does not fit the playbook",
            [Problem("--set", 0, 0, p.message) for p in problems],
        )
    return {**answers, **overrides}


def write_review(
    text: str,
    review: Review,
    *,
    output: str | None,
    suffix: str,
    force: bool,
) -> Path | None:
    """Write the rendered review; `-` means stdout. Never overwrites unless `force`."""
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    if output:
        path = Path(output)
        if path.is_dir():
            raise InputError(f"--output {output}: is a folder; give a file name or leave it out")
        if path.exists() and not force:
            raise InputError(f"--output {output}: the file exists; add --force to replace it")
        return write_atomic(path, text, overwrite=True)
    path = review_path(reviews_dir(), review.deal, review.playbook.id, review.date, suffix, review.participant)
    return write_atomic(path, text, overwrite=force)


def today() -> dt.date:
    """The review date; DEALCOACH_TODAY pins it so examples and tests are reproducible."""
    import os

    pinned = os.environ.get("DEALCOACH_TODAY")
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise InputError(f"DEALCOACH_TODAY={pinned!r}: use YYYY-MM-DD") from None
    return dt.date.today()
