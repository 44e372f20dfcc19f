"""Where a deal's files live in a reviews folder: its folder, found by name, old names included."""

from __future__ import annotations

from pathlib import Path

from ..names import deal_key, legacy_slug, slugify


def deal_folder(root: Path, deal: str) -> Path:
    """The folder that holds `deal`'s reviews under `root`.

    A folder written by an earlier version under the old name is used while every review in it
    belongs to this deal; the old catch-all `deal/` folder, where names without ASCII letters
    all ended up, is never reused.
    """
    new = root / slugify(deal)
    old = legacy_slug(deal)
    if new.exists() or old == new.name or old == "deal":
        return new
    legacy = root / old
    if legacy.is_dir() and _only_reviews_of(legacy, deal):
        return legacy
    return new


def named_folder(root: Path, deal: str) -> Path:
    """The folder of `deal` given by its name or by its folder's name (`acme-logistics`), as
    commands that take a deal accept both. A folder's name wins only when no deal's own folder has
    that name, and a name too long to be a folder's is simply not one."""
    direct = root / deal
    try:
        if deal and "/" not in deal and direct.is_dir() and not (root / slugify(deal)).is_dir():
            return direct
    except OSError:
        pass
    return deal_folder(root, deal)


def _only_reviews_of(folder: Path, deal: str) -> bool:
    """Whether every review in `folder` names `deal` in its front matter (read with the bounded
    reader; a damaged one counts against)."""
    from ..errors import DealcoachError
    from ..playbook.yamlfile import parse, split_front_matter

    files = sorted(folder.glob("*.md"))
    if not files:
        return False
    key = deal_key(deal)
    for path in files:
        try:
            front, _ = split_front_matter(path.read_text(encoding="utf-8-sig"))
            data = parse(front, path).data if front is not None else None
        except (OSError, UnicodeDecodeError, DealcoachError):
            return False
        if not isinstance(data, dict) or not isinstance(data.get("deal"), str) or deal_key(data["deal"]) != key:
            return False
    return True
