"""What the package says about itself: dependency floors, licence, version, supported Pythons."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import dealcoach

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lowest() -> object:
    spec = importlib.util.spec_from_file_location("lowest", ROOT / ".ci" / "lowest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_dependency_has_a_floor_the_lowest_run_pins() -> None:
    pins = dict(p.split("==") for p in _lowest().floors(ROOT / "pyproject.toml"))  # type: ignore[attr-defined]
    assert len(pins) == len(PYPROJECT["project"]["dependencies"])
    # The sandbox escapes fixed in 3.1.5 and 3.1.6 matter: other teams' playbooks run in it.
    assert tuple(map(int, pins["jinja2"].split("."))) >= (3, 1, 6)
    assert int(pins["prompt_toolkit"].split(".")[0]) >= 3
    assert "tomli" not in pins


def test_the_typer_cap_is_kept_and_explained() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"typer>=0.26,<0.29"' in text
    assert re.search(r"#.*typer 0\.29.*\n(\s*#.*\n)*\s*\"typer", text), "the reason for the cap sits above it"


def test_python_floor_and_classifiers_agree() -> None:
    project = PYPROJECT["project"]
    assert project["requires-python"] == ">=3.11"
    versioned = r"Programming Language :: Python :: 3\.\d+"
    minors = sorted(int(c.rsplit(".", 1)[1]) for c in project["classifiers"] if re.fullmatch(versioned, c))
    assert minors[0] == 11
    assert sys.version_info >= (3, 11)


def test_the_version_is_written_once() -> None:
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "dealcoach/version.py"
    ran = subprocess.run([sys.executable, "-m", "dealcoach", "--version"], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == f"dealcoach {dealcoach.__version__}"


def test_sdist_and_wheel_ship_the_licence(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    (sdist,) = tmp_path.glob("*.tar.gz")
    (wheel,) = tmp_path.glob("*.whl")
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/LICENSE") for name in archive.getnames())
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert f"Version: {dealcoach.__version__}" in metadata
    assert "License-Expression: MIT" in metadata
    assert "Requires-Python: >=3.11" in metadata


def test_the_lowest_run_refuses_a_dependency_without_a_floor(tmp_path: Path) -> None:
    import pytest

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["rich>=13.8", "pyyaml"]\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="pyyaml"):
        _lowest().floors(pyproject)  # type: ignore[attr-defined]
    pyproject.write_text('[project]\ndependencies = ["typer>=0.26,<0.29", "b>=1; python_version>\'3\'"]\n')
    assert _lowest().floors(pyproject) == ["typer==0.26", "b==1"]  # type: ignore[attr-defined]
