"""The shared reading behind ``blueprints`` and ``routers``: what a module hands to the call that mounts a route
group on an app (``register_blueprint`` / ``include_router``), whether it imports modules by name, the imports
written inside functions and classes, and which route groups each top-level view is declared on.

One :class:`Mount` says what differs between Flask blueprints and FastAPI routers; :func:`extract_mounts` stores
``facts["extra"][mount.key]`` with ``<mount.stored>`` (the resolved arguments of the mounting call), ``dynamic``,
``nested_imports`` and ``views``. Nothing is imported."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Optional

from ._common import Resolve, mentions, store, walk
from ..services import remap_module


@dataclass(frozen=True)
class Mount:
    key: str  # where the facts are stored under ``facts["extra"]``
    words: tuple[str, ...]  # a module that makes, routes on or mounts a group spells one of these
    call: str  # the mounting call's attribute or name
    keyword: str  # its keyword for the group, when not given first
    stored: str  # the fact name of what is mounted
    dynamic: frozenset[str]  # calls that import modules by name or load plugins
    route_methods: frozenset[str]  # decorator attributes that declare a view on a group


def _receivers(fn: Any, resolve: Resolve, methods: frozenset[str]) -> list[str]:
    out: list[str] = []
    for d in fn.decorator_list:
        if d.__class__ is ast.Call and d.func.__class__ is ast.Attribute and d.func.attr in methods:
            q = resolve(d.func.value) if d.func.value.__class__ in (ast.Name, ast.Attribute) else None
            out.append(q or "?")
    return out


def extract_mounts(tree: ast.Module, facts: dict, resolve: Resolve, mount: Mount) -> None:
    if not mentions(*mount.words):
        return
    mounted: list[str] = []
    dynamic = False
    nested: list[list[Any]] = []
    views: dict[str, list[str]] = {}
    top = set(id(s) for s in tree.body)
    for stmt in tree.body:
        if stmt.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef):
            found = _receivers(stmt, resolve, mount.route_methods)
            if found:
                views[stmt.name] = found  # type: ignore[attr-defined]
    for node in walk(tree):
        t = node.__class__
        if t is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            name = func.attr if func.__class__ is ast.Attribute else (func.id if func.__class__ is ast.Name else "")
            if name == mount.call:
                args = node.args  # type: ignore[attr-defined]
                arg: Optional[ast.AST] = args[0] if args else next((k.value for k in node.keywords if k.arg == mount.keyword), None)  # type: ignore[attr-defined]
                q = resolve(arg) if arg is not None and arg.__class__ in (ast.Name, ast.Attribute) else None
                mounted.append(q or "?")
            elif name in mount.dynamic:
                dynamic = True
        elif (t is ast.ImportFrom or t is ast.Import) and id(node) not in top:
            remap = getattr(resolve, "remap", None)  # (a service's own package: ``ProjectIndex.module_remap``)
            if t is ast.ImportFrom:
                level = node.level or 0  # type: ignore[attr-defined]
                written = node.module or ""  # type: ignore[attr-defined]
                nested.append([level, written if level else remap_module(written, remap), [a.name for a in node.names]])  # type: ignore[attr-defined]
            else:
                nested.extend([0, remap_module(a.name, remap), []] for a in node.names)  # type: ignore[attr-defined]
    store(facts, mount.key, {}, **{mount.stored: mounted}, dynamic=dynamic, nested_imports=nested, views=views)
