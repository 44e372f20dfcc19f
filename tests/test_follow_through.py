"""Follow-through without a terminal: the call plan in every review, the deal's actions file,
outcomes, the brief, and the calibration report. The interactive moments (picking actions, the
follow-up questions) are in test_terminal.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from .helpers import ROOT, STEPS, write


def _answers(work: Path, name: str, answers: dict, deal: str = "Acme") -> Path:
    return write(work / f"{name}.yaml", yaml.safe_dump({"playbook": "steps", "deal": deal, "answers": answers}))


def test_every_review_opens_with_a_call_plan_most_decisive_unknown_first(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "steps.yaml", STEPS)
    # No budget puts wait 4 points ahead: whether they are ready (3 points) cannot change that,
    # how big it is (5 points) can; so size is asked first although the playbook lists it last.
    _answers(work, "a", {"ready": None, "budget": False, "size": None})
    ran = dealcoach("review", "--answers", "a.yaml", "--format", "json", "--output", "-")
    assert ran.code == 0, ran.err
    plan = json.loads(ran.out)["call_plan"]
    assert [q["question"] for q in plan["questions"]] == ["size", "ready"]  # wait has no talk track
    assert plan["questions"][0]["text"] == "Ask how many sites it covers."
    assert plan["questions"][1]["text"] == "Ask whether they are ready."
    assert plan["commitment"] == "Check back after their planning round."
    assert plan["objective"] == "Find out whether this holds: Wait."  # low confidence

    ran = dealcoach("review", "--answers", "a.yaml", "--output", "-")
    body = ran.out.split("---\n", 2)[2]
    assert body.index("## Plan for the next call") < body.index("## Recommended strategy")
    assert "1. Ask how many sites it covers." in body
    assert "**Commitment to ask for:** Check back after their planning round." in body


def _actions(work: Path, deal: str, text: str) -> Path:
    return write(work / "reviews" / deal / "actions.md", text)


def test_actions_lists_open_actions_across_deals_overdue_first(dealcoach, work: Path) -> None:
    _actions(
        work,
        "acme",
        "# Actions: Acme\n\nA note between actions is kept.\n"
        "- [ ] Book the meeting. — owner: Sam; due: 2026-12-10; strategy: push\n"
        "- [x] Send the summary. — result: they read it\n",
    )
    _actions(
        work,
        "globex",
        "# Actions: Globex\n\n- [ ] Call the CFO — about the budget. — due: 2026-11-01\n- [-] Dropped one.\n",
    )
    ran = dealcoach("actions", "--format", "json")
    assert ran.code == 0, ran.err
    rows = json.loads(ran.out)
    assert [(r["deal"], r["action"], r["overdue"]) for r in rows] == [
        ("Globex", "Call the CFO — about the budget.", True),
        ("Acme", "Book the meeting.", False),
    ]
    assert rows[1]["owner"] == "Sam" and rows[1]["file"].endswith("acme/actions.md:4")
    ran = dealcoach("actions", "--all", "--format", "csv")
    lines = ran.out.splitlines()
    assert lines[0].startswith("deal,action,status,owner,due,overdue")
    assert len(lines) == 5 and any("they read it" in line for line in lines)
    ran = dealcoach("actions", "--deal", "acme")
    assert "Book the meeting." in ran.out and "Call the CFO" not in ran.out
    # The reviews folder's other commands do not mistake a checklist for a damaged review.
    write(work / "reviews" / "acme" / "2026-11-01-steps.md", _review_text(dealcoach, work, "Acme"))
    ran = dealcoach("deals")
    assert ran.code == 0 and "skipped" not in ran.err and "actions.md" not in ran.err


def _review_text(dealcoach, work: Path, deal: str) -> str:
    write(work / "playbooks" / "steps.yaml", STEPS)
    _answers(work, "r", {"ready": True, "budget": None, "size": "big"}, deal)
    return dealcoach("review", "--answers", "r.yaml", "--output", "-", extra_env={"DEALCOACH_TODAY": "2026-11-01"}).out


def test_a_damaged_action_line_is_named_and_the_rest_still_count(dealcoach, work: Path) -> None:
    _actions(work, "acme", "# Actions: Acme\n\n- [?] What is this\n- [ ] Fine. — due: soon\n- [ ] Kept.\n")
    ran = dealcoach("actions")
    assert ran.code == 0
    assert "reviews/acme/actions.md:3:4: '[?]'" in ran.err
    assert "reviews/acme/actions.md:4:20: due 'soon': use YYYY-MM-DD" in ran.err
    assert "Kept." in ran.out


def test_outcome_is_recorded_and_a_loss_names_the_post_mortem_without_a_terminal(dealcoach, work: Path) -> None:
    example = (ROOT / "examples" / "reviews" / "resistant-end-user.md").read_text(encoding="utf-8")
    write(work / "reviews" / "acme-logistics" / "2026-11-01-resistant-end-user.md", example)
    ran = dealcoach("outcome", "Acme Logistics", "slipped", "--date", "2026-11-20", "--note", "Budget  moved")
    assert ran.code == 0, ran.err
    ran = dealcoach("outcome", "acme-logistics", "lost")
    assert ran.code == 0
    assert "Start the post-mortem with: dealcoach review lost-deal-postmortem --deal 'Acme Logistics'" in ran.err
    saved = yaml.safe_load((work / "reviews" / "acme-logistics" / "outcome.yaml").read_text(encoding="utf-8"))
    assert saved["outcomes"] == [
        {"outcome": "slipped", "date": "2026-11-20", "note": "Budget moved"},
        {"outcome": "lost", "date": "2026-11-25"},
    ]
    ran = dealcoach("outcome", "Acme Logistics", "abandoned")
    assert ran.code == 2 and "the outcome is one of won, lost, no-decision, slipped" in ran.err
    ran = dealcoach("outcome", "Acme Logistic", "won")
    assert ran.code == 2 and "did you mean 'acme-logistics'" in ran.err.lower()
    ran = dealcoach("outcome", "Acme Logistics", "won", "--date", "next week")
    assert ran.code == 2 and "--date 'next week': use YYYY-MM-DD" in ran.err


def test_a_damaged_outcome_file_is_reported_at_its_line_and_not_overwritten(dealcoach, work: Path) -> None:
    write(work / "reviews" / "acme" / "2026-11-01-steps.md", _review_text(dealcoach, work, "Acme"))
    bad = "deal: Acme\noutcomes:\n- {outcome: won, date: '2026-11-01'}\n- {outcome: maybe, date: '2026-11-02'}\n"
    write(work / "reviews" / "acme" / "outcome.yaml", bad)
    ran = dealcoach("outcome", "Acme", "lost")
    assert ran.code == 2
    assert "reviews/acme/outcome.yaml:4:" in ran.err and "outcome 'maybe'" in ran.err
    assert (work / "reviews" / "acme" / "outcome.yaml").read_text(encoding="utf-8") == bad
    for _ in range(2):  # the second run finds the problem in the index and still says it
        ran = dealcoach("insights", "--outcomes", "--format", "json")
        assert ran.code == 0 and "skipped:" in ran.err and "outcome.yaml:4:" in ran.err


def test_brief_gathers_the_plan_open_actions_advice_and_unknowns(dealcoach, work: Path) -> None:
    write(work / "reviews" / "acme" / "2026-11-01-steps.md", _review_text(dealcoach, work, "Acme"))
    _actions(
        work,
        "acme",
        "# Actions: Acme\n\n- [ ] Later one. — due: 2026-12-30\n- [ ] Late one. — due: 2026-11-02\n- [x] Done one.\n",
    )
    ran = dealcoach("brief", "Acme", "--output", "-")
    assert ran.code == 0, ran.err
    out = ran.out
    assert out.startswith("# Brief for the next call: Acme\n")
    assert "**Objective:** Push on." in out
    assert "1. Ask who holds the budget." in out
    assert out.index("Late one. (due 2026-11-02, OVERDUE)") < out.index("Later one.")
    assert "Done one." not in out
    assert "- **Steps** (2026-11-01): Push on, confidence" in out
    assert "## Still unknown\n\n- Ask who holds the budget. (steps)" in out
    ran = dealcoach("brief", "Acme", "--output", "brief.md")
    assert ran.code == 0 and (work / "brief.md").read_text(encoding="utf-8") == out
    ran = dealcoach("brief", "Acne")
    assert ran.code == 2 and "no deal 'Acne'" in ran.err


def test_brief_after_a_triage_review_takes_the_plan_from_the_playbook_reviewed_before(dealcoach, work: Path) -> None:
    # Triage routes to playbooks and has no call plan of its own: it must not hide the last one.
    write(work / "reviews" / "acme" / "2026-11-01-steps.md", _review_text(dealcoach, work, "Acme"))
    ran = dealcoach("review", "--answers", str(ROOT / "examples" / "answers" / "triage.yaml"), "--deal", "Acme")
    assert ran.code == 0, ran.err
    assert (work / "reviews" / "acme" / "2026-11-25-triage.md").is_file()
    ran = dealcoach("brief", "Acme", "--output", "-")
    assert ran.code == 0, ran.err
    assert "## Plan for the next call (from 2026-11-01-steps.md)" in ran.out
    assert "**Objective:** Push on." in ran.out


def _history(work: Path, deals: int, contrary: str = "", playbooks: tuple[str, ...] = ()) -> Path:
    folder = work / "reviews"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "history.py"),
            str(folder),
            "--deals",
            str(deals),
            "--contrary",
            contrary,
            *(arg for pid in playbooks for arg in ("--playbook", pid)),
        ],
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return folder


def test_calibration_finds_the_advice_the_outcomes_contradict_and_changes_nothing(dealcoach, work: Path) -> None:
    # The generated deals on the end-user playbook are mostly lost whenever it advised fixing the
    # objection: the report must find it, and propose halving the points that led there.
    _history(work, 120, contrary="address-the-objection", playbooks=("resistant-end-user",))
    before = {p: p.read_bytes() for p in (ROOT / "playbooks").glob("*.yaml")}
    ran = dealcoach("insights", "--outcomes", "--format", "json")
    assert ran.code == 0, ran.err
    report = json.loads(ran.out)
    assert report["settled_deals"] > 50
    fix = next(r for r in report["strategies"] if r["key"] == "resistant-end-user/address-the-objection")
    assert fix["lost"] > 3 * fix["won"] and not fix["too_few"]
    assert fix["followed"]["lost"] > 0
    halved = [p for p in report["proposals"] if p["strategy"] == "address-the-objection"]
    assert halved and all(p["proposed"] == p["points"] // 2 < p["points"] for p in halved)
    assert "--- a/playbooks/resistant-end-user.yaml" in report["diff"]
    first = halved[0]
    assert f"-        points: {{address-the-objection: {first['points']}" in report["diff"]
    assert f"+        points: {{address-the-objection: {first['proposed']}" in report["diff"]
    assert report["separating_answers"] and all(s["won"] + s["lost"] >= 10 for s in report["separating_answers"])
    assert before == {p: p.read_bytes() for p in (ROOT / "playbooks").glob("*.yaml")}, "nothing is ever changed"
    ran = dealcoach("insights", "--outcomes", "--format", "md")
    assert "## Proposed changes to the playbooks" in ran.out and "```diff" in ran.out
    ran = dealcoach("insights", "--outcomes", "--format", "csv")
    assert ran.out.splitlines()[0] == "section,key,deals,won,lost,no_decision,too_few"


def test_outcome_and_actions_files_edited_since_the_last_run_are_read_again(dealcoach, work: Path) -> None:
    folder = _history(work, 8)
    first = json.loads(dealcoach("insights", "--outcomes", "--format", "json").out)
    settled = next(p for p in sorted(folder.glob("*/outcome.yaml")) if "outcome: won" in p.read_text()[-60:])
    settled.write_text(settled.read_text() + "- {outcome: slipped, date: '2030-01-01'}\n")
    second = json.loads(dealcoach("insights", "--outcomes", "--format", "json").out)
    assert (second["settled_deals"], second["open_deals"]) == (first["settled_deals"] - 1, first["open_deals"] + 1)

    listed = json.loads(dealcoach("actions", "--all", "--format", "json").out)
    actions = work / listed[0]["file"].rsplit(":", 1)[0]
    actions.write_text(actions.read_text() + "- [ ] A step added by hand.\n")
    again = json.loads(dealcoach("actions", "--all", "--format", "json").out)
    assert len(again) == len(listed) + 1 and "A step added by hand." in [r["action"] for r in again]
    actions.unlink()
    gone = json.loads(dealcoach("actions", "--all", "--format", "json").out)
    assert not [r for r in gone if r["file"].startswith(listed[0]["file"].rsplit(":", 1)[0])]


def test_calibration_says_plainly_when_there_are_too_few_outcomes(dealcoach, work: Path) -> None:
    _history(work, 8)
    ran = dealcoach("insights", "--outcomes", "--format", "md")
    assert ran.code == 0, ran.err
    assert "**Too few deals with an outcome to mean anything yet" in ran.out
    assert "| too few to mean anything |" in ran.out
    assert "None: no answer's points are contradicted by enough outcomes." in ran.out


def test_the_call_plan_and_actions_carry_rendered_texts_never_a_playbooks_placeholders(dealcoach, work: Path) -> None:
    # Next steps and talk tracks are templates ("offer {{ end_user_name or 'the end user' }} a say"):
    # the plan and the actions must carry them as the review shows them, for every playbook example.
    from dealcoach.playbook.loader import load
    from dealcoach.review.callplan import call_plan, recommended_texts
    from dealcoach.review.document import make_review

    from .helpers import BUILTIN_PLAYBOOK_FILES

    templated = 0
    for path in BUILTIN_PLAYBOOK_FILES:
        pb = load(path)
        templated += sum("{{" in str(t) for s in pb.strategies for t in (*s.next_steps, *s.talk_track))
        for example in pb.examples:
            review = make_review(pb, "Acme", example.answers)
            plan = call_plan(review)
            texts = [plan.commitment, *(q.text for q in plan.questions)] if plan is not None else []
            texts += recommended_texts(review, "next_steps")
            assert not [t for t in texts if "{{" in t or "{%" in t], (path.name, example.name)
    assert templated > 0, "no built-in step is a template: this test would prove nothing"
    # Through the command: step 1 of the week-1 answers is taken on as an action, rendered.
    answers = yaml.safe_load((ROOT / "examples" / "walkthrough" / "week-1.yaml").read_text(encoding="utf-8"))
    answers["answers"]["end_user_name"] = "Dana"
    write(work / "w.yaml", yaml.safe_dump(answers))
    assert dealcoach("review", "--answers", "w.yaml").code == 0
    checklist = (work / "reviews" / "northwind-wholesale" / "actions.md").read_text(encoding="utf-8")
    assert "{{" not in checklist and "- [ ] " in checklist


def test_the_call_plan_asks_first_what_the_review_says_to_find_out_first() -> None:
    # The plan and the review's "Find out first" must agree: a rep reading both sees one priority.
    from dealcoach.playbook.loader import load
    from dealcoach.review.callplan import call_plan
    from dealcoach.review.document import make_review

    checked = 0
    for answers_file in sorted((ROOT / "examples" / "casebook").glob("cb-*/answers.yaml")):
        data = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
        pb = load(ROOT / "playbooks" / f"{data['playbook']}.yaml")
        asked = {k: v for k, v in data["answers"].items() if pb.question(k)}
        review = make_review(pb, data["deal"], asked)
        plan = call_plan(review)
        first = [g.question for g in review.result.find_out_first][:3]
        if plan is None or not first:
            continue
        unknowns = [q.question for q in plan.questions if q.source == "unknown"]
        assert unknowns[: len(first)] == first, answers_file.parent.name
        checked += 1
    assert checked >= 10
