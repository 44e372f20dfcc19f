"""Validating many playbook files at once, as CI and pre-commit do.

Loading a playbook is CPU-bound (YAML parsing and expression checks, a few milliseconds each), so
a large batch is spread over worker processes; results come back in the order of the files.
"""

from __future__ import annotations

from pathlib import Path

from .errors import DealcoachError, Problem
from .parallel import map_files
from .playbook import load, loads


def problems_in(path: Path) -> list[Problem | str]:
    """Every problem in one playbook file; an empty list when it is valid."""
    try:
        load(path)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    return []


def check_text(text: str, path: Path) -> list[Problem | str]:
    """Every problem in a playbook given as text (an editor's unsaved buffer); `path` names it."""
    try:
        loads(text, path)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    return []


def check_files(paths: list[Path]) -> list[list[Problem | str]]:
    """Problems per file, in the order given."""
    return map_files(problems_in, paths)
