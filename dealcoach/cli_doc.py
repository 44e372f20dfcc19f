"""The command reference, docs/cli.md, generated from the command tree itself.

`python -m dealcoach.cli_doc > docs/cli.md` writes it; a test fails when the file and the app
differ, so --help and the reference never drift apart.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

HEADER = """\
# Command reference

Generated from dealcoach's own command definitions by `python -m dealcoach.cli_doc`; a test keeps
it in sync. Every command also takes `-h`/`--help`. The root options (`--quiet`, `--verbose`,
`--debug`, `--color`) may be given before or after the command.
"""


def _commands(cmd: Any, chain: list[tuple[str, Any]]) -> list[list[tuple[str, Any]]]:
    """Every command, as the chain of (name, command) from the root down to it."""
    found = [chain]
    for name, sub in getattr(cmd, "commands", {}).items():
        if not sub.hidden:
            found += _commands(sub, [*chain, (name, sub)])
    return found


def _text(help_text: str) -> str:
    """Help text as Markdown: placeholders such as <stdin> in code, not read as HTML."""
    return re.sub(r"(?<!`)(<[^<>\s]+>)(?!`)", r"`\1`", help_text)


def reference_markdown() -> str:
    """Every command: usage, what it does, arguments and options with choices, defaults, env vars."""
    import typer._click as click_compat  # typer's own click: the same one that parses the line

    from .cli import command

    root = command()
    sections = [HEADER]
    for chain in _commands(root, [("dealcoach", root)]):
        ctx = None
        for name, level in chain:
            ctx = click_compat.Context(level, info_name=name, parent=ctx)
        assert ctx is not None
        path = [name for name, _ in chain]
        cmd = chain[-1][1]
        lines = [f"## `{' '.join(path)}`", "", "```text", cmd.get_usage(ctx).strip(), "```", ""]
        if cmd.help:
            lines += [_text(inspect.cleandoc(cmd.help)), ""]
        arguments = [p for p in cmd.params if p.param_type_name == "argument"]
        options = [p for p in cmd.params if p.param_type_name == "option" and p.name != "help"]
        if arguments:
            lines += ["Arguments:", ""]
            for param in arguments:
                record = param.get_help_record(ctx)
                if record:
                    lines.append(f"- `{record[0]}`: {_text(record[1])}")
            lines.append("")
        records = [r for r in (p.get_help_record(ctx) for p in options) if r]
        if records:
            lines += ["Options:", ""]
            lines += [f"- `{names}`: {_text(text)}" for names, text in records]
            lines.append("")
        subs = [(name, sub) for name, sub in getattr(cmd, "commands", {}).items() if not sub.hidden]
        if subs:
            lines += ["Commands:", ""]
            lines += [f"- `{name}`: {sub.get_short_help_str(limit=200)}" for name, sub in subs]
            lines.append("")
        sections.append("\n".join(lines))
    return "\n".join(sections).rstrip("\n") + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference_markdown())
