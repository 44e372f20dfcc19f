"""The plan for the next call, on one screen: an objective, three questions, one commitment.

Reps skip planning when it takes longer than the call; so the plan is drawn from what the review
already knows. The questions come first from what is still unknown, the most decisive first (an
unknown whose answers could change the recommendation ranks above one that could not), then from
the recommended strategy's talk track. The commitment is the strategy's first next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Review

QUESTIONS = 3


@dataclass(frozen=True)
class PlanQuestion:
    text: str
    source: str  # where it came from: "unknown" (a gap of the review) or "talk_track"
    question: str = ""  # the unknown's question id


@dataclass(frozen=True)
class CallPlan:
    objective: str
    questions: tuple[PlanQuestion, ...]
    commitment: str  # "" when the strategy has no next step

    def as_dict(self) -> dict[str, Any]:
        """The plan as the review's JSON and its templates see it."""
        return {
            "objective": self.objective,
            "questions": [{"text": q.text, "from": q.source, "question": q.question} for q in self.questions],
            "commitment": self.commitment,
        }


def decisive_unknowns(review: Review) -> list[str]:
    """Unknown question ids, the ones whose answer could change the recommendation first.

    Each unknown is tried with each of its values; the count of values that change the winner is
    its weight. Ties keep playbook order, which is the order the gaps are listed in.
    """
    from .scoring import _alternatives, score

    pb, r = review.playbook, review.result
    ranked: list[tuple[int, int, str]] = []
    for order, gap in enumerate(r.gaps):
        question = pb.question(gap.question)
        changes = 0
        if question is not None and question.type not in ("text", "list"):
            for value in _alternatives(question, None)[:8]:
                trial = score(pb, {**review.answers, gap.question: value}, flips=False)
                changes += trial.recommended != r.recommended
        ranked.append((-changes, order, gap.question))
    ranked.sort()
    return [qid for _, _, qid in ranked]


def recommended_texts(review: Review, key: str) -> list[str]:
    """The recommended strategy's `key` items (next_steps, talk_track...) as the review shows them:
    rendered over the answers, the conditional ones only where they apply. Never the raw playbook
    text, whose placeholders would reach the rep as written."""
    from ..playbook.model import namespace

    sid = review.result.recommended
    strategy = review.playbook.strategy(sid) if sid else None
    return strategy.texts(key, namespace(review.playbook, review.answers)) if strategy else []


def call_plan(review: Review) -> CallPlan | None:
    """The plan: objective, questions (text and where each came from), commitment.

    None for a playbook that routes to other playbooks (triage): its advice is which one to run.
    """
    if any(s.route for s in review.playbook.strategies):
        return None
    r = review.result
    strategy = next((s for s in review.playbook.strategies if s.id == r.recommended), None)
    gaps = {g.question: g for g in r.gaps}
    questions: list[PlanQuestion] = []
    # What the review says to find out first (premises of the advice, then what moves it most),
    # then the other unknowns that could change it: the plan and the review agree on what matters.
    first = [g.question for g in r.find_out_first if g.question in gaps]
    for qid in dict.fromkeys([*first, *decisive_unknowns(review)]):
        if len(questions) == QUESTIONS:
            break
        questions.append(PlanQuestion(gaps[qid].find_out, "unknown", qid))
    for line in recommended_texts(review, "talk_track"):
        if len(questions) == QUESTIONS:
            break
        questions.append(PlanQuestion(line, "talk_track"))
    if strategy is None:
        objective = "Find out enough to choose a strategy: every one was ruled out by these answers."
    elif r.confidence == "low":
        objective = f"Find out whether this holds: {strategy.title}."
    else:
        objective = f"{strategy.title}."
    steps = recommended_texts(review, "next_steps")
    commitment = steps[0] if steps else ""
    return CallPlan(objective, tuple(questions), commitment)
