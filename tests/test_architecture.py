"""The arrows of DESIGN.md's "The shape", held by the import-linter contracts in pyproject.toml.

faces -> engine -> rules -> knowledge -> ground -> values (a layers contract); only faces import click or
flake8; knowledge imports nothing of values (it returns facts and findings, rules build ``Edit``/``Fix``).
The check runs the installed import-linter on the installed package, in a subprocess (it imports the
package to find its files), and fails with import-linter's own report.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYPROJECT = os.path.join(ROOT, "pyproject.toml")

pytest.importorskip("importlinter")

_RUN = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filenames=(sys.argv[1],), no_cache=True, no_logo=True))\n"
)


def test_the_import_contracts_are_kept() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, PYPROJECT], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, "import-linter contracts broken:\n" + proc.stdout + proc.stderr


def test_every_contract_is_declared() -> None:
    """The three kinds of contract the design names are all there (a deleted contract would pass silently)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    with open(PYPROJECT, "rb") as fh:
        config = tomllib.load(fh)["tool"]["importlinter"]
    assert config["root_package"] == "backend_lint"
    contracts = {c["id"]: c for c in config["contracts"]}
    assert contracts["layers"]["type"] == "layers"
    assert contracts["layers"]["layers"] == [
        "backend_lint.faces",
        "backend_lint.engine",
        "backend_lint.rules",
        "backend_lint.knowledge",
        "backend_lint.ground",
        "backend_lint.values",
    ]
    below_faces = contracts["no-click-below-faces"]
    assert below_faces["type"] == "forbidden"
    assert set(below_faces["forbidden_modules"]) == {"click", "flake8"}
    assert "backend_lint.faces" not in below_faces["source_modules"]
    assert contracts["knowledge-builds-no-fixes"]["forbidden_modules"] == ["backend_lint.values"]
