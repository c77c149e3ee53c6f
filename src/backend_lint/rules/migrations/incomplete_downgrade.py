from __future__ import annotations

import libcst as cst

from ._screens import incomplete_downgrade
from ..api import Rule
from ...knowledge.alembic import analyse, is_noop_body, revision_info, unconditional_raise
from ._downgrade import mirror_message


class IncompleteDowngrade(Rule):
    """
    ## What it does
    Reports an Alembic `upgrade()` operation whose inverse is missing from `downgrade()`. Mirrored pairs:
    `create_table`/`drop_table`, `add_column`/`drop_column`, `create_index`/`drop_index`, named
    constraints (`create_foreign_key`, `create_unique_constraint`, `create_check_constraint`,
    `create_primary_key`) against `drop_constraint`, `rename_table` and `alter_column(new_column_name=...)`
    renamed back, and `create_table_comment`, also inside `with op.batch_alter_table(...) as batch_op:`
    blocks. Names are read positionally or by keyword, through `op.f("...")`, module constants and
    single-assignment locals.

    Both functions are simulated over schema objects, so that:

    - a dropped table covers its columns, indexes and constraints, and dropped columns cover the indexes
      and keys made only of them;
    - renames are followed (`op.rename_table("a", "b")` then work on `"b"`);
    - a drop followed by a re-create of the same name in the upgrade is a net create;
    - a `drop_*` in the upgrade that the downgrade does not re-create is reported, and so is a rename
      undone by drop-and-add, which loses the data;
    - unnamed (`None`) constraints and names computed at run time make no claim.

    What the analysis cannot see through makes no claim: operations in loops, helper functions from
    other modules, `op.execute` SQL (a downgrade whose SQL names the object, or whose SQL is built at run
    time, is given the benefit of the doubt). Helpers defined in the migration module itself are read.
    An empty downgrade is BKL402 only, and a downgrade that always raises is BKL403 only.

    ## Why is this bad?
    `alembic downgrade` succeeds but leaves part of the upgrade behind: a table, a column or an index
    that the previous application version does not expect, or a name that the next `alembic upgrade`
    then fails to create again ("relation already exists").

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a1b2c3"
    down_revision = "f0e9d8"


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))
        op.create_index("ix_item_note", "item", ["note"])
        op.create_table("tag", sa.Column("id", sa.Integer(), primary_key=True))


    def downgrade():
        op.drop_column("item", "note")
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a1b2c3"
    down_revision = "f0e9d8"


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))
        op.create_index("ix_item_note", "item", ["note"])
        op.create_table("tag", sa.Column("id", sa.Integer(), primary_key=True))


    def downgrade():
        op.drop_table("tag")
        op.drop_column("item", "note")
    ```

    ## Fix safety
    No fix: completing a hand-written downgrade means placing each inverse among statements the
    analysis does not model; BKL401/BKL402 write a whole downgrade when there is none.
    """

    code = "BKL404"
    name = "incomplete-downgrade"
    message = "`downgrade()` does not undo this upgrade operation"
    migration_only = True
    may_fire_tree = staticmethod(incomplete_downgrade)

    def visit_Module(self, node: cst.Module) -> None:
        info = revision_info(self.ctx)
        if info.upgrade is None or info.downgrade is None:
            return
        if is_noop_body(info.downgrade) or unconditional_raise(info.downgrade) is not None:
            return  # BKL402 / BKL403 say it once
        for finding in analyse(self.ctx).findings:
            self.report(finding.op.call, mirror_message(finding))
