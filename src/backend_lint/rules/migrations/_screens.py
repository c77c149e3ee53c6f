"""What the family-4 screens (BKL401-BKL404) share: a revision module's top-level ``upgrade`` and
``downgrade`` on CPython's ``ast``. Each rule's screen is in its own file; the operation tables they read are
``knowledge/alembic_ops.py``, shared with the libcst analysis in ``knowledge/alembic/``."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ...knowledge.tree_facts import TreeFacts


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
