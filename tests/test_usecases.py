"""The review's use-cases called as the core offers them, with no terminal and no CLI: plain
inputs, dataclasses out, notes in the order they happened (the CLI only draws them; what it
draws is checked through the command in test_cli.py, test_follow_through.py and the pty tests)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from dealcoach.errors import InputError
from dealcoach.playbook.catalogue import catalogue
from dealcoach.review import session
from dealcoach.review.usecases import (
    Note,
    Prefill,
    from_file,
    keep_context,
    route,
    saved_context,
    still_true,
    unfinished,
)
from dealcoach.review.workflow import load_playbook

from .helpers import EXAMPLES, write


@pytest.fixture
def here(env: dict[str, str], work: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own state, cache, config and reviews folders, with `work` as the current folder."""
    for name in list(os.environ):
        if name.startswith("DEALCOACH_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("DEALCOACH_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("DEALCOACH_REVIEWS", str(work / "reviews"))
    monkeypatch.chdir(work)
    return work


def _example(name: str, **changes: object) -> dict:
    data = yaml.safe_load((EXAMPLES / "answers" / f"{name}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def test_a_file_gives_deal_and_participant_unless_the_command_line_does(here: Path) -> None:
    path = write(here / "a.yaml", yaml.safe_dump(_example("resistant-end-user", participant="Kim")))
    notes: list[Note] = []
    given = from_file(catalogue(), path, notes)
    assert (given.playbook.id, given.deal, given.participant) == ("resistant-end-user", "Acme Logistics", "Kim")
    assert given.answers["fear"] == "strong" and notes == []
    given = from_file(catalogue(), path, [], deal="Zed Corp", participant="Sam")
    assert (given.deal, given.participant) == ("Zed Corp", "Sam")
    review = given.review(dt.date(2026, 11, 25))
    assert (review.deal, review.participant, review.date) == ("Zed Corp", "Sam", dt.date(2026, 11, 25))


def test_notes_come_in_order_and_those_before_an_error_are_kept(here: Path) -> None:
    path = write(here / "a.yaml", yaml.safe_dump(_example("resistant-end-user", playbook_version=99)))
    notes: list[Note] = []
    given = from_file(catalogue(), path, notes, set_items=["account_at_stake=major", "fear=mild"])
    assert given.answers["fear"] == "mild"  # --set wins over the file
    assert [n.text for n in notes] == [
        f"note: {path}: answered with version 99 of 'resistant-end-user', newer than the version "
        f"{given.playbook.version} here; "
        "update the playbooks to score it as it was meant",
        "note: --set not used, the other answers skip these questions: account_at_stake",
    ]
    assert not any(n.always for n in notes)  # --quiet silences both

    notes = []
    with pytest.raises(InputError, match="--set does not fit"):
        from_file(catalogue(), path, notes, set_items=["fear=bogus"])
    assert len(notes) == 1 and "newer than the version" in notes[0].text


def test_the_file_must_answer_the_playbook_named_and_name_a_deal(here: Path) -> None:
    path = write(here / "a.yaml", yaml.safe_dump(_example("resistant-end-user")))
    with pytest.raises(InputError, match="the file answers playbook 'resistant-end-user', not 'triage'"):
        from_file(catalogue(), path, [], playbook_id="triage")
    nameless = write(here / "b.yaml", yaml.safe_dump({**_example("resistant-end-user"), "deal": "  "}))
    with pytest.raises(InputError, match="no deal named"):
        from_file(catalogue(), nameless, [])


def test_stdin_is_named_as_such(here: Path) -> None:
    text = (EXAMPLES / "answers" / "triage.yaml").read_text(encoding="utf-8")
    given = from_file(catalogue(), Path("-"), [], stdin=text)
    assert given.source.path == Path("<stdin>") and given.deal == "Harbour Credit Union"


def test_deal_context_left_out_of_a_file_comes_from_the_saved_one_and_the_file_wins(here: Path) -> None:
    write(
        here / "reviews" / "acme-logistics" / "deal-context.yaml",
        yaml.safe_dump(
            {"deal": "Acme Logistics", "updated": "2026-11-01", "answers": {"route": "partner", "deal_kind": "renewal"}}
        ),
    )
    data = _example("resistant-end-user")
    del data["answers"]["route"]  # deal_kind stays: the file's own answer
    path = write(here / "a.yaml", yaml.safe_dump(data))
    notes: list[Note] = []
    given = from_file(catalogue(), path, notes)
    assert (given.answers["route"], given.answers["deal_kind"]) == ("partner", "new_customer")
    assert notes == [
        Note(
            f"note: deal context not in {path} taken from reviews/acme-logistics/deal-context.yaml "
            "(saved 2026-11-01): route",
            always=True,
        )
    ]


def test_a_damaged_deal_context_is_a_warning_not_a_stop(here: Path) -> None:
    write(here / "reviews" / "acme-logistics" / "deal-context.yaml", "answers: [1\n")
    pb = load_playbook(catalogue(), "resistant-end-user")
    carried = saved_context(pb, "Acme Logistics")
    assert carried.context is None and carried.answers == {}
    assert [n.always for n in carried.notes] == [True]
    assert carried.notes[0].text.endswith("; the deal context is asked afresh")


def test_the_context_is_kept_only_for_a_review_in_the_reviews_folder(here: Path) -> None:
    path = write(here / "a.yaml", yaml.safe_dump(_example("resistant-end-user")))
    review = from_file(catalogue(), path, []).review(dt.date(2026, 11, 25))
    written = here / "reviews" / "acme-logistics" / "2026-11-25-resistant-end-user.md"
    context = here / "reviews" / "acme-logistics" / "deal-context.yaml"
    assert keep_context(review, written, output="elsewhere.md", participant="") == []
    assert keep_context(review, written, output=None, participant="Sam") == []
    assert not context.exists()
    assert keep_context(review, written, output=None, participant="") == []
    saved = yaml.safe_load(context.read_text(encoding="utf-8"))
    assert saved["review"] == written.name and saved["answers"]["route"] == "direct"


def test_still_true_keeps_asks_again_or_asks_only_what_changed() -> None:
    answers = {"a": 1, "b": 2, "c": 3}
    assert still_true(answers, "keep") == Prefill(answers, {"a", "b", "c"}, set())
    assert still_true(answers, "all") == Prefill(answers, set(), {"a", "b", "c"})
    assert still_true(answers, "pick", ["b"]) == Prefill(answers, {"a", "c"}, {"b"})


def test_an_unfinished_review_resumes_with_what_still_fits(here: Path) -> None:
    pb = load_playbook(catalogue(), "resistant-end-user")
    assert unfinished(pb, "Acme") is None
    session.save("Acme", pb.id, pb.version, {"fear": "strong", "open_dialogue": "sometimes", "gone": 1})
    left = unfinished(pb, "Acme")
    assert left is not None
    assert left.saved == {"fear": "strong", "open_dialogue": "sometimes"}  # questions it still has
    assert left.answers == {"fear": "strong"}  # of those, the answers that still fit
    assert left.dropped == ["gone", "open_dialogue"]
    assert unfinished(pb, "Acme", participant="Sam") is None  # another participant's is not this one's


def test_triage_ranks_the_playbooks_there_are(here: Path) -> None:
    cat = catalogue()
    triage = load_playbook(cat, "triage")
    answers = {"hardest": "lost", "also": ["nothing"], "stage": "lost", "new_decider": True}
    routing = route(triage, answers, cat.entries)
    assert routing.best.route == "lost-deal-postmortem"
    assert [s.route for s in routing.close] == ["resistant-decision-maker"]
    assert [s.title for s in routing.rest] == sorted(s.title for s in routing.rest)
    # A playbook that is not there is never offered: the next one leads.
    routing = route(triage, answers, set(cat.entries) - {"lost-deal-postmortem"})
    assert routing.best.route == "resistant-decision-maker"
    with pytest.raises(InputError, match="triage found no playbook"):
        route(triage, answers, set())
