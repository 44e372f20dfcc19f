"""`when` expressions and text templates from playbooks, compiled once and run sandboxed.

Playbooks come from other people's repositories, so everything a playbook can evaluate runs in
jinja2's SandboxedEnvironment, and names are checked before anything runs: an expression may only
read answers to questions (and, for `when` on a question, only questions asked before it).
Attribute access to anything starting with an underscore is refused at validation time, so
`__class__` tricks never reach the sandbox at all.

Conditions are parsed by jinja2 but evaluated by a small interpreter over a fixed set of node
types rather than compiled to Python: that is both stricter than the sandbox and several times
faster to load, which matters when CI validates hundreds of playbooks.

An answer of "I don't know" (or a question that was not asked) is the `UNKNOWN` value, and it
has one meaning: nothing can be said about it. It is falsy; every comparison with it is false,
`!=` and `not in` included (so `sponsor != 'active'` does not fire when the rep does not know);
arithmetic on it, and a division by zero, give unknown instead of an error. `x is unknown` /
`x is known` test for it explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import InputError


class _Unknown:
    """The value of an unanswered or "I don't know" answer inside expressions."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    # Every comparison is false, inequality too: "not equal to 'active'" is not known either.
    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return False

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

    def _unknown(self, *other: object) -> _Unknown:
        return self

    # Arithmetic on an unknown is unknown (also inside text templates, which jinja2 runs).
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unknown
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _unknown
    __neg__ = __pos__ = _unknown

    def __str__(self) -> str:
        return "unknown"

    __repr__ = __str__


UNKNOWN = _Unknown()


class ExpressionError(Exception):
    """An expression that does not compile or names what it may not; the message says which."""


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The sandbox texts render in, with the same meaning of "I don't know" as expressions.

    A text's own `{% if %}` compares through `_compare` (false with an unknown, `not in`
    included), and a division by zero in it gives unknown rather than an error.
    """
    from jinja2 import StrictUndefined
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import SandboxedEnvironment

    class _Generator(CodeGenerator):
        def visit_Compare(self, node: Any, frame: Any) -> None:
            # a < b < c becomes environment.compare(a, (('lt', b), ('lt', c)))
            self.write("environment.compare(")
            self.visit(node.expr, frame)
            self.write(", (")
            for operand in node.ops:
                self.write(f"({operand.op!r}, ")
                self.visit(operand.expr, frame)
                self.write("), ")
            self.write("))")

    class _Environment(SandboxedEnvironment):
        code_generator_class = _Generator
        intercepted_binops = frozenset(["/", "//", "%"])

        @staticmethod
        def compare(left: Any, operands: tuple[tuple[str, Any], ...]) -> bool:
            for op, right in operands:
                if not _compare(op, left, right):
                    return False
                left = right
            return True

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if right == 0 and _number(right) and _number(left):
                return UNKNOWN
            return super().call_binop(context, operator, left, right)

    env = _Environment(undefined=StrictUndefined, autoescape=False, finalize=_shown)
    env.globals.clear()  # expressions read answers and nothing else (no range, lipsum, cycler)
    env.tests["unknown"] = lambda value: value is UNKNOWN
    env.tests["known"] = lambda value: value is not UNKNOWN
    return env


class AnswerText(str):
    """A free-text answer as texts see it: compared as typed, but shown in a playbook's text
    as one line of Markdown-escaped text, so a name like `__0__` never turns into formatting."""

    __slots__ = ()


def _shown(value: Any) -> Any:
    """What `{{ ... }}` prints: a rep's own text escaped; everything else as it is."""
    if isinstance(value, AnswerText):
        from ..text import md

        return md(value)
    return value


def _binding_nodes() -> tuple[type, ...]:
    from jinja2 import nodes

    return (nodes.For, nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.CallBlock, nodes.With, nodes.FilterBlock)


def _names_read(tree: Any, what: str, every: list[Any] | None = None) -> frozenset[str]:
    """Refuse underscore attributes, unknown filters and tests; return the names read, which
    `_check_names` then checks.

    `every` is the tree's nodes when the caller already walked it (one walk is most of the cost).
    """
    from jinja2 import meta, nodes

    every = every if every is not None else [tree, *tree.find_all(nodes.Node)]
    binding = _binding_nodes()
    env = _environment()
    names: set[str] = set()
    sets_names = False
    for node in every:
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            attr = getattr(node, "attr", None)
            arg = getattr(node, "arg", None)
            if attr is None and isinstance(arg, nodes.Const):
                attr = arg.value
            if isinstance(attr, str) and attr.startswith("_"):
                raise ExpressionError(f"{what} reaches for {attr!r}; names starting with _ are not allowed")
        elif isinstance(node, nodes.Name):
            names.add(node.name)
        elif isinstance(node, (nodes.Filter, nodes.Test)):
            table = env.filters if isinstance(node, nodes.Filter) else env.tests
            if node.name not in table:
                kind = "filter" if isinstance(node, nodes.Filter) else "test"
                raise ExpressionError(f"{what} uses the unknown {kind} {node.name!r}")
        elif isinstance(node, binding):
            sets_names = True
        elif isinstance(node, (nodes.Div, nodes.FloorDiv, nodes.Mod)) and _is_zero(node.right):
            # Would fail on every review that reaches it; say so now rather than when one finishes.
            raise ExpressionError(f"{what} divides by zero")
    if sets_names:  # a template that sets its own names: let jinja work out which are read
        names = set(meta.find_undeclared_variables(tree))
    return frozenset(names)


def _check_names(names: frozenset[str], allowed: Iterable[str], what: str) -> None:
    """Refuse the first name read (in alphabetical order) that is not in `allowed`."""
    allowed_names = set(allowed)
    for name in sorted(names):
        if name not in allowed_names:
            raise ExpressionError(f"{what} names {name!r}, which is not {_describe(allowed_names)}")


def _is_zero(node: Any) -> bool:
    """True when `node` is a constant (`0`, `1 - 1`) that comes to zero."""
    from jinja2 import nodes

    try:
        return bool(node.as_const(nodes.EvalContext(_environment())) == 0)
    except Exception:  # not a constant: it depends on the answers
        return False


def _describe(allowed: set[str]) -> str:
    return "a question asked before this point" if allowed else "a question (there are none here)"


@dataclass(frozen=True)
class Condition:
    """A compiled boolean expression such as `fear == 'strong' and ongoing`."""

    source: str
    _compiled: Any  # the checked jinja2 expression node, run by `_evaluate`
    names: frozenset[str] = frozenset()
    # (question id, literal) pairs compared in the expression: checked against choice values, and
    # for numbers the thresholds probed by "what would change this recommendation".
    literals: frozenset[tuple[str, Any]] = frozenset()

    def __call__(self, answers: Mapping[str, Any]) -> bool:
        try:
            return bool(_evaluate(self._compiled, answers))
        except Exception as exc:
            raise InputError(f"the expression {self.source!r} failed: {exc}") from None


@dataclass(frozen=True)
class TextTemplate:
    """A checked text template such as `He has deferred {{ deferrals }} times`.

    Only its source is kept; jinja2 compiles it on first use. That keeps a loaded playbook plain
    data (it can be cached between runs) and keeps jinja2 off the path to the first question.
    """

    source: str
    templated: bool = False

    def render(self, answers: Mapping[str, Any]) -> str:
        if not self.templated:
            return self.source
        try:
            return str(_compiled_text(self.source).render(**answers))
        except Exception as exc:
            raise InputError(f"the text {self.source!r} failed to render: {exc}") from None


@lru_cache(maxsize=1024)
def _compiled_text(source: str) -> Any:
    return _environment().from_string(source)


# Expressions nest brackets, `not`s and chains of operators; anything deeper than this is not one
# a person wrote to be read, and parsing, checking and evaluating it recurse once per level.
MAX_NESTING = 50


def _parse(source: str, what: str) -> Any:
    """jinja2's parser recurses once per bracket or `not`: a few thousand would exhaust Python's
    stack, so that is reported as too deep rather than crashing."""
    try:
        return _environment().parse(source)
    except RecursionError:
        raise ExpressionError(_too_deep(what)) from None


def _too_deep(what: str) -> str:
    return f"{what} is nested more than {MAX_NESTING} levels deep; break it into simpler parts"


def _check_depth(tree: Any, what: str) -> None:
    """Walk the tree without recursion and refuse it past MAX_NESTING levels (plus the template
    and output nodes around an expression), before anything else walks it recursively."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING + 2:
            raise ExpressionError(_too_deep(what))
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())


def compile_condition(source: str, allowed: Iterable[str], what: str = "the expression") -> Condition:
    """Parse `source` as a jinja2 expression that may only read the names in `allowed`.

    The parsed tree is checked once against a short list of node types and then evaluated
    directly (`_evaluate`), never turned into Python code: an expression can compare answers,
    combine them with and/or/not, use the tests and filters in `TESTS` / `FILTERS`, and do
    arithmetic on numbers; attribute access, indexing and calls do not exist for it at all.
    """
    condition, refusal = _condition(source, what)
    _check_names(condition.names, allowed, what)
    if refusal is not None:
        raise ExpressionError(refusal)
    return condition


@lru_cache(maxsize=8192)
def _condition(source: str, what: str) -> tuple[Condition, str | None]:
    """`compile_condition` but for the names it may read, which differ from place to place: once
    per distinct expression, as a batch of playbooks repeats most of theirs (and their included
    sets'). With why the expression is refused, if it is, to say once its names are found fine.
    """
    from jinja2 import TemplateSyntaxError, nodes

    try:
        tree = _parse("{{ (" + source + ") }}", what)
    except TemplateSyntaxError as exc:
        message = exc.message or "syntax error"
        if "')'" in message and ")" not in source:  # the parenthesis is ours, added around the source
            message = "it ends where more was expected"
        raise ExpressionError(f"{what} is not a valid expression: {message}") from None
    _check_depth(tree, what)
    outputs = list(tree.find_all(nodes.Output))
    if len(outputs) != 1 or len(outputs[0].nodes) != 1:
        raise ExpressionError(f"{what} must be a single expression, not a template")
    every = [tree, *tree.find_all(nodes.Node)]
    names = _names_read(tree, what, every)
    refusal = _refusal(every[2:], what)  # every node below the template and its output
    if refusal is not None:
        return Condition(source, None, names), refusal
    return Condition(source, _own(outputs[0].nodes[0]), names, _literals(every)), None


class _Node:
    """A checked expression node, copied out of jinja2's tree: plain data that needs no jinja2
    to evaluate and can be pickled with the playbook."""

    __slots__ = ("args", "expr", "expr1", "expr2", "items", "kind", "left", "name", "node", "nodes", "op", "ops",
                 "right", "test", "value")  # fmt: skip

    def __init__(self, kind: str, **fields: Any) -> None:
        self.kind = kind
        for key, value in fields.items():
            setattr(self, key, value)

    def __getstate__(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if hasattr(self, k)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            setattr(self, key, value)


def _own(node: Any) -> Any:
    """Copy a jinja2 node (and everything below it) into `_Node`s."""
    from jinja2 import nodes

    if isinstance(node, list):
        return [_own(item) for item in node]
    if not isinstance(node, nodes.Node):
        return node
    return _Node(type(node).__name__, **{f: _own(getattr(node, f)) for f in node.fields if f in _Node.__slots__})


# Tests and filters an expression may use; every one is a pure function of its arguments.
TEST_FUNCTIONS: dict[str, Any] = {
    "unknown": lambda v: v is UNKNOWN,
    "known": lambda v: v is not UNKNOWN,
    "true": lambda v: v is True,
    "false": lambda v: v is False,
    "none": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "sequence": lambda v: isinstance(v, (list, tuple, str)),
    "mapping": lambda v: isinstance(v, dict),
    "defined": lambda v: True,  # every question is defined; unanswered ones are unknown
    "undefined": lambda v: False,
    "odd": lambda v: _number(v) and v % 2 == 1,
    "even": lambda v: _number(v) and v % 2 == 0,
    "divisibleby": lambda v, n: _number(v) and _number(n) and n != 0 and v % n == 0,
    "eq": lambda a, b: _compare("eq", a, b),
    "ne": lambda a, b: _compare("ne", a, b),
    "lt": lambda a, b: _compare("lt", a, b),
    "le": lambda a, b: _compare("lteq", a, b),
    "gt": lambda a, b: _compare("gt", a, b),
    "ge": lambda a, b: _compare("gteq", a, b),
    "in": lambda a, b: _compare("in", a, b),
}
TESTS = frozenset(TEST_FUNCTIONS)
FILTERS: dict[str, Any] = {
    "length": len,
    "count": len,
    "lower": lambda v: str(v).lower(),
    "upper": lambda v: str(v).upper(),
    "trim": lambda v: str(v).strip(),
    "int": int,
    "float": float,
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "sum": sum,
    "first": lambda v: next(iter(v), UNKNOWN),
    "last": lambda v: list(v)[-1] if len(v) else UNKNOWN,
    "join": lambda v, sep="": str(sep).join(str(item) for item in v),
    "list": list,
}
_NODE_TYPES = [
    "Name",
    "Const",
    "List",
    "Tuple",
    "And",
    "Or",
    "Not",
    "Compare",
    "Operand",
    "Test",
    "Filter",
    "CondExpr",
    "Concat",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "FloorDiv",
    "Mod",
    "Neg",
    "Pos",
]


def _refusal(expression_nodes: list[Any], what: str) -> str | None:
    """Why an expression with these nodes is not allowed, or None when it is."""
    for child in expression_nodes:
        kind = type(child).__name__
        if kind not in _NODE_TYPES:
            words = {
                "Getattr": "attribute access",
                "Getitem": "indexing",
                "Slice": "slicing",
                "Call": "calls",
                "Pow": "the ** operator",
                "Dict": "mappings",
            }.get(kind, kind)
            return f"{what} uses {words}, which expressions do not allow; compare answers instead"
        if kind == "Test" and child.name not in TESTS:
            return f"{what} uses the unknown test {child.name!r}"
        if kind == "Filter" and child.name not in FILTERS:
            return f"{what} uses the unknown filter {child.name!r}"
        if kind in ("Test", "Filter") and (child.kwargs or child.dyn_args or child.dyn_kwargs):
            return f"{what} passes keyword arguments to {child.name!r}; pass plain values"
    return None


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lteq": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gteq": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "notin": lambda a, b: a not in b,
}
_ARITHMETIC = {
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
    "Div": lambda a, b: a / b,
    "FloorDiv": lambda a, b: a // b,
    "Mod": lambda a, b: a % b,
}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compare(op: str, left: Any, right: Any) -> bool:
    """One comparison; false whenever either side is unknown, whatever the operator."""
    if left is UNKNOWN or right is UNKNOWN:
        return False
    return bool(_COMPARE[op](left, right))


def _evaluate(node: Any, answers: Mapping[str, Any]) -> Any:
    """Evaluate a checked expression node; answers that are unknown make arithmetic unknown."""
    kind = node.kind
    if kind == "Name":
        return answers.get(node.name, UNKNOWN)
    if kind == "Const":
        return node.value
    if kind == "List":
        return [_evaluate(item, answers) for item in node.items]
    if kind == "Tuple":
        return tuple(_evaluate(item, answers) for item in node.items)
    if kind == "And":
        left = _evaluate(node.left, answers)
        return _evaluate(node.right, answers) if left else left
    if kind == "Or":
        left = _evaluate(node.left, answers)
        return left if left else _evaluate(node.right, answers)
    if kind == "Not":
        return not _evaluate(node.node, answers)
    if kind == "CondExpr":
        if _evaluate(node.test, answers):
            return _evaluate(node.expr1, answers)
        return None if node.expr2 is None else _evaluate(node.expr2, answers)
    if kind == "Compare":
        left = _evaluate(node.expr, answers)
        for operand in node.ops:
            right = _evaluate(operand.expr, answers)
            if not _compare(operand.op, left, right):
                return False
            left = right
        return True
    if kind == "Test":
        value = _evaluate(node.node, answers)
        return TEST_FUNCTIONS[node.name](value, *(_evaluate(arg, answers) for arg in node.args))
    if kind == "Filter":
        value = _evaluate(node.node, answers)
        if value is UNKNOWN and node.name not in ("length", "count"):
            return UNKNOWN
        return FILTERS[node.name](value, *(_evaluate(arg, answers) for arg in node.args))
    if kind == "Concat":
        return "".join(str(_evaluate(item, answers)) for item in node.nodes)
    if kind in ("Neg", "Pos"):
        value = _evaluate(node.node, answers)
        if value is UNKNOWN:
            return UNKNOWN
        if not _number(value):
            raise TypeError(f"{value!r} is not a number")
        return -value if kind == "Neg" else value
    left, right = _evaluate(node.left, answers), _evaluate(node.right, answers)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if not (_number(left) and _number(right)):
        raise TypeError(f"arithmetic needs numbers, not {left!r} and {right!r}")
    if kind in ("Div", "FloorDiv", "Mod") and right == 0:
        return UNKNOWN  # "a share of nothing" is not known, and must not stop the review
    return _ARITHMETIC[kind](left, right)


def _literals(every: list[Any]) -> frozenset[tuple[str, Any]]:
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
    for compare in (node for node in every if isinstance(node, nodes.Compare)):
        left = compare.expr
        for operand in compare.ops:
            right = operand.expr
            if operand.op in ("lt", "lteq", "gt", "gteq"):  # thresholds: `deferrals >= 3`
                for name_node, const in ((left, right), (right, left)):
                    if isinstance(name_node, nodes.Name) and isinstance(const, nodes.Const):
                        found.add((name_node.name, const.value))
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
        return TextTemplate(source)
    _check_names(_text_names(source, what), allowed, what)
    return TextTemplate(source, templated=True)


@lru_cache(maxsize=8192)
def _text_names(source: str, what: str) -> frozenset[str]:
    """The names a text reads, once it is found to parse and to use only what texts may: once
    per distinct text, as with `_condition`."""
    from jinja2 import TemplateSyntaxError

    try:
        tree = _parse(source, what)
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"{what} is not a valid template: {exc.message}") from None
    _check_depth(tree, what)
    return _names_read(tree, what)
