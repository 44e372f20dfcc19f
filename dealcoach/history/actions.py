"""A deal's actions: the next steps a rep said they would do, kept as a checklist in the deal's folder.

`reviews/<deal>/actions.md` is plain Markdown a person can edit (and GitHub shows as a checklist):

    # Actions: Acme Logistics

    - [ ] Ask your contact who else cares. — owner: Sam; due: 2026-12-02; strategy: go-around
    - [x] Put a number on the problem. — due: 2026-11-28; result: 40 hours a week of rework

`[ ]` is open, `[x]` done, `[-]` will not happen. Everything after the last " — " is optional
detail (`key: value` separated by "; ", `result` last). Lines that are not actions are kept as
they are, so notes can sit between them. A line that looks like an action but cannot be read is
reported with its line and column, and skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..files import write_atomic
from .index import ACTIONS_FILE as ACTIONS_FILE
from .index import Store

STATUS = {" ": "open", "x": "done", "X": "done", "-": "dropped"}
MARK = {"open": " ", "done": "x", "dropped": "-"}
KEYS = ("owner", "due", "strategy", "playbook", "review", "result")
SEPARATOR = " — "
_LINE = re.compile(r"^- \[(.)\] (.*)$")


@dataclass(frozen=True)
class Action:
    text: str
    status: str = "open"  # open | done | dropped
    owner: str = ""
    due: dt.date | None = None
    strategy: str = ""
    playbook: str = ""
    review: str = ""  # the review file it came from, in the same folder
    result: str = ""
    line: int = 0  # where it is in the file; 0 for one not yet written

    @property
    def raised(self) -> dt.date | None:
        """The date of the review it came from (review files start with their date)."""
        try:
            return dt.date.fromisoformat(self.review[:10])
        except ValueError:
            return None

    def overdue(self, today: dt.date) -> bool:
        return self.status == "open" and self.due is not None and self.due < today

    def as_line(self) -> str:
        detail = [f"{k}: {v}" for k, v in self._detail() if v]
        return f"- [{MARK[self.status]}] {' '.join(self.text.split())}" + (
            SEPARATOR + "; ".join(detail) if detail else ""
        )

    def _detail(self) -> list[tuple[str, str]]:
        due = self.due.isoformat() if self.due else ""
        return [
            ("owner", self.owner),
            ("due", due),
            ("strategy", self.strategy),
            ("playbook", self.playbook),
            ("review", self.review),
            ("result", " ".join(self.result.split())),
        ]


@dataclass
class DealActions:
    path: Path
    deal: str
    actions: list[Action] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def open(self) -> list[Action]:
        return [a for a in self.actions if a.status == "open"]


def actions_path(deal: str, folder: Path) -> Path:
    from ..review.folders import named_folder

    return named_folder(folder, deal) / ACTIONS_FILE


def parse_line(text: str, path: Path, number: int) -> Action | Problem | None:
    """One line: an Action, the Problem with it, or None when it is not an action line."""
    match = _LINE.match(text.rstrip("\r\n"))
    if not match:
        return None
    mark, rest = match.groups()
    if mark not in STATUS:
        return Problem(path, number, 4, f"'[{mark}]': an action is '[ ]' open, '[x]' done or '[-]' will not happen")
    body, _, tail = rest.rpartition(SEPARATOR)
    if not body:
        body, tail = rest, ""
    detail: dict[str, str] = {}
    column = 7 + len(body) + len(SEPARATOR)
    parts = tail.split("; ") if tail else []
    for n, part in enumerate(parts):
        key, colon, value = part.partition(": ")
        if not colon or key.strip() not in KEYS:
            if n == 0:  # no detail after all: the separator belonged to the text
                body, detail = rest, {}
                break
            return Problem(path, number, column, f"{part!r}: detail is 'key: value' with key one of {', '.join(KEYS)}")
        if key == "result":  # free text, last: it may contain '; '
            detail["result"] = "; ".join([value, *parts[n + 1 :]])
            break
        detail[key.strip()] = value.strip()
        column += len(part) + 2
    due = None
    if detail.get("due"):
        try:
            due = dt.date.fromisoformat(detail["due"])
        except ValueError:
            at = text.find("due: ") + 1 + len("due: ")
            return Problem(path, number, at, f"due {detail['due']!r}: use YYYY-MM-DD")
    return Action(
        text=body.strip(),
        status=STATUS[mark],
        owner=detail.get("owner", ""),
        due=due,
        strategy=detail.get("strategy", ""),
        playbook=detail.get("playbook", ""),
        review=detail.get("review", ""),
        result=detail.get("result", ""),
        line=number,
    )


def read_actions(path: Path, deal: str = "") -> DealActions:
    """A deal's actions file; a missing file is an empty list, a bad line a problem."""
    found = DealActions(path, deal)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return found
    except (OSError, UnicodeDecodeError) as exc:
        found.problems.append(Problem(path, 0, 0, f"cannot read: {exc}"))
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        if number == 1 and line.startswith("# Actions: "):
            found.deal = line[len("# Actions: ") :].strip()
            continue
        parsed = parse_line(line, path, number)
        if isinstance(parsed, Action):
            found.actions.append(parsed)
        elif isinstance(parsed, Problem):
            found.problems.append(parsed)
    if not found.deal:
        found.deal = path.parent.name
    return found


def add_actions(deal: str, new: list[Action], folder: Path) -> Path:
    """Append actions to the deal's file (made with a heading when it does not exist yet)."""
    path = actions_path(deal, folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = f"# Actions: {' '.join(deal.split())}\n\n"
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(action.as_line() + "\n" for action in new)
    return write_atomic(path, text, overwrite=True)


def update_actions(path: Path, changed: list[Action]) -> Path:
    """Rewrite the lines of the actions that changed; every other line stays as it was."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for action in changed:
        if 0 < action.line <= len(lines):
            lines[action.line - 1] = action.as_line()
    return write_atomic(path, "\n".join(lines) + "\n", overwrite=True)


def all_actions(folder: Path, store: Store | None = None) -> list[DealActions]:
    """Every deal's actions file under the reviews folder (one level down, as reviews are kept).

    Parsed files are kept in the folder's index (see `index`); given a `store`, its walk and
    index are used and the caller saves it."""
    own = store is None
    store = Store.deal_files_only(folder, "actions") if store is None else store
    found = []
    for name, kept in store.read("actions", _read_packed):
        path = store.path(name)
        actions = [_unpacked(a) for a in kept[1]]
        found.append(DealActions(path, kept[0], actions, [Problem(path, *p) for p in kept[2]]))
    if own:
        store.save()
    return found


def _read_packed(name: str) -> tuple[Any, ...]:
    """An actions file as the index keeps it: (deal, actions, problems)."""
    read = read_actions(Path(name))
    return (
        read.deal,
        tuple(_packed(a) for a in read.actions),
        tuple((p.line, p.column, p.message) for p in read.problems),
    )


def _packed(a: Action) -> tuple[Any, ...]:
    due = a.due.toordinal() if a.due else 0
    return (a.text, a.status, a.owner, due, a.strategy, a.playbook, a.review, a.result, a.line)


def _unpacked(kept: tuple[Any, ...]) -> Action:
    text, status, owner, due, strategy, playbook, review, result, line = kept
    day = dt.date.fromordinal(due) if due else None
    return Action(text, status, owner, day, strategy, playbook, review, result, line)


def follow(action: Action, status: str, result: str) -> Action:
    """The action after the rep said what came of it."""
    return replace(action, status=status, result=result or action.result)
