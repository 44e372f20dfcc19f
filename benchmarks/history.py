"""Generate a realistic reviews folder: deals reviewed several times, some lost and taken through a
post-mortem by several participants, then merged.

    python benchmarks/history.py FOLDER [--deals 40] [--copies 0] [--seed 7] [--contrary STRATEGY]
                                        [--playbook ID ...]

`--copies N` then repeats the whole set N more times under other deal names and dates, which is
how the benchmark reaches 10,000 reviews without rendering each one.

Every deal also gets what follow-through leaves beside its reviews: an actions.md (the last
recommendation's first next step, done in most deals) and, once it is settled, an outcome.yaml
(won, lost or no decision; some deals stay open). `--contrary STRATEGY` makes the outcomes
disagree with the advice on purpose: deals last advised STRATEGY are mostly lost, so
`insights --outcomes` has something to find. `--playbook ID` (repeatable) draws the live deals
from those playbooks only, so a strategy gets enough deals to be judged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Any

import yaml

from dealcoach.playbook.catalogue import is_shared_file
from dealcoach.playbook.loader import load
from dealcoach.playbook.model import Playbook, Question
from dealcoach.review.document import make_review, merge_answers, review_path
from dealcoach.review.render import render_markdown

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOKS = ROOT / "playbooks"
NAMES = [
    "Acme Logistics", "Northwind Wholesale", "Harbour Credit Union", "Ridgeway Manufacturing", "Lakeside Clinics",
    "Vantage Logistics", "Meridian Insurance", "Northgate Schools Trust", "Brightwater Foods", "Eastfield Council",
    "Copperline Energy", "Fairview Hotels", "Granite Bank", "Hollis Retail", "Ironbridge Engineering",
    "Juniper Health", "Keystone Freight", "Larkspur Media", "Millbrook Water", "Oakridge University",
]  # fmt: skip
OPEN_PLAYBOOKS = [
    "resistant-end-user", "resistant-decision-maker", "dysfunctional-org", "resistant-purchaser",
    "resistant-insider", "resistant-outsider", "resistant-faction", "resistant-problem-owner", "partner-triangle",
]  # fmt: skip
PARTICIPANTS = ["Sam (rep)", "Priya (sales engineer)", "Jo (manager)"]


def _answer(question: Question, rng: random.Random) -> Any:
    if rng.random() < 0.12 and question.unknown:
        return None
    values = [o.value for o in question.options]
    if question.type in ("choice", "yesno"):
        return rng.choice(values) if values else rng.random() < 0.5
    if question.type == "multi":
        return [v for v in values if rng.random() < 0.4]
    if question.type in ("number", "scale"):
        return rng.randint(int(question.min or 0), int(question.max or 10) if question.max else 10)
    if question.type == "list":
        return []
    return ""


def _answers(pb: Playbook, rng: random.Random, base: dict[str, Any] | None = None, changes: int = 2) -> dict:
    if base is None:
        return {q.id: _answer(q, rng) for q in pb.questions if q.type != "text"}
    answers = dict(base)
    for question in rng.sample([q for q in pb.questions if q.type != "text"], k=changes):
        answers[question.id] = _answer(question, rng)
    return answers


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _follow_through(folder: Path, name: str, pb: Playbook, last: Any, day: dt.date, rng: random.Random, lost: bool,
                    won: bool) -> None:  # fmt: skip
    """The deal's actions file and, when it is settled, its outcome file."""
    from dealcoach.history.actions import Action, add_actions
    from dealcoach.history.outcomes import Outcome, record_outcome

    strategy = pb.strategy(last.result.recommended) if last.result.recommended else None
    if strategy and strategy.next_steps:
        status = "done" if rng.random() < 0.7 else "open"
        review = f"{last.date.isoformat()}-{pb.id}.md"
        add_actions(name, [Action(strategy.next_steps[0], status, due=last.date + dt.timedelta(days=7),
                                  strategy=strategy.id, playbook=pb.id, review=review)], folder)  # fmt: skip
    if lost or won:
        record_outcome(name, Outcome("lost" if lost else "won", day), folder)
    elif rng.random() < 0.5:
        record_outcome(name, Outcome("no-decision" if rng.random() < 0.5 else "slipped", day), folder)


def generate(
    folder: Path, deals: int = 40, seed: int = 7, contrary: str = "", open_playbooks: list[str] | None = None
) -> list[Path]:
    rng = random.Random(seed)
    playbooks = {p.stem: load(p) for p in PLAYBOOKS.glob("*.yaml") if not is_shared_file(p)}
    written: list[Path] = []
    start = dt.date(2026, 1, 5)
    for n in range(deals):
        name = NAMES[n % len(NAMES)] + (f" {n // len(NAMES) + 1}" if n >= len(NAMES) else "")
        pb = playbooks[rng.choice(open_playbooks or OPEN_PLAYBOOKS)]
        day = start + dt.timedelta(days=rng.randint(0, 200))
        answers = _answers(pb, rng)
        review = None
        for _ in range(rng.randint(1, 4)):
            review = make_review(pb, name, answers, date=day)
            written.append(_write(review_path(folder, name, pb.id, day, ".md"), render_markdown(review)))
            day += dt.timedelta(days=rng.randint(7, 30))
            answers = _answers(pb, rng, answers, changes=rng.randint(1, 3))
        odds = 0.4
        if contrary and review is not None:  # the advice and the outcomes disagree on purpose
            odds = 0.85 if review.result.recommended == contrary else 0.15
        lost = rng.random() < odds
        won = not lost and rng.random() < 0.6
        if review is not None:
            _follow_through(folder, name, pb, review, day, rng, lost, won)
        if lost:  # lost: a post-mortem by three people, then merged
            post = playbooks["lost-deal-postmortem"]
            shared = _answers(post, rng)
            team = {who: _answers(post, rng, shared, changes=rng.randint(0, 2)) for who in PARTICIPANTS}
            for who, own in team.items():
                review = make_review(post, name, own, date=day, participant=who)
                written.append(_write(review_path(folder, name, post.id, day, ".md", who), render_markdown(review)))
            merged = make_review(post, name, merge_answers(post, team), date=day, team=team)
            written.append(_write(review_path(folder, name, post.id, day, ".md"), render_markdown(merged)))
        elif won:  # won: a first-90-days review after signing
            after = playbooks["first-90-days"]
            review = make_review(after, name, _answers(after, rng), date=day + dt.timedelta(days=20))
            written.append(_write(review_path(folder, name, after.id, review.date, ".md"), render_markdown(review)))
    return written


def copy_set(folder: Path, files: list[Path], copies: int) -> int:
    """Repeat the set under other deal names; front matter stays valid. Each deal folder's actions
    and outcome files are copied with it."""
    made = 0
    files = [p for p in files if p.name != "actions.md"]
    extras = [d / n for d in sorted({f.parent for f in files}) for n in ("actions.md", "outcome.yaml")]
    for copy in range(1, copies + 1):
        for path in extras:
            if path.is_file():
                _write(folder / f"{path.parent.name}-{copy}" / path.name, path.read_text(encoding="utf-8"))
        for path in files:
            text = path.read_text(encoding="utf-8")
            line = re.search(r"^deal: (.*)$", text, re.M).group(1)  # type: ignore[union-attr]
            deal = yaml.safe_load(line)
            # Quoted: unquoted, ` #2` would be a YAML comment and every copy the same deal.
            renamed = json.dumps(f"{deal} #{copy}", ensure_ascii=False)
            text = re.sub(r"^deal: .*$", "deal: " + renamed.replace("\\", "\\\\"), text, count=1, flags=re.M)
            target = folder / f"{path.parent.name}-{copy}" / path.name
            _write(target, text)
            made += 1
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--deals", type=int, default=40)
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--contrary", default="", help="a strategy id whose deals are mostly lost")
    parser.add_argument("--playbook", action="append", choices=OPEN_PLAYBOOKS, help="draw live deals from these only")
    args = parser.parse_args()
    files = generate(args.folder, args.deals, args.seed, args.contrary, args.playbook)
    extra = copy_set(args.folder, files, args.copies)
    print(f"{len(files) + extra} reviews written to {args.folder}")


if __name__ == "__main__":
    main()
