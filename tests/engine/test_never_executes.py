"""The linted code is never imported or run, by any face (CLI, index, fixes, flake8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clihelpers import EMPTY_DOWNGRADE, make_project, run_cli

TRAP = """import pathlib
pathlib.Path({marker!r}).write_text("executed {name}")
raise SystemExit("imported {name}")
"""


def _trapped_project(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "MARKER"
    files = {}
    for name in ("app/__init__.py", "app/models.py", "app/deps.py", "app/api/routes.py", "conftest.py", "setup.py",
                 "migrations/env.py", "app/sitecustomize.py"):
        files[name] = TRAP.format(marker=str(marker), name=name)
    files["app/models.py"] += (
        "from sqlmodel import SQLModel, Field\n"
        "from datetime import datetime\n"
        "class Item(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n"
        "    owner_id: int\n"
        "    created_at: datetime = Field(default_factory=datetime.utcnow)\n"
    )
    files["migrations/versions/a1.py"] = TRAP.format(marker=str(marker), name="a1") + EMPTY_DOWNGRADE
    root = make_project(tmp_path, files, pyproject='[tool.backend-lint]\n[project]\nname = "trap"\n')
    return root, marker


def test_cli_check_fix_and_index_never_run_the_code(tmp_path: Path) -> None:
    root, marker = _trapped_project(tmp_path)
    for args in (("check", "--no-cache", "."), ("check", "--fix", "--unsafe-fixes", "."), ("check", "--diff", "."),
                 ("check", "--jobs", "2", "."), ("check", "--output-format", "sarif", ".")):
        r = run_cli(*args, cwd=root)
        assert b"Traceback" not in r.stderr, r.stderr
        assert not marker.exists(), f"{args} executed linted code: {marker.read_text()}"


def test_flake8_never_runs_the_code(tmp_path: Path) -> None:
    root, marker = _trapped_project(tmp_path)
    subprocess.run([sys.executable, "-m", "flake8", "--select", "BKL", "."], cwd=root, capture_output=True, timeout=300)
    assert not marker.exists()
