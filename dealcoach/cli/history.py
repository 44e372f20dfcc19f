"""Commands over many reviews: deals, deals show, rescore, merge, insights.

Registered on the main app by cli/app.py. Like the rest of the CLI this is a thin layer: reading,
choosing and computing live in the history package (records, rescore, usecases, insights); this
module parses options, calls them and draws.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..errors import EXIT_BAD_INPUT, InputError
from .app import (
    NO_COLOR_OPTION,
    PLAYBOOKS_OPTION,
    _catalogue,
    _color,
    _console,
    _detail,
    _err,
    _info,
    _progress_wanted,
    _shown,
    app,
)

if TYPE_CHECKING:
    from ..history.actions import Action
    from ..history.index import Store
    from ..history.insights import Insights
    from ..history.records import Scan

deals_app = typer.Typer(help="Deals and their reviews over time.", invoke_without_command=True)
app.add_typer(deals_app, name="deals")

FOLDER_ARGUMENT = typer.Argument(
    None, help="The reviews folder; default: the project's (DEALCOACH_REVIEWS overrides it).", metavar="FOLDER"
)
REVIEWS_OPTION = typer.Option(
    None,
    "--reviews",
    help="The reviews folder; default: the project's (DEALCOACH_REVIEWS overrides it).",
    metavar="DIR",
)


class TableFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


class InsightsFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"


FORMAT_HELP = "text for people, json or csv for scripts and spreadsheets."


def _folder(folder: Path | None) -> Path:
    from ..playbook.catalogue import reviews_dir

    path = folder or reviews_dir()
    if not path.is_dir():
        raise InputError(f"{path}: no such folder; reviews are written there by `dealcoach review`")
    return path


def _scan(folder: Path, no_color: bool = False, store: Store | None = None) -> Scan:
    """Read every review's front matter, with a progress bar when it takes more than a moment.
    Given a `store`, the caller saves it (after reading the deals' other files with it too)."""
    from ..history.index import Store
    from ..history.records import scan

    own = store is None
    store = Store.open(folder) if store is None else store
    count = len(store.listing.reviews)
    _detail(f"reviews: {folder} ({count} files)")
    if not _progress_wanted(count, 1000):
        result = scan(folder, store=store)
    else:
        from rich.progress import Progress

        with Progress(console=_console(no_color, stderr=True), transient=True) as bar:
            task = bar.add_task("Reading reviews", total=None)
            result = scan(
                folder, store=store, progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    if own:
        store.save()
    for problem in result.skipped[:20]:
        _err(f"skipped: {problem}")
    if len(result.skipped) > 20:
        _err(f"skipped: ... and {len(result.skipped) - 20} more damaged files")
    return result


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r}: use YYYY-MM-DD") from None


# -- deals -----------------------------------------------------------------------------------


@deals_app.callback()
def deals_list(
    ctx: typer.Context,
    folder: Path | None = REVIEWS_OPTION,
    fmt: TableFormat = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
    no_color: bool = NO_COLOR_OPTION,
) -> None:
    """List deals: how many reviews, the last playbook, recommendation and confidence."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = folder
        return
    from ..history.records import deal_summaries

    result = _scan(_folder(folder), no_color)
    summaries = deal_summaries(result.records)
    rows = [
        {
            "deal": s.name,
            "reviews": s.reviews,
            "first": s.first.isoformat(),
            "last": s.last.isoformat(),
            "last_playbook": s.last_playbook,
            "last_recommendation": s.last_recommendation,
            "last_confidence": s.last_confidence,
        }
        for s in summaries
    ]
    if _export(rows, fmt):
        return
    if not rows:
        typer.echo("No reviews yet.")
        return
    cells = [
        [
            s.name,
            str(s.reviews),
            s.last.isoformat(),
            s.last_playbook,
            s.last_recommendation or "-",
            s.last_confidence,
        ]
        for s in summaries
    ]
    headers = ["deal", "reviews", "last review", "playbook", "recommendation", "confidence"]
    # Piped output keeps whole names for grep and scripts; a terminal gets a table that fits.
    width = _console(no_color).width if sys.stdout.isatty() else 1_000_000
    bold = _color(no_color, sys.stdout)
    typer.echo(_table(headers, cells, width, bold=bold), nl=False, color=bold)  # click strips codes unless told
    if result.skipped:
        _err(f"{len(result.skipped)} damaged review file(s) skipped")


def _table(headers: list[str], rows: list[list[str]], width: int, bold: bool = False) -> str:
    """A boxed table drawn directly: with thousands of deals, laying one out cell by cell took
    seconds. Widths are counted in terminal cells (wide scripts take two); when the table is
    wider than the terminal, the first column is shortened with an ellipsis."""
    from rich.cells import cell_len, set_cell_size

    widths = [max([cell_len(h), *(cell_len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    # Narrower than the terminal: the long middle columns give way first, then the first one,
    # each down to a readable minimum; a table that still does not fit is left to wrap.
    for column, least in ((3, 12), (4, 12), (0, 16)):
        spare = width - (sum(widths) + 3 * len(widths) + 1)
        if spare < 0 and column < len(widths):
            widths[column] = max(min(least, widths[column]), widths[column] + spare)

    def fit(text: str, size: int) -> str:
        if cell_len(text) > size:
            return set_cell_size(text, size - 1) + "…"
        return set_cell_size(text, size)

    def rule(left: str, line: str, middle: str, right: str) -> str:
        return left + middle.join(line * (w + 2) for w in widths) + right + "\n"

    def row(cells: list[str], bar: str, style: str = "") -> str:
        on, off = (style, "\x1b[0m") if style else ("", "")
        return bar + bar.join(f" {on}{fit(cell, w)}{off} " for cell, w in zip(cells, widths, strict=True)) + bar + "\n"

    parts = [rule("┏", "━", "┳", "┓"), row(headers, "┃", "\x1b[1m" if bold else ""), rule("┡", "━", "╇", "┩")]
    parts += [row(cells, "│") for cells in rows]
    parts.append(rule("└", "─", "┴", "┘"))
    return "".join(parts)


def _export(rows: list[dict[str, Any]], fmt: str) -> bool:
    """Print rows as JSON or CSV and say so; False when the format is for people."""
    if fmt == "text":
        return False
    if fmt == "json":
        import json

        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return True
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["deal"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (";".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()})
        return True
    raise InputError(f"--format {fmt!r}: use text, json or csv")


@deals_app.command("show")
def deals_show(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="The deal name (as in its reviews, or its folder name).", metavar="DEAL"),
    folder: Path | None = REVIEWS_OPTION,
    fmt: TableFormat = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
    no_color: bool = NO_COLOR_OPTION,
) -> None:
    """A deal's reviews in time order, and what changed between them."""
    from ..history.records import by_deal, timeline
    from ..names import deal_key

    # --reviews works before the subcommand (as a `deals` option) and after it.
    result = _scan(_folder(folder or ctx.obj), no_color)
    grouped = by_deal(result.records)
    reviews = grouped.get(deal_key(deal))
    if not reviews:  # a folder name: the deal whose reviews are in it
        in_folder = [r for r in result.records if r.path.parent.name == deal]
        if len({deal_key(r.deal) for r in in_folder}) == 1:
            reviews = grouped[deal_key(in_folder[0].deal)]
    if not reviews:
        from ..text import closest

        hint = closest(deal, sorted({g[-1].deal for g in grouped.values()}))
        raise InputError(f"no reviews of {deal!r}{hint}; `dealcoach deals` lists the deals")
    entries = timeline(reviews)
    raised = _actions_by_review(reviews[-1].path.parent)
    rows: list[dict[str, Any]] = [
        {
            "date": e.record.date.isoformat(),
            "playbook": e.record.playbook,
            "participant": e.record.participant,
            "recommendation": e.record.recommendation,
            "confidence": e.record.confidence,
            "recommendation_changed": e.recommendation_changed,
            "answers_changed": {k: list(v) for k, v in e.answers_changed.items()},
            "flags_raised": e.flags_raised,
            "flags_cleared": e.flags_cleared,
            "actions": [
                {"action": a.text, "status": a.status, "owner": a.owner, "due": str(a.due or ""), "result": a.result}
                for a in raised.get(e.record.path.name, [])
            ],
            "path": str(e.record.path),
        }
        for e in entries
    ]
    if fmt == "csv":
        rows = [
            {
                **r,
                "answers_changed": ";".join(r["answers_changed"]),
                "actions": ";".join(a["action"] for a in r["actions"]),
            }
            for r in rows
        ]
    if _export(rows, fmt):
        return
    console = _console(no_color)
    console.print(f"[bold]{reviews[-1].deal}[/bold]: {len(reviews)} review(s)\n")
    for e in entries:
        r = e.record
        who = f" ({r.participant})" if r.participant else ""
        console.print(
            f"[bold]{r.date}[/bold]  {r.playbook}{who}  ->  [bold]{r.recommendation or '-'}[/bold] ({r.confidence})",
            highlight=False,
        )
        if e.previous is None:
            console.print("    first review with this playbook", style="dim")
        else:
            if e.recommendation_changed:
                console.print(f"    recommendation: {e.previous.recommendation} -> {r.recommendation}", highlight=False)
            if e.confidence_changed:
                console.print(f"    confidence: {e.previous.confidence} -> {r.confidence}", highlight=False)
            for qid, (before, after) in e.answers_changed.items():
                console.print(f"    {qid}: {_short(before)} -> {_short(after)}", highlight=False)
            for flag in e.flags_raised:
                console.print(f"    [red]+ flag[/red] {flag}", highlight=False)
            for flag in e.flags_cleared:
                console.print(f"    [green]- flag[/green] {flag}", highlight=False)
            if not (e.recommendation_changed or e.confidence_changed or e.answers_changed or e.flags_raised):
                console.print("    no change since the previous review", style="dim")
        for a in raised.get(r.path.name, []):
            mark = {"open": "[ ]", "done": "[x]", "dropped": "[-]"}[a.status]
            due = f", due {a.due}" if a.due else ""
            owner = f" ({a.owner}{due})" if a.owner else (f" ({due[2:]})" if due else "")
            came_of_it = f": {a.result}" if a.result else ""
            console.print(f"    action {mark} {a.text}{owner}{came_of_it}", highlight=False, markup=False)
        console.print(f"    {_shown(r.path)}", style="dim", highlight=False)


def _actions_by_review(folder: Path) -> dict[str, list[Action]]:
    """The deal's actions by the review they came from, for the timeline."""
    from ..history.actions import ACTIONS_FILE, read_actions

    found = read_actions(folder / ACTIONS_FILE)
    for problem in found.problems:
        _err(f"skipped: {problem}")
    by_review: dict[str, list[Action]] = {}
    for action in found.actions:
        by_review.setdefault(action.review, []).append(action)
    return by_review


def _short(value: Any) -> str:
    text = "I don't know" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- rescore ---------------------------------------------------------------------------------


@app.command("rescore")
def rescore_command(
    targets: list[Path] | None = typer.Argument(
        None, help="Review files or folders; default: the reviews folder.", metavar="REVIEW_OR_FOLDER..."
    ),
    write: bool = typer.Option(False, "--write", help="Rewrite the reviews whose recommendation changed."),
    fmt: TableFormat = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Re-run reviews against the current playbooks; report which recommendations would now differ."""
    from ..files import write_atomic
    from ..history.rescore import Skip, load_playbooks, rescore_review, rescore_targets
    from ..review.render import render_markdown

    found = rescore_targets(targets or [_folder(None)], scan_folder=_scan)
    for problem in found.damaged_files:  # a folder's damaged files were named as it was read
        _err(f"skipped: {problem}")
    records, skipped = found.records, found.skipped
    current, missing = load_playbooks({r.playbook for r in records}, _catalogue(playbooks))
    rows = []
    changed = 0
    bar = None
    if _progress_wanted(len(records), 200):
        from rich.progress import Progress

        bar = Progress(console=_console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("Re-scoring reviews", total=len(records))
    for done, record in enumerate(records, 1):
        if bar is not None and done % 50 == 0:
            bar.update(task, completed=done)
        row = rescore_review(record, current, missing)
        if isinstance(row, Skip):
            if row.text:
                _err(row.text)
            continue
        for note in row.notes():
            _info(note)
        rows.append(row.fields())
        if row.changed:
            changed += 1
            if write:
                write_atomic(record.path, render_markdown(row.outcome.review), overwrite=True)
    if bar is not None:
        bar.stop()
    _draw_rescored(rows, fmt)
    verb = "rewritten" if write else "would change (add --write to rewrite them)"
    _info(
        f"{len(rows)} review(s) re-scored, {changed} {verb if changed else 'changed'}"
        + (f", {len(skipped)} skipped" if skipped else "")
    )


def _draw_rescored(rows: list[dict[str, Any]], fmt: str) -> None:
    """The rows as JSON or CSV, or for people the reviews whose recommendation changed and why."""
    if fmt == "csv":
        rows = [{**r, "why": "; ".join(r["why"])} for r in rows]
    if not _export(rows, fmt):
        for r in rows:
            if r["changed"]:
                typer.echo(f"{_shown(Path(r['path']))}: {r['was']} -> {r['now']} ({r['confidence_now']})")
                for reason in r["why"]:
                    typer.echo(f"    {reason}")


# -- merge -----------------------------------------------------------------------------------


@app.command("merge")
def merge_command(
    deal: str = typer.Argument(..., help="The deal whose participants' reviews to merge."),
    playbook: str = typer.Option("lost-deal-postmortem", "--playbook", help="The playbook they answered."),
    output: str | None = typer.Option(None, "--output", "-o", help="Where to write; - for stdout.", metavar="FILE"),
    force: bool = typer.Option(False, "--force", help="Replace an existing merged review."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Merge several participants' answers into one review that shows where they agree and disagree."""
    from ..history.usecases import merged_review, participant_reviews
    from ..playbook.catalogue import reviews_dir
    from ..review.render import render_markdown
    from ..review.workflow import load_playbook, today, write_review

    chosen = participant_reviews(reviews_dir(), deal, playbook)
    for problem in chosen.skipped:
        _err(f"skipped: {problem}")
    if not chosen.enough:
        raise InputError(chosen.too_few)
    review = merged_review(load_playbook(_catalogue(playbooks), playbook), chosen, today())
    written = write_review(render_markdown(review), review, output=output, suffix=".md", force=force)
    disagreements = review.disagreements
    _info(
        f"Merged {len(chosen.team)} participants: {', '.join(chosen.team)}; "
        f"{len(disagreements)} question(s) to discuss" + (f": {', '.join(disagreements)}" if disagreements else "")
    )
    if written is not None:
        _info(f"Review written to {_shown(written)}")


# -- insights --------------------------------------------------------------------------------


@app.command("insights")
def insights_command(
    folder: Path | None = FOLDER_ARGUMENT,
    playbook: str | None = typer.Option(
        None, "--playbook", help="Only reviews made with this playbook.", metavar="PLAYBOOK"
    ),
    deal: str | None = typer.Option(None, "--deal", help="Only this deal's reviews.", metavar="DEAL"),
    since: str | None = typer.Option(None, "--since", help="Only reviews on or after this date.", metavar="YYYY-MM-DD"),
    until: str | None = typer.Option(
        None, "--until", help="Only reviews on or before this date.", metavar="YYYY-MM-DD"
    ),
    output: str | None = typer.Option(
        None, "--output", "-o", help="Also write the report as Markdown to FILE; - for stdout.", metavar="FILE"
    ),
    fmt: InsightsFormat = typer.Option("text", "--format", "-f", help="text, md (Markdown), json or csv."),
    no_color: bool = NO_COLOR_OPTION,
    outcomes: bool = typer.Option(
        False, "--outcomes", help="Calibration: how deals went after each strategy and red flag (needs outcomes)."
    ),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Patterns across reviews: losses by root cause, red flags before losses, gaps, confidence over time."""
    from ..history.index import Store
    from ..history.insights import compute, labels_from, to_csv, to_json, to_markdown
    from ..history.records import Filters

    filters = Filters(playbook, deal, _date(since, "--since"), _date(until, "--until"))
    root = _folder(folder)
    store = Store.open(root)
    result = _scan(root, no_color, store)
    records = [r for r in result.records if filters.keep(r)]
    cat = _catalogue(playbooks)
    labels = labels_from([cat.entries[pid].path for pid in cat.ids()])
    if outcomes:
        outcomes_report(records, store, labels, cat, fmt, output, no_color)
        return
    store.save()
    found = compute(records, labels, skipped=len(result.skipped))
    _report(found, fmt, output, to_markdown, to_json, to_csv, lambda f: _draw(f, no_color))
    if not records:
        raise typer.Exit(EXIT_BAD_INPUT if result.skipped and not result.records else 0)


def _draw(found: Insights, no_color: bool) -> None:
    from rich.table import Table

    console = _console(no_color)
    summary = f"[bold]{found.reviews}[/bold] reviews of [bold]{found.deals}[/bold] deals"
    if found.skipped:
        summary += f"; {found.skipped} damaged files skipped"
    if found.older_versions:
        summary += f"; {found.older_versions} from older playbook versions (see `dealcoach rescore`)"
    console.print(summary)

    def bars(title: str, header: str, rows: list[tuple[str, int]]) -> None:
        if not rows:
            return
        largest = max(v for _, v in rows)
        table = Table(title=title, title_justify="left", title_style="bold")
        table.add_column(header)
        table.add_column("count", justify="right")
        table.add_column("")
        for key, value in rows:
            table.add_row(key, str(value), "[cyan]" + "█" * max(1, round(30 * value / largest)) + "[/cyan]")
        console.print(table)

    bars("Losses by root cause", "root cause", found.losses_by_cause)
    bars("Red flags raised before losses", "red flag (playbook)", found.flags_before_losses)
    bars("Most often unknown", "question (playbook)", found.unknown_gaps)
    for playbook, rows in found.recommendations.items():
        bars(f"Recommendations: {playbook}", "recommendation", rows)
    if found.confidence_by_month:
        table = Table(title="Confidence over time", title_justify="left", title_style="bold")
        for column in ("month", "high", "medium", "low", ""):
            table.add_column(column, justify="left" if column in ("month", "") else "right")
        for month, counts in found.confidence_by_month:
            total = sum(counts.values()) or 1
            share = "[green]" + "█" * round(20 * counts["high"] / total) + "[/green]"
            share += "[yellow]" + "█" * round(20 * counts["medium"] / total) + "[/yellow]"
            share += "[red]" + "█" * round(20 * counts["low"] / total) + "[/red]"
            table.add_row(month, str(counts["high"]), str(counts["medium"]), str(counts["low"]), share)
        console.print(table)
    bars("Where retrospective teams disagreed", "question", found.disagreements)


def outcomes_report(
    records: list[Any], store: Store, labels: Any, cat: Any, fmt: str, output: str | None, no_color: bool
) -> None:
    """Calibration: how deals went after each playbook, strategy and red flag; a proposed diff.
    `--output -` prints the Markdown report, as plain insights does."""
    from ..history.actions import all_actions
    from ..history.calibration import compute, propose_diff, to_csv, to_json, to_markdown
    from ..history.outcomes import all_outcomes
    from ..names import slugify

    root = store.folder
    outcomes, problems = all_outcomes(root, store)
    for problem in problems[:20]:
        _err(f"skipped: {problem}")
    grouped: dict[str, list[Any]] = {}
    for record in records:
        grouped.setdefault(record.path.parent.name if record.path.parent != root else slugify(record.deal), []).append(
            record
        )
    actions = {a.path.parent.name: a for a in all_actions(root, store)}
    store.save()
    found = compute(grouped, outcomes, actions, labels)
    propose_diff(found, {pid: cat.entries[pid].path for pid in cat.ids()}, _shown)

    def draw(report: Any) -> None:
        from rich.markdown import Markdown

        _console(no_color).print(Markdown(to_markdown(report)))

    _report(found, fmt, output, to_markdown, to_json, to_csv, draw)


def _report(
    found: Any,
    fmt: str,
    output: str | None,
    to_markdown: Callable[[Any], str],
    to_json: Callable[[Any], str],
    to_csv: Callable[[Any], str],
    draw: Callable[[Any], None],
) -> None:
    """A report as `--output` and `--format` ask: `--output -` prints the Markdown report alone
    (a format would only be mixed into it); a file gets the Markdown, and the format still shows."""
    from ..files import write_atomic

    if output == "-":
        typer.echo(to_markdown(found), nl=False)
        return
    if output is not None:
        write_atomic(Path(output), to_markdown(found), overwrite=True)
        _info(f"Report written to {_shown(Path(output))}")
    if fmt == "json":
        typer.echo(to_json(found), nl=False)
    elif fmt == "csv":
        typer.echo(to_csv(found), nl=False)
    elif fmt == "md":
        typer.echo(to_markdown(found), nl=False)
    else:
        draw(found)
