"""FastAPI vocabulary shared by families 1, 2, 3 and 5: route handlers and their parameters.

A *route handler* is a function decorated by ``<router>.get/post/put/patch/delete/head/options/trace/
api_route/websocket(...)`` where ``<router>`` is an ``APIRouter`` / ``FastAPI`` instance (created in the
module, imported from another project module, or an instance of a project subclass), or a function
registered with ``<router>.add_api_route(path, endpoint, ...)``.

A *router class* is FastAPI's or Starlette's, a project class deriving from one, or a name bound to what a
project function returns when its return annotation says it is a router class (polar's
``APIRouter = get_api_router_class(APIRoute)`` with ``def get_api_router_class(...) -> type[APIRouter]``); a
name bound to the call of a project function annotated ``-> APIRouter`` holds a router
(``router = make_router()``). ``is_router_class`` and ``makes_router`` answer from the project index.

Also here: the per-file ``RouterTable``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..ground.lazy import lazy_import

from .cst import definition_names_of, iter_children
from .facts import orm_facts
from .imports import dotted_name
# (``HTTP_METHODS``, ``ROUTE_DECORATORS``: defined beside the screens' tree facts, which the project index records)
from .tree_facts import HTTP_METHODS, ROUTE_DECORATORS

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from .index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

ROUTER_CLASSES = frozenset(
    {
        "fastapi.APIRouter",
        "fastapi.FastAPI",
        "fastapi.routing.APIRouter",
        "fastapi.applications.FastAPI",
        "starlette.applications.Starlette",
        "starlette.routing.Router",
    }
)


@dataclass
class RouteInfo:
    methods: frozenset[str]
    path: Optional[str]
    decorator: Optional[cst.Decorator]
    router: str
    func: cst.FunctionDef
    websocket: bool = False
    # a route registered through a project wrapper handed the router's method (``@protected_route(router.get,
    # "/x", [Scope.READ])``): the wrapper's qualified name (its ``dependencies=[...]``: ``wrapper_dependencies``)
    wrapper: Optional[str] = None
    # a route registered from a configuration list (``config_routes``): the route class its router was given
    # (``APIRouter(route_class=AuthenticatedRoute)``), qualified, when any
    route_class: Optional[str] = None
    # ``True`` for such a route: registered by a project helper, not by a decorator or ``add_api_route`` here
    configured: bool = False
    # a method of a class-based controller (``classy_fastapi``, ``classy_route``): the call that builds its
    # router (``super().__init__(prefix=..., dependencies=[...])``), which stands for the router's assignment
    router_call: Optional[cst.Call] = None

    @property
    def is_update(self) -> bool:
        return bool(self.methods & {"PUT", "PATCH"})

    def wrapped_decorators(self) -> list[cst.Decorator]:
        """The handler's decorators applied beneath the route's own (listed under it): they wrap what the router
        calls. One listed above the route's wraps a function the router never calls. All of them when the
        route was registered otherwise (``add_api_route``, a wrapper, configuration)."""
        decorators = list(self.func.decorators)
        for i, d in enumerate(decorators):
            if d is self.decorator:
                return decorators[i + 1 :]
        return decorators


_TYPE_HEADS = frozenset({"type", "builtins.type", "typing.Type", "typing_extensions.Type"})


def is_router_class(project: Optional["ProjectIndex"], qualified: Optional[str]) -> bool:
    """The name is a router class: FastAPI's or Starlette's, a project class deriving from one (also from a
    factory-made one), a name bound to a router class (``Router = APIRouter``) or to what a project
    function annotated ``-> type[APIRouter]`` returns."""
    if qualified is None:
        return False
    if qualified in ROUTER_CLASSES:
        return True
    if project is None:
        return False
    return bool(project.memo(("fastapi.router_class", qualified), lambda: _router_class(project, qualified, 0)))


def makes_router(project: Optional["ProjectIndex"], called: Optional[str]) -> bool:
    """Calling the name gives a router: it is a router class, or a project function annotated
    ``-> APIRouter`` (or a subclass)."""
    if is_router_class(project, called):
        return True
    if project is None or called is None:
        return False
    return project.memo(("fastapi.router_factory", called), lambda: _returns(project, called, 0) == "instance")


def is_router_receiver(
    project: "ProjectIndex",
    receiver: Optional[str],
    module_uses_fastapi: bool,
    makes: Optional[Callable[["ProjectIndex", str], bool]] = None,
) -> bool:
    """The receiver of an index route fact (``@<receiver>.get(...)``, resolved to a qualified name) holds a
    router: a module-level name bound to a call that makes one (``makes``, by default ``makes_router``). A
    name the index cannot follow counts when the module imports FastAPI."""
    if receiver is None:
        return module_uses_fastapi
    found = project.resolve_symbol(receiver)
    if found is None:
        return module_uses_fastapi
    if found[2] != "assignments":
        return False
    call = project.modules[found[0]]["assignments"][found[1]].get("call")
    if call is None:
        return module_uses_fastapi
    return (makes or makes_router)(project, call)


def _router_class(project: "ProjectIndex", qualified: str, depth: int) -> bool:
    if depth > 6:
        return False
    for name, facts in project.class_mro(qualified):
        if name in ROUTER_CLASSES:
            return True
        if facts is None and _bound_class(project, name, depth + 1):
            return True
    return False


def _bound_class(project: "ProjectIndex", qualified: str, depth: int) -> bool:
    """A module-level name bound to a router class: an alias of one, or the result of a project function
    that returns one."""
    found = project.resolve_symbol(qualified)
    if found is None or found[2] != "assignments":
        return False
    mod, name, _ = found
    facts = project.modules[mod]["assignments"][name]
    call = facts.get("call")
    if call is not None:
        return _returns(project, call, depth) == "class"
    value = _parse(facts.get("value"))
    target = _resolve_in(project, mod, value) if isinstance(value, (ast.Name, ast.Attribute)) else None
    return target is not None and target != qualified and (target in ROUTER_CLASSES or _router_class(project, target, depth + 1))


def _returns(project: "ProjectIndex", function: str, depth: int) -> Optional[str]:
    """``"class"`` when a project function's return annotation is ``type[<router class>]``, ``"instance"``
    when it is a router class, else ``None``."""
    found = project.project_function(function)
    if found is None or depth > 6:
        return None
    mod, name = found
    node = _parse(project.modules[mod]["functions"][name].get("returns"))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = _parse(node.value)
    kind = "instance"
    if isinstance(node, ast.Subscript) and _resolve_in(project, mod, node.value) in _TYPE_HEADS:
        kind, node = "class", node.slice
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return None
    target = _resolve_in(project, mod, node)
    if target is None or not (target in ROUTER_CLASSES or _router_class(project, target, depth + 1)):
        return None
    return kind


def _parse(source: Optional[str]) -> Optional[ast.expr]:
    if not source:
        return None
    try:
        return ast.parse(source, mode="eval").body
    except SyntaxError:
        return None


def _resolve_in(project: "ProjectIndex", module: str, node: ast.AST) -> Optional[str]:
    """The qualified name a ``Name`` / ``Attribute`` has in a project module (its imports, its own names;
    builtins keep their name)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    facts: Any = project.modules.get(module, {})
    if node.id in facts.get("imports", {}):
        head = facts["imports"][node.id]
    elif any(node.id in facts.get(kind, {}) for kind in ("classes", "functions", "assignments")):
        head = f"{module}.{node.id}"
    else:
        head = node.id
    return ".".join([head, *reversed(parts)])


def _is_router_class(ctx: "FileContext", qualified: Optional[str]) -> bool:
    """Calling the name gives a router (a router class or a project function that returns a router)."""
    return makes_router(ctx.project, qualified)


class RouterTable:
    """Names in one module that hold a router or app object."""

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self.local: set[str] = set()
        module = ctx.module
        assert module is not None
        for stmt in module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                targets: list[cst.BaseExpression] = []
                value = None
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                    value = small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets = [small.target]
                    value = small.value
                if isinstance(value, cst.Call) and _is_router_class(ctx, ctx.qualified_name(value.func)):
                    for t in targets:
                        if isinstance(t, cst.Name):
                            self.local.add(t.value)

    def is_router(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name) and expr.value in self.local:
            return True
        qualified = self.ctx.qualified_name(expr)
        project = self.ctx.project
        if qualified is None or project is None:
            return False
        found = project.resolve_symbol(qualified)
        if found is None or found[2] != "assignments":
            return False
        mod, name, _ = found
        facts = project.modules[mod]
        call = facts["assignments"][name].get("call")
        return _is_router_class(self.ctx, call)


def router_table(ctx: "FileContext") -> RouterTable:
    return ctx.cached("fastapi.routers", lambda: RouterTable(ctx))


def _string_arg(call: cst.Call, position: int, keyword: str) -> Optional[str]:
    for i, arg in enumerate(call.args):
        if (arg.keyword is None and i == position and arg.star == "") or (
            arg.keyword is not None and arg.keyword.value == keyword
        ):
            if isinstance(arg.value, cst.SimpleString):
                return arg.value.evaluated_value  # type: ignore[return-value]
            return None
    return None


def _route_methods(attr: str, call: cst.Call) -> frozenset[str]:
    """The HTTP methods of a route registered by ``<router>.<attr>(...)``: ``api_route``'s ``methods=[...]``,
    ``WEBSOCKET`` for ``websocket``, else the method's own name."""
    if attr == "api_route":
        return _methods_arg(call)
    if attr == "websocket":
        return frozenset({"WEBSOCKET"})
    return frozenset({attr.upper()})


def _methods_arg(call: cst.Call) -> frozenset[str]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "methods" and isinstance(arg.value, (cst.List, cst.Tuple, cst.Set)):
            out = set()
            for el in arg.value.elements:
                if isinstance(el.value, cst.SimpleString):
                    out.add(str(el.value.evaluated_value).upper())
            return frozenset(out)
    return frozenset({"GET"})


def route_info(ctx: "FileContext", func: cst.FunctionDef) -> Optional[RouteInfo]:
    """The route this function handles, or ``None`` when it is not a route handler."""
    return ctx.cached(("fastapi.route", id(func)), lambda: _route_info(ctx, func))


def _route_info(ctx: "FileContext", func: cst.FunctionDef) -> Optional[RouteInfo]:
    table = router_table(ctx)
    for dec in func.decorators:
        call = dec.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            continue
        attr = call.func.attr.value
        if attr not in ROUTE_DECORATORS or not table.is_router(call.func.value):
            continue
        router = dotted_name(call.func.value) or "?"
        return RouteInfo(_route_methods(attr, call), _string_arg(call, 0, "path"), dec, router, func, websocket=attr == "websocket")
    for dec in func.decorators:
        found = _wrapped_route(ctx, table, func, dec)
        if found is not None:
            return found
    classy = classy_route(ctx, func)
    if classy is not None:
        return classy
    registered = added_routes(ctx).get(func.name.value)
    if registered is not None:
        methods, path, router, call = registered
        # the registering call stands for the decorator: its keywords (``response_model=``, ``dependencies=``)
        # are the route's
        return RouteInfo(methods, path, cst.Decorator(decorator=call), router, func)
    return None


# ``classy_fastapi``'s route decorators (``from classy_fastapi import get``): bare functions that mark a method of a
# ``Routable`` (or ``RoutableMeta``) class as an endpoint; the class's constructor builds the router
CLASSY_MODULES = ("classy_fastapi", "classy_fastapi.decorators")
CLASSY_VERBS = frozenset(HTTP_METHODS + ("route", "websocket"))


def classy_route(ctx: "FileContext", func: cst.FunctionDef) -> Optional[RouteInfo]:
    """A method of a class-based controller decorated ``@get("/{id}", dependencies=[...])`` with a decorator
    imported from ``classy_fastapi``: its path is the class's prefix (``super().__init__(prefix="/teams/{team_id}
    /roles", ...)`` in the class's ``__init__``) joined to the decorator's; the constructor's call stands for the
    router (its ``dependencies=[...]`` are the router's)."""
    if not func.decorators or "classy_fastapi" not in ctx.source:
        return None
    for dec in func.decorators:
        call = dec.decorator
        if not isinstance(call, cst.Call):
            continue
        q = ctx.qualified_name(call.func) or ""
        module, _, verb = q.rpartition(".")
        if module not in CLASSY_MODULES or verb not in CLASSY_VERBS:
            continue
        cls = _enclosing_class(ctx, func)
        if cls is None:
            return None
        init = _super_init_call(cls)
        path = _string_arg(call, 0, "path")
        prefix = _string_arg(init, 0, "prefix") if init is not None else None
        if prefix and path is not None:
            path = prefix + path
        methods = _methods_arg(call) if verb == "route" else _route_methods(verb, call)
        return RouteInfo(methods, path, dec, cls.name.value, func, websocket=verb == "websocket", router_call=init)
    return None


def _enclosing_class(ctx: "FileContext", func: cst.FunctionDef) -> Optional[cst.ClassDef]:
    """The top-level class whose body defines ``func``."""
    module = ctx.module
    for stmt in module.body if module is not None else ():
        if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock) and any(s is func for s in stmt.body.body):
            return stmt
    return None


def _super_init_call(cls: cst.ClassDef) -> Optional[cst.Call]:
    """``super().__init__(...)`` in the class's own ``__init__``."""
    for stmt in cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ():
        if not (isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__"):
            continue
        stack = list(iter_children(stmt.body))
        while stack:
            node = stack.pop()
            if (
                isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "__init__"
                and isinstance(node.func.value, cst.Call) and dotted_name(node.func.value.func) == "super"
            ):
                return node
            stack.extend(iter_children(node))
    return None


def configured_route(ctx: "FileContext", func: cst.FunctionDef) -> Optional[RouteInfo]:
    """A top-level function, or the ``__call__`` of a top-level class-based view, that a project helper
    registers from a configuration list (``config_routes``). Read by families 1 and 2 (``knowledge.auth``)
    beside ``route_info``; the other families' screens do not look for such routes, so ``route_info`` does not
    answer for them."""
    return ctx.cached(("fastapi.configured_route", id(func)), lambda: _configured_route(ctx, func))


def _configured_route(ctx: "FileContext", func: cst.FunctionDef) -> Optional[RouteInfo]:
    project = ctx.project
    if project is None or not config_routes(project):
        return None
    name = definition_names_of(ctx).get(id(func))
    if name is None:
        return None
    if "." in name:
        cls, _, method = name.partition(".")
        if method != "__call__":
            return None
        name = cls
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return None
    if not module:
        return None
    found = config_route(project, f"{module}.{name}")
    if found is None:
        return None
    return RouteInfo(
        frozenset(found.get("methods") or ("GET",)), found.get("path"), None, "?", func,
        route_class=found.get("route_class"), configured=True,
    )


def route_wrapper(project: Optional["ProjectIndex"], qualified: Optional[str]) -> Optional[dict[str, Any]]:
    """What a project decorator factory does with the router method it is handed, when it registers a route
    with it (index fact ``registers``: it calls that parameter, ``method(path, dependencies=[...], **kw)``,
    and applies the result to the decorated function, as ``router.get(path)(fn)`` does): ``{"method": index
    of the method parameter, "path": index of the path parameter or None, "dependencies": [markers]}``. A
    decorator that is handed ``router.get`` but never registers with it is no route (``None``)."""
    if project is None or not qualified:
        return None
    found = project.project_function(qualified)
    if found is None:
        return None
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1])
    registers = fn.get("registers") if fn else None
    return registers if isinstance(registers, dict) else None


def index_route(project: Optional["ProjectIndex"], fn: dict[str, Any]) -> bool:
    """An index function or method entry (``orm`` facts) is a request handler: ``route``, and when it was
    registered through a project wrapper (``route_wrapper``), that wrapper registers routes."""
    if not fn.get("route"):
        return False
    wrapper = fn.get("route_wrapper")
    return wrapper is None or route_wrapper(project, wrapper) is not None


def _wrapped_route(ctx: "FileContext", table: RouterTable, func: cst.FunctionDef, dec: cst.Decorator) -> Optional[RouteInfo]:
    """``@wrapper(router.get, "/path", ...)`` where ``wrapper`` is a project function that registers the route
    with the router method it is handed (``route_wrapper``)."""
    call = dec.decorator
    if not isinstance(call, cst.Call) or len(call.args) < 2:
        return None
    first = call.args[0]
    if first.keyword is not None or first.star or not isinstance(first.value, cst.Attribute):
        return None
    attr = first.value.attr.value
    if attr not in ROUTE_DECORATORS or not table.is_router(first.value.value):
        return None
    wrapper = ctx.qualified_name(call.func)
    registers = route_wrapper(ctx.project, wrapper)
    if registers is None or registers.get("method") != 0:
        return None
    path = None
    position = registers.get("path")
    if isinstance(position, int):
        path = _string_arg(call, position, "path")
    router = dotted_name(first.value.value) or "?"
    return RouteInfo(_route_methods(attr, call), path, dec, router, func, websocket=attr == "websocket", wrapper=wrapper)


def added_routes(ctx: "FileContext") -> dict[str, tuple[frozenset[str], Optional[str], str, cst.Call]]:
    """Functions registered with ``<router>.add_api_route(path, endpoint, methods=[...])`` in the module, on a
    module-level router or on one the enclosing function builds (``router = APIRouter()`` in its body):
    endpoint name -> methods, path, router and the registering call."""

    def build() -> dict[str, tuple[frozenset[str], Optional[str], str, cst.Call]]:
        out: dict[str, tuple[frozenset[str], Optional[str], str, cst.Call]] = {}
        if "add_api_route" not in ctx.source:
            return out
        table = router_table(ctx)

        def scan(scope: cst.CSTNode, local: frozenset[str]) -> None:
            stack = list(iter_children(scope))
            while stack:
                node = stack.pop()
                if isinstance(node, cst.FunctionDef):
                    scan(node, _function_routers(ctx, node))
                    continue
                if isinstance(node, cst.ClassDef):
                    scan(node, frozenset())
                    continue
                if (
                    isinstance(node, cst.Call)
                    and isinstance(node.func, cst.Attribute)
                    and node.func.attr.value == "add_api_route"
                    and (
                        (isinstance(node.func.value, cst.Name) and node.func.value.value in local)
                        or table.is_router(node.func.value)
                    )
                ):
                    endpoint = None
                    for i, arg in enumerate(node.args):
                        if (arg.keyword is None and i == 1) or (arg.keyword is not None and arg.keyword.value == "endpoint"):
                            endpoint = arg.value
                    if isinstance(endpoint, cst.Name) and endpoint.value not in out:
                        out[endpoint.value] = (_methods_arg(node), _string_arg(node, 0, "path"), dotted_name(node.func.value) or "?", node)
                stack.extend(iter_children(node))

        scan(ctx.module, frozenset())  # type: ignore[arg-type]
        return out

    return ctx.cached("fastapi.added_routes", build)


def _function_routers(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """Names the function's own body (nested functions and classes left out) binds to a new router."""
    out: set[str] = set()
    stack = list(iter_children(func.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) and makes_router(ctx.project, ctx.qualified_name(node.value.func)):
            out.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
        stack.extend(iter_children(node))
    return frozenset(out)


def path_parameters(path: Optional[str]) -> frozenset[str]:
    """``"/items/{item_id}/tags/{tag:path}"`` -> ``{"item_id", "tag"}``."""
    if not path:
        return frozenset()
    out = set()
    i = 0
    while True:
        start = path.find("{", i)
        if start < 0:
            break
        end = path.find("}", start)
        if end < 0:
            break
        out.add(path[start + 1 : end].split(":")[0].strip())
        i = end + 1
    if "<" in path:
        # a Flask rule: ``"/items/<int:item_id>/<name>"`` (``knowledge.flask``)
        out.update(m.rsplit(":", 1)[-1].strip() for m in _FLASK_RULE_PART.findall(path))
    return frozenset(out)


_FLASK_RULE_PART = re.compile(r"<([^<>]+)>")


# --- routes registered from lists of configuration objects ---------------------------------------------

def config_routes(project: Optional["ProjectIndex"]) -> dict[str, list[dict[str, Any]]]:
    """Endpoints registered by a project helper that loops over configuration objects and hands each one's
    fields to ``<router>.add_api_route(...)`` (index fact ``registers_configs``: ``register_routes(router,
    route_config)`` with ``for config in configs: router.add_api_route(path=config.path,
    endpoint=config.as_view(), methods=[method])``), called at module level with a router (a name bound to a
    router class's call) and a module-level list of calls (``[RouteConfig(path="/x/{id}", endpoint=view,
    methods=["GET"]), ...]``): ``{qualified endpoint (a function, or a class-based view): [{"methods",
    "path", "route_class", "module", "line"}]}``. The endpoint is the keyword named by the field the helper
    reads (through a zero-argument method of the configuration's class returning ``self.<field>``); what
    cannot be proved (a list built otherwise, a router the index cannot follow) registers nothing."""
    if project is None:
        return {}
    return project.stored_memo("fastapi.config_routes", lambda: _config_routes(project), load=dict)


def _config_routes(project: "ProjectIndex") -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for mod, facts in project.iter_modules():
        for call in orm_facts(facts).get("module_calls", ()):
            helper = _config_helper(project, call.get("func"))
            if helper is None:
                continue
            router = _argument(call, helper["router"], None)
            configs = _argument(call, helper["configs"], None)
            if router is None or configs is None:
                continue
            made = _router_made(project, router)
            if made is None:
                continue
            route_class = made
            for entry in _config_entries(project, configs, helper):
                entry["route_class"] = route_class or None
                entry["module"] = mod
                entry["line"] = call.get("line")
                out.setdefault(entry.pop("endpoint"), []).append(entry)
    return out


def _config_helper(project: "ProjectIndex", func: Optional[str]) -> Optional[dict[str, Any]]:
    if not func:
        return None
    found = project.project_function(func)
    if found is None:
        return None
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    helper = fn.get("registers_configs")
    if not isinstance(helper, dict):
        return None
    params = [p.get("name") for p in fn.get("params", ())] or [p.get("name") for p in project.modules[found[0]]["functions"][found[1]].get("params", ())]
    return {**helper, "params": params}


def _argument(call: dict[str, Any], index: int, default: Any) -> Any:
    args = call.get("args") or []
    if index < len(args):
        return args[index]
    return default


def _router_made(project: "ProjectIndex", name: str) -> Optional[str]:
    """For a module-level name bound to a router (``router = APIRouter(route_class=AuthenticatedRoute)``):
    the qualified route class given to it, ``""`` when none; ``None`` when the name holds no router."""
    found = project.resolve_symbol(name)
    if found is None or found[2] != "assignments":
        return None
    mod, var, _ = found
    facts = project.modules[mod]["assignments"][var]
    if not makes_router(project, facts.get("call")):
        return None
    value = _parse(facts.get("value"))
    if not isinstance(value, ast.Call):
        return ""
    for kw in value.keywords:
        if kw.arg == "route_class" and isinstance(kw.value, (ast.Name, ast.Attribute)):
            target = _resolve_in(project, mod, kw.value)
            return project.canonical(target) if target else ""
    return ""


def _config_entries(project: "ProjectIndex", name: str, helper: dict[str, Any]) -> list[dict[str, Any]]:
    """The endpoints of a module-level list of configuration calls, with their paths and methods."""
    found = project.resolve_symbol(name)
    if found is None or found[2] != "assignments":
        return []
    mod, var, _ = found
    value = _parse(project.modules[mod]["assignments"][var].get("value"))
    if not isinstance(value, (ast.List, ast.Tuple)):
        return []
    out: list[dict[str, Any]] = []
    fields: dict[str, Optional[str]] = {}
    for el in value.elts:
        if not isinstance(el, ast.Call) or not isinstance(el.func, (ast.Name, ast.Attribute)):
            continue
        cls = _resolve_in(project, mod, el.func)
        if cls is None:
            continue
        if cls not in fields:
            fields[cls] = _endpoint_field(project, cls, helper)
        endpoint_field = fields[cls]
        if endpoint_field is None:
            continue
        given = {kw.arg: kw.value for kw in el.keywords if kw.arg}
        endpoint = given.get(endpoint_field)
        if not isinstance(endpoint, (ast.Name, ast.Attribute)):
            continue
        target = _resolve_in(project, mod, endpoint)
        if target is None:
            continue
        path = given.get(helper.get("path") or "")
        methods = given.get(helper.get("methods") or "")
        out.append({
            "endpoint": project.canonical(target),
            "path": path.value if isinstance(path, ast.Constant) and isinstance(path.value, str) else None,
            "methods": sorted(
                str(e.value).upper() for e in methods.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ) if isinstance(methods, (ast.List, ast.Tuple)) else ["GET"],
        })
    return out


def _endpoint_field(project: "ProjectIndex", cls: str, helper: dict[str, Any]) -> Optional[str]:
    """The keyword of a configuration call that holds the endpoint: the field the helper reads
    (``config.endpoint``), or the field a zero-argument method of the configuration's class returns
    (``config.as_view()`` returning ``self.endpoint``)."""
    if helper.get("endpoint"):
        return helper["endpoint"]
    method = helper.get("endpoint_method")
    found = project.get_class(cls)
    if not method or found is None:
        return None
    for name, _facts in project.class_mro(found[0]):
        split = project.split(name)
        if split is None:
            continue
        entry = orm_facts(project.modules[split[0]]).get("methods", {}).get(f"{split[1]}.{method}")  # type: ignore[attr-defined]
        if entry is not None:
            returned = entry.get("returns_self") or []
            return returned[0] if len(returned) == 1 else None
    return None


def config_route(project: Optional["ProjectIndex"], qualified: Optional[str]) -> Optional[dict[str, Any]]:
    """The first registration of a function or a class-based view from configuration lists
    (``config_routes``), or ``None``."""
    if project is None or not qualified:
        return None
    found = config_routes(project).get(qualified)
    return found[0] if found else None
