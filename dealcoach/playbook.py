"""Playbooks: the model, and loading one from YAML with every problem reported at once.

Loading is strict on purpose: unknown keys, wrong types, duplicate ids, expressions that name
questions that do not exist (or come later), points for strategies that do not exist. Teams
review playbooks like code, so a mistake should fail validation in CI, not surprise a rep.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .conditions import UNKNOWN, Condition, ExpressionError, TextTemplate, compile_condition, compile_text
from .errors import InputError, Problem
from .spec import IDENT, QUESTION_TYPES, SPEC

if TYPE_CHECKING:
    from . import yamlfile

CHOICE_TYPES = ("choice", "multi")
RANGE_TYPES = ("number", "scale")
# Words an expression reads as literals or operators: a question with one of these ids could never
# be named in a `when` or a rule (`when: none` is always false).
RESERVED_WORDS = frozenset({"none", "true", "false", "and", "or", "not", "in", "is", "if", "else"})


@dataclass(frozen=True)
class Option:
    """One possible answer of a choice, multi or yesno question, and what it is worth."""

    value: Any
    label: str
    points: dict[str, int] = field(default_factory=dict)
    says: TextTemplate | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    help: str = ""
    when: Condition | None = None
    unknown: bool = False
    gap: str = ""
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str = ""
    whole: bool = False
    default: Any = None
    line: int = 0

    def option(self, value: Any) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None

    @property
    def scores(self) -> bool:
        """Whether any answer to this question adds points by itself."""
        return any(option.points for option in self.options)


@dataclass(frozen=True)
class Flag:
    severity: str
    text: TextTemplate


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    points: dict[str, int] = field(default_factory=dict)
    veto: tuple[str, ...] = ()
    flag: Flag | None = None
    says: TextTemplate | None = None
    line: int = 0


@dataclass(frozen=True)
class Strategy:
    id: str
    title: str
    why: str
    risks: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    talk_track: tuple[str, ...] = ()
    route: str = ""


@dataclass(frozen=True)
class Example:
    name: str
    answers: dict[str, Any]
    expect: dict[str, Any]
    line: int = 0


@dataclass
class Playbook:
    id: str
    version: int
    title: str
    summary: str
    sources: tuple[str, ...]
    strategies: tuple[Strategy, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...] = ()
    examples: tuple[Example, ...] = ()
    situation: str = ""
    gaps_heading: str = "Find out before the call"
    path: Path = field(default_factory=lambda: Path("<memory>"))

    def question(self, question_id: str) -> Question | None:
        return self._questions_by_id().get(question_id)

    def strategy(self, strategy_id: str) -> Strategy | None:
        for strategy in self.strategies:
            if strategy.id == strategy_id:
                return strategy
        return None

    def _questions_by_id(self) -> dict[str, Question]:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {q.id: q for q in self.questions}
            self.__dict__["_by_id"] = cache
        return cache

    def asked(self, answers: dict[str, Any]) -> list[Question]:
        """The questions that are asked given `answers`, in order (each `when` sees earlier ones)."""
        seen: dict[str, Any] = {}
        result = []
        for question in self.questions:
            try:
                relevant = question.when is None or question.when(namespace(self, seen))
            except InputError as exc:  # name the file and line: the user has to find the `when`
                raise InputError(exc.message, [Problem(self.path, question.line, 1, exc.message)]) from None
            if relevant:
                result.append(question)
                if question.id in answers:
                    seen[question.id] = answers[question.id]
        return result

    @property
    def is_framework_based(self) -> bool:
        return any(s.lower().startswith("framework-based") for s in self.sources)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "unknown" if value is None else str(value)


def _samples(question: Question) -> list[Any]:
    """A few answers a question can take, the edge ones first, for probing expressions."""
    if question.type in ("number", "scale"):
        low = question.min if question.min is not None else -1
        high = question.max if question.max is not None else 100
        return list(dict.fromkeys([high, low, *([0] if low <= 0 <= high else [])]))
    if question.type == "yesno":
        return [True, False]
    if question.type == "choice":
        return [o.value for o in question.options]
    if question.type == "multi":
        return [[o.value] for o in question.options[:1]] + [[]]
    if question.type == "list":
        return [["item"], []]
    return ["text", ""]


def namespace(playbook: Playbook, answers: dict[str, Any]) -> dict[str, Any]:
    """What expressions see: every question id, with UNKNOWN where there is no answer."""
    return {q.id: UNKNOWN if answers.get(q.id) is None else answers[q.id] for q in playbook.questions}


def load(path: Path) -> Playbook:
    """Load and validate one playbook file; raise InputError listing every problem found."""
    from . import yamlfile

    located = yamlfile.read(path)
    return build(located)


def loads(text: str, path: Path) -> Playbook:
    """Load and validate a playbook from text (`path` names it in messages)."""
    from . import yamlfile

    return build(yamlfile.parse(text, path))


def load_cached(path: Path) -> Playbook:
    """`load`, remembered between runs in the user's state folder.

    Keyed by the file's path, size, modification time and dealcoach's version, so an edit is
    always seen. Used where start-up is what a rep feels (the review); `playbooks validate` and
    `playbooks test` always read afresh. A loaded playbook is plain data (expressions are kept as
    checked trees, texts as source), which is what makes it safe to keep.
    """
    import hashlib
    import os
    import pickle
    import tempfile

    from . import __version__
    from .store import user_state_dir

    try:
        st = path.stat()
        folder = user_state_dir() / "index" / "playbooks"
        name = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
        stamp = hashlib.sha1(f"{st.st_mtime_ns}|{st.st_size}|{__version__}".encode()).hexdigest()[:12]
        cached = folder / f"{name}-{stamp}.pickle"
    except OSError:
        return load(path)
    try:
        with cached.open("rb") as handle:
            found = pickle.load(handle)
        if isinstance(found, Playbook) and found.path == path:
            return found
    except Exception:  # missing, from another version, or damaged: it is only a cache
        pass
    playbook = load(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{name}-*.pickle"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(playbook, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    except (OSError, pickle.PickleError):
        pass
    return playbook


def build(located: yamlfile.Located) -> Playbook:
    builder = _PlaybookBuilder(located)
    playbook = builder.build()
    if builder.problems or playbook is None:
        problems = sorted(builder.problems, key=lambda p: (p.line, p.column))
        raise InputError(f"{located.path}: {len(problems)} problem(s)", problems)
    return playbook


def closest(name: str, candidates: list[str]) -> str:
    """' (did you mean X?)' for the nearest candidate, or ''."""
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


_TYPE_NAMES = {
    "str": "a string",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "points": "a mapping of strategy id to whole-number points",
    "answers": "a mapping of question id to answer",
    "str-or-list": "a strategy id or a list of them",
    "unknown-flag": "`allowed` or `forbidden`",
}


def _type_name(kind: str) -> str:
    if kind in _TYPE_NAMES:
        return _TYPE_NAMES[kind]
    if kind.startswith("enum:"):
        return "one of " + ", ".join(kind[5:].split(","))
    if kind.startswith("list:"):
        inner = kind[5:]
        return "a list of strings" if inner == "str" else f"a list of {inner} mappings"
    if kind.startswith("obj:"):
        return f"a {kind[4:]} mapping"
    return "anything"


class _PlaybookBuilder:
    """Walks the YAML data once, collecting Problems instead of stopping at the first."""

    def __init__(self, located: yamlfile.Located) -> None:
        self.located = located
        self.problems: list[Problem] = []

    # -- reporting -------------------------------------------------------------------------

    def problem(self, key: tuple[Any, ...], message: str) -> None:
        self.problems.append(self.located.problem(key, message))

    def line(self, key: tuple[Any, ...]) -> int:
        return self.located.where(key)[0]

    # -- structure -------------------------------------------------------------------------

    def check_mapping(self, key: tuple[Any, ...], value: Any, kind: str) -> dict[str, Any] | None:
        """Check keys and value types against SPEC[kind]; return the mapping or None."""
        fields = SPEC[kind]
        if not isinstance(value, dict):
            what = "the file" if not key else f"each {kind}"
            self.problem(key, f"{what} must be a mapping of keys to values, not {_show_type(value)}")
            return None
        for name in value:
            if name not in fields:
                hint = closest(str(name), list(fields))
                self.problem(
                    (*key, name, "<key>"),
                    f"unknown key {name!r} in a {kind}{hint}; allowed: {', '.join(fields)}",
                )
        for name, spec in fields.items():
            if name not in value:
                if spec.required:
                    self.problem(key, f"this {kind} is missing the required key {name!r}")
                continue
            self.check_type((*key, name), value[name], spec.kind, name, spec.pattern, spec.nullable)
        return value

    def check_type(
        self,
        key: tuple[Any, ...],
        value: Any,
        kind: str,
        name: str,
        pattern: str | None = None,
        nullable: bool = False,
    ) -> bool:
        if kind == "list:str" and isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    hint = ""
                    if isinstance(item, dict):
                        hint = " (a ': ' inside text starts a mapping: put the whole text in quotes)"
                    elif isinstance(item, bool):
                        hint = " (YAML reads yes/no/on/off as true/false: put the value in quotes)"
                    self.problem((*key, i), f"item {i + 1} of {name!r} must be a string, not {_show_type(item)}{hint}")
                    return False
        ok = _matches(value, kind) or (nullable and value is None)
        if not ok:
            hint = ""
            if kind == "str" and isinstance(value, bool):
                hint = " (YAML reads yes/no/on/off as true/false: put the value in quotes)"
            self.problem(key, f"{name!r} must be {_type_name(kind)}, not {_show_type(value)}{hint}")
            return False
        if kind == "str" and isinstance(value, str) and not value.strip():
            self.problem(key, f"{name!r} is empty; write something or remove the key")
            return False
        if pattern and isinstance(value, str) and not re.match(pattern, value):
            if pattern == IDENT:  # used as a name in expressions, so no `-`, and no leading digit
                rule = "lower-case letters, digits and _, starting with a letter or _"
            else:
                rule = "lower-case letters, digits and -"
            self.problem(key, f"{name!r} value {value!r} must use only {rule}")
            return False
        if pattern == IDENT and value in RESERVED_WORDS:
            self.problem(key, f"{name!r} value {value!r} is a word expressions reserve; pick another id")
            return False
        return True

    # -- the playbook ----------------------------------------------------------------------

    def build(self) -> Playbook | None:
        data = self.check_mapping((), self.located.data, "playbook")
        if data is None:
            return None
        strategies = self.build_strategies(data.get("strategies"))
        strategy_ids = [s.id for s in strategies]
        questions = self.build_questions(data.get("questions"), strategy_ids)
        rules = self.build_rules(data.get("rules"), strategy_ids, questions)
        playbook_id = data.get("id") if isinstance(data.get("id"), str) else ""
        path = self.located.path
        if playbook_id and path.suffix in (".yaml", ".yml") and path.stem != playbook_id:
            self.problem(("id",), f"the id {playbook_id!r} must match the file name {path.name!r}")
        if isinstance(data.get("sources"), list) and not data["sources"]:
            self.problem(("sources",), "list at least one source, or 'Framework-based: ...'")
        if isinstance(data.get("strategies"), list) and not data["strategies"]:
            self.problem(("strategies",), "a playbook needs at least one strategy")
        if isinstance(data.get("questions"), list) and not data["questions"]:
            self.problem(("questions",), "a playbook needs at least one question")
        playbook = Playbook(
            id=playbook_id,
            version=data.get("version") if isinstance(data.get("version"), int) else 0,
            title=_str(data.get("title")),
            summary=_str(data.get("summary")),
            situation=_str(data.get("situation")),
            gaps_heading=_str(data.get("gaps_heading")) or "Find out before the call",
            sources=_strs(data.get("sources")),
            strategies=tuple(strategies),
            questions=tuple(questions),
            rules=tuple(rules),
            path=path,
        )
        if isinstance(data.get("version"), int) and data["version"] < 1:
            self.problem(("version",), "'version' starts at 1")
        if not self.problems:
            self.probe_conditions(playbook, data)
        playbook.examples = tuple(self.build_examples(data.get("examples"), playbook))
        return playbook

    def probe_conditions(self, playbook: Playbook, data: dict[str, Any]) -> None:
        """Run every `when` with each answer its questions can take (bounds, 0, each choice), one
        question at a time: an expression that would fail on some review (`10 / deferrals` when
        deferrals may be 0) is reported now, at its line, not when a review finishes."""
        samples = {q.id: _samples(q) for q in playbook.questions}
        baseline = {qid: values[0] for qid, values in samples.items() if values}
        by_line = {q.line: q.when for q in playbook.questions if q.when is not None}
        by_line.update({r.line: r.when for r in playbook.rules})
        names = namespace(playbook, baseline)  # built once: copied and changed per probe
        for section in ("questions", "rules"):
            items = data.get(section)
            for i in range(len(items) if isinstance(items, list) else 0):
                condition = by_line.get(self.line((section, i)))
                if condition is None:
                    continue
                for qid in sorted(condition.names & samples.keys()):
                    for value in samples[qid]:
                        try:
                            condition({**names, qid: value})
                        except InputError as exc:
                            probe = {**baseline, qid: value}
                            shown = ", ".join(f"{n}: {_plain(probe.get(n))}" for n in sorted(condition.names))
                            self.problem((section, i, "when"), f"{exc.message} (with {shown})")
                            break
                    else:
                        continue
                    break

    def build_strategies(self, value: Any) -> list[Strategy]:
        result: list[Strategy] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(value if isinstance(value, list) else ()):
            key = ("strategies", i)
            data = self.check_mapping(key, item, "strategy")
            if data is None or not isinstance(data.get("id"), str):
                continue
            sid = data["id"]
            if sid in seen:
                self.problem((*key, "id"), f"the strategy id {sid!r} is already used on line {seen[sid]}")
                continue
            seen[sid] = self.line((*key, "id"))
            result.append(
                Strategy(
                    id=sid,
                    title=_str(data.get("title")),
                    why=_str(data.get("why")),
                    risks=_strs(data.get("risks")),
                    next_steps=_strs(data.get("next_steps")),
                    talk_track=_strs(data.get("talk_track")),
                    route=_str(data.get("route")),
                )
            )
        return result

    def build_points(self, key: tuple[Any, ...], value: Any, strategy_ids: list[str]) -> dict[str, int]:
        if not isinstance(value, dict):
            return {}
        points: dict[str, int] = {}
        for sid, amount in value.items():
            if sid not in strategy_ids:
                if strategy_ids:  # with no strategies at all, that one problem is reported once, not here
                    hint = closest(str(sid), strategy_ids)
                    self.problem((*key, sid, "<key>"), f"points for {sid!r}, which is not a strategy here{hint}")
                continue
            if isinstance(amount, bool) or not isinstance(amount, int):
                self.problem((*key, sid), f"points for {sid!r} must be a whole number, not {_show_type(amount)}")
                continue
            points[sid] = amount
        return points

    def explain(self, key: tuple[Any, ...], exc: ExpressionError, allowed: list[str], scope: str) -> None:
        message = str(exc)
        if "which is not" in message:
            message = message.split(", which is not")[0] + f", which is not {scope}"
            name = re.search(r"names '([^']+)'", message)
            if name:
                message += closest(name.group(1), allowed)
        self.problem(key, message)

    def text(self, key: tuple[Any, ...], value: Any, allowed: list[str]) -> TextTemplate | None:
        if not isinstance(value, str):
            return None
        try:
            return compile_text(value.strip(), allowed, what="the text")
        except ExpressionError as exc:
            self.explain(key, exc, allowed, "a question here; use {{ question_id }} for an answer")
            return None

    def condition(self, key: tuple[Any, ...], value: Any, allowed: list[str], scope: str) -> Condition | None:
        if not isinstance(value, str):
            return None
        try:
            return compile_condition(value, allowed, what=f"the expression {value!r}")
        except ExpressionError as exc:
            self.explain(key, exc, allowed, scope)
            return None

    def check_literals(self, key: tuple[Any, ...], condition: Condition, questions: list[Question]) -> None:
        """`size == 'smal'` can never be true; catch the typo at load time."""
        by_id = {q.id: q for q in questions}
        for name, literal in sorted(condition.literals, key=str):
            question = by_id.get(name)
            if question is None or question.type not in ("choice", "multi", "yesno"):
                continue
            values = [o.value for o in question.options]
            if not values:  # its choices failed validation; that problem is reported already
                continue
            if literal not in values:
                shown = ", ".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
                self.problem(
                    key,
                    f"the expression {condition.source!r} compares {name!r} with {literal!r}, "
                    f"which is not one of its values ({shown}){closest(str(literal), [str(v) for v in values])}",
                )

    def build_questions(self, value: Any, strategy_ids: list[str]) -> list[Question]:
        result: list[Question] = []
        seen: dict[str, int] = {}
        all_ids = [
            item.get("id")
            for item in (value if isinstance(value, list) else ())
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        ]
        for i, item in enumerate(value if isinstance(value, list) else ()):
            key = ("questions", i)
            data = self.check_mapping(key, item, "question")
            if data is None or not isinstance(data.get("id"), str):
                continue
            qid = data["id"]
            if qid in seen:
                self.problem((*key, "id"), f"the question id {qid!r} is already used on line {seen[qid]}")
                continue
            seen[qid] = self.line((*key, "id"))
            qtype = data.get("type") if data.get("type") in QUESTION_TYPES else "text"
            earlier = [q.id for q in result]
            when = None
            if "when" in data:
                when = self.condition((*key, "when"), data["when"], earlier, "a question asked before this one")
                if when is None and isinstance(data["when"], str):
                    later = [n for n in all_ids if n not in earlier and re.search(rf"\b{n}\b", data["when"])]
                    if later:
                        self.problems[-1] = self.located.problem(
                            (*key, "when"),
                            f"the expression {data['when']!r} names {later[0]!r}, which is asked "
                            "later or is this question; a `when` may only use earlier answers",
                        )
            options = self.build_options(key, data, qtype, strategy_ids, [*earlier, qid])
            unknown = data.get("unknown", False)
            if unknown not in (True, False, "allowed", "forbidden"):
                unknown = False
            number_min = data.get("min")
            number_max = data.get("max")
            if qtype == "scale":
                number_min = 1 if number_min is None else number_min
                number_max = 5 if number_max is None else number_max
            if data.get("type") in QUESTION_TYPES:  # an unknown type is reported once, by the type check
                self.check_question_keys(key, data, qtype)
            if when is not None:
                self.check_literals((*key, "when"), when, result)
            for bound, value in (("min", number_min), ("max", number_max)):
                if isinstance(value, float) and not math.isfinite(value):  # .nan passes every comparison
                    self.problem((*key, bound), f"{bound!r} must be a finite number, not {value}")
            if (
                isinstance(number_min, (int, float))
                and isinstance(number_max, (int, float))
                and number_min >= number_max
            ):
                self.problem((*key, "min"), f"'min' ({number_min}) must be less than 'max' ({number_max})")
            question = Question(
                id=qid,
                type=qtype,
                prompt=_str(data.get("prompt")),
                help=_str(data.get("help")),
                when=when,
                unknown=unknown in (True, "allowed"),
                gap=_str(data.get("gap")),
                options=tuple(options),
                min=number_min if isinstance(number_min, (int, float)) else None,
                max=number_max if isinstance(number_max, (int, float)) else None,
                unit=_str(data.get("unit")),
                whole=data.get("whole") is True,
                default=data.get("default"),
                line=self.line(key),
            )
            if "default" in data and data["default"] is not None:
                from .answers import AnswerError, coerce

                try:
                    coerce(question, data["default"])
                except AnswerError as exc:
                    self.problem((*key, "default"), f"'default' {exc}")
            result.append(question)
        return result

    def check_question_keys(self, key: tuple[Any, ...], data: dict[str, Any], qtype: str) -> None:
        belongs = {
            "choices": CHOICE_TYPES,
            "if_yes": ("yesno",),
            "if_no": ("yesno",),
            "min": RANGE_TYPES,
            "max": RANGE_TYPES,
            "unit": ("number",),
            "whole": ("number",),
        }
        for name, types in belongs.items():
            if name in data and qtype not in types:
                self.problem(
                    (*key, name, "<key>"),
                    f"{name!r} does not apply to a {qtype} question (only to {' or '.join(types)})",
                )
        if data.get("unknown") in (True, "allowed") and not data.get("gap"):
            self.problem(
                (*key, "unknown"),
                "a question that allows \"I don't know\" needs a 'gap': what to find out, and how",
            )

    def build_options(
        self,
        key: tuple[Any, ...],
        data: dict[str, Any],
        qtype: str,
        strategy_ids: list[str],
        names: list[str],
    ) -> list[Option]:
        options: list[Option] = []
        if qtype in CHOICE_TYPES:
            choices = data.get("choices")
            if choices is None:
                self.problem(key, f"a {qtype} question needs 'choices'")
            elif isinstance(choices, list) and len(choices) < 2:
                self.problem((*key, "choices"), f"'choices' has {len(choices)}; list at least two")
            seen: set[str] = set()
            for j, item in enumerate(choices if isinstance(choices, list) else ()):
                ckey = (*key, "choices", j)
                cdata = self.check_mapping(ckey, item, "choice")
                if cdata is None or not isinstance(cdata.get("value"), str):
                    continue
                if cdata["value"] in seen:
                    self.problem((*ckey, "value"), f"the choice {cdata['value']!r} appears twice")
                    continue
                seen.add(cdata["value"])
                options.append(
                    Option(
                        value=cdata["value"],
                        label=_str(cdata.get("label")),
                        points=self.build_points((*ckey, "points"), cdata.get("points"), strategy_ids),
                        says=self.text((*ckey, "says"), cdata.get("says"), names),
                    )
                )
        elif qtype == "yesno":
            for value, name, label in ((True, "if_yes", "Yes"), (False, "if_no", "No")):
                odata = data.get(name)
                if odata is not None:
                    odata = self.check_mapping((*key, name), odata, "outcome")
                odata = odata or {}
                options.append(
                    Option(
                        value=value,
                        label=label,
                        points=self.build_points((*key, name, "points"), odata.get("points"), strategy_ids),
                        says=self.text((*key, name, "says"), odata.get("says"), names),
                    )
                )
        return options

    def build_rules(self, value: Any, strategy_ids: list[str], questions: list[Question]) -> list[Rule]:
        question_ids = [q.id for q in questions]
        result: list[Rule] = []
        seen: set[str] = set()
        for i, item in enumerate(value if isinstance(value, list) else ()):
            key = ("rules", i)
            data = self.check_mapping(key, item, "rule")
            if data is None:
                continue
            rid = data.get("id") if isinstance(data.get("id"), str) else f"rule-{i + 1}"
            if rid in seen:
                self.problem((*key, "id"), f"the rule id {rid!r} is already used")
            seen.add(rid)
            when = self.condition((*key, "when"), data.get("when"), question_ids, "a question in this playbook")
            if when is not None:
                self.check_literals((*key, "when"), when, questions)
            veto_value = data.get("veto")
            vetoes = (
                (veto_value,)
                if isinstance(veto_value, str)
                else tuple(v for v in veto_value if isinstance(v, str))
                if isinstance(veto_value, list)
                else ()  # any other type is reported by the type check
            )
            for v in vetoes:
                if v not in strategy_ids and strategy_ids:
                    self.problem(
                        (*key, "veto"), f"vetoes {v!r}, which is not a strategy here{closest(v, strategy_ids)}"
                    )
            flag = None
            fdata = data.get("flag")
            if isinstance(fdata, dict):
                self.check_mapping((*key, "flag"), fdata, "flag")
            if isinstance(fdata, dict) and isinstance(fdata.get("text"), str):
                text = self.text((*key, "flag", "text"), fdata["text"], question_ids)
                if text is not None:
                    flag = Flag(severity=_str(fdata.get("severity")) or "medium", text=text)
            points = self.build_points((*key, "points"), data.get("points"), strategy_ids)
            if not (points or vetoes or "flag" in data):
                self.problem(key, "this rule does nothing: give it 'points', 'veto' or 'flag'")
            if when is None:
                continue
            result.append(
                Rule(
                    id=rid,
                    when=when,
                    points=points,
                    veto=vetoes,
                    flag=flag,
                    says=self.text((*key, "says"), data.get("says"), question_ids),
                    line=self.line(key),
                )
            )
        return result

    def build_examples(self, value: Any, playbook: Playbook) -> list[Example]:
        from .answers import check_answers

        result: list[Example] = []
        strategy_ids = [s.id for s in playbook.strategies]
        rule_ids = [r.id for r in playbook.rules]
        question_ids = [q.id for q in playbook.questions]
        for i, item in enumerate(value if isinstance(value, list) else ()):
            key = ("examples", i)
            data = self.check_mapping(key, item, "example")
            if data is None:
                continue
            answers = data.get("answers") if isinstance(data.get("answers"), dict) else {}
            answers, problems = check_answers(playbook, answers, self.located, (*key, "answers"))
            self.problems.extend(problems)
            expect = data.get("expect") if isinstance(data.get("expect"), dict) else {}
            ekey = (*key, "expect")
            if expect:
                self.check_mapping(ekey, expect, "expect")
            if isinstance(expect.get("strategy"), str) and expect["strategy"] not in strategy_ids and strategy_ids:
                s = expect["strategy"]
                self.problem(
                    (*ekey, "strategy"), f"expects {s!r}, which is not a strategy here{closest(s, strategy_ids)}"
                )
            for name, known in (("flags", rule_ids), ("vetoed", strategy_ids), ("gaps", question_ids)):
                listed = expect.get(name)
                for j, item_id in enumerate(listed if isinstance(listed, list) else ()):
                    if isinstance(item_id, str) and item_id not in known and known:
                        self.problem(
                            (*ekey, name, j), f"{item_id!r} in expect.{name} is not known here{closest(item_id, known)}"
                        )
            result.append(
                Example(name=_str(data.get("name")), answers=answers, expect=dict(expect), line=self.line(key))
            )
        return result


def _matches(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "unknown-flag":
        return value in (True, False, "allowed", "forbidden")
    if kind in ("points", "answers") or kind.startswith("obj:"):
        return isinstance(value, dict)
    if kind == "str-or-list":
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    if kind.startswith("enum:"):
        return isinstance(value, str) and value in kind[5:].split(",")
    if kind == "list:str":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind.startswith("list:"):
        return isinstance(value, list)
    return True


def _show_type(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _str(value: Any) -> str:
    # Folded YAML scalars (`>`) end with a newline; the review's layout adds its own.
    return value.strip() if isinstance(value, str) else ""


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v.strip() for v in value if isinstance(v, str)) if isinstance(value, list) else ()
