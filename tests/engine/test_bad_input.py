"""Bad input gets a clear one-line message and the right exit status; the run goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from backend_lint.ground.config import Settings
from backend_lint.engine.api import Engine
from backend_lint.ground.discovery import iter_python_files
from clihelpers import EMPTY_DOWNGRADE, make_project, run_cli


def _json(root: Path, *args: str) -> tuple[int, list, str]:
    r = run_cli("check", "--no-cache", "--output-format", "json", *args, cwd=root)
    return r.returncode, json.loads(r.stdout or b"[]"), r.stderr.decode()


def _codes(data: list, name: str) -> list[str]:
    return [d["code"] for d in data if d["filename"].endswith(name)]


def test_deeply_nested_parentheses_do_not_crash_the_run(tmp_path: Path) -> None:
    nested = "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n"
    root = make_project(tmp_path, {"deep.py": nested, "m.py": EMPTY_DOWNGRADE})
    code, data, err = _json(root, "--jobs", "1")
    assert code == 1, err
    assert _codes(data, "deep.py") == ["BKL900"]
    assert _codes(data, "m.py") == ["BKL402"]
    assert "Traceback" not in err


def test_expression_the_native_parser_dies_on_is_reported(tmp_path: Path) -> None:
    # valid Python (CPython parses it), but libcst's native parser never ends on it (cubic: 20,000 terms);
    # the trial parse's time limit is lowered from its default 120 s to keep the suite short. Its migration
    # follows m.py's (Python 3.10's ``ast`` reads the sum, 3.11+ give up: either way no duplicate revision)
    child = EMPTY_DOWNGRADE.replace("Revision ID: a1", "Revision ID: a2").replace(
        'revision = "a1"\ndown_revision = None', 'revision = "a2"\ndown_revision = "a1"'
    )
    assert child != EMPTY_DOWNGRADE
    long_sum = "x = " + " + ".join(["1"] * 20000) + "\n" + child
    root = make_project(tmp_path, {"long.py": long_sum, "m.py": EMPTY_DOWNGRADE})
    r = run_cli("check", "--no-cache", "--output-format", "json", "--jobs", "1", cwd=root, env={"BACKEND_LINT_PARSE_PROBE_TIMEOUT": "5"})
    data = json.loads(r.stdout or b"[]")
    assert _codes(data, "m.py") == ["BKL402"]
    long_diags = [d for d in data if d["filename"].endswith("long.py")]
    assert [d["code"] for d in long_diags] == ["BKL900"]
    assert "crashed" in long_diags[0]["message"]


def test_many_concatenated_strings(tmp_path: Path) -> None:
    text = "x = (\n" + "".join(f'    "s{i}"\n' for i in range(20000)) + ")\n" + EMPTY_DOWNGRADE
    root = make_project(tmp_path, {"strings.py": text})
    code, data, err = _json(root)
    assert "Traceback" not in err
    # either linted, or reported as a file the parser gives up on: never a crash
    assert set(_codes(data, "strings.py")) <= {"BKL900", "BKL402"} and _codes(data, "strings.py")


@pytest.mark.parametrize(
    "source",
    [
        "def first[T](xs: list[T]) -> T:\n    return xs[0]\n",
        "type Pair[T] = tuple[T, T]\n",
        "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
        "class Box[T]:\n    pass\n",
    ],
)
def test_newest_syntax_is_not_a_syntax_error(source: str) -> None:
    assert Engine(Settings()).lint_source(source + EMPTY_DOWNGRADE, "m.py").diagnostics[0].code == "BKL402"
    assert Engine(Settings()).lint_source(source, "n.py").diagnostics == []


def test_syntax_error_has_a_location() -> None:
    d = Engine(Settings()).lint_source("x = 1\ndef f(:\n    pass\n", "m.py").diagnostics
    assert [x.code for x in d] == ["BKL900"]
    assert d[0].row == 2 and "SyntaxError" in d[0].message


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"empty.py": "", "blank.py": "\n\n   \n", "__init__.py": ""})
    code, data, err = _json(root)
    assert code == 0 and data == [] and not err


def test_binary_and_undecodable_files(tmp_path: Path) -> None:
    root = make_project(tmp_path, {})
    (root / "bin.py").write_bytes(bytes(range(256)))
    (root / "latin.py").write_bytes(b"x = '\xe9'\n")
    code, data, err = _json(root)
    assert _codes(data, "bin.py") == ["BKL900"] and _codes(data, "latin.py") == ["BKL900"]
    assert code == 1 and "Traceback" not in err


def test_files_over_the_size_limit(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"big.py": EMPTY_DOWNGRADE + "# " + "x" * 5000 + "\n"}, pyproject="[tool.backend-lint]\nmax-file-size = 1000\n")
    code, data, err = _json(root)
    assert _codes(data, "big.py") == ["BKL900"]
    assert "max-file-size" in data[0]["message"]


def test_symlink_loops_are_walked_once(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"pkg/m.py": EMPTY_DOWNGRADE})
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(root / "missing.py", root / "dangling.py")
    code, data, err = _json(root)
    assert _codes(data, "m.py") == ["BKL402"]
    assert len(data) == 1, data


def test_unreadable_directory_is_a_warning(tmp_path: Path, monkeypatch) -> None:
    root = make_project(tmp_path, {"ok/m.py": EMPTY_DOWNGRADE, "secret/n.py": EMPTY_DOWNGRADE})
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    warnings: list[str] = []
    files = list(iter_python_files([str(root)], Settings(root=str(root)), warn=warnings.append))
    assert [Path(f).name for f in files] == ["m.py"]
    assert len(warnings) == 1 and "secret: cannot read directory: Permission denied" in warnings[0]


def test_missing_path_is_an_error_finding_never_a_pass(tmp_path: Path) -> None:
    # as ruff's E902: ``missing.py:1:1: E902 No such file or directory (os error 2)``, exit 1
    root = make_project(tmp_path, {"m.py": EMPTY_DOWNGRADE, "clean.py": "x = 1\n"})
    r = run_cli("check", "--no-cache", "nope.py", cwd=root)
    out = r.stdout.decode()
    assert r.returncode == 1, (out, r.stderr)
    assert "nope.py:1:1: BKL902 No such file or directory (os error 2)" in out
    assert "All checks passed" not in out and "Found 1 error." in out
    r = run_cli("check", "--no-cache", "nope.py", "m.py", "missing_dir", "--select", "BKL401", cwd=root)
    out = r.stdout.decode()
    assert r.returncode == 1 and "BKL402" not in out, out
    assert "nope.py:1:1: BKL902" in out and "missing_dir:1:1: BKL902" in out
    assert run_cli("check", "--no-cache", "clean.py", cwd=root).returncode == 0
    code, data, err = _json(root, "nope.py", "clean.py")
    assert code == 1 and [(d["code"], d["message"]) for d in data] == [
        ("BKL902", "No such file or directory (os error 2)")
    ], err
    assert os.path.basename(data[0]["filename"]) == "nope.py"
    r = run_cli("check", "--no-cache", "--output-format", "sarif", "nope.py", cwd=root)
    sarif = json.loads(r.stdout)
    assert r.returncode == 1
    assert [x["ruleId"] for x in sarif["runs"][0]["results"]] == ["BKL902"]
    assert any(x["id"] == "BKL902" for x in sarif["runs"][0]["tool"]["driver"]["rules"])


def test_unknown_codes_in_noqa_are_reported(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m.py": "x = 1  # noqa: BKL777\n"})
    code, data, err = _json(root)
    assert [d["code"] for d in data] == ["BKL901"]
    assert "unknown `BKL777`" in data[0]["message"]


def test_mistyped_config_value(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m.py": "x = 1\n"}, pyproject='[tool.backend-lint]\ntarget-version = "py27"\n')
    r = run_cli("check", ".", cwd=root)
    assert r.returncode == 2
    assert "`target-version` must be one of" in r.stderr.decode() and "pyproject.toml" in r.stderr.decode()
    assert len(r.stderr.decode().strip().splitlines()) == 1


def test_a_worker_that_dies_costs_only_its_file(tmp_path: Path, monkeypatch) -> None:
    """If a worker process dies anyway (a native crash no guard foresaw), the run goes on. The crashing file
    is the largest, so the pool deals it first (files go out by size): the pool breaks on its first chunk,
    whatever the timing, and every other file is linted again in a process of its own."""
    import backend_lint.engine.run as runner
    from backend_lint.engine.run import RunOptions, lint_paths

    root = make_project(tmp_path, {f"m{i:02d}.py": EMPTY_DOWNGRADE.replace('"a1"', f'"r{i}"') + "x = 1\n" * 40 for i in range(20)})
    (root / "crash.py").write_text("# CRASH-HERE\n" + "x = 1\n" * 400)
    real = runner.process_file

    def process_file(engine, path, options):
        if path.endswith("crash.py"):
            os._exit(139)  # what a segmentation fault looks like to the pool
        return real(engine, path, options)

    monkeypatch.setattr(runner, "process_file", process_file)
    settings = Settings(root=str(root))
    engine = Engine(settings, ["BKL402", "BKL900"])
    files = sorted(str(p) for p in root.glob("*.py"))
    outcomes = lint_paths(engine, files, RunOptions(jobs=2, use_cache=False))
    by_name = {Path(o.path).name: [d.code for d in o.diagnostics] for o in outcomes}
    assert by_name["crash.py"] == ["BKL900"]
    assert all(by_name[f"m{i:02d}.py"] == ["BKL402"] for i in range(20))
