"""Family rules: migrations."""
from __future__ import annotations

import ast
from typing import Any

from ...ground.lazy import lazy_import

from ...values import FixAvailability
from ...knowledge.alembic_ops import LOG_METHODS, LOGGER_FACTORIES, OUTPUT_CALLS, PRINT_FUNCTIONS
from ...knowledge.index.extract import ast_dotted as _dotted
from ...knowledge.tree_facts import TreeFacts
from ._screens import revision_functions, top_assignments
from ..api import Rule, RuleSpec
from ...knowledge.alembic import is_noop_body, revision_info
from ._downgrade import downgrade_fix

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


# loosely, calls that look like output (any receiver): ``x.warn(...)``, ``click.echo``, ``sys.stdout.write``
_OUTPUT_METHODS = frozenset({"warn", "echo", "secho", "write"})


def _noop_call(call: ast.Call, loose: bool) -> bool:
    """``knowledge.alembic.bodies.is_print_or_log``; ``loose``: every call that looks like output."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in PRINT_FUNCTIONS
    if not isinstance(func, ast.Attribute):
        return False
    if loose:
        return func.attr in LOG_METHODS or func.attr in _OUTPUT_METHODS
    if _dotted(func) in OUTPUT_CALLS:
        return True
    if func.attr in LOG_METHODS:
        root: ast.expr = func.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and "log" in root.id.lower():
            return True
        if isinstance(root, ast.Call) and _dotted(root.func) in LOGGER_FACTORIES:
            return True
    return False


def _noop(body: list, loose: bool) -> bool:
    """``knowledge.alembic.is_noop_body``. ``loose`` reads it generously (any constant expression, any
    call that looks like output, ``try*`` blocks): a screen asking "may this do nothing?" uses the loose
    reading, one asking "may this do something?" the strict one, so that neither answers wrongly."""
    for stmt in body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Return) and stmt.value is None):
            continue
        if isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.JoinedStr):
                continue
            if isinstance(value, ast.Constant) and (loose or value.value is Ellipsis or isinstance(value.value, (str, bytes))):
                continue
            if isinstance(value, ast.Call) and _noop_call(value, loose):
                continue
            return False
        if isinstance(stmt, ast.If):
            if _noop(stmt.body, loose) and _noop(stmt.orelse, loose):
                continue
            return False
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            if _noop(stmt.body, loose):
                continue
            return False
        if isinstance(stmt, ast.Try) or (loose and type(stmt).__name__ == "TryStar"):
            blocks = [stmt.body, stmt.orelse, stmt.finalbody] + [h.body for h in stmt.handlers]  # type: ignore[attr-defined]
            if all(_noop(b, loose) for b in blocks):
                continue
            return False
        return False
    return True


def _is_merge(facts: TreeFacts) -> bool:
    """``RevisionModule.is_merge``: the last top-level ``down_revision = (...)`` names several parents."""
    value = None
    for target, assigned in top_assignments(facts.tree):
        if isinstance(target, ast.Name) and target.id == "down_revision":
            value = assigned
    return isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) > 1


def empty_downgrade(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL402 needs both functions, a downgrade that may do nothing, an upgrade that may do something,
    and a revision that is not a merge."""
    upgrade, downgrade = revision_functions(facts)
    if upgrade is None or downgrade is None or not _noop(downgrade.body, loose=True):
        return False
    return not _noop(upgrade.body, loose=False) and not _is_merge(facts)


SPEC = RuleSpec(
    code="BKL402",
    name="empty-downgrade",
    message="`downgrade()` does nothing",
    fix_availability=FixAvailability.SOMETIMES,
    migration_only=True,
    screen=empty_downgrade,
)


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

    spec = SPEC

    def visit_Module(self, node: cst.Module) -> None:
        info = revision_info(self.ctx)
        if info.upgrade is None or info.downgrade is None or info.is_merge:
            return
        if is_noop_body(info.downgrade) and not is_noop_body(info.upgrade):
            fix, reason = downgrade_fix(self.ctx, missing=False)
            message = self.message if fix is not None else f"{self.message} (no fix: {reason})"
            self.report(info.downgrade.name, message, fix)
