"""The package's layers: `cli → history → review → playbook → shared modules`, nothing imports
upward, nothing imports `cli`, and there are no import cycles.

Imports are read from the source (module level, inside functions and under `if TYPE_CHECKING:`
alike), so an import hidden in a function or behind the type checker to dodge a cycle is caught
too: a cycle that only the type checker sees still means two modules that cannot be read apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .helpers import ROOT

PACKAGE = ROOT / "dealcoach"
LAYERS = {"cli": 4, "history": 3, "review": 2, "playbook": 1}
SHARED = 0  # errors, config, files, text, version: small modules every layer may use


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    parts = module.split(".")
    if module == "dealcoach" or parts[1:2] == ["__main__"]:
        return 5  # the public API and `python -m dealcoach` sit on top
    return LAYERS.get(parts[1], SHARED)


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> list[str]:
    """Every dealcoach module `path` imports, wherever the import sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path, root)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    found: list[str] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            for alias in node.names:
                full = f"{stem}.{alias.name}"
                targets.append(full if full in modules else stem)
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        found.extend(target for target in targets if target in modules and target != me)
    return found


def graph(package: Path = PACKAGE, root: Path = ROOT) -> dict[str, list[str]]:
    paths = {module_name(p, root): p for p in package.rglob("*.py")}
    return {name: imports_of(path, set(paths), root) for name, path in paths.items()}


def cycles(imports: dict[str, list[str]]) -> list[str]:
    """Each import cycle found by a depth-first walk, as `a -> b -> a`."""
    edges = {m: sorted(set(ts)) for m, ts in imports.items()}
    found: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                found.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def test_nothing_imports_upward_or_the_cli() -> None:
    wrong = []
    for module, targets in graph().items():
        for target in targets:
            if target.startswith("dealcoach.cli") and not module.startswith("dealcoach.cli") and layer(module) < 5:
                wrong.append(f"{module} imports {target}: nothing imports the CLI")
            elif layer(target) > layer(module):
                wrong.append(f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})")
    assert wrong == []


def test_there_are_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_the_walk_sees_imports_inside_functions_and_under_type_checking(tmp_path: Path) -> None:
    source = tmp_path / "dealcoach" / "playbook" / "thing.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..review import scoring\n"
        "def f():\n    from ..cli.app import app\n    return app\n"
    )
    modules = {"dealcoach.cli.app", "dealcoach.review.scoring", "dealcoach.playbook.thing"}
    assert sorted(imports_of(source, modules, tmp_path)) == ["dealcoach.cli.app", "dealcoach.review.scoring"]


def test_a_cycle_only_the_type_checker_sees_is_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "dealcoach" / "review"
    package.mkdir(parents=True)
    (package / "plan.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .document import Review\n"
    )
    (package / "document.py").write_text("from .plan import call_plan\n")
    assert cycles(graph(tmp_path / "dealcoach", tmp_path)) == [
        "dealcoach.review.document -> dealcoach.review.plan -> dealcoach.review.document"
    ]
