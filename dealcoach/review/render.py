"""Turning a review into Markdown or JSON, with jinja2 templates kept as files in the package.

Templates run in jinja2's sandbox with StrictUndefined, so a team's own template (which may come
from another repository) can neither reach Python internals nor silently print blanks for a
misspelt name.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..playbook import yamlfile
from ..text import md
from .document import Review, front_matter, to_data

TEMPLATES = Path(__file__).parent / "templates"


def sentences(items: list[str]) -> str:
    """Join sentences with '; ' without doubling their full stops."""
    return "; ".join(item.rstrip(" .") for item in items)


def pct(value: float) -> str:
    return f"{round(value * 100)}%"


@lru_cache(maxsize=8)
def _environment(search: tuple[str, ...]) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader(list(search)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["pct"] = pct
    env.filters["sentences"] = sentences
    return env


def render_markdown(review: Review, template: Path | None = None) -> str:
    """The review as Markdown with YAML front matter; `template` replaces the built-in body."""
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

    front = yamlfile.dump(front_matter(review))
    search = (str(template.parent),) if template else (str(TEMPLATES),)
    name = template.name if template else "review.md.j2"
    try:
        body = _environment(search).get_template(name).render(**to_data(review))
    except TemplateSyntaxError as exc:
        path = Path(exc.filename or name)
        raise InputError(
            f"template error: {exc.message}", [Problem(path, exc.lineno or 0, 1, f"template error: {exc.message}")]
        ) from None
    except UndefinedError as exc:
        where = template or TEMPLATES / name
        raise InputError(
            f"{where}: the template uses a name the review does not have: {exc.message}; "
            "see docs/authoring.md for the names a template can use"
        ) from None
    except Exception as exc:  # a team's template failing at run time (sandbox refusal, overflow, ...)
        if template is None and not isinstance(exc, TemplateError):
            raise  # our own template failing is a bug, not bad input
        where = template or TEMPLATES / name
        message = f"the template failed: {type(exc).__name__}: {exc}"
        raise InputError(message, [Problem(where, _template_line(exc, where), 1, message)]) from None
    return f"---\n{front}---\n\n{body.strip()}\n"


def _template_line(exc: BaseException, template: Path) -> int:
    """The template line being run when it failed: jinja2 maps its frames back to the file."""
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(template):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_json(review: Review) -> str:
    data = to_data(review)
    data["front_matter"] = front_matter(review)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
