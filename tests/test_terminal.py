"""The real `dealcoach review` in a pseudo-terminal, driven by key presses.

These tests spawn the installed command under pexpect, so they exercise questionary, the
session autosave and the signal handling exactly as a rep meets them.
"""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import pytest
import yaml

from dealcoach.playbook.yamlfile import split_front_matter

from .helpers import MINIMAL, write

pexpect = pytest.importorskip("pexpect")
if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals need a POSIX system", allow_module_level=True)

DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
CTRL_C = "\x03"


class Terminal:
    """One `dealcoach` process in a pseudo-terminal, with helpers that read like a rep's hands."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        env = {k: v for k, v in env.items() if k != "CI"}
        env["TERM"] = "xterm"
        # A pty answers no cursor-position requests; without this prompt_toolkit waits for one
        # and may swallow keys typed meanwhile.
        env["PROMPT_TOOLKIT_NO_CPR"] = "1"
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "dealcoach", *args],
            env=env,
            cwd=str(cwd),
            encoding="utf-8",
            dimensions=(50, 120),
            timeout=20,
        )
        self.transcript: list[str] = []

    def expect(self, pattern: str) -> None:
        try:
            self.child.expect(pattern)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            raise AssertionError(f"never saw {pattern!r}; last output:\n{self.child.before[-1500:]}") from exc
        self.transcript.append(self.child.before + self.child.after)

    def settle(self) -> None:
        """Read until the screen is quiet: keys sent while a prompt is still drawing can be lost."""
        while True:
            try:
                self.child.expect(r".+", timeout=0.2)
            except pexpect.TIMEOUT:
                return
            except pexpect.EOF:
                return
            self.transcript.append(self.child.after)

    def pick(self, prompt: str, downs: int = 0) -> None:
        """Wait for a select prompt, move down `downs` times and press Enter."""
        self.expect(prompt)
        self.press(DOWN * downs + ENTER)

    def type(self, prompt: str, text: str) -> None:
        self.expect(prompt)
        self.press(text + ENTER)

    def press(self, keys: str) -> None:
        self.settle()
        self.child.send(keys)

    def finish(self) -> int:
        """Wait for the process to end, taking on no actions if it offers the review's next steps."""
        if self.child.expect([pexpect.EOF, "Which of these next steps will you do"], timeout=30) == 1:
            self.transcript.append(self.child.before + self.child.after)
            self.press(ENTER)
            self.child.expect(pexpect.EOF, timeout=30)
        self.transcript.append(self.child.before)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + self.child.signalstatus

    @property
    def output(self) -> str:
        return "".join(self.transcript)


# The key presses below follow the questions of a frozen copy of resistant-end-user, put in the
# project's playbooks folder (which overrides the built-in), so content changes do not move them.
FROZEN_END_USER = Path(__file__).parent / "terminal" / "resistant-end-user.yaml"


def frozen_end_user(work: Path) -> None:
    write(work / "playbooks" / "resistant-end-user.yaml", FROZEN_END_USER.read_text(encoding="utf-8"))


def read_review(path: Path) -> dict:
    front, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return yaml.safe_load(front)


def test_a_full_review_by_key_presses(env: dict[str, str], work: Path) -> None:
    frozen_end_user(work)
    term = Terminal(["review", "resistant-end-user", "--deal", "Acme"], env, work)
    term.expect(r"Question 1 of about \d+")
    term.pick("How has the end user responded", downs=1)  # yes in meetings, then finds holes
    term.pick("How strong is the end user's fear", downs=2)  # strong
    term.pick("two-way conversation", downs=1)  # no
    term.pick("how many people care", downs=0)  # several, including someone senior
    term.pick("pushed a change through before", downs=0)  # yes, and it worked
    term.pick("could move the end user", downs=0)  # an executive
    term.pick("What kind of account", downs=1)  # one-off
    term.pick("What does the problem cost", downs=0)  # a lot
    term.type("Anything else the coach should know", "CFO said: *budget* is <fine> \U0001f44d")
    term.pick("Check your answers")  # Finish
    term.expect("Review written to reviews/acme/2026-11-25-resistant-end-user.md")
    assert term.finish() == 0

    review = work / "reviews" / "acme" / "2026-11-25-resistant-end-user.md"
    front = read_review(review)
    assert front["deal"] == "Acme"
    assert front["answers"]["resistance_shown"] == "fake_yes"
    assert front["answers"]["fear"] == "strong"
    assert front["answers"]["open_dialogue"] is False
    assert front["answers"]["notes"] == "CFO said: *budget* is <fine> \U0001f44d"
    assert front["recommendation"] == "go-around"
    assert "boss-finds-holes" in front["flags"]
    body = review.read_text(encoding="utf-8")
    assert r"CFO said: \*budget\* is &lt;fine&gt;" in body  # typed Markdown and HTML shown as typed
    assert "Question 9 of about" in term.output  # progress was shown
    # no session is left behind once the review is written
    assert not list((Path(env["DEALCOACH_STATE_DIR"]) / "sessions").glob("*.yaml"))


def test_help_text_and_i_dont_know_are_offered(env: dict[str, str], work: Path) -> None:
    frozen_end_user(work)
    term = Terminal(["review", "resistant-end-user", "--deal", "acme"], env, work)
    term.expect("A flat no is easier to work with")  # the question's help
    term.expect("I don't know")
    term.press(CTRL_C)
    assert term.finish() == 130


def test_ctrl_c_saves_progress_and_the_next_run_resumes(env: dict[str, str], work: Path) -> None:
    frozen_end_user(work)
    term = Terminal(["review", "resistant-end-user", "--deal", "acme"], env, work)
    term.pick("How has the end user responded", downs=3)  # not raised yet
    term.pick("How strong is the end user's fear", downs=0)  # mild
    term.expect("two-way conversation")
    term.press(CTRL_C)
    term.expect("saved in")
    assert term.finish() == 130

    sessions = list((Path(env["DEALCOACH_STATE_DIR"]) / "sessions").glob("*.yaml"))
    assert len(sessions) == 1
    saved = yaml.safe_load(sessions[0].read_text(encoding="utf-8"))
    assert saved["answers"] == {"resistance_shown": "not_asked", "fear": "mild"}
    assert not (work / "reviews").exists(), "nothing half-written"

    again = Terminal(["review", "resistant-end-user", "--deal", "acme"], env, work)
    again.pick("Continue where you stopped")  # default: yes
    again.expect("Question 3 of about")
    again.expect("two-way conversation")
    again.press(ENTER)
    for _ in range(6):
        again.expect(r"Question \d+ of about")
        again.press(ENTER)
    again.pick("Check your answers")
    again.expect("Review written to")
    assert again.finish() == 0
    front = read_review(work / "reviews" / "acme" / "2026-11-25-resistant-end-user.md")
    assert front["answers"]["resistance_shown"] == "not_asked"
    assert front["answers"]["fear"] == "mild"


def test_restart_ignores_the_saved_session(env: dict[str, str], work: Path) -> None:
    frozen_end_user(work)
    term = Terminal(["review", "resistant-end-user", "--deal", "acme"], env, work)
    term.pick("How has the end user responded", downs=3)
    term.expect("How strong")
    term.press(CTRL_C)
    assert term.finish() == 130

    again = Terminal(["review", "resistant-end-user", "--deal", "acme", "--restart"], env, work)
    again.expect("Question 1 of about")
    again.expect("How has the end user responded")
    assert "Continue where you stopped" not in again.output
    again.press(CTRL_C)
    assert again.finish() == 130


def test_closing_the_terminal_loses_no_answer(env: dict[str, str], work: Path) -> None:
    frozen_end_user(work)
    term = Terminal(["review", "resistant-end-user", "--deal", "acme"], env, work)
    term.pick("How has the end user responded", downs=0)
    term.pick("How strong is the end user's fear", downs=1)
    term.expect("two-way conversation")
    term.child.kill(signal.SIGHUP)
    term.finish()
    sessions = list((Path(env["DEALCOACH_STATE_DIR"]) / "sessions").glob("*.yaml"))
    saved = yaml.safe_load(sessions[0].read_text(encoding="utf-8"))
    assert saved["answers"] == {"resistance_shown": "said_no", "fear": "moderate"}


BACK_PLAYBOOK = MINIMAL.replace(
    "rules:",
    """  - id: note
    type: text
    prompt: Anything to add?
    help: Kept as written.
rules:""",
)


def test_going_back_to_change_an_answer_that_switches_a_when(env: dict[str, str], work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", BACK_PLAYBOOK)
    term = Terminal(["review", "mini", "--deal", "acme", "--yes"], env, work)
    term.pick("Are they ready", downs=1)  # No: "How big is it?" is skipped
    term.type("Anything to add", "<")  # back
    term.expect("Are they ready")  # the pointer starts on the earlier answer, No
    term.press(UP + ENTER)  # Yes now
    term.pick("How big is it", downs=0)  # newly relevant: Big
    term.type("Anything to add", "changed my mind")
    term.expect("Review written to")
    assert term.finish() == 0
    front = read_review(work / "reviews" / "acme" / "2026-11-25-mini.md")
    assert front["answers"] == {"ready": True, "size": "big", "note": "changed my mind"}
    assert front["recommendation"] == "push"


def test_summary_screen_edit_drops_and_adds_questions(env: dict[str, str], work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", BACK_PLAYBOOK)
    term = Terminal(["review", "mini", "--deal", "acme"], env, work)
    term.pick("Are they ready", downs=0)  # Yes
    term.pick("How big is it", downs=1)  # Small
    term.type("Anything to add", "")
    term.pick("Check your answers", downs=1)  # Change: Are they ready?
    term.pick("Are they ready", downs=1)  # the pointer starts on Yes; No: size no longer applies
    term.expect("Check your answers")
    term.expect("Finish")
    term.press(ENTER)
    term.expect("Review written to")
    assert term.finish() == 0
    front = read_review(work / "reviews" / "acme" / "2026-11-25-mini.md")
    assert front["answers"] == {"ready": False, "note": ""}
    assert front["recommendation"] == "wait"


def test_review_without_a_playbook_routes_through_triage(env: dict[str, str], work: Path) -> None:
    term = Terminal(["review", "--deal", "ridgeway"], env, work)
    term.pick("What is the hardest thing about this deal", downs=8)  # the partner and the customer are fighting
    term.expect("Is any of this also going on")
    term.press(" " + ENTER)  # tick the first one too: a new or deferring decision maker
    term.pick("Where does the deal stand", downs=0)  # still selling
    term.pick("taken over the decision", downs=1)  # no
    term.expect("This sounds like: The partner triangle")
    term.expect("Also applies: The resistant decision maker")
    term.pick("Which playbook", downs=0)  # continue with it
    term.expect("What kind of deal is this")  # the partner triangle asks the deal context first
    term.press(CTRL_C)
    assert term.finish() == 130
    sessions = [p.name for p in (Path(env["DEALCOACH_STATE_DIR"]) / "sessions").glob("*.yaml")]
    # Stopped before any of the playbook's questions was answered: there is nothing to resume, so
    # no session is left behind (the triage's own answers are not the playbook's).
    assert sessions == []


def test_a_session_resumes_after_the_playbook_changed(env: dict[str, str], work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", BACK_PLAYBOOK)
    sessions = Path(env["DEALCOACH_STATE_DIR"]) / "sessions"
    # Saved under an older version that had a 'colour' question and a 'size' choice since renamed.
    write(
        sessions / "acme--mini.yaml",
        """
        playbook: mini
        playbook_version: 0
        deal: acme
        updated: '2026-11-24T17:02:11'
        answers: {ready: true, colour: red, size: huge}
        """,
    )
    term = Terminal(["review", "mini", "--deal", "acme", "--resume", "--yes"], env, work)
    term.expect("no longer fit and are set aside: colour, size")
    term.pick("How big is it", downs=1)  # asked again: its saved answer is not a choice any more
    term.type("Anything to add", "")
    term.expect("Review written to")
    assert term.finish() == 0
    front = read_review(work / "reviews" / "acme" / "2026-11-25-mini.md")
    assert front["answers"] == {"ready": True, "size": "small", "note": ""}
    assert not (sessions / "acme--mini.yaml").exists()


def test_a_second_review_of_the_same_deal_offers_the_context_and_asks_only_what_changed(
    env: dict[str, str], work: Path
) -> None:
    from .helpers import ROOT

    write(work / "playbooks" / "quiet-buyer.yaml", (ROOT / "tests" / "includes" / "quiet-buyer.yaml").read_text())
    first = Terminal(["review", "quiet-buyer", "--deal", "Acme"], env, work)
    first.pick("What kind of deal is this", downs=2)  # a renewal
    first.pick("put at risk", downs=0)  # a major account
    first.pick("How are they buying", downs=0)  # direct
    first.pick("hard date", downs=0)  # theirs
    first.type("How many weeks away", "8")
    first.pick("who signs off the money", downs=0)  # met
    first.pick("selling this for you", downs=0)  # a champion who can reach the signer
    first.type("How many people on their side", "4")
    first.expect("What else could they do")
    first.press(" " + ENTER)  # tick: a competitor
    first.type("Which competitor", "Globex")
    first.expect("asking you to do something")
    first.press(ENTER)  # nothing ticked
    first.pick("in your forecast", downs=1)  # best case
    first.expect("pressure is there on our side")
    first.press(ENTER)
    first.pick("limit what you can do", downs=1)  # no
    first.type("your main contact", "Dana")
    first.type("the person who decides", "")
    first.type("the main end user", "")
    first.pick("still answer your calls", downs=0)  # yes
    first.pick("Check your answers")  # Finish
    first.expect("Review written to")
    assert first.finish() == 0
    saved = yaml.safe_load((work / "reviews" / "acme" / "deal-context.yaml").read_text(encoding="utf-8"))
    assert saved["answers"]["hard_date_weeks"] == 8
    assert saved["answers"]["competitor_name"] == "Globex"
    assert "still_answers" not in saved["answers"], "only the deal context is kept per deal"

    second = Terminal(["review", "quiet-buyer", "--deal", "Acme"], env, work)
    second.expect("What you said about Acme last time")
    second.expect("How many weeks away is that date\\? 8 weeks")
    second.pick("Is this still true", downs=1)  # some of it changed: pick what
    second.expect("Which of these changed")
    second.press(DOWN * 4 + " " + ENTER)  # the fifth: the weeks to the hard date
    second.expect("How many weeks away is that date")  # asked again, the saved 8 offered
    second.press("\x7f3" + ENTER)
    second.pick("still answer your calls", downs=0)  # the playbook's own question
    second.pick("Check your answers")
    second.expect("Review written to reviews/acme/2026-11-25-quiet-buyer-2.md")
    assert second.finish() == 0

    after = second.output.split("Is this still true", 1)[1]
    asked = after[after.index("Question ") :].split("Check your answers", 1)[0]
    assert len(re.findall(r"Question \d+ of about", asked)) == 2, asked  # the change and the playbook's own
    assert "What kind of deal is this" not in asked
    front = read_review(work / "reviews" / "acme" / "2026-11-25-quiet-buyer-2.md")
    assert front["answers"]["hard_date_weeks"] == 3
    assert front["answers"]["deal_kind"] == "renewal"  # kept, and in the review as an ordinary answer
    assert front["answers"]["contact_name"] == "Dana"
    saved = yaml.safe_load((work / "reviews" / "acme" / "deal-context.yaml").read_text(encoding="utf-8"))
    assert saved["answers"]["hard_date_weeks"] == 3
    assert saved["review"] == "2026-11-25-quiet-buyer-2.md"


def test_a_second_terminal_on_the_same_deal_is_noticed_not_overwritten(env: dict[str, str], work: Path) -> None:
    frozen_end_user(work)
    first = Terminal(["review", "resistant-end-user", "--deal", "acme"], env, work)
    first.pick("How has the end user responded", downs=0)
    first.expect("How strong is the end user's fear")
    second = Terminal(["review", "resistant-end-user", "--deal", "acme", "--restart"], env, work)
    second.pick("How has the end user responded", downs=3)
    second.expect("How strong is the end user's fear")
    # The first terminal answers again: the autosave is the second one's now, so it must not
    # overwrite it, and must say that its answers are no longer saved.
    first.press(ENTER)
    first.expect("Another dealcoach")
    first.expect("two-way conversation")
    first.press(CTRL_C)
    first.expect("Stopped")
    assert first.finish() == 130
    assert "saved in" not in first.output
    assert "not saved" in first.output
    sessions = list((Path(env["DEALCOACH_STATE_DIR"]) / "sessions").glob("*.yaml"))
    assert yaml.safe_load(sessions[0].read_text(encoding="utf-8"))["answers"] == {"resistance_shown": "not_asked"}
    second.press(CTRL_C)
    second.expect("saved in")
    assert second.finish() == 130


def test_how_do_you_know_follows_a_verified_answer_and_opens_the_review_with_check_first(
    env: dict[str, str], work: Path
) -> None:
    from .test_decisions import DEAL

    write(work / "playbooks" / "deal.yaml", DEAL)
    term = Terminal(["review", "deal", "--deal", "Acme"], env, work)
    term.pick("How firm is the end user", downs=0)  # firm
    term.pick("How do you know", downs=1)  # someone told me
    term.pick("Who could move the end user", downs=0)  # an executive
    term.pick("What is at stake", downs=0)  # major
    term.pick("How is it sold", downs=0)  # direct
    term.pick("Did the buyer say so", downs=0)
    term.pick("Did the numbers show it", downs=0)
    term.type("Your contact's name", "Dana")
    term.pick("Check your answers")  # Finish
    term.expect("Review written to")
    assert term.finish() == 0
    review = work / "reviews" / "acme" / "2026-11-25-deal.md"
    assert read_review(review)["answers"]["resistance_source"] == "secondhand"
    body = review.read_text(encoding="utf-8")
    assert "## Check first\n\n- The end user will not move: you have this second-hand" in body
    assert "1. Ask Dana who else cares." in body

    again = Terminal(["review", "deal", "--deal", "Beta"], env, work)
    again.pick("How firm is the end user", downs=2)  # I don't know
    again.expect("Who could move the end user")  # no "How do you know?" about an unknown answer
    assert "How do you know" not in again.output
    again.press(CTRL_C)
    assert again.finish() == 130


def test_next_steps_become_actions_and_the_next_review_asks_what_came_of_them(env: dict[str, str], work: Path) -> None:
    from .helpers import STEPS

    write(work / "playbooks" / "steps.yaml", STEPS)
    first = Terminal(["review", "steps", "--deal", "Acme", "--yes"], env, work)
    first.pick("Are they ready", downs=0)  # yes
    first.pick("Is there budget", downs=0)  # yes
    first.pick("How big is it", downs=0)  # big
    first.expect("Review written to reviews/acme/2026-11-25-steps.md")
    first.expect("Which of these next steps will you do")
    first.press(" " + DOWN + " " + ENTER)  # both
    first.type("Who owns it", "Sam")
    first.type("Due by", "next week")  # not a date: refused, asked again
    first.expect("a date is YYYY-MM-DD")
    first.press("\x7f" * 9 + "2026-11-20" + ENTER)  # already past: overdue at the next review
    first.type("Who owns it", "")
    first.type("Due by", "")
    first.expect("2 action\\(s\\) added to reviews/acme/actions.md")
    assert first.finish() == 0
    actions = (work / "reviews" / "acme" / "actions.md").read_text(encoding="utf-8").splitlines()
    assert actions[0] == "# Actions: Acme"
    assert actions[2].startswith("- [ ] Book the decision meeting. — owner: Sam; due: 2026-11-20; strategy: push")
    assert actions[3].startswith("- [ ] Send the summary to the sponsor. — strategy: push; playbook: steps")

    env = {**env, "DEALCOACH_TODAY": "2026-12-02"}
    second = Terminal(["review", "steps", "--deal", "Acme", "--yes"], env, work)
    second.expect("Last time you said you would do 2 thing\\(s\\) for Acme")
    second.expect("Book the decision meeting. \\(due 2026-11-20\\)")
    second.pick("Did this happen", downs=0)  # done
    second.type("What came of it", "They asked for a pilot first")
    second.expect("Send the summary to the sponsor")
    second.pick("Did this happen", downs=1)  # not yet
    second.pick("Are they ready", downs=1)  # no
    second.pick("Is there budget", downs=1)  # no
    second.pick("How big is it", downs=1)  # small
    second.expect("Review written to reviews/acme/2026-12-02-steps.md")
    second.expect("Which of these next steps will you do")
    second.press(ENTER)  # none this time
    second.expect("No actions taken on")
    assert second.finish() == 0

    front = read_review(work / "reviews" / "acme" / "2026-12-02-steps.md")
    assert front["follow_up"] == [
        {"action": "Book the decision meeting.", "status": "done", "result": "They asked for a pilot first",
         "strategy": "push"},
        {"action": "Send the summary to the sponsor.", "status": "open", "strategy": "push"},
    ]  # fmt: skip
    body = (work / "reviews" / "acme" / "2026-12-02-steps.md").read_text(encoding="utf-8")
    assert "## Since the last review" in body
    assert "- **done**: Book the decision meeting. What came of it: They asked for a pilot first" in body
    actions = (work / "reviews" / "acme" / "actions.md").read_text(encoding="utf-8").splitlines()
    assert actions[2].startswith("- [x] Book the decision meeting. — owner: Sam")
    assert actions[2].endswith("; result: They asked for a pilot first")
    assert actions[3].startswith("- [ ] Send the summary")


def test_stopping_during_the_follow_up_changes_no_action(env: dict[str, str], work: Path) -> None:
    from .helpers import STEPS

    write(work / "playbooks" / "steps.yaml", STEPS)
    write(work / "reviews" / "acme" / "actions.md", "# Actions: Acme\n\n- [ ] Book the meeting. — owner: Sam\n")
    before = (work / "reviews" / "acme" / "actions.md").read_text(encoding="utf-8")
    term = Terminal(["review", "steps", "--deal", "Acme"], env, work)
    term.pick("Did this happen", downs=0)
    term.expect("What came of it")
    term.press(CTRL_C)
    assert term.finish() == 130
    assert (work / "reviews" / "acme" / "actions.md").read_text(encoding="utf-8") == before


def test_a_lost_deal_offers_the_post_mortem_with_the_deal_context_filled_in(env: dict[str, str], work: Path) -> None:
    from .helpers import ROOT

    # The post-mortem includes the deal context, so what is known of the deal is offered.
    write(
        work / "reviews" / "acme-logistics" / "2026-11-01-resistant-end-user.md",
        (ROOT / "examples" / "reviews" / "resistant-end-user.md").read_text(encoding="utf-8"),
    )
    write(
        work / "reviews" / "acme-logistics" / "deal-context.yaml",
        "deal: Acme Logistics\nupdated: '2026-11-01'\nreview: 2026-11-01-resistant-end-user.md\n"
        "answers: {deal_kind: renewal, account_at_stake: major, competitor_name: Globex}\n",
    )  # fmt: skip
    term = Terminal(["outcome", "Acme Logistics", "lost", "--note", "Went with Globex"], env, work)
    term.expect("Outcome recorded in reviews/acme-logistics/outcome.yaml: lost on 2026-11-25")
    term.expect("Start the lost-deal post-mortem now")
    term.press(ENTER)  # yes
    term.expect("What you said about Acme Logistics last time")
    term.expect("Globex")
    term.pick("Is this still true", downs=0)
    term.expect("How are they buying")  # the deal context not known yet, then the post-mortem
    term.press(CTRL_C)
    assert term.finish() == 130
    saved = yaml.safe_load((work / "reviews" / "acme-logistics" / "outcome.yaml").read_text(encoding="utf-8"))
    assert saved["outcomes"] == [{"outcome": "lost", "date": "2026-11-25", "note": "Went with Globex"}]
