"""BKL413 concurrent-index-in-transaction: ``postgresql_concurrently=True`` outside ``autocommit_block()``."""
from __future__ import annotations

import re
from typing import Any

from ...ground.lazy import lazy_import

from ...knowledge.alembic.dialect import env_may_run_in_autocommit
from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ._locks import concurrent_index_fix, index_ops, index_screen

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def concurrent_index_in_transaction(facts: Any, project: Any, settings: Any) -> bool:
    """BKL413: an index operation inside ``upgrade()``."""
    return index_screen(facts, project, settings, None, concurrent=True)


SPEC = RuleSpec(
    code="BKL413",
    name="concurrent-index-in-transaction",
    message="`postgresql_concurrently=True` outside `autocommit_block()`: Postgres refuses it inside the migration's transaction",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("postgresql_concurrently",),
    migration_only=True,
    screen=concurrent_index_in_transaction,
)



# a revision that switches its own connection to autocommit (phoenix's 4aad9107d196:
# ``op.get_bind().connection.dbapi_connection.autocommit = True`` around the concurrent build)
_SELF_AUTOCOMMIT = re.compile(
    r"""\.autocommit\s*=\s*True\b|set_session\([^)]*autocommit\s*=\s*True|isolation_level\s*=\s*["']AUTOCOMMIT["']|set_isolation_level\(\s*(?:0|\w*ISOLATION_LEVEL_AUTOCOMMIT)"""
)


class ConcurrentIndexInTransaction(Rule):
    """
    ## What it does
    Reports `op.create_index(..., postgresql_concurrently=True)` and
    `op.drop_index(..., postgresql_concurrently=True)` in an Alembic `upgrade()` outside
    `with op.get_context().autocommit_block():`. Not reported when the revision's `env.py` (beside its
    `versions/` directory) builds its engine with `isolation_level="AUTOCOMMIT"`, the one environment where
    the statement runs, or builds no engine of its own (the application passes its connection in, and its
    engine may be such a one: dagster's Postgres storage does this), nor when the revision switches its
    own connection to autocommit (`dbapi_connection.autocommit = True`, `set_session(autocommit=True)`,
    `isolation_level="AUTOCOMMIT"`: phoenix does this around its concurrent builds), nor for `batch_op`
    operations, operations in `downgrade()`, or projects on SQLite or MySQL (where the keyword is ignored). A table created in the same revision is no exception: the
    statement fails there too.

    ## Why is this bad?
    Alembic runs a revision inside a transaction, and Postgres refuses `CREATE INDEX CONCURRENTLY` and
    `DROP INDEX CONCURRENTLY` there ("cannot run inside a transaction block", SQLSTATE 25001): the deploy
    fails. `transaction_per_migration=True` and `transactional_ddl=False` do not change that (shown on
    Postgres by `test_bkl413_concurrently_outside_autocommit_block_is_refused`,
    `test_bkl413_transactional_ddl_false_still_runs_it_in_a_transaction`,
    `test_bkl413_an_autocommit_engine_is_the_environment_that_lets_it_run` and
    `test_bkl413_wrapped_in_autocommit_block_runs` in `tests/postgres/test_lock_claims.py`; the fixture and
    its fix by `test_bkl413_the_fixture_is_refused_and_the_fixed_file_runs` in
    `tests/postgres/test_fixed_fixtures.py`).

    ## Example
    ```python
    from alembic import op

    revision = "b2c3d4"
    down_revision = "a1b2c3"


    def upgrade():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)


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
    The fix wraps the statement in `with op.get_context().autocommit_block():`. It is safe: the revision as
    written cannot run on Postgres at all, and the wrapped one runs the same statement. Offered only when the
    call is a statement of its own line.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        items = index_ops(self.ctx)
        if not any(item.concurrent and not item.in_autocommit for item in items):
            return
        if env_may_run_in_autocommit(self.ctx.path) or _SELF_AUTOCOMMIT.search(self.ctx.module.code):
            return
        for item in items:
            if item.concurrent and not item.in_autocommit:
                self.report(item.op.call, self.message, concurrent_index_fix(self.ctx, item, safe=True))
