"""A team's project settings: `dealcoach.toml`, or a `[tool.dealcoach]` table in pyproject.toml.

Found by walking up from the current folder, like most project-aware tools, so dealcoach behaves
the same from any sub-folder of a team's repository. Paths in it are relative to the file.

    reviews = "reviews"                 # where reviews are written
    playbooks = ["playbooks"]           # the project's playbook folders, later ones win
    template = "templates/review.md.j2" # the team's own review template
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError, Problem

FILE_NAME = "dealcoach.toml"
KEYS = {"reviews": str, "playbooks": list, "template": str}


@dataclass(frozen=True)
class Config:
    source: Path | None = None  # the file the settings came from; None when there is none
    reviews: Path | None = None
    playbooks: tuple[Path, ...] = field(default_factory=tuple)
    template: Path | None = None


def _toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        # Older tomllib only says where in the message: "Invalid value (at line 1, column 11)".
        text = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)", text)
        line, column = (int(where.group(1)), int(where.group(2))) if where else (0, 0)
        message = "not valid TOML: " + re.sub(r" \(at line .*\)$", "", text)
        raise InputError(message, [Problem(path, line, column, message)]) from None


def _settings(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    own = folder / FILE_NAME
    if own.is_file():
        return own, _toml(own)
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        table = _toml(pyproject).get("tool", {}).get("dealcoach")
        if isinstance(table, dict):
            return pyproject, table
    return None


@lru_cache(maxsize=4)
def load(start: Path | None = None) -> Config:
    """The settings for the project containing `start` (default: the current folder)."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        found = _settings(candidate)
        if found is not None:
            return _parse(*found)
        if (candidate / ".git").exists():  # do not wander out of the repository
            break
    return Config()


def _parse(path: Path, data: dict[str, Any]) -> Config:
    problems = []
    for key, value in data.items():
        expected = KEYS.get(key)
        if expected is None:
            problems.append(Problem(path, 0, 0, f"unknown setting {key!r}; known: {', '.join(KEYS)}"))
        elif not isinstance(value, expected) or (key == "playbooks" and not all(isinstance(v, str) for v in value)):
            kind = "a list of folder names" if expected is list else "a string"
            problems.append(Problem(path, 0, 0, f"the setting {key!r} must be {kind}"))
    if problems:
        raise InputError(f"{path}: {len(problems)} problem(s) in the settings", problems)
    root = path.parent
    return Config(
        source=path,
        reviews=root / data["reviews"] if "reviews" in data else None,
        playbooks=tuple(root / p for p in data.get("playbooks", [])),
        template=root / data["template"] if "template" in data else None,
    )


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
        _stamp.append(code_stamp(Path(__file__).parent))
    return _stamp[0]
