"""A query that selects only aggregates of the table (``select(func.count(User.id))``, ``db.query(func.max(
Invoice.number))``) and is keyed by nothing: a number over every owner's rows, no row and no client key
(``aggregate_only``). BKL201 makes no claim there; the same aggregate keyed by a client value (``func.max(
Requirement.number)`` where ``Requirement.project_id == project_id``) still reads another owner's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..imports import dotted_name

if TYPE_CHECKING:  # pragma: no cover
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_AGGREGATES = frozenset({"count", "sum", "avg", "max", "min"})
# wrappers that keep an aggregate one number: ``func.coalesce(func.sum(...), 0)``, ``.label("n")``
_WRAPPERS = frozenset({"coalesce", "cast"})


def aggregate_only(site: "Site") -> bool:
    """The site's ``select(...)`` / ``.query(...)`` names only aggregate functions, keyed and filtered by nothing
    (``select(func.count()).select_from(Item)``; not ``.select_from(select(Item).where(...).subquery())``)."""
    call = site.node
    if site.kind not in ("select", "query") or site.key_names or site.via or site.pred_nodes:
        return False
    if not isinstance(call, cst.Call) or not call.args:
        return False
    anchor = site.anchor  # ``.select_from(...)``: a table counts, a statement's rows are that statement's keys
    if isinstance(anchor, cst.Call) and anchor is not call and any(dotted_name(a.value) is None for a in anchor.args):
        return False
    return all(arg.keyword is None and _aggregate(arg.value) for arg in call.args)


def _aggregate(expr: "cst.BaseExpression") -> bool:
    if not isinstance(expr, cst.Call):
        return False
    if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "label":
        return _aggregate(expr.func.value)
    parts = (dotted_name(expr.func) or "").split(".")
    if parts[-2:-1] == ["func"] and parts[-1] in _AGGREGATES:
        return True
    if parts[-1] in _WRAPPERS and expr.args:
        return _aggregate(expr.args[0].value)
    return False
