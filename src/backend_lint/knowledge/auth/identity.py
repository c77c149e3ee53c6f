"""``function_identity(ctx, func)``: what a function knows about who is asking (``Identity``), the parameters
routes feed with the principal or the client's values, and the words a file needs for a function to have one."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any, Iterator, Optional

from ...ground.lazy import lazy_import
from ..context_managers import entered_instance
from ..cst import definition_names_of, iter_children, walk as walk_nodes
from ..facts import alias_entry, orm_facts, scalar_alias_type
from ..fastapi import ROUTE_DECORATORS, path_parameters, route_info
from ..flask import flask_caller, flask_module, flask_view, flask_view_helper, SCREEN_WORDS as FLASK_SCREEN_WORDS
from ..imports import dotted_name, last_segment
from ..models import identity_columns, model_columns
from ..index.extractors.orm import PLAIN_CALL, SELF_RECEIVER, TENANT_COLUMNS, receivers_of  # the same parsing as the index
from ..scoping import caller_values
from .request_state import state_caller
from .dependencies import (
    _request_identity,
    ADMIN_WORDS,
    _request_params,
    _settings_key,
    ANONYMOUS_CLASS,
    authentication_middleware,
    AUTHORIZATION_PARAMS,
    CLIENT_MARKERS,
    decoded_caller,
    DEPENDENCY_MARKERS,
    NOT_CLIENT_MARKERS,
    param_dependency,
    REQUEST_CLASSES,
    request_user_principals,
    SCALAR_TYPES,
    TASK_DECORATORS,
)
from .membership import own_membership_columns
from .params import marker_target, param_infos
from .request_authorizers import request_authorizers
from .principals import Identity, principal_classes
from .admin import _admin_gate, _admin_surface, _could_be_principal
from .recorded import _principal_recorded_only, _written_only
from .gates import (
    _deciding_wrapper_identity,
    _deciding_wrappers,
    included_dependencies,
    permission_admin_decorated,
    router_auth_routes,
)
from .decorators import caller_decorator_names, decorated_caller
from .request_gates import request_gated
from .views import (
    _guarded_configured_route,
    _view_helper,
    configured_endpoint_names,
    configured_view_names,
    route_class_caller,
    view_request_attributes,
)
from .routes import _decorator_dependencies, route_tenant_keys
from .reach import no_claim_reason

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ...ground.config import Settings
    from ..index import ProjectIndex
    from .params import ParamInfo

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def project_function_no_claim(ctx: "FileContext", func: cst.FunctionDef) -> Optional[str]:
    """``no_claim_reason`` for a top-level function or a method of a top-level class of the file being linted."""
    project = ctx.project
    if project is None or ctx.module is None:
        return None
    name = definition_names_of(ctx).get(id(func))
    if name is None:
        return None
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return None
    return no_claim_reason(project, ctx.settings, f"{module}.{name}") if module else None


def _own_membership_columns(ctx: "FileContext", params: list, tenant_keys: frozenset[str]) -> Iterator[tuple[str, str]]:
    """``(f"{param}.{column}", column)`` for a route parameter whose dependency hands over the caller's own
    membership row of the path's tenant: an auth dependency's resource (``require_membership(workspace_id,
    current_user, db) -> WorkspaceMember``) whose table holds that tenant column (``route_tenant_keys``) and a
    user identity column beside it. Its identity columns are the caller's own values."""
    if not tenant_keys or ctx.project is None:
        return
    for p in params:
        dep = p.dependency
        if dep.kind != "auth" or not dep.resource or not dep.principal_type:
            continue
        columns = set(model_columns(ctx.project, dep.principal_type))
        if not (columns & tenant_keys) or "user_id" not in columns:
            continue
        for column in identity_columns(ctx.project, ctx.settings, dep.principal_type):
            if column in columns:
                yield f"{p.name}.{column}", column


def _caller_membership_columns(ctx: "FileContext", params: list) -> Iterator[tuple[str, str]]:
    """``(f"{param}.{column}", column)`` for a route parameter whose auth dependency hands over the caller's own
    membership row, built from the authenticated caller alone (``membership.own_membership_columns``)."""
    if ctx.project is None:
        return
    for p in params:
        if p.dependency.kind != "auth" or not p.dependency.resource:
            continue
        dependency, called = p.provider, False
        target = marker_target(p.marker_node) if p.provider is None and p.marker_node is not None else None
        if isinstance(target, cst.Call):
            dependency, called = ctx.qualified_name(target.func), True
        for column in own_membership_columns(ctx.project, ctx.settings, dependency, called, p.dependency):
            yield f"{p.name}.{column}", column


def _is_task(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    for dec in func.decorators:
        expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        name = last_segment(ctx.qualified_name(expr) or dotted_name(expr))
        if name in TASK_DECORATORS:
            return True
    return False


def function_identity(ctx: "FileContext", func: cst.FunctionDef, enclosing: Optional[Identity] = None) -> Identity:
    return ctx.cached(("auth.identity", id(func)), lambda: _function_identity(ctx, func, enclosing))


def interesting_names(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Bare names that can make a parameter carry the principal: principal classes, auth aliases and the
    configured auth dependencies (a cheap pre-check before resolving a function's parameters)."""

    def build() -> frozenset[str]:
        out = {last_segment(q) for q in principal_classes(project, settings)}
        out |= {last_segment(e) for e in settings.auth_dependencies}
        out |= {"Depends", "Security"}
        if project is not None:
            for mod, facts in project.iter_modules():
                for name, entry in orm_facts(facts).get("aliases", {}).items():
                    if last_segment(entry.get("marker")) in DEPENDENCY_MARKERS:
                        out.add(name)
        return frozenset(out)

    if project is None:
        return build()
    return project.stored_memo(f"auth.interesting_names:{_settings_key(settings)!r}", build, load=frozenset)


def _leaf_names(node: Optional[cst.CSTNode]) -> Iterator[str]:
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            yield n.value
        elif isinstance(n, cst.Attribute):
            yield n.attr.value
            stack.append(n.value)
        elif isinstance(n, cst.SimpleString):
            yield from re.findall(r"[A-Za-z_][A-Za-z0-9_]*", n.value)
        else:
            stack.extend(iter_children(n))


def current_identity_names(settings: "Settings") -> set[str]:
    """``current_user_id``, ``current_tenant_id``: a parameter named the caller's own identity field (the
    ``current_`` prefix says whose), held like ``user_id`` in a use case the route hands it to
    (``pod_use_case.delete_pod(pod_id, current_user_id)``)."""
    return {f"current_{f}" for f in settings.identity_fields}


def _may_carry_identity(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    settings = ctx.settings
    names = interesting_names(ctx.project, settings)
    plain = set(settings.principal_parameters) | set(settings.identity_fields) | current_identity_names(settings) | caller_values(ctx.project, settings)
    params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
    for p in params:
        if p.name.value in plain or p.name.value.lower() in AUTHORIZATION_PARAMS:
            return True
        if isinstance(p.default, cst.Call):
            return True
        if p.annotation is not None and any(n in names for n in _leaf_names(p.annotation.annotation)):
            return True
    if params and func.decorators and decorated_caller(ctx, func) is not None:
        return True  # ``@require_auth(...)`` hands the view the caller
    return _request_user_helper(ctx, func, params)


def _request_user_helper(ctx: "FileContext", func: cst.FunctionDef, params: list) -> bool:
    """A function given the request (``def _get_owned_playlist(request: Request, id: int)``), or a method of a
    class that holds it (``self.request``, ``view_request_attributes``: a service or validation class FastAPI
    builds per request), in an app whose ``request.user`` an authentication middleware sets: ``request.user``
    may be the caller."""
    if ".user" not in ctx.source:
        return False
    if not any(p.annotation is not None and not REQUEST_CLASSES.isdisjoint(_leaf_names(p.annotation.annotation)) for p in params):
        if "self.request" not in ctx.source or not authentication_middleware(ctx.project):
            return False
        return bool(view_request_attributes(ctx, func))
    return authentication_middleware(ctx.project)


def _anonymous_stand_in(p: ParamInfo) -> bool:
    """``current_user: AnonymousUser = Depends(get_current_user)``: a parameter annotated only with the project's
    stand-in for a caller with no credential (``ANONYMOUS_CLASS``; ``Optional`` / ``None`` aside) says that the
    handler serves callers who are not signed in (a third-party login, a public page): it carries no principal,
    whatever its dependency can return."""
    if p.node.annotation is None:
        return False
    ann: Optional[cst.BaseExpression] = p.node.annotation.annotation
    if isinstance(ann, cst.Subscript) and isinstance(ann.value, cst.Name) and ann.value.value == "Annotated":
        # ``Annotated[AnonymousUser, Depends(...)]``: the first element is the type
        first = ann.slice[0].slice if ann.slice else None
        ann = first.value if isinstance(first, cst.Index) else None
    names: list[str] = []
    stack = [ann] if ann is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            names.append(n.value)
        elif isinstance(n, cst.Attribute):
            names.append(n.attr.value)  # ``models.AnonymousUser``
        elif isinstance(n, cst.BinaryOperation):
            stack.extend((n.left, n.right))  # ``AnonymousUser | None``
        elif isinstance(n, cst.Subscript):
            stack.extend(e.slice.value for e in n.slice if isinstance(e.slice, cst.Index))  # ``Optional[...]``
        else:
            return False
    names = [n for n in names if n != "None"]
    return bool(names) and all(ANONYMOUS_CLASS.match(n) for n in names)


def _owner_compared_past_gate(ctx: "FileContext", func: cst.FunctionDef, params: list) -> bool:
    """A route with a privileged dependency (``Security(require_global("api_keys.manage_all"))``) that also takes
    the caller from an authentication dependency and compares a row's user identity column (not a tenant's) with
    that caller in its own body (``if record.user_id != principal.user_id: raise``): the handler itself says the row
    must be the caller's own, so the gate does not make it admin-only and what it fetches is claimed as on any
    route (BKL202 at the comparison)."""
    callers = {p.name for p in params if p.dependency.kind == "auth" and not p.dependency.credentials and not _anonymous_stand_in(p)}
    if not callers:
        return False
    # a user's own column, not a tenant's: under a superuser gate, ``if role.tenant_id != tenant_id: raise`` keeps
    # a tenant administrator to the tenant, and the route stays an administrator's
    columns = set(ctx.settings.identity_fields) - TENANT_COLUMNS

    def side(node: "cst.BaseExpression") -> Optional[str]:
        """"row" for ``<name>.<identity column>`` not off a caller, "caller" for a caller or one of its attributes."""
        if isinstance(node, cst.Call) and len(node.args) == 1 and isinstance(node.func, cst.Name) and node.func.value in ("str", "UUID", "int"):
            node = node.args[0].value
        if isinstance(node, cst.Name):
            return "caller" if node.value in callers else None
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            if node.value.value in callers:
                return "caller"
            if node.attr.value in columns:
                return "row"
        return None

    for node in walk_nodes(func.body):
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            op = node.comparisons[0].operator
            if isinstance(op, (cst.Equal, cst.NotEqual)) and {side(node.left), side(node.comparisons[0].comparator)} == {"row", "caller"}:
                return True
    return False


def _admin_decorated(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    """A decorator of the handler that is a project function named for administrators (``require_admin_permission``,
    ``superuser_required``) and that raises (it refuses the request unless the caller is one): the handler is
    admin-only, as under an admin dependency."""
    project = ctx.project
    if project is None:
        return False
    for dec in func.decorators:
        expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        q = ctx.qualified_name(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if q is None or not any(w in last_segment(q).lower() for w in ADMIN_WORDS):
            continue
        found = project.project_function(q)
        if found is None:
            continue
        fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        if fn.get("raises"):
            return True
    return False


def _never_included(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    """``func`` is a top-level route declared only on routers the project never includes (``fastapi_routers``)."""
    from ..fastapi_routers import unincluded_view

    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return False
    return unincluded_view(ctx.project, module, func.name.value)


def _function_identity(ctx: "FileContext", func: cst.FunctionDef, enclosing: Optional[Identity]) -> Identity:
    settings = ctx.settings
    route = route_info(ctx, func) or _guarded_configured_route(ctx, func)
    if route is not None and enclosing is None and _never_included(ctx, func):
        return Identity()  # a route of a router nothing includes serves no request (``fastapi_routers``): no claim
    if route is None and enclosing is not None and flask_module(ctx) and id(func) in _deciding_wrappers(ctx):
        return _deciding_wrapper_identity(ctx, func)
    flask = None
    if route is None and enclosing is None and flask_module(ctx):
        flask = flask_view(ctx, func)
        view_helper = False
        if flask is None:
            flask = flask_view_helper(ctx, func)  # a method the class's authenticated views call on ``self``
            view_helper = flask is not None
        if flask is not None and func.decorators and decorated_caller(ctx, func) is not None:
            flask = None  # a decorator hands the view the caller: read below, as a function given the principal
        if flask is not None:
            route = flask.route
    fed = principal_fed_here(ctx, func) if route is None and enclosing is None else frozenset()
    view = _view_helper(ctx, func) if route is None and enclosing is None else None
    if route is None and (enclosing is None or not enclosing.in_scope) and not fed and view is None and not _may_carry_identity(ctx, func):
        return Identity()  # no parameter can carry the principal or an identity value
    params = param_infos(ctx, func)
    ident = Identity(route=route, params=params)
    if enclosing is not None and not enclosing.admin:
        ident.principals.update(enclosing.principals)
        ident.identity_params.update(enclosing.identity_params)
    elif enclosing is not None and enclosing.admin:
        ident.admin = True
    kinds = [p.dependency for p in params if not _anonymous_stand_in(p)] + _decorator_dependencies(ctx, route)
    if any(k.kind == "admin" for k in kinds) and not (route is not None and _owner_compared_past_gate(ctx, func, params)):
        ident.admin = True
    ident.authenticated = any(k.kind == "auth" for k in kinds)
    if route is not None and flask is None and func.decorators and _admin_decorated(ctx, func):
        ident.admin = True  # ``@require_admin_permission()`` under the route: the project's gate refuses others
    gated = request_gated(ctx, func, route) if route is not None and func.decorators else None
    if gated is not None:
        # ``@view_handler([...])``: the decorator refuses a request with no ``request.user``; with staff roles only
        # (``[RoleEnum.GOVERNMENT]``) the route is the staff's
        ident.authenticated = True
        if gated[0]:
            ident.admin = True
    if flask is not None:
        # a Flask view: a decorator authenticates it, and the caller is a global (``current_user``, ``g.user``)
        caller = flask_caller(ctx, func, flask)
        if caller.admin:
            ident.admin = True
        if caller.authenticated is not None:
            ident.authenticated = True
            ident.global_caller = True
            ident.view_helper = view_helper or caller.optional
            for name, type_q in caller.principals.items():
                ident.principals.setdefault(name, type_q)
            for name, identity_field in caller.identity_params.items():
                ident.identity_params.setdefault(name, identity_field)
            ident.decoding |= caller.binding  # (``identity = get_jwt_identity()``: the local holds the caller's id)
            # a key the decorator filled after deciding on it (the case it checked the caller's access to)
            ident.closure_derived |= {p.name for p in params if p.name in caller.injected}
    if route is not None:
        for p in params:
            if p.dependency.kind == "auth" and not p.dependency.credentials and not _anonymous_stand_in(p):
                ident.principals[p.name] = p.dependency.principal_type
        if not ident.principals:
            # ``auth=Depends(get_auth)`` asked ``auth.authorize_request(request, ...)``: the object decides on
            # the request's caller (``request_authorizers``)
            ident.principals.update(request_authorizers(ctx, func, params))
        held = frozenset(view_request_attributes(ctx, func)) if route.configured else frozenset()
        for path, identity_field in _request_identity(ctx, func, params, held).items():
            if identity_field is None:
                ident.principals.setdefault(path, None)
            else:
                ident.identity_params.setdefault(path, identity_field)
        state = route_class_caller(ctx, func, route)
        if state is not None:
            # ``APIRouter(route_class=AuthenticatedRoute)``: the route class authenticated the request and put
            # the caller on ``request.state``
            ident.authenticated = True
            for req in sorted(_request_params(params) | held):
                for attr in state:
                    ident.principals.setdefault(f"{req}.state.{attr}", None)
        if ident.authenticated:
            for path in request_user_principals(ctx, func, params):
                ident.principals.setdefault(path, None)
        # a handler whose auth parameter is the anonymous stand-in (``current_user: AnonymousUser = Depends(...)``)
        # serves callers who are not signed in: what its body authenticates (a third-party login's token) is
        # the one signing in, not a caller to scope by
        serves_anonymous = not ident.principals and any(p.dependency.kind == "auth" and _anonymous_stand_in(p) for p in params)
        decoded = {} if serves_anonymous else decoded_caller(ctx, func, params, True)
        for name, (identity_field, _why, node) in decoded.items():
            # ``user_id, tenant_id = get_current_user_id(authorization)``: the caller, decoded in the body
            ident.authenticated = True
            ident.decoding.add(node)
            if identity_field is None:
                ident.principals.setdefault(name, None)
            else:
                ident.identity_params.setdefault(name, identity_field)
        included = included_dependencies(ctx, route)
        if permission_admin_decorated(ctx, func, route):
            ident.admin = True  # ``@require_permission("logs:read")``: a permission only the wildcard role holds
        if any(k.kind == "admin" for k in included):
            ident.admin = True  # ``include_router(admin.router, dependencies=[Depends(require_admin)])``
        elif any(k.kind == "auth" for k in included):
            ident.authenticated = True
        if ident.authenticated:
            # ``org_id = get_user_org_id(request)``: what the auth dependency kept of the caller on ``request.state``
            read, bound = state_caller(ctx, func, params)
            for path, identity_field in read.items():
                if identity_field is None:
                    ident.principals.setdefault(path, None)
                else:
                    ident.identity_params.setdefault(path, identity_field)
            for name, (identity_field, node) in bound.items():
                if name in ident.principals or name in ident.identity_params:
                    continue
                ident.decoding.add(node)
                if identity_field is None:
                    ident.principals.setdefault(name, None)
                else:
                    ident.identity_params.setdefault(name, identity_field)
        gate = set(ident.principals)
        if ident.authenticated and authentication_middleware(ctx.project):
            # ``assert_admin(request)``: the request carries the middleware's caller
            gate |= {p.name for p in params if p.type and last_segment(p.type) in REQUEST_CLASSES}
        if gate and _admin_gate(ctx, func, gate, path_parameters(route.path)):
            ident.admin = True
        if ident.principals and _admin_surface(route, params):
            ident.admin = True
        tenant_keys = route_tenant_keys(ctx, func) if not ident.admin else frozenset()
        if not ident.admin:
            own = {p.name for p in params}
            for name in tenant_keys:
                # the path's tenant key a membership dependency bound to the caller (``get_workspace_member(
                # workspace_id, current_user)`` refusing a caller with no membership row there), taken by the
                # handler too: an identity value of the caller's from here on, as ``current_user.workspace_id``
                if name in own:
                    ident.identity_params.setdefault(name, name)
            for path, column in _own_membership_columns(ctx, params, tenant_keys):
                # ``member: WorkspaceMember = Depends(require_membership)`` (the caller's own membership row the
                # dependency looked up for the path's tenant): ``member.user_id`` is who asks, as ``user.id`` is
                ident.identity_params.setdefault(path, column)
            for path, column in _caller_membership_columns(ctx, params):
                # ``member: TenantMember = Depends(get_tenant_member)`` (the caller's own membership row, looked up
                # from the authenticated caller alone): ``member.tenant_id`` is the caller's tenant
                ident.identity_params.setdefault(path, column)
            ident.tenant_keys = tenant_keys
        guards = [k for k in [*_decorator_dependencies(ctx, route), *included] if k.kind == "auth" and not k.resource]
        if not ident.principals and not ident.identity_params and not ident.admin and guards and (
            any(not k.credentials for k in guards) or not _reads_request_user(func, params)
        ):
            # the route's or its router's dependencies authenticate a caller the handler never takes; a security
            # scheme there (``APIRouter(dependencies=[Depends(oauth2_scheme)])``) authenticates too (RULES,
            # "Decided while labelling held-out apps"), though its value is a credential, not the caller; a
            # resource a dependency hands over is no caller: no claim there, as before
            ident.router_auth = True
        if not ident.principals and not ident.identity_params and not ident.admin and tenant_keys & path_parameters(route.path):
            # ``dependencies=[RequireTeamPermission(...)]`` checked the caller in the path's ``team_id``, which the
            # handler does not take: authenticated, with nothing of the caller in scope (as ``router_auth``); a key
            # the dependency read elsewhere (a query string, a header) and handed on in what it returns is not this
            ident.router_auth = True
        return ident
    if _is_task(ctx, func):
        return ident
    if view is not None:
        # a method of a class-based view (or of its base) that reads the caller off ``self.request``
        held, state = view
        for path, identity_field in _request_identity(ctx, func, params, held).items():
            if identity_field is None:
                ident.principals.setdefault(path, None)
            else:
                ident.identity_params.setdefault(path, identity_field)
        if ident.principals or ident.identity_params:
            for req in sorted(held):
                for attr in state:
                    ident.principals.setdefault(f"{req}.state.{attr}", None)
    if enclosing is None and project_function_no_claim(ctx, func) is not None:
        return Identity(route=None, params=params, admin=ident.admin)  # no non-admin route reaches it: no claim
    project = ctx.project
    principal_types = principal_classes(project, settings)
    identity_fields = set(settings.identity_fields) | current_identity_names(settings)
    passed = decorated_caller(ctx, func) if func.decorators else None
    if passed is not None:
        # a Flask view whose decorator authenticates the request and hands it the caller (``return f(auth_user,
        # *args, **kwargs)``): that parameter is the principal; ``role=UserRole.ADMIN`` makes the view admin-only
        position, admin, _why = passed
        ids = {id(n) for n in (*func.params.posonly_params, *func.params.params)}
        positional = [p for p in params if id(p.node) in ids]
        if position < len(positional):
            receiver = positional[position]
            type_q = project.canonical(receiver.type) if (project is not None and receiver.type) else receiver.type
            ident.principals[receiver.name] = type_q
            ident.authenticated = True
        if admin:
            ident.admin = True
    # a FastAPI dependency (it takes ``Depends(...)`` itself): FastAPI fills its plain parameters from the path or
    # the query string, as a handler's (``get_organization_by_id(organization_id: str, user=Depends(current_user))``
    # loads the organisation the client names), unless the project's callers hand it the principal's id
    dependency_fn = route is None and enclosing is None and any(p.marker in DEPENDENCY_MARKERS for p in params)
    # a key the routes hand on as the client sent it, and no caller hands the principal's id: the client's key
    client = principal_fed_here(ctx, func, client_fed_parameters) if enclosing is None else frozenset()
    if enclosing is None and route is None and not dependency_fn:
        # a function the routes reach only with a key their client sent, through services (``UserRepository.
        # get_or_404(organization_id, user_id)`` from ``GET /users/{user_id}``), never with who asks: that
        # parameter is the client's key whatever its name (``helper_keys.client_keyed_parameters``)
        from ..queries import client_keyed_parameters  # (queries imports this module)

        client = client | principal_fed_here(ctx, func, client_keyed_parameters)
    client_keys: dict[str, str] = {}  # (kept when nothing else says who asks: see the end)
    for p in params:
        if p.name in ("self", "cls"):
            continue
        if p.dependency.kind == "auth":
            if not p.dependency.credentials:
                ident.principals[p.name] = p.dependency.principal_type
            continue
        if p.marker is not None and p.marker in CLIENT_MARKERS | NOT_CLIENT_MARKERS:
            continue  # a dependency function's request parameter: client data, not identity
        if p.name in identity_fields and ((dependency_fn and p.marker is None and p.name not in fed) or p.name in client):
            # (an identity field's name only: a key the project scopes rows by, ``project_id`` in ``caller_values``,
            # keeps its reading)
            client_keys[p.name] = p.name
            continue
        type_q = project.canonical(p.type) if (project is not None and p.type) else p.type
        if type_q and type_q in principal_types:
            if route is None and enclosing is None and _principal_recorded_only(ctx, func, p.name):
                continue
            ident.principals[p.name] = type_q
            continue
        if p.name in settings.principal_parameters and _could_be_principal(ctx, type_q):
            if route is None and enclosing is None and _principal_recorded_only(ctx, func, p.name):
                continue
            ident.principals[p.name] = type_q
            continue
        if p.name in identity_fields and _scalar_type(project, type_q, route is None):
            if not _written_only(ctx, func, p.name):
                ident.identity_params[p.name] = p.name
        elif p.name in fed and p.name not in ident.principals:
            ident.identity_params[p.name] = p.name  # the callers hand it the principal's id
        elif p.name in caller_values(project, settings) and _scalar_type(project, type_q, route is None):
            if not _written_only(ctx, func, p.name):
                ident.identity_params[p.name] = p.name  # ``user_email``: the project scopes rows by it (knowledge.scoping)
    if enclosing is None and authentication_middleware(project):
        # a helper given the request by the routes that reach it (``_get_owned_playlist(request, id)``), or a
        # method of a class FastAPI builds with the request (``self.request``): the middleware's
        # ``request.user`` is the caller there too
        held = frozenset(view_request_attributes(ctx, func)) if "self.request" in ctx.source else frozenset()
        for path in request_user_principals(ctx, func, params, held):
            ident.principals.setdefault(path, None)
    for name, (identity_field, _why, node) in decoded_caller(ctx, func, params, False).items():
        # a service handed the header decodes the caller itself (``authorization`` passed on by the route)
        ident.decoding.add(node)
        if identity_field is None:
            ident.principals.setdefault(name, None)
        else:
            ident.identity_params.setdefault(name, identity_field)
    if client_keys and not ident.principals and not ident.identity_params and not principal_fed_here(ctx, func, principal_handed_parameters):
        # the client's keys are all the function is given: read by their names, as before (``role_in_member_tenant(
        # db, user_id, role_id)`` compares a row with the target user's: its claim is made there). Not when some
        # caller hands it who asks (``assigned_by_id=current_user.id``, even only recorded): then the client's
        # keys are the client's, and the caller is the one the callers hand
        for name in client_keys:
            p = next(p for p in params if p.name == name)
            type_q = project.canonical(p.type) if (project is not None and p.type) else p.type
            if _scalar_type(project, type_q, route is None) and not _written_only(ctx, func, name):
                ident.identity_params[name] = name
    if enclosing is None and ident.in_scope:
        # what the callers hand made of the caller (``caller_computed_parameters``): an id list their access
        # decision computed is derived from who asks; a flag an administrator's verdict fills is an admin test
        own = {p.name for p in params} - set(ident.principals) - set(ident.identity_params)
        ident.caller_built = set(principal_fed_here(ctx, func, partial(caller_computed_parameters, kind="built"))) & own
        ident.admin_flags = set(principal_fed_here(ctx, func, partial(caller_computed_parameters, kind="admin"))) & own
    return ident


def _scalar_type(project: Optional["ProjectIndex"], type_q: Optional[str], aliases: bool) -> bool:
    """No annotation, a scalar (``int``, ``UUID``, ``str``...), or, with ``aliases`` (a function the routes
    call, not a handler: a handler's ``author_id: ID`` is the key its client sends), a project alias of one
    with metadata only (``ID = Annotated[str, AfterValidator(...)]``, any module): a parameter so typed can
    hold an id."""
    if type_q is None or type_q in SCALAR_TYPES or last_segment(type_q) in ("UUID", "int", "str"):
        return True
    first = scalar_alias_type(project, type_q) if (project is not None and aliases) else None
    return first is not None and (first in SCALAR_TYPES or last_segment(first) in ("UUID", "int", "str"))


def principal_fed_parameters(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, list[str]]:
    """``{function: parameters}``: parameters of project functions that an authenticated caller hands the
    principal's id (``current_user_id=str(current_user.id)``, the dependency being an auth dependency) and no
    route hands its own client data (a path, query or body parameter passed as it is): under any name,
    such a parameter holds who asks in the callee (the ``feeds`` facts of ``index/extractors/orm.py``)."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        principal, client, _ = _fed_parameters(project, settings)
        out: dict[str, list[str]] = {}
        for key, names in principal.items():
            kept = sorted(names - client.get(key, set()))
            if kept:
                out[key] = kept
        return out

    # stored next to the index: a run that lints one file reads it instead of every module's facts
    return project.stored_memo(f"auth.principal_fed:{_settings_key(settings)!r}", build, load=dict)


def client_fed_parameters(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, list[str]]:
    """``{function: parameters}``: parameters of project functions that a route hands its own client data (a path,
    query or body value passed as it is) and no caller hands the principal's id: in the callee such a parameter
    is the key the client names, whatever its name (``get_workspace(db, workspace_id, user_id)`` called with the
    route's path ``workspace_id``), not an identity value the caller vouches for."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        principal, client, _ = _fed_parameters(project, settings)
        out: dict[str, list[str]] = {}
        for key, names in client.items():
            kept = sorted(names - principal.get(key, set()))
            if kept:
                out[key] = kept
        return out

    return project.stored_memo(f"auth.client_fed:{_settings_key(settings)!r}", build, load=dict)


def caller_computed_parameters(project: Optional["ProjectIndex"], settings: "Settings", kind: str) -> dict[str, list[str]]:
    """``{function: parameters}`` for ``kind`` ``"built"``: parameters of project functions that a caller hands
    what a call made with the principal answered (``accessible_project_ids=get_accessible_project_ids(session,
    user=current_user)``, through a local, also ``ids if not can_view_all else None``), as the route's own
    reading of that value would be (derived from who asks); ``"admin"``: parameters a caller hands an
    administrator's verdict on the principal (``can_view_all=rbac_service.is_system_admin(current_user)``), a
    flag true for administrators only. Never a parameter some route hands its own client data or a literal
    ``True`` / ``False`` (the ``feeds`` facts of ``index/extractors/orm.py``)."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        _, client, computed = _fed_parameters(project, settings)
        out: dict[str, list[str]] = {}
        for key, names in computed.get(kind, {}).items():
            kept = sorted(names - client.get(key, set()) - computed.get("const", {}).get(key, set()))
            if kept:
                out[key] = kept
        return out

    return project.stored_memo(f"auth.computed_fed.{kind}:{_settings_key(settings)!r}", build, load=dict)


def raw_principal_fed(project: "ProjectIndex", settings: "Settings") -> dict[str, set[str]]:
    """``{function: parameters}``: every parameter an authenticated caller hands the principal's id or its own
    key, whatever else other callers hand it (``_fed_parameters``' first part)."""
    return _fed_parameters(project, settings)[0]


def _fed_parameters(
    project: "ProjectIndex", settings: "Settings",
) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, dict[str, set[str]]]]:
    """(principal, client, computed): per project function, the parameters its callers hand the principal's id,
    those a route hands its own client data, and (per kind, ``caller_computed_parameters``) those a caller hands
    what a call made with the principal answered, or (``"const"``) a literal flag (the ``feeds`` facts of
    ``index/extractors/orm.py``)."""

    def build() -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, dict[str, set[str]]]]:
        principal: dict[str, set[str]] = {}
        client: dict[str, set[str]] = {}
        computed: dict[str, dict[str, set[str]]] = {}
        callee_params: dict[str, list[str]] = {}
        for mod, facts in project.iter_modules():
            functions = orm_facts(facts).get("functions", {})
            for caller, fn in functions.items():
                feeds = fn.get("feeds")
                if not feeds:
                    continue
                own = {fp["name"]: fp for fp in fn.get("params", ())}
                with_caller = [_keys_with_caller(project, settings, own, feed) for feed in feeds]
                for i, feed in enumerate(feeds):
                    # a route's key it hands, with the caller, to another call (``require_member(workspace_id,
                    # current_user)``) was decided on there: not the client's alone where it goes next
                    checked = set().union(*(k for j, k in enumerate(with_caller) if j != i)) if feed.get("route") else set()
                    found = project.project_function(feed["target"])
                    keywords_only = False
                    if found is None:
                        methods = _typed_receiver_methods(project, own, feed["target"])
                        if not methods:
                            method = _class_method(project, feed["target"])
                            # (a static or class method binds its positional arguments as they are written)
                            keywords_only = method is None or not _bound_by_call(project, method[0])
                            methods = [method] if method is not None else []
                        if not methods and not any(seg[:1].isupper() for seg in feed["target"].split(".")[-2:]):
                            # (a local's method or the index's ``built`` feeds, ``Service(db).m(...)``; a class built
                            # or named, ``Item(...)``, ``Item.touch(item)``, is not: its receivers are not read, so a
                            # new call in the file keeps the editor's one-function re-walk)
                            methods = _built_receiver_methods(project, fn, feed["target"])
                            keywords_only = False
                        if not methods:
                            continue
                        key, names = methods[0]
                        for other_key, other_names in methods[1:]:
                            # (an interface's other implementations, as the dependency factory builds them)
                            _feed_one(project, settings, own, feed, other_key, other_names, keywords_only, principal, client, computed, checked)
                    else:
                        key = f"{found[0]}.{found[1]}"
                        if key not in callee_params:
                            target = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
                            callee_params[key] = [fp["name"] for fp in target.get("params", ())]
                        names = callee_params[key]
                    _feed_one(project, settings, own, feed, key, names, keywords_only, principal, client, computed, checked)
        return principal, client, computed

    return project.memo(("auth.fed_parameters", _settings_key(settings)), build)


def principal_fed_by_call(project: "ProjectIndex", settings: "Settings", caller: dict[str, Any], feed: dict[str, Any], key: str) -> frozenset[str]:
    """The parameters of the project function ``key`` that one call (``feed``, of the function or method whose facts
    are ``caller``) hands the principal's value, as ``principal_fed_parameters`` reads each call."""
    found = project.project_function(key)
    target = (orm_facts(project.modules[found[0]]).get("functions") or {}).get(found[1]) if found is not None else None
    names = [fp["name"] for fp in (target or {}).get("params", ())]
    principal: dict[str, set[str]] = {}
    own = {fp["name"]: fp for fp in caller.get("params", ())}
    _feed_one(project, settings, own, feed, key, names, False, principal, {}, {})
    return frozenset(principal.get(key, ()))


def _feed_one(
    project: "ProjectIndex", settings: "Settings", own: dict[str, dict[str, Any]], feed: dict[str, Any], key: str, names: list[str],
    keywords_only: bool, principal: dict[str, set[str]], client: dict[str, set[str]],
    computed: dict[str, dict[str, set[str]]], checked: frozenset[str] | set[str] = frozenset(),
) -> None:
    """``_fed_parameters``' reading of one call (``feed``) for one callee (``key`` with its parameters ``names``);
    ``checked``: the route's keys it handed with the caller to another call (not the client's alone)."""
    for where, param, kind in feed["args"]:
        if keywords_only and isinstance(where, int):
            continue
        name = names[where] if isinstance(where, int) and where < len(names) else where
        if not isinstance(name, str) or name not in names:
            continue
        if kind == "raw":
            if param not in checked:
                client.setdefault(key, set()).add(name)
        elif kind == "const":
            computed.setdefault(kind, {}).setdefault(key, set()).add(name)
        elif kind in ("built", "admin"):
            # (the dependencies the call was handed: one of them must be the caller)
            if any(d in own and param_dependency(project, settings, own[d]).kind == "auth" for d in param.split(",")):
                computed.setdefault(kind, {}).setdefault(key, set()).add(name)
        elif kind.startswith("own:"):
            # the caller's own tenant key handed to a parameter of its name (``school_id=
            # current_user.school_id``): there it holds whose rows the caller may reach
            if kind[4:] == name and param in own and param_dependency(project, settings, own[param]).kind == "auth":
                principal.setdefault(key, set()).add(name)
        elif kind == "whole":
            if param in own and _scalar_principal(project, settings, own[param]):
                principal.setdefault(key, set()).add(name)  # the dependency yields the caller's id
        elif param in own and param_dependency(project, settings, own[param]).kind == "auth":
            principal.setdefault(key, set()).add(name)
        elif feed.get("route") and param in own and last_segment(own[param].get("marker")) not in DEPENDENCY_MARKERS:
            if param not in checked:
                client.setdefault(key, set()).add(name)  # ``body.id``: a body model's, not the caller's


def _keys_with_caller(project: "ProjectIndex", settings: "Settings", own: dict[str, dict[str, Any]], feed: dict[str, Any]) -> set[str]:
    """The function's own non-dependency parameters one call (``feed``) of a function named like a check is handed
    together with the caller (a parameter an auth dependency fills): ``require_member(workspace_id, current_user)``."""
    from ..queries import spells_check  # (queries imports this module)

    if not spells_check(last_segment(feed["target"]) or ""):
        return set()
    params = {param for _, param, _ in feed["args"] if isinstance(param, str)}
    if not any(p in own and param_dependency(project, settings, own[p]).kind == "auth" for p in params):
        return set()
    return {p for p in params if p in own and last_segment(own[p].get("marker")) not in DEPENDENCY_MARKERS}


def _built_receiver_methods(project: "ProjectIndex", fn: dict[str, Any], target: str) -> list[tuple[str, list[str]]]:
    """``workspace_service.update_workspace`` called on a local the caller bound once to ``WorkspaceService(db)``
    (the index typed that receiver: the caller's ``receivers`` facts): the method of that project class, looked up
    along its bases, its parameters after ``self`` (the instance binds the positional arguments in order). Only
    when every receiver the index typed for the call is one class's method."""
    typed = receivers_of(fn).get(target) or []
    entered = entered_instance(project, typed[0]) if len(typed) == 1 else None
    typed = [entered] if entered is not None else typed  # (``async with Service() as service``)
    if len(typed) != 1 or typed[0] in (PLAIN_CALL, SELF_RECEIVER) or typed[0].rpartition(".")[0].endswith(")"):
        return []
    found = _class_method(project, typed[0])
    return [found] if found is not None else []


def _typed_receiver_methods(project: "ProjectIndex", own: dict[str, dict[str, Any]], target: str) -> list[tuple[str, list[str]]]:
    """``_typed_receiver_method``, or, for a parameter typed with an interface (a ``Protocol`` or an ``ABC`` the
    project declares) whose dependency factory builds other classes on its ways (orm ``built_each``:
    ``return ScalarsService(...)`` or ``return NoOpScalarsService()``), the method of each of those classes
    that defines it: the route runs one of them. A class that does not define the method adds nothing."""
    head, _, method = target.partition(".")
    p = _receiver_param(project, own.get(head))
    if p is None or not method or "." in method or not p.get("type") or not p.get("dependency"):
        return [m] if (m := _typed_receiver_method(project, own, target)) is not None else []
    built = _interface_built_classes(project, p["type"], p["dependency"])
    if not built:
        return [m] if (m := _typed_receiver_method(project, own, target)) is not None else []
    out = [m for cls in built if (m := _method_along_bases(project, cls, method)) is not None]
    return out


def _interface_built_classes(project: "ProjectIndex", annotation: str, dependency: str) -> list[str]:
    """The project classes a dependency factory builds (``built_each``) when the parameter it fills is typed
    with an interface the project declares (``ScalarsServiceProtocol``); none otherwise."""
    found = project.get_class(annotation)
    if found is None or not any(last_segment(b) in ("Protocol", "ABC") for b in found[1].get("bases", ()) if b):
        return []
    target = project.project_function(dependency)
    if target is None:
        return []
    fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
    out = []
    for q in fn.get("built_each", ()):
        cls = project.get_class(q)
        if cls is not None and cls[0] != found[0]:
            out.append(cls[0])
    return out


def _typed_receiver_method(project: "ProjectIndex", own: dict[str, dict[str, Any]], target: str) -> Optional[tuple[str, list[str]]]:
    """``organization_service.create_project`` called by a route whose parameter ``organization_service:
    OrganizationService = Depends(...)`` is typed with a project class: the method (``"<module>.<Class>.<method>"``,
    its parameters after ``self``), looked up along the class's bases."""
    head, _, method = target.partition(".")
    p = _receiver_param(project, own.get(head))
    if p is None or not method or "." in method or not p.get("type"):
        return None
    return _method_along_bases(project, p["type"], method)


def _receiver_param(project: "ProjectIndex", p: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """A route parameter's facts with a module-level ``Annotated`` alias read through (``service: ServiceDep``
    with ``ServiceDep = Annotated[Service, Depends(get_service)]``): the alias's type and dependency, as the
    parameter spelled out (``service: Service = Depends(get_service)``) has them."""
    if p is None or not p.get("alias"):
        return p
    entry = alias_entry(project, p["alias"])
    if entry is None or not entry.get("type"):
        return p
    return {**p, "type": entry["type"], "dependency": p.get("dependency") or entry.get("dependency")}


def _class_method(project: "ProjectIndex", target: str) -> Optional[tuple[str, list[str]]]:
    """``ApprovalService.approve`` called on the project class itself (a ``@staticmethod`` / ``@classmethod`` of a
    service class the route imports): the method (``"<module>.<Class>.<method>"``) and its parameters after the
    first (every parameter of a static method). A static or class method binds the positional arguments too
    (``_bound_by_call``); for any other method the caller binds only the arguments it passes by keyword."""
    cls, _, method = target.rpartition(".")
    if not cls or not method:
        return None
    if project.get_class(cls) is None:
        # (``announcement_service.list_announcements(...)`` on a module-level instance, ``announcement_service =
        # AnnouncementService()``: its class's method; the caller binds what it passes by keyword)
        from ..repositories import module_instance_class

        cls = module_instance_class(project, cls) or cls
    return _method_along_bases(project, cls, method)


def _method_along_bases(project: "ProjectIndex", cls: str, method: str) -> Optional[tuple[str, list[str]]]:
    """The first class along ``cls``'s bases that defines ``method``: ``("<module>.<Class>.<method>", its
    parameters after the first)``; ``None`` when its facts do not keep the parameters (a handler's method)."""
    found = project.get_class(cls)
    if found is None:
        return None
    for name, facts in project.class_mro(found[0]):
        if facts is None or method not in facts.get("methods", ()):
            continue
        split = project.split(name)
        if not split:
            return None
        entry = orm_facts(project.modules[split[0]]).get("methods", {}).get(f"{name.rsplit('.', 1)[-1]}.{method}") or {}
        if "args" not in entry:
            return None
        if entry.get("binding") == "static" and entry.get("first"):
            return f"{name}.{method}", [entry["first"], *entry["args"]]  # no ``self``: every parameter is bound
        return f"{name}.{method}", list(entry["args"])
    return None


def _bound_by_call(project: "ProjectIndex", key: str) -> bool:
    """The method ``key`` (``"<module>.<Class>.<method>"``) is a ``@staticmethod`` or a ``@classmethod``: called
    on its class, its positional arguments fill its parameters (after ``cls``) in order."""
    cls, _, method = key.rpartition(".")
    split = project.split(cls)
    if not split:
        return False
    entry = orm_facts(project.modules[split[0]]).get("methods", {}).get(f"{cls.rsplit('.', 1)[-1]}.{method}") or {}
    return entry.get("binding") in ("static", "class")


def _scalar_principal(project: "ProjectIndex", settings: "Settings", p: dict[str, Any]) -> bool:
    """A parameter whose auth dependency yields the caller's id itself (``get_sub_from_access_token -> int``),
    not a credential nor a principal object: handed on as it is, it is the principal's id."""
    found = param_dependency(project, settings, p)
    if found.kind != "auth" or found.credentials or found.resource:
        return False
    t = found.principal_type
    kind = last_segment(t) if t else None
    if kind in ("int", "UUID"):
        return True
    if kind != "str":
        return False
    # a ``str`` is the caller's id only when the dependency itself decodes a token (``sub`` of a JWT): one that
    # passes the scheme's value on (``get_access_token(token=Depends(oauth2)) -> str``) yields the raw token
    target = project.project_function(p["dependency"]) if p.get("dependency") else None
    if target is None:
        return False
    return bool(orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1], {}).get("auth"))


def principal_fed_names(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """The names of every ``principal_fed_parameters`` parameter (for the screens)."""
    if project is None:
        return frozenset()
    return project.stored_memo(
        f"auth.principal_fed_names:{_settings_key(settings)!r}",
        lambda: tuple(sorted({n for names in principal_fed_parameters(project, settings).values() for n in names})),
        load=tuple,
    )


def principal_handed_parameters(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, set[str]]:
    """``{function: parameters}``: parameters of project functions that some caller hands the principal's id,
    whatever other callers hand them (``principal_fed_parameters`` keeps only those no route hands client data)."""
    return _fed_parameters(project, settings)[0] if project is not None else {}


def principal_fed_here(ctx: "FileContext", func: cst.FunctionDef, fed: Any = None) -> frozenset[str]:
    """``principal_fed_parameters`` (``fed``: ``client_fed_parameters``) for a top-level function of the file
    being linted."""
    key = function_key(ctx, func)
    if key is None or ctx.project is None:
        return frozenset()
    return frozenset((fed or principal_fed_parameters)(ctx.project, ctx.settings).get(key, ()))


def function_key(ctx: "FileContext", func: cst.FunctionDef) -> Optional[str]:
    """``"<module>.<name>"`` (``"<module>.<Class>.<method>"``) of a top-level function of the file being linted,
    or of a method of a top-level class, as the index's facts key it; ``None`` for anything else."""
    if ctx.project is None or ctx.module is None:
        return None
    if any(s is func for s in ctx.module.body):
        local = func.name.value
    else:
        # a method of a top-level class (``OrganizationService.create_project``, called on a typed dependency)
        owner = next(
            (
                s for s in ctx.module.body
                if type(s) is cst.ClassDef and isinstance(s.body, cst.IndentedBlock) and any(b is func for b in s.body.body)
            ),
            None,
        )
        if owner is None:
            return None
        local = f"{owner.name.value}.{func.name.value}"
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return None
    return f"{module}.{local}" if module else None


def identity_words(project: Optional["ProjectIndex"], settings: "Settings") -> tuple[str, ...]:
    """Substrings one of which a file must contain for a function in it to have the identity in scope:
    principal parameter names, identity fields, ``Depends`` / ``Security``, auth dependency names, and
    the project's auth aliases and principal classes (``CurrentUser``, ``User``)."""

    def build() -> tuple[str, ...]:
        words = set(settings.principal_parameters) | set(settings.identity_fields) | {"Depends", "Security"}
        words |= {last_segment(e) for e in settings.auth_dependencies}
        words |= set(interesting_names(project, settings))
        words |= set(principal_fed_names(project, settings))
        words |= set(caller_values(project, settings))  # ``caller_email`` the project scopes rows by (``knowledge.scoping``)
        # a handler that decodes the caller in its body (``get_current_user_id(authorization)``, ``jwt.decode``)
        # from the header, the cookie or the request it is handed (``request.headers["Authorization"]``). (Not
        # the decoders' names: a memo reading every function's calls would go stale on any edit of a call, in
        # the language server.)
        words |= {"jwt.decode", "Header(", "Cookie(", "uthorization"}
        words |= caller_decorator_names(project)  # ``@require_auth(...)`` hands a Flask view the caller
        # a class-based view registered under an authenticating route class, or a base of one: its methods read
        # the caller off ``self.request`` (``view_classes``), whatever the file spells
        words |= set(configured_view_names(project))
        words |= set(configured_endpoint_names(project))  # functions registered under such a route class
        # a Flask view authenticated by a decorator: the caller is a global the module need not spell (``knowledge.flask``)
        words |= set(FLASK_SCREEN_WORDS)
        # a factory returning ``Depends(inner)`` called in a route's ``dependencies=[RequireTeamPermission(...)]``
        # (``routes.route_path_guards``): the route spells no marker
        words |= set(_marked_factory_names(project))
        if router_auth_routes(project):
            # a route authenticated only where its router is included (``Identity.router_auth``): its module need
            # spell no marker, no principal; it spells its route decorator (the family's ``requires`` words)
            words |= {f".{m}(" for m in ROUTE_DECORATORS} | {"add_api_route"}
        # a word that contains another adds nothing to an ``any(w in source)`` test
        kept = sorted(words, key=len)
        out: list[str] = []
        for w in kept:
            if w and not any(k in w for k in out):
                out.append(w)
        return tuple(out)

    if project is None:
        return build()
    return project.stored_memo(f"auth.identity_words:{_settings_key(settings)!r}", build, load=tuple)


def _marked_factory_names(project: Optional["ProjectIndex"]) -> set[str]:
    """Names of the project's functions that return ``Depends(inner)`` where ``inner`` depends on another
    dependency (index ``makes`` with ``marked``)."""
    out: set[str] = set()
    for _mod, facts in project.iter_modules() if project is not None else ():
        for name, fn in orm_facts(facts).get("functions", {}).items():
            made = fn.get("makes") or {}
            if made.get("marked") and any(p.get("dependency") for p in made.get("params", ())):
                out.add(name)
    return out


_LAST_IDENTITY_TEST: list = [None, None, None, False]  # (source, project, settings, answer): four rules ask per file


def may_have_identity(source: str, project: Any, settings: "Settings") -> bool:
    last = _LAST_IDENTITY_TEST
    if last[0] is source and last[1] is project and last[2] is settings:
        return last[3]
    answer = any(w in source for w in identity_words(project, settings))
    last[:] = [source, project, settings, answer]
    return answer


def _reads_request_user(func: cst.FunctionDef, params: list) -> bool:
    """The handler reads ``request.user`` off its ``Request`` parameter: behind a bare security scheme, with no
    middleware that sets it (``request_user_principals`` found none), Starlette refuses that read on every
    request, so the route serves nothing to claim."""
    names = _request_params(params)
    if not names:
        return False
    for node in walk_nodes(func.body):
        if isinstance(node, cst.Attribute) and node.attr.value == "user" and isinstance(node.value, cst.Name) and node.value.value in names:
            return True
    return False
