"""Index facts for FastAPI routers: what a module hands to ``include_router``, and what it imports where the
top-level ``imports`` do not look (read by ``knowledge.fastapi_routers``).

Stored under ``facts["extra"]["routers"]``:

- ``includes``: what the module hands to ``<x>.include_router(...)`` (its first argument or ``router=``),
  resolved through the module's top-level bindings (``items.router``, ``users_router``; the spelling is kept
  when nothing binds it: a loop variable, a name imported inside the function);
- ``dynamic``: the module imports modules by name or loads plugins (``importlib.import_module``,
  ``__import__``, ``import_string``, ``pkgutil.iter_modules`` / ``walk_packages``, ``entry_points``,
  ``spec_from_file_location``): what it includes cannot be told from the text;
- ``nested_imports``: imports written inside functions and classes, as ``[level, module, [names]]``;
- ``views``: the module's top-level functions decorated ``@<x>.get(...)`` / ``.post`` / ... / ``.api_route`` /
  ``.websocket`` with the resolved receivers of those decorators.
Nothing is imported."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ._common import Resolve, mentions, store, walk

_DYNAMIC = frozenset(
    {"import_module", "__import__", "import_string", "find_modules", "iter_modules", "walk_packages", "entry_points", "spec_from_file_location", "load_module"}
)
_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"})


def _receivers(fn: Any, resolve: Resolve) -> list[str]:
    out: list[str] = []
    for d in fn.decorator_list:
        if d.__class__ is ast.Call and d.func.__class__ is ast.Attribute and d.func.attr in _ROUTE_METHODS:
            q = resolve(d.func.value) if d.func.value.__class__ in (ast.Name, ast.Attribute) else None
            out.append(q or "?")
    return out


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    if not mentions("outer"):
        return  # (``APIRouter``, ``include_router``, a ``router`` name: a module that makes, routes on or includes routers)
    includes: list[str] = []
    dynamic = False
    nested: list[list[Any]] = []
    views: dict[str, list[str]] = {}
    top = set(id(s) for s in tree.body)
    for stmt in tree.body:
        if stmt.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef):
            found = _receivers(stmt, resolve)
            if found:
                views[stmt.name] = found  # type: ignore[attr-defined]
    for node in walk(tree):
        t = node.__class__
        if t is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            name = func.attr if func.__class__ is ast.Attribute else (func.id if func.__class__ is ast.Name else "")
            if name == "include_router":
                args = node.args  # type: ignore[attr-defined]
                arg: Optional[ast.AST] = args[0] if args else next((k.value for k in node.keywords if k.arg == "router"), None)  # type: ignore[attr-defined]
                q = resolve(arg) if arg is not None and arg.__class__ in (ast.Name, ast.Attribute) else None
                includes.append(q or "?")
            elif name in _DYNAMIC:
                dynamic = True
        elif (t is ast.ImportFrom or t is ast.Import) and id(node) not in top:
            if t is ast.ImportFrom:
                nested.append([node.level or 0, node.module or "", [a.name for a in node.names]])  # type: ignore[attr-defined]
            else:
                nested.extend([0, a.name, []] for a in node.names)  # type: ignore[attr-defined]
    store(facts, "routers", {}, includes=includes, dynamic=dynamic, nested_imports=nested, views=views)
