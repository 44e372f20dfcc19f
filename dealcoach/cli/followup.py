"""The two moments of a review that belong to follow-through, asked in a terminal: what came of
the deal's open actions (asked first) and which next steps the rep takes on (asked last). The
same from an answers file's `follow_up:` and `actions:` is history/followthrough.py.

Called by app.py's review, so it imports nothing from app.py (the CLI's modules form no cycle).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..history.actions import Action
    from ..review.model import FollowUp


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _shown(path: Path) -> Path:
    from ..files import shown

    return shown(path)


# -- in the review ---------------------------------------------------------------------------


def ask_follow_up(deal: str, color: bool) -> tuple[list[FollowUp], list[Action]]:
    """Before a deal's next review: which of its open actions happened, and what came of them.

    Returns the answers for the review's front matter and the actions as they now stand (written
    to the actions file once the review is written, so a review stopped half-way changes nothing).
    """
    from ..history.actions import actions_path, follow, read_actions
    from ..playbook.catalogue import reviews_dir
    from ..review.model import FollowUp
    from .prompts import choose, say

    found = read_actions(actions_path(deal, reviews_dir()), deal)
    for problem in found.problems:
        _err(f"skipped: {problem}")
    if not found.open:
        return [], []
    say(f"\nLast time you said you would do {len(found.open)} thing(s) for {deal}.", "bold", color)
    answers, changed = [], []
    for n, action in enumerate(found.open, start=1):
        due = f" (due {action.due})" if action.due else ""
        say(f"\n{n}. {action.text}{due}", "", color)
        status = choose(
            "Did this happen?",
            [("Yes, done", "done"), ("Not yet: keep it open", "open"), ("No, and it won't: drop it", "dropped")],
            color=color,
        )
        result = ""
        if status != "open":
            result = _text("What came of it? (Enter to skip)", color)
        answers.append(FollowUp(action.text, status, result, action.strategy))
        if status != "open":
            changed.append(follow(action, status, result))
    return answers, changed


def finish_actions(pb: Any, review: Any, written: Path, changed: list[Any], color: bool) -> None:
    """After the review is written: store the follow-up, then let the rep pick their next steps."""
    from ..history.actions import Action, actions_path, add_actions, update_actions
    from ..playbook.catalogue import reviews_dir
    from ..review.callplan import recommended_texts
    from .prompts import pick_many, say

    path = actions_path(review.deal, reviews_dir())
    if changed:
        update_actions(path, changed)
    strategy = pb.strategy(review.result.recommended) if review.result.recommended else None
    steps = recommended_texts(review, "next_steps")
    if not steps:
        return
    picked = pick_many(
        "Which of these next steps will you do? They become the deal's actions",
        [(step, step) for step in steps],
        color=color,
    )
    if not picked:
        say("No actions taken on; the next steps stay in the review.", "fg:ansibrightblack", color)
        return
    new = []
    for step in picked:
        say(f"\n{step}", "bold", color)
        owner = _text("Who owns it? (Enter: you)", color)
        due = _text("Due by (YYYY-MM-DD, Enter: no date)", color, validate=_valid_date)
        new.append(
            Action(
                text=step,
                owner=owner,
                due=dt.date.fromisoformat(due) if due else None,
                strategy=strategy.id if strategy else "",
                playbook=pb.id,
                review=written.name,
            )
        )
    add_actions(review.deal, new, reviews_dir())
    say(f"{len(new)} action(s) added to {_shown(path)}", "fg:ansigreen", color)


def _valid_date(text: str) -> bool | str:
    if not text.strip():
        return True
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        return "a date is YYYY-MM-DD, or leave it empty"
    return True


def _text(message: str, color: bool, validate: Any = None) -> str:
    import questionary

    from .prompts import STYLE

    answer = questionary.text(message, validate=validate, style=STYLE if color else None).unsafe_ask()
    return " ".join((answer or "").split())
