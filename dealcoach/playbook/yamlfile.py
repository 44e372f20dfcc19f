"""Read YAML safely and remember where every value came from.

Playbooks and answers files come from other people's repositories, so reading one must never
construct objects, expand an alias bomb or accept a file of any size. We compose the node tree
with PyYAML's safe (libyaml where present) composer, then build plain Python values ourselves,
which lets us count nodes, bound depth and refuse duplicate keys; the nodes are kept, to give
each value's line and column for error messages.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem
from ..files import collector_paused

try:  # libyaml is several times faster; fall back cleanly where it is not built.
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    # The parser asks for the tag of every scalar, which is a regular-expression match in Python;
    # a file repeats most of its scalars (ids, yes and no, numbers), and a folder of playbooks
    # nearly all. A static method, so that remembering costs no Python call of its own.
    resolve = staticmethod(functools.lru_cache(maxsize=8192)(yaml.resolver.Resolver().resolve))

    # Tags by path are never registered (the remembered tags assume so), and these two calls,
    # made for every node, only keep track of the path for them.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 100_000

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}

PathKey = tuple[Any, ...]


@dataclass
class Located:
    """A YAML document as plain data, and where in its file each key path of it is.

    Positions are looked up in the parsed nodes when asked for, not recorded for every value:
    a valid file is asked for a few, and recording them all was a good part of reading it.
    """

    data: Any
    path: Path
    root: yaml.Node | None = None  # None for an empty document
    offset: int = 0  # lines before the YAML in its file (front matter's opening '---')
    # The node of each mapping and list by key path, with a mapping's keys as built (so a key is
    # found as the data holds it: `1`, `true`, a date).
    containers: dict[PathKey, tuple[yaml.Node, tuple[Any, ...] | None]] = field(default_factory=dict)
    _entries: dict[PathKey, dict[Any, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def where(self, key: PathKey) -> tuple[int, int]:
        """The position of `key`, or of its nearest ancestor that has one."""
        while key:
            node = self._node(key)
            if node is not None:
                return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1
            key = key[:-1]
        if self.root is None:
            return self.offset + 1, 1
        return self.root.start_mark.line + 1 + self.offset, self.root.start_mark.column + 1

    def _node(self, key: PathKey) -> yaml.Node | None:
        """The node at a non-empty `key`: a mapping's value, a list's item, or a mapping key's own
        node (`(*path, name, "<key>")`, more useful than its value's for an unknown key). A mapping
        key literally named `<key>` has no position."""
        if key[-1] == "<key>":
            if len(key) < 2:
                return None
            parent, name, part = key[:-2], key[-2], 0
        else:
            parent, name, part = key[:-1], key[-1], 1
        entries = self._entries_at(parent)
        found = entries.get(name) if entries is not None else None
        if isinstance(found, tuple):  # a mapping's (key node, value node)
            node: yaml.Node = found[part]
            return node
        return found if part else None  # a list's item; a list has no keys

    def _entries_at(self, parent: PathKey) -> dict[Any, Any] | None:
        """The entries of the mapping or list at `parent`, by key or index; None when it has none."""
        entries = self._entries.get(parent)
        if entries is None and parent in self.containers:
            node, keys = self.containers[parent]
            entries = dict(enumerate(node.value)) if keys is None else dict(zip(keys, node.value, strict=True))
            self._entries[parent] = entries
        return entries

    def problem(self, key: PathKey, message: str) -> Problem:
        line, column = self.where(key)
        return Problem(self.path, line, column, message)


_STR = "tag:yaml.org,2002:str"


class _Builder:
    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.offset = offset  # lines before the YAML in its file (front matter's opening '---')
        self.containers: dict[PathKey, tuple[yaml.Node, tuple[Any, ...] | None]] = {}
        self.nodes = 0
        self.collections: set[int] = set()
        self.aliased = False
        self.scalar_loader = _Loader("")

    def fail(self, node: yaml.Node, message: str) -> InputError:
        mark = node.start_mark
        return InputError(message, [Problem(self.path, mark.line + 1 + self.offset, mark.column + 1, message)])

    def check(self, node: yaml.Node, depth: int) -> None:
        """Count the node and refuse it past the limits, or when its tag is not a plain one."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.aliased:
                message = (
                    f"the document expands to more than {MAX_NODES} values; "
                    "aliases that multiply content are not allowed"
                )
            else:  # simply a big file: do not blame aliases it does not have
                message = f"the document holds more than {MAX_NODES} values; split it or trim it"
            raise self.fail(node, message)
        if not isinstance(node, yaml.ScalarNode):
            # An alias is the same node object met again; only collections can multiply content.
            if id(node) in self.collections:
                self.aliased = True
            self.collections.add(id(node))
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels; flatten the structure")
        if node.tag not in _SAFE_TAGS:
            raise self.fail(
                node,
                f"the tag {node.tag!r} is not allowed; playbooks hold plain strings, numbers, lists and mappings",
            )

    def build(self, node: yaml.Node, key: PathKey, depth: int) -> Any:
        self.check(node, depth)
        if isinstance(node, yaml.ScalarNode):
            # Most scalars are text: skip the constructor machinery.
            return node.value if node.tag == _STR else self.scalar_loader.construct_object(node)
        if isinstance(node, yaml.SequenceNode):
            self.containers[key] = (node, None)
            return [self.build(item, (*key, i), depth + 1) for i, item in enumerate(node.value)]
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "merge keys ('<<') are not allowed; write the keys out")
            if isinstance(key_node, yaml.ScalarNode):
                self.check(key_node, depth + 1)
                k = key_node.value if key_node.tag == _STR else self.scalar_loader.construct_object(key_node)
            else:
                k = self.build(key_node, (*key, "<key>"), depth + 1)
            if isinstance(k, (dict, list)):
                raise self.fail(key_node, "a mapping key must be a plain value")
            if k in result:
                raise self.fail(key_node, f"the key {k!r} appears twice in this mapping")
            result[k] = self.build(value_node, (*key, k), depth + 1)
        self.containers[key] = (node, tuple(result))
        return result


def not_utf8(path: Path, exc: UnicodeDecodeError) -> InputError:
    """The line and column of the first byte that is not UTF-8, and what the file probably is."""
    data = exc.object if isinstance(exc.object, bytes) else b""
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    guess = ""
    try:
        data.decode("cp1252")
        guess = " (it looks like Latin-1 or Windows-1252)"
    except UnicodeDecodeError:
        pass
    message = f"not UTF-8 text{guess}; save the file as UTF-8"
    return InputError(message, [Problem(path, line, column, message)])


def parse(text: str, path: Path, first_line: int = 1) -> Located:
    """Parse one YAML document from `text`; `path` is only used in messages, and `first_line` is
    the line of the file that `text` starts on (2 for front matter), so positions are the file's."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError(
            f"{path}: larger than {MAX_BYTES // 1000} kB; split it or trim it",
            [Problem(path, 0, 0, f"larger than {MAX_BYTES // 1000} kB; split it or trim it")],
        )
    # Parsing allocates a node and marks for every value, and data from them: the cycle collector,
    # run meanwhile, would only scan them again and again.
    with collector_paused():
        return _parse(text, path, first_line)


def _parse(text: str, path: Path, first_line: int) -> Located:
    offset = first_line - 1
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "not valid YAML"
        line, column = (mark.line + 1 + offset, mark.column + 1) if mark else (first_line, 1)
        message = f"not valid YAML: {what}; check the indentation and quoting here"
        raise InputError(message, [Problem(path, line, column, message)]) from None
    except yaml.YAMLError as exc:
        message = f"not valid YAML: {exc}"
        raise InputError(message, [Problem(path, first_line, 1, message)]) from None
    if node is None:
        return Located(None, path, offset=offset)
    builder = _Builder(path, offset)
    data = builder.build(node, (), 0)
    return Located(data, path, node, offset, builder.containers)


def read(path: Path) -> Located:
    """Read and parse a YAML file, turning OS and encoding errors into InputError."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            message = f"larger than {MAX_BYTES // 1000} kB ({size} bytes); split it or trim it"
            raise InputError(message, [Problem(path, 0, 0, message)])
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark some editors add is not content
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return parse(text, path)


# The one front-matter splitter: an opening and a closing `---` line, either of which may carry
# trailing spaces, after an optional UTF-8 byte-order mark.
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)
_OPENS = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
FRONT_MATTER_LINE = 2  # the front matter's YAML starts on the line after the opening '---'


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter YAML, body), or (None, text) when `text` does not start with front matter."""
    match = _FRONT.match(text)
    if not match:
        return None, text
    return match.group(1) or "", text[match.end() :]


def opens_front_matter(text: str) -> bool:
    """Whether `text` starts with an opening `---` line (closed or not)."""
    return _OPENS.match(text) is not None


# Line breaks and characters YAML cannot show plainly. Strings holding them are written
# double-quoted, where they are escaped: what a rep typed reads back exactly, and every value
# stays on one line, which simple front-matter readers need.
_NEEDS_QUOTES = frozenset("\x85\u2028\u2029\ufeff") | {chr(c) for c in range(32) if chr(c) != "\t"}


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in _NEEDS_QUOTES for ch in value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """YAML for files dealcoach writes (front matter, sessions): block style, key order kept."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)
