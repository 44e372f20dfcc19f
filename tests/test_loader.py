"""Loading playbooks: every problem named with its file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealcoach.errors import InputError
from dealcoach.playbook import loader

from .helpers import MINIMAL


def problems_for(tmp_path: Path, text: str, name: str = "mini.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        loader.load(path)
    return [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems]


def test_minimal_playbook_loads(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINIMAL)
    pb = loader.load(path)
    assert [q.id for q in pb.questions] == ["ready", "size"]
    assert pb.strategy("push").title == "Push on"
    assert pb.is_framework_based


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: Mini", "titel: Mini", "mini.yaml:3:1: unknown key 'titel' in a playbook (did you mean 'title'?)"),
        ("version: 1", "version: one", "mini.yaml:2:10: 'version' must be a whole number, not the string 'one'"),
        ("type: yesno", "type: boolean", "mini.yaml:11:11: 'type' must be one of choice, multi, yesno"),
        (
            "when: ready\n",
            "when: budget > 3\n",
            "mini.yaml:20:11: the expression 'budget > 3' names 'budget', which is not a question asked before this one",  # noqa: E501
        ),
        (
            "points: {push: 2}, says: It",
            "points: {pushh: 2}, says: It",
            "mini.yaml:22:43: points for 'pushh', which is not a strategy here (did you mean 'push'?)",
        ),
        (
            "id: small-and-ready\n    when: ready and size == 'small'",
            "id: small-and-ready\n    when: ready and sise == 'small'",
            "mini.yaml:26:11: the expression \"ready and sise == 'small'\" names 'sise', which is not a question in this playbook (did you mean 'size'?)",  # noqa: E501
        ),
        ("{strategy: push}", "{strategy: pull}", "mini.yaml:31:24: expects 'pull', which is not a strategy here"),
        (
            "{ready: true, size: big}",
            "{ready: true, size: huge}",
            "mini.yaml:30:34: answer to 'size': 'huge' is not one of the choices: big, small",
        ),
        (
            "{ready: true, size: big}",
            "{ready: true, colour: big}",
            "mini.yaml:30:28: 'colour' is not a question in playbook 'mini'",
        ),
        (
            "      - {value: small, label: Small, points: {wait: 1}, says: It is small.}\n",
            "",
            "mini.yaml:22:7: 'choices' has 1; list at least two",
        ),
        ("- id: size", "- id: ready", "mini.yaml:17:9: the question id 'ready' is already used on line 10"),
        ("  - {id: wait,", "  - {id: push,", "mini.yaml:8:10: the strategy id 'push' is already used on line 7"),
        (
            "when: ready\n",
            "when: size == 'big'\n",
            "mini.yaml:20:11: the expression \"size == 'big'\" names 'size', which is asked later or is this question",
        ),
        (
            "when: ready\n",
            "when: ready.__class__\n",
            "mini.yaml:20:11: the expression 'ready.__class__' reaches for '__class__'",
        ),
        ("when: ready\n", "when: ready |\n", "mini.yaml:20:11: the expression 'ready |' is not a valid expression"),
        (
            "    gap: Ask whether they are ready.\n",
            "",
            "mini.yaml:13:14: a question that allows \"I don't know\" needs a 'gap'",
        ),
        ("id: mini", "id: other", "mini.yaml:1:5: the id 'other' must match the file name 'mini.yaml'"),
        (
            "    when: ready\n    choices:",
            "    when: ready\n    min: 3\n    choices:",
            "mini.yaml:21:5: 'min' does not apply to a choice question (only to number or scale)",
        ),
        (
            'flag: {severity: medium, text: "Ready but small: {{ size }}"}',
            'flag: {severity: medium, text: "Ready: {{ sizes }}"}',
            "mini.yaml:27:36: the text names 'sizes', which is not a question here",
        ),
        (
            "flag: {severity: medium,",
            "flag: {severity: urgent,",
            "mini.yaml:27:22: 'severity' must be one of high, medium, low",
        ),
        ('sources: ["Framework-based: test fixture"]', "sources: []", "mini.yaml:5:10: list at least one source"),
        (
            "size == 'small'",
            "size == 'smal'",
            "mini.yaml:26:11: the expression \"ready and size == 'smal'\" compares 'size' with 'smal', which is not one of its values (big, small) (did you mean 'small'?)",  # noqa: E501
        ),
        ("title: Mini", "title: Mini\ntitle: Again", "mini.yaml:4:1: the key 'title' appears twice in this mapping"),
        (
            "summary: A small playbook for tests.",
            "summary: A small: playbook: for tests.",
            "mini.yaml:4:17: not valid YAML",
        ),
        (
            "id: mini",
            "id: !!python/object:os.system mini",
            "mini.yaml:1:5: the tag 'tag:yaml.org,2002:python/object:os.system' is not allowed",
        ),
    ],
)
def test_problem_is_reported_at_its_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL, old
    found = problems_for(tmp_path, MINIMAL.lstrip("\n").replace(old, new, 1))
    assert any(p.startswith(expected) for p in found), found


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = (
        MINIMAL.lstrip("\n")
        .replace("title: Mini", "titel: Mini")
        .replace("points: {push: 2}, says", "points: {pushh: 2}, says")
    )
    found = problems_for(tmp_path, text)
    assert len(found) >= 3  # unknown key, missing title, unknown strategy
    assert [p.split(":")[1] for p in found] == sorted([p.split(":")[1] for p in found], key=int)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    found = problems_for(tmp_path, "\n".join(bomb) + "\n")
    assert "aliases that multiply content are not allowed" in found[0]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    found = problems_for(tmp_path, "summary: '" + "x" * 1_100_000 + "'\n")
    assert "larger than 1000 kB" in found[0]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    found = problems_for(tmp_path, "a: " + "[" * 60 + "]" * 60 + "\n")
    assert "nested deeper than" in found[0]


def test_not_a_mapping(tmp_path: Path) -> None:
    assert problems_for(tmp_path, "- just\n- a list\n")[0].startswith(
        "mini.yaml:1:1: the file must be a mapping of keys to values, not a list"
    )


def test_colon_inside_list_text_gets_a_hint(tmp_path: Path) -> None:
    text = MINIMAL.lstrip("\n").replace("why: Push because it works.}", "why: Push., risks: [Note: it bites]}")
    found = problems_for(tmp_path, text)
    assert any("put the whole text in quotes" in p for p in found), found
