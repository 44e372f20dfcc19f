"""Does our coaching work? How deals went after each playbook, strategy and red flag.

Joins three things kept in the reviews folder: the reviews (front matter), each deal's outcome
(outcome.yaml) and its actions (actions.md). A deal counts once per row: the latest review of
each playbook on or before the outcome date is what the rep was told. A strategy counts as
followed when an action raised from it was done.

Small numbers are reported as counts only, with a plain warning: a rate over a handful of deals
means nothing, and a coach who acts on one does harm. Proposed changes to the playbooks are a
diff to review, never applied.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .actions import DealActions
from .insights import POSTMORTEM, Labels
from .outcomes import DealOutcome
from .records import ReviewRecord, comparable

MIN_DEALS = 10  # below this a row is counts only: "too few to mean anything"
MARGIN = 0.15  # how far below the playbook's win rate an answer's deals must be to question its points
RESULTS = ("won", "lost", "no-decision")


@dataclass
class Row:
    """One thing advised or raised, and how the deals went afterwards."""

    key: str
    label: str
    counts: Counter[str] = field(default_factory=Counter)
    followed: Counter[str] = field(default_factory=Counter)  # strategies only: outcomes when followed

    @property
    def deals(self) -> int:
        return sum(self.counts[r] for r in RESULTS)

    @property
    def win_rate(self) -> float | None:
        decided = self.counts["won"] + self.counts["lost"]
        return self.counts["won"] / decided if decided else None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": self.label, "deals": self.deals}
        data.update({r: self.counts[r] for r in RESULTS})
        data["too_few"] = self.deals < MIN_DEALS
        if self.followed:
            data["followed"] = {r: self.followed[r] for r in RESULTS}
        return data


@dataclass
class Separator:
    playbook: str
    question: str
    value: Any
    label: str
    won: int
    lost: int
    base: float
    answer: str = ""

    @property
    def rate(self) -> float:
        return self.won / (self.won + self.lost)


@dataclass
class Proposal:
    playbook: str
    question: str
    value: Any
    strategy: str
    points: int
    proposed: int
    won: int
    lost: int
    base: float
    why: str = ""


@dataclass
class Calibration:
    settled: int
    open_deals: int
    playbooks: list[Row]
    strategies: list[Row]
    flags: list[Row]
    separators: list[Separator]
    proposals: list[Proposal]
    diff: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "settled_deals": self.settled,
            "open_deals": self.open_deals,
            "min_deals": MIN_DEALS,
            "playbooks": [r.as_dict() for r in self.playbooks],
            "strategies": [r.as_dict() for r in self.strategies],
            "flags": [r.as_dict() for r in self.flags],
            "separating_answers": [
                {
                    "playbook": s.playbook,
                    "question": s.question,
                    "value": s.value,
                    "label": s.label,
                    "answer": s.answer,
                    "won": s.won,
                    "lost": s.lost,
                    "playbook_win_rate": round(s.base, 3),
                }
                for s in self.separators
            ],
            "proposals": [
                {
                    "playbook": p.playbook,
                    "question": p.question,
                    "value": p.value,
                    "strategy": p.strategy,
                    "points": p.points,
                    "proposed": p.proposed,
                    "won": p.won,
                    "lost": p.lost,
                    "playbook_win_rate": round(p.base, 3),
                }
                for p in self.proposals
            ],
            "diff": self.diff,
            "notes": self.notes,
        }


def compute(
    by_deal: dict[str, list[ReviewRecord]],
    outcomes: dict[str, DealOutcome],
    actions: dict[str, DealActions],
    labels: Labels,
    top: int = 10,
) -> Calibration:
    """Everything the report says, from records grouped by deal folder, outcomes and actions."""
    playbooks: dict[str, Row] = {}
    strategies: dict[tuple[str, str], Row] = {}
    flags: dict[tuple[str, str], Row] = {}
    # Answers are counted per (playbook, result) and (playbook, strategy, result) with
    # Counter.update, which counts in C: a 100,000-review history has millions of answers.
    answers_by: dict[tuple[str, str], Counter[tuple[str, Any]]] = defaultdict(Counter)
    answers_with: dict[tuple[str, str, str], Counter[tuple[str, Any]]] = defaultdict(Counter)
    settled = open_deals = 0
    for slug, reviews in by_deal.items():
        final = outcomes[slug].final if slug in outcomes else None
        if final is None:
            open_deals += 1
            continue
        result = final.outcome
        before = [r for r in reviews if r.date <= final.date and not r.participant and r.playbook != POSTMORTEM]
        if not before:
            continue
        settled += 1
        latest: dict[str, ReviewRecord] = {}
        for record in before:
            latest[record.playbook] = record  # records are in date order: the last one wins
        done = {a.strategy for a in actions[slug].actions if a.status == "done"} if slug in actions else set()
        for pid, record in latest.items():
            playbooks.setdefault(pid, Row(pid, pid)).counts[result] += 1
            sid = record.recommendation or ""
            row = strategies.setdefault((pid, sid), Row(f"{pid}/{sid}", f"{labels.strategy(pid, sid)} ({pid})"))
            row.counts[result] += 1
            if sid in done:
                row.followed[result] += 1
            keys = comparable(record.answers)
            answers_by[(pid, result)].update(keys)
            answers_with[(pid, sid, result)].update(keys)
        raised = {(r.playbook, rid) for r in before for rid in r.flags}
        for pid, rid in raised:
            flags.setdefault((pid, rid), Row(f"{pid}/{rid}", labels.rule(pid, rid))).counts[result] += 1
    answer_counts: dict[tuple[str, str, Any], Counter[str]] = defaultdict(Counter)
    for (pid, result), counted in answers_by.items():
        for key, n in counted.items():
            answer_counts[(pid, *key)][result] += n
    # (playbook, question, value, strategy recommended) -> outcomes: for proposals
    answer_strategy: dict[tuple[str, str, Any, str], Counter[str]] = defaultdict(Counter)
    for (pid, sid, result), counted in answers_with.items():
        for key, n in counted.items():
            answer_strategy[(pid, *key, sid)][result] += n
    separators = _separators(playbooks, answer_counts, labels, top)
    order = lambda row: (-row.deals, row.key)  # noqa: E731
    return Calibration(
        settled=settled,
        open_deals=open_deals,
        playbooks=sorted(playbooks.values(), key=order),
        strategies=sorted(strategies.values(), key=order),
        flags=sorted(flags.values(), key=order)[: top * 2],
        separators=separators,
        proposals=_proposals(playbooks, answer_strategy),
    )


def _separators(
    playbooks: dict[str, Row], counts: dict[tuple[str, str, Any], Counter[str]], labels: Labels, top: int
) -> list[Separator]:
    """Answers whose deals were won (or lost) most unlike the rest of the playbook's deals.

    Ranked by the difference in win rate weighted by the square root of the deals behind it, so
    a large group with a clear lean beats a tiny one with an extreme one.
    """
    found: list[tuple[float, Separator]] = []
    for (pid, qid, value), c in counts.items():
        decided = c["won"] + c["lost"]
        base = playbooks[pid].win_rate
        if decided < MIN_DEALS or base is None:
            continue
        sep = Separator(pid, qid, value, labels.question(pid, qid), c["won"], c["lost"], base)
        sep.answer = _value(labels.options.get((pid, qid, value[1] if isinstance(value, tuple) else value), value))
        if isinstance(value, tuple):
            sep.answer = f"ticked: {sep.answer}"
        found.append((abs(sep.rate - base) * decided**0.5, sep))
    found.sort(key=lambda item: (-item[0], item[1].playbook, item[1].question, str(item[1].value)))
    return [sep for _, sep in found[:top]]


def _proposals(playbooks: dict[str, Row], counts: dict[tuple[str, str, Any, str], Counter[str]]) -> list[Proposal]:
    """Answers that point to a strategy whose deals, with that answer, went clearly worse.

    The points themselves are filled in from the playbook files by `propose_diff`.
    """
    found = []
    for (pid, qid, value, sid), c in sorted(counts.items(), key=lambda kv: str(kv[0])):
        decided = c["won"] + c["lost"]
        base = playbooks[pid].win_rate
        if decided < MIN_DEALS or base is None or not sid:
            continue
        rate = c["won"] / decided
        if rate <= base - MARGIN:
            found.append(Proposal(pid, qid, value, sid, 0, 0, c["won"], c["lost"], base))
    return found


def propose_diff(calibration: Calibration, files: dict[str, Path], shown: Any = str) -> None:
    """Fill in each proposal's points from its playbook file and build one unified diff.

    Only points written in the playbook's own file are proposed (not those of an included set);
    the positive points an answer gives the strategy are halved, towards zero.
    """
    import os

    from ..errors import DealcoachError
    from ..playbook import yamlfile

    by_file: dict[Path, list[str]] = {}
    read: dict[Path, yamlfile.Located | None] = {}  # each file parsed once, however many proposals
    kept: list[Proposal] = []
    for proposal in calibration.proposals:
        path = files.get(proposal.playbook)
        if path is None or isinstance(proposal.value, tuple):
            continue
        if path not in read:
            try:
                read[path] = yamlfile.read(path)
            except DealcoachError:
                read[path] = None
        located = read[path]
        if located is None:
            continue
        key = _points_key(located.data, proposal.question, proposal.value, proposal.strategy)
        if key is None:
            continue
        line_no, column = located.where(key)
        lines = by_file.setdefault(path, path.read_text(encoding="utf-8").splitlines(keepends=True))
        line = lines[line_no - 1]
        match = re.compile(r"-?\d+").match(line, column - 1)
        if match is None:
            continue
        points = int(match.group())
        if points <= 0:
            continue
        proposal.points, proposal.proposed = points, points // 2
        lines[line_no - 1] = line[: match.start()] + str(proposal.proposed) + line[match.end() :]
        kept.append(proposal)
    calibration.proposals = kept
    parts: list[str] = []
    for path, lines in by_file.items():
        before = path.read_text(encoding="utf-8").splitlines(keepends=True)
        name = str(shown(path))
        if os.path.isabs(name):  # not the team's own file (a built-in): name it as in its folder
            name = f"{path.parent.name}/{path.name}"
            calibration.notes.append(
                f"{name} is not in this project: copy it into the team's playbooks folder to change it."
            )
        parts.extend(difflib.unified_diff(before, lines, f"a/{name}", f"b/{name}"))
    calibration.diff = "".join(parts)


def _points_key(data: Any, qid: str, value: Any, sid: str) -> tuple[Any, ...] | None:
    """The key path of the points an answer gives a strategy in a playbook file, if written there."""
    questions = data.get("questions") if isinstance(data, dict) else None
    for i, question in enumerate(questions if isinstance(questions, list) else []):
        if not isinstance(question, dict) or question.get("id") != qid:
            continue
        if isinstance(value, bool) and question.get("type") == "yesno":
            name = "if_yes" if value else "if_no"
            points = (question.get(name) or {}).get("points") or {}
            return ("questions", i, name, "points", sid) if sid in points else None
        for j, choice in enumerate(question.get("choices") or []):
            if isinstance(choice, dict) and choice.get("value") == value and sid in (choice.get("points") or {}):
                return ("questions", i, "choices", j, "points", sid)
    return None


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _value(value: Any) -> str:
    if isinstance(value, tuple):
        return f"includes {value[1]}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def to_markdown(cal: Calibration) -> str:
    from ..text import md

    lines = ["# Does our coaching work?", ""]
    lines.append(
        f"{cal.settled} deals with an outcome (won, lost or no decision), {cal.open_deals} still open or slipped. "
        f"A row with fewer than {MIN_DEALS} deals shows counts only: too few to mean anything."
    )
    if cal.settled < MIN_DEALS:
        lines.extend(["", f"**Too few deals with an outcome to mean anything yet ({cal.settled}).** Record outcomes "
                      "with `dealcoach outcome DEAL won|lost|no-decision|slipped`."])  # fmt: skip

    def table(heading: str, rows: list[Row], followed: bool = False) -> None:
        lines.extend(["", f"## {heading}", ""])
        if not rows:
            lines.append("Nothing to count yet.")
            return
        extra = " won when followed |" if followed else ""
        lines.append(f"| | deals | won | lost | no decision | won of decided |{extra}")
        lines.append("|---|---:|---:|---:|---:|---|" + ("---|" if followed else ""))
        for row in rows:
            c = row.counts
            rate = "too few to mean anything" if row.deals < MIN_DEALS else _pct(c["won"], c["won"] + c["lost"])
            cells = f"| {md(row.label)} | {row.deals} | {c['won']} | {c['lost']} | {c['no-decision']} | {rate} |"
            if followed:
                f = row.followed
                n = f["won"] + f["lost"]
                cells += (f" {f['won']} of {n} |" if n else " not followed |") if row.deals else " |"
            lines.append(cells)

    table("By playbook", cal.playbooks)
    table("By recommended strategy (playbook / strategy)", cal.strategies, followed=True)
    table("By red flag raised before the outcome", cal.flags)
    lines.extend(["", "## Answers that best separated won from lost", ""])
    if not cal.separators:
        lines.append(f"None yet: an answer needs {MIN_DEALS} decided deals before it is compared.")
    else:
        lines.extend(["| playbook | question | answer | won | lost | won of decided | playbook overall |",
                      "|---|---|---|---:|---:|---:|---:|"])  # fmt: skip
        for s in cal.separators:
            lines.append(
                f"| {s.playbook} | {md(s.label)} | {md(s.answer)} | {s.won} | {s.lost} | "
                f"{_pct(s.won, s.won + s.lost)} | {round(100 * s.base)}% |"
            )
    lines.extend(["", "## Proposed changes to the playbooks", ""])
    if not cal.proposals:
        lines.append("None: no answer's points are contradicted by enough outcomes.")
    else:
        lines.append(
            "These answers give points to a strategy whose deals, with that answer, were won clearly less often "
            "than the playbook's deals overall. Halving the points is a proposal to discuss, not a finding; "
            "nothing has been changed. Review it as a pull request (save it and `git apply` it)."
        )
        lines.append("")
        for p in cal.proposals:
            lines.append(
                f"- {p.playbook}: {p.question} = {_value(p.value)} gives {p.strategy} {p.points} points; with it, "
                f"{p.won} won and {p.lost} lost ({_pct(p.won, p.won + p.lost)} against {round(100 * p.base)}%)."
            )
        lines.extend(["", "```diff", cal.diff.rstrip("\n"), "```"])
        lines.extend(["", *cal.notes])
    return "\n".join(lines) + "\n"


def to_json(cal: Calibration) -> str:
    return json.dumps(cal.as_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def to_csv(cal: Calibration) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "deals", "won", "lost", "no_decision", "too_few"])
    for section, rows in (("playbook", cal.playbooks), ("strategy", cal.strategies), ("flag", cal.flags)):
        for row in rows:
            c = row.counts
            writer.writerow([section, row.key, row.deals, c["won"], c["lost"], c["no-decision"], row.deals < MIN_DEALS])
    for s in cal.separators:
        key = f"{s.playbook}/{s.question}={_value(s.value)}"
        writer.writerow(["answer", key, s.won + s.lost, s.won, s.lost, 0, False])
    return out.getvalue()
