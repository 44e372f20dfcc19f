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
    from ..text import closest, slugify

    found = folder / slugify(deal)
    if found.is_dir():
        return found
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
    data = [
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
    from .prompts import pick_many, say

    path = actions_path(review.deal, reviews_dir())
    if changed:
        update_actions(path, changed)
    strategy = pb.strategy(review.result.recommended) if review.result.recommended else None
    steps = [str(s) for s in (strategy.next_steps if strategy else ())]
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


# -- insights --outcomes ---------------------------------------------------------------------


def outcomes_report(
    records: list[Any], root: Path, labels: Any, cat: Any, fmt: str, output: Path | None, no_color: bool
) -> None:
    """Calibration: how deals went after each playbook, strategy and red flag; a proposed diff."""
    from ..files import write_atomic
    from ..history.actions import all_actions
    from ..history.calibration import compute, propose_diff, to_csv, to_json, to_markdown
    from ..history.outcomes import all_outcomes
    from ..text import slugify

    outcomes, problems = all_outcomes(root)
    for problem in problems[:20]:
        _err(f"skipped: {problem}")
    grouped: dict[str, list[Any]] = {}
    for record in records:
        grouped.setdefault(record.path.parent.name if record.path.parent != root else slugify(record.deal), []).append(
            record
        )
    actions = {a.path.parent.name: a for a in all_actions(root)}
    found = compute(grouped, outcomes, actions, labels)
    propose_diff(found, {pid: cat.entries[pid].path for pid in cat.ids()}, _shown)
    text = to_markdown(found)
    if output is not None:
        write_atomic(output, text, overwrite=True)
        _err(f"Report written to {_shown(output)}")
    if fmt == "json":
        typer.echo(to_json(found), nl=False)
    elif fmt == "csv":
        typer.echo(to_csv(found), nl=False)
    elif fmt == "md":
        typer.echo(text, nl=False)
    else:
        from rich.markdown import Markdown

        _console(no_color).print(Markdown(text))


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
    from ..history.actions import actions_path, follow, read_actions
    from ..playbook.catalogue import reviews_dir

    located = source.located
    problems = []

    def bad(key: tuple[Any, ...], message: str) -> None:
        problems.append(located.problem(key, message))

    follow_up, changed = [], []
    given = source.extra.get("follow_up") or []
    if not isinstance(given, list):
        bad(("follow_up",), "follow_up is a list of {action, status, result}")
        given = []
    current = read_actions(actions_path(deal, reviews_dir()), deal).open if given else []
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
    steps = source.extra.get("actions") or []
    if not isinstance(steps, list):
        bad(("actions",), "actions is a list of {step, owner, due}")
        steps = []
    for i, item in enumerate(steps):
        if not isinstance(item, dict) or not isinstance(item.get("step"), int):
            bad(("actions", i), "each actions entry needs 'step': the number of a next step in the review")
        due = item.get("due") if isinstance(item, dict) else None
        if due is not None and not isinstance(due, dt.date):
            try:
                dt.date.fromisoformat(str(due))
            except ValueError:
                bad(("actions", i, "due"), f"due {due!r}: use YYYY-MM-DD")
    if problems:
        raise InputError(f"{source.path}: follow_up or actions do not fit", problems)

    def new_actions(review: Any, written: Path) -> list[Any]:
        from ..history.actions import Action

        strategy = pb.strategy(review.result.recommended) if review.result.recommended else None
        next_steps = list(strategy.next_steps) if strategy else []
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
