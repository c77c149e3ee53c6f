"""A parent the project serves by its key to every caller, loaded only to attach the caller's own new child
(``served_by_key``, ``_public_parent_of_own_child``): a reply under anyone's public answer, a comment under anyone's
public post. Telling it from a child added under another user's private parent takes a fact about the parent's
model, not the function: some request handler that never reads the caller loads a row of it by a parameter and
returns it, writing nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.config import analysis_key
from ...ground.lazy import lazy_import
from ..auth import _test_module_name, param_dependency, principal_classes, router_auth_routes
from ..cst import walk as cst_walk
from ..facts import orm_facts
from ..imports import dotted_name, last_segment
from ..models import identity_columns, is_table_model, model_by_name
from .public import _open_route, _WRITE_CALLS, _WRITE_VERBS, public_models
from .summaries import flow_facts, helper_unscoped
from .syntax import _local_copies, _mapping_get, read_base

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ...ground.config import Settings
    from ..auth import Identity
    from ..index import ProjectIndex
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# the first word of a project function that makes a new row (``create_reply_to_answer``, ``add_comment``)
_CREATE_VERBS = ("create", "add", "new", "post", "reply", "insert", "make", "submit", "save")


def served_by_key(project: Optional["ProjectIndex"], settings: "Settings", openly: bool = False) -> frozenset[str]:
    """Owned models whose rows the project hands to every caller by a key: a request handler that is not
    admin-only and takes no caller at all (``public._open_route``, and no principal or authenticating parameter even
    unused; no router of the project is included with dependencies that might authenticate it) returns something and writes nothing (no call
    named for a write: ``add`` / ``commit`` / ``update_*`` / ...), and one of its parameters reaches a lookup of
    the model with no owner predicate, itself or through the project functions it calls (``helper_unscoped``:
    ``GET /comment/{comment_id}`` -> ``crud.comment.get(id=comment_id)``). Any caller reads such a row by its key
    (its key is no secret of its owner's). ``openly``: only handlers nothing else may guard (``_plainly_open``)."""
    if project is None or router_auth_routes(project):
        return frozenset()  # (a router included with ``dependencies=[...]`` may authenticate any route: none is known open)
    key = ("queries.served_by_key", settings.identity_fields, settings.owned_models, settings.not_owned_models,
           settings.admin_dependencies, settings.principal_parameters, openly)

    def build() -> frozenset[str]:
        principals = principal_classes(project, settings)
        callers = set(settings.principal_parameters) | set(settings.identity_fields)
        found: set[str] = set()
        for mod, facts in project.iter_modules():
            if _test_module_name(mod):
                continue
            summaries = flow_facts(project, mod).get("functions", {})
            for name, fn in orm_facts(facts).get("functions", {}).items():
                summary = summaries.get(name)
                if not summary or not summary.get("returns") or not _open_route(project, settings, principals, callers, fn, summary):
                    continue
                if openly and not _plainly_open(name, fn):
                    continue
                if any(
                    p.get("name") in callers
                    or (p.get("type") and project.canonical(p["type"]) in principals)
                    or param_dependency(project, settings, p).kind == "auth"
                    for p in fn.get("params", ())
                ):
                    continue  # (authenticated, the caller left unread: a by-key read there is the classic unscoped read)
                called = [last_segment(c.get("target", "")) for c in summary.get("calls", ())] + list(fn.get("name_calls", ()))
                if any(_writes(c) for c in called):
                    continue
                for value in helper_unscoped(project, settings, mod, None, name, summary).values():
                    if not value[2]:
                        found.add(value[0])
        return frozenset(found)

    # (stored with the index: a run linting one file reads the models instead of every open handler's lookups)
    return project.memo(key, lambda: project.stored_memo(f"queries.served_by_key:{openly}:{analysis_key(settings)}", build, load=frozenset))


# handlers of the account flows: open by nature, they hand out nothing of the row (a reset mail, a code checked)
_ACCOUNT_FLOW_WORDS = ("password", "reset", "otp", "verify", "login", "logout", "token", "confirm", "register", "signup",
                       "activate", "invit", "unsubscribe", "callback", "webhook")


# words of a gate a handler may name in its route decorator or call
_GATE_WORDS = ("permission", "require", "auth", "login", "current_user", "verify", "guard", "access", "allowed", "role")


def _plainly_open(name: str, fn: dict) -> bool:
    """A handler with no decorator but its route's (``@view_handler([roles])`` may authenticate it), no ``Request``
    parameter (the caller may be read off ``request.user`` / ``request.state``), no raw ``Response`` returned (an
    icon, a file: the row itself is not handed out) and no account flow (a password reset, an OTP check)."""
    if fn.get("decorators"):
        return False
    if any(w in last_segment(r).lower() for r in (*fn.get("calls_out", ()), *fn.get("refs_out", ())) for w in _GATE_WORDS):
        return False  # (``dependencies=[Depends(require_permission("view", "notifications"))]`` on the route)
    for p in fn.get("params", ()):
        if last_segment(p.get("type") or "").endswith("Request"):
            return False
        if p.get("marker") and not _session_param(p):
            return False  # (``key: str = Security(api_key)``, ``svc: Service = Depends()``: what it checks is unknown)
    if last_segment(fn.get("returns") or "").endswith("Response"):
        return False
    return not any(w in name.lower() for w in _ACCOUNT_FLOW_WORDS)


def _session_param(p: dict) -> bool:
    """A handler parameter injected with the database session (``db: Session = Depends(get_db)``)."""
    said = f"{last_segment(p.get('type') or '')} {last_segment(p.get('dependency') or '')} {p.get('alias') or ''}".lower()
    return "session" in said or "db" in said.replace("dbs", "")


def _writes(name: str) -> bool:
    """A call named for a write (``add``, ``commit``, ``update_answer``, ``delete``)."""
    name = name.lstrip("_")
    return name in _WRITE_CALLS or ("_" in name.strip("_") and name.split("_", 1)[0] in _WRITE_VERBS)


def _public_parent_of_own_child(ctx: "FileContext", func: cst.FunctionDef, site: "Site", model: str, identity: Optional["Identity"]) -> bool:
    """A row of a model served by its key to every caller (``served_by_key``) loaded by a key parameter only to
    attach a new row the caller owns under it: either the lookup is inside a project function named for a creation
    (``crud.answer.create_reply_to_answer(parent_answer_id=answer_id, created_by_id=current_user.id)``) handed the
    key and the caller as an identity column, or the loaded row is only tested (``if not parent: raise 404``) and
    the key goes on into a call that sets an identity column to the caller (``comment_data["parent_id"] =
    parent_id`` ... ``crud.comment.create(obj_in=CommentCreate(**comment_data), created_by_id=current_user.id)``).
    Anyone may read the parent; the caller learns nothing and changes only what is theirs. A child added under a
    model no open handler serves (another user's private project) is still reported."""
    if identity is None or identity.route is None or not site.key_names:
        return False
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    keys = site.key_names & params
    if not keys or not public_content(ctx, model):
        return False
    mine = caller_aliases(func, identity)
    call = site.node if site.via and isinstance(site.node, cst.Call) else None
    if call is not None and _creates_for_caller(ctx, call, identity, mine) and public_content(ctx, model, openly=True):
        return any(_mentions(a.value, keys) for a in call.args)
    owned = [c for c in cst_walk(func.body) if isinstance(c, cst.Call) and _sets_caller(ctx, c, identity, mine)]
    if not owned or (call is not None and any(c is call for c in owned)):
        return False
    if not _only_in_tests(func, site.row_names):
        return False
    # the key handed on into the creating call, directly or through a local built from it
    carriers = set(keys)
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and _mentions(node.value, carriers):
            for t in node.targets:
                target = t.target.value if isinstance(t.target, cst.Subscript) else t.target
                if isinstance(target, cst.Name):
                    carriers.add(target.value)
    return any(_mentions(c, carriers) for c in owned if c is not site.node)


def public_content(ctx: "FileContext", model: str, openly: bool = False) -> bool:
    """A model whose rows the project serves to every caller: listed in full (``public.public_models``) or handed out
    by a key (``served_by_key``; ``openly``: by a handler nothing else may guard)."""
    return model in served_by_key(ctx.project, ctx.settings, openly) or model in public_models(ctx.project, ctx.settings)


def _creates_for_caller(ctx: "FileContext", call: cst.Call, identity: "Identity", mine: frozenset[str]) -> bool:
    """A project function named for a creation (``create_reply_to_answer``, ``add_comment``) handed the caller (or an
    attribute of it) by keyword (``created_by_id=current_user.id``, ``created_by=user.id``) and no identity column
    set to anyone else (``add_user_to_group(group_id=g, user_id=body.user_id, current_user_id=me)`` adds another
    user's row)."""
    callee = last_segment(dotted_name(call.func) or "").lstrip("_").lower()
    if not callee.startswith(_CREATE_VERBS):
        return False
    callers = identity.names() | mine
    columns = set(ctx.settings.identity_fields)
    found = False
    for a in call.args:
        if a.keyword is None:
            continue
        text = dotted_name(a.value) or ""
        mine_value = bool(text) and (text in callers or text.split(".", 1)[0] in identity.principals)
        if a.keyword.value in columns and not mine_value:
            return False
        found = found or mine_value
    return found


def _sets_caller(ctx: "FileContext", call: cst.Call, identity: "Identity", mine: frozenset[str] = frozenset()) -> bool:
    """``call`` sets an identity column to the caller by keyword (``created_by_id=current_user.id``,
    ``owner_id=user_id``; ``mine``: locals bound to the caller's value, ``caller_aliases``)."""
    callers = identity.names() | mine
    columns = set(ctx.settings.identity_fields) | _constructed_owner_columns(ctx, call)
    for a in call.args:
        if a.keyword is None or a.keyword.value not in columns:
            continue
        text = dotted_name(a.value) or ""
        if text and (text in callers or text.split(".", 1)[0] in identity.principals):
            return True
    return False


def _constructed_owner_columns(ctx: "FileContext", call: cst.Call) -> set[str]:
    """The owner columns of the ORM table a call constructs (``GameSession(..., created_by_user_id=me)``: its owner
    reference, ``models.identity_columns``, beside the configured identity names); none for any other call."""
    name = dotted_name(call.func) or ""
    if ctx.project is None or not name[:1].isupper() and not last_segment(name)[:1].isupper():
        return set()
    model = model_by_name(ctx.project, name)
    if model is None or not is_table_model(ctx.project, model):
        return set()
    return set(identity_columns(ctx.project, ctx.settings, model))


def caller_aliases(func: cst.FunctionDef, identity: "Identity") -> frozenset[str]:
    """Locals bound only to the caller or an attribute of it (``user_id = current_user.id``)."""
    callers = identity.names()
    bound: set[str] = set()
    other: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            text = dotted_name(node.value) or ""
            caller = bool(text) and (text in callers or text.split(".", 1)[0] in identity.principals)
            for t in ([t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]):
                if isinstance(t, cst.Name):
                    (bound if caller else other).add(t.value)
    return frozenset(bound - other)


def caller_locals(ctx: "FileContext", func: cst.FunctionDef, identity: "Identity") -> frozenset[str]:
    """Locals that hold the caller: bound only to the caller, an identity value or an attribute of either
    (``uid = current_user.id``, ``caller_aliases``), or only to a copy of a read of the principal (``user_id =
    current_user["user_id"]``, ``owner = int(claims.sub)``: ``_local_copies``). One reading for every test of
    "the caller in a local" of ``decisions`` (a helper handed the caller, a membership lookup keyed on it)."""
    copies = ctx.cached(("queries.copies", id(func)), lambda: _local_copies(ctx, func))
    out = caller_aliases(func, identity) | {local for local, name in copies.items() if name in identity.principals}
    return out | _principal_get_locals(func, identity, copies)


def _principal_get_locals(func: cst.FunctionDef, identity: "Identity", copies: dict[str, str]) -> frozenset[str]:
    """``uid = current_user.get("id")`` of a dict principal: a local bound only to one value read off the caller by a
    literal key, as ``uid = current_user["id"]`` (``_local_copies``) is. Only of the principal: a client's mapping read
    the same way (``parent = request.json.get("parent")``) stays the client's value."""
    bound: dict[str, bool] = {}
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            value = node.value
            base = read_base(value) if _mapping_get(value) else None
            mine = isinstance(base, cst.Name) and base.value in identity.principals
            name = node.targets[0].target.value
            bound[name] = bound.get(name, True) and mine
    return frozenset(n for n, mine in bound.items() if mine and n not in copies)


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    return any(isinstance(n, cst.Name) and n.value in names for n in cst_walk(node))


def _reads_name(node: cst.CSTNode, names: set[str]) -> bool:
    """``node`` reads a variable of ``names`` (an attribute's name, ``x.pin_id``, and a keyword, ``pin_id=...``,
    are no reads of ``pin_id``)."""
    skip: set[int] = set()
    for n in cst_walk(node):
        if isinstance(n, cst.Attribute):
            skip.add(id(n.attr))
        elif isinstance(n, cst.Arg) and n.keyword is not None:
            skip.add(id(n.keyword))
    return any(isinstance(n, cst.Name) and n.value in names and id(n) not in skip for n in cst_walk(node))


def _only_in_tests(func: cst.FunctionDef, names: set[str]) -> bool:
    """Each local in ``names`` (one, at least) is read only inside ``if`` / ``while`` conditions, besides being
    bound."""
    if not names:
        return False
    total = 0
    bound: set[int] = set()
    for node in cst_walk(func.body):
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            for t in (node.targets if isinstance(node, cst.Assign) else [node]):
                target = t.target
                if isinstance(target, cst.Name):
                    bound.add(id(target))
        elif isinstance(node, cst.Name) and node.value in names:
            total += 1
    tested = 0
    for node in cst_walk(func.body):
        if isinstance(node, (cst.If, cst.While)):
            tested += sum(1 for n in cst_walk(node.test) if isinstance(n, cst.Name) and n.value in names)
    read = total - sum(1 for node in cst_walk(func.body) if isinstance(node, cst.Name) and node.value in names and id(node) in bound)
    return read > 0 and read == tested
