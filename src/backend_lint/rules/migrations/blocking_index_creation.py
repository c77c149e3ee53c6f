"""BKL412 blocking-index-creation: ``op.create_index`` on an existing table without ``postgresql_concurrently``."""
from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ._locks import concurrent_index_fix, index_ops, index_screen

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def blocking_index_creation(facts: Any, project: Any, settings: Any) -> bool:
    """BKL412: an index operation inside ``upgrade()``."""
    return index_screen(facts, project, settings, "create_index", concurrent=False)


SPEC = RuleSpec(
    code="BKL412",
    name="blocking-index-creation",
    message="`create_index` without `postgresql_concurrently=True` blocks writes to the table while the index builds",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("create_index",),
    migration_only=True,
    screen=blocking_index_creation,
)


class BlockingIndexCreation(Rule):
    """
    ## What it does
    Reports `op.create_index(...)` in an Alembic `upgrade()` on an existing table without
    `postgresql_concurrently=True`. Postgres only (see `migration-dialect`): an index on a table created
    earlier in the same revision (it is empty), `batch_op.create_index` (batch mode), operations in
    `downgrade()`, and projects on SQLite or MySQL make no claim.

    ## Why is this bad?
    `CREATE INDEX` holds a SHARE lock on the table until the revision's transaction ends: reads go through,
    but every `INSERT` and `UPDATE` of the running code waits for the whole build. Behind an open write
    transaction of the old code it is worse: the build queues for its lock and every new write queues
    behind the build. `CREATE INDEX CONCURRENTLY` takes SHARE UPDATE EXCLUSIVE, and writes go through while
    it builds and while it waits (shown on Postgres by
    `test_bkl412_create_index_blocks_writes_with_a_share_lock`,
    `test_bkl412_concurrent_index_in_autocommit_block_does_not_block_writes` and
    `test_bkl412_during_the_build_behind_a_long_transaction` in `tests/postgres/test_lock_claims.py`; the
    fixed fixture by `tests/postgres/test_fixed_fixtures.py`).

    ## Example
    ```python
    from alembic import op

    revision = "b2c3d4"
    down_revision = "a1b2c3"


    def upgrade():
        op.create_index("ix_accounts_email", "accounts", ["email"])


    def downgrade():
        op.drop_index("ix_accounts_email", table_name="accounts")
    ```

    ## Use instead
    ```python
    from alembic import op

    revision = "b2c3d4"
    down_revision = "a1b2c3"


    def upgrade():
        with op.get_context().autocommit_block():
            op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)


    def downgrade():
        op.drop_index("ix_accounts_email", table_name="accounts")
    ```

    ## Fix safety
    The fix passes `postgresql_concurrently=True` and wraps the statement in
    `with op.get_context().autocommit_block():` (Postgres refuses `CONCURRENTLY` inside a transaction: see
    BKL413). It is unsafe: the operation then commits on its own, outside the revision's transaction, so a
    later failure of the revision no longer rolls it back
    (`test_bkl412_the_fix_commits_on_its_own_and_a_later_failure_does_not_undo_it`), and a concurrent build
    that fails leaves an INVALID index behind to drop by hand
    (`test_bkl412_a_failed_concurrent_build_leaves_an_invalid_index`, both in
    `tests/postgres/test_lock_claims.py`). It is offered only when the call is a
    statement of its own line; `postgresql_concurrently=False` written out gets no fix.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        for item in index_ops(self.ctx):
            if item.op.method != "create_index" or item.concurrent or item.new_table:
                continue
            self.report(item.op.call, self.message, concurrent_index_fix(self.ctx, item, safe=False))
