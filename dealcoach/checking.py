"""Validating many playbook files at once, as CI and pre-commit do.

Loading a playbook is CPU-bound (YAML parsing and expression checks, a few milliseconds each), so
a large batch is spread over worker processes; results come back in the order of the files.
"""

from __future__ import annotations

from pathlib import Path

from .errors import DealcoachError, Problem
from .parallel import map_files
from .playbook import build, lint_quantities


def problems_in(path: Path) -> list[Problem | str]:
    """Every problem in one playbook file, including texts that state a quantity no answer gave."""
    from . import yamlfile

    try:
        located = yamlfile.read(path)
    except DealcoachError as exc:
        return list(exc.problems) or [exc.message]
    found: list[Problem | str] = []
    try:
        build(located)
    except DealcoachError as exc:
        found = list(exc.problems) or [exc.message]
    lint = lint_quantities(located)
    if lint:
        found = sorted([*found, *lint], key=lambda p: (p.line, p.column) if isinstance(p, Problem) else (0, 0))
    return found


def check_files(paths: list[Path]) -> list[list[Problem | str]]:
    """Problems per file, in the order given."""
    return map_files(problems_in, paths)
