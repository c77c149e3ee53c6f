"""BKL411 volatile-server-default: ``op.add_column`` with a volatile ``server_default`` on an existing table."""
from __future__ import annotations

import re
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.cst import keyword_arg
from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import column_call, lock_ops, lock_screen

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# Volatile on Postgres (``pg_proc.provolatile = 'v'``): a default calling one is evaluated per row, so
# ADD COLUMN rewrites the table. ``now()`` / ``current_timestamp`` / ``statement_timestamp()`` are stable.
VOLATILE = ("gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1", "uuid_generate_v1mc", "random", "clock_timestamp", "timeofday")
_VOLATILE_CALL = re.compile(r"\b(" + "|".join(VOLATILE) + r")\s*\(")


def volatile_server_default(facts: Any, project: Any, settings: Any) -> bool:
    """BKL411: ``add_column`` inside ``upgrade()`` naming a volatile function."""
    return lock_screen(facts, project, settings, ("add_column",)) and bool(_VOLATILE_CALL.search(facts.source))


SPEC = RuleSpec(
    code="BKL411",
    name="volatile-server-default",
    message="a volatile `server_default` makes `add_column` rewrite the whole table under an ACCESS EXCLUSIVE lock",
    requires=("gen_random_uuid", "uuid_generate_v", "random", "clock_timestamp", "timeofday"),
    migration_only=True,
    screen=volatile_server_default,
)


def volatile_function(expr: cst.BaseExpression, module: cst.Module) -> Optional[str]:
    """The volatile function a ``server_default`` calls (``sa.text("gen_random_uuid()")``,
    ``sa.func.random()``); ``None`` for a plain string, which Postgres stores as a quoted constant."""
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return None
    found = _VOLATILE_CALL.search(module.code_for_node(expr))
    return found.group(1) if found else None


class VolatileServerDefault(Rule):
    """
    ## What it does
    Reports `op.add_column(...)` in an Alembic `upgrade()` whose column has a `server_default` calling a
    function that is volatile on Postgres: `gen_random_uuid()`, `random()`, `clock_timestamp()`,
    `timeofday()`, `uuid_generate_v4()` (and the other `uuid_generate_v1*`), written as
    `sa.text("...()")` or `sa.func....()`. Postgres only (see `migration-dialect`). `now()` and
    `current_timestamp` are stable, not volatile: not this rule. A column in `op.create_table` or added to
    a table created earlier in the same revision (it is empty), `batch_op` operations (batch mode), a
    plain string default (stored as a quoted constant) and operations in `downgrade()` make no claim.

    ## Why is this bad?
    Since Postgres 11, `ADD COLUMN` with a constant or stable default only records the value in the
    catalog. A volatile default must be computed for every existing row, so Postgres rewrites the whole
    table while holding ACCESS EXCLUSIVE: every read and write of the running code waits for the rewrite
    (shown on Postgres by `test_bkl411_volatile_server_default_rewrites_the_table_under_access_exclusive`
    for `gen_random_uuid()`, `clock_timestamp()` and `random()`, and by
    `test_bkl411_volatility_as_the_catalog_records_it`; `now()` adds the column without a rewrite:
    `test_bkl411_now_is_stable_and_does_not_rewrite`, all in `tests/postgres/test_lock_claims.py`).
    `uuid_generate_v4()` lives in the `uuid-ossp` extension, which declares it volatile; the test server
    does not ship that extension, so it is not run there.

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "d4e5f6"
    down_revision = "c3d4e5"


    def upgrade():
        op.add_column(
            "accounts",
            sa.Column("token", sa.Uuid(), nullable=False, server_default=sa.text("gen_random_uuid()")),
        )


    def downgrade():
        op.drop_column("accounts", "token")
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "d4e5f6"
    down_revision = "c3d4e5"


    def upgrade():
        op.add_column("accounts", sa.Column("token", sa.Uuid(), nullable=True))
        # new rows get a value; existing rows are backfilled in batches, then NOT NULL (BKL416) later
        op.alter_column("accounts", "token", server_default=sa.text("gen_random_uuid()"))


    def downgrade():
        op.drop_column("accounts", "token")
    ```

    Adding the column without a default and then setting the default (`ALTER COLUMN ... SET DEFAULT`)
    rewrites nothing: existing rows stay NULL until a backfill, new rows get a value
    (`test_bkl411_add_then_set_default_does_not_rewrite`). Both statements still take ACCESS EXCLUSIVE
    for a catalog update (same test), so set a `lock_timeout`.

    ## Fix safety
    No fix: the existing rows need a backfill whose batching only the project can choose.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        for item in lock_ops(self.ctx, ("add_column",)):
            column = column_call(item.op)
            if column is None:
                continue
            default = keyword_arg(column, "server_default")
            if default is None:
                continue
            name = volatile_function(default.value, self.ctx.module)
            if name is not None:
                self.report(
                    item.op.call,
                    f"`server_default` calls `{name}()`, which is volatile: `add_column` rewrites the whole table under an ACCESS EXCLUSIVE lock",
                )
