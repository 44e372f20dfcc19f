"""Install the lowest versions pyproject.toml allows for dealcoach's dependencies, then run tests.

Each runtime dependency is pinned to its floor (`name>=X` becomes `name==X`) through a pip
constraints file; everything they depend on in turn resolves as usual. If the suite passes here,
the floors are true. Usage: python3 .ci/lowest.py VENV [PYTEST ARGS...]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def floors(pyproject: Path) -> list[str]:
    """`name==floor` for every runtime dependency with a `>=` bound."""
    deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = []
    for dep in deps:
        requirement = dep.split(";")[0]
        found = re.match(r"\s*([A-Za-z0-9_.\-]+)[^;]*?>=\s*([0-9][^,\s]*)", requirement)
        if found is None:
            sys.exit(f"lowest: {dep!r} has no >= floor; give every dependency one")
        pins.append(f"{found.group(1)}=={found.group(2)}")
    return pins


def main() -> int:
    venv = Path(sys.argv[1])
    pins = floors(ROOT / "pyproject.toml")
    constraints = venv.with_name(venv.name + "-constraints.txt")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "-c", str(constraints), "-e", f"{ROOT}[test]"], check=True)
    installed = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    wanted = {p.split("==")[0].lower().replace("_", "-") for p in pins}
    for line in installed.splitlines():
        if line.split("==")[0].lower().replace("_", "-") in wanted:
            print(f"lowest: {line}", file=sys.stderr)
    return subprocess.run([python, "-m", "pytest", *sys.argv[2:]], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
