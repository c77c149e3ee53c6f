from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.fastapi import ROUTE_DECORATORS, RouteInfo
from ...knowledge.imports import last_segment
from ...knowledge.tree_facts import TreeFacts
from ..api import RuleSpec
from .._shared.screens import leaf_names
from ._analysis import (RESPONSE_CLASSES, RouteRule, annotation_names, decorator_keyword, has_route, import_qualified, is_schema, may_name_table, names_table, NO_CLAIM_MODULES, no_table_class, own_nodes,
                        plain_binding, spelled_name, status_code, table_words)
from ._rows import BUILDERS, MANY_ROWS, ONE_ROW, PASS_THROUGH, Rows, function_returns_table, is_response_object, returned_values

_CHAINED = PASS_THROUGH | ONE_ROW | MANY_ROWS

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_UNTYPED = frozenset({"dict", "Dict", "Any", "object", "list", "List", "Mapping"})


def orm_row_in_response(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL601: a route handler (``@<x>.<method>(...)`` or ``add_api_route``) that returns something, in a file
    that names a table model (a declared response type, a row's class, a parameter's type or a project
    function returning rows: ``names_table``), with a route whose ``response_model=`` is absent, ``None`` or
    names a table model (``_declared``: any other response model decides the output)."""
    if not (project is not None and has_route(facts) and "return" in facts.source and names_table(facts, project)):
        return False
    if "add_api_route" in facts.names:
        return True  # a registered route: its keywords are the registering call's
    words = table_words(project)
    for func in facts.functions:
        for dec in func.decorator_list:
            if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_DECORATORS):
                continue
            if not _returns_value(facts, func):
                break  # ``returned_values`` is empty: nothing to judge
            given = next((k.value for k in dec.keywords if k.arg == "response_model"), None)
            if given is None:
                if func.returns is not None and _names_no_table(facts, words, func.returns):
                    continue  # the return annotation decides, and ``_judge`` says no claim
                if func.returns is not None and _annotation_may_name_table(facts, project, words, func.returns):
                    return True  # ``_judge`` may find a table model: reported without reading the rows
                if func.returns is not None and _names_project_class(facts, project, func.returns):
                    continue  # no table, and a class ``_judge`` answers ``None`` for: the rows are not read
                if _may_return_row(facts, project, words, func):
                    return True  # no response type (or an untyped one): ``Rows.model_of`` decides
                continue
            if isinstance(given, ast.Constant) and given.value is None:
                if _may_return_row(facts, project, words, func):
                    return True
                continue
            if not words.isdisjoint(leaf_names(given)) and _annotation_may_name_table(facts, project, words, given):
                return True
    return False


def _annotation_may_name_table(facts: TreeFacts, project: Any, words: frozenset[str], node: ast.expr) -> bool:
    """A name of the annotation may resolve to a table model (``may_name_table``, unless the file binds its root
    only by ``typing`` imports or the file's imports resolve it to a project class that is no table), or it holds
    a string (``annotation_names`` reads inside): ``_judge`` may then answer a table whatever the rows."""
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            return True
        if isinstance(n, (ast.Name, ast.Attribute)) and may_name_table(facts, words, n):
            spelled = spelled_name(n)
            if spelled is None or not (_no_claim_root(facts, spelled[0]) or no_table_class(facts, project, n)):
                return True
    return False


def _names_project_class(facts: TreeFacts, project: Any, node: ast.expr, depth: int = 0) -> bool:
    """``annotation_names`` of the annotation holds a name the file's imports resolve only to project classes
    (``get_class``) whose last name is not untyped: ``_judge`` returns ``None`` at that name at the latest, when
    no name of the annotation is a table model (``_annotation_may_name_table`` said so first). Read as
    ``annotation_names`` walks: both sides of ``|``, a subscript's first item (``Annotated``'s only one), a
    dotted name."""
    if depth > 8:
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _names_project_class(facts, project, node.left, depth + 1) or _names_project_class(facts, project, node.right, depth + 1)
    if isinstance(node, ast.Subscript):
        inner = node.slice
        if isinstance(inner, ast.Tuple):
            if not inner.elts or inner.col_offset != inner.elts[0].col_offset:
                return False  # ``X[(A, B)]``: libcst reads one item, a tuple
            inner = inner.elts[0]
        return _names_project_class(facts, project, inner, depth + 1)
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    names = import_qualified(facts, node)
    if not names:
        return False
    for q in names:
        if last_segment(q) in _UNTYPED or q.startswith(("typing.", "fastapi_pagination.")) or project.get_class(q) is None:
            return False
    return True


def _no_row_source(facts: TreeFacts, project: Any, node: ast.expr, call: bool) -> bool:
    """Every qualified name the file's imports may give ``node`` is neither a table model (``project_class``)
    nor, for a callee (``call``), a project function whose return annotation names one (``_project_function``:
    ``function_returns_table``). ``False`` when a name cannot be read so."""
    if not no_table_class(facts, project, node):
        return False
    if not call:
        return True
    return all(  # (``no_table_class`` read the names: they are there)
        project.get_class(q) is not None or function_returns_table(project, q) is None
        for q in import_qualified(facts, node) or ()
    )


def _no_claim_root(facts: TreeFacts, root: str) -> bool:
    """The file binds ``root`` only by imports from ``typing*`` / ``fastapi_pagination*`` (``NO_CLAIM_MODULES``),
    at least one, and no assignment, ``def``, ``class`` or ``*`` import: a name under it resolves to one of those
    modules (``Optional``, ``typing.Any``), never to a project class."""

    def build() -> bool:
        found = False
        for n in facts.nodes(ast.Import, ast.ImportFrom):
            if isinstance(n, ast.ImportFrom):
                module = n.module or "" if not n.level else ""
                for alias in n.names:
                    if alias.name == "*":
                        return False
                    if (alias.asname or alias.name) == root:
                        if not module.startswith(NO_CLAIM_MODULES):
                            return False
                        found = True
            else:
                for alias in n.names:
                    if (alias.asname or alias.name.split(".")[0]) == root:
                        if not alias.name.startswith(NO_CLAIM_MODULES):
                            return False
                        found = True
        if not found:
            return False
        for n in facts.nodes(ast.Name):
            if n.id == root and not isinstance(n.ctx, ast.Load):
                return False
        return not any(d.name == root for d in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))

    return facts.cached(("validation.no_claim_root", root), build)


def _may_return_row(facts: TreeFacts, project: Any, words: frozenset[str], func: Any) -> bool:
    """``Rows.model_of`` may find a table model for one of the values the function returns (its own
    ``return <value>`` statements), read on ``ast`` as ``Rows`` reads libcst: an awaited value, a name
    through its own assignments (``Assign`` / ``AnnAssign`` to a plain name in the function's own body) or
    its parameter's type, and a call: a table's constructor or validator (``Item(...)``,
    ``Item.model_validate(...)``), ``<x>.get(Item, ...)``, a result chain built on ``select(Item)`` /
    ``query(Item)``, or a project function whose return annotation names a table. Every name the visitor
    resolves to a class or function must pass ``may_name_table`` for a row to be possible; when in doubt,
    ``True``."""

    def build() -> bool:
        assigned: dict[str, list[ast.expr]] = {}
        returned: list[ast.expr] = []
        for node in own_nodes(func):
            kind = type(node)
            if kind is ast.AnnAssign:
                if node.value is not None and type(node.target) is ast.Name:
                    assigned.setdefault(node.target.id, []).append(node.value)
            elif kind is ast.Assign:
                for t in node.targets:
                    if type(t) is ast.Name:
                        assigned.setdefault(t.id, []).append(node.value)
            elif kind is ast.Return and node.value is not None:
                returned.append(node.value)
        if not returned:
            return False
        a = func.args
        params: dict[str, ast.arg] = {p.arg: p for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
        defaults: dict[str, ast.expr] = {}
        positional = [*a.posonlyargs, *a.args]
        for p, d in zip(positional[len(positional) - len(a.defaults):], a.defaults):
            defaults[p.arg] = d
        for p, d in zip(a.kwonlyargs, a.kw_defaults):
            if d is not None:
                defaults[p.arg] = d

        def table(expr: ast.expr, call: bool = False) -> bool:  # ``Rows.table`` (and ``_project_function``: ``call``)
            if type(expr) is ast.Starred:
                expr = expr.value
            return may_name_table(facts, words, expr) and not _no_row_source(facts, project, expr, call)

        def param_table(name: str) -> bool:  # ``param_infos``' type of the parameter: its annotation, an alias
            p = params[name]
            if p.annotation is not None and _annotation_may_name_table(facts, project, words, p.annotation):
                return True
            d = defaults.get(name)
            return d is not None and isinstance(d, (ast.Name, ast.Attribute)) and table(d)

        def built(expr: ast.expr, depth: int) -> bool:  # ``Rows._built``
            if depth > 24:
                return True
            for _ in range(12):
                if type(expr) is ast.Await:
                    expr = expr.value
                    continue
                if type(expr) is not ast.Call:
                    return False
                callee = expr.func
                name = callee.attr if type(callee) is ast.Attribute else (callee.id if type(callee) is ast.Name else "")
                if name in BUILDERS:
                    plain = [x for x in expr.args if type(x) is not ast.Starred]
                    return len(plain) == 1 and table(plain[0])
                if name in ("exec", "execute", "scalars", "scalar", "paginate") and (expr.args or expr.keywords):
                    for inner in [*expr.args, *(k.value for k in expr.keywords)]:
                        if type(inner) is ast.Starred:
                            inner = inner.value
                        if built(inner, depth + 1):
                            return True
                        if type(inner) is ast.Name and any(built(v, depth + 1) for v in assigned.get(inner.id, ())):
                            return True
                if type(callee) is ast.Attribute and name in _CHAINED:
                    expr = callee.value
                    continue
                return False
            return True

        def model_of(expr: ast.expr, depth: int) -> bool:  # ``Rows.model_of``
            if depth > 6:
                return False
            kind = type(expr)
            if kind is ast.Await:
                return model_of(expr.value, depth + 1)  # type: ignore[attr-defined]
            if kind is ast.Name:
                values = assigned.get(expr.id)  # type: ignore[attr-defined]
                if values:
                    return any(model_of(v, depth + 1) for v in values)
                return expr.id in params and param_table(expr.id)  # type: ignore[attr-defined]
            if kind is not ast.Call:
                return False
            callee = expr.func  # type: ignore[attr-defined]
            if table(callee, True):
                return True  # ``Item(...)``, and a project function ``table_words`` names
            if type(callee) is ast.Attribute:
                attr = callee.attr
                if attr in ("model_validate", "from_orm", "parse_obj", "validate"):
                    return table(callee.value)
                if attr == "get":
                    firsts = [*expr.args[:1], *(k.value for k in expr.keywords if k.arg is None)]  # type: ignore[attr-defined]
                    if any(table(f) for f in firsts):
                        return True
                if attr in ONE_ROW or attr in MANY_ROWS:
                    return built(callee.value, depth)
            return False  # ``_project_function``: a function whose return names a table is one of ``table_words``

        return any(model_of(v, 0) for v in returned)

    return facts.cached(("validation.may_return_row", id(func)), build)


def _names_no_table(facts: TreeFacts, words: frozenset[str], node: ast.expr, depth: int = 0) -> bool:
    """The annotation ``annotation_names`` reads (on libcst, the same walk) names something ``_judge`` returns
    ``None`` for whatever the rows: a name that is neither untyped, nor ``typing.`` / ``fastapi_pagination.``,
    nor a table model (its last name is none of ``table_words``, which holds every name a project class is
    imported under). Only names whose binding the file shows (``plain_binding``) and ``None``; strings and
    anything else prove nothing."""
    if depth > 8:
        return False
    if isinstance(node, ast.Constant) and node.value is None:
        return True  # libcst's ``None`` is a name, ``builtins.None``: no project class
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _names_no_table(facts, words, node.left, depth + 1) or _names_no_table(facts, words, node.right, depth + 1)
    if isinstance(node, ast.Subscript):
        head = spelled_name(node.value)
        binding = plain_binding(facts, head[0]) if head is not None else None
        inner = node.slice
        if isinstance(inner, ast.Tuple):
            if not inner.elts or inner.col_offset != inner.elts[0].col_offset:
                return False  # ``X[(A, B)]``: libcst reads one item, a tuple
            items = inner.elts
        else:
            items = [inner]
        if head is None or binding is None or head[1] == "Annotated" or "Annotated" in binding:
            items = items[:1]  # ``Annotated[T, ...]`` (or a head that may be it): ``T``; read in any case
        return any(_names_no_table(facts, words, item, depth + 1) for item in items)
    spelled = spelled_name(node)
    if spelled is None:
        return False
    root, leaf = spelled
    originals = plain_binding(facts, root)
    if originals is None or leaf in _UNTYPED or leaf in words:
        return False
    if isinstance(node, ast.Name) and any(o in _UNTYPED or o in words for o in originals):
        return False
    return True


def _returns_value(facts: TreeFacts, func: Any) -> bool:
    """``returned_values``: a ``return <value>`` in the function's own body."""
    return facts.cached(("validation.returns", id(func)), lambda: any(type(n) is ast.Return and n.value is not None for n in own_nodes(func)))


SPEC = RuleSpec(
    code="BKL601",
    name="orm-row-in-response",
    message="Route returns an ORM row without a response schema: every column leaves",
    requires=("return",),
    screen=orm_row_in_response,
    local=True,
)


class OrmRowInResponse(RouteRule):
    """
    ## What it does
    Reports a route that returns an ORM row (or a list of rows) while its response type is a table model or
    is absent.

    The response type is `response_model=`, else the return annotation (FastAPI's order). The rule reports
    a route whose response type is a table model (SQLModel `table=True`, a SQLAlchemy model), and a route
    with no response type (none given, `response_model=None`, `-> dict`, `-> Any`) that returns a row: a
    row fetched with `session.get(Item, id)`, `select(Item)` / `query(Item)` and `.first()` / `.all()` /
    `.one()`, built with `Item(...)` / `Item.model_validate(...)`, returned by a project function annotated
    to return a table model, or the principal a dependency hands in (`current_user: User`). The models and
    functions may live in other modules and be reached through `Annotated` aliases. A non-table schema in
    `response_model=` or the return annotation (also inside `list[...]` or `Page[...]`) filters the output:
    no finding. Routes returning a `Response` object and `204` routes are not reported. Routes are the
    handlers of a module's routers, of class-based views (`@cbv(router)`), of a router a function builds
    (`def make_router(): router = APIRouter(); @router.get(...)`) and the methods a class registers on its
    own router (`self.router.add_api_route("/items", self.list_items, response_model=...)`), as for
    BKL602-BKL605.

    ## Why is this bad?
    FastAPI serializes what the response type says. A table model as the response type, or no response
    type at all, sends every column of the row: `hashed_password`, internal flags, other users' ids, and
    the columns someone adds next year. A response schema lists what leaves, and nothing else does.

    ## Example
    ```python
    from fastapi import FastAPI
    from sqlmodel import Field, Session, SQLModel

    app = FastAPI()


    class User(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        email: str
        hashed_password: str


    @app.get("/users/{user_id}")
    def read_user(user_id: int, session: Session):
        return session.get(User, user_id)
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from sqlmodel import Field, Session, SQLModel

    app = FastAPI()


    class User(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        email: str
        hashed_password: str


    class UserPublic(SQLModel):
        id: int
        email: str


    @app.get("/users/{user_id}", response_model=UserPublic)
    def read_user(user_id: int, session: Session):
        return session.get(User, user_id)
    ```

    ## Fix safety
    No fix: the response schema's fields are a decision about what clients may see.
    """

    spec = SPEC

    def on_route(self, node: cst.FunctionDef, route: RouteInfo) -> None:
        if status_code(route) == 204:
            return
        declared = self._declared(node, route)
        if declared is None:
            return
        values = [v for v in returned_values(node) if not is_response_object(self.ctx, v)]
        if not values:
            return
        if declared != "":
            self.report(
                node.name,
                f"Response model `{last_segment(declared)}` is a table model: every column leaves, today's and future ones",
            )
            return
        rows = Rows(self.ctx, node)
        for value in values:
            model = rows.model_of(value)
            if model is not None:
                self.report(
                    node.name,
                    f"Route returns the ORM row `{last_segment(model)}` with no response schema: every column leaves",
                )
                return

    def _declared(self, node: cst.FunctionDef, route: RouteInfo) -> Optional[str]:
        """``""`` when the route declares no response type, the table model it declares, or ``None`` when a
        schema (or anything else) decides the output."""
        arg = decorator_keyword(route, "response_model")
        if arg is not None:
            if isinstance(arg.value, cst.Name) and arg.value.value == "None":
                return ""
            return self._judge(annotation_names(self.ctx, arg.value), untyped_is_none=False)
        if node.returns is None:
            return ""
        return self._judge(annotation_names(self.ctx, node.returns.annotation), untyped_is_none=True)

    def _judge(self, names: list[str], untyped_is_none: bool) -> Optional[str]:
        tables = []
        for name in names:
            if last_segment(name) in _UNTYPED or name.startswith(("typing.", "fastapi_pagination.")):
                continue  # untyped, or a pagination wrapper whose items decide
            if last_segment(name) in RESPONSE_CLASSES or last_segment(name).endswith("Response"):
                return None
            found = self.ctx.project.get_class(name) if self.ctx.project is not None else None
            q = found[0] if found is not None else None
            if q is not None and is_schema(self.ctx, q):
                return None
            if q is not None and self.is_table(q):
                tables.append(q)
                continue
            return None  # a class we cannot judge (a library schema, a generic): no claim
        if tables:
            return tables[0]
        return "" if untyped_is_none or not names else None
