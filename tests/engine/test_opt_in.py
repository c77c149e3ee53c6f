"""Opt-in rules (``RuleSpec.opt_in``): off in the default selection, on when a written selector covers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from clihelpers import make_project, run_cli

from backend_lint.engine.registry import all_rules, opt_in_codes, rule_infos
from backend_lint.engine.selection import select_codes
from backend_lint.faces.docs import OPT_IN_MARK, rule_table
from backend_lint.ground.config import Settings

CODES = [r.code for r in rule_infos()]


def chosen(**kwargs: tuple[str, ...]) -> set[str]:
    return set(select_codes(Settings().with_overrides(**kwargs), CODES))


def test_family_six_opt_ins_are_declared() -> None:
    assert {"BKL606", "BKL607"} <= opt_in_codes()
    assert "BKL601" not in opt_in_codes()
    assert {r.code for r in all_rules() if r.opt_in} == opt_in_codes()


def test_default_selection_leaves_opt_in_rules_off() -> None:
    default = chosen()
    assert "BKL601" in default and "BKL402" in default
    assert not default & opt_in_codes()


@pytest.mark.parametrize("selector", ["ALL", "BKL", "BKL6", "BKL60", "BKL606"])
def test_a_written_selector_turns_them_on(selector: str) -> None:
    assert "BKL606" in chosen(select=(selector,))


def test_extend_select_adds_one_to_the_default_selection() -> None:
    got = chosen(extend_select=("BKL606",))
    assert "BKL606" in got and "BKL607" not in got and "BKL601" in got


def test_ignore_still_wins_when_more_specific() -> None:
    assert "BKL606" not in chosen(select=("ALL",), ignore=("BKL606",))
    assert "BKL606" in chosen(select=("BKL606",), ignore=("BKL6",))
    assert "BKL607" not in chosen(select=("BKL606",), ignore=("BKL6",))


def test_readme_table_marks_them() -> None:
    rows = {line.split(" | ")[0].strip("| "): line for line in rule_table().splitlines()[2:]}
    assert OPT_IN_MARK in rows["BKL606"] and OPT_IN_MARK in rows["BKL607"]
    assert OPT_IN_MARK not in rows["BKL601"]


SCHEMA = '''from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class ItemCreate(BaseModel):
    title: str


@router.post("/items")
def create_item(item: ItemCreate) -> None: ...
'''


def test_cli_default_run_and_select(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/routes.py": SCHEMA})
    quiet = run_cli("check", "--no-cache", ".", cwd=root)
    assert quiet.returncode == 0, quiet.stdout.decode() + quiet.stderr.decode()
    loud = run_cli("check", "--no-cache", "--select", "BKL6", ".", cwd=root)
    out = loud.stdout.decode()
    assert loud.returncode == 1, loud.stderr
    assert "app/routes.py:7:7: BKL606 Request schema `ItemCreate` ignores unknown fields" in out
    assert "app/routes.py:8:12: BKL607 Request field `title` accepts a string of any length" in out
    (root / "pyproject.toml").write_text('[tool.backend-lint]\nextend-select = ["BKL607"]\n')
    some = run_cli("check", "--no-cache", ".", cwd=root).stdout.decode()
    assert "BKL607" in some and "BKL606" not in some
