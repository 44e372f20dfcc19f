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
        return (
            ", ".join(
                (question.option(v).label if question.option(v) else str(v))
                for v in value  # type: ignore[union-attr]
            )
            or "none of these"
        )
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
    fired: list[bool] = []
    for rule in playbook.rules:
        with at_line(playbook, rule.line):
            fired.append(bool(rule.when(names)))
            if not fired[-1]:
                continue
            reason = rule.says.render(names) if rule.says else ""
            if rule.points:
                contributions.append(Contribution(rule.id, "rule", reason or f"{rule.when.source}", dict(rule.points)))
            if rule.flag:
                flags.append(RaisedFlag(rule.id, rule.flag.severity, rule.flag.text.render(names)))
            for strategy in rule.veto:
                text = reason or (rule.flag.text.render(names) if rule.flag else rule.when.source)
                vetoed.setdefault(strategy, []).append(text)

    for c in contributions:
        for sid, amount in c.points.items():
            scores[sid] += amount

    standing = [s.id for s in playbook.strategies if s.id not in vetoed]
    # Stable sort keeps playbook order among equal scores: ties go to the earlier strategy.
    ranked = sorted(standing, key=lambda sid: -scores[sid])
    recommended = ranked[0] if ranked else None
    runner_up = ranked[1] if len(ranked) > 1 else None
    margin = scores[recommended] - scores[runner_up] if recommended and runner_up else None

    referenced = {name for rule in playbook.rules for name in rule.when.names}
    weighted = [q for q in asked if q.scores or q.id in referenced]
    answered = [q for q in weighted if effective.get(q.id) is not None]
    coverage = len(answered) / len(weighted) if weighted else 1.0
    confidence = _confidence(recommended, coverage, margin)

    gaps = [
        Gap(q.id, q.prompt, q.gap or f"Find out: {q.prompt}")
        for q in asked
        if effective.get(q.id) is None and (q.gap or q in weighted)
    ]
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
    )
    if flips and recommended is not None:
        result.flips = _flips(playbook, answers, asked, recommended, _Base(scores, fired, names))
    return result


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


@dataclass
class _Base:
    """What the scoring of the real answers found, for trying one changed answer at a time."""

    scores: dict[str, int]
    fired: list[bool]  # by rule, in playbook order
    names: dict[str, Any]  # what the expressions saw


def _flips(
    playbook: Playbook, answers: dict[str, Any], asked: list[Question], recommended: str, base: _Base
) -> list[Flip]:
    """Try every other value of every asked question; keep those that change the winner.

    Most answers decide no other question's `when`: changing one then changes only its own
    points and the rules that name it, so the trial adjusts the scores already found instead of
    scoring the whole playbook again. That keeps a review of hundreds of questions to a moment.
    """
    gating = {name for q in playbook.questions if q.when is not None for name in q.when.names}
    rules_naming: dict[str, list[int]] = {}
    for index, rule in enumerate(playbook.rules):
        for name in rule.when.names:
            rules_naming.setdefault(name, []).append(index)
    found: list[tuple[int, int, Flip]] = []
    for order, question in enumerate(asked):
        current = answers.get(question.id)
        for value in _alternatives(question, current, _thresholds(playbook, question)):
            if question.id in gating:
                trial = score(playbook, {**answers, question.id: value}, flips=False)
                winner, margin = trial.recommended, trial.margin
            else:
                winner, margin = _one_changed(playbook, base, question, current, value, rules_naming)
            if winner == recommended or winner is None:
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
                strategy=winner,
                toggled=toggled,
                ticked=ticked,
            )
            found.append((-(margin if margin is not None else 99), order, flip))
    found.sort(key=lambda item: (item[0], item[1]))
    return [flip for _, _, flip in found]


def _one_changed(
    playbook: Playbook,
    base: _Base,
    question: Question,
    current: Any,
    value: Any,
    rules_naming: dict[str, list[int]],
) -> tuple[str | None, int | None]:
    """The winner and margin if `question`'s answer were `value`, for a question no `when` names
    (so the same questions are asked): the same result `score` would give, found by difference."""
    scores = dict(base.scores)
    for answer, sign in ((current, -1), (value, 1)):
        if answer is None:
            continue
        for v in answer if question.type == "multi" else [answer]:
            option = question.option(v)
            if option is not None:
                for sid, amount in option.points.items():
                    scores[sid] += sign * amount
    fired = {i: base.fired[i] for i in rules_naming.get(question.id, [])}
    if fired:
        names = {**base.names, question.id: UNKNOWN if value is None else value}
        for index in fired:
            now = bool(playbook.rules[index].when(names))
            if now != base.fired[index]:
                fired[index] = now
                for sid, amount in playbook.rules[index].points.items():
                    scores[sid] += amount if now else -amount
    vetoed = {
        sid for index, rule in enumerate(playbook.rules) if fired.get(index, base.fired[index]) for sid in rule.veto
    }
    standing = [s.id for s in playbook.strategies if s.id not in vetoed]
    ranked = sorted(standing, key=lambda sid: -scores[sid])
    if not ranked:
        return None, None
    return ranked[0], (scores[ranked[0]] - scores[ranked[1]]) if len(ranked) > 1 else None
