"""The CLI as a user runs it: a subprocess of the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clihelpers import EMPTY_DOWNGRADE, MISSING_DOWNGRADE, make_project, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(
        tmp_path,
        {
            "migrations/versions/a1_add_note.py": EMPTY_DOWNGRADE,
            "migrations/versions/b2_drop_note.py": MISSING_DOWNGRADE,
            "app/clean.py": "x = 1\n",
        },
    )


def test_text_output_and_exit_status(project: Path) -> None:
    r = run_cli("check", "--no-cache", ".", cwd=project)
    out = r.stdout.decode()
    assert r.returncode == 1, r.stderr
    assert "migrations/versions/a1_add_note.py:16:5: BKL402 `downgrade()` does nothing" in out
    assert "migrations/versions/b2_drop_note.py:1:1: BKL401 Migration has no `downgrade()` function" in out
    assert "Found 2 errors." in out
    assert "\x1b[" not in out  # no colours when not a TTY


def test_clean_project_exits_zero(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/clean.py": "x = 1\n"})
    r = run_cli("check", "--no-cache", str(root))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed!" in r.stdout.decode()


def test_exit_zero_quiet_statistics(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--exit-zero", "--quiet", ".", cwd=project)
    assert r.returncode == 0
    assert "Found" not in r.stdout.decode()
    r = run_cli("check", "--no-cache", "--statistics", ".", cwd=project)
    assert r.returncode == 1
    lines = r.stdout.decode().splitlines()
    assert any("BKL401" in l and "missing-downgrade" in l for l in lines)
    assert any("BKL402" in l and "empty-downgrade" in l for l in lines)


def test_select_ignore_prefixes_and_all(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--select", "BKL401", ".", cwd=project)
    assert "BKL402" not in r.stdout.decode() and "BKL401" in r.stdout.decode()
    r = run_cli("check", "--no-cache", "--select", "ALL", "--ignore", "BKL40", ".", cwd=project)
    # ALL also turns on the opt-in BKL422 (destructive-drop), which BKL40 does not cover
    assert r.returncode == 1 and "BKL422" in r.stdout.decode() and "BKL40" not in r.stdout.decode()
    r = run_cli("check", "--no-cache", "--select", "ALL", "--ignore", "BKL40,BKL422", ".", cwd=project)
    assert r.returncode == 0
    r = run_cli("check", "--no-cache", "--ignore", "BKL4", "--extend-select", "BKL402", ".", cwd=project)
    assert "BKL402" in r.stdout.decode() and "BKL401" not in r.stdout.decode()


def test_unknown_selector_is_a_usage_error(project: Path) -> None:
    r = run_cli("check", "--select", "BKL777", ".", cwd=project)
    assert r.returncode == 2
    assert "unknown rule selector `BKL777`" in r.stderr.decode()
    assert "Traceback" not in r.stderr.decode()


def test_bad_option_is_exit_2(project: Path) -> None:
    r = run_cli("check", "--no-such-flag", cwd=project)
    assert r.returncode == 2


def test_explicit_file_is_linted_even_if_excluded(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"legacy/m.py": EMPTY_DOWNGRADE},
        pyproject='[tool.backend-lint]\nextend-exclude = ["legacy"]\n',
    )
    assert run_cli("check", "--no-cache", ".", cwd=root).returncode == 0
    r = run_cli("check", "--no-cache", "legacy/m.py", cwd=root)
    assert r.returncode == 1 and "BKL402" in r.stdout.decode()
    r = run_cli("check", "--no-cache", "--force-exclude", "legacy/m.py", cwd=root)
    assert r.returncode == 0


def test_gitignore_is_honoured(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"generated/m.py": EMPTY_DOWNGRADE, "app/m.py": EMPTY_DOWNGRADE})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("generated/\n")
    out = run_cli("check", "--no-cache", ".", cwd=root).stdout.decode()
    assert "app/m.py" in out and "generated/m.py" not in out
    out = run_cli("check", "--no-cache", "--no-respect-gitignore", ".", cwd=root).stdout.decode()
    assert "generated/m.py" in out


def test_per_file_ignores(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"migrations/m.py": EMPTY_DOWNGRADE, "other/m.py": EMPTY_DOWNGRADE},
        pyproject='[tool.backend-lint]\nper-file-ignores = { "migrations/*" = ["BKL402"] }\n',
    )
    out = run_cli("check", "--no-cache", ".", cwd=root).stdout.decode()
    assert "other/m.py" in out and "migrations/m.py" not in out


def test_config_errors_name_key_and_file(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.py": "x = 1\n"}, pyproject='[tool.backend-lint]\nselct = ["BKL4"]\n')
    r = run_cli("check", ".", cwd=root)
    err = r.stderr.decode()
    assert r.returncode == 2
    assert "unknown key `selct`" in err and "pyproject.toml" in err and "Traceback" not in err
    (root / "pyproject.toml").write_text('[tool.backend-lint]\nselect = "BKL4"\n')
    r = run_cli("check", ".", cwd=root)
    assert r.returncode == 2 and "`select` must be a list of rule codes" in r.stderr.decode()
    (root / "pyproject.toml").write_text('[tool.backend-lint\nselect = 1\n')
    r = run_cli("check", ".", cwd=root)
    assert r.returncode == 2 and "invalid TOML" in r.stderr.decode() and "Traceback" not in r.stderr.decode()


def test_config_option_takes_backend_lint_toml(project: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "backend-lint.toml"
    cfg.write_text('select = ["BKL401"]\n')
    out = run_cli("check", "--no-cache", "--config", str(cfg), ".", cwd=project).stdout.decode()
    assert "BKL401" in out and "BKL402" not in out


def test_json_output_has_ruffs_shape(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=project)
    data = json.loads(r.stdout)
    assert isinstance(data, list) and len(data) == 2
    for item in data:
        assert set(item) >= {"code", "message", "filename", "location", "end_location", "fix", "noqa_row", "url"}
        assert set(item["location"]) == {"row", "column"}
        assert os.path.isabs(item["filename"])
    codes = sorted(d["code"] for d in data)
    assert codes == ["BKL401", "BKL402"]


def test_github_output(project: Path) -> None:
    out = run_cli("check", "--no-cache", "--output-format", "github", ".", cwd=project).stdout.decode()
    line = next(l for l in out.splitlines() if "BKL402" in l)
    assert line.startswith("::error title=backend-lint (BKL402),file=migrations/versions/a1_add_note.py,line=16,col=5,")
    assert line.endswith("BKL402 `downgrade()` does nothing")


def test_sarif_output_validates_against_the_schema(project: Path) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
    r = run_cli("check", "--no-cache", "--output-format", "sarif", ".", cwd=project)
    doc = json.loads(r.stdout)
    jsonschema.Draft4Validator(schema).validate(doc)
    driver = doc["runs"][0]["tool"]["driver"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert {"BKL401", "BKL402"} <= set(rules)
    for rule in rules.values():
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"BKL401", "BKL402"}
    for res in results:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_sarif_with_fixes_validates(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
    root = make_project(tmp_path, {"m.py": EMPTY_DOWNGRADE + "x = 1  # noqa: BKL402\n"})
    doc = json.loads(run_cli("check", "--no-cache", "--output-format", "sarif", ".", cwd=root).stdout)
    jsonschema.Draft4Validator(schema).validate(doc)
    assert any("fixes" in r for r in doc["runs"][0]["results"])


def test_rule_command(project: Path) -> None:
    r = run_cli("rule", "BKL402")
    out = r.stdout.decode()
    assert r.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert section in out
    assert run_cli("rule", "empty-downgrade").stdout == r.stdout
    r = run_cli("rule", "--all", "--output-format", "json")
    data = json.loads(r.stdout)
    assert any(d["code"] == "BKL401" and d["name"] == "missing-downgrade" for d in data)
    r = run_cli("rule", "BKL000")
    assert r.returncode == 2 and "unknown rule" in r.stderr.decode()


def test_python_dash_m_works(project: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "backend_lint", "check", "--no-cache", "."], cwd=project, capture_output=True)
    assert r.returncode == 1 and b"BKL402" in r.stdout


def test_stdin_with_filename(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--stdin-filename", "migrations/versions/x.py", "-", cwd=project, input=EMPTY_DOWNGRADE.encode())
    assert r.returncode == 1
    assert "migrations/versions/x.py:16:5: BKL402" in r.stdout.decode()


def test_noqa_and_unused_noqa(tmp_path: Path) -> None:
    text = EMPTY_DOWNGRADE.replace("def downgrade():", "def downgrade():  # noqa: BKL402") + "y = 2  # noqa: BKL401, E501\n"
    root = make_project(tmp_path, {"m.py": text})
    r = run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=root)
    data = json.loads(r.stdout)
    assert [d["code"] for d in data] == ["BKL901"]
    assert data[0]["location"]["row"] == 18
    # the fix keeps the other tool's code
    r = run_cli("check", "--no-cache", "--fix", ".", cwd=root)
    assert r.returncode == 0, r.stdout
    assert (root / "m.py").read_text().endswith("y = 2  # noqa: E501\n")


def test_per_file_ignores_drop_unused_noqa(tmp_path: Path) -> None:
    # (issue 15: BKL901 was reported in files whose per-file-ignores name it)
    text = "x = 1  # noqa: BKL401\n"
    root = make_project(
        tmp_path, {"legacy/m.py": text, "new/m.py": text},
        pyproject='[tool.backend-lint]\nper-file-ignores = { "legacy/*" = ["BKL901"] }\n',
    )
    r = run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=root)
    assert [(d["code"], Path(d["filename"]).parent.name) for d in json.loads(r.stdout)] == [("BKL901", "new")]


def test_exclude_of_a_nested_configuration_applies_to_its_files(tmp_path: Path) -> None:
    # (issue 15 item 4: settings per file from the closest configuration, its excludes too, as ruff does;
    # a file named on the command line is linted unless --force-exclude)
    root = make_project(tmp_path, {"svc_a/a.py": EMPTY_DOWNGRADE, "svc_b/gen/b.py": EMPTY_DOWNGRADE, "svc_b/c.py": EMPTY_DOWNGRADE})
    (root / "svc_b" / "pyproject.toml").write_text('[tool.backend-lint]\nextend-exclude = ["gen"]\n')
    r = run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=root)
    assert sorted(Path(d["filename"]).relative_to(root).as_posix() for d in json.loads(r.stdout)) == ["svc_a/a.py", "svc_b/c.py"]
    r = run_cli("check", "--no-cache", "--output-format", "json", "svc_b", cwd=root)
    assert [Path(d["filename"]).name for d in json.loads(r.stdout)] == ["c.py"]
    r = run_cli("check", "--no-cache", "--output-format", "json", "svc_b/gen/b.py", cwd=root)
    assert [Path(d["filename"]).name for d in json.loads(r.stdout)] == ["b.py"]
    r = run_cli("check", "--no-cache", "--force-exclude", "--output-format", "json", "svc_a/a.py", "svc_b/gen/b.py", cwd=root)
    assert [Path(d["filename"]).name for d in json.loads(r.stdout)] == ["a.py"]


def test_string_holding_noqa_is_not_a_comment(tmp_path: Path) -> None:
    text = EMPTY_DOWNGRADE.replace("    pass", '    "# noqa: BKL402"')
    root = make_project(tmp_path, {"m.py": text})
    out = run_cli("check", "--no-cache", ".", cwd=root).stdout.decode()
    assert "BKL402" in out


def test_file_level_noqa(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"m.py": "# backend-lint: noqa\n" + EMPTY_DOWNGRADE, "n.py": "# backend-lint: noqa: BKL402, BKL405\n" + EMPTY_DOWNGRADE})
    assert run_cli("check", "--no-cache", ".", cwd=root).returncode == 0


def test_syntax_error_is_reported_and_run_goes_on(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"bad.py": "def f(:\n    pass\n", "m.py": EMPTY_DOWNGRADE})
    r = run_cli("check", "--no-cache", ".", cwd=root)
    out = r.stdout.decode()
    assert r.returncode == 1
    assert "bad.py:1:" in out and "BKL900" in out and "m.py:16:5: BKL402" in out
    assert "Traceback" not in r.stderr.decode()


def test_jobs_give_the_same_findings(tmp_path: Path) -> None:
    files = {f"migrations/m{i:02d}.py": EMPTY_DOWNGRADE for i in range(40)}
    root = make_project(tmp_path, files)
    # 40 copies of one revision: BKL405 (duplicate ids) is left out, the count is about the file rules
    one = run_cli("check", "--no-cache", "--ignore", "BKL405", "--jobs", "1", "--output-format", "json", ".", cwd=root).stdout
    two = run_cli("check", "--no-cache", "--ignore", "BKL405", "--jobs", "2", "--output-format", "json", ".", cwd=root).stdout
    assert json.loads(one) == json.loads(two)
    assert len(json.loads(one)) == 40


def test_stdin_fix_writes_fixed_code_to_stdout(project: Path) -> None:
    text = EMPTY_DOWNGRADE + "x = 1  # noqa: BKL401\n"
    r = run_cli("check", "--no-cache", "--fix", "--stdin-filename", "migrations/versions/x.py", "-", cwd=project, input=text.encode())
    assert r.stdout.decode() == EMPTY_DOWNGRADE + "x = 1\n"
    assert "BKL402" in r.stderr.decode()  # the remaining finding goes to stderr


def test_stdin_filename_decides_per_file_ignores(tmp_path: Path) -> None:
    root = make_project(tmp_path, {}, pyproject='[tool.backend-lint]\nper-file-ignores = { "legacy/*" = ["BKL4"] }\n')
    r = run_cli("check", "--no-cache", "--stdin-filename", "legacy/m.py", "-", cwd=root, input=EMPTY_DOWNGRADE.encode())
    assert r.returncode == 0
    r = run_cli("check", "--no-cache", "--stdin-filename", "app/m.py", "-", cwd=root, input=EMPTY_DOWNGRADE.encode())
    assert r.returncode == 1


_BKL405_RAISES = """
from backend_lint.rules.migrations.migration_graph import MigrationGraph


def _boom(cls, project, settings):
    raise RuntimeError("boom in the graph")


MigrationGraph.check_project = classmethod(_boom)
"""


def test_a_crash_in_a_project_wide_rule_is_reported(project: Path, tmp_path: Path) -> None:
    # BKL405 made to raise in the CLI's own process (a ``sitecustomize`` on its path)
    patch = tmp_path / "patch"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text(_BKL405_RAISES)
    env = {"PYTHONPATH": str(patch)}
    for args in (["--no-cache"], [], []):  # the second cached run must not hide it either
        r = run_cli("check", *args, ".", cwd=project, env=env)
        err = r.stderr.decode()
        assert r.returncode == 2, (r.stdout, err)
        assert "internal error in BKL405 (migration-graph): RuntimeError: boom in the graph" in err, err
        assert f"error: {os.path.realpath(project)}: internal error in BKL405" in err, err
        assert err.count("BKL405") == 1, err
        assert "BKL402" in r.stdout.decode()  # the other rules still ran


def test_a_non_utf8_or_unreadable_pyproject_is_a_one_line_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"a.py": "x = 1\n"})
    (root / "pyproject.toml").write_bytes(b'[tool.backend-lint]\nselect = ["\xff"]\n')
    r = run_cli("check", "--no-cache", "a.py", cwd=root)
    err = r.stderr.decode()
    assert r.returncode == 2 and "Traceback" not in err, err
    assert err.count("\n") == 1 and err.startswith("error: ") and "pyproject.toml: invalid TOML: not UTF-8" in err, err
    if not os.path.exists("/proc/self/mem"):
        return
    # unreadable (even for root: reading /proc/self/mem at offset 0 fails with EIO)
    (root / "pyproject.toml").unlink()
    os.symlink("/proc/self/mem", root / "pyproject.toml")
    r = run_cli("check", "--no-cache", "a.py", cwd=root)
    err = r.stderr.decode()
    assert r.returncode == 2 and "All checks passed" not in r.stdout.decode(), (r.stdout, err)
    assert err.count("\n") == 1 and err.startswith("error: ") and "pyproject.toml: cannot read:" in err, err
