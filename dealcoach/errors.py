"""The few errors dealcoach raises, and the exit codes the CLI turns them into.

The core raises these; only the CLI prints them. Every error that comes from a user's file
carries `Problem`s that name the file, line and column, so editors and CI annotations can
jump to the spot.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitStatus(IntEnum):
    """The documented exit codes, in one place (they are ints, so they pass to sys.exit as is)."""

    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


# The names the code has always used, kept as aliases of the enum's members.
EXIT_OK = ExitStatus.OK
EXIT_FAILURE = ExitStatus.FAILURE
EXIT_BAD_INPUT = ExitStatus.BAD_INPUT
EXIT_INTERRUPTED = ExitStatus.INTERRUPTED


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, at one place in it (line and column are 1-based)."""

    path: Path | str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}: {self.message}"
        return f"{self.path}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class DealcoachError(Exception):
    """Base class: anything the user can act on. The CLI prints it and exits with `exit_code`."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        """What the user sees: one line per problem, or the message alone."""
        if self.problems:
            return [str(p) for p in self.problems]
        return [self.message]


class InputError(DealcoachError):
    """A playbook, answers file, review or argument that is not what it should be (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class NotFoundError(InputError):
    """A playbook id, deal or file that does not exist (exit 2), with the closest match if any."""


class Interrupted(DealcoachError):
    """The user stopped an interview; `saved_to` says where the answers so far are (exit 130)."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, message: str, saved_to: Path | None = None) -> None:
        super().__init__(message)
        self.saved_to = saved_to
