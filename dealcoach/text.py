"""Small text helpers every layer uses: "did you mean" and Markdown escaping."""

from __future__ import annotations

import difflib
import re
from typing import Any


def closest(name: str, candidates: list[str]) -> str:
    """' (did you mean X?)' for the nearest candidate, or ''."""
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|#~!])")


def md(text: Any) -> str:
    """Escape text a rep typed so it shows as typed, inline, in any Markdown renderer."""
    value = " ".join(str(text).split())  # one line: keeps list items and tables intact
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_SPECIAL.sub(r"\\\1", value)
    if re.match(r"^([-+=]|\d+[.)])(\s|$)", value):  # would start a list or heading underline
        value = "\\" + value
    return value
