"""Time every user-facing command as a whole process, against a reference measured in the same run.

    python benchmarks/run.py [--runs N] [--only WORDS] [--reviews COUNT]

Absolute times on a shared machine drift, so each command is timed in alternating runs with its
reference and reported as a ratio of medians. Peak memory (max RSS) of each command is reported
too. Inputs (500 playbooks, 10,000 and 100,000 reviews) are generated in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
EAGER = [PY, "-c", "import typer, rich, questionary, yaml, jinja2"]
NOTHING = [PY, "-c", "pass"]


@dataclass
class Row:
    name: str
    reference: str
    target: str
    command: float
    ref: float | None
    peak_mb: float
    verdict: str


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time in seconds and peak RSS in MB of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(argv)}")
    return elapsed, usage.ru_maxrss / 1024


def first_question(env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Time from start until the first question is on screen in an interactive review."""
    import pexpect

    env = {k: v for k, v in env.items() if k != "CI"}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    start = time.perf_counter()
    child = pexpect.spawn(
        PY,
        ["-m", "dealcoach", "review", "resistant-end-user", "--deal", "bench", "--restart"],
        env=env,
        cwd=str(cwd),
        encoding="utf-8",
        timeout=30,
    )
    child.expect("What kind of deal is this")  # the first question (the deal context comes first)
    elapsed = time.perf_counter() - start
    peak = _rss_mb(child.pid)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed, peak


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def alternate(
    runs: int, command: Callable[[], tuple[float, float]], reference: Callable[[], tuple[float, float]] | None
) -> tuple[float, float | None, float]:
    times, refs, peaks = [], [], []
    command()  # warm the file cache and .pyc files
    for _ in range(runs):
        if reference is not None:
            refs.append(reference()[0])
        elapsed, peak = command()
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), (statistics.median(refs) if refs else None), max(peaks)


def make_playbooks(folder: Path, count: int) -> Path:
    template = (ROOT / "playbooks" / "resistant-end-user.yaml").read_text(encoding="utf-8")
    # Its one fixed quantity would make every copy fail validation; the text is being rewritten.
    template = template.replace("six months from now", "some months from now")
    target = folder / f"playbooks-{count}"
    target.mkdir()
    for n in range(count):
        pid = f"bench-{n:04d}"
        (target / f"{pid}.yaml").write_text(template.replace("id: resistant-end-user", f"id: {pid}", 1))
    return target


def make_reviews(folder: Path, count: int, name: str = "reviews", contrary: str = "") -> Path:
    """A realistic history (benchmarks/history.py), copied under other deal names up to `count`."""
    target = folder / name
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [PY, str(ROOT / "benchmarks" / "history.py"), str(target), "--deals", "40", "--contrary", contrary],
        env=env,
        check=True,
        capture_output=True,
    )
    base = len([p for p in target.rglob("*.md") if p.name != "actions.md"])
    copies = max(0, -(-count // base) - 1)
    subprocess.run(
        [
            PY,
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import history; "
            f"from pathlib import Path; t = Path({str(target)!r}); "
            f"history.copy_set(t, sorted(t.rglob('*.md')), {copies})",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per row (median is reported)")
    parser.add_argument("--only", default="", help="only the rows whose name contains this (e.g. 100,000, reviews)")
    parser.add_argument("--reviews", type=int, default=10_000, help="how many reviews deals and insights read")
    args = parser.parse_args()
    runs, only = args.runs, args.only

    # Byte-compile the package first, as pip does when it installs a wheel: an editable install
    # under PYTHONDONTWRITEBYTECODE would otherwise recompile every module on every run, which
    # no installed copy does (the libraries in the reference are compiled already).
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "dealcoach")], check=True)
    scratch = Path(tempfile.mkdtemp(prefix="dealcoach-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEALCOACH_")}
    env.update(
        DEALCOACH_STATE_DIR=str(scratch / "state"),
        DEALCOACH_CONFIG_DIR=str(scratch / "config"),
        DEALCOACH_CACHE_DIR=str(scratch / "cache"),
        NO_COLOR="1",
    )
    dc = [PY, "-m", "dealcoach"]
    answers = str(ROOT / "examples" / "answers" / "resistant-end-user.yaml")

    def run(*args: str, cwd: Path = scratch) -> Callable[[], tuple[float, float]]:
        return lambda: timed([*dc, *args], env, cwd)

    def first_run(*args: str) -> Callable[[], tuple[float, float]]:
        """As on a machine that has never read these reviews: no index, no cached playbooks."""

        def go() -> tuple[float, float]:
            shutil.rmtree(scratch / "cache", ignore_errors=True)
            return timed([*dc, *args], env, scratch)

        return go

    def eager() -> tuple[float, float]:
        return timed(EAGER, env, scratch)

    def nothing() -> tuple[float, float]:
        return timed(NOTHING, env, scratch)

    rows: list[Row] = []

    def wanted(name: str) -> bool:
        return only in name

    def ratio_row(name: str, command: Callable[[], tuple[float, float]], limit: float) -> None:
        if not wanted(name):
            return
        cmd, ref, peak = alternate(runs, command, eager)
        assert ref is not None
        ratio = cmd / ref
        verdict = f"{ratio:.2f}x {'ok' if ratio <= limit else f'MISS by {ratio - limit:.2f}x'}"
        rows.append(Row(name, "eager imports", f"<= {limit}x", cmd, ref, peak, verdict))

    try:
        ratio_row("dealcoach --help", run("--help"), 0.5)
        ratio_row("dealcoach playbooks list", run("playbooks", "list"), 0.6)
        review = run("review", "--answers", answers, "--output", "-")
        ratio_row("dealcoach review --answers F --output -", review, 1.0)
        ratio_row("first question on screen", lambda: first_question(env, scratch), 1.2)

        if wanted("playbooks validate, 500 files"):
            _validate_rows(scratch, run, nothing, runs, rows)
        if wanted(f"{args.reviews:,} reviews") or wanted("first run") or wanted("indexed"):
            _history_rows(scratch, run, first_run, nothing, runs, rows, args.reviews)
        if wanted("100,000 reviews"):
            _follow_through_rows(scratch, run, first_run, nothing, runs, rows)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\nmedian of {runs} runs; python {sys.version.split()[0]}; {os.cpu_count()} cpus\n")
    print("| command | target | command (s) | reference (s) | ratio / verdict | peak MB |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        ref = f"{row.ref:.3f} ({row.reference})" if row.ref is not None else "-"
        print(f"| {row.name} | {row.target} | {row.command:.3f} | {ref} | {row.verdict} | {row.peak_mb:.0f} |")


Runner = Callable[..., Callable[[], tuple[float, float]]]


def _validate_rows(
    scratch: Path, run: Runner, nothing: Callable[[], tuple[float, float]], runs: int, rows: list[Row]
) -> None:
    small, large = make_playbooks(scratch, 250), make_playbooks(scratch, 500)
    t250, _, _ = alternate(max(3, runs // 2), run("playbooks", "validate", str(small)), None)
    t500, ref, peak = alternate(max(3, runs // 2), run("playbooks", "validate", str(large)), nothing)
    assert ref is not None
    growth = (t500 - ref) / max(t250 - ref, 1e-9)
    verdict = f"{'ok' if t500 < 2 else 'MISS'}; 500/250 files = {growth:.2f} (2.0 is linear)"
    rows.append(Row("playbooks validate, 500 files", "python -c pass", "< 2 s", t500, ref, peak, verdict))


def _history_rows(
    scratch: Path,
    run: Runner,
    first_run: Runner,
    nothing: Callable[[], tuple[float, float]],
    runs: int,
    rows: list[Row],
    how_many: int,
) -> None:
    """deals and insights on a first run (no index, no cached playbooks) and once indexed:
    3 s per 10,000 reviews, and linear beyond."""
    reviews = make_reviews(scratch, how_many)
    count = len([p for p in reviews.rglob("*.md") if p.name != "actions.md"])
    limit = 3 * count / 10_000
    for name, args in (("insights", ["insights", str(reviews)]), ("deals", ["deals", "--reviews", str(reviews)])):
        for when, command in (("first run", first_run(*args)), ("indexed", run(*args))):
            t, ref, peak = alternate(max(3, runs // 2), command, nothing)
            verdict = "ok" if t < limit else "MISS"
            label = f"{name}, {count:,} reviews, {when}"
            rows.append(Row(label, "python -c pass", f"< {limit:.3g} s", t, ref, peak, verdict))


def _follow_through_rows(
    scratch: Path,
    run: Runner,
    first_run: Runner,
    nothing: Callable[[], tuple[float, float]],
    runs: int,
    rows: list[Row],
) -> None:
    """brief, actions and insights --outcomes over 100,000 reviews, within the budget insights
    has: 3 s per 10,000 reviews, linear beyond (so 30 s here), on a first run and once indexed.
    Plain insights over the same reviews is timed beside them, to show what calibration adds.

    The outcomes disagree with one strategy's advice on purpose, so the calibration has work to do.
    """
    reviews = make_reviews(scratch, 100_000, "reviews-100k", contrary="go-around")
    count = len([p for p in reviews.rglob("*.md") if p.name != "actions.md"])
    limit = 3 * count / 10_000
    deal = next(p for p in sorted(reviews.iterdir()) if (p / "actions.md").is_file()).name
    label = f"{count:,} reviews"
    first, peak = first_run("insights", "--outcomes", str(reviews))()  # once: it takes half a minute
    verdict = "ok" if first < limit else "MISS"
    rows.append(Row(f"insights --outcomes, {label}, first run", "-", f"< {limit:.3g} s", first, None, peak, verdict))
    for name, args in (
        ("insights --outcomes", ("insights", "--outcomes", str(reviews))),
        ("insights", ("insights", str(reviews))),
        ("actions", ("actions", "--reviews", str(reviews), "--format", "csv")),
        ("brief DEAL", ("brief", deal, "--reviews", str(reviews), "--output", "-")),
    ):
        t, ref, peak = alternate(max(3, runs // 2), run(*args), nothing)
        verdict = "ok" if t < limit else "MISS"
        rows.append(Row(f"{name}, {label}, indexed", "python -c pass", f"< {limit:.3g} s", t, ref, peak, verdict))


if __name__ == "__main__":
    main()
