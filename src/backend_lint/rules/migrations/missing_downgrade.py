from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...values import FixAvailability
from ...knowledge.tree_facts import TreeFacts
from ._screens import revision_functions
from ..api import Rule, RuleSpec
from ...knowledge.alembic import revision_info
from ._downgrade import downgrade_fix

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def missing_downgrade(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL401 needs a top-level ``def upgrade`` and no top-level ``def downgrade``."""
    upgrade, downgrade = revision_functions(facts)
    return upgrade is not None and downgrade is None


SPEC = RuleSpec(
    code="BKL401",
    name="missing-downgrade",
    message="Migration has no `downgrade()` function",
    fix_availability=FixAvailability.SOMETIMES,
    migration_only=True,
    screen=missing_downgrade,
)


class MissingDowngrade(Rule):
    """
    ## What it does
    Reports an Alembic revision module that has no `downgrade()` function. Revision modules are
    recognised by content (module-level `revision` and `down_revision`, and `def upgrade`), wherever
    they live. A `downgrade` bound another way (imported, or assigned) counts as present.

    ## Why is this bad?
    `alembic downgrade` imports the revision and calls `downgrade()`: without it a rollback fails with an
    `AttributeError` in the middle of an incident, when a rollback is needed most.

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a1b2c3"
    down_revision = None


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a1b2c3"
    down_revision = None


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))


    def downgrade():
        op.drop_column("item", "note")
    ```

    ## Fix safety
    The fix writes `downgrade()` after `upgrade()`: the inverse of every upgrade operation, in reverse
    order, in the file's own style (`op` or `batch_op` inside the same `batch_alter_table` blocks, names
    written as the upgrade writes them). It is offered only when every operation of `upgrade()` can be
    inverted from what the file says: a `drop_*` (the dropped definition and data are not in the file),
    `op.execute` SQL, loops, helpers, or `alter_column` without the `existing_*` arguments that say what
    to restore mean no fix, and the message says why. It is unsafe: a generated downgrade is a draft to
    review (data written by the upgrade is dropped with the objects that hold it).
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        info = revision_info(self.ctx)
        if info.upgrade is None or info.downgrade is not None or info.downgrade_bound:
            return
        fix, reason = downgrade_fix(self.ctx, missing=True)
        message = self.message if fix is not None else f"{self.message} (no fix: {reason})"
        self.report_at(1, 0, message, fix)
