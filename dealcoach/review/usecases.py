"""The review's use-cases that need no terminal: a review from an answers file, the answers
`--defaults` gives, resuming an unfinished review, triage's choice of playbook, and the deal
context carried from one review of a deal to the next.

Plain inputs and plain outputs (dataclasses): the CLI parses, asks, calls these and draws. What
the user should be told on the way comes back as notes, in the order it happened, for the CLI
to show; a use-case that can still fail after a note takes a list to add its notes to, so that
the CLI can show them before the error, as they happened.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DealcoachError, InputError, NotFoundError
from ..files import shown
from ..playbook.answers import AnswersFile, check_answers, coerce, read_answers_file
from ..playbook.model import Playbook, Strategy, namespace
from .context import SavedContext, load_context, offered, save_context
from .document import make_review
from .model import FollowUp, Review
from .workflow import answers_from_file, apply_set, load_playbook

if TYPE_CHECKING:
    import datetime as dt

    from ..playbook.catalogue import Catalogue


@dataclass(frozen=True)
class Note:
    """A line for the user. `always` ones (warnings, and answers taken from elsewhere) are shown
    even with --quiet; the others are notes about what was done, which --quiet silences."""

    text: str
    always: bool = False


# -- a review from an answers file -------------------------------------------------------------


@dataclass
class FromFile:
    """An answers file checked against its playbook, with the deal context and --set applied:
    what a review from it is made of, but for the follow-through (history's) and the date."""

    source: AnswersFile
    playbook: Playbook
    deal: str
    answers: dict[str, Any]
    removed: dict[str, Any] = field(default_factory=dict)
    answered_with_version: int | None = None
    participant: str = ""

    def review(self, date: dt.date, follow_up: list[FollowUp] | None = None) -> Review:
        return make_review(
            self.playbook,
            self.deal,
            self.answers,
            date=date,
            removed=self.removed,
            answered_with_version=self.answered_with_version,
            participant=self.participant,
            follow_up=follow_up,
        )


def from_file(
    catalogue: Catalogue,
    answers_path: Path,
    notes: list[Note],
    *,
    stdin: str | None = None,
    playbook_id: str | None = None,
    deal: str | None = None,
    set_items: list[str] | None = None,
    participant: str = "",
) -> FromFile:
    """Read an answers file (or an earlier review; `-` with its text in `stdin`) for a review.

    The playbook named on the command line must be the file's; the deal is the one named on the
    command line, else the file's; deal-context answers the file leaves out are taken from the
    deal's saved context; `--set` wins over both. `participant` (--participant) wins over the
    file's. Raises InputError (or NotFoundError, pointing at the file's `playbook:` line) for
    anything that does not fit; adds its notes to `notes` as it goes.
    """
    if str(answers_path) == "-":
        answers_path = Path("<stdin>")
        source = read_answers_file(answers_path, stdin or "")
    else:
        source = read_answers_file(answers_path)
    if playbook_id and playbook_id != source.playbook:
        raise InputError(
            f"{answers_path}: the file answers playbook {source.playbook!r}, not {playbook_id!r}; "
            "leave the playbook out or pick the matching file"
        )
    try:
        pb = load_playbook(catalogue, source.playbook)
    except NotFoundError as exc:  # point at the line that names it
        problem = source.located.problem(("playbook",), exc.message)
        raise NotFoundError(exc.message, [problem]) from None
    gathered = answers_from_file(pb, source)
    notes.extend(Note(f"note: {note}") for note in gathered.notes)
    deal_name = deal or " ".join(source.deal.split())
    if not deal_name:
        raise InputError(f"{answers_path}: no deal named; add `deal: NAME` to the file or pass --deal")
    answers = gathered.answers
    carried = saved_context(pb, deal_name)
    notes.extend(carried.notes)
    if carried.context is not None:
        missing = {qid: v for qid, v in carried.answers.items() if qid not in source.answers}
        if missing:
            answers = {**missing, **answers}
            notes.append(
                Note(
                    f"note: deal context not in {answers_path} taken from {shown(carried.context.path)} "
                    f"(saved {carried.context.updated}): {', '.join(missing)}",
                    always=True,
                )
            )
    final = apply_set(pb, answers, set_items or [])
    notes.extend(skipped_sets(pb, final, apply_set(pb, {}, set_items or [])))
    return FromFile(
        source,
        pb,
        deal_name,
        final,
        removed=gathered.removed,
        answered_with_version=gathered.answered_with_version,
        participant=participant or str(source.extra.get("participant") or ""),
    )


def unanswered(review: Review) -> list[Note]:
    """The note on questions left unanswered, which the review counts as "I don't know"."""
    if not review.unanswered:
        return []
    return [Note(f"note: not answered (counted as I don't know): {', '.join(review.unanswered)}")]


def skipped_sets(pb: Playbook, answers: dict[str, Any], overrides: dict[str, Any]) -> list[Note]:
    """A --set answer to a question the other answers skip is not used; say so rather than drop it."""
    asked = {q.id for q in pb.asked(answers)}
    skipped = [qid for qid in overrides if qid not in asked]
    if not skipped:
        return []
    return [Note(f"note: --set not used, the other answers skip these questions: {', '.join(skipped)}")]


# -- a review from the defaults ------------------------------------------------------------------


def default_answers(pb: Playbook, overrides: dict[str, Any]) -> dict[str, Any]:
    """`review --defaults`: each question the playbook would ask takes its default, --set's answer
    where it gives one. Walked in order: a default may make a later question relevant (`when`)."""
    found: dict[str, Any] = {}
    for question in pb.questions:
        if question.when is not None and not question.when(namespace(pb, found)):
            continue
        if question.id in overrides:
            found[question.id] = overrides[question.id]
        elif question.default is not None:
            found[question.id] = coerce(question, question.default)  # checked when the playbook loaded
    return found


# -- resuming an unfinished review ---------------------------------------------------------------


@dataclass
class Unfinished:
    """An unfinished review of the deal with this playbook, checked against the playbook as it is
    now: the saved answers to questions it still has, those that still fit (the ones to resume
    from), and the ones set aside because the playbook changed since."""

    updated: str
    saved: dict[str, Any]
    answers: dict[str, Any]
    dropped: list[str]


def unfinished(pb: Playbook, deal: str, participant: str = "") -> Unfinished | None:
    """The deal's unfinished review with `pb`, or None when there is none (or it has no answers)."""
    from . import session

    existing = session.find(deal, pb.id, participant)
    if not existing or not existing.answers:
        return None
    saved = {k: v for k, v in existing.answers.items() if pb.question(k) is not None}
    answers, _ = check_answers(pb, saved, None, ())
    dropped = sorted(set(existing.answers) - set(answers))
    return Unfinished(existing.updated, saved, answers, dropped)


# -- triage ----------------------------------------------------------------------------------


@dataclass
class Routing:
    """Where triage's answers send the rep: the best playbook, the runners-up close enough to
    run next, and every other playbook (by title), so a rep can always overrule triage."""

    best: Strategy
    close: list[Strategy]
    rest: list[Strategy]


def route(triage: Playbook, answers: dict[str, Any], available: Collection[str]) -> Routing:
    """Rank the playbooks triage routes to (those `available`, not vetoed) by score."""
    from .scoring import score

    result = score(triage, answers, flips=False)
    ranked = sorted(
        (s for s in triage.strategies if s.route and s.id not in result.vetoed and s.route in available),
        key=lambda s: -result.scores[s.id],
    )
    if not ranked:
        raise InputError("triage found no playbook for this situation; pick one from `dealcoach playbooks list`")
    best = ranked[0]
    close = [
        s
        for s in ranked[1:]
        if result.scores[best.id] - result.scores[s.id] <= triage.split_margin and result.scores[s.id] > 0
    ]
    rest = sorted((s for s in ranked[1:] if s not in close), key=lambda s: s.title)
    return Routing(best, close, rest)


# -- the deal context, from one review of a deal to the next -------------------------------------


@dataclass
class Carried:
    """What the deal's saved context offers this playbook: the file and the answers of it that fit
    (no context when there is none, or nothing of it fits), and notes on what was set aside."""

    context: SavedContext | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


def saved_context(pb: Playbook, deal: str) -> Carried:
    """The deal's saved context and the answers of it that fit `pb`.

    A damaged context file is named and set aside: it must not stop a review.
    """
    if not pb.deal_questions():
        return Carried()
    try:
        saved = load_context(deal)
    except DealcoachError as exc:
        return Carried(notes=[Note(f"warning: {exc.lines()[0]}; the deal context is asked afresh", always=True)])
    if saved is None:
        return Carried()
    found = offered(pb, saved)
    notes = [Note(f"note: {note}", always=True) for note in found.notes]
    return Carried(saved, found.answers, notes) if found.answers else Carried(notes=notes)


@dataclass
class Prefill:
    """The answers an interview starts from, those it does not ask again, and those it asks again."""

    answers: dict[str, Any] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    reask: set[str] = field(default_factory=set)


def still_true(answers: dict[str, Any], choice: str, changed: Iterable[str] = ()) -> Prefill:
    """The saved context after the rep said whether it is still true: `keep` all of it, ask `all`
    of it again, or (`pick`) ask again only what `changed`."""
    if choice == "keep":
        return Prefill(answers, set(answers), set())
    if choice == "all":
        return Prefill(answers, set(), set(answers))
    again = set(changed)
    return Prefill(answers, set(answers) - again, again)


def keep_context(review: Review, written: Path, *, output: str | None, participant: str) -> list[Note]:
    """After a review lands in the reviews folder, keep its deal context for the next one.

    Not for a review written elsewhere (--output) or one participant's view of a retrospective.
    """
    if output is not None or participant or not review.playbook.deal_questions():
        return []
    given = {qid: v for qid, v in review.answers.items() if qid not in review.unanswered}
    try:
        save_context(review.playbook, review.deal, given, review.result.asked, written, review.date)
    except (OSError, DealcoachError) as exc:
        return [Note(f"warning: the deal context was not saved: {exc}", always=True)]
    return []
