"""A route's dependencies: ``dependencies=[...]`` on the decorator, the router or a wrapper, permission-gated
routes, and the path parameters a dependency guards (``route_path_guards``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional

from ...ground.lazy import lazy_import
from ..facts import alias_entry, orm_facts
from ..fastapi import route_info, route_wrapper, RouteInfo
from ..imports import dotted_name, last_segment
from .dependencies import alias_dependency, classify_dependency, DEPENDENCY_MARKERS, factory_dependency, marked_factory, param_dependency, raising_decider
from .params import _code, module_assignments, param_infos
from .request_gates import request_gate_keys
from .views import _guarded_configured_route

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ...ground.config import Settings
    from ..index import ProjectIndex
    from .dependencies import DependencyKind

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def dependencies_elements(ctx: "FileContext", call: cst.Call) -> list[cst.BaseExpression]:
    """The elements of a call's ``dependencies=[...]`` (a list or tuple, also held in a module-level name)."""
    out: list[cst.BaseExpression] = []
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "dependencies":
            continue
        value = arg.value
        if isinstance(value, cst.Name):
            value = module_assignments(ctx).get(value.value, value)
        if isinstance(value, (cst.List, cst.Tuple)):
            out.extend(el.value for el in value.elements)
    return out


def _dependencies_arg(ctx: "FileContext", call: cst.Call) -> list[DependencyKind]:
    out: list[DependencyKind] = []
    for dep in dependencies_elements(ctx, call):
        if isinstance(dep, (cst.Name, cst.Attribute)) and ctx.project is not None:
            q = ctx.qualified_name(dep)  # ``dependencies=[DependsJwtAuth]``: ``DependsJwtAuth = Depends(HTTPBearer())``
            if q:
                out.append(alias_dependency(ctx.project, ctx.settings, q))
            continue
        if isinstance(dep, cst.Call) and marked_factory(ctx.project, ctx.qualified_name(dep.func)):
            # ``dependencies=[RequireTeamPermission(perm)]``: a factory returning ``Depends(inner)``, read as
            # ``Depends(factory(perm))``
            args = [_code(ctx, a.value) for a in dep.args if a.keyword is None and not a.star]
            kwargs = {a.keyword.value: _code(ctx, a.value) for a in dep.args if a.keyword is not None}
            out.append(factory_dependency(ctx.project, ctx.settings, ctx.qualified_name(dep.func), args, kwargs))
            continue
        if isinstance(dep, cst.Call) and last_segment(ctx.qualified_name(dep.func) or dotted_name(dep.func)) in DEPENDENCY_MARKERS and dep.args:
            target = dep.args[0].value
            func = target.func if isinstance(target, cst.Call) else target
            q = ctx.qualified_name(func)
            kwargs = {}
            args: list[str] = []
            if isinstance(target, cst.Call):
                kwargs = {a.keyword.value: _code(ctx, a.value) for a in target.args if a.keyword is not None}
                args = [_code(ctx, a.value) for a in target.args if a.keyword is None and not a.star]
            out.append(classify_dependency(ctx.project, ctx.settings, q, dotted_name(func), kwargs, 0, isinstance(target, cst.Call), args))
    return out


def permission_gated_route(ctx: "FileContext", route: Optional[RouteInfo]) -> bool:
    """The route's decorator gates it with an authenticating dependency factory given a permission
    (``@router.post("", dependencies=[Depends(require_permission("create", "notifications"))])``): only callers
    granted that permission reach the handler (an RBAC staff action)."""
    if route is None or route.decorator is None or not isinstance(route.decorator.decorator, cst.Call):
        return False
    for dep in dependencies_elements(ctx, route.decorator.decorator):
        if isinstance(dep, cst.Name):
            # ``_audit = Depends(require_permission(Permission.AUDIT_READ))`` at module level, ``dependencies=[_audit]``
            dep = module_assignments(ctx).get(dep.value, dep)
        if not (isinstance(dep, cst.Call) and dep.args and last_segment(ctx.qualified_name(dep.func) or dotted_name(dep.func)) in DEPENDENCY_MARKERS):
            continue
        target = dep.args[0].value
        if not isinstance(target, cst.Call) or not target.args or not all(isinstance(a.value, (cst.SimpleString, cst.Attribute)) for a in target.args):
            continue
        args = [_code(ctx, a.value) for a in target.args if a.keyword is None and not a.star]
        kwargs = {a.keyword.value: _code(ctx, a.value) for a in target.args if a.keyword is not None}
        if classify_dependency(ctx.project, ctx.settings, ctx.qualified_name(target.func), dotted_name(target.func), kwargs, 0, True, args).kind is not None:
            return True
    return False


def _decorator_dependencies(ctx: "FileContext", route: Optional[RouteInfo]) -> list[DependencyKind]:
    """``@router.get(..., dependencies=[Depends(f)])`` and ``router = APIRouter(dependencies=[...])`` (same
    module); a list held in a module-level name is followed."""
    out: list[DependencyKind] = []
    if route is None:
        return out
    if route.decorator is not None and isinstance(route.decorator.decorator, cst.Call):
        out.extend(_dependencies_arg(ctx, route.decorator.decorator))
    router = route.router_call or module_assignments(ctx).get(route.router)
    if isinstance(router, cst.Call):
        out.extend(_dependencies_arg(ctx, router))
    out.extend(_wrapper_dependencies(ctx, route))
    return out


def _wrapper_dependencies(ctx: "FileContext", route: RouteInfo) -> list[DependencyKind]:
    """The ``dependencies=[...]`` a route-registering wrapper hands the router method (``protected_route(
    router.get, ...)`` calling ``method(path, dependencies=[Security(oauth2_scheme, scopes=scopes)])``),
    classified like a route decorator's own."""
    if route.wrapper is None or ctx.project is None:
        return []
    registers = route_wrapper(ctx.project, route.wrapper) or {}
    return [param_dependency(ctx.project, ctx.settings, marker) for marker in registers.get("dependencies", ())]


def route_path_guards(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """``_route_path_guards``, and the keyword arguments a request gate compares with ``request.user`` and refuses
    on (``request_gates.request_gate_keys``: ``@view_handler([...])`` and ``organization_id``)."""
    guarded = _route_path_guards(ctx, func)
    route = route_info(ctx, func)
    if route is not None and func.decorators and ctx.project is not None:
        guarded |= request_gate_keys(ctx, func, route)
    return guarded


def _route_path_guards(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    return _route_path_guard_facts(ctx, func)[0]


def route_tenant_keys(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """Path parameters of a route that a membership dependency binds to the caller: a dependency function (of
    the route's parameters, its decorator's or router's ``dependencies=[...]``, an ``Annotated`` alias, or a
    dependency of one, three deep) given the caller, deciding on the parameter (``guards``), whose own lookup
    filters the tenant column of that name on it (``WorkspaceMember.workspace_id == workspace_id`` beside
    ``WorkspaceMember.user_id == current_user.id``, then 403 when no row answers: index fact ``tenant_filtered``).
    Past the dependency the key is the caller's own tenant: a lookup filtered on it is scoped, and a row
    fetched without it and then compared with it is checked after the fetch (BKL202)."""
    return _route_path_guard_facts(ctx, func)[1]


def route_caller_handed_keys(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """Path parameters of a route that a dependency factory's inner dependency (called in the marker or once at
    import, ``require_member = require_org_role([...])``) takes and hands, together with the caller, to a project
    function, whatever it does with them (``get_member_by_path(organization_id, current_user, db)``): looser than
    ``route_path_guards``, for readings that only need the key to have been put to a check beside who asks."""
    return _route_path_guard_facts(ctx, func)[2]


def route_refused_keys(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """Path parameters of a route that one of its dependencies refuses the caller on: of the keys it guards
    (``route_path_guards``), those one of its access decisions reads together with the caller it is given
    (``require_zone_manager(zone_id, current_user)`` loading the Zone by ``zone_id`` and raising 403 unless
    ``can_manage_zone(current_user, zone)``: ``queries.callee_decides``), a factory's key bound the same way
    (``_factory_bound_keys``) and a membership dependency's tenant key (``route_tenant_keys``). A dependency
    that only loads by the key (404 when it is missing) or only authenticates refuses nobody on it. Past such a
    dependency a row the handler ties to the key (``TimeSlot.zone_id == zone_id``) is one the caller was let
    at (``queries.checks._tied_site``)."""
    return _route_path_guard_facts(ctx, func)[3]


def _route_path_guard_facts(ctx: "FileContext", func: cst.FunctionDef) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    return ctx.cached(("auth.route_path_guards", id(func)), lambda: _route_path_guards_uncached(ctx, func))


def _route_path_guards_uncached(ctx: "FileContext", func: cst.FunctionDef) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Path parameters of a route that one of its dependencies (its parameters' ``Depends(...)``, the
    decorator's or its router's ``dependencies=[...]``) loads and decides on: a project function that raises
    or returns a verdict on what it is given (``flow`` index facts, ``guards``: its parameters, which FastAPI
    fills from the path by name, and ``request.path_params[...]`` it reads), or a dependency class, or a
    class handed to one (``Depends(PermissionsDependency([TaskEditPermission]))``), whose methods (or a base
    class's) read ``request.path_params["task_id"]`` and decide. The route's own load by such a parameter is
    checked already (families 2 makes no BKL201 claim for it)."""
    route = route_info(ctx, func) or _guarded_configured_route(ctx, func)
    project = ctx.project
    if route is None or project is None or not route.path:
        return frozenset(), frozenset(), frozenset(), frozenset()
    from ..client_identity import route_path_params  # (client_identity reads this module)

    # with the router's prefix (``APIRouter(prefix="/bi-dashboard/{organization_id}")``): FastAPI fills a
    # dependency's ``organization_id`` from the prefix's segment as from the route's own
    path_params = set(re.findall(r"{(\w+)(?::\w+)?}", route.path)) | set(route_path_params(ctx, route))
    # the route's own query-string scalars (``project_id: Optional[UUID] = None``): FastAPI fills a dependency's
    # query parameter of the same name (``project_id: str = Query(None)`` of ``get_project``) from the same value
    query_params = {
        p.name
        for p in param_infos(ctx, func)
        if p.name not in path_params
        and p.marker in (None, "Query")
        and p.dependency.kind is None
        and not (p.type and project.get_class(p.type) is not None)
    }
    if not path_params and not query_params:
        return frozenset(), frozenset(), frozenset(), frozenset()
    targets: list[cst.BaseExpression] = []

    def from_depends(dep: cst.BaseExpression) -> None:
        if isinstance(dep, cst.Call) and last_segment(ctx.qualified_name(dep.func) or dotted_name(dep.func)) in DEPENDENCY_MARKERS and dep.args:
            target = dep.args[0].value
            if isinstance(target, cst.Call):
                targets.append(target.func)
                for a in target.args:
                    value = a.value
                    items = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
                    targets.extend(i for i in items if isinstance(i, (cst.Name, cst.Attribute)))
            else:
                targets.append(target)
        elif isinstance(dep, cst.Call) and marked_factory(project, ctx.qualified_name(dep.func)):
            targets.append(dep.func)  # ``dependencies=[RequireTeamPermission(perm)]``: the factory returns ``Depends(inner)``

    def from_list(call: cst.BaseExpression) -> None:
        if isinstance(call, cst.Call):
            for dep in dependencies_elements(ctx, call):
                from_depends(dep)

    if route.decorator is not None:
        from_list(route.decorator.decorator)
    from_list(route.router_call or module_assignments(ctx).get(route.router))  # type: ignore[arg-type]
    for p in param_infos(ctx, func):
        if p.marker_node is not None:
            from_depends(p.marker_node)
    queue: list[tuple[Optional[str], int]] = [
        (ctx.qualified_name(t), 0) for t in targets if isinstance(t, (cst.Name, cst.Attribute))
    ]
    queue.extend((q, 0) for q in _annotated_providers(ctx, func))
    guarded: set[str] = set()
    tenant: set[str] = set()  # (``route_tenant_keys``)
    handed: set[str] = set()  # (``route_caller_handed_keys``)
    refused: set[str] = set()  # (``route_refused_keys``)
    seen: set[str] = set()
    while queue:
        q, depth = queue.pop(0)
        if not q or q in seen:
            continue
        seen.add(q)
        found = project.resolve_symbol(q)
        if found is None:
            continue
        if found[2] == "assignments":
            # ``require_member = require_org_role(["member"])`` then ``Depends(require_member)``: the factory's call
            # made once at import is read as ``Depends(require_org_role([...]))`` (what its inner function binds)
            call = orm_facts(project.modules[found[0]]).get("calls", {}).get(found[1]) or {}
            if call.get("func") and depth < 3:
                queue.append((call["func"], depth + 1))
            continue
        if found[2] == "functions" and depth < 3:
            # a dependency's own dependencies: FastAPI fills their path parameters from the same request
            # (``get_workspace_admin(member=Depends(get_workspace_member))``, where ``get_workspace_member(
            # workspace_id, ...)`` decides on the path's workspace for the caller)
            inner_fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
            queue.extend(
                (fp.get("dependency"), depth + 1) for fp in inner_fn.get("params", ())
                if fp.get("dependency") and not fp.get("called") and last_segment(fp.get("marker")) in DEPENDENCY_MARKERS
            )
        names = [found[1]]
        mods = [found[0]]
        if found[2] == "classes":
            names, mods = [], []
            for name, _facts in project.class_mro(f"{found[0]}.{found[1]}"):
                where = project.split(name)
                if where is not None:
                    mods.append(where[0])
                    names.append(where[1])
        for mod, name in zip(mods, names):
            facts = project.modules.get(mod) if hasattr(project.modules, "get") else None
            flow = (facts or {}).get("extra", {}).get("flow", {})
            read = set(flow.get("guards", {}).get(name, ())) & path_params
            fn = (orm_facts(facts or {}).get("functions", {}).get(name) or {}) if found[2] == "functions" else {}
            if fn.get("makes"):
                # a dependency factory (``Depends(require_project_member(min_role=OWNER))``): what its inner
                # dependency hands, with the caller, to an authorisation helper that refuses
                bound, given = _factory_bound_keys(project, ctx.settings, fn["makes"], path_params)
                guarded |= bound
                tenant |= bound
                refused |= bound
                handed |= given
            if query_params and fn:
                read |= set(flow.get("guards", {}).get(name, ())) & {
                    fp.get("name") for fp in fn.get("params", ()) if last_segment(fp.get("marker") or "Query") == "Query"
                } & query_params
            if read and found[2] == "functions":
                # a dependency function decides on the caller only when it is given one (an auth dependency
                # among its own parameters): ``valid_item(item_id, db)`` that checks existence is no guard; a
                # factory's reads are its inner function's (flow ``guards``), and so is what it is given
                runs = fn.get("makes") or fn
                callers = [
                    fp.get("name") for fp in runs.get("params", ())
                    if param_dependency(project, ctx.settings, fp).kind == "auth" or _caller_reading_dependency(project, ctx.settings, fp)
                ]
                if not callers:
                    continue
                column = runs.get("tenant_filtered")
                if column in read and column in path_params:
                    tenant.add(column)
                refused |= _refused_on(project, mod, name, bool(fn.get("makes")), read & path_params, callers)
            guarded |= read
    return frozenset(guarded), frozenset(tenant), frozenset(handed), frozenset(refused | tenant)


def _refused_on(project: "ProjectIndex", mod: str, name: str, factory: bool, keys: set[str], callers: list[str]) -> set[str]:
    """Of ``keys``, those one access decision of the dependency ``mod.name`` reads together with one of its
    ``callers`` (``queries.callee_decides``: a 403 under ``not can_manage_zone(current_user, zone)`` with the
    zone loaded by ``zone_id``); for a factory, the decisions of the inner function it returns (flow
    ``made_checks``), read the same way (``access_groups``). A predicate's answer the dependency returns
    (``return can_manage_zone(user, zone)``) refuses nobody: FastAPI hands it to the route, which may never test
    it (``verdicts=False``)."""
    from ..queries import access_groups, callee_decides  # (queries imports this module)

    if not factory:
        return {k for k in keys if any(callee_decides(project, (mod, None, name), k, c, verdicts=False) for c in callers)}
    flow = (project.modules.get(mod) or {}).get("extra", {}).get("flow", {}) if hasattr(project.modules, "get") else {}
    entry = flow.get("made_checks", {}).get(name)
    if not entry:
        return set()
    groups = access_groups(project, entry, verdicts=False)
    return {k for k in keys if any(k in g and c in g for g in groups for c in callers)}


def _factory_bound_keys(project: "ProjectIndex", settings: "Settings", made: dict[str, Any], path_params: set[str]) -> tuple[set[str], set[str]]:
    """The path keys a dependency factory's inner dependency binds to the caller: ``require_project_member(...)``
    returning ``async def dep(project_id, user: CurrentUser, db=Depends(get_db))`` that calls
    ``check_project_member(db, user.id, project_id, min_role=min_role)`` (index fact ``hands``). The inner
    function's plain parameters are filled from the path by name; handed together with the caller (an auth
    dependency's parameter) to a project function that raises on what it is given (flow ``deciders``), the
    key is one the caller was refused without: past the dependency it is the caller's, as a membership
    dependency's filtered tenant key is (``tenant_filtered``). Returns ``(bound, handed)``: the keys so bound,
    and every key handed together with the caller, whether the target decides or not (one pass)."""
    params = made.get("params", ())
    callers = {
        fp.get("name") for fp in params
        if param_dependency(project, settings, fp).kind == "auth" or _caller_reading_dependency(project, settings, fp)
    }
    keys = {
        fp.get("name") for fp in params if not fp.get("dependency") and last_segment(fp.get("marker") or "Path") == "Path"
    } & path_params - callers
    bound: set[str] = set()
    handed_keys: set[str] = set()
    for target, handed in made.get("hands", ()):
        given = set(handed) & keys
        if not given or not set(handed) & callers:
            continue
        handed_keys |= given
        if raising_decider(project, params, target):
            bound |= given
    return bound, handed_keys


def _annotated_providers(ctx: "FileContext", func: cst.FunctionDef) -> list[str]:
    """The dependency functions of the route's parameters that carry no ``Depends(...)`` default: an inline
    ``Annotated[Member, Depends(get_workspace_member)]`` or an ``Annotated`` alias of one (``member:
    WorkspaceMemberDep``), resolved through the alias's index facts. A factory called in the marker is left
    out (what it returns is the dependency)."""
    project = ctx.project
    out: list[str] = []
    if project is None:
        return out
    for p in param_infos(ctx, func):
        if p.marker_node is not None or p.dependency.kind is None:
            continue
        if p.provider:
            out.append(p.provider)
            continue
        ann = p.node.annotation.annotation if p.node.annotation is not None else None
        entry = alias_entry(project, ctx.qualified_name(ann) if isinstance(ann, (cst.Name, cst.Attribute)) else None)
        if entry and entry.get("dependency") and not entry.get("called") and last_segment(entry.get("marker")) in DEPENDENCY_MARKERS:
            out.append(entry["dependency"])
    return out


def _caller_reading_dependency(project: "ProjectIndex", settings: "Settings", p: dict[str, Any]) -> bool:
    """A dependency parameter whose project function reads the caller itself by calling an auth dependency
    (``has_organization_access(request, organization_id)`` opening with ``user = get_current_user(request)``,
    then refusing an organisation outside the user's): not an auth dependency by its signature (it takes the
    client's key), but what it decides, it decides on the caller."""
    marker = p.get("marker")
    dep = p.get("dependency")
    if not (marker and last_segment(marker) in DEPENDENCY_MARKERS and dep):
        return False
    found = project.project_function(dep)
    if found is None:
        return False
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    if not fn.get("raises"):
        return False
    for called in fn.get("calls_out", ()):
        if called != dep and classify_dependency(project, settings, called).kind == "auth":
            return True
    return False
