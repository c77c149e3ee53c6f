"""The fixes of BKL412-BKL414, run for real: each rule's fixture (tests/fixtures/migrations/BKL41x/) and its
``.fixed.py`` (the file after ``check --fix --unsafe-fixes``) go through Alembic against the populated tables
of harness.SCHEMA. The fixed file runs through and leaves no lock on
the existing tables (``autocommit_block()`` commits each wrapped operation on its own), and the old code's
writes go through, also while a concurrent build waits behind its open transaction; BKL413's fixture as
written is refused."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from . import harness
from .harness import INSERT_ACCOUNT, READ_ACCOUNT, UPDATE_ACCOUNT, PgDatabase
from .test_lock_claims import SHARE_UPDATE_EXCLUSIVE, _while_waiting_behind_old_code

FIXTURES = Path(__file__).parent.parent / "fixtures" / "migrations"
INSERT_OWNER = "INSERT INTO owners VALUES (100001, 'probe')"
PROBES = [INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT, INSERT_OWNER]


@pytest.fixture
def revisions(tmp_path, monkeypatch):
    """Place fixture files where the harness reads revisions, under their revision id."""
    monkeypatch.setattr(harness, "REVISIONS", tmp_path)

    def place(source: Path, revision: str) -> str:
        shutil.copy(source, tmp_path / f"{revision}.py")
        return revision

    return place


@pytest.mark.parametrize(
    "fixture, revision, index, exists",
    [
        ("BKL412/blocking_index_creation", "bkl412_fixture", "ix_accounts_nickname_balance", True),
        ("BKL414/blocking_index_drop", "bkl414_fixture", "ix_accounts_owner_id", False),
    ],
)
def test_the_fixed_file_runs_and_leaves_no_lock_on_the_tables(pg: PgDatabase, revisions, fixture, revision, index, exists):
    revisions(FIXTURES / f"{fixture}.fixed.py", revision)
    run = pg.upgrade(revision, barrier_at=[revision], probes=PROBES)
    assert run.ok, f"the fixed revision failed: {run.sqlstate}: {run.message}"
    barrier = run.barriers[revision]
    assert barrier.locks.get("accounts", set()) == set() and barrier.locks.get("owners", set()) == set(), barrier.locks
    assert all(not p.blocked and p.error is None for p in barrier.probes), barrier.probes
    if exists:
        assert pg.scalar("SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid IN ('accounts'::regclass, 'owners'::regclass)")
        assert pg.scalar("SELECT to_regclass(%s)", (index,)) is not None
    else:
        assert pg.scalar("SELECT to_regclass(%s)", (index,)) is None


def test_bkl412_the_fixed_file_lets_writes_through_while_it_waits_for_the_old_code(pg: PgDatabase, revisions):
    """The outage BKL412 is about, on the fixed fixture: the old code has a write transaction open on
    ``accounts``; the fixed revision's first concurrent build waits for it holding SHARE UPDATE EXCLUSIVE,
    and a new INSERT of the old code goes through meanwhile (test_lock_claims.py shows the plain
    ``CREATE INDEX`` making it wait)."""
    revision = revisions(FIXTURES / "BKL412/blocking_index_creation.fixed.py", "bkl412_fixture")
    (probe,), held, _run = _while_waiting_behind_old_code(pg, revision, INSERT_ACCOUNT, INSERT_ACCOUNT)
    assert held == {SHARE_UPDATE_EXCLUSIVE}, held
    assert not probe.blocked and probe.error is None, probe


def test_bkl413_the_fixture_is_refused_and_the_fixed_file_runs(pg: PgDatabase, revisions):
    revision = revisions(FIXTURES / "BKL413/concurrent_index_in_transaction.py", "bkl413_fixture")
    run = pg.upgrade(revision)
    assert run.sqlstate == "25001", run.message  # active_sql_transaction: CONCURRENTLY inside a transaction
    revisions(FIXTURES / "BKL413/concurrent_index_in_transaction.fixed.py", revision)
    run = pg.upgrade(revision, barrier_at=[revision], probes=PROBES)
    assert run.ok, f"the fixed revision failed: {run.sqlstate}: {run.message}"
    assert all(not p.blocked and p.error is None for p in run.barriers[revision].probes)
    assert pg.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_accounts_email'::regclass")


# -- BKL410, BKL417: fixed forms that still take a brief strong lock (see test_lock_claims.py) ----------


def test_bkl410_the_fixture_fails_on_the_populated_table_and_the_fixed_file_runs(pg: PgDatabase, revisions):
    """BKL410's project fixture as written stops the deploy (``not_null_violation``); its ``.fixed.py``
    (``nullable=True``, as the models declare) adds the columns without a rewrite, and the old code's
    INSERT still works afterwards. ADD COLUMN still takes ACCESS EXCLUSIVE for its catalog update
    (test_bkl410_fixed_forms_run_through_without_a_rewrite): not asserted away here."""
    versions = FIXTURES / "BKL410/model_allows_null/migrations/versions"
    revision = revisions(versions / "a1_plan.py", "bkl410_fixture")
    run = pg.upgrade(revision)
    assert run.sqlstate == "23502", run.message
    revisions(versions / "a1_plan.fixed.py", revision)
    before = pg.relfilenode("accounts")
    run = pg.upgrade(revision)
    assert run.ok, f"the fixed revision failed: {run.sqlstate}: {run.message}"
    assert pg.relfilenode("accounts") == before and not run.said("rewriting table")
    assert pg.try_sql(INSERT_ACCOUNT) is None and pg.try_sql(INSERT_OWNER) is None


def test_bkl417_the_fixed_file_adds_the_constraints_without_validating_the_existing_rows(pg: PgDatabase, revisions):
    """BKL417's fixture after ``--fix --unsafe-fixes``: every constraint the rule reported is added
    NOT VALID, so Postgres neither validates a foreign key nor scans ``accounts`` (the constraint on the
    table created in the revision is validated: it is empty). The locks are still taken until commit
    (test_bkl417_not_valid_foreign_key_skips_the_scan_and_validate_lets_writes_through)."""
    revision = revisions(FIXTURES / "BKL417/constraint_not_valid.fixed.py", "bkl417_fixture")
    run = pg.upgrade(revision)
    assert run.ok, f"the fixed revision failed: {run.sqlstate}: {run.message}"
    for name in ("fk_accounts_owner_id", "account_codes_account_id_fkey", "accounts_manager_id_fkey"):
        assert not run.said(f'validating foreign key constraint "{name}"'), name
        assert pg.scalar("SELECT convalidated FROM pg_constraint WHERE conname = %s", (name,)) is False, name
    assert not run.said('verifying table "accounts"')
    assert pg.scalar("SELECT convalidated FROM pg_constraint WHERE conname = 'ck_accounts_balance'") is False
    flagged = revisions(FIXTURES / "BKL417/constraint_not_valid.py", "bkl417_fixture")
    fresh = pg.server.populated_database("bkl_417_fixture_flagged")
    try:
        run = fresh.upgrade(flagged)
        assert run.ok, f"the fixture failed: {run.sqlstate}: {run.message}"
        assert run.said('validating foreign key constraint "fk_accounts_owner_id"')
        assert run.said('verifying table "accounts"')
    finally:
        pg.server.drop_database(fresh)
