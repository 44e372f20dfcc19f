"""Every example in the README and docs/ runs: playbook snippets validate, commands succeed."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from dealcoach import playbook as pbmod
from dealcoach.examples import run_examples

from .conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[tuple[str, int, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1) == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((doc.name, line, match.group(2)))
    return found


PLAYBOOK_SNIPPETS = [b for b in blocks("yaml") if re.match(r"^id: ", b[2])]


@pytest.mark.parametrize("snippet", PLAYBOOK_SNIPPETS, ids=lambda b: f"{b[0]}:{b[1]}")
def test_playbook_snippets_validate_and_pass_their_examples(snippet: tuple[str, int, str], tmp_path: Path) -> None:
    _, _, text = snippet
    playbook_id = re.match(r"^id: (\S+)", text).group(1)  # type: ignore[union-attr]
    path = tmp_path / f"{playbook_id}.yaml"
    path.write_text(text, encoding="utf-8")
    pb = pbmod.load(path)
    assert [o.mismatches for o in run_examples(pb) if not o.passed] == []


def readme_commands() -> list[str]:
    """Every dealcoach command in the README's shell blocks that only reads (no redirects, no docs writes)."""
    commands = []
    for _, _, text in blocks("bash"):
        for line in text.splitlines():
            command = line.split(" && ")[-1].split("  #")[0].strip()
            if not command.startswith(".venv/bin/dealcoach") or ">" in command or "--output docs" in command:
                continue
            commands.append(command)
    return commands


def test_the_readme_has_commands_to_check() -> None:
    assert len(readme_commands()) >= 4


@pytest.mark.parametrize("command", readme_commands())
def test_readme_commands_run(command: str, env: dict[str, str]) -> None:
    args = shlex.split(command)[1:]
    ran = subprocess.run(
        [sys.executable, "-m", "dealcoach", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr


def test_readme_opens_with_the_two_commands() -> None:
    first_two = [text for _, _, text in blocks("bash")[:2]]
    assert "dealcoach review --answers examples/answers/" in first_two[0]
    assert "python -m pytest" in first_two[1]
    assert all(text.startswith("python3 -m venv .venv && ") for text in first_two)
