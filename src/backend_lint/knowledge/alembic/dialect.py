"""The database a project's migrations run on (family 4, part two): ``postgresql``, ``mysql`` or ``sqlite``.

In order, the first that answers:

1. the ``migration-dialect`` setting;
2. the revision's path: a directory named for a dialect (``versions/sqlite/``, ``versions/postgresql/``) or
   a file name ending in one (``007_add_index_sqlite.py``, ``..._postgres.py``), as projects that keep one
   revision tree per database name them;
3. the project's driver pins, in the directories from the file's up to the project root: a Postgres driver
   (psycopg, psycopg2, asyncpg, pg8000) is Postgres; else a MySQL driver (pymysql, mysqlclient, aiomysql,
   asyncmy, mysql-connector) is MySQL; else ``aiosqlite`` is SQLite;
4. the revision itself: ``postgresql_*`` / ``mysql_*`` / ``sqlite_*`` keywords and
   ``sqlalchemy.dialects.<name>`` imports (one dialect only; a file naming several says nothing);
5. ``sqlalchemy.url`` in an ``alembic.ini`` of those directories (often a development database, hence last);
6. Postgres.

Pins are read from the spec files (``pyproject.toml``, ``setup.cfg``, ``setup.py``, ``Pipfile``,
``requirements*.txt`` / ``.in``), not from lock files, whose transitive entries say nothing of the driver
the project chose. Nothing is imported or run.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any, Optional

from ...ground.inputs import ALEMBIC_ENV, ALEMBIC_INI, SPEC_FILES, is_requirements, per_run

POSTGRESQL = "postgresql"
MYSQL = "mysql"
SQLITE = "sqlite"

_FILE_MARKERS = {
    POSTGRESQL: re.compile(r"\bpostgresql_\w+\s*=|sqlalchemy\.dialects(?:\.|\s+import\s+)postgresql\b"),
    MYSQL: re.compile(r"\bmysql_\w+\s*=|sqlalchemy\.dialects(?:\.|\s+import\s+)mysql\b"),
    SQLITE: re.compile(r"\bsqlite_\w+\s*=|sqlalchemy\.dialects(?:\.|\s+import\s+)sqlite\b"),
}
_PG_DRIVER = re.compile(r"""(?:^|["'\s,\[])(?:psycopg2?(?:-binary)?|psycopg\[[^\]]*\]|asyncpg|pg8000)\s*(?:[<>=!~^;,"'\s\[]|$)""", re.I | re.M)
_MYSQL_DRIVER = re.compile(r"""(?:^|["'\s,\[])(?:pymysql|mysqlclient|aiomysql|asyncmy|mysql-connector(?:-python)?)\s*(?:[<>=!~^;,"'\s\[]|$)""", re.I | re.M)
_SQLITE_DRIVER = re.compile(r"""(?:^|["'\s,\[])aiosqlite\s*(?:[<>=!~^;,"'\s\[]|$)""", re.I | re.M)
_INI_URL = re.compile(r"^\s*sqlalchemy\.url\s*=\s*(\S+)", re.M)
_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def file_dialect(source: str) -> Optional[str]:
    """The one dialect the revision's own keywords and imports name, if exactly one."""
    found = [name for name, pattern in _FILE_MARKERS.items() if pattern.search(source)]
    return found[0] if len(found) == 1 else None


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(1_000_000)
    except OSError:
        return ""


@per_run
@lru_cache(maxsize=512)
def _evidence_in_dir(directory: str) -> tuple:
    """What one directory says: (pinned drivers, alembic.ini URLs), each a set of dialects."""
    try:
        names = os.listdir(directory)
    except OSError:
        return frozenset(), frozenset()
    out: set = set()
    ini: set = set()
    specs = [n for n in SPEC_FILES if n in names]  # (declared in ground/inputs.py; lock files say nothing here)
    specs += sorted(n for n in names if is_requirements(n))
    for name in specs:
        text = _read(os.path.join(directory, name))
        if _PG_DRIVER.search(text):
            out.add(POSTGRESQL)
        if _MYSQL_DRIVER.search(text):
            out.add(MYSQL)
        if _SQLITE_DRIVER.search(text):
            out.add(SQLITE)
    if ALEMBIC_INI in names:
        for url in _INI_URL.findall(_read(os.path.join(directory, ALEMBIC_INI))):
            url = url.lower()
            if url.startswith("postgres"):
                ini.add(POSTGRESQL)
            elif url.startswith("mysql") or url.startswith("mariadb"):
                ini.add(MYSQL)
            elif url.startswith("sqlite"):
                ini.add(SQLITE)
    return frozenset(out), frozenset(ini)


def _is_project_dir(directory: str) -> bool:
    return any(os.path.exists(os.path.join(directory, m)) for m in _PROJECT_MARKERS)


_PATH_WORDS = {"sqlite": SQLITE, "sqlite3": SQLITE, "mysql": MYSQL, "mariadb": MYSQL, "postgresql": POSTGRESQL, "postgres": POSTGRESQL, "pg": POSTGRESQL}


def path_dialect(path: str) -> Optional[str]:
    """A dialect named by the revision's directory or by the end of its file name (step 2 above)."""
    parts = os.path.abspath(path).replace("\\", "/").split("/")
    stem = os.path.splitext(parts[-1])[0].lower()
    found = {_PATH_WORDS[word] for word in (p.lower() for p in parts[-4:-1]) if word in _PATH_WORDS}
    tail = re.search(r"[_\-.](sqlite3?|mysql|mariadb|postgresql|postgres|pg)$", stem)
    if tail:
        found.add(_PATH_WORDS[tail.group(1)])
    return found.pop() if len(found) == 1 else None


def project_dialect(path: str, root: str, ini: bool) -> Optional[str]:
    """What the project around ``path`` says: its pins (step 3 above), or with ``ini`` its ``alembic.ini``
    (step 5); ``None`` when silent."""
    root = os.path.abspath(root or ".")
    directory = os.path.dirname(os.path.abspath(path))
    inside = directory == root or directory.startswith(root + os.sep)
    seen: set = set()
    for _ in range(12):
        seen |= _evidence_in_dir(directory)[1 if ini else 0]
        if (inside and directory == root) or (not inside and _is_project_dir(directory)):
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for dialect in (POSTGRESQL, MYSQL, SQLITE):
        if dialect in seen:
            return dialect
    return None


def dialect_of(settings: Any, path: str, source: str) -> str:
    """The dialect a revision at ``path`` with text ``source`` runs on (see the module docstring); also the
    family-4 lock screens' answer, from the linted path (``rules/migrations/_screens.py``)."""
    setting = getattr(settings, "migration_dialect", None)
    if setting:
        return setting
    root = settings.root
    return (
        path_dialect(path)
        or project_dialect(path, root, ini=False)
        or file_dialect(source)
        or project_dialect(path, root, ini=True)
        or POSTGRESQL
    )


def migration_dialect(ctx: Any) -> str:
    """The dialect the revision in ``ctx`` runs on (``dialect_of``)."""
    return ctx.cached("alembic.dialect", lambda: dialect_of(ctx.settings, ctx.path, ctx.source))


_ENGINE_CALLS = re.compile(r"\b(?:engine_from_config|async_engine_from_config|create_engine|create_async_engine)\s*\(")


@per_run
@lru_cache(maxsize=256)
def _env_autocommit(directory: str) -> Optional[bool]:
    """``True``: env.py asks for AUTOCOMMIT, or takes its connection from elsewhere (no engine of its own:
    the caller's engine decides, and it may run in AUTOCOMMIT); ``False``: it builds its own engine without
    it; ``None``: no env.py here."""
    path = os.path.join(directory, ALEMBIC_ENV)
    if not os.path.isfile(path):
        return None
    text = _read(path)
    if re.search(r"""isolation_level\s*=\s*["']AUTOCOMMIT["']""", text):
        return True
    return not _ENGINE_CALLS.search(text)


def env_may_run_in_autocommit(path: str) -> bool:
    """Whether the ``env.py`` beside the revision's ``versions/`` directory (or in it, or one level up for
    ``versions/<dialect>/`` trees) may run the revision on an ``isolation_level="AUTOCOMMIT"`` engine: the
    one environment where Postgres accepts ``CONCURRENTLY`` outside ``autocommit_block()``
    (``transactional_ddl=False`` does not: tests/postgres/test_lock_claims.py). An env.py that builds no
    engine of its own (the connection comes from the application) may; no env.py at all: no."""
    directory = os.path.dirname(os.path.abspath(path))
    for _ in range(3):
        found = _env_autocommit(directory)
        if found is not None:
            return found
        directory = os.path.dirname(directory)
    return False
