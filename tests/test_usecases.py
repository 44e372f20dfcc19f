"""The review's and history's use-cases called as the core offers them, with no terminal and no CLI: plain
inputs, dataclasses out, notes in the order they happened (the CLI only draws them; what it
draws is checked through the command in test_cli.py, test_follow_through.py and the pty tests)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from dealcoach.errors import InputError
from dealcoach.history.records import ReviewRecord, Scan
from dealcoach.names import slugify
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


# -- history's use-cases: rescore and merge ------------------------------------------------------


def _saved(here: Path, name: str, day: int = 25, suffix: str = "", **changes: object) -> Path:
    """An example's review written where `dealcoach review` would put it (by deal, dated)."""
    from dealcoach.review.render import render_markdown

    source = write(here / f"{name}{suffix}.yaml", yaml.safe_dump(_example(name, **changes)))
    review = from_file(catalogue(), source, []).review(dt.date(2026, 11, day))
    who = f"--{review.participant.lower()}" if review.participant else ""
    folder = here / "reviews" / slugify(review.deal)
    return write(folder / f"2026-11-{day}-{review.playbook.id}{who}{suffix}.md", render_markdown(review))


def test_rescore_targets_take_files_and_folders_and_name_the_given_files_damaged(here: Path) -> None:
    from dealcoach.history.rescore import rescore_targets

    good = _saved(here, "resistant-end-user")
    write(here / "reviews" / "acme-logistics" / "broken.md", "no front matter\n")
    loose = write(here / "loose.md", "---\ndate: [1\n---\n")
    found = rescore_targets([here / "reviews", loose])
    assert [r.path for r in found.records] == [good]
    assert len(found.skipped) == 2  # the folder's damaged file and the one given by name
    assert [p.path for p in found.damaged_files] == [loose]
    seen: list[Path] = []
    rescore_targets([here / "reviews"], scan_folder=lambda folder: seen.append(folder) or Scan([], []))
    assert seen == [here / "reviews"]
    with pytest.raises(InputError, match="nowhere: no such file or folder"):
        rescore_targets([here / "nowhere"])


def test_rescore_review_gives_a_row_or_why_it_is_skipped(here: Path) -> None:
    from dealcoach.history.records import read_record
    from dealcoach.history.rescore import Row, Skip, load_playbooks, rescore_review

    record = read_record(_saved(here, "resistant-end-user"))
    assert isinstance(record, ReviewRecord)
    current, missing = load_playbooks({"resistant-end-user", "gone"}, catalogue())
    assert list(current) == ["resistant-end-user"] and list(missing) == ["gone"]
    installed = current["resistant-end-user"].version

    row = rescore_review(record, current, missing)
    assert isinstance(row, Row) and not row.changed and row.notes() == []
    assert list(row.fields()) == [
        "path", "deal", "playbook", "was", "now", "confidence_was", "confidence_now", "changed", "why",
    ]  # fmt: skip
    assert row.fields()["now"] == record.recommendation and row.fields()["why"] == []

    # a recommendation that differs now says why; an answer that no longer fits is a note
    was = replace(record, recommendation="move-on", answers={**record.answers, "fear": "terrified"})
    row = rescore_review(was, current, missing)
    assert isinstance(row, Row) and row.changed and row.fields()["was"] == "move-on"
    assert row.notes() == [
        "note: reviews/acme-logistics/2026-11-25-resistant-end-user.md: counted as I don't know, no longer "
        "fits the playbook: answer to 'fear': 'terrified' is not one of the choices: mild, moderate, strong"
    ]
    assert row.fields()["why"] == row.outcome.why() != [] and row.outcome.set_aside == {"fear": "terrified"}

    gone = rescore_review(replace(record, playbook="gone"), current, missing)
    assert gone == Skip(record.path, "playbook-missing", f"skipped: {record.path}: {missing['gone']}")
    assert rescore_review(replace(record, participant="Sam"), current, missing) == Skip(record.path, "participant")
    assert rescore_review(replace(record, participants=("Jo", "Sam")), current, missing) == Skip(record.path, "merged")
    newer = rescore_review(replace(record, playbook_version=installed + 1), current, missing)
    assert newer == Skip(
        record.path,
        "newer-version",
        f"skipped: reviews/acme-logistics/2026-11-25-resistant-end-user.md: answered with version {installed + 1} "
        f"of 'resistant-end-user', newer than the version {installed} here; update the playbooks first",
    )


def test_a_merge_takes_each_participants_latest_review_of_the_deal_and_playbook(here: Path) -> None:
    from dealcoach.history.usecases import merged_review, participant_reviews

    pm = "lost-deal-postmortem"
    base = _example(pm)["answers"]
    none = participant_reviews(here / "reviews", "Marlow Freight", pm)
    assert not none.enough and none.latest == {} and none.skipped == []
    assert none.too_few == (
        "0 participant review(s) of 'Marlow Freight' with 'lost-deal-postmortem'; a merge needs two or more. "
        "Each person runs: dealcoach review lost-deal-postmortem --deal 'Marlow Freight' --participant NAME"
    )
    _saved(here, pm, day=24, participant="Sam", answers={**base, "sponsor_engaged": "not_at_all"})
    _saved(here, pm, day=25, participant="Sam")  # later: Sam's answer is this one
    _saved(here, pm, day=24, suffix="-x", participant="Jo", answers={**base, "sponsor_engaged": "regularly"})
    _saved(here, pm, day=25, suffix="-y")  # the whole team's review, nobody's own
    write(here / "reviews" / "marlow-freight" / "broken.md", "no front matter\n")
    chosen = participant_reviews(here / "reviews", "marlow freight", pm)
    assert chosen.enough and sorted(chosen.latest) == ["Jo", "Sam"]
    assert chosen.latest["Sam"].date == dt.date(2026, 11, 25)
    assert [p.path.name for p in chosen.skipped] == ["broken.md"]
    assert list(chosen.team) == ["Jo", "Sam"]
    assert not participant_reviews(here / "reviews", "Marlow Freight", "triage").enough

    review = merged_review(load_playbook(catalogue(), pm), chosen, dt.date(2026, 11, 26))
    assert (review.deal, review.date) == ("Marlow Freight", dt.date(2026, 11, 26))
    assert review.disagreements == {"sponsor_engaged": {"Jo": "regularly", "Sam": "once"}}
