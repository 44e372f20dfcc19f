"""Where things live: playbook layers, the reviews folder, the user's state folder.

Playbooks are found in layers, later layers overriding earlier ones by id:
built-in, the user's config folder, `./playbooks/` of the current project, then each folder
from `DEALCOACH_PLAYBOOKS` and `--playbooks`. Listing reads only file names and titles, so it
stays fast; a playbook is validated in full only when it is used or validated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, NotFoundError, Problem

PACKAGE_DIR = Path(__file__).parent


def builtin_dir() -> Path:
    """Inside an installed wheel the playbooks sit in the package; in a checkout, beside it."""
    packaged = PACKAGE_DIR / "builtin_playbooks"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "playbooks"


def user_config_dir() -> Path:
    if os.environ.get("DEALCOACH_CONFIG_DIR"):
        return Path(os.environ["DEALCOACH_CONFIG_DIR"])
    from platformdirs import user_config_dir as config_dir

    return Path(config_dir("dealcoach"))


def user_state_dir() -> Path:
    """Session files live here: the user's own state folder, never somewhere surprising."""
    if os.environ.get("DEALCOACH_STATE_DIR"):
        return Path(os.environ["DEALCOACH_STATE_DIR"])
    from platformdirs import user_state_dir as state_dir

    return Path(state_dir("dealcoach"))


def user_cache_dir() -> Path:
    """Caches that only save time (checked playbooks, the reviews' front-matter index): the
    user's cache folder, which may be cleared at any time."""
    if os.environ.get("DEALCOACH_CACHE_DIR"):
        return Path(os.environ["DEALCOACH_CACHE_DIR"])
    from platformdirs import user_cache_dir as cache_dir

    return Path(cache_dir("dealcoach"))


def code_stamp(package: Path | None = None) -> str:
    """A key for caches that changes whenever dealcoach's own code does: the name, size and
    modification time of every Python file in the package. The version number stays the same
    between commits, so it cannot key a cache of what the code computed."""
    if package is None:
        return _own_code_stamp()
    import hashlib

    digest = hashlib.sha1()
    for folder, subfolders, files in sorted(os.walk(package)):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                relative = os.path.relpath(os.path.join(folder, name), package)
                digest.update(f"{relative}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


_stamp: list[str] = []


def _own_code_stamp() -> str:
    if not _stamp:  # once per run: the code does not change while it runs
        _stamp.append(code_stamp(PACKAGE_DIR))
    return _stamp[0]


def reviews_dir() -> Path:
    """DEALCOACH_REVIEWS, else the project's `reviews` setting, else ./reviews."""
    if os.environ.get("DEALCOACH_REVIEWS"):
        return Path(os.environ["DEALCOACH_REVIEWS"])
    from .config import load

    settings = load()
    if settings.reviews is not None:
        return settings.reviews
    return settings.source.parent / "reviews" if settings.source else Path("reviews")


def project_playbook_dirs() -> list[Path]:
    """The project's own playbook folders: from its settings, else `playbooks/` at its root."""
    from .config import load

    settings = load()
    if settings.playbooks:
        return list(settings.playbooks)
    return [settings.source.parent / "playbooks" if settings.source else Path.cwd() / "playbooks"]


@dataclass
class Entry:
    """One playbook file in one layer, and the entries it hides from earlier layers."""

    id: str
    path: Path
    layer: str
    overrides: list[Entry] = field(default_factory=list)


@dataclass
class Catalogue:
    entries: dict[str, Entry]
    problems: list[Problem] = field(default_factory=list)

    def ids(self) -> list[str]:
        return sorted(self.entries)

    def find(self, playbook_id: str) -> Entry:
        if playbook_id in self.entries:
            return self.entries[playbook_id]
        from .playbook import closest

        hint = closest(playbook_id, self.ids())
        raise NotFoundError(f"no playbook {playbook_id!r}{hint}; `dealcoach playbooks list` shows the ones there are")


def layers(extra: list[Path] | None = None) -> list[tuple[str, Path]]:
    """The playbook folders in the order they are searched; later wins."""
    result: list[tuple[str, Path]] = [("built-in", builtin_dir())]
    result.append(("user", user_config_dir() / "playbooks"))
    for project in project_playbook_dirs():
        result.append(("project", project))
    env = os.environ.get("DEALCOACH_PLAYBOOKS", "")
    for item in env.split(os.pathsep):
        if item.strip():
            result.append(("DEALCOACH_PLAYBOOKS", Path(item.strip())))
    for folder in extra or []:
        result.append(("--playbooks", folder))
    # The same folder twice (a checkout's ./playbooks is also the built-in folder) counts once.
    seen: set[Path] = set()
    unique = []
    for name, folder in result:
        key = folder.resolve() if folder.exists() else folder.absolute()
        if key not in seen:
            seen.add(key)
            unique.append((name, folder))
    return unique


def catalogue(extra: list[Path] | None = None) -> Catalogue:
    """Every playbook id visible from here, with the file that wins."""
    for folder in extra or []:
        if not folder.is_dir():
            raise InputError(f"--playbooks {folder}: no such folder")
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for layer, folder in layers(extra):
        if not folder.is_dir():
            continue
        in_layer: dict[str, Path] = {}
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            pid = path.stem
            if pid in in_layer:
                problems.append(Problem(path, 0, 0, f"the id {pid!r} is also used by {in_layer[pid]}; rename one"))
                continue
            in_layer[pid] = path
            previous = entries.get(pid)
            entry = Entry(pid, path, layer)
            if previous is not None:
                entry.overrides = [previous, *previous.overrides]
            entries[pid] = entry
    return Catalogue(entries, problems)


def playbook_files(targets: list[Path]) -> list[Path]:
    """Expand files and folders given on the command line into playbook files."""
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files.extend(sorted([*target.rglob("*.yaml"), *target.rglob("*.yml")]))
        elif target.exists():
            files.append(target)
        else:
            raise InputError(f"{target}: no such file or folder")
    return files
