"""The command line: parse arguments, call the core, print results, map errors to exit codes.

Only typer and the standard library are imported at module level. rich, jinja2, yaml and above
all questionary are imported inside the commands that need them, so `dealcoach --help` and a
review from an answers file start fast.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    DealcoachError,
    InputError,
    Interrupted,
)

if TYPE_CHECKING:
    from ..history.actions import Action
    from ..playbook.catalogue import Catalogue
    from ..playbook.model import Playbook
    from ..review.model import FollowUp
    from ..review.usecases import Note, Prefill

app = typer.Typer(
    name="dealcoach",
    help="A deal-review coach: answer a playbook's questions, get a coached Markdown review.",
    # The root help's own text comes from `help=` above, not _root's docstring: say the codes here.
    epilog="Exit codes: 0 success, 1 failure, 2 bad input or usage, 130 interrupted.",
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
    help="A folder of playbooks that override the others by id (repeatable); "
    "DEALCOACH_PLAYBOOKS adds folders too (separated by ':').",
    metavar="DIR",
)
# Kept so scripts written for older versions still work; `dealcoach --color never` replaces it.
NO_COLOR_OPTION = typer.Option(False, "--no-color", hidden=True, help="Same as --color never.")


def _complete_playbook(incomplete: str) -> list[str]:
    try:
        from ..playbook.catalogue import catalogue

        return [pid for pid in catalogue().playbook_ids() if pid.startswith(incomplete)]
    except DealcoachError:
        return []


def _version(value: bool) -> None:
    if value:
        from ..version import __version__

        typer.echo(f"dealcoach {__version__}")
        raise typer.Exit()


@dataclass
class Settings:
    """What the root options said; read by every command through `_color()` and `_info()`."""

    color: str = "auto"
    quiet: bool = False
    verbose: bool = False


SETTINGS = Settings()


class ColorWhen(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class ReviewFormat(StrEnum):
    md = "md"
    json = "json"


# The root options may also come after the subcommand (`dealcoach deals --quiet`): main() moves
# them to the front, so each subcommand need not repeat them.
GLOBAL_FLAGS = ("--quiet", "-q", "--verbose", "-v", "--debug")
GLOBAL_VALUED = ("--color",)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only results, warnings and errors; no notes or progress."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also say which settings and folders are used."),
    debug: bool = typer.Option(
        False, "--debug", envvar="DEALCOACH_DEBUG", show_envvar=True, help="Show a traceback on an internal error."
    ),
    color: ColorWhen = typer.Option(
        "auto",
        "--color",
        help="Colours: auto (when writing to a terminal, unless NO_COLOR is set or FORCE_COLOR forces them), "
        "always, or never.",
    ),
) -> None:
    """dealcoach: coached deal reviews from YAML playbooks.

    The options above may also be given after the command. Exit codes: 0 success, 1 failure,
    2 bad input or usage, 130 interrupted.
    """
    if quiet and verbose:
        raise InputError("--quiet and --verbose contradict each other; pick one")
    SETTINGS.color, SETTINGS.quiet, SETTINGS.verbose = str(color), quiet, verbose
    if debug:
        os.environ["DEALCOACH_DEBUG"] = "1"


# -- helpers ---------------------------------------------------------------------------------


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _info(line: str) -> None:
    """A note about what was done (a file written, a count): silenced by --quiet."""
    if not SETTINGS.quiet:
        _err(line)


def _detail(line: str) -> None:
    """What --verbose adds: which settings and folders a command used."""
    if SETTINGS.verbose:
        _err(line)


def _progress_wanted(count: int, threshold: int) -> bool:
    """A progress bar only for a long run, only when stderr is a terminal, never with --quiet."""
    return count >= threshold and not SETTINGS.quiet and sys.stderr.isatty()


def _color(no_color: bool = False, stream: Any = None) -> bool:
    """Whether to colour output: --color, then NO_COLOR, then FORCE_COLOR, then is it a terminal.

    NO_COLOR wins over FORCE_COLOR when both are set, as rich does: turning colour off is the
    safer reading. The hidden --no-color of older versions still means never.
    """
    if no_color or SETTINGS.color == "never":
        return False
    if SETTINGS.color == "always":
        return True
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return (stream or sys.stdout).isatty()


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


def _console(no_color: bool = False, stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if _color(no_color, stream):
        return Console(force_terminal=True, stderr=stderr, highlight=False)
    # No colour, but bold stays on a terminal; piped output has no escape codes, whatever
    # FORCE_COLOR says (rich would otherwise obey it even after --color never).
    return Console(no_color=True, force_terminal=stream.isatty(), stderr=stderr, highlight=False)


def _shown(path: Path) -> Path:
    """A path as the user would type it: relative to the current folder when it is inside it."""
    from ..files import shown

    return shown(path)


def _catalogue(dirs: list[Path] | None) -> Catalogue:
    from ..playbook.catalogue import catalogue

    cat = catalogue(dirs)
    for problem in cat.problems:
        _err(f"warning: {problem}")
    if SETTINGS.verbose:
        from ..config import load as load_settings

        source = load_settings().source
        _detail(f"settings: {source or 'none found (defaults)'}")
        for pid in cat.ids():
            _detail(f"playbook {pid}: {cat.entries[pid].layer}: {cat.entries[pid].path}")
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
    deal: str | None = typer.Option(
        None, "--deal", "-d", help="The deal (account or opportunity) name.", metavar="DEAL"
    ),
    answers: Path | None = typer.Option(
        None,
        "--answers",
        "-a",
        help="Answers file (or an earlier review), - for stdin: no questions are asked.",
        metavar="FILE",
    ),
    set_: list[str] | None = typer.Option(
        None,
        "--set",
        "-s",
        help="Override one answer: QUESTION=VALUE; ? means I don't know (repeatable).",
        metavar="Q=V",
    ),
    output: str | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Where to write the review; - for stdout. Default: reviews/DEAL/DATE-PLAYBOOK.md in the reviews "
        "folder (DEALCOACH_REVIEWS overrides it).",
        metavar="FILE",
    ),
    fmt: ReviewFormat = typer.Option("md", "--format", "-f", help="md for people, json for scripts."),
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
    no_color: bool = NO_COLOR_OPTION,
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
    from ..review.workflow import today

    if resume and restart:
        raise InputError("--resume and --restart contradict each other; pick one")
    if template is None:
        from ..config import load as load_settings

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
    from ..review.render import render_json, render_markdown

    return render_json(review_obj) if fmt == "json" else render_markdown(review_obj, template)


def _notes(notes: list[Note]) -> None:
    for note in notes:
        (_err if note.always else _info)(note.text)


def _review_from_file(
    cat: Catalogue,
    playbook_id: str | None,
    deal: str | None,
    answers_path: Path,
    set_items: list[str],
    out: _Output,
) -> None:
    from ..history.followthrough import follow_through_from_file, store_from_file
    from ..review.usecases import from_file, keep_context, unanswered
    from ..review.workflow import write_review

    stdin = sys.stdin.read() if str(answers_path) == "-" else None
    notes: list[Note] = []
    try:
        given = from_file(
            cat,
            answers_path,
            notes,
            stdin=stdin,
            playbook_id=playbook_id,
            deal=deal,
            set_items=set_items,
            participant=out.participant,
        )
    finally:  # what happened before an error, then the error
        _notes(notes)
    tracked = out.output is None and not out.participant  # as in an interactive review
    follow = follow_through_from_file(given.source, given.playbook, given.deal)
    result = given.review(out.date, follow.follow_up)
    follow.check_steps(result)
    _notes(unanswered(result))
    text = _render(result, out.fmt, out.template)
    written = write_review(text, result, output=out.output, suffix=f".{out.fmt}", force=out.force)
    if written is not None:
        _info(f"Review written to {_shown(written)}")
        _notes(keep_context(result, written, output=out.output, participant=out.participant))
        if tracked:
            made = follow.new_actions(result, written)
            added = store_from_file(result.deal, follow.changed, made)
            if added is not None:
                _err(f"{len(made)} action(s) added to {_shown(added)}")


def _still_true(pb: Playbook, deal: str, color: bool) -> Prefill:
    """Offer the deal's saved context: keep all of it, or pick what changed."""
    from ..review.scoring import label
    from ..review.usecases import Prefill, saved_context, still_true
    from .prompts import choose, pick_many, say

    carried = saved_context(pb, deal)
    _notes(carried.notes)
    if carried.context is None:
        return Prefill()
    answers = carried.answers
    # Every carried answer is to one of the playbook's questions (saved_context checked each).
    given = [(q, value) for qid, value in answers.items() if (q := pb.question(qid)) is not None]
    say(f"\nWhat you said about {deal} last time ({carried.context.updated}):", "bold", color)
    for question, value in given:
        say(f"  {question.prompt} {label(question, value)}", "", color)
    picked = choose(
        "Is this still true?",
        [
            ("Yes, all of it: keep it", "keep"),
            ("Some of it changed: let me pick what", "pick"),
            ("Go through all of it again", "all"),
        ],
        color=color,
    )
    if picked != "pick":
        return still_true(answers, picked)
    changed = pick_many(
        "Which of these changed?",
        [(f"{question.prompt} [{label(question, value)}]", question.id) for question, value in given],
        color=color,
    )
    return still_true(answers, picked, changed)


def _review_from_defaults(
    cat: Catalogue, playbook_id: str | None, deal: str | None, set_items: list[str], out: _Output
) -> None:
    """`review --defaults`: every question the playbook would ask takes its default, without a terminal."""
    from ..review.document import make_review
    from ..review.usecases import default_answers, skipped_sets
    from ..review.workflow import apply_set, load_playbook, write_review

    if not playbook_id:
        raise InputError("--defaults needs the playbook id: dealcoach review PLAYBOOK --defaults --deal NAME")
    if not deal:
        raise InputError("--defaults needs --deal NAME")
    pb = load_playbook(cat, playbook_id)
    overrides = apply_set(pb, {}, set_items)
    found = default_answers(pb, overrides)
    _notes(skipped_sets(pb, found, overrides))
    result = make_review(pb, deal, found, date=out.date, participant=out.participant)
    if result.unanswered:
        _info(f"note: no default (counted as I don't know): {', '.join(result.unanswered)}")
    text = _render(result, out.fmt, out.template)
    written = write_review(text, result, output=out.output, suffix=f".{out.fmt}", force=out.force)
    if written is not None:
        _info(f"Review written to {_shown(written)}")


def _triage(cat: Catalogue, no_color: bool) -> str:
    from ..review.interview import Interview
    from ..review.usecases import route
    from ..review.workflow import load_playbook
    from .prompts import asker, choose, say

    color = _color(no_color)
    triage = load_playbook(cat, "triage")
    say(triage.title, "bold", color)
    say(triage.summary)
    found = Interview(triage).run(asker(color=color))
    routing = route(triage, found, cat.entries)
    best = routing.best
    say(f"\nThis sounds like: {best.title}. {best.why}", "bold", color)
    for other in routing.close:
        say(f"Also applies: {other.title}. Run it next: dealcoach review {other.route}", "bold", color)
    # The close runners-up first, then every other playbook, so a rep can always overrule triage.
    choices = [(f"Continue with {best.title}", best.route)]
    choices += [(f"Use {s.title} instead", s.route) for s in routing.close]
    choices += [(f"Use {s.title} instead", s.route) for s in routing.rest]
    return str(choose("Which playbook?", choices, color=color))


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
    from ..review import session
    from ..review.document import make_review
    from ..review.interview import Interview
    from ..review.usecases import keep_context, skipped_sets
    from ..review.workflow import apply_set, load_playbook, write_review
    from .prompts import ask_text, asker, say

    color = _color(no_color)
    saver: Any = None
    autosave: _Autosaving | None = None
    try:
        if playbook_id is None:
            playbook_id = _triage(cat, no_color)
        pb = load_playbook(cat, playbook_id)
        if not deal:
            deal = " ".join(ask_text("Which deal is this review for?").split())
            if not deal:
                raise InputError("a review needs a deal name; pass --deal NAME")
        saver = session.Autosave(deal, pb.id, pb.version, out.participant)
        prefill = _offer_resume(pb, deal, out.participant, resume, restart, color)
        follow_up: list[FollowUp] = []
        followed: list[Action] = []
        tracked = out.output is None and not out.participant  # the deal's actions live beside its reviews
        if not prefill.answers:  # not resuming: what came of the open actions, then the deal context kept
            from .followup import ask_follow_up

            follow_up, followed = ask_follow_up(deal, color) if tracked else ([], [])
            prefill = _still_true(pb, deal, color)
        preset = apply_set(pb, prefill.answers, set_items)
        say(f"\n{pb.title} — {pb.summary}", "bold", color)
        say("Ctrl-C stops at any time; every answer is saved as you go.", "fg:ansibrightblack", color)

        autosave = _Autosaving(saver, deal, pb.id, color)
        interview = Interview(pb, preset, on_answer=autosave, kept=prefill.kept, reask=prefill.reask)
        if preset:
            autosave(interview.answers)
        ask = asker(color=color)
        interview.run(ask)
        if not yes:
            _summary_screen(interview, ask, color)
        _notes(skipped_sets(pb, interview.answers, apply_set(pb, {}, set_items)))
        result = make_review(
            pb, deal, interview.answers, date=out.date, participant=out.participant, follow_up=follow_up
        )
        text = _render(result, out.fmt, out.template)
        written = write_review(text, result, output=out.output, suffix=f".{out.fmt}", force=out.force)
        if written is not None:
            _notes(keep_context(result, written, output=out.output, participant=out.participant))
    except KeyboardInterrupt:
        saved_to = autosave.saved_to if autosave is not None else None
        if saver is not None and saver.lost:
            where = " Your answers were not saved: another dealcoach is saving this deal's review."
        elif saved_to:
            where = f" Your answers are saved in {saved_to}; run the same command to continue."
        else:
            where = ""
        raise Interrupted(f"Stopped.{where}", saved_to) from None
    try:
        saver.drop()
    except OSError as exc:  # the review is written; a leftover session only offers to resume it
        _err(f"warning: could not remove the saved answers: {exc.strerror or exc}")
    console = _console(no_color)
    _show_review(console, text, out)
    if written is not None:
        console.print(f"\n[bold green]Review written to {_shown(written)}[/bold green]")
        if tracked:  # with the review on screen: what came of the old actions, which new ones to take on
            from .followup import finish_actions

            finish_actions(pb, result, written, followed, color)


class _Autosaving:
    """The interview's on-answer hook: save the answers so far, and say (once) when that stops,
    because the state folder cannot be written or another dealcoach took the session over."""

    def __init__(self, saver: Any, deal: str, playbook_id: str, color: bool) -> None:
        self.saver, self.deal, self.playbook_id, self.color = saver, deal, playbook_id, color
        self.saved_to: Path | None = None
        self.failed = False

    def __call__(self, current: dict[str, Any]) -> None:
        from .prompts import say

        if self.failed:
            return
        saver = self.saver
        was_lost = saver.lost
        try:
            self.saved_to = saver.save(current)
        except (OSError, DealcoachError) as exc:  # a read-only or full state folder: the review itself can go on
            self.failed, self.saved_to = True, None
            reason = exc.message if isinstance(exc, DealcoachError) else exc.strerror or str(exc)
            say(f"warning: answers are not saved as you go ({reason}); carry on", "fg:ansiyellow", self.color)
            return
        if saver.lost and not was_lost:
            say(
                f"\nAnother dealcoach has saved answers for {self.deal} with {self.playbook_id} since this one "
                f"started ({saver.path}); so as not to overwrite them, this terminal's answers are no longer "
                "saved as you go. Finish here to write the review, or stop and continue in one terminal.",
                "fg:ansiyellow",
                self.color,
            )


def _offer_resume(pb: Playbook, deal: str, participant: str, resume: bool, restart: bool, color: bool) -> Prefill:
    """The deal's unfinished review, if the rep continues it (--resume, or yes when asked)."""
    from ..review.usecases import Prefill, unfinished
    from .prompts import confirm, say

    left = unfinished(pb, deal, participant)
    if left is None or restart:
        return Prefill()
    again = resume or confirm(
        f"You have an unfinished review of {deal} ({len(left.saved)} answers, saved {left.updated}). "
        "Continue where you stopped?",
        color=color,
    )
    if not again:
        return Prefill()
    if left.dropped:  # the playbook changed since: say what will be asked again or is gone
        say(
            f"The playbook has changed since you stopped; these saved answers no longer fit "
            f"and are set aside: {', '.join(left.dropped)}",
            "fg:ansiyellow",
            color,
        )
    return Prefill(left.answers)


def _show_review(console: Any, text: str, out: _Output) -> None:
    """The Markdown review on screen, once written (not when it went to stdout, or as JSON)."""
    if out.fmt == "md" and out.output != "-":
        from rich.markdown import Markdown

        from ..playbook.yamlfile import split_front_matter

        console.print()
        console.print(Markdown(split_front_matter(text)[1]))


def _summary_screen(interview: Any, asker: Any, color: bool) -> None:
    """List every answer; let the rep change any of them before the review is written."""
    import textwrap

    from ..review.scoring import label
    from .prompts import choose, width

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
    from ..review import session

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
    participant: str = typer.Option(
        "", "--participant", "-p", help="Whose answers, in a retrospective.", metavar="NAME"
    ),
) -> None:
    """Remove an unfinished review."""
    from ..review import session

    path = session.session_path(deal, playbook, participant)
    if not path.exists():
        raise InputError(f"no unfinished review of {deal!r} with {playbook!r}; `dealcoach sessions` lists them")
    session.drop(path)
    typer.echo(f"Removed {path}")


# -- entry point -----------------------------------------------------------------------------


def command() -> Any:
    """The command tree typer builds from `app`, with every placeholder upper-case.

    typer names placeholders after their Python types (`<str>`) and arguments in lower case;
    people reading --help (and docs/cli.md, generated from this) expect `DEAL`, `FILE`, `DIR`.
    """
    import typer.main

    root = typer.main.get_command(app)

    def fix(cmd: Any) -> None:
        for param in cmd.params:
            if (
                param.metavar is not None
                or getattr(param, "is_flag", False)
                or hasattr(getattr(param, "type", None), "choices")
            ):
                continue
            name = (param.name or "value").upper()
            is_argument = param.param_type_name == "argument"
            param.metavar = name + ("..." if is_argument and param.nargs != 1 else "")
        for sub in getattr(cmd, "commands", {}).values():
            fix(sub)

    fix(root)
    return root


def _hoist(args: list[str]) -> list[str]:
    """Move the root options to the front, so they work after the subcommand too."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in GLOBAL_FLAGS or any(arg.startswith(f"{name}=") for name in GLOBAL_VALUED):
            front.append(arg)
        elif arg in GLOBAL_VALUED and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def main() -> None:
    """The console script: run the app and exit with its status."""
    sys.exit(run())


def run(argv: list[str] | None = None) -> int:
    """Run the app on `argv` (default: the process's arguments) and return its exit status.

    Errors become one-line messages and documented exit codes, never a traceback; typer handles
    its own usage errors (exit 2). Nothing here exits the process, so tests and embedding
    programs can call it in-process.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        command().main(args=_hoist(args), prog_name="dealcoach")
    except SystemExit as exc:  # click always ends by exiting; keep the status, not the exit
        if exc.code is None:
            return EXIT_OK
        if isinstance(exc.code, int):
            return exc.code
        _err(str(exc.code))
        return EXIT_FAILURE
    except Interrupted as exc:
        _err(exc.message)
        return EXIT_INTERRUPTED
    except DealcoachError as exc:
        for line in exc.lines():
            _err(line if exc.problems else f"error: {line}")
        if exc.problems and len(exc.problems) > 1:
            _err(f"{len(exc.problems)} problems; fix them and run the command again")
        return exc.exit_code
    except KeyboardInterrupt:
        _err("Stopped.")
        return EXIT_INTERRUPTED
    except OSError as exc:  # the file system said no (permissions, a full disk, a name too long)
        where = f" {exc.filename}" if exc.filename else ""
        _err(f"error: cannot use{where}: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug in dealcoach, not bad input: say so in one line
        if os.environ.get("DEALCOACH_DEBUG"):
            raise
        _err(f"dealcoach: internal error: {type(exc).__name__}: {exc}")
        _err("This is a bug. Run again with DEALCOACH_DEBUG=1 to see the traceback, and report it.")
        return EXIT_FAILURE
    return EXIT_OK
