"""BKL415 column-type-change: ``op.alter_column(type_=...)`` that rewrites an existing table."""
from __future__ import annotations

from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.imports import dotted_name
from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import lock_ops, lock_screen

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_VARCHAR = frozenset({"String", "VARCHAR", "Unicode", "NVARCHAR", "CHARACTER_VARYING"})
_TEXT = frozenset({"Text", "TEXT", "UnicodeText", "CITEXT"})


def column_type_change(facts: Any, project: Any, settings: Any) -> bool:
    """BKL415: ``alter_column`` inside ``upgrade()``."""
    return lock_screen(facts, project, settings, ("alter_column",), lambda call: any(kw.arg in ("type_", None) for kw in call.keywords))


SPEC = RuleSpec(
    code="BKL415",
    name="column-type-change",
    message="`alter_column(type_=...)` that is not a widening may rewrite the table under an ACCESS EXCLUSIVE lock",
    requires=("type_",),
    migration_only=True,
    screen=column_type_change,
)


def _type_parts(expr: cst.BaseExpression, constants: Optional[dict] = None) -> tuple[str, Optional[int], bool]:
    """(type name, length or None, whether the arguments were all read) of ``sa.String(50)`` /
    ``sa.VARCHAR(length=50)`` / ``sa.Text()`` / ``sa.Text``."""
    func = expr.func if isinstance(expr, cst.Call) else expr
    name = (dotted_name(func) or "").rsplit(".", 1)[-1]
    if not isinstance(expr, cst.Call):
        return name, None, True
    length: Optional[int] = None
    known = True
    for i, arg in enumerate(expr.args):
        is_length = (arg.keyword is None and i == 0) or (arg.keyword is not None and arg.keyword.value == "length")
        if is_length and isinstance(arg.value, cst.Integer):
            length = int(arg.value.value)
        elif is_length and isinstance(arg.value, cst.Name) and arg.value.value == "None":
            length = None
        elif is_length and isinstance(arg.value, cst.Name) and arg.value.value in (constants or {}):
            length = constants[arg.value.value]  # a module constant: `MAX_PROMPT_LENGTH = 5_000_000`
        else:
            known = known and arg.keyword is not None and arg.keyword.value in ("collation",)
    return name, length, known


def _non_native_enum(expr: cst.BaseExpression) -> bool:
    """``sa.Enum(..., native_enum=False)``: stored as a ``VARCHAR`` as long as the longest value."""
    if not isinstance(expr, cst.Call) or (dotted_name(expr.func) or "").rsplit(".", 1)[-1] != "Enum":
        return False
    return any(
        a.keyword is not None and a.keyword.value == "native_enum" and isinstance(a.value, cst.Name) and a.value.value == "False"
        for a in expr.args
    )


def widening(old: cst.BaseExpression, new: cst.BaseExpression, constants: Optional[dict] = None) -> bool:
    """``String(n)`` to ``String(m)`` with ``m >= n``, to an unbounded ``String()`` or to ``Text``; ``Text``
    to ``Text``: a catalog change only, no rewrite. A non-native ``Enum`` is a ``VARCHAR`` of the longest
    value's length, unknown here: to any string type it counts as a widening (no claim)."""
    new_name, new_len, new_known = _type_parts(new, constants)
    if _non_native_enum(old):
        return new_name in _VARCHAR | _TEXT
    old_name, old_len, old_known = _type_parts(old, constants)
    if not (old_known and new_known):
        return False
    if old_name in _VARCHAR:
        if new_name in _TEXT:
            return True
        if new_name in _VARCHAR:
            return new_len is None or (old_len is not None and new_len >= old_len)
    return old_name in _TEXT and new_name in _TEXT


def _int_constants(module: cst.Module) -> dict:
    """Module-level ``NAME = <int literal>`` assignments (assigned once)."""
    seen: dict = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                name, value = small.targets[0].target.value, small.value
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
                name, value = small.target.value, small.value
            else:
                continue
            literal = int(value.value.replace("_", ""), 0) if isinstance(value, cst.Integer) else None
            seen[name] = literal if name not in seen else None
    return {k: v for k, v in seen.items() if v is not None}


class ColumnTypeChange(Rule):
    """
    ## What it does
    Reports `op.alter_column(..., type_=...)` in an Alembic `upgrade()` on an existing table, unless it
    widens a string: `String(n)` to `String(m)` with `m >= n`, to `String()` or to `Text` (and `VARCHAR`
    to `TEXT`), read from `existing_type=` (a length may be a module constant). An
    `Enum(..., native_enum=False)` is stored as a `VARCHAR` as long as its longest value: its change to a
    string type makes no claim (onyx's `remove_remaining_enums`). Postgres only (see `migration-dialect`).
    A change with no `existing_type=` (the old type is unknown: autogenerate always writes it, and
    hand-written calls often restate the column's own type beside a rename or a nullability change), a
    type equal to the existing one, a table created earlier in the same revision, `batch_op` operations
    (batch mode), and operations in `downgrade()` make no claim.

    ## Why is this bad?
    `ALTER COLUMN ... TYPE` holds ACCESS EXCLUSIVE until the revision commits, and a change Postgres cannot
    prove binary-compatible rewrites the whole table under it: every read and write of the running code
    waits for the rewrite (shown for `Integer` to `BigInteger` by
    `test_bkl415_integer_to_bigint_rewrites_under_access_exclusive`, and for a native enum to a string by
    `test_bkl415_native_enum_to_string_rewrites_under_access_exclusive`, in
    `tests/postgres/test_lock_claims.py`; other changes, such as a narrower `varchar` or `timestamp` to
    `timestamptz`, are reported because they are not a widening, not because a test here rewrote them). A
    narrower type may also refuse values the old code still writes
    (`test_bkl415_a_narrower_type_refuses_what_the_old_code_writes`). A widening `varchar` needs no rewrite
    (`test_bkl415_widening_varchar_takes_no_rewrite`), though it still takes ACCESS EXCLUSIVE for the
    catalog update: set a `lock_timeout`.

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "f6a7b8"
    down_revision = "e5f6a7"


    def upgrade():
        op.alter_column("accounts", "balance", type_=sa.BigInteger(), existing_type=sa.Integer())


    def downgrade():
        op.alter_column("accounts", "balance", type_=sa.Integer(), existing_type=sa.BigInteger())
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "f6a7b8"
    down_revision = "e5f6a7"


    def upgrade():
        # expand: a new column; the code writes both, a backfill copies in batches, then the code
        # switches to it and a later revision drops the old one
        op.add_column("accounts", sa.Column("balance_big", sa.BigInteger(), nullable=True))


    def downgrade():
        op.drop_column("accounts", "balance_big")
    ```

    ## Fix safety
    No fix: the safe path (a new column, dual writes, a backfill, a switch) spans several deploys.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        for item in lock_ops(self.ctx, ("alter_column",)):
            op = item.op
            new = op.kwargs.get("type_")
            if new is None:
                continue
            old = op.kwargs.get("existing_type")
            module = self.ctx.module
            if old is None:
                # the old type is unknown: hand-written calls often restate the type the column already
                # has beside a rename or a nullability change (mlrun's `params`, onyx's `chosen_assistants`)
                continue
            if module.code_for_node(old).replace(" ", "") == module.code_for_node(new).replace(" ", ""):
                continue
            if widening(old, new, _int_constants(module)):
                continue
            shown_new = " ".join(module.code_for_node(new).split())
            table, column = op.table, op.name
            where = f" of `{table}.{column}`" if isinstance(table, str) and isinstance(column, str) else ""
            change = f" from `{' '.join(module.code_for_node(old).split())}`"
            self.report(
                op.call,
                f"`alter_column` changes the type{where}{change} to `{shown_new}`: it is not a widening, so Postgres may rewrite the table under an ACCESS EXCLUSIVE lock",
            )
