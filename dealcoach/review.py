"""The review: what was answered and what the scorer made of it, and how it is stored.

A review file is Markdown with YAML front matter. The front matter has the same shape as an
answers file (playbook, deal, answers) plus the outcome, so a review can be fed back in with
`--answers`, re-scored after the playbook changes, and summarised without reading the body.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError
from .playbook import Playbook
from .scoring import Result, label, score

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass
class Review:
    playbook: Playbook
    deal: str
    date: dt.date
    answers: dict[str, Any]
    result: Result
    unanswered: list[str] = field(default_factory=list)
    removed: dict[str, Any] = field(default_factory=dict)
    answered_with_version: int | None = None
    # Retrospectives: who answered this review, or, for a merged one, each participant's answers.
    participant: str = ""
    team: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def disagreements(self) -> dict[str, dict[str, Any]]:
        """Questions the participants answered differently ("I don't know" abstains)."""
        found: dict[str, dict[str, Any]] = {}
        for qid in self.answers:
            given = {name: answers.get(qid) for name, answers in self.team.items()}
            known = [_comparable(v) for v in given.values() if v is not None]
            if len(set(known)) > 1:
                found[qid] = given
        return found


def _comparable(value: Any) -> Any:
    return tuple(sorted(value)) if isinstance(value, list) else value


def make_review(
    playbook: Playbook,
    deal: str,
    answers: dict[str, Any],
    *,
    date: dt.date | None = None,
    removed: dict[str, Any] | None = None,
    answered_with_version: int | None = None,
    participant: str = "",
    team: dict[str, dict[str, Any]] | None = None,
) -> Review:
    """Score the answers and wrap everything the renderer needs."""
    result = score(playbook, answers)
    unanswered = [qid for qid in result.asked if qid not in answers]
    kept = {qid: answers.get(qid) for qid in result.asked}
    return Review(
        playbook=playbook,
        deal=" ".join(deal.split()),  # a deal name is one line, however it was typed
        date=date or dt.date.today(),
        answers=kept,
        result=result,
        unanswered=unanswered,
        removed=dict(removed or {}),
        answered_with_version=answered_with_version,
        participant=" ".join(participant.split()),
        team=dict(team or {}),
    )


def slugify(text: str) -> str:
    """A folder-safe name for a deal: lower case, letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "deal"


def front_matter(review: Review) -> dict[str, Any]:
    r = review.result
    data: dict[str, Any] = {
        "playbook": review.playbook.id,
        "playbook_version": review.playbook.version,
        "deal": review.deal,
        "date": review.date.isoformat(),
        "answers": dict(review.answers),
        "recommendation": r.recommended,
        "confidence": r.confidence,
        "scores": dict(r.scores),
        "flags": [f.rule for f in r.flags],
        "gaps": [g.question for g in r.gaps],
        "dealcoach": __version__,
    }
    if review.answered_with_version not in (None, review.playbook.version):
        data["answered_with_version"] = review.answered_with_version
    if review.removed:
        data["removed_answers"] = dict(review.removed)
    if review.participant:
        data["participant"] = review.participant
    if review.team:
        data["participants"] = list(review.team)
        data["disagreements"] = review.disagreements
    return data


def to_data(review: Review) -> dict[str, Any]:
    """Everything in the review as plain data: the JSON format and the templates' context."""
    pb, r = review.playbook, review.result
    strategies = {s.id: s for s in pb.strategies}

    def strategy_data(sid: str) -> dict[str, Any]:
        s = strategies[sid]
        return {
            "id": s.id,
            "title": s.title,
            "why": s.why,
            "risks": list(s.risks),
            "next_steps": list(s.next_steps),
            "talk_track": list(s.talk_track),
            "route": s.route,
            "score": r.scores[sid],
        }

    answers = []
    for qid in r.asked:
        question = pb.question(qid)
        assert question is not None
        value = review.answers.get(qid)
        answers.append(
            {
                "id": qid,
                "prompt": question.prompt,
                "value": value,
                "answer": "not answered" if qid in review.unanswered else label(question, value),
                "unknown": value is None,
            }
        )

    def contribution(c: Any) -> dict[str, Any]:
        return {"source": c.source, "kind": c.kind, "says": c.says, "points": dict(c.points)}

    recommendation = None
    reasons: list[dict[str, Any]] = []
    if r.recommended:
        recommendation = strategy_data(r.recommended)
        reasons = [contribution(c) for c in r.reasons_for(r.recommended, r.runner_up)]
    others = []
    for s in pb.strategies:
        if s.id == r.recommended:
            continue
        others.append(
            {
                **strategy_data(s.id),
                "vetoed": list(r.vetoed.get(s.id, [])),
                "lost_because": [c.says for c in r.reasons_against(s.id)[:2]],
                "behind_by": (r.scores[r.recommended] - r.scores[s.id]) if r.recommended else None,
            }
        )
    return {
        "playbook": {
            "id": pb.id,
            "version": pb.version,
            "title": pb.title,
            "summary": pb.summary,
            "sources": list(pb.sources),
            "framework_based": pb.is_framework_based,
            "gaps_heading": pb.gaps_heading,
        },
        "deal": review.deal,
        "date": review.date.isoformat(),
        "recommendation": recommendation,
        "confidence": {
            "level": r.confidence,
            "coverage": round(r.coverage, 2),
            "answered": r.weighted_answered,
            "weighted": r.weighted_asked,
            "margin": r.margin,
        },
        "reasons": reasons,
        "flags": [{"rule": f.rule, "severity": f.severity, "text": f.text} for f in r.flags],
        "gaps": [{"question": g.question, "prompt": g.prompt, "find_out": g.find_out} for g in r.gaps],
        "others": others,
        "flips": [
            {
                "question": f.question,
                "prompt": f.prompt,
                "now": f.now,
                "instead": f.instead,
                "strategy": f.strategy,
                "strategy_title": strategies[f.strategy].title,
                "toggled": f.toggled,
                "ticked": f.ticked,
            }
            for f in r.flips
        ],
        "answers": answers,
        "unanswered": list(review.unanswered),
        "removed_answers": dict(review.removed),
        "answered_with_version": review.answered_with_version,
        "participant": review.participant,
        "team": _team_rows(review),
    }


def _team_rows(review: Review) -> list[dict[str, Any]]:
    """One row per asked question: each participant's answer and whether they agree."""
    if not review.team:
        return []
    disagreements = review.disagreements
    rows = []
    for qid in review.result.asked:
        question = review.playbook.question(qid)
        assert question is not None
        rows.append(
            {
                "id": qid,
                "prompt": question.prompt,
                "answers": {name: label(question, answers.get(qid)) for name, answers in review.team.items()},
                "agreed": qid not in disagreements,
                "merged": label(question, review.answers.get(qid)),
            }
        )
    return rows


def merge_answers(playbook: Playbook, team: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The team's answer to each question: the most common known answer; a tie is unknown.

    For a multi question each option is ticked when most of those who answered ticked it.
    """
    from collections import Counter

    merged: dict[str, Any] = {}
    for question in playbook.questions:
        given = [answers[question.id] for answers in team.values() if answers.get(question.id) is not None]
        if not given:
            if any(question.id in answers for answers in team.values()):
                merged[question.id] = None
            continue
        if question.type == "multi":
            ticks = Counter(v for answer in given for v in answer)
            merged[question.id] = [o.value for o in question.options if ticks[o.value] * 2 > len(given)]
            continue
        if question.type == "text":
            merged[question.id] = " / ".join(
                f"{name}: {a[question.id]}" for name, a in team.items() if a.get(question.id)
            )
            continue
        counts = Counter(_comparable(v) for v in given).most_common()
        tied = len(counts) > 1 and counts[0][1] == counts[1][1]
        winner = counts[0][0]
        merged[question.id] = None if tied else (list(winner) if isinstance(winner, tuple) else winner)
    return merged


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter YAML or None, body)."""
    match = _FRONT.match(text)
    if not match:
        return None, text
    return match.group(1) or "", text[match.end() :]


def review_path(
    reviews_dir: Path, deal: str, playbook_id: str, date: dt.date, suffix: str, participant: str = ""
) -> Path:
    who = f"--{slugify(participant)}" if participant else ""
    return reviews_dir / slugify(deal) / f"{date.isoformat()}-{playbook_id}{who}{suffix}"


def _place_new(tmp: str, target: Path) -> None:
    """Give the finished temporary file the name `target`, failing if that name exists.

    A hard link does it in one step. Where the filesystem has no hard links, claim the name with
    an exclusive create and then move the finished file over that empty placeholder: a reader
    may see an empty file for an instant, never half of one.
    """
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass  # no hard links here (some network and FAT filesystems)
    with open(target, "x", encoding="utf-8"):
        pass
    os.replace(tmp, target)


def _new_file_mode() -> int:
    """0666 less the umask, as `open()` would create the file. Reading the umask means setting it."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str, *, overwrite: bool) -> Path:
    """Write `text` to `path` so that no reader ever sees half a file.

    With `overwrite` False an existing file is never replaced: the next free name
    (`name-2.md`, `name-3.md`, ...) is taken instead, and the path actually written is returned.
    A folder that cannot be written (read-only, full, a name too long) is an InputError naming it.
    """
    try:
        return _write_atomic(path, text, overwrite=overwrite)
    except OSError as exc:
        raise WriteError(path, exc) from None


class WriteError(InputError, OSError):
    """A file that could not be written; says which and why (the operating system's reason).

    Still an OSError, so code that treats a failed write as harmless (a cache) keeps doing so.
    """

    def __init__(self, path: Path, exc: OSError) -> None:
        InputError.__init__(self, f"cannot write {path}: {exc.strerror or exc}")
        self.path = path
        self.errno, self.strerror, self.filename = exc.errno, exc.strerror, str(path)


def _write_atomic(path: Path, text: str, *, overwrite: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; a replaced file keeps its own mode, a new one gets the umask's.
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode) if overwrite else _new_file_mode()
        except FileNotFoundError:
            mode = _new_file_mode()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
            return path
        candidate = path
        for n in range(2, 1000):
            try:
                _place_new(tmp, candidate)
            except FileExistsError:
                candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
                continue
            return candidate
        raise InputError(f"{path.parent}: too many reviews with the same name; use --force or --output")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
