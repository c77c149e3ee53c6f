"""Alembic revision modules: their header, ``upgrade()`` and ``downgrade()``, shared by family 4."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst


@dataclass
class RevisionModule:
    revision: Optional[str] = None
    down_revision: object = None  # str, tuple of str, or None
    revision_node: Optional[cst.CSTNode] = None
    down_revision_node: Optional[cst.CSTNode] = None
    upgrade: Optional[cst.FunctionDef] = None
    downgrade: Optional[cst.FunctionDef] = None
    extra_functions: dict = field(default_factory=dict)

    @property
    def is_merge(self) -> bool:
        return isinstance(self.down_revision, tuple) and len(self.down_revision) > 1


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.ConcatenatedString):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    if isinstance(node, (cst.Tuple, cst.List)):
        return tuple(_literal(e.value) for e in node.elements)
    return ...


def revision_module(module: cst.Module) -> RevisionModule:
    """Read the module's top level (cheap: statements only, no traversal)."""
    info = RevisionModule()
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            if stmt.name.value == "upgrade":
                info.upgrade = stmt
            elif stmt.name.value == "downgrade":
                info.downgrade = stmt
            else:
                info.extra_functions[stmt.name.value] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                target = value = None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                if isinstance(target, cst.Name) and value is not None:
                    if target.value == "revision":
                        info.revision = _literal(value)  # type: ignore[assignment]
                        info.revision_node = stmt
                    elif target.value == "down_revision":
                        info.down_revision = _literal(value)
                        info.down_revision_node = stmt
    return info


def body_statements(func: cst.FunctionDef) -> list[cst.BaseStatement]:
    body = func.body
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    return [cst.SimpleStatementLine(body=list(body.body))]  # ``def downgrade(): pass`` on one line


def is_noop_body(func: cst.FunctionDef) -> bool:
    """``pass``, ``...``, a docstring, comments, a bare ``return``: nothing happens."""
    for stmt in body_statements(func):
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Return) and small.value is None:
                continue
            if isinstance(small, cst.Expr) and isinstance(
                small.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString)
            ):
                continue
            return False
    return True


def revision_info(ctx) -> RevisionModule:
    """Shared per file through ``ctx.cached``."""
    return ctx.cached("alembic.revision_module", lambda: revision_module(ctx.module))
