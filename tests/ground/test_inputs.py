"""What a run reads besides the sources (issue 15): ``.git/info/exclude``, ``max-file-size`` before any
read, and the declared inputs of ``ground/inputs.py``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from backend_lint.ground.inputs import input_files, inputs_stamp

from clihelpers import make_project, run_cli

UTCNOW = "from datetime import datetime\n\nstamp = datetime.utcnow()\n"


def _files(root: Path, *args: str) -> list:
    r = run_cli("check", "--output-format", "json", "--exit-zero", *args, ".", cwd=root)
    assert r.returncode == 0, r.stderr.decode()
    return sorted({os.path.relpath(d["filename"], root) for d in json.loads(r.stdout)})


def test_git_info_exclude_is_honoured_and_followed_by_the_stored_listing(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/a.py": UTCNOW, "scratch/b.py": UTCNOW})
    (root / ".git" / "info").mkdir(parents=True)
    exclude = root / ".git" / "info" / "exclude"
    exclude.write_text("scratch/\n")
    assert _files(root) == ["app/a.py"]
    assert _files(root) == ["app/a.py"]  # warm: the stored listing
    exclude.write_text("# nothing\n")
    assert _files(root) == ["app/a.py", "scratch/b.py"]
    assert _files(root, "--no-respect-gitignore") == ["app/a.py", "scratch/b.py"]


def test_a_file_over_max_file_size_is_reported_before_it_is_read(tmp_path: Path) -> None:
    """Undecodable bytes would be "Cannot read file": the size is checked first, and a large file where no
    rule could fire is reported too (it was a silent pass)."""
    root = make_project(
        tmp_path,
        {"small.py": "x = 1\n", "plain.py": "x = 1\n" * 400},
        pyproject="[tool.backend-lint]\nmax-file-size = 1000\n",
    )
    (root / "bad.py").write_bytes(b"x = '\xff\xfe'\n" * 200)
    r = run_cli("check", "--output-format", "json", "--no-cache", ".", cwd=root)
    assert r.returncode == 1, r.stderr.decode()
    found = {(os.path.basename(d["filename"]), d["code"], d["message"]) for d in json.loads(r.stdout)}
    message = "File is larger than `max-file-size` (1000 bytes); not linted"
    assert found == {("bad.py", "BKL900", message), ("plain.py", "BKL900", message)}


def test_the_inputs_stamp_follows_nested_pins_ini_env_configuration_and_ignores(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/a.py": "x = 1\n", "migrations/versions/r1.py": "x = 1\n"})
    files = [str(root / "app/a.py"), str(root / "migrations/versions/r1.py")]
    seen = {inputs_stamp(files)}
    for rel, text in [
        ("requirements/base.txt", "sqlmodel==0.0.14\n"),
        ("requirements/base.txt", "sqlmodel==0.0.16\n"),  # same size, same tick
        ("alembic.ini", "[alembic]\nscript_location = migrations\n"),
        ("migrations/env.py", "x = 1\n"),
        ("app/backend-lint.toml", "ignore = []\n"),
        (".gitignore", "build/\n"),
        (".git/info/exclude", "tmp/\n"),
        ("app/requirements-dev.in", "sqlmodel\n"),
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        stamp = inputs_stamp(files)
        assert stamp not in seen, rel
        seen.add(stamp)
    assert str(root / "requirements" / "base.txt") in input_files(str(root))
    (root / "app" / "notes.txt").write_text("not an input\n")
    assert inputs_stamp(files) in seen


def test_a_warm_workspace_sees_a_pin_changed_between_two_buffers(tmp_path: Path) -> None:
    """An editor's workspace lints buffer after buffer with no run in between: a declared input changed on
    disk (here the SQLModel pin) is read again, never served from the process's memo of it."""
    from backend_lint.engine.workspace import Workspace
    from backend_lint.ground.config import Settings

    model = (
        "from datetime import datetime\nfrom sqlmodel import Field, SQLModel\n\n\n"
        "class Item(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n    created_at: datetime\n"
    )
    root = make_project(tmp_path, {"app/__init__.py": "", "app/models.py": model})
    (root / "requirements.txt").write_text("sqlmodel==0.0.24\n")
    workspace = Workspace(Settings(root=str(root)), codes=["BKL305"])
    path = str(root / "app" / "models.py")
    assert [d.code for d in workspace.lint_buffer(path, model).diagnostics] == ["BKL305"]
    (root / "requirements.txt").write_text("sqlmodel>=0.0.45\n")
    assert [d.code for d in workspace.lint_buffer(path, model).diagnostics] == []
    (root / "requirements.txt").write_text("sqlmodel==0.0.24\n")
    assert [d.code for d in workspace.lint_buffer(path, model).diagnostics] == ["BKL305"]


def test_the_inputs_stamp_reuses_a_trusted_stored_listing(tmp_path: Path, monkeypatch) -> None:
    """A replayed stored listing of the project (its directories unchanged) also says which declared inputs
    each directory holds: the run key's stamp then lists none of those directories (their inputs are still
    read), and comes out the same as when it lists them; a directory changed since is listed again."""
    import time

    from backend_lint.ground import discovery, inputs
    from backend_lint.ground.config import Settings

    root = tmp_path / "proj"
    layout = {
        "pyproject.toml": "[project]\nname = 'x'\n", "app/a.py": "x = 1\n", "app/requirements.txt": "sqlmodel\n",
        "app/sub/b.py": "x = 1\n", "app/sub/.gitignore": "build/\n", "svc/c.py": "x = 1\n",
        "svc/requirements/base.txt": "sqlmodel\n", "lib/d.py": "x = 1\n", "lib/alembic.ini": "[alembic]\n",
    }
    for rel, text in layout.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    then = time.time_ns() - 10_000_000_000
    for p in [root, *root.rglob("*")]:
        os.utime(p, ns=(then, then))
    cache = str(tmp_path / "cache")
    settings = Settings(root=str(root))

    def walk() -> list[str]:
        inputs.forget()
        return discovery.project_python_files(str(root), settings, True, cache)

    files = walk()  # listed, and stored
    listed = inputs_stamp(files)
    assert files == walk()  # replayed from the store: the directories' inputs are remembered
    calls: list[str] = []
    real = inputs.input_files
    monkeypatch.setattr(inputs, "input_files", lambda d: (calls.append(d), real(d))[1])
    assert inputs_stamp(files) == listed
    assert str(root / "svc") in calls  # (a ``requirements`` directory: listed by every run)
    assert not {str(root), str(root / "app"), str(root / "app" / "sub"), str(root / "lib")} & set(calls)
    (root / "app" / "poetry.lock").write_text("# pins\n")  # changes the directory: listed again
    calls.clear()
    stamp = inputs_stamp(files)
    assert str(root / "app") in calls and stamp != listed
    inputs.forget()
    assert inputs_stamp(files) == stamp


def test_the_stamps_dirname_is_os_path_dirname() -> None:
    import random

    from backend_lint.ground.inputs import _dirname

    rng = random.Random(3)
    parts = ["a", "b.py", ".", "..", "", "//", "x"]
    for _ in range(5000):
        path = rng.choice(("/", "", "./")) + "/".join(rng.choice(parts) for _ in range(rng.randint(1, 5)))
        assert _dirname(path) == os.path.dirname(path), path
