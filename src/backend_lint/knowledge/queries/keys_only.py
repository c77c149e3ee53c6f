"""A query that selects only key columns of the table (``select(Machine.id)``, ``db.query(UserTenant.user_id,
UserTenant.tenant_id)``): the function reads ids to key other lookups (each judged on its own) or to route a call,
and nothing of any row's content is read (``keys_only``). BKL201 makes no claim there. The same ids returned by the
function (``return ids``, ``return len(rows.all())``) stay reported: they enumerate or count other owners' rows for
the caller (a helper's are judged at the route's call, as every helper chain). A select that names any other column (``Factory.name``) or an aggregate beside
the keys (``func.sum(Expense.amount)``) reads row content and is judged as before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..cst import walk as cst_walk
from ..imports import dotted_name
from .aggregates import _answered, function_walk, project_calls, Walked
from .vocabulary import PRIMARY_KEY_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from ...engine.context import FileContext

    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_PICKS = frozenset({"func.max", "func.min", "sa.func.max", "sa.func.min", "sqlalchemy.func.max", "sqlalchemy.func.min"})


def keys_only(ctx: "FileContext", func: "cst.FunctionDef", site: "Site", sites: "list[Site]") -> bool:
    """Every column the site's ``select(...)`` / ``.query(...)`` names is a key column of a model (``_key_column``),
    and the keys are not answered (in a ``return`` of ``func``: ``aggregates._answered``). A row another query of
    the function (``sites``) loads by them is that query's (judged on its own), not an answer of these keys."""
    if site.kind not in ("select", "query"):
        return False
    walked = function_walk(ctx, func)
    columns = _columns(walked, site.node)
    if not columns or not all(arg.keyword is None and arg.star == "" and _key_column(arg.value) for arg in columns):
        return False
    stops = frozenset(id(s.node) for s in sites if s is not site)
    return not _answered(walked, site.node, stops, project_calls(ctx, func))


def _columns(walked: Walked, node: "cst.CSTNode") -> "Sequence[cst.Arg]":
    """What the query selects: the arguments of a ``.with_entities(...)`` called on its chain (``Cases.query
    .with_entities(Cases.case_id)``), else of the ``select(...)`` / ``.query(...)`` call itself."""
    for call in walked.methods.get("with_entities", ()):
        if any(n is node for n in cst_walk(call.func.value)):
            return call.args
    return node.args if isinstance(node, cst.Call) else ()


def _key_column(expr: "cst.BaseExpression") -> bool:
    """``Model.id``, ``Model.user_id``, ``Model.uuid``: a model's attribute named as a primary key or a reference;
    also labelled (``Model.id.label("x")``) or the latest / first of them (``func.max(StepRun.id)``)."""
    if isinstance(expr, cst.Call) and expr.args:
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "label":
            return _key_column(expr.func.value)
        if dotted_name(expr.func) in _PICKS:
            return _key_column(expr.args[0].value)
        return False
    name = dotted_name(expr) or ""
    parts = name.split(".")
    if len(parts) < 2 or not parts[-2][:1].isupper():
        return False
    column = parts[-1]
    return column in PRIMARY_KEY_NAMES or column.endswith(("_id", "_uuid"))
