"""Sessions: partial answers saved after every answer, so Ctrl-C or a crash loses nothing.

One file per deal and playbook in the user's state folder, replaced atomically on every save.
A session is removed once its review is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .review import slugify, write_atomic
from .store import user_state_dir


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
    from .names import legacy_slug

    who = f"--{slugify(participant)}" if participant else ""
    path = sessions_dir() / f"{slugify(deal)}--{playbook_id}{who}.yaml"
    old_who = f"--{legacy_slug(participant)}" if participant else ""
    old = sessions_dir() / f"{legacy_slug(deal)}--{playbook_id}{old_who}.yaml"
    if old != path and not path.exists() and old.exists() and _belongs(old, deal, playbook_id, participant):
        return old
    return path


def _belongs(path: Path, deal: str, playbook_id: str, participant: str) -> bool:
    """Whether the session file at `path` is this deal's, playbook's and participant's."""
    from .names import deal_key

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
    path = session_path(deal, playbook_id, participant)
    data = {
        "playbook": playbook_id,
        "playbook_version": version,
        "deal": deal,
        **({"participant": participant} if participant else {}),
        "updated": dt.datetime.now().isoformat(timespec="seconds"),
        "answers": answers,
    }
    from . import yamlfile

    write_atomic(path, yamlfile.dump(data), overwrite=True)
    return path


def load(path: Path) -> Session:
    from . import yamlfile

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
