"""The command line: parse arguments, call the core, print results, map errors to exit codes.

Only typer and the standard library are imported at module level. rich, jinja2, yaml and above
all questionary are imported inside the commands that need them, so `dealcoach --help` and a
review from an answers file start fast.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    DealcoachError,
    InputError,
    Interrupted,
    NotFoundError,
)

if TYPE_CHECKING:
    from .store import Catalogue

app = typer.Typer(
    name="dealcoach",
    help="A deal-review coach: answer a playbook's questions, get a coached Markdown review.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
playbooks_app = typer.Typer(help="List, show, validate and test playbooks.", no_args_is_help=True)
sessions_app = typer.Typer(help="Unfinished reviews saved as you answered.", invoke_without_command=True)
app.add_typer(playbooks_app, name="playbooks")
app.add_typer(sessions_app, name="sessions")

PLAYBOOKS_OPTION = typer.Option(
    None,
    "--playbooks",
    help="A folder of playbooks that override the others by id (repeatable).",
    metavar="DIR",
)


def _complete_playbook(incomplete: str) -> list[str]:
    try:
        from .store import catalogue

        return [pid for pid in catalogue().ids() if pid.startswith(incomplete)]
    except DealcoachError:
        return []


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"dealcoach {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """dealcoach: coached deal reviews from YAML playbooks.

    Exit codes: 0 success, 1 failure, 2 bad input or usage, 130 interrupted.
    """


# -- helpers ---------------------------------------------------------------------------------


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _interactive_terminal() -> bool:
    ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    return sys.stdin.isatty() and sys.stdout.isatty() and not ci


def _require_terminal() -> None:
    if not _interactive_terminal():
        raise InputError(
            "this review needs a terminal to ask its questions; to run without one, give the "
            "answers: dealcoach review --answers FILE [--set QUESTION=VALUE] --output -, or take each "
            "question's default: dealcoach review PLAYBOOK --defaults --deal NAME"
        )


def _console(no_color: bool, stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(no_color=no_color or None, stderr=stderr, highlight=False)


def _shown(path: Path) -> Path:
    """A path as the user would type it: relative to the current folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _catalogue(dirs: list[Path] | None) -> Catalogue:
    from .store import catalogue

    cat = catalogue(dirs)
    for problem in cat.problems:
        _err(f"warning: {problem}")
    return cat


# -- review ----------------------------------------------------------------------------------


@app.command()
def review(
    playbook: str | None = typer.Argument(
        None,
        help="Playbook id. Leave it out to be asked a few questions and routed to one.",
        autocompletion=_complete_playbook,
        show_default=False,
    ),
    deal: str | None = typer.Option(None, "--deal", "-d", help="The deal (account or opportunity) name."),
    answers: Path | None = typer.Option(
        None, "--answers", "-a", help="Answers file (or an earlier review): no questions are asked.", metavar="FILE"
    ),
    set_: list[str] | None = typer.Option(
        None,
        "--set",
        "-s",
        help="Override one answer: QUESTION=VALUE; ? means I don't know (repeatable).",
        metavar="Q=V",
    ),
    output: str | None = typer.Option(
        None, "--output", "-o", help="Where to write the review; - for stdout. Default: reviews/DEAL/DATE-PLAYBOOK.md"
    ),
    fmt: str = typer.Option("md", "--format", "-f", help="md or json."),
    force: bool = typer.Option(False, "--force", help="Replace an existing review instead of writing a new name."),
    resume: bool = typer.Option(False, "--resume", help="Continue a saved unfinished review without asking."),
    restart: bool = typer.Option(False, "--restart", help="Ignore a saved unfinished review and start over."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Skip the summary screen before writing."),
    defaults: bool = typer.Option(
        False,
        "--defaults",
        help="Ask nothing: take each question's default (I don't know where there is none); for scripts.",
    ),
    template: Path | None = typer.Option(
        None, "--template", help="A jinja2 template for the review body.", metavar="FILE"
    ),
    no_color: bool = typer.Option(False, "--no-color", help="No colours (NO_COLOR is honoured too)."),
    participant: str | None = typer.Option(
        None,
        "--participant",
        "-p",
        help="Your name, when several people answer the same review (a retrospective); merge with `dealcoach merge`.",
        metavar="NAME",
    ),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Run a deal review: interactively, or from an answers file with --answers."""
    from .workflow import today

    if fmt not in ("md", "json"):
        raise InputError(f"--format {fmt!r}: use md or json")
    if resume and restart:
        raise InputError("--resume and --restart contradict each other; pick one")
    if template is None:
        from .config import load as load_settings

        template = load_settings().template  # the team's own template, if its settings name one
        if template is not None and not template.is_file():
            raise InputError(f"the template {template} named in the project settings does not exist")
    elif not template.is_file():
        raise InputError(f"--template {template}: no such file")
    cat = _catalogue(playbooks)
    out = _Output(output, fmt, force, template, today(), " ".join((participant or "").split()))
    if deal is not None:
        deal = " ".join(deal.split())  # "  Acme  Corp " is Acme Corp; "   " names no deal
        if not deal:
            raise InputError("--deal is blank; give the deal's name")
    if defaults and answers is not None:
        raise InputError("--defaults and --answers contradict each other; pick one")
    if defaults:
        _review_from_defaults(cat, playbook, deal, set_ or [], out)
        return
    if answers is not None:
        _review_from_file(cat, playbook, deal, answers, set_ or [], out)
        return
    _require_terminal()
    _review_interactive(cat, playbook, deal, set_ or [], out, resume, restart, yes, no_color)


@dataclass(frozen=True)
class _Output:
    """Where and how a review is written, as the options said."""

    output: str | None
    fmt: str
    force: bool
    template: Path | None
    date: Any
    participant: str


def _render(review_obj: Any, fmt: str, template: Path | None) -> str:
    from .render import render_json, render_markdown

    return render_json(review_obj) if fmt == "json" else render_markdown(review_obj, template)


def _review_from_file(
    cat: Catalogue,
    playbook_id: str | None,
    deal: str | None,
    answers_path: Path,
    set_items: list[str],
    out: _Output,
) -> None:
    from .answers import read_answers_file
    from .review import make_review
    from .workflow import answers_from_file, apply_set, load_playbook, write_review

    source = read_answers_file(answers_path)
    if playbook_id and playbook_id != source.playbook:
        raise InputError(
            f"{answers_path}: the file answers playbook {source.playbook!r}, not {playbook_id!r}; "
            "leave the playbook out or pick the matching file"
        )
    try:
        pb = load_playbook(cat, source.playbook)
    except NotFoundError as exc:  # point at the line that names it
        problem = source.located.problem(("playbook",), exc.message)
        raise NotFoundError(exc.message, [problem]) from None
    gathered = answers_from_file(pb, source)
    for note in gathered.notes:
        _err(f"note: {note}")
    final = apply_set(pb, gathered.answers, set_items)
    _note_skipped_sets(pb, final, apply_set(pb, {}, set_items))
    deal_name = deal or " ".join(source.deal.split())
    if not deal_name:
        raise InputError(f"{answers_path}: no deal named; add `deal: NAME` to the file or pass --deal")
    result = make_review(
        pb,
        deal_name,
        final,
        date=out.date,
        removed=gathered.removed,
        answered_with_version=gathered.answered_with_version,
        participant=out.participant or str(source.extra.get("participant") or ""),
    )
    if result.unanswered:
        _err(f"note: not answered (counted as I don't know): {', '.join(result.unanswered)}")
    text = _render(result, out.fmt, out.template)
    written = write_review(text, result, output=out.output, suffix=f".{out.fmt}", force=out.force)
    if written is not None:
        _err(f"Review written to {_shown(written)}")


def _review_from_defaults(
    cat: Catalogue, playbook_id: str | None, deal: str | None, set_items: list[str], out: _Output
) -> None:
    """`review --defaults`: every question the playbook would ask takes its default, without a terminal."""
    from .answers import coerce
    from .playbook import namespace
    from .review import make_review
    from .workflow import apply_set, load_playbook, write_review

    if not playbook_id:
        raise InputError("--defaults needs the playbook id: dealcoach review PLAYBOOK --defaults --deal NAME")
    if not deal:
        raise InputError("--defaults needs --deal NAME")
    pb = load_playbook(cat, playbook_id)
    found: dict[str, Any] = {}
    # Walk in order: a default may make a later question relevant (`when`), and --set wins over it.
    overrides = apply_set(pb, {}, set_items)
    for question in pb.questions:
        if question.when is not None and not question.when(namespace(pb, found)):
            continue
        if question.id in overrides:
            found[question.id] = overrides[question.id]
        elif question.default is not None:
            found[question.id] = coerce(question, question.default)  # checked when the playbook loaded
    _note_skipped_sets(pb, found, overrides)
    result = make_review(pb, deal, found, date=out.date, participant=out.participant)
    if result.unanswered:
        _err(f"note: no default (counted as I don't know): {', '.join(result.unanswered)}")
    text = _render(result, out.fmt, out.template)
    written = write_review(text, result, output=out.output, suffix=f".{out.fmt}", force=out.force)
    if written is not None:
        _err(f"Review written to {_shown(written)}")


def _note_skipped_sets(pb: Any, answers: dict[str, Any], overrides: dict[str, Any]) -> None:
    """A --set answer to a question the other answers skip is not used; say so rather than drop it."""
    asked = {q.id for q in pb.asked(answers)}
    skipped = [qid for qid in overrides if qid not in asked]
    if skipped:
        _err(f"note: --set not used, the other answers skip these questions: {', '.join(skipped)}")


def _triage(cat: Catalogue, no_color: bool) -> str:
    from .interview import Interview
    from .prompts import asker, choose, say
    from .scoring import score
    from .workflow import load_playbook

    color = not no_color and not os.environ.get("NO_COLOR")
    triage = load_playbook(cat, "triage")
    say(triage.title, "bold", color)
    say(triage.summary)
    found = Interview(triage).run(asker(color=not no_color))
    result = score(triage, found, flips=False)
    ranked = sorted(
        (s for s in triage.strategies if s.route and s.id not in result.vetoed and s.route in cat.entries),
        key=lambda s: -result.scores[s.id],
    )
    if not ranked:
        raise InputError("triage found no playbook for this situation; pick one from `dealcoach playbooks list`")
    best = ranked[0]
    close = [s for s in ranked[1:] if result.scores[best.id] - result.scores[s.id] <= 2 and result.scores[s.id] > 0]
    say(f"\nThis sounds like: {best.title}. {best.why}", "bold", color)
    for other in close:
        say(f"Also applies: {other.title}. Run it next: dealcoach review {other.route}", "bold", color)
    # The close runners-up first, then every other playbook, so a rep can always overrule triage.
    choices = [(f"Continue with {best.title}", best.route)]
    choices += [(f"Use {s.title} instead", s.route) for s in close]
    rest = sorted((s for s in ranked[1:] if s not in close), key=lambda s: s.title)
    choices += [(f"Use {s.title} instead", s.route) for s in rest]
    return str(choose("Which playbook?", choices, color=not no_color))


def _review_interactive(
    cat: Catalogue,
    playbook_id: str | None,
    deal: str | None,
    set_items: list[str],
    out: _Output,
    resume: bool,
    restart: bool,
    yes: bool,
    no_color: bool,
) -> None:
    from . import session
    from .interview import Interview
    from .prompts import ask_text, asker, confirm, say
    from .review import make_review
    from .workflow import apply_set, load_playbook, write_review

    color = not no_color and not os.environ.get("NO_COLOR")
    saved_to: Path | None = None
    try:
        if playbook_id is None:
            playbook_id = _triage(cat, no_color)
        pb = load_playbook(cat, playbook_id)
        if not deal:
            deal = " ".join(ask_text("Which deal is this review for?").split())
            if not deal:
                raise InputError("a review needs a deal name; pass --deal NAME")
        preset: dict[str, Any] = {}
        existing = session.find(deal, pb.id, out.participant)
        if existing and existing.answers and not restart:
            kept = {k: v for k, v in existing.answers.items() if pb.question(k) is not None}
            again = resume or confirm(
                f"You have an unfinished review of {deal} ({len(kept)} answers, saved {existing.updated}). "
                "Continue where you stopped?",
                color=color,
            )
            if again:
                from .answers import check_answers

                preset, _ = check_answers(pb, kept, None, ())
                dropped = sorted(set(existing.answers) - set(preset))
                if dropped:  # the playbook changed since: say what will be asked again or is gone
                    say(
                        f"The playbook has changed since you stopped; these saved answers no longer fit "
                        f"and are set aside: {', '.join(dropped)}",
                        "fg:ansiyellow",
                        color,
                    )
        preset = apply_set(pb, preset, set_items)
        say(f"\n{pb.title} — {pb.summary}", "bold", color)
        say("Ctrl-C stops at any time; every answer is saved as you go.", "fg:ansibrightblack", color)

        autosave_failed = False

        def autosave(current: dict[str, Any]) -> None:
            nonlocal saved_to, autosave_failed
            if autosave_failed:
                return
            try:
                saved_to = session.save(deal, pb.id, pb.version, current, out.participant)
            except DealcoachError as exc:  # a read-only or full state folder: the review itself can go on
                autosave_failed, saved_to = True, None
                say(f"warning: answers are not saved as you go ({exc.message}); carry on", "fg:ansiyellow", color)

        interview = Interview(pb, preset, on_answer=autosave)
        if preset:
            autosave(interview.answers)
        ask = asker(color=color)
        interview.run(ask)
        if not yes:
            _summary_screen(interview, ask, color)
        _note_skipped_sets(pb, interview.answers, apply_set(pb, {}, set_items))
        result = make_review(pb, deal, interview.answers, date=out.date, participant=out.participant)
        text = _render(result, out.fmt, out.template)
        written = write_review(text, result, output=out.output, suffix=f".{out.fmt}", force=out.force)
    except KeyboardInterrupt:
        where = f" Your answers are saved in {saved_to}; run the same command to continue." if saved_to else ""
        raise Interrupted(f"Stopped.{where}", saved_to) from None
    try:
        session.drop(session.session_path(deal, pb.id, out.participant))
    except OSError as exc:  # the review is written; a leftover session only offers to resume it
        _err(f"warning: could not remove the saved answers: {exc.strerror or exc}")
    console = _console(no_color)
    if out.fmt == "md" and out.output != "-":
        from rich.markdown import Markdown

        from .review import split_front_matter

        console.print()
        console.print(Markdown(split_front_matter(text)[1]))
    if written is not None:
        console.print(f"\n[bold green]Review written to {_shown(written)}[/bold green]")


def _summary_screen(interview: Any, asker: Any, color: bool) -> None:
    """List every answer; let the rep change any of them before the review is written."""
    import textwrap

    from .prompts import choose, width
    from .scoring import label

    finish = "__finish__"
    while True:
        asked = interview.playbook.asked(interview.answers)
        choices = [("Finish and write the review", finish)]
        room = width() - 6  # the pointer and its margin
        for question in asked:
            # One line each, the answer always in sight: shorten the question, then a long answer.
            shown = textwrap.shorten(
                label(question, interview.answers.get(question.id)), max(12, room // 2), placeholder="…"
            )
            ask = textwrap.shorten(question.prompt, max(10, room - len(shown) - 11), placeholder="…")
            choices.append((f"Change: {ask} [{shown}]", question.id))
        picked = choose("Check your answers", choices, color=color)
        if picked == finish:
            return
        pos = [q.id for q in asked].index(picked)
        interview.ask_one(asker, asked[pos], pos, len(asked))
        interview.run(asker)  # asks any question that the change made relevant


# -- sessions --------------------------------------------------------------------------------


@sessions_app.callback()
def sessions_list(ctx: typer.Context) -> None:
    """List unfinished reviews: deal, playbook, answers so far, when saved."""
    if ctx.invoked_subcommand is not None:
        return
    from . import session

    found = session.all_sessions()
    if not found:
        typer.echo("No unfinished reviews.")
        return
    for s in found:
        who = f" ({s.participant})" if s.participant else ""
        typer.echo(f"{s.deal}{who}  {s.playbook}  {len(s.answers)} answers  saved {s.updated}  ({s.path})")
    typer.echo("Continue one with: dealcoach review PLAYBOOK --deal DEAL --resume")


@sessions_app.command("drop")
def sessions_drop(
    deal: str = typer.Argument(..., help="The deal name."),
    playbook: str = typer.Argument(..., help="The playbook id."),
    participant: str = typer.Option("", "--participant", "-p", help="Whose answers, in a retrospective."),
) -> None:
    """Remove an unfinished review."""
    from . import session

    path = session.session_path(deal, playbook, participant)
    if not path.exists():
        raise InputError(f"no unfinished review of {deal!r} with {playbook!r}; `dealcoach sessions` lists them")
    session.drop(path)
    typer.echo(f"Removed {path}")


# -- entry point -----------------------------------------------------------------------------


def main() -> None:
    """Run the app; turn dealcoach errors into one-line messages and documented exit codes.

    typer handles its own usage errors (exit 2); ours propagate out of it and are printed here,
    never as a traceback.
    """
    try:
        app()
    except Interrupted as exc:
        _err(exc.message)
        sys.exit(EXIT_INTERRUPTED)
    except DealcoachError as exc:
        for line in exc.lines():
            _err(line if exc.problems else f"error: {line}")
        if exc.problems and len(exc.problems) > 1:
            _err(f"{len(exc.problems)} problems; fix them and run the command again")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err("Stopped.")
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:  # the file system said no (permissions, a full disk, a name too long)
        where = f" {exc.filename}" if exc.filename else ""
        _err(f"error: cannot use{where}: {exc.strerror or exc}")
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # a bug in dealcoach, not bad input: say so in one line
        if os.environ.get("DEALCOACH_DEBUG"):
            raise
        _err(f"dealcoach: internal error: {type(exc).__name__}: {exc}")
        _err("This is a bug. Run again with DEALCOACH_DEBUG=1 to see the traceback, and report it.")
        sys.exit(EXIT_FAILURE)


# The playbook commands and those over many reviews live in their own modules; importing them
# registers them on the app.
from . import cli_history, cli_playbooks  # noqa: E402, F401
