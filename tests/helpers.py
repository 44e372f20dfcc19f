"""Helpers shared by the tests: paths, a file writer and a minimal playbook."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOKS = ROOT / "playbooks"
EXAMPLES = ROOT / "examples"
# The built-in playbooks, without the shared sets (`kind: shared`) that playbooks include.
BUILTIN_PLAYBOOK_FILES = [
    p for p in sorted(PLAYBOOKS.glob("*.yaml")) if "\nkind: shared\n" not in "\n" + p.read_text(encoding="utf-8")
]


def review_as_written(answers: Path, state: Path) -> str:
    """The Markdown review `dealcoach review --answers` writes today, on the golden files' date."""
    env = {**os.environ, "DEALCOACH_TODAY": "2026-11-25", "DEALCOACH_STATE_DIR": str(state)}
    ran = subprocess.run(
        [sys.executable, "-m", "dealcoach", "review", "--answers", str(answers), "--output", "-"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    return ran.stdout


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


MINIMAL = """
id: mini
version: 1
title: Mini
summary: A small playbook for tests.
sources: ["Framework-based: test fixture"]
strategies:
  - {id: push, title: Push on, why: Push because it works.}
  - {id: wait, title: Wait, why: Wait because it is early.}
questions:
  - id: ready
    type: yesno
    prompt: Are they ready?
    unknown: allowed
    gap: Ask whether they are ready.
    if_yes: {points: {push: 3}, says: They are ready.}
    if_no: {points: {wait: 3}, says: They are not ready.}
  - id: size
    type: choice
    prompt: How big is it?
    when: ready
    choices:
      - {value: big, label: Big, points: {push: 2}, says: It is big.}
      - {value: small, label: Small, points: {wait: 1}, says: It is small.}
rules:
  - id: small-and-ready
    when: ready and size == 'small'
    flag: {severity: medium, text: "Ready but small: {{ size }}"}
examples:
  - name: ready and big
    answers: {ready: true, size: big}
    expect: {strategy: push}
"""

# A playbook whose strategies have next steps and a talk track: for the call plan and actions.
STEPS = """
id: steps
version: 1
title: Steps
summary: A playbook with next steps, for tests of follow-through.
sources: ["Framework-based: test fixture"]
strategies:
  - id: push
    title: Push on
    why: Push because it works.
    next_steps: [Book the decision meeting., Send the summary to the sponsor.]
    talk_track: ["What would stop you signing this month?"]
  - id: wait
    title: Wait
    why: Wait because it is early.
    next_steps: [Check back after their planning round.]
questions:
  - id: ready
    type: yesno
    prompt: Are they ready?
    unknown: allowed
    gap: Ask whether they are ready.
    if_yes: {points: {push: 3}, says: They are ready.}
    if_no: {points: {wait: 3}, says: They are not ready.}
  - id: budget
    type: yesno
    prompt: Is there budget?
    unknown: allowed
    gap: Ask who holds the budget.
    if_yes: {points: {push: 1}, says: There is budget.}
    if_no: {points: {wait: 4}, says: No budget.}
  - id: size
    type: choice
    prompt: How big is it?
    unknown: allowed
    gap: Ask how many sites it covers.
    choices:
      - {value: big, label: Big, points: {push: 5}, says: It is big.}
      - {value: small, label: Small, points: {wait: 5}, says: It is small.}
"""
