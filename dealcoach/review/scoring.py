"""Scoring: from answers to a recommendation, with the reasons, flags, gaps and confidence.

Every strategy starts at 0; answers and rules add points; vetoes remove strategies. The highest
score left wins, ties going to playbook order. Deterministic: the same answers always give the
same result, so reviews can be re-scored and examples can be tests.

Confidence comes from two numbers the review states: coverage (how many of the asked questions
that carry weight were answered) and margin (points between the winner and the runner-up).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, Problem
from ..playbook.expressions import UNKNOWN
from ..playbook.model import Playbook, Question, namespace

HIGH = {"coverage": 0.8, "margin": 4}
MEDIUM = {"coverage": 0.6, "margin": 2}


@dataclass(frozen=True)
class Contribution:
    """Points that one answer or one rule added, and the answer in plain words."""

    source: str  # question id, or rule id
    kind: str  # "answer" | "rule"
    says: str
    points: dict[str, int]


@dataclass(frozen=True)
class RaisedFlag:
    rule: str
    severity: str
    text: str


@dataclass(frozen=True)
class Gap:
    question: str
    prompt: str
    find_out: str


@dataclass(frozen=True)
class Flip:
    """One answer that, changed on its own, would change the recommendation."""

    question: str
    prompt: str
    now: str
    instead: str
    strategy: str
    # For multi questions the change is one option ticked or unticked; say that, not two lists.
    toggled: str = ""
    ticked: bool = False


@dataclass(frozen=True)
class Unestablished:
    """A rule whose `when` holds but whose evidence is short: its conclusion does not stand yet."""

    rule: str
    says: str
    missing: str
    found: int
    needed: int


@dataclass(frozen=True)
class CheckFirst:
    """A deciding answer the rep has only second-hand or assumes."""

    question: str
    says: str
    source: str  # secondhand | assumed


@dataclass
class Result:
    scores: dict[str, int]
    recommended: str | None
    runner_up: str | None
    margin: int | None
    coverage: float
    weighted_asked: int
    weighted_answered: int
    confidence: str
    vetoed: dict[str, list[str]] = field(default_factory=dict)
    contributions: list[Contribution] = field(default_factory=list)
    flags: list[RaisedFlag] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    flips: list[Flip] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    # Strategies within the playbook's split margin of the winner, winner first; empty when clear.
    split: list[str] = field(default_factory=list)
    separating: Gap | None = None  # the question whose answer best separates a split
    # Premises of the recommended strategy that are not known yet: the advice is "if X, then this".
    unknown_premises: list[str] = field(default_factory=list)
    # The same for every strategy, so each side of a split can say what it rests on.
    premises_by_strategy: dict[str, list[str]] = field(default_factory=dict)
    unestablished: list[Unestablished] = field(default_factory=list)
    check_first: list[CheckFirst] = field(default_factory=list)
    find_out_first: list[Gap] = field(default_factory=list)

    @property
    def conditional(self) -> bool:
        return bool(self.unknown_premises)

    def reasons_for(self, strategy: str, against: str | None) -> list[Contribution]:
        """Contributions that favour `strategy` over `against`, weightiest first."""

        def weight(c: Contribution) -> int:
            return c.points.get(strategy, 0) - (c.points.get(against, 0) if against else 0)

        return sorted((c for c in self.contributions if weight(c) > 0), key=weight, reverse=True)

    def reasons_against(self, strategy: str) -> list[Contribution]:
        """Contributions that took points from `strategy`, most damaging first."""
        hurt = [c for c in self.contributions if c.points.get(strategy, 0) < 0]
        return sorted(hurt, key=lambda c: c.points[strategy])


def label(question: Question, value: Any) -> str:
    """An answer as the rep saw it: the choice label, Yes/No, or the text itself."""
    if value is None:
        return "I don't know"
    if question.type in ("choice", "yesno"):
        option = question.option(value)
        return option.label if option else str(value)
    if question.type == "multi":
        return ", ".join((option.label if (option := question.option(v)) else str(v)) for v in value) or "none of these"
    if question.type == "list":
        return ", ".join(value) or "none"
    if question.type == "text" and not str(value).strip():
        return "(left blank)"
    if question.type == "number" and question.unit:
        return f"{value}{question.unit}" if question.unit == "%" else f"{value} {question.unit}"
    return str(value)


@contextmanager
def at_line(playbook: Playbook, line: int) -> Iterator[None]:
    """Name the playbook file and line when an expression or text fails while a review is scored."""
    try:
        yield
    except InputError as exc:
        if exc.problems:
            raise
        raise InputError(exc.message, [Problem(playbook.path, line, 1, exc.message)]) from None


def score(playbook: Playbook, answers: dict[str, Any], flips: bool = True) -> Result:
    """Score `answers` against `playbook`; `flips=False` skips the what-would-change search."""
    asked = playbook.asked(answers)
    asked_ids = {q.id for q in asked}
    effective = {qid: v for qid, v in answers.items() if qid in asked_ids}
    names = namespace(playbook, effective)

    scores = {s.id: 0 for s in playbook.strategies}
    contributions: list[Contribution] = []
    for question in asked:
        value = effective.get(question.id)
        if value is None:
            continue
        chosen = value if question.type == "multi" else [value]
        for v in chosen:
            option = question.option(v)
            if option is None or not option.points:
                continue
            with at_line(playbook, question.line):
                says = option.says.render(names) if option.says else f"{question.prompt} {option.label}"
            contributions.append(Contribution(question.id, "answer", says, dict(option.points)))

    vetoed: dict[str, list[str]] = {}
    flags: list[RaisedFlag] = []
    unestablished: list[Unestablished] = []
    for rule in playbook.rules:
        with at_line(playbook, rule.line):
            if not rule.when(names):
                continue
            reason = rule.says.render(names) if rule.says else ""
            if rule.evidence is not None:
                found = sum(1 for condition in rule.evidence.of if condition(names))
                if found < rule.evidence.min:  # the conclusion does not stand yet: nothing else happens
                    unestablished.append(
                        Unestablished(
                            rule.id, reason or rule.when.source, rule.evidence.missing, found, rule.evidence.min
                        )
                    )
                    continue
            if rule.points:
                contributions.append(Contribution(rule.id, "rule", reason or f"{rule.when.source}", dict(rule.points)))
            if rule.flag:
                flags.append(RaisedFlag(rule.id, rule.flag.severity, rule.flag.text.render(names)))
            # A flag against a strategy vetoes it, so a flag never stands under a headline it contradicts.
            for against in (*rule.veto, *(rule.flag.against if rule.flag else ())):
                text = reason or (rule.flag.text.render(names) if rule.flag else rule.when.source)
                vetoed.setdefault(against, []).append(text)

    for c in contributions:
        for sid, amount in c.points.items():
            if sid in scores:  # shared rules may name strategies this playbook does not have
                scores[sid] += amount

    # Premises: false rules the strategy out; unknown makes it conditional if it wins.
    unknown_premises: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for strategy in playbook.strategies:
        for premise in strategy.requires:
            if premise.when(names):
                continue
            unknown_names = frozenset(n for n in premise.when.names if names.get(n, UNKNOWN) is UNKNOWN)
            if unknown_names:
                unknown_premises.setdefault(strategy.id, []).append((premise.premise, unknown_names))
            else:
                vetoed.setdefault(strategy.id, []).append(f"it needs {premise.premise}, and the answers say otherwise")

    standing = [s.id for s in playbook.strategies if s.id not in vetoed]
    # Stable sort keeps playbook order among equal scores: ties go to the earlier strategy.
    ranked = sorted(standing, key=lambda sid: -scores[sid])
    recommended = ranked[0] if ranked else None
    runner_up = ranked[1] if len(ranked) > 1 else None
    margin = scores[recommended] - scores[runner_up] if recommended and runner_up else None
    split = (
        [sid for sid in ranked if scores[recommended] - scores[sid] <= playbook.split_margin]
        if recommended and runner_up is not None and margin is not None and margin <= playbook.split_margin
        else []
    )

    referenced = {name for rule in playbook.rules for name in rule.when.names}
    # Evidence and premises decide too: their questions count towards coverage.
    referenced |= {n for rule in playbook.rules if rule.evidence for c in rule.evidence.of for n in c.names}
    referenced |= {n for strategy in playbook.strategies for p in strategy.requires for n in p.when.names}
    weighted = [q for q in asked if q.scores or q.id in referenced]
    answered = [q for q in weighted if effective.get(q.id) is not None]
    coverage = len(answered) / len(weighted) if weighted else 1.0
    confidence = _confidence(recommended, coverage, margin)
    premises = unknown_premises.get(recommended or "", [])
    check_first = _check_first(playbook, effective, contributions, recommended)
    if split:
        confidence = "low"  # a split is never one confident recommendation
    elif (premises or check_first) and confidence == "high":
        confidence = "medium"

    gaps = [_gap(q, names) for q in asked if effective.get(q.id) is None and (q.gap or q in weighted)]
    severity_order = {"high": 0, "medium": 1, "low": 2}
    flags.sort(key=lambda f: severity_order.get(f.severity, 3))

    result = Result(
        scores=scores,
        recommended=recommended,
        runner_up=runner_up,
        margin=margin,
        coverage=coverage,
        weighted_asked=len(weighted),
        weighted_answered=len(answered),
        confidence=confidence,
        vetoed=vetoed,
        contributions=contributions,
        flags=flags,
        gaps=gaps,
        asked=[q.id for q in asked],
        split=split,
        unknown_premises=[text for text, _ in premises],
        premises_by_strategy={sid: [text for text, _ in found] for sid, found in unknown_premises.items()},
        unestablished=unestablished,
        check_first=check_first,
    )
    if flips and recommended is not None:
        result.flips = _flips(playbook, answers, asked, recommended, split)
    if flips and (confidence == "low" or premises or split):
        premise_questions = [n for _, found in premises for n in sorted(found)]
        result.find_out_first = _find_out_first(playbook, answers, result, asked, premise_questions)
        if split:
            result.separating = _separating(playbook, answers, result, asked)
    return result


def _check_first(
    playbook: Playbook, answers: dict[str, Any], contributions: list[Contribution], recommended: str | None
) -> list[CheckFirst]:
    """Answers that gave the winner points but that the rep has second-hand or assumes."""
    found = []
    for c in contributions:
        if c.kind != "answer" or not recommended or c.points.get(recommended, 0) <= 0:
            continue
        source = answers.get(f"{c.source}_source")
        question = playbook.question(c.source)
        if question is not None and question.verify and source in ("secondhand", "assumed"):
            found.append(CheckFirst(c.source, c.says, source))
    return found


def _domain(playbook: Playbook, question: Question, current: Any) -> list[Any]:
    """Every value worth trying for a question: the other answers, or all of them when unknown."""
    if current is None and question.type == "number":
        return sorted({v for t in _thresholds(playbook, question) for v in (t - 1, t, t + 1)})
    if current is None and question.type == "multi":
        return [[o.value] for o in question.options]
    return _alternatives(question, current, _thresholds(playbook, question))


def _movement(base: Result, trial: Result) -> tuple[int, int]:
    """How far a trial answer moves the advice: a new winner first, then points moved."""
    changed = int(trial.recommended != base.recommended or trial.split != base.split)
    shift = sum(abs(trial.scores[sid] - base.scores[sid]) for sid in base.scores)
    return changed, shift


def _find_out_first(
    playbook: Playbook, answers: dict[str, Any], base: Result, asked: list[Question], premise_questions: list[str]
) -> list[Gap]:
    """The one to three unknowns that would most change the advice, premises first."""
    ranked: list[tuple[tuple[int, int, int], int, Question]] = []
    for order, question in enumerate(asked):
        if answers.get(question.id) is not None or question.source_of:
            continue
        best = (0, 0)
        for value in _domain(playbook, question, None):
            trial = score(playbook, {**answers, question.id: value}, flips=False)
            best = max(best, _movement(base, trial))
        premise = int(question.id in premise_questions)
        if premise or best > (0, 0):
            ranked.append(((premise, *best), order, question))
    ranked.sort(key=lambda item: (tuple(-k for k in item[0]), item[1]))
    names = namespace(playbook, answers)
    return [_gap(q, names) for _, _, q in ranked[:3]]


def _separating(playbook: Playbook, answers: dict[str, Any], base: Result, asked: list[Question]) -> Gap | None:
    """The question whose answers make different members of a split the clear winner."""
    best: tuple[int, int, int] | None = None
    found: Question | None = None
    for order, question in enumerate(asked):
        if question.source_of:
            continue
        current = answers.get(question.id)
        winners: set[str] = set()
        for value in _domain(playbook, question, current):
            trial = score(playbook, {**answers, question.id: value}, flips=False)
            if not trial.split and trial.recommended in base.split:
                winners.add(trial.recommended)
        # Unknown questions first (answering them costs nothing already decided), then playbook order.
        key = (len(winners), int(current is None), -order)
        if winners and (best is None or key > best):
            best, found = key, question
    return _gap(found, namespace(playbook, answers)) if found is not None else None


def _gap(question: Question, names: dict[str, Any]) -> Gap:
    """What to find out, rendered over the other answers like every other text. A question the
    playbook did not write (a `verify` question's "How do you know?") has its text as made."""
    find_out = question.gap_text.render(names) if question.gap_text else question.gap
    return Gap(question.id, question.prompt, find_out or f"Find out: {question.prompt}")


def _confidence(recommended: str | None, coverage: float, margin: int | None) -> str:
    if recommended is None:
        return "low"
    wide = margin is None  # every other strategy was vetoed
    if coverage >= HIGH["coverage"] and (wide or margin >= HIGH["margin"]):  # type: ignore[operator]
        return "high"
    if coverage >= MEDIUM["coverage"] and (wide or margin >= MEDIUM["margin"]):  # type: ignore[operator]
        return "medium"
    return "low"


def _thresholds(playbook: Playbook, question: Question) -> list[float]:
    """Numbers the playbook's conditions compare this question with (`deferrals >= 3` gives 3)."""
    found: set[float] = set()
    conditions = [r.when for r in playbook.rules] + [q.when for q in playbook.questions if q.when is not None]
    for condition in conditions:
        for name, value in condition.literals:
            if name == question.id and isinstance(value, (int, float)) and not isinstance(value, bool):
                found.add(value)
    return sorted(found)


def _alternatives(question: Question, current: Any, thresholds: list[float] = ()) -> list[Any]:  # type: ignore[assignment]
    if question.type in ("choice", "yesno"):
        return [o.value for o in question.options if o.value != current]
    if question.type == "multi":
        chosen = list(current or [])
        return [
            [v for v in chosen if v != o.value] if o.value in chosen else [*chosen, o.value] for o in question.options
        ]
    if question.type == "scale" and question.min is not None and question.max is not None:
        return [v for v in range(int(question.min), int(question.max) + 1) if v != current]
    if question.type == "number" and current is not None:
        # Either side of each threshold a rule uses, within the question's bounds.
        candidates = {int(t) - 1 if float(t).is_integer() else t - 0.5 for t in thresholds}
        candidates |= {int(t) if float(t).is_integer() else t for t in thresholds}
        candidates |= {int(t) + 1 if float(t).is_integer() else t + 0.5 for t in thresholds}
        low = question.min if question.min is not None else float("-inf")
        high = question.max if question.max is not None else float("inf")
        return sorted(v for v in candidates if low <= v <= high and v != current)
    return []


def _flips(
    playbook: Playbook,
    answers: dict[str, Any],
    asked: list[Question],
    recommended: str,
    split: list[str] = (),  # type: ignore[assignment]
) -> list[Flip]:
    """Try every other value of every asked question; keep those that change the winner.

    For a split decision, keep those that settle it: one strategy clearly ahead, whichever it is.
    """
    found: list[tuple[int, int, Flip]] = []
    for order, question in enumerate(asked):
        current = answers.get(question.id)
        for value in _alternatives(question, current, _thresholds(playbook, question)):
            trial = score(playbook, {**answers, question.id: value}, flips=False)
            if trial.recommended is None:
                continue
            if (trial.split or trial.recommended == recommended) if split else trial.recommended == recommended:
                continue
            toggled, ticked = "", False
            if question.type == "multi":
                (changed,) = set(current or []) ^ set(value)
                option = question.option(changed)
                toggled, ticked = (option.label if option else str(changed)), changed in value
            flip = Flip(
                question=question.id,
                prompt=question.prompt,
                now=label(question, current),
                instead=label(question, value),
                strategy=trial.recommended,
                toggled=toggled,
                ticked=ticked,
            )
            found.append((-(trial.margin if trial.margin is not None else 99), order, flip))
    found.sort(key=lambda item: (item[0], item[1]))
    return [flip for _, _, flip in found]
