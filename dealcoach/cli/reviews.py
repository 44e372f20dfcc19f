"""Commands over review files: export (CSV, JSON Lines, SQLite) and check (front matter).

Registered on the main app by cli.py; the work is done in export.py.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from ..errors import EXIT_BAD_INPUT, InputError
from .app import _info, _shown, app
from .history import FOLDER_ARGUMENT, _folder, _scan

reviews_app = typer.Typer(
    help="Review files: export them for other tools, check their front matter.", no_args_is_help=True
)
app.add_typer(reviews_app, name="reviews")


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    sqlite = "sqlite"


@reviews_app.command("export")
def reviews_export(
    folder: Path | None = FOLDER_ARGUMENT,
    fmt: ExportFormat = typer.Option(
        "csv", "--format", "-f", help="csv or jsonl (one row per review), sqlite (tables reviews, answers, flags)."
    ),
    output: str = typer.Option(
        "-", "--output", "-o", help="Where to write; - for stdout (not for sqlite).", metavar="FILE"
    ),
) -> None:
    """Every review as one row: deal, date, playbook, recommendation, confidence, flags, gaps, path, participant."""
    from ..files import write_atomic
    from ..history.export import to_csv, to_jsonl, to_sqlite

    if fmt == "sqlite" and output == "-":
        raise InputError("--format sqlite writes a database file; give it a name with --output FILE")
    result = _scan(_folder(folder))
    records = result.records
    if fmt == "sqlite":
        written = to_sqlite(records, Path(output))
        _info(f"{len(records)} review(s) exported to {_shown(written)}")
        return
    text = to_csv(records) if fmt == "csv" else to_jsonl(records)
    if output == "-":
        typer.echo(text, nl=False)
    else:
        write_atomic(Path(output), text, overwrite=True)
        _info(f"{len(records)} review(s) exported to {_shown(Path(output))}")


@reviews_app.command("check")
def reviews_check(
    targets: list[Path] | None = typer.Argument(
        None, help="Review files or folders; default: the reviews folder.", metavar="REVIEW_OR_FOLDER..."
    ),
) -> None:
    """Check reviews' front matter (as the pre-commit hook does); path:line:col: message; exit 2 if any."""
    from ..history.export import front_matter_problems
    from ..history.records import review_files

    files: list[Path] = []
    for target in targets or [_folder(None)]:
        if target.is_dir():
            files.extend(review_files(target))
        elif target.is_file():
            files.append(target)
        else:
            raise InputError(f"{target}: no such file or folder")
    problems = [p for path in files for p in front_matter_problems(path)]
    for problem in problems:
        typer.echo(str(problem))
    _info(f"{len(files)} review(s) checked, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(EXIT_BAD_INPUT)
