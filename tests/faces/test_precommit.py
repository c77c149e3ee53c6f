"""The pre-commit hooks file is valid and its entries work as pre-commit calls them (files appended)."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from clihelpers import EMPTY_DOWNGRADE, make_project, run_cli

HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def _hooks() -> dict:
    data = yaml.safe_load(HOOKS.read_text())
    assert isinstance(data, list)
    return {h["id"]: h for h in data}


def test_hooks_file_is_valid() -> None:
    hooks = _hooks()
    assert set(hooks) == {"backend-lint", "backend-lint-fix"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert hook["entry"].split()[0] == "backend-lint"
        assert "python" in hook.get("types_or", hook.get("types", []))


def test_hook_entries_run(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"migrations/a1.py": EMPTY_DOWNGRADE.replace("pass", "pass  # noqa: BKL401"), "ok.py": "x = 1\n"})
    for hook_id, hook in _hooks().items():
        args = shlex.split(hook["entry"])[1:]
        r = run_cli(*args, "migrations/a1.py", "ok.py", cwd=root)
        assert r.returncode == 1, (hook_id, r.stdout, r.stderr)
        assert b"BKL402" in r.stdout
    # the fix hook removed the unused noqa code (a safe fix) and left the rest alone
    assert (root / "migrations/a1.py").read_text() == EMPTY_DOWNGRADE
