"""BKL414 blocking-index-drop: ``op.drop_index`` without ``postgresql_concurrently``."""
from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ._locks import concurrent_index_fix, index_ops, index_screen

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def blocking_index_drop(facts: Any, project: Any, settings: Any) -> bool:
    """BKL414: an index operation inside ``upgrade()``."""
    return index_screen(facts, project, settings, "drop_index", concurrent=False)


SPEC = RuleSpec(
    code="BKL414",
    name="blocking-index-drop",
    message="`drop_index` without `postgresql_concurrently=True` locks the table against reads and writes",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("drop_index",),
    migration_only=True,
    screen=blocking_index_drop,
)


class BlockingIndexDrop(Rule):
    """
    ## What it does
    Reports `op.drop_index(...)` in an Alembic `upgrade()` without `postgresql_concurrently=True`.
    Postgres only (see `migration-dialect`): an index of a table created earlier in the same revision, or
    created earlier in it, `batch_op.drop_index` (batch mode), operations in `downgrade()`, and projects on
    SQLite or MySQL make no claim.

    ## Why is this bad?
    `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table until the revision's transaction
    commits: every read and write of the running code waits (shown on Postgres by
    `test_bkl414_drop_index_takes_access_exclusive_on_the_table`; that a waiting ACCESS EXCLUSIVE request
    also queues every new read and write behind a long transaction of the old code, by
    `test_a_brief_access_exclusive_still_stops_every_write_behind_a_long_reader`). Run as
    `DROP INDEX CONCURRENTLY` in `autocommit_block()`, the drop leaves no lock held in the revision's
    transaction and reads and writes go through (`test_bkl414_concurrent_drop_in_autocommit_block_does_not_block`,
    all in `tests/postgres/test_lock_claims.py`; the fixed fixture by `tests/postgres/test_fixed_fixtures.py`).

    ## Example
    ```python
    from alembic import op

    revision = "b2c3d4"
    down_revision = "a1b2c3"


    def upgrade():
        op.drop_index("ix_accounts_owner_id", table_name="accounts")


    def downgrade():
        op.create_index("ix_accounts_owner_id", "accounts", ["owner_id"])
    ```

    ## Use instead
    ```python
    from alembic import op

    revision = "b2c3d4"
    down_revision = "a1b2c3"


    def upgrade():
        with op.get_context().autocommit_block():
            op.drop_index("ix_accounts_owner_id", table_name="accounts", postgresql_concurrently=True)


    def downgrade():
        op.create_index("ix_accounts_owner_id", "accounts", ["owner_id"])
    ```

    ## Fix safety
    As BKL412's: `postgresql_concurrently=True` and the statement wrapped in
    `with op.get_context().autocommit_block():`. Unsafe: the drop commits on its own, outside the
    revision's transaction, so a later failure of the revision no longer restores the index
    (`test_bkl414_the_fix_commits_on_its_own_and_a_later_failure_does_not_restore_the_index` in
    `tests/postgres/test_lock_claims.py`). Offered only
    when the call is a statement of its own line; `postgresql_concurrently=False` written out gets no fix.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        for item in index_ops(self.ctx):
            if item.op.method != "drop_index" or item.concurrent or item.new_table:
                continue
            self.report(item.op.call, self.message, concurrent_index_fix(self.ctx, item, safe=False))
