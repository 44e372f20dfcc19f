"""Which heavy libraries each command path loads.

Start-up time is measured by benchmarks/run.py; this test catches the usual regression (a module
level import of a heavy library) in CI, where timings are too noisy to assert on.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from .helpers import ROOT

# pydantic: typer 0.29 and later import it on every parse (see the typer cap in pyproject.toml).
HEAVY = {
    *("rich", "jinja2", "yaml", "questionary", "prompt_toolkit", "platformdirs", "pygments", "markdown_it"),
    "pydantic",
}


def loaded(*args: str, env: dict[str, str]) -> set[str]:
    """Top-level packages imported by `python -m dealcoach ARGS`, read from -X importtime."""
    ran = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dealcoach", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    names = set()
    for line in ran.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names & HEAVY


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], set()),
        (["playbooks", "list"], {"platformdirs"}),
        (
            ["review", "--answers", "examples/answers/resistant-end-user.yaml", "--output", "-"],
            {"yaml", "jinja2", "platformdirs"},
        ),
        # Built-ins whose texts already pass the fixed-quantity check (the others are being rewritten).
        (
            ["playbooks", "validate", "playbooks"],
            {"yaml", "jinja2", "platformdirs"},
        ),
    ],
    ids=["help", "list", "review-answers", "validate"],
)
def test_command_paths_load_only_what_they_need(args: list[str], allowed: set[str], env: dict[str, str]) -> None:
    loaded(*args, env=env)  # the first run fills the playbook cache; measure the run a user repeats
    assert loaded(*args, env=env) <= allowed


def test_the_engine_never_imports_terminal_libraries() -> None:
    code = (
        "import sys; import dealcoach.review.scoring, dealcoach.review.render, dealcoach.review.document, "
        "dealcoach.review.interview, dealcoach.review.workflow, dealcoach.review.selftest, "
        "dealcoach.playbook.answers, dealcoach.playbook.catalogue, dealcoach.history.records; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert set(ran.stdout.split()) & {"questionary", "prompt_toolkit", "typer", "click", "rich"} == set()
