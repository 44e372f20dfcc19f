"""Run the casebook and grade the advice: is it what an experienced coach would give?

    python benchmarks/coaching.py                 # a table per case and the totals
    python benchmarks/coaching.py --format json   # the same, for scripts and the test that keeps it

Each case in examples/casebook/<id>/ holds:

- account.md    the rep's own account of the deal, written first;
- key.yaml      the expert key, written from the account alone: the strategy and acceptable
                alternatives, the risks a coach must name, the advice a coach would forbid;
- answers.yaml  the answers the rep would give, written from the account alone (null where the
                account is silent); answers-<playbook>.yaml for a second playbook the deal spans;
- grading.yaml  how the key's words map onto a playbook's ids and texts, written from the key and
                the playbook, never from a review: which strategy ids are the key's strategy and
                its alternatives, which flags or phrases name each must-name risk, which strategy
                ids or phrases would be each forbidden piece of advice.

The review is made by the real command (`dealcoach review --answers FILE`) in a scratch folder,
in JSON for the verdicts and in Markdown for what a rep reads. It is graded on:

- strategy: `full` when the recommendation is the key's strategy, `alternative` when it is one of
  the acceptable ones, `miss` otherwise. A split decision is graded by its first strategy, one
  step down (full becomes alternative), unless the key itself says the right advice is to find
  something out first (`split_ok: true`), when a split naming the key's strategy counts as full,
  and a clear pick of it counts as full only when the review says it is tentative (low confidence,
  conditional on premises, or with something to find out first), alternative otherwise;
- risks: each must-name risk is raised when one of its flags is raised or one of its phrases
  appears in the review's flags, watch-outs, find-out or check-first lists; the ones reached only
  through what to find out (a question the answers left open, not a risk said outright) are
  counted apart, as weaker evidence;
- must-not: a forbidden piece of advice is given when the recommended strategy is one of its
  strategy ids or one of its phrases appears in what the review tells the rep to do;
- unsupported facts: a number stated in the review's advice that is not among the rep's answers,
  or a playbook placeholder left in it;
- specific risk: the review raises at least one flag for this deal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASEBOOK = ROOT / "examples" / "casebook"
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s*%?")


@dataclass
class CaseResult:
    case: str
    playbook: str
    hard: bool
    recommended: str | None
    split: list[str]
    strategy: str  # full | alternative | miss
    risks_raised: list[str]
    risks_missed: list[str]
    risks_only_as_questions: list[str]
    must_not_given: list[str]
    unsupported: list[str]
    flags: list[str]
    secondary: list[dict[str, Any]] = field(default_factory=list)

    @property
    def specific_risk(self) -> bool:
        return bool(self.flags)


PLAYBOOK_FOLDERS: list[str] = []  # --playbooks: folders whose playbooks override the built-in ones


def run_review(answers: Path, scratch: Path, fmt: str) -> str:
    """The review as the real command makes it, in `fmt` (json or md)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEALCOACH_")}
    env.update(
        {
            "DEALCOACH_STATE_DIR": str(scratch / "state"),
            "DEALCOACH_CONFIG_DIR": str(scratch / "config"),
            "DEALCOACH_REVIEWS": str(scratch / "reviews"),
            "DEALCOACH_TODAY": "2026-11-25",
            "NO_COLOR": "1",
        }
    )
    args = [sys.executable, "-m", "dealcoach", "review", "--answers", str(answers), "--output", "-"]
    for folder in PLAYBOOK_FOLDERS:
        args += ["--playbooks", folder]
    if fmt == "json":
        args += ["--format", "json"]
    ran = subprocess.run(args, cwd=scratch, env=env, capture_output=True, text=True, timeout=120)
    if ran.returncode != 0:
        raise SystemExit(f"{answers}: the review failed (exit {ran.returncode}): {ran.stderr.strip()}")
    return ran.stdout


def _texts(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _answer_numbers(answers: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for text in _texts(answers) + [str(v) for v in answers.values() if isinstance(v, (int, float))]:
        for match in NUMBER.findall(str(text)):
            number = match.rstrip("%").strip().replace(",", ".")
            found.add(number.removesuffix(".0"))
    return found


def _advice_texts(data: dict[str, Any]) -> list[str]:
    """What the review tells the rep to do: the recommendation (each side of a split), what it
    rests on, and the lists that lead the review."""
    chosen = data.get("split_strategies") or [data.get("recommendation") or {}]
    texts = []
    for strategy in chosen:
        texts += _texts({k: v for k, v in strategy.items() if k in ("title", "why", "next_steps", "talk_track")})
    texts += _texts(data.get("premises"))
    for key in ("find_out_first", "check_first", "separating"):
        texts += _texts(data.get(key))
    return texts


def _warning_texts(data: dict[str, Any]) -> list[str]:
    """Where a risk can be named: flags, the recommendation's watch-outs and what stands against it,
    what to find out or check first, what is not yet established."""
    chosen = data.get("split_strategies") or [data.get("recommendation") or {}]
    texts = _texts(data.get("flags"))
    for strategy in chosen:
        texts += _texts(strategy.get("risks")) + _texts(strategy.get("against")) + _texts(strategy.get("premises"))
    for key in ("gaps", "find_out_first", "check_first", "unestablished", "separating"):
        texts += _texts(data.get(key))
    return texts


def _stated_texts(data: dict[str, Any]) -> list[str]:
    """Where a risk is said outright: flags, and the recommendation's watch-outs and what stands
    against it (not the lists of things to find out)."""
    chosen = data.get("split_strategies") or [data.get("recommendation") or {}]
    texts = _texts(data.get("flags"))
    for strategy in chosen:
        texts += _texts(strategy.get("risks")) + _texts(strategy.get("against"))
    return texts


def _matches(phrases: list[str], texts: list[str]) -> bool:
    joined = "\n".join(texts).lower()
    return any(re.search(p.lower(), joined) for p in phrases)


def unsupported_numbers(data: dict[str, Any], answers: dict[str, Any]) -> list[str]:
    """Numbers in the advice and flags that no answer gave (engine figures such as scores and
    coverage are outside these texts)."""
    known = _answer_numbers(answers)
    out = []
    for text in _advice_texts(data) + _texts(data.get("flags")) + _texts(data.get("reasons")):
        for match in NUMBER.findall(text):
            number = match.rstrip("%").strip().replace(",", ".").removesuffix(".0")
            if number not in known:
                out.append(f"{match.strip()!r} in: {text[:90]}")
        if "{{" in text or "{%" in text:  # a placeholder the rep would read as written
            out.append(f"placeholder in: {text[:90]}")
    return out


def grade(case_dir: Path, answers_file: Path, grading: dict[str, Any], scratch: Path) -> dict[str, Any]:
    data = json.loads(run_review(answers_file, scratch, "json"))
    answers = (yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}).get("answers") or {}
    recommended = (data.get("recommendation") or {}).get("id")
    split = list(data.get("split") or [])
    full = set(grading.get("strategy") or [])
    alternative = set(grading.get("acceptable") or [])

    def level(sid: str | None) -> str:
        return "full" if sid in full else "alternative" if sid in alternative else "miss"

    if split:
        best = max((level(s) for s in split), key=["miss", "alternative", "full"].index)
        if grading.get("split_ok") and best == "full":
            verdict = "full"
        else:
            verdict = {"full": "alternative", "alternative": "miss", "miss": "miss"}[level(split[0])]
    else:
        verdict = level(recommended)
        # The key says "find out first, then decide": a confident pick skips the finding out.
        tentative = data.get("confidence") == "low" or data.get("conditional") or data.get("find_out_first")
        if grading.get("split_ok") and verdict == "full" and not tentative:
            verdict = "alternative"
    flags = [f.get("rule", "") for f in data.get("flags") or []]
    warnings = _warning_texts(data)
    stated = _stated_texts(data)
    raised, missed, asked_only = [], [], []
    for rid, how in (grading.get("risks") or {}).items():
        how = how or {}
        by_flag = bool(set(how.get("flags") or []) & set(flags))
        hit = by_flag or _matches(how.get("phrases") or [], warnings)
        (raised if hit else missed).append(rid)
        if hit and not by_flag and not _matches(how.get("phrases") or [], stated):
            asked_only.append(rid)  # reached only by something to find out, not said as a risk
    given = []
    advice = _advice_texts(data)
    for nid, how in (grading.get("must_not") or {}).items():
        how = how or {}
        by_strategy = recommended in set(how.get("strategies") or []) and not split
        if by_strategy or _matches(how.get("phrases") or [], advice):
            given.append(nid)
    return {
        "recommended": recommended,
        "split": split,
        "strategy": verdict,
        "risks_raised": raised,
        "risks_missed": missed,
        "risks_only_as_questions": asked_only,
        "must_not_given": given,
        "unsupported": unsupported_numbers(data, answers),
        "flags": flags,
    }


def run_case(case_dir: Path, scratch: Path) -> CaseResult:
    key = yaml.safe_load((case_dir / "key.yaml").read_text(encoding="utf-8"))
    grading = yaml.safe_load((case_dir / "grading.yaml").read_text(encoding="utf-8"))
    primary = grade(case_dir, case_dir / "answers.yaml", grading, scratch)
    playbook = yaml.safe_load((case_dir / "answers.yaml").read_text(encoding="utf-8"))["playbook"]
    secondary = []
    for extra in sorted(case_dir.glob("answers-*.yaml")):
        pb = extra.stem.removeprefix("answers-")
        secondary_grading = (grading.get("secondary") or {}).get(pb)
        if secondary_grading:
            secondary.append({"playbook": pb, **grade(case_dir, extra, secondary_grading, scratch)})
    return CaseResult(
        case=case_dir.name,
        playbook=playbook,
        hard=bool(key.get("hard")),
        secondary=secondary,
        **primary,
    )


def totals(results: list[CaseResult]) -> dict[str, Any]:
    n = len(results)
    full = sum(r.strategy == "full" for r in results)
    alternative = sum(r.strategy == "alternative" for r in results)
    raised = sum(len(r.risks_raised) for r in results)
    risks = raised + sum(len(r.risks_missed) for r in results)
    hard = [r for r in results if r.hard]
    return {
        "cases": n,
        "hard_cases": len(hard),
        "strategy_full": full,
        "strategy_alternative": alternative,
        "strategy_miss": n - full - alternative,
        "strategy_ok_rate": round((full + alternative) / n, 3) if n else 0.0,
        "hard_strategy_ok": sum(r.strategy != "miss" for r in hard),
        "risks_raised": raised,
        "risks_total": risks,
        "risk_rate": round(raised / risks, 3) if risks else 0.0,
        "risks_only_as_questions": sum(len(r.risks_only_as_questions) for r in results),
        "must_not_given": sum(len(r.must_not_given) for r in results),
        "unsupported_facts": sum(len(r.unsupported) for r in results),
        "reviews_without_a_flag": sum(not r.specific_risk for r in results),
    }


def cases(selected: list[str]) -> list[Path]:
    found = sorted(p for p in CASEBOOK.iterdir() if (p / "grading.yaml").is_file()) if CASEBOOK.is_dir() else []
    return [p for p in found if not selected or p.name in selected]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case ids; default: every case")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--playbooks", action="append", default=[], metavar="DIR", help="playbooks that override")
    args = parser.parse_args(argv)
    PLAYBOOK_FOLDERS[:] = [str(Path(folder).resolve()) for folder in args.playbooks]
    with tempfile.TemporaryDirectory() as scratch:
        results = [run_case(c, Path(scratch)) for c in cases(args.cases)]
    summary = totals(results)
    if args.format == "json":
        print(json.dumps({"totals": summary, "cases": [asdict(r) for r in results]}, indent=2))
        return 0
    print(f"{'case':<8} {'playbook':<26} {'hard':<5} {'strategy':<12} {'risks':<6} must-not  facts  recommended")
    for r in results:
        risks = f"{len(r.risks_raised)}/{len(r.risks_raised) + len(r.risks_missed)}"
        shown = " or ".join(r.split) + " (split)" if r.split else str(r.recommended)
        print(
            f"{r.case[:8]:<8} {r.playbook[:26]:<26} {'yes' if r.hard else '':<5} {r.strategy:<12} {risks:<6} "
            f"{len(r.must_not_given):<9} {len(r.unsupported):<6} {shown}"
        )
        for item in r.risks_missed:
            print(f"{'':<8} missed risk: {item}")
        for item in r.must_not_given:
            print(f"{'':<8} must-not given: {item}")
        for item in r.unsupported:
            print(f"{'':<8} unsupported: {item}")
    t = summary
    print()
    print(
        f"strategy: {t['strategy_full']} full, {t['strategy_alternative']} alternative, {t['strategy_miss']} miss "
        f"of {t['cases']} ({t['strategy_ok_rate']:.0%} full or acceptable; hard cases {t['hard_strategy_ok']}"
        f"/{t['hard_cases']})"
    )
    print(
        f"must-name risks raised: {t['risks_raised']}/{t['risks_total']} ({t['risk_rate']:.0%}; "
        f"{t['risks_only_as_questions']} of them only as something to find out)"
    )
    print(f"must-not advice given: {t['must_not_given']}")
    print(f"unsupported facts: {t['unsupported_facts']}")
    print(f"reviews without a flag: {t['reviews_without_a_flag']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
