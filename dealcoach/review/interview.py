"""The interview: walk a playbook's questions in order and collect answers from an asker.

The engine knows nothing of terminals. An asker is anything with `ask(question, step)` that
returns an answer (`None` for "I don't know") or `BACK`. The terminal asker lives in the CLI
layer; tests drive the engine with a scripted asker. Every answer is handed to `on_answer`
as soon as it is given, which is how sessions are autosaved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..playbook.answers import coerce
from ..playbook.model import Playbook, Question


class _Back:
    def __repr__(self) -> str:
        return "BACK"


BACK: Any = _Back()


@dataclass(frozen=True)
class Step:
    """Where the interview is: question `number` of about `total`, and the current answer."""

    number: int
    total: int
    current: Any
    answered: bool
    can_go_back: bool


class Asker(Protocol):
    def ask(self, question: Question, step: Step) -> Any: ...


class Interview:
    """Asks `playbook`'s questions; `answers` may already hold some (resume, answers file).

    `kept` are answered questions this interview does not ask again (a deal context the rep
    confirmed is still true); `reask` are answered ones it asks again, their answer shown as the
    default (the parts of the context the rep said have changed).
    """

    def __init__(
        self,
        playbook: Playbook,
        answers: dict[str, Any] | None = None,
        on_answer: Callable[[dict[str, Any]], None] | None = None,
        *,
        kept: set[str] | None = None,
        reask: set[str] | None = None,
    ) -> None:
        self.playbook = playbook
        self.answers: dict[str, Any] = dict(answers or {})
        self.on_answer = on_answer
        self.kept = set(kept or ())
        self.reask = set(reask or ())

    def first_open(self) -> int:
        """Position of the first asked question without an answer (where a resume starts)."""
        for pos, question in enumerate(self.playbook.asked(self.answers)):
            if question.id not in self.answers or question.id in self.reask:
                return pos
        return len(self.playbook.asked(self.answers))

    def _skipped(self, question: Question) -> bool:
        return question.id in self.kept and question.id in self.answers

    def run(self, asker: Asker, *, start: int | None = None) -> dict[str, Any]:
        """Ask from `start` (default: the first open question) to the end, honouring BACK.

        Kept answers are stepped over in both directions, so BACK goes to the previous question
        actually asked.
        """
        pos = self.first_open() if start is None else start
        step = 1
        while True:
            asked = self.playbook.asked(self.answers)
            if pos >= len(asked):
                return self.answers
            if pos < 0:
                pos, step = 0, 1
                continue
            question = asked[pos]
            if self._skipped(question):
                pos += step
                continue
            can_go_back = any(not self._skipped(q) for q in asked[:pos])
            value = self.ask_one(asker, question, pos, len(asked), can_go_back=can_go_back)
            if value is BACK:
                pos, step = pos - 1, -1
                continue
            pos, step = pos + 1, 1

    def ask_one(self, asker: Asker, question: Question, pos: int, total: int, *, can_go_back: bool = False) -> Any:
        """Ask one question, store and save its answer; returns the answer or BACK."""
        step = Step(
            number=pos + 1,
            total=total,
            current=self.answers.get(question.id),
            answered=question.id in self.answers,
            can_go_back=can_go_back,
        )
        value = asker.ask(question, step)
        if value is BACK:
            return BACK
        value = coerce(question, value)
        self.answers[question.id] = value
        self.reask.discard(question.id)
        self.kept.discard(question.id)  # changed on the summary screen: it is the rep's answer now
        if self.on_answer is not None:
            self.on_answer(dict(self.answers))
        return value


class ScriptedAsker:
    """Answers from a list, in order: for tests and for replaying a sequence of key choices."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)
        self.asked: list[str] = []

    def ask(self, question: Question, step: Step) -> Any:
        self.asked.append(question.id)
        if not self.replies:
            raise AssertionError(f"no scripted reply left for {question.id!r}")
        return self.replies.pop(0)


class DefaultsAsker:
    """Takes each question's default, or "I don't know" where it has none."""

    def ask(self, question: Question, step: Step) -> Any:
        return step.current if step.answered else question.default
