"""Playbooks as code: a team's repository, its own playbooks, settings, hooks, schema and diffs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dealcoach.playbook.spec import schema_text

from .helpers import MINIMAL, PLAYBOOKS, ROOT, write

SCHEMA_FILE = ROOT / "schema" / "playbook.schema.json"


# -- schema ----------------------------------------------------------------------------------


def test_shipped_schema_is_what_the_command_prints(dealcoach) -> None:
    ran = dealcoach("playbooks", "schema")
    assert ran.code == 0
    assert ran.out == SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()


@pytest.mark.parametrize("path", sorted(PLAYBOOKS.glob("*.yaml")), ids=lambda p: p.stem)
def test_builtin_playbooks_satisfy_the_schema(path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))] == []


@pytest.mark.parametrize(
    "name",
    [
        "unknown-key",
        "version-not-a-number",
        "flag-bad-severity",
        "wrong-type-for-question-type",
        "strategy-id-not-a-slug",
        "missing-strategies",
        "yes-as-a-choice-value",
        "colon-in-list-text",
    ],
)
def test_the_schema_rejects_what_the_loader_rejects(name: str, dealcoach) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    path = ROOT / "tests" / "broken" / "playbooks" / f"{name}.yaml"
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
    assert dealcoach("playbooks", "validate", str(path)).code == 2


# -- new and init ----------------------------------------------------------------------------


def test_new_playbook_validates_passes_its_examples_and_never_overwrites(dealcoach, work: Path) -> None:
    ran = dealcoach("playbooks", "new", "late-silence")
    assert ran.code == 0, ran.err
    path = work / "playbooks" / "late-silence.yaml"
    assert "Playbook written to playbooks/late-silence.yaml" in ran.err
    assert dealcoach("playbooks", "validate", str(path)).code == 0
    tested = dealcoach("playbooks", "test", str(path))
    assert tested.code == 0
    assert "late-silence: 2/2 examples ok" in tested.out
    before = path.read_text(encoding="utf-8")
    again = dealcoach("playbooks", "new", "late-silence")
    assert again.code == 2
    assert "already exists" in again.err
    assert path.read_text(encoding="utf-8") == before


def test_new_from_an_existing_playbook_copies_it_under_the_new_id(dealcoach, work: Path) -> None:
    ran = dealcoach("playbooks", "new", "our-end-user", "--from", "resistant-end-user")
    assert ran.code == 0, ran.err
    copy = work / "playbooks" / "our-end-user.yaml"
    assert "id: our-end-user" in copy.read_text(encoding="utf-8")
    assert dealcoach("playbooks", "test", str(copy)).code == 0
    assert dealcoach("playbooks", "new", "Bad Id").code == 2


def test_init_sets_up_a_team_folder_and_is_safe_to_run_twice(dealcoach, work: Path) -> None:
    (work / "README.md").write_text("# Sales team\n", encoding="utf-8")
    ran = dealcoach("init")
    assert ran.code == 0
    for name in ("playbooks", "reviews", "dealcoach.toml", ".pre-commit-config.yaml"):
        assert (work / name).exists(), name
    readme = (work / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Sales team\n\n## Deal reviews with dealcoach")
    hooks = yaml.safe_load((work / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks["repos"][0]["hooks"]] == [
        "dealcoach-validate",
        "dealcoach-test",
        "dealcoach-reviews",
    ]
    again = dealcoach("init")
    assert "created" not in again.out
    assert (work / "README.md").read_text(encoding="utf-8") == readme


def test_init_files_are_valid_against_their_schemas(dealcoach, work: Path, env: dict[str, str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    assert dealcoach("init").code == 0
    schema = json.loads((work / "schema" / "playbook.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "urn:dealcoach:playbook-schema"
    assert schema == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    editor = json.loads((work / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    ((mapped, patterns),) = editor["yaml.schemas"].items()
    assert (work / mapped).resolve() == (work / "schema" / "playbook.schema.json").resolve()
    assert "playbooks/**/*.yaml" in patterns
    bin_dir = Path(sys.executable).parent
    if (bin_dir / "pre-commit").exists():  # pre-commit's own check of its configuration
        checked = subprocess.run(
            [str(bin_dir / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
            cwd=work,
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        manifest = subprocess.run(
            [str(bin_dir / "pre-commit"), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
            capture_output=True,
            text=True,
        )
        assert manifest.returncode == 0, manifest.stdout + manifest.stderr
    # An existing editor settings file keeps what it had and gains the mapping.
    (work / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}', encoding="utf-8")
    assert dealcoach("init").code == 0
    merged = json.loads((work / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert merged["editor.tabSize"] == 2 and "yaml.schemas" in merged


def test_init_hooks_follow_the_folders_in_the_settings(dealcoach, work: Path) -> None:
    write(work / "dealcoach.toml", 'playbooks = ["sales/playbooks", "shared"]\nreviews = "sales/reviews"\n')
    assert dealcoach("init").code == 0
    hooks = yaml.safe_load((work / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"]
    files = {h["id"]: re.compile(h["files"]) for h in hooks}
    assert files["dealcoach-validate"].search("sales/playbooks/ours.yaml")
    assert files["dealcoach-validate"].search("shared/x.yml")
    assert not files["dealcoach-validate"].search("playbooks/ours.yaml")
    assert files["dealcoach-reviews"].search("sales/reviews/acme/2026-11-25-triage.md")
    assert not files["dealcoach-reviews"].search("reviews/acme/2026-11-25-triage.md")
    assert (work / "sales" / "playbooks").is_dir() and (work / "sales" / "reviews").is_dir()
    editor = json.loads((work / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert "shared/**/*.yaml" in editor["yaml.schemas"]["./schema/playbook.schema.json"]


def test_new_playbook_modeline_resolves_to_a_schema_it_satisfies(dealcoach, work: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    for args in (["new", "late-silence"], ["new", "our-faction", "--from", "resistant-faction"]):
        assert dealcoach("playbooks", *args).code == 0
        path = work / "playbooks" / f"{args[1]}.yaml"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        schema_path = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert schema_path == (work / "schema" / "playbook.schema.json").resolve()
        validator = jsonschema.Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))
        assert [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))] == []
        assert dealcoach("playbooks", "validate", str(path)).code == 0
    assert path.read_text(encoding="utf-8").count("yaml-language-server") == 1


@pytest.mark.process  # settings and caches are read once per process: each run needs its own
def test_settings_choose_the_reviews_folder_and_template(dealcoach, work: Path) -> None:
    write(work / "dealcoach.toml", 'reviews = "deal-reviews"\ntemplate = "tpl/short.md.j2"\n')
    write(work / "tpl" / "short.md.j2", "{{ deal }}: {{ recommendation.title }} ({{ confidence.level }})\n")
    (work / "sub").mkdir()
    answers = str(ROOT / "examples" / "answers" / "partner-triangle.yaml")
    ran = dealcoach("review", "--answers", answers, "--output", "-")
    assert ran.code == 0, ran.err
    assert ran.out.split("---\n")[-1].lstrip("\n") == (
        "Ridgeway Manufacturing: Do several things at once: new people, billing out of the room, a quiet fix (medium)\n"
    )
    written = dealcoach("review", "--answers", answers)
    assert written.code == 0, written.err
    assert (work / "deal-reviews" / "ridgeway-manufacturing" / "2026-11-25-partner-triangle.md").exists()


@pytest.mark.process  # settings and caches are read once per process: each run needs its own
def test_bad_settings_are_a_clear_error(dealcoach, work: Path) -> None:
    write(work / "dealcoach.toml", 'reviews = ["a"]\ncolour = "red"\n')
    ran = dealcoach("playbooks", "list")
    assert ran.code == 2
    assert ran.err.splitlines() == [
        f"{(work / 'dealcoach.toml').resolve()}: the setting 'reviews' must be a string",
        f"{(work / 'dealcoach.toml').resolve()}: unknown setting 'colour'; known: reviews, playbooks, template",
        "2 problems; fix them and run the command again",
    ]
    write(work / "dealcoach.toml", "reviews = \n")
    broken = dealcoach("playbooks", "list")
    assert broken.code == 2
    assert broken.err.startswith(f"{(work / 'dealcoach.toml').resolve()}:1:11: not valid TOML")


# -- layers ----------------------------------------------------------------------------------


def test_a_broken_file_does_not_hide_the_good_ones(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "playbooks" / "broken.yaml", "id: broken\ntitle: [unclosed\n")
    listed = dealcoach("playbooks", "list")
    assert listed.code == 0
    assert "mini" in listed.out
    assert "warning: " in listed.err and "broken.yaml" in listed.err
    write(work / "answers.yaml", "playbook: mini\ndeal: acme\nanswers: {ready: yes, size: big}\n")
    review = dealcoach("review", "--answers", "answers.yaml", "--output", "-")
    assert review.code == 0, review.err
    assert "recommendation: push" in review.out


def test_two_files_with_one_id_in_one_layer_name_both(dealcoach, work: Path) -> None:
    write(work / "playbooks" / "mini.yaml", MINIMAL)
    write(work / "playbooks" / "mini.yml", MINIMAL)
    ran = dealcoach("playbooks", "list")
    assert "playbooks/mini.yml: the id 'mini' is also used by" in ran.err
    assert "playbooks/mini.yaml; rename one" in ran.err


# -- diff ------------------------------------------------------------------------------------


def test_diff_summarises_what_changed_and_asks_for_a_version_bump(dealcoach, work: Path) -> None:
    old = write(work / "old" / "mini.yaml", MINIMAL)
    changed = (
        MINIMAL.replace("prompt: Are they ready?", "prompt: Are they ready to buy?")
        .replace("{value: big, label: Big, points: {push: 2}", "{value: big, label: Big, points: {push: 4}")
        .replace("{value: small, label: Small,", "{value: tiny, label: Tiny,")
        .replace("rules:", "  - {id: budget, type: yesno, prompt: Is there budget?, help: Money.}\nrules:")
    )
    changed = changed.replace("    when: ready and size == 'small'", "    when: ready and size == 'big'")
    new = write(work / "new" / "mini.yaml", changed)
    ran = dealcoach("playbooks", "diff", str(old), str(new))
    assert ran.code == 1
    assert ran.out.splitlines() == [
        "+ question budget: Is there budget?",
        "~ question ready: re-worded: 'Are they ready?' -> 'Are they ready to buy?'",
        "~ question size: new choice tiny",
        "~ question size: choice small removed (old answers with it are asked again)",
        "~ question size: re-scored big: {'push': 2} -> {'push': 4}",
        "~ rule small-and-ready: changed",
        "! version is still 1: questions or scoring changed, so bump it "
        "(reviews record the version they were answered with)",
    ]
    same = dealcoach("playbooks", "diff", str(old), str(old))
    assert same.code == 0
    assert same.out.strip() == "No changes to questions, strategies or rules."


def test_diff_against_the_installed_playbook(dealcoach, work: Path) -> None:
    edited = (PLAYBOOKS / "resistant-end-user.yaml").read_text(encoding="utf-8")
    version = int(re.search(r"^version: (\d+)$", edited, re.M).group(1))  # type: ignore[union-attr]
    edited = edited.replace(f"\nversion: {version}\n", f"\nversion: {version + 1}\n", 1)
    edited = edited.replace("  - id: notes\n    type: text\n", "  - id: notes_gone\n    type: text\n")
    path = write(work / "mine" / "resistant-end-user.yaml", edited)
    ran = dealcoach("playbooks", "diff", str(path))
    assert ran.code == 1
    assert "+ question notes_gone: " in ran.out
    assert "- question notes: " in ran.out
    assert "! version" not in ran.out


def test_an_old_answers_file_still_loads_after_a_question_is_removed(dealcoach, work: Path) -> None:
    changed = MINIMAL.replace("version: 1", "version: 2").replace("when: ready and size == 'small'", "when: ready")
    changed = changed.replace("    when: ready\n    choices:", "    when: ready\n    choices:", 1)
    write(work / "playbooks" / "mini.yaml", changed)
    write(
        work / "old.yaml",
        """
        playbook: mini
        playbook_version: 1
        deal: acme
        answers: {ready: true, size: big, colour: red}
        """,
    )
    ran = dealcoach("review", "--answers", "old.yaml", "--output", "-")
    assert ran.code == 0, ran.err
    assert "colour" in ran.err  # reported, not silently dropped
    front = yaml.safe_load(ran.out.split("---\n")[1])
    assert front["playbook_version"] == 2
    assert front["answered_with_version"] == 1
    assert front["removed_answers"] == {"colour": "red"}


# -- pre-commit ------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_hook_rejects_a_broken_playbook_and_accepts_a_good_one(env: dict[str, str], tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "pre-commit").exists():
        pytest.skip("pre-commit is not installed next to this Python")
    repo = tmp_path / "team"
    run_env = {
        **env,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "Team",
        "GIT_AUTHOR_EMAIL": "team@example.invalid",
        "GIT_COMMITTER_NAME": "Team",
        "GIT_COMMITTER_EMAIL": "team@example.invalid",
    }

    def sh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=repo, env=run_env, capture_output=True, text=True, timeout=300)

    repo.mkdir()
    assert sh("git", "init", "-q").returncode == 0
    assert sh(str(bin_dir / "dealcoach"), "init").returncode == 0
    assert sh(str(bin_dir / "pre-commit"), "install").returncode == 0
    assert sh("git", "add", "-A").returncode == 0
    assert sh("git", "commit", "-q", "-m", "Set up dealcoach").returncode == 0

    write(repo / "playbooks" / "mini.yaml", MINIMAL.replace("when: ready\n", "when: redy\n"))
    sh("git", "add", "-A")
    rejected = sh("git", "commit", "-q", "-m", "A broken playbook")
    assert rejected.returncode != 0
    assert "playbooks/mini.yaml:20:11: the expression 'redy' names 'redy'" in rejected.stdout + rejected.stderr

    write(repo / "playbooks" / "mini.yaml", MINIMAL)
    sh("git", "add", "-A")
    accepted = sh("git", "commit", "-q", "-m", "A good playbook")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "dealcoach playbooks test" in accepted.stdout + accepted.stderr


def test_shipped_hook_definitions_match_the_ones_init_writes() -> None:
    from dealcoach.playbook.scaffold import PRE_COMMIT

    shipped = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = yaml.safe_load(PRE_COMMIT)["repos"][0]["hooks"]
    keys = ("id", "name", "entry", "files")
    assert [{k: h[k] for k in keys} for h in shipped] == [{k: h[k] for k in keys} for h in local]
    assert {h["language"] for h in shipped} == {"python"}  # pre-commit installs dealcoach itself
