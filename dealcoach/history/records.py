"""The store of past reviews: the Markdown files in a team's reviews folder, read by front matter.

There is no second database: every command here reads the YAML front matter at the top of each
review (and never the body), so a folder of thousands of reviews kept in git stays the single
source of truth. Damaged files are reported with their line and skipped; the rest still count.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..files import map_files

MAX_FRONT_MATTER = 256_000  # bytes; a review's front matter is a few kB
REQUIRED = ("playbook", "deal", "date", "answers", "recommendation", "confidence")


@dataclass(frozen=True)
class ReviewRecord:
    """What one review's front matter says."""

    path: Path
    playbook: str
    playbook_version: int
    deal: str
    date: dt.date
    answers: dict[str, Any]
    recommendation: str | None
    confidence: str
    scores: dict[str, int] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    participant: str = ""
    participants: tuple[str, ...] = ()
    disagreements: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Scan:
    records: list[ReviewRecord]
    skipped: list[Problem]


def _front_matter(path: Path) -> tuple[str | None, Problem | None]:
    """The YAML between the opening and closing `---` (the splitter every command uses), reading
    no more than the largest front matter allowed."""
    from ..playbook import yamlfile

    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FRONT_MATTER + 1)
    except OSError as exc:
        return None, Problem(path, 0, 0, f"cannot read: {exc.strerror}")
    cut = len(raw) > MAX_FRONT_MATTER
    if cut:
        raw = raw[: raw.rfind(b"\n") + 1]  # whole lines only: a cut character is not damage
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # where the first bad byte is, and what the file probably is
        return None, yamlfile.not_utf8(path, exc).problems[0]
    front, _ = yamlfile.split_front_matter(text)
    if front is not None:
        return front, None
    if not yamlfile.opens_front_matter(text):
        return None, Problem(path, 1, 1, "no front matter: a review starts with a '---' line")
    if cut:  # it may well close later: say what is wrong, its size
        return None, Problem(path, 1, 1, f"the front matter is larger than {MAX_FRONT_MATTER // 1000} kB; trim it")
    return None, Problem(path, text.count("\n") + 1, 1, "the front matter never ends: add a closing '---' line")


def read_record(path: Path) -> ReviewRecord | Problem:
    """One review's front matter as a record, or the problem that stops it being read.

    The front matter is parsed by the same bounded reader as playbooks and answers files, so a
    hand-made review cannot expand aliases without end or construct objects."""
    from ..errors import InputError
    from ..playbook import yamlfile

    text, problem = _front_matter(path)
    if problem is not None or text is None:
        return problem or Problem(path, 1, 1, "no front matter")
    try:
        data = yamlfile.parse(text, path, first_line=yamlfile.FRONT_MATTER_LINE).data
    except InputError as exc:
        first = exc.problems[0] if exc.problems else Problem(path, 1, 1, exc.message)
        return Problem(path, first.line, first.column, f"front matter: {first.message}")
    if not isinstance(data, dict):
        return Problem(path, 2, 1, "front matter must be a mapping of keys to values")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        return Problem(path, 2, 1, f"front matter is missing {', '.join(repr(k) for k in missing)}")
    date = data["date"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            return Problem(path, _line_of(text, "date"), 1, f"'date' must be YYYY-MM-DD, not {data['date']!r}")
    if not isinstance(date, dt.date) or not isinstance(data["answers"], dict):
        return Problem(path, _line_of(text, "answers"), 1, "'date' must be a date and 'answers' a mapping")
    try:
        return ReviewRecord(
            path=path,
            playbook=str(data["playbook"]),
            playbook_version=int(data.get("playbook_version") or 0),
            deal=str(data["deal"]),
            date=date,
            answers=dict(data["answers"]),
            recommendation=None if data["recommendation"] is None else str(data["recommendation"]),
            confidence=str(data["confidence"]),
            scores={str(k): int(v) for k, v in (data.get("scores") or {}).items()},
            flags=_listed(data.get("flags")),
            gaps=_listed(data.get("gaps")),
            participant=str(data.get("participant") or ""),
            participants=_listed(data.get("participants")),
            disagreements=dict(data.get("disagreements") or {}),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        return Problem(path, 2, 1, f"front matter has a value of the wrong kind: {exc}")


def review_order(record: ReviewRecord) -> tuple[dt.date, int, str]:
    """Where a review comes among a deal's: by date, then by its sequence that day.

    The second review of a deal and playbook on one day is `DATE-PLAYBOOK-2.md`, and `-2.md`
    sorts before `.md` as text, so the number is read from the name rather than compared as text.
    """
    from ..names import legacy_slug, slugify

    stem = record.path.stem
    for who in {slugify(record.participant), legacy_slug(record.participant)} if record.participant else {""}:
        base = f"{record.date.isoformat()}-{record.playbook}" + (f"--{who}" if who else "")
        if stem == base:
            return (record.date, 1, record.path.name)
        rest = stem[len(base) + 1 :] if stem.startswith(base + "-") else ""
        if rest.isdigit():
            return (record.date, int(rest), record.path.name)
    return (record.date, 0, record.path.name)


def _listed(value: Any) -> tuple[str, ...]:
    """A list from hand-edited front matter; anything else counts as empty."""
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 2


def review_files(folder: Path) -> list[Path]:
    """Every `*.md` under `folder` in path order; os.scandir and string sorting, because with
    thousands of reviews pathlib's rglob and Path comparisons cost more than reading them."""
    found: list[str] = []
    stack = [str(folder)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".md") and entry.name != "actions.md":  # a deal's checklist
                    found.append(entry.path)
    found.sort()
    return [Path(p) for p in found]


def scan(folder: Path, progress: Any = None, files: list[Path] | None = None) -> Scan:
    """Every review under `folder`; `progress(done, total)` is called as batches finish.

    Parsed front matter is kept in an index in the user's cache folder, keyed by each file's
    size and modification time (as git's index is), so only new or changed reviews are read
    again: a coach re-running insights over years of reviews waits for the changes, not the past.
    """
    files = review_files(folder) if files is None else files
    index = _Index.open(folder)
    results: dict[str, ReviewRecord | Problem] = {}
    stale: list[Path] = []
    for path in files:
        hit = index.get(path)
        if hit is None:
            stale.append(path)
        else:
            results[str(path)] = hit
    # Each batch starts its worker processes afresh, forked from this process as it fills with
    # records, which costs more with every batch; without a progress bar to move, one batch.
    batch = max(2000, -(-len(stale) // 10)) if progress is not None else max(1, len(stale))
    for start in range(0, len(stale), batch):
        chunk = stale[start : start + batch]
        for path, found in zip(chunk, map_files(read_record, chunk, threshold=400), strict=True):
            results[str(path)] = found
            index.put(path, found)
        if progress is not None:
            progress(len(files) - len(stale) + min(start + batch, len(stale)), len(files))
    index.save(keep={str(p) for p in files})
    records = [r for r in results.values() if isinstance(r, ReviewRecord)]
    skipped = [r for r in results.values() if isinstance(r, Problem)]
    records.sort(key=review_order)
    skipped.sort(key=lambda p: str(p.path))
    return Scan(records, skipped)


class _Index:
    """Front matter already read, by file path, with the size and mtime it was read at."""

    def __init__(self, path: Path | None, entries: dict[str, list[Any]]) -> None:
        self.path = path
        self.entries = entries
        self.changed = False

    @classmethod
    def open(cls, folder: Path) -> _Index:
        import hashlib
        import json

        from ..config import code_stamp, user_cache_dir

        try:
            key = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:16]
            path = user_cache_dir() / f"reviews-{key}.json"
        except OSError:
            return cls(None, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            # Records read by other code (another commit, even of the same version) are read again.
            if data.get("code") == code_stamp() and isinstance(data.get("entries"), dict):
                return cls(path, data["entries"])
        except (OSError, ValueError, AttributeError):
            pass  # no index yet, or a damaged one: it is only a cache, start again
        return cls(path, {})

    @staticmethod
    def _stamp(path: Path) -> list[int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_mtime_ns, st.st_size]

    def get(self, path: Path) -> ReviewRecord | Problem | None:
        entry = self.entries.get(str(path))
        if entry is None or entry[:2] != self._stamp(path):
            return None
        kind, data = entry[2], entry[3]
        if kind == "problem":
            return Problem(path, data[0], data[1], data[2])
        return ReviewRecord(
            path=path,
            playbook=data["playbook"],
            playbook_version=data["playbook_version"],
            deal=data["deal"],
            date=dt.date.fromisoformat(data["date"]),
            answers=data["answers"],
            recommendation=data["recommendation"],
            confidence=data["confidence"],
            scores=data["scores"],
            flags=tuple(data["flags"]),
            gaps=tuple(data["gaps"]),
            participant=data["participant"],
            participants=tuple(data["participants"]),
            disagreements=data["disagreements"],
        )

    def put(self, path: Path, found: ReviewRecord | Problem) -> None:
        stamp = self._stamp(path)
        if stamp is None:
            return
        if isinstance(found, Problem):
            entry = [*stamp, "problem", [found.line, found.column, found.message]]
        else:
            data = {k: getattr(found, k) for k in ReviewRecord.__dataclass_fields__ if k != "path"}
            data["date"] = found.date.isoformat()
            entry = [*stamp, "record", data]
        self.entries[str(path)] = entry
        self.changed = True

    def save(self, keep: set[str]) -> None:
        import json

        from ..config import code_stamp
        from ..files import write_atomic

        gone = [p for p in self.entries if p not in keep]
        for p in gone:
            del self.entries[p]
        if self.path is None or not (self.changed or gone):
            return
        try:
            text = json.dumps({"code": code_stamp(), "entries": self.entries}, default=str)
            write_atomic(self.path, text, overwrite=True)
        except (OSError, TypeError, ValueError):
            pass  # an index that cannot be written only costs speed next time


@dataclass(frozen=True)
class Filters:
    playbook: str | None = None
    deal: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def keep(self, record: ReviewRecord) -> bool:
        from ..names import deal_key

        if self.playbook and record.playbook != self.playbook:
            return False
        if self.deal and deal_key(record.deal) != deal_key(self.deal):
            return False
        if self.since and record.date < self.since:
            return False
        return not (self.until and record.date > self.until)


# -- deals -----------------------------------------------------------------------------------


@dataclass
class DealSummary:
    name: str
    reviews: int
    first: dt.date
    last: dt.date
    last_playbook: str
    last_recommendation: str | None
    last_confidence: str


def by_deal(records: list[ReviewRecord]) -> dict[str, list[ReviewRecord]]:
    """Reviews by deal: by the name with case and spacing ignored, never by folder name, so a
    folder that an earlier version shared between deals still counts them apart."""
    from ..names import deal_key

    grouped: dict[str, list[ReviewRecord]] = defaultdict(list)
    for record in records:
        grouped[deal_key(record.deal)].append(record)
    return dict(grouped)


def deal_summaries(records: list[ReviewRecord]) -> list[DealSummary]:
    summaries = []
    for reviews in by_deal(records).values():
        last = reviews[-1]
        summaries.append(
            DealSummary(
                name=last.deal,
                reviews=len(reviews),
                first=reviews[0].date,
                last=last.date,
                last_playbook=last.playbook,
                last_recommendation=last.recommendation,
                last_confidence=last.confidence,
            )
        )
    return sorted(summaries, key=lambda s: (s.last, s.name), reverse=True)


@dataclass
class TimelineEntry:
    record: ReviewRecord
    previous: ReviewRecord | None  # the deal's previous review with the same playbook
    recommendation_changed: bool = False
    confidence_changed: bool = False
    answers_changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    flags_raised: list[str] = field(default_factory=list)
    flags_cleared: list[str] = field(default_factory=list)


def timeline(reviews: list[ReviewRecord]) -> list[TimelineEntry]:
    """A deal's reviews in time order, each compared with the last one of the same playbook
    (and, in a retrospective, by the same participant)."""
    last_by_playbook: dict[tuple[str, str], ReviewRecord] = {}
    entries = []
    for record in sorted(reviews, key=review_order):
        previous = last_by_playbook.get((record.playbook, record.participant))
        entry = TimelineEntry(record, previous)
        if previous is not None:
            entry.recommendation_changed = previous.recommendation != record.recommendation
            entry.confidence_changed = previous.confidence != record.confidence
            for qid in [*record.answers, *(q for q in previous.answers if q not in record.answers)]:
                before, after = previous.answers.get(qid), record.answers.get(qid)
                if before != after:
                    entry.answers_changed[qid] = (before, after)
            entry.flags_raised = [f for f in record.flags if f not in previous.flags]
            entry.flags_cleared = [f for f in previous.flags if f not in record.flags]
        last_by_playbook[(record.playbook, record.participant)] = record
        entries.append(entry)
    return entries
