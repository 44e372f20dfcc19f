"""Sessions: partial answers saved after every answer, so Ctrl-C or a crash loses nothing.

One file per deal and playbook in the user's state folder, replaced atomically on every save.
A session is removed once its review is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import user_state_dir
from ..errors import InputError
from ..files import write_atomic
from ..names import slugify


@dataclass
class Session:
    playbook: str
    playbook_version: int
    deal: str
    answers: dict[str, Any]
    updated: str
    path: Path
    participant: str = ""


def sessions_dir() -> Path:
    return user_state_dir() / "sessions"


def session_path(deal: str, playbook_id: str, participant: str = "") -> Path:
    """The deal's autosave; one an earlier version named after the ASCII-only slug is used while
    it is this deal's (those names were shared between deals in other scripts)."""
    from ..names import legacy_slug

    who = f"--{slugify(participant)}" if participant else ""
    path = sessions_dir() / f"{slugify(deal)}--{playbook_id}{who}.yaml"
    old_who = f"--{legacy_slug(participant)}" if participant else ""
    old = sessions_dir() / f"{legacy_slug(deal)}--{playbook_id}{old_who}.yaml"
    if old != path and not path.exists() and old.exists() and _belongs(old, deal, playbook_id, participant):
        return old
    return path


def _belongs(path: Path, deal: str, playbook_id: str, participant: str) -> bool:
    """Whether the session file at `path` is this deal's, playbook's and participant's."""
    from ..names import deal_key

    try:
        found = load(path)
    except InputError:
        return False
    return (
        found.playbook == playbook_id
        and deal_key(found.deal) == deal_key(deal)
        and deal_key(found.participant) == deal_key(participant)
    )


def save(deal: str, playbook_id: str, version: int, answers: dict[str, Any], participant: str = "") -> Path:
    """Save unconditionally; an interactive review uses Autosave, which checks ownership."""
    path = session_path(deal, playbook_id, participant)
    _write(path, deal, playbook_id, version, answers, participant, "")
    return path


def _write(
    path: Path, deal: str, playbook_id: str, version: int, answers: dict[str, Any], participant: str, owner: str
) -> None:
    data = {
        "playbook": playbook_id,
        "playbook_version": version,
        "deal": deal,
        **({"participant": participant} if participant else {}),
        "updated": dt.datetime.now().isoformat(timespec="seconds"),
        **({"owner": owner} if owner else {}),
        "answers": answers,
    }
    from ..playbook import yamlfile

    write_atomic(path, yamlfile.dump(data), overwrite=True)


class Autosave:
    """One terminal's autosave of a review: it writes the session file only while the file is
    still the one it last saw, so a second terminal on the same deal is noticed, not overwritten.

    Each save records a random owner token in the file. Before writing, the token found is
    compared with the one this terminal last saw (its own, or the one there when it started);
    a difference means another dealcoach has written since, and from then on this terminal saves
    nothing and says so, rather than claim answers are saved that the other would overwrite.
    """

    def __init__(self, deal: str, playbook_id: str, version: int, participant: str = "") -> None:
        import secrets

        self.deal, self.playbook_id, self.version, self.participant = deal, playbook_id, version, participant
        self.path = session_path(deal, playbook_id, participant)
        self.token = secrets.token_hex(8)
        self.seen = _owner(self.path)
        self.lost = False

    def save(self, answers: dict[str, Any]) -> Path | None:
        """Save and return the file, or None when another dealcoach has taken it over."""
        if self.lost:
            return None
        with _locked(self.path.parent):
            if _owner(self.path) != self.seen:
                self.lost = True
                return None
            _write(self.path, self.deal, self.playbook_id, self.version, answers, self.participant, self.token)
            self.seen = self.token
        return self.path

    def drop(self) -> None:
        """Remove the autosave once the review is written, unless another dealcoach owns it now."""
        if self.lost:
            return
        with _locked(self.path.parent):
            if _owner(self.path) == self.seen:
                self.path.unlink(missing_ok=True)


_MISSING = "<missing>"


def _owner(path: Path) -> str:
    """The owner token in a session file; '' for a file without one, _MISSING for no file."""
    from ..playbook import yamlfile

    try:
        data = yamlfile.read(path).data
    except InputError:
        return _MISSING if not path.exists() else ""
    return str(data.get("owner") or "") if isinstance(data, dict) else ""


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the sessions folder while checking and replacing a file, so two
    terminals cannot both pass the check; where there is no flock the check alone remains."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def load(path: Path) -> Session:
    from ..playbook import yamlfile

    located = yamlfile.read(path)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
        raise InputError(f"{path}: not a dealcoach session file; remove it with `dealcoach sessions drop`")
    return Session(
        playbook=str(data.get("playbook", "")),
        playbook_version=int(data.get("playbook_version") or 0),
        deal=str(data.get("deal", "")),
        answers=dict(data.get("answers") or {}),
        updated=str(data.get("updated", "")),
        path=path,
        participant=str(data.get("participant") or ""),
    )


def find(deal: str, playbook_id: str, participant: str = "") -> Session | None:
    path = session_path(deal, playbook_id, participant)
    return load(path) if path.exists() and _belongs(path, deal, playbook_id, participant) else None


def all_sessions() -> list[Session]:
    folder = sessions_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            found.append(load(path))
        except InputError:
            continue
    return sorted(found, key=lambda s: s.updated, reverse=True)


def drop(path: Path) -> None:
    path.unlink(missing_ok=True)
