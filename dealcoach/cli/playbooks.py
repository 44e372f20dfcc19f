"""Commands for playbooks: list, validate, test, show, docs, new, schema, diff; and `init`.

Registered on the main app by cli.py; a thin layer over store.py, checking.py, examples.py,
scaffold.py, playbook_diff.py and catalogue_doc.py.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from ..errors import EXIT_BAD_INPUT, EXIT_FAILURE, DealcoachError, InputError
from .app import (
    NO_COLOR_OPTION,
    PLAYBOOKS_OPTION,
    _catalogue,
    _complete_playbook,
    _console,
    _err,
    _info,
    _progress_wanted,
    _shown,
    app,
    playbooks_app,
)


class ListFormat(StrEnum):
    text = "text"
    json = "json"


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@playbooks_app.command("list")
def playbooks_list(
    fmt: ListFormat = typer.Option("text", "--format", "-f", help="text for people, json for scripts."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Show the playbooks available here, where each file is, and which override others."""
    import json

    from ..playbook.loader import IncludeFinder, load_cached

    cat = _catalogue(playbooks)
    finder = IncludeFinder(cat)
    rows = []
    for pid in cat.playbook_ids():  # shared sets are asked inside playbooks, not reviewed on their own
        entry = cat.entries[pid]
        try:  # the cached, validated playbook: fast, and a broken file is named here, not mid-review
            title = load_cached(entry.path, finder).title
        except DealcoachError as exc:
            _err(f"warning: {exc.lines()[0]} (run `dealcoach playbooks validate {entry.path}`)")
            title = "(broken file)"
        rows.append(
            {
                "id": pid,
                "title": str(title),
                "layer": entry.layer,
                "path": str(entry.path),
                "overrides": [str(o.path) for o in entry.overrides],
            }
        )
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("No playbooks found.")
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        mark = f"  (overrides {r['overrides'][0]})" if r["overrides"] else ""
        typer.echo(f"{r['id']:<{width}}  {r['title']}")
        typer.echo(f"{'':<{width}}  {r['layer']}: {r['path']}{mark}")


TARGETS_ARGUMENT = typer.Argument(
    None, help="Playbook files or folders; default: all visible playbooks.", metavar="FILE_OR_DIR..."
)


def _playbook_targets(targets: list[Path] | None, playbooks: list[Path] | None) -> list[Path]:
    """The files named (folders expanded), or every playbook visible from here."""
    from ..playbook.catalogue import playbook_files

    return playbook_files(targets) if targets else [e.path for e in _catalogue(playbooks).entries.values()]


@playbooks_app.command("validate")
def playbooks_validate(
    targets: list[Path] | None = typer.Argument(
        None,
        help="Playbook files or folders, or - for one playbook on stdin; default: all visible playbooks.",
        metavar="FILE_OR_DIR...",
    ),
    fmt: CheckFormat = typer.Option(
        "text",
        "--format",
        "-f",
        help="text (path:line:col: message), json, or github (annotations in a GitHub Actions log).",
    ),
    stdin_name: str = typer.Option(
        "<stdin>", "--stdin-name", help="The file name to report for a playbook read from stdin.", metavar="FILE"
    ),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Check playbooks; print path:line:col: message for each problem; exit 2 if any."""
    import json

    from ..playbook.checking import check_files, check_text
    from ..playbook.loader import IncludeFinder

    if targets and any(str(t) == "-" for t in targets):
        if len(targets) > 1:
            raise InputError("- (stdin) is one playbook; check it on its own")
        files = [Path(stdin_name)]
        problems = check_text(sys.stdin.read(), Path(stdin_name), IncludeFinder(extra=playbooks))
    else:
        files = _playbook_targets(targets, playbooks)
        finder = IncludeFinder(extra=playbooks)
        problems = _check_with_progress(files, lambda batch: check_files(batch, finder))
    if fmt == "json":
        typer.echo(json.dumps({"files": len(files), "problems": [_problem_dict(p) for p in problems]}, indent=2))
    elif fmt == "github":
        for p in problems:
            typer.echo(_github_annotation(_problem_dict(p)))
        _info(f"{len(files)} playbook(s) checked, {len(problems)} problem(s)")
    else:
        for p in problems:
            typer.echo(str(p))
        _info(f"{len(files)} playbook(s) checked, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(EXIT_BAD_INPUT)


def _check_with_progress(files: list[Path], check_files: Any) -> list[Any]:
    """Every problem in `files`; in batches under a progress bar when there are many on a terminal."""
    if not _progress_wanted(len(files), 300):
        return [problem for found in check_files(files) for problem in found]
    from rich.progress import Progress

    from .app import _console

    problems: list[Any] = []
    with Progress(console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("Checking playbooks", total=len(files))
        for start in range(0, len(files), 100):
            batch = files[start : start + 100]
            problems += [problem for found in check_files(batch) for problem in found]
            bar.update(task, completed=start + len(batch))
    return problems


def _github_annotation(problem: dict[str, Any]) -> str:
    """One `::error` workflow command: GitHub shows it on the line of the file in the pull request."""

    def escape(text: str, prop: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    where = [f"file={escape(problem['path'], True)}"] if problem["path"] else []
    if problem["line"]:
        where += [f"line={problem['line']}", f"col={problem['column']}"]
    where.append("title=dealcoach playbooks validate")
    return f"::error {','.join(where)}::{escape(problem['message'])}"


def _problem_dict(problem: Any) -> dict[str, Any]:
    if isinstance(problem, str):
        return {"path": "", "line": 0, "column": 0, "message": problem}
    as_dict: dict[str, Any] = problem.as_dict()
    return as_dict


@playbooks_app.command("test")
def playbooks_test(
    targets: list[Path] | None = TARGETS_ARGUMENT,
    fmt: ListFormat = typer.Option("text", "--format", "-f", help="text for people, json for scripts."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Run each playbook's examples; show what differs when an outcome changes; exit 2 on failure."""
    import json

    from ..playbook.loader import IncludeFinder, load_file
    from ..playbook.model import SharedSet
    from ..review.selftest import run_examples

    files = _playbook_targets(targets, playbooks)
    finder = IncludeFinder(extra=playbooks)
    failed = 0
    total = 0
    report: list[dict[str, Any]] = []
    for path in sorted(files):
        try:
            pb = load_file(path, finder)
        except DealcoachError as exc:
            failed += 1
            report.append({"path": str(path), "problems": exc.lines(), "examples": []})
            if fmt != "json":
                for line in exc.lines():
                    typer.echo(line)
            continue
        if isinstance(pb, SharedSet):  # no strategies to expect: its rules are tested through its playbooks
            report.append({"path": str(path), "shared": pb.id, "problems": [], "examples": []})
            if fmt != "json":
                typer.echo(f"{pb.id}: shared set, valid (tested through the playbooks that include it)")
            continue
        outcomes = run_examples(pb)
        total += len(outcomes)
        bad = [o for o in outcomes if not o.passed]
        failed += len(bad)
        report.append(
            {
                "path": str(path),
                "playbook": pb.id,
                "problems": [],
                "examples": [
                    {"name": o.example.name, "line": o.example.line, "passed": o.passed, "mismatches": o.mismatches}
                    for o in outcomes
                ],
            }
        )
        if fmt == "json":
            continue
        status = "ok" if not bad else "FAILED"
        typer.echo(f"{pb.id}: {len(outcomes) - len(bad)}/{len(outcomes)} examples {status}")
        for outcome in bad:
            typer.echo(f"{path}:{outcome.example.line}:1: example {outcome.example.name!r}")
            for mismatch in outcome.mismatches:
                typer.echo(f"    {mismatch}")
    if fmt == "json":
        typer.echo(json.dumps({"examples": total, "failed": failed, "playbooks": report}, indent=2))
    _info(f"{total} example(s) in {len(files)} playbook(s), {failed} failed")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@playbooks_app.command("show")
def playbooks_show(
    playbook: str = typer.Argument(..., help="Playbook id.", autocompletion=_complete_playbook),
    markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown source instead of formatting it."),
    answers: bool = typer.Option(
        False, "--answers", help="Print an answers file to fill in: every question id, its type, values and help."
    ),
    no_color: bool = NO_COLOR_OPTION,
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """A readable page for one playbook (or shared set): questions with their ids and values, strategies."""
    from ..playbook.catalogue import is_shared_file
    from ..playbook.loader import IncludeFinder, load_file
    from ..playbook.model import SharedSet
    from ..playbook.pages import playbook_page, shared_page
    from ..review.workflow import load_playbook

    cat = _catalogue(playbooks)
    entry = cat.find(playbook)
    if is_shared_file(entry.path):
        shared = load_file(entry.path, IncludeFinder(cat))
        if answers and isinstance(shared, SharedSet):
            raise InputError(
                f"{playbook!r} is a shared set, asked inside the playbooks that include it; "
                "print the answers file of one of those playbooks"
            )
        page = shared_page(shared) if isinstance(shared, SharedSet) else playbook_page(shared)
    else:
        pb = load_playbook(cat, playbook)
        if answers:
            from ..playbook.skeleton import answers_skeleton

            typer.echo(answers_skeleton(pb), nl=False)
            return
        page = playbook_page(pb)
    if markdown or not sys.stdout.isatty():
        typer.echo(page)
        return
    from rich.markdown import Markdown

    _console(no_color).print(Markdown(page))


@playbooks_app.command("docs")
def playbooks_docs(
    output: str = typer.Option(
        "-", "--output", "-o", help="Where to write the catalogue; - for stdout.", metavar="FILE"
    ),
) -> None:
    """Write the catalogue of built-in playbooks (docs/playbooks.md is made with this)."""
    from ..files import write_atomic
    from ..playbook.catalogue import builtin_dir
    from ..playbook.pages import catalogue_markdown

    text = catalogue_markdown(builtin_dir())
    if output == "-":
        typer.echo(text, nl=False)
    else:
        write_atomic(Path(output), text, overwrite=True)
        _info(f"Catalogue written to {output}")


@playbooks_app.command("new")
def playbooks_new(
    playbook: str = typer.Argument(..., help="The new playbook's id (lower-case letters, digits, -)."),
    copy_from: str | None = typer.Option(
        None,
        "--from",
        help="Start from a copy of this playbook.",
        metavar="PLAYBOOK",
        autocompletion=_complete_playbook,
    ),
    folder: Path | None = typer.Option(
        None, "--dir", help="Where to write it; default: the project's playbooks/.", metavar="DIR"
    ),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Write a starter playbook that validates and passes its own examples. Never overwrites."""
    from ..config import load as load_settings
    from ..files import write_atomic
    from ..playbook.catalogue import project_playbook_dirs
    from ..playbook.scaffold import SCHEMA_PATH, new_playbook
    from ..playbook.spec import schema_text

    source = _catalogue(playbooks).find(copy_from).path if copy_from else None
    target = folder or project_playbook_dirs()[0]
    # The modeline points at the project's copy of the schema; it is written if missing so the
    # modeline always resolves.
    settings = load_settings().source
    schema = (settings.parent if settings else Path.cwd()) / SCHEMA_PATH
    written = new_playbook(playbook, target, source, schema)
    if not schema.exists():
        schema.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(schema, schema_text(), overwrite=False)
        _info(f"Schema written to {_shown(schema)} (editors use it to check playbooks)")
    shown = _shown(written)
    _info(f"Playbook written to {shown}")
    _info(f"Next: edit it, then `dealcoach playbooks validate {shown}` and `dealcoach playbooks test {shown}`")


@playbooks_app.command("schema")
def playbooks_schema(
    output: str = typer.Option("-", "--output", "-o", help="Where to write it; - for stdout.", metavar="FILE"),
) -> None:
    """Print the JSON Schema of the playbook format, for editors' YAML support."""
    from ..files import write_atomic
    from ..playbook.spec import schema_text

    if output == "-":
        typer.echo(schema_text(), nl=False)
    else:
        write_atomic(Path(output), schema_text(), overwrite=True)
        _info(f"Schema written to {output}")


@playbooks_app.command("diff")
def playbooks_diff(
    old: Path = typer.Argument(..., help="The old playbook file.", metavar="OLD"),
    new: Path | None = typer.Argument(
        None, help="The new playbook file; default: the installed playbook with the same id.", metavar="NEW"
    ),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Summarise what changed between two versions of a playbook; exit 1 if anything did."""
    from ..playbook.diff import diff_playbooks
    from ..playbook.loader import load

    before = load(old)
    if new is None:
        after, found = before, _previous_version(before, old, playbooks)
        if found is None:  # a new playbook: no version bump to check, nothing to review but itself
            _err(
                f"{old}: a new playbook: it overrides no other and git has no committed version of it, "
                "so there is nothing to compare it with (give two files: OLD NEW)"
            )
            return
        before = found
    else:
        after = load(new)
    result = diff_playbooks(before, after)
    if not result.changed:
        typer.echo("No changes to questions, strategies or rules.")
        return
    for line in result.lines:
        typer.echo(line)
    raise typer.Exit(EXIT_FAILURE)


def _previous_version(current: Any, path: Path, playbooks: list[Path] | None) -> Any:
    """What `playbooks diff FILE` compares FILE with: the playbook it overrides in the layers,
    else the installed one of the same id, else the version committed in git; None if none."""
    from ..playbook.loader import load

    try:
        entry = _catalogue(playbooks).find(current.id)
    except InputError:
        entry = None
    if entry is not None:
        if entry.path.resolve() != path.resolve():
            _info(f"comparing {entry.path} (installed) with {path}")
            return load(entry.path)
        if entry.overrides:
            _info(f"comparing {entry.overrides[0].path} (which it overrides) with {path}")
            return load(entry.overrides[0].path)
    committed = _committed(path)
    if committed is not None:
        _info(f"comparing {path} as committed in git with the file as it is")
    return committed


def _committed(path: Path) -> Any:
    """The playbook at `path` as last committed (git's HEAD), or None outside git or if never committed."""
    import subprocess
    import tempfile

    from ..playbook.loader import load

    folder = path.resolve().parent
    try:
        ran = subprocess.run(
            ["git", "show", f"HEAD:./{path.name}"], cwd=folder, capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):  # no git here
        return None
    if ran.returncode != 0:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / path.name  # same name: a playbook's file name is its id
        old.write_bytes(ran.stdout)
        try:
            return load(old)
        except DealcoachError as exc:
            raise InputError(f"{path}: the committed version does not load: {exc.message}") from None


@app.command("init")
def init(
    folder: Path = typer.Argument(Path("."), help="The folder to set up; default: here."),
) -> None:
    """Set up a folder for a team: playbooks/, reviews/, settings, schema, editor and pre-commit set-up."""
    from ..playbook.scaffold import init_project

    for item in init_project(folder):
        typer.echo(f"{'created' if item.created else 'kept   '}  {item.path}")
    typer.echo("Next: dealcoach playbooks new ID, then `pre-commit install` to check playbooks on every commit.")
