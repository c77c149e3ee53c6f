"""The cache never lies: random sequences of edits to a small project, and after every step a warm run
reports exactly what a ``--no-cache`` run reports (issue 15, item 5).

The edits are those a real project sees: files added, removed and renamed; a model's field; a SQLModel
pin in ``requirements/base.txt`` (a nested pin file); ``version_locations`` in ``alembic.ini``; ``env.py``;
the ``[tool.backend-lint]`` configuration; ``.gitignore``. Edits follow each other without waiting, so
that many land within one timestamp tick of the previous run (a same-size edit the mtime cannot see).

The warm runs go through the one entry (``workspace.run``), all in this process: it must forget what it
remembers of the files between runs too (a language server runs many times). The reference is what a user
gets from ``backend-lint check --no-cache`` in a process of its own: a ``--no-cache`` run after every memo of
the package is emptied (``_as_a_fresh_process``; ``test_the_reference_is_what_the_cli_reports`` checks it
against the CLI). ``BKL_CACHE_EXAMPLES`` sets the number of examples (CI: a few; a longer run:
``BKL_CACHE_EXAMPLES=200 BKL_CACHE_RANDOM=1``).
"""

from __future__ import annotations

import functools
import gc
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from backend_lint.engine.workspace import Request, run

from backend_lint.ground import discovery
from clihelpers import run_cli

EXAMPLES = int(os.environ.get("BKL_CACHE_EXAMPLES", "10"))

MODELS = '''from datetime import datetime

from sqlmodel import Field, SQLModel


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
{fields}'''
OWNER = '    owner_id: int = Field(foreign_key="user.id")\n'
CREATED = "    created_at: datetime\n"

ROUTES = '''from fastapi import APIRouter, Depends
from sqlmodel import Session

from .deps import get_current_user, get_session
from .models import Item

router = APIRouter()


@router.get("/items/{item_id}")
def read_item(item_id: int, session: Session = Depends(get_session), current_user=Depends(get_current_user)):
    return session.get(Item, item_id)
'''
DEPS = "def get_current_user(): ...\n\n\ndef get_session(): ...\n"
EXTRA = "from datetime import datetime\n\nstamp = datetime.utcnow()  # {n}\n"


def _revision(rid: str) -> str:
    return f'''"""{rid}

Revision ID: {rid}
"""
from alembic import op
import sqlalchemy as sa

revision = "{rid}"
down_revision = None


def upgrade():
    op.create_index("ix_{rid}", "item", ["title"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_{rid}", table_name="item")
'''


ENV = {
    False: "from alembic import context\nfrom sqlalchemy import engine_from_config\n\nconnectable = engine_from_config({})\n",
    True: 'from alembic import context\nfrom sqlalchemy import engine_from_config\n\nconnectable = engine_from_config({}, isolation_level="AUTOCOMMIT")\n',
}
INI = {
    False: "[alembic]\nscript_location = migrations\n",
    True: "[alembic]\nscript_location = migrations\nversion_locations = %(here)s/migrations/va %(here)s/migrations/vb\n",
}
PINS = ("", "sqlmodel==0.0.14\n", "sqlmodel==0.0.16\n", "sqlmodel==0.0.46\n", "fastapi\nsqlmodel>=0.0.22\n")
CONFIGS = (
    "[tool.backend-lint]\n",
    '[tool.backend-lint]\nignore = ["BKL3"]\n',
    '[tool.backend-lint]\nper-file-ignores = { "app/extra_*.py" = ["BKL302"] }\n',
    '[tool.backend-lint]\nexclude = ["legacy"]\n',
)
IGNORES = ("", "legacy/\n", "app/extra_1.py\n", "*.pyc\n")


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _project(root: Path) -> None:
    _write(root, "pyproject.toml", CONFIGS[0])
    _write(root, "requirements/base.txt", PINS[1])
    _write(root, "alembic.ini", INI[False])
    _write(root, "migrations/env.py", ENV[False])
    _write(root, "migrations/va/a1.py", _revision("a1"))
    _write(root, "migrations/vb/b1.py", _revision("b1"))
    _write(root, "app/__init__.py", "")
    _write(root, "app/models.py", MODELS.format(fields=OWNER + CREATED))
    _write(root, "app/routes.py", ROUTES)
    _write(root, "app/deps.py", DEPS)
    _write(root, "legacy/old.py", EXTRA.format(n="legacy"))
    _write(root, ".gitignore", IGNORES[0])


def _apply(root: Path, step: tuple) -> None:
    kind, a, b = step
    extra = lambda n: root / "app" / f"extra_{n}.py"  # noqa: E731
    if kind == "add":
        _write(root, f"app/extra_{a}.py", EXTRA.format(n=a))
    elif kind == "remove":
        if extra(a).exists():
            extra(a).unlink()
    elif kind == "rename":
        if extra(a).exists() and a != b:
            extra(a).replace(extra(b))
    elif kind == "fields":
        _write(root, "app/models.py", MODELS.format(fields=(OWNER if a else "") + (CREATED if b else "")))
    elif kind == "pin":
        _write(root, "requirements/base.txt", PINS[a])
    elif kind == "ini":
        _write(root, "alembic.ini", INI[a])
    elif kind == "env":
        _write(root, "migrations/env.py", ENV[a])
    elif kind == "config":
        _write(root, "pyproject.toml", CONFIGS[a])
    elif kind == "gitignore":
        _write(root, ".gitignore", IGNORES[a])


STEPS = st.one_of(
    st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("rename"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("fields"), st.booleans(), st.booleans()),
    st.tuples(st.just("pin"), st.integers(0, len(PINS) - 1), st.just(0)),
    st.tuples(st.sampled_from(["ini", "env"]), st.booleans(), st.just(0)),
    st.tuples(st.just("config"), st.integers(0, len(CONFIGS) - 1), st.just(0)),
    st.tuples(st.just("gitignore"), st.integers(0, len(IGNORES) - 1), st.just(0)),
)


def _as_a_fresh_process() -> None:
    """Empty every process-wide memo of the package (what a new process starts without)."""
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", "").startswith("backend_lint."):
            obj.cache_clear()
    discovery._WALKS.clear()


def _findings(root: Path, use_cache: bool) -> list:
    if not use_cache:
        _as_a_fresh_process()
    result = run(Request(paths=["."], use_cache=use_cache, jobs=1, cache_dir=str(root / ".cache")))
    assert not result.errors, result.errors
    return sorted((d.path, d.location.row, d.location.column, d.code, d.message) for d in result.diagnostics)


def _cli(root: Path) -> list:
    r = run_cli("check", "--no-cache", "--output-format", "json", "--exit-zero", ".", cwd=root)
    assert r.returncode == 0, r.stderr.decode()
    rel = lambda f: os.path.relpath(f, root)  # noqa: E731
    return sorted((rel(d["filename"]), d["location"]["row"], d["location"]["column"], d["code"], d["message"]) for d in json.loads(r.stdout))


def test_the_reference_is_what_the_cli_reports(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _project(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        _findings(root, True)
        for step in [("ini", True, 0), ("pin", 3, 0), ("env", True, 0), ("add", 1, 0)]:
            _apply(root, step)
        assert _findings(root, False) == _cli(root)
    finally:
        os.chdir(cwd)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("BKL_CACHE_RANDOM") != "1",
)
@given(st.lists(STEPS, min_size=2, max_size=6))
def test_a_warm_run_reports_what_a_no_cache_run_reports_after_every_edit(steps: list) -> None:
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        _project(root)
        os.chdir(root)
        try:
            _findings(root, True)  # the cache, warm
            for step in steps:
                _apply(root, step)
                warm = _findings(root, True)
                assert warm == _findings(root, False), step
        finally:
            os.chdir(cwd)


def _warm_then_edit(tmp_path: Path, edit) -> tuple[list, list]:
    root = tmp_path / "proj"
    _project(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        _findings(root, True)
        edit(root)
        return _findings(root, True), _findings(root, False)
    finally:
        os.chdir(cwd)


def test_a_pin_changed_in_a_nested_requirements_file_is_seen(tmp_path: Path) -> None:
    warm, fresh = _warm_then_edit(tmp_path, lambda root: _write(root, "requirements/base.txt", PINS[3]))
    assert warm == fresh
    assert not any(f[3] == "BKL305" for f in fresh)  # SQLModel 0.0.46 stores it aware


def test_version_locations_added_to_alembic_ini_are_seen(tmp_path: Path) -> None:
    warm, fresh = _warm_then_edit(tmp_path, lambda root: _write(root, "alembic.ini", INI[True]))
    assert warm == fresh
    assert any(f[3] == "BKL405" for f in fresh)


def test_a_same_size_edit_within_one_tick_is_seen(tmp_path: Path) -> None:
    """The index trusts a file's (mtime, size) only when the stamp is older than the file's last change by
    more than a timestamp tick; here the edit keeps both (the mtime is put back)."""

    def edit(root: Path) -> None:
        models = root / "app" / "models.py"
        st = models.stat()
        text = models.read_text()
        assert "created_at: datetime\n" in text
        models.write_text(text.replace("created_at: datetime\n", "created_at: str     \n"))
        os.utime(models, ns=(st.st_atime_ns, st.st_mtime_ns))

    warm, fresh = _warm_then_edit(tmp_path, edit)
    assert warm == fresh
    assert not any(f[3] == "BKL305" for f in fresh)
