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
def dealcoach(env: dict[str, str], work: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]):
    """Run `dealcoach ARGS...` in `work`, with no terminal: in-process through `dealcoach.cli.run`
    (fast, same isolation env), or as a real process for tests marked `process` (what only a
    process shows: its exit status, its environment at start-up)."""
    in_process = request.node.get_closest_marker("process") is None

    def run(*args: str, stdin: str = "", extra_env: dict[str, str] | None = None) -> Ran:
        if in_process:
            code, out, err = _run_in_process(list(args), {**env, **(extra_env or {})}, work, stdin, capsys)
        else:
            proc = subprocess.run(
                [sys.executable, "-m", "dealcoach", *args],
                cwd=work,
                env={**env, **(extra_env or {})},
                input=stdin,
                capture_output=True,
                text=True,
                timeout=60,
            )
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        assert "Traceback" not in err, err
        assert "internal error" not in err, err
        return Ran(code, out, err)

    return run


def _run_in_process(
    args: list[str], env: dict[str, str], work: Path, stdin: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """`dealcoach.cli.run(args)` with the process's environment, folder and stdin swapped for the
    run's, and all three put back after (the CLI may set DEALCOACH_DEBUG for its own run)."""
    import io

    from dealcoach.cli import run as cli_run

    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name not in env:
                patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.chdir(work)
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()  # drop whatever an earlier step printed
        code = cli_run(args)
        captured = capsys.readouterr()
    return code, captured.out, captured.err
