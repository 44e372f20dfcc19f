"""Readable pages for playbooks: `playbooks show` and the generated docs/playbooks.md.

Written from the loaded playbook rather than a template so the catalogue can never describe a
question or strategy that the engine does not have.
"""

from __future__ import annotations

from pathlib import Path

from ..text import md as escape_markdown
from .loader import load_file
from .model import Playbook, Question, SharedSet, TextItem

TYPE_WORDS = {
    "choice": "pick one",
    "multi": "pick any",
    "yesno": "yes / no",
    "scale": "scale",
    "number": "number",
    "text": "free text",
    "list": "list",
}


def _question_line(number: int, question: Question) -> list[str]:
    kind = TYPE_WORDS.get(question.type, question.type)
    if question.type in ("scale", "number") and question.min is not None and question.max is not None:
        kind += f" {question.min:g} to {question.max:g}"
        if question.unit:
            kind += f" {question.unit}"
    extras = [kind]
    if question.when is not None:
        extras.append(f"asked when `{question.when.source}`")
    if question.unknown:
        extras.append("“I don't know” allowed")
    lines = [f"{number}. **{escape_markdown(question.prompt)}** (`{question.id}`; {'; '.join(extras)})"]
    if question.type in ("choice", "multi"):
        for option in question.options:
            lines.append(f"    - {escape_markdown(option.label)} (`{option.value}`)")
    if question.help:
        lines.append(f"\n    _Why it matters:_ {escape_markdown(question.help)}")
    return lines


def _included_questions(playbook: Playbook, h: str, expand: bool) -> list[str]:
    """The shared sets a playbook asks first: each question in full, or a pointer to the set's page."""
    lines: list[str] = []
    for shared in playbook.included:
        kept = "; its answers are kept per deal" if shared.scope == "deal" else ""
        if not expand:
            lines += [f"Asked first: the shared set `{shared.id}` ({escape_markdown(shared.title)}{kept}).", ""]
            continue
        lines += [f"{h}## Asked first, from the shared set `{shared.id}`: {escape_markdown(shared.title)}", ""]
        if kept:
            lines += ["Its answers are kept per deal and offered pre-filled on the deal's next review.", ""]
        for number, qid in enumerate(shared.questions, start=1):
            question = playbook.question(qid)
            assert question is not None
            lines += _question_line(number, question)
        lines.append("")
    if playbook.included and expand:
        lines += [f"{h}## This playbook's own questions", ""]
    return lines


def playbook_page(playbook: Playbook, level: int = 1, expand_included: bool = True) -> str:
    """One playbook as Markdown; `level` is the heading level of its title.

    `expand_included` lists the questions of included shared sets in full (`playbooks show`);
    the catalogue names the set instead, whose page it has once.
    """
    h = "#" * level
    lines = [f"{h} {escape_markdown(playbook.title)}", ""]
    lines.append(f"`{playbook.id}` · version {playbook.version}")
    lines.append("")
    lines.append(escape_markdown(playbook.summary))
    if playbook.situation:
        lines += ["", f"{h}# The situation", "", escape_markdown(playbook.situation)]
    lines += ["", f"{h}# Questions", ""]
    lines += _included_questions(playbook, h, expand_included)
    included = {qid for shared in playbook.included for qid in shared.questions}
    own = [q for q in playbook.questions if q.id not in included]
    for number, question in enumerate(own, start=1):
        lines += _question_line(number, question)
    lines += ["", f"{h}# Strategies", ""]
    for strategy in playbook.strategies:
        why = " ".join(_item(item) for item in strategy.items.get("why", ())) or escape_markdown(strategy.why)
        lines += [f"{h}## {escape_markdown(strategy.title)}", "", why]
        if strategy.route:
            lines += ["", f"Continues with the `{strategy.route}` playbook."]
        if strategy.requires:
            lines += [
                "",
                "_Recommended outright only if:_ " + "; ".join(escape_markdown(p.premise) for p in strategy.requires),
            ]
        for heading, key in (("Risks", "risks"), ("Next steps", "next_steps"), ("Talk track", "talk_track")):
            items = strategy.items.get(key, ())
            if items:
                lines += ["", f"_{heading}:_", ""]
                lines += [f"- {_item(item)}" for item in items]
        lines.append("")
    lines += [f"{h}# Sources", ""]
    lines += [f"- {escape_markdown(source)}" for source in playbook.sources]
    return "\n".join(lines).rstrip() + "\n"


def shared_page(shared: SharedSet, level: int = 1) -> str:
    """One shared set as Markdown: its questions (with ids and values) and the flags its rules raise."""
    h = "#" * level
    lines = [f"{h} {escape_markdown(shared.title)}", ""]
    kind = "shared set, answers kept per deal" if shared.scope == "deal" else "shared set"
    lines += [f"`{shared.id}` · version {shared.version} · {kind}", ""]
    if shared.summary:
        lines += [escape_markdown(shared.summary), ""]
    lines += [f"Playbooks ask these questions first with `include: [{shared.id}]`.", ""]
    lines += [f"{h}# Questions", ""]
    for number, question in enumerate(shared.questions, start=1):
        lines += _question_line(number, question)
    flagged = [r for r in shared.rules if r.flag is not None]
    if flagged:
        lines += ["", f"{h}# Flags it raises", ""]
        for rule in flagged:
            assert rule.flag is not None
            lines.append(f"- `{rule.id}` ({rule.flag.severity}, when `{rule.when.source}`)")
    return "\n".join(lines).rstrip() + "\n"


def catalogue_markdown(folder: Path) -> str:
    """The catalogue of every playbook in `folder`, triage first, then by id; shared sets last."""
    loaded = [load_file(path) for path in sorted(folder.glob("*.yaml"))]
    playbooks = [pb for pb in loaded if isinstance(pb, Playbook)]
    shared_sets = [s for s in loaded if isinstance(s, SharedSet)]
    playbooks.sort(key=lambda pb: (pb.id != "triage", pb.id))
    lines = [
        "# Playbook catalogue",
        "",
        "<!-- Generated by `dealcoach playbooks docs --output docs/playbooks.md`; do not edit. -->",
        "",
        "Every built-in playbook: the situation it coaches, the questions it asks, the strategies",
        "it can recommend and the sources it draws on. Run one with `dealcoach review ID`, or read",
        "it in the terminal with `dealcoach playbooks show ID`.",
        "",
        "| id | playbook | strategies |",
        "|---|---|---|",
    ]
    for pb in playbooks:
        anchor = f"[{escape_markdown(pb.title)}](#{_anchor(pb.title)})"
        lines.append(f"| `{pb.id}` | {anchor} | {len(pb.strategies)} |")
    lines.append("")
    for pb in playbooks:
        lines.append(playbook_page(pb, level=2, expand_included=False))
    if shared_sets:
        lines += [
            "## Shared sets",
            "",
            "Questions and rules that playbooks include by id and ask first (`include: [ID]`).",
            "",
        ]
        for shared in shared_sets:
            lines.append(shared_page(shared, level=3))
    return "\n".join(lines).rstrip() + "\n"


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -")
    return kept.replace(" ", "-")


def _item(item: TextItem) -> str:
    """A text as written; a conditional one says when it is shown."""
    text = escape_markdown(item.text.source)
    return f"{text} _(when `{item.when.source}`)_" if item.when is not None else text
