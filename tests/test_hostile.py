"""Defects found by a hostile run (wrong exits and messages, silent drops, file modes, workers).

Each test reproduces one way a user or a damaged file broke dealcoach, through the real command.
The damaged files themselves live in tests/broken/ with their exact messages.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import EXAMPLES, MINIMAL, write

POSTMORTEM = str(EXAMPLES / "answers" / "lost-deal-postmortem.yaml")


# -- numbers: nan, infinity, fractions of a count, percentages --------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_number_answer_that_is_not_finite_is_refused(dealcoach, value: str) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--set", f"deferrals={value}", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == f"--set: answer to 'deferrals': {value!r} is not a finite number"
    assert ran.out == ""


def test_a_count_must_be_whole_and_a_percentage_may_carry_its_sign(dealcoach) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--set", "deferrals=3.5", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == "--set: answer to 'deferrals': '3.5' must be a whole number (this question counts)"
    ran = dealcoach("review", "--answers", POSTMORTEM, "--set", "budget_share=inf%", "--output", "-")
    assert ran.err.strip() == "--set: answer to 'budget_share': 'inf%' is not a finite number"
    ran = dealcoach("review", "--answers", POSTMORTEM, "--set", "budget_share=7.5%", "--output", "-")
    assert ran.code == 0, ran.err
    assert yaml.safe_load(ran.out.split("---\n")[1])["answers"]["budget_share"] == 7.5


def test_a_blank_deal_name_is_refused(dealcoach) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--deal", "   ", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == "error: --deal is blank; give the deal's name"
    ran = dealcoach("review", "--answers", POSTMORTEM, "--deal", "  Harbour   CU ", "--output", "-")
    assert "# " in ran.out and "Harbour CU" in ran.out


# -- --defaults -----------------------------------------------------------------------------


def test_review_defaults_asks_nothing_and_takes_each_default(dealcoach, work: Path) -> None:
    text = MINIMAL.replace(
        "    unknown: allowed\n    gap: Ask whether", "    default: true\n    unknown: allowed\n    gap: Ask whether"
    )
    write(work / "playbooks" / "mini.yaml", text)
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "--output", "-")
    assert ran.code == 0, ran.err
    front = yaml.safe_load(ran.out.split("---\n")[1])
    assert front["answers"] == {"ready": True, "size": None}
    assert "note: no default (counted as I don't know): size" in ran.err
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "--set", "size=big", "--output", "-")
    assert yaml.safe_load(ran.out.split("---\n")[1])["answers"] == {"ready": True, "size": "big"}
    # --set to a question the other answers skip is said, not silently dropped
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "-s", "ready=no", "-s", "size=big", "-o", "-")
    assert ran.code == 0
    assert "note: --set not used, the other answers skip these questions: size" in ran.err
    assert "size" not in yaml.safe_load(ran.out.split("---\n")[1])["answers"]


def test_set_to_a_skipped_question_is_noted_with_an_answers_file(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "a.yaml", "playbook: mini\ndeal: Acme\nanswers: {ready: false}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--set", "size=big", "--output", "-")
    assert ran.code == 0
    assert "note: --set not used, the other answers skip these questions: size" in ran.err


# -- messages -------------------------------------------------------------------------------


def test_answers_are_shown_as_written_not_as_python_prints_them(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "a.yaml", "playbook: mini\ndeal: Acme\nanswers: {ready: true, size: yes}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--output", "-")
    assert ran.code == 2
    assert ran.err.strip() == "a.yaml:3:30: answer to 'size': yes is not one of the choices: big, small"


def test_an_expression_that_fails_while_a_review_is_scored_names_its_file_and_line(dealcoach, work: Path) -> None:
    # Passes validate (its probes, 0 and the bounds, do not hit 3), fails for one answer: say where.
    count = "  - {id: count, type: number, prompt: How many?, min: 0, max: 10}\nrules:"
    text = MINIMAL.replace("rules:", count).replace(
        "    when: ready and size == 'small'", "    when: ready and 10 / (count - 3) > 1"
    )
    write(work / "playbooks" / "mini.yaml", text)
    assert dealcoach("playbooks", "validate", "playbooks").code == 0
    ran = dealcoach("review", "mini", "--deal", "Acme", "--defaults", "-s", "ready=yes", "-s", "count=3", "-o", "-")
    assert ran.code == 2
    assert "/playbooks/mini.yaml:26:1: the expression" in ran.err
    assert ran.err.strip().endswith("failed: division by zero")


# -- rescore: silent drops ------------------------------------------------------------------


def test_rescore_says_which_answers_no_longer_fit(dealcoach, work: Path) -> None:
    assert dealcoach("review", "--answers", POSTMORTEM).code == 0
    review = work / "reviews" / "harbour-credit-union" / "2026-11-25-lost-deal-postmortem.md"
    # as if the choice had been renamed in the playbook since
    review.write_text(review.read_text(encoding="utf-8").replace("sponsor_engaged: once", "sponsor_engaged: twice"))
    ran = dealcoach("rescore")
    assert ran.code == 0, ran.err
    assert (
        "note: reviews/harbour-credit-union/2026-11-25-lost-deal-postmortem.md: counted as I don't know, "
        "no longer fits the playbook: answer to 'sponsor_engaged': 'twice' is not one of the choices"
    ) in ran.err


def test_rescore_skips_a_review_answered_with_a_newer_playbook(dealcoach, work: Path) -> None:
    assert dealcoach("review", "--answers", POSTMORTEM).code == 0
    review = work / "reviews" / "harbour-credit-union" / "2026-11-25-lost-deal-postmortem.md"
    review.write_text(review.read_text(encoding="utf-8").replace("playbook_version: 1", "playbook_version: 7"))
    ran = dealcoach("rescore")
    assert ran.code == 0
    assert (
        "skipped: reviews/harbour-credit-union/2026-11-25-lost-deal-postmortem.md: answered with version 7 of "
        "'lost-deal-postmortem', newer than the version 1 here; update the playbooks first"
    ) in ran.err
    assert "0 review(s) re-scored" in ran.err


# -- files: what cannot be written, and with which mode ---------------------------------------


def test_a_reviews_folder_that_cannot_be_written_is_named_with_the_reason(dealcoach, work: Path) -> None:
    (work / "reviews").write_text("not a folder")  # what a read-only folder does, even for root
    ran = dealcoach("review", "--answers", POSTMORTEM)
    assert ran.code == 2
    assert ran.err.strip().splitlines()[-1] == (
        "error: cannot write reviews/harbour-credit-union/2026-11-25-lost-deal-postmortem.md: Not a directory"
    )


def test_a_file_name_too_long_is_said_not_a_bug(dealcoach) -> None:
    ran = dealcoach("review", "--answers", POSTMORTEM, "--output", "x" * 300 + ".md")
    assert ran.code == 2
    assert ran.err.strip().endswith("File name too long")


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_are_written_with_the_umask(env: dict[str, str], work: Path, umask: int, mode: int) -> None:
    def run(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "dealcoach", *args],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
            preexec_fn=lambda: os.umask(umask),
        )

    run("review", "--answers", POSTMORTEM)
    review = work / "reviews" / "harbour-credit-union" / "2026-11-25-lost-deal-postmortem.md"
    assert stat.S_IMODE(review.stat().st_mode) == mode
    run("init")
    assert stat.S_IMODE((work / "README.md").stat().st_mode) == mode


def test_a_replaced_file_keeps_its_mode(dealcoach, work: Path) -> None:
    out = work / "review.md"
    out.write_text("old")
    out.chmod(0o640)
    assert dealcoach("review", "--answers", POSTMORTEM, "--output", "review.md", "--force").code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    readme = work / "README.md"
    readme.write_text("# Team\n")
    readme.chmod(0o600)
    assert dealcoach("init").code == 0
    assert "dealcoach" in readme.read_text(encoding="utf-8")
    assert stat.S_IMODE(readme.stat().st_mode) == 0o600


# -- worker processes -----------------------------------------------------------------------


def test_workers_are_not_forked_and_fit_the_cpus_this_process_may_use(work: Path) -> None:
    code = """
import os, multiprocessing
from dealcoach import parallel
print(parallel.start_method())
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(parallel.usable_cpus())
else:
    print(1)
"""
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=work)
    method, cpus = ran.stdout.split()
    assert method in ("forkserver", "spawn")
    assert cpus == "1"


def test_a_large_validate_runs_in_worker_processes_and_keeps_file_order(dealcoach, work: Path) -> None:
    for n in range(80):
        write(work / "many" / f"p{n:03d}.yaml", MINIMAL.replace("id: mini", f"id: p{n:03d}"))
    write(work / "many" / "p040.yaml", MINIMAL.replace("id: mini", "id: p040").replace("version: 1", "version: x"))
    ran = dealcoach("playbooks", "validate", "many", extra_env={"PYTHONWARNINGS": "error::DeprecationWarning"})
    assert ran.code == 2
    assert ran.out.splitlines() == ["many/p040.yaml:2:10: 'version' must be a whole number, not the string 'x'"]
    assert "80 playbook(s) checked, 1 problem(s)" in ran.err


# -- playbooks diff -------------------------------------------------------------------------


def git(work: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Team", "-c", "user.email=team@example.com", *args],
        cwd=work,
        check=True,
        capture_output=True,
    )


def test_diff_of_a_team_playbook_compares_with_its_committed_version(dealcoach, work: Path) -> None:
    path = write(work / "playbooks" / "mini.yaml", MINIMAL)
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "mini")
    write(path, MINIMAL.replace("prompt: Are they ready?", "prompt: Are they ready now?"))
    ran = dealcoach("playbooks", "diff", "playbooks/mini.yaml")
    assert ran.code == 1
    assert ran.out.splitlines() == ["~ question ready: re-worded: 'Are they ready?' -> 'Are they ready now?'"]
    assert "as committed in git" in ran.err


def test_diff_of_a_file_with_nothing_to_compare_with_says_so(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    ran = dealcoach("playbooks", "diff", "playbooks/mini.yaml")
    assert ran.code == 0
    assert ran.out == ""  # not "No changes": there is nothing it was compared with
    assert "a new playbook: it overrides no other and git has no committed version of it" in ran.err


def test_diff_reports_changed_wording_as_well_as_scoring(dealcoach, work: Path) -> None:
    old = write(work / "old" / "mini.yaml", MINIMAL)
    changed = (
        MINIMAL.replace("label: Big,", "label: Large,")
        .replace("help: ", "help: ")
        .replace("gap: Ask whether they are ready.", "gap: Ask them.")
        .replace("why: Wait because it is early.", "why: It is early.")
        .replace('text: "Ready but small: {{ size }}"', 'text: "Small: {{ size }}"')
        .replace("title: Mini", "title: Mini playbook")
    )
    new = write(work / "new" / "mini.yaml", changed)
    ran = dealcoach("playbooks", "diff", str(old), str(new))
    assert ran.code == 1
    assert ran.out.splitlines() == [
        "~ question ready: gap changed: 'Ask whether they are ready.' -> 'Ask them.'",
        "~ question size: label of big changed: 'Big' -> 'Large'",
        "~ strategy wait: why changed: 'Wait because it is early.' -> 'It is early.'",
        "~ rule small-and-ready: flag changed: ('medium', 'Ready but small: {{ size }}') -> "
        "('medium', 'Small: {{ size }}')",
        "~ playbook: title changed: 'Mini' -> 'Mini playbook'",
    ]


def test_a_large_file_without_aliases_is_not_blamed_on_aliases(dealcoach, work: Path) -> None:
    items = ",".join("1" for _ in range(100_500))  # 200 kB: under the size limit, over the value limit
    write(work / "a.yaml", f"playbook: lost-deal-postmortem\ndeal: Acme\nnotes: [{items}]\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--output", "-")
    assert ran.code == 2
    assert "aliases" not in ran.err
    assert ran.err.strip().endswith("holds more than 100000 values; split it or trim it")


def test_front_matter_too_long_is_not_said_never_to_end(dealcoach, work: Path) -> None:
    assert dealcoach("review", "--answers", POSTMORTEM).code == 0
    review = work / "reviews" / "harbour-credit-union" / "2026-11-25-lost-deal-postmortem.md"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("answers:\n", "padding: '" + "x" * 300_000 + "'\nanswers:\n", 1))
    ran = dealcoach("deals")
    assert "never ends" not in ran.err
    assert "front matter is larger than 256 kB" in ran.err


def test_an_answers_file_from_a_newer_playbook_version_is_noted(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "a.yaml", "playbook: mini\nplaybook_version: 3\ndeal: Acme\nanswers: {ready: true}\n")
    ran = dealcoach("review", "--answers", "a.yaml", "--output", "-")
    assert ran.code == 0
    assert (
        "note: a.yaml: answered with version 3 of 'mini', newer than the version 1 here; "
        "update the playbooks to score it as it was meant"
    ) in ran.err
