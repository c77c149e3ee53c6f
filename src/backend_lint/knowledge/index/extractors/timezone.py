"""Facts for family 3 (time is stored in UTC and timezone-aware), under ``facts["extra"]["timezone"]``.

- ``maps``: ``type_annotation_map`` entries for ``datetime.datetime`` (class body attribute, or the keyword of
  ``registry(...)`` / ``declarative_base(...)``): ``{"owner": "Base" | None, "state": "aware" | "naive" | "opaque"}``.
  ``owner`` is the class (or module-level variable) that carries the map.
- ``aliases``: module-level type aliases that matter here, ``name -> {"base": ..., "column": ...}``:
  ``Annotated[datetime, ...]`` (``base`` is ``"datetime"``, ``"aware"`` for ``AwareDatetime`` or ``"naive"`` for
  ``NaiveDatetime``; ``column`` is the state of a ``mapped_column(<type>)`` inside), and column types such as
  ``TZDateTime = DateTime(timezone=True)`` (``column`` only).
- ``routes``: route-like functions (decorated by ``<receiver>.<http method>(...)``) with, per parameter, the
  classes its annotation names (through ``Optional``/``Annotated``/``list``) and the calls that mark it
  (``Depends``, ``Query``, ``Body``... from the default or the ``Annotated`` metadata).
- ``fastapi``: whether the module imports FastAPI.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

from ._common import Resolve, mentions, store, walk

DATETIME_TYPES = frozenset(
    {
        "sqlalchemy.DateTime",
        "sqlalchemy.types.DateTime",
        "sqlalchemy.sql.sqltypes.DateTime",
        "sqlalchemy.TIMESTAMP",
        "sqlalchemy.types.TIMESTAMP",
        "sqlalchemy.sql.sqltypes.TIMESTAMP",
        "sqlalchemy.dialects.postgresql.TIMESTAMP",
        "sqlalchemy.dialects.postgresql.base.TIMESTAMP",
        "sqlalchemy.dialects.postgresql.types.TIMESTAMP",
        "sqlmodel.DateTime",
        "sqlmodel.TIMESTAMP",
    }
)
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"})
_WRAPPERS = frozenset(
    {
        "typing.Optional", "typing.Union", "typing_extensions.Optional", "typing.List", "typing.Sequence",
        "typing.Set", "typing.FrozenSet", "typing.Tuple", "typing.Iterable", "collections.abc.Sequence",
        "collections.abc.Iterable", "builtins.list", "builtins.set", "builtins.tuple", "builtins.frozenset",
        "list", "set", "tuple", "frozenset", "Optional", "Union", "List", "Sequence",
    }
)
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated", "Annotated"})
_AWARE = frozenset({"pydantic.AwareDatetime", "pydantic.types.AwareDatetime"})
_NAIVE = frozenset({"pydantic.NaiveDatetime", "pydantic.types.NaiveDatetime"})

def column_type_state(node: ast.AST, resolve: Resolve) -> Optional[str]:
    """``"aware"``/``"naive"`` for SQLAlchemy's ``DateTime``/``TIMESTAMP`` (as a class or a call), else ``None``."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "with_variant":
            return column_type_state(node.func.value, resolve)
        if resolve(node.func) not in DATETIME_TYPES:
            return None
        value: Optional[ast.AST] = None
        for kw in node.keywords:
            if kw.arg == "timezone":
                value = kw.value
        if value is None and node.args:
            value = node.args[0]
        if value is None:
            return "naive"
        if isinstance(value, ast.Constant):
            return "aware" if value.value is True else "naive"
        return "opaque"
    if isinstance(node, (ast.Name, ast.Attribute)) and resolve(node) in DATETIME_TYPES:
        return "naive"
    return None


def _map_state(value: ast.AST, resolve: Resolve) -> Optional[str]:
    if not isinstance(value, ast.Dict):
        return None
    for key, val in zip(value.keys, value.values):
        if key is None or resolve(key) != "datetime.datetime":
            continue
        return column_type_state(val, resolve) or "opaque"
    return None


def _alias_facts(value: ast.AST, resolve: Resolve) -> Optional[dict[str, Any]]:
    column = column_type_state(value, resolve)
    if column is not None:
        return {"base": None, "column": column}
    if isinstance(value, ast.Subscript) and resolve(value.value) in _ANNOTATED:
        elts = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
        if not elts:
            return None
        first = resolve(elts[0]) if isinstance(elts[0], (ast.Name, ast.Attribute)) else None
        if first == "datetime.datetime":
            base = "datetime"
        elif first in _AWARE:
            base = "aware"
        elif first in _NAIVE:
            base = "naive"
        else:
            return None
        col = None
        for meta in elts[1:]:
            if isinstance(meta, ast.Call) and (resolve(meta.func) or "").endswith("mapped_column"):
                for arg in meta.args:
                    state = column_type_state(arg, resolve)
                    col = state or "opaque"
                    break
                for kw in meta.keywords:
                    if kw.arg == "type_":
                        col = column_type_state(kw.value, resolve) or "opaque"
        return {"base": base, "column": col}
    return None


def _type_names(node: Optional[ast.AST], resolve: Resolve, markers: list[str], depth: int = 0) -> list[str]:
    """Classes an annotation names, through Optional/Union/Annotated/list; Annotated metadata calls go to markers."""
    if node is None or depth > 6:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _type_names(node.left, resolve, markers, depth + 1) + _type_names(node.right, resolve, markers, depth + 1)
    if isinstance(node, ast.Subscript):
        head = resolve(node.value)
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in _ANNOTATED and elts:
            for meta in elts[1:]:
                if isinstance(meta, ast.Call):
                    markers.append(resolve(meta.func) or "")
            return _type_names(elts[0], resolve, markers, depth + 1)
        if head in _WRAPPERS:
            out: list[str] = []
            for e in elts:
                out.extend(_type_names(e, resolve, markers, depth + 1))
            return out
        return []
    if isinstance(node, (ast.Name, ast.Attribute)):
        q = resolve(node)
        return [q] if q and q != "None" else []
    return []


def _route(fn: ast.AST, resolve: Resolve) -> Optional[dict[str, Any]]:
    assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
    for dec in fn.decorator_list:
        if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_METHODS:
            receiver = resolve(dec.func.value)
            params = []
            args = fn.args
            positional = args.posonlyargs + args.args
            defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
            pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
            for arg, default in pairs:
                markers: list[str] = []
                types = _type_names(arg.annotation, resolve, markers)
                if isinstance(default, ast.Call):
                    markers.append(resolve(default.func) or "")
                if types:
                    params.append({"name": arg.arg, "types": types, "markers": markers})
            return {"receiver": receiver, "method": dec.func.attr, "line": fn.lineno, "params": params}
    return None


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    maps: list[dict[str, Any]] = []
    aliases: dict[str, Any] = {}
    routes: list[dict[str, Any]] = []
    fastapi = any(v == "fastapi" or v.startswith("fastapi.") for v in facts.get("imports", {}).values())

    def keyword_maps(call: ast.AST, owner: Optional[str]) -> None:
        if not mentions("type_annotation_map"):
            return
        for node in walk(call):
            if node.__class__ is ast.Call:
                for kw in node.keywords:
                    if kw.arg == "type_annotation_map":
                        state = _map_state(kw.value, resolve)
                        if state is not None:
                            maps.append({"owner": owner, "state": state})

    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            for item in stmt.body:
                if isinstance(item, (ast.Assign, ast.AnnAssign)) and item.value is not None:
                    targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                    if any(isinstance(t, ast.Name) and t.id == "type_annotation_map" for t in targets):
                        state = _map_state(item.value, resolve)
                        if state is not None:
                            maps.append({"owner": stmt.name, "state": state})
                    elif isinstance(item.value, ast.Call):
                        keyword_maps(item.value, stmt.name)
            for kw in stmt.keywords:
                if kw.arg == "type_annotation_map":
                    state = _map_state(kw.value, resolve)
                    if state is not None:
                        maps.append({"owner": stmt.name, "state": state})
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if isinstance(stmt.value, ast.Call):
                keyword_maps(stmt.value, names[0] if names else None)
            found = _alias_facts(stmt.value, resolve)
            if found is not None:
                for n in names:
                    aliases[n] = found
        elif type(stmt).__name__ == "TypeAlias":  # PEP 695 ``type X = ...``
            name = getattr(stmt, "name", None)
            found = _alias_facts(getattr(stmt, "value", None), resolve)  # type: ignore[arg-type]
            if isinstance(name, ast.Name) and found is not None:
                aliases[name.id] = found
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            route = _route(stmt, resolve)
            if route is not None and route["params"]:
                routes.append(route)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            keyword_maps(stmt.value, None)
    store(facts, "timezone", {}, maps=maps, aliases=aliases, routes=routes, fastapi=bool(fastapi))
