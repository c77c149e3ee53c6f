"""Identity values only written down: the caller recorded on new rows or logs, a service given the principal only
to record who acted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ...ground.lazy import lazy_import
from ..cst import iter_children
from ..imports import dotted_name, last_segment
from ..models import is_table_model

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "adebug", "ainfo", "awarning", "aerror", "aexception"}
)
WRITE_METHODS = frozenset({"values", "ordered_values"})


def _written_only(ctx: "FileContext", func: cst.FunctionDef, name: str) -> bool:
    """The identity value is only *written* onto new rows: a keyword of an ORM model's constructor or of
    ``insert(...).values(...)`` (``FlowVersion(user_id=user_id)``); log calls and f-strings aside (assigning
    it onto a fetched row, ``row.user_id = user_id``, moves that row and is not such a write). Such a function records who did something;
    it does not act for that user when it reads, so its reads make no claim. A value never used at all
    does not count: ``def get_items(db, user_id)`` that ignores it is the bug BKL201 exists for."""
    project = ctx.project
    writes = 0
    other = False

    def is_write_call(call: cst.Call) -> bool:
        f = call.func
        if isinstance(f, cst.Attribute) and f.attr.value in WRITE_METHODS:
            # ``insert(Model).values(user_id=user_id)``: a new row (not ``update(...)``, which moves rows)
            base = f.value
            while isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute):
                base = base.func.value
            return isinstance(base, cst.Call) and last_segment(ctx.qualified_name(base.func) if isinstance(base.func, (cst.Name, cst.Attribute)) else None) == "insert"
        if isinstance(f, (cst.Name, cst.Attribute)) and project is not None:
            q = ctx.qualified_name(f)
            if q is not None:
                found = project.get_class(q)
                return found is not None and is_table_model(project, found[0])
        return False

    def is_log_call(call: cst.Call) -> bool:
        f = call.func
        if isinstance(f, cst.Attribute) and f.attr.value in LOG_METHODS:
            receiver = dotted_name(f.value) or ""
            return "log" in receiver.lower()
        return False

    def visit(node: cst.CSTNode, neutral: bool) -> None:
        nonlocal writes, other
        if other:
            return
        if isinstance(node, cst.Name):
            if node.value == name and not neutral:
                other = True
            return
        if isinstance(node, cst.Attribute):
            visit(node.value, neutral)
            return
        if isinstance(node, cst.Param):
            if node.default is not None:
                visit(node.default, neutral)
            return
        if isinstance(node, (cst.FormattedString,)):
            for child in _children(node):
                visit(child, True)
            return
        if isinstance(node, cst.Call):
            write = is_write_call(node)
            log = is_log_call(node)
            visit(node.func, neutral)
            for arg in node.args:
                if write and arg.keyword is not None and isinstance(arg.value, cst.Name) and arg.value.value == name:
                    writes += 1
                    continue
                visit(arg.value, neutral or log)
            return
        for child in _children(node):
            visit(child, neutral)

    visit(func.body, False)
    return writes > 0 and not other


def _principal_recorded_only(ctx: "FileContext", func: cst.FunctionDef, name: str) -> bool:
    """A service (no route) given the principal only to record who acted: the principal is a keyword of an
    ORM model's constructor (``ScoreCalibration(created_by=user)``), assigned to an attribute (no identity
    column) of a row handed in (``calibration.modified_by = user``), handed to a project function that only hands it on or
    writes it down (``idle`` in its flow summary), or read in the test of an ``if`` that only sets values
    (``if user.username in contributors: row.investigator_provided = True``, no exit); log calls and f-strings
    aside. It does not act for that caller when it reads (as for an identity value only written onto new rows,
    ``_written_only``): its reads make no claim; the route that hands it a key answers for it."""
    project = ctx.project
    if project is None:
        return False
    identity_fields = set(ctx.settings.identity_fields)
    handed_in = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)} - {name}
    writes = 0
    other = False

    def constructor(call: cst.Call) -> bool:
        f = call.func
        q = ctx.qualified_name(f) if isinstance(f, (cst.Name, cst.Attribute)) else None
        found = project.get_class(q) if q else None
        return found is not None and is_table_model(project, found[0])

    def recording_callee(call: cst.Call, arg: cst.Arg, position: int) -> bool:
        f = call.func
        q = ctx.qualified_name(f) if isinstance(f, (cst.Name, cst.Attribute)) else None
        found = project.project_function(q) if q else None
        if found is None:
            return False
        from ..queries import flow_facts, spells_check  # (queries imports this module)

        if spells_check(found[1]):
            return False  # handed to a check (``assert_permission(user, item, ...)``)
        summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
        if summary is None:
            return False
        params = summary.get("params", [])
        target = arg.keyword.value if arg.keyword is not None else (params[position] if position < len(params) else None)
        if target is None or target not in summary.get("idle", ()):
            return False  # (a getter given the caller that ignores it records nothing: ``fetch_plain(db, id, user=user)``)
        # handed on there only to what is no check (a model's constructor, a log)
        for c in summary.get("calls", ()):
            if any(p == target for _, p in (*c.get("args", ()), *c.get("attr_args", ()))) and spells_check(last_segment(c.get("target", ""))):
                return False
        return True

    def exits(block: cst.CSTNode) -> bool:
        for node in _walk_statements(block):
            if isinstance(node, (cst.Raise, cst.Return, cst.Continue, cst.Break)):
                return True
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "abort":
                return True
        return False

    def visit(node: cst.CSTNode, neutral: bool) -> None:
        nonlocal writes, other
        if other or isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return
        if isinstance(node, cst.Name):
            if node.value == name and not neutral:
                other = True
            return
        if isinstance(node, cst.Attribute):
            visit(node.value, neutral)
            return
        if isinstance(node, cst.FormattedString):
            return
        if isinstance(node, cst.If):
            flag = not exits(node.body) and (node.orelse is None or not exits(node.orelse))
            visit(node.test, neutral or flag)
            visit(node.body, neutral)
            if node.orelse is not None:
                visit(node.orelse, neutral)
            return
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Name) and node.value.value == name:
            # onto a row handed in (``calibration.modified_by = user``), not onto one this function looks up
            # (``item.updated_by = user`` after ``item = db.get(Item, item_id)`` changes that row for the caller)
            if all(
                isinstance(t.target, cst.Attribute) and t.target.attr.value not in identity_fields
                and isinstance(t.target.value, cst.Name) and t.target.value.value in handed_in
                for t in node.targets
            ):
                writes += 1
                return
        if isinstance(node, cst.Call):
            built = constructor(node)
            log = isinstance(node.func, cst.Attribute) and node.func.attr.value in LOG_METHODS and "log" in (dotted_name(node.func.value) or "").lower()
            visit(node.func, neutral)
            for i, arg in enumerate(node.args):
                if isinstance(arg.value, cst.Name) and arg.value.value == name and not arg.star:
                    if (built and arg.keyword is not None) or recording_callee(node, arg, i):
                        writes += 1
                        continue
                visit(arg.value, neutral or log)
            return
        for child in _children(node):
            visit(child, neutral)

    visit(func.body, False)
    return writes > 0 and not other


def _walk_statements(block: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        yield node
        stack.extend(iter_children(node))


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    return iter(list(iter_children(node)))
