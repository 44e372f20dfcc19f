"""Answers: checking a value against its question, answers files, and `--set` overrides.

One function, `coerce`, decides what a valid answer is for every question type; answers files,
`--set`, playbook defaults, examples and the terminal all go through it, so they cannot disagree.
`None` always means "I don't know".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, Problem

if TYPE_CHECKING:
    from . import yamlfile

if TYPE_CHECKING:
    from .model import Playbook, Question

_YES = {"yes", "y", "true", "on", "1"}
_NO = {"no", "n", "false", "off", "0"}


class AnswerError(ValueError):
    """A value that does not fit its question; the message says what would."""


def coerce(question: Question, value: Any) -> Any:
    """Return `value` as the question's type, or raise AnswerError saying what fits."""
    if value is None:
        return None
    qtype = question.type
    if qtype == "choice":
        if isinstance(value, (list, dict)):
            kind = "a list" if isinstance(value, list) else "a mapping"
            raise AnswerError(f"must be one of the choices ({_values(question)}), not {kind}")
        if question.option(value) is None:
            raise AnswerError(f"{_shown(value)} is not one of the choices: {_values(question)}")
        return value
    if qtype == "multi":
        if isinstance(value, dict):
            raise AnswerError(f"must be a list of choices ({_values(question)}), not a mapping")
        items = value if isinstance(value, list) else [v.strip() for v in str(value).split(",") if v.strip()]
        bad = [v for v in items if question.option(v) is None]
        if bad:
            raise AnswerError(f"{_shown(bad[0])} is not one of the choices: {_values(question)}")
        return list(dict.fromkeys(items))
    if qtype == "yesno":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise AnswerError(f"{_shown(value)} is not yes or no")
    if qtype == "text":
        if isinstance(value, (dict, list)):
            raise AnswerError("must be text, not a list or mapping")
        return str(value)
    if qtype == "list":
        if isinstance(value, list):
            if any(isinstance(v, (dict, list)) for v in value):
                raise AnswerError("must be a list of short texts")
            return [str(v) for v in value]
        if isinstance(value, dict):
            raise AnswerError("must be a list of short texts")
        return [v.strip() for v in str(value).split(",") if v.strip()]
    if qtype in ("number", "scale"):
        typed = value
        if question.unit == "%" and isinstance(value, str) and value.strip().endswith("%"):
            typed = value.strip()[:-1]  # the prompt shows percentages, so "5%" is what a rep types
        number = _number(typed)
        if number is None:
            raise AnswerError(f"{_shown(value)} is not a number")
        if not math.isfinite(number):  # nan and inf compare false with every bound; refuse them
            raise AnswerError(f"{_shown(value)} is not a finite number")
        if qtype == "scale" and number != int(number):
            raise AnswerError(f"{_shown(value)} must be a whole number on the scale")
        if question.whole and number != int(number):  # "deferred 3.5 times" is not a count
            raise AnswerError(f"{_shown(value)} must be a whole number (this question counts)")
        if question.min is not None and number < question.min:
            raise AnswerError(f"{_fmt(number)} is below the minimum {_fmt(question.min)}")
        if question.max is not None and number > question.max:
            raise AnswerError(f"{_fmt(number)} is above the maximum {_fmt(question.max)}")
        return int(number) if number == int(number) else number
    raise AnswerError(f"unknown question type {qtype!r}")  # pragma: no cover - loader prevents it


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def _shown(value: Any) -> str:
    """A value as the user wrote it in YAML, not as Python prints it (no `['a']`, no `True`)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _values(question: Question) -> str:
    return ", ".join(str(o.value) for o in question.options)


def check_answers(
    playbook: Playbook,
    answers: dict[Any, Any],
    located: yamlfile.Located | None,
    key: tuple[Any, ...],
) -> tuple[dict[str, Any], list[Problem]]:
    """Coerce every answer; report unknown question ids and bad values, each at its line."""
    from ..text import closest

    ids = [q.id for q in playbook.questions]
    result: dict[str, Any] = {}
    problems: list[Problem] = []

    def report(where: tuple[Any, ...], message: str) -> None:
        if located is None:
            problems.append(Problem("--set", 0, 0, message))
        else:
            problems.append(located.problem(where, message))

    for qid, value in answers.items():
        question = playbook.question(str(qid))
        if question is None:
            report(
                (*key, qid, "<key>"),
                f"{qid!r} is not a question in playbook {playbook.id!r}{closest(str(qid), ids)}",
            )
            continue
        try:
            result[question.id] = coerce(question, value)
        except AnswerError as exc:
            report((*key, qid), f"answer to {qid!r}: {exc}")
    return result, problems


@dataclass
class AnswersFile:
    """What an answers file (or a review's front matter) says: playbook, deal and answers."""

    playbook: str
    deal: str
    answers: dict[str, Any]
    located: yamlfile.Located
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.located.path


def read_answers_file(path: Path, text: str | None = None) -> AnswersFile:
    """Read an answers file, or a review's YAML front matter; check its shape, not its values.

    `text`, when given, is the file's content already read (from stdin); `path` then only names it.
    """
    from ..playbook.yamlfile import split_front_matter

    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such answers file") from None
    except UnicodeDecodeError as exc:  # a line and column, not "byte 40"
        from .yamlfile import not_utf8

        raise not_utf8(path, exc) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    front, _ = split_front_matter(text)
    from . import yamlfile

    if front is None:
        located = yamlfile.parse(text.removeprefix("\ufeff"), path)
    else:
        located = yamlfile.parse(front, path, first_line=yamlfile.FRONT_MATTER_LINE)
    data = located.data
    message = None
    if not isinstance(data, dict):
        message = "an answers file is a mapping with 'playbook', 'deal' and 'answers'"
    elif not isinstance(data.get("playbook"), str):
        message = "'playbook' (the playbook id) is missing; add `playbook: ID`"
    elif "answers" in data and not isinstance(data["answers"], dict):
        message = "'answers' must be a mapping of question id to answer"
    if message:
        raise InputError(message, [located.problem(("playbook",), message)])
    assert isinstance(data, dict)
    deal = data.get("deal")
    return AnswersFile(
        playbook=data["playbook"],
        deal=str(deal) if deal is not None else "",
        answers=dict(data.get("answers") or {}),
        located=located,
        extra={k: v for k, v in data.items() if k not in ("playbook", "deal", "answers")},
    )


def parse_set_options(items: list[str]) -> dict[str, str]:
    """`--set QUESTION=VALUE`, repeatable; a value of `?` means "I don't know"."""
    result: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"--set {item!r}: write it as QUESTION=VALUE")
        qid, _, value = item.partition("=")
        result[qid.strip()] = None if value.strip() == "?" else value
    return result
