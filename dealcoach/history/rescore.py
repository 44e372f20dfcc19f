"""Re-running stored reviews against the playbooks as they are now.

When a team changes a playbook, the question is which past recommendations would now come out
differently, and why. Nothing is rewritten unless asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import DealcoachError, InputError, Problem
from ..files import map_files, shown
from ..playbook.answers import check_answers
from ..playbook.model import Playbook
from ..review.document import make_review
from ..review.model import Review
from ..review.scoring import Result, score
from .records import ReviewRecord, Scan, read_record, scan


@dataclass
class Rescored:
    record: ReviewRecord
    playbook: Playbook
    answers: dict[str, Any]
    result: Result  # without the what-would-change search: comparing needs only the outcome
    set_aside: dict[str, Any] = field(default_factory=dict)  # answers to questions that are gone
    unfit: list[str] = field(default_factory=list)  # why answers to questions still there no longer fit

    @cached_property
    def review(self) -> Review:
        """The whole review, made only for the ones rewritten: its what-would-change search is
        nine tenths of the cost of re-scoring."""
        return make_review(
            self.playbook,
            self.record.deal,
            self.answers,
            date=self.record.date,
            removed=self.set_aside,
            answered_with_version=self.record.playbook_version,
        )

    @property
    def changed(self) -> bool:
        return self.result.recommended != self.record.recommendation

    def why(self) -> list[str]:
        """Plain reasons for a different outcome: version, removed answers, new scores, new vetoes."""
        reasons = []
        if self.record.playbook_version != self.playbook.version:
            reasons.append(f"playbook version {self.record.playbook_version} -> {self.playbook.version}")
        if self.set_aside:
            reasons.append(f"answers to removed questions set aside: {', '.join(sorted(self.set_aside))}")
        old, new = self.record.scores, self.result.scores
        moved = [f"{sid} {old.get(sid, 0)} -> {new[sid]}" for sid in new if old.get(sid, 0) != new[sid]]
        if moved:
            reasons.append("scores " + ", ".join(moved))
        for sid, because in self.result.vetoed.items():
            reasons.append(f"{sid} is vetoed: {because[0]}")
        return reasons


def rescore(record: ReviewRecord, playbook: Playbook) -> Rescored:
    """Score the record's answers with `playbook`; answers that no longer fit are set aside."""
    known = {qid: v for qid, v in record.answers.items() if playbook.question(qid) is not None}
    set_aside = {qid: v for qid, v in record.answers.items() if qid not in known}
    answers, problems = check_answers(playbook, known, None, ())
    # A value that no longer fits (a renamed choice, say) is set aside too, and counts as unknown.
    set_aside.update({qid: v for qid, v in known.items() if qid not in answers})
    unfit = [p.message for p in problems]
    return Rescored(record, playbook, answers, score(playbook, answers, flips=False), set_aside, unfit)


def load_playbooks(ids: set[str], catalogue: Any) -> tuple[dict[str, Playbook], dict[str, str]]:
    """The current playbook for each id, and a reason for each id that cannot be loaded."""
    from ..playbook.loader import IncludeFinder, load

    found: dict[str, Playbook] = {}
    missing: dict[str, str] = {}
    for pid in sorted(ids):
        try:
            found[pid] = load(catalogue.find(pid).path, IncludeFinder(catalogue))
        except DealcoachError as exc:
            missing[pid] = exc.message
    return found, missing


# -- the rescore use-case: which reviews, and each one's row or why it is skipped ----------------


@dataclass
class Targets:
    """The reviews to re-score from the files and folders given. `skipped` counts every damaged
    file; `damaged_files` are those of the files given one by one, which the folders' scan did
    not already report."""

    records: list[ReviewRecord] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    damaged_files: list[Problem] = field(default_factory=list)


def rescore_targets(targets: list[Path], scan_folder: Callable[[Path], Scan] = scan) -> Targets:
    """The reviews under `targets`, files and folders in the order given. Folders are read
    through `scan_folder` (the review index: only changed files are read again), which the CLI
    passes to draw its progress and name the damaged files as each folder is read."""
    found = Targets()
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            folder = scan_folder(target)
            found.records.extend(folder.records)
            found.skipped.extend(folder.skipped)
        elif target.is_file():
            files.append(target)
        else:
            raise InputError(f"{target}: no such file or folder")
    for result in map_files(read_record, files, threshold=400):
        if isinstance(result, Problem):
            found.skipped.append(result)
            found.damaged_files.append(result)
        else:
            found.records.append(result)
    return found


@dataclass(frozen=True)
class Skip:
    """Why a review is not re-scored: `reason` for code, `text` the line to show (empty when
    there is nothing to say: a participant's answers or a merge are re-merged instead)."""

    path: Path
    reason: str  # "playbook-missing", "participant", "merged" or "newer-version"
    text: str = ""


@dataclass
class Row:
    """One review re-scored: the command's row, the outcome to rewrite the review from, and a
    note for each answer that no longer fits and so counts as I don't know."""

    outcome: Rescored

    @property
    def record(self) -> ReviewRecord:
        return self.outcome.record

    @property
    def changed(self) -> bool:
        return self.outcome.changed

    def fields(self) -> dict[str, Any]:
        """The row as JSON and CSV give it, in that column order."""
        record, outcome = self.outcome.record, self.outcome
        return {
            "path": str(record.path),
            "deal": record.deal,
            "playbook": record.playbook,
            "was": record.recommendation,
            "now": outcome.result.recommended,
            "confidence_was": record.confidence,
            "confidence_now": outcome.result.confidence,
            "changed": outcome.changed,
            "why": outcome.why() if outcome.changed else [],
        }

    def notes(self) -> list[str]:
        where = shown(self.record.path)
        return [f"note: {where}: counted as I don't know, no longer fits the playbook: {r}" for r in self.outcome.unfit]


def rescore_review(record: ReviewRecord, current: dict[str, Playbook], missing: dict[str, str]) -> Row | Skip:
    """One review re-scored against the playbooks `load_playbooks` found, or why it is not."""
    if record.playbook not in current:
        return Skip(record.path, "playbook-missing", f"skipped: {record.path}: {missing[record.playbook]}")
    if record.participants:
        return Skip(record.path, "merged")
    if record.participant:
        return Skip(record.path, "participant")
    installed = current[record.playbook]
    if record.playbook_version > installed.version:  # scoring it with an older playbook would mislead
        return Skip(
            record.path,
            "newer-version",
            f"skipped: {shown(record.path)}: answered with version {record.playbook_version} of "
            f"{record.playbook!r}, newer than the version {installed.version} here; update the playbooks first",
        )
    return Row(rescore(record, installed))
