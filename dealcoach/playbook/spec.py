"""The playbook format, described once as data.

The loader checks structure (keys, types, required fields) against these tables, and
`dealcoach playbooks schema` turns the same tables into a JSON Schema, so the two cannot drift.
Checks that need the whole playbook (references between ids, expressions) live in playbook.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUESTION_TYPES = ("choice", "multi", "yesno", "text", "number", "scale", "list")
SEVERITIES = ("high", "medium", "low")
CONFIDENCES = ("high", "medium", "low")

SLUG = r"^[a-z0-9][a-z0-9-]*$"
IDENT = r"^[a-z_][a-z0-9_]*$"


@dataclass(frozen=True)
class Field:
    """One key of one kind of mapping: its type, whether it is required, what it is for."""

    # kind: str | int | count | number | bool | items | text-or-items
    #     | unknown-flag | points | answers | any | list:X | obj:X | enum:a,b | str-or-list
    kind: str
    required: bool = False
    doc: str = ""
    pattern: str | None = None
    nullable: bool = False


SPEC: dict[str, dict[str, Field]] = {
    "playbook": {
        "id": Field("str", True, "Unique id; the file is named ID.yaml.", SLUG),
        "version": Field("int", True, "Bump when questions or scoring change; stored in every review."),
        "title": Field("str", True, "The situation in a few words."),
        "summary": Field("str", True, "One sentence: when to use this playbook."),
        "situation": Field("str", False, "A paragraph describing the situation, shown by `playbooks show`."),
        "include": Field(
            "list:str", False, "Ids of shared sets whose questions are asked first and whose rules apply here."
        ),
        "leave_out": Field(
            "list:str",
            False,
            "Ids of rules and questions from the included sets that do not fit this playbook (a live deal's "
            "warnings and pre-call questions in a post-mortem): they are not run or asked here.",
        ),
        "gaps_heading": Field(
            "str", False, "Heading of the review's list of things to find out; default: Find out before the call."
        ),
        "split_margin": Field(
            "count", False, "Scores within this many points of the winner make a split decision; default 1."
        ),
        "sources": Field("list:str", True, "Author and title of each source, or 'Framework-based: ...'."),
        "strategies": Field("list:strategy", True, "The possible recommendations, in tie-break order."),
        "questions": Field("list:question", True, "Asked in order; `when` skips a question."),
        "rules": Field("list:rule", False, "Cross-answer logic: points, vetoes and flags."),
        "examples": Field("list:example", False, "Answers with expected outcomes; run by `playbooks test`."),
    },
    "shared": {
        "kind": Field("enum:shared", True, "Marks the file as a shared set, which playbooks include; not a playbook."),
        "id": Field("str", True, "Unique id, the one playbooks name in `include`; the file is named ID.yaml.", SLUG),
        "version": Field("int", True, "Bump when questions or rules change."),
        "title": Field("str", True, "What the questions are about, in a few words."),
        "summary": Field("str", False, "One sentence: what the set asks and which playbooks should include it."),
        "scope": Field(
            "enum:deal", False, "`deal`: answers are kept per deal and offered pre-filled on its next review."
        ),
        "include": Field("list:str", False, "Ids of other shared sets, asked before this one."),
        "questions": Field("list:question", True, "Asked before the including playbook's own, in order."),
        "rules": Field(
            "list:rule", False, "Rules over its answers; points and vetoes for strategies a playbook lacks are ignored."
        ),
    },
    "strategy": {
        "id": Field("str", True, "Id used in points, vetoes and examples.", SLUG),
        "title": Field("str", True, "The recommendation in a few words."),
        "why": Field(
            "text-or-items", True, "Why this strategy fits when it wins: the coaching; a text or a list of items."
        ),
        "risks": Field("items", False, "What can go wrong with it."),
        "next_steps": Field("items", False, "Concrete steps before and after the next call."),
        "talk_track": Field("items", False, "Questions or lines to use on the next call."),
        "requires": Field(
            "list:premise", False, "Premises that must be known and true for it to be recommended outright."
        ),
        "route": Field("str", False, "Triage only: the playbook this recommendation leads to.", SLUG),
    },
    "question": {
        "id": Field("str", True, "Id used in expressions and answers files.", IDENT),
        "type": Field("enum:" + ",".join(QUESTION_TYPES), True, "How the question is asked."),
        "prompt": Field("str", True, "The question as the rep reads it."),
        "help": Field("str", False, "Why the question matters, shown under it."),
        "when": Field("str", False, "Ask only when this expression over earlier answers is true."),
        "unknown": Field("unknown-flag", False, '`allowed` offers "I don\'t know".'),
        "gap": Field("str", False, "What to find out, listed in the review when the answer is unknown."),
        "choices": Field("list:choice", False, "For choice and multi questions."),
        "if_yes": Field("obj:outcome", False, "For yesno questions: points and reason when yes."),
        "if_no": Field("obj:outcome", False, "For yesno questions: points and reason when no."),
        "min": Field("number", False, "For number and scale questions."),
        "max": Field("number", False, "For number and scale questions."),
        "unit": Field("str", False, "For number questions, shown after the prompt."),
        "whole": Field("bool", False, "For number questions that count things: only whole numbers."),
        "default": Field("any", False, "Pre-selected answer in the terminal and used by --defaults."),
        "verify": Field("bool", False, "Also ask how the rep knows (`ID_source`: firsthand, secondhand, assumed)."),
    },
    "item": {
        "text": Field("str", True, "The text; may use {{ answers }}."),
        "when": Field("str", True, "Shown only when this expression over any answers is true."),
    },
    "premise": {
        "when": Field("str", True, "An expression over any answers that must be known and true."),
        "premise": Field("str", True, "The premise in plain words: 'someone with influence will move him'."),
    },
    "choice": {
        "value": Field("str", True, "Stored in answers files and compared in expressions."),
        "label": Field("str", True, "What the rep sees."),
        "points": Field("points", False, "Points per strategy id when chosen."),
        "says": Field("str", False, "The answer in plain words, quoted in the review's reasons."),
    },
    "outcome": {
        "points": Field("points", False, "Points per strategy id."),
        "says": Field("str", False, "The answer in plain words, quoted in the review's reasons."),
    },
    "rule": {
        "id": Field("str", False, "Names the rule in examples' expected flags.", SLUG),
        "when": Field("str", True, "An expression over any answers."),
        "points": Field("points", False, "Points per strategy id when the rule holds."),
        "veto": Field("str-or-list", False, "Strategy id(s) that cannot be recommended when it holds."),
        "flag": Field("obj:flag", False, "A red flag raised when the rule holds."),
        "says": Field("str", False, "Why the rule holds, quoted in the review (may use {{ answers }})."),
        "evidence": Field("obj:evidence", False, "How many answers must support it before its effects stand."),
    },
    "evidence": {
        "min": Field("count", True, "How many of the `of` expressions must be true."),
        "of": Field("list:str", True, "Expressions over any answers, each one piece of evidence."),
        "missing": Field("str", True, "What evidence to get, shown while the conclusion is not yet established."),
    },
    "flag": {
        "severity": Field("enum:" + ",".join(SEVERITIES), True, "high, medium or low."),
        "text": Field("str", True, "What the coach would warn about (may use {{ answers }})."),
        "against": Field("list:str", False, "Strategy ids this flag argues against: raised, it vetoes them."),
    },
    "example": {
        "name": Field("str", True, "What the example shows."),
        "answers": Field("answers", True, 'Question id to answer; null for "I don\'t know".'),
        "expect": Field("obj:expect", True, "The outcome the example must produce."),
    },
    "expect": {
        "strategy": Field("str", False, "The recommended strategy id (null: none can be).", nullable=True),
        "confidence": Field("enum:" + ",".join(CONFIDENCES), False, "high, medium or low."),
        "flags": Field("list:str", False, "Ids of rules whose flags must be raised (others may be too)."),
        "vetoed": Field("list:str", False, "Strategy ids that must be vetoed."),
        "gaps": Field("list:str", False, "Question ids that must appear as things to find out."),
        "split": Field("list:str", False, "Strategy ids of a split decision, winner first ([] for a clear winner)."),
        "conditional": Field("bool", False, "Whether the recommendation rests on a premise not yet known."),
        "unestablished": Field("list:str", False, "Ids of rules whose conclusion is not yet established."),
    },
}


# The schema's name wherever a copy is kept (a team's repository holds one written by `dealcoach
# init`; editors find it by path, so the name need not be a web address).
SCHEMA_ID = "urn:dealcoach:playbook-schema"


def json_schema() -> dict[str, Any]:
    """The playbook format as a JSON Schema (draft 2020-12) for editors' YAML support.

    One schema for both kinds of file: `kind: shared` selects the shared-set branch, anything
    else is checked as a playbook.
    """
    defs = {name: _object_schema(name) for name in SPEC if name != "playbook"}
    schema = _object_schema("playbook")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dealcoach playbook or shared set",
        "if": {"type": "object", "properties": {"kind": {"const": "shared"}}, "required": ["kind"]},
        "then": {"$ref": "#/$defs/shared"},
        "else": schema,
        "$defs": defs,
    }


def _object_schema(name: str) -> dict[str, Any]:
    fields = SPEC[name]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [k for k, f in fields.items() if f.required],
        "properties": {k: {**_field_schema(f), "description": f.doc} for k, f in fields.items()},
    }


_ITEM = {"oneOf": [{"type": "string", "minLength": 1}, {"$ref": "#/$defs/item"}]}


def _field_schema(field: Field) -> dict[str, Any]:
    kind = field.kind
    base: dict[str, Any]
    if kind == "str":
        base = {"type": "string", "minLength": 1}
    elif kind == "int":
        base = {"type": "integer", "minimum": 1}
    elif kind == "count":
        base = {"type": "integer", "minimum": 0}
    elif kind == "items":
        base = {"type": "array", "items": _ITEM}
    elif kind == "text-or-items":
        base = {"oneOf": [{"type": "string", "minLength": 1}, {"type": "array", "items": _ITEM, "minItems": 1}]}
    elif kind == "number":
        base = {"type": "number"}
    elif kind == "bool":
        base = {"type": "boolean"}
    elif kind == "unknown-flag":
        base = {"enum": ["allowed", "forbidden", True, False]}
    elif kind == "points":
        base = {"type": "object", "additionalProperties": {"type": "integer"}}
    elif kind == "answers":
        base = {"type": "object"}
    elif kind == "any":
        base = {}
    elif kind == "str-or-list":
        base = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    elif kind.startswith("enum:"):
        base = {"enum": kind[5:].split(",")}
    elif kind.startswith("list:"):
        item = kind[5:]
        items = {"type": "string", "minLength": 1} if item == "str" else {"$ref": f"#/$defs/{item}"}
        base = {"type": "array", "items": items}
    elif kind.startswith("obj:"):
        base = {"$ref": f"#/$defs/{kind[4:]}"}
    else:  # pragma: no cover - a typo in SPEC
        raise ValueError(kind)
    if field.pattern:
        base["pattern"] = field.pattern
    if field.nullable:
        base = {"oneOf": [base, {"type": "null"}]}
    return base


def schema_text() -> str:
    """The schema as the file shipped in schema/playbook.schema.json."""
    import json

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


_KIND_WORDS = {
    "str": "text",
    "int": "whole number",
    "count": "whole number from 0",
    "items": "list of text or item mappings",
    "text-or-items": "text, or list of text or item mappings",
    "number": "number",
    "bool": "true / false",
    "unknown-flag": "`allowed`",
    "points": "mapping of strategy id to whole number",
    "answers": "mapping of question id to answer",
    "any": "any answer",
    "str-or-list": "id or list of ids",
}


def reference_markdown() -> str:
    """Every key of the format as Markdown tables; docs/authoring.md embeds this, kept in sync by a test."""
    sections = []
    for name, fields in SPEC.items():
        rows = ["| key | required | type | what it is for |", "|---|---|---|---|"]
        for key, f in fields.items():
            kind = _KIND_WORDS.get(f.kind)
            if kind is None and f.kind.startswith("enum:"):
                kind = " / ".join(f"`{v}`" for v in f.kind[5:].split(","))
            elif kind is None and f.kind.startswith("list:"):
                kind = "list of text" if f.kind == "list:str" else f"list of {f.kind[5:]} mappings"
            elif kind is None and f.kind.startswith("obj:"):
                kind = f"{f.kind[4:]} mapping"
            rows.append(f"| `{key}` | {'yes' if f.required else ''} | {kind} | {f.doc} |")
        sections.append(f"#### {name}\n\n" + "\n".join(rows))
    return "\n\n".join(sections) + "\n"
