"""Conventions shared with other command-line tools: `-` for stdin and stdout, root options that
work anywhere on the line, colour switches, --help placeholders and choices, progress on terminals.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES, PLAYBOOKS, write

ANSWERS = EXAMPLES / "answers" / "resistant-end-user.yaml"
ESC = "\x1b["


def test_answers_from_stdin_give_the_same_review_as_the_file(dealcoach) -> None:
    from_file = dealcoach("review", "--answers", str(ANSWERS), "--output", "-")
    from_stdin = dealcoach("review", "--answers", "-", "--output", "-", stdin=ANSWERS.read_text(encoding="utf-8"))
    assert from_stdin.code == 0, from_stdin.err
    assert from_stdin.out == from_file.out


def test_bad_answers_on_stdin_are_located_at_stdin(dealcoach) -> None:
    ran = dealcoach("review", "--answers", "-", "-o", "-", stdin="playbook: nope\n")
    assert ran.code == 2
    assert ran.err.startswith("<stdin>:1:11: no playbook 'nope'")


def test_validate_reads_an_unsaved_buffer_from_stdin(dealcoach) -> None:
    good = dealcoach("playbooks", "validate", "-", stdin=(PLAYBOOKS / "triage.yaml").read_text(encoding="utf-8"))
    assert good.code == 0, good.out + good.err
    bad = dealcoach("playbooks", "validate", "-", "--stdin-name", "playbooks/x.yaml", stdin="id: x\nversion: 1\n")
    assert bad.code == 2
    assert bad.out.splitlines()[0] == "playbooks/x.yaml:1:1: this playbook is missing the required key 'title'"
    mixed = dealcoach("playbooks", "validate", "-", str(PLAYBOOKS), stdin="")
    assert mixed.code == 2 and "check it on its own" in mixed.err


def test_validate_formats_for_ci(dealcoach, work: Path) -> None:
    broken = write(work / "playbooks" / "x.yaml", "id: x\nversion: 1\ntitle: 'a, b: c'\n")
    github = dealcoach("playbooks", "validate", str(broken), "--format", "github")
    assert github.code == 2
    first = github.out.splitlines()[0]
    assert first.startswith(f"::error file={broken},line=1,col=1,title=dealcoach playbooks validate::")
    assert "missing the required key 'summary'" in first
    as_json = json.loads(dealcoach("playbooks", "validate", str(broken), "--format", "json").out)
    assert as_json["files"] == 1 and as_json["problems"][0]["line"] == 1


def test_insights_output_dash_is_stdout_not_a_file(dealcoach, work: Path) -> None:
    ran = dealcoach("insights", str(EXAMPLES / "reviews"), "--output", "-")
    assert ran.code == 0, ran.err
    assert ran.out.startswith("#")
    assert not (work / "-").exists()


def test_root_options_work_before_and_after_the_command(dealcoach, work: Path) -> None:
    loud = dealcoach("review", "--answers", str(ANSWERS))
    assert "Review written to" in loud.err
    for args in (
        ["--quiet", "review", "--answers", str(ANSWERS), "--force"],
        ["review", "-q", "--answers", str(ANSWERS), "--force"],
    ):
        quiet = dealcoach(*args)
        assert quiet.code == 0 and quiet.err == "", quiet.err
    verbose = dealcoach("playbooks", "list", "--verbose")
    assert "settings: none found" in verbose.err
    assert "playbook triage: built-in:" in verbose.err
    both = dealcoach("-q", "-v", "playbooks", "list")
    assert both.code == 2 and "contradict" in both.err


def test_group_options_after_the_subcommand(dealcoach) -> None:
    reviews = str(EXAMPLES / "reviews")
    before = dealcoach("deals", "--reviews", reviews, "show", "Harbour Credit Union")
    after = dealcoach("deals", "show", "Harbour Credit Union", "--reviews", reviews)
    assert after.code == 0, after.err
    assert after.out == before.out


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (["--color", "always"], {}, True),
        (["--color=always"], {"NO_COLOR": "1"}, True),  # the option is explicit; it wins
        (["--color", "never"], {"FORCE_COLOR": "1", "NO_COLOR": ""}, False),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": ""}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins over FORCE_COLOR
        ([], {"NO_COLOR": ""}, False),  # auto, and stdout is a pipe
        (["--color", "always", "--no-color"], {}, False),  # the old option still works
    ],
)
def test_colour_switches(dealcoach, args: list[str], env: dict[str, str], coloured: bool) -> None:
    ran = dealcoach("deals", "--reviews", str(EXAMPLES / "reviews"), *args, extra_env=env)
    assert ran.code == 0, ran.err
    assert (ESC in ran.out) is coloured


def test_bad_choice_is_a_usage_error_listing_the_choices(dealcoach) -> None:
    ran = dealcoach("--color", "sometimes", "playbooks", "list")
    assert ran.code == 2
    assert "auto" in ran.err and "always" in ran.err and "never" in ran.err


def test_help_uses_upper_case_placeholders_and_lists_choices() -> None:
    from dealcoach.cli.app import command

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])

    checked = 0
    for path, cmd in walk(command(), ["dealcoach"]):
        for param in cmd.params:
            if getattr(param, "hidden", False) or getattr(param, "is_flag", False):
                continue
            if hasattr(param.type, "choices"):
                continue  # typer shows them as <a|b|c>
            assert param.metavar and param.metavar == param.metavar.upper(), (path, param.name, param.metavar)
            checked += 1
    assert checked > 30
    from dealcoach.cli import history as cli_history
    from dealcoach.cli import playbooks as cli_playbooks

    formats = [cli_history.TableFormat, cli_history.InsightsFormat, cli_playbooks.CheckFormat]
    assert {"github"} <= {f.value for f in cli_playbooks.CheckFormat}
    assert all(len(f) >= 2 for f in formats)


def test_help_names_the_environment_variables(dealcoach) -> None:
    root = dealcoach("--help").out
    assert "DEALCOACH_DEBUG" in root and "NO_COLOR" in root and "FORCE_COLOR" in root
    assert "DEALCOACH_PLAYBOOKS" in dealcoach("review", "--help").out
    assert "DEALCOACH_REVIEWS" in dealcoach("deals", "--help").out


def _many_reviews(folder: Path, count: int) -> None:
    text = (EXAMPLES / "reviews" / "resistant-end-user.md").read_text(encoding="utf-8")
    for i in range(count):
        (folder / f"deal-{i}").mkdir(parents=True)
        (folder / f"deal-{i}" / "2026-11-25-resistant-end-user.md").write_text(
            text.replace("deal: Acme Logistics", f"deal: Deal {i}"), encoding="utf-8"
        )


def test_rescore_progress_only_on_a_terminal(dealcoach, env: dict[str, str], work: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    reviews = work / "reviews"
    _many_reviews(reviews, 250)
    piped = dealcoach("rescore", str(reviews))
    assert piped.code == 0, piped.err
    assert "Re-scoring" not in piped.err and ESC not in piped.err
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dealcoach", "rescore", str(reviews)],
        env={**env, "TERM": "xterm"},
        cwd=str(work),
        encoding="utf-8",
        dimensions=(40, 120),
        timeout=60,
    )
    child.expect("Re-scoring reviews")
    child.expect("250 review\\(s\\) re-scored")
    child.expect(pexpect.EOF)
    quiet = pexpect.spawn(
        sys.executable, ["-m", "dealcoach", "-q", "rescore", str(reviews)], env=env, cwd=str(work), encoding="utf-8"
    )
    quiet.expect(pexpect.EOF, timeout=60)
    assert "Re-scoring" not in (quiet.before or "")
    shutil.rmtree(reviews)


def test_large_validate_shows_progress_only_on_a_terminal(dealcoach, env: dict[str, str], work: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    from .conftest import MINIMAL

    folder = work / "many"
    for i in range(300):
        write(folder / f"mini-{i}.yaml", MINIMAL.replace("id: mini", f"id: mini-{i}", 1))
    piped = dealcoach("playbooks", "validate", str(folder))
    assert piped.code == 0, piped.err
    assert "Checking playbooks" not in piped.err
    assert piped.err.strip() == "300 playbook(s) checked, 0 problem(s)"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dealcoach", "playbooks", "validate", str(folder)],
        env={**env, "TERM": "xterm"},
        cwd=str(work),
        encoding="utf-8",
        dimensions=(40, 120),
        timeout=60,
    )
    child.expect("Checking playbooks")
    child.expect("300 playbook\\(s\\) checked, 0 problem\\(s\\)")
    child.expect(pexpect.EOF)
