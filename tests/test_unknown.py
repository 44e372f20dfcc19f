"""One meaning for "I don't know": every comparison with an unknown answer is false, arithmetic on
it (or a division by zero) is unknown, and otherwise expressions mean what jinja2 says they mean."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dealcoach.playbook.expressions import (
    TEST_FUNCTIONS,
    UNKNOWN,
    ExpressionError,
    _evaluate,
    compile_condition,
    compile_text,
)

NAMES = ("a", "b", "c", "m")


def check(source: str, **answers: Any) -> Any:
    condition = compile_condition(source, NAMES)
    return condition({name: answers.get(name, UNKNOWN) for name in NAMES})


@pytest.mark.parametrize(
    "source",
    [
        "c == 'x'",
        "c != 'x'",
        "c in ['x', 'y']",
        "c not in ['x', 'y']",
        "'x' in m",
        "'x' not in m",
        "a < 3",
        "a <= 3",
        "a > 3",
        "a >= 3",
        "a == a",
        "a != b",
        "3 > a",
        "a is eq(1)",
        "a is ne(1)",
        "a is lt(1)",
        "a is in([1, 2])",
        "a + 1 > 0",
        "a * 0 == 0",
        "-a < 0",
        "a / 2 != 1",
    ],
)
def test_every_comparison_with_an_unknown_answer_is_false(source: str) -> None:
    assert check(source) is False


def test_negating_a_false_comparison_is_true() -> None:
    # `not` is plain negation: the contract tells authors to write `c is known and c != 'x'`.
    assert check("not (c == 'x')") is True
    assert check("c is known and c != 'x'") is False
    assert check("c is known and c != 'x'", c="y") is True


def test_the_explicit_tests_still_tell_unknown_apart() -> None:
    assert check("a is unknown") is True
    assert check("a is known") is False
    assert check("a is known", a=0) is True


@pytest.mark.parametrize("source", ["a + 1", "1 - a", "a * b", "a / 2", "a // 2", "a % 2", "-a", "+a"])
def test_arithmetic_on_an_unknown_is_unknown(source: str) -> None:
    condition = compile_condition(source, NAMES)
    assert _evaluate(condition._compiled, {"a": UNKNOWN, "b": 2}) is UNKNOWN


@pytest.mark.parametrize("source", ["a / b", "a // b", "a % b"])
def test_division_by_zero_is_unknown_not_an_error(source: str) -> None:
    condition = compile_condition(source, NAMES)
    assert _evaluate(condition._compiled, {"a": 3, "b": 0}) is UNKNOWN
    assert check(source + " > 1", a=3, b=0) is False
    assert check(source + " <= 1", a=3, b=0) is False


def test_known_answers_compare_as_usual() -> None:
    assert check("c != 'x'", c="y") is True
    assert check("c not in ['x', 'y']", c="z") is True
    assert check("'x' not in m", m=["y"]) is True
    assert check("'x' not in m", m=[]) is True


def test_texts_see_the_same_meaning_in_their_own_conditions() -> None:
    text = compile_text(
        "{% if 'x' not in m %}a{% endif %}{% if c not in ['x'] %}b{% endif %}{% if a < 1 %}c{% endif %}"
        "{% if not (c == 'x') %}d{% endif %}{{ a / b }}",
        NAMES,
    )
    assert text.render({"m": UNKNOWN, "c": UNKNOWN, "a": UNKNOWN, "b": 2}) == "dunknown"
    assert text.render({"m": ["y"], "c": "y", "a": 0, "b": 0}) == "abcdunknown"
    assert text.render({"m": ["x"], "c": "x", "a": 1, "b": 2}) == "0.5"


def test_texts_see_the_same_meaning() -> None:
    text = compile_text("{% if c != 'x' %}not x{% else %}can't say{% endif %} {{ a + 1 }}", NAMES)
    assert text.render({"c": UNKNOWN, "a": UNKNOWN}) == "can't say unknown"
    assert text.render({"c": "y", "a": 1}) == "not x 2"


# -- the evaluator agrees with jinja2 wherever both are defined ------------------------------

leaves = st.sampled_from(["a", "b", "c", "m", "0", "1", "2", "-1", "'x'", "'y'", "['x', 'y']", "[1, 2]", "true"])
BINARY = ["+", "-", "*", "/", "//", "%", "and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in"]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    unary = st.tuples(st.sampled_from(["not ", "-"]), children).map(lambda t: f"({t[0]}{t[1]})")
    conditional = st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})")
    tests = st.tuples(children, st.sampled_from(["known", "unknown", "odd", "even", "number", "string"])).map(
        lambda t: f"({t[0]} is {t[1]})"
    )
    return binary | unary | conditional | tests


expressions = st.recursive(leaves, _combine, max_leaves=8)
answers = st.fixed_dictionaries(
    {
        "a": st.integers(-3, 3),
        "b": st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False),
        "c": st.sampled_from(["x", "y", "z"]),
        "m": st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3),
    }
)


def _jinja(source: str, values: dict[str, Any]) -> Any:
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment()
    # The tests are the evaluator's own (a yes/no answer is not a number, nor odd); what is
    # compared is the language: operators, precedence, short-circuits, conditionals.
    env.tests.update(TEST_FUNCTIONS)
    return env.compile_expression(source, undefined_to_none=False)(**values)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, answers)
def test_the_evaluator_agrees_with_jinja2_where_no_unknown_is_involved(source: str, values: dict[str, Any]) -> None:
    try:
        theirs = _jinja(source, values)
    except Exception:
        assume(False)  # jinja2 itself gives no value (a type error, a division by zero)
    try:
        ours = _evaluate(compile_condition(source, NAMES)._compiled, values)
    except TypeError:
        assume(False)  # the evaluator is stricter: arithmetic only on numbers ('x' * 2 is refused)
    except ExpressionError:
        assume(False)  # and refuses a literal division by zero before any answer is given
    assume(ours is not UNKNOWN)
    assert ours == theirs and type(ours) is type(theirs), (source, values, ours, theirs)
