"""Interactive defects found by a hostile run, driven through the real process in a pseudo-terminal:
nan typed at a number prompt, Ctrl-D, a state folder that cannot be written, Back or I don't know
ticked with real choices, a 60-column terminal and TERM=dumb."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import MINIMAL, write
from .test_terminal import DOWN, ENTER, Terminal, read_review

pexpect = pytest.importorskip("pexpect")
if sys.platform == "win32":  # pragma: no cover
    pytest.skip("pseudo-terminals need a POSIX system", allow_module_level=True)

CTRL_D = "\x04"
SPACE = " "
BACKSPACE = "\x7f"
LONG_PROMPT = "Did a restructuring change who would decide, part way through the deal, and did anyone tell you?"

PLAYBOOK = MINIMAL.replace(
    "rules:",
    f"""  - id: deferrals
    type: number
    prompt: How many times did they defer?
    help: |
      One is a calendar problem.
      Three is an answer.
    min: 0
    max: 30
    whole: true
  - id: signs
    type: multi
    prompt: Which signs did you see?
    unknown: allowed
    gap: Ask the team what they saw.
    choices:
      - {{value: silence, label: Silence}}
      - {{value: delay, label: Delay}}
  - id: restructured
    type: yesno
    prompt: {LONG_PROMPT}
  - id: note
    type: text
    prompt: Anything to add?
rules:""",
)


class Narrow(Terminal):
    """A Terminal with its own size and TERM."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, columns: int = 120, term: str = "xterm"):
        env = {k: v for k, v in env.items() if k not in ("CI", "COLUMNS")}
        env["TERM"] = term
        env["PROMPT_TOOLKIT_NO_CPR"] = "1"
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "dealcoach", *args],
            env=env,
            cwd=str(cwd),
            encoding="utf-8",
            dimensions=(50, columns),
            timeout=20,
        )
        self.transcript = []


def plain_text(output: str) -> str:
    """What the screen shows, roughly: escape sequences and carriage returns removed."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output).replace("\r", "")


@pytest.fixture
def playbook(work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", PLAYBOOK)


def answer_up_to_deferrals(term: Terminal) -> None:
    term.pick("Are they ready", downs=0)  # yes
    term.pick("How big is it", downs=0)  # big
    term.expect("How many times did they defer")


@pytest.mark.usefixtures("playbook")
def test_nan_typed_at_a_number_prompt_is_refused_in_place(env: dict[str, str], work: Path) -> None:
    term = Narrow(["review", "mini", "--deal", "acme", "--yes"], env, work)
    answer_up_to_deferrals(term)
    term.press("nan" + ENTER)
    term.expect("'nan' is not a finite number")
    term.press(BACKSPACE * 3 + "2.5" + ENTER)
    term.expect("this question counts")
    term.press(BACKSPACE * 3 + "2" + ENTER)
    term.pick("Which signs", downs=0)
    term.pick("restructuring change", downs=1)
    term.type("Anything to add", "")
    term.expect("Review written to")
    assert term.finish() == 0
    assert "Traceback" not in term.output
    assert read_review(work / "reviews" / "acme" / "2026-11-25-mini.md")["answers"]["deferrals"] == 2


@pytest.mark.usefixtures("playbook")
def test_ctrl_d_in_a_text_question_stops_like_ctrl_c(env: dict[str, str], work: Path) -> None:
    term = Narrow(["review", "mini", "--deal", "acme"], env, work)
    answer_up_to_deferrals(term)
    term.press("3" + ENTER)
    term.pick("Which signs", downs=0)
    term.pick("restructuring change", downs=1)
    term.expect("Anything to add")
    term.press(CTRL_D)
    term.expect("Your answers are saved in")
    assert term.finish() == 130
    assert "Aborted" not in term.output


@pytest.mark.usefixtures("playbook")
def test_a_state_folder_that_cannot_be_written_warns_and_the_review_goes_on(
    env: dict[str, str], work: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "state-is-a-file"
    blocked.write_text("")
    term = Narrow(["review", "mini", "--deal", "acme", "--yes"], {**env, "DEALCOACH_STATE_DIR": str(blocked)}, work)
    term.pick("Are they ready", downs=0)
    term.expect("answers are not saved as you go")
    term.pick("How big is it", downs=0)
    term.type("How many times did they defer", "1")
    term.pick("Which signs", downs=0)
    term.pick("restructuring change", downs=1)
    term.type("Anything to add", "")
    term.expect("Review written to")
    assert term.finish() == 0
    assert term.output.count("answers are not saved as you go") == 1
    assert "internal error" not in term.output


@pytest.mark.usefixtures("playbook")
def test_back_or_i_dont_know_cannot_be_ticked_with_real_choices(env: dict[str, str], work: Path) -> None:
    term = Narrow(["review", "mini", "--deal", "acme", "--yes"], env, work)
    answer_up_to_deferrals(term)
    term.press("1" + ENTER)
    term.expect("Which signs")
    term.press(SPACE + DOWN * 2 + SPACE + ENTER)  # Silence and I don't know
    term.expect("untick the other choices")
    term.expect("Which signs")  # asked again with Silence still ticked
    term.press(ENTER)
    term.pick("restructuring change", downs=1)
    term.type("Anything to add", "")
    term.expect("Review written to")
    assert term.finish() == 0
    assert read_review(work / "reviews" / "acme" / "2026-11-25-mini.md")["answers"]["signs"] == ["silence"]


@pytest.mark.usefixtures("playbook")
def test_a_60_column_terminal_breaks_prompts_between_words_and_shows_every_answer(
    env: dict[str, str], work: Path
) -> None:
    term = Narrow(["review", "mini", "--deal", "acme"], env, work, columns=60)
    answer_up_to_deferrals(term)
    term.press("4" + ENTER)
    term.pick("Which signs", downs=0)
    term.expect("restructuring")
    term.expect("tell you")
    term.press(DOWN + ENTER)  # no
    term.type("Anything to add", "")
    term.expect("Check your answers")
    term.expect("Finish")
    term.settle()
    screen = plain_text(term.output)
    words = set(re.findall(r"[A-Za-z]+", screen))
    for word in re.findall(r"[A-Za-z]+", LONG_PROMPT):
        assert word in words, f"{word!r} was broken across lines"
    for shown in ("[Yes]", "[Big]", "[4]", "[No]"):
        assert shown in screen, f"the summary hides {shown}"
    term.press(ENTER)
    term.expect("Review written to")
    assert term.finish() == 0


@pytest.mark.usefixtures("playbook")
def test_a_dumb_terminal_is_asked_line_by_line_without_escape_codes(env: dict[str, str], work: Path) -> None:
    term = Narrow(["review", "mini", "--deal", "acme", "--no-color"], env, work, term="dumb")
    term.type("Are they ready", "1")  # 1) Yes
    term.type("How big is it", "7")  # out of range: asked again
    term.expect("Type a number from 1 to 3")
    term.press("1" + ENTER)  # Big
    term.type("How many times did they defer", "nan")
    term.expect("not a finite number")
    term.press("2" + ENTER)
    term.type("Which signs", "1,3")  # Silence and I don't know
    term.expect("untick the other choices")
    term.press("1,2" + ENTER)
    term.type("restructuring change", "2")  # No
    term.type("Anything to add", "fine")
    term.type("Check your answers", "")  # 1) Finish
    term.expect("Review written to")
    assert term.finish() == 0
    assert "\x1b" not in term.output
    assert "One is a calendar problem.\r\nThree is an answer." in term.output  # its own line breaks kept
    answers = read_review(work / "reviews" / "acme" / "2026-11-25-mini.md")["answers"]
    assert answers == {
        "ready": True,
        "size": "big",
        "deferrals": 2,
        "signs": ["silence", "delay"],
        "restructured": False,
        "note": "fine",
    }


@pytest.mark.usefixtures("playbook")
def test_set_to_a_question_the_answers_skip_is_noted_interactively(env: dict[str, str], work: Path) -> None:
    term = Narrow(["review", "mini", "--deal", "acme", "--yes", "--set", "size=big"], env, work, term="dumb")
    term.type("Are they ready", "2")  # No: "How big is it?" is skipped
    term.type("How many times did they defer", "1")
    term.type("Which signs", "1")
    term.type("restructuring change", "2")
    term.type("Anything to add", "")
    term.expect("note: --set not used, the other answers skip these questions: size")
    term.expect("Review written to")
    assert term.finish() == 0


def test_a_dumb_terminal_picks_what_changed_in_the_deal_context_by_number(
    env: dict[str, str], work: Path, dealcoach
) -> None:
    from .helpers import ROOT

    write(work / "playbooks" / "quiet-buyer.yaml", (ROOT / "tests" / "includes" / "quiet-buyer.yaml").read_text())
    write(
        work / "first.yaml",
        """
        playbook: quiet-buyer
        deal: Acme
        answers: {deal_kind: renewal, account_at_stake: major, hard_date: none, contact_name: Dana}
        """,
    )
    assert dealcoach("review", "--answers", "first.yaml").code == 0
    term = Narrow(["review", "quiet-buyer", "--deal", "Acme", "--no-color"], env, work, term="dumb")
    term.expect("What you said about Acme last time")
    term.type("Is this still true", "2")  # some of it changed
    term.type("Which of these changed", "1,9")  # no ninth: asked again
    term.expect("Type numbers separated by commas")
    term.press("1" + ENTER)  # the kind of deal
    term.type("What kind of deal is this", "1")  # a new customer now
    term.expect("Question ")
    term.press(CTRL_D)
    assert term.finish() == 130
    assert "\x1b" not in term.output
    (saved,) = (Path(env["DEALCOACH_STATE_DIR"]) / "sessions").glob("*.yaml")
    answers = yaml.safe_load(saved.read_text(encoding="utf-8"))["answers"]
    assert answers["deal_kind"] == "new_customer" and answers["contact_name"] == "Dana"
