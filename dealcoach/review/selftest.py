"""A playbook's `examples` are its tests: answers in, expected outcome out."""

from __future__ import annotations

from dataclasses import dataclass

from ..playbook.model import Example, Playbook
from .scoring import score


@dataclass
class ExampleOutcome:
    example: Example
    mismatches: list[str]

    @property
    def passed(self) -> bool:
        return not self.mismatches


def run_example(playbook: Playbook, example: Example) -> ExampleOutcome:
    """Score the example's answers and compare with each expectation it states."""
    result = score(playbook, example.answers, flips=False)
    expect = example.expect
    mismatches: list[str] = []

    def show(sid: str | None) -> str:
        return "no strategy" if sid is None else sid

    if "strategy" in expect and expect["strategy"] != result.recommended:
        scores = ", ".join(f"{sid} {points}" for sid, points in result.scores.items())
        mismatches.append(
            f"strategy: expected {show(expect['strategy'])}, got {show(result.recommended)} (scores: {scores})"
        )
    if "confidence" in expect and expect["confidence"] != result.confidence:
        margin = "n/a" if result.margin is None else result.margin
        mismatches.append(
            f"confidence: expected {expect['confidence']}, got {result.confidence} "
            f"(coverage {result.coverage:.0%}, margin {margin})"
        )
    raised = {f.rule for f in result.flags}
    for rule in expect.get("flags") or ():
        if rule not in raised:
            mismatches.append(f"flags: expected {rule} to be raised; raised: {sorted(raised) or 'none'}")
    for strategy in expect.get("vetoed") or ():
        if strategy not in result.vetoed:
            mismatches.append(f"vetoed: expected {strategy} to be vetoed; vetoed: {sorted(result.vetoed) or 'none'}")
    gaps = {g.question for g in result.gaps}
    for question in expect.get("gaps") or ():
        if question not in gaps:
            mismatches.append(f"gaps: expected {question} to be a gap; gaps: {sorted(gaps) or 'none'}")
    if "split" in expect and sorted(expect["split"] or []) != sorted(result.split):  # in any order
        scores = ", ".join(f"{sid} {points}" for sid, points in result.scores.items())
        mismatches.append(
            f"split: expected {expect['split'] or 'none'}, got {result.split or 'none'} (scores: {scores})"
        )
    if "conditional" in expect and bool(expect["conditional"]) != result.conditional:
        premises = "; ".join(result.unknown_premises) or "none"
        mismatches.append(
            f"conditional: expected {str(expect['conditional']).lower()}, got {str(result.conditional).lower()} "
            f"(unknown premises: {premises})"
        )
    unestablished = {u.rule for u in result.unestablished}
    for rule in expect.get("unestablished") or ():
        if rule not in unestablished:
            mismatches.append(
                f"unestablished: expected {rule} to be not yet established; not established: "
                f"{sorted(unestablished) or 'none'}"
            )
    return ExampleOutcome(example, mismatches)


def run_examples(playbook: Playbook) -> list[ExampleOutcome]:
    return [run_example(playbook, example) for example in playbook.examples]
