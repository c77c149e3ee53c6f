"""Standard input (issue 15, items 2 and 8): with ``--fix`` standard output is exactly the (possibly fixed)
source, everything else goes to standard error; ``--stdin-filename`` reports what ``check PATH`` reports,
project-wide rules included (the file's siblings read from disk)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clihelpers import EMPTY_DOWNGRADE, make_project, run_cli

UTCNOW = b"from datetime import datetime\n\nx = datetime.utcnow()\n"


@pytest.mark.parametrize(
    "name, data",
    [
        ("skip/a.py", UTCNOW),  # excluded: passed through untouched
        ("a.py", b"x = 1\0\n"),  # a NUL byte
        ("a.py", b'x = "\xff"\n'),  # undecodable
        ("a.py", b"x = 1\n"),  # nothing to fix
    ],
)
def test_with_fix_stdout_is_exactly_the_source(tmp_path: Path, name: str, data: bytes) -> None:
    root = make_project(tmp_path, {}, pyproject='[tool.backend-lint]\nextend-exclude = ["skip"]\n')
    r = run_cli("check", "--fix", "--stdin-filename", name, "-", cwd=root, input=data)
    assert r.stdout == data, r.stdout
    assert b"Traceback" not in r.stderr


def test_with_fix_stdout_is_the_fixed_source_and_the_report_goes_to_stderr(tmp_path: Path) -> None:
    root = make_project(tmp_path, {})
    r = run_cli("check", "--fix", "--unsafe-fixes", "--stdin-filename", "a.py", "-", cwd=root, input=UTCNOW)
    assert b"utcnow" not in r.stdout and b"datetime.now(" in r.stdout
    assert b"error" not in r.stdout.lower() and b"Found" not in r.stdout


def test_stdin_filename_reports_the_project_wide_rules(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"migrations/versions/a1.py": EMPTY_DOWNGRADE, "migrations/versions/a2.py": EMPTY_DOWNGRADE},
    )
    target = root / "migrations" / "versions" / "a1.py"

    def codes(*args: str, **kw) -> list:
        r = run_cli("check", "--output-format", "json", "--exit-zero", "--no-cache", *args, cwd=root, **kw)
        assert r.returncode == 0, r.stderr.decode()
        return sorted((d["location"]["row"], d["code"]) for d in json.loads(r.stdout) if d["filename"].endswith("a1.py"))

    from_path = codes("migrations/versions/a1.py")
    assert ((8, "BKL405") in from_path), from_path  # the revision id is also a2's
    assert codes("--stdin-filename", "migrations/versions/a1.py", "-", input=target.read_bytes()) == from_path
