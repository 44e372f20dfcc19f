"""Making a review (the data is in model.py) and how it is stored: front matter, merging, paths.

A review file is Markdown with YAML front matter. The front matter has the same shape as an
answers file (playbook, deal, answers) plus the outcome, so a review can be fed back in with
`--answers`, re-scored after the playbook changes, and summarised without reading the body.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..names import slugify
from ..playbook.model import Playbook, namespace
from ..version import __version__
from .callplan import call_plan
from .model import FollowUp, Review, _comparable
from .scoring import label, score


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
    follow_up: list[FollowUp] | None = None,
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
        follow_up=list(follow_up or []),
    )


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
    if r.split:  # only when there is one, so a clear review's front matter reads as before
        data["split"] = list(r.split)
    if review.answered_with_version not in (None, review.playbook.version):
        data["answered_with_version"] = review.answered_with_version
    if review.removed:
        data["removed_answers"] = dict(review.removed)
    if review.participant:
        data["participant"] = review.participant
    if review.team:
        data["participants"] = list(review.team)
        data["disagreements"] = review.disagreements
    if review.follow_up:
        data["follow_up"] = [item.as_dict() for item in review.follow_up]
    return data


def to_data(review: Review) -> dict[str, Any]:
    """Everything in the review as plain data: the JSON format and the templates' context."""
    pb, r = review.playbook, review.result
    strategies = {s.id: s for s in pb.strategies}
    names = namespace(pb, review.answers)  # texts are templates over the answers, items conditional

    def strategy_data(sid: str) -> dict[str, Any]:
        s = strategies[sid]
        return {
            "id": s.id,
            "title": s.title,
            "why": " ".join(s.texts("why", names)),
            "risks": s.texts("risks", names),
            "next_steps": s.texts("next_steps", names),
            "talk_track": s.texts("talk_track", names),
            "route": s.route,
            "score": r.scores[sid],
            "against": [c.says for c in r.reasons_against(sid)],
            "premises": list(r.premises_by_strategy.get(sid, [])),
        }

    def gap(g: Any) -> dict[str, Any]:
        return {"question": g.question, "prompt": g.prompt, "find_out": g.find_out}

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
    if r.split:  # a split: what pointed to any of them, not what favours the first over the second
        best = {id(c): max(c.points.get(sid, 0) for sid in r.split) for c in r.contributions}
        reasons = [contribution(c) for c in sorted(r.contributions, key=lambda c: -best[id(c)]) if best[id(c)] > 0]
    others = []
    for s in pb.strategies:
        if s.id == r.recommended or s.id in r.split:
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
        "split": list(r.split),
        "split_strategies": [strategy_data(sid) for sid in r.split],
        "separating": gap(r.separating) if r.separating else None,
        "conditional": r.conditional,
        "premises": list(r.unknown_premises),
        "find_out_first": [gap(g) for g in r.find_out_first],
        "check_first": [{"question": c.question, "says": c.says, "source": c.source} for c in r.check_first],
        "unestablished": [
            {"rule": u.rule, "says": u.says, "missing": u.missing, "found": u.found, "needed": u.needed}
            for u in r.unestablished
        ],
        "flags": [{"rule": f.rule, "severity": f.severity, "text": f.text} for f in r.flags],
        "gaps": [gap(g) for g in r.gaps],
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
        "follow_up": [{"result": "", "strategy": "", **item.as_dict()} for item in review.follow_up],
        "call_plan": plan.as_dict() if (plan := call_plan(review)) is not None else {},
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


def review_path(
    reviews_dir: Path, deal: str, playbook_id: str, date: dt.date, suffix: str, participant: str = ""
) -> Path:
    from .folders import deal_folder

    who = f"--{slugify(participant)}" if participant else ""
    return deal_folder(reviews_dir, deal) / f"{date.isoformat()}-{playbook_id}{who}{suffix}"
