"""The command reference, docs/cli.md, generated from the command tree itself.

`python -m dealcoach.cli.reference > docs/cli.md` writes it; a test fails when the file and the app
differ, so --help and the reference never drift apart.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

HEADER = """\
# Command reference

Generated from dealcoach's own command definitions by `python -m dealcoach.cli.reference`; a test keeps
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


def _placeholder(param: Any) -> str:
    """An option's value as click writes it: `[a|b]` for choices, else its (upper-case) metavar."""
    choices = getattr(param.type, "choices", None)
    if choices:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
    return str(param.metavar or "VALUE")


def _extras(param: Any) -> str:
    """The bracketed notes after an option's help: environment variable, default, required."""
    notes = []
    if getattr(param, "show_envvar", False) and param.envvar:
        notes.append(f"env var: {param.envvar}")
    default = param.default
    flag = getattr(param, "is_flag", False)
    if param.show_default is not False and default not in (None, False, [], ()) and not flag:
        notes.append(f"default: {getattr(default, 'value', default)}")
    if param.required:
        notes.append("required")
    return _text(f"  [{'; '.join(notes)}]") if notes else ""


def _usage(path: list[str], cmd: Any) -> str:
    pieces = [*path, "[OPTIONS]"]
    for param in cmd.params:
        if param.param_type_name == "argument":
            pieces.append(param.metavar if param.required else f"[{param.metavar}]")
    if getattr(cmd, "commands", None):
        pieces += ["COMMAND", "[ARGS]..."]
    return "Usage: " + " ".join(pieces)


def reference_markdown() -> str:
    """Every command: usage, what it does, arguments and options with choices, defaults, env vars.

    Written from the parameters themselves rather than typer's help formatter, whose layout
    changes between the typer versions dealcoach supports.
    """
    from .app import command

    root = command()
    sections = [HEADER]
    for chain in _commands(root, [("dealcoach", root)]):
        path = [name for name, _ in chain]
        cmd = chain[-1][1]
        lines = [f"## `{' '.join(path)}`", "", "```text", _usage(path, cmd), "```", ""]
        if cmd.help:
            lines += [_text(inspect.cleandoc(cmd.help)), ""]
        arguments = [p for p in cmd.params if p.param_type_name == "argument"]
        options = [p for p in cmd.params if p.param_type_name == "option" and not p.hidden and p.name != "help"]
        if arguments:
            lines += ["Arguments:", ""]
            lines += [f"- `{p.metavar}`: {_text(p.help or '')}{_extras(p)}" for p in arguments]
            lines.append("")
        if options:
            lines += ["Options:", ""]
            for param in options:
                names = ", ".join(sorted(param.opts, key=len))  # -f, --format
                if not getattr(param, "is_flag", False):
                    names += f" {_placeholder(param)}"
                lines.append(f"- `{names}`: {_text(param.help or '')}{_extras(param)}")
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
