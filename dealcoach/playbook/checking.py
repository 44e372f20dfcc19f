"""Validating many playbook files at once, as CI and pre-commit do.

Loading a playbook is CPU-bound (YAML parsing and expression checks, a few milliseconds each), so
a large batch is spread over worker processes; results come back in the order of the files.
Shared sets are validated too; a problem inside one that several playbooks include is reported once.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import DealcoachError, Problem
from ..files import collector_paused, map_files
from .loader import IncludeFinder, build, build_file, lint_quantities


def problems_in(path: Path, finder: IncludeFinder | None = None) -> list[Problem | str]:
    """Every problem in one playbook or shared set file (and what it includes), including texts
    that state a quantity no answer gave; empty when valid."""
    with collector_paused():  # checking a file allocates much and keeps only its problems
        return _problems_in(path, finder)


def _problems_in(path: Path, finder: IncludeFinder | None) -> list[Problem | str]:
    from . import yamlfile

    try:
        located = yamlfile.read(path)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    found: list[Problem | str] = []
    try:  # the tree just read: parsing is most of the cost of a file
        build_file(located, finder)
    except DealcoachError as exc:
        found = list(exc.problems) or [exc.message]
    return _with_lint(found, lint_quantities(located))


def _with_lint(found: list[Problem | str], lint: list[Problem]) -> list[Problem | str]:
    if not lint:
        return found
    known = set(found)
    merged = [*found, *(p for p in lint if p not in known)]
    return sorted(merged, key=lambda p: (str(p.path), p.line, p.column) if isinstance(p, Problem) else ("", 0, 0))


def check_text(text: str, path: Path, finder: IncludeFinder | None = None) -> list[Problem | str]:
    """Every problem in a playbook given as text (an editor's unsaved buffer); `path` names it."""
    from . import yamlfile

    try:
        located = yamlfile.parse(text, path)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    found: list[Problem | str] = []
    try:
        build(located, finder)
    except DealcoachError as exc:
        found = list(exc.problems) or [exc.message]
    return _with_lint(found, lint_quantities(located))


def check_files(paths: list[Path], finder: IncludeFinder | None = None) -> list[list[Problem | str]]:
    """Problems per file, in the order given; a problem already listed for an earlier file is not repeated."""
    found = map_files(functools.partial(problems_in, finder=finder or IncludeFinder()), paths)
    seen: set[Problem | str] = set()
    result = []
    for problems in found:
        result.append([p for p in problems if not (p in seen or seen.add(p))])  # type: ignore[func-returns-value]
    return result
