"""What changed between two versions of a playbook, in the terms a reviewer of the change needs:
questions added, removed, re-worded or re-scored; strategies and rules added or removed; and
whether the version was bumped when it should have been (reviews record it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .expressions import TextTemplate
from .model import Flag, Playbook, Question


@dataclass
class PlaybookDiff:
    old: Playbook
    new: Playbook
    lines: list[str] = field(default_factory=list)
    # Changes that alter which answers a review holds or how they score.
    breaking: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.lines)


def _scoring(question: Question) -> dict[str, dict[str, int]]:
    return {str(o.value): dict(o.points) for o in question.options}


def _text(value: Any) -> Any:
    """A text as the author wrote it (templates by their source), for comparing two versions."""
    if isinstance(value, TextTemplate):
        return value.source
    if isinstance(value, Flag):
        return (value.severity, value.text.source)
    return value


def _texts_changed(add: Callable[[str], None], what: str, pairs: list[tuple[str, Any, Any]]) -> None:
    """Wording changes: they alter what reps read and what reviews say, not how answers score."""
    for name, before, after in pairs:
        if _text(before) != _text(after):
            add(f"~ {what}: {name} changed: {_short(_text(before))} -> {_short(_text(after))}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "...'"


def diff_playbooks(old: Playbook, new: Playbook) -> PlaybookDiff:
    result = PlaybookDiff(old, new)
    add = result.lines.append
    old_q = {q.id: q for q in old.questions}
    new_q = {q.id: q for q in new.questions}
    for qid in new_q.keys() - old_q.keys():
        add(f"+ question {qid}: {new_q[qid].prompt}")
        result.breaking = True
    for qid in old_q.keys() - new_q.keys():
        add(f"- question {qid}: {old_q[qid].prompt} (answers to it in old reviews are set aside)")
        result.breaking = True
    for qid in sorted(old_q.keys() & new_q.keys(), key=[q.id for q in new.questions].index):
        before, after = old_q[qid], new_q[qid]
        if before.type != after.type:
            add(f"~ question {qid}: type {before.type} -> {after.type}")
            result.breaking = True
        if before.prompt != after.prompt:
            add(f"~ question {qid}: re-worded: {before.prompt!r} -> {after.prompt!r}")
        _texts_changed(add, f"question {qid}", [("help", before.help, after.help), ("gap", before.gap, after.gap)])
        old_options = {str(o.value): o for o in before.options}
        for option in after.options:
            was = old_options.get(str(option.value))
            if was is not None:
                _texts_changed(
                    add,
                    f"question {qid}",
                    [
                        (f"label of {option.value}", was.label, option.label),
                        (f"says of {option.value}", was.says, option.says),
                    ],
                )
        old_values = [str(o.value) for o in before.options]
        new_values = [str(o.value) for o in after.options]
        for value in [v for v in new_values if v not in old_values]:
            add(f"~ question {qid}: new choice {value}")
        for value in [v for v in old_values if v not in new_values]:
            add(f"~ question {qid}: choice {value} removed (old answers with it are asked again)")
            result.breaking = True
        old_points, new_points = _scoring(before), _scoring(after)
        for value in new_values:
            if value in old_points and old_points[value] != new_points[value]:
                add(f"~ question {qid}: re-scored {value}: {old_points[value] or '{}'} -> {new_points[value] or '{}'}")
                result.breaking = True
        if (before.when.source if before.when else None) != (after.when.source if after.when else None):
            asked_was = before.when.source if before.when else "always"
            asked_now = after.when.source if after.when else "always"
            add(f"~ question {qid}: asked when {asked_was!r} -> {asked_now!r}")
            result.breaking = True
    old_s = {s.id for s in old.strategies}
    new_s = {s.id for s in new.strategies}
    for sid in sorted(new_s - old_s):
        add(f"+ strategy {sid}: {new.strategy(sid).title}")  # type: ignore[union-attr]
        result.breaking = True
    for sid in sorted(old_s - new_s):
        add(f"- strategy {sid}: {old.strategy(sid).title}")  # type: ignore[union-attr]
        result.breaking = True
    for sid in [s.id for s in new.strategies if s.id in old_s]:
        was_s, now_s = old.strategy(sid), new.strategy(sid)
        assert was_s is not None and now_s is not None
        fields = ("title", "why", "risks", "next_steps", "talk_track")
        _texts_changed(add, f"strategy {sid}", [(f, getattr(was_s, f), getattr(now_s, f)) for f in fields])
    old_r = {r.id or r.when.source: r for r in old.rules}
    new_r = {r.id or r.when.source: r for r in new.rules}
    for rid in sorted(new_r.keys() - old_r.keys()):
        add(f"+ rule {rid}: when {new_r[rid].when.source}")
        result.breaking = True
    for rid in sorted(old_r.keys() - new_r.keys()):
        add(f"- rule {rid}")
        result.breaking = True
    for rid in sorted(old_r.keys() & new_r.keys()):
        a, b = old_r[rid], new_r[rid]
        if (a.when.source, a.points, a.veto, bool(a.flag)) != (b.when.source, b.points, b.veto, bool(b.flag)):
            add(f"~ rule {rid}: changed")
            result.breaking = True
        _texts_changed(add, f"rule {rid}", [("says", a.says, b.says), ("flag", a.flag, b.flag)])
    _texts_changed(add, "playbook", [("title", old.title, new.title), ("summary", old.summary, new.summary)])
    if result.breaking and new.version <= old.version:
        add(
            f"! version is still {new.version}: questions or scoring changed, so bump it "
            "(reviews record the version they were answered with)"
        )
    return result
