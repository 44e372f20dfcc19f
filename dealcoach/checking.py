"""Validating many playbook files at once, as CI and pre-commit do.

Loading a playbook is CPU-bound (YAML parsing and expression checks, a few milliseconds each), so
a large batch is spread over worker processes; results come back in the order of the files.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from .errors import DealcoachError, Problem
from .playbook import load

# Below this many files a worker pool costs more than it saves.
PARALLEL_FROM = 64


def problems_in(path: Path) -> list[Problem | str]:
    """Every problem in one playbook file; an empty list when it is valid."""
    try:
        load(path)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    return []


def check_files(paths: list[Path]) -> list[list[Problem | str]]:
    """Problems per file, in the order given."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [problems_in(path) for path in paths]
    # fork: workers start with every module already imported, so they cost milliseconds.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(problems_in, paths, chunksize=max(1, len(paths) // (workers * 4)))
