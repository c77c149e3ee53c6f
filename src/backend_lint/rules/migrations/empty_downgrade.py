from __future__ import annotations

import libcst as cst

from ...rule import Rule
from ...semantics.alembic import is_noop_body, revision_info


class EmptyDowngrade(Rule):
    """
    ## What it does
    Reports an Alembic `downgrade()` that does nothing: `pass`, `...`, a docstring, comments or a bare
    `return`. Merge revisions and revisions whose `upgrade()` does nothing either are not reported; a
    downgrade that calls a helper is not empty.

    ## Why is this bad?
    `alembic downgrade` "succeeds" and records the older revision while the schema keeps the upgrade's
    changes: the database and the migration history now disagree, and the next upgrade fails.

    ## Example
    ```python
    revision = "a1b2c3"
    down_revision = "f0e9d8"


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))


    def downgrade():
        pass
    ```

    ## Use instead
    ```python
    revision = "a1b2c3"
    down_revision = "f0e9d8"


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))


    def downgrade():
        op.drop_column("item", "note")
    ```

    ## Fix safety
    No fix yet.
    """

    code = "BKL402"
    name = "empty-downgrade"
    message = "`downgrade()` does nothing"
    migration_only = True

    def visit_Module(self, node: cst.Module) -> None:
        info = revision_info(self.ctx)
        if info.upgrade is None or info.downgrade is None or info.is_merge:
            return
        if is_noop_body(info.downgrade) and not is_noop_body(info.upgrade):
            self.report(info.downgrade.name)
