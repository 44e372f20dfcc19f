"""Patterns across many reviews, for a coach: why deals are lost, which red flags came before the
losses, what reps most often do not know, what each playbook recommends, and how confidence moves
over time. Computed from front matter only (see history.py)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import ReviewRecord, by_deal

POSTMORTEM = "lost-deal-postmortem"


@dataclass
class Labels:
    """Readable names for ids, from the playbooks that are installed (ids are the fallback)."""

    strategies: dict[tuple[str, str], str] = field(default_factory=dict)
    questions: dict[tuple[str, str], str] = field(default_factory=dict)
    rules: dict[tuple[str, str], str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    options: dict[tuple[str, str, Any], str] = field(default_factory=dict)

    def strategy(self, playbook: str, sid: str | None) -> str:
        return self.strategies.get((playbook, sid or ""), sid or "(none)")

    def question(self, playbook: str, qid: str) -> str:
        return self.questions.get((playbook, qid), qid)

    def rule(self, playbook: str, rid: str) -> str:
        return self.rules.get((playbook, rid), rid)


def labels_from(paths: list[Path]) -> Labels:
    from ..errors import DealcoachError
    from ..playbook.loader import load_cached

    labels = Labels()
    for path in paths:
        try:
            pb = load_cached(path)
        except DealcoachError:
            continue
        labels.versions[pb.id] = pb.version
        for s in pb.strategies:
            labels.strategies[(pb.id, s.id)] = s.title
        for q in pb.questions:
            labels.questions[(pb.id, q.id)] = q.prompt
            for o in q.options:
                labels.options[(pb.id, q.id, o.value)] = o.label or str(o.value)
        for r in pb.rules:
            if r.flag is not None and r.id and "{" not in r.flag.text.source:
                # The flag's first sentence reads better in a table than its id.
                first = " ".join(r.flag.text.source.split()).split(". ")[0].rstrip(".")
                labels.rules[(pb.id, r.id)] = first if len(first) <= 90 else r.id
    return labels


@dataclass
class Insights:
    reviews: int
    deals: int
    skipped: int
    older_versions: int
    losses_by_cause: list[tuple[str, int]]
    flags_before_losses: list[tuple[str, int]]
    unknown_gaps: list[tuple[str, int]]
    recommendations: dict[str, list[tuple[str, int]]]
    confidence_by_month: list[tuple[str, dict[str, int]]]
    disagreements: list[tuple[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "deals": self.deals,
            "skipped": self.skipped,
            "older_versions": self.older_versions,
            "losses_by_cause": [{"cause": k, "count": v} for k, v in self.losses_by_cause],
            "flags_before_losses": [{"flag": k, "count": v} for k, v in self.flags_before_losses],
            "unknown_gaps": [{"question": k, "count": v} for k, v in self.unknown_gaps],
            "recommendations": {
                pb: [{"strategy": k, "count": v} for k, v in rows] for pb, rows in self.recommendations.items()
            },
            "confidence_by_month": [{"month": m, **counts} for m, counts in self.confidence_by_month],
            "disagreements": [{"question": k, "count": v} for k, v in self.disagreements],
        }


def compute(records: list[ReviewRecord], labels: Labels, skipped: int = 0, top: int = 10) -> Insights:
    causes: Counter[str] = Counter()
    flags_before: Counter[str] = Counter()
    gaps: Counter[str] = Counter()
    recs: dict[str, Counter[str]] = defaultdict(Counter)
    months: dict[str, Counter[str]] = defaultdict(Counter)
    disagreements: Counter[str] = Counter()
    older = 0
    for record in records:
        if record.participant:  # one person's answers feed the merged review, which is what counts
            continue
        for qid in record.gaps:
            gaps[f"{labels.question(record.playbook, qid)} ({record.playbook})"] += 1
        recs[record.playbook][labels.strategy(record.playbook, record.recommendation)] += 1
        months[record.date.strftime("%Y-%m")][record.confidence] += 1
        for qid in record.disagreements:
            disagreements[labels.question(record.playbook, qid)] += 1
        current = labels.versions.get(record.playbook)
        if current is not None and record.playbook_version < current:
            older += 1
    for reviews in by_deal(records).values():
        postmortems = [r for r in reviews if r.playbook == POSTMORTEM and not r.participant]
        if not postmortems:
            continue
        loss = postmortems[-1]
        causes[labels.strategy(POSTMORTEM, loss.recommendation)] += 1
        seen: set[str] = set()
        for earlier in reviews:
            if earlier.playbook == POSTMORTEM or earlier.date > loss.date:
                continue
            for rid in earlier.flags:
                seen.add(f"{labels.rule(earlier.playbook, rid)} ({earlier.playbook})")
        flags_before.update(seen)  # once per lost deal, however many reviews raised it
    return Insights(
        reviews=len(records),
        deals=len(by_deal(records)),
        skipped=skipped,
        older_versions=older,
        losses_by_cause=causes.most_common(),
        flags_before_losses=flags_before.most_common(top),
        unknown_gaps=gaps.most_common(top),
        recommendations={pb: counter.most_common() for pb, counter in sorted(recs.items())},
        confidence_by_month=[(m, {k: months[m][k] for k in ("high", "medium", "low")}) for m in sorted(months)],
        disagreements=disagreements.most_common(top),
    )


def _bar(value: int, largest: int, width: int = 24) -> str:
    return "█" * max(1, round(width * value / largest)) if largest and value else ""


def to_markdown(insights: Insights, title: str = "Deal insights") -> str:
    from ..text import md

    lines = [f"# {title}", ""]
    lines.append(
        f"{insights.reviews} reviews of {insights.deals} deals"
        + (f"; {insights.skipped} damaged files skipped" if insights.skipped else "")
        + (
            f"; {insights.older_versions} made with an older playbook version "
            "(counted as recorded; `dealcoach rescore` shows which would now differ)"
            if insights.older_versions
            else ""
        )
        + "."
    )

    def table(heading: str, header: str, rows: list[tuple[str, int]], empty: str) -> None:
        lines.extend(["", f"## {heading}", ""])
        if not rows:
            lines.append(empty)
            return
        largest = max(v for _, v in rows)
        lines.extend([f"| {header} | count | |", "|---|---:|---|"])
        lines.extend(f"| {md(k)} | {v} | {_bar(v, largest)} |" for k, v in rows)

    table("Losses by root cause", "root cause", insights.losses_by_cause, "No lost-deal post-mortems yet.")
    table(
        "Red flags raised before losses",
        "red flag (playbook)",
        insights.flags_before_losses,
        "No red flags were raised in reviews before a lost deal.",
    )
    table("Most often unknown", "question (playbook)", insights.unknown_gaps, "Nothing was left unknown.")
    lines.extend(["", "## Recommendations by playbook"])
    for playbook, rows in insights.recommendations.items():
        table_rows = rows
        lines.extend(["", f"### {playbook}", ""])
        largest = max(v for _, v in table_rows)
        lines.extend(["| recommendation | count | |", "|---|---:|---|"])
        lines.extend(f"| {md(k)} | {v} | {_bar(v, largest)} |" for k, v in table_rows)
    lines.extend(["", "## Confidence over time", ""])
    lines.extend(["| month | high | medium | low |", "|---|---:|---:|---:|"])
    lines.extend(f"| {m} | {c['high']} | {c['medium']} | {c['low']} |" for m, c in insights.confidence_by_month)
    if insights.disagreements:
        table("Where retrospective teams disagreed", "question", insights.disagreements, "")
    return "\n".join(lines) + "\n"


def to_csv(insights: Insights) -> str:
    """One row per number: section, key, sub-key, count; easy to pivot in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "detail", "count"])
    writer.writerow(["totals", "reviews", "", insights.reviews])
    writer.writerow(["totals", "deals", "", insights.deals])
    writer.writerow(["totals", "skipped", "", insights.skipped])
    for k, v in insights.losses_by_cause:
        writer.writerow(["losses_by_cause", k, "", v])
    for k, v in insights.flags_before_losses:
        writer.writerow(["flags_before_losses", k, "", v])
    for k, v in insights.unknown_gaps:
        writer.writerow(["unknown_gaps", k, "", v])
    for playbook, rows in insights.recommendations.items():
        for k, v in rows:
            writer.writerow(["recommendations", playbook, k, v])
    for month, counts in insights.confidence_by_month:
        for level, v in counts.items():
            writer.writerow(["confidence_by_month", month, level, v])
    for k, v in insights.disagreements:
        writer.writerow(["disagreements", k, "", v])
    return out.getvalue()


def to_json(insights: Insights) -> str:
    return json.dumps(insights.as_dict(), indent=2, ensure_ascii=False) + "\n"
