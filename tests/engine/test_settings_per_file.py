"""Settings resolved per file from the closest configuration, as ruff does (issue 15, item 4): a monorepo's
services each keep their own, whatever the order of the paths and wherever the run starts; ``--config``
overrides them all."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from clihelpers import run_cli

UTCNOW = "from datetime import datetime\n\nx = datetime.utcnow()\n"


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    for name, table in (("svc_a", 'ignore = ["BKL3"]\n'), ("svc_b", 'select = ["ALL"]\n')):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pyproject.toml").write_text(f"[project]\nname = \"{name}\"\n\n[tool.backend-lint]\n{table}")
    (tmp_path / "svc_a" / "a.py").write_text(UTCNOW)
    (tmp_path / "svc_b" / "b.py").write_text(UTCNOW)
    return tmp_path


def _reported(root: Path, *args: str) -> list[str]:
    r = run_cli("check", "--output-format", "json", "--exit-zero", *args, cwd=root)
    assert r.returncode == 0, r.stderr.decode()
    return sorted(os.path.relpath(d["filename"], root) for d in json.loads(r.stdout))


@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_each_file_takes_its_closest_configuration_in_any_order(monorepo: Path, cache: tuple) -> None:
    expected = [os.path.join("svc_b", "b.py")]
    assert _reported(monorepo, *cache, "svc_a/a.py", "svc_b/b.py") == expected
    assert _reported(monorepo, *cache, "svc_b/b.py", "svc_a/a.py") == expected
    assert _reported(monorepo, *cache) == expected  # from the repository root, which has no configuration
    assert _reported(monorepo, *cache, ".") == expected


def test_a_backend_lint_toml_closer_than_the_pyproject_wins(monorepo: Path) -> None:
    (monorepo / "svc_b" / "legacy").mkdir()
    (monorepo / "svc_b" / "legacy" / "old.py").write_text(UTCNOW)
    (monorepo / "svc_b" / "legacy" / "backend-lint.toml").write_text('ignore = ["BKL302"]\n')
    assert _reported(monorepo, "--no-cache") == [os.path.join("svc_b", "b.py")]


def test_config_overrides_every_file(monorepo: Path) -> None:
    both = [os.path.join("svc_a", "a.py"), os.path.join("svc_b", "b.py")]
    assert _reported(monorepo, "--no-cache", "--config", "svc_b/pyproject.toml", "svc_a/a.py", "svc_b/b.py") == both
    assert _reported(monorepo, "--no-cache", "--config", "svc_a/pyproject.toml") == []


def test_command_line_selectors_apply_on_top_of_every_file_s_settings(monorepo: Path) -> None:
    assert _reported(monorepo, "--no-cache", "--ignore", "BKL302") == []
    # (the most specific selector wins: BKL302 over svc_a's BKL3)
    both = [os.path.join("svc_a", "a.py"), os.path.join("svc_b", "b.py")]
    assert _reported(monorepo, "--no-cache", "--extend-select", "BKL302") == both


def test_a_directory_is_resolved_through_a_linked_ancestor_as_realpath_does(tmp_path: Path) -> None:
    """``settings_per_file`` resolves a file's directory from its parent's (one ``lstat`` per directory): a
    linked directory anywhere above, and ``..`` in a path, still lead to the target's closest configuration."""
    from backend_lint.engine.selection import settings_per_file
    from backend_lint.ground.config import Settings

    target = tmp_path / "real" / "svc"
    (target / "pkg" / "deep").mkdir(parents=True)
    (target / "pyproject.toml").write_text('[tool.backend-lint]\nignore = ["BKL3"]\n')
    (target / "pkg" / "deep" / "m.py").write_text(UTCNOW)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "link").symlink_to(target, target_is_directory=True)
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "n.py").write_text(UTCNOW)
    run = Settings(root=str(tmp_path))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        files = ["elsewhere/link/pkg/deep/m.py", "plain/n.py", "plain/../elsewhere/link/pkg/deep/m.py", str(tmp_path / "plain" / "n.py")]
        groups = settings_per_file(files, run)
    finally:
        os.chdir(cwd)
    by_file = {f: s for s, group in groups for f in group}
    assert by_file["plain/n.py"] is run and by_file[str(tmp_path / "plain" / "n.py")] is run
    for f in (files[0], files[2]):
        assert by_file[f].ignore == ("BKL3",), f
        assert os.path.realpath(by_file[f].config_file) == str((target / "pyproject.toml").resolve())
