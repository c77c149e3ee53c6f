"""The flake8 face, through a real flake8 subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from clihelpers import EMPTY_DOWNGRADE, MISSING_DOWNGRADE, make_project, run_cli


def _flake8(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "BKL", *args], cwd=root, capture_output=True, text=True, timeout=300
    )


def test_flake8_agrees_with_the_cli(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "migrations/a1.py": EMPTY_DOWNGRADE,
            "migrations/b2.py": MISSING_DOWNGRADE,
            "app/bad.py": "def f(:\n",
            "app/ok.py": "x = 1\n",
        },
    )
    r = _flake8(root, ".")
    assert r.returncode == 1, r.stderr
    flake = set()
    for line in r.stdout.splitlines():
        m = re.match(r"^\./(.*?):(\d+):(\d+): (BKL\d+) (.*)$", line)
        assert m, line
        flake.add((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)))
    data = json.loads(run_cli("check", "--no-cache", "--output-format", "json", "--ignore", "BKL900", ".", cwd=root).stdout)
    ours = {
        (str(Path(d["filename"]).relative_to(root)), d["location"]["row"], d["location"]["column"], d["code"], d["message"])
        for d in data
    }
    flake_no_syntax = {f for f in flake if f[3] != "BKL900"}
    assert flake_no_syntax == ours
    assert ("migrations/a1.py", 16, 5, "BKL402", "`downgrade()` does nothing") in flake
    assert "Traceback" not in r.stderr


def test_flake8_owns_noqa_and_never_writes(tmp_path: Path) -> None:
    text = EMPTY_DOWNGRADE.replace("def downgrade():", "def downgrade():  # noqa: BKL402")
    # n.py revises m.py (two copies of one revision would be a BKL405 duplicate id)
    child = EMPTY_DOWNGRADE.replace('"a1"', '"b2"').replace("down_revision = None", 'down_revision = "a1"')
    root = make_project(tmp_path, {"m.py": text, "n.py": child})
    before = {p.name: p.read_bytes() for p in root.glob("*.py")}
    r = _flake8(root, ".")
    assert "m.py" not in r.stdout and "n.py:16:5: BKL402" in r.stdout
    assert {p.name: p.read_bytes() for p in root.glob("*.py")} == before
    r = _flake8(root, "--disable-noqa", ".")
    assert "m.py:16:5: BKL402" in r.stdout
    assert "BKL901" not in r.stdout


def test_plugin_is_registered() -> None:
    r = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "backend-lint" in r.stdout


def test_memos_primed_only_when_flake8_forks_workers(tmp_path: Path) -> None:
    """The parent primes the screens' project memos (``Workspace.preload(prime=True)``) only when flake8
    will fork workers that share them: more than one job and a directory or several paths."""
    from argparse import Namespace

    from flake8.main.options import JobsArgument

    from backend_lint.faces.flake8_plugin import _pooled

    (tmp_path / "a.py").write_text("x = 1\n")
    one_file, directory = [str(tmp_path / "a.py")], [str(tmp_path)]
    assert _pooled(Namespace(jobs=JobsArgument("2")), directory)
    assert _pooled(Namespace(jobs=JobsArgument("2")), one_file * 2)
    assert not _pooled(Namespace(jobs=JobsArgument("2")), one_file)
    assert not _pooled(Namespace(jobs=JobsArgument("1")), directory)
    assert _pooled(Namespace(jobs=JobsArgument("auto")), directory) == ((os.cpu_count() or 1) > 1)
    assert not _pooled(Namespace(), directory)
