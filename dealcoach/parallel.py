"""Spreading CPU-bound work over files across processes, when there is enough of it to pay."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_files(func: Callable[[T], R], items: Sequence[T], threshold: int = 64) -> list[R]:
    """`[func(item) for item in items]`, in order; over worker processes for large batches.

    Workers are forked so they start with every module already imported; where fork is not
    available (Windows, macOS defaults aside) the work simply runs in this process.
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < threshold or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [func(item) for item in items]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(func, items, chunksize=max(1, len(items) // (workers * 4)))
