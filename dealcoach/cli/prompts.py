"""The terminal asker: questionary prompts for each question type.

Imported only by interactive commands: questionary and prompt_toolkit are the slowest imports
in the project and a review from an answers file never needs them.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import questionary
from questionary import Choice, Style

from ..playbook.answers import AnswerError, coerce
from ..playbook.model import Question
from ..review.interview import BACK, Step
from ..review.scoring import label

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


ALONE = "Back and I don't know go alone: untick the other choices"


def plain() -> bool:
    """A terminal that cannot move its cursor (TERM=dumb, an editor's shell buffer): ask line by line."""
    return os.environ.get("TERM", "") == "dumb"


def width() -> int:
    """The terminal's own width (what the prompts draw in), not COLUMNS, less one for the cursor."""
    try:
        columns = os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        columns = shutil.get_terminal_size((80, 24)).columns
    return max(20, columns - 1)


def wrap(text: str, indent: int = 0) -> str:
    """Break `text` between words to fit the terminal, which would otherwise break it mid-word."""
    room = width() - indent
    # Line by line: a help text's own line breaks (a YAML `|` block) are kept.
    return "\n".join(
        textwrap.fill(line, room, break_on_hyphens=False) if line.strip() else "" for line in text.splitlines()
    )


def _instruction(message: str, instruction: str) -> str:
    """Put the key hint on its own line when it would not fit after the prompt's last line."""
    last = message.rsplit("\n", 1)[-1]
    return instruction if len(last) + len(instruction) + 4 <= width() else "\n" + instruction


def _unsafe(question: Any) -> Any:
    """Ask; Ctrl-D stops the review like Ctrl-C does (answers saved, exit 130), not "Aborted!"."""
    try:
        return question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None


def asker(color: bool = True) -> TerminalAsker | PlainAsker:
    """The asker for this terminal: full-screen prompts, or numbered lines on a dumb terminal."""
    return PlainAsker() if plain() else TerminalAsker(color=color)


class TerminalAsker:
    """Asks one question at a time in the terminal; raises KeyboardInterrupt on Ctrl-C or Ctrl-D."""

    def __init__(self, color: bool = True) -> None:
        self.style = STYLE if color else None

    def ask(self, question: Question, step: Step) -> Any:
        questionary.print(f"\nQuestion {step.number} of about {step.total}", style="fg:ansibrightblack")
        if question.help:
            questionary.print(wrap(question.help), style="italic")
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
        message = wrap(question.prompt, 3)
        answer = _unsafe(
            questionary.select(
                message,
                choices=choices,
                default=default if default in values else None,
                style=self.style,
                instruction=_instruction(message, "(arrow keys, Enter)"),
            )
        )
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
        message = wrap(question.prompt, 3)
        while True:
            choices = [Choice(o.label, value=o.value, checked=o.value in current) for o in question.options]
            choices += self._extras(question, step)
            answer = _unsafe(
                questionary.checkbox(
                    message,
                    choices=choices,
                    style=self.style,
                    instruction=_instruction(message, "(Space to tick, Enter when done)"),
                )
            )
            special = [a for a in answer if a in (BACK_CHOICE, UNKNOWN_CHOICE)]
            if not special:
                return answer
            if len(answer) == 1:
                return self._decode(special[0])
            # Asked again rather than guessing which was meant; a message, not a toolbar, so it
            # shows on every terminal.
            questionary.print(ALONE, style="fg:ansiyellow" if self.style else "")
            current = [a for a in answer if a not in special]

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
        prompt = wrap(question.prompt + (f" ({question.unit})" if show_unit else ""), 3)
        instruction = _instruction(prompt, f"({'; '.join(hints)})") if hints else None
        text = _unsafe(
            questionary.text(
                prompt,
                default="" if default is None else str(default),
                validate=validate,
                style=self.style,
                instruction=instruction,
            )
        )
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


class PlainAsker:
    """Line by line for a terminal that cannot move its cursor: numbered choices, typed answers.

    No escape codes at all; the same answers, checks, "I don't know" and "back" as TerminalAsker.
    """

    def ask(self, question: Question, step: Step) -> Any:
        _line(f"\nQuestion {step.number} of about {step.total}")
        if question.help:
            _line(wrap(question.help))
        default = step.current if step.answered else question.default
        if question.type in ("choice", "yesno", "scale", "multi"):
            return self._pick(question, step, default)
        return self._type(question, step, default)

    def _options(self, question: Question, step: Step) -> list[tuple[str, Any]]:
        if question.type == "yesno":
            found: list[tuple[str, Any]] = [("Yes", True), ("No", False)]
        elif question.type == "scale":
            low, high = int(question.min or 1), int(question.max or 5)
            found = [(str(n), n) for n in range(low, high + 1)]
        else:
            found = [(o.label, o.value) for o in question.options]
        if question.unknown:
            found.append(("I don't know", None))
        if step.can_go_back:
            found.append(("Back to the previous question", BACK))
        return found

    def _pick(self, question: Question, step: Step, default: Any) -> Any:
        options = self._options(question, step)
        multi = question.type == "multi"
        for n, (title, _) in enumerate(options, 1):
            _line(wrap(f"  {n}) {title}", 6))
        hint = "numbers separated by commas" if multi else f"a number from 1 to {len(options)}"
        values = [v for _, v in options]
        if multi:
            shown = ",".join(str(values.index(v) + 1) for v in default or [] if v in values)
        else:
            shown = str(values.index(default) + 1) if default in values and default is not None else ""

        def check(text: str) -> tuple[bool, Any]:
            picked = [p.strip() for p in (text or shown).split(",") if p.strip()] if multi else [text or shown]
            if not multi and picked == [""]:
                return False, f"Type {hint}"
            if not all(p.isdigit() and 1 <= int(p) <= len(options) for p in picked):
                return False, f"Type {hint}"
            chosen = [values[int(p) - 1] for p in dict.fromkeys(picked)]
            if not multi:
                return True, chosen[0]
            special = [v for v in chosen if v is None or v is BACK]
            if special and len(chosen) > 1:
                return False, ALONE
            return True, special[0] if special else chosen

        return _read(wrap(question.prompt) + f"\n({hint}){f' [{shown}]' if shown else ''}: ", check)

    def _type(self, question: Question, step: Step, default: Any) -> Any:
        hints = []
        if question.type == "list":
            hints.append("separate items with commas")
        if question.unknown:
            hints.append(f"{UNKNOWN_TEXT} = I don't know")
        if step.can_go_back:
            hints.append(f"{BACK_TEXT} = back")
        if isinstance(default, list):
            default = ", ".join(default)
        shown = "" if default is None else str(default)

        def check(text: str) -> tuple[bool, Any]:
            text = (text or shown).strip()
            if text == BACK_TEXT and step.can_go_back:
                return True, BACK
            if text == UNKNOWN_TEXT and question.unknown:
                return True, None
            if not text:
                if question.type in ("text", "list"):
                    return True, "" if question.type == "text" else []
                return False, "Type an answer"
            try:
                coerce(question, text)
            except AnswerError as exc:
                return False, str(exc)
            return True, text

        hint = f" ({'; '.join(hints)})" if hints else ""
        return _read(wrap(question.prompt + hint) + (f" [{shown}]" if shown else "") + ": ", check)


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _read(prompt: str, check: Callable[[str], tuple[bool, Any]]) -> Any:
    """Ask until `check` accepts the typed line; end of input stops like Ctrl-C."""
    while True:
        try:
            text = input(prompt)
        except EOFError:
            raise KeyboardInterrupt from None
        ok, value = check(text.strip())
        if ok:
            return value
        _line(str(value))


def say(text: str, style: str = "", color: bool = True) -> None:
    """Print a line with prompt_toolkit, which is loaded already: rich is not needed until the review."""
    if plain():
        _line(wrap(text))
        return
    questionary.print(wrap(text), style=style if color else "")


def ask_text(message: str) -> str:
    """One line of free text (the deal's name)."""
    if plain():
        return _read(message + " ", lambda text: (True, text))  # type: ignore[no-any-return]
    return str(_unsafe(questionary.text(message)) or "")


def confirm(message: str, default: bool = True, color: bool = True) -> bool:
    if plain():
        answers = {"y": True, "yes": True, "n": False, "no": False, "": default}
        return bool(
            _read(
                wrap(message) + (" [Y/n] " if default else " [y/N] "),
                lambda text: (text.lower() in answers, answers.get(text.lower(), "Type y or n")),
            )
        )
    return bool(_unsafe(questionary.confirm(wrap(message, 3), default=default, style=STYLE if color else None)))


def choose(message: str, choices: list[tuple[str, Any]], color: bool = True) -> Any:
    if plain():
        for n, (title, _) in enumerate(choices, 1):
            _line(wrap(f"  {n}) {title}", 6))

        def check(text: str) -> tuple[bool, Any]:
            text = text or "1"
            if text.isdigit() and 1 <= int(text) <= len(choices):
                return True, choices[int(text) - 1][1]
            return False, f"Type a number from 1 to {len(choices)}"

        return _read(f"{message} [1]: ", check)
    return _unsafe(
        questionary.select(
            wrap(message, 3),
            choices=[Choice(title, value=value) for title, value in choices],
            style=STYLE if color else None,
        )
    )


def pick_many(message: str, choices: list[tuple[str, Any]], color: bool = True) -> list[Any]:
    """Tick any number of `choices` (none is an answer); numbers separated by commas on a dumb terminal."""
    if plain():
        for n, (title, _) in enumerate(choices, 1):
            _line(wrap(f"  {n}) {title}", 6))

        def check(text: str) -> tuple[bool, Any]:
            picked = [p.strip() for p in text.split(",") if p.strip()]
            if not all(p.isdigit() and 1 <= int(p) <= len(choices) for p in picked):
                return False, "Type numbers separated by commas, or nothing for none"
            return True, [choices[int(p) - 1][1] for p in dict.fromkeys(picked)]

        return list(_read(wrap(message) + "\n(numbers separated by commas; nothing for none): ", check))
    message = wrap(message, 3)
    return list(
        _unsafe(
            questionary.checkbox(
                message,
                choices=[Choice(title, value=value) for title, value in choices],
                style=STYLE if color else None,
                instruction=_instruction(message, "(Space to tick, Enter when done)"),
            )
        )
    )
