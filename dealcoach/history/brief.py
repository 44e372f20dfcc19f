"""The brief for a deal's next call, from its own folder: context, open actions, each playbook's
current advice, what is still unknown, and the call plan of its latest review.

Only the deal's folder is read (its reviews, deal-context.yaml, actions.md, outcome.yaml), so a
brief takes the same time in a folder of ten reviews or a hundred thousand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DealcoachError, Problem
from ..playbook.model import Playbook
from .actions import ACTIONS_FILE, Action, read_actions
from .insights import POSTMORTEM
from .records import ReviewRecord, read_record, review_files

if TYPE_CHECKING:
    from ..review.callplan import CallPlan


@dataclass
class Advice:
    playbook: str
    title: str
    date: dt.date
    strategy: str | None
    strategy_title: str
    confidence: str
    path: Path


@dataclass
class Brief:
    deal: str
    context: list[tuple[str, str]]
    actions: list[Action]
    advice: list[Advice]
    unknown: list[tuple[str, str]]  # (playbook, what to find out)
    plan: CallPlan | None
    plan_from: str = ""
    outcome: str = ""
    problems: list[Problem] = field(default_factory=list)


def deal_records(folder: Path) -> tuple[list[ReviewRecord], list[Problem]]:
    records: list[ReviewRecord] = []
    problems: list[Problem] = []
    for path in review_files(folder):
        found = read_record(path)
        if isinstance(found, ReviewRecord):
            records.append(found)
        else:
            problems.append(found)
    records.sort(key=lambda r: (r.date, r.path.name))
    return records, problems


def make_brief(deal_folder: Path, load: Callable[[str], Playbook | None], today: dt.date) -> Brief:
    """The brief; `load(playbook_id)` gives the current playbook, or None when it is gone."""
    from ..review.context import CONTEXT_FILE, load_context
    from ..review.scoring import label
    from .outcomes import OUTCOME_FILE, read_outcome

    records, problems = deal_records(deal_folder)
    records = [r for r in records if not r.participant]
    deal = records[-1].deal if records else deal_folder.name
    latest: dict[str, ReviewRecord] = {}
    for record in records:
        latest[record.playbook] = record
    playbooks = {pid: load(pid) for pid in latest}
    advice = []
    unknown: list[tuple[str, str]] = []
    for pid, record in sorted(latest.items(), key=lambda kv: kv[1].date, reverse=True):
        pb = playbooks[pid]
        strategy = next((s for s in pb.strategies if s.id == record.recommendation), None) if pb else None
        advice.append(
            Advice(
                pid,
                pb.title if pb else pid,
                record.date,
                record.recommendation,
                strategy.title if strategy else (record.recommendation or "no strategy recommended"),
                record.confidence,
                record.path,
            )
        )
        if pid == POSTMORTEM:
            continue
        for qid in record.gaps:
            question = pb.question(qid) if pb else None
            text = (question.gap or f"Find out: {question.prompt}") if question else qid
            if all(text != seen for _, seen in unknown):
                unknown.append((pid, text))
    context: list[tuple[str, str]] = []
    try:
        saved = load_context(deal, deal_folder.parent) if (deal_folder / CONTEXT_FILE).is_file() else None
    except DealcoachError as exc:
        problems.extend(exc.problems)
        saved = None
    if saved is not None:
        for qid, value in saved.answers.items():
            question = next((q for pb in playbooks.values() if pb for q in [pb.question(qid)] if q), None)
            context.append((question.prompt if question else qid, label(question, value) if question else str(value)))
    actions = read_actions(deal_folder / ACTIONS_FILE, deal)
    problems.extend(actions.problems)
    plan, plan_from = None, ""
    # The plan comes from the latest review of a playbook that makes one: not the post-mortem, and
    # not a playbook that routes to others (triage), whose advice is which playbook to run.
    current = [r for r in records if r.playbook != POSTMORTEM and not _routes(playbooks[r.playbook])]
    if current and playbooks.get(current[-1].playbook) is not None:
        taken = {a.text for a in actions.actions}
        plan = _plan(playbooks[current[-1].playbook], current[-1], taken)  # type: ignore[arg-type]
        plan_from = current[-1].path.name
    outcome = ""
    if (deal_folder / OUTCOME_FILE).is_file():
        try:
            last = read_outcome(deal_folder / OUTCOME_FILE).last
            outcome = f"{last.outcome} on {last.date}" + (f": {last.note}" if last.note else "") if last else ""
        except DealcoachError as exc:
            problems.extend(exc.problems)
    open_actions = sorted(actions.open, key=lambda a: (not a.overdue(today), a.due or dt.date.max))
    return Brief(deal, context, open_actions, advice, unknown, plan, plan_from, outcome, problems)


def _routes(pb: Playbook | None) -> bool:
    return pb is not None and any(s.route for s in pb.strategies)


def _plan(pb: Playbook, record: ReviewRecord, taken: set[str]) -> CallPlan | None:
    """The call plan of the latest review, scored against the current playbook.

    A commitment the deal already has as an action gives way to the strategy's next step that is
    not one yet: the brief should not ask again for what was agreed last week.
    """
    from ..playbook.answers import check_answers
    from ..review.callplan import call_plan, recommended_texts
    from ..review.document import make_review

    answers, _ = check_answers(pb, {k: v for k, v in record.answers.items() if pb.question(k)}, None, ())
    review = make_review(pb, record.deal, answers, date=record.date)
    plan = call_plan(review)
    if plan is not None and plan.commitment in taken:
        fresh = next((s for s in recommended_texts(review, "next_steps") if s not in taken), "")
        plan = replace(plan, commitment=fresh)
    return plan


def to_markdown(brief: Brief, today: dt.date) -> str:
    from ..text import md

    lines = [f"# Brief for the next call: {md(brief.deal)}", ""]
    if brief.outcome:
        lines.extend([f"**Outcome recorded:** {md(brief.outcome)}", ""])
    if brief.plan is not None:
        plan = brief.plan
        lines.extend([f"## Plan for the next call (from {brief.plan_from})", ""])
        lines.extend([f"**Objective:** {plan.objective}", ""])
        lines.extend(f"{n}. {q.text}" for n, q in enumerate(plan.questions, start=1))
        if plan.commitment:
            lines.extend(["", f"**Commitment to ask for:** {plan.commitment}"])
        lines.append("")
    lines.extend(["## Open actions", ""])
    for a in brief.actions:
        due = f" (due {a.due}{', OVERDUE' if a.overdue(today) else ''})" if a.due else ""
        owner = f" — {md(a.owner)}" if a.owner else ""
        lines.append(f"- [ ] {md(a.text)}{owner}{due}")
    if not brief.actions:
        lines.append("- None open.")
    lines.extend(["", "## What each playbook advises now", ""])
    for advice in brief.advice:
        lines.append(
            f"- **{md(advice.title)}** ({advice.date}): {md(advice.strategy_title)}, confidence {advice.confidence}"
        )
    if not brief.advice:
        lines.append("- No reviews yet.")
    lines.extend(["", "## Still unknown", ""])
    lines.extend(f"- {md(text)} ({pid})" for pid, text in brief.unknown)
    if not brief.unknown:
        lines.append("- Nothing the latest reviews left open.")
    if brief.context:
        lines.extend(["", "## The deal", ""])
        lines.extend(f"- {md(prompt)} **{md(value)}**" for prompt, value in brief.context)
    return "\n".join(lines) + "\n"
