"""Bad settings are refused with one clear line, never taken as something else (issue 15, item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clihelpers import make_project, run_cli


@pytest.mark.parametrize(
    "table, expected",
    [
        ("max-file-size = true", "`max-file-size` must be a positive integer (bytes), got True"),
        ('sqlmodel-version = "banana"', '`sqlmodel-version` must be a version string such as "0.0.22", got \'banana\''),
    ],
)
def test_a_wrong_value_is_an_error(tmp_path: Path, table: str, expected: str) -> None:
    root = make_project(tmp_path, {"a.py": "x = 1\n"}, pyproject=f"[tool.backend-lint]\n{table}\n")
    r = run_cli("check", "--no-cache", cwd=root)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert expected in err and "Traceback" not in err, err


def test_a_good_version_is_accepted(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.py": "x = 1\n"}, pyproject='[tool.backend-lint]\nsqlmodel-version = "0.0.22"\n')
    assert run_cli("check", "--no-cache", cwd=root).returncode == 0


def test_negative_jobs_is_an_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.py": "x = 1\n"})
    r = run_cli("check", "--no-cache", "--jobs", "-3", cwd=root)
    assert r.returncode == 2
    assert "--jobs" in r.stderr.decode() and "-3" in r.stderr.decode()


def test_an_unusable_cache_dir_is_said_and_the_run_goes_on(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.py": "from datetime import datetime\n\nx = datetime.utcnow()\n"})
    (root / "afile").write_text("")
    r = run_cli("check", "--cache-dir", "afile/cache", cwd=root)
    assert r.returncode == 1  # the finding, still reported
    assert "afile/cache: cannot use as the cache directory" in r.stderr.decode()
    assert b"BKL302" in r.stdout


def test_errors_in_backend_lint_toml_do_not_name_a_pyproject_table(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.py": "x = 1\n"}, pyproject=None)
    (root / "backend-lint.toml").write_text("bogus = 1\n")
    r = run_cli("check", "--no-cache", cwd=root)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "backend-lint.toml: unknown key `bogus`" in err and "[tool.backend-lint]" not in err, err
