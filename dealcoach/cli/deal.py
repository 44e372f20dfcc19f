"""Commands that follow a deal past its review: brief, actions, outcome; and the two moments of
an interactive review that belong to follow-through (what came of the open actions, at the start;
which next steps the rep takes on, at the end). `insights --outcomes` is drawn here too.

Reading and computing live in history/ (actions.py, outcomes.py, brief.py, calibration.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from ..errors import InputError
from .app import PLAYBOOKS_OPTION, _catalogue, _console, _err, _interactive_terminal, _shown, app

REVIEWS_OPTION = typer.Option(None, "--reviews", help="The reviews folder; default: the project's.", metavar="DIR")
RESULTS = ("won", "lost", "no-decision", "slipped")


def _reviews(folder: Path | None) -> Path:
    from ..playbook.catalogue import reviews_dir

    path = folder or reviews_dir()
    if not path.is_dir():
        raise InputError(f"{path}: no such folder; reviews are written there by `dealcoach review`")
    return path


def _deal_folder(folder: Path, deal: str) -> Path:
    """The deal's folder, or a one-line error naming the closest deal."""
    from ..names import slugify
    from ..review.folders import named_folder
    from ..text import closest

    found = named_folder(folder, deal)  # a deal's name, or its folder's
    try:
        if found.is_dir() and found.parent == folder:
            return found
    except OSError:  # a name too long to be a folder name is not one
        pass
    names = sorted(e.name for e in folder.iterdir() if e.is_dir() and not e.name.startswith("."))
    hint = closest(slugify(deal), names)
    raise InputError(f"no deal {deal!r} in {_shown(folder)}{hint}; `dealcoach deals` lists them")


def _today() -> dt.date:
    from ..review.workflow import today

    return today()


# -- brief -----------------------------------------------------------------------------------


@app.command("brief")
def brief_command(
    deal: str = typer.Argument(..., help="The deal name (as in its reviews, or its folder name)."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the brief as Markdown here; - for stdout."),
    folder: Path | None = REVIEWS_OPTION,
    no_color: bool = typer.Option(False, "--no-color", help="No colours."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """The brief for the next call: the plan, open actions, each playbook's advice, what is unknown."""
    from ..errors import DealcoachError
    from ..files import write_atomic
    from ..history.brief import make_brief, to_markdown
    from ..review.workflow import load_playbook

    where = _deal_folder(_reviews(folder), deal)
    cat = _catalogue(playbooks)

    def load(pid: str) -> Any:
        try:
            return load_playbook(cat, pid)
        except DealcoachError:
            return None

    today = _today()
    found = make_brief(where, load, today)
    for problem in found.problems:
        _err(f"skipped: {problem}")
    text = to_markdown(found, today)
    if output == "-":
        typer.echo(text, nl=False)
    elif output:
        write_atomic(Path(output), text, overwrite=True)
        _err(f"Brief written to {output}")
    else:
        from rich.markdown import Markdown

        _console(no_color).print(Markdown(text))


# -- actions ---------------------------------------------------------------------------------


@app.command("actions")
def actions_command(
    deal: str | None = typer.Option(None, "--deal", "-d", help="Only this deal's actions."),
    show_all: bool = typer.Option(False, "--all", help="Done and dropped actions too."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json or csv."),
    folder: Path | None = REVIEWS_OPTION,
    no_color: bool = typer.Option(False, "--no-color", help="No colours."),
) -> None:
    """Open actions across deals, overdue first; edit reviews/DEAL/actions.md to change them."""
    from ..history.actions import all_actions, read_actions
    from .history import _export

    if fmt not in ("text", "json", "csv"):
        raise InputError(f"--format {fmt!r}: use text, json or csv")
    root = _reviews(folder)
    if deal:
        where = _deal_folder(root, deal)
        lists = [read_actions(where / "actions.md")]
    else:
        lists = all_actions(root)
    today = _today()
    rows = []
    for found in lists:
        for problem in found.problems:
            _err(f"skipped: {problem}")
        for a in found.actions if show_all else found.open:
            rows.append((found, a))
    rows.sort(key=lambda fa: (not fa[1].overdue(today), fa[1].status != "open", fa[1].due or dt.date.max, fa[0].deal))
    data: list[dict[str, Any]] = [
        {
            "deal": found.deal,
            "action": a.text,
            "status": a.status,
            "owner": a.owner,
            "due": a.due.isoformat() if a.due else "",
            "overdue": a.overdue(today),
            "strategy": a.strategy,
            "playbook": a.playbook,
            "review": a.review,
            "result": a.result,
            "file": f"{found.path}:{a.line}",
        }
        for found, a in rows
    ]
    if _export(data, fmt):
        return
    if not data:
        typer.echo("No open actions." if not show_all else "No actions.")
        return
    from rich.table import Table

    table = Table("deal", "action", "owner", "due", "status")
    for row in data:
        due = row["due"] + (" OVERDUE" if row["overdue"] else "")
        table.add_row(row["deal"], row["action"], row["owner"] or "-", due or "-", row["status"])
    _console(no_color).print(table)


# -- outcome ---------------------------------------------------------------------------------


@app.command("outcome")
def outcome_command(
    deal: str = typer.Argument(..., help="The deal name."),
    result: str = typer.Argument(..., help="won, lost, no-decision or slipped.", metavar="RESULT"),
    date: str | None = typer.Option(None, "--date", help="When it happened (YYYY-MM-DD); default: today."),
    note: str = typer.Option("", "--note", help="A line on what happened."),
    no_input: bool = typer.Option(False, "--no-input", help="Ask nothing; name the post-mortem command."),
    folder: Path | None = REVIEWS_OPTION,
    no_color: bool = typer.Option(False, "--no-color", help="No colours."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Record what happened to a deal; after a loss, offer to start the post-mortem."""
    import shlex

    from ..history.outcomes import Outcome, record_outcome
    from .history import _date

    if result not in RESULTS:
        raise InputError(f"{result!r}: the outcome is one of {', '.join(RESULTS)}")
    root = _reviews(folder)
    where = _deal_folder(root, deal)
    when = _date(date, "--date") or _today()
    path = record_outcome(deal, Outcome(result, when, " ".join(note.split())), root)
    _err(f"Outcome recorded in {_shown(path)}: {result} on {when}")
    if result != "lost":
        return
    name = _deal_name(where, deal)
    command = f"dealcoach review lost-deal-postmortem --deal {shlex.quote(name)}"
    if no_input or not _interactive_terminal():
        _err(f"Start the post-mortem with: {command}")
        return
    from .prompts import confirm

    color = not no_color
    if not confirm("Start the lost-deal post-mortem now, with what you know of the deal filled in?", color=color):
        _err(f"Later, start it with: {command}")
        return
    from ..config import load as load_settings
    from .app import _Output, _review_interactive

    out = _Output(None, "md", False, load_settings().template, _today(), "")
    _review_interactive(_catalogue(playbooks), "lost-deal-postmortem", name, [], out, False, False, False, no_color)


def _deal_name(where: Path, typed: str) -> str:
    """The deal's name as its reviews spell it (the folder name is a slug)."""
    from ..history.brief import deal_records

    records, _ = deal_records(where)
    return records[-1].deal if records else typed
