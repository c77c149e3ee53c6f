"""Alembic revision modules: their place in the migration graph (BKL405 reads these, no re-parse).

A module is a revision when, at its top level, it assigns ``revision`` and ``down_revision`` and defines
``upgrade``. Facts under ``facts["extra"]["alembic"]``:

- ``revision``: the id (``None`` when not a string literal), ``revision_line``: the assignment's line;
- ``down_revision``: list of ids (empty for a base), ``down_static``: whether it was a literal;
- ``branch_labels`` / ``depends_on``: lists of strings (or ``None``);
- ``has_downgrade``.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Optional

_UNSET = object()


def _strings(node: Optional[ast.AST]) -> Any:
    """A literal str / None / tuple or list of str -> list of str; anything else -> ``_UNSET``."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        if node.value is None:
            return []
        if isinstance(node.value, str):
            return [node.value]
        return _UNSET
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out = []
        for e in node.elts:
            if isinstance(e, ast.Constant) and isinstance(e.value, str):
                out.append(e.value)
            else:
                return _UNSET
        return out
    return _UNSET


def extract(tree: ast.Module, facts: dict, resolve: Callable[[ast.expr], Optional[str]]) -> None:
    values: dict[str, tuple[Optional[ast.AST], int]] = {}
    functions: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    values[t.id] = (stmt.value, stmt.lineno)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            values[stmt.target.id] = (stmt.value, stmt.lineno)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if (alias.asname or alias.name) == "downgrade":
                    functions.add("downgrade")
    if "revision" not in values or "down_revision" not in values or "upgrade" not in functions:
        return
    rev_node, rev_line = values["revision"]
    rev = _strings(rev_node)
    down_node, _ = values["down_revision"]
    down = _strings(down_node)
    labels = _strings(values["branch_labels"][0]) if "branch_labels" in values else []
    depends = _strings(values["depends_on"][0]) if "depends_on" in values else []
    facts["extra"]["alembic"] = {
        "revision": rev[0] if rev is not _UNSET and len(rev) == 1 else None,
        "revision_line": rev_line,
        "down_revision": down if down is not _UNSET else [],
        "down_static": down is not _UNSET,
        "branch_labels": labels if labels is not _UNSET else None,
        "branch_labels_static": labels is not _UNSET,
        "depends_on": depends if depends is not _UNSET else None,
        "has_downgrade": "downgrade" in functions or "downgrade" in values,
    }
