"""Deal and participant names as folder and file names.

A deal is identified by its name with case, width and spacing ignored (`ACME` and `Acme` are one
deal; `Acme!` is another). The folder name keeps the letters and digits of every script, so a
reviews folder stays readable in any language; where that drops anything (punctuation, an emoji,
a name that is all symbols, a cut at 60 characters or 100 bytes), a short hash of the name is
added, so two different deals never share a folder, an autosave or a history.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG = 60
MAX_SLUG_BYTES = 100  # with a participant's name and the date, a file name stays under 255 bytes


def deal_key(name: str) -> str:
    """What makes two deal names the same deal: NFKC, case folded, spacing collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _kept(ch: str) -> bool:
    # Letters, marks (the vowel signs of many scripts) and digits of any script.
    return unicodedata.category(ch)[0] in "LMN"


def slugify(text: str) -> str:
    """A folder-safe name: letters and digits of any script joined by `-`, plus a short hash of
    the name when the letters alone would not tell it apart from another (see the module doc)."""
    key = deal_key(text)
    words = "".join(ch if _kept(ch) else " " for ch in key).split()
    base = "-".join(words)
    cut = base[:MAX_SLUG]
    while len(cut.encode("utf-8")) > MAX_SLUG_BYTES:  # file names are limited in bytes, not letters
        cut = cut[:-1]
    cut = cut.strip("-")
    if cut and cut == base and " ".join(words) == key:
        return cut
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return f"{cut or 'deal'}--{digest}"


def legacy_slug(text: str) -> str:
    """The folder name earlier versions gave a deal (ASCII letters and digits only); existing
    folders named this way keep being used for their deal."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "deal"
