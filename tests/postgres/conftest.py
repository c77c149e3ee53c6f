"""One private Postgres server for the whole session (pgserver ships the binaries).

The server listens on a unix socket in a temporary directory only (pgserver starts it with
``-h ""``: no TCP address at all), so nothing here touches the network. Each test gets a fresh
database of its own on that server.

As root (CI runs as root), initdb and postgres refuse to run: pgserver handles it the way it
documents, by creating a system user ``pgserver`` with ``useradd`` (once) and running initdb,
pg_ctl and the server as that user; it also widens the permissions of the data directory's
parent folders and of its own bin/ and lib/ folders so that user can reach them.
"""
from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from .harness import PgServer, PgDatabase


@pytest.fixture(scope="session")
def pg_server():
    try:
        with warnings.catch_warnings():  # platformdirs: XDG_RUNTIME_DIR unset, /tmp/runtime-<uid> used
            warnings.simplefilter("ignore")
            import pgserver  # noqa: F401  (the import itself finds the shipped binaries)
        import psycopg  # noqa: F401
    except ImportError as exc:  # the test extra was not installed
        pytest.skip(f"Postgres cannot start: {exc.name} is not installed (pip install -e '.[test]')")
    root = Path(tempfile.mkdtemp(prefix="bkl-pg-"))
    try:
        server = PgServer.start(root / "pgdata")
    except Exception as exc:  # noqa: BLE001 (any start failure is a reason to skip, and the reason is shown)
        log = root / "pgdata" / "log"
        tail = log.read_text(errors="replace")[-800:] if log.exists() else "(no server log)"
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"Postgres cannot start on this machine: {type(exc).__name__}: {exc}\n{tail}")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


_numbers = itertools.count(1)


@pytest.fixture
def pg(pg_server) -> PgDatabase:
    """A fresh database with the populated tables of harness.SCHEMA (50,000 accounts)."""
    db = pg_server.populated_database(f"bkl_{next(_numbers)}")
    try:
        yield db
    finally:
        pg_server.drop_database(db)
