"""Checks beside and after a fetch: tables the project's own helpers check, rows a helper decided on, keys scoped or
checked beside the client's key, and project callees that make an access decision (``callee_decides``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

from ...ground.lazy import lazy_import
from ..auth import Identity, principal_classes, USER_CLASS
from ..cst import bool_operands, iter_children, load_names, sql_conjuncts, walk as cst_walk
from ..imports import dotted_name, last_segment
from ..models import identity_columns, is_owned, is_table_model, membership_partners, model_columns, referenced_model, relationships
from .attach import caller_locals
from .syntax import client_key_columns, result_present_test
from .vocabulary import capability_column, named_like_check, PRIMARY_KEY_NAMES
from .syntax import _assignments, _db_handle, _if_refuses, _local_copies, _unwrap, _walk_expr, read_base
from .summaries import (
    _summary_of_call,
    callee_decides,
    helper_checked_tables,
    method_summary,
    project_callee,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex
    from .values import Comparison, FunctionQueries, Site, Val

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _helper_decided_row(ctx: "FileContext", func: cst.FunctionDef, identity: Identity, check: Comparison) -> bool:
    """A row of a table with no identity column (``LLMConnection`` tied to organisations many-to-many, a
    ``JobRecord`` keyed by ``organisation_id``) loaded by a key and handed whole, with the principal, to an
    authorisation helper (``self.__check_authorized(current_user, connection)``): the project itself decides
    who may reach the row, after the load (BKL202 at the helper). Only BKL202: with no scoping column known,
    a load of the model that nothing checks is not claimed."""
    project, settings = ctx.project, ctx.settings
    model = check.row.model
    if check.helper is None or check.name is None or not isinstance(check.node, cst.Call) or not is_table_model(project, model):
        return False
    if check.column is not None and not _through_parent(ctx, check):
        # (a column of the row's own is the scope the check grants; one read through a relationship of the row,
        # ``subsection.template.project_id``, is its parent's: the row is owned through it, as handed whole)
        return False
    if model not in helper_checked_tables(project, settings):
        return False
    row = check.row
    if not (row.trusted and row.repo) and not row.lookup and not row.keys and not any(s.key_names for s in row.sites):
        return False  # (rows listed, not looked up by a key: ``for ws in repo.list_all(): perms(user, ws.id)``)
    func_node = check.node.func
    if isinstance(func_node, cst.Attribute) and isinstance(func_node.value, cst.Name) and func_node.value.value in identity.principals:
        # a method of the principal object (``auth.assert_channel_read(channel)``, ``(channel.name)``): rows it
        # decides on with no identity column are the tenants it grants (a channel, a workspace by name), not rows
        # owned in them; unless it is handed the row's parent (``auth.assert_package_delete(version.package)``,
        # ``auth.authorize_request(request, f"{build.environment.namespace.name}/...")``): the row is owned
        # through that parent and decided after its load (``_through_parent``)
        return _through_parent(ctx, check)
    # handed who asks itself (``current_user``, ``user.id``, the ``user_id`` parameter, or a local computed from
    # who asks alone, ``db_user = await self._resolve_user(user)``): a helper given only keys the function
    # checked before (``check_run_related(run, dataset_id)``) ties the row to a checked parent
    names = identity.names()
    names |= ctx.cached(("queries.caller_locals", id(func)), lambda: _caller_locals(ctx, func, frozenset(names)))
    names |= caller_locals(ctx, func, identity)  # (``uid = current_user.get("id")``: a copy of the caller's id)
    for arg in check.node.args:
        inner = arg.value
        while (base := read_base(inner)) is not None:  # (also ``current_user.get("id")`` of a dict principal)
            inner = base
        if isinstance(inner, cst.Name) and inner.value in names:
            return True
    return False


def _through_parent(ctx: "FileContext", check: Comparison) -> bool:
    """The check is handed a value read off the checked row through one of its relationships (``version.package``,
    ``build.environment.namespace.name``, also inside an f-string or a collection): it decides on the row's
    parent, so the row is owned through it. The row itself or one of its own columns (``channel``,
    ``channel.name``) is not: that is the scope the check grants."""
    relations = relationships(ctx.project, check.row.model)
    if not relations or check.name is None:
        return False
    values: list[cst.BaseExpression] = []
    for arg in check.node.args:
        inner = arg.value
        if isinstance(inner, cst.FormattedString):
            values.extend(p.expression for p in inner.parts if isinstance(p, cst.FormattedStringExpression))
        elif isinstance(inner, (cst.List, cst.Tuple, cst.Set)):
            values.extend(e.value for e in inner.elements if isinstance(e, cst.Element))
        else:
            values.append(inner)
    for value in values:
        chain: list[str] = []
        while isinstance(value, cst.Attribute):
            chain.append(value.attr.value)
            value = value.value
        if chain and isinstance(value, cst.Name) and value.value == check.name and chain[-1] in relations:
            return True
    return False


def _caller_locals(ctx: "FileContext", func: cst.FunctionDef, names: frozenset[str]) -> frozenset[str]:
    """Locals of a function bound only to a call handed who asks and nothing else but the session
    (``db_requester = await self._resolve_user(requester)``, ``me = users.get(db, current_user.id)``): the
    caller's own row or value, as the principal is. A call also handed a key (``member = get_member(user,
    org_id)``) and a local bound anything else are left out."""
    bound: set[str] = set()
    other: set[str] = set()
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.Lambda:
            continue
        if kind is cst.Assign or kind is cst.AnnAssign:
            targets = [t.target for t in node.targets] if kind is cst.Assign else [node.target]
            value = node.value
            if isinstance(value, cst.Await):
                value = value.expression
            caller = isinstance(value, cst.Call) and _handed_only_caller(value, names)
            for target in targets:
                if isinstance(target, cst.Name):
                    (bound if caller else other).add(target.value)
                else:
                    other.update(n.value for n in cst_walk(target) if isinstance(n, cst.Name))
        elif kind is cst.AugAssign and isinstance(node.target, cst.Name):
            other.add(node.target.value)
        elif kind is cst.For or kind is cst.CompFor or kind is cst.WithItem or kind is cst.NamedExpr:
            target = getattr(node, "target", None) or getattr(getattr(node, "asname", None), "name", None)
            for n in cst_walk(target) if target is not None else ():
                if isinstance(n, cst.Name):
                    other.add(n.value)
        stack.extend(iter_children(node))
    return frozenset(bound - other - names)


def _handed_only_caller(call: cst.Call, names: frozenset[str]) -> bool:
    """A call whose arguments are who asks (a name of ``names`` or an attribute chain on one) and sessions."""
    handed = False
    for a in call.args:
        if a.star:
            return False
        if _db_handle(a.value):
            continue
        inner = a.value
        while isinstance(inner, cst.Attribute):
            inner = inner.value
        if not (isinstance(inner, cst.Name) and inner.value in names):
            return False
        handed = True
    return handed


def _guarded_node(fq: FunctionQueries, node: cst.CSTNode, guarded: frozenset[str]) -> bool:
    site = next((s for s in fq.sites if s.node is node), None)
    return site is not None and _guarded_site(site, guarded)


def _key_only_scoped(check: Comparison, identity: Identity) -> bool:
    """The checked row was scoped only by an identity-named parameter used as its own key (``Site.
    key_only_scoped``), and the check compares it with the principal (``if org.owner_id == user.id: return
    org``, or hands the principal to a helper): the function itself does not take the key for the caller's."""
    row = check.row
    if not row.scoped or not row.sites or not all(s.key_only_scoped for s in row.sites):
        return False
    return any(n in identity.principals for n in load_names(check.node))


def _parent_only_scoped(ctx: "FileContext", check: Comparison, identity: Identity) -> bool:
    """The checked row was scoped only through a joined parent's identity column (``Site.parent_only_scoped``:
    a comment of a task in the caller's workspace), and the check compares the row's own identity column with the
    principal (``if comment.user_id != user.id: raise``): access to the row is decided after it is loaded."""
    row = check.row
    if not row.scoped or not row.model or not row.sites or not all(s.parent_only_scoped for s in row.sites):
        return False
    if check.helper is not None or check.name is None or ctx.project is None:
        return False
    own = identity_columns(ctx.project, ctx.settings, row.model)
    compared = any(
        isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == check.name and n.attr.value in own
        for n in cst_walk(check.node)
    )
    return compared and any(n in identity.principals for n in load_names(check.node))


def _caller_unread(func: cst.FunctionDef, identity: Identity) -> bool:
    """The function is handed the caller (an auth dependency, a principal or identity-valued parameter), never
    reads it, and says so: the parameter carries ``# noqa: ARG001`` / ``ARG002`` (unused argument) or is named
    with a leading underscore (``_current_user``). The parameter only authenticates the request and scopes
    nothing, as an auth dependency of the route's router does (``Identity.router_auth``). An identity parameter
    left unread without such a word stays in scope: a repository taking ``user_id`` and listing every row
    forgot its filter."""
    names = identity.names()
    if not names or identity.closure_derived or identity.closure_trusted or identity.decoding or identity.global_caller:
        return False
    params = func.params
    declared = {p.name.value: p for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    if not names <= set(declared):
        return False
    for name in names:
        if name.startswith("_") and not name.startswith("__"):
            continue
        text = cst.Module(body=[]).code_for_node(declared[name])
        if not _UNUSED_ARGUMENT.search(text):
            return False
    return not (names & set(load_names(func.body)))


_UNUSED_ARGUMENT = re.compile(r"#\s*noqa\b[^\n]*\bARG00[1-5]\b|#\s*(?:pylint|pyright):[^\n]*unused-argument")


def _guarded_site(site: Site, guarded: frozenset[str]) -> bool:
    """The lookup is keyed only on parameters a route dependency or decorator verified against the caller."""
    return bool(site.key_names) and {k.split(".", 1)[0] for k in site.key_names} <= guarded


def _tied_site(ctx: "FileContext", func: cst.FunctionDef, site: Site, model: str, refused: frozenset[str]) -> bool:
    """The route's own lookup of ``model`` holds, in every row it finds, a column of that model that ties it to a
    parent (a foreign key or identity column: ``_parent_tie``) equal to a path key a route dependency refused the
    caller on (``auth.route_refused_keys``): ``select(TimeSlot).where(TimeSlot.id == slot_id, TimeSlot.zone_id ==
    zone_id)`` under ``Depends(require_zone_manager)``, or ``filter_by(zone_id=zone_id)``. The row belongs to the
    row the dependency let the caller at, as after the same check written in the body; its own key names which
    of that row's children. Not a tie: another table's column (``Zone.id == zone_id`` with no join filters the
    zone, not the slot), another column of the row (``filter_by(label=zone_id)``), a key under ``or_(...)``, a
    key the handler binds anew (``zone_id = target``: no longer the path's value the dependency was handed). A
    lookup through a helper (``via``) is read by its keys only (``_guarded_site``)."""
    if not refused or site.via or not site.key_names or ctx.project is None:
        return False
    bound = ctx.cached(("queries.bound", id(func)), lambda: {n for names, _ in _assignments(func.body) for n in names})
    refused = refused - bound
    if not {k.split(".", 1)[0] for k in site.key_names} & refused:
        return False
    for pred in site.pred_nodes:
        if isinstance(pred, cst.Name):
            keyword = site.pred_keywords.get(id(pred))  # (``filter_by(zone_id=zone_id)``: the keyword's value)
            if pred.value in refused and keyword is not None and _parent_tie(ctx, model, keyword):
                return True
            continue
        for part in sql_conjuncts(pred):
            if not isinstance(part, cst.Comparison) or len(part.comparisons) != 1 or not isinstance(part.comparisons[0].operator, cst.Equal):
                continue
            left, right = _unwrap(ctx, part.left), _unwrap(ctx, part.comparisons[0].comparator)
            for column, value in ((left, right), (right, left)):
                if (
                    isinstance(column, cst.Attribute) and isinstance(value, cst.Name) and value.value in refused
                    and _spells_model(ctx, site, column.value, model) and _parent_tie(ctx, model, column.attr.value)
                ):
                    return True
    return False


def _spells_model(ctx: "FileContext", site: Site, node: cst.BaseExpression, model: str) -> bool:
    """``node`` names ``model``: the class itself, or the spelling the site selects it by (an ``aliased(...)``
    local)."""
    if not isinstance(node, (cst.Name, cst.Attribute)):
        return False
    q = ctx.qualified_name(node)
    found = ctx.project.get_class(q) if (q and ctx.project is not None) else None
    if found is not None:
        return found[0] == model
    spelled = dotted_name(node)
    return any(e == model and dotted_name(n) == spelled for e, n in zip(site.entities, site.model_nodes))


def _parent_tie(ctx: "FileContext", model: str, column: str) -> bool:
    """``column`` of ``model`` ties its rows to another row: a foreign key or a ``*_id`` naming a table
    (``referenced_model``), or an identity column."""
    if column not in model_columns(ctx.project, model):
        return False
    return referenced_model(ctx.project, model, column) is not None or column in identity_columns(ctx.project, ctx.settings, model)


def _key_for_caller_query(func: cst.FunctionDef, site: Site, sites: Sequence[Site]) -> bool:
    """The row is looked up only to turn the client's key into its primary key, which then only filters a
    query the function scopes by the principal (``equipment = Equipment.query.filter_by(uuid=uuid).first()``,
    ``equipment_id = equipment.id if equipment else 0``, ``filters.append(Link.equipment_id == equipment_id)``
    beside ``Workout.user_id == auth_user.id``): nothing of the row leaves, and another owner's row matches
    none of the caller's rows. Every read of the row is a presence test or its key (``row.id``) held in a
    local or compared; every read of such a local is a comparison."""
    if len(site.row_names) != 1 or not any(s is not site and (s.pscoped or s.principal_filtered) for s in sites):
        return False
    row = next(iter(site.row_names))
    keys: set[str] = set()
    compared: set[int] = set()  # names read inside a comparison
    tested: set[int] = set()  # names read as a presence test
    key_reads: list[tuple[cst.Attribute, Optional[str]]] = []  # ``row.id`` and the local it is assigned to
    loads: list[cst.Name] = []
    stores: set[int] = set()

    def visit(node: cst.CSTNode, target: Optional[str]) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return
        if isinstance(node, cst.Comparison) and _none_test_of(node, row):
            tested.add(id(node.left))  # (``row is None``: a presence test of the row, as ``not row``)
        elif isinstance(node, cst.Comparison):
            compared.update(id(n) for n in _walk_expr(node) if isinstance(n, cst.Name))
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "filter_by":
            # ``Event.query.filter_by(sketch=sketch, searchindex=searchindex)``: the row itself as a relationship's
            # value in a predicate, as ``Event.searchindex_id == searchindex.id``
            compared.update(id(a.value) for a in node.args if a.keyword is not None and isinstance(a.value, cst.Name))
        elif isinstance(node, (cst.If, cst.While, cst.IfExp)):
            tested.update(id(p) for p in bool_operands(node.test, unwrap_not=True) if isinstance(p, cst.Name))
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            name = targets[0].value if len(targets) == 1 and isinstance(targets[0], cst.Name) else None
            for t in targets:
                stores.update(id(n) for n in _walk_expr(t) if isinstance(n, cst.Name))
            for t in targets:
                visit(t, None)
            if node.value is not None:
                visit(node.value, name)
            return
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == row and node.attr.value in PRIMARY_KEY_NAMES:
                key_reads.append((node, target))
            else:
                visit(node.value, target)
            return
        if isinstance(node, cst.Arg):
            visit(node.value, target)  # (a keyword's name is no read)
            return
        if isinstance(node, cst.Name):
            loads.append(node)
        for child in iter_children(node):
            visit(child, target)

    visit(func.body, None)
    for node, target in key_reads:
        if target is not None:
            keys.add(target)
        elif id(node.value) not in compared:
            return False
    if not keys and not key_reads and not any(n.value == row and id(n) in compared for n in loads):
        return False
    for name in loads:
        if id(name) in stores:
            continue
        if name.value == row:
            if id(name) not in tested and id(name) not in compared:
                return False
        elif name.value in keys and id(name) not in compared:
            return False
    return True


def _none_test_of(node: cst.Comparison, name: str) -> bool:
    """``name is None`` / ``name is not None``."""
    if len(node.comparisons) != 1 or not (isinstance(node.left, cst.Name) and node.left.value == name):
        return False
    op, right = node.comparisons[0].operator, node.comparisons[0].comparator
    return isinstance(op, (cst.Is, cst.IsNot)) and isinstance(right, cst.Name) and right.value == "None"


def _parent_sites(row: Val, named_sites: dict[str, Site]) -> list[Site]:
    """The fetches whose row's attribute keyed this row's lookup (``Tenant.id == role.tenant_id``)."""
    out: list[Site] = []
    keyed = [(s, sorted(s.key_names)) for s in row.sites]
    if not row.sites and row.keys:
        # a project helper's row keyed on a loaded row's attribute (``get_org(db, project.organization_id)``)
        keyed = [(None, sorted(row.keys))]
    for s, keys in keyed:
        for key in keys:
            if "." not in key:
                continue
            parent = named_sites.get(key.split(".", 1)[0])
            if parent is not None and parent is not s and parent not in out:
                out.append(parent)
    return out


GATE_PREFIXES = (
    "assert_", "check_", "ensure_", "verify_", "validate_", "require_", "authorize_", "authorise_", "can_", "has_",
    "may_", "is_allowed", "guard_", "enforce_",
)
GATE_WORDS = ("_can_", "can_access", "has_access", "_is_allowed", "_may_")


def _access_gate(func: cst.FunctionDef, identity: Identity, rows: Optional[set[str]] = None) -> bool:
    """The function is itself an access gate (``_assert_can_edit(user, item_id, db) -> None``,
    ``can_link_config(user, config_id, db) -> bool``): named like a check, it returns nothing or a verdict
    (never a row), and it decides with the principal (hands it to a call or compares it). The rows it
    loads are what it decides on, not rows served to a request: its loads make no BKL201 claim (its callers
    make theirs: a route that ignores its verdict, or a row it loads itself, is reported there)."""
    name = func.name.value.lstrip("_").lower()
    if rows is not None and _rights_report(func, identity, rows):
        return True
    if not (name.startswith(GATE_PREFIXES) or any(w in "_" + name for w in GATE_WORDS)):
        return False
    returns = func.returns.annotation if func.returns is not None else None
    if returns is not None and not (isinstance(returns, cst.Name) and returns.value in ("None", "bool")):
        return False
    names = identity.names()
    if not names:
        return False
    decides = False
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Return) and returns is None and node.value is not None:
            value = node.value
            if isinstance(value, cst.Await):
                value = value.expression
            verdict = isinstance(value, (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation)) or (
                isinstance(value, cst.Name) and value.value in ("True", "False", "None")
            )
            if isinstance(value, cst.Call):
                callee = value.func.attr.value if isinstance(value.func, cst.Attribute) else (value.func.value if isinstance(value.func, cst.Name) else "")
                callee = callee.lstrip("_").lower()
                verdict = callee in ("all", "any", "bool", "isinstance") or callee.startswith(GATE_PREFIXES) or any(w in "_" + callee for w in GATE_WORDS)
            if not verdict:
                return False  # returns something that may be a row
        if isinstance(node, (cst.Call, cst.Comparison)) and not decides:
            parts = [a.value for a in node.args] if isinstance(node, cst.Call) else [node.left] + [c.comparator for c in node.comparisons]
            for part in parts:
                if any(n in names for n in load_names(part)):
                    decides = True
                    break
        stack.extend(iter_children(node))
    return decides


_REPORT_ENDINGS = ("_rights", "_permissions")


def _leaks_row(expr: cst.CSTNode, rows: set[str]) -> bool:
    """The expression holds a fetched row itself, or a method's answer on it (``board``, ``board.model_dump()``),
    not only its columns (``board.open_to_all``) or a verdict on it (``seat is not None``)."""
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name) and node.func.value.value in rows:
            return True
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in rows:
            continue
        if isinstance(node, cst.Comparison) or (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)):
            continue  # a verdict on it (``seat is not None``, ``not seat``)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)) and isinstance(node.for_in.target, cst.Name):
            # ``[m.group_id for m in memberships]``: the rows' columns, each element a row of the list
            if _leaks_row(node.elt, rows | {node.for_in.target.value}):
                return True
            continue
        if isinstance(node, cst.Name) and node.value in rows:
            return True
        stack.extend(iter_children(node))
    return False


def _rights_report(func: cst.FunctionDef, identity: Identity, rows: set[str]) -> bool:
    """``get_course_user_rights(request, course_uuid, current_user, db) -> dict``: a function named for the
    caller's rights (``*_rights`` / ``*_permissions``), typed to return a ``dict``, that returns only a dict it
    builds itself (a literal, or a local bound to one) and reads the principal: it reports what the caller may
    do with the row it loads, not the row (what it sets in the dict are verdicts and the row's columns); its
    loads make no BKL201 claim, as an access gate's. A report that returns anything else, or puts a row itself
    (or a method's answer on it, ``board.model_dump()``) into the dict, is no such report."""
    name = func.name.value.lower()
    if not name.endswith(_REPORT_ENDINGS):
        return False
    returns = func.returns.annotation if func.returns is not None else None
    base = returns.value if isinstance(returns, cst.Subscript) else returns
    if not (isinstance(base, cst.Name) and base.value in ("dict", "Dict")):
        return False
    names = identity.names()
    if not names:
        return False
    literals: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Dict):
            literals.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and (
            isinstance(node.value, cst.Dict) or any(isinstance(t.target, cst.Subscript) for t in node.targets)
        ) and _leaks_row(node.value, rows):
            return False  # ``rights["board"] = board``
    reads_principal = False
    returned = False
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Return):
            value = node.value
            if not (isinstance(value, cst.Dict) or (isinstance(value, cst.Name) and value.value in literals)):
                return False
            if isinstance(value, cst.Dict) and _leaks_row(value, rows):
                return False
            returned = True
        if isinstance(node, cst.Name) and node.value in names:
            reads_principal = True
        stack.extend(iter_children(node))
    return returned and reads_principal


def _existence_only(func: cst.FunctionDef, site: Site, refusing: bool = False) -> bool:
    """``_existence_read``; ``refusing``, when the whole function does not show it, also up to the local's next
    binding to something else (``user = crud.user.create(...)`` after ``if user: raise``, then ``return user``:
    the new row, not the probe's)."""
    if _existence_read(func, site, refusing):
        return True
    return refusing and _existence_read(func, site, refusing, rebound=True)


def _existence_read(func: cst.FunctionDef, site: Site, refusing: bool = False, rebound: bool = False) -> bool:
    """The fetched row is only tested for existence (``if thread is None: raise 404``) and never read,
    returned or handed on, in a function that decides access elsewhere (an ownership comparison or an
    authorisation helper on the row that matters): the load reveals nothing of the row. ``refusing``: every
    test refuses the request when the row exists (``if existing_user: raise HTTPException(400, "Email already
    registered")``, also ``is not None``), in any function: a uniqueness check, whose only answer is that a
    row with that value exists; the row may come through the statement's result (``result = await
    db.execute(stmt)``, ``existing_user = result.scalars().first()``), read once."""
    names = set(site.row_names)
    if not names or (len(names) != 1 and not refusing):
        return False
    tests = dict.fromkeys(names, 0)
    uses = dict.fromkeys(names, 0)
    binds = dict.fromkeys(names, 0)
    targets: set[int] = set()
    site_assigns: list[cst.Assign] = []
    rebinds: list[cst.Assign] = []
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign):
            for t in node.targets:
                targets.add(id(t.target))
            if any(n is site.node for n in cst_walk(node.value)):
                site_assigns.append(node)
            elif any(isinstance(t.target, cst.Name) and t.target.value in names for t in node.targets):
                rebinds.append(node)
    live = _rebound_span(func, site_assigns, rebinds) if rebound else None
    if rebound and not live:
        return False  # (never bound again, or the span cannot be told: read whole above)
    if live:
        live = _with_ancestors(func, live)
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        if live and id(node) not in live:
            continue  # (wholly after the local is bound again)
        if isinstance(node, (cst.If, cst.While)):
            test = node.test
            negated = False
            while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                test = test.expression
                negated = not negated
            if isinstance(test, cst.Name) and test.value in names:
                tests[test.value] += 1
                if refusing and (negated or not _if_refuses(node)):
                    return False
            elif (
                isinstance(test, cst.Comparison)
                and isinstance(test.left, cst.Name)
                and test.left.value in names
                and len(test.comparisons) == 1
                and isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot))
                and isinstance(test.comparisons[0].comparator, cst.Name)
                and test.comparisons[0].comparator.value == "None"
            ):
                tests[test.left.value] += 1
                present = isinstance(test.comparisons[0].operator, cst.IsNot) != negated
                if refusing and (not present or not _if_refuses(node)):
                    return False
            else:
                stack.append(node.test)
            stack.append(node.body)
            if node.orelse is not None:
                stack.append(node.orelse)
            continue
        if isinstance(node, cst.Name) and node.value in names:
            uses[node.value] += 1
            if id(node) in targets:
                binds[node.value] += 1
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        stack.extend(iter_children(node))
    # the assignment itself is one use of the name; a result read once after each binding (``result = await
    # db.execute(...)`` reused for the next statement) hands the row to the tested name
    tested = [n for n in names if tests[n]]
    if len(tested) != 1 or (uses[tested[0]] > 1 and uses[tested[0]] != binds[tested[0]]):
        return False  # (bound once, or once on each branch and never read: ``if b.email: taken = ...``, ``elif ...``)
    return all(tests[n] == 0 and binds[n] >= 1 and uses[n] - binds[n] <= binds[n] for n in names if n != tested[0])


_YES_NO_WRITES = frozenset({"add", "add_all", "delete", "commit", "flush", "merge", "remove", "bulk_save_objects", "save", "update"})


def _present_test(test: cst.BaseExpression) -> Optional[tuple[str, bool]]:
    """``(name, present)`` for a test that only asks whether a local holds a row or a count (``x``, ``not x``,
    ``x is None``, ``x is not None``, ``x > 0``, ``x == 0``); ``present`` when it holds as the row exists."""
    negated = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, negated = test.expression, not negated
    if isinstance(test, cst.Name):
        return test.value, not negated
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name):
        op, right = test.comparisons[0].operator, test.comparisons[0].comparator
        if isinstance(right, cst.Name) and right.value == "None" and isinstance(op, (cst.Is, cst.IsNot)):
            return test.left.value, isinstance(op, cst.IsNot) != negated
        if isinstance(right, cst.Integer) and isinstance(op, (cst.GreaterThan, cst.GreaterThanEqual, cst.NotEqual, cst.Equal, cst.LessThan, cst.LessThanEqual)):
            value = int(right.value, 0) if right.value.isdigit() else None
            if value is None:
                return None
            present = isinstance(op, (cst.GreaterThan, cst.NotEqual)) or (isinstance(op, cst.GreaterThanEqual) and value >= 1)
            return test.left.value, present != negated
    return None


def _with_ancestors(func: cst.FunctionDef, span: set[int]) -> set[int]:
    """``span`` and every node holding one of its nodes (the ``if`` around a test in it, the function's body)."""
    out = set(span)
    stack: list[tuple[cst.CSTNode, tuple[int, ...]]] = [(func.body, ())]
    while stack:
        node, above = stack.pop()
        if id(node) in span:
            out.update(above)
        path = (*above, id(node))
        stack.extend((child, path) for child in iter_children(node))
    return out


def _rebound_span(func: cst.FunctionDef, site_assigns: list[cst.Assign], rebinds: list[cst.Assign]) -> Optional[set[int]]:
    """The nodes from the lookup's one binding on, less what a later binding of the same local to something else
    shadows in its own block (``result = await db.execute(select(User)...)``, ``if result.scalar_one_or_none():
    raise``, later ``result = await db.execute(select(Role)...)`` and ``role = result.scalar_one_or_none()``): the
    uses of the lookup's value (a binding before the lookup's holds the uses before it). An empty set when the local
    is never rebound (every use is the lookup's); ``None`` when the span cannot be told (several bindings of the
    lookup)."""
    if not rebinds:
        return set()
    if len(site_assigns) != 1:
        return None
    nodes = list(cst_walk(func.body))
    order = {id(n): i for i, n in enumerate(nodes)}
    start = order.get(id(site_assigns[0]))
    if start is None:
        return None
    # each later binding shadows the lookup in what follows it in its own block (``result = ...`` then ``role =
    # result.scalar_one_or_none()`` inside ``if body.role_ids:``); after that block the lookup's value may still be
    # the one read (``if strict: ... user = create(...)``, then ``return user``)
    parents = {id(child): node for node in nodes for child in iter_children(node)}
    shadow: set[int] = set()
    for a in rebinds:
        if id(a) not in order or order[id(a)] <= start:
            continue
        line = parents.get(id(a))
        block = parents.get(id(line)) if line is not None else None
        body = getattr(block, "body", None)
        if isinstance(body, (list, tuple)) and any(stmt is line for stmt in body):
            at = next(k for k, stmt in enumerate(body) if stmt is line)
            for stmt in body[at:]:
                shadow.update(id(n) for n in cst_walk(stmt))
        else:
            shadow.update(id(n) for n in cst_walk(a))
    return {id(n) for n in nodes[start:] if id(n) not in shadow}


def _only_tested(func: cst.FunctionDef, site: Site) -> bool:
    """The lookup's row is only tested, never returned, read, changed or handed on (RULES: BKL201 is a row
    returned, changed or used): its locals appear only in ``if`` / ``while`` conditions (a count also inside an
    f-string message), besides their bindings. One reading for the three ways this answers nothing about
    someone's row:

    - **a value the function picked** (uniqueness probe): every key is a local the function computes itself
      (``slug = slugify(body.title)``, ``code = "".join(secrets.choice(alphabet) for _ in range(5))``), never a
      parameter as given, and the row's locals appear in conditions in any form (``if existing.
      scalar_one_or_none(): slug = f"{slug}-{n}"``, ``if not existing: return code``), also in a function that
      writes: it picks a value no row holds yet and learns only that one exists;
    - **a yes or no** (yes/no lookup): the row or count, bound to one local, is read only by presence tests
      (``if not doctor: errors.append(...)``, ``while temp is not None:``, ``if in_use > 0: raise ValueError(f"...
      {in_use} ...")``) and the function changes nothing and hands the lookup's key on nowhere else (an exists
      endpoint, a count);
    - **a refusal** while the row exists: the same presence tests in a function that writes or reads the key
      elsewhere, each refusing (or retrying) while the row exists (a uniqueness refusal, an in-use guard). A write
      after ``if not parent: raise`` attaches something to the row's key, and children listed by the same key
      after it are the parent's: still reported.

    A helper's answer (``success = await svc.remove_role(...)``) may follow a change of the row: never read so."""
    names = set(site.row_names)
    if not names:
        return False
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    computed: set[str] = set()  # locals bound to a call, an f-string or an operation
    plain: set[str] = set()  # locals bound otherwise
    site_assigns: list[cst.Assign] = []
    other_assigns: list[cst.Assign] = []  # assignments to a row local that are not the lookup's
    in_condition: set[int] = set()  # every name node inside an ``if`` / ``while`` condition
    presence: list[tuple[cst.CSTNode, str, bool]] = []  # (the ``if`` / ``while``, the local, holds as the row exists)
    in_presence: set[int] = set()  # every name node of such a presence test
    in_messages: set[int] = set()  # name nodes inside an f-string's ``{...}``
    writes = False
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                value = node.value
                if isinstance(value, (cst.Call, cst.FormattedString, cst.BinaryOperation)):
                    computed.add(node.targets[0].target.value)
                else:
                    plain.add(node.targets[0].target.value)
            if any(n is site.node for n in cst_walk(node.value)):
                site_assigns.append(node)
            elif any(isinstance(t.target, cst.Name) and t.target.value in names for t in node.targets):
                other_assigns.append(node)
        elif isinstance(node, (cst.If, cst.While)):
            in_condition.update(id(n) for n in cst_walk(node.test) if isinstance(n, cst.Name))
            found = _present_test(node.test) or result_present_test(node.test)
            if found is not None and found[0] in names:
                presence.append((node, found[0], found[1]))
                in_presence.update(id(n) for n in cst_walk(node.test) if isinstance(n, cst.Name))
        elif isinstance(node, cst.FormattedStringExpression):
            in_messages.update(id(n) for n in cst_walk(node.expression) if isinstance(n, cst.Name))
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _YES_NO_WRITES:
            writes = True
    row_uses = [n for n in cst_walk(func.body) if isinstance(n, cst.Name) and n.value in names]
    bindings = {
        id(t.target) for a in (*site_assigns, *other_assigns) for t in a.targets if isinstance(t.target, cst.Name) and t.target.value in names
    }

    # a value the function picked: keys computed here, the row's locals only in conditions
    if (
        site.key_names
        and not site.via
        and all(k in computed and k not in plain and k not in params for k in site.key_names)
        and any(id(n) in in_condition for n in row_uses)
        and all(id(n) in in_condition or id(n) in bindings for n in row_uses)
    ):
        return True

    # a yes or no (or a refusal): one local, bound by the lookup alone (or reset to a constant), read only by
    # presence tests (a count also in its message)
    if len(names) != 1 or site.kind == "helper":
        return False
    name = next(iter(names))
    count = False
    for assign in site_assigns:
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name) or assign.targets[0].target.value != name:
            return False
        value = assign.value.expression if isinstance(assign.value, cst.Await) else assign.value
        count = isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in ("count", "scalar") and any(
            isinstance(n, (cst.Name, cst.Attribute)) and (n.value if isinstance(n, cst.Name) else n.attr.value) == "count" for n in cst_walk(value)
        )
    live = _rebound_span(func, site_assigns, [a for a in other_assigns if not (isinstance(a.value, cst.Name) and a.value.value in ("None", "True", "False"))])
    if live is None:
        return False
    tests = [(node, present) for node, local, present in presence if local == name and (not live or id(node) in live)]
    if not tests:
        return False
    messages = in_messages if count else set()
    site_nodes = {id(n) for a in site_assigns for n in cst_walk(a)}
    keys = {k.split(".", 1)[0] for k in site.key_names}
    for node in cst_walk(func.body):
        if not isinstance(node, cst.Name):
            continue
        if live and node.value == name and id(node) not in live:
            continue  # the local rebound to another statement's result: that one's use
        if node.value == name and id(node) not in in_presence and id(node) not in bindings and id(node) not in messages:
            return False  # read otherwise: the row is used
        if node.value in keys and id(node) not in site_nodes and id(node) not in messages:
            writes = True  # the key goes on (``if not parent: raise 404``, then its children by the same key)
    if writes:
        return all(present and (isinstance(node, cst.While) or _if_refuses(node) or _repicks_key(node, site)) for node, present in tests)
    return True


def _repicks_key(node: cst.CSTNode, site: Site) -> bool:
    """An ``if`` asking for the probed row's presence whose body binds again, at its top level, every local the
    lookup's predicate compares a column with (``.where(Organization.slug == slug)``, ``if existing.
    scalar_one_or_none(): slug = f"{slug}-{user.id}"``): while a row holds the value, the function picks another
    one for what it writes next, as a refusal would refuse it (a retry, as a ``while`` loop). Every equality of
    the predicate sets a column to such a local or a constant; the row is not read there (``_only_tested`` asks
    that of every read)."""
    if not isinstance(node, cst.If):
        return False
    locals_: set[str] = set()
    for pred in site.pred_nodes:
        comparisons = [n for n in cst_walk(pred) if isinstance(n, cst.Comparison)]
        if not comparisons:
            return False
        for comp in comparisons:
            if len(comp.comparisons) != 1 or not isinstance(comp.comparisons[0].operator, cst.Equal):
                return False
            sides = (comp.left, comp.comparisons[0].comparator)
            column = [x for x in sides if isinstance(x, cst.Attribute)]
            value = [x for x in sides if not isinstance(x, cst.Attribute)]
            if len(column) != 1 or len(value) != 1:
                return False
            if isinstance(value[0], cst.Name):
                locals_.add(value[0].value)
            elif not isinstance(value[0], (cst.SimpleString, cst.Integer)):
                return False
    if not locals_:
        return False
    body = node.body.body if isinstance(node.body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()
    rebound: set[str] = set()
    for stmt in body:
        smalls = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else (stmt,) if isinstance(stmt, cst.BaseSmallStatement) else ()
        for small in smalls:
            if isinstance(small, cst.Assign):
                rebound.update(t.target.value for t in small.targets if isinstance(t.target, cst.Name))
            elif isinstance(small, (cst.AugAssign, cst.AnnAssign)) and isinstance(small.target, cst.Name):
                rebound.add(small.target.value)
    return locals_ <= rebound


def _row_through_result(func: cst.FunctionDef, site: Site, names: set[str]) -> Optional[str]:
    """The local holding the lookup's row: the one name, or of two (``result = await db.execute(stmt)``, ``row =
    result.scalar_one_or_none()``) the one bound from the other, the statement's result read nowhere else until
    it is bound again (``result`` reused for the next statement)."""
    if len(names) == 1:
        return next(iter(names))
    nodes = list(cst_walk(func.body))
    order = {id(n): i for i, n in enumerate(nodes)}
    for name in names:
        (other,) = names - {name}
        values = [
            a.value for a in nodes
            if isinstance(a, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == name for t in a.targets)
        ]
        if len(values) != 1 or not any(isinstance(n, cst.Name) and n.value == other for n in cst_walk(values[0])):
            continue
        binds = [a for a in nodes if isinstance(a, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == other for t in a.targets)]
        own = [a for a in binds if any(n is site.node for n in cst_walk(a.value))]
        if len(own) != 1:
            continue
        start = order[id(own[0])]
        later = [order[id(a)] for a in binds if order[id(a)] > start]
        end = min(later) if later else len(nodes)
        inside = {id(n) for n in cst_walk(values[0])}
        targets = {id(t.target) for a in binds for t in a.targets}
        span = nodes[start:end]
        if all(id(n) in inside or id(n) in targets for n in span if isinstance(n, cst.Name) and n.value == other):
            return name
    return None


def _refused_by_its_tests(func: cst.FunctionDef, site: Site) -> bool:
    """A probe by a value column that refuses behind tests of the row itself (``existing = result.
    scalar_one_or_none()``, ``if existing:``, ``if existing.is_valid(): raise HTTPException(400, "already
    invited")``; ``if existing and existing.expires_at > now: raise``): the row is bound to one local and read
    only inside the conditions of ``if`` statements (its presence, its columns, its own methods), never returned,
    changed, handed on or read in a body; every such ``if`` asks for the row's presence or sits inside one that
    does (the row's state is asked only when it exists) and one of them refuses; no test refuses while it is
    absent (``if not row: raise 404`` guards what follows); and every client key of the lookup is compared with a
    value column (``Invitation.email == body.email``, not a key column: ``id`` or ``*_id``, whose row a write
    after the refusal could attach to). It reveals at most that a row with that value exists in that state, as a
    uniqueness refusal does (``_only_tested``)."""
    names = set(site.row_names)
    if not names or len(names) > 2 or site.kind == "helper" or not site.key_names or site.via:
        return False
    name = _row_through_result(func, site, names)
    if name is None:
        return False
    columns = client_key_columns(site)
    if not columns or any(c in PRIMARY_KEY_NAMES or c.endswith("_id") for c in columns):
        return False
    bindings: set[int] = set()
    assigns = 0
    for node in cst_walk(func.body):
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for t in targets:
                if isinstance(t, cst.Name) and t.value == name:
                    bindings.add(id(t))
                    assigns += 1
                    if isinstance(node, cst.Assign) and not any(n is site.node or (isinstance(n, cst.Name) and n.value in names) for n in cst_walk(node.value)):
                        return False  # rebound to something else
        elif isinstance(node, (cst.For, cst.With, cst.NamedExpr)) and any(isinstance(n, cst.Name) and n.value == name for n in cst_walk(node.target if not isinstance(node, cst.With) else node.items[0])):
            return False
    if assigns != 1:
        return False
    in_tests: set[int] = set()
    refuses = False
    present_seen = False

    def visit_if(node: cst.If, inside_present: bool) -> bool:
        nonlocal refuses, present_seen
        reads = [n for n in cst_walk(node.test) if isinstance(n, cst.Name) and n.value == name]
        present = False
        if reads:
            found = _present_test(node.test)
            test = node.test
            if found is not None and found[0] == name:
                if not found[1]:
                    return False  # refused (or branched on) while the row is absent
                present = True
            elif isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And) and _present_test(bool_operands(test)[0]) == (name, True):
                present = True  # ``if existing and existing.is_valid():``
            elif not inside_present:
                return False  # the row's state asked whether or not it exists
            in_tests.update(id(n) for n in reads)
            present_seen = present_seen or present
            refuses = refuses or _if_refuses(node)
        if not visit(node.body, inside_present or present):
            return False
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            return visit_if(orelse, inside_present)
        return orelse is None or visit(orelse, inside_present)

    def visit(block: cst.CSTNode, inside_present: bool) -> bool:
        for child in iter_children(block):
            if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(child, cst.If):
                if not visit_if(child, inside_present):
                    return False
            elif not visit(child, inside_present):
                return False
        return True

    if not visit(func.body, False) or not refuses or not present_seen:
        return False
    uses = [n for n in cst_walk(func.body) if isinstance(n, cst.Name) and n.value == name]
    return all(id(n) in in_tests or id(n) in bindings for n in uses)


def _child_of_checked_parent(func: cst.FunctionDef, site: Site, sites: Sequence[Site]) -> bool:
    """Children fetched by the key of a parent the function has just loaded with the owner predicate and refused
    when missing (``task = query(Task).filter(Task.id == task_id, Task.organization_id == org_id).first()``,
    ``if not task: raise 404``, then ``query(TaskTimeLog).filter(TaskTimeLog.task_id == task_id)``): past the
    refusal the key is the key of a row fetched with a check, which RULES.md trusts. The parent comes first in
    the function, is consumed with an identity predicate on every way, and holds every key of the child's lookup."""
    keys = set(site.key_names)
    if not keys or site.kind == "helper":
        return False
    order: Optional[dict[int, int]] = None
    for parent in sites:
        if parent is site or parent.unscoped or not parent.consumptions or parent.admin or len(parent.row_names) != 1:
            continue
        if not keys <= set(parent.key_names) or not parent.entities or set(parent.entities) & set(site.entities):
            continue
        if order is None:
            order = {id(n): i for i, n in enumerate(cst_walk(func.body))}
        if order.get(id(parent.node), -1) < 0 or order.get(id(parent.node), -1) >= order.get(id(site.node), -1):
            continue
        row = next(iter(parent.row_names))
        for node in cst_walk(func.body):
            if not isinstance(node, cst.If) or not _if_refuses(node) or order.get(id(node), -1) >= order[id(site.node)]:
                continue
            for operand in bool_operands(node.test):
                found = _present_test(operand)  # type: ignore[arg-type]
                if found == (row, False):
                    return True
    return False


def _merged_into_guarded(ctx: "FileContext", func: cst.FunctionDef, site: Site, model: str) -> bool:
    """The fetched row is only tested for presence and handed to a method of another row of its model that
    leaves unless both share an identity column (``merge = Category.find_by_id(args["merge_category_id"])``,
    ``if merge: category.merge(merge)``, ``def merge(self, other): if self.household_id != other.household_id:
    return``): the row is used only when it belongs where the checked row does (a guard in the model)."""
    project = ctx.project
    names = set(site.row_names)
    if project is None or len(names) != 1:
        return False
    name = next(iter(names))
    cols = set(identity_columns(project, ctx.settings, model))
    if not cols:
        return False
    guarded: set[int] = set()
    for node in cst_walk(func.body):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name)):
            continue
        if node.func.value.value == name:
            continue
        positions = [i for i, a in enumerate(node.args) if isinstance(a.value, cst.Name) and a.value.value == name and a.keyword is None]
        if not positions:
            continue
        found = method_summary(project, model, node.func.attr.value)
        if found is None:
            continue
        params = [p for p in found[3].get("params", ()) if p not in ("self", "cls")]
        same = {(p, c) for p, c in found[3].get("same_owner", ())}
        if all(i < len(params) and any((params[i], c) in same for c in cols) for i in positions):
            guarded.update(id(node.args[i].value) for i in positions)
    if not guarded:
        return False
    for node in cst_walk(func.body):
        if isinstance(node, (cst.If, cst.While)):
            found_test = _present_test(node.test)
            if found_test is not None and found_test[0] == name:
                guarded.update(id(n) for n in cst_walk(node.test))
        elif isinstance(node, cst.Assign) and any(n is site.node for n in cst_walk(node.value)):
            guarded.update(id(t.target) for t in node.targets)
    return not any(isinstance(n, cst.Name) and n.value == name and id(n) not in guarded for n in cst_walk(func.body))


def _secret_gated(func: cst.FunctionDef, site: Site) -> bool:
    """The fetched row's secret is compared with what the client presents and the request refused when
    they differ (``if not hmac.compare_digest(hash_token(token), inv.token_hash): raise ...``, ``if
    row.invite_token != body.token: raise``): the row is authorised by holding its secret, as a lookup keyed
    on a capability column is (RULES: invites, token exchange). A check is there: no BKL201."""
    if not site.row_names:
        return False
    for node in cst_walk(func.body):
        if not _if_refuses(node) or set(load_names(node.test)) <= site.row_names:  # type: ignore[attr-defined]
            continue  # (``if not inv.token: raise`` compares the secret with nothing the client presents)
        for sub in _walk_expr(node.test):  # type: ignore[attr-defined]
            # (compared for equality or handed to a call: ``if chat.token_count > MAX_TOKENS`` is a quota, no secret)
            if isinstance(sub, cst.Comparison) and all(isinstance(c.operator, (cst.Equal, cst.NotEqual)) for c in sub.comparisons):
                operands = [sub.left] + [c.comparator for c in sub.comparisons]
            elif isinstance(sub, cst.Call):
                operands = [a.value for a in sub.args]
            else:
                continue
            for operand in operands:
                if (
                    isinstance(operand, cst.Attribute)
                    and isinstance(operand.value, cst.Name)
                    and operand.value.value in site.row_names
                    and capability_column(operand.attr.value)
                ):
                    return True
    return False


def _keyed_by_caller(identity: Identity, site: Site) -> bool:
    """Follow the request, not the function: a helper (not a route handler) that is handed no principal,
    only identity values, and looks a row up by a key its caller handed in makes no claim of its own; the
    claim is made where a route's client key reaches it (``knowledge.flow``). A helper given the principal
    answers for it (its caller trusts it), and a lookup keyed on nothing the caller gave (a list that forgets
    the owner filter) is the helper's own."""
    if identity.route is not None or identity.principals or identity.closure_derived or identity.decoding:
        return False  # (a helper that decodes the caller itself answers for the caller, as if given the principal)
    plain = {p.name for p in identity.params} - set(identity.identity_params) - {"self", "cls"}
    return bool({k.split(".", 1)[0] for k in site.key_names} & plain)


def _roster_read(ctx: "FileContext", site: Site, model: str) -> bool:
    """A query on a membership table filtered by the group it links to (``Member.team_id == team_id``): it
    lists a group's roster; the identity column of such a row names the member, not an owner. One filtered by
    its identity column too (compared with a key the client chose, or it would be scoped) addresses one member's
    row (``Member.team_id == team_id, Member.user_id == member_id``): no roster read."""
    partners = membership_partners(ctx.project, ctx.settings, model)
    if not partners or any(e != model and is_owned(ctx.project, ctx.settings, e) for e in site.entities):
        return False
    columns = {c for p in site.pred_nodes for c in _model_columns_named(ctx, p, model)}
    return bool(columns & partners) and not columns & set(identity_columns(ctx.project, ctx.settings, model))


_ROLE_COLUMN = re.compile(r"(?:^|_)roles?$")


def staff_list(ctx: "FileContext", site: Site, model: str) -> bool:
    """A query of the principal's own table keyed on no client value and filtered on a role column
    (``db.query(User).filter(User.role.in_([Role.ADMIN, Role.DISPATCHER]))``, ``User.query.filter_by(role=
    RoleEnum.BA)``): the operator's staff looked up by role to notify or to offer as a choice, no row a client
    named. Whatever column owns the table (an inferred tenant: the resident's ``house_id``), such a list makes
    no BKL201 claim, also when the roles listed depend on a client's value and nothing else is filtered; a lookup
    by a client key, or a listing filtered on nothing, is read as before."""
    if ctx.project is None or site.via or not _principal_table(ctx, model):
        return False
    columns: set[str] = set()
    for pred in site.pred_nodes:
        if isinstance(pred, cst.Arg) and pred.keyword is not None:
            columns.add(pred.keyword.value)
        columns.update(_model_columns_named(ctx, pred, model))
    roles = {c for c in columns if _ROLE_COLUMN.search(c)}
    # (keyed on a value a client chose only through the role it lists: ``User.role.in_(staff_roles)`` with the
    # roles picked by the type of a complaint the route loaded)
    return bool(roles) and (not site.key_names or roles == columns)


def _principal_table(ctx: "FileContext", model: str) -> bool:
    return model in principal_classes(ctx.project, ctx.settings) or bool(USER_CLASS.search(last_segment(model)))


def _model_columns_named(ctx: "FileContext", pred: cst.CSTNode, model: str) -> Iterator[str]:
    """The columns of ``model`` a predicate reads (``Member.team_id``)."""
    for node in _walk_expr(pred):
        if isinstance(node, cst.Attribute) and isinstance(node.value, (cst.Name, cst.Attribute)):
            q = ctx.qualified_name(node.value)
            found = ctx.project.get_class(q) if (q and ctx.project is not None) else None
            if found is not None and found[0] == model:
                yield node.attr.value


def keys_scoped_beside(
    project: "ProjectIndex", module: str, cls: Optional[str], summary: dict, values: frozenset[str],
    principals: frozenset[str], depth: int = 2, _depth: int = 0,
) -> set[str]:
    """The parameters among ``values`` of a summarised project function that key a row lookup also keyed on
    one of ``principals`` (the caller's or the checked tenant's value handed beside them), in the function or
    in a project function it hands both on to (``service.list(org_id, workspace_id)`` ->
    ``repo.query(org_id, workspace_id)`` -> ``select(Doc).where(Doc.organization_id == org_id)`` ...
    ``.where(Doc.workspace_id == workspace_id)``): a key inside a lookup scoped to the principal. Also those
    the function hands, with one of ``principals``, to a call named for a check (``keys_checked_beside``)."""
    out: set[str] = set()
    for fetch in summary.get("fetches", ()):
        keys = set(fetch.get("keys", ()))
        if principals & keys:
            out |= values & keys
    if _depth == 0:
        out |= keys_checked_beside(project, cls, summary, values, principals)
    if _depth >= depth:
        return out
    for c in summary.get("calls", ()):
        handed_values: dict[object, str] = {}
        handed_principals: list[object] = []
        for where, param in c.get("args", ()):
            if param in values and param not in out:
                handed_values[where] = param
            elif param in principals:
                handed_principals.append(where)
        if not handed_values or not handed_principals:
            continue
        sub = _summary_of_call(project, cls, c["target"])
        if sub is None or sub[3] is summary:
            continue
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0

        def named(where: object) -> Optional[str]:
            if isinstance(where, int):
                return sub_params[where + offset] if where + offset < len(sub_params) else None
            return where if isinstance(where, str) else None

        inner_values = {named(w): p for w, p in handed_values.items() if named(w) is not None}
        inner_principals = frozenset(n for n in (named(w) for w in handed_principals) if n is not None)
        if not inner_values or not inner_principals:
            continue
        found = keys_scoped_beside(project, sub[0], sub[1], sub[3], frozenset(inner_values), inner_principals, depth, _depth + 1)
        out |= {inner_values[k] for k in found}
    return out


def keys_checked_beside(
    project: "ProjectIndex", cls: Optional[str], summary: dict, values: frozenset[str], principals: frozenset[str],
    _depth: int = 0,
) -> set[str]:
    """The parameters among ``values`` of a summarised project function that it hands, with one of
    ``principals``, to a check (``self._assert_workspace_access(workspace_id, current_user)``), there or in a
    project function it hands both on to (``get_usage(...)`` -> ``get_impact(...)``, two calls deep at most):
    checked against the caller, as the route's own ``check_*(value, user)`` call would be. A project callee is
    a check when its body decides on both (``callee_decides``), whatever its name; only a callee the index does
    not know is taken for a check by its name (``named_like_check``)."""
    out: set[str] = set()
    for c in summary.get("calls", ()):
        handed_values: dict[object, str] = {}
        handed_principals: list[object] = []
        for where, param in c.get("args", ()):
            if param in values:
                handed_values[where] = param
            elif param in principals:
                handed_principals.append(where)
        if not handed_values or not handed_principals:
            continue
        target = c.get("target", "")
        callee = project_callee(project, cls, target)
        if callee is not None:
            decided = {
                p for w, p in handed_values.items() if any(callee_decides(project, callee, pw, w) for pw in handed_principals)
            }
            if decided:
                out |= decided
                continue
        elif named_like_check(last_segment(target)):
            out |= set(handed_values.values())
            continue
        if _depth >= 2:
            continue
        sub = _summary_of_call(project, cls, target)
        if sub is None or sub[3] is summary:
            continue
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0

        def named(where: object) -> Optional[str]:
            if isinstance(where, int):
                return sub_params[where + offset] if where + offset < len(sub_params) else None
            return where if isinstance(where, str) else None

        inner_values = {named(w): p for w, p in handed_values.items() if named(w) is not None}
        inner_principals = frozenset(n for n in (named(w) for w in handed_principals) if n is not None)
        if inner_values and inner_principals:
            found = keys_checked_beside(project, sub[1], sub[3], frozenset(inner_values), inner_principals, _depth + 1)
            out |= {inner_values[k] for k in found if k in inner_values}
    return out
