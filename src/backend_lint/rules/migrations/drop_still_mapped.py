"""BKL421 drop-still-mapped: ``drop_column`` / ``drop_table`` of what a model of the project still maps."""
from __future__ import annotations

from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.alembic.mapped import derive_mapped_tables, mapped_tables
from ...knowledge.alembic.siblings import created_again
from ..api import Rule, RuleSpec
from ._deploy import DeployOp, deploy_ops, upgrade_calls
from ._screens import Unreadable, module_constants, screen_string, upgrade_readings

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def drop_still_mapped(facts: Any, project: Any, settings: Any) -> bool:
    """BKL421: ``drop_column`` / ``drop_table`` inside ``upgrade()`` of a table that a model maps (and, for a
    column, of a column it maps), every way the reader may bind the call (``upgrade_readings``); any name
    the screen does not read lets the file through."""
    calls = upgrade_calls(facts, ("drop_column", "drop_table"))
    if not calls or project is None:
        return bool(calls)
    tables = mapped_tables(project)
    consts = module_constants(facts)
    try:
        for call in calls:
            for table, params in upgrade_readings(facts, call):
                mapped = tables.get(table)
                if mapped is None:
                    continue
                if call.func.attr == "drop_table" or screen_string(params.get("column_name"), consts) in mapped.columns:
                    return True
    except Unreadable:
        return True
    return False


SPEC = RuleSpec(
    code="BKL421",
    name="drop-still-mapped",
    message="the dropped column or table is still mapped by a model: the running code breaks on deploy",
    requires=("drop_column", "drop_table"),
    migration_only=True,
    screen=drop_still_mapped,
    project_facts=derive_mapped_tables,
)


def dropped_objects(ctx: Any) -> list[tuple[DeployOp, str, Optional[str]]]:
    """(operation, table, column or None) for each ``drop_column`` / ``drop_table`` of ``upgrade()`` on an
    existing table with literal names, unless the same upgrade creates it again afterwards (a net change
    of definition, not a drop)."""
    items = [i for i in deploy_ops(ctx) if i.readable]
    out = []
    for item in items:
        op = item.op
        if op.method not in ("drop_column", "drop_table") or item.new_table or not isinstance(op.table, str):
            continue
        column = op.name if op.method == "drop_column" else None
        if op.method == "drop_column" and not isinstance(column, str):
            continue
        again = any(
            later.index > item.index
            and later.op.table == op.table
            and (
                (column is None and later.op.method == "create_table")
                or (column is not None and later.op.method == "add_column" and later.op.name == column)
                or (later.op.method == "rename_table" and later.op.new_name == op.table)
                or (column is not None and later.op.method == "alter_column" and later.op.new_name == column)
            )
            for later in items
        )
        if not again:
            out.append((item, op.table, column))
    return out


class DropStillMapped(Rule):
    """
    ## What it does
    Reports `op.drop_column(...)` and `op.drop_table(...)` in an Alembic `upgrade()` when a model of the
    project still maps that column or table (read across files through the project index: a table model
    with a literal `__tablename__`, or a SQLModel `table=True` class, and its columns by database name).
    Every database; `batch_op` operations count too. A table created earlier in the same revision, a
    column or table created again later in the same upgrade (also by renaming another one to its name),
    names computed at run time, models whose table name is computed, models declared inside the migration
    package (snapshots for data steps), and operations in `downgrade()` make no claim; nor does a drop that
    a later revision undoes: the revision graph of the versions directory is read (`revision` and
    `down_revision` literals), and a revision that may run after the drop (a descendant, or one on a
    parallel branch) that creates the table or adds the column again (`create_table`, `rename_table` to the
    name, `Column("name", ...)`, or `CREATE TABLE` / `ADD COLUMN` in SQL) means the model maps the new one.
    Where the dropping revision cannot be placed in the graph, two or more other revisions creating the
    object stand for that.

    ## Why is this bad?
    The revision runs before the new code replaces the old, and the model says the code still reads and
    writes what it drops: from the commit on, the running code's queries fail (`undefined_column` /
    `undefined_table`: shown on Postgres by `test_bkl419_bkl421_the_old_code_breaks_after_the_revision` in
    `tests/postgres/test_lock_claims.py`). If the model is the new code's, the new code breaks too.

    ## Example
    ```python
    # file: app/models.py
    from sqlalchemy import Column, Integer, String
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()


    class Account(Base):
        __tablename__ = "accounts"
        id = Column(Integer, primary_key=True)
        legacy_code = Column(String(20))

    # file: migrations/versions/e1f2a3_drop_legacy_code.py
    from alembic import op
    import sqlalchemy as sa

    revision = "e1f2a3"
    down_revision = "d0e1f2"


    def upgrade():
        op.drop_column("accounts", "legacy_code")


    def downgrade():
        op.add_column("accounts", sa.Column("legacy_code", sa.String(20), nullable=True))
    ```

    ## Use instead
    ```python
    # file: app/models.py
    from sqlalchemy import Column, Integer
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()


    class Account(Base):
        __tablename__ = "accounts"
        id = Column(Integer, primary_key=True)

    # file: migrations/versions/e1f2a3_drop_legacy_code.py
    from alembic import op
    import sqlalchemy as sa

    revision = "e1f2a3"
    down_revision = "d0e1f2"


    def upgrade():
        op.drop_column("accounts", "legacy_code")


    def downgrade():
        op.add_column("accounts", sa.Column("legacy_code", sa.String(20), nullable=True))
    ```

    Expand, deploy, then contract: first deploy code that no longer maps the column, then run the revision
    that drops it.

    ## Fix safety
    No fix: the model change and the drop belong to different deploys.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        project = self.ctx.project
        if project is None:
            return
        drops = dropped_objects(self.ctx)
        if not drops:
            return
        tables = mapped_tables(project)
        for item, table, column in drops:
            mapped = tables.get(table)
            if mapped is None or (column is None or column in mapped.columns) and created_again(self.ctx.path, table, column):
                continue
            if column is None:
                model = mapped.models[0].rsplit(".", 1)[-1]
                self.report(item.op.call, f"`drop_table` drops `{table}`, which the model `{model}` still maps: the running code breaks on deploy")
                continue
            found = mapped.columns.get(column)
            if found is not None:
                model = found.owner.rsplit(".", 1)[-1]
                self.report(
                    item.op.call,
                    f"`drop_column` drops `{table}.{column}`, which `{model}.{found.attribute}` still maps: the running code breaks on deploy",
                )
