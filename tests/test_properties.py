"""Property-based tests: whatever a playbook author or a rep throws at dealcoach, it answers with
its own error or a valid review, never a crash."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcoach.errors import DealcoachError
from dealcoach.playbook import loader
from dealcoach.playbook import model as pbmod
from dealcoach.playbook.answers import check_answers, read_answers_file
from dealcoach.playbook.yamlfile import split_front_matter
from dealcoach.review.document import make_review
from dealcoach.review.render import render_markdown
from dealcoach.review.selftest import run_examples

from .helpers import BUILTIN_PLAYBOOK_FILES

BUILTIN = {p.stem: loader.load(p) for p in BUILTIN_PLAYBOOK_FILES}
RAW = {p.stem: p.read_text(encoding="utf-8") for p in BUILTIN_PLAYBOOK_FILES}
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)


def load_or_refuse(text: str, name: str = "random") -> pbmod.Playbook | None:
    """Load a playbook; dealcoach's own error is an acceptable answer, anything else fails the test."""
    try:
        return loader.loads(text, Path(f"{name}.yaml"))
    except DealcoachError as exc:
        assert exc.problems or exc.message, "an error must say something"
        for problem in exc.problems:
            assert problem.message and "Traceback" not in problem.message
        return None


@SETTINGS
@given(st.text(max_size=400))
def test_random_text_never_crashes_the_loader(text: str) -> None:
    load_or_refuse(text)


@SETTINGS
@given(documents)
def test_random_yaml_documents_never_crash_the_loader(document: Any) -> None:
    load_or_refuse(yaml.safe_dump(document, allow_unicode=True))


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: Any) -> None:
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{last}x"] = parent.pop(last)
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(parent[last])


@SETTINGS
@given(
    st.sampled_from(sorted(RAW)),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10_000),
            st.sampled_from(["delete", "replace", "rename", "duplicate"]),
            scalars | st.lists(scalars, max_size=3) | st.sampled_from(["ready.__class__", "{{ x }}", "a ==", "yes"]),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_builtin_playbooks_load_or_are_refused_cleanly(name: str, edits: list[tuple[int, str, Any]]) -> None:
    data = yaml.safe_load(RAW[name])
    for index, action, value in edits:
        paths = _paths(data)
        if not paths:
            break
        _mutate(data, paths[index % len(paths)], action, value)
    pb = load_or_refuse(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), name)
    if pb is not None:
        run_examples(pb)  # a playbook that loads must also score without crashing


def answer_for(question: pbmod.Question) -> st.SearchStrategy[Any]:
    values = [o.value for o in question.options]
    by_type: dict[str, st.SearchStrategy[Any]] = {
        "choice": st.sampled_from(values) if values else st.none(),
        "yesno": st.booleans(),
        "multi": st.lists(st.sampled_from(values), unique=True) if values else st.just([]),
        "scale": st.integers(int(question.min or 1), int(question.max or 5)),
        "number": st.integers(int(question.min if question.min is not None else -1000), int(question.max or 1000)),
        "text": st.text(max_size=200),
        "list": st.lists(st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and "," not in s), max_size=4),
    }
    return st.none() | by_type[question.type]


def _lint(markdown: str) -> list[str]:
    from pymarkdown.api import PyMarkdownApi

    # md013 (line length) and md026 (no full stop at the end of a heading) are style, not validity:
    # answers are kept on one line so lists stay intact, and a deal may be called "Acme Inc.".
    api = (
        PyMarkdownApi()
        .disable_rule_by_identifier("md013")
        .disable_rule_by_identifier("md026")
        .set_boolean_property("extensions.front-matter.enabled", True)
    )
    return [str(failure) for failure in api.scan_string(markdown).scan_failures]


@pytest.mark.parametrize("name", sorted(BUILTIN))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_answers_give_a_review_that_round_trips(name: str, data: st.DataObject, tmp_path_factory: Any) -> None:
    pb = BUILTIN[name]
    answers = {q.id: data.draw(answer_for(q), label=q.id) for q in pb.questions}
    deal = data.draw(st.text(min_size=1, max_size=40).filter(str.strip), label="deal")
    review = make_review(pb, deal, answers, date=dt.date(2026, 11, 25))
    text = render_markdown(review)

    path = tmp_path_factory.mktemp("review") / "review.md"
    path.write_text(text, encoding="utf-8")
    again = read_answers_file(path)
    assert again.playbook == pb.id
    assert again.deal == " ".join(deal.split())
    parsed, problems = check_answers(pb, again.answers, None, ())
    assert problems == []
    asked = {q.id for q in pb.asked(answers)}
    assert parsed == {qid: value for qid, value in answers.items() if qid in asked}
    # The same answers score the same: the review is deterministic.
    assert yaml.safe_load(split_front_matter(text)[0])["recommendation"] == review.result.recommended
    assert _lint(text) == []


def test_hostile_text_answers_stay_inside_the_markdown() -> None:
    pb = BUILTIN["resistant-end-user"]
    rng = random.Random(7)
    hostile = [
        "# Heading\n\n---\nplaybook: evil\n---",
        "<script>alert(1)</script> **bold** _it_ [link](http://x) `code` | a | b |",
        "1. starts a list\n- and another\n> quote",
        "\u202eright-to-left \u200b zero width \U0001f600 emoji " + "long " * 500,
    ]
    for text in hostile:
        answers = {q.id: None for q in pb.questions}
        answers["notes"] = text + str(rng.random())
        rendered = render_markdown(make_review(pb, "acme", answers, date=dt.date(2026, 11, 25)))
        front, body = split_front_matter(rendered)
        assert yaml.safe_load(front)["answers"]["notes"] == answers["notes"]
        assert "<script>" not in body
        assert "\n# Heading" not in body
        assert _lint(rendered) == []


@pytest.mark.parametrize("name", sorted(BUILTIN))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_headline_is_honest_whatever_the_answers(name: str, data: st.DataObject) -> None:
    pb = BUILTIN[name]
    answers = {q.id: data.draw(answer_for(q), label=q.id) for q in pb.questions}
    review = make_review(pb, "Acme", answers, date=dt.date(2026, 11, 25))
    result, text = review.result, render_markdown(review)
    if result.split:  # never one confident recommendation
        heading = "## Run both: " if all(pb.strategy(s).route for s in result.split) else "## Split decision: "
        assert result.confidence == "low" and heading in text and "## Recommended strategy" not in text
    assert result.recommended not in {s for f in result.flags for s in _against(pb, f.rule)}
    if result.confidence == "low":
        assert bool(result.find_out_first) == ("## Find out first" in text)


def _against(pb: pbmod.Playbook, rule_id: str) -> tuple[str, ...]:
    rule = next(r for r in pb.rules if r.id == rule_id)
    return rule.flag.against if rule.flag else ()
