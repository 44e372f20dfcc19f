"""Use-cases over a deal's reviews that have no module of their own: which participants' reviews
a merge takes, and the merged review made from them.

Plain inputs, dataclasses out; the CLI reports what is skipped, writes the review and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..names import deal_key
from ..playbook.model import Playbook
from ..review.document import make_review, merge_answers
from ..review.folders import deal_folder
from ..review.model import Review
from .records import ReviewRecord, read_record, review_files, review_order


@dataclass
class Participants:
    """Each participant's latest review of a deal with one playbook, and the damaged files
    skipped on the way."""

    deal: str
    playbook: str
    latest: dict[str, ReviewRecord] = field(default_factory=dict)  # by participant, as first seen
    skipped: list[Problem] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return len(self.latest) >= 2

    @property
    def too_few(self) -> str:
        """What to say when there are not enough to merge, and how to get more."""
        return (
            f"{len(self.latest)} participant review(s) of {self.deal!r} with {self.playbook!r}; a merge needs two "
            f"or more. Each person runs: dealcoach review {self.playbook} --deal {self.deal!r} --participant NAME"
        )

    @property
    def team(self) -> dict[str, dict[str, Any]]:
        """Each participant's answers, by name in alphabetical order."""
        return {name: dict(record.answers) for name, record in sorted(self.latest.items())}


def participant_reviews(reviews: Path, deal: str, playbook: str) -> Participants:
    """The latest review each participant wrote of `deal` with `playbook`, from the deal's
    folder under `reviews`: in the order they were written, the last one wins."""
    folder = deal_folder(reviews, deal)
    found = Participants(deal, playbook)
    records: list[ReviewRecord] = []
    for path in review_files(folder) if folder.is_dir() else []:
        record = read_record(path)
        if isinstance(record, ReviewRecord):
            records.append(record)
        else:
            found.skipped.append(record)
    for record in sorted(records, key=review_order):
        if record.playbook == playbook and record.participant and deal_key(record.deal) == deal_key(deal):
            found.latest[record.participant] = record
    return found


def merged_review(pb: Playbook, chosen: Participants, date: dt.date) -> Review:
    """One review of the team's answers (the most common known answer to each question), which
    shows where they disagree; the deal is named as the first participant's review names it."""
    team = chosen.team
    return make_review(pb, next(iter(chosen.latest.values())).deal, merge_answers(pb, team), date=date, team=team)
