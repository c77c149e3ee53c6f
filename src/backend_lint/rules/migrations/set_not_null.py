"""BKL416 set-not-null: ``op.alter_column(nullable=False)`` on an existing column."""
from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import Fix, FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import deploy_ops, is_literal, keyword_is, lock_ops, lock_screen

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def set_not_null(facts: Any, project: Any, settings: Any) -> bool:
    """BKL416: ``op.alter_column(..., nullable=False)`` inside ``upgrade()``."""
    return lock_screen(facts, project, settings, ("alter_column",), lambda call: keyword_is(call, "nullable", False))


SPEC = RuleSpec(
    code="BKL416",
    name="set-not-null",
    message="`alter_column(nullable=False)` scans the whole table under an ACCESS EXCLUSIVE lock, and the running code may still write NULL",
    fix_availability=FixAvailability.ALWAYS,
    requires=("nullable",),
    migration_only=True,
    screen=set_not_null,
)

ADVICE = (
    "Add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` it in a later revision, "
    "then set NOT NULL (each in its own transaction)"
)


class SetNotNull(Rule):
    """
    ## What it does
    Reports `op.alter_column(..., nullable=False)` in an Alembic `upgrade()` on an existing table.
    Postgres only (see `migration-dialect`). `existing_nullable=False` (the column already is NOT NULL:
    nothing to check), a table created earlier in the same revision, `batch_op` operations (batch mode),
    and operations in `downgrade()` make no claim, nor a revision that also drops a check constraint of the
    table (`op.drop_constraint(..., type_="check")`: the last step of the pattern below). A column added
    earlier in the same revision is still reported: its rows exist.

    ## Why is this bad?
    `SET NOT NULL` reads every row to prove there is no NULL, holding ACCESS EXCLUSIVE: every read and
    write of the running code waits for the whole scan (shown on Postgres by
    `test_bkl416_set_not_null_scans_under_access_exclusive` in `tests/postgres/test_lock_claims.py`). And
    the code still running may insert rows without the column, which now fail (same test).

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a7b8c9"
    down_revision = "f6a7b8"


    def upgrade():
        op.alter_column("accounts", "nickname", existing_type=sa.String(50), nullable=False)


    def downgrade():
        op.alter_column("accounts", "nickname", existing_type=sa.String(50), nullable=True)
    ```

    ## Use instead
    Three revisions, each in its own transaction (separate deploys, or an env.py with
    `transaction_per_migration=True`):

    ```python
    # 1
    op.create_check_constraint(
        "ck_accounts_nickname_not_null", "accounts", "nickname IS NOT NULL", postgresql_not_valid=True
    )
    # 2
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_nickname_not_null")
    # 3
    op.alter_column("accounts", "nickname", existing_type=sa.String(50), nullable=False)
    op.drop_constraint("ck_accounts_nickname_not_null", "accounts", type_="check")
    ```

    The `NOT VALID` check skips the scan, `VALIDATE` scans under SHARE UPDATE EXCLUSIVE while writes go
    through, and `SET NOT NULL` then uses the valid check instead of scanning (Postgres 12 or later)
    (`test_bkl416_check_not_valid_then_validate_then_set_not_null`). In one transaction the first step's
    ACCESS EXCLUSIVE is held through the validation and writes wait again
    (`test_bkl416_the_pattern_needs_separate_transactions`). Steps 1 and 3 still take ACCESS EXCLUSIVE for
    a catalog update: set a `lock_timeout`.

    ## Fix safety
    Display-only: the three steps span revisions (and the old code must stop writing NULL first), which a
    rewrite of one call cannot do.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        # the third step of the pattern drops the check that proved the column (see "Use instead")
        proven = {
            item.op.table
            for item in deploy_ops(self.ctx)
            if item.op.method == "drop_constraint" and item.op.str_arg("type_") == "check"
        }
        for item in lock_ops(self.ctx, ("alter_column",)):
            op = item.op
            if op.table in proven:
                continue
            if not is_literal(op.kwargs.get("nullable"), "False"):
                continue
            if is_literal(op.kwargs.get("existing_nullable"), "False"):
                continue
            self.report(op.call, self.message, Fix.display_only(ADVICE, []))
