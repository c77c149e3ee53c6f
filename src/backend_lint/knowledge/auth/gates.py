"""Checks a decorator makes on a route's keyword arguments (``decorator_verified_keys``), dependencies added where a
router is included, and permission gates that only privileged roles hold."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ...ground.lazy import lazy_import
from ..cst import walk as walk_nodes
from ..facts import orm_facts
from ..fastapi import route_info, RouteInfo
from ..flask import (
    flask_module,
    flask_view,
    GLOBAL_PRINCIPALS,
    principal_g_attributes,
    ROUTE_METHODS as FLASK_ROUTE_METHODS,
)
from ..imports import last_segment
from ..index.extractors.orm import GLOBAL_CALLER_MARK, INLINE_CHECK  # the same parsing as the index
from .dependencies import AUTH_NAME, param_dependency, privileged_arguments
from .params import param_infos
from .principals import Identity

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex
    from .dependencies import DependencyKind

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


# --- decorators that check the view's keyword arguments themselves ------------------------------------------


def kwargs_access_checks(project: Optional["ProjectIndex"], q: Optional[str]) -> dict[str, frozenset[str]]:
    """What the decorator (or decorator factory) named ``q`` verifies among the keyword arguments of the view
    it wraps (the index fact ``checks_kwargs``: ``@require_access(allowed_roles=[...])`` reads ``folder_id``
    and ``current_user`` off ``kwargs``, loads the folder and hands it with the user to a check whose failure
    raises): ``{key: the other keys handed to the check with it}``, kept only when the check decides (a project
    function that raises or returns a verdict under a test of what it is given: ``flow`` index facts,
    ``deciders``) and its failure stops the view (the call raises, or an ``if`` on its verdict raises, returns,
    or calls a project function that raises). Which of the other keys is the caller is the route's to say
    (``decorator_verified_keys``)."""
    if project is None or not q:
        return {}
    cache: dict[str, dict[str, frozenset[str]]] = project.memo("auth.kwargs_checks", dict)
    if q in cache:
        return cache[q]
    cache[q] = {}
    found = project.project_function(q)
    if found is None:
        return cache[q]
    facts = ((orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}).get("checks_kwargs") or {}).get("keys") or {}
    out: dict[str, frozenset[str]] = {}
    for key, checks in facts.items():
        others: set[str] = set()
        for check in checks:
            if check.get("check") == INLINE_CHECK:
                others.update(check.get("with") or ())  # the wrapper's own ``if`` denied: the test is the check
                continue
            target = project.project_function(check.get("check") or "")
            if target is None:
                continue
            deciders = project.modules[target[0]].get("extra", {}).get("flow", {}).get("deciders", ())
            if target[1] not in deciders:
                continue  # a loader or a logger handed the key and the caller decides nothing
            fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
            exit_ = check.get("exit")
            if exit_ is None:
                stops = bool(fn.get("raises"))  # called alone: it denies by raising
            elif exit_ in ("raise", "return"):
                stops = True
            else:
                where = project.project_function(exit_)
                stops = where is not None and bool(
                    (orm_facts(project.modules[where[0]]).get("functions", {}).get(where[1]) or {}).get("raises")
                )
            if stops:
                others.update(check.get("with") or ())
        if others:
            out[key] = frozenset(others)
    cache[q] = out
    return out


def decorator_verified_keys(ctx: "FileContext", func: cst.FunctionDef, principals: Iterable[str]) -> frozenset[str]:
    """Parameters of a route that a decorator applied under the route's own (so that it wraps what the router
    calls) verifies against the caller (``kwargs_access_checks``): the decorator hands the value of that key,
    or a row looked up by it, together with the route's principal parameter (by name: FastAPI calls the view
    with keyword arguments) to a check that denies. Loads by such a parameter, in the route and in the helpers
    it hands it to, are checked already. A decorator listed above the route's wraps a function the router
    never calls: it checks nothing."""
    project = ctx.project
    principals = set(principals)
    if project is None or not principals or not func.decorators:
        return frozenset()
    route = route_info(ctx, func)
    flask = None
    if route is None and flask_module(ctx):
        flask = flask_view(ctx, func)
    if route is None and flask is None:
        return frozenset()
    decorators = route.wrapped_decorators() if route is not None else list(func.decorators)
    if route is None and flask is not None:
        # a Flask view: what the last ``@<blueprint>.route(...)`` wraps (several rules may be stacked); a
        # decorator of a Flask global caller (``current_user``) decides for the view's caller
        routing = [i for i, d in enumerate(decorators) if _flask_routing(d.decorator)]
        if routing:
            decorators = decorators[routing[-1] + 1 :]
        principals.add(GLOBAL_CALLER_MARK)
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    out: set[str] = set()
    for dec in decorators:
        expr = dec.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        if not isinstance(target, (cst.Name, cst.Attribute)):
            continue
        for key, others in kwargs_access_checks(project, ctx.qualified_name(target)).items():
            if key in params and key not in principals and not others.isdisjoint(principals):
                out.add(key)
    return frozenset(out)


def kwargs_checking_decorators(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Names of the project's decorators (or factories) that verify a key among the view's keyword arguments
    (index fact ``checks_kwargs``' ``keys``; whether the check decides is ``kwargs_access_checks``'): family 2's
    screen lets a file naming one through (a route under one may load a child of the row it checked untied to
    it, ``queries.decorator_checked_parents``)."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out: set[str] = set()
        for _mod, facts in project.iter_modules():
            for name, fn in orm_facts(facts).get("functions", {}).items():
                if (fn.get("checks_kwargs") or {}).get("keys"):
                    out.add(name)
        return sorted(out)

    return frozenset(project.stored_memo("auth.kwargs_checking_decorators", build, load=list))


def deciding_wrapper_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Names of the wrappers of the project's Flask decorators that decide on a view's key with the global
    caller (index fact ``checks_kwargs``' ``inline_wrappers``): family 2's screen lets them through."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out: set[str] = set()
        for _mod, facts in project.iter_modules():
            for fn in orm_facts(facts).get("functions", {}).values():
                out.update((fn.get("checks_kwargs") or {}).get("inline_wrappers") or ())
        return sorted(out)

    return frozenset(project.stored_memo("auth.deciding_wrapper_names", build, load=list))


def _deciding_wrappers(ctx: "FileContext") -> frozenset[int]:
    """The nested functions (cst node ids) of this module that are the wrapper of a module-level decorator
    whose wrapper decides on a key of the view's keyword arguments with the global caller (index fact
    ``checks_kwargs``' ``inline_wrappers``: MOSP's ``@check_collection_edit_permission``)."""
    project = ctx.project
    if project is None or ctx.module is None:
        return frozenset()

    def build() -> frozenset[int]:
        facts = project.modules.get(ctx.module_name) if ctx.module_name else None
        functions = orm_facts(facts).get("functions", {}) if facts else {}
        out: set[int] = set()
        for stmt in ctx.module.body:
            if not isinstance(stmt, cst.FunctionDef):
                continue
            wrappers = ((functions.get(stmt.name.value) or {}).get("checks_kwargs") or {}).get("inline_wrappers")
            if not wrappers:
                continue
            for node in walk_nodes(stmt.body):
                if isinstance(node, cst.FunctionDef) and node.name.value in wrappers:
                    out.add(id(node))
        return frozenset(out)

    return ctx.cached("auth.deciding_wrappers", build)


def _deciding_wrapper_identity(ctx: "FileContext", func: cst.FunctionDef) -> Identity:
    """The wrapper of a Flask decorator that loads the row the view's key names and decides on it with the
    global caller (``obj = Collection.query.filter(Collection.id == kwargs.get("collection_id")).first()``, ``if
    obj.creator_id != current_user.id: abort(403)``): it runs in the view's request, before the view, with the
    view's keyword arguments (the URL's values: the client's keys) and the Flask caller (``current_user``,
    ``flask.g``'s caller attributes). Read as an authenticated view: its check of the row it loads is the
    route's (BKL202 at the check), and the views it wraps load by a verified key (``decorator_verified_keys``)."""
    params = param_infos(ctx, func)
    route = RouteInfo(frozenset({"GET"}), "/<kwargs>", None, "?", func)
    ident = Identity(route=route, params=params, authenticated=True, global_caller=True)
    for q in sorted(GLOBAL_PRINCIPALS):
        local = ctx.imports.local_name_for(q)
        if local:
            ident.principals.setdefault(local, None)
    g_name = ctx.imports.local_name_for("flask.g") or ctx.imports.local_name_for("flask.globals.g")
    if g_name:
        for attr in sorted(principal_g_attributes(ctx.project)):
            ident.principals.setdefault(f"{g_name}.{attr}", None)
    return ident


def _flask_routing(expr: Any) -> bool:
    """``@bp.route(...)`` / ``@app.get(...)``: a call of a routing method (the view's rule)."""
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in FLASK_ROUTE_METHODS


# --- dependencies an ``include_router(...)`` call adds to every route of a router -------------------------------


def _included_markers(project: "ProjectIndex") -> dict[str, list[dict[str, Any]]]:
    """``{router (canonical): [dependency markers]}`` from every module's ``include_router(router,
    dependencies=[...])`` calls (index fact ``included``)."""

    def build() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for _mod, facts in project.iter_modules():
            for entry in orm_facts(facts).get("included", ()):
                out.setdefault(project.canonical(entry["router"]), []).extend(entry.get("dependencies", ()))
        return out

    # (stored with the index: a run linting one route module reads it instead of every module's facts)
    return project.stored_memo("auth.included_markers", build, load=dict)


def included_dependencies(ctx: "FileContext", route: Optional[RouteInfo]) -> list[DependencyKind]:
    """The dependencies another module adds to this route's router when it includes it
    (``api.include_router(workflows.router, dependencies=[Depends(get_current_active_user)])``), classified
    like a route decorator's own (``_decorator_dependencies`` reads those of this module)."""
    project = ctx.project
    if project is None or route is None or not route.router or route.router == "?":
        return []
    markers = _included_markers(project)
    if not markers:
        return []
    found = markers.get(project.canonical(f"{ctx.module_name}.{route.router}"))
    if not found:
        return []
    out: list[DependencyKind] = []
    for m in found:
        kind = param_dependency(project, ctx.settings, m)
        if m.get("parent") and kind.kind is not None and not _named_or_refusing_auth(project, m.get("dependency")):
            continue  # an including router's quota or optional check (``check_api_quota_optional``): not the caller
        out.append(kind)
    return out


def _named_or_refusing_auth(project: "ProjectIndex", dependency: Optional[str]) -> bool:
    """An including router's own dependency read as its routes' authentication (``_included_markers``' parent
    entries): named for the caller (``get_current_user``), decoding a token itself, or looking a header's
    credential up and refusing (``credential_lookup``: ``verify_worker_token``). A dependency that only depends
    on a scheme and lets an anonymous request through (an optional quota check) is not."""
    if not dependency:
        return False
    if AUTH_NAME.search((last_segment(dependency) or "").lower()):
        return True
    target = project.project_function(dependency)
    if target is None:
        return False
    fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
    return bool(fn.get("auth") or fn.get("credential_lookup"))


def router_auth_routes(project: Optional["ProjectIndex"]) -> bool:
    """Some router of the project is included with ``dependencies=[...]``: family 2's screen lets every route
    handler through (its auth may come from another module)."""
    return project is not None and bool(_included_markers(project))


# --- permission decorators whose permission only an administrator holds ---------------------------------------


def _granted_lists(project: "ProjectIndex") -> list[list[str]]:
    def build() -> list[list[str]]:
        out: list[list[str]] = []
        for _mod, facts in project.iter_modules():
            out.extend(orm_facts(facts).get("permission_lists", ()))
        return out

    return project.memo("auth.permission_lists", build)


def wildcard_only(project: Optional["ProjectIndex"], permission: str) -> bool:
    """The project grants ``permission`` to no role by name: its roles' literal permission lists (index fact
    ``permission_lists``: ``{"name": "viewer", "permissions": ["tools.read", ...]}``) hold a wildcard role
    (``["*"]``) and at least one other list, and no list names this permission: only the wildcard
    (administrator) role holds it."""
    if project is None or not permission or permission == "*":
        return False
    lists = _granted_lists(project)
    if not any(lst == ["*"] for lst in lists):
        return False
    named = [lst for lst in lists if lst != ["*"]]
    return bool(named) and not any(permission in lst for lst in named)


def _literal(ctx: "FileContext", expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def permission_admin_decorated(ctx: "FileContext", func: cst.FunctionDef, route: Optional[RouteInfo]) -> bool:
    """A route under a decorator factory (applied beneath the route's decorator) that hands one of its
    parameters to a check whose verdict stops the view (index fact ``checks_kwargs``' ``gates``:
    ``@require_permission("logs:read")`` -> ``granted = await check_permission(user, permission)``, ``if not
    granted: raise HTTPException(403)``), given a value there that names a privileged role
    (``privileged_arguments``) or a permission only the wildcard role holds (``wildcard_only``): admin-only."""
    project = ctx.project
    if project is None or route is None or not func.decorators:
        return False
    for dec in route.wrapped_decorators():
        call = dec.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
            continue
        found = project.project_function(ctx.qualified_name(call.func) or "")
        if found is None:
            continue
        fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        gates = (fn.get("checks_kwargs") or {}).get("gates") or {}
        if not gates:
            continue
        positions = {i: p for p, i in gates.items() if i >= 0}
        position = 0
        for a in call.args:
            if a.star:
                break
            if a.keyword is None:
                param = positions.get(position)
                position += 1
            else:
                param = a.keyword.value if a.keyword.value in gates else None
            if param is None:
                continue
            value = _literal(ctx, a.value)
            if value is not None and (privileged_arguments([repr(value)], None) or wildcard_only(project, value)):
                return True
    return False


def _permission_gate_privileged(project: Optional["ProjectIndex"], d: dict[str, Any]) -> bool:
    """``permission_admin_decorated`` on the index's ``decorators`` fact of a request handler (its arguments
    as source text)."""
    found = project.project_function(d.get("func") or "") if project is not None else None
    if found is None:
        return False
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}  # type: ignore[union-attr]
    gates = (fn.get("checks_kwargs") or {}).get("gates") or {}
    if not gates:
        return False
    positions = {i: p for p, i in gates.items() if i >= 0}
    given = [(positions.get(i), v) for i, v in enumerate(d.get("args", ()))]
    given += [(k if k in gates else None, v) for k, v in (d.get("kwargs") or {}).items()]
    for param, source in given:
        if param is None:
            continue
        try:
            node = ast.parse(source, mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if privileged_arguments([source], None) or wildcard_only(project, node.value):
                return True
    return False
