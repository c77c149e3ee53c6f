"""A table owned only through the project's checks, looked up by a client key on a route that checks nothing
for that row on any path (BKL201: ``forgotten_check_model``).

The table has no identity column; the project decides access to its rows (or its parent's) after the load
(``checked_only_tables``) and the row reaches a parent through its references. A route that loads one by the client's key and, on no path,
hands the row (a value read off it, a row found with it) or its key together with who asks to anything that could
decide, compares a value read off the row with anything, sits behind a permission dependency, or hands the row to
a helper named like a check or deciding on what it is handed, forgot the check the project makes elsewhere. Everything that could decide counts:
a project helper handed the caller beside the row is taken to decide unless its summary says the caller is only
handed on or written down (``principal_passes_through``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Optional

from ...ground.lazy import lazy_import
from ..cst import child_list, load_names, walk
from ..imports import dotted_name, last_segment
from ..auth import ADMIN_WORDS, marker_target, refuses_non_admins
from ..index.extractors.flow import access_name  # an exception named for access (``Forbidden``, ``NotFoundError``)
from ..models import globally_scoped, identity_columns, is_owned, model_columns, referenced_model
from .summaries import _client_keyed
from .syntax import _assignments
from .permission_gates import global_permission_gate
from .summaries import (
    callee_decides, checked_only_tables, flow_facts, membership_group, method_home, method_summary, owning_parents, principal_passes_through,
)
from .tenant_tables import tenant_child_listing
from .unwritten import writes_row
from .vocabulary import _ACCESS_STATUS, library_check_name, secret_key_column, spells_check

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..auth import Identity
    from ..index import ProjectIndex
    from .values import FunctionQueries, Site

cst = lazy_import("libcst")

_CONSTANTS = frozenset({"None", "True", "False"})
# a status or exception name that refuses the caller, not one that hides the row (``_denies_caller``)
_DENIAL_STATUS = re.compile(r"\b(?:401|403)\b|UNAUTHORI[SZ]ED|FORBIDDEN")
# words of a column holding a secret the client must know (``_secret_column``)
_SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "pin", "secret", "token", "passcode", "otp"})
# words of a dependency (or its factory) that may decide access on the route's keys
_DECIDING_DEPENDENCY = ("permission", "role", "access", "member", "owner", "scope", "allow", "guard", "policy")


def forgotten_check_model(
    ctx: "FileContext", func: cst.FunctionDef, identity: "Identity", fq: "FunctionQueries", site: "Site"
) -> Optional[str]:
    """The table of ``site`` when it is owned only through the project's checks and this route decides nothing
    about the row on any path (module docstring); ``None`` otherwise."""
    project, settings = ctx.project, ctx.settings
    if project is None or identity.route is None or not identity.principals or identity.global_caller:
        return None  # (a Flask view's helpers read the caller without being handed it)
    if fq.checks or not site.unscoped or site.admin:
        return None
    if not site.key_names:  # (a whole listing of a tenant table's children: ``tenant_tables``)
        return tenant_child_listing(ctx, func, identity, site)
    checked = checked_only_tables(project, settings)
    # (or a group table the project reaches through the caller's membership rows, ``Organization`` through its
    # ``Membership``: decided on for itself, parent or not)
    model = next((m for m in site.entities if m in checked or membership_group(project, settings, m) is not None), None)
    if model is None or is_owned(project, settings, model) or globally_scoped(project, model):
        return None
    if not (_has_parent(project, model) or membership_group(project, settings, model) is not None):
        return None
    if not _client_keyed(ctx, func, identity, site):
        return None
    if any(u[0] is site.node for u in fq.untied) or any(u[0] is site.node for u in fq.untied_children):
        return None  # (reported as a row untied to its checked parent)
    if _deciding_dependency(ctx, func, identity) or global_permission_gate(ctx, func, identity):
        return None
    if _keyed_with_another_row(ctx, fq, site, checked):
        return None
    # (a row looked up by a value read off this one answers for the chain, ``Site.keyed_off``; for a row owned through
    # an owned parent that the route changes or deletes, only a lookup that holds a predicate: the parent loaded
    # unscoped by the row's key checks nothing, and the row changed is the one the client named)
    through_parent = model in owning_parents(project, settings) and writes_row(ctx, func, site.row_names, identity)
    if any(
        site in other.keyed_off or {k.split(".", 1)[0] for k in other.key_names} & site.row_names
        for other in fq.sites
        if other is not site and not (through_parent and other.unscoped)
    ):
        return None
    return None if _may_decide_on_row(ctx, func, identity, fq, site, model) else model


def _keyed_with_another_row(ctx: "FileContext", fq: "FunctionQueries", site: "Site", checked: frozenset[str]) -> bool:
    """An earlier lookup of the route, of an owned table or one owned through checks, keyed on the same client
    value (``board = get_board(list_in.board_id)`` before ``create_list(list_in)`` counts the board's lists): the
    row is tied to that one, whose lookup answers for the key (its own finding, or its check)."""
    keys = {k.split(".", 1)[0] for k in site.key_names}
    for other in fq.sites:
        if other is site:
            return False  # (only a lookup before this one: the first lookup by the key answers for it)
        if not keys & {k.split(".", 1)[0] for k in other.key_names}:
            continue
        if any(m in checked or is_owned(ctx.project, ctx.settings, m) for m in other.entities):
            return True
    return False


def _has_parent(project: "ProjectIndex", model: str) -> bool:
    """Some column of the table references another table: a parent its rows are owned through. A table that
    references nothing (a catalogue) is decided on for itself, if at all."""
    for column in model_columns(project, model):
        target = referenced_model(project, model, column)
        if target is not None and target != model:
            return True
    return False


def _deciding_dependency(ctx: "FileContext", func: cst.FunctionDef, identity: "Identity") -> bool:
    """A dependency of the route (a parameter's, or the decorator's ``dependencies=[...]``) that may decide
    access: one made by a factory (``Depends(require_role("editor"))``) or named for a permission, a role, a
    membership, a check. The caller's own dependency (it authenticates) and plain providers do not."""
    markers: list[cst.Call] = [p.marker_node for p in identity.params if p.marker_node is not None and p.marker in ("Depends", "Security")]
    decorator = identity.route.decorator if identity.route is not None else None
    if decorator is not None and isinstance(decorator.decorator, cst.Call):
        for arg in decorator.decorator.args:
            if arg.keyword is not None and arg.keyword.value == "dependencies":
                markers += [n for n in walk(arg.value) if isinstance(n, cst.Call) and _dependency_marker(n)]
    for marker in markers:
        inner = marker_target(marker)
        if inner is None:
            continue
        if isinstance(inner, cst.Call):
            return True  # a factory's dependency: made for this route (a permission, a role)
        name = dotted_name(inner)
        if name is not None and _deciding_name(last_segment(name)) and not _caller_provider(identity, marker):
            return True
    return False


def _dependency_marker(call: cst.Call) -> bool:
    name = dotted_name(call.func)
    return name is not None and last_segment(name) in ("Depends", "Security")


def _caller_provider(identity: "Identity", marker: cst.Call) -> bool:
    return any(p.marker_node is marker and p.name in identity.principals for p in identity.params)


def _deciding_name(name: str) -> bool:
    lowered = name.lower()
    return spells_check(name) or any(w in lowered for w in _DECIDING_DEPENDENCY)


def _may_decide_on_row(
    ctx: "FileContext", func: cst.FunctionDef, identity: "Identity", fq: "FunctionQueries", site: "Site", model: str
) -> bool:
    """Whether anything in the route could decide on the row: a call handed the row (or a value read off it, or
    its key) together with who asks, a helper named like a check handed the row, a comparison of a value read
    off the row with anything that is not a constant."""
    rows, keys, caller = _names_flowing(func, set(site.row_names), {k.split(".", 1)[0] for k in site.key_names}, identity.names())
    content = _content_locals(ctx, func, set(site.row_names), rows, model)
    client = _client_values(func, identity, rows, caller)
    own_preds = {id(n) for p in site.pred_nodes for n in walk(p)}
    denying = _denying_tests(func)
    state_tests = _state_tests(func, rows, caller)
    principals = set(identity.names())
    admin_flags = _admin_flags(func, principals)
    for node in walk(func.body):
        if isinstance(node, cst.If) and any(isinstance(n, cst.Raise) for n in walk(node.body)):
            if _refuses_non_admins_by(node.test, principals, admin_flags):
                return True  # an admin gate that refuses (``if not is_admin: raise``, ``is_admin = await is_admin_or_superadmin(user, db)``)
            if _tests_caller(node.test, caller, principals) and set(load_names(node.test)) & (rows | keys):
                return True  # a test on who asks and on the row that refuses (``if not can_edit(user, doc.team_id): raise``)
        if isinstance(node, cst.Comparison) and id(node) not in own_preds:
            # (a compare an ``if`` refuses on with 401/403 is an access decision whatever the column holds: ``if
            # template.share_code != code: raise HTTPException(403)``)
            held = None if id(node) in denying else content
            if id(node) not in state_tests and _comparison_decides(node, rows, keys, caller, held, client):
                return True
        elif isinstance(node, cst.Call) and id(node) not in own_preds:
            handed = set(_handed_names(node))
            if not handed & (rows | keys):
                continue
            name = dotted_name(node.func)
            if (name is not None and library_check_name(last_segment(name))) or _project_decision(ctx, node):
                return True
            if handed & caller and not _built_only(ctx, node) and not _caller_only_written(ctx, node, rows | keys, caller, model):
                return True
    return False


def _state_tests(func: cst.FunctionDef, rows: set[str], caller: set[str]) -> set[int]:
    """The comparisons of a value read off the row with module-level names only (an enum member,
    ``account.status != ExpenseAccountStatus.SUBMITTED.value``) that an ``if`` tests and refuses on with no
    401/403/404: validation of the row's own state (a 400/409/422), no access decision. Names bound in the
    function (its parameters, its locals) are values, not constants; a refusal that denies (401/403) or hides
    (404) may be a visibility decision and still counts."""
    local = {n for targets, _ in _assignments(func.body) for n in targets}
    params = func.params
    local |= {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            local.add(star.name.value)
    out: set[int] = set()
    for node in walk(func.body):
        if not isinstance(node, cst.If) or not _refuses_without_denying(node.body):
            continue
        for comp in walk(node.test):
            if not isinstance(comp, cst.Comparison):
                continue
            sides = [set(load_names(s)) - _CONSTANTS for s in (comp.left, *(t.comparator for t in comp.comparisons))]
            if not any(side & rows for side in sides):
                continue
            others = [side for side in sides if not side & rows]
            if others and all(not (side & (local | caller)) for side in others):
                out.add(id(comp))
    return out


def _denying_tests(func: cst.FunctionDef) -> set[int]:
    """The comparisons in the test of an ``if`` whose branch refuses the caller with 401/403 (``_denies_caller``)."""
    out: set[int] = set()
    for node in walk(func.body):
        if isinstance(node, cst.If) and any(isinstance(n, cst.Raise) and _denies_caller(n.exc) for n in walk(node.body)):
            out.update(id(c) for c in walk(node.test) if isinstance(c, cst.Comparison))
    return out


def _denies_caller(exc: Optional[cst.CSTNode]) -> bool:
    """A refusal that denies the caller (401/403, ``status.HTTP_403_FORBIDDEN``, ``PermissionDenied``), not one
    that hides the row as absent (404)."""
    if exc is None:
        return False
    for n in walk(exc):
        if isinstance(n, cst.Integer) and n.value in ("401", "403"):
            return True
        if isinstance(n, (cst.Name, cst.Attribute)):
            word = n.value if isinstance(n, cst.Name) else n.attr.value
            if _DENIAL_STATUS.search(word) or (access_name(word) and "notfound" not in word.lower().replace("_", "")):
                return True
    return False


def _tests_caller(test: cst.CSTNode, caller: set[str], principals: set[str]) -> bool:
    """An ``if`` test on who asks: a value computed from the caller (``is_admin = await is_admin_or_superadmin(
    current_user, db)``), an attribute of the principal (``current_user.role``) or a call handed it. Not the
    principal's mere presence (``if not current_user``, ``current_user is None``: authentication)."""
    names = set(load_names(test))
    if (names & caller) - principals:
        return True
    for n in walk(test):
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value in principals:
            return True
        if isinstance(n, cst.Call) and any(isinstance(a.value, cst.Name) and a.value.value in principals for a in n.args):
            return True
    return False


def _admin_flags(func: cst.FunctionDef, principals: set[str]) -> set[str]:
    """Locals set from a call named for an admin test and handed the principal (``is_admin = await
    is_admin_or_superadmin(current_user, db)``): read as the principal's admin attribute by ``_refuses_non_admins``
    (``if not is_admin: raise`` refuses every caller who is not an admin)."""
    out: set[str] = set()
    for targets, value in _assignments(func.body):
        if isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call) or not any(isinstance(a.value, cst.Name) and a.value.value in principals for a in value.args):
            continue
        name = last_segment(dotted_name(value.func) or "").lower()
        if any(w in name for w in ADMIN_WORDS):
            out.update(targets)
    return out


def _refuses_non_admins_by(test: cst.BaseExpression, principals: set[str], flags: set[str]) -> bool:
    """``auth.refuses_non_admins`` (``if not current_user.is_superuser``), also on an admin flag
    (``_admin_flags``): ``not is_admin``, or a disjunction with such a part."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _refuses_non_admins_by(test.left, principals, flags) or _refuses_non_admins_by(test.right, principals, flags)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) and isinstance(test.expression, cst.Name):
        if test.expression.value in flags:
            return True
    return refuses_non_admins(test, principals)


def _refuses_without_denying(body: cst.CSTNode) -> bool:
    """The branch raises and no raise in it says 401/403/404: no status 401/403/404 given as a number or a status
    constant (``_ACCESS_STATUS`` on a name, ``status.HTTP_404_NOT_FOUND``), no exception named for access
    (``access_name``: ``Forbidden``, ``PermissionDenied``, ``NotFoundError``). Strings (a message) are not read."""
    raises = [n for n in walk(body) if isinstance(n, cst.Raise)]
    return bool(raises) and not any(_denies(r.exc) for r in raises)


def _denies(exc: Optional[cst.CSTNode]) -> bool:
    if exc is None:
        return False
    for n in walk(exc):
        if isinstance(n, cst.Integer) and n.value in ("401", "403", "404"):
            return True
        if isinstance(n, (cst.Name, cst.Attribute)):
            word = n.value if isinstance(n, cst.Name) else n.attr.value
            if _ACCESS_STATUS.search(word) or access_name(word):
                return True
    return False


def _comparison_decides(
    node: cst.Comparison, rows: set[str], keys: set[str], caller: set[str],
    content: Optional[tuple[set[str], set[str], set[str]]] = None, client: frozenset[str] = frozenset(),
) -> bool:
    sides = [node.left, *(t.comparator for t in node.comparisons)]
    names = [set(load_names(s)) - _CONSTANTS for s in sides]
    for i, left in enumerate(names):
        for j, right in enumerate(names):
            if i == j:
                continue
            if left & rows and right and not right <= rows:
                if content is not None and right <= client and _content_read(sides[i], rows, content):
                    continue  # the row's content held to what the request sent (``data.title != row.title``): no one's access
                return True  # a value read off the row tied to another value (or to who asks)
            if left & keys and right & caller:
                return True  # the row's key tested against who asks
    return False


def _client_values(func: cst.FunctionDef, identity: "Identity", rows: set[str], caller: set[str]) -> frozenset[str]:
    """The route's parameters the client sends (path, query, body: no dependency, not who asks) and the locals bound
    only from them."""
    sent = {
        p.name for p in identity.params
        if p.name not in ("self", "cls") and p.marker not in ("Depends", "Security") and p.dependency.kind is None
        and p.name not in identity.principals
    } - rows - caller
    for _ in range(3):
        size = len(sent)
        for targets, value in _assignments(func.body):
            read = set(load_names(value)) - _CONSTANTS
            if read and read <= sent and not targets & (rows | caller):
                sent |= targets
        if len(sent) == size:
            break
    return frozenset(sent)


def _content_locals(ctx: "FileContext", func: cst.FunctionDef, direct: set[str], rows: set[str], model: str) -> tuple[set[str], set[str], set[str]]:
    """(the row's own names, the locals holding only its content, the content columns of ``model``): its columns
    that name no one and no row (no identity or owner column, no reference, no key); a local bound only from reads
    of them (``for entry in prompt.history``) holds content too."""
    project, settings = ctx.project, ctx.settings
    if project is None:
        return direct, set(), set()
    keyish = set(identity_columns(project, settings, model))
    contents = {
        c for c in model_columns(project, model)
        if c not in keyish and c != "id" and not c.endswith(_KEY_ENDINGS) and referenced_model(project, model, c) is None
        and not _secret_column(project, model, c)
    }
    held: set[str] = set()
    for _ in range(3):
        size = len(held)
        for targets, value in _assignments(func.body):
            if targets & direct or not targets <= (rows - direct):
                continue
            if _content_read(value, rows, (direct, held, contents)):
                held |= targets
        if len(held) == size:
            break
    return direct, held, contents


_KEY_ENDINGS = ("_id", "_ids", "_key", "_uuid", "_ref", "_by")


def _secret_column(project: "ProjectIndex", model: str, column: str) -> bool:
    """A column holding a secret the client proves it knows (``share_code``, ``invite_token``, ``password_hash``,
    ``api_key``): a compare of it with what the request sent decides who may use the row, it is no content."""
    parts = column.lower().split("_")
    if secret_key_column(project, model, column) or _SECRET_WORDS & set(parts):
        return True
    return len(parts) > 1 and parts[-1] in ("code", "key")


def _content_read(expr: cst.BaseExpression, rows: set[str], content: tuple[set[str], set[str], set[str]]) -> bool:
    """Every read of the row in ``expr`` is of a content column (``prompt.prompt_template``) or of a local holding
    only content (``_content_locals``): the value says what the row holds, not whose it is."""
    direct, held, contents = content
    covered: set[int] = set()
    found = False
    for n in walk(expr):
        if isinstance(n, cst.Attribute):
            covered.add(id(n.attr))
            if isinstance(n.value, cst.Name) and n.value.value in direct:
                if n.attr.value not in contents:
                    return False
                covered.add(id(n.value))
                found = True
    for n in walk(expr):
        if isinstance(n, cst.Name) and n.value in rows and id(n) not in covered:
            if n.value not in held:
                return False
            found = True
    return found


def _names_flowing(func: cst.FunctionDef, rows: set[str], keys: set[str], caller: set[str]) -> tuple[set[str], set[str], set[str]]:
    """The locals holding the row or values read off it (a row found with them too), the client key's copies,
    and the values of who asks, through the assignments of the body (to a fixpoint)."""
    assigns = [(targets, set(load_names(value))) for targets, value in _assignments(func.body)]
    rows, keys, caller = set(rows), set(keys), set(caller)
    for _ in range(4):
        size = len(rows) + len(keys) + len(caller)
        for targets, read in assigns:
            if read & rows:
                rows |= targets
            elif read & keys:
                keys |= targets
            if read & caller and not targets & rows:
                caller |= targets
        if len(rows) + len(keys) + len(caller) == size:
            break
    return rows, keys - rows, caller - rows - keys


def _handed_names(call: cst.Call) -> Iterator[str]:
    """The names a call is handed (its arguments, the object a method is called on), without looking inside
    the arguments' own calls of a class (``ListDeleted(list_id=row.id, by=user.id)``: an event built, read on
    its own)."""
    func = call.func
    if isinstance(func, cst.Attribute):
        yield from load_names(func.value)
    stack: list[cst.CSTNode] = [a.value for a in call.args]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            name = dotted_name(node.func)
            if name is not None and last_segment(name)[:1].isupper():
                continue
        if isinstance(node, cst.Name):
            yield node.value
            continue
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        stack.extend(child_list(node))


def _project_function(ctx: "FileContext", call: cst.Call) -> Optional[tuple[str, str]]:
    """(module, name) of the project function a call calls, when the index knows it."""
    project = ctx.project
    q = ctx.qualified_name(call.func) if isinstance(call.func, (cst.Name, cst.Attribute)) else None
    return project.project_function(q) if (q is not None and project is not None) else None


def _project_decision(ctx: "FileContext", call: cst.Call) -> bool:
    """A project function that decides on what it is handed (``flow`` facts ``checks``: a refusal under a test, a
    verdict returned, whatever it answers: ``ensure_room(planter, me)`` refusing with 409, ``permits(planter,
    "view", invitee)`` asked about another account): handed the row, it may be the row's check."""
    found = _project_callee(ctx, call)
    return found is not None and bool(flow_facts(ctx.project, found[0]).get("checks", {}).get(found[2]))


def _built_only(ctx: "FileContext", call: cst.Call) -> bool:
    """A class called to build an object (an event, a schema, a row) whose project ``__init__``, if any, is not
    written by the project: building it decides nothing (a library class's, or a dataclass's)."""
    name = dotted_name(call.func)
    if name is None or not last_segment(name)[:1].isupper():
        return False
    project = ctx.project
    q = ctx.qualified_name(call.func)
    found = project.get_class(q) if (q is not None and project is not None) else None
    if found is None:
        return project is None or q is None or project.resolve_symbol(q) is None
    return method_summary(project, found[0], "__init__") is None


def _caller_only_written(ctx: "FileContext", call: cst.Call, tainted: set[str], caller: set[str], model: str) -> bool:
    """A project function handed who asks and the row (or its key) that decides on no value made from both
    (``callee_decides``: ``create_audit_log(db, user=current_user, entity_id=feed.id)`` writes both down); an
    argument holding both is read by ``principal_passes_through`` (the caller only handed on or written down)."""
    project = ctx.project
    found = _project_callee(ctx, call)
    summary = _callee_summary(project, found) if found is not None else None
    if found is None or summary is None:
        return False
    module, cls, name = found
    params = summary.get("params", [])
    offset = 1 if cls is not None and params[:1] in (["self"], ["cls"]) else 0
    who: list[object] = []
    rows: list[object] = []
    both: list[str] = []
    for i, a in enumerate(call.args):
        if a.star:
            return False
        names = set(load_names(a.value))
        where: object = a.keyword.value if a.keyword is not None else i
        if names & caller and names & tainted:
            param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
            if param is None:
                return False
            both.append(param)
        elif names & caller:
            who.append(where)
        elif names & tainted:
            rows.append(where)
    if any(callee_decides(project, (module, cls, name), a, b) for a in who for b in rows):
        return False
    return all(principal_passes_through(project, ctx.settings, module, cls, name, summary, p, model) for p in both)


def _project_callee(ctx: "FileContext", call: cst.Call) -> Optional[tuple[str, Optional[str], str]]:
    """(module, class, key of its ``flow`` facts) of the project function a call calls, or of the method of a
    project class it calls on an instance built in the call itself (``BillingService(db).initialize_transaction(
    ...)``)."""
    project = ctx.project
    found = _project_function(ctx, call)
    if found is not None:
        return found[0], None, found[1]
    func = call.func
    if project is None or not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)):
        return None
    built = func.value.func
    q = ctx.qualified_name(built) if isinstance(built, (cst.Name, cst.Attribute)) else None
    cls = project.get_class(project.canonical(q)) if q is not None else None
    return method_home(project, cls[0], func.attr.value) if cls is not None else None


def _callee_summary(project: "ProjectIndex", callee: tuple[str, Optional[str], str]) -> Optional[dict]:
    flow = flow_facts(project, callee[0])
    return flow.get("methods" if callee[1] is not None else "functions", {}).get(callee[2])
