"""Files dealcoach writes for a team: a new playbook, and a project set up for playbooks in git.

Nothing here overwrites: a file that exists is left alone and reported, so running a command
twice is safe.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..files import write_atomic
from .spec import SLUG

# Where `dealcoach init` keeps the JSON Schema in a team's repository, relative to its root.
SCHEMA_PATH = "schema/playbook.schema.json"
MODELINE = "# yaml-language-server: $schema="

STARTER = """\
# {title}: a starter playbook. Every key is explained in docs/authoring.md.
# Check it with `dealcoach playbooks validate` and `dealcoach playbooks test`.
id: {id}
version: 1                       # bump when questions or scoring change; reviews record it
title: {title}
summary: One sentence saying when a rep should use this playbook.
situation: >
  A paragraph describing the situation, shown by `dealcoach playbooks show {id}`.
sources:
  - "Framework-based: name the public frameworks this follows, or credit author and title"

strategies:                      # what the playbook can recommend; ties go to the first
  - id: press-on
    title: Press on with the current plan
    why: The buyer is engaged and the plan is working; keep the momentum.
    next_steps:
      - Confirm the next meeting and who will be in it.
    talk_track:
      - "What would you need to see from us before the next step?"
  - id: step-back
    title: Step back and re-qualify
    why: Nobody on the buyer's side is moving; find out why before you invest more.
    risks:
      - Stepping back too early can hand the deal to a competitor.

questions:                       # asked in order; answers give points to strategies
  - id: engaged
    type: yesno
    prompt: Is the buyer answering within a few days?
    help: A buyer who answers quickly is still treating this as a priority.
    unknown: allowed              # offers "I don't know"; the gap says how to find out
    gap: Send a short question and see how long the answer takes.
    if_yes: {{points: {{press-on: 3}}, says: The buyer answers within days.}}
    if_no: {{points: {{step-back: 3}}, says: The buyer takes weeks to answer.}}
  - id: next_meeting
    type: choice
    prompt: Is the next meeting in the calendar?
    help: A date in the calendar is the simplest proof the deal is moving.
    when: engaged                 # only asked when the buyer is engaged
    choices:
      - {{value: booked, label: "Yes, booked", points: {{press-on: 2}}, says: The next meeting is booked.}}
      - {{value: vague, label: "Only 'let's talk soon'", points: {{step-back: 1}}, says: The next meeting is vague.}}

rules:                           # combinations that matter: points, vetoes and red flags
  - id: engaged-but-no-date
    when: engaged and next_meeting == 'vague'
    flag:
      severity: medium
      text: The buyer answers but will not commit to a date; ask what is in the way.

examples:                        # the playbook's own tests, run by `dealcoach playbooks test`
  - name: an engaged buyer with a meeting booked
    answers: {{engaged: true, next_meeting: booked}}
    expect: {{strategy: press-on, confidence: high}}
  - name: a buyer gone quiet
    answers: {{engaged: false}}
    expect: {{strategy: step-back}}
"""


def _title(playbook_id: str) -> str:
    return playbook_id.replace("-", " ").capitalize()


def modeline(playbook: Path, schema: Path) -> str:
    """The comment that points YAML editors at the schema, relative to the playbook's folder."""
    relative = Path(os.path.relpath(schema.resolve(), playbook.parent.resolve())).as_posix()
    return f"{MODELINE}{relative}\n"


def new_playbook(playbook_id: str, folder: Path, copy_from: Path | None = None, schema: Path | None = None) -> Path:
    """Write `folder/ID.yaml`: the starter, or a copy of `copy_from` renamed to the new id.

    With `schema` (the project's copy of the JSON Schema) the file starts with a modeline that
    points editors at it.
    """
    if not re.match(SLUG, playbook_id):
        raise InputError(f"{playbook_id!r} is not a playbook id: use lower-case letters, digits and -")
    path = folder / f"{playbook_id}.yaml"
    if path.exists():
        raise InputError(f"{path} already exists; pick another id or edit that file")
    if copy_from is None:
        text = STARTER.format(id=playbook_id, title=_title(playbook_id))
    else:
        text = copy_from.read_text(encoding="utf-8")
        # Only the top-level `id:` changes; a copy keeps its questions, strategies and examples.
        text, count = re.subn(r"^id:[ \t]*\S+[ \t]*$", f"id: {playbook_id}", text, count=1, flags=re.M)
        if count != 1:
            raise InputError(f"{copy_from}: no top-level 'id:' line to rename")
        text = re.sub(r"^version:[ \t]*\S+[ \t]*$", "version: 1", text, count=1, flags=re.M)
        text = re.sub(rf"^{re.escape(MODELINE)}.*\n", "", text, flags=re.M)  # the copy gets its own
        text = f"# Started from {copy_from.stem}; change the title and what differs.\n" + text
    if schema is not None:
        text = modeline(path, schema) + text
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, text, overwrite=False)


SETTINGS = """\
# dealcoach settings for this repository (paths are relative to this file).
reviews = "reviews"          # where `dealcoach review` writes reviews
playbooks = ["playbooks"]    # the team's playbooks; they override built-ins with the same id
# template = "templates/review.md.j2"   # the team's own review template (jinja2)
"""


def pre_commit_config(playbook_dirs: list[str], reviews: str) -> str:
    """The hooks `init` writes, matching the project's playbook folders and reviews folder."""

    def under(folders: list[str], suffix: str) -> str:
        names = [re.escape(f.strip("/")).replace("\\/", "/") for f in folders]
        prefix = names[0] if len(names) == 1 else "(?:" + "|".join(names) + ")"
        return f"^{prefix}/{suffix}"

    playbooks = under(playbook_dirs, r".*\.ya?ml$")
    reviews_files = under([reviews], r".*\.md$")
    return f"""\
# Checks every playbook and review change before it is committed: `pre-commit install` once per
# clone. The hooks run the dealcoach installed in your environment (`pip install dealcoach`).
# The file patterns follow dealcoach.toml as it was when `dealcoach init` wrote this file.
repos:
  - repo: local
    hooks:
      - id: dealcoach-validate
        name: dealcoach playbooks validate
        entry: dealcoach playbooks validate
        language: system
        files: {playbooks}
      - id: dealcoach-test
        name: dealcoach playbooks test
        entry: dealcoach playbooks test
        language: system
        files: {playbooks}
      - id: dealcoach-reviews
        name: dealcoach reviews check
        entry: dealcoach reviews check
        language: system
        files: {reviews_files}
"""


PRE_COMMIT = pre_commit_config(["playbooks"], "reviews")

README = """\
## Deal reviews with dealcoach

This repository keeps the team's sales playbooks and deal reviews:

- `playbooks/`: our playbooks (YAML). One file per playbook, named after its id. A playbook here
  overrides a built-in with the same id. Start one with `dealcoach playbooks new ID`.
- `reviews/`: reviews written by `dealcoach review`, one folder per deal.
- `dealcoach.toml`: where reviews and playbooks live, and an optional review template.
- `.pre-commit-config.yaml`: `pre-commit install` once, and every commit that touches a
  playbook is validated and its examples run, and every review's front matter is checked.
- `schema/playbook.schema.json` and `.vscode/settings.json`: editors with YAML support complete
  and check playbook keys as you type.

Check everything by hand with `dealcoach playbooks validate playbooks/` and
`dealcoach playbooks test playbooks/`.
"""


@dataclass
class Written:
    path: Path
    created: bool  # False: it existed and was left alone


def _project_folders(root: Path) -> tuple[list[str], str]:
    """The playbook folders and reviews folder named in `root`'s settings, relative to it."""
    from ..config import _parse, _settings

    found = _settings(root.resolve())
    if found is None:
        return ["playbooks"], "reviews"
    settings = _parse(*found)
    base = found[0].parent

    def relative(path: Path) -> str:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            raise InputError(
                f"{found[0]}: {path} is outside the project; hooks can only check files inside it"
            ) from None

    playbooks = [relative(p) for p in settings.playbooks] or ["playbooks"]
    return playbooks, relative(settings.reviews) if settings.reviews else "reviews"


def vscode_settings(current: dict[str, object], playbook_dirs: list[str]) -> dict[str, object]:
    """`current` with `yaml.schemas` mapping the project's schema to its playbook files."""
    schemas = dict(current.get("yaml.schemas") or {})  # type: ignore[call-overload]
    schemas[f"./{SCHEMA_PATH}"] = [f"{folder}/**/*.yaml" for folder in playbook_dirs] + [
        f"{folder}/**/*.yml" for folder in playbook_dirs
    ]
    return {**current, "yaml.schemas": schemas}


def init_project(root: Path) -> list[Written]:
    """Make `root` ready for a team: folders, settings, schema, editor mapping, hooks, a README section."""
    from .spec import schema_text

    root.mkdir(parents=True, exist_ok=True)
    results: list[Written] = []

    def write_new(path: Path, text: str) -> None:
        if path.exists():
            results.append(Written(path, False))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text, overwrite=False)
            results.append(Written(path, True))

    write_new(root / FILE_NAME_SETTINGS, SETTINGS)
    playbook_dirs, reviews = _project_folders(root)
    for folder in [*playbook_dirs, reviews]:
        path = root / folder
        existed = path.exists()
        path.mkdir(parents=True, exist_ok=True)
        keep = path / ".gitkeep"
        if not any(path.iterdir()):
            keep.write_text("", encoding="utf-8")
        results.append(Written(path, not existed))
    write_new(root / SCHEMA_PATH, schema_text())
    write_new(root / ".pre-commit-config.yaml", pre_commit_config(playbook_dirs, reviews))
    editor = root / ".vscode" / "settings.json"
    try:
        current = json.loads(editor.read_text(encoding="utf-8")) if editor.exists() else {}
    except (ValueError, OSError):
        current = None  # comments or a broken file: leave it to its owner
    wanted = vscode_settings(current, playbook_dirs) if isinstance(current, dict) else None
    if wanted is None or wanted == current:
        results.append(Written(editor, False))
    else:
        editor.parent.mkdir(exist_ok=True)
        write_atomic(editor, json.dumps(wanted, indent=2) + "\n", overwrite=True)
        results.append(Written(editor, True))
    readme = root / "README.md"
    current_readme = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if "## Deal reviews with dealcoach" in current_readme:
        results.append(Written(readme, False))
    else:
        text = (current_readme.rstrip("\n") + "\n\n" if current_readme.strip() else "") + README
        write_atomic(readme, text, overwrite=True)
        results.append(Written(readme, True))
    return results


FILE_NAME_SETTINGS = "dealcoach.toml"
