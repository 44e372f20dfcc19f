"""An answers file to fill in: every question of a playbook, with its type, values and help.

`dealcoach playbooks show ID --answers` prints it, so a rep scripting reviews never needs to read
the playbook's YAML. Every answer is left empty, which reads as "I don't know": the file is a
valid answers file as it stands, and stays one as answers are filled in.
"""

from __future__ import annotations

import json
import textwrap

from .model import Playbook, Question

_WIDTH = 96


def _comment(text: str, indent: str) -> list[str]:
    """`text` as YAML comment lines; blank lines inside it are kept as empty comments."""
    lines: list[str] = []
    for paragraph in text.strip().splitlines() or [""]:
        wrapped = textwrap.wrap(paragraph, width=_WIDTH - len(indent) - 2) or [""]
        lines += [f"{indent}# {line}".rstrip() for line in wrapped]
    return lines


def _value(value: object) -> str:
    """A value as it is written in the file (flow style: strings that need quotes get them)."""
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) or not value.isidentifier() else value


def _how(question: Question) -> list[str]:
    """How to write the answer to `question`, as comment text."""
    if question.type == "choice":
        return ["one of:", *(f"  {_value(o.value)}  ({o.label})" for o in question.options)]
    if question.type == "multi":
        first = ", ".join(_value(o.value) for o in question.options[:2])
        return [
            f"a list of any of these, like [{first}]; [] for none of them:",
            *(f"  {_value(o.value)}  ({o.label})" for o in question.options),
        ]
    if question.type == "yesno":
        return ["yes or no"]
    if question.type in ("number", "scale"):
        whole = "a whole number" if question.type == "scale" else "a number"
        if question.min is not None and question.max is not None:
            text = f"{whole} from {question.min:g} to {question.max:g}"
        elif question.min is not None:
            text = f"{whole}, at least {question.min:g}"
        elif question.max is not None:
            text = f"{whole}, at most {question.max:g}"
        else:
            text = whole
        return [text + (f" ({question.unit})" if question.unit else "")]
    if question.type == "list":
        return ["a list of short texts, like [first, second]"]
    return ["free text; put it in quotes if it holds ': ' or starts with a quote, [ or {"]


def _question(question: Question) -> list[str]:
    indent = "  "
    lines = [""]
    lines += _comment(question.prompt, indent)
    if question.help:
        lines += _comment(f"Why it matters: {question.help}", indent)
    for line in _how(question):
        lines.append(f"{indent}# {line}")
    if question.when is not None:
        lines += _comment(f"Asked only when: {question.when.source}", indent)
    if question.default is not None:
        lines.append(f"{indent}# Default in the terminal: {_value(question.default)}")
    lines.append(f"{indent}{question.id}:")
    return lines


def answers_skeleton(playbook: Playbook) -> str:
    """The commented answers file for `playbook`, every answer empty ("I don't know")."""
    lines = [
        f"# Answers for the playbook {playbook.id!r} ({playbook.title}), version {playbook.version}.",
        '# Fill in what you know; an empty answer means "I don\'t know". Then run:',
        "#   dealcoach review --answers THIS-FILE",
        "# A question whose 'Asked only when' does not hold is left out of the review.",
        f"playbook: {playbook.id}",
        f"playbook_version: {playbook.version}",
        "deal:  # the deal (account or opportunity) name",
        "answers:",
    ]
    by_set = {qid: shared for shared in playbook.included for qid in shared.questions}
    current = None
    for question in playbook.questions:
        shared = by_set.get(question.id)
        if shared is not current:
            title = (
                f"From the shared set {shared.id!r}: {shared.title}"
                + (
                    " (kept per deal: a review of the same deal offers them pre-filled)"
                    if shared.scope == "deal"
                    else ""
                )
                if shared is not None
                else "This playbook's own questions"
            )
            lines += ["", *_comment(f"--- {title} ---", "  ")]
            current = shared
        lines += _question(question)
    return "\n".join(lines) + "\n"
