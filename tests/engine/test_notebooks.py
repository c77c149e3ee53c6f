"""A notebook named on the command line is never a silent pass (issue 15, item 9): it is not linted, and
a BKL900 finding says so."""

from __future__ import annotations

import json
from pathlib import Path

from clihelpers import make_project, run_cli

NOTEBOOK = json.dumps({"cells": [{"cell_type": "code", "source": ["import os\n"]}], "metadata": {}, "nbformat": 4})


def test_a_named_notebook_is_reported_as_not_linted(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"nb.ipynb": NOTEBOOK, "a.py": "x = 1\n"})
    r = run_cli("check", "--no-cache", "nb.ipynb", "a.py", cwd=root)
    assert r.returncode == 1
    out = r.stdout.decode()
    assert "nb.ipynb:1:1: BKL900 Jupyter notebook: not linted" in out and "All checks passed" not in out


def test_a_notebook_on_stdin_is_reported_and_passed_through_with_fix(tmp_path: Path) -> None:
    root = make_project(tmp_path, {})
    r = run_cli("check", "--stdin-filename", "nb.ipynb", "-", cwd=root, input=NOTEBOOK.encode())
    assert r.returncode == 1 and b"BKL900 Jupyter notebook: not linted" in r.stdout
    r = run_cli("check", "--fix", "--stdin-filename", "nb.ipynb", "-", cwd=root, input=NOTEBOOK.encode())
    assert r.stdout == NOTEBOOK.encode()
    assert b"Jupyter notebook: not linted" in r.stderr


def test_a_walked_directory_lints_python_files_only(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"nb.ipynb": NOTEBOOK, "a.py": "x = 1\n"})
    assert run_cli("check", "--no-cache", ".", cwd=root).returncode == 0
