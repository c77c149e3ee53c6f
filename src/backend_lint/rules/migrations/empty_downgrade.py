"""Family rules: migrations."""
from __future__ import annotations

import libcst as cst

from ...values import FixAvailability
from ._screens import empty_downgrade
from ..api import Rule
from ...knowledge.alembic import is_noop_body, revision_info
from ._downgrade import downgrade_fix


class EmptyDowngrade(Rule):
    """
    ## What it does
    Reports an Alembic `downgrade()` that does nothing: `pass`, `...`, a docstring, comments or a bare
    `return`, `print` and logging calls, and `if`/`with`/`try` blocks made only of those. Merge revisions
    and revisions whose `upgrade()` does nothing either are not reported; a downgrade that calls a helper
    is not empty.

    ## Why is this bad?
    `alembic downgrade` "succeeds" and records the older revision while the schema keeps the upgrade's
    changes: the database and the migration history now disagree, and the next upgrade fails.

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a1b2c3"
    down_revision = "f0e9d8"


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))


    def downgrade():
        pass
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a1b2c3"
    down_revision = "f0e9d8"


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))


    def downgrade():
        op.drop_column("item", "note")
    ```

    ## Fix safety
    The fix replaces the body (a docstring and the comments before it are kept) with the inverse of
    every upgrade operation, in reverse order, in the file's own style (`op` or `batch_op` inside the same
    `batch_alter_table` blocks, names written as the upgrade writes them). It is offered only when every
    operation of `upgrade()` can be inverted from what the file says: a `drop_*` (the dropped definition
    and data are not in the file), `op.execute` SQL, loops, helpers, or `alter_column` without the
    `existing_*` arguments that say what to restore mean no fix, and the message says why. It is unsafe:
    a generated downgrade is a draft to review.
    """

    code = "BKL402"
    name = "empty-downgrade"
    message = "`downgrade()` does nothing"
    fix_availability = FixAvailability.SOMETIMES
    migration_only = True
    may_fire_tree = staticmethod(empty_downgrade)

    def visit_Module(self, node: cst.Module) -> None:
        info = revision_info(self.ctx)
        if info.upgrade is None or info.downgrade is None or info.is_merge:
            return
        if is_noop_body(info.downgrade) and not is_noop_body(info.upgrade):
            fix, reason = downgrade_fix(self.ctx, missing=False)
            message = self.message if fix is not None else f"{self.message} (no fix: {reason})"
            self.report(info.downgrade.name, message, fix)
