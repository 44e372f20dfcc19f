"""Commands for playbooks: list, validate, test, show, docs, new, schema, diff; and `init`.

Registered on the main app by cli.py; a thin layer over store.py, checking.py, examples.py,
scaffold.py, playbook_diff.py and catalogue_doc.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from .cli import (
    PLAYBOOKS_OPTION,
    _catalogue,
    _complete_playbook,
    _console,
    _err,
    _shown,
    app,
    playbooks_app,
)
from .errors import EXIT_BAD_INPUT, EXIT_FAILURE, DealcoachError, InputError


@playbooks_app.command("list")
def playbooks_list(
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Show the playbooks available here, where each file is, and which override others."""
    import json

    from .playbook import load_cached

    cat = _catalogue(playbooks)
    rows = []
    for pid in cat.ids():
        entry = cat.entries[pid]
        try:  # the cached, validated playbook: fast, and a broken file is named here, not mid-review
            title = load_cached(entry.path).title
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


TARGETS_ARGUMENT = typer.Argument(None, help="Playbook files or folders; default: all visible playbooks.")


def _playbook_targets(targets: list[Path] | None, playbooks: list[Path] | None) -> list[Path]:
    """The files named (folders expanded), or every playbook visible from here."""
    from .store import playbook_files

    return playbook_files(targets) if targets else [e.path for e in _catalogue(playbooks).entries.values()]


@playbooks_app.command("validate")
def playbooks_validate(
    targets: list[Path] | None = TARGETS_ARGUMENT,
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Check playbooks; print path:line:col: message for each problem; exit 2 if any."""
    import json

    from .checking import check_files

    files = _playbook_targets(targets, playbooks)
    problems = [problem for found in check_files(files) for problem in found]
    if fmt == "json":
        typer.echo(json.dumps({"files": len(files), "problems": [_problem_dict(p) for p in problems]}, indent=2))
    else:
        for p in problems:
            typer.echo(str(p))
        _err(f"{len(files)} playbook(s) checked, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(EXIT_BAD_INPUT)


def _problem_dict(problem: Any) -> dict[str, Any]:
    if isinstance(problem, str):
        return {"path": "", "line": 0, "column": 0, "message": problem}
    return problem.as_dict()


@playbooks_app.command("test")
def playbooks_test(
    targets: list[Path] | None = TARGETS_ARGUMENT,
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Run each playbook's examples; show what differs when an outcome changes; exit 2 on failure."""
    import json

    from .examples import run_examples
    from .playbook import load

    files = _playbook_targets(targets, playbooks)
    failed = 0
    total = 0
    report: list[dict[str, Any]] = []
    for path in sorted(files):
        try:
            pb = load(path)
        except DealcoachError as exc:
            failed += 1
            report.append({"path": str(path), "problems": exc.lines(), "examples": []})
            if fmt != "json":
                for line in exc.lines():
                    typer.echo(line)
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
    _err(f"{total} example(s) in {len(files)} playbook(s), {failed} failed")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@playbooks_app.command("show")
def playbooks_show(
    playbook: str = typer.Argument(..., help="Playbook id.", autocompletion=_complete_playbook),
    markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown source instead of formatting it."),
    no_color: bool = typer.Option(False, "--no-color", help="No colours."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """A readable page for one playbook: situation, questions, strategies and their coaching."""
    from .catalogue_doc import playbook_page
    from .workflow import load_playbook

    pb = load_playbook(_catalogue(playbooks), playbook)
    page = playbook_page(pb)
    if markdown or not sys.stdout.isatty():
        typer.echo(page)
        return
    from rich.markdown import Markdown

    _console(no_color).print(Markdown(page))


@playbooks_app.command("docs")
def playbooks_docs(
    output: str = typer.Option("-", "--output", "-o", help="Where to write the catalogue; - for stdout."),
) -> None:
    """Write the catalogue of built-in playbooks (docs/playbooks.md is made with this)."""
    from .catalogue_doc import catalogue_markdown
    from .review import write_atomic
    from .store import builtin_dir

    text = catalogue_markdown(builtin_dir())
    if output == "-":
        typer.echo(text, nl=False)
    else:
        write_atomic(Path(output), text, overwrite=True)
        _err(f"Catalogue written to {output}")


@playbooks_app.command("new")
def playbooks_new(
    playbook: str = typer.Argument(..., help="The new playbook's id (lower-case letters, digits, -)."),
    copy_from: str | None = typer.Option(
        None, "--from", help="Start from a copy of this playbook.", autocompletion=_complete_playbook
    ),
    folder: Path | None = typer.Option(None, "--dir", help="Where to write it; default: the project's playbooks/."),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Write a starter playbook that validates and passes its own examples. Never overwrites."""
    from .scaffold import new_playbook
    from .store import project_playbook_dirs

    source = _catalogue(playbooks).find(copy_from).path if copy_from else None
    target = folder or project_playbook_dirs()[0]
    written = new_playbook(playbook, target, source)
    shown = _shown(written)
    _err(f"Playbook written to {shown}")
    _err(f"Next: edit it, then `dealcoach playbooks validate {shown}` and `dealcoach playbooks test {shown}`")


@playbooks_app.command("schema")
def playbooks_schema(
    output: str = typer.Option("-", "--output", "-o", help="Where to write it; - for stdout."),
) -> None:
    """Print the JSON Schema of the playbook format, for editors' YAML support."""
    from .review import write_atomic
    from .spec import schema_text

    if output == "-":
        typer.echo(schema_text(), nl=False)
    else:
        write_atomic(Path(output), schema_text(), overwrite=True)
        _err(f"Schema written to {output}")


@playbooks_app.command("diff")
def playbooks_diff(
    old: Path = typer.Argument(..., help="The old playbook file.", metavar="OLD"),
    new: Path | None = typer.Argument(
        None, help="The new playbook file; default: the installed playbook with the same id.", metavar="NEW"
    ),
    playbooks: list[Path] | None = PLAYBOOKS_OPTION,
) -> None:
    """Summarise what changed between two versions of a playbook; exit 1 if anything did."""
    from .playbook import load
    from .playbook_diff import diff_playbooks

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
    from .playbook import load

    try:
        entry = _catalogue(playbooks).find(current.id)
    except InputError:
        entry = None
    if entry is not None:
        if entry.path.resolve() != path.resolve():
            _err(f"comparing {entry.path} (installed) with {path}")
            return load(entry.path)
        if entry.overrides:
            _err(f"comparing {entry.overrides[0].path} (which it overrides) with {path}")
            return load(entry.overrides[0].path)
    committed = _committed(path)
    if committed is not None:
        _err(f"comparing {path} as committed in git with the file as it is")
    return committed


def _committed(path: Path) -> Any:
    """The playbook at `path` as last committed (git's HEAD), or None outside git or if never committed."""
    import subprocess
    import tempfile

    from .playbook import load

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
    """Set up a folder for a team: playbooks/, reviews/, settings, pre-commit hooks, a README section."""
    from .scaffold import init_project

    for item in init_project(folder):
        typer.echo(f"{'created' if item.created else 'kept   '}  {item.path}")
    typer.echo("Next: dealcoach playbooks new ID, then `pre-commit install` to check playbooks on every commit.")
