"""BKL418 blocking-unique-constraint: ``create_unique_constraint`` / ``create_primary_key`` on an existing table."""
from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import Fix, FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import lock_ops, lock_screen

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_METHODS = ("create_unique_constraint", "create_primary_key")


def blocking_unique_constraint(facts: Any, project: Any, settings: Any) -> bool:
    """BKL418: ``create_unique_constraint`` / ``create_primary_key`` inside ``upgrade()``."""
    return lock_screen(facts, project, settings, _METHODS)


SPEC = RuleSpec(
    code="BKL418",
    name="blocking-unique-constraint",
    message="`create_unique_constraint` builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait for the build",
    fix_availability=FixAvailability.ALWAYS,
    requires=("create_unique_constraint", "create_primary_key"),
    migration_only=True,
    screen=blocking_unique_constraint,
)

ADVICE = (
    "Build a unique index with `postgresql_concurrently=True` in `autocommit_block()`, "
    "then add the constraint `USING INDEX` in a later revision"
)


class BlockingUniqueConstraint(Rule):
    """
    ## What it does
    Reports `op.create_unique_constraint(...)` and `op.create_primary_key(...)` in an Alembic `upgrade()`
    on an existing table. Postgres only (see `migration-dialect`): a table created earlier in the same
    revision (it is empty), `batch_op` operations (batch mode) and operations in `downgrade()` make no
    claim.

    ## Why is this bad?
    `ADD CONSTRAINT ... UNIQUE` / `PRIMARY KEY` builds a new unique index while holding ACCESS EXCLUSIVE on
    the table until the revision commits: every read and write of the running code waits for the whole
    build (shown on Postgres by `test_bkl418_unique_constraint_builds_its_index_under_access_exclusive` and
    `test_bkl418_primary_key_builds_its_index_under_access_exclusive` in
    `tests/postgres/test_lock_claims.py`).

    ## Example
    ```python
    from alembic import op

    revision = "b8c9d0"
    down_revision = "a7b8c9"


    def upgrade():
        op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])


    def downgrade():
        op.drop_constraint("uq_accounts_email", "accounts", type_="unique")
    ```

    ## Use instead
    ```python
    from alembic import op

    revision = "b8c9d0"
    down_revision = "a7b8c9"


    def upgrade():
        with op.get_context().autocommit_block():
            op.create_index("uq_accounts_email", "accounts", ["email"], unique=True, postgresql_concurrently=True)


    def downgrade():
        op.drop_index("uq_accounts_email", table_name="accounts")
    ```

    then, in a later revision:
    `op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE USING INDEX uq_accounts_email")`
    (`PRIMARY KEY USING INDEX` for a primary key). The concurrent build lets writes through, and `USING
    INDEX` adopts the built index without a second build
    (`test_bkl418_concurrent_unique_index_then_using_index`,
    `test_bkl418_primary_key_using_a_concurrent_index`); `USING INDEX` still takes ACCESS EXCLUSIVE for a
    catalog update (same tests): set a `lock_timeout`.

    ## Fix safety
    Display-only: the pattern spans two revisions, and a concurrent build runs outside the revision's
    transaction (see BKL412).
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        for item in lock_ops(self.ctx, _METHODS):
            self.report(item.op.call, self.message.replace("create_unique_constraint", item.op.method), Fix.display_only(ADVICE, []))
