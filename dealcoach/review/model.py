"""A review as data: what was answered and what the scorer made of it.

Its own module so that what reads a review (the call plan, rendering, rescoring) can name the
type without importing how a review is made and stored (document.py), which uses the call plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..playbook.model import Playbook
from .scoring import Result


@dataclass(frozen=True)
class FollowUp:
    """What came of one of the deal's open actions, said at the start of its next review."""

    action: str  # the action's text
    status: str  # done | open | dropped
    result: str = ""
    strategy: str = ""  # the strategy the action came from

    def as_dict(self) -> dict[str, str]:
        """As the review's front matter keeps it: result and strategy only when there are any."""
        item = {"action": self.action, "status": self.status}
        if self.result:
            item["result"] = self.result
        if self.strategy:
            item["strategy"] = self.strategy
        return item


@dataclass
class Review:
    playbook: Playbook
    deal: str
    date: dt.date
    answers: dict[str, Any]
    result: Result
    unanswered: list[str] = field(default_factory=list)
    removed: dict[str, Any] = field(default_factory=dict)
    answered_with_version: int | None = None
    # Retrospectives: who answered this review, or, for a merged one, each participant's answers.
    participant: str = ""
    team: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What came of the deal's open actions, asked at the start of this review (see history/actions.py).
    follow_up: list[FollowUp] = field(default_factory=list)

    @property
    def disagreements(self) -> dict[str, dict[str, Any]]:
        """Questions the participants answered differently ("I don't know" abstains)."""
        found: dict[str, dict[str, Any]] = {}
        for qid in self.answers:
            given = {name: answers.get(qid) for name, answers in self.team.items()}
            known = [_comparable(v) for v in given.values() if v is not None]
            if len(set(known)) > 1:
                found[qid] = given
        return found


def _comparable(value: Any) -> Any:
    return tuple(sorted(value)) if isinstance(value, list) else value
