"""Files: naming them as the user would, writing them atomically, and spreading CPU-bound work
over many files across processes."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from .errors import InputError

T = TypeVar("T")
R = TypeVar("R")


def shown(path: Path) -> Path:
    """A path as the user would type it: relative to the current folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


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


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for work that allocates many objects and keeps few: run
    meanwhile, it would only scan them again and again. Cycles made meanwhile are collected later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


def _new_file_mode() -> int:
    """0666 less the umask, as `open()` would create the file. Reading the umask means setting it."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str, *, overwrite: bool) -> Path:
    """Write `text` to `path` so that no reader ever sees half a file.

    With `overwrite` False an existing file is never replaced: the next free name
    (`name-2.md`, `name-3.md`, ...) is taken instead, and the path actually written is returned.
    A folder that cannot be written (read-only, full, a name too long) is an InputError naming it.
    """
    try:
        return _write_atomic(path, text, overwrite=overwrite)
    except OSError as exc:
        raise WriteError(path, exc) from None


class WriteError(InputError, OSError):
    """A file that could not be written; says which and why (the operating system's reason).

    Still an OSError, so code that treats a failed write as harmless (a cache) keeps doing so.
    """

    def __init__(self, path: Path, exc: OSError) -> None:
        InputError.__init__(self, f"cannot write {path}: {exc.strerror or exc}")
        self.path = path
        self.errno, self.strerror, self.filename = exc.errno, exc.strerror, str(path)


def _write_atomic(path: Path, text: str, *, overwrite: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; a replaced file keeps its own mode, a new one gets the umask's.
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode) if overwrite else _new_file_mode()
        except FileNotFoundError:
            mode = _new_file_mode()
        os.chmod(tmp, mode)
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
