"""Routes under an authenticating route class and views registered from configuration lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ...ground.lazy import lazy_import
from ..cst import definition_names_of
from ..facts import orm_facts
from ..fastapi import config_routes, configured_route, RouteInfo
from .dependencies import authenticating_function
from .request_gates import held_request_attributes

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


# --- routes under an authenticating route class; class-based views' ``self.request`` ----------------------

ROUTE_CLASSES = frozenset({"fastapi.routing.APIRoute", "fastapi.APIRoute"})


def authenticating_route_class(project: Optional["ProjectIndex"], q: Optional[str]) -> Optional[dict[str, Any]]:
    """What a custom route class (``APIRouter(route_class=AuthenticatedRoute)``) does for every route of its
    router, when it authenticates the request: a project class deriving from FastAPI's ``APIRoute`` whose
    ``get_route_handler`` override (itself or a base's; index fact ``route_classes``) puts an object on
    ``request.state`` (``request.state.session = self._get_session(request)``), raises, and reads the
    request's cookies or headers or calls a project function that authenticates a credential
    (``authenticating_function``). ``{"state": [attributes set on request.state], "exempt": [attributes
    read off the endpoint that let it skip the check, ``getattr(self.endpoint, "is_public", False)``]}``,
    or ``None``: a route class that only times or logs requests authenticates no one."""
    if project is None or not q:
        return None
    found = project.get_class(q)
    if found is None:
        return None
    mro = project.class_mro(found[0])
    if not any(name in ROUTE_CLASSES for name, _ in mro):
        return None
    for name, facts in mro:
        split = project.split(name) if facts is not None else None
        if split is None:
            continue
        orm = orm_facts(project.modules[split[0]])
        entry = orm.get("route_classes", {}).get(split[1])  # type: ignore[attr-defined]
        if entry is None:
            continue
        if not entry.get("state") or not entry.get("raises"):
            return None
        verified = bool(entry.get("credential"))
        if not verified:
            prefix = f"{split[1]}."
            for method, m in orm.get("methods", {}).items():  # type: ignore[attr-defined]
                if method.startswith(prefix) and any(authenticating_function(project, t) for t in m.get("calls_out", ())):
                    verified = True
                    break
        return {"state": list(entry["state"]), "exempt": list(entry.get("exempt") or ())} if verified else None
    return None


def _exempt_endpoint(ctx: "FileContext", func: cst.FunctionDef, exempt: list[str]) -> bool:
    """The endpoint (the function, or the class of a class-based view's ``__call__``) carries a project
    decorator that sets one of the attributes the route class reads to skip its check
    (``@public_route`` setting ``wrapper.is_public = True``; index fact ``marks``)."""
    project = ctx.project
    if project is None or not exempt:
        return False
    decorators = list(func.decorators)
    name = definition_names_of(ctx).get(id(func)) or ""
    if "." in name and ctx.module is not None:
        cls_name = name.split(".", 1)[0]
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value == cls_name:
                decorators.extend(stmt.decorators)
    for dec in decorators:
        expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        q = ctx.qualified_name(expr)
        found = project.project_function(q) if q else None
        if found is None:
            continue
        fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        if set(fn.get("marks", ())) & set(exempt):
            return True
    return False


def route_class_caller(ctx: "FileContext", func: cst.FunctionDef, route: Optional[RouteInfo]) -> Optional[list[str]]:
    """For a route registered under an authenticating route class (``authenticating_route_class``) whose
    endpoint is not exempted: the attributes that class puts on ``request.state`` (the caller's session or
    user); ``None`` otherwise."""
    if route is None or not route.route_class:
        return None
    found = authenticating_route_class(ctx.project, route.route_class)
    if found is None or _exempt_endpoint(ctx, func, found["exempt"]):
        return None
    return found["state"]


def view_request_attributes(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """``{"self.request"}`` for a method of a class-based view that holds the request on the object: the
    class or a project base declares ``request: Request`` or its ``__init__`` keeps a ``Request`` parameter
    (``self.request = request``): ``request_gates.held_request_attributes`` of the method's class."""
    project = ctx.project
    name = definition_names_of(ctx).get(id(func)) or ""
    if project is None or "." not in name:
        return frozenset()
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return frozenset()
    return held_request_attributes(project, f"{module}.{name.split('.', 1)[0]}")


def view_classes(project: Optional["ProjectIndex"]) -> dict[str, list[str]]:
    """Class-based views registered from configuration lists under an authenticating route class, and every
    project base class of theirs: ``{class: [attributes the route class puts on request.state]}``. Their
    methods (``get_project(self, project_id)`` of a base view, called by the views' ``__call__``) read the
    caller off ``self.request`` as the views do."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for endpoint, entries in config_routes(project).items():
            if project.get_class(endpoint) is None:
                continue
            for entry in entries:
                found = authenticating_route_class(project, entry.get("route_class"))
                if found is None:
                    continue
                for name, facts in project.class_mro(endpoint):
                    if facts is not None:
                        out.setdefault(name, [])
                        out[name] = sorted(set(out[name]) | set(found["state"]))
        return out

    return project.memo("auth.view_classes", build)


def _view_helper(ctx: "FileContext", func: cst.FunctionDef) -> Optional[tuple[frozenset[str], list[str]]]:
    """For a method (not ``__call__``) of a class-based view registered under an authenticating route class,
    or of a project base of one (``view_classes``), that holds the request (``view_request_attributes``):
    (the request's names, the attributes the route class puts on ``request.state``)."""
    project = ctx.project
    if project is None or "request" not in ctx.source:
        return None
    classes = view_classes(project)
    if not classes:
        return None
    name = definition_names_of(ctx).get(id(func)) or ""
    if "." not in name:
        return None
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return None
    state = classes.get(f"{module}.{name.split('.', 1)[0]}")
    if state is None:
        return None
    held = view_request_attributes(ctx, func)
    return (frozenset(held), state) if held else None


def _configured_route_nodes(
    project: "ProjectIndex", nodes: dict[str, dict[str, Any]], node_module: dict[str, str], by_name: dict[str, list[str]]
) -> list[str]:
    """The nodes of ``_claim_reach``'s graph that handle routes registered from configuration lists: a
    function endpoint, or a class-based view's ``__call__`` (index ``callables``; added to the graph here)."""
    out: list[str] = []
    for endpoint in config_routes(project):
        if endpoint in nodes:
            out.append(endpoint)
            continue
        split = project.split(endpoint)
        if split is None or project.get_class(endpoint) is None:
            continue
        call = orm_facts(project.modules[split[0]]).get("callables", {}).get(split[1])
        if call is None:
            continue
        q = f"{endpoint}.__call__"
        nodes[q] = call
        node_module[q] = split[0]
        by_name.setdefault("__call__", []).append(q)
        out.append(q)
    return out


def configured_view_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """The short names of ``view_classes``: a file that defines one may have the caller in scope."""
    if project is None:
        return frozenset()
    return frozenset(q.rsplit(".", 1)[-1] for q in view_classes(project))


def configured_endpoint_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """The short names of the functions registered from configuration lists under an authenticating route
    class (``config_routes``, ``authenticating_route_class``): their request carries the caller, whatever the
    file spells, so the screens of families 1 and 2 let such a function through."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out: set[str] = set()
        for endpoint, entries in config_routes(project).items():
            if project.get_class(endpoint) is not None:
                continue  # a class-based view: ``configured_view_names``
            if any(authenticating_route_class(project, e.get("route_class")) is not None for e in entries):
                out.add(endpoint.rsplit(".", 1)[-1])
        return sorted(out)

    return frozenset(project.memo("auth.configured_endpoint_names", build))


def _guarded_configured_route(ctx: "FileContext", func: cst.FunctionDef) -> Optional[RouteInfo]:
    """A route registered from a configuration list (``configured_route``) counts for families 1-2 only under an
    authenticating route class (``authenticating_route_class``): the screens let exactly those endpoints
    through (``configured_endpoint_names``, ``configured_view_names``), and a route a screen skips must not be
    one a visitor reports on."""
    route = configured_route(ctx, func)
    if route is None or authenticating_route_class(ctx.project, route.route_class) is None:
        return None
    return route
