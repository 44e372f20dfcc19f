"""Playbooks: the model, the plain data a loaded playbook is (see loader.py for reading one).

Data only, so that everything that works with a playbook (answers, scoring, the review) can
import it without importing the loader, which itself checks defaults with answers.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .expressions import UNKNOWN, AnswerText, Condition, TextTemplate


@dataclass(frozen=True)
class Option:
    """One possible answer of a choice, multi or yesno question, and what it is worth."""

    value: Any
    label: str
    points: dict[str, int] = field(default_factory=dict)
    says: TextTemplate | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    help: str = ""
    when: Condition | None = None
    unknown: bool = False
    gap: str = ""  # as written (the catalogue shows it); `gap_text` renders it over the answers
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str = ""
    whole: bool = False
    default: Any = None
    line: int = 0
    verify: bool = False
    gap_text: TextTemplate | None = field(default=None, compare=False)
    # For a `<id>_source` companion question: the id of the question whose answer it qualifies.
    source_of: str = ""

    def option(self, value: Any) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None

    @property
    def scores(self) -> bool:
        """Whether any answer to this question adds points by itself."""
        return any(option.points for option in self.options)


SOURCE_VALUES = (
    ("firsthand", "I saw or heard it myself"),
    ("secondhand", "Someone told me"),
    ("assumed", "It is my read, not confirmed"),
)


@dataclass(frozen=True)
class Flag:
    severity: str
    text: TextTemplate
    against: tuple[str, ...] = ()  # strategies this flag contradicts: raised, it vetoes them


@dataclass(frozen=True)
class Evidence:
    """A conclusion that stands only when at least `min` of `of` hold (a post-mortem's root cause)."""

    min: int
    of: tuple[Condition, ...]
    missing: str


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    points: dict[str, int] = field(default_factory=dict)
    veto: tuple[str, ...] = ()
    flag: Flag | None = None
    says: TextTemplate | None = None
    line: int = 0
    evidence: Evidence | None = None


@dataclass(frozen=True)
class TextItem:
    """One item of `why`, `risks`, `next_steps` or `talk_track`: a template, shown when `when` holds."""

    text: TextTemplate
    when: Condition | None = None

    def applies(self, names: dict[str, Any]) -> bool:
        return self.when is None or self.when(names)


@dataclass(frozen=True)
class Premise:
    """A condition that must be known and true for a strategy to be recommended outright."""

    when: Condition
    premise: str


@dataclass(frozen=True)
class Strategy:
    id: str
    title: str
    why: str  # the unconditional text, as written (the catalogue and triage show it)
    risks: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    talk_track: tuple[str, ...] = ()
    route: str = ""
    # Every item of why / risks / next_steps / talk_track, conditional or not, as templates.
    items: dict[str, tuple[TextItem, ...]] = field(default_factory=dict)
    requires: tuple[Premise, ...] = ()

    def texts(self, key: str, names: dict[str, Any]) -> list[str]:
        """The items of `key` that apply to these answers, rendered."""
        return [item.text.render(names) for item in self.items.get(key, ()) if item.applies(names)]


@dataclass(frozen=True)
class Example:
    name: str
    answers: dict[str, Any]
    expect: dict[str, Any]
    line: int = 0


@dataclass(frozen=True)
class IncludedSet:
    """A shared set spliced into a playbook: where it came from, and which questions are its own.

    `beside` is the file that named it (include lookups fall back to that file's folder) and
    `stamp` the file's modification time and size when it was read: together they tell a cached
    playbook whether an included file has changed or another layer now provides that id.
    """

    id: str
    title: str
    path: Path
    beside: Path
    stamp: tuple[int, int]
    scope: str = ""
    questions: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


@dataclass
class SharedSet:
    """A `kind: shared` file: questions and rules that playbooks include by id."""

    id: str
    version: int
    title: str
    summary: str
    scope: str
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...] = ()
    includes: tuple[str, ...] = ()
    included: tuple[IncludedSet, ...] = ()
    path: Path = field(default_factory=lambda: Path("<memory>"))


@dataclass
class Playbook:
    id: str
    version: int
    title: str
    summary: str
    sources: tuple[str, ...]
    strategies: tuple[Strategy, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...] = ()
    examples: tuple[Example, ...] = ()
    situation: str = ""
    gaps_heading: str = "Find out before the call"
    split_margin: int = 1
    path: Path = field(default_factory=lambda: Path("<memory>"))
    includes: tuple[str, ...] = ()
    # Every shared set spliced in, nested ones first, each once: its questions come first.
    included: tuple[IncludedSet, ...] = ()

    def deal_questions(self) -> list[str]:
        """Ids of the questions whose answers are kept per deal (from sets with `scope: deal`)."""
        return [qid for s in self.included if s.scope == "deal" for qid in s.questions]

    def question(self, question_id: str) -> Question | None:
        return self._questions_by_id().get(question_id)

    def strategy(self, strategy_id: str) -> Strategy | None:
        for strategy in self.strategies:
            if strategy.id == strategy_id:
                return strategy
        return None

    def _questions_by_id(self) -> dict[str, Question]:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {q.id: q for q in self.questions}
            self.__dict__["_by_id"] = cache
        return cache

    def asked(self, answers: dict[str, Any]) -> list[Question]:
        """The questions that are asked given `answers`, in order (each `when` sees earlier ones)."""
        # One namespace filled in as questions are asked (not rebuilt per question), so this is
        # linear in the number of questions: scoring calls it once per "what would change" trial.
        names = namespace(self, {})
        result = []
        for question in self.questions:
            try:
                relevant = question.when is None or question.when(names)
            except InputError as exc:  # name the file and line: the user has to find the `when`
                raise InputError(
                    exc.message, [Problem(self._file_of(question), question.line, 1, exc.message)]
                ) from None
            if relevant:
                result.append(question)
                if answers.get(question.id) is not None:
                    names[question.id] = answers[question.id]
        return result

    def _file_of(self, question: Question) -> Path:
        """The file a question is written in: an included shared set's, or this playbook's."""
        for shared in self.included:
            if question.id in shared.questions:
                return shared.path
        return self.path

    @property
    def is_framework_based(self) -> bool:
        return any(s.lower().startswith("framework-based") for s in self.sources)


def namespace(playbook: Playbook, answers: dict[str, Any]) -> dict[str, Any]:
    """What expressions see: every question id, with UNKNOWN where there is no answer. Free text
    is marked so that texts quoting it escape it (see AnswerText)."""
    found: dict[str, Any] = {}
    for q in playbook.questions:
        value = answers.get(q.id)
        if value is None:
            found[q.id] = UNKNOWN
        elif q.type == "text" and isinstance(value, str):
            found[q.id] = AnswerText(" ".join(value.split()))  # blank is empty, so `or 'your contact'` applies
        else:
            found[q.id] = value
    return found
