"""What has already been read from a reviews folder, kept between runs in the user's cache folder.

Reading 100,000 reviews' front matter takes minutes; knowing which of them changed takes one walk
of the folder and a stat of each file. So every file that was parsed (a review's front matter, a
deal's `outcome.yaml` or `actions.md`) is kept here with the size and modification time it was
read at, as git's index keeps them, and only new or changed files are read again.

The index is one file per reviews folder, written with `marshal`: plain strings, numbers and
tuples, which load about ten times faster than JSON. It is only a cache: a damaged or missing one,
or one written by other code, is dropped and rebuilt, and one that cannot be written costs speed,
never a result.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Stamp = tuple[int, int]  # (st_mtime_ns, st_size)
OUTCOME_FILE = "outcome.yaml"
ACTIONS_FILE = "actions.md"


@dataclass
class Listing:
    """Every file the history commands read under a reviews folder, with its stamp, in path order.

    Reviews are `*.md` at any depth; outcome and actions files one level down, in a deal's folder.
    Paths are strings: with 100,000 reviews, building `Path` objects costs more than the walk.
    """

    reviews: list[tuple[str, Stamp]] = field(default_factory=list)
    outcomes: list[tuple[str, Stamp]] = field(default_factory=list)
    actions: list[tuple[str, Stamp]] = field(default_factory=list)


def walk(folder: Path) -> Listing:
    """One pass over the folder with os.scandir (whose entries already know if they are folders)."""
    found = Listing()
    stack = [(str(folder), 0)]
    while stack:
        where, depth = stack.pop()
        try:
            entries = list(os.scandir(where))
        except OSError:
            continue  # a folder that vanished or cannot be read has no reviews to count
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, depth + 1))
                    continue
                if name.endswith(".md") and name != ACTIONS_FILE:
                    bucket = found.reviews
                elif depth == 1 and name in (OUTCOME_FILE, ACTIONS_FILE):
                    bucket = found.outcomes if name == OUTCOME_FILE else found.actions
                else:
                    continue
                st = entry.stat()
            except OSError:
                continue  # removed while we looked
            bucket.append((entry.path, (st.st_mtime_ns, st.st_size)))
    for bucket in (found.reviews, found.outcomes, found.actions):
        bucket.sort()
    return found


# A child of an already parsed folder, without parsing the whole path again: pathlib before 3.13
# parses every path from scratch, which over 100,000 reviews costs more than reading their index.
_child: Callable[[Path, str], Path] = getattr(Path, "_make_child_relpath", None) or Path.joinpath


class Paths:
    """`Path` objects for many files, each folder's parsed once."""

    def __init__(self) -> None:
        self._folders: dict[str, Path] = {}

    def __call__(self, path: str) -> Path:
        folder, _, name = path.rpartition(os.sep)
        parent = self._folders.get(folder)
        if parent is None:
            parent = self._folders[folder] = Path(folder)
        return _child(parent, name)


def deal_files(folder: Path, name: str) -> list[tuple[str, Stamp]]:
    """Each deal folder's file called `name` (outcome.yaml, actions.md), without walking the
    reviews: one stat per deal folder."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                continue
            path = os.path.join(entry.path, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((path, (st.st_mtime_ns, st.st_size)))
    found.sort()
    return found


class FolderIndex:
    """One section's parsed files by path, each with the stamp it was read at."""

    def __init__(self, path: Path | None, entries: dict[str, tuple[Stamp, Any]]) -> None:
        self.path = path
        self.entries = entries
        self.changed = False

    @classmethod
    def open(cls, folder: Path, section: str) -> FolderIndex:
        import hashlib
        import marshal
        import sys

        from ..config import code_stamp, user_cache_dir

        try:
            key = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:16]
            path = user_cache_dir() / f"{section}-{key}.index"
        except OSError:
            return cls(None, {})
        with contextlib.suppress(OSError):  # the JSON index of earlier versions, often 100 MB
            (path.parent / f"{section}-{key}.json").unlink(missing_ok=True)
        try:
            data = marshal.loads(path.read_bytes())
            # Written by other code (another commit, or another Python's marshal): read again.
            if (
                isinstance(data, dict)
                and data.get("code") == code_stamp()
                and data.get("python") == sys.version
                and isinstance(data.get("entries"), dict)
            ):
                return cls(path, data["entries"])
        except (OSError, ValueError, EOFError, TypeError):
            pass  # no index yet, or a damaged one: it is only a cache, start again
        return cls(path, {})

    def get(self, path: str, stamp: Stamp) -> Any:
        """What was kept for `path` if the file has not changed since; None otherwise."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != stamp:
            return None
        return entry[1]

    def put(self, path: str, stamp: Stamp, payload: Any) -> None:
        self.entries[path] = (stamp, payload)
        self.changed = True

    def save(self, files: list[tuple[str, Stamp]]) -> None:
        """Write the index, forgetting files that are no longer in `files`."""
        import marshal
        import sys
        import tempfile

        from ..config import code_stamp

        keep = {p for p, _ in files}
        gone = [p for p in self.entries if p not in keep]
        for p in gone:
            del self.entries[p]
        if self.path is None or not (self.changed or gone):
            return
        data = {"code": code_stamp(), "python": sys.version, "entries": self.entries}
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Renamed into place, so no reader sees half an index; not synced to disk, because a
            # cache lost to a power cut is only rebuilt.
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "wb") as handle:
                marshal.dump(data, handle)
            os.replace(tmp, self.path)
            tmp = None
            self.changed = False
        except (OSError, TypeError, ValueError):
            pass  # an index that cannot be written only costs speed next time
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


class Store:
    """A reviews folder as one run reads it: one walk, and each section's index, opened when
    first asked for (the reviews' index is by far the largest, and `actions` never needs it)."""

    def __init__(self, folder: Path, listing: Listing) -> None:
        self.folder = folder
        self.listing = listing
        self.path = Paths()
        self._indexes: dict[str, FolderIndex] = {}

    @classmethod
    def open(cls, folder: Path) -> Store:
        return cls(folder, walk(folder))

    @classmethod
    def deal_files_only(cls, folder: Path, section: str) -> Store:
        """A store that knows only one kind of deal file (`outcomes` or `actions`)."""
        name = OUTCOME_FILE if section == "outcomes" else ACTIONS_FILE
        return cls(folder, Listing(**{section: deal_files(folder, name)}))

    def index(self, section: str) -> FolderIndex:
        if section not in self._indexes:
            self._indexes[section] = FolderIndex.open(self.folder, section)
        return self._indexes[section]

    def files(self, section: str) -> list[tuple[str, Stamp]]:
        files: list[tuple[str, Stamp]] = getattr(self.listing, section)
        return files

    def read(
        self, section: str, reader: Callable[[str], Any], progress: Callable[[int, int], Any] | None = None
    ) -> list[tuple[str, Any]]:
        """Each file of `section` with what `reader` made of it: from the index where the file
        is unchanged, else read again, over worker processes when there are many (`reader` must
        be a module-level function returning plain values marshal can keep, which also cost the
        least to send back from a worker). `progress(done, total)` is called as batches finish.
        """
        from ..files import map_files

        index = self.index(section)
        files = self.files(section)
        kept = [index.get(name, stamp) for name, stamp in files]
        stale = [n for n, payload in enumerate(kept) if payload is None]
        # Each batch starts its worker processes afresh, which costs more with every batch;
        # without a progress bar to move, one batch.
        batch = max(2000, -(-len(stale) // 10)) if progress is not None else max(1, len(stale))
        for start in range(0, len(stale), batch):
            chunk = stale[start : start + batch]
            for n, payload in zip(chunk, map_files(reader, [files[n][0] for n in chunk], threshold=400), strict=True):
                kept[n] = payload
                index.put(*files[n], payload)
            if progress is not None:
                progress(len(files) - len(stale) + min(start + batch, len(stale)), len(files))
        return [(name, payload) for (name, _), payload in zip(files, kept, strict=True)]

    def save(self) -> None:
        for section, index in self._indexes.items():
            index.save(getattr(self.listing, section))
