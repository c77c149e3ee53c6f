"""BKL419 rename-breaks-old-code: ``alter_column(new_column_name=...)`` / ``rename_table`` on an existing table."""
from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import deploy_ops, upgrade_calls

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def rename_breaks_old_code(facts: Any, project: Any, settings: Any) -> bool:
    """BKL419: ``rename_table``, or ``alter_column`` with ``new_column_name=`` / ``name=``, inside ``upgrade()``."""
    for call in upgrade_calls(facts, ("rename_table", "alter_column")):
        if call.func.attr == "rename_table" or any(kw.arg in ("new_column_name", "name", None) for kw in call.keywords):
            return True
    return False


SPEC = RuleSpec(
    code="BKL419",
    name="rename-breaks-old-code",
    message="the rename breaks the running code, which still uses the old name",
    requires=("new_column_name", "rename_table", "name="),
    migration_only=True,
    screen=rename_breaks_old_code,
)


class RenameBreaksOldCode(Rule):
    """
    ## What it does
    Reports `op.alter_column(..., new_column_name=...)` and `op.rename_table(...)` in an Alembic
    `upgrade()`. Every database (a rename is not a lock hazard but a compatibility one); `batch_op`
    operations count too. A table created earlier in the same revision and a column added earlier in it
    (no running code uses them yet: the expand step of an expand-and-contract done in one revision),
    operations in loops or on names computed at run time, and operations in `downgrade()` make no claim.

    ## Why is this bad?
    During a deploy the old release keeps running until the new one replaces it; from the moment the
    revision commits, every query of the old code that names the old column or table fails
    (`undefined_column` / `undefined_table`: shown on Postgres by
    `test_bkl419_bkl421_the_old_code_breaks_after_the_revision` in `tests/postgres/test_lock_claims.py`).
    On Postgres, the rename also takes ACCESS EXCLUSIVE on the table for its catalog update (no rewrite),
    so reads and writes wait until the revision commits
    (`test_bkl419_a_rename_takes_access_exclusive_for_its_catalog_update`).

    ## Example
    ```python
    from alembic import op

    revision = "d0e1f2"
    down_revision = "c9d0e1"


    def upgrade():
        op.alter_column("accounts", "legacy_code", new_column_name="code")


    def downgrade():
        op.alter_column("accounts", "code", new_column_name="legacy_code")
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "d0e1f2"
    down_revision = "c9d0e1"


    def upgrade():
        # expand: the new column; the code writes both and reads the new one, a backfill copies the
        # values, and a later revision drops `legacy_code` once no running code reads it
        op.add_column("accounts", sa.Column("code", sa.String(length=20), nullable=True))


    def downgrade():
        op.drop_column("accounts", "code")
    ```

    For a table, a view under the old name (`CREATE VIEW old AS SELECT * FROM new`) bridges the deploy.

    ## Fix safety
    No fix: the expand and contract steps span several deploys.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        added: set = set()  # columns added earlier in this upgrade: no running code knows them
        for item in deploy_ops(self.ctx):
            op = item.op
            if op.method == "add_column" and not item.elsewhere:
                added.add((op.table, op.name))
            if op.method not in ("alter_column", "rename_table") or not item.readable or item.new_table:
                continue
            if op.method == "alter_column" and (op.table, op.name) in added:
                continue
            new = op.new_name
            if not isinstance(new, str):
                continue
            old = op.name if op.method == "alter_column" else op.table
            if not isinstance(old, str) or old == new:
                continue
            if op.method == "alter_column":
                what = f"renames column `{op.table}.{old}` to `{new}`" if isinstance(op.table, str) else f"renames column `{old}` to `{new}`"
                message = f"`alter_column` {what}: the running code still uses `{old}` and breaks"
            else:
                message = f"`rename_table` renames `{old}` to `{new}`: the running code still uses `{old}` and breaks"
            self.report(op.call, message)
