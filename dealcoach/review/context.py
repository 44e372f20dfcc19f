"""The deal context: answers to the questions of `scope: deal` shared sets, kept per deal.

A deal's context (what kind of deal, the buying route, the hard date, who signs...) does not
change with the playbook, so it is asked once and kept beside the deal's reviews, in
`reviews/<deal>/deal-context.yaml`. The file is replaced atomically after each review of the deal
is written, and its answers are offered pre-filled on the next review of the same deal, with any
playbook that includes the same questions. Each review also keeps them in its own front matter,
as ordinary answers, so a review stands on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import write_atomic
from ..playbook.catalogue import reviews_dir
from ..playbook.model import Playbook

CONTEXT_FILE = "deal-context.yaml"


@dataclass
class SavedContext:
    path: Path
    deal: str
    updated: str
    review: str
    answers: dict[str, Any]
    located: Any = None


@dataclass
class Offered:
    """The saved answers that fit this playbook, and notes on those that no longer fit."""

    answers: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def context_path(deal: str, folder: Path | None = None) -> Path:
    from .folders import deal_folder

    # The deal's own folder, an old-style one included, so the context sits beside its reviews.
    return deal_folder(folder or reviews_dir(), deal) / CONTEXT_FILE


def load_context(deal: str, folder: Path | None = None) -> SavedContext | None:
    """The deal's saved context, or None when there is none yet; a damaged file is an InputError."""
    from ..playbook import yamlfile

    path = context_path(deal, folder)
    if not path.is_file():
        return None
    located = yamlfile.read(path)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        message = "not a deal context file: it needs 'answers', a mapping of question id to answer"
        raise InputError(f"{path}: {message}", [located.problem(("answers",), message)])
    return SavedContext(
        path=path,
        deal=str(data.get("deal") or deal),
        updated=str(data.get("updated") or ""),
        review=str(data.get("review") or ""),
        answers={str(k): v for k, v in data["answers"].items()},
        located=located,
    )


def offered(playbook: Playbook, saved: SavedContext) -> Offered:
    """The saved answers to this playbook's deal questions, checked as any answer is.

    An answer that no longer fits its question (the shared set changed since) is left out, and
    said so: that question is simply asked again.
    """
    from ..playbook.answers import AnswerError, coerce

    result = Offered()
    for qid in playbook.deal_questions():
        if qid not in saved.answers:
            continue
        question = playbook.question(qid)
        assert question is not None
        try:
            result.answers[qid] = coerce(question, saved.answers[qid])
        except AnswerError as exc:
            line, column = saved.located.where(("answers", qid)) if saved.located is not None else (0, 0)
            where = f"{saved.path}:{line}:{column}" if line else str(saved.path)
            result.notes.append(f"{where}: the saved answer to {qid!r} no longer fits ({exc}); it is asked again")
    return result


def save_context(
    playbook: Playbook,
    deal: str,
    answers: dict[str, Any],
    asked: list[str],
    review_file: Path,
    date: dt.date,
    folder: Path | None = None,
) -> Path | None:
    """Keep this review's deal-context answers for the next review of the deal.

    Answers to deal questions this playbook does not have (another playbook's shared set) are
    kept; its own are replaced by this review's, and one this review did not ask (its `when`
    stopped holding) or left unanswered is dropped, so it is never offered as still true.
    Returns the file, or None when the playbook has no deal questions.
    """
    from ..playbook import yamlfile

    ours = playbook.deal_questions()
    if not ours:
        return None
    path = context_path(deal, folder)
    try:
        previous = load_context(deal, folder)
    except InputError:
        previous = None  # a damaged file is replaced by what the rep has just confirmed
    merged = {k: v for k, v in (previous.answers if previous else {}).items() if k not in ours}
    merged.update({qid: answers[qid] for qid in ours if qid in asked and qid in answers})
    data = {
        "deal": " ".join(deal.split()),
        "updated": date.isoformat(),
        "review": review_file.name,
        "answers": merged,
    }
    header = (
        "# The deal context dealcoach offers pre-filled on this deal's next review.\n"
        "# Written after each review; edit an answer here or change it when the review asks.\n"
    )
    return write_atomic(path, header + yamlfile.dump(data), overwrite=True)
