"""What happened to a deal, kept in `reviews/<deal>/outcome.yaml`, latest last.

    deal: Acme Logistics
    outcomes:
    - {outcome: slipped, date: '2026-12-20', note: Budget moved to next quarter}
    - {outcome: won, date: '2027-01-15'}

A deal can slip and later be won or lost, so every call adds an entry; the last one is the
deal's outcome. Calibration counts only the final ones: won, lost, no-decision.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..files import write_atomic
from .index import OUTCOME_FILE as OUTCOME_FILE
from .index import Store

OUTCOMES = ("won", "lost", "no-decision", "slipped")
FINAL = ("won", "lost", "no-decision")


@dataclass(frozen=True)
class Outcome:
    outcome: str
    date: dt.date
    note: str = ""


@dataclass
class DealOutcome:
    path: Path
    deal: str
    history: list[Outcome]

    @property
    def last(self) -> Outcome | None:
        return self.history[-1] if self.history else None

    @property
    def final(self) -> Outcome | None:
        """The deal's outcome when it is settled (won, lost, no decision); None while it is open."""
        last = self.last
        return last if last is not None and last.outcome in FINAL else None


def outcome_path(deal: str, folder: Path) -> Path:
    from ..review.folders import named_folder

    return named_folder(folder, deal) / OUTCOME_FILE


def read_outcome(path: Path) -> DealOutcome:
    """A deal's outcome file; a damaged one is an InputError at its line and column.

    Read with the fast loader first (calibration reads thousands); only a file with a problem is
    read again with positions, to say where.
    """
    import yaml

    from ..playbook import yamlfile

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return _outcome(path, data, None)
    except (yaml.YAMLError, InputError, UnicodeDecodeError):
        located = yamlfile.read(path)  # raises at the spot for invalid YAML
        return _outcome(path, located.data, located)


def _outcome(path: Path, data: Any, located: Any) -> DealOutcome:
    if not isinstance(data, dict) or not isinstance(data.get("outcomes"), list):
        message = "not an outcome file: it needs 'outcomes', a list of {outcome, date, note}"
        problem = located.problem(("outcomes",), message) if located else Problem(path, 1, 1, message)
        raise InputError(f"{path}: {message}", [problem])
    history = [_entry(item, located, n, path) for n, item in enumerate(data["outcomes"])]
    return DealOutcome(path, str(data.get("deal") or path.parent.name), history)


def _entry(item: Any, located: Any, n: int, path: Path) -> Outcome:
    def bad(key: tuple[Any, ...], message: str) -> InputError:
        problem = located.problem(key, message) if located else Problem(path, 1, 1, message)
        return InputError(str(problem), [problem])

    if not isinstance(item, dict):
        raise bad(("outcomes", n), "each outcome is a mapping with 'outcome' and 'date'")
    if item.get("outcome") not in OUTCOMES:
        raise bad(("outcomes", n, "outcome"), f"outcome {item.get('outcome')!r}: use one of {', '.join(OUTCOMES)}")
    date = item.get("date")
    try:
        date = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    except ValueError:
        raise bad(("outcomes", n, "date"), f"date {date!r}: use YYYY-MM-DD") from None
    return Outcome(str(item["outcome"]), date, str(item.get("note") or ""))


def record_outcome(deal: str, outcome: Outcome, folder: Path) -> Path:
    """Add an outcome to the deal's file (a damaged file is reported, never overwritten)."""
    from ..playbook import yamlfile

    path = outcome_path(deal, folder)
    history = read_outcome(path).history if path.is_file() else []
    history.append(outcome)
    data = {
        "deal": " ".join(deal.split()),
        "outcomes": [
            {"outcome": o.outcome, "date": o.date.isoformat(), **({"note": o.note} if o.note else {})} for o in history
        ],
    }
    header = "# What happened to this deal, latest last; `dealcoach outcome` adds to it.\n"
    return write_atomic(path, header + yamlfile.dump(data), overwrite=True)


def all_outcomes(folder: Path, store: Store | None = None) -> tuple[dict[str, DealOutcome], list[Problem]]:
    """Every deal's outcome file, by deal folder name; damaged ones are reported and skipped.

    Parsed files are kept in the folder's index (see `index`); given a `store`, its walk and
    index are used and the caller saves it."""
    own = store is None
    store = Store.deal_files_only(folder, "outcomes") if store is None else store
    found: dict[str, DealOutcome] = {}
    problems: list[Problem] = []
    for name, kept in store.read("outcomes", _read_packed):
        slug = os.path.basename(os.path.dirname(name))
        path = store.path(name)
        if kept[0] == "ok":
            history = [Outcome(o, dt.date.fromordinal(d), note) for o, d, note in kept[2]]
            found[slug] = DealOutcome(path, kept[1], history)
        else:
            problems.extend(Problem(path, line, column, message) for line, column, message in kept[1])
    if own:
        store.save()
    return found, problems


def _read_packed(name: str) -> tuple[Any, ...]:
    """An outcome file as the index keeps it: ("ok", deal, history) or ("bad", problems)."""
    try:
        outcome = read_outcome(Path(name))
    except InputError as exc:
        return ("bad", tuple((p.line, p.column, p.message) for p in exc.problems) or ((0, 0, exc.message),))
    return ("ok", outcome.deal, tuple((o.outcome, o.date.toordinal(), o.note) for o in outcome.history))
