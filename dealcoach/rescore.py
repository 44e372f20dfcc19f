"""Re-running stored reviews against the playbooks as they are now.

When a team changes a playbook, the question is which past recommendations would now come out
differently, and why. Nothing is rewritten unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .answers import check_answers
from .errors import DealcoachError
from .history import ReviewRecord
from .playbook import Playbook
from .review import Review, make_review
from .scoring import Result


@dataclass
class Rescored:
    record: ReviewRecord
    playbook: Playbook
    review: Review
    set_aside: dict[str, Any] = field(default_factory=dict)  # answers to questions that are gone
    unfit: list[str] = field(default_factory=list)  # why answers to questions still there no longer fit

    @property
    def result(self) -> Result:
        return self.review.result

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
    review = make_review(
        playbook,
        record.deal,
        answers,
        date=record.date,
        removed=set_aside,
        answered_with_version=record.playbook_version,
    )
    return Rescored(record, playbook, review, set_aside, [p.message for p in problems])


def load_playbooks(ids: set[str], catalogue: Any) -> tuple[dict[str, Playbook], dict[str, str]]:
    """The current playbook for each id, and a reason for each id that cannot be loaded."""
    from .playbook import load

    found: dict[str, Playbook] = {}
    missing: dict[str, str] = {}
    for pid in sorted(ids):
        try:
            found[pid] = load(catalogue.find(pid).path)
        except DealcoachError as exc:
            missing[pid] = exc.message
    return found, missing
