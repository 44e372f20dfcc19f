"""Spreading CPU-bound work over files across processes, when there is enough of it to pay."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask or cgroup share), not the machine's count."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def start_method() -> str:
    """forkserver where there is one, else spawn: never fork, which copies a parent whose other
    threads (rich's progress display) may hold locks the child then waits on forever."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def map_files(func: Callable[[T], R], items: Sequence[T], threshold: int = 64) -> list[R]:
    """`[func(item) for item in items]`, in order; over worker processes for large batches.

    `func` must be a module-level function: forkserver and spawn workers import it by name.
    """
    workers = min(usable_cpus(), 8)
    if len(items) < threshold or workers < 2:
        return [func(item) for item in items]
    with multiprocessing.get_context(start_method()).Pool(workers) as pool:
        return pool.map(func, items, chunksize=max(1, len(items) // (workers * 4)))
