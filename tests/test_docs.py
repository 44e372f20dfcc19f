"""Every example in the README and docs/ runs: playbook snippets validate, commands succeed."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from dealcoach.playbook import loader, yamlfile
from dealcoach.playbook import model as pbmod
from dealcoach.review.selftest import run_examples

from .helpers import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[tuple[str, int, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1) == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((doc.name, line, match.group(2)))
    return found


PLAYBOOK_SNIPPETS = [b for b in blocks("yaml") if re.match(r"^id: ", b[2])]
SHARED_SNIPPETS = [b for b in blocks("yaml") if b[2].startswith("kind: shared\n")]


def _write_shared_snippets(folder: Path) -> None:
    """Shared sets shown in the docs, beside the playbooks that include them (where includes look)."""
    for _, _, text in SHARED_SNIPPETS:
        set_id = re.search(r"^id: (\S+)", text, re.M).group(1)  # type: ignore[union-attr]
        (folder / f"{set_id}.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("snippet", PLAYBOOK_SNIPPETS, ids=lambda b: f"{b[0]}:{b[1]}")
def test_playbook_snippets_validate_and_pass_their_examples(snippet: tuple[str, int, str], tmp_path: Path) -> None:
    _, _, text = snippet
    _write_shared_snippets(tmp_path)
    playbook_id = re.match(r"^id: (\S+)", text).group(1)  # type: ignore[union-attr]
    path = tmp_path / f"{playbook_id}.yaml"
    path.write_text(text, encoding="utf-8")
    pb = loader.load(path)
    assert [o.mismatches for o in run_examples(pb) if not o.passed] == []
    assert [str(p) for p in loader.lint_quantities(yamlfile.read(path))] == []


def test_shared_set_snippets_validate_and_are_included_by_a_snippet(tmp_path: Path) -> None:
    assert SHARED_SNIPPETS
    _write_shared_snippets(tmp_path)
    included = {i for _, _, text in PLAYBOOK_SNIPPETS for i in re.findall(r"^include: \[(.+)\]", text, re.M)}
    for path in tmp_path.glob("*.yaml"):
        assert isinstance(loader.load_file(path), pbmod.SharedSet)
        assert path.stem in included, f"show {path.stem} included by a playbook snippet"


def test_the_deal_context_file_in_the_docs_is_what_dealcoach_reads(tmp_path: Path) -> None:
    import yaml

    from dealcoach.review.context import load_context, offered

    (snippet,) = [t for t in authoring_blocks("yaml") if t.startswith("# The deal context")]
    path = tmp_path / "acme" / "deal-context.yaml"
    path.parent.mkdir()
    path.write_text(snippet, encoding="utf-8")
    saved = load_context("Acme", tmp_path)
    assert saved is not None and saved.deal == "Acme"
    pb = loader.load(ROOT / "tests" / "includes" / "quiet-buyer.yaml")
    found = offered(pb, saved)
    assert found.notes == [] and found.answers == yaml.safe_load(snippet)["answers"]
    # and dealcoach writes the same header and keys
    from dealcoach.review.context import save_context

    written = save_context(
        pb,
        "Acme",
        found.answers,
        list(found.answers),
        Path("2026-11-25-x.md"),
        __import__("datetime").date(2026, 11, 25),
        tmp_path,
    )
    assert written is not None
    text = written.read_text(encoding="utf-8")
    assert text.splitlines()[:2] == snippet.splitlines()[:2]
    assert list(yaml.safe_load(text)) == list(yaml.safe_load(snippet))


def readme_commands() -> list[str]:
    """Every dealcoach command in the README's shell blocks that only reads (no redirects, no docs writes)."""
    commands = []
    for _, _, text in blocks("bash"):
        for line in text.splitlines():
            command = line.split(" && ")[-1].split("  #")[0].strip()
            if not command.startswith(".venv/bin/dealcoach") or ">" in command or "--output docs" in command:
                continue
            commands.append(command)
    return commands


def test_the_readme_has_commands_to_check() -> None:
    assert len(readme_commands()) >= 4


@pytest.mark.parametrize("command", readme_commands())
def test_readme_commands_run(command: str, env: dict[str, str]) -> None:
    args = shlex.split(command)[1:]
    ran = subprocess.run(
        [sys.executable, "-m", "dealcoach", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr


def test_readme_opens_with_the_two_commands() -> None:
    first_two = [text for _, _, text in blocks("bash")[:2]]
    assert "dealcoach review --answers examples/answers/" in first_two[0]
    assert "python -m pytest" in first_two[1]
    assert all(text.startswith("python3 -m venv .venv && ") for text in first_two)


# -- docs/authoring.md -----------------------------------------------------------------------

AUTHORING = ROOT / "docs" / "authoring.md"


def authoring_blocks(language: str) -> list[str]:
    text = AUTHORING.read_text(encoding="utf-8")
    return [m.group(2) for m in FENCE.finditer(text) if m.group(1) == language]


def test_the_key_reference_is_generated_from_the_format() -> None:
    from dealcoach.playbook.spec import reference_markdown

    text = AUTHORING.read_text(encoding="utf-8")
    between = text.split("<!-- keys:start -->\n", 1)[1].split("<!-- keys:end -->", 1)[0]
    assert between == reference_markdown(), "regenerate the key reference in docs/authoring.md"


def test_authoring_commands_run_in_order_in_a_fresh_folder(env: dict[str, str], tmp_path: Path) -> None:
    commands = [
        line.strip()
        for block in authoring_blocks("bash")
        for line in block.splitlines()
        if line.startswith("dealcoach ") and "completion" not in line  # completion edits shell files
    ]
    assert len(commands) >= 8
    for command in commands:
        ran = subprocess.run(
            [sys.executable, "-m", "dealcoach", *shlex.split(command)[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 0, f"{command}: {ran.stderr}"
        assert "Traceback" not in ran.stderr


def test_authoring_settings_and_hooks_snippets_are_what_dealcoach_reads_and_writes(tmp_path: Path) -> None:
    import yaml

    from dealcoach import config
    from dealcoach.playbook.scaffold import PRE_COMMIT

    (toml,) = authoring_blocks("toml")
    (tmp_path / "dealcoach.toml").write_text(toml, encoding="utf-8")
    settings = config._parse(tmp_path / "dealcoach.toml", __import__("tomllib").loads(toml))
    assert settings.reviews == tmp_path / "reviews"
    hooks = [b for b in authoring_blocks("yaml") if b.startswith("repos:")]
    assert [yaml.safe_load(h) for h in hooks] == [yaml.safe_load(PRE_COMMIT)]
    (modeline,) = [b for b in authoring_blocks("yaml") if b.startswith("# yaml-language-server")]
    schema = modeline.split("$schema=", 1)[1].strip()
    assert (ROOT / "playbooks" / schema).resolve() == (ROOT / "schema" / "playbook.schema.json").resolve()


def test_authoring_template_snippet_renders_a_review(env: dict[str, str], tmp_path: Path) -> None:
    (template,) = authoring_blocks("jinja")
    (tmp_path / "team.md.j2").write_text(template, encoding="utf-8")
    answers = ROOT / "examples" / "answers" / "resistant-end-user.yaml"
    ran = subprocess.run(
        [sys.executable, "-m", "dealcoach", "review", "--answers", str(answers), "--template", "team.md.j2", "-o", "-"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    body = ran.stdout.split("---\n", 2)[2]
    assert body.lstrip().startswith("# Acme Logistics: Find the political leverage and go around them")
    assert "- [ ] Ask Priya how many others care about the problem" in body


def test_authoring_ci_jobs_are_valid_and_their_commands_run(env: dict[str, str], tmp_path: Path) -> None:
    import yaml

    jobs = [yaml.safe_load(b) for b in authoring_blocks("yaml") if b.startswith(("name:", "playbooks:"))]
    github, gitlab = jobs
    (steps,) = [job["steps"] for job in github["jobs"].values()]
    github_commands = [s["run"] for s in steps if "run" in s]
    gitlab_commands = gitlab["playbooks"]["script"]
    assert github_commands[0] == gitlab_commands[0] == "pip install dealcoach"
    assert any("--format github" in c for c in github_commands)
    assert gitlab["playbooks"]["artifacts"]["paths"] == ["playbooks-report.json"]
    subprocess.run([sys.executable, "-m", "dealcoach", "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "dealcoach", "playbooks", "new", "ours"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    for command in github_commands[1:] + gitlab_commands[1:]:
        line, _, redirect = command.partition(" > ")
        ran = subprocess.run(
            [sys.executable, "-m", "dealcoach", *shlex.split(line)[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 0, f"{command}: {ran.stdout}{ran.stderr}"
        if redirect:
            assert __import__("json").loads(ran.stdout)["problems"] == []


def test_the_command_reference_is_generated_from_the_app() -> None:
    from dealcoach.cli.reference import reference_markdown

    text = reference_markdown()
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == text, (
        "regenerate it: python -m dealcoach.cli.reference > docs/cli.md"
    )
    from dealcoach.cli.app import command

    def names(cmd, path):
        yield " ".join(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from names(sub, [*path, name])

    for name in names(command(), ["dealcoach"]):
        assert f"## `{name}`" in text
    assert "--format [text|json|github]" in text and "[env var: DEALCOACH_DEBUG]" in text


def test_the_command_reference_is_clean_markdown() -> None:
    from pymarkdown.api import PyMarkdownApi

    api = PyMarkdownApi().disable_rule_by_identifier("md013")  # option help stays on one line
    assert [str(f) for f in api.scan_path(str(ROOT / "docs" / "cli.md")).scan_failures] == []


def test_the_readme_python_examples_run(env: dict[str, str], tmp_path: Path) -> None:
    """The README's Python blocks (the API) run as written, from the project folder."""
    blocks = [
        m.group(2) for m in FENCE.finditer((ROOT / "README.md").read_text(encoding="utf-8")) if m.group(1) == "python"
    ]
    assert blocks, "the README shows the Python API"
    for block in blocks:
        ran = subprocess.run(
            [sys.executable, "-c", block], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert ran.returncode == 0, ran.stderr
        assert "reviews read" in ran.stdout


def test_the_readme_walk_through_runs_in_order_in_a_fresh_folder(env: dict[str, str], tmp_path: Path) -> None:
    """The follow-through walk-through (its `sh` blocks), command by command, as a user would type it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### From a review to a deal that moves") : text.index("### Exit codes")]
    lines = [line for m in FENCE.finditer(section) if m.group(1) == "sh" for line in m.group(2).splitlines()]
    assert len(lines) >= 10
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    outputs = []
    for line in lines:
        words = shlex.split(line)
        extra = {}
        while "=" in words[0]:
            key, _, value = words.pop(0).partition("=")
            extra[key] = value
        if words[0] == ".venv/bin/python":
            argv = [sys.executable, str(ROOT / words[1]), *words[2:]]
            extra["PYTHONPATH"] = str(ROOT)
        else:
            assert words[0] == ".venv/bin/dealcoach", line
            argv = [sys.executable, "-m", "dealcoach", *words[1:]]
        ran = subprocess.run(argv, cwd=tmp_path, env={**env, **extra}, capture_output=True, text=True, timeout=120)
        assert ran.returncode == 0, f"{line}: {ran.stderr}"
        assert "Traceback" not in ran.stderr
        outputs.append(ran.stdout + ran.stderr)
    deal = tmp_path / "reviews" / "northwind-wholesale"
    assert "Stop free work" in outputs[3] and "OVERDUE" in outputs[3]
    assert "Plan for the next call" in outputs[4] and "Open actions" in outputs[4]
    assert "action [x]" in outputs[5] and "action [-]" in outputs[5]
    assert "Start the post-mortem with: dealcoach review lost-deal-postmortem" in outputs[7]
    checklist = (deal / "actions.md").read_text(encoding="utf-8")
    assert checklist.count("- [x] ") == 2 and checklist.count("- [-] ") == 1 and checklist.count("- [ ] ") == 1
    assert "outcome: lost" in (deal / "outcome.yaml").read_text(encoding="utf-8")
    assert "Proposed changes to the playbooks" in outputs[-1] and "address-the-objection" in outputs[-1]
