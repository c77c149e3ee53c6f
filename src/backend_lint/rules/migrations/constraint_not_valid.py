"""BKL417 constraint-not-valid: a foreign key or check constraint validated under lock on an existing table."""
from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.cst import keyword_arg
from ...values import Fix, FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import COLUMN_CALLS, add_keyword, call_name, column_call, is_literal, lock_ops, lock_screen, positional_calls
from ._screens import Unreadable, bind_args
from ...knowledge.index.extract import ast_dotted

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

NOT_VALID = "postgresql_not_valid"
_METHODS = ("create_foreign_key", "create_check_constraint", "add_column")


def constraint_not_valid(facts: Any, project: Any, settings: Any) -> bool:
    """BKL417: ``create_foreign_key`` / ``create_check_constraint`` without ``postgresql_not_valid=True``,
    or ``add_column`` of a ``Column(...)`` with a positional ``ForeignKey(...)``, inside ``upgrade()``
    (``lock_screen``)."""
    return lock_screen(facts, project, settings, _METHODS, _may_claim)


def _may_claim(call: ast.Call) -> bool:
    """What the visitor reads of one call, on ``ast``: ``True`` when unsure."""
    if call.func.attr != "add_column":  # type: ignore[attr-defined]
        return not any(kw.arg == NOT_VALID and isinstance(kw.value, ast.Constant) and kw.value.value is True for kw in call.keywords)
    try:
        column = bind_args("add_column", call, False)[0].get("column")
    except Unreadable:
        return True
    if not isinstance(column, ast.Call) or (ast_dotted(column.func) or "").rsplit(".", 1)[-1] not in COLUMN_CALLS:
        return False  # (``column_call``: no ``Column(...)`` written in the call)
    return any(
        isinstance(arg, ast.Call) and (ast_dotted(arg.func) or "").rsplit(".", 1)[-1] == "ForeignKey" for arg in column.args
    )


SPEC = RuleSpec(
    code="BKL417",
    name="constraint-not-valid",
    message="the constraint is validated against every existing row under lock: pass `postgresql_not_valid=True`",
    fix_availability=FixAvailability.SOMETIMES,
    requires=("create_foreign_key", "create_check_constraint", "ForeignKey"),
    migration_only=True,
    screen=constraint_not_valid,
)

_MESSAGES = {
    "create_foreign_key": "`create_foreign_key` validates every existing row while holding SHARE ROW EXCLUSIVE on both tables: pass `postgresql_not_valid=True`",
    "create_check_constraint": "`create_check_constraint` scans every existing row while holding ACCESS EXCLUSIVE: pass `postgresql_not_valid=True`",
    "add_column": "the `ForeignKey` of `add_column` validates every existing row while holding SHARE ROW EXCLUSIVE on both tables: pass `postgresql_not_valid=True`",
}


def _not_valid(call: cst.Call) -> bool:
    """``postgresql_not_valid=`` given, and not literally ``False`` / ``None`` (or ``**kwargs``: unknown)."""
    if any(a.star == "**" for a in call.args):
        return True
    arg = keyword_arg(call, NOT_VALID)
    return arg is not None and not is_literal(arg.value, "False", "None")


class ConstraintNotValid(Rule):
    """
    ## What it does
    Reports, in an Alembic `upgrade()` on an existing table, `op.create_foreign_key(...)` and
    `op.create_check_constraint(...)` without `postgresql_not_valid=True`, and `op.add_column(...)` of a
    column holding a `sa.ForeignKey(...)` without it. Postgres only (see `migration-dialect`): a constraint
    on a table created earlier in the same revision (it is empty), `batch_op` operations (batch mode),
    operations in `downgrade()`, and a `postgresql_not_valid=` already given make no claim. A foreign key
    whose *referenced* table is new is still reported: the rows checked are the source table's.

    ## Why is this bad?
    Adding a foreign key checks every existing row, and holds SHARE ROW EXCLUSIVE on the table *and on
    the referenced table* until the revision commits: the running code's writes to both wait
    (`test_bkl417_foreign_key_is_validated_under_share_row_exclusive_on_both_tables`; the scan is real:
    `test_bkl417_foreign_key_validation_reads_every_existing_row`). A `ForeignKey` inside `add_column` is
    emitted as the same `ADD CONSTRAINT ... FOREIGN KEY` after the `ADD COLUMN`, and validated the same way
    (`test_bkl417_foreign_key_inside_add_column_is_validated_and_not_valid_skips_it`). A check constraint
    scans the table under ACCESS EXCLUSIVE: reads wait too
    (`test_bkl417_check_constraint_scans_under_access_exclusive`). All in
    `tests/postgres/test_lock_claims.py`.

    ## Example
    ```python
    from alembic import op

    revision = "e5f6a7"
    down_revision = "d4e5f6"


    def upgrade():
        op.create_foreign_key("fk_accounts_owner_id", "accounts", "owners", ["owner_id"], ["id"])


    def downgrade():
        op.drop_constraint("fk_accounts_owner_id", "accounts", type_="foreignkey")
    ```

    ## Use instead
    ```python
    from alembic import op

    revision = "e5f6a7"
    down_revision = "d4e5f6"


    def upgrade():
        op.create_foreign_key(
            "fk_accounts_owner_id", "accounts", "owners", ["owner_id"], ["id"], postgresql_not_valid=True
        )


    def downgrade():
        op.drop_constraint("fk_accounts_owner_id", "accounts", type_="foreignkey")
    ```

    then, in a later revision that runs in its own transaction,
    `op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT fk_accounts_owner_id")`: it checks the rows under
    SHARE UPDATE EXCLUSIVE (ROW SHARE on the referenced table), and writes go through
    (`test_bkl417_not_valid_foreign_key_skips_the_scan_and_validate_lets_writes_through`,
    `test_bkl417_not_valid_check_skips_the_scan_and_validate_lets_writes_through`). `NOT VALID` does not
    avoid the lock, only its length: the foreign key still takes SHARE ROW EXCLUSIVE on both tables and the
    check constraint ACCESS EXCLUSIVE, for a catalog update only (same tests), so set a `lock_timeout`.

    ## Fix safety
    The fix passes `postgresql_not_valid=True` (to the operation, or to the `ForeignKey` inside the
    column). It is unsafe: the existing rows are no longer checked, so rows that break the constraint stay
    until the follow-up `VALIDATE CONSTRAINT` finds them
    (`test_bkl417_not_valid_foreign_key_accepts_an_orphan_row_no_scan`); writing that revision is left to
    you (advice in the fix title). A `postgresql_not_valid=False` written out is reported without a fix.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        for item in lock_ops(self.ctx, _METHODS):
            op = item.op
            if op.method == "add_column":
                column = column_call(op)
                if column is None:
                    continue
                target: Optional[cst.Call] = next(
                    (c for c in positional_calls(column) if call_name(c) == "ForeignKey" and not _not_valid(c)), None
                )
                if target is None:
                    continue
            else:
                if _not_valid(op.call):
                    continue
                target = op.call
            edit = add_keyword(self.ctx.module, target, f"{NOT_VALID}=True", item.indent) if keyword_arg(target, NOT_VALID) is None else None
            fix = (
                Fix.unsafe(f"Pass `{NOT_VALID}=True`; run `VALIDATE CONSTRAINT` in a later revision", [edit])
                if edit is not None
                else None
            )
            self.report(op.call, _MESSAGES[op.method], fix)
