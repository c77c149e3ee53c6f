"""A query that selects only key columns of the table (``select(Machine.id)``, ``db.query(UserTenant.user_id,
UserTenant.tenant_id)``): the function reads ids to key other lookups (each judged on its own) or to route a call,
and nothing of any row's content is read (``keys_only``). BKL201 makes no claim there. The same ids returned by the
function (``return ids``, ``return len(rows.all())``) stay reported: they enumerate or count other owners' rows for
the caller (a helper's are judged at the route's call, as every helper chain). A select that names any other column (``Factory.name``) or an aggregate beside
the keys (``func.sum(Expense.amount)``) reads row content and is judged as before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..imports import dotted_name
from .aggregates import _answered
from .vocabulary import PRIMARY_KEY_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def keys_only(func: "cst.FunctionDef", site: "Site", sites: "list[Site]") -> bool:
    """Every column the site's ``select(...)`` / ``.query(...)`` names is a key column of a model (``_key_column``),
    and the keys are not answered (in a ``return`` of ``func``: ``aggregates._answered``). A row another query of
    the function (``sites``) loads by them is that query's (judged on its own), not an answer of these keys."""
    call = site.node
    if site.kind not in ("select", "query") or not isinstance(call, cst.Call) or not call.args:
        return False
    if not all(arg.keyword is None and arg.star == "" and _key_column(arg.value) for arg in call.args):
        return False
    stops = frozenset(id(s.node) for s in sites if s is not site)
    return not _answered(func, call, stops)


def _key_column(expr: "cst.BaseExpression") -> bool:
    """``Model.id``, ``Model.user_id``, ``Model.uuid``: a model's attribute named as a primary key or a reference."""
    name = dotted_name(expr) or ""
    parts = name.split(".")
    if len(parts) < 2 or not parts[-2][:1].isupper():
        return False
    column = parts[-1]
    return column in PRIMARY_KEY_NAMES or column.endswith(("_id", "_uuid"))
