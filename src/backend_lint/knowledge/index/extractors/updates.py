"""Index facts for family 5: which functions the PUT / PATCH route handlers hand their data to.

Stored under ``facts["extra"]["updates"]``:

- ``handler_callees``: resolved dotted names of the callables that a PUT/PATCH handler of this module
  calls with one of its own parameters (``crud.update_item(db, db_obj, item_in)``,
  ``apply_patch(conn, body)``). The called function is then an *update context* too (RULES.md: "route
  handlers and the service/CRUD functions they call"), wherever it lives in the project.

The handler test is syntactic here (``@<x>.put(...)`` / ``@<x>.patch(...)`` / ``@<x>.api_route(...,
methods=[...PUT/PATCH...])``); the rules confirm routers with ``knowledge.fastapi`` in the linted file.
Nothing is imported.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Optional

from ._common import walk_function

VERSION = "1"


def _is_update_route(decorator: ast.expr) -> bool:
    if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
        return False
    attr = decorator.func.attr
    if attr in ("put", "patch"):
        return True
    if attr == "api_route":
        for kw in decorator.keywords:
            if kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
                for el in kw.value.elts:
                    if isinstance(el, ast.Constant) and isinstance(el.value, str) and el.value.upper() in ("PUT", "PATCH"):
                        return True
    return False


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = fn.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names.discard("self")
    names.discard("cls")
    return names


def _callees(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Callable[[ast.expr], Optional[str]]) -> list[str]:
    params = _params(fn)
    out: list[str] = []
    for node in walk_function(fn):
        if node.__class__ is not ast.Call:
            continue
        values = list(node.args) + [k.value for k in node.keywords]
        if not any(isinstance(v, ast.Name) and v.id in params for v in values):
            continue
        name = resolve(node.func)
        if name and "." in name and not name.startswith(("self.", "cls.")) and name not in out:
            out.append(name)
    return out


def extract(tree: ast.Module, facts: dict[str, Any], resolve: Callable[[ast.expr], Optional[str]]) -> None:
    callees: list[str] = []
    for stmt in tree.body:
        functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(stmt)
        elif isinstance(stmt, ast.ClassDef):
            functions.extend(s for s in stmt.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
        for fn in functions:
            if any(_is_update_route(d) for d in fn.decorator_list):
                for name in _callees(fn, resolve):
                    if name not in callees:
                        callees.append(name)
    if callees:
        facts["extra"]["updates"] = {"handler_callees": callees}
