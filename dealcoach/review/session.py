"""Sessions: partial answers saved after every answer, so Ctrl-C or a crash loses nothing.

One file per deal and playbook in the user's state folder, replaced atomically on every save.
A session is removed once its review is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import user_state_dir
from ..errors import InputError
from ..files import write_atomic
from ..text import slugify


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
    who = f"--{slugify(participant)}" if participant else ""
    return sessions_dir() / f"{slugify(deal)}--{playbook_id}{who}.yaml"


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
    from ..playbook import yamlfile

    write_atomic(path, yamlfile.dump(data), overwrite=True)
    return path


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
    return load(path) if path.exists() else None


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
