"""A query that selects only aggregates of the table (``select(func.count(User.id))``, ``db.query(func.max(
Invoice.number))``), keyed by nothing, whose number never leaves the function as its answer (a sequence number, a
code derived from a global count), or the legacy ``Query``'s own ``.count()`` on a bare model (``db.query(Book)
.count()``): nothing of any row, no client key (``aggregate_only``). BKL201 makes no claim
there. The same count returned to the client (``return session.exec(select(func.count()).select_from(Item)).one()``
on a "my items" route) and an aggregate keyed by a client value (``Invoice.id == invoice_id``) stay reported."""

from __future__ import annotations

from typing import Iterable, NamedTuple, TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..cst import walk as cst_walk
from ..imports import dotted_name
from ..models import identity_columns, model_columns, referenced_model
from ..repositories import enclosing_class
from .summaries import project_callee
from .syntax import client_key_columns

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_AGGREGATES = frozenset({"count", "sum", "avg", "max", "min"})
_COUNTS = frozenset({"count"})
# wrappers that keep an aggregate one number: ``func.coalesce(func.sum(...), 0)``, ``.label("n")``
_WRAPPERS = frozenset({"coalesce", "cast"})
# calls that key or filter a query by their arguments (``_keys_another``)
_KEYING = frozenset({"where", "filter", "filter_by", "in_", "having"})


def aggregate_only(ctx: "FileContext", func: "cst.FunctionDef", site: "Site") -> bool:
    """The site's ``select(...)`` / ``.query(...)`` names only aggregate functions, keyed and filtered by nothing
    (``select(func.count()).select_from(Item)``; not ``.select_from(select(Item).where(...).subquery())``), and
    its number reaches no ``return`` of ``func`` (``_answered``)."""
    call = site.node
    if site.kind not in ("select", "query") or site.key_names or site.via or site.pred_nodes:
        return False
    if not isinstance(call, cst.Call) or not call.args:
        return False
    walked = function_walk(ctx, func)
    counted = _counted(walked, call) if site.kind == "query" else None
    if counted is not None:  # ``db.query(Book).count()``: the legacy Query's own count, nothing of a row
        return not _answered(walked, counted)
    anchor = site.anchor  # ``.select_from(...)``: a table counts, a statement's rows are that statement's keys
    if isinstance(anchor, cst.Call) and anchor is not call and any(dotted_name(a.value) is None for a in anchor.args):
        return False
    if not all(arg.keyword is None and _aggregate(arg.value) for arg in call.args):
        return False
    return not _answered(walked, call)


def children_counted(ctx: "FileContext", site: "Site", model: str, sites: "Iterable[Site]" = ()) -> bool:
    """``select(func.count(Booking.id)).where(Booking.game_session_id == session_id, Booking.status == ...)``: the
    site's ``select(...)`` / ``.query(...)`` names only ``func.count(...)`` and every client key of it is compared
    with a column of the counted model that references another table (its foreign key to a parent, or a ``*_id``
    column of it when the table cannot be told: not the model's own key, not one of its owner columns): the
    answer is how many rows of anyone hang off that parent, a number about the parent, whose own lookup answers
    for access to it. A count keyed by the model's own key or
    its owner column (``Item.owner_id == user_id``), a sum or a maximum (a balance, a total of someone's rows)
    and a count over a statement (``.select_from(select(...).subquery())``) are read as before, and so is a count
    whose parent the function never looks up by the same key (``sites``: no lookup of the parent answers for it;
    ``select(func.count(VoiceNote.id)).where(VoiceNote.brand_id == brand_id)`` with the brand never loaded)."""
    call = site.node
    if site.kind not in ("select", "query") or site.via or not site.key_names or not site.pred_nodes:
        return False
    if not isinstance(call, cst.Call) or not call.args or not all(arg.keyword is None and _aggregate(arg.value, _COUNTS) for arg in call.args):
        return False
    anchor = site.anchor
    if isinstance(anchor, cst.Call) and anchor is not call and any(dotted_name(a.value) is None for a in anchor.args):
        return False
    project = ctx.project
    owners = set(identity_columns(project, ctx.settings, model))
    columns = client_key_columns(site)
    if not columns:
        return False
    keys = {k.split(".", 1)[0] for k in site.key_names}
    for column in columns:
        parent = referenced_model(project, model, column)  # (``None`` too when two tables answer to the name)
        reference = parent is not None or (column.endswith("_id") and column in model_columns(project, model))
        if column in owners or not reference or parent == model:
            return False
        # (the parent's own lookup by the same key, where access to it is decided: a table of another name when
        # the reference cannot be told)
        if not any(
            other is not site and keys & {k.split(".", 1)[0] for k in other.key_names}
            and any((m == parent) if parent is not None else (m != model) for m in other.entities)
            for other in sites
        ):
            return False
    return True


class Walked(NamedTuple):
    """What one pre-order walk of a function gives the readings of this module and ``keys_only`` (memoised on the
    function node: ``function_walk``): the statements a value flows through (``return`` and assignments to names,
    in source order), every call, and the calls of a method by its name (``.count()``, ``.with_entities(...)``)."""

    flow: "tuple[cst.CSTNode, ...]"
    calls: "tuple[cst.Call, ...]"
    methods: "dict[str, list[cst.Call]]"


def function_walk(ctx: "FileContext", func: "cst.FunctionDef") -> Walked:
    def build() -> Walked:
        flow: list = []
        calls: list = []
        methods: dict[str, list] = {}
        for node in cst_walk(func):
            if isinstance(node, cst.Call):
                calls.append(node)
                if isinstance(node.func, cst.Attribute):
                    methods.setdefault(node.func.attr.value, []).append(node)
            elif isinstance(node, (cst.Return, cst.Assign)) or (isinstance(node, cst.AnnAssign) and node.value is not None):
                flow.append(node)
        return Walked(tuple(flow), tuple(calls), methods)

    return ctx.cached(("queries.function_walk", id(func)), build)


def _counted(walked: Walked, call: "cst.Call") -> "cst.Call | None":
    """The ``.count()`` called directly on the query (``db.query(Book).count()``; not ``.query(Book).filter(...)
    .count()``, whose predicate the site holds anyway), when the query names only plain models or columns (no
    expression: ``db.query(func.lower(Book.title))`` is not read here)."""
    if not all(arg.keyword is None and dotted_name(arg.value) is not None for arg in call.args):
        return None
    return next((n for n in walked.methods.get("count", ()) if not n.args and n.func.value is call), None)


def _answered(walked: Walked, call: "cst.CSTNode", stops: "frozenset | None" = None, own: "frozenset[int]" = frozenset()) -> bool:
    """The query, or a local holding what it gave (through assignments to plain names, annotated or not, in source
    order: ``yy = result.scalar()``, ``seq = yy + 1``, ``counts: dict = {"n": ...}``; a name bound again to something
    else no longer holds it), is in a ``return`` of the function (``walked``); a number written onto a row (``org.code = f"tq{seq}"``)
    is not; with ``stops`` given (ids of other queries' nodes), nor a value assigned from another query keyed by it
    or from a project function handed it (``own``: ``project_calls``; ``_keys_another``)."""
    held: set[str] = set()
    for node in walked.flow:  # (pre-order: source order; nothing is held before the call's own statement)
        if isinstance(node, cst.Return):
            if node.value is not None and _mentions(node.value, call, held) and not _keys_another(node.value, held, stops, own):
                return True
        else:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            names = {t.value for t in targets if isinstance(t, cst.Name)}
            keeps = _mentions(node.value, call, held) and not _keys_another(node.value, held, stops, own)
            held = held | names if keeps else held - names
    return False


def _keys_another(expr: "cst.CSTNode", held: set[str], stops: "frozenset | None", own: "frozenset[int]") -> bool:
    """With ``stops`` given: ``expr`` builds another query (one of ``stops``), filters one by a held local
    (``query.where(Site.org_id.in_(org_ids))``) or hands it to a function of the project (``_check_overlap(db,
    ids)``, one of ``own``): what it gives is that query's rows or that function's answer, not the held value."""
    if stops is None:
        return False
    for node in cst_walk(expr):
        if id(node) in stops:
            return True
        if (
            isinstance(node, cst.Call)
            and (_keying_call(node.func) or id(node) in own)
            and any(isinstance(n, cst.Name) and n.value in held for a in node.args for n in cst_walk(a))
        ):
            return True
    return False


def _keying_call(callee: "cst.BaseExpression") -> bool:
    return isinstance(callee, cst.Attribute) and callee.attr.value in _KEYING


def project_calls(ctx: "FileContext", func: "cst.FunctionDef") -> frozenset[int]:
    """Ids of the calls in ``func`` whose callee the index resolves to a function or method of the project
    (``summaries.project_callee``: ``_check_overlap(...)``, ``bookings.find_overlaps(...)``, ``self._route(...)``,
    ``self.repo.get_for_update(...)``): what such a call gives is its own answer, not the values handed in. A
    library function (``union_all``, ``sorted``, ``jsonable_encoder``), a class (``Page(items=ids)``) and a callee
    the index does not know (a local callable, a method of an untyped receiver) hand the values on. Memoised on
    the function node."""

    def build() -> frozenset[int]:
        project = ctx.project
        if project is None:
            return frozenset()
        cls = enclosing_class(ctx, func)
        out: set[int] = set()
        for node in function_walk(ctx, func).calls:
            target = _call_target(ctx, node.func)
            if target is not None and project_callee(project, cls, target) is not None:
                out.add(id(node))
        return frozenset(out)

    return ctx.cached(("queries.project_calls", id(func)), build)


def _call_target(ctx: "FileContext", callee: "cst.BaseExpression") -> "str | None":
    """``self.x`` / ``self.held.x`` as spelled (``project_callee`` reads them in the enclosing class), ``cls.x`` as
    ``self.x``; any other callee by its qualified name (``None`` when the module binds no such name)."""
    dotted = dotted_name(callee)
    if dotted is not None and dotted.split(".", 1)[0] in ("self", "cls"):
        return "self." + dotted.split(".", 1)[1] if "." in dotted else None
    return ctx.qualified_name(callee)


def _mentions(expr: "cst.CSTNode", call: "cst.Call", held: set[str]) -> bool:
    """``expr`` holds the call or reads a held local (not a keyword's or an attribute's name: ``Invoice(number=0)``)."""
    names = [n for n in cst_walk(expr) if n is call or isinstance(n, cst.Name)]
    if any(n is call for n in names):
        return True
    labels = {id(n.keyword) for n in cst_walk(expr) if isinstance(n, cst.Arg) and n.keyword is not None}
    labels |= {id(n.attr) for n in cst_walk(expr) if isinstance(n, cst.Attribute)}
    return any(isinstance(n, cst.Name) and n.value in held and id(n) not in labels for n in names)


def _aggregate(expr: "cst.BaseExpression", functions: frozenset[str] = _AGGREGATES) -> bool:
    """``func.<one of functions>(...)``, also labelled or inside ``coalesce`` / ``cast``."""
    if not isinstance(expr, cst.Call):
        return False
    if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "label":
        return _aggregate(expr.func.value, functions)
    parts = (dotted_name(expr.func) or "").split(".")
    if parts[-2:-1] == ["func"] and parts[-1] in functions:
        return True
    if parts[-1] in _WRAPPERS and expr.args:
        return _aggregate(expr.args[0].value, functions)
    return False
