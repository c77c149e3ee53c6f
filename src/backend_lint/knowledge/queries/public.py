"""Owned models whose rows the project serves to every caller (``public_models``), and the reads of them that reveal
nothing a listing does not (``_public_read``, ``_callers_own_writes``), or a row refused unless it is public
(``refused_unless_public``)."""

from __future__ import annotations

from typing import Iterator, TYPE_CHECKING, Optional

from ...ground.config import analysis_key
from ...ground.lazy import lazy_import
from ..auth import _test_module_name, admin_decorated, ADMIN_WORDS, HELD_TENANT_COLUMNS, Identity, param_dependency, principal_classes
from ..cst import walk as cst_walk
from ..facts import orm_facts
from ..imports import dotted_name, last_segment
from ..models import identity_columns, is_owned, model_columns, referenced_model
from ..repositories import specialised
from ..creators import function_row_models
from ..scoping import context_caller, is_caller, role_permission
from .vocabulary import _WRITER_VERBS, capability_column, PRIMARY_KEY_NAMES
from .syntax import _if_refuses, _key_name
from ..index.extractors.flow import MODEL_PARAM
from .tenant_tables import tenant_table
from .summaries import _client_keyed, _summary_of_call, flow_facts, handed_models, membership_group, method_summary, with_models

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ...ground.config import Settings
    from ..index import ProjectIndex
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def public_models(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Owned models whose rows the project serves to every caller: a request handler that is not admin-only and
    never reads the caller (no principal parameter, or one it leaves unused) selects the model with no
    predicate on its identity columns and no key from a parameter, itself or in a project function it calls
    (a feed, ``select(Pin).order_by(...).offset(o).limit(n)``; a search over every row; a directory listed by a
    service, ``event_service.get_paginated_events(params)``). A predicate added only when the client names a
    value (``if company_id: query = query.where(Quote.company_id == company_id)``) is a filter the client may
    leave out: such a listing lists every row, and makes the model public when the project nowhere compares its
    identity columns with the caller (``_scoped_somewhere``). Reading one such row by its id reveals nothing
    the listing does not (``_public_read``); the listing itself is still reported where the caller is in scope."""
    if project is None:
        return frozenset()
    key = _memo_key(settings)

    filtered_only: set[str] = set()  # models some listing lists whole only once the client's filters are left out
    unfiltered: set[str] = set()  # models some listing lists whole as it is

    def listed(summary: dict) -> set[str]:
        """The owned models the function lists in full (``_listed``), also when the client leaves out the
        filters it adds only on request (``if company_id: query = query.where(...)``: ``optional_preds`` /
        ``asked_preds``): without them the listing holds every row."""
        asked = [*summary.get("optional_preds", ()), *summary.get("asked_preds", ())]
        plain = _listed(summary, set(), set())
        unfiltered.update(plain)
        if not asked:
            return plain
        wider = _listed(summary, {c for _, cols in asked for c in cols}, {p for p, _ in asked})
        filtered_only.update(wider - plain)
        return plain | wider

    def _listed(summary: dict, optional: set[str], skipped: set[str]) -> set[str]:
        """The owned models the function lists in full: no predicate at all (``lists``), or a lookup keyed on a
        parameter whose predicates name only plain columns (``selects``, no column that is a key, an identity or
        a capability: ``Clinician.field == field``, ``Doctor.specialization.ilike(...)``); a predicate on a value
        that is no parameter (``Purchase.receipt_ref == str(receipt.id)``) keys no listing. ``optional``: the
        predicate columns left out, ``skipped`` the parameters whose filters are left out."""
        out: set[str] = set(summary.get("lists", ()))
        # (a join condition between two models' columns, a text search's column: no value keys the rows by them)
        loose = set(summary.get("joined", ())) | (set(summary.get("searched", ())) - set(settings.identity_fields))
        preds = set(summary.get("preds", ())) - loose - optional
        if summary.get("selects") and not summary.get("bound") and not summary.get("held_preds"):
            filtered = {c.rpartition(":")[2] for p, cols in summary.get("filters", {}).items() if p not in skipped for c in cols} - optional
            plain = bool(summary.get("fetches")) and not any(
                c in PRIMARY_KEY_NAMES or _key_name(c) or capability_column(c) or c in ("slug", "name", "email") or c in settings.identity_fields
                for c in preds | filtered
            )
            if plain:  # (``Doctor.specialization.ilike(f"%{specialization}%")``, ``Doctor.is_active == True``)
                out |= set(summary["selects"])
        found: set[str] = set()
        for m in out:
            cls = project.get_class(m)
            # (or a group reached through the caller's membership rows, listed whole: a directory of teams)
            if cls is not None and _owned_or_group(project, settings, cls[0]) and not preds & set(identity_columns(project, settings, cls[0])):
                found.add(cls[0])
        return found

    def build() -> tuple[frozenset[str], dict[str, int]]:
        principals = principal_classes(project, settings)
        callers = set(settings.principal_parameters) | set(settings.identity_fields)
        found: set[str] = set()
        open_summaries: list[dict] = []  # the summaries of routes that never read the caller, and of their callees
        routes_listing: dict[str, set[str]] = {}  # model -> the modules whose routes list it in full
        anonymous: set[str] = set()  # models listed whole by a route with no authenticating parameter at all
        for mod, facts in project.iter_modules():
            if _test_module_name(mod):
                continue
            flow = flow_facts(project, mod)
            summaries = {**flow.get("functions", {}), **flow.get("shadowed", {})}
            orm = orm_facts(facts)
            # (a handler a later ``def`` of the same name replaced is still registered: ``shadowed_routes``)
            for name, fn in [*orm.get("functions", {}).items(), *orm.get("shadowed_routes", {}).items()]:
                summary = summaries.get(name)
                if not summary or not _open_route(project, settings, principals, callers, fn, summary):
                    continue
                here = listed(summary)
                open_summaries.append(summary)
                typed = {p.get("name"): p.get("type") for p in fn.get("params", ()) if p.get("type")}
                # (a generic lister handed filters or locals besides its class: what it selects by is unknown)
                targets = {c.get("target", ""): c.get("models", ()) for c in summary.get("calls", ()) if not c.get("opaque")}
                # a service method handed no parameter of the route (``get_paginated_events(params, None)``,
                # ``params`` a local): the summary records no such call, the route's ``calls_out`` does
                for t in fn.get("calls_out", ()):
                    if t.partition(".")[0] in typed and "." not in t.partition(".")[2] and t.partition(".")[2]:
                        targets.setdefault(t, ())
                for target, given in targets.items():
                    head, _, method = target.partition(".")
                    cls = project.get_class(typed[head]) if head in typed and method and "." not in method else None
                    if cls is not None:  # ``event_service.list_events(...)`` with ``event_service: EventService = Depends()``
                        sub = specialised(project, cls[0], method_summary(project, cls[0], method))
                    else:
                        sub = _summary_of_call(project, None, target)
                    if sub is not None and sub[3] is not summary:
                        found_summary = sub[3]
                        if given:  # ``paginated_response(db=db, model=Testimonial, ...)``: a generic lister
                            offset = 1 if sub[1] is not None and found_summary.get("params", [])[:1] in (["self"], ["cls"]) else 0
                            found_summary = _with_listed_models(found_summary, dict(handed_models(found_summary, offset, given)))
                        here |= listed(found_summary)
                        open_summaries.append(found_summary)
                found |= here
                if not _behind_login(project, settings, principals, fn):
                    anonymous |= here
                for m in here:
                    routes_listing.setdefault(m, set()).add(mod)
        # (a table listed whole only when the client leaves its filters out is shared when nothing in the project
        # scopes it by an identity column: a per-user table with an optional filter elsewhere stays owned)
        unlisted = {m for m in filtered_only - unfiltered if _scoped_somewhere(project, settings, m)}
        # (a table listed whole only by routes that sign the caller in and then ignore them, ``search_events(...,
        # current_user=Depends(get_current_user))``, is a tenant's table when the project elsewhere selects its rows
        # by the caller's tenant, ``Event.org_id == current_user.org_id`` or a join to its parent
        # ``select(Event).join(Task).where(Task.org_id == current_user.org_id)``: an organisation's rows are never
        # served to the other organisations, so the listing forgot the tenant, it does not publish the table. A
        # feed's author column compared with the caller, "my posts", says no such thing: users' rows listed to all)
        unlisted |= {m for m in found - anonymous - unlisted if _tenant_scoped(project, settings, m)}
        # (nor is a table whose only identity column is a required tenant key, in a project that selects rows by the
        # caller's tenant in that column elsewhere: ``TransactionJournal.workspace_id`` listed by two routes that sign
        # the caller in and ignore them is every workspace's ledger, ``tenant_tables.tenant_table``)
        unlisted |= {m for m in found - anonymous - unlisted if tenant_table(project, settings, m)}
        found -= unlisted
        for m in unlisted:
            routes_listing.pop(m, None)
        children = _public_children(project, settings, open_summaries, frozenset(found)) if found else set()
        return frozenset(found | children), {m: len(r) for m, r in routes_listing.items()}, frozenset(children)

    # (stored with the index: a run linting one file reads the models instead of every open route's summaries)
    def stored() -> tuple[frozenset[str], dict[str, int], frozenset[str]]:
        models, listing, children = project.stored_memo(f"queries.public_models:{analysis_key(settings)}", lambda: _jsonable(build()), load=list)
        return frozenset(models), dict(listing), frozenset(children)

    return project.memo(("queries.public_models", key), stored)[0]


def _behind_login(project: "ProjectIndex", settings: "Settings", principals: set, fn: dict) -> bool:
    """A request handler (its orm facts) with a parameter that authenticates the caller (a principal class, an
    auth dependency), read or not: the route serves signed-in callers only."""
    return any(
        (p.get("type") and project.canonical(p["type"]) in principals) or param_dependency(project, settings, p).kind == "auth"
        for p in fn.get("params", ())
    )


def _tenant_scoped(project: "ProjectIndex", settings: "Settings", model: str) -> bool:
    """Whether a query of the project selects ``model``'s rows by the caller's tenant: a predicate comparing a
    tenant column (``HELD_TENANT_COLUMNS``: ``org_id``, ``tenant_id``, ``workspace_id``...) with the caller's
    (``current_user.org_id``), on the model itself (``Event.org_id == current_user.org_id``) or on a parent the
    model references, in a function that selects the model (``select(Event).join(Task).where(Task.org_id ==
    current_user.org_id)``, ``Event.task_id`` a key of ``Task``). Not a client's optional filter (``if org_id:
    ...``), a check before an edit, or a value that is not the caller's."""
    parents: Optional[set[str]] = None  # the models ``model`` references (read once, when a joined parent is named)
    for mod, summary, per, asked in _scoping_functions(project):
        for d in per.get("direct", ()):
            column, who = d.get("column"), d.get("who", "")
            if column not in HELD_TENANT_COLUMNS or d.get("how") != "predicate" or d.get("optional") or role_permission(d):
                continue
            if not (is_caller(who, settings) or context_caller(project, settings, d)) or (who, column) in asked:
                continue
            named = [d["model"]] if isinstance(d.get("model"), str) else list(d.get("model") or ())
            # (a class named as written, ``Task`` imported inside the function: read in the module's names)
            rows = {c[0] for c in (project.get_class(project.name_in_module(mod, n) or n) for n in named if n) if c is not None}
            if model in rows:
                return True
            if model not in {c[0] for c in (project.get_class(m) for m in summary.get("selects", ())) if c is not None}:
                continue
            if parents is None:
                parents = {r for col in model_columns(project, model) if (r := referenced_model(project, model, col))}
            # (a bare name no import of the module binds: the parent of that class name, if the model has one)
            if rows & parents or (not rows and {last_segment(n) for n in named if n} & {last_segment(p) for p in parents}):
                return True
    return False


def _scoping_functions(project: "ProjectIndex") -> Iterator[tuple[str, dict, dict, set[tuple[str, str]]]]:
    """Each project function (tests aside) with ``scoping`` facts: its module, flow summary, scoping entries, and the
    (parameter, column) pairs it compares only when the client asks (``optional_preds`` / ``asked_preds``)."""
    for mod, facts in project.iter_modules():
        if _test_module_name(mod):
            continue
        flow = flow_facts(project, mod)
        summaries = {**flow.get("functions", {}), **flow.get("methods", {})}
        for fname, per in facts.get("extra", {}).get("scoping", {}).get("functions", {}).items():
            summary = summaries.get(fname) or {}
            asked = {(p, c) for p, cols in [*summary.get("optional_preds", ()), *summary.get("asked_preds", ())] for c in cols}
            yield mod, summary, per, asked


def _scoped_somewhere(project: "ProjectIndex", settings: "Settings", model: str) -> bool:
    """Whether the project compares one of ``model``'s identity columns with the caller somewhere (the ``scoping``
    facts: a predicate ``Lead.user_id == current_user.id``, a check ``if lead.user_id != current_user.id: raise``,
    a helper handed the caller with the row), other than as a client's optional filter (``if user_id:
    stmt = stmt.where(Lead.user_id == user_id)``). RULES.md's scoping column is the one the project compares with
    the principal: a table listed whole only when the client leaves its filters out is shared only when no such
    comparison exists, and a per-user table with an optional filter on one route stays owned."""
    owners = set(identity_columns(project, settings, model))
    if not owners:
        return False
    for _mod, summary, per, asked in _scoping_functions(project):
        for d in [*per.get("direct", ()), *per.get("calls", ())]:
            column, who = d.get("column"), d.get("who", "")
            if column not in owners or d.get("optional") or role_permission(d) or not (is_caller(who, settings) or context_caller(project, settings, d)):
                continue
            if (who, column) in asked:
                continue  # (the client names whose rows to show, when it wants to)
            named = [d["model"]] if isinstance(d.get("model"), str) else list(d.get("model") or ())
            rows = {c[0] for c in (project.get_class(n) for n in named if n) if c is not None}
            # (a row whose model the entry does not tell: any the function holds, the conservative reading)
            if model in (rows or function_row_models(project, summary)):
                return True
        # (the caller handed to a helper's optional filter: ``memos_of(db, user_id=current_user.id)`` with
        # ``if user_id: stmt = stmt.where(Memo.user_id == user_id)`` scopes by the caller there)
        for w in per.get("writes", ()):
            if not is_caller(w.get("who", ""), settings):
                continue
            target = project.project_function(w.get("target") or "")
            if target is None:
                continue
            tflow = flow_facts(project, target[0])
            handed = {**tflow.get("functions", {}), **tflow.get("methods", {})}.get(target[1]) or {}
            for param, cols in [*handed.get("optional_preds", ()), *handed.get("asked_preds", ())]:
                if param == w.get("at") and set(cols) & owners and model in function_row_models(project, handed):
                    return True
    return False


def _memo_key(settings: "Settings") -> tuple:
    """The settings ``public_models``' memo (models, listings per model, children) depends on."""
    return (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.admin_dependencies,
            settings.principal_parameters)


def _owned_or_group(project: "ProjectIndex", settings: "Settings", model: str) -> bool:
    """An owned table, or a group table owned through its membership table (``summaries.membership_group``): a
    route that lists every team to any caller who is not an administrator (a team picker, a directory) serves the
    teams as public content, whoever is a member of which."""
    return is_owned(project, settings, model) or membership_group(project, settings, model) is not None


def _jsonable(found: tuple[frozenset[str], dict[str, int], frozenset[str]]) -> list:
    return [sorted(found[0]), found[1], sorted(found[2])]


def _open_route(project: "ProjectIndex", settings: "Settings", principals: set, callers: set, fn: dict, summary: dict) -> bool:
    """A request handler (its orm facts ``fn`` and flow ``summary``) that is not admin-only and never reads the
    caller: no principal parameter, or one it leaves unused (``principals``: the principal classes, ``callers``:
    the principal and identity parameter names)."""
    if not fn.get("route") or fn.get("admin_gate") or admin_decorated(project, fn):
        return False
    said = " ".join(f"{p.get('dependency') or ''} {p.get('alias') or ''} {p.get('kwargs') or ''}" for p in fn.get("params", ()))
    if any(w in said.lower() for w in ADMIN_WORDS) or any(w in said for w in settings.admin_dependencies):
        return False  # (an admin lists every row: that says nothing of what users see)
    if any(any(w in last_segment(r).lower() for w in _STAFF_WORDS) for r in fn.get("refs_out", ())):
        return False  # (``dependencies=[Depends(require_platform_staff)]`` on the route's decorator)
    unused = set(summary.get("unused", ()))
    # (an identity-named value the client may leave out, ``user_id: Optional[int] = Query(None)`` read only to
    # narrow the listing, ``if user_id is not None: ...``: a filter of the client's, no caller)
    asked = {p for p, _ in summary.get("asked_preds", ())}
    # (the caller is read: what the route serves may be scoped in ways the summary cannot see)
    return not any(
        p.get("name") not in unused and (
            (p.get("name") in callers and p.get("name") not in asked)
            or (p.get("type") and project.canonical(p["type"]) in principals)
            or param_dependency(project, settings, p).kind == "auth"
        )
        for p in fn.get("params", ())
    )


def _with_listed_models(summary: dict, models: dict[str, str]) -> dict:
    """A generic lister's summary (``db.query(model)`` on its ``model`` parameter) with the classes its caller
    hands in, in its lookups (``with_models``) and in the models it selects or lists."""
    if not models:
        return summary
    out = with_models(summary, models)
    for k in ("selects", "lists"):
        if any(m.startswith(MODEL_PARAM) for m in summary.get(k, ())):
            out = dict(out, **{k: [models.get(m[len(MODEL_PARAM):], m) if m.startswith(MODEL_PARAM) else m for m in summary[k]]})
    return out


def public_listings(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, int]:
    """For each public model (``public_models``), in how many modules request handlers that never read the
    caller list it in full (the feed, a cached copy of the feed in a module of its own, a tag browser): handlers
    of one module alone may repeat one forgotten owner filter (and a caller read only in a ``lambda`` looks
    unread to a flow summary)."""
    return _built(project, settings)[1] if project is not None else {}


def public_children(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """The public models (``public_models``) that are public only as rows listed under a public parent
    (``_public_children``: a form's submissions counted or listed by the form's key in a route that never reads the
    caller), not listed in full themselves."""
    return _built(project, settings)[2] if project is not None else frozenset()


def _built(project: "ProjectIndex", settings: "Settings") -> tuple[frozenset[str], dict[str, int], frozenset[str]]:
    """``public_models``' memo: the models, the modules listing each, the children among the models."""
    public_models(project, settings)
    return project.memo(("queries.public_models", _memo_key(settings)), lambda: (frozenset(), {}, frozenset()))


def _public_children(project: "ProjectIndex", settings: "Settings", summaries: list[dict], public: frozenset[str]) -> set[str]:
    """Owned models listed under a public parent: a route that never reads the caller (``public_models``' routes,
    and the project functions they call) looks the model's rows up by a foreign key to a public model and by
    plain columns only (the comments of a pin, ``select(Comment).where(Comment.pin_id == pin_id)``; the likes of a
    pin counted), so any caller reads them beside the parent; read to a fixed point (the replies of a public
    comment, ``Comment.comment_id == comment_id``). A model the project also collects per owner (a lookup whose
    only predicates on the model are its identity columns: ``select(Order).where(Order.user_id == user.id)``, the
    caller's own orders) is no such content and stays private, whatever a route lists by its parent."""
    per_owner: set[str] = set()
    for mod, _facts in project.iter_modules():
        if _test_module_name(mod):
            continue
        for summary in flow_facts(project, mod).get("functions", {}).values():
            for fetch in summary.get("fetches", ()):
                cls = project.get_class(fetch.get("model") or "")
                if cls is None or not is_owned(project, settings, cls[0]):
                    continue
                cols = set(fetch["preds"]) if "preds" in fetch else set(summary.get("preds", ()))
                owners = set(identity_columns(project, settings, cls[0]))
                if cols and cols <= owners:
                    per_owner.add(cls[0])
    found: set[str] = set()
    known = set(public)
    changed = True
    while changed:
        changed = False
        for summary in summaries:
            if summary.get("bound") or summary.get("held_preds"):
                continue
            for fetch in summary.get("fetches", ()):
                cls = project.get_class(fetch.get("model") or "")
                if cls is None or cls[0] in known or cls[0] in per_owner or not is_owned(project, settings, cls[0]):
                    continue
                model = cls[0]
                cols = set(fetch["preds"]) if "preds" in fetch else set(summary.get("preds", ()))
                owners = set(identity_columns(project, settings, model))
                if not cols or cols & owners or cols & PRIMARY_KEY_NAMES:
                    continue
                parents = {c for c in cols if referenced_model(project, model, c) in known}
                if not parents or any(
                    c not in parents and (_key_name(c) or capability_column(c) or c in ("slug", "name", "email") or c in settings.identity_fields)
                    for c in cols
                ):
                    continue
                found.add(model)
                known.add(model)
                changed = True
    return found


# words of a gate named in a route's decorator (``dependencies=[Depends(require_platform_staff)]``)
_STAFF_WORDS = ADMIN_WORDS + ("staff", "privileg", "platform", "root", "moderat", "manage")


# calls that write rows: a function that makes one is not only reading what it fetched
_WRITE_CALLS = frozenset({
    "insert", "update", "delete", "add", "add_all", "merge", "commit", "flush", "setattr", "bulk_save_objects",
    "bulk_update_mappings", "bulk_insert_mappings", "remove", "save", "upsert",
})


# the first word of a project function that writes (``update_doctor``, ``mark_printed``); ``append`` / ``join``
# are list and string methods as often as anything
_WRITE_VERBS = (_WRITER_VERBS - {"append", "join"}) | {
    "patch", "edit", "modify", "write", "put", "deactivate", "reactivate", "archive", "restore", "assign", "mark",
    "toggle", "change", "rename", "move", "upload", "attach", "detach", "approve", "reject", "cancel", "bulk", "replace",
}
_READ_VERBS = ("get", "find", "read", "fetch", "load", "list", "search", "count", "retrieve", "show", "view", "by_")


def _public_read(ctx: "FileContext", func: cst.FunctionDef, site: Site, model: str, identity: Optional[Identity] = None) -> bool:
    """A row of a model the project serves to every caller (``public_models``) looked up by a key and only
    read: a plain lookup, or one through project helpers each named for a read (``get_*``, ``find_*``, ``list_*``,
    ...) or for the row's existence (``check_model_existence``), in a function that writes nothing (no ``insert`` / ``update`` /
    ``delete`` / ``add`` / ``commit`` call, no attribute assigned on an object) but the caller's own rows: an
    ``insert`` / ``update`` / ``delete`` statement that sets or tests an identity column with the caller
    (``insert(Like).values(user_id=user_id, pin_id=pin_id)``, ``delete(Like).where(Like.user_id == user_id)``), and
    the ``commit`` / ``flush`` that follow. An update or a delete of the public row itself, or any other write
    beside the read (tags attached to it, a link row with no owner), is still reported."""
    if site.via:
        # through project helpers: each named for a read (``get_doctor_by_id`` -> ``Repo.get``)
        # (or for a row's existence, ``check_model_existence(db, Testimonial, id)``: found or refused, only read)
        if not all(
            last_segment(c.rstrip("()")).lstrip("_").startswith(_READ_VERBS) or "exist" in last_segment(c.rstrip("()")).lower()
            for c in site.via
        ):
            return False
    elif site.kind not in ("select", "query", "get"):
        return False
    elif not site.key_names and not _served_listing(ctx, func, site, model, identity):
        return False
    elif site.key_names and identity is not None and identity.route is not None and not _client_keyed(ctx, func, identity, site):
        # keyed only on values the server picks (``CreditCardBill.due_date >= today``, ``today = date.today()``):
        # a listing of every owner's rows narrowed by the server, no row the client named: read as a listing
        # (``_served_listing``), not as one public row read by its key
        if not _served_listing(ctx, func, site, model, identity, narrowed=True):
            return False
    if model not in public_models(ctx.project, ctx.settings):
        return False
    own = _callers_own_writes(ctx, func, identity) if identity is not None else set()
    containers = _local_containers(func)
    for node in cst_walk(func.body):
        if isinstance(node, cst.Call):
            if id(node) in own:
                continue
            f = node.func
            name = f.attr.value if isinstance(f, cst.Attribute) else (f.value if isinstance(f, cst.Name) else "")
            if own and name in ("commit", "flush", "refresh"):
                continue  # (committing the caller's own row)
            if name in _WRITE_CALLS or ("_" in name.strip("_") and name.lstrip("_").split("_", 1)[0] in _WRITE_VERBS):
                return False  # (``db.add(row)``, ``service.update_doctor(...)``)
        elif isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            if any(
                isinstance(t, cst.Attribute)
                or (isinstance(t, cst.Subscript) and not (isinstance(t.value, cst.Name) and t.value.value in containers))
                for t in targets
            ):
                return False  # (``result[pin.id] = pin`` fills a dict made here: no row written)
    return True


def _local_containers(func: cst.FunctionDef) -> set[str]:
    """Names bound in ``func`` to a new dict, list or set only (``result = {}``, ``seen: dict[int, Pin] = dict()``):
    what is stored in them is the function's own, no row."""
    made: set[str] = set()
    other: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            value = node.value
            fresh = isinstance(value, (cst.Dict, cst.List, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)) or (
                isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in ("dict", "list", "set", "defaultdict")
            )
            for t in targets:
                if isinstance(t, cst.Name):
                    (made if fresh else other).add(t.value)
    return made - other


def _served_listing(
    ctx: "FileContext", func: cst.FunctionDef, site: Site, model: str, identity: Optional[Identity], narrowed: bool = False
) -> bool:
    """A listing keyed on nothing (``select(Pin).order_by(...).offset(o).limit(n)``) in a function that never
    reads the caller, of a model such handlers in two modules or more list in full (``public_listings``: the
    feed, its cached copy, the first pin of every tag): the project serves the rows to everyone on purpose. The
    listings of one module alone stay reported (a forgotten owner filter looks the same). ``narrowed``: the
    listing's predicates hold only values the server picks (``_public_read``), read as that listing."""
    if identity is None or site.via or (site.pred_nodes and not narrowed):
        return False
    if public_listings(ctx.project, ctx.settings).get(model, 0) < 2:
        return False
    names = identity.names()
    return not any(isinstance(n, cst.Name) and n.value in names for n in cst_walk(func.body))


def _callers_own_writes(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> set[int]:
    """The ``insert(...)`` / ``update(...)`` / ``delete(...)`` calls of ``func`` whose statement (the chain of calls
    built on them) sets an identity column to the caller (``.values(user_id=user_id)``) or tests one against it
    (``.where(Like.user_id == user_id)``): writes of the caller's own rows. Empty when any such write is not."""
    callers = identity.names()
    columns = set(ctx.settings.identity_fields)
    if not callers:
        return set()

    def caller_value(node: cst.BaseExpression) -> bool:
        text = dotted_name(node) or ""
        return bool(text) and (text in callers or text.split(".", 1)[0] in identity.principals)

    def owns(expr: cst.CSTNode) -> bool:
        for n in cst_walk(expr):
            if isinstance(n, cst.Arg) and n.keyword is not None and n.keyword.value in columns and caller_value(n.value):
                return True
            if isinstance(n, cst.Comparison) and len(n.comparisons) == 1 and isinstance(n.comparisons[0].operator, cst.Equal):
                left, right = n.left, n.comparisons[0].comparator
                for a, b in ((left, right), (right, left)):
                    if isinstance(a, cst.Attribute) and a.attr.value in columns and caller_value(b):
                        return True
        return False

    # the outermost call chains: ``insert(M).values(...).returning(M)`` is one statement
    found: set[int] = set()
    inner: set[int] = set()
    for node in cst_walk(func.body):
        if not isinstance(node, cst.Call) or id(node) in inner:
            continue
        chain: list[cst.Call] = []
        cur: cst.BaseExpression = node
        while isinstance(cur, cst.Call):
            chain.append(cur)
            inner.add(id(cur))
            cur = cur.func.value if isinstance(cur.func, cst.Attribute) else cur.func
        base = chain[-1]
        if isinstance(base.func, cst.Name) and base.func.value in ("insert", "update", "delete"):
            if not owns(node):
                return set()
            found.add(id(base))
    return found


# what a published row's visibility is compared with, or its flag is called (``team.visibility != "public"``,
# ``if not post.is_public``, ``Visibility.PUBLIC``)
_PUBLIC_VALUES = frozenset({"public", "published"})
_PUBLIC_FLAGS = frozenset({"public", "is_public", "published", "is_published"})
_VISIBILITY_ATTRS = frozenset({"visibility", "status", "privacy", "access", "access_level", "state"})


def refused_unless_public(func: cst.FunctionDef, site: "Site") -> bool:
    """After the fetch, the function refuses the request unless the fetched row is public (``if team.visibility !=
    "public": raise HTTPException(403)``, ``if not post.is_public: abort(404)``), at its own level (not inside a
    branch): past that refusal the row is public content, as a statement filtered on visibility, and its fetch
    makes no BKL201/BKL202 claim. A test of an owner, a role or anything else is not this."""
    if not site.row_names:
        return False
    for node in statements_after(func, site):
        if isinstance(node, cst.If) and _if_refuses(node) and _not_public_test(node.test, site.row_names):
            return True
    return False


def statements_after(func: cst.FunctionDef, site: "Site"):
    """The statements run on every path of ``func`` (``_level_statements``) after the one holding the site."""
    seen = False
    for node in _level_statements(func.body):
        if not seen:
            seen = any(n is site.node for n in cst_walk(node))
            continue
        yield node


def _level_statements(block: cst.CSTNode):
    """The statements run on every path of ``block`` (through ``try`` and ``with``, not into branches or loops)."""
    for stmt in getattr(block, "body", ()):
        yield stmt
        if isinstance(stmt, (cst.Try, cst.With)):
            yield from _level_statements(stmt.body)


def _not_public_test(test: cst.BaseExpression, rows: set[str]) -> bool:
    """``row.visibility != "public"`` / ``!= Visibility.PUBLIC`` or ``not row.is_public`` on a fetched row."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        attr = test.expression
        return _row_attr(attr, rows) in _PUBLIC_FLAGS
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.NotEqual) or _row_attr(test.left, rows) not in _VISIBILITY_ATTRS:
        return False
    value = target.comparator
    if isinstance(value, cst.SimpleString):
        return value.evaluated_value.lower() in _PUBLIC_VALUES
    return (last_segment(dotted_name(value) or "") or "").lower() in _PUBLIC_VALUES


def _row_attr(expr: cst.BaseExpression, rows: set[str]) -> str:
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in rows:
        return expr.attr.value
    return ""
