"""Every lock claim of BKL410-BKL421 (RULES.md, "Family 4, part two"), shown on a real Postgres.

Each test runs revisions/ files with Alembic (harness.PgDatabase.upgrade) against a table of
50,000 rows. "Blocked" means: inside the revision's still-open transaction, a write from a second
connection under ``SET lock_timeout = '200ms'`` was cancelled with SQLSTATE 55P03 (lock_timeout).
Rewrites are read from the table's relfilenode (a new file = the table was rewritten) and from the
server's own DEBUG1 messages (``rewriting table``, ``verifying table`` = a full scan).

A fact the docs must not blur: ``ADD COLUMN``, ``ALTER COLUMN TYPE`` (even a widening one),
``SET NOT NULL``, ``ADD CONSTRAINT ... CHECK`` (even NOT VALID) and ``... UNIQUE USING INDEX`` all
take ACCESS EXCLUSIVE, and ``ADD FOREIGN KEY`` (even NOT VALID) takes SHARE ROW EXCLUSIVE on both
tables, until the transaction ends. The fixed forms do not avoid that lock; they avoid holding it
for a rewrite, a scan, a validation or an index build, so it lasts only for a catalog update.
Tests of those fixed forms assert "no rewrite / no scan / no build", and assert the brief lock
too, so that nobody cites them as "takes no lock".
"""
from __future__ import annotations

import threading
import time

import pytest

from .harness import INSERT_ACCOUNT, INSERT_CODE, READ_ACCOUNT, READ_CODE, UPDATE_ACCOUNT, PgDatabase, Run

ACCESS_EXCLUSIVE = "AccessExclusiveLock"
SHARE = "ShareLock"
SHARE_ROW_EXCLUSIVE = "ShareRowExclusiveLock"
SHARE_UPDATE_EXCLUSIVE = "ShareUpdateExclusiveLock"


def _blocked(run: Run, revision: str) -> bool:
    barrier = run.barriers[revision]
    return all(p.blocked for p in barrier.probes)


def _through(run: Run, revision: str) -> bool:
    barrier = run.barriers[revision]
    return all(not p.blocked and p.error is None for p in barrier.probes)


def _locks(run: Run, revision: str, table: str = "accounts") -> set[str]:
    return run.barriers[revision].locks.get(table, set())


def _ok(run: Run) -> Run:
    assert run.ok, f"the revision failed: {run.sqlstate}: {run.message}"
    return run


# -- BKL410 add-required-column ------------------------------------------------------------


def test_bkl410_required_column_without_default_fails_on_a_populated_table(pg: PgDatabase):
    run = pg.upgrade("bkl410_flagged")
    assert not run.ok
    assert run.sqlstate == "23502", run.message  # not_null_violation
    assert 'column "plan" of relation "accounts" contains null values' in run.message
    assert pg.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'plan'") == 0


def test_bkl410_required_column_breaks_inserts_of_the_old_code(pg: PgDatabase):
    # On an empty table the revision succeeds; then the running code's INSERT (which does not know
    # the column) fails.
    pg.execute("TRUNCATE accounts")
    _ok(pg.upgrade("bkl410_flagged"))
    error = pg.try_sql(INSERT_ACCOUNT)
    assert error is not None and error.startswith("23502"), error


@pytest.mark.parametrize("revision", ["bkl410_fixed_nullable", "bkl410_fixed_server_default"])
def test_bkl410_fixed_forms_run_through_without_a_rewrite(pg: PgDatabase, revision):
    before = pg.relfilenode("accounts")
    run = _ok(pg.upgrade(revision, barrier_at=[revision], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert pg.relfilenode("accounts") == before, "ADD COLUMN with a constant/NULL default rewrote the table"
    assert not run.said("rewriting table") and not run.said("verifying table")
    assert pg.try_sql(INSERT_ACCOUNT) is None  # the old code's INSERT works after the revision
    # Still ACCESS EXCLUSIVE until commit (catalog-only, so brief): reads and writes wait meanwhile.
    assert _locks(run, revision) == {ACCESS_EXCLUSIVE}
    assert _blocked(run, revision)


# -- BKL411 volatile-server-default --------------------------------------------------------


@pytest.mark.parametrize("revision", ["bkl411_flagged", "bkl411_flagged_clock", "bkl411_flagged_random"])
def test_bkl411_volatile_server_default_rewrites_the_table_under_access_exclusive(pg: PgDatabase, revision):
    before = pg.relfilenode("accounts")
    run = _ok(pg.upgrade(revision, barrier_at=[revision], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert pg.relfilenode("accounts") != before, "gen_random_uuid()/clock_timestamp() default: expected a rewrite"
    assert run.said('rewriting table "accounts"', revision)
    assert ACCESS_EXCLUSIVE in _locks(run, revision)
    assert _blocked(run, revision), "INSERT/UPDATE and SELECT should wait on ACCESS EXCLUSIVE"
    if revision == "bkl411_flagged":  # every existing row got its own value: evaluated per row
        assert pg.scalar("SELECT count(DISTINCT token) FROM accounts") == 50_000


def test_bkl411_volatility_as_the_catalog_records_it(pg: PgDatabase):
    # provolatile: v = volatile (rewrite), s = stable (no rewrite). uuid_generate_v4() lives in the
    # uuid-ossp extension, which pgserver does not ship: it is volatile in its extension script.
    rows = dict(
        pg.execute(
            "SELECT proname, provolatile FROM pg_proc WHERE proname = ANY(%s) AND pronamespace = 'pg_catalog'::regnamespace",
            (["gen_random_uuid", "random", "clock_timestamp", "timeofday", "now", "statement_timestamp", "transaction_timestamp"],),
        )
    )
    assert rows == {
        "gen_random_uuid": "v", "random": "v", "clock_timestamp": "v", "timeofday": "v",
        "now": "s", "statement_timestamp": "s", "transaction_timestamp": "s",
    }


def test_bkl411_now_is_stable_and_does_not_rewrite(pg: PgDatabase):
    before = pg.relfilenode("accounts")
    run = _ok(pg.upgrade("bkl411_not_flagged_now", barrier_at=["bkl411_not_flagged_now"]))
    assert pg.relfilenode("accounts") == before, "now() default rewrote the table (Postgres >= 11 should not)"
    assert not run.said("rewriting table")
    # One value for all existing rows (the "missing value" stored once in the catalog).
    assert pg.scalar("SELECT count(DISTINCT seen_at) FROM accounts") == 1
    assert pg.scalar("SELECT atthasmissing FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'seen_at'")
    # ADD COLUMN itself still takes ACCESS EXCLUSIVE until commit (brief: catalog only).
    assert _locks(run, "bkl411_not_flagged_now") == {ACCESS_EXCLUSIVE}


def test_bkl411_add_then_set_default_does_not_rewrite(pg: PgDatabase):
    # The "Use instead" of BKL411: ADD COLUMN without a default, then ALTER COLUMN ... SET DEFAULT:
    # existing rows stay NULL (to backfill), new rows get a value, and nothing is rewritten.
    before = pg.relfilenode("accounts")
    run = _ok(pg.upgrade("bkl411_fixed", barrier_at=["bkl411_fixed"]))
    assert pg.relfilenode("accounts") == before
    assert not run.said("rewriting table")
    assert pg.scalar("SELECT count(*) FROM accounts WHERE token IS NULL") == 50_000
    assert pg.try_sql(INSERT_ACCOUNT) is None
    assert pg.scalar("SELECT count(*) FROM accounts WHERE token IS NOT NULL") == 1
    assert _locks(run, "bkl411_fixed") == {ACCESS_EXCLUSIVE}  # brief: catalog only


# -- BKL412 blocking-index-creation --------------------------------------------------------


def test_bkl412_create_index_blocks_writes_with_a_share_lock(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl412_flagged", barrier_at=["bkl412_flagged"], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert _locks(run, "bkl412_flagged") == {SHARE}
    insert, update, read = run.barriers["bkl412_flagged"].probes
    assert insert.blocked and update.blocked, "ShareLock conflicts with ROW EXCLUSIVE (INSERT/UPDATE)"
    assert not read.blocked and read.error is None, "ShareLock lets reads through"


def test_bkl412_concurrent_index_in_autocommit_block_does_not_block_writes(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl412_fixed", barrier_at=["bkl412_fixed"]))
    assert _locks(run, "bkl412_fixed") == set(), "no lock left on accounts after the concurrent build"
    assert _through(run, "bkl412_fixed")
    assert pg.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_accounts_email'::regclass")


def test_bkl412_the_fix_commits_on_its_own_and_a_later_failure_does_not_undo_it(pg: PgDatabase):
    """Fix safety of BKL412: inside autocommit_block() the build commits by itself; when the revision
    then fails, its transaction rolls back but the index stays (and the revision is not recorded)."""
    run = pg.upgrade("bkl412_fixed_then_fails")
    assert run.sqlstate == "42704", run.message  # undefined_object: the failing statement after the block
    assert pg.scalar("SELECT to_regclass('ix_accounts_email')") is not None, "the concurrent build was rolled back"
    assert pg.scalar("SELECT to_regclass('alembic_version')") is None or pg.scalar("SELECT count(*) FROM alembic_version") == 0


def test_bkl412_a_failed_concurrent_build_leaves_an_invalid_index(pg: PgDatabase):
    """Fix safety of BKL412, as Postgres documents: CREATE UNIQUE INDEX CONCURRENTLY over duplicate
    values fails and leaves the index behind, INVALID, to be dropped by hand."""
    run = pg.upgrade("bkl412_fixed_unique_fails")
    assert run.sqlstate == "23505", run.message  # unique_violation
    assert pg.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_accounts_balance'::regclass") is False


def test_bkl414_the_fix_commits_on_its_own_and_a_later_failure_does_not_restore_the_index(pg: PgDatabase):
    run = pg.upgrade("bkl414_fixed_then_fails")
    assert run.sqlstate == "42704", run.message
    assert pg.scalar("SELECT to_regclass('ix_accounts_owner_id')") is None, "the concurrent drop was undone"


def _wait_for(predicate, what: str, timeout: float = 300.0):
    """Poll a condition the server reports (not a timed race): the barrier for the tests below. The timeout
    only ends a broken run, so it is far above what a loaded machine needs (the migration's thread starts
    Alembic and connects before its statement can wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _while_waiting_behind_old_code(pg: PgDatabase, revision: str, old_code_statement: str, *probes: str):
    """The old code has a transaction open on the table (``old_code_statement``, not committed).
    Run ``revision`` in a thread, wait until its statement waits on a lock (reported by
    pg_stat_activity: a condition polled, not a timed race), then record the locks it holds and
    probe. Returns (probes, locks held on accounts, run)."""
    old_code = pg.connect()
    old_code.execute("BEGIN")
    old_code.execute(old_code_statement)
    result: dict = {}
    migration = threading.Thread(target=lambda: result.setdefault("run", pg.upgrade(revision)))
    migration.start()
    try:
        waiting = _wait_for(
            lambda: pg.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND query NOT ILIKE '%%pg_stat_activity%%' AND wait_event_type = 'Lock' "
                "AND (query ILIKE 'CREATE INDEX%%' OR query ILIKE 'ALTER TABLE%%')",
                (),
            ),
            f"the statement of {revision} to wait on a lock",
        )
        pid = waiting[0][0]
        held = {
            mode
            for (mode,) in pg.execute(
                "SELECT mode FROM pg_locks WHERE pid = %s AND granted AND relation = 'accounts'::regclass", (pid,)
            )
        }
        attempts = [pg.probe(p) for p in probes]
    finally:
        old_code.execute("COMMIT")
        old_code.close()
        migration.join(300)  # (a broken run only: the revision finishes once the old code commits)
    assert not migration.is_alive()
    return attempts, held, _ok(result["run"])


@pytest.mark.parametrize(
    "revision, expect_blocked, held",
    [("bkl412_flagged", True, set()), ("bkl412_fixed", False, {SHARE_UPDATE_EXCLUSIVE})],
)
def test_bkl412_during_the_build_behind_a_long_transaction(pg: PgDatabase, revision, expect_blocked, held):
    """The realistic outage: the old code has a write transaction open on the table. CREATE INDEX
    queues its SHARE lock behind it (holding nothing yet), and every new write queues behind
    CREATE INDEX; CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE and waits for that
    transaction *without* stopping new writes. Observed while the index statement runs."""
    (probe,), held_now, _run = _while_waiting_behind_old_code(pg, revision, INSERT_ACCOUNT, INSERT_ACCOUNT)
    assert probe.blocked is expect_blocked, probe
    assert held_now == held, held_now


def test_a_brief_access_exclusive_still_stops_every_write_behind_a_long_reader(pg: PgDatabase):
    """Why the catalog-only forms (BKL410/411/415/416/417/418 fixes) still want a migration-side
    lock_timeout: ADD COLUMN waits for ACCESS EXCLUSIVE behind an open read transaction of the old
    code, and meanwhile every new read and write queues behind it."""
    (write, read), held_now, _run = _while_waiting_behind_old_code(
        pg, "bkl410_fixed_nullable", READ_ACCOUNT, INSERT_ACCOUNT, READ_ACCOUNT
    )
    assert held_now == set(), "ADD COLUMN is queued for ACCESS EXCLUSIVE, holding nothing yet"
    assert write.blocked, "the INSERT queued behind the waiting ACCESS EXCLUSIVE request"
    assert read.blocked, "and so did a plain SELECT"


# -- BKL413 concurrent-index-in-transaction ------------------------------------------------


@pytest.mark.parametrize(
    "revision, statement",
    [("bkl413_flagged", "CREATE INDEX CONCURRENTLY"), ("bkl413_flagged_drop", "DROP INDEX CONCURRENTLY")],
)
@pytest.mark.parametrize("per_migration", [False, True])
def test_bkl413_concurrently_outside_autocommit_block_is_refused(pg: PgDatabase, revision, statement, per_migration):
    run = pg.upgrade(revision, transaction_per_migration=per_migration)
    assert not run.ok
    assert run.sqlstate == "25001", run.message  # active_sql_transaction
    assert f"{statement} cannot run inside a transaction block" in run.message


def test_bkl413_transactional_ddl_false_still_runs_it_in_a_transaction(pg: PgDatabase):
    # Alembic with SQLAlchemy 2.x opens a transaction per migration even with transactional_ddl=False.
    run = pg.upgrade("bkl413_flagged", transactional_ddl=False)
    assert run.sqlstate == "25001", run.message


def test_bkl413_an_autocommit_engine_is_the_environment_that_lets_it_run(pg: PgDatabase):
    run = pg.upgrade("bkl413_flagged", engine_options={"isolation_level": "AUTOCOMMIT"})
    _ok(run)


def test_bkl413_a_revision_that_switches_its_connection_to_autocommit_runs(pg: PgDatabase):
    # phoenix's way: commit the DBAPI connection and set autocommit on it around the concurrent build
    _ok(pg.upgrade("bkl413_not_flagged_dbapi_ac"))
    assert pg.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_accounts_email'::regclass")


@pytest.mark.parametrize("revision", ["bkl412_fixed", "bkl414_fixed"])  # the same operations, wrapped
def test_bkl413_wrapped_in_autocommit_block_runs(pg: PgDatabase, revision):
    _ok(pg.upgrade(revision))


# -- BKL414 blocking-index-drop ------------------------------------------------------------


def test_bkl414_drop_index_takes_access_exclusive_on_the_table(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl414_flagged", barrier_at=["bkl414_flagged"], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert _locks(run, "bkl414_flagged") == {ACCESS_EXCLUSIVE}
    assert _blocked(run, "bkl414_flagged"), "writes and even reads wait on ACCESS EXCLUSIVE"


def test_bkl414_concurrent_drop_in_autocommit_block_does_not_block(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl414_fixed", barrier_at=["bkl414_fixed"], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert _locks(run, "bkl414_fixed") == set()
    assert _through(run, "bkl414_fixed")
    assert pg.scalar("SELECT to_regclass('ix_accounts_owner_id')") is None


# -- BKL415 column-type-change -------------------------------------------------------------


def test_bkl415_integer_to_bigint_rewrites_under_access_exclusive(pg: PgDatabase):
    before = pg.relfilenode("accounts")
    run = _ok(pg.upgrade("bkl415_flagged", barrier_at=["bkl415_flagged"], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert pg.relfilenode("accounts") != before
    assert run.said('rewriting table "accounts"', "bkl415_flagged")
    assert ACCESS_EXCLUSIVE in _locks(run, "bkl415_flagged")
    assert _blocked(run, "bkl415_flagged")


def test_bkl415_native_enum_to_string_rewrites_under_access_exclusive(pg: PgDatabase):
    revisions = ("setup_native_enum", "bkl415_flagged_native_enum")
    run = _ok(pg.upgrade(*revisions, barrier_at=["setup_native_enum", "bkl415_flagged_native_enum"], transaction_per_migration=True))
    assert not run.said("rewriting table", "setup_native_enum")  # the enum column itself: catalog only
    assert run.said('rewriting table "accounts"', "bkl415_flagged_native_enum")
    assert ACCESS_EXCLUSIVE in _locks(run, "bkl415_flagged_native_enum")
    assert _blocked(run, "bkl415_flagged_native_enum")


def test_bkl415_a_narrower_type_refuses_what_the_old_code_writes(pg: PgDatabase):
    # The existing values fit (or the revision itself fails: 22001 on the long ones)...
    assert pg.upgrade("bkl415_flagged_narrower").sqlstate == "22001"
    pg.execute("TRUNCATE accounts")
    pg.execute("INSERT INTO accounts (email) VALUES ('u1')")
    _ok(pg.upgrade("bkl415_flagged_narrower"))
    # ...and then the old code's INSERT of an address longer than 10 characters fails.
    error = pg.try_sql(INSERT_ACCOUNT)
    assert error is not None and error.startswith("22001"), error  # string_data_right_truncation


@pytest.mark.parametrize("revision", ["bkl415_not_flagged_wider", "bkl415_not_flagged_text"])
def test_bkl415_widening_varchar_takes_no_rewrite(pg: PgDatabase, revision):
    before = pg.relfilenode("accounts")
    run = _ok(pg.upgrade(revision, barrier_at=[revision]))
    assert pg.relfilenode("accounts") == before, "widening varchar rewrote the table"
    assert not run.said("rewriting table") and not run.said("verifying table")
    # The ALTER still holds ACCESS EXCLUSIVE until commit, for a catalog update only.
    assert _locks(run, revision) == {ACCESS_EXCLUSIVE}


# -- BKL416 set-not-null -------------------------------------------------------------------

BKL416_FIXED = ("bkl416_fixed_1_check", "bkl416_fixed_2_validate", "bkl416_fixed_3_set_not_null")


def test_bkl416_set_not_null_scans_under_access_exclusive(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl416_flagged", barrier_at=["bkl416_flagged"], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert run.said('verifying table "accounts"', "bkl416_flagged"), "SET NOT NULL should scan the table"
    assert _locks(run, "bkl416_flagged") == {ACCESS_EXCLUSIVE}
    assert _blocked(run, "bkl416_flagged"), "reads and writes wait for the scan"
    # Then the old code's INSERT that leaves the column out fails.
    error = pg.try_sql("INSERT INTO accounts (email) VALUES ('old-code@example.com')")
    assert error is not None and error.startswith("23502"), error


def test_bkl416_check_not_valid_then_validate_then_set_not_null(pg: PgDatabase):
    run = _ok(pg.upgrade(*BKL416_FIXED, barrier_at=BKL416_FIXED, transaction_per_migration=True))
    # 1: NOT VALID: no scan; ACCESS EXCLUSIVE for the catalog update only.
    assert not run.said("verifying table", "bkl416_fixed_1_check")
    assert _locks(run, "bkl416_fixed_1_check") == {ACCESS_EXCLUSIVE}
    # 2: VALIDATE scans under SHARE UPDATE EXCLUSIVE: writes go through meanwhile.
    assert run.said('verifying table "accounts"', "bkl416_fixed_2_validate")
    assert _locks(run, "bkl416_fixed_2_validate") == {SHARE_UPDATE_EXCLUSIVE}
    assert _through(run, "bkl416_fixed_2_validate")
    # 3: SET NOT NULL is proven by the valid CHECK: no scan (Postgres >= 12).
    assert run.said("are sufficient to prove that it does not contain nulls", "bkl416_fixed_3_set_not_null")
    assert not run.said("verifying table", "bkl416_fixed_3_set_not_null")
    assert pg.scalar("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'nickname'") == "NO"


def test_bkl416_the_pattern_needs_separate_transactions(pg: PgDatabase):
    # A default env.py (one transaction for the whole upgrade) keeps step 1's ACCESS EXCLUSIVE
    # through VALIDATE: the scan then runs under it, and writes wait.
    run = _ok(pg.upgrade(*BKL416_FIXED, barrier_at=BKL416_FIXED, transaction_per_migration=False))
    assert ACCESS_EXCLUSIVE in _locks(run, "bkl416_fixed_2_validate")
    assert _blocked(run, "bkl416_fixed_2_validate")


# -- BKL417 constraint-not-valid -----------------------------------------------------------


def test_bkl417_foreign_key_is_validated_under_share_row_exclusive_on_both_tables(pg: PgDatabase):
    insert_owner = "INSERT INTO owners VALUES (100001, 'probe')"
    run = _ok(pg.upgrade("bkl417_flagged_fk", barrier_at=["bkl417_flagged_fk"], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, insert_owner]))
    assert run.said('validating foreign key constraint "fk_accounts_owner_id"', "bkl417_flagged_fk")
    assert SHARE_ROW_EXCLUSIVE in _locks(run, "bkl417_flagged_fk", "accounts")
    assert SHARE_ROW_EXCLUSIVE in _locks(run, "bkl417_flagged_fk", "owners")
    assert _blocked(run, "bkl417_flagged_fk"), "writes to both tables wait, the referenced one too"


def test_bkl417_foreign_key_validation_reads_every_existing_row(pg: PgDatabase):
    pg.execute("UPDATE accounts SET owner_id = 999999 WHERE id = 49999")  # one orphan row
    flagged = pg.upgrade("bkl417_flagged_fk")
    assert flagged.sqlstate == "23503", flagged.message  # foreign_key_violation: the scan found it


def test_bkl417_not_valid_foreign_key_skips_the_scan_and_validate_lets_writes_through(pg: PgDatabase):
    revisions = ("bkl417_fixed_fk", "bkl417_fixed_fk_validate")
    run = _ok(pg.upgrade(*revisions, barrier_at=revisions, transaction_per_migration=True))
    assert not run.said("validating foreign key constraint", "bkl417_fixed_fk")
    # NOT VALID still takes SHARE ROW EXCLUSIVE on both tables until commit (brief, no scan).
    assert SHARE_ROW_EXCLUSIVE in _locks(run, "bkl417_fixed_fk", "accounts")
    assert SHARE_ROW_EXCLUSIVE in _locks(run, "bkl417_fixed_fk", "owners")
    assert _blocked(run, "bkl417_fixed_fk")
    # VALIDATE CONSTRAINT (the follow-up revision): SHARE UPDATE EXCLUSIVE / ROW SHARE: writes go through.
    assert run.said('validating foreign key constraint "fk_accounts_owner_id"', "bkl417_fixed_fk_validate")
    assert SHARE_UPDATE_EXCLUSIVE in _locks(run, "bkl417_fixed_fk_validate", "accounts")
    assert "RowShareLock" in _locks(run, "bkl417_fixed_fk_validate", "owners")
    assert SHARE_ROW_EXCLUSIVE not in _locks(run, "bkl417_fixed_fk_validate", "accounts")
    assert _through(run, "bkl417_fixed_fk_validate")


def test_bkl417_not_valid_foreign_key_accepts_an_orphan_row_no_scan(pg: PgDatabase):
    pg.execute("UPDATE accounts SET owner_id = 999999 WHERE id = 49999")
    _ok(pg.upgrade("bkl417_fixed_fk"))


def test_bkl417_foreign_key_inside_add_column_is_validated_and_not_valid_skips_it(pg_server):
    # Two databases: each revision adds the same column.
    flagged_db = pg_server.populated_database("bkl_417_column_flagged")
    fixed_db = pg_server.populated_database("bkl_417_column_fixed")
    try:
        flagged = _ok(flagged_db.upgrade("bkl417_flagged_column_fk", barrier_at=["bkl417_flagged_column_fk"]))
        fixed = _ok(fixed_db.upgrade("bkl417_fixed_column_fk", barrier_at=["bkl417_fixed_column_fk"]))
    finally:
        pg_server.drop_database(flagged_db)
        pg_server.drop_database(fixed_db)
    # Alembic emits ADD COLUMN, then ADD FOREIGN KEY (... NOT VALID with the keyword).
    assert flagged.said("validating foreign key constraint", "bkl417_flagged_column_fk")
    assert not fixed.said("validating foreign key constraint", "bkl417_fixed_column_fk")
    # Both hold ADD COLUMN's ACCESS EXCLUSIVE on accounts and SHARE ROW EXCLUSIVE on owners.
    for run, revision in ((flagged, "bkl417_flagged_column_fk"), (fixed, "bkl417_fixed_column_fk")):
        assert ACCESS_EXCLUSIVE in _locks(run, revision, "accounts")
        assert SHARE_ROW_EXCLUSIVE in _locks(run, revision, "owners")


def test_bkl417_check_constraint_scans_under_access_exclusive(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl417_flagged_check", barrier_at=["bkl417_flagged_check"], probes=[INSERT_ACCOUNT, UPDATE_ACCOUNT, READ_ACCOUNT]))
    assert run.said('verifying table "accounts"', "bkl417_flagged_check")
    assert _locks(run, "bkl417_flagged_check") == {ACCESS_EXCLUSIVE}
    assert _blocked(run, "bkl417_flagged_check")


def test_bkl417_not_valid_check_skips_the_scan_and_validate_lets_writes_through(pg: PgDatabase):
    revisions = ("bkl417_fixed_check", "bkl417_fixed_check_validate")
    run = _ok(pg.upgrade(*revisions, barrier_at=revisions, transaction_per_migration=True))
    assert not run.said("verifying table", "bkl417_fixed_check")
    assert _locks(run, "bkl417_fixed_check") == {ACCESS_EXCLUSIVE}  # brief: catalog only
    assert run.said('verifying table "accounts"', "bkl417_fixed_check_validate")
    assert _locks(run, "bkl417_fixed_check_validate") == {SHARE_UPDATE_EXCLUSIVE}
    assert _through(run, "bkl417_fixed_check_validate")


# -- BKL418 blocking-unique-constraint -----------------------------------------------------


def test_bkl418_unique_constraint_builds_its_index_under_access_exclusive(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl418_flagged", barrier_at=["bkl418_flagged"], probes=[INSERT_ACCOUNT, READ_ACCOUNT]))
    assert ACCESS_EXCLUSIVE in _locks(run, "bkl418_flagged")
    assert run.said('building index "uq_accounts_email" on table "accounts"', "bkl418_flagged")
    assert _blocked(run, "bkl418_flagged"), "writes and reads wait"


def test_bkl418_primary_key_builds_its_index_under_access_exclusive(pg: PgDatabase):
    run = _ok(pg.upgrade("bkl418_flagged_pk", barrier_at=["bkl418_flagged_pk"], probes=[INSERT_CODE, READ_CODE]))
    assert ACCESS_EXCLUSIVE in _locks(run, "bkl418_flagged_pk", "account_codes")
    assert run.said('building index "pk_account_codes" on table "account_codes"', "bkl418_flagged_pk")
    assert _blocked(run, "bkl418_flagged_pk")


def test_bkl418_primary_key_using_a_concurrent_index(pg: PgDatabase):
    revisions = ("bkl418_fixed_pk_1_index", "bkl418_fixed_pk_2_using_index")
    run = _ok(pg.upgrade(*revisions, barrier_at=revisions, probes=[INSERT_CODE], transaction_per_migration=True))
    assert _locks(run, "bkl418_fixed_pk_1_index", "account_codes") == set()
    assert _through(run, "bkl418_fixed_pk_1_index")
    assert not run.said("building index", "bkl418_fixed_pk_2_using_index")
    assert _locks(run, "bkl418_fixed_pk_2_using_index", "account_codes") == {ACCESS_EXCLUSIVE}  # brief
    assert pg.scalar("SELECT contype FROM pg_constraint WHERE conname = 'pk_account_codes'") == "p"


def test_bkl418_concurrent_unique_index_then_using_index(pg: PgDatabase):
    revisions = ("bkl418_fixed_1_index", "bkl418_fixed_2_using_index")
    run = _ok(pg.upgrade("bkl418_fixed_1_index", barrier_at=["bkl418_fixed_1_index"]))
    assert _locks(run, "bkl418_fixed_1_index") == set()
    assert _through(run, "bkl418_fixed_1_index")
    index_file = pg.relfilenode("uq_accounts_email")
    run = _ok(pg.upgrade(*revisions, barrier_at=["bkl418_fixed_2_using_index"]))
    # USING INDEX adopts the built index: same file, no second build.
    assert pg.relfilenode("uq_accounts_email") == index_file
    assert not run.said("building index", "bkl418_fixed_2_using_index")
    assert pg.scalar("SELECT contype FROM pg_constraint WHERE conname = 'uq_accounts_email'") == "u"
    # ADD CONSTRAINT ... USING INDEX holds ACCESS EXCLUSIVE until commit (brief, no build).
    assert _locks(run, "bkl418_fixed_2_using_index") == {ACCESS_EXCLUSIVE}


# -- BKL419 rename-breaks-old-code, BKL421 drop-still-mapped --------------------------------


@pytest.mark.parametrize(
    "revision, old_code_query, sqlstate",
    [
        ("bkl419_flagged_column", "SELECT legacy_code FROM accounts WHERE id = 1", "42703"),  # undefined_column
        ("bkl419_flagged_table", "SELECT email FROM accounts WHERE id = 1", "42P01"),  # undefined_table
        ("bkl421_flagged_column", "SELECT legacy_code FROM accounts WHERE id = 1", "42703"),
        ("bkl421_flagged_column", "INSERT INTO accounts (email, legacy_code) VALUES ('x@example.com', 'L')", "42703"),
        ("bkl421_flagged_table", "SELECT name FROM owners WHERE id = 1", "42P01"),
    ],
)
def test_bkl419_bkl421_the_old_code_breaks_after_the_revision(pg: PgDatabase, revision, old_code_query, sqlstate):
    assert pg.try_sql(old_code_query) is None  # works before
    _ok(pg.upgrade(revision))
    error = pg.try_sql(old_code_query)
    assert error is not None and error.startswith(sqlstate), error


@pytest.mark.parametrize("revision", ["bkl419_flagged_column", "bkl419_flagged_table"])
def test_bkl419_a_rename_takes_access_exclusive_for_its_catalog_update(pg: PgDatabase, revision):
    before = pg.relfilenode("accounts")
    run = _ok(pg.upgrade(revision, barrier_at=[revision], probes=[INSERT_ACCOUNT, READ_ACCOUNT]))
    assert _locks(run, revision) == {ACCESS_EXCLUSIVE}
    assert _blocked(run, revision), "reads and writes wait until the revision commits"
    assert not run.said("rewriting table") and pg.scalar(
        "SELECT pg_relation_filenode(oid) FROM pg_class WHERE relname IN ('accounts', 'customer_accounts')"
    ) == before, "a rename is a catalog update: no rewrite"


# -- BKL420 probable-rename-by-drop-and-add -------------------------------------------------


def test_bkl420_drop_and_add_loses_the_values(pg: PgDatabase):
    assert pg.scalar("SELECT count(*) FROM accounts WHERE legacy_code IS NOT NULL") == 50_000
    _ok(pg.upgrade("bkl420_flagged"))
    assert pg.scalar("SELECT count(*) FROM accounts WHERE code IS NOT NULL") == 0, "the values are gone"


def test_bkl420_the_rename_keeps_the_values(pg: PgDatabase):
    _ok(pg.upgrade("bkl420_fixed"))
    assert pg.scalar("SELECT count(*) FROM accounts WHERE code = 'L' || id") == 50_000
