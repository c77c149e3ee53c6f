"""Families 1-2 answer the same in every process: their findings (messages, ranges, fixes) and the project facts
they read must not follow the iteration order of a set of strings, which changes with ``PYTHONHASHSEED``.
Two seen and fixed: a decorator factory's ``gates`` in the orm facts, and the analyser's state order in
``queries._Analyzer._row_by_key`` (the row a helper is handed named ``candidate`` or ``candidates``).

The installed entry point runs as a subprocess (the seed is read when a process starts), on copies of a few
fixture projects, under two seeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clihelpers import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROJECTS = (
    FIXTURES / "isolation" / "_projects" / "fastapi_sqlmodel",
    FIXTURES / "isolation" / "_projects" / "permission_decorators",
    FIXTURES / "isolation" / "_projects" / "crud_base_app",
    FIXTURES / "identity" / "_projects" / "fastapi_app",
)


def _copy(src: Path, tmp_path: Path) -> Path:
    root = tmp_path / src.name
    shutil.copytree(src, root, ignore=shutil.ignore_patterns("*.fixed.py", "__pycache__"))
    (root / "pyproject.toml").write_text('[project]\nname = "probe"\n')
    return root


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_families_1_2_give_the_same_json_under_two_hash_seeds(project: Path, tmp_path: Path) -> None:
    root = _copy(project, tmp_path)
    outputs = []
    for seed in ("1", "2"):
        env = {"PYTHONHASHSEED": seed}
        check = run_cli("check", ".", "--no-cache", "--exit-zero", "-j", "1", "--select", "BKL1,BKL2", "--output-format", "json", cwd=root, env=env)
        assert check.returncode == 0, check.stderr.decode()
        facts = run_cli("facts", ".", "--output-format", "json", cwd=root, env=env)
        assert facts.returncode == 0, facts.stderr.decode()
        outputs.append((check.stdout, check.stderr, facts.stdout))
    assert outputs[0] == outputs[1]
    assert b'"code"' in outputs[0][0]  # (the project has findings: the comparison is not of two empty lists)
