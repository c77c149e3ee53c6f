"""BKL420 probable-rename-by-drop-and-add: ``drop_column`` + ``add_column`` of the same type on one table."""
from __future__ import annotations

import difflib
import re
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.alembic import revision_info
from ...knowledge.alembic.reader import read_function
from ...values import FixAvailability
from ..api import Rule, RuleSpec
from ._deploy import call_name, column_call, deploy_ops, positional_calls, upgrade_calls
from ._screens import Unreadable, body_text, column_name, module_constants, revision_functions, screen_string, upgrade_readings

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# the reflected spellings autogenerate writes in a downgrade, and their generic names in an upgrade
_GENERIC = {
    "VARCHAR": "String", "CHAR": "String", "NVARCHAR": "String", "TEXT": "Text", "INTEGER": "Integer",
    "BIGINT": "BigInteger", "SMALLINT": "SmallInteger", "BOOLEAN": "Boolean", "TIMESTAMP": "DateTime",
    "DATETIME": "DateTime", "DATE": "Date", "TIME": "Time", "NUMERIC": "Numeric", "DECIMAL": "Numeric",
    "FLOAT": "Float", "DOUBLE_PRECISION": "Float", "REAL": "Float", "UUID": "Uuid", "JSON": "JSON",
    "JSONB": "JSONB", "BYTEA": "LargeBinary", "BLOB": "LargeBinary", "INTERVAL": "Interval", "Unicode": "String",
    "UnicodeText": "Text",
}
# the first positional argument of a type, by keyword (``String(20)`` is ``String(length=20)``)
_FIRST = {"String": "length", "Text": "length", "Numeric": "precision", "Float": "precision", "DateTime": "timezone", "Time": "timezone"}
# a data step: the values may be copied over, recomputed or deleted on purpose before the drop
_DATA_STEP = re.compile(r"\b(execute|exec_driver_sql|executemany|bulk_insert|get_bind|Session|session|connection)\b")
# keywords that autogenerate adds on one side only, or that say nothing of the values
_IGNORED = frozenset({"autoincrement", "comment", "existing_comment", "info", "doc"})


def _ratio(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, old.lower(), new.lower()).ratio()


def _similar(old: str, new: str) -> bool:
    """A rename that kept most of the name: one contains the other, or they are 80% alike."""
    a, b = old.lower(), new.lower()
    return a in b or b in a or _ratio(a, b) >= 0.8


def _matching(dropped: list, added: list) -> dict:
    """Old name -> new name, one to one, the most alike pairs first, similar pairs only."""
    pairs = sorted(((_ratio(a, b), a, b) for a in dropped for b in added if _similar(a, b)), key=lambda p: (-p[0], p[1], p[2]))
    out: dict = {}
    taken: set = set()
    for _ratio_, a, b in pairs:
        if a not in out and b not in taken:
            out[a] = b
            taken.add(b)
    return out


def probable_rename_by_drop_and_add(facts: Any, project: Any, settings: Any) -> bool:
    """BKL420: ``drop_column`` and ``add_column`` of ``sa.Column("name", ...)`` inside ``upgrade()`` on one
    table, under different but similar names (``_similar``), every way the reader may bind the calls
    (``upgrade_readings``), and no data step in the upgrade's body (``_DATA_STEP``); any name the screen does
    not read lets the file through."""
    drops = upgrade_calls(facts, ("drop_column",))
    adds = upgrade_calls(facts, ("add_column",))
    if not drops or not adds:
        return False
    text = body_text(facts, revision_functions(facts)[0])
    if text is not None and _DATA_STEP.search(text):
        return False  # (a part of the body's code: the visitor's search finds it too)
    consts = module_constants(facts)
    try:
        dropped = {(t, screen_string(p.get("column_name"), consts)) for call in drops for t, p in upgrade_readings(facts, call)}
        added = {(t, column_name(p.get("column"), consts)) for call in adds for t, p in upgrade_readings(facts, call)}
    except Unreadable:
        return True
    return any(
        table is not None and old is not None and new is not None and new != old and _similar(old, new)
        for table, old in dropped
        for other, new in added
        if other == table
    )


SPEC = RuleSpec(
    code="BKL420",
    name="probable-rename-by-drop-and-add",
    message="`drop_column` and `add_column` of the same type on one table: probably a rename, and the values are lost",
    requires=("drop_column",),
    migration_only=True,
    screen=probable_rename_by_drop_and_add,
)


def column_shape(column: cst.Call, module: cst.Module) -> Optional[tuple]:
    """What a ``Column(name, type, ..., key=...)`` says apart from its name: its type, normalised
    (``sa.VARCHAR(length=20)`` and ``sa.String(20)`` alike), and its other arguments; ``None`` when the type
    is not a readable expression."""
    args = [a for a in column.args if a.keyword is None and a.star == ""]
    if len(args) < 2 or any(a.star for a in column.args):
        return None
    type_expr = args[1].value
    if isinstance(type_expr, cst.Call):
        name = call_name(type_expr)
        type_args = []
        for i, a in enumerate(type_expr.args):
            key = a.keyword.value if a.keyword is not None else _FIRST.get(_GENERIC.get(name, name), "#") + str(i)
            key = key[:-1] if key[-1] == "0" and not key.startswith("#") else key
            type_args.append((key, _norm(module.code_for_node(a.value))))
    elif isinstance(type_expr, (cst.Name, cst.Attribute)):
        name = (module.code_for_node(type_expr)).rsplit(".", 1)[-1]
        type_args = []
    else:
        return None
    name = _GENERIC.get(name, name)
    others = sorted(_norm(module.code_for_node(a)) for a in args[2:])
    keywords = sorted(
        (a.keyword.value, _norm(module.code_for_node(a.value)))
        for a in column.args
        if a.keyword is not None and a.keyword.value not in _IGNORED
    )
    return name, tuple(sorted(type_args)), tuple(others), tuple(keywords)


def _referents(ops: list, module: cst.Module) -> dict:
    """(table, column) -> the table its foreign key references, from ``create_foreign_key`` of one
    column and from a ``ForeignKey("table.column")`` inside an added ``Column``."""
    out: dict = {}
    for op in ops:
        if op.unpacked:
            continue
        if op.method == "create_foreign_key":
            cols = op.columns
            referent = op.str_arg("referent_table")
            if isinstance(op.table, str) and cols and len(cols) == 1 and isinstance(cols[0], str):
                out[(op.table, cols[0])] = referent if isinstance(referent, str) else "?"
        elif op.method == "add_column" and isinstance(op.table, str) and isinstance(op.name, str):
            column = column_call(op)
            for call in positional_calls(column) if column is not None else []:
                if call_name(call) == "ForeignKey" and call.args:
                    target = call.args[0].value
                    text = target.evaluated_value if isinstance(target, cst.SimpleString) else "?"
                    out[(op.table, op.name)] = str(text).rsplit(".", 1)[0]
    return out


def _norm(code: str) -> str:
    return re.sub(r"\s+", "", code).replace("'", '"')


class ProbableRenameByDropAndAdd(Rule):
    """
    ## What it does
    Reports `op.drop_column(table, old)` in an Alembic `upgrade()` when the same upgrade adds a column of
    the same type and arguments to the same table under a similar name: what autogenerate writes for a
    renamed attribute, since it cannot tell a rename from a drop and an add. Similar: one name contains the
    other, or they are 80% alike (`legacy_code` -> `code`, `created` -> `created_at`). A drop beside an
    unrelated name (`icon_color` dropped, `icon_name` added; `website_url` dropped, `item_id` added) is, on
    real migration trees, a replacement rather than a rename, and makes no claim; so does a rename to a
    wholly new name (`name` -> `title`), which this cannot tell from one. Each new name pairs with one
    dropped name at most, the most alike first (a reshaping that drops `banner_title` and `component_title`
    and adds `title` reports only `banner_title`). The dropped column's type is read from the `downgrade()`,
    which adds it back; without that (no downgrade, or one that does not restore the column) the rule
    makes no claim. Every database;
    `batch_op` operations count too. Reflected spellings count as their generic types (`sa.VARCHAR(length=20)`
    as `sa.String(20)`), `autoincrement=` / `comment=` are ignored, and a foreign key counts as an
    argument: the two columns must reference the same table (or neither any). A table created earlier in the same
    revision, operations in loops, a column dropped and added back under its own name (neither the
    dropped column nor a rename target), and an upgrade with a data step (`op.execute`, `op.get_bind()`,
    a connection or session: the values may be copied, recomputed or deleted on purpose) make no claim.

    ## Why is this bad?
    The column and its values are dropped, and the new one starts empty (or NULL): a rename loses every
    value (shown on Postgres by `test_bkl420_drop_and_add_loses_the_values`, while `alter_column(...,
    new_column_name=...)` keeps them: `test_bkl420_the_rename_keeps_the_values`, in
    `tests/postgres/test_lock_claims.py`).

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "c9d0e1"
    down_revision = "b8c9d0"


    def upgrade():
        op.add_column("accounts", sa.Column("code", sa.String(length=20), nullable=True))
        op.drop_column("accounts", "legacy_code")


    def downgrade():
        op.add_column("accounts", sa.Column("legacy_code", sa.VARCHAR(length=20), autoincrement=False, nullable=True))
        op.drop_column("accounts", "code")
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "c9d0e1"
    down_revision = "b8c9d0"


    def upgrade():
        op.alter_column("accounts", "legacy_code", new_column_name="code", existing_type=sa.String(length=20))


    def downgrade():
        op.alter_column("accounts", "code", new_column_name="legacy_code", existing_type=sa.String(length=20))
    ```

    A rename still breaks the code that reads the old name (BKL419): while old code runs, add the new
    column, write both, backfill, and drop the old one later.

    ## Fix safety
    No fix: whether it was a rename is for the author to say.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        module = self.ctx.module
        info = revision_info(self.ctx)
        if info.upgrade is None or _DATA_STEP.search(module.code_for_node(info.upgrade.body)):
            return
        items = [i for i in deploy_ops(self.ctx) if i.readable and not i.new_table]
        drops = [i.op for i in items if i.op.method == "drop_column" and isinstance(i.op.name, str) and isinstance(i.op.table, str)]
        if not drops:
            return
        added: dict = {}
        for i in items:
            if i.op.method == "add_column" and isinstance(i.op.table, str) and isinstance(i.op.name, str):
                column = column_call(i.op)
                shape = column_shape(column, module) if column is not None else None
                if shape is not None:
                    added.setdefault(i.op.table, []).append((i.op.name, shape))
        if not added:
            return
        restored, restored_refs = self._restored_shapes(module)
        added_refs = _referents([i.op for i in items], module)
        for op in drops:
            old = restored.get((op.table, op.name))
            if old is None:
                continue
            old_ref = restored_refs.get((op.table, op.name))
            dropped_here = {d.name for d in drops if d.table == op.table}
            # a column dropped and added back under its own name is a re-create, not the rename's target
            names = [
                name
                for name, shape in added.get(op.table, [])
                if shape == old and name not in dropped_here and added_refs.get((op.table, name)) == old_ref
            ]
            if not names or op.name in {n for n, _ in added.get(op.table, [])}:
                continue
            # Only a new name that kept most of the old one looks renamed (`legacy_code` -> `code`,
            # `acknowledgement_label` -> `acknowledge_label`): on real trees a drop beside an unrelated
            # add of the same type is a replacement (`icon_color` dropped, `icon_name` added). Each new
            # name is the rename of one old name at most (the most alike pair first).
            rivals = [d.name for d in drops if d.table == op.table and restored.get((d.table, d.name)) == old]
            target = _matching(rivals, names).get(op.name)
            if target is None:
                continue
            self.report(
                op.call,
                f"`drop_column` of `{op.table}.{op.name}` and `add_column` of `{target}` with the same type: probably a rename, and the values of `{op.name}` are lost",
            )

    def _restored_shapes(self, module: cst.Module) -> tuple[dict, dict]:
        """(table, column) -> shape, for the columns ``downgrade()`` adds back; and the tables their
        foreign keys reference."""
        info = revision_info(self.ctx)
        if info.downgrade is None:
            return {}, {}
        out: dict = {}
        ops = read_function(info, self.ctx, info.downgrade, inline_helpers=False).ops
        for op in ops:
            if op.method != "add_column" or op.unpacked or op.in_loop:
                continue
            table, name = op.table, op.name
            column = column_call(op)
            if isinstance(table, str) and isinstance(name, str) and column is not None:
                shape = column_shape(column, module)
                if shape is not None:
                    out.setdefault((table, name), shape)
        return out, _referents(ops, module)
