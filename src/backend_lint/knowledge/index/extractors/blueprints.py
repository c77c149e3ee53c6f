"""Index facts for Flask blueprints: which blueprints a module registers, and what it imports where the top-level
``imports`` do not look (read by ``knowledge.flask_blueprints``).

Stored under ``facts["extra"]["blueprints"]``:

- ``registers``: what the module hands to ``<x>.register_blueprint(...)`` (at module level, in a function, in a
  ``try``), resolved through the module's top-level bindings (``search_bp``, ``module.bp``: the spelling is kept
  when nothing binds it, as a name imported inside the function or a loop variable);
- ``dynamic``: the module imports modules by name (``importlib.import_module``, ``__import__``, werkzeug's
  ``import_string`` / ``find_modules``): what it registers cannot be told from the text;
- ``nested_imports``: imports written inside functions and classes (``from search.api_routes import bp`` in
  ``create_app``), as ``[level, module, [names]]``;
- ``views``: the module's top-level functions decorated ``@<x>.route(...)`` / ``.get(...)`` ... with the resolved
  receivers of those decorators (``{"global_search": ["search.api_routes.search_api_bp"]}``).
Nothing is imported."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ._common import Resolve, mentions, store, walk

_DYNAMIC = frozenset({"import_module", "__import__", "import_string", "find_modules"})
_ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete"})


def _receivers(fn: Any, resolve: Resolve) -> list[str]:
    out: list[str] = []
    for d in fn.decorator_list:
        if d.__class__ is ast.Call and d.func.__class__ is ast.Attribute and d.func.attr in _ROUTE_METHODS:
            q = resolve(d.func.value) if d.func.value.__class__ in (ast.Name, ast.Attribute) else None
            out.append(q or "?")
    return out


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    if not mentions("lueprint", "bp"):
        return  # (a module that imports a blueprint to register it or hand it on spells one of these)
    registers: list[str] = []
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
            if name == "register_blueprint":
                args = node.args  # type: ignore[attr-defined]
                arg: Optional[ast.AST] = args[0] if args else next((k.value for k in node.keywords if k.arg == "blueprint"), None)  # type: ignore[attr-defined]
                q = resolve(arg) if arg is not None and arg.__class__ in (ast.Name, ast.Attribute) else None
                registers.append(q or "?")
            elif name in _DYNAMIC:
                dynamic = True
        elif (t is ast.ImportFrom or t is ast.Import) and id(node) not in top:
            if t is ast.ImportFrom:
                nested.append([node.level or 0, node.module or "", [a.name for a in node.names]])  # type: ignore[attr-defined]
            else:
                nested.extend([0, a.name, []] for a in node.names)  # type: ignore[attr-defined]
    store(facts, "blueprints", {}, registers=registers, dynamic=dynamic, nested_imports=nested, views=views)
