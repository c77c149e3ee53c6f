from __future__ import annotations

import ast
from typing import Any

from ...ground.lazy import lazy_import

from ...knowledge.tree_facts import TreeFacts
from ._screens import revision_functions
from ..api import Rule, RuleSpec
from ...knowledge.alembic import revision_info, unconditional_raise

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def irreversible_downgrade(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL403 needs a ``raise`` among the downgrade's top-level statements."""
    upgrade, downgrade = revision_functions(facts)
    return upgrade is not None and downgrade is not None and any(isinstance(s, ast.Raise) for s in downgrade.body)


SPEC = RuleSpec(
    code="BKL403",
    name="irreversible-downgrade",
    message="`downgrade()` always raises: this migration cannot be rolled back",
    requires=("raise",),
    migration_only=True,
    screen=irreversible_downgrade,
)


class IrreversibleDowngrade(Rule):
    """
    ## What it does
    Reports an Alembic `downgrade()` that always raises: an unconditional `raise` at the top level of the
    function (`raise NotImplementedError(...)`, `raise Exception("no downgrade")`, ...), with nothing
    before it that could return. A `raise` behind a data check or a dialect branch is not reported.

    It has its own code so that a team that allows deliberate one-way migrations can turn it off
    (`ignore = ["BKL403"]`) and keep the other checks.

    ## Why is this bad?
    A rollback stops at this revision with an exception: every revision after it can be rolled back,
    this one cannot, and it is usually found out during an incident. One-way migrations should be a
    decision the team made, not a default.

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "a1b2c3"
    down_revision = "f0e9d8"


    def upgrade():
        op.add_column("item", sa.Column("note", sa.Text()))


    def downgrade():
        raise NotImplementedError("no downgrade")
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
    No fix: a downgrade written on purpose to refuse usually refuses because the upgrade destroys
    something (a dropped column, a data rewrite) that no generated code can bring back.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        info = revision_info(self.ctx)
        if info.upgrade is None or info.downgrade is None:
            return
        raised = unconditional_raise(info.downgrade)
        if raised is None:
            return
        self.report(info.downgrade.name)
