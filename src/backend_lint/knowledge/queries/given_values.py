"""Scoping values every request hands a project function (RULES.md: "Predicates over several statements count ...
but only when they hold on every branch"). ``execute_query(db, intent, tenant_id=None)`` whose every project
caller hands ``tenant_id`` the caller's own value (``tenant_id=str(member.tenant_id)``): a branch taken only when
that value is missing (``if tenant_id:`` without an ``else``, ``if tenant_hashes is not None:`` where
``tenant_hashes`` is bound to ``None`` and set only under ``if tenant_id:``) is taken by no request, so a predicate
added on the other way holds on every way a request takes (``given_side``).

A parameter counts only when the caller enumeration of ``knowledge.auth.principal_fed_parameters`` (the ``feeds``
facts) finds the callee's parameter fed the principal's value by an authenticated caller and never the client's,
and, besides, every project function or method that calls the function (``calls_out``) hands it so on every call
the index recorded: a caller that leaves it out (or passes ``None``, a constant, a client value, a value of its own,
its own key from a column its model declares nullable),
a function handed around as a value (``refs_out``, or named anywhere outside a function body:
``module_refs``) or called through a name the imports do not resolve
(``name_calls``) keeps the ways apart. Top-level functions only (a method's callers go through typed receivers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..auth import function_key, principal_fed_by_call, principal_fed_parameters
from ..cst import walk as cst_walk
from ..facts import orm_facts
from ..imports import last_segment
from ..models import column_may_be_null

if TYPE_CHECKING:
    from ...engine.context import FileContext
    from ...ground.config import Settings
    from ..index import ProjectIndex
    import libcst as cst
else:
    cst = lazy_import("libcst")


def given_parameters(ctx: "FileContext", func: "cst.FunctionDef") -> frozenset[str]:
    """The parameters of ``func`` (a top-level function of the file) that every project caller hands the caller's
    own value on every call, and that the function never rebinds."""
    key = function_key(ctx, func)
    if key is None or ctx.project is None:
        return frozenset()
    if not any(s is func for s in (ctx.module.body if ctx.module is not None else ())):
        return frozenset()  # (a method: its callers reach it through typed receivers)
    fed = frozenset(principal_fed_parameters(ctx.project, ctx.settings).get(key, ()))
    if not fed:
        return frozenset()
    project = ctx.project
    settings = ctx.settings
    cache_key = ("queries.given_parameters", key, fed, settings.auth_dependencies, settings.principal_parameters, settings.identity_fields)
    every = project.memo(cache_key, lambda: _fed_on_every_call(project, settings, key, fed))
    return every - _rebound(func)


def _fed_on_every_call(project: "ProjectIndex", settings: "Settings", key: str, params: frozenset[str]) -> frozenset[str]:
    kept = set(params)
    name = last_segment(key)
    callers = 0
    for _, facts in project.iter_modules():
        orm = orm_facts(facts)
        if key in orm.get("module_refs", ()):
            return frozenset()  # (named outside any function: a module-level lambda, dict, ``partial``, call)
        for table in ("functions", "methods"):
            for fn in (orm.get(table) or {}).values():
                if key in fn.get("refs_out", ()) or name in fn.get("name_calls", ()):
                    return frozenset()  # (handed around as a value, or called through a name we cannot follow)
                if key not in fn.get("calls_out", ()):
                    continue
                callers += 1
                feeds = [f for f in fn.get("feeds", ()) if f.get("target") == key]
                if not feeds:
                    return frozenset()  # (a caller whose arguments name no caller's value: it may pass nothing)
                for feed in feeds:
                    # (the reading ``principal_fed_parameters`` makes of each call)
                    kept &= principal_fed_by_call(project, settings, fn, feed, key)
                    kept -= _may_be_none(project, fn, feed, key)
    return frozenset(kept) if callers else frozenset()


def _may_be_none(project: "ProjectIndex", caller: dict, feed: dict, key: str) -> set[str]:
    """The callee's parameters one call hands the caller's own key (``user.tenant_id``, ``own:<column>``) when the
    caller's model declares that column nullable: a caller without one hands ``None`` (``str(None)`` is read the
    same way). The caller's id (``user.id``, a primary key) is never ``None``."""
    found = project.project_function(key)
    target = (orm_facts(project.modules[found[0]]).get("functions") or {}).get(found[1]) if found is not None else None
    names = [fp["name"] for fp in (target or {}).get("params", ())]
    own = {fp["name"]: fp for fp in caller.get("params", ())}
    out: set[str] = set()
    for where, param, kind in feed.get("args", ()):
        if not (isinstance(kind, str) and kind.startswith("own:")) or not isinstance(param, str):
            continue
        model = (own.get(param) or {}).get("type")
        name = names[where] if isinstance(where, int) and where < len(names) else where
        if isinstance(name, str) and isinstance(model, str) and column_may_be_null(project, model, kind[4:]):
            out.add(name)
    return out


def _rebound(func: "cst.FunctionDef") -> frozenset[str]:
    """Names the function binds in its body (a parameter rebound there may hold anything)."""
    out: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.WithItem, cst.NamedExpr)):
            target = getattr(node, "target", None) or getattr(node, "asname", None)
            if isinstance(target, cst.AsName):
                target = target.name
            for n in cst_walk(target) if target is not None else ():
                if isinstance(n, cst.Name):
                    out.add(n.value)
    return frozenset(out)


def _presence(test: "cst.BaseExpression") -> Optional[tuple[str, bool]]:
    """``x`` / ``x is not None`` -> (x, True); ``not x`` / ``x is None`` -> (x, False)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _presence(test.expression)
        return (inner[0], not inner[1]) if inner is not None else None
    if isinstance(test, cst.Name) and test.value not in ("True", "False", "None"):
        return test.value, True
    if (
        isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name)
        and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None"
    ):
        op = test.comparisons[0].operator
        if isinstance(op, cst.IsNot):
            return test.left.value, True
        if isinstance(op, cst.Is):
            return test.left.value, False
    return None


def given_side(ctx: "FileContext", func: "cst.FunctionDef", test: "cst.BaseExpression") -> Optional[bool]:
    """For an ``if`` test of a value every request gives (``given_parameters``, or a local bound to ``None`` and set
    only under a test that such a parameter is given): ``True`` when the body is the way every request takes,
    ``False`` when the ``else`` way is; ``None`` for any other test."""
    found = _presence(test)
    if found is None:
        return None
    given = given_parameters(ctx, func)
    if not given:
        return None
    name, present = found
    if name in given:
        return present
    # (a local only by ``is None`` / ``is not None``: a set built under the test may be empty, and ``if
    # tenant_hashes:`` then takes the other way)
    if _none_test(test) and name in _given_locals(ctx, func, given):
        return present
    return None


def _none_test(test: "cst.BaseExpression") -> bool:
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    return isinstance(test, cst.Comparison)


def _given_locals(ctx: "FileContext", func: "cst.FunctionDef", given: frozenset[str]) -> frozenset[str]:
    """``tenant_hashes = None`` at the top of the body, then bound once more, to anything but ``None``, in the body
    of ``if tenant_id:`` (a given parameter) and nowhere else: not ``None`` on every way a request takes."""

    def build() -> frozenset[str]:
        top: dict[str, int] = {}
        guarded: dict[str, int] = {}
        bad: set[str] = set()
        body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
                small = stmt.body[0]
                value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
                targets = (
                    [t.target for t in small.targets] if isinstance(small, cst.Assign)
                    else [small.target] if isinstance(small, cst.AnnAssign) else []
                )
                if len(targets) == 1 and isinstance(targets[0], cst.Name) and isinstance(value, cst.Name) and value.value == "None":
                    top[targets[0].value] = top.get(targets[0].value, 0) + 1
                    continue
            if isinstance(stmt, cst.If) and stmt.orelse is None and (p := _presence(stmt.test)) is not None and p[1] and p[0] in given:
                for inner in stmt.body.body:
                    small = inner.body[0] if isinstance(inner, cst.SimpleStatementLine) and len(inner.body) == 1 else None
                    if (
                        isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None
                        and not (isinstance(small.value, cst.Name) and small.value.value == "None")
                    ):
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        if len(targets) == 1 and isinstance(targets[0], cst.Name):
                            guarded[targets[0].value] = guarded.get(targets[0].value, 0) + 1
        bound: dict[str, int] = {}
        for node in cst_walk(func.body):
            targets = []
            if isinstance(node, cst.AssignTarget):
                targets = [node.target]
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
                targets = [node.target]
            elif isinstance(node, cst.WithItem) and node.asname is not None:
                targets = [node.asname.name]
            elif isinstance(node, (cst.CompFor,)):
                targets = [node.target]
            for t in targets:
                for n in cst_walk(t):
                    if isinstance(n, cst.Name):
                        bound[n.value] = bound.get(n.value, 0) + 1
        for name in top:
            if top[name] != 1 or guarded.get(name) != 1 or bound.get(name, 0) != 2:
                bad.add(name)
        return frozenset(n for n in top if n not in bad)

    return ctx.cached(("queries.given_locals", id(func), given), build)
