"""Do-nothing and always-raising bodies: ``is_noop_body`` (BKL402) and ``unconditional_raise`` (BKL403).
"""

from __future__ import annotations

from typing import Any, Optional, Union

from ...ground.lazy import lazy_import

from ..alembic_ops import LOG_METHODS as _LOG_METHODS
from ..cst import iter_children
from ..imports import dotted_name
from .revision import body_statements

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def is_print_or_log(call: cst.Call) -> bool:
    """``print(...)``, ``logger.info(...)``, ``logging.warning(...)``, ``warnings.warn(...)``, ``click.echo``."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in ("print", "pprint")
    if isinstance(func, cst.Attribute):
        dotted = dotted_name(func)
        if dotted in ("warnings.warn", "click.echo", "click.secho", "sys.stdout.write", "sys.stderr.write"):
            return True
        if func.attr.value in _LOG_METHODS:
            root = func.value
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and "log" in root.value.lower():
                return True
            if isinstance(root, cst.Call) and dotted_name(root.func) in ("logging.getLogger",):
                return True
    return False


def noop_small(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Pass):
        return True
    if isinstance(small, cst.Return) and small.value is None:
        return True
    if isinstance(small, cst.Expr):
        v = small.value
        if isinstance(v, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return True
        if isinstance(v, cst.Call) and is_print_or_log(v):
            return True
    return False


def _noop_block(block: Union[cst.BaseSuite, Any]) -> bool:
    if isinstance(block, cst.SimpleStatementSuite):
        return all(noop_small(s) for s in block.body)
    if isinstance(block, cst.IndentedBlock):
        return all(_noop_statement(s) for s in block.body)
    return False


def _noop_statement(stmt: cst.CSTNode) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(noop_small(s) for s in stmt.body)
    if isinstance(stmt, cst.If):
        if not _noop_block(stmt.body):
            return False
        orelse = stmt.orelse
        if orelse is None:
            return True
        if isinstance(orelse, cst.If):
            return _noop_statement(orelse)
        return _noop_block(orelse.body)
    if isinstance(stmt, cst.With):
        return _noop_block(stmt.body)
    if isinstance(stmt, cst.Try):
        return (
            _noop_block(stmt.body)
            and all(_noop_block(h.body) for h in stmt.handlers)
            and (stmt.orelse is None or _noop_block(stmt.orelse.body))
            and (stmt.finalbody is None or _noop_block(stmt.finalbody.body))
        )
    return False


def is_noop_body(func: cst.FunctionDef) -> bool:
    """Nothing happens to the schema: ``pass``, ``...``, a docstring, comments, a bare ``return``,
    ``print``/logging calls, and ``if``/``with``/``try`` blocks made only of those."""
    body = func.body
    if isinstance(body, cst.SimpleStatementSuite):
        return all(noop_small(s) for s in body.body)
    return all(_noop_statement(s) for s in body.body)  # type: ignore[union-attr]


def _contains_return(node: cst.CSTNode) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Return):
            return True
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and n is not node:
            continue
        stack.extend(iter_children(n))
    return False


def unconditional_raise(func: cst.FunctionDef) -> Optional[cst.Raise]:
    """The first top-level ``raise`` of ``func`` when nothing before it can return; else ``None``.

    A ``raise`` behind a data check or a dialect branch (inside ``if``/``try``/``for``) is not unconditional.
    """
    for stmt in body_statements(func):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Raise):
                    return small
                if isinstance(small, cst.Return):
                    return None
            continue
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        if _contains_return(stmt):
            return None
    return None

