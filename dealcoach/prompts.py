"""The terminal asker: questionary prompts for each question type.

Imported only by interactive commands: questionary and prompt_toolkit are the slowest imports
in the project and a review from an answers file never needs them.
"""

from __future__ import annotations

from typing import Any

import questionary
from questionary import Choice, Style

from .answers import AnswerError, coerce
from .interview import BACK, Step
from .playbook import Question
from .scoring import label

UNKNOWN_CHOICE = "__unknown__"
BACK_CHOICE = "__back__"
UNKNOWN_TEXT = "?"
BACK_TEXT = "<"

STYLE = Style(
    [
        ("qmark", "fg:ansicyan bold"),
        ("question", "bold"),
        ("answer", "fg:ansigreen bold"),
        ("pointer", "fg:ansicyan bold"),
        ("highlighted", "fg:ansicyan bold"),
        ("instruction", "fg:ansibrightblack"),
    ]
)


class TerminalAsker:
    """Asks one question at a time in the terminal; raises KeyboardInterrupt on Ctrl-C."""

    def __init__(self, color: bool = True) -> None:
        self.style = STYLE if color else None

    def ask(self, question: Question, step: Step) -> Any:
        questionary.print(f"\nQuestion {step.number} of about {step.total}", style="fg:ansibrightblack")
        if question.help:
            questionary.print(question.help, style="italic")
        handler = getattr(self, f"_ask_{question.type}")
        return handler(question, step)

    def _extras(self, question: Question, step: Step) -> list[Choice]:
        extras = []
        if question.unknown:
            extras.append(Choice("I don't know", value=UNKNOWN_CHOICE))
        if step.can_go_back:
            extras.append(Choice("<- Back to the previous question", value=BACK_CHOICE))
        return extras

    def _select(self, question: Question, step: Step, choices: list[Choice]) -> Any:
        choices = [*choices, *self._extras(question, step)]
        default = step.current if step.answered else question.default
        if step.answered and step.current is None:
            default = UNKNOWN_CHOICE
        values = [c.value for c in choices]
        answer = questionary.select(
            question.prompt,
            choices=choices,
            default=default if default in values else None,
            style=self.style,
            instruction="(arrow keys, Enter)",
        ).unsafe_ask()
        return self._decode(answer)

    def _decode(self, answer: Any) -> Any:
        if answer == BACK_CHOICE:
            return BACK
        if answer == UNKNOWN_CHOICE:
            return None
        return answer

    def _ask_choice(self, question: Question, step: Step) -> Any:
        return self._select(question, step, [Choice(o.label, value=o.value) for o in question.options])

    def _ask_yesno(self, question: Question, step: Step) -> Any:
        return self._select(question, step, [Choice("Yes", value=True), Choice("No", value=False)])

    def _ask_scale(self, question: Question, step: Step) -> Any:
        low, high = int(question.min or 1), int(question.max or 5)
        choices = [Choice(str(n), value=n) for n in range(low, high + 1)]
        return self._select(question, step, choices)

    def _ask_multi(self, question: Question, step: Step) -> Any:
        current = step.current if isinstance(step.current, list) else []
        choices = [Choice(o.label, value=o.value, checked=o.value in current) for o in question.options]
        choices += self._extras(question, step)
        answer = questionary.checkbox(
            question.prompt,
            choices=choices,
            style=self.style,
            instruction="(Space to tick, Enter when done)",
        ).unsafe_ask()
        if BACK_CHOICE in answer:
            return BACK
        if UNKNOWN_CHOICE in answer:
            return None
        return answer

    def _typed(self, question: Question, step: Step, hint: str) -> Any:
        hints = [hint] if hint else []
        if question.unknown:
            hints.append(f"{UNKNOWN_TEXT} = I don't know")
        if step.can_go_back:
            hints.append(f"{BACK_TEXT} = back")
        default = step.current if step.answered else question.default
        if isinstance(default, list):
            default = ", ".join(default)

        def validate(text: str) -> bool | str:
            text = text.strip()
            if text == BACK_TEXT and step.can_go_back:
                return True
            if text == UNKNOWN_TEXT and question.unknown:
                return True
            if not text:
                return True if question.type in ("text", "list") else "Type an answer"
            try:
                coerce(question, text)
            except AnswerError as exc:
                return str(exc)
            return True

        # The unit is already in the bounds hint when there is one; say it once.
        show_unit = question.unit and not (question.min is not None and question.max is not None)
        prompt = question.prompt + (f" ({question.unit})" if show_unit else "")
        text = questionary.text(
            prompt,
            default="" if default is None else str(default),
            validate=validate,
            style=self.style,
            instruction=f"({'; '.join(hints)})" if hints else None,
        ).unsafe_ask()
        text = text.strip()
        if text == BACK_TEXT and step.can_go_back:
            return BACK
        if text == UNKNOWN_TEXT and question.unknown:
            return None
        if not text:
            return "" if question.type == "text" else []
        return text

    def _ask_text(self, question: Question, step: Step) -> Any:
        return self._typed(question, step, "")

    def _ask_list(self, question: Question, step: Step) -> Any:
        return self._typed(question, step, "separate items with commas")

    def _ask_number(self, question: Question, step: Step) -> Any:
        bounds = ""
        if question.min is not None and question.max is not None:
            kind = "a whole number" if question.whole else "a number"
            bounds = f"{kind} from {label(question, question.min)} to {label(question, question.max)}"
        return self._typed(question, step, bounds)


def say(text: str, style: str = "", color: bool = True) -> None:
    """Print a line with prompt_toolkit, which is loaded already: rich is not needed until the review."""
    questionary.print(text, style=style if color else "")


def confirm(message: str, default: bool = True, color: bool = True) -> bool:
    return bool(questionary.confirm(message, default=default, style=STYLE if color else None).unsafe_ask())


def choose(message: str, choices: list[tuple[str, Any]], color: bool = True) -> Any:
    return questionary.select(
        message,
        choices=[Choice(title, value=value) for title, value in choices],
        style=STYLE if color else None,
    ).unsafe_ask()
