"""What the family-4 screens (BKL401-BKL404) share: a revision module's top-level ``upgrade`` and
``downgrade`` on CPython's ``ast``. Each rule's screen is in its own file; the operation tables they read are
``knowledge/alembic_ops.py``, shared with the libcst analysis in ``knowledge/alembic/``."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ...knowledge.tree_facts import TreeFacts
from ...knowledge.tree_facts import walk as ast_walk


def revision_functions(facts: TreeFacts) -> tuple[Optional[Any], Optional[Any]]:
    """The module's top-level ``upgrade`` and ``downgrade`` (the last of each name, as libcst reads them)."""

    def build() -> tuple[Optional[Any], Optional[Any]]:
        upgrade = downgrade = None
        for stmt in facts.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name == "upgrade":
                    upgrade = stmt
                elif stmt.name == "downgrade":
                    downgrade = stmt
        return upgrade, downgrade

    return facts.cached("alembic.functions", build)


def upgrade_method_calls(facts: TreeFacts) -> tuple[list[ast.Call], frozenset[str]]:
    """Every call ``<anything>.<method>(...)`` inside ``upgrade()`` (in ``ast.walk``'s order) and the names bound
    by ``with ...batch_alter_table(...) as <name>:`` there: one walk per file for every family-4 screen."""

    def build() -> tuple[list[ast.Call], frozenset[str]]:
        upgrade, _ = revision_functions(facts)
        if upgrade is None:
            return [], frozenset()
        batches: set = set()
        calls = []
        for node in ast_walk(upgrade):
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    expr = item.context_expr
                    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "batch_alter_table":
                        if isinstance(item.optional_vars, ast.Name):
                            batches.add(item.optional_vars.id)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                calls.append(node)
        return calls, frozenset(batches)

    return facts.cached("alembic.upgrade_method_calls", build)
