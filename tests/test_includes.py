"""Includes, shared sets, the built-in deal context, the per-deal context file and the answers skeleton."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dealcoach.errors import InputError
from dealcoach.playbook import loader
from dealcoach.playbook import model as pbmod
from dealcoach.review.interview import BACK, Interview, ScriptedAsker
from dealcoach.review.scoring import score
from dealcoach.review.selftest import run_examples

from .helpers import PLAYBOOKS, ROOT, write

QUIET_BUYER = ROOT / "tests" / "includes" / "quiet-buyer.yaml"

SET_A = """
kind: shared
id: set-a
version: 1
title: Set A
scope: deal
questions:
  - id: size
    type: choice
    prompt: How big is it?
    choices:
      - {value: big, label: Big, points: {push: 2, not-here: 5}}
      - {value: small, label: Small}
rules:
  - id: big-one
    when: size == 'big'
    points: {push: 1, not-here: 3}
    veto: [not-here]
    flag: {severity: low, text: "It is {{ size }}."}
"""

SET_B = """
kind: shared
id: set-b
version: 1
title: Set B
include: [set-a]
questions:
  - id: urgent
    type: yesno
    prompt: Is it urgent?
    when: size == 'big'
"""

PLAYBOOK = """
id: pb
version: 1
title: PB
summary: A playbook that includes two sets.
sources: ["Framework-based: test fixture"]
include: [set-b, set-a]
strategies:
  - {id: push, title: Push, why: Push on.}
  - {id: wait, title: Wait, why: Wait.}
questions:
  - id: ready
    type: yesno
    prompt: Ready?
    when: urgent
    if_yes: {points: {push: 1}}
    if_no: {points: {wait: 4}}
rules:
  - id: small-and-ready
    when: size == 'small' and ready
    points: {wait: 1}
examples:
  - name: big and urgent
    answers: {size: big, urgent: true, ready: true}
    expect: {strategy: push, flags: [big-one]}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path / "sets" / "set-a.yaml", SET_A)
    write(tmp_path / "sets" / "set-b.yaml", SET_B)
    write(tmp_path / "sets" / "pb.yaml", PLAYBOOK)
    return tmp_path / "sets"


def finder(folder: Path) -> loader.IncludeFinder:
    from dealcoach.playbook.catalogue import Catalogue, Entry

    entries = {p.stem: Entry(p.stem, p, "test") for p in folder.glob("*.yaml")}
    return loader.IncludeFinder(Catalogue(entries))


# -- splicing --------------------------------------------------------------------------------


def test_included_questions_come_first_nested_first_each_once(folder: Path) -> None:
    pb = loader.load(folder / "pb.yaml", finder(folder))
    # set-b includes set-a, so set-a comes before set-b; the playbook's own include of set-a adds nothing.
    assert [q.id for q in pb.questions] == ["size", "urgent", "ready"]
    assert [s.id for s in pb.included] == ["set-a", "set-b"]
    assert pb.includes == ("set-b", "set-a")
    assert pb.deal_questions() == ["size"]  # only set-a has scope: deal
    assert [r.id for r in pb.rules] == ["small-and-ready", "big-one"]


def test_points_and_vetoes_for_strategies_the_playbook_lacks_are_dropped(folder: Path) -> None:
    pb = loader.load(folder / "pb.yaml", finder(folder))
    size = pb.question("size")
    assert size is not None and size.options[0].points == {"push": 2}
    rule = next(r for r in pb.rules if r.id == "big-one")
    assert rule.points == {"push": 1} and rule.veto == ()
    result = score(pb, {"size": "big", "urgent": True, "ready": True})
    assert result.scores == {"push": 4, "wait": 0}
    assert [f.rule for f in result.flags] == ["big-one"]
    assert [o.mismatches for o in run_examples(pb)] == [[]]


def test_a_shared_set_loads_on_its_own_and_keeps_its_points(folder: Path) -> None:
    shared = loader.load_file(folder / "set-b.yaml", finder(folder))
    assert isinstance(shared, pbmod.SharedSet)
    assert [q.id for q in shared.questions] == ["size", "urgent"]
    assert shared.questions[0].options[0].points == {"push": 2, "not-here": 5}


def test_a_shared_set_is_not_a_playbook(folder: Path, dealcoach) -> None:
    with pytest.raises(InputError, match="shared set of questions, not a playbook"):
        loader.load(folder / "set-a.yaml")
    ran = dealcoach("review", "deal-context", "--answers", str(QUIET_BUYER), "-o", "-")
    assert ran.code == 2
    ran = dealcoach("playbooks", "list")
    assert "deal-context" not in ran.out and "resistant-end-user" in ran.out
    ran = dealcoach("playbooks", "validate", str(PLAYBOOKS / "deal-context.yaml"))
    assert ran.code == 0, ran.out
    ran = dealcoach("playbooks", "test", str(PLAYBOOKS))
    assert ran.code == 0 and "deal-context: shared set, valid" in ran.out


# -- problems --------------------------------------------------------------------------------


def test_a_shared_sets_flag_against_a_strategy_is_checked_not_a_crash(tmp_path: Path, dealcoach) -> None:
    """A shared set has no strategies of its own to check a flag's `against` by (it once crashed)."""
    write(
        tmp_path / "myset.yaml",
        """
        kind: shared
        id: myset
        title: My set
        version: 1
        questions:
          - {id: hot, prompt: Is it hot?, type: yesno}
        rules:
          - id: hot-flag
            when: hot
            flag: {severity: high, text: It is hot, against: [wait]}
        """,
    )
    ran = dealcoach("playbooks", "validate", str(tmp_path / "myset.yaml"))
    assert ran.code == 0, ran.out + ran.err


def test_a_problem_inside_an_included_file_points_into_it(folder: Path, dealcoach) -> None:
    (folder / "set-a.yaml").write_text(SET_A.replace("size == 'big'", "size == 'huge'"), encoding="utf-8")
    ran = dealcoach("playbooks", "validate", str(folder / "pb.yaml"), "--playbooks", str(folder))
    assert ran.code == 2
    assert ran.out.splitlines() == [
        f"{folder / 'set-a.yaml'}:16:11: the expression \"size == 'huge'\" compares 'size' with 'huge', "
        "which is not one of its values (big, small)"
    ]
    # validating the whole folder names it once, not once per file that includes it
    ran = dealcoach("playbooks", "validate", str(folder), "--playbooks", str(folder))
    assert len(ran.out.splitlines()) == 1


def test_two_included_sets_asking_the_same_question_clash_at_the_include(folder: Path) -> None:
    write(folder / "set-c.yaml", SET_A.replace("id: set-a", "id: set-c").replace("big-one", "big-two"))
    (folder / "pb.yaml").write_text(PLAYBOOK.replace("include: [set-b, set-a]", "include: [set-b, set-c]"))
    with pytest.raises(InputError) as caught:
        loader.load(folder / "pb.yaml", finder(folder))
    assert [str(p) for p in caught.value.problems] == [
        f"{folder / 'pb.yaml'}:7:18: the question id 'size' is in both 'set-a' and 'set-c'; "
        "ids must be unique across a playbook and what it includes"
    ]


def test_a_rule_id_of_an_included_set_cannot_be_reused(folder: Path) -> None:
    (folder / "pb.yaml").write_text(PLAYBOOK.replace("id: small-and-ready", "id: big-one"))
    with pytest.raises(InputError) as caught:
        loader.load(folder / "pb.yaml", finder(folder))
    (problem,) = caught.value.problems
    assert problem.path == folder / "pb.yaml"
    assert "the rule id 'big-one' is already a rule of the included set 'set-a'" in problem.message


def test_a_missing_include_and_a_cycle_stop_a_review(folder: Path, dealcoach) -> None:
    (folder / "set-a.yaml").write_text(SET_A.replace("scope: deal", "scope: deal\ninclude: [set-b]"))
    answers = write(folder.parent / "answers.yaml", "playbook: pb\ndeal: Acme\nanswers: {}\n")
    ran = dealcoach("review", "--answers", str(answers), "--playbooks", str(folder), "-o", "-")
    assert ran.code == 2
    # pb includes set-b, which includes set-a, which includes set-b again
    assert f"{folder / 'set-a.yaml'}:7:11: including 'set-b' makes a cycle: it includes 'set-a' again" in ran.err
    (folder / "set-a.yaml").unlink()
    ran = dealcoach("review", "--answers", str(answers), "--playbooks", str(folder), "-o", "-")
    assert ran.code == 2
    assert f"{folder / 'set-b.yaml'}:5:11: no shared set 'set-a'" in ran.err


def test_a_set_built_once_for_a_batch_still_finds_each_includers_own_cycle(folder: Path) -> None:
    """Validating a folder builds a set once for all the files that include it, unless what it
    includes could lead back to the file including it."""
    from dealcoach.playbook.checking import check_files

    write(folder / "set-c.yaml", "kind: shared\nid: set-c\nversion: 1\ntitle: Set C\ninclude: [pb]\n"
          "questions:\n  - {id: calm, type: yesno, prompt: Calm?}\n")  # fmt: skip
    with_c = PLAYBOOK.replace("include: [set-b, set-a]", "include: [set-b, set-a, set-c]")
    (folder / "pb.yaml").write_text(with_c, encoding="utf-8")
    (folder / "pb2.yaml").write_text(with_c.replace("id: pb", "id: pb2"), encoding="utf-8")
    found = check_files([folder / "pb.yaml", folder / "pb2.yaml"], finder(folder))
    at = f"{folder / 'set-c.yaml'}:5:11"
    assert [[str(p) for p in problems] for problems in found] == [
        [f"{at}: including 'pb' makes a cycle: it includes 'set-c' again, directly or through other sets"],
        [f"{at}: 'pb' is a playbook, not a shared set; only files marked `kind: shared` can be included"],
    ]


def test_the_cached_playbook_sees_a_changed_or_newly_overridden_include(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALCOACH_STATE_DIR", str(tmp_path / "state"))
    first = loader.load_cached(folder / "pb.yaml", finder(folder))
    assert first.question("size").prompt == "How big is it?"  # type: ignore[union-attr]
    again = loader.load_cached(folder / "pb.yaml", finder(folder))
    assert again.question("size").prompt == "How big is it?"  # type: ignore[union-attr]
    # an edit to the included file, even one that keeps its size and time, is seen
    path = folder / "set-a.yaml"
    stat = path.stat()
    path.write_text(SET_A.replace("How big is it?", "How large is it"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    edited = loader.load_cached(folder / "pb.yaml", finder(folder))
    assert edited.question("size").prompt == "How large is it"  # type: ignore[union-attr]
    # another layer now provides set-a: the playbook is rebuilt with that one
    other = write(tmp_path / "team" / "set-a.yaml", SET_A.replace("How big is it?", "What size?"))
    from dealcoach.playbook.catalogue import Catalogue, Entry

    entries = {p.stem: Entry(p.stem, p, "test") for p in folder.glob("*.yaml")}
    entries["set-a"] = Entry("set-a", other, "team")
    overridden = loader.load_cached(folder / "pb.yaml", loader.IncludeFinder(Catalogue(entries)))
    assert overridden.question("size").prompt == "What size?"  # type: ignore[union-attr]


# -- the built-in deal context ---------------------------------------------------------------

CONTRACT = {
    "deal_kind": ("choice", ["new_customer", "expansion", "renewal"]),
    "account_at_stake": ("choice", ["major", "some", "little"]),
    "route": ("choice", ["direct", "partner", "tender"]),
    "hard_date": ("choice", ["theirs", "ours", "both", "none"]),
    "hard_date_weeks": ("number", []),
    "economic_buyer": ("choice", ["met", "known_not_met", "unknown"]),
    "champion": ("choice", ["strong_access", "no_access", "none"]),
    "engaged_people": ("number", []),
    "alternatives": ("multi", ["competitor", "build_own", "do_nothing", "other_budget"]),
    "competitor_name": ("text", []),
    "asks": (
        "multi",
        ["discount", "free_work", "terms", "document", "complaint", "go_around", "publicity", "nothing"],
    ),
    "forecast": ("choice", ["commit", "best_case", "pipeline", "not_forecast"]),
    "our_pressure": ("multi", ["quota", "manager", "delivery", "partner_rel", "none"]),
    "contract_rules": ("choice", ["constrains", "none"]),
    "contact_name": ("text", []),
    "decision_maker_name": ("text", []),
    "end_user_name": ("text", []),
}
RULES = [
    "account-at-risk",
    "existing-business-unknown",
    "single-threaded",
    "economic-buyer-unmet",
    "deadline-pressure",
    "discount-before-diagnosis",
    "free-work",
    "forecast-unsupported",
    "commit-without-their-date",
    "contract-constrains",
    "our-side-pressure",
    "competitor-in-play",
]


def deal_context() -> pbmod.SharedSet:
    shared = loader.load_file(PLAYBOOKS / "deal-context.yaml")
    assert isinstance(shared, pbmod.SharedSet)
    return shared


def test_the_deal_context_has_exactly_the_agreed_ids_and_values() -> None:
    shared = deal_context()
    assert shared.scope == "deal"
    found = {q.id: (q.type, [o.value for o in q.options]) for q in shared.questions}
    assert found == CONTRACT
    by_id = {q.id: q for q in shared.questions}
    assert (by_id["hard_date_weeks"].min, by_id["hard_date_weeks"].max) == (0, 104)
    assert (by_id["engaged_people"].min, by_id["engaged_people"].max) == (0, 100)
    for q in shared.questions:
        assert q.help, f"{q.id} needs help saying why it matters"
        assert q.unknown == (q.type != "text"), q.id  # "I don't know" everywhere but the optional names
    assert [r.id for r in shared.rules] == RULES
    assert all(r.flag is not None for r in shared.rules)


def test_the_deal_context_states_no_number_the_rep_did_not_give() -> None:
    shared = deal_context()
    texts = [q.gap for q in shared.questions] + [o.says.source for q in shared.questions for o in q.options if o.says]
    texts += [r.flag.text.source for r in shared.rules if r.flag] + [r.says.source for r in shared.rules if r.says]
    for text in texts:
        fixed = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
        assert not re.search(r"\d|%", fixed), text


def quiet_buyer() -> pbmod.Playbook:
    return loader.load(QUIET_BUYER)


def test_a_builtin_like_playbook_including_the_deal_context_passes_its_examples() -> None:
    pb = quiet_buyer()
    assert [q.id for q in pb.questions][: len(CONTRACT)] == list(CONTRACT)
    assert [o.mismatches for o in run_examples(pb) if not o.passed] == []


@pytest.mark.parametrize(
    ("rule", "answers", "text"),
    [
        ("account-at-risk", {"deal_kind": "renewal", "account_at_stake": "major"}, "agree it with the account owner"),
        ("existing-business-unknown", {"deal_kind": "expansion"}, "treat the existing business as at stake"),
        ("commit-without-their-date", {"forecast": "commit", "hard_date": "ours"}, "the date is our quarter"),
        ("commit-without-their-date", {"forecast": "commit", "hard_date": "none"}, "there is no date of theirs"),
        ("single-threaded", {"engaged_people": 1, "contact_name": "Dana"}, "rests on one person. Ask Dana"),
        ("single-threaded", {"engaged_people": 2}, "rests on 2 people. Ask your contact"),
        ("single-threaded", {"engaged_people": 0}, "Nobody on their side"),
        ("economic-buyer-unmet", {"economic_buyer": "known_not_met", "decision_maker_name": "Pat"}, "not met Pat."),
        ("economic-buyer-unmet", {"economic_buyer": "unknown"}, "do not know who signs"),
        ("deadline-pressure", {"hard_date": "theirs", "hard_date_weeks": 3}, "3 weeks away. Work back"),
        ("deadline-pressure", {"hard_date": "ours", "hard_date_weeks": 1}, "1 week away. It is our date"),
        ("deadline-pressure", {"hard_date": "both", "hard_date_weeks": 0}, "this week."),
        ("discount-before-diagnosis", {"asks": ["discount"]}, "find out what it is for"),
        ("free-work", {"asks": ["free_work", "document"]}, "success criteria"),
        ("forecast-unsupported", {"forecast": "commit", "economic_buyer": "met", "champion": "none"}, "but nobody"),
        ("forecast-unsupported", {"forecast": "commit", "champion": "strong_access"}, "not met the person who signs."),
        ("contract-constrains", {"contract_rules": "constrains"}, "who can waive it"),
        ("our-side-pressure", {"our_pressure": ["manager"]}, "buyer's reasons"),
        ("competitor-in-play", {"alternatives": ["competitor"], "competitor_name": "Globex"}, "Globex is in the"),
        ("competitor-in-play", {"alternatives": ["competitor"], "competitor_name": ""}, "A competitor is in the"),
    ],
)
def test_each_cross_cutting_rule_flags_with_what_to_do(rule: str, answers: dict, text: str) -> None:
    result = score(quiet_buyer(), {"still_answers": True, **answers}, flips=False)
    raised = {f.rule: f.text for f in result.flags}
    assert rule in raised
    assert text in " ".join(raised[rule].split()), raised[rule]


@pytest.mark.parametrize(
    "answers",
    [
        {"deal_kind": "new_customer", "account_at_stake": "major"},  # not asked for a new customer
        {"engaged_people": 3},
        {"economic_buyer": "met"},
        {"hard_date": "theirs", "hard_date_weeks": 12},
        {"hard_date": "none"},
        {"forecast": "commit", "economic_buyer": "met", "champion": "strong_access"},
        {"forecast": "best_case"},
        {"forecast": "best_case", "hard_date": "ours"},
        {"deal_kind": "renewal", "account_at_stake": "some"},
        {"alternatives": ["do_nothing"]},
    ],
)
def test_the_cross_cutting_rules_stay_quiet_when_they_do_not_apply(answers: dict) -> None:
    result = score(quiet_buyer(), {"still_answers": True, **answers}, flips=False)
    assert [f.rule for f in result.flags] == []


def test_when_nothing_is_known_no_cross_cutting_flag_is_raised() -> None:
    result = score(quiet_buyer(), {}, flips=False)
    assert [f.rule for f in result.flags] == []


def test_a_playbook_can_leave_out_an_included_rule_and_must_name_a_real_one(tmp_path: Path) -> None:
    # A post-mortem has no use for a live deal's "find out who brought them in".
    text = QUIET_BUYER.read_text(encoding="utf-8").replace(
        "\ninclude: [deal-context]\n", "\ninclude: [deal-context]\nleave_out: [competitor-in-play]\n", 1
    )
    assert "leave_out" in text
    answers = {"still_answers": True, "alternatives": ["competitor"], "economic_buyer": "unknown"}
    assert "competitor-in-play" in [f.rule for f in score(quiet_buyer(), answers, flips=False).flags]
    pb = loader.load(write(tmp_path / "quiet-buyer.yaml", text))
    assert [f.rule for f in score(pb, answers, flips=False).flags] == ["economic-buyer-unmet"]
    assert "competitor-in-play" not in {r.id for r in pb.rules}
    wrong = text.replace("leave_out: [competitor-in-play]", "leave_out: [competitor-in-plya]")
    with pytest.raises(InputError) as raised:
        loader.load(write(tmp_path / "quiet-buyer.yaml", wrong))
    message = str(raised.value.problems[0])
    assert "'competitor-in-plya' is not a rule or question of an included set (did you mean 'competitor-in-play'?)" in (
        message
    )


def test_a_playbook_can_leave_out_an_included_question_but_not_one_that_stays_asked_about(tmp_path: Path) -> None:
    # A retrospective has no pressure on our side left to ask about: not asked, and no gap.
    base = QUIET_BUYER.read_text(encoding="utf-8")
    text = base.replace(
        "\ninclude: [deal-context]\n", "\ninclude: [deal-context]\nleave_out: [our-side-pressure, our_pressure]\n", 1
    )
    pb = loader.load(write(tmp_path / "quiet-buyer.yaml", text))
    assert pb.question("our_pressure") is None and quiet_buyer().question("our_pressure") is not None
    assert "our_pressure" in [g.question for g in score(quiet_buyer(), {"still_answers": True}, flips=False).gaps]
    assert "our_pressure" not in [g.question for g in score(pb, {"still_answers": True}, flips=False).gaps]
    # The rule that asks about it stays: it is named, at the entry left out.
    kept = base.replace("\ninclude: [deal-context]\n", "\ninclude: [deal-context]\nleave_out: [our_pressure]\n", 1)
    with pytest.raises(InputError) as raised:
        loader.load(write(tmp_path / "quiet-buyer.yaml", kept))
    assert [str(p) for p in raised.value.problems] == [
        f"{tmp_path / 'quiet-buyer.yaml'}:10:13: the included rule 'our-side-pressure' asks about 'our_pressure'; "
        "leave it out too, or keep 'our_pressure'"
    ]


# -- the context kept per deal ---------------------------------------------------------------


def test_the_context_is_kept_per_deal_and_fills_a_later_answers_file(work: Path, dealcoach) -> None:
    write(work / "playbooks" / "quiet-buyer.yaml", QUIET_BUYER.read_text(encoding="utf-8"))
    write(
        work / "first.yaml",
        """
        playbook: quiet-buyer
        deal: Acme Corp
        answers: {deal_kind: renewal, account_at_stake: major, hard_date: none, contact_name: Dana, still_answers: true}
        """,
    )
    ran = dealcoach("review", "--answers", "first.yaml")
    assert ran.code == 0, ran.err
    saved_path = work / "reviews" / "acme-corp" / "deal-context.yaml"
    saved = yaml.safe_load(saved_path.read_text(encoding="utf-8"))
    assert saved["deal"] == "Acme Corp" and saved["review"] == "2026-11-25-quiet-buyer.md"
    assert saved["answers"] == {
        "deal_kind": "renewal",
        "account_at_stake": "major",
        "hard_date": "none",
        "contact_name": "Dana",
    }  # answered context only: not the questions left unanswered, not the playbook's own
    assert not list(saved_path.parent.glob(".*.tmp")), "written atomically, no temporary left"

    write(
        work / "second.yaml",
        """
        playbook: quiet-buyer
        deal: Acme Corp
        answers: {deal_kind: expansion, still_answers: false}
        """,
    )
    ran = dealcoach("review", "--answers", "second.yaml", "--output", "-")
    assert ran.code == 0, ran.err
    assert (
        "note: deal context not in second.yaml taken from reviews/acme-corp/deal-context.yaml (saved 2026-11-25): "
        "account_at_stake, hard_date, contact_name"
    ) in ran.err
    front = yaml.safe_load(ran.out.split("---\n")[1])
    assert front["answers"]["deal_kind"] == "expansion"  # the file wins
    assert front["answers"]["account_at_stake"] == "major"  # the saved context fills the rest
    assert "account-at-risk" in front["flags"]
    # written to stdout: the saved context is left as it was
    assert yaml.safe_load(saved_path.read_text(encoding="utf-8"))["answers"]["deal_kind"] == "renewal"


def test_a_damaged_context_file_is_named_and_set_aside(work: Path, dealcoach) -> None:
    write(work / "playbooks" / "quiet-buyer.yaml", QUIET_BUYER.read_text(encoding="utf-8"))
    write(work / "reviews" / "acme" / "deal-context.yaml", "answers: [not, a, mapping]\n")
    write(work / "a.yaml", "playbook: quiet-buyer\ndeal: Acme\nanswers: {still_answers: true}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "-o", "-")
    assert ran.code == 0
    assert "warning: reviews/acme/deal-context.yaml:1:10: not a deal context file" in ran.err
    write(work / "reviews" / "acme" / "deal-context.yaml", "answers: {deal_kind: merger, route: partner}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "-o", "-")
    assert ran.code == 0
    assert "the saved answer to 'deal_kind' no longer fits" in ran.err
    assert "taken from reviews/acme/deal-context.yaml" in ran.err and ": route" in ran.err


def test_a_participant_review_does_not_replace_the_deal_context(work: Path, dealcoach) -> None:
    write(work / "playbooks" / "quiet-buyer.yaml", QUIET_BUYER.read_text(encoding="utf-8"))
    write(work / "a.yaml", "playbook: quiet-buyer\ndeal: Acme\nanswers: {deal_kind: renewal}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--participant", "Sam")
    assert ran.code == 0, ran.err
    assert not (work / "reviews" / "acme" / "deal-context.yaml").exists()


def test_a_playbook_without_deal_questions_keeps_no_context(work: Path, dealcoach) -> None:
    # An earlier resistant-end-user, which included no deal context, as a project playbook.
    frozen = (ROOT / "tests" / "terminal" / "resistant-end-user.yaml").read_text(encoding="utf-8")
    write(work / "playbooks" / "resistant-end-user.yaml", frozen)
    answers = "playbook: resistant-end-user\ndeal: Acme Logistics\nanswers: {fear: strong, account_type: one_off}\n"
    write(work / "a.yaml", answers)
    ran = dealcoach("review", "--answers", "a.yaml")
    assert ran.code == 0, ran.err
    assert not list((work / "reviews").rglob("deal-context.yaml"))


# -- the interview over a kept context -------------------------------------------------------


class BackRecorder(ScriptedAsker):
    def ask(self, question: Any, step: Any) -> Any:
        self.could_go_back = [*getattr(self, "could_go_back", []), step.can_go_back]
        return super().ask(question, step)


def test_kept_answers_are_not_asked_and_back_steps_over_them(folder: Path) -> None:
    pb = loader.load(folder / "pb.yaml", finder(folder))
    asker = BackRecorder([True, BACK, True, True])
    interview = Interview(pb, {"size": "big"}, kept={"size"})
    interview.run(asker)
    # size is kept: urgent is the first question asked, and back from ready returns to it
    assert asker.asked == ["urgent", "ready", "urgent", "ready"]
    assert asker.could_go_back == [False, True, False, True]
    assert interview.answers == {"size": "big", "urgent": True, "ready": True}


def test_an_answer_picked_to_change_is_asked_again_and_nothing_else(folder: Path) -> None:
    pb = loader.load(folder / "pb.yaml", finder(folder))
    asker = ScriptedAsker(["small"])
    interview = Interview(pb, {"size": "big", "urgent": False}, kept={"urgent"}, reask={"size"})
    interview.run(asker)
    # size changed to small: urgent is no longer asked, and ready depends on it
    assert asker.asked == ["size"]
    assert interview.answers["size"] == "small"


# -- the answers skeleton and show -----------------------------------------------------------


def test_the_answers_skeleton_lists_every_question_and_runs_once_filled(work: Path, dealcoach) -> None:
    write(work / "playbooks" / "quiet-buyer.yaml", QUIET_BUYER.read_text(encoding="utf-8"))
    ran = dealcoach("playbooks", "show", "quiet-buyer", "--answers")
    assert ran.code == 0, ran.err
    skeleton = ran.out
    data = yaml.safe_load(skeleton)
    assert data["playbook"] == "quiet-buyer" and data["playbook_version"] == 1
    assert list(data["answers"]) == [*CONTRACT, "still_answers"]
    assert all(v is None for v in data["answers"].values())
    assert "#   new_customer  (A new customer)" in skeleton
    assert "# a number from 0 to 104 (weeks)" in skeleton
    assert "# Asked only when: deal_kind in ['expansion', 'renewal']" in skeleton
    assert "# yes or no" in skeleton
    assert "# Why it matters: The economic buyer can say yes" in skeleton

    # as it stands: every answer "I don't know"
    write(work / "blank.yaml", skeleton)
    ran = dealcoach("review", "--answers", "blank.yaml", "--deal", "Blank", "-o", "-")
    assert ran.code == 0, ran.err

    filled = skeleton.replace("deal:  #", "deal: Initech  #")
    for qid, value in {
        "deal_kind": "renewal",
        "account_at_stake": "major",
        "engaged_people": "2",
        "alternatives": "[competitor, do_nothing]",
        "competitor_name": "Globex",
        "asks": "[discount]",
        "still_answers": "no",
        "economic_buyer": "met",
    }.items():
        filled, count = re.subn(rf"^  {qid}:$", f"  {qid}: {value}", filled, flags=re.M)
        assert count == 1, qid
    write(work / "filled.yaml", filled)
    ran = dealcoach("review", "--answers", "filled.yaml", "-o", "-")
    assert ran.code == 0, ran.err
    front = yaml.safe_load(ran.out.split("---\n")[1])
    assert front["deal"] == "Initech"
    assert front["recommendation"] == "to-the-signer"
    assert {"account-at-risk", "single-threaded", "competitor-in-play"} <= set(front["flags"])


def test_show_lists_ids_and_values_and_the_included_questions(work: Path, dealcoach) -> None:
    write(work / "playbooks" / "quiet-buyer.yaml", QUIET_BUYER.read_text(encoding="utf-8"))
    ran = dealcoach("playbooks", "show", "quiet-buyer")
    assert ran.code == 0, ran.err
    assert "Asked first, from the shared set `deal-context`: The deal itself" in ran.out
    assert "**What kind of deal is this?** (`deal_kind`; pick one" in ran.out
    assert "- A renewal of an existing contract (`renewal`)" in ran.out
    assert "**Does your contact still answer your calls?** (`still_answers`; yes / no" in ran.out
    ran = dealcoach("playbooks", "show", "deal-context")
    assert ran.code == 0 and "`forecast-unsupported` (high" in ran.out
    ran = dealcoach("playbooks", "show", "deal-context", "--answers")
    assert ran.code == 2 and "is a shared set" in ran.err


def test_the_schema_checks_shared_sets_by_their_own_keys() -> None:
    import json

    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(
        json.loads((ROOT / "schema" / "playbook.schema.json").read_text(encoding="utf-8"))
    )
    shared = yaml.safe_load(SET_A)
    assert list(validator.iter_errors(shared)) == []
    assert list(validator.iter_errors({**shared, "strategies": []}))  # a playbook key in a shared set
    assert list(validator.iter_errors({**shared, "scope": "review"}))
    playbook = yaml.safe_load(PLAYBOOK)
    assert list(validator.iter_errors(playbook)) == []
    assert list(validator.iter_errors({**playbook, "scope": "deal"}))  # a shared-set key in a playbook
