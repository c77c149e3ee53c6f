"""FastAPI vocabulary shared by families 1, 2, 3 and 5: route handlers and their parameters.

A *route handler* is a function decorated by ``<router>.get/post/put/patch/delete/head/options/trace/
api_route/websocket(...)`` where ``<router>`` is an ``APIRouter`` / ``FastAPI`` instance (created in the
module, imported from another project module, or an instance of a project subclass), or a function
registered with ``<router>.add_api_route(path, endpoint, ...)``.

Also here: ``route_facts`` (an index extractor, so other modules' routers are known) and the
per-file ``RouterTable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from ..ground.lazy import lazy_import

from .cst import walk
from .imports import dotted_name

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
ROUTE_DECORATORS = frozenset(HTTP_METHODS + ("api_route", "websocket"))
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

    @property
    def is_update(self) -> bool:
        return bool(self.methods & {"PUT", "PATCH"})


def _is_router_class(ctx: "FileContext", qualified: Optional[str]) -> bool:
    if qualified is None:
        return False
    if qualified in ROUTER_CLASSES:
        return True
    project = ctx.project
    if project is None:
        return False
    for name, _ in project.class_mro(qualified)[1:]:
        if name in ROUTER_CLASSES:
            return True
    return False


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
        if attr == "api_route":
            methods = _methods_arg(call)
        elif attr == "websocket":
            methods = frozenset({"WEBSOCKET"})
        else:
            methods = frozenset({attr.upper()})
        return RouteInfo(methods, _string_arg(call, 0, "path"), dec, router, func, websocket=attr == "websocket")
    registered = added_routes(ctx).get(func.name.value)
    if registered is not None:
        methods, path, router = registered
        return RouteInfo(methods, path, None, router, func)
    return None


def added_routes(ctx: "FileContext") -> dict[str, tuple[frozenset[str], Optional[str], str]]:
    """Functions registered with ``<router>.add_api_route(path, endpoint, methods=[...])`` in the module."""

    def build() -> dict[str, tuple[frozenset[str], Optional[str], str]]:
        out: dict[str, tuple[frozenset[str], Optional[str], str]] = {}
        if "add_api_route" not in ctx.source:
            return out
        table = router_table(ctx)
        for node in walk(ctx.module):  # type: ignore[arg-type]
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "add_api_route"
                and table.is_router(node.func.value)
            ):
                endpoint = None
                for i, arg in enumerate(node.args):
                    if (arg.keyword is None and i == 1) or (arg.keyword is not None and arg.keyword.value == "endpoint"):
                        endpoint = arg.value
                if isinstance(endpoint, cst.Name):
                    out[endpoint.value] = (_methods_arg(node), _string_arg(node, 0, "path"), dotted_name(node.func.value) or "?")
        return out

    return ctx.cached("fastapi.added_routes", build)


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
    return frozenset(out)
