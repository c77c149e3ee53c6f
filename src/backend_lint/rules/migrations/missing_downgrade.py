from __future__ import annotations

import libcst as cst

from ...rule import Rule
from ...semantics.alembic import revision_info


class MissingDowngrade(Rule):
    """
    ## What it does
    Reports an Alembic revision module that has no `downgrade()` function. Revision modules are
    recognised by content (module-level `revision` and `down_revision`, and `def upgrade`), wherever
    they live.

    ## Why is this bad?
    `alembic downgrade` imports the revision and calls `downgrade()`: without it a rollback fails with an
    `AttributeError` in the middle of an incident, when a rollback is needed most.

    ## Example
    ```python
    revision = "a1b2c3"
    down_revision = None


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))
    ```

    ## Use instead
    ```python
    revision = "a1b2c3"
    down_revision = None


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))


    def downgrade():
        op.drop_column("item", "note")
    ```

    ## Fix safety
    No fix yet.
    """

    code = "BKL401"
    name = "missing-downgrade"
    message = "Migration has no `downgrade()` function"
    migration_only = True

    def visit_Module(self, node: cst.Module) -> None:
        info = revision_info(self.ctx)
        if info.upgrade is not None and info.downgrade is None:
            self.report_at(1, 0)
