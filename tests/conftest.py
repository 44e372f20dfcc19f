"""Shared fixtures: run the real `dealcoach` command in an isolated folder."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from .helpers import BUILTIN_PLAYBOOK_FILES, EXAMPLES, MINIMAL, PLAYBOOKS, ROOT, write

__all__ = ["BUILTIN_PLAYBOOK_FILES", "EXAMPLES", "MINIMAL", "PLAYBOOKS", "ROOT", "write"]

# In CI the property tests replay the same examples every run, so a landing is never blocked by a
# case found by chance; locally every run explores new ones (6,000 per property ran clean).
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
    settings.load_profile("ci")


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment that keeps state, config and reviews inside tmp_path."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DEALCOACH_")}
    clean.update(
        {
            "DEALCOACH_STATE_DIR": str(tmp_path / "state"),
            "DEALCOACH_CACHE_DIR": str(tmp_path / "cache"),
            "DEALCOACH_CONFIG_DIR": str(tmp_path / "config"),
            "DEALCOACH_TODAY": "2026-11-25",
            "NO_COLOR": "1",
            "COLUMNS": "100",
        }
    )
    return clean


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def dealcoach(env: dict[str, str], work: Path):
    """Run `dealcoach ARGS...` as a real process in `work`, with no terminal."""

    def run(*args: str, stdin: str = "", extra_env: dict[str, str] | None = None) -> Ran:
        proc = subprocess.run(
            [sys.executable, "-m", "dealcoach", *args],
            cwd=work,
            env={**env, **(extra_env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        assert "internal error" not in proc.stderr, proc.stderr
        return Ran(proc.returncode, proc.stdout, proc.stderr)

    return run
