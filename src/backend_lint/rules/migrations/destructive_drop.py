"""BKL422 destructive-drop (opt-in): ``drop_column`` / ``drop_table`` in ``upgrade()``."""
from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ..api import Rule, RuleSpec
from ._deploy import upgrade_calls
from .drop_still_mapped import dropped_objects

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def destructive_drop(facts: Any, project: Any, settings: Any) -> bool:
    """BKL422: ``drop_column`` / ``drop_table`` inside ``upgrade()``."""
    return bool(upgrade_calls(facts, ("drop_column", "drop_table")))


SPEC = RuleSpec(
    code="BKL422",
    name="destructive-drop",
    message="the revision drops a column or table and its data: the running code must no longer use it",
    requires=("drop_column", "drop_table"),
    migration_only=True,
    opt_in=True,
    screen=destructive_drop,
)


class DestructiveDrop(Rule):
    """
    ## What it does
    Reports every `op.drop_column(...)` and `op.drop_table(...)` in an Alembic `upgrade()`, mapped by a
    model or not (BKL421 reports the ones a model still maps). Opt-in: off unless selected by its code, a
    prefix or `ALL`, for teams that want each contract step reviewed. Every database; `batch_op`
    operations count too. A table created earlier in the same revision, a column or table created again
    later in the same upgrade (also by renaming another one to its name: the old values were copied over),
    names computed at run time, `_alembic_tmp_*` tables (the copy a failed batch operation leaves behind),
    and operations in `downgrade()` make no claim.
    Deliberate contract migrations are real findings: the rule asks for a review (and a `# noqa`), it
    cannot know that no running code reads the column.

    ## Why is this bad?
    A drop destroys the data with no way back but a backup (`downgrade()` re-adds an empty column), and
    any running code that still reads it fails from the commit on
    (`test_bkl419_bkl421_the_old_code_breaks_after_the_revision` in `tests/postgres/test_lock_claims.py`).

    ## Example
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "f2a3b4"
    down_revision = "e1f2a3"


    def upgrade():
        op.drop_column("accounts", "legacy_code")


    def downgrade():
        op.add_column("accounts", sa.Column("legacy_code", sa.String(20), nullable=True))
    ```

    ## Use instead
    ```python
    from alembic import op
    import sqlalchemy as sa

    revision = "f2a3b4"
    down_revision = "e1f2a3"


    def upgrade():
        # contract step, reviewed: no deployed code reads `legacy_code` since release 2.3
        op.drop_column("accounts", "legacy_code")  # noqa: BKL422


    def downgrade():
        op.add_column("accounts", sa.Column("legacy_code", sa.String(20), nullable=True))
    ```

    ## Fix safety
    No fix.
    """

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        for item, table, column in dropped_objects(self.ctx):
            if table.startswith("_alembic_tmp_"):
                continue  # the copy a failed batch operation left behind: no code ever used it
            if column is None:
                self.report(item.op.call, f"`drop_table` drops `{table}` and its data: make sure no running code uses it (expand, deploy, then contract)")
            else:
                self.report(
                    item.op.call,
                    f"`drop_column` drops `{table}.{column}` and its data: make sure no running code uses it (expand, deploy, then contract)",
                )
