"""Loading a playbook (or a shared set) from YAML, with every problem reported at once.

Loading is strict on purpose: unknown keys, wrong types, duplicate ids, expressions that name
questions that do not exist (or come later), points for strategies that do not exist. Teams
review playbooks like code, so a mistake should fail validation in CI, not surprise a rep.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, Problem
from ..text import closest
from .expressions import Condition, ExpressionError, TextTemplate, compile_condition, compile_text
from .model import (
    SOURCE_VALUES,
    Evidence,
    Example,
    Flag,
    IncludedSet,
    Option,
    Playbook,
    Premise,
    Question,
    Rule,
    SharedSet,
    Strategy,
    TextItem,
    namespace,
)
from .spec import IDENT, QUESTION_TYPES, SPEC

if TYPE_CHECKING:
    from . import yamlfile

CHOICE_TYPES = ("choice", "multi")
VERIFY_TYPES = ("choice", "multi", "yesno", "number", "scale")
RANGE_TYPES = ("number", "scale")
MAX_SCALE_POINTS = 21  # 0 to 20 at most; a wider range is a number
# Words an expression reads as literals or operators: a question with one of these ids could never
# be named in a `when` or a rule (`when: none` is always false).
RESERVED_WORDS = frozenset({"none", "true", "false", "and", "or", "not", "in", "is", "if", "else"})
# The (id, path) of each file that includes the one being built, outermost first.
Chain = tuple[tuple[str, Path], ...]


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


class IncludeFinder:
    """Where `include: [id]` finds a shared set: the file that wins for that id in the playbook
    layers (so a team's own `deal-context.yaml` replaces the built-in one), else a file of that
    name beside the file that includes it (a folder validated on its own).

    Built from a catalogue the command already has, or from the layers on first use: a playbook
    without includes never looks.
    """

    def __init__(self, catalogue: Any = None, extra: list[Path] | None = None) -> None:
        self._paths: dict[str, Path] | None = (
            {pid: e.path for pid, e in catalogue.entries.items()} if catalogue is not None else None
        )
        self._extra = list(extra or [])
        # Each shared set as built for this finder's command, by file and by the chain of files
        # including it: a folder of playbooks that include the same set reads and checks it once.
        self._built: dict[tuple[Path, Chain], tuple[SharedSet | None, tuple[Problem, ...]] | None] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_built": {}}  # worker processes build their own

    def paths(self) -> dict[str, Path]:
        if self._paths is None:
            from .catalogue import catalogue

            self._paths = {pid: e.path for pid, e in catalogue(self._extra).entries.items()}
        return self._paths

    def find(self, set_id: str, beside: Path) -> Path | None:
        found = self.paths().get(set_id)
        if found is not None:
            return found
        for suffix in (".yaml", ".yml"):
            candidate = beside.parent / f"{set_id}{suffix}"
            if candidate.is_file():
                return candidate
        return None

    def built(self, path: Path, chain: Chain) -> tuple[SharedSet | None, tuple[Problem, ...]] | None:
        """The shared set in `path`, included through `chain`, and its problems; None when the
        file is not a shared set. Raises InputError when it cannot be read (not remembered).

        The chain only matters for the cycles the set's own includes could make, so a set that
        includes nothing is built once for every file that includes it.
        """
        for key in ((path, ()), (path, chain)):
            if key in self._built:
                return self._built[key]
        from . import yamlfile

        located = yamlfile.read(path)
        if not is_shared_data(located.data):
            self._built[(path, ())] = None
            return None
        sub = _PlaybookBuilder(located, self, chain)
        shared = sub.build_shared()
        found = self._built[(path, chain if located.data.get("include") else ())] = (shared, tuple(sub.problems))
        return found


def is_shared_data(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "shared"


def load(path: Path, finder: IncludeFinder | None = None) -> Playbook:
    """Load and validate one playbook file; raise InputError listing every problem found."""
    from . import yamlfile

    located = yamlfile.read(path)
    return build(located, finder)


def load_file(path: Path, finder: IncludeFinder | None = None) -> Playbook | SharedSet:
    """Load and validate a playbook or a shared set, whichever the file is (`playbooks validate`)."""
    from . import yamlfile

    return build_file(yamlfile.read(path), finder)


def build_file(located: yamlfile.Located, finder: IncludeFinder | None = None) -> Playbook | SharedSet:
    """`load_file` for a file already parsed."""
    if is_shared_data(located.data):
        return build_shared(located, finder)
    return build(located, finder)


def loads(text: str, path: Path, finder: IncludeFinder | None = None) -> Playbook:
    """Load and validate a playbook from text (`path` names it in messages)."""
    from . import yamlfile

    return build(yamlfile.parse(text, path), finder)


# Bumped whenever the loaded model changes shape, so a cache written by older code is never read.
CACHE_FORMAT = 2


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def _includes_unchanged(playbook: Playbook, finder: IncludeFinder) -> bool:
    """Whether every included file is still the one found for its id, unchanged since it was read."""
    try:
        return all(finder.find(s.id, s.beside) == s.path and _stamp(s.path) == s.stamp for s in playbook.included)
    except OSError:
        return False


def load_cached(path: Path, finder: IncludeFinder | None = None) -> Playbook:
    """`load`, remembered between runs in the user's cache folder.

    Keyed by the file's path, size and modification time and by dealcoach's own code (see
    config.code_stamp), so an edit to either is always seen; a playbook with includes is used
    from the cache only while each included file is still the one its id finds, unchanged. Used
    where start-up is what a rep feels (the review); `playbooks validate` and `playbooks test`
    always read afresh. A loaded playbook is plain data (expressions are kept as checked trees,
    texts as source), which is what makes it safe to keep.
    """
    import hashlib
    import os
    import pickle
    import tempfile

    from ..config import code_stamp, user_cache_dir

    try:
        st = path.stat()
        folder = user_cache_dir() / "playbooks"
        name = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
        stamp = hashlib.sha1(f"{st.st_mtime_ns}|{st.st_size}|{code_stamp()}|{CACHE_FORMAT}".encode()).hexdigest()[:12]
        cached = folder / f"{name}-{stamp}.pickle"
    except OSError:
        return load(path, finder)
    finder = finder or IncludeFinder()
    try:
        with cached.open("rb") as handle:
            found = pickle.load(handle)
        if isinstance(found, Playbook) and found.path == path and _includes_unchanged(found, finder):
            return found
    except Exception:  # missing, from another version, or damaged: it is only a cache
        pass
    playbook = load(path, finder)
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


def build(located: yamlfile.Located, finder: IncludeFinder | None = None) -> Playbook:
    if is_shared_data(located.data):
        set_id = located.data.get("id")
        name = repr(set_id) if isinstance(set_id, str) else "this file"
        message = (
            f"{name} is a shared set of questions, not a playbook; playbooks ask it with "
            f"`include: [{set_id if isinstance(set_id, str) else 'ID'}]`"
        )
        raise InputError(f"{located.path}: {message}", [located.problem(("kind",), message)])
    builder = _PlaybookBuilder(located, finder or IncludeFinder())
    playbook = builder.build()
    if builder.problems or playbook is None:
        raise InputError(f"{located.path}: {len(builder.problems)} problem(s)", _ordered(builder.problems, located))
    return playbook


def build_shared(located: yamlfile.Located, finder: IncludeFinder | None = None) -> SharedSet:
    builder = _PlaybookBuilder(located, finder or IncludeFinder())
    shared = builder.build_shared()
    if builder.problems or shared is None:
        raise InputError(f"{located.path}: {len(builder.problems)} problem(s)", _ordered(builder.problems, located))
    return shared


def _ordered(problems: list[Problem], located: yamlfile.Located) -> list[Problem]:
    """The file's own problems first, then each included file's, by position; each once."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.path != located.path, str(p.path), p.line, p.column))


_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    "sixty|hundred|thousand|dozen"
)
_UNITS = (
    "minutes?|hours?|days?|weeks?|months?|quarters?|years?|calls?|meetings?|dollars?|euros?|pounds?|percent|per cent"
)
# A digit, a percentage, or a number word followed by a unit of time or money: "six months".
_QUANTITY = re.compile(rf"\d|%|\b(?:{_NUMBER_WORDS})(?:\s+|-)(?:{_UNITS})\b", re.IGNORECASE)
# What comes from an answer: a placeholder (with a % sign right after it) or a block tag.
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}\s*%?|\{%.*?%\}|\{#.*?#\}", re.S)


@functools.lru_cache(maxsize=8192)  # a folder of playbooks repeats its texts, and the search is slow
def fixed_quantity(text: str) -> str | None:
    """The specific quantity a text states outside `{{ }}`, or None: advice must not invent numbers."""
    match = _QUANTITY.search(_PLACEHOLDER.sub(" ", text))
    return match.group(0) if match else None


def lint_quantities(located: yamlfile.Located) -> list[Problem]:
    """Texts of a playbook (coaching, reasons, flags, gaps) that state a quantity no answer gave.

    `playbooks validate` reports them; loading does not, so an existing playbook still runs.
    """
    found: list[Problem] = []
    data = located.data if isinstance(located.data, dict) else {}

    def check(key: tuple[Any, ...], value: Any) -> None:
        if isinstance(value, str) and (quantity := fixed_quantity(value)):
            found.append(
                located.problem(
                    key,
                    f"the text states {quantity.strip()!r}, which no answer gave; write it without the number "
                    "('a few weeks', 'soon') or take it from an answer ({{ question_id }})",
                )
            )

    def items(key: tuple[Any, ...], value: Any) -> None:
        if isinstance(value, str):
            check(key, value)
        for j, item in enumerate(value if isinstance(value, list) else ()):
            check((*key, j), item)
            if isinstance(item, dict):
                check((*key, j, "text"), item.get("text"))

    for i, strategy in enumerate(_list(data.get("strategies"))):
        if isinstance(strategy, dict):
            for name in ("why", "risks", "next_steps", "talk_track"):
                items(("strategies", i, name), strategy.get(name))
    for i, rule in enumerate(_list(data.get("rules"))):
        if isinstance(rule, dict):
            check(("rules", i, "says"), rule.get("says"))
            if isinstance(rule.get("flag"), dict):
                check(("rules", i, "flag", "text"), rule["flag"].get("text"))
    for i, question in enumerate(_list(data.get("questions"))):
        if isinstance(question, dict):
            check(("questions", i, "gap"), question.get("gap"))
            for j, choice in enumerate(_list(question.get("choices"))):
                if isinstance(choice, dict):
                    check(("questions", i, "choices", j, "says"), choice.get("says"))
            for name in ("if_yes", "if_no"):
                if isinstance(question.get(name), dict):
                    check(("questions", i, name, "says"), question[name].get("says"))
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_TYPE_NAMES = {
    "str": "a string",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "points": "a mapping of strategy id to whole-number points",
    "answers": "a mapping of question id to answer",
    "str-or-list": "a strategy id or a list of them",
    "unknown-flag": "`allowed` or `forbidden`",
    "count": "a whole number from 0",
    "items": "a list of texts or {when, text} mappings",
    "text-or-items": "a text or a list of texts or {when, text} mappings",
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

    def __init__(self, located: yamlfile.Located, finder: IncludeFinder, chain: Chain = ()) -> None:
        self.located = located
        self.finder = finder
        # The files that include this one, outermost first: an include of any of them is a cycle.
        self.chain = chain
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
        if isinstance(self.located.data, dict) and "kind" in self.located.data:
            self.problem(
                ("kind", "<key>"),
                "'kind' marks a shared set (`kind: shared`); a playbook has no 'kind', remove it",
            )
            data = self.check_mapping((), {k: v for k, v in self.located.data.items() if k != "kind"}, "playbook")
        else:
            data = self.check_mapping((), self.located.data, "playbook")
        if data is None:
            return None
        playbook_id = data["id"] if isinstance(data.get("id"), str) else ""
        path = self.located.path
        strategies = self.build_strategies(data.get("strategies"))
        strategy_ids = [s.id for s in strategies]
        included, own_from = self.build_includes(data.get("include"), playbook_id, strategy_ids)
        left_out = self.left_out(data.get("leave_out"), included)
        prefix = [q for part in included for q in part[1] if q.id not in left_out]
        questions = prefix + self.build_questions(data.get("questions"), strategy_ids, prefix, own_from)
        rules = self.build_rules(data.get("rules"), strategy_ids, questions, own_from)
        rules += [r for part in included for r in part[2] if r.id not in left_out]
        strategies = self.build_strategy_texts(data.get("strategies"), strategies, [q.id for q in questions])
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
            version=data["version"] if isinstance(data.get("version"), int) else 0,
            title=_str(data.get("title")),
            summary=_str(data.get("summary")),
            situation=_str(data.get("situation")),
            gaps_heading=_str(data.get("gaps_heading")) or "Find out before the call",
            split_margin=data["split_margin"] if _matches(data.get("split_margin"), "count") else 1,
            sources=_strs(data.get("sources")),
            strategies=tuple(strategies),
            questions=tuple(questions),
            rules=tuple(rules),
            path=path,
            includes=_strs(data.get("include")),
            included=tuple(part[0] for part in included),
        )
        if isinstance(data.get("version"), int) and data["version"] < 1:
            self.problem(("version",), "'version' starts at 1")
        if not self.problems:  # this file's own conditions: included ones are at another file's lines
            own_rules = rules[: len(rules) - sum(len(part[2]) for part in included)]
            self.probe_conditions(playbook, data, questions[len(prefix) :], own_rules)
        playbook.examples = tuple(self.build_examples(data.get("examples"), playbook))
        return playbook

    def left_out(self, value: Any, included: list[Any]) -> set[str]:
        """The included rules and questions `leave_out` names. Each name must be one of them, and
        nothing included that stays may ask about a question left out (its condition would
        name a question the playbook no longer has)."""
        if not isinstance(value, list):
            return set()
        rules = [r for part in included for r in part[2]]
        questions = [q for part in included for q in part[1]]
        ids = [r.id for r in rules] + [q.id for q in questions]
        for i, name in enumerate(value):
            if isinstance(name, str) and name not in ids:
                self.problem(
                    ("leave_out", i),
                    f"{name!r} is not a rule or question of an included set{closest(name, ids)}; "
                    "only what an included set has can be left out",
                )
        dropped = {name for name in value if isinstance(name, str)}
        for i, name in enumerate(value):
            for kind, item in [("question", q) for q in questions] + [("rule", r) for r in rules]:
                if item.id in dropped or item.when is None or name not in item.when.names:
                    continue
                self.problem(
                    ("leave_out", i),
                    f"the included {kind} {item.id!r} asks about {name!r}; leave it out too, or keep {name!r}",
                )
        return dropped

    def build_shared(self) -> SharedSet | None:
        """A `kind: shared` file: its own questions and rules, after those of the sets it includes.

        Its points and vetoes may name any strategy id: they count in the playbooks that have
        that strategy and are dropped by the others.
        """
        data = self.check_mapping((), self.located.data, "shared")
        if data is None:
            return None
        set_id = data["id"] if isinstance(data.get("id"), str) else ""
        path = self.located.path
        if set_id and path.suffix in (".yaml", ".yml") and path.stem != set_id:
            self.problem(("id",), f"the id {set_id!r} must match the file name {path.name!r}")
        if isinstance(data.get("version"), int) and data["version"] < 1:
            self.problem(("version",), "'version' starts at 1")
        if isinstance(data.get("questions"), list) and not data["questions"]:
            self.problem(("questions",), "a shared set needs at least one question")
        included, own_from = self.build_includes(data.get("include"), set_id, None)
        prefix = [q for part in included for q in part[1]]
        questions = self.build_questions(data.get("questions"), None, prefix, own_from)
        rules = self.build_rules(data.get("rules"), None, [*prefix, *questions], own_from)
        return SharedSet(
            id=set_id,
            version=data["version"] if isinstance(data.get("version"), int) else 0,
            title=_str(data.get("title")),
            summary=_str(data.get("summary")),
            scope=_str(data.get("scope")),
            questions=tuple([*prefix, *questions]),
            rules=tuple([*(r for part in included for r in part[2]), *rules]),
            includes=_strs(data.get("include")),
            included=tuple(part[0] for part in included),
            path=path,
        )

    def build_includes(
        self, value: Any, own_id: str, strategy_ids: list[str] | None
    ) -> tuple[list[tuple[IncludedSet, list[Question], list[Rule]]], dict[str, str]]:
        """Load each included shared set (and what it includes), once each, in order.

        Returns the parts to splice in, nested sets before the set that includes them, and which
        set each question and rule id came from (to name it when this file reuses an id). With
        `strategy_ids` (a playbook), points and vetoes for other strategies are dropped.
        """
        parts: list[tuple[IncludedSet, list[Question], list[Rule]]] = []
        origin: dict[str, str] = {}
        seen_ids: set[str] = set()
        me = (own_id, self.located.path)
        for i, set_id in enumerate(value if isinstance(value, list) else ()):
            key = ("include", i)
            if not isinstance(set_id, str):
                continue  # reported by the type check
            if not re.match(r"^[a-z0-9][a-z0-9-]*$", set_id):
                self.problem(key, f"'include' value {set_id!r} must be a shared set id (lower-case letters, digits, -)")
                continue
            if set_id in seen_ids:
                self.problem(key, f"{set_id!r} is included twice; list it once")
                continue
            seen_ids.add(set_id)
            path = self.finder.find(set_id, self.located.path)
            if path is None:
                hint = closest(set_id, list(self.finder.paths()))
                self.problem(
                    key,
                    f"no shared set {set_id!r}{hint}; shared sets are found where playbooks are "
                    f"(built-in, user, project, --playbooks) or beside this file",
                )
                continue
            chain = (*self.chain, me)
            if any(p.resolve() == path.resolve() for _, p in chain):
                here = repr(own_id) if own_id else "this file"
                again = "is this file" if path.resolve() == self.located.path.resolve() else f"includes {here} again"
                self.problem(key, f"including {set_id!r} makes a cycle: it {again}, directly or through other sets")
                continue
            try:
                built = self.finder.built(path, chain)
            except InputError as exc:
                self.problems.extend(exc.problems or [self.located.problem(key, exc.message)])
                continue
            if built is None:
                self.problem(
                    key,
                    f"{set_id!r} is a playbook, not a shared set; only files marked `kind: shared` can be included",
                )
                continue
            shared, problems = built
            self.problems.extend(problems)
            if shared is None:
                continue
            try:
                stamp = _stamp(path)
            except OSError:
                stamp = (0, 0)
            nested = {s.id: s for s in shared.included}
            new_parts: list[tuple[IncludedSet, list[Question], list[Rule]]] = []
            # The set's nested includes, each with its own questions, then the set itself.
            own_q = [q for q in shared.questions if not any(q.id in s.questions for s in shared.included)]
            for nested_set in shared.included:
                qs = [q for q in shared.questions if q.id in nested_set.questions]
                rs = [r for r in shared.rules if r.id in nested_set.rules]
                new_parts.append((nested_set, qs, rs))
            own_rules = [r for r in shared.rules if not any(r.id in n.rules for n in nested.values())]
            new_parts.append(
                (
                    IncludedSet(
                        id=set_id,
                        title=shared.title,
                        path=path,
                        beside=self.located.path,
                        stamp=stamp,
                        scope=shared.scope,
                        questions=tuple(q.id for q in own_q),
                        rules=tuple(r.id for r in own_rules),
                    ),
                    own_q,
                    own_rules,
                )
            )
            for part_set, questions, rules in new_parts:
                if any(p[0].id == part_set.id for p in parts):
                    continue  # reached twice through different includes: asked once
                for q in questions:
                    if q.id in origin:
                        self.problem(
                            key,
                            f"the question id {q.id!r} is in both {origin[q.id]!r} and {part_set.id!r}; "
                            "ids must be unique across a playbook and what it includes",
                        )
                    origin[q.id] = part_set.id
                for r in rules:
                    if r.id in origin:
                        self.problem(
                            key,
                            f"the rule id {r.id!r} is in both {origin[r.id]!r} and {part_set.id!r}; "
                            "ids must be unique across a playbook and what it includes",
                        )
                    origin[r.id] = part_set.id
                if strategy_ids is not None:
                    questions = [_only_strategies(q, strategy_ids) for q in questions]
                    rules = [_rule_for(r, strategy_ids) for r in rules]
                parts.append((part_set, questions, rules))
        return parts, origin

    def probe_conditions(
        self, playbook: Playbook, data: dict[str, Any], questions: list[Question], rules: list[Rule]
    ) -> None:
        """Run every `when` of this file's `questions` and `rules` with each answer its questions
        can take (bounds, 0, each choice), one question at a time: an expression that would fail on
        some review (`10 / deferrals` when deferrals may be 0) is reported now, at its line, not
        when a review finishes."""
        samples = {q.id: _samples(q) for q in playbook.questions}
        baseline = {qid: values[0] for qid, values in samples.items() if values}
        by_line = {q.line: q.when for q in questions if q.when is not None}
        by_line.update({r.line: r.when for r in rules})
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
            why = data.get("why")
            result.append(
                Strategy(
                    id=sid,
                    title=_str(data.get("title")),
                    why=_str(why) if isinstance(why, str) else " ".join(_plain_items(why)),
                    risks=_plain_items(data.get("risks")),
                    next_steps=_plain_items(data.get("next_steps")),
                    talk_track=_plain_items(data.get("talk_track")),
                    route=_str(data.get("route")),
                )
            )
        return result

    def build_strategy_texts(self, value: Any, strategies: list[Strategy], names: list[str]) -> list[Strategy]:
        """Compile each strategy's texts and premises, once every question id is known.

        Texts and premises may use any answer, including those of `<id>_source` companions.
        """
        import dataclasses

        by_id = {s.id: s for s in strategies}
        result: dict[str, Strategy] = dict(by_id)
        for i, data in enumerate(value if isinstance(value, list) else ()):
            if not isinstance(data, dict) or not isinstance(data.get("id"), str) or data["id"] not in by_id:
                continue
            key = ("strategies", i)
            items: dict[str, tuple[TextItem, ...]] = {}
            for name in ("why", "risks", "next_steps", "talk_track"):
                raw = data.get(name)
                listed = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
                items[name] = tuple(self.text_items((*key, name), listed, names, single=isinstance(raw, str)))
            premises = []
            for j, pdata in enumerate(data["requires"] if isinstance(data.get("requires"), list) else ()):
                pkey = (*key, "requires", j)
                if self.check_mapping(pkey, pdata, "premise") is None:
                    continue
                when = self.condition((*pkey, "when"), pdata.get("when"), names, "a question in this playbook")
                if when is not None and isinstance(pdata.get("premise"), str):
                    premises.append(Premise(when, _str(pdata["premise"])))
            result[data["id"]] = dataclasses.replace(by_id[data["id"]], items=items, requires=tuple(premises))
        return [result[s.id] for s in strategies]

    def text_items(self, key: tuple[Any, ...], listed: list[Any], names: list[str], single: bool) -> list[TextItem]:
        items: list[TextItem] = []
        for j, raw in enumerate(listed):
            ikey = key if single else (*key, j)
            if isinstance(raw, str):
                text = self.text(ikey, raw, names)
                if text is not None:
                    items.append(TextItem(text))
                continue
            if isinstance(raw, dict) and not ({"text", "when"} & set(raw)):  # `Note: it bites`, unquoted
                self.problem(
                    ikey,
                    f"item {j + 1} of {key[-1]!r} must be a text or a {{when, text}} mapping, not a mapping of "
                    "other keys (a ': ' inside text starts a mapping: put the whole text in quotes)",
                )
                continue
            if isinstance(raw, dict):
                if self.check_mapping(ikey, raw, "item") is None:
                    continue
                when = self.condition((*ikey, "when"), raw.get("when"), names, "a question in this playbook")
                text = self.text((*ikey, "text"), raw.get("text"), names)
                if when is not None and text is not None:
                    items.append(TextItem(text, when))
                continue
            hint = ""
            if isinstance(raw, bool):
                hint = " (YAML reads yes/no/on/off as true/false: put the value in quotes)"
            self.problem(ikey, f"item {j + 1} of {key[-1]!r} must be a text or a {{when, text}} mapping, "
                         f"not {_show_type(raw)}{hint}")  # fmt: skip
        return items

    def build_points(self, key: tuple[Any, ...], value: Any, strategy_ids: list[str] | None) -> dict[str, int]:
        """Points per strategy; `strategy_ids` None (a shared set) accepts any strategy id."""
        if not isinstance(value, dict):
            return {}
        points: dict[str, int] = {}
        for sid, amount in value.items():
            if strategy_ids is None:
                if not isinstance(sid, str) or not re.match(r"^[a-z0-9][a-z0-9-]*$", sid):
                    self.problem(
                        (*key, sid, "<key>"), f"points for {sid!r}: a strategy id is lower-case letters, digits and -"
                    )
                    continue
            elif sid not in strategy_ids:
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
            # A message quotes the expression, but not one of thousands of characters.
            shown = value if len(value) <= 100 else value[:60] + "..."
            return compile_condition(value, allowed, what=f"the expression {shown!r}")
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

    def build_questions(
        self,
        value: Any,
        strategy_ids: list[str] | None,
        prefix: list[Question] = (),  # type: ignore[assignment]
        origin: dict[str, str] | None = None,
    ) -> list[Question]:
        """This file's own questions; `prefix` are the included ones, asked before them."""
        result: list[Question] = []
        seen: dict[str, int] = {}
        origin = origin or {}
        included = {q.id: q for q in prefix}
        all_ids = [
            item["id"]
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
            if qid in included:
                self.problem(
                    (*key, "id"),
                    f"the question id {qid!r} is already a question of the included set "
                    f"{origin.get(qid, '?')!r}; ids must be unique across a playbook and what it includes",
                )
                continue
            seen[qid] = self.line((*key, "id"))
            qtype = data["type"] if data.get("type") in QUESTION_TYPES else "text"
            earlier = [*included, *(q.id for q in result)]
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
                self.check_literals((*key, "when"), when, [*prefix, *result])
            for bound, value in (("min", number_min), ("max", number_max)):
                if isinstance(value, float) and not math.isfinite(value):  # .nan passes every comparison
                    self.problem((*key, bound), f"{bound!r} must be a finite number, not {value}")
            if (
                isinstance(number_min, (int, float))
                and isinstance(number_max, (int, float))
                and number_min >= number_max
            ):
                self.problem((*key, "min"), f"'min' ({number_min}) must be less than 'max' ({number_max})")
            elif (
                qtype == "scale"
                and isinstance(number_min, (int, float))
                and isinstance(number_max, (int, float))
                and number_max - number_min >= MAX_SCALE_POINTS
            ):
                # Every point of a scale is offered as a choice and tried by "what would change".
                self.problem(
                    (*key, "max"),
                    f"a scale has at most {MAX_SCALE_POINTS} points ({number_min} to {number_max} has "
                    f"{int(number_max - number_min) + 1}); for a wider range use a number question",
                )
            question = Question(
                id=qid,
                type=qtype,
                prompt=_str(data.get("prompt")),
                help=_str(data.get("help")),
                when=when,
                unknown=unknown in (True, "allowed"),
                gap=_str(data.get("gap")),
                gap_text=self.text((*key, "gap"), data.get("gap"), [*included, *all_ids]),
                options=tuple(options),
                min=number_min if isinstance(number_min, (int, float)) else None,
                max=number_max if isinstance(number_max, (int, float)) else None,
                unit=_str(data.get("unit")),
                whole=data.get("whole") is True,
                default=data.get("default"),
                line=self.line(key),
                verify=data.get("verify") is True,
            )
            if "default" in data and data["default"] is not None:
                from .answers import AnswerError, coerce

                try:
                    coerce(question, data["default"])
                except AnswerError as exc:
                    self.problem((*key, "default"), f"'default' {exc}")
            result.append(question)
            if data.get("verify") is True:
                companion = self.source_question(key, question, all_ids)
                if companion is not None:
                    seen[companion.id] = question.line
                    result.append(companion)
        return result

    def source_question(self, key: tuple[Any, ...], question: Question, all_ids: list[str]) -> Question | None:
        """The `<id>_source` question asked right after a `verify: true` one, when it was answered."""
        if question.type not in VERIFY_TYPES:
            self.problem(
                (*key, "verify"), f"'verify' applies to {', '.join(VERIFY_TYPES)} questions, not to a {question.type}"
            )
            return None
        sid = f"{question.id}_source"
        if sid in all_ids:
            self.problem((*key, "verify"), f"'verify' adds the question {sid!r}, which this playbook already has")
            return None
        options = tuple(Option(value, label) for value, label in SOURCE_VALUES)
        # Asked right after its question, only when that was asked and answered (not "I don't know").
        when = compile_condition(f"{question.id} is known", [question.id])
        return Question(
            id=sid,
            type="choice",
            prompt="How do you know?",
            help=f"About: {question.prompt} Advice that rests on a second-hand report or an assumption "
            "should check it first.",
            when=when,
            gap=f"Check how you know the answer to '{question.prompt.rstrip('?')}': hear it first-hand if you can.",
            options=options,
            line=question.line,
            source_of=question.id,
        )

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
        strategy_ids: list[str] | None,
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

    def build_rules(
        self,
        value: Any,
        strategy_ids: list[str] | None,
        questions: list[Question],
        origin: dict[str, str] | None = None,
    ) -> list[Rule]:
        """This file's own rules; `origin` names the included set of each included rule id."""
        question_ids = [q.id for q in questions]
        result: list[Rule] = []
        seen: set[str] = set()
        origin = origin or {}
        for i, item in enumerate(value if isinstance(value, list) else ()):
            key = ("rules", i)
            data = self.check_mapping(key, item, "rule")
            if data is None:
                continue
            rid = data["id"] if isinstance(data.get("id"), str) else f"rule-{i + 1}"
            if rid in seen:
                self.problem((*key, "id"), f"the rule id {rid!r} is already used")
            elif rid in origin:
                self.problem(
                    (*key, "id"),
                    f"the rule id {rid!r} is already a rule of the included set {origin[rid]!r}; "
                    "ids must be unique across a playbook and what it includes",
                )
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
                if strategy_ids and v not in strategy_ids:
                    self.problem(
                        (*key, "veto"), f"vetoes {v!r}, which is not a strategy here{closest(v, strategy_ids)}"
                    )
            flag = None
            fdata = data.get("flag")
            if isinstance(fdata, dict):
                self.check_mapping((*key, "flag"), fdata, "flag")
            if isinstance(fdata, dict) and isinstance(fdata.get("text"), str):
                text = self.text((*key, "flag", "text"), fdata["text"], question_ids)
                against = (
                    tuple(v for v in fdata.get("against") or () if isinstance(v, str))
                    if isinstance(fdata.get("against"), list)
                    else ()
                )
                for j, v in enumerate(against):
                    if strategy_ids and v not in strategy_ids:  # a shared set has none to check against
                        self.problem(
                            (*key, "flag", "against", j),
                            f"argues against {v!r}, which is not a strategy here{closest(v, strategy_ids)}",
                        )
                if text is not None:
                    flag = Flag(severity=_str(fdata.get("severity")) or "medium", text=text, against=against)
            points = self.build_points((*key, "points"), data.get("points"), strategy_ids)
            if not (points or vetoes or "flag" in data):
                self.problem(key, "this rule does nothing: give it 'points', 'veto' or 'flag'")
            evidence = self.build_evidence((*key, "evidence"), data.get("evidence"), questions)
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
                    evidence=evidence,
                )
            )
        return result

    def build_evidence(self, key: tuple[Any, ...], value: Any, questions: list[Question]) -> Evidence | None:
        if value is None or self.check_mapping(key, value, "evidence") is None:
            return None
        names = [q.id for q in questions]
        of = []
        for j, source in enumerate(value["of"] if isinstance(value.get("of"), list) else ()):
            condition = self.condition((*key, "of", j), source, names, "a question in this playbook")
            if condition is not None:
                self.check_literals((*key, "of", j), condition, questions)
                of.append(condition)
        minimum = value.get("min")
        if not _matches(minimum, "count") or not isinstance(value.get("missing"), str):
            return None  # reported by the type checks
        if isinstance(value.get("of"), list) and minimum > len(value["of"]):
            self.problem(
                (*key, "min"), f"'min' ({minimum}) is more than the {len(value['of'])} piece(s) of evidence listed"
            )
        return Evidence(minimum, tuple(of), _str(value["missing"]))

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
            answers = data["answers"] if isinstance(data.get("answers"), dict) else {}
            answers, problems = check_answers(playbook, answers, self.located, (*key, "answers"))
            self.problems.extend(problems)
            expect = data["expect"] if isinstance(data.get("expect"), dict) else {}
            ekey = (*key, "expect")
            if expect:
                self.check_mapping(ekey, expect, "expect")
            if isinstance(expect.get("strategy"), str) and expect["strategy"] not in strategy_ids and strategy_ids:
                s = expect["strategy"]
                self.problem(
                    (*ekey, "strategy"), f"expects {s!r}, which is not a strategy here{closest(s, strategy_ids)}"
                )
            for name, known in (
                ("flags", rule_ids),
                ("vetoed", strategy_ids),
                ("gaps", question_ids),
                ("split", strategy_ids),
                ("unestablished", rule_ids),
            ):
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


def _only_strategies(question: Question, strategy_ids: list[str]) -> Question:
    """An included question as this playbook sees it: points for strategies it lacks dropped."""
    if not question.scores:
        return question
    options = tuple(
        dataclasses.replace(o, points={k: v for k, v in o.points.items() if k in strategy_ids})
        for o in question.options
    )
    return dataclasses.replace(question, options=options)


def _rule_for(rule: Rule, strategy_ids: list[str]) -> Rule:
    """An included rule as this playbook sees it: points and vetoes for strategies it lacks dropped."""
    return dataclasses.replace(
        rule,
        points={k: v for k, v in rule.points.items() if k in strategy_ids},
        veto=tuple(v for v in rule.veto if v in strategy_ids),
    )


def _matches(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "count":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if kind == "items":
        return isinstance(value, list)
    if kind == "text-or-items":
        return isinstance(value, (str, list))
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


def _plain_items(value: Any) -> tuple[str, ...]:
    """The unconditional items of a text list, as written (conditional ones need answers)."""
    return tuple(v.strip() for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v.strip() for v in value if isinstance(v, str)) if isinstance(value, list) else ()
