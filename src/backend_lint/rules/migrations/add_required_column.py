"""BKL410 add-required-column: ``op.add_column`` of a ``nullable=False`` column with no server default."""
from __future__ import annotations

import ast
import re
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.alembic import revision_info
from ...knowledge.alembic.mapped import derive_mapped_tables, mapped_column
from ...knowledge.cst import keyword_arg
from ...values import Edit, Fix, FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import DeployOp, call_name, column_call, is_literal, keyword_is, lock_ops, lock_screen, positional_calls
from ...knowledge.tree_facts import walk as ast_walk

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# a column whose value the database computes needs no default
_GENERATED = frozenset({"Computed", "Identity", "Sequence"})


def _may_be_required(call: ast.Call) -> bool:
    """``add_column`` holding a ``Column(..., nullable=False)`` without a ``server_default`` other than
    ``None`` (the visitor reads more)."""
    for node in ast_walk(call):
        if isinstance(node, ast.Call) and node is not call:
            if keyword_is(node, "nullable", False) and (
                not any(kw.arg == "server_default" for kw in node.keywords) or keyword_is(node, "server_default", None)
            ):
                return True
    return False


def add_required_column(facts: Any, project: Any, settings: Any) -> bool:
    """BKL410: ``op.add_column`` of a column that may be ``nullable=False`` without a server default."""
    return lock_screen(facts, project, settings, ("add_column",), _may_be_required)


SPEC = RuleSpec(
    code="BKL410",
    name="add-required-column",
    message="`add_column` of a `nullable=False` column without a `server_default` fails on a populated table and breaks the running code's inserts",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("add_column",),
    migration_only=True,
    screen=add_required_column,
    project_facts=derive_mapped_tables,
)


def required_without_default(column: cst.Call) -> bool:
    """``Column(..., nullable=False)`` with no ``server_default`` (nor ``None``), not a primary key, and no
    ``Computed`` / ``Identity`` / ``Sequence``."""
    nullable = keyword_arg(column, "nullable")
    if nullable is None or not is_literal(nullable.value, "False"):
        return False
    default = keyword_arg(column, "server_default")
    if default is not None and not is_literal(default.value, "None"):
        return False
    primary = keyword_arg(column, "primary_key")
    if primary is not None and not is_literal(primary.value, "False"):
        return False
    return not any(call_name(c) in _GENERATED for c in positional_calls(column))



# ``DELETE FROM t`` with no WHERE, or ``TRUNCATE [TABLE] t``, in an ``op.execute`` string of the upgrade
_EMPTY = re.compile(
    r"""(?:\bDELETE\s+FROM|\bTRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?(?:\w+\.)?["`]?(\w+)["`]?\s*(?:;|CASCADE\b|RESTART\b|["')]|\\n|$)""",
    re.I | re.M,
)


def _emptied_tables(ctx: Any) -> frozenset:
    """Tables the upgrade empties on purpose before it adds to them (fides' ``split_privacy_experience_table``:
    ``op.execute("delete from privacyexperience;")``): the add then runs on an empty table, by design."""
    info = revision_info(ctx)
    if info.upgrade is None:
        return frozenset()
    code = ctx.module.code_for_node(info.upgrade.body)
    return frozenset(m.group(1).lower() for m in _EMPTY.finditer(code))


class AddRequiredColumn(Rule):
    """
    ## What it does
    Reports `op.add_column(...)` in an Alembic `upgrade()` of a column declared `nullable=False` with no
    `server_default` (and not `Computed`, `Identity`, a `Sequence` or a primary key). Postgres only (see
    `migration-dialect`); a column added to a table created earlier in the same revision, `batch_op`
    operations (batch mode), operations in `downgrade()`, and a `server_default` given (a constant one adds
    the column without a rewrite) make no claim, nor does a table the upgrade empties on purpose
    (`op.execute("DELETE FROM t")` with no `WHERE`, or `TRUNCATE t`): the revision is a deliberate reset of
    that table, not an oversight. A Python-side `default=` does not count: the database never sees it.

    ## Why is this bad?
    On a table that has rows, `ADD COLUMN ... NOT NULL` with no default fails: every existing row would
    hold NULL (`not_null_violation`, and the deploy stops; shown on Postgres by
    `test_bkl410_required_column_without_default_fails_on_a_populated_table` in
    `tests/postgres/test_lock_claims.py`). On an empty table the revision runs, and then every `INSERT` of
    the code still running, which does not know the column, fails
    (`test_bkl410_required_column_breaks_inserts_of_the_old_code`).

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "c3d4e5"
    down_revision = "b2c3d4"


    def upgrade():
        op.add_column("accounts", sa.Column("plan", sa.String(20), nullable=False))


    def downgrade():
        op.drop_column("accounts", "plan")
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "c3d4e5"
    down_revision = "b2c3d4"


    def upgrade():
        op.add_column("accounts", sa.Column("plan", sa.String(20), nullable=False, server_default="free"))


    def downgrade():
        op.drop_column("accounts", "plan")
    ```

    Or in three steps: add the column nullable, backfill it (and deploy code that writes it), then set
    `NOT NULL` in a later revision (see BKL416 for doing that without a long lock). Both fixed forms run
    without a rewrite or a scan (`test_bkl410_fixed_forms_run_through_without_a_rewrite`), but `ADD COLUMN`
    still takes ACCESS EXCLUSIVE on the table for its catalog update, so reads and writes wait behind it
    for a moment, and behind any long transaction it queues for: set a `lock_timeout` in the revision.

    ## Fix safety
    When a model of the project maps the column and allows NULL (`nullable=True` or an optional
    annotation), the fix writes `nullable=True`, matching the model; it is unsafe: the column is then
    nullable in the database. Otherwise the advice (a constant `server_default`, or the three steps) is
    display-only: which default is right, and when the backfill runs, are decisions the linter cannot make.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        emptied = None
        for item in lock_ops(self.ctx, ("add_column",)):
            column = column_call(item.op)
            if column is None or not required_without_default(column):
                continue
            if emptied is None:
                emptied = _emptied_tables(self.ctx)
            if isinstance(item.op.table, str) and item.op.table.lower() in emptied:
                continue
            self.report(item.op.call, self.message, self._fix(item, column))

    def _fix(self, item: DeployOp, column: cst.Call) -> Optional[Fix]:
        op = item.op
        table, name = op.table, op.name
        if isinstance(table, str) and isinstance(name, str):
            mapped = mapped_column(self.ctx.project, table, name)
            if mapped is not None and mapped.nullable:
                nullable = keyword_arg(column, "nullable")
                return Fix.unsafe(
                    "Pass `nullable=True`, as the model declares it",
                    [Edit.replace(nullable.value, "True")],
                )
        return Fix.display_only(
            "Give it a constant `server_default`, or add it nullable, backfill it, and set NOT NULL in a later revision",
            [],
        )
