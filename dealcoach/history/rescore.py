"""Re-running stored reviews against the playbooks as they are now.

When a team changes a playbook, the question is which past recommendations would now come out
differently, and why. Nothing is rewritten unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..errors import DealcoachError
from ..playbook.answers import check_answers
from ..playbook.model import Playbook
from ..review.document import make_review
from ..review.model import Review
from ..review.scoring import Result, score
from .records import ReviewRecord


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
