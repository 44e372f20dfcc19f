"""`when` expressions and text templates from playbooks, compiled once and run sandboxed.

Playbooks come from other people's repositories, so everything a playbook can evaluate runs in
jinja2's SandboxedEnvironment, and names are checked before anything runs: an expression may only
read answers to questions (and, for `when` on a question, only questions asked before it).
Attribute access to anything starting with an underscore is refused at validation time, so
`__class__` tricks never reach the sandbox at all.

An answer of "I don't know" (or a question that was not asked) is the `UNKNOWN` value: it is
falsy, equal to nothing, and every ordering comparison with it is false, so `budget_share < 5`
is simply false when the share is unknown instead of an error. `x is unknown` / `x is known`
test for it explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import InputError


class _Unknown:
    """The value of an unanswered or "I don't know" answer inside expressions."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return other is self

    def __ne__(self, other: object) -> bool:
        return other is not self

    def __hash__(self) -> int:
        return 0

    def __lt__(self, other: object) -> bool:
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __contains__(self, item: object) -> bool:
        return False

    def __str__(self) -> str:
        return "unknown"

    __repr__ = __str__


UNKNOWN = _Unknown()


class ExpressionError(Exception):
    """An expression that does not compile or names what it may not; the message says which."""


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.globals.clear()  # expressions read answers and nothing else (no range, lipsum, cycler)
    env.tests["unknown"] = lambda value: value is UNKNOWN
    env.tests["known"] = lambda value: value is not UNKNOWN
    return env


def _check_tree(tree: Any, allowed: Iterable[str], what: str) -> frozenset[str]:
    """Refuse underscore attributes, unknown names, filters and tests; return the names read."""
    from jinja2 import meta, nodes

    allowed_names = set(allowed)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = getattr(node, "attr", None)
        if attr is None and isinstance(getattr(node, "arg", None), nodes.Const):
            attr = node.arg.value
        if isinstance(attr, str) and attr.startswith("_"):
            raise ExpressionError(f"{what} reaches for {attr!r}; names starting with _ are not allowed")
    names = frozenset(meta.find_undeclared_variables(tree))
    for name in sorted(names):
        if name not in allowed_names:
            raise ExpressionError(f"{what} names {name!r}, which is not {_describe(allowed_names)}")
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        env = _environment()
        table = env.filters if isinstance(node, nodes.Filter) else env.tests
        if node.name not in table:
            kind = "filter" if isinstance(node, nodes.Filter) else "test"
            raise ExpressionError(f"{what} uses the unknown {kind} {node.name!r}")
    return names


def _describe(allowed: set[str]) -> str:
    return "a question asked before this point" if allowed else "a question (there are none here)"


@dataclass(frozen=True)
class Condition:
    """A compiled boolean expression such as `fear == 'strong' and ongoing`."""

    source: str
    _compiled: Any
    names: frozenset[str] = frozenset()
    # (question id, literal) pairs compared in the expression, checked against choice values.
    literals: frozenset[tuple[str, Any]] = frozenset()

    def __call__(self, answers: Mapping[str, Any]) -> bool:
        try:
            return bool(self._compiled(**answers))
        except Exception as exc:  # the sandbox raises SecurityError, TypeError, ...
            raise InputError(f"the expression {self.source!r} failed: {exc}") from None


@dataclass(frozen=True)
class TextTemplate:
    """A compiled text template such as `He has deferred {{ deferrals }} times`."""

    source: str
    _compiled: Any

    def render(self, answers: Mapping[str, Any]) -> str:
        if self._compiled is None:
            return self.source
        try:
            return str(self._compiled.render(**answers))
        except Exception as exc:
            raise InputError(f"the text {self.source!r} failed to render: {exc}") from None


def compile_condition(source: str, allowed: Iterable[str], what: str = "the expression") -> Condition:
    """Compile `source` as a jinja2 expression that may only read the names in `allowed`."""
    from jinja2 import TemplateSyntaxError, nodes

    env = _environment()
    try:
        tree = env.parse("{{ (" + source + ") }}")
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"{what} is not a valid expression: {exc.message}") from None
    outputs = list(tree.find_all(nodes.Output))
    if len(outputs) != 1 or len(outputs[0].nodes) != 1:
        raise ExpressionError(f"{what} must be a single expression, not a template")
    names = _check_tree(tree, allowed, what)
    try:
        compiled = env.compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as exc:  # pragma: no cover - parse above catches these
        raise ExpressionError(f"{what} is not a valid expression: {exc.message}") from None
    return Condition(source, compiled, names, _literals(tree))


def _literals(tree: Any) -> frozenset[tuple[str, Any]]:
    """Find `name == 'x'`, `name in ['x', 'y']` and `'x' in name` comparisons."""
    from jinja2 import nodes

    def consts(node: Any) -> list[Any]:
        if isinstance(node, nodes.Const):
            # jinja folds a literal list into one Const holding the list.
            return list(node.value) if isinstance(node.value, (list, tuple)) else [node.value]
        if isinstance(node, (nodes.List, nodes.Tuple)):
            return [item.value for item in node.items if isinstance(item, nodes.Const)]
        return []

    found: set[tuple[str, Any]] = set()
    for compare in tree.find_all(nodes.Compare):
        left = compare.expr
        for operand in compare.ops:
            right = operand.expr
            if operand.op in ("eq", "ne", "in", "notin"):
                if isinstance(left, nodes.Name):
                    found.update((left.name, v) for v in consts(right))
                if isinstance(right, nodes.Name):
                    found.update((right.name, v) for v in consts(left))
            left = right
    return frozenset(found)


def compile_text(source: str, allowed: Iterable[str], what: str = "the text") -> TextTemplate:
    """Compile a text that may hold `{{ answer }}` placeholders; plain text costs nothing."""
    if "{" not in source:
        return TextTemplate(source, None)
    from jinja2 import TemplateSyntaxError

    env = _environment()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"{what} is not a valid template: {exc.message}") from None
    _check_tree(tree, allowed, what)
    return TextTemplate(source, env.from_string(source))
