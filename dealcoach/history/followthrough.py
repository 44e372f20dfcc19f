"""Follow-through from an answers file: what came of the deal's open actions (`follow_up:`) and
which of the review's next steps the rep takes on (`actions:`), checked before anything is
written. The same two moments, asked in a terminal, are the CLI's (cli/followup.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..playbook.catalogue import reviews_dir
from ..review.model import FollowUp, Review
from .actions import Action, actions_path, add_actions, follow, read_actions, update_actions

if TYPE_CHECKING:
    from ..playbook.answers import AnswersFile
    from ..playbook.model import Playbook
    from ..playbook.yamlfile import Located


@dataclass
class FileFollowThrough:
    """An answers file's follow-through, checked: the follow-up for the review's front matter,
    the deal's actions as they now stand, and the steps taken on (made into actions once the
    review is scored, since only then is its strategy known)."""

    follow_up: list[FollowUp]
    changed: list[Action]
    steps: list[dict[str, Any]]
    playbook: Playbook
    located: Located

    def new_actions(self, review: Review, written: Path) -> list[Action]:
        """The actions the `actions:` entries take on from the scored review's next steps."""
        from ..review.callplan import recommended_texts

        pb = self.playbook
        strategy = pb.strategy(review.result.recommended) if review.result.recommended else None
        next_steps = recommended_texts(review, "next_steps")
        made = []
        for i, item in enumerate(self.steps):
            if not 0 < item["step"] <= len(next_steps):
                problem = self.located.problem(
                    ("actions", i, "step"), f"step {item['step']}: the review has {len(next_steps)} next step(s)"
                )
                raise InputError(str(problem), [problem])
            due = item.get("due")
            made.append(
                Action(
                    text=str(next_steps[item["step"] - 1]),
                    owner=" ".join(str(item.get("owner") or "").split()),
                    due=due if isinstance(due, dt.date) or due is None else dt.date.fromisoformat(str(due)),
                    strategy=strategy.id if strategy else "",
                    playbook=pb.id,
                    review=written.name,
                )
            )
        return made

    def check_steps(self, review: Review) -> None:
        """Check the step numbers against the scored review before it is written."""
        self.new_actions(review, Path("unwritten.md"))


def follow_through_from_file(source: AnswersFile, pb: Playbook, deal: str) -> FileFollowThrough:
    """Read `follow_up:` and `actions:` from an answers file, checked before anything is written.

    follow_up:   # what came of the deal's open actions: by text, or number among them in actions.md
      - {action: 1, status: done, result: They asked for a pilot}
    actions:     # the recommended strategy's next steps you take on, by number
      - {step: 1, owner: Sam, due: 2026-03-09}
    """
    located = source.located
    problems = []

    def bad(key: tuple[Any, ...], message: str) -> None:
        problems.append(located.problem(key, message))

    given = source.extra.get("follow_up") or []
    if not isinstance(given, list):
        bad(("follow_up",), "follow_up is a list of {action, status, result}")
        given = []
    current = read_actions(actions_path(deal, reviews_dir()), deal).open if given else []
    follow_up, changed = _follow_up(given, current, bad, deal)
    steps = source.extra.get("actions") or []
    if not isinstance(steps, list):
        bad(("actions",), "actions is a list of {step, owner, due}")
        steps = []
    _check_steps(steps, bad)
    if problems:
        raise InputError(f"{source.path}: follow_up or actions do not fit", problems)
    return FileFollowThrough(follow_up, changed, steps, pb, located)


def store_from_file(deal: str, changed: list[Action], made: list[Action]) -> Path | None:
    """Write what came of the old actions and add the new ones; the actions file when any were added."""
    path = actions_path(deal, reviews_dir())
    if changed:
        update_actions(path, changed)
    if made:
        add_actions(deal, made, reviews_dir())
        return path
    return None


def _follow_up(
    given: list[Any], current: list[Action], bad: Callable[[tuple[Any, ...], str], None], deal: str
) -> tuple[list[FollowUp], list[Action]]:
    """The `follow_up:` entries matched to the deal's open actions: for the front matter, and the
    actions as they now stand."""
    follow_up: list[FollowUp] = []
    changed: list[Action] = []
    for i, item in enumerate(given):
        if not isinstance(item, dict) or "action" not in item:
            bad(("follow_up", i), "each follow_up entry needs 'action': its number or its text")
            continue
        ref = item["action"]
        match = (
            current[ref - 1]
            if isinstance(ref, int) and 0 < ref <= len(current)
            else next((a for a in current if a.text == str(ref)), None)
        )
        if match is None:
            bad(("follow_up", i, "action"), f"no open action {ref!r} for {deal}; `dealcoach actions --deal` lists them")
            continue
        status = item.get("status", "done")
        if status not in ("done", "open", "dropped"):
            bad(("follow_up", i, "status"), f"status {status!r}: use done, open or dropped")
            continue
        result = " ".join(str(item.get("result") or "").split())
        follow_up.append(FollowUp(match.text, status, result, match.strategy))
        if status != "open":
            changed.append(follow(match, status, result))
    return follow_up, changed


def _check_steps(steps: list[Any], bad: Callable[[tuple[Any, ...], str], None]) -> None:
    """Each `actions:` entry names a step by number and, if it has one, a real due date."""
    for i, item in enumerate(steps):
        if not isinstance(item, dict) or not isinstance(item.get("step"), int):
            bad(("actions", i), "each actions entry needs 'step': the number of a next step in the review")
        due = item.get("due") if isinstance(item, dict) else None
        if due is not None and not isinstance(due, dt.date):
            try:
                dt.date.fromisoformat(str(due))
            except ValueError:
                bad(("actions", i, "due"), f"due {due!r}: use YYYY-MM-DD")
