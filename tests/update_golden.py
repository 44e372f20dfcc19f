"""Regenerate every golden file the tests compare with, in one go:

    python tests/update_golden.py          # rewrite them
    python tests/update_golden.py --check  # only say which ones differ (exit 1 if any)

The golden files are the exact text a user sees: broken-input messages, example reviews (the
casebook's included), the playbook catalogue, the JSON Schema, the key reference in
docs/authoring.md and the command reference in docs/cli.md. Rewriting them is a deliberate act:
read the diff before committing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, state: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEALCOACH_")}
    env.update(
        {
            "DEALCOACH_TODAY": "2026-11-25",
            "DEALCOACH_STATE_DIR": str(state / "state"),
            "DEALCOACH_CACHE_DIR": str(state / "cache"),
            "DEALCOACH_CONFIG_DIR": str(state / "config"),
            "NO_COLOR": "1",
            "COLUMNS": "100",
        }
    )
    return subprocess.run([sys.executable, "-m", "dealcoach", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def broken_playbooks(state: Path) -> str:
    ran = _run("playbooks", "validate", "tests/broken/playbooks", state=state)
    return "".join(line + "\n" for line in sorted(ran.stdout.splitlines()))


def broken_answers(state: Path) -> str:
    out = []
    for path in sorted((ROOT / "tests" / "broken" / "answers").glob("*.yaml")):
        ran = _run("review", "--answers", f"tests/broken/answers/{path.name}", "--output", "-", state=state)
        out.append(f"== {path.name}\n" + "".join(line + "\n" for line in ran.stderr.splitlines()))
    return "".join(out)


def example_review(answers: Path) -> Callable[[Path], str]:
    def render(state: Path) -> str:
        ran = _run("review", "--answers", str(answers.relative_to(ROOT)), "--output", "-", state=state)
        if ran.returncode != 0:
            raise SystemExit(f"{answers}: {ran.stderr.strip()}")
        return ran.stdout

    return render


def catalogue(state: Path) -> str:
    from dealcoach.playbook.pages import catalogue_markdown

    return catalogue_markdown(ROOT / "playbooks")


def schema(state: Path) -> str:
    from dealcoach.playbook.spec import schema_text

    return schema_text()


def authoring(state: Path) -> str:
    from dealcoach.playbook.spec import reference_markdown

    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    head, rest = text.split("<!-- keys:start -->\n", 1)
    tail = rest.split("<!-- keys:end -->", 1)[1]
    return head + "<!-- keys:start -->\n" + reference_markdown() + "<!-- keys:end -->" + tail


def cli_reference(state: Path) -> str:
    from dealcoach.cli.reference import reference_markdown

    return reference_markdown()


def targets() -> dict[Path, Callable[[Path], str]]:
    found: dict[Path, Callable[[Path], str]] = {
        ROOT / "tests" / "broken" / "playbooks.expected": broken_playbooks,
        ROOT / "tests" / "broken" / "answers.expected": broken_answers,
        ROOT / "docs" / "playbooks.md": catalogue,
        ROOT / "schema" / "playbook.schema.json": schema,
        ROOT / "docs" / "authoring.md": authoring,
        ROOT / "docs" / "cli.md": cli_reference,
    }
    for answers in sorted((ROOT / "examples" / "answers").glob("*.yaml")):
        found[ROOT / "examples" / "reviews" / f"{answers.stem}.md"] = example_review(answers)
    # The casebook's reviews, as dealcoach writes them from each case's answers (read beside its key).
    for answers in sorted((ROOT / "examples" / "casebook").glob("cb-*/answers*.yaml")):
        name = "review" + answers.stem.removeprefix("answers") + ".md"
        found[answers.parent / name] = example_review(answers)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the golden files the tests compare with.")
    parser.add_argument("--check", action="store_true", help="only list the files that differ")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    differ = []
    with tempfile.TemporaryDirectory() as scratch:
        for path, make in targets().items():
            text = make(Path(scratch))
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if text != old:
                differ.append(path.relative_to(ROOT))
                if not args.check:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
    for path in differ:
        print(f"{'differs' if args.check else 'updated'}: {path}")
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    sys.exit(main())
