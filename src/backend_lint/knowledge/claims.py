"""Which functions of a file make no identity claim, read on CPython's ``ast`` with the index's facts: the
screens' half of ``auth._function_identity``'s "no non-admin route reaches it" (``auth.no_claim_reason``).

A top-level function (also inside a top-level ``if`` / ``try``) or a method of a top-level class that is not a
request handler gets no principal and no identity value when ``no_claim_reason`` names a reason for it: families 1
and 2 then report nothing in its own body (a function nested in it decides for itself). ``no_claim_functions``
answers only where that is certain on ``ast``; anything that may be a route by libcst's reading (a route
decorator, a wrapped route, a registration by ``add_api_route`` or from a configuration list, a Flask view) or a
method that may read a class-based view's ``self.<principal>`` (``auth.class_principals``) is left out."""

from __future__ import annotations

import ast
from typing import Any, Iterable, Iterator, Optional

from .auth import ANONYMOUS_CLASS, CREDENTIAL_MARKERS, DEPENDENCY_MARKERS, classify_dependency, configured_endpoint_names, no_claim_reason, param_dependency
from .facts import alias_entry, orm_facts
from .fastapi import ROUTE_DECORATORS
from .imports import last_segment
from .index.extract import ast_dotted
from .index.extractors.orm import TENANT_COLUMNS
from .tree_facts import leaf_names
from .words import ID_WRAPPERS as _UNWRAPPED


def ast_definition_names(body: Iterable[ast.stmt]) -> Iterator[tuple[str, Any, Optional[ast.ClassDef]]]:
    """``(name, function, class)`` as the index names a definition within its module (``cst.definition_names``
    on ``ast``): ``"f"`` for a top-level function, ``"C.m"`` for a method of a top-level class, both also inside
    top-level ``if`` / ``try`` blocks (``cst.top_level_statements``: a ``try``'s body, handlers and ``else``)."""
    for stmt in _top_level(body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield stmt.name, stmt, None
        elif isinstance(stmt, ast.ClassDef):
            for sub in stmt.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{stmt.name}.{sub.name}", sub, stmt


def _top_level(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body)
            yield from _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _top_level(stmt.body)
            for handler in stmt.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(stmt.orelse)


def may_be_route(func: Any) -> bool:
    """A decorator that may make ``func`` a route by libcst's reading (``fastapi.route_info``): a call of a
    router's method (``@router.get(...)``), or a call handed one first (``@wrapper(router.get, ...)``); a
    superset, the router not checked."""
    for dec in func.decorator_list:
        if not isinstance(dec, ast.Call):
            continue
        if isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_DECORATORS:
            return True
        if dec.args and isinstance(dec.args[0], ast.Attribute) and dec.args[0].attr in ROUTE_DECORATORS:
            return True
    return False


def _class_may_hold_principal(cls: ast.ClassDef, project: Any) -> bool:
    """``auth.class_principals`` may give the class's methods ``self.<name>``: its body binds a name to a
    call (``user = Depends(current_user)``: any call, a superset), or it has a base and some project class
    holds a ``Depends`` / ``Security`` field (the bases are read from the index there)."""
    for stmt in cls.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call):
            return True
    return bool(cls.bases) and _dependency_fields(project)


def _dependency_fields(project: Any) -> bool:
    """Some project class has a field whose value calls ``Depends`` / ``Security`` (a class-based view's base)."""

    def build() -> bool:
        for _q, facts in project.iter_classes():
            for f in (facts or {}).get("fields", {}).values():
                if last_segment(f.get("call")) in DEPENDENCY_MARKERS:
                    return True
        return False

    # (stored with the index: a run linting one file reads the answer instead of every class's fields)
    return project.stored_memo("claims.dependency_fields", build, load=bool)


def no_claim_functions(tree: ast.Module, source: str, module: Optional[str], project: Any, settings: Any) -> frozenset[int]:
    """The ids of the top-level functions and methods of top-level classes of ``tree`` (the module ``module``
    of the index) that make no identity claim for certain: not a route by any reading, no class-based view's
    principal, and ``auth.no_claim_reason`` names a reason. Empty when the file may register routes by a call
    (``add_api_route``) or is a Flask module."""
    if project is None or not module or "add_api_route" in source or "flask" in source:
        return frozenset()
    endpoints = configured_endpoint_names(project)
    out: set[int] = set()
    for name, func, cls in ast_definition_names(tree.body):
        if func.name in endpoints or may_be_route(func):
            continue
        if cls is not None and _takes_self(func) and _class_may_hold_principal(cls, project):
            continue
        if no_claim_reason(project, settings, f"{module}.{name}") is not None:
            out.add(id(func))
    return frozenset(out)


def _takes_self(func: Any) -> bool:
    args = func.args.posonlyargs + func.args.args
    return bool(args) and args[0].arg == "self"


def dependency_may_carry(func: Any, module: Optional[str], project: Any, settings: Any, weak: frozenset[str], strong: frozenset[str]) -> bool:
    """Some parameter of ``func`` whose only claim to carry the caller is a dependency (a call as its default, or
    an annotation spelling one of ``weak``: ``Depends`` / ``Security`` or an alias of an ``Annotated[...,
    Depends(...)]``) may carry it by libcst's reading (``auth._param_infos``: ``param_dependency``, then the
    dependency classified by its spelling). Answered from the index's facts of the function's parameters (the
    same parsing, ``orm._param_facts``) for a top-level function only; anything else, a call that is no
    dependency marker (``Header()``, ``Query()``), a parameter the facts do not decode, may carry.
    ``strong``: the last names of the principal classes and configured auth dependencies (an alias typed by one
    gives a principal in a function no route reaches)."""
    if project is None or not module:
        return True
    mfacts = project.modules.get(module)
    entry = orm_facts(mfacts).get("functions", {}).get(func.name) if mfacts is not None else None
    if not entry or entry.get("line") != func.lineno:
        return True
    a = func.args
    positional = list(a.posonlyargs) + list(a.args)
    pairs = list(zip(positional, [None] * (len(positional) - len(a.defaults)) + list(a.defaults))) + list(zip(a.kwonlyargs, a.kw_defaults))
    facts = entry.get("params") or []
    if [p.get("name") for p in facts] != [arg.arg for arg, _ in pairs]:
        return True
    for rest in (a.vararg, a.kwarg):
        if rest is not None and rest.annotation is not None and any(n in weak for n in leaf_names(rest.annotation)):
            return True
    for (arg, default), p in zip(pairs, facts):
        call = isinstance(default, ast.Call)
        weak_annotation = arg.annotation is not None and any(n in weak for n in leaf_names(arg.annotation))
        if not call and not weak_annotation:
            continue
        marker = last_segment(p.get("marker"))
        if call:
            spelled = last_segment(ast_dotted(default.func))
            if not spelled or spelled in CREDENTIAL_MARKERS or marker in CREDENTIAL_MARKERS:
                return True  # ``Header()``, ``Cookie()``: a credential the body may decode
        if param_dependency(project, settings, p).kind is not None:
            return True
        if marker in DEPENDENCY_MARKERS:
            spelling = None  # (``Depends(current_user)`` spelled with a name the index does not resolve)
            if call and default.args:
                first = default.args[0]
                spelling = ast_dotted(first.func if isinstance(first, ast.Call) else first)
            found = classify_dependency(project, settings, p.get("dependency"), spelling, p.get("kwargs"), 0, bool(p.get("called")), p.get("args"))
            if found.kind is not None:
                return True
        elif p.get("alias"):
            # an alias typed by a principal class gives a principal where no route is (``type_q in principal_types``)
            held = alias_entry(project, p["alias"])
            if held is not None and last_segment(held.get("type")) in strong:
                return True
            if held is None and weak_annotation:
                return True  # an annotation spelling an alias the index does not hold: not decided here
        elif weak_annotation and not p.get("factory") and not marker:
            return True  # ``Optional[ItemDep]``: not decoded here
    return False


def admin_gated(func: Any, module: Optional[str], project: Any, settings: Any) -> bool:
    """A top-level function that ``auth._function_identity`` makes admin-only for certain, so families 1-2 give it
    (and the functions nested in it) no identity in scope: a parameter whose dependency is an admin gate
    (``param_dependency`` on the index's facts of its parameters, the same parsing as ``auth._param_infos``; not
    one whose annotation may name the anonymous stand-in, ``auth._anonymous_stand_in``), and no comparison in its
    body that may hold a row's user column against the caller (``auth._owner_compared_past_gate``, read as a
    superset: any ``==`` / ``!=`` with ``<name>.<identity field>`` on a side, tenant columns aside). Anything the
    facts do not decide (a method, a function the index does not hold as written) is not gated here."""
    if project is None or not module:
        return False
    mfacts = project.modules.get(module)
    entry = orm_facts(mfacts).get("functions", {}).get(func.name) if mfacts is not None else None
    if not entry or entry.get("line") != func.lineno:
        return False
    a = func.args
    args = list(a.posonlyargs) + list(a.args) + list(a.kwonlyargs)
    facts = entry.get("params") or []
    if [p.get("name") for p in facts] != [arg.arg for arg in args]:
        return False
    for arg, p in zip(args, facts):
        if arg.annotation is not None and any(ANONYMOUS_CLASS.match(n) for n in leaf_names(arg.annotation)):
            continue
        if param_dependency(project, settings, p).kind == "admin":
            return not _may_compare_owner(func, settings)
    return False


def _may_compare_owner(func: Any, settings: Any) -> bool:
    """Some ``==`` / ``!=`` of the body has ``<name>.<column>`` on a side (``str()`` / ``UUID()`` / ``int()``
    unwrapped), the column a user identity field (``auth._owner_compared_past_gate``'s "row" side)."""
    columns = set(settings.identity_fields) - TENANT_COLUMNS
    for stmt in func.body:
        for node in ast.walk(stmt):
            if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq))):
                continue
            for side in (node.left, node.comparators[0]):
                if (
                    isinstance(side, ast.Call) and isinstance(side.func, ast.Name) and side.func.id in _UNWRAPPED
                    and len(side.args) + len(side.keywords) == 1
                ):
                    side = side.args[0] if side.args else side.keywords[0].value
                if isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name) and side.attr in columns:
                    return True
    return False
