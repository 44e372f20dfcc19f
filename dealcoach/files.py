"""Files: writing them atomically, and spreading CPU-bound work over many files across processes."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from .errors import InputError

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


def _place_new(tmp: str, target: Path) -> None:
    """Give the finished temporary file the name `target`, failing if that name exists.

    A hard link does it in one step. Where the filesystem has no hard links, claim the name with
    an exclusive create and then move the finished file over that empty placeholder: a reader
    may see an empty file for an instant, never half of one.
    """
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass  # no hard links here (some network and FAT filesystems)
    with open(target, "x", encoding="utf-8"):
        pass
    os.replace(tmp, target)


def write_atomic(path: Path, text: str, *, overwrite: bool) -> Path:
    """Write `text` to `path` so that no reader ever sees half a file.

    With `overwrite` False an existing file is never replaced: the next free name
    (`name-2.md`, `name-3.md`, ...) is taken instead, and the path actually written is returned.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
            return path
        candidate = path
        for n in range(2, 1000):
            try:
                _place_new(tmp, candidate)
            except FileExistsError:
                candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
                continue
            return candidate
        raise InputError(f"{path.parent}: too many reviews with the same name; use --force or --output")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
