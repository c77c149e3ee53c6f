"""Run Alembic revisions for real against a populated Postgres table and watch what a second
connection can do meanwhile.

The barrier is deterministic, with no sleeps: the env.py written here is Alembic's generic
``run_migrations_online`` (an engine from ``sqlalchemy.url``, ``context.begin_transaction()``
around ``context.run_migrations()``), plus an ``on_version_apply`` callback. Alembic calls that
callback right after a revision's ``upgrade()`` and its version-table update, *inside* the
revision's transaction (one transaction for the whole run by default, one per revision with
``transaction_per_migration=True``), so every lock the revision took is still held. At that point
the harness

* reads from ``pg_locks`` which locks the migration's backend holds on the tables,
* runs the probe writes from a second connection under ``SET lock_timeout = '200ms'`` and
  records whether each went through or was refused with ``lock_timeout`` (blocked).

Server messages are collected too: the migration's connection runs with
``client_min_messages = debug1``, where Postgres itself says ``rewriting table "x"`` (a rewrite),
``verifying table "x"`` (a full scan), ``validating foreign key constraint "c"`` and
``existing constraints on column "x.y" are sufficient to prove that it does not contain nulls``.
"""
from __future__ import annotations

import shutil
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import psycopg
from psycopg import sql

REVISIONS = Path(__file__).parent / "revisions"

ROWS = 50_000

# The "existing table" every revision works on: created and filled outside Alembic, the way a
# production table exists long before the revision that changes it.
SCHEMA = f"""
CREATE TABLE owners (
    id bigint PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO owners SELECT g, 'owner ' || g FROM generate_series(1, 1000) AS g;
CREATE TABLE accounts (
    id bigserial PRIMARY KEY,
    email varchar(50) NOT NULL,
    nickname varchar(50),
    balance integer NOT NULL DEFAULT 0,
    owner_id bigint,
    legacy_code varchar(20)
);
INSERT INTO accounts (email, nickname, balance, owner_id, legacy_code)
SELECT 'user' || g || '@example.com', 'nick' || g, g % 1000, 1 + g % 1000, 'L' || g
FROM generate_series(1, {ROWS}) AS g;
CREATE INDEX ix_accounts_owner_id ON accounts (owner_id);
CREATE TABLE account_codes (
    code varchar(20) NOT NULL,
    account_id bigint
);
INSERT INTO account_codes SELECT 'C' || g, g FROM generate_series(1, {ROWS}) AS g;
ANALYZE account_codes;
ANALYZE accounts;
ANALYZE owners;
"""

# What the code still running (the old release) does while the migration runs.
INSERT_ACCOUNT = (
    "INSERT INTO accounts (email, nickname, owner_id) "
    "VALUES ('probe' || nextval('accounts_id_seq') || '@example.com', 'probe', 1)"
)
UPDATE_ACCOUNT = "UPDATE accounts SET balance = balance + 1 WHERE id = 1"
INSERT_CODE = "INSERT INTO account_codes (code, account_id) VALUES ('p' || left(md5(random()::text), 16), 1)"
READ_ACCOUNT = "SELECT email FROM accounts WHERE id = 2"
READ_CODE = "SELECT account_id FROM account_codes WHERE code = 'C2'"

LOCK_TIMEOUT = "200ms"

ENV_PY = '''
"""Alembic's generic env.py (run_migrations_online), plus the harness's barrier callback."""
from alembic import context
from sqlalchemy import engine_from_config, event, pool

config = context.config


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
        # client_min_messages=debug1: the server reports rewrites and scans to the client.
        # statement_timeout is only a safety net so that a mistake fails instead of hanging.
        connect_args={"options": "-c client_min_messages=debug1 -c statement_timeout=30000"},
        **config.attributes["engine_options"],
    )
    notices = config.attributes["notices"]

    @event.listens_for(connectable, "connect")
    def _collect_notices(dbapi_connection, _record):
        dbapi_connection.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=None,
            transaction_per_migration=config.attributes["transaction_per_migration"],
            on_version_apply=[config.attributes["on_version_apply"]],
            **config.attributes["configure_extra"],
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''


@dataclass
class Probe:
    """One write attempted from a second connection under lock_timeout."""

    statement: str
    blocked: bool
    error: str | None  # the SQLSTATE and message when it did not go through
    seconds: float


@dataclass
class Barrier:
    """What was observed inside a revision's still-open transaction."""

    revision: str
    locks: dict[str, set[str]]  # table -> lock modes the migration's backend holds, granted
    probes: list[Probe]

    def blocked(self) -> bool:
        return any(p.blocked for p in self.probes)


@dataclass
class Run:
    """The outcome of one ``alembic upgrade heads``."""

    error: BaseException | None
    barriers: dict[str, Barrier] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    notices_by_revision: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def sqlstate(self) -> str | None:
        orig = getattr(self.error, "orig", self.error)
        return getattr(orig, "sqlstate", None)

    @property
    def message(self) -> str:
        orig = getattr(self.error, "orig", self.error)
        return str(orig) if orig is not None else ""

    def said(self, fragment: str, revision: str | None = None) -> bool:
        """Did the server say ``fragment`` (during ``revision``, when given)?"""
        notices = self.notices if revision is None else self.notices_by_revision.get(revision, [])
        return any(fragment in n for n in notices)


class PgServer:
    def __init__(self, handle) -> None:
        self.handle = handle
        self.admin_uri = handle.get_uri()

    @classmethod
    def start(cls, pgdata: Path) -> "PgServer":
        import warnings

        with warnings.catch_warnings():
            # platformdirs warns that XDG_RUNTIME_DIR is unset (pgserver then keeps its lock file
            # in /tmp/runtime-<uid>): harmless, and not ours to fix.
            warnings.simplefilter("ignore")
            import pgserver

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        handle = pgserver.get_server(pgdata, cleanup_mode="stop")
        server = cls(handle)
        with server.admin() as conn:
            # A throwaway server: durability buys nothing here, speed does.
            for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off"):
                conn.execute(f"ALTER SYSTEM SET {setting}")
            conn.execute("SELECT pg_reload_conf()")
        return server

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_uri, autocommit=True)

    def stop(self) -> None:
        self.handle.cleanup()  # pg_ctl -w stop (fast mode), as the server's own user

    def version(self) -> str:
        with self.admin() as conn:
            return conn.execute("SHOW server_version").fetchone()[0]

    def create_database(self, name: str, template: str = "template1") -> "PgDatabase":
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            )
        return PgDatabase(self, name)

    def populated_database(self, name: str) -> "PgDatabase":
        """A new database holding SCHEMA: the first one fills a template, the rest copy it (faster)."""
        if not getattr(self, "_template_ready", False):
            self.create_database("bkl_template").populate()
            self._template_ready = True
        return self.create_database(name, template="bkl_template")

    def drop_database(self, db: "PgDatabase") -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name)))


class PgDatabase:
    def __init__(self, server: PgServer, name: str) -> None:
        self.server = server
        self.name = name
        info = psycopg.conninfo.conninfo_to_dict(server.admin_uri)
        info["dbname"] = name
        self.conninfo = psycopg.conninfo.make_conninfo(**info)
        # postgresql+psycopg://postgres@/name?host=/socket/dir
        self.sqlalchemy_url = f"postgresql+psycopg://{info.get('user', 'postgres')}@/{name}?host={info['host']}"

    # -- plain SQL -------------------------------------------------------------------------
    def connect(self, **options: str) -> psycopg.Connection:
        opts = " ".join(f"-c {k}={v}" for k, v in options.items())
        return psycopg.connect(self.conninfo, autocommit=True, **({"options": opts} if opts else {}))

    def execute(self, statement: str, params: Iterable | None = None) -> list[tuple]:
        with self.connect() as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def scalar(self, statement: str, params: Iterable | None = None):
        rows = self.execute(statement, params)
        return rows[0][0] if rows else None

    def populate(self) -> None:
        with self.connect() as conn:
            conn.execute(SCHEMA)

    def relfilenode(self, relation: str) -> int:
        """The file a table or index lives in: a rewrite (or rebuild) gives it a new one."""
        return self.scalar("SELECT pg_relation_filenode(%s::regclass)", (relation,))

    def try_sql(self, statement: str) -> str | None:
        """Run one statement (as the old code would); None when it worked, else 'SQLSTATE: message'."""
        try:
            self.execute(statement)
        except psycopg.Error as exc:
            return f"{exc.sqlstate}: {exc}"
        return None

    def probe(self, statement: str) -> Probe:
        """Attempt one write from a second connection under lock_timeout: blocked or through."""
        start = time.monotonic()
        try:
            with self.connect(lock_timeout=LOCK_TIMEOUT) as conn:
                conn.execute(statement)
        except psycopg.errors.LockNotAvailable as exc:
            return Probe(statement, True, f"{exc.sqlstate}: {exc}", time.monotonic() - start)
        except psycopg.Error as exc:
            return Probe(statement, False, f"{exc.sqlstate}: {exc}", time.monotonic() - start)
        return Probe(statement, False, None, time.monotonic() - start)

    # -- Alembic ---------------------------------------------------------------------------
    def upgrade(
        self,
        *revision_files: str,
        barrier_at: Iterable[str] = (),
        probes: Iterable[str] = (INSERT_ACCOUNT, UPDATE_ACCOUNT),
        transaction_per_migration: bool = False,
        tables: Iterable[str] = ("accounts", "owners", "account_codes"),
        engine_options: dict | None = None,
        **configure_extra,
    ) -> Run:
        """``alembic upgrade heads`` over a script directory holding ``revision_files`` (names in
        revisions/, chained by their own down_revision). At each revision named in
        ``barrier_at``, inside its open transaction, record the locks held and run ``probes``.
        ``engine_options`` go to the env's engine_from_config (e.g. isolation_level), the rest
        to ``context.configure`` (e.g. transactional_ddl)."""
        from alembic import command
        from alembic.config import Config

        barrier_at = set(barrier_at)
        probes = list(probes)
        tables = list(tables)
        work = Path(tempfile.mkdtemp(prefix="bkl-alembic-"))
        try:
            (work / "versions").mkdir()
            (work / "env.py").write_text(textwrap.dedent(ENV_PY))
            for name in revision_files:
                shutil.copy(REVISIONS / f"{name}.py", work / "versions" / f"{name}.py")
            cfg = Config()
            cfg.set_main_option("script_location", str(work))
            cfg.set_main_option("sqlalchemy.url", self.sqlalchemy_url)
            run = Run(error=None)

            seen = [0]

            def on_version_apply(*, ctx, step, heads, run_args):
                revision = step.up_revision_id
                run.notices_by_revision[revision] = run.notices[seen[0]:]
                seen[0] = len(run.notices)
                if revision not in barrier_at:
                    return
                pid = ctx.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                # Read from a second connection: the lock table as any other session sees it.
                rows = self.execute(
                    "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = %s AND l.granted AND c.relname = ANY(%s)",
                    (pid, tables),
                )
                locks: dict[str, set[str]] = {}
                for relname, mode in rows:
                    locks.setdefault(relname, set()).add(mode)
                run.barriers[revision] = Barrier(revision, locks, [self.probe(p) for p in probes])

            cfg.attributes.update(
                notices=run.notices,
                transaction_per_migration=transaction_per_migration,
                on_version_apply=on_version_apply,
                configure_extra=configure_extra,
                engine_options=engine_options or {},
            )
            start = time.monotonic()
            try:
                command.upgrade(cfg, "heads")
            except Exception as exc:  # noqa: BLE001 (the failure is the observation)
                run.error = exc
            run.seconds = time.monotonic() - start
            return run
        finally:
            shutil.rmtree(work, ignore_errors=True)
