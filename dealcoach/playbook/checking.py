"""Validating many playbook files at once, as CI and pre-commit do.

Loading a playbook is CPU-bound (YAML parsing and expression checks, a few milliseconds each), so
a large batch is spread over worker processes; results come back in the order of the files.
Shared sets are validated too; a problem inside one that several playbooks include is reported once.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import DealcoachError, Problem
from ..files import map_files
from .model import IncludeFinder, load_file, loads


def problems_in(path: Path, finder: IncludeFinder | None = None) -> list[Problem | str]:
    """Every problem in one playbook or shared set file (and what it includes); empty when valid."""
    try:
        load_file(path, finder)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    return []


def check_text(text: str, path: Path, finder: IncludeFinder | None = None) -> list[Problem | str]:
    """Every problem in a playbook given as text (an editor's unsaved buffer); `path` names it."""
    try:
        loads(text, path, finder)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    return []


def check_files(paths: list[Path], finder: IncludeFinder | None = None) -> list[list[Problem | str]]:
    """Problems per file, in the order given; a problem already listed for an earlier file is not repeated."""
    found = map_files(functools.partial(problems_in, finder=finder or IncludeFinder()), paths)
    seen: set[Problem | str] = set()
    result = []
    for problems in found:
        result.append([p for p in problems if not (p in seen or seen.add(p))])  # type: ignore[func-returns-value]
    return result
