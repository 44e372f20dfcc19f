"""The two moments of a review that belong to follow-through: what came of the deal's open
actions (asked first) and which next steps the rep takes on (asked last), interactively or from
an answers file's `follow_up:` and `actions:`.

Called by app.py's review, so it imports nothing from app.py (the CLI's modules form no cycle).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


# -- in the review ---------------------------------------------------------------------------


def ask_follow_up(deal: str, color: bool) -> tuple[list[dict[str, Any]], list[Any]]:
    """Before a deal's next review: which of its open actions happened, and what came of them.

    Returns the answers for the review's front matter and the actions as they now stand (written
    to the actions file once the review is written, so a review stopped half-way changes nothing).
    """
    from ..history.actions import actions_path, follow, read_actions
    from ..playbook.catalogue import reviews_dir
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
        item: dict[str, Any] = {"action": action.text, "status": status}
        if result:
            item["result"] = result
        if action.strategy:
            item["strategy"] = action.strategy
        answers.append(item)
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


# -- the same from an answers file -----------------------------------------------------------


def follow_through_from_file(source: Any, pb: Any, deal: str) -> tuple[list[dict[str, Any]], list[Any], Any]:
    """Read `follow_up:` and `actions:` from an answers file, checked before anything is written.

        follow_up:   # what came of the deal's open actions: by text, or number among them in actions.md
          - {action: 1, status: done, result: They asked for a pilot}
        actions:     # the recommended strategy's next steps you take on, by number
          - {step: 1, owner: Sam, due: 2026-03-09}

    Returns the follow-up for the front matter, the actions as they now stand, and a function
    that, given the review, makes the new actions (the strategy is only known once scored).
    """
    from ..history.actions import actions_path, read_actions
    from ..playbook.catalogue import reviews_dir

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

    def new_actions(review: Any, written: Path) -> list[Any]:
        from ..history.actions import Action
        from ..review.callplan import recommended_texts

        strategy = pb.strategy(review.result.recommended) if review.result.recommended else None
        next_steps = recommended_texts(review, "next_steps")
        made = []
        for i, item in enumerate(steps):
            if not 0 < item["step"] <= len(next_steps):
                problem = located.problem(
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

    return follow_up, changed, new_actions


def check_steps(new_actions: Any, review: Any) -> None:
    """Check the step numbers against the scored review before it is written."""
    new_actions(review, Path("unwritten.md"))


def store_from_file(deal: str, changed: list[Any], made: list[Any]) -> None:
    from ..history.actions import actions_path, add_actions, update_actions
    from ..playbook.catalogue import reviews_dir

    path = actions_path(deal, reviews_dir())
    if changed:
        update_actions(path, changed)
    if made:
        add_actions(deal, made, reviews_dir())
        _err(f"{len(made)} action(s) added to {_shown(path)}")


def _follow_up(
    given: list[Any], current: list[Any], bad: Callable[[tuple[Any, ...], str], None], deal: str
) -> tuple[list[dict[str, Any]], list[Any]]:
    """The `follow_up:` entries matched to the deal's open actions: for the front matter, and the
    actions as they now stand."""
    from ..history.actions import follow

    follow_up: list[dict[str, Any]] = []
    changed: list[Any] = []
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
        entry: dict[str, Any] = {"action": match.text, "status": status}
        if result:
            entry["result"] = result
        if match.strategy:
            entry["strategy"] = match.strategy
        follow_up.append(entry)
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
