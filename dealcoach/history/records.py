"""The store of past reviews: the Markdown files in a team's reviews folder, read by front matter.

There is no second database: every command here reads the YAML front matter at the top of each
review (and never the body), so a folder of thousands of reviews kept in git stays the single
source of truth. Damaged files are reported with their line and skipped; the rest still count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from .index import Store, walk

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
    answers: Mapping[str, Any]
    recommendation: str | None
    confidence: str
    scores: Mapping[str, int] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    participant: str = ""
    participants: tuple[str, ...] = ()
    disagreements: Mapping[str, dict[str, Any]] = field(default_factory=dict)


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
    """Every review (`*.md` but a deal's `actions.md`) under `folder`, in path order."""
    return [Path(p) for p, _ in walk(folder).reviews]


def scan(folder: Path, progress: Any = None, store: Store | None = None) -> Scan:
    """Every review under `folder`; `progress(done, total)` is called as batches finish.

    Parsed front matter is kept in the folder's index (see `index`), so only new or changed
    reviews are read again: a coach re-running insights over years of reviews waits for the
    changes, not the past. Given a `store`, its walk and index are used and the caller saves it.
    """
    own = store is None
    store = Store.open(folder) if store is None else store
    results: list[tuple[ReviewRecord | Problem, int | None]] = [
        (_from_index(store.path(name), kept), kept[-2] if kept[0] == "record" else None)
        for name, kept in store.read("reviews", _read_packed, progress)
    ]
    if own:
        store.save()
    # Sorted by each review's place among its deal's on its day as the index keeps it: working
    # it out again from each file's name costs more than the sort.
    ordered = [((r.date, place, r.path.name), r) for r, place in results if isinstance(r, ReviewRecord)]
    ordered.sort(key=lambda pair: pair[0])
    skipped = [r for r, _ in results if isinstance(r, Problem)]
    return Scan([r for _, r in ordered], skipped)


def _read_packed(name: str) -> tuple[Any, ...]:
    """A review's front matter as the index keeps it (read in a worker process)."""
    return _to_index(read_record(Path(name)))


class StoredAnswers(Mapping[str, Any]):
    """A review's answers as the index keeps them, decoded the first time they are read: most
    reports over many reviews never look at them, and 100,000 dictionaries take seconds to build."""

    __slots__ = ("_comparable", "_data", "_packed")

    def __init__(self, packed: bytes | str, comparable: bytes | None = None) -> None:
        self._packed: bytes | str | None = packed
        self._data: dict[str, Any] = {}
        self._comparable = comparable

    def comparable(self) -> list[tuple[str, Any]]:
        """`comparable(self)`, as worked out when the review was first read."""
        if self._comparable is None:
            return comparable(self._decoded())
        import marshal

        return list(marshal.loads(self._comparable))

    def _decoded(self) -> dict[str, Any]:
        if self._packed is not None:
            import json
            import marshal

            packed, self._packed = self._packed, None
            self._data = marshal.loads(packed) if isinstance(packed, bytes) else json.loads(packed)
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())


def comparable(answers: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Each answer as a comparable (question, value), for counting which answers go with which
    outcomes: a multiple answer as one ("includes", option) per ticked option; unknown answers
    and long free text are left out."""
    if isinstance(answers, StoredAnswers):
        return answers.comparable()
    keys: list[tuple[str, Any]] = []
    for qid, value in answers.items():
        if value is None:
            continue
        if isinstance(value, list):
            keys.extend((qid, ("includes", str(v))) for v in value)
        elif isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= 40):
            keys.append((qid, value))
    return keys


def _pack(answers: Mapping[str, Any]) -> bytes | str:
    """marshal where the answers are plain values (always, for answers dealcoach wrote), else
    JSON with anything else (a date a person typed into the front matter) as text."""
    import json
    import marshal

    try:
        return marshal.dumps(dict(answers))
    except ValueError:
        return json.dumps(dict(answers), default=str)


def _to_index(found: ReviewRecord | Problem) -> tuple[Any, ...]:
    if isinstance(found, Problem):
        return ("problem", found.line, found.column, found.message)
    return (
        "record",
        found.playbook,
        found.playbook_version,
        found.deal,
        found.date.toordinal(),
        _pack(found.answers),
        found.recommendation,
        found.confidence,
        _pack(found.scores),
        found.flags,
        found.gaps,
        found.participant,
        found.participants,
        _pack(found.disagreements) if found.disagreements else None,
        review_order(found)[1],
        _pack_comparable(found.answers),
    )


def _pack_comparable(answers: Mapping[str, Any]) -> bytes | None:
    import marshal

    try:
        return marshal.dumps(tuple(comparable(answers)))
    except ValueError:
        return None  # worked out again from the answers when asked


def _from_index(path: Path, kept: tuple[Any, ...]) -> ReviewRecord | Problem:
    if kept[0] == "problem":
        return Problem(path, kept[1], kept[2], kept[3])
    (_, playbook, version, deal, day, answers, recommendation, confidence) = kept[:8]
    (scores, flags, gaps, participant, participants, disagreements, _, keys) = kept[8:]
    # Filled in directly rather than through the frozen class's __init__ (which sets each field
    # through object.__setattr__): four times faster, and 100,000 records are made per report.
    record = object.__new__(ReviewRecord)
    record.__dict__.update(
        path=path,
        playbook=playbook,
        playbook_version=version,
        deal=deal,
        date=dt.date.fromordinal(day),
        answers=StoredAnswers(answers, keys),
        recommendation=recommendation,
        confidence=confidence,
        scores=StoredAnswers(scores),
        flags=flags,
        gaps=gaps,
        participant=participant,
        participants=participants,
        disagreements=StoredAnswers(disagreements) if disagreements is not None else {},
    )
    return record


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
