"""Turning a review into Markdown or JSON, with jinja2 templates kept as files in the package.

Templates run in jinja2's sandbox with StrictUndefined, so a team's own template (which may come
from another repository) can neither reach Python internals nor silently print blanks for a
misspelt name.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..playbook import yamlfile
from ..text import md
from .document import front_matter, to_data
from .model import Review

TEMPLATES = Path(__file__).parent / "templates"


def sentences(items: list[str]) -> str:
    """Join sentences with '; ' without doubling their full stops."""
    return "; ".join(item.rstrip(" .") for item in items)


def pct(value: float) -> str:
    return f"{round(value * 100)}%"


# A team's template comes from a repository, like its playbooks: it may not run for minutes or
# take gigabytes. The sandbox already refuses Python internals and ranges over 100,000 items; on
# top of that, text and lists are never repeated with `*`, no value a template builds nor the
# body it writes may pass MAX_OUTPUT characters, no call may ask for a size past MAX_ARGUMENT,
# and rendering stops after MAX_SECONDS.
MAX_OUTPUT = 1_000_000
MAX_ARGUMENT = 100_000
MAX_SECONDS = 3


class TemplateLimit(Exception):
    """A template went past one of the limits above; the message says which."""


def _sized(value: Any) -> Any:
    if isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_OUTPUT:
        raise TemplateLimit(f"the template builds text larger than {MAX_OUTPUT // 1000} kB")
    return value


def _check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise TemplateLimit(f"the template asks for a size of {value}; at most {MAX_ARGUMENT}")


def _guarded_filter(function: Any) -> Any:
    import functools

    @functools.wraps(function)  # keeps jinja2's pass_context / pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[1:], kwargs)
        return _sized(function(*args, **kwargs))

    return guarded


def _environment_class() -> Any:
    """The sandbox with the limits above: built on first use, jinja2 is imported lazily."""
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import SandboxedEnvironment

    class LimitedCode(CodeGenerator):
        def visit_Concat(self, node: Any, frame: Any) -> None:
            # `a ~ b` joins through the environment, which checks the size first.
            self.write("environment.joined((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class Limited(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+", "%"})
        code_generator_class = LimitedCode

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            sequences = (str, list, tuple)
            if operator == "*" and (isinstance(left, sequences) or isinstance(right, sequences)):
                raise TemplateLimit("the template repeats text or a list with *, which templates do not allow")
            if operator == "%" and isinstance(left, str):
                raise TemplateLimit("the template formats text with %, which templates do not allow")
            if operator == "**" and _huge_power(left, right):
                raise TemplateLimit("the template raises a number to a power too large")
            if operator == "+" and isinstance(left, sequences) and isinstance(right, sequences):
                _sized(range(len(left) + len(right)))
            return _sized(super().call_binop(context, operator, left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            if __obj is not __self.globals.get("range"):  # the sandbox bounds ranges itself
                _check_arguments(args, kwargs)
            return _sized(super().call(__context, __obj, *args, **kwargs))

        def joined(self, parts: tuple[Any, ...]) -> str:
            texts = [str(part) for part in parts]
            if sum(map(len, texts)) > MAX_OUTPUT:
                raise TemplateLimit(f"the template builds text larger than {MAX_OUTPUT // 1000} kB")
            return "".join(texts)

    return Limited


def _huge_power(base: Any, exponent: Any) -> bool:
    import math

    if not isinstance(exponent, (int, float)) or not isinstance(base, (int, float)):
        return False
    if abs(base) <= 1 or exponent <= 0:
        return False
    return exponent * math.log2(abs(base)) > 4096


@lru_cache(maxsize=8)
def _environment(search: tuple[str, ...]) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined

    env = _environment_class()(
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
    for name, function in list(env.filters.items()):
        env.filters[name] = _guarded_filter(function)
    return env


def _render_limited(template: Any, data: dict[str, Any]) -> str:
    """Render, stopping once the body passes MAX_OUTPUT characters or MAX_SECONDS have gone."""
    parts: list[str] = []
    size = 0
    with _time_limit(MAX_SECONDS):
        for chunk in template.generate(**data):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateLimit(f"the template's output is larger than {MAX_OUTPUT // 1000} kB")
            parts.append(chunk)
    return "".join(parts)


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the render after `seconds` with a timer signal; where there is none (Windows, a
    worker thread) the size limits still hold."""
    import signal
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_markdown(review: Review, template: Path | None = None) -> str:
    """The review as Markdown with YAML front matter; `template` replaces the built-in body."""
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

    front = yamlfile.dump(front_matter(review))
    search = (str(template.parent),) if template else (str(TEMPLATES),)
    name = template.name if template else "review.md.j2"
    try:
        body = _render_limited(_environment(search).get_template(name), to_data(review))
    except _TooSlow:
        where = template or TEMPLATES / name
        message = f"the template took longer than {MAX_SECONDS} s to render"
        raise InputError(f"{where}: {message}", [Problem(where, 0, 0, message)]) from None
    except TemplateLimit as exc:
        where = template or TEMPLATES / name
        message = str(exc)
        raise InputError(message, [Problem(where, _template_line(exc, where), 1, message)]) from None
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
