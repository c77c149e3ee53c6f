"""Issue 16: what a ruff user expects of `check` from the first minute, through the installed entry point:
the full format, colour, --show-settings / --show-files, --output-file, --fix-only, --exit-non-zero-on-fix,
--statistics (JSON, honest [*]), progress and -v, --isolated, --target-version, --per-file-ignores."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import pytest

from clihelpers import BIN, EMPTY_DOWNGRADE, make_project, run_cli

UTCNOW = "from datetime import datetime\n\n\ndef f():\n    x = datetime.utcnow()\n    return x\n"
UNUSED_NOQA = "x = 1  # noqa: BKL101\n"  # BKL901, a safe fix


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(
        tmp_path,
        {"app/t.py": UTCNOW, "app/noqa.py": UNUSED_NOQA, "migrations/versions/a1.py": EMPTY_DOWNGRADE},
    )


def _run_on_tty(args: list[str], cwd: Path, env: dict, stream: str) -> tuple[subprocess.CompletedProcess, bytes]:
    """Run the CLI with ``stream`` ("stdout" or "stderr") on a pseudo-terminal; returns what it wrote there."""
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "BACKEND_LINT_OUTPUT_FORMAT")}
    full_env.update(env)
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: slave}
    proc = subprocess.Popen([str(BIN), *args], cwd=str(cwd), env=full_env, **kwargs)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        seen += chunk
    other = proc.stdout if stream == "stderr" else proc.stderr
    rest = other.read()
    proc.wait(timeout=300)
    os.close(master)
    result = subprocess.CompletedProcess(proc.args, proc.returncode, rest if stream == "stderr" else b"", rest if stream == "stdout" else b"")
    return result, seen


# --- 1. the full format ---------------------------------------------------------------------------------

def test_full_format_is_the_default_with_source_lines_carets_and_help(project: Path) -> None:
    r = run_cli("check", "--no-cache", "app/t.py", cwd=project)
    out = r.stdout.decode()
    assert r.returncode == 1, r.stderr
    assert out.splitlines()[:8] == [
        "app/t.py:5:9: BKL302 `datetime.utcnow()` returns a naive datetime (deprecated since Python 3.12)",
        "  |",
        "4 | def f():",
        "5 |     x = datetime.utcnow()",
        "  |         ^^^^^^^^^^^^^^^^^ BKL302",
        "6 |     return x",
        "  |",
        "  = help: Use `datetime.now(timezone.utc)` (unsafe fix)",
    ]
    assert "Found 1 error." in out
    assert run_cli("check", "--no-cache", "--output-format", "full", "app/t.py", cwd=project).stdout == r.stdout
    # `text`, the old name of the default, is kept as a name of `full`
    assert run_cli("check", "--no-cache", "--output-format", "text", "app/t.py", cwd=project).stdout == r.stdout


def test_concise_stays_the_one_liner(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--output-format", "concise", ".", cwd=project)
    lines = r.stdout.decode().splitlines()
    assert lines[:3] == [
        "app/noqa.py:1:8: BKL901 [*] Unused `noqa` directive (unused `BKL101`)",
        "app/t.py:5:9: BKL302 `datetime.utcnow()` returns a naive datetime (deprecated since Python 3.12)",
        "migrations/versions/a1.py:16:5: BKL402 `downgrade()` does nothing",
    ]
    assert lines[3] == "" and lines[4] == "Found 3 errors."


def test_full_format_on_stdin_shows_the_buffer(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--stdin-filename", "app/t.py", "-", cwd=project, input=UTCNOW.encode())
    assert "5 |     x = datetime.utcnow()" in r.stdout.decode()


def test_full_format_marks_a_multi_line_span(tmp_path: Path) -> None:
    source = "from datetime import datetime\n\n\nx = datetime(\n    2024, 1, 1\n)\ny = 2\n"
    root = make_project(tmp_path, {"m.py": source})
    r = run_cli("check", "--no-cache", "--select", "BKL301", "m.py", cwd=root)
    assert r.stdout.decode().splitlines()[1:9] == [
        "  |",
        "4 | / x = datetime(",
        "5 | |     2024, 1, 1",
        "6 | | )",
        "  | |_^ BKL301",
        "7 |   y = 2",
        "  |",
        "  = help: Pass `tzinfo=timezone.utc` (unsafe fix)",
    ]


def test_colour_follows_the_terminal_no_color_and_the_flag(project: Path) -> None:
    plain = run_cli("check", "--no-cache", "app/t.py", cwd=project)  # NO_COLOR set, not a terminal
    assert b"\x1b[" not in plain.stdout
    forced = run_cli("check", "--no-cache", "--color", "always", "app/t.py", cwd=project)
    assert b"\x1b[1;31mBKL302\x1b[0m" in forced.stdout
    never = run_cli("check", "--no-cache", "--color", "never", "app/t.py", cwd=project, env={"NO_COLOR": ""})
    assert b"\x1b[" not in never.stdout
    _, on_tty = _run_on_tty(["check", "--no-cache", "app/t.py"], project, {}, "stdout")
    assert b"\x1b[1;31mBKL302\x1b[0m" in on_tty and b"^^^" in on_tty
    _, no_color = _run_on_tty(["check", "--no-cache", "app/t.py"], project, {"NO_COLOR": "1"}, "stdout")
    assert b"\x1b[" not in no_color and b"BKL302" in no_color
    for fmt in ("json", "sarif", "github"):  # machine formats are never coloured
        r = run_cli("check", "--no-cache", "--color", "always", "--output-format", fmt, "app/t.py", cwd=project)
        assert b"\x1b[" not in r.stdout


# --- 2. --show-settings, --show-files -------------------------------------------------------------------

def test_show_settings_names_the_config_file_and_the_resolved_settings(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.backend-lint]\nignore = ["BKL302"]\ntarget-version = "py312"\n')
    r = run_cli("check", "--show-settings", "app/t.py", cwd=project)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert f"Resolved settings for: {project / 'app' / 't.py'}" in out
    assert f"Settings path: {project / 'pyproject.toml'}" in out
    assert "target-version = 'py312'" in out
    assert "ignore = [\n    'BKL302',\n]" in out
    assert "'BKL302'" not in out.split("enabled-rules = ")[1]
    assert "BKL302 " not in out  # nothing was linted
    isolated = run_cli("check", "--show-settings", "--isolated", "app/t.py", cwd=project).stdout.decode()
    assert "Settings path: (none: defaults)" in isolated and "target-version = 'py310'" in isolated


def test_show_files_lists_what_a_run_would_lint(project: Path) -> None:
    (project / ".gitignore").write_text("ignored/\n")
    (project / ".git").mkdir()
    (project / "ignored").mkdir()
    (project / "ignored" / "x.py").write_text("x = 1\n")
    (project / "notes.txt").write_text("not python\n")
    r = run_cli("check", "--show-files", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == sorted(
        str(project / p) for p in ("app/noqa.py", "app/t.py", "migrations/versions/a1.py")
    )
    r = run_cli("check", "--show-files", "app", cwd=project)
    assert r.stdout.decode().splitlines() == [str(project / "app/noqa.py"), str(project / "app/t.py")]


# --- 3. --output-file -----------------------------------------------------------------------------------

def test_output_file_holds_the_report(project: Path, tmp_path: Path) -> None:
    to_stdout = run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=project)
    target = tmp_path / "reports" / "lint.json"  # its directory is created
    r = run_cli("check", "--no-cache", "--output-format", "json", "--output-file", str(target), ".", cwd=project)
    assert r.returncode == 1 and r.stdout == b""
    assert target.read_bytes() == to_stdout.stdout
    sarif = tmp_path / "r.sarif"
    run_cli("check", "--no-cache", "--output-format", "sarif", "-o", str(sarif), ".", cwd=project)
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    text = tmp_path / "r.txt"
    run_cli("check", "--no-cache", "--color", "auto", "-o", str(text), ".", cwd=project, env={"NO_COLOR": ""})
    assert "Found 3 errors." in text.read_text() and "\x1b[" not in text.read_text()


def test_unwritable_output_file_is_a_clear_error(project: Path) -> None:
    (project / "blocker").write_text("")
    r = run_cli("check", "--no-cache", "-o", "blocker/out.json", ".", cwd=project)
    assert r.returncode == 2
    assert b"blocker/out.json: cannot write the output" in r.stderr and b"Traceback" not in r.stderr


# --- 4. --fix-only, --exit-non-zero-on-fix, --statistics ------------------------------------------------

def test_fix_only_fixes_and_reports_nothing_else(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--fix-only", ".", cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr  # BKL302 and BKL402 remain: not reported, not an error
    assert r.stdout.decode() == "Fixed 1 error.\n"
    assert (project / "app/noqa.py").read_text() == "x = 1\n"
    r = run_cli("check", "--no-cache", "--fix-only", ".", cwd=project)
    assert r.returncode == 0 and r.stdout == b""  # nothing left to fix: silent
    assert run_cli("check", "--no-cache", "--fix-only", "--output-format", "json", ".", cwd=project).stdout == b""


def test_exit_non_zero_on_fix(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--fix-only", "--exit-non-zero-on-fix", ".", cwd=project)
    assert r.returncode == 1 and r.stdout.decode() == "Fixed 1 error.\n"
    r = run_cli("check", "--no-cache", "--fix-only", "--exit-non-zero-on-fix", ".", cwd=project)
    assert r.returncode == 0  # nothing was fixed this time
    clean = project / "clean"
    clean.mkdir()
    (clean / "n.py").write_text(UNUSED_NOQA)
    r = run_cli("check", "--no-cache", "--fix", "clean", cwd=project)
    assert r.returncode == 0  # fixed, nothing remains
    (clean / "n.py").write_text(UNUSED_NOQA)
    r = run_cli("check", "--no-cache", "--fix", "--exit-non-zero-on-fix", "clean", cwd=project)
    assert r.returncode == 1 and "1 fixed, 0 remaining" in r.stdout.decode()


def test_statistics_marks_only_rules_with_an_applicable_fix_and_says_found(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--statistics", ".", cwd=project)
    lines = r.stdout.decode().splitlines()
    assert "1\tBKL901\t[*] unused-noqa" in lines
    assert "1\tBKL302\t[ ] utc-naive-datetime" in lines  # its fix is unsafe: --fix would not apply it
    assert "Found 3 errors." in lines
    r = run_cli("check", "--no-cache", "--statistics", "--unsafe-fixes", ".", cwd=project)
    assert "1\tBKL302\t[*] utc-naive-datetime" in r.stdout.decode().splitlines()
    quiet = run_cli("check", "--no-cache", "--statistics", "--quiet", ".", cwd=project)
    assert b"Found" not in quiet.stdout


def test_statistics_honour_json(project: Path) -> None:
    r = run_cli("check", "--no-cache", "--statistics", "--output-format", "json", ".", cwd=project)
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert {"code": "BKL901", "name": "unused-noqa", "count": 1, "fixable": True} in data
    assert {"code": "BKL302", "name": "utc-naive-datetime", "count": 1, "fixable": False} in data
    assert len(data) == 3


def test_fix_on_a_read_only_file_does_not_claim_its_findings_are_fixable(project: Path) -> None:
    os.chmod(project / "app/noqa.py", 0o444)
    r = run_cli("check", "--no-cache", "--fix", "app", cwd=project)
    out = r.stdout.decode()
    assert b"fixes not written" in r.stderr
    assert "BKL901" in out
    assert "fixable with the `--fix` option" not in out, out
    stats = run_cli("check", "--no-cache", "--fix", "--statistics", "app", cwd=project).stdout.decode()
    assert "[ ] unused-noqa" in stats and "fixable with the `--fix` option" not in stats
    # without --fix, the same finding is fixable (the file could be made writable)
    assert "[*] 1 fixable with the `--fix` option" in run_cli("check", "--no-cache", "app", cwd=project).stdout.decode()


# --- 5. progress and -v ---------------------------------------------------------------------------------

def test_progress_on_a_terminal_only(project: Path) -> None:
    env = {"BACKEND_LINT_PROGRESS_DELAY": "0", "NO_COLOR": "1"}  # draw at once: no wait in the suite
    r, stderr = _run_on_tty(["check", "--no-cache", "."], project, env, "stderr")
    assert r.returncode == 1
    assert b"\rLinting " in stderr and b"/3 files" in stderr
    assert stderr.endswith(b"\r"), stderr  # the line is wiped at the end
    assert b"Linting" not in r.stdout
    _, quiet = _run_on_tty(["check", "--no-cache", "--quiet", "."], project, env, "stderr")
    assert b"Linting" not in quiet
    piped = run_cli("check", "--no-cache", ".", cwd=project, env=env)
    assert b"Linting" not in piped.stderr and b"\r" not in piped.stderr


def test_verbose_tells_configuration_root_and_timings(project: Path) -> None:
    r = run_cli("check", "--no-cache", "-v", ".", cwd=project)
    err = r.stderr.decode()
    assert f"configuration: {project / 'pyproject.toml'}" in err
    assert f"project root: {project}" in err
    assert "files: 3 linted, 0 from the cache" in err
    for phase in ("settings", "discover", "index", "lint", "project", "total"):
        assert f"timing: {phase}" in err, err
    assert "timing" not in r.stdout.decode()
    assert "timing" not in run_cli("check", "--no-cache", ".", cwd=project).stderr.decode()


# --- 8. --isolated, --target-version, --per-file-ignores ------------------------------------------------

def test_isolated_ignores_configuration_files(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.backend-lint]\nignore = ["BKL302"]\n')
    assert b"BKL302" not in run_cli("check", "--no-cache", ".", cwd=project).stdout
    r = run_cli("check", "--no-cache", "--isolated", "--output-format", "concise", ".", cwd=project)
    assert b"BKL302" in r.stdout
    r = run_cli("check", "--no-cache", "--isolated", "--ignore", "BKL3", "--output-format", "concise", ".", cwd=project)
    assert b"BKL302" not in r.stdout and b"BKL402" in r.stdout
    r = run_cli("check", "--isolated", "--config", "pyproject.toml", ".", cwd=project)
    assert r.returncode == 2 and b"--isolated and --config cannot be used together" in r.stderr


def test_target_version_on_the_command_line(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.backend-lint]\ntarget-version = "py310"\n')
    old = run_cli("check", "--no-cache", "--unsafe-fixes", "--diff", "app/t.py", cwd=project).stdout.decode()
    assert "+from datetime import datetime, timezone" in old
    new = run_cli("check", "--no-cache", "--unsafe-fixes", "--diff", "--target-version", "py312", "app/t.py", cwd=project)
    assert "+from datetime import UTC, datetime" in new.stdout.decode()
    bad = run_cli("check", "--target-version", "py27", ".", cwd=project)
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr


def test_per_file_ignores_on_the_command_line(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.backend-lint.per-file-ignores]\n"migrations/*" = ["BKL402"]\n')
    base = run_cli("check", "--no-cache", "--output-format", "concise", ".", cwd=project).stdout.decode()
    assert "BKL402" not in base and "BKL302" in base
    r = run_cli("check", "--no-cache", "--output-format", "concise", "--per-file-ignores", "app/*:BKL302,app/t.py:BKL3", ".", cwd=project)
    out = r.stdout.decode()
    assert "BKL302" not in out and "BKL901" in out
    assert "BKL402" in out  # the command line's per-file-ignores replace the configuration's, as in ruff
    r = run_cli("check", "--no-cache", "--output-format", "concise", "--extend-per-file-ignores", "app/*:BKL3", ".", cwd=project)
    assert "BKL302" not in r.stdout.decode() and "BKL402" not in r.stdout.decode()
    for bad, message in (("app/*", b"expected PATTERN:CODE"), ("app/*:BKL777", b"unknown rule selector `BKL777`")):
        r = run_cli("check", "--no-cache", "--per-file-ignores", bad, ".", cwd=project)
        assert r.returncode == 2 and message in r.stderr and b"Traceback" not in r.stderr
