"""Which ORM rows a route handler returns (BKL601): a small, local inference over one function body."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.auth import param_infos
from ...knowledge.imports import last_segment
from ...knowledge.models import is_table_model
from ...knowledge.validation import _resolver
from ._analysis import own_statements, project_class
from ...knowledge.tree_facts import walk as ast_walk

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

ONE_ROW = frozenset({"first", "one", "one_or_none", "scalar_one", "scalar_one_or_none", "scalar", "get", "first_or_404", "get_or_404"})
MANY_ROWS = frozenset({"all"})
PASS_THROUGH = frozenset({"scalars", "unique", "exec", "execute", "where", "filter", "filter_by", "order_by", "limit",
                          "offset", "options", "join", "outerjoin", "distinct", "group_by"})
BUILDERS = frozenset({"select", "query"})


class Rows:
    """``model_of(expr)``: the table class an expression holds a row (or a list of rows) of, else ``None``."""

    def __init__(self, ctx: "FileContext", func: cst.FunctionDef) -> None:
        self.ctx = ctx
        self.func = func
        self.params: dict[str, Optional[str]] = {}
        for p in param_infos(ctx, func):
            self.params[p.name] = p.type
        self.assigned: dict[str, list[cst.BaseExpression]] = {}
        assign, ann_assign = cst.Assign, cst.AnnAssign
        for node in own_statements(func):
            kind = type(node)  # (types, not ``isinstance``: see ``own_statements``)
            if kind is ann_assign:
                if node.value is not None and isinstance(node.target, cst.Name):
                    self.assigned.setdefault(node.target.value, []).append(node.value)
                continue
            if kind is assign:
                for t in node.targets:
                    if isinstance(t.target, cst.Name):
                        self.assigned.setdefault(t.target.value, []).append(node.value)

    def table(self, expr: cst.BaseExpression) -> Optional[str]:
        q = project_class(self.ctx, expr)
        return q if q is not None and is_table_model(self.ctx.project, q) else None

    def model_of(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        if depth > 6:
            return None
        if isinstance(expr, cst.Await):
            return self.model_of(expr.expression, depth + 1)
        if isinstance(expr, cst.Name):
            values = self.assigned.get(expr.value)
            if values:
                models = {self.model_of(v, depth + 1) for v in values}
                return models.pop() if len(models) == 1 else None
            q = self.params.get(expr.value)
            if q and is_table_model(self.ctx.project, q):
                return q
            return None
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        direct = self.table(func)
        if direct is not None:  # ``Item(...)``
            return direct
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr in ("model_validate", "from_orm", "parse_obj", "validate"):
                return self.table(func.value)
            if attr == "get" and expr.args and expr.args[0].keyword is None:
                found = self.table(expr.args[0].value)  # ``session.get(Item, id)``
                if found is not None:
                    return found
            if attr in ONE_ROW or attr in MANY_ROWS:
                return self._built(func.value, depth)
        return self._project_function(func)

    def _built(self, expr: cst.BaseExpression, depth: int) -> Optional[str]:
        """The entity of the one-entity ``select(M)`` / ``query(M)`` a result chain is built on."""
        for _ in range(12):
            if isinstance(expr, cst.Await):
                expr = expr.expression
                continue
            if not isinstance(expr, cst.Call):
                return None
            func = expr.func
            name = func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else "")
            if name in BUILDERS:
                positional = [a for a in expr.args if a.keyword is None and a.star == ""]
                return self.table(positional[0].value) if len(positional) == 1 else None
            if name in ("exec", "execute", "scalars", "scalar", "paginate") and expr.args:
                inner = expr.args[0].value
                found = self._built(inner, depth + 1)
                if found is not None:
                    return found
                if isinstance(inner, cst.Name):
                    for value in self.assigned.get(inner.value, ()):
                        found = self._built(value, depth + 1)
                        if found is not None:
                            return found
            if isinstance(func, cst.Attribute) and name in PASS_THROUGH | ONE_ROW | MANY_ROWS:
                expr = func.value
                continue
            return None
        return None

    def _project_function(self, func: cst.BaseExpression) -> Optional[str]:
        """A project function whose return annotation names a table model (``crud.get_user(...)``)."""
        project = self.ctx.project
        q = self.ctx.qualified_name(func)
        if q is None or project is None:
            return None
        return function_returns_table(project, q)


def function_returns_table(project: Any, q: str) -> Optional[str]:
    """The table model the return annotation of the project function ``q`` names (one, and no other class), else
    ``None`` (``Rows._project_function``; the screen asks it of the qualified names the file's imports give)."""
    found = project.project_function(q)
    if found is None:
        return None
    mod, name = found
    returns = project.modules[mod]["functions"][name].get("returns")
    if not returns:
        return None
    try:
        node = ast.parse(returns, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    resolve = _resolver(project, mod)
    tables = set()
    for sub in ast_walk(node):
        if isinstance(sub, (ast.Name, ast.Attribute)):
            r = resolve(sub)
            if r is None:
                continue
            cls = project.get_class(r)
            if cls is not None:
                if not is_table_model(project, cls[0]):
                    return None
                tables.add(cls[0])
    return tables.pop() if len(tables) == 1 else None


def returned_values(func: cst.FunctionDef) -> list[cst.BaseExpression]:
    return [n.value for n in own_statements(func) if isinstance(n, cst.Return) and n.value is not None]


def is_response_object(ctx: "FileContext", expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Call):
        return last_segment(ctx.qualified_name(expr.func) or "").endswith("Response")
    return False
