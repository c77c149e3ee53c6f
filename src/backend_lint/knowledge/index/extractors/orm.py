"""Index facts for families 1 and 2: ORM mapping details, dependency aliases and auth functions.

Stored under ``facts["extra"]["orm"]``:

- ``declared_attrs``: ``{class: [method names]}`` for methods decorated with ``declared_attr`` (a mixin's
  ``owner_id`` column written as ``@declared_attr def owner_id(cls): ...``).
- ``relationships``: ``{class: {field: target}}``; ``target`` is a resolved dotted name when the module
  imports it, otherwise the bare class name SQLAlchemy's registry would look up (``"User"``).
- ``loader_criteria``: targets of ``with_loader_criteria(X, ...)`` calls made inside a ``do_orm_execute``
  listener (global scoping of a mixin or model).
- ``aliases``: ``{name: {"type", "marker", "dependency", "kwargs"}}`` for ``X = Annotated[T, Depends(f)]``
  and for a marker held in a name, ``X = Depends(f)`` (``type`` None).
- ``functions``: ``{name: {"returns", "params": [{"name", "type", "marker", "dependency", "kwargs"}]}}``
  for top-level functions, with the dependency markers of their parameters resolved (``called`` and ``args``
  when the marker calls a factory, ``Depends(is_user_in(GroupType.admin))``), and ``makes`` for a dependency
  factory: the facts of the inner function it returns (``_made_dependency``).
  Plus what its body says (``_body_facts``): ``auth`` (token decoding), ``raises``, ``calls_out``,
  ``background_out``, ``name_calls`` (calls the imports cannot resolve, by the called name: ``self.repo.get_one``
  -> ``get_one``), ``refs_out`` (project functions handed to a call as values: callbacks, ``Depends(f)``),
  ``task`` for a background job, ``route`` for a request handler (``@router.get(...)``), ``routes_inside``
  for a router factory (a nested request handler), ``tool`` for an MCP tool (``@mcp.tool()``) and ``admin_gate`` when its body opens with an admin check
  on a parameter (``admin_check`` for a function that is no request handler); ``decorators`` for a request handler's other decorators (``@require_auth(role=...)``: func,
  called, args, kwargs), and ``passes_caller`` for a decorator (factory) that hands the view it wraps a local it
  looked up itself (``return f(auth_user, *args, **kwargs)``: ``_passes_caller``; also on ``callables``).
- ``shadowed_routes``: ``{"name@line": {...}}``, the facts (as in ``functions``) of a request handler that a
  later top-level ``def`` of the same name replaces in the module (two ``def list_events`` under different
  paths): the decorator registered it, so it serves requests, though ``functions`` (what the name resolves to)
  holds the last one only. Readers that enumerate request handlers read both (``queries.public_models``).
- ``method_calls``: functions called from the module's class methods (resolved dotted names).
- ``module_refs``: the dotted names the module mentions outside any function body (a module-level lambda,
  dict, ``functools.partial(f, ...)``, call, class attribute, decorator or default): a project function named
  there may be handed around or called with anything (``queries.given_values``).
- ``methods``: ``{"Class.method": {...}}``: per method, ``calls_out``, ``name_calls``, ``refs_out``,
  ``route`` / ``admin_gate`` and, for a request handler or a method taking dependency markers, ``params``
  (``args``, the parameter names after ``self``, for the others; ``binding`` ``"static"`` with ``first``, the
  first parameter's name, for a ``@staticmethod``, ``"class"`` for a ``@classmethod``).
- ``callables``: ``{class: {"returns", "params", "auth"}}`` for a class's ``__call__`` (a class dependency,
  ``Depends(JWTBearer())``).
- ``calls``: ``{name: {"func", "kwargs", "args"}}`` for module-level ``name = f(...)``
  (``current_active_user = fastapi_users.current_user(active=True)``, ``item = CRUDItem(Item)``).
- ``method_returns``: ``{class: {method: returned class}}`` and ``generic_args``: ``{class: [classes in
  its subscripted bases]}`` (``class CRUDItem(CRUDBase[Item, ItemCreate, ItemUpdate])``), so that a
  repository method's rows have a known model.
- ``class_models``: ``{class: model}`` for a repository that names its model in its body (``model = Item``,
  ``model: type[Item] = Item``) or hands it to its base (``super().__init__(Item, session)``), and
  ``self_types``: ``{class: {attribute: class}}`` for what ``__init__`` keeps on ``self`` (``self._items =
  items`` with ``items: ItemRepository``, ``self.repo = ItemRepository(db)``): the queries a generic base writes
  on ``self.model`` and the repositories a service holds resolve per class (``knowledge.repositories``);
  ``self_instances``: ``{class: {attribute: qualified name}}`` for a module-level instance ``__init__`` keeps
  (``self.item_dao = item_dao``, imported from the module that makes ``item_dao = ItemDAO(Item)``);
  ``self_types`` also holds what the class body declares with no value and no method assigns
  (``account_repository: AccountRepository``). ``entered_self``: ``["Class.__aenter__", ...]`` for an
  ``__enter__`` / ``__aenter__`` returning ``self`` on every way out (``with Class() as v``: ``v`` is the instance).
- ``members``: ``{class: {attribute: {"type": class, "builds": class}}}`` for the attributes a unit of work
  hands out: ``type`` as declared (``bookings: IBookingRepository`` in the class body, or a ``@property``'s
  return annotation), ``builds`` the one class a method constructs for it (``self.bookings =
  BookingRepository(self.session)`` in ``__aenter__``, or a property whose body builds and returns one:
  ``self._bookings = BookingRepository(self.db)`` then ``return self._bookings``); ``knowledge.repositories.
  member_class`` reads the concrete repository off them.
- ``appliers``: ``{function or "Class.method": {"params": [names], "applies": {param: "items" | "dump"}}}``
  for a function that copies every key of a parameter onto an object with a ``setattr`` loop (``for k, v in
  updates.items(): setattr(row, k, v)``, ``items`` ; over ``payload.model_dump(...)``, ``dump``) with no
  allow-list (a test of the key other than ``hasattr``): the update form of a spread (BKL101,
  ``knowledge.update_spread``); the loop may run over a local bound once to such a dump (``data =
  payload.model_dump(exclude_unset=True)``), and ``writes`` names the fields the function writes itself
  (``row.user_id = user_id``, ``data["user_id"] = ...``, ``data.pop("user_id")``).

Every name is resolved with the module's own imports; nothing is imported.
"""

from __future__ import annotations

import ast
import builtins
import re
from typing import Any, Optional

from ..extract import ast_dotted  # ``a.b.c`` of a Name/Attribute chain, else None
from ._common import Resolve, mentions, module_text, own_nodes, store, walk, walk_function, walk_kinds
from .request_state import state_facts
from .request_gates import request_gate
from ...words import ADMIN_WORDS as _ADMIN_WORDS, ID_WRAPPERS as _ID_WRAPPERS
from ..services import remap_module


_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated", "Annotated")
_WRAPPERS = frozenset(
    {
        "Optional",
        "Union",
        "Mapped",
        "list",
        "List",
        "set",
        "Set",
        "Sequence",
        "tuple",
        "Tuple",
        "Generator",
        "AsyncGenerator",
        "Iterator",
        "AsyncIterator",
        "Awaitable",
        "Coroutine",
        "WriteOnlyMapped",
        "DynamicMapped",
        "Type",
        "type",
    }
)
_MARKERS = frozenset({"Depends", "Security", "Body", "Form", "Query", "Path", "Header", "Cookie", "File"})
PARAM_MARKERS = _MARKERS  # the parameter markers ``call_marker`` reads (BKL604's screen reads the same)


def _last(q: Optional[str]) -> str:
    return q.rsplit(".", 1)[-1] if q else ""


def _string_type(text: str) -> Optional[ast.expr]:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


def main_type(node: Optional[ast.expr], resolve: Resolve, _depth: int = 0) -> Optional[str]:
    """The class an annotation is about: ``Optional["User"]`` -> ``User``, ``Mapped[list[Item]]`` -> ``Item``,
    ``Annotated[User, ...]`` -> ``User``. ``None`` for anything else (unions of several classes, literals)."""
    if node is None or _depth > 8:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return main_type(_string_type(node.value), resolve, _depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts = [p for p in (node.left, node.right) if not (isinstance(p, ast.Constant) and p.value is None)]
        if len(parts) == 1:
            return main_type(parts[0], resolve, _depth + 1)
        return None
    if isinstance(node, ast.Subscript):
        head = resolve(node.value) or ""
        name = _last(head)
        inner = node.slice
        if head in _ANNOTATED or name == "Annotated":
            if isinstance(inner, ast.Tuple) and inner.elts:
                return main_type(inner.elts[0], resolve, _depth + 1)
            return main_type(inner, resolve, _depth + 1)
        if name in _WRAPPERS:
            elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            elts = [e for e in elts if not (isinstance(e, ast.Constant) and e.value is None)]
            if name in ("Generator", "AsyncGenerator", "Iterator", "AsyncIterator", "Coroutine"):
                elts = elts[:1] if name != "Coroutine" else elts[-1:]
            if len(elts) == 1:
                return main_type(elts[0], resolve, _depth + 1)
        return None
    if isinstance(node, (ast.Name, ast.Attribute)):
        return resolve(node)
    return None


def call_marker(call: ast.expr, resolve: Resolve) -> Optional[dict[str, Any]]:
    """``Depends(f, use_cache=False)`` -> ``{"marker": "fastapi.Depends", "dependency": "app.deps.f", ...}``."""
    if not isinstance(call, ast.Call):
        return None
    q = resolve(call.func)
    if _last(q) not in _MARKERS:
        return None
    dep = None
    dep_kwargs: dict[str, str] = {}
    dep_args: list[str] = []
    called = False
    target: Optional[ast.expr] = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == "dependency":
            target = kw.value
    if target is not None:
        if isinstance(target, ast.Call):
            dep = resolve(target.func)
            called = True
            dep_kwargs = {k.arg: ast.unparse(k.value) for k in target.keywords if k.arg}
            dep_args = [ast.unparse(a)[:200] for a in target.args]
        elif isinstance(target, (ast.Name, ast.Attribute)):
            dep = resolve(target)
    out: dict[str, Any] = {"marker": q, "dependency": dep}
    if dep_kwargs:
        out["kwargs"] = dep_kwargs
    if called:
        # ``Depends(is_user_in(GroupType.admin))``: FastAPI calls what the factory returns, per request; its
        # positional arguments are kept for the admin reading (``knowledge.auth``)
        out["called"] = True
        if dep_args:
            out["args"] = dep_args
    scopes = next((k.value for k in call.keywords if k.arg == "scopes"), None)
    if scopes is not None:
        out["scopes"] = ast.unparse(scopes)
    return out


def annotated_marker(node: Optional[ast.expr], resolve: Resolve) -> Optional[dict[str, Any]]:
    """The dependency marker inside ``Annotated[T, Depends(f)]`` (also under ``Optional``)."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = _string_type(node.value)
        if node is None:
            return None
    if isinstance(node, ast.Subscript):
        head = resolve(node.value) or ""
        if (head in _ANNOTATED or _last(head) == "Annotated") and isinstance(node.slice, ast.Tuple):
            for meta in node.slice.elts[1:]:
                found = call_marker(meta, resolve)
                if found is not None:
                    return found
    return None


def annotated_factory(node: Optional[ast.expr], resolve: Resolve) -> Optional[dict[str, Any]]:
    """``Annotated[User, RequireScopes(Scopes(...))]`` with no marker: a call that may be a factory returning
    ``Depends(inner)`` (FastAPI reads the marker the call returns). ``{"factory": q, "args": [...], "kwargs":
    {...}}``; whether it is one is read from the project (``knowledge.auth.param_dependency``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = _string_type(node.value)
    if not isinstance(node, ast.Subscript):
        return None
    head = resolve(node.value) or ""
    if not ((head in _ANNOTATED or _last(head) == "Annotated") and isinstance(node.slice, ast.Tuple)):
        return None
    for meta in node.slice.elts[1:]:
        out = call_factory(meta, resolve)
        if out is not None:
            return out
    return None


def call_factory(node: Optional[ast.expr], resolve: Resolve) -> Optional[dict[str, Any]]:
    """A call of a named function that is no marker (``RequireScopes(...)``, ``require_permission(perm)``): it may be a
    factory returning ``Depends(inner)``. ``{"factory": q, "args": [...], "kwargs": {...}}``."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))):
        return None
    q = resolve(node.func)
    if not q or _last(q) in _MARKERS:
        return None
    out: dict[str, Any] = {"factory": q, "args": [ast.unparse(a)[:200] for a in node.args]}
    kwargs = {k.arg: ast.unparse(k.value) for k in node.keywords if k.arg}
    if kwargs:
        out["kwargs"] = kwargs
    return out


def _param_facts(args: ast.arguments, resolve: Resolve) -> list[dict[str, Any]]:
    positional = args.posonlyargs + args.args
    defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
    out = []
    for a, d in pairs:
        entry: dict[str, Any] = {"name": a.arg, "type": main_type(a.annotation, resolve)}
        found = call_marker(d, resolve) if d is not None else None
        if found is None:
            found = annotated_marker(a.annotation, resolve)
        if found is None and isinstance(a.annotation, (ast.Name, ast.Attribute)):
            entry["alias"] = resolve(a.annotation)
        if found is None and a.annotation is not None and "alias" not in entry:
            found = annotated_factory(a.annotation, resolve)
        if found is None and isinstance(d, (ast.Name, ast.Attribute)) and "alias" not in entry:
            entry["alias"] = resolve(d)  # ``token: str = DependsJwtAuth`` (a marker held in a module-level name)
        if found is None:
            # ``member: ProjectMember = require_permission(perm)``: a factory returning ``Depends(inner)`` is
            # the marker (``knowledge.auth.param_dependency`` asks the project; the annotation's alias stays)
            found = call_factory(d, resolve)
        if found is not None:
            entry.update(found)
        out.append(entry)
    return out


def _is_declared_attr(dec: ast.expr, resolve: Resolve) -> bool:
    q = resolve(dec) or ""
    return "declared_attr" in q.split(".")


def _relationship_target(stmt: ast.AnnAssign | ast.Assign, resolve: Resolve) -> Optional[str]:
    """The target class of ``owner: Mapped["User"] = relationship()``, ``owner: User | None =
    Relationship(...)``, ``owner = relationship("User")`` or ``Field(sa_relationship=relationship("User"))``."""
    value = stmt.value
    if not isinstance(value, ast.Call):
        return None
    call_name = _last(resolve(value.func))
    rel_call: Optional[ast.Call] = None
    if call_name in ("relationship", "Relationship", "relation"):
        rel_call = value
    elif call_name == "Field":
        for kw in value.keywords:
            if kw.arg == "sa_relationship" and isinstance(kw.value, ast.Call):
                rel_call = kw.value
        if rel_call is None:
            return None
    else:
        return None
    if rel_call.args:
        first = rel_call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            node = _string_type(first.value.strip())
            if isinstance(node, (ast.Name, ast.Attribute)):
                return resolve(node)
            return None
        if isinstance(first, (ast.Name, ast.Attribute)):
            return resolve(first)
    if isinstance(stmt, ast.AnnAssign):
        return main_type(stmt.annotation, resolve)
    return None


# Token decoding that makes a dependency an auth dependency by what it does: ``jwt.decode`` of PyJWT,
# python-jose (``jose.jwt.decode``), authlib (``authlib.jose.jwt.decode``, ``JsonWebToken(...).decode``
# resolved through the module), and a fastapi-users strategy's ``read_token`` (on any receiver).
_TOKEN_MODULES = ("jwt", "jose", "authlib")
_TOKEN_METHODS = frozenset({"read_token"})
# Parameters that carry a credential the client presents. A function that hands one to a check, raises, and
# returns a value (``def user_is_available(user_id=Form(...), token=Form(...), db=...)`` that asks the user
# store whether the token is valid and returns ``user_id``) authenticates the caller by what it does.
_CREDENTIAL_PARAMS = frozenset({
    "token", "access_token", "auth_token", "session_token", "bearer_token", "api_key", "apikey", "x_api_key",
    "api_token", "password", "secret", "client_secret",
})


# Decorators that make a function a background job (Celery ``@app.task`` / ``@shared_task``, dramatiq
# ``@actor``, schedulers' ``@job`` / ``@cron``): such functions, and those only they reach, make no claim.
TASK_DECORATORS = frozenset({"task", "shared_task", "actor", "periodic_task", "job", "cron"})


def _body_facts(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve, held: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """What a function's body says, in one ``ast.walk`` done at index time (so that classifying a
    dependency, an authorisation helper or a background-only function needs no parse): the token decoding
    that makes it authenticate the caller (``auth``), whether it raises (``raises``), the functions it
    calls (``calls_out``: resolved dotted names, also through imports inside the function) and those it
    hands to ``BackgroundTasks.add_task`` (``background_out``)."""
    found: set[str] = set()
    raises = False
    calls: set[str] = set()
    background: set[str] = set()
    local: dict[str, str] = {}
    call_nodes: list[ast.Call] = []
    credentials = {a.arg for a in (*fn.args.args, *fn.args.kwonlyargs) if a.arg.lower() in _CREDENTIAL_PARAMS}
    returns_value = False
    nested_routes = False  # a router factory: ``def get_router(): @router.get(...) async def ...``
    kinds = walk_kinds(fn)  # (the walk shared with the other extractors, by node kind; each kind in its order)
    raises = ast.Raise in kinds
    if credentials:
        for node in kinds.get(ast.Return, ()):
            if node.value is not None:  # type: ignore[attr-defined]
                returns_value = returns_value or not (isinstance(node.value, ast.Constant) and node.value.value in (None, True, False))  # type: ignore[attr-defined]
    remap = getattr(resolve, "remap", None)  # (a service's own package: ``ProjectIndex.module_remap``)
    for node in kinds.get(ast.ImportFrom, ()):
        if node.module and not node.level:  # type: ignore[attr-defined]
            for alias in node.names:  # type: ignore[attr-defined]
                local[alias.asname or alias.name] = f"{remap_module(node.module, remap)}.{alias.name}"  # type: ignore[attr-defined]
    call_nodes = kinds.get(ast.Call, call_nodes)
    for kind in (ast.FunctionDef, ast.AsyncFunctionDef):
        for node in kinds.get(kind, ()):
            if node is not fn and not nested_routes:
                nested_routes = any(_route_decorator(d) for d in node.decorator_list)  # type: ignore[attr-defined]

    names: set[str] = set()
    refs: set[str] = set()

    def ref(expr: ast.expr) -> None:
        """A function handed to a call as a value (a callback, ``Depends(f)``, ``run_in_threadpool(f, ...)``):
        the call may run it."""
        kind = expr.__class__
        if kind is ast.Name:
            q = target(expr)
            if q and "." in q:
                refs.add(q)
        elif kind is ast.Attribute and expr.value.__class__ is ast.Name:  # type: ignore[attr-defined]
            if expr.value.id in ("self", "cls"):  # type: ignore[attr-defined]
                names.add(expr.attr)  # type: ignore[attr-defined]
            else:
                q = target(expr)
                if q and q.split(".", 1)[0] != expr.value.id:  # type: ignore[attr-defined]
                    refs.add(q)

    def target(expr: ast.expr) -> Optional[str]:
        if expr.__class__ is ast.Name and expr.id in local:  # type: ignore[attr-defined]
            return local[expr.id]  # type: ignore[attr-defined]
        if expr.__class__ is ast.Name or (expr.__class__ is ast.Attribute and expr.value.__class__ is ast.Name):  # type: ignore[attr-defined]
            return resolve(expr)
        return None

    if credentials and raises and returns_value:
        checked = sorted(
            {a.id for node in call_nodes for a in (*node.args, *(k.value for k in node.keywords)) if a.__class__ is ast.Name and a.id in credentials}  # type: ignore[attr-defined]
        )
        if checked:
            found.add(f"verifies the credential `{checked[0]}` it is given")
    typed, typed_bound = _typed_receivers(fn, resolve, held or {})
    receivers: dict[str, set[str]] = {}  # a call's ``calls_out`` / ``name_calls`` entry -> the typed targets
    untyped: set[str] = set()
    for node in call_nodes:
        func = node.func
        if func.__class__ is ast.Attribute:
            attr = func.attr  # type: ignore[attr-defined]
            raw = target(func)
            raw = raw if raw and "." in raw else (None if raw else attr)
            if raw is not None:
                value = func.value  # type: ignore[attr-defined]
                # ``sa.update(table)``, ``logger.info(...)``: an attribute of a name the module binds (``import
                # sqlalchemy as sa``), resolved as before; a library's reaches no project method
                module_level = value.__class__ is ast.Name and value.id not in typed_bound and raw.partition(".")[0] != value.id  # type: ignore[attr-defined]
                cls = PLAIN_CALL if module_level else typed(value)
                if cls is None:
                    untyped.add(raw)
                else:
                    receivers.setdefault(raw, set()).add(cls if cls == PLAIN_CALL else f"{cls}.{attr}")
            if attr in _TOKEN_METHODS:
                found.add(f"reads a token (`.{attr}(...)`)")
            elif attr == "decode":
                q = resolve(func) or ""
                if q.split(".", 1)[0] in _TOKEN_MODULES:
                    found.add(f"decodes a token (`{q}`)")
            elif attr == "add_task" and node.args:
                t = target(node.args[0])
                if t:
                    background.add(t)
                continue
        t = target(func)
        if func.__class__ is ast.Name and t and "." in t and func.id not in typed_bound and t.partition(".")[0] != func.id:  # type: ignore[attr-defined]
            receivers.setdefault(t, set()).add(PLAIN_CALL)  # ``update(table)`` imported from a library: no method
        if t and "." in t:
            calls.add(t)
        elif t is None and func.__class__ is ast.Attribute:
            names.add(func.attr)  # type: ignore[attr-defined]  (``self.repo.get_one(...)``: matched by name)
        elif t is not None and t not in _BUILTINS and func.__class__ is ast.Name:
            names.add(t)  # a bare name nothing binds (a star import): matched by name
        for a in node.args:
            ref(a)
            if a.__class__ is ast.Constant and a.value.__class__ is str and a.value.isidentifier() and "_" in a.value:  # type: ignore[attr-defined]
                names.add(a.value)  # type: ignore[attr-defined]  (``fetch_versioned_implementation(mod, "fn_name")``, ``getattr(x, "fn_name")``)
        for k in node.keywords:
            ref(k.value)
    out: dict[str, Any] = {}
    if found:
        out["auth"] = sorted(found)
    if raises:
        out["raises"] = True  # an authorisation helper may deny by raising (``check_permission``)
    schema_roots = sorted({r for node in call_nodes for a in node.args for r in (_schema_switch(a) or ())})
    if schema_roots:
        # ``conn.execute(text(f'SET search_path TO "{schema}"'))``: a schema per request; the names the value is
        # read from (``user`` of ``{user.org_slug}``, ``SCHEMA`` of a module constant)
        out["sets_schema"] = schema_roots
    if calls:
        out["calls_out"] = sorted(calls)
    if background:
        out["background_out"] = sorted(background)
    if nested_routes:
        out["routes_inside"] = True
    if names:
        out["name_calls"] = sorted(names)
    refs -= calls
    if refs:
        out["refs_out"] = sorted(refs)
    known = {raw: sorted(found) for raw, found in receivers.items() if raw not in untyped}
    # a plain call of a module-level name (most of them) is stored as its place in ``calls_out``, not as an entry
    # ``{call: ["<call>"]}`` (``plain_calls``: read back by ``receivers_of``)
    plain = {raw for raw, found in known.items() if found == [PLAIN_CALL] and raw in calls}
    if plain:
        out["plain_calls"] = [i for i, t in enumerate(out["calls_out"]) if t in plain]
    known = {raw: found for raw, found in known.items() if raw not in plain}
    if known:
        out["receivers"] = known
    return out


def receivers_of(fn: dict[str, Any]) -> dict[str, list[str]]:
    """A function's ``receivers`` index fact with its ``plain_calls`` read back: ``{call: [typed target, ...]}``
    for the calls whose every receiver the index typed, ``[PLAIN_CALL]`` for a plain call of a module-level name
    (``sa.update(table)``, ``update(table)`` imported from a library)."""
    out = fn.get("receivers", {})
    plain = fn.get("plain_calls")
    if plain:
        calls = fn["calls_out"]
        out = {**out, **{calls[i]: [PLAIN_CALL] for i in plain}}
    return out


def _typed_receivers(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve, held: dict[str, str]) -> Any:
    """A reader of a method call's receiver: the dotted name of the class (or factory) it is an instance of, or
    ``None``. Known: a parameter annotated with a class or filled by ``Depends(Class)`` and never rebound, a local
    bound once to ``Class(...)`` or to a literal (``builtins.dict``), ``self.<attr>`` that ``__init__`` keeps
    (``held``: ``self_types``), ``Class(...)`` itself; ``<class>()`` for what a call or an attribute of such a
    receiver gives (``db.query(Item).filter(...)``, ``<Session>()``). Whether a name is the project's is decided
    by the reader (``knowledge.auth.reach``)."""
    counts = _store_counts(fn)
    a = fn.args
    positional = [*a.posonlyargs, *a.args]
    bound = set(counts) | {x.arg for x in (*positional, *a.kwonlyargs)} | {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    known: dict[str, str] = {}
    defaults = dict(zip([x.arg for x in positional][len(positional) - len(a.defaults):], a.defaults))
    defaults.update({x.arg: d for x, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    for arg in (*positional, *a.kwonlyargs):
        if counts.get(arg.arg) or arg.arg in ("self", "cls"):
            continue
        kind = main_type(arg.annotation, resolve) if arg.annotation is not None else None
        if kind is None:
            marker = call_marker(defaults.get(arg.arg), resolve) if arg.arg in defaults else None
            kind = marker.get("dependency") if marker is not None and not marker.get("called") else None
        if kind and "." in kind:
            known[arg.arg] = kind
    for node in walk_function(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and counts.get(node.targets[0].id) == 1:
            made = _LITERAL_CLASSES.get(node.value.__class__) or _made_class(node.value, resolve, bound)
            if made:
                known[node.targets[0].id] = made
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                var = item.optional_vars
                if isinstance(var, ast.Name) and counts.get(var.id) == 1:
                    made = _made_class(item.context_expr, resolve, bound)
                    if made:
                        # ``async with AccountService() as service``: what the class's ``__aenter__`` gives (read at
                        # project level, ``knowledge.context_managers``: the instance when it returns ``self``)
                        known[var.id] = f"{made}.{ENTER_METHODS[isinstance(node, ast.AsyncWith)]}()"

    def direct(expr: ast.expr) -> Optional[str]:
        if isinstance(expr, ast.Name):
            return known.get(expr.id)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
            return held.get(expr.attr)
        return _made_class(expr, resolve, bound)

    def typed(expr: ast.expr) -> Optional[str]:
        found = direct(expr)
        if found is not None:
            return found
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "super" and "super" not in bound:
            return SELF_RECEIVER  # ``super().update()``: a method of the class's own line
        root, queried = expr, False
        while isinstance(root, (ast.Call, ast.Attribute, ast.Subscript, ast.Await)):
            if isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute) and root.func.attr in _QUERY_METHODS:
                queried = True
            root = root.func if isinstance(root, ast.Call) else root.value
            found = direct(root)
            if found is not None:
                return f"{found}()"
        return QUERY_RESULT if queried else None

    return typed, bound


# the method ``with`` / ``async with`` calls for the value ``as`` binds (``ENTER_METHODS[is_async]``)
ENTER_METHODS = ("__enter__", "__aenter__")
PLAIN_CALL = "<call>"  # a plain call of a name the module binds (not a method of a local)
SELF_RECEIVER = "<self>"  # ``super()``: read as ``self`` by ``knowledge.auth.reach``
QUERY_RESULT = "sqlalchemy.orm.Query()"  # what an ORM query chain gives (``db.query(M).filter(...)``)
# methods that make a chain of calls an ORM query (``db.query(M).filter(...).update(values)``) whatever its root
_QUERY_METHODS = frozenset({"query", "filter", "filter_by", "where", "order_by", "scalars", "execute"})

# a local bound to a literal holds an instance of the builtin (``data = {}``: ``data.update(...)`` is the dict's)
_LITERAL_CLASSES = {
    ast.Dict: "builtins.dict", ast.DictComp: "builtins.dict", ast.List: "builtins.list", ast.ListComp: "builtins.list",
    ast.Set: "builtins.set", ast.SetComp: "builtins.set", ast.JoinedStr: "builtins.str",
}


def _made_class(expr: ast.expr, resolve: Resolve, bound: set[str]) -> Optional[str]:
    """``Class(...)`` (a dotted name the module binds, not a name the function binds): that name, else ``None``."""
    if not isinstance(expr, ast.Call):
        return None
    head = expr.func
    while isinstance(head, ast.Attribute):
        head = head.value
    if not isinstance(head, ast.Name) or head.id in bound or head.id in ("self", "cls"):
        return None
    q = resolve(expr.func)
    return q if q and "." in q else None


_REACH_KEYS = frozenset({"calls_out", "name_calls", "refs_out", "receivers", "plain_calls", "task", "background_out", "routes_inside"})


# Decorator methods that make a function a request handler (``@router.get("/x")``, ``@app.api_route(...)``)
ROUTE_DECORATORS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket", "route"})
_BUILTINS = frozenset(dir(builtins))


def _route_facts(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Optional[Resolve] = None) -> dict[str, Any]:
    """``route``: the function is a request handler (a decorator ``<x>.get(...)`` / ``.post(...)`` / ...);
    ``route_wrapper``: the decorator is a project wrapper handed the router's method
    (``@protected_route(router.get, "/x", [...])``, ``wrapped_route``), its resolved name: a request handler
    when the wrapper registers what it is given (``registers``, read by ``knowledge.fastapi.index_route``);
    ``admin_gate``: its body opens with an admin check on one of its parameters (``require_admin(user)``,
    ``if not user.is_superuser: raise``), read by ``knowledge.auth.claim_reach``."""
    wrapper = None
    if not any(_route_decorator(d) for d in fn.decorator_list):
        wrapped = next((d for d in fn.decorator_list if wrapped_route(d)), None)
        if wrapped is not None:
            wrapper = (resolve(wrapped.func) if resolve is not None else None) or _unparse_name(wrapped.func)  # type: ignore[attr-defined]
    if wrapper is None and not any(_route_decorator(d) for d in fn.decorator_list):
        if any(
            (d.func if d.__class__ is ast.Call else d).__class__ is ast.Attribute and (d.func if d.__class__ is ast.Call else d).attr == "tool"  # type: ignore[attr-defined]
            for d in fn.decorator_list
        ):
            return {"tool": True}  # ``@mcp.tool()``: an MCP server's tool, called with the client's arguments
        return {}
    out: dict[str, Any] = {"route": True}
    if wrapper is not None:
        out["route_wrapper"] = wrapper
    decorators = _decorator_facts(fn, resolve) if resolve is not None and len(fn.decorator_list) > 1 else None
    if decorators:
        out["decorators"] = decorators
    params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    if admin_gate(fn.body, params, _path_keys(fn.decorator_list)):
        out["admin_gate"] = True
    return out


_PATH_KEY = re.compile(r"\{(\w+)")


def _path_keys(decorators: list[ast.expr]) -> frozenset[str]:
    """The path parameters of a route decorator's path (``@router.patch("/teams/{team_id}")`` -> ``team_id``)."""
    for d in decorators:
        if _route_decorator(d):
            given = [*d.args[:1], *(k.value for k in d.keywords if k.arg == "path")]  # type: ignore[attr-defined]
            return frozenset(k for g in given if g.__class__ is ast.Constant and isinstance(g.value, str) for k in _PATH_KEY.findall(g.value))  # type: ignore[attr-defined]
    return frozenset()


def admin_gate(body: list[ast.stmt], params: set[str], keys: frozenset[str] = frozenset()) -> bool:
    """A top-level statement (also in a top-level ``try``) that lets only admins through, on one of ``params``
    or a name unpacked from one (``current_user, org_id = auth``): ``require_admin(user)``, or an ``if`` that
    raises for every caller who is not an admin (``if not user.is_superuser: raise``, ``if not getattr(user,
    "is_super_admin", False):``, ``if not hasattr(user, "is_admin") or not user.is_admin:``, ``if
    user.role.name not in ["admin", "super_admin"]:``). The ``ast`` twin of ``knowledge.auth._admin_gate``.
    A check also handed one of the route's path ``keys`` (``require_team_admin(db, team_id, user_id)``) asks
    for a role on the row that key names, not over the whole application: no gate."""
    names = set(params) - keys
    stmts = list(body)
    while stmts:
        stmt = stmts.pop(0)
        if stmt.__class__ is ast.Try:
            stmts[:0] = list(stmt.body)  # type: ignore[attr-defined]
            continue
        if stmt.__class__ is ast.Assign and stmt.value.__class__ is ast.Name and stmt.value.id in names:  # type: ignore[attr-defined]
            for target in stmt.targets:  # type: ignore[attr-defined]
                for e in (target.elts if target.__class__ in (ast.Tuple, ast.List) else [target]):
                    if e.__class__ is ast.Name:
                        names.add(e.id)
            continue
        value = stmt.value if stmt.__class__ is ast.Expr else None  # type: ignore[attr-defined]
        if value.__class__ is ast.Await:
            value = value.value  # type: ignore[union-attr]
        if value.__class__ is ast.Call:
            func = value.func  # type: ignore[union-attr]
            name = (func.attr if func.__class__ is ast.Attribute else getattr(func, "id", "")).lower()
            if any(w in name for w in _ADMIN_WORDS) and any(a.__class__ is ast.Name and a.id in names for a in value.args) and not any(  # type: ignore[union-attr, attr-defined]
                a.__class__ is ast.Name and a.id in keys for a in (*value.args, *(k.value for k in value.keywords))  # type: ignore[union-attr, attr-defined]
            ):
                return True
        elif stmt.__class__ is ast.If and not stmt.orelse and _refuses_non_admins(stmt.test, names):  # type: ignore[attr-defined]
            if stmt.body and stmt.body[-1].__class__ is ast.Raise:  # type: ignore[attr-defined]
                return True
    return False


def _refuses_non_admins(test: ast.expr, names: set[str]) -> bool:
    if test.__class__ is ast.BoolOp and test.op.__class__ is ast.Or:  # type: ignore[attr-defined]
        return any(_refuses_non_admins(v, names) for v in test.values)  # type: ignore[attr-defined]
    if test.__class__ is ast.UnaryOp and test.op.__class__ is ast.Not:  # type: ignore[attr-defined]
        return _admin_only_test(test.operand, names)  # type: ignore[attr-defined]
    if test.__class__ is ast.Compare and len(test.ops) == 1 and test.ops[0].__class__ in (ast.NotIn, ast.NotEq):  # type: ignore[attr-defined]
        return _on_names(test.left, names) and _admin_values(test.comparators[0])  # type: ignore[attr-defined]
    return False


def _admin_only_test(test: ast.expr, names: set[str]) -> bool:
    if test.__class__ is ast.BoolOp and test.op.__class__ is ast.And:  # type: ignore[attr-defined]
        return any(_admin_only_test(v, names) for v in test.values)  # type: ignore[attr-defined]
    if test.__class__ is ast.Await:
        test = test.value  # type: ignore[attr-defined]
    if test.__class__ is ast.Attribute:
        return _on_names(test.value, names) and any(w in test.attr.lower() for w in _ADMIN_ATTRIBUTE_WORDS)  # type: ignore[attr-defined]
    if test.__class__ is ast.Subscript:  # ``claims["is_admin"]``: a claim of a dict principal
        key = test.slice  # type: ignore[attr-defined]
        return key.__class__ is ast.Constant and isinstance(key.value, str) and _on_names(test.value, names) and any(  # type: ignore[attr-defined]
            w in key.value.lower() for w in _ADMIN_ATTRIBUTE_WORDS  # type: ignore[attr-defined]
        )
    if test.__class__ is ast.Call:
        func = test.func  # type: ignore[attr-defined]
        name = func.attr if func.__class__ is ast.Attribute else getattr(func, "id", "")
        args = test.args  # type: ignore[attr-defined]
        if name in ("getattr", "hasattr") and len(args) >= 2 and args[1].__class__ is ast.Constant and isinstance(args[1].value, str):
            return _on_names(args[0], names) and any(w in args[1].value.lower() for w in _ADMIN_ATTRIBUTE_WORDS)
        if name == "get" and func.__class__ is ast.Attribute and args and args[0].__class__ is ast.Constant and isinstance(args[0].value, str):
            return _on_names(func.value, names) and any(w in args[0].value.lower() for w in _ADMIN_ATTRIBUTE_WORDS)  # type: ignore[attr-defined]
        if not any(w in name.lower() for w in _ADMIN_WORDS):
            return False
        if func.__class__ is ast.Attribute and not _on_names(func.value, names):  # type: ignore[attr-defined]
            return False
        on = [a for a in args if _on_names(a, names)]
        return (bool(on) or func.__class__ is ast.Attribute) and all(_on_names(a, names) or a.__class__ is ast.Constant for a in args)
    if test.__class__ is ast.Compare and len(test.ops) == 1 and test.ops[0].__class__ in (ast.In, ast.Eq):  # type: ignore[attr-defined]
        return _on_names(test.left, names) and _admin_values(test.comparators[0])  # type: ignore[attr-defined]
    return False


def _on_names(node: ast.expr, names: set[str]) -> bool:
    while node.__class__ is ast.Attribute:
        node = node.value  # type: ignore[attr-defined]
    return node.__class__ is ast.Name and node.id in names  # type: ignore[attr-defined]


def _admin_values(node: ast.expr) -> bool:
    items = node.elts if node.__class__ in (ast.List, ast.Tuple, ast.Set) else [node]  # type: ignore[attr-defined]
    texts: list[str] = []
    for item in items:
        if item.__class__ is ast.Constant and isinstance(item.value, str):  # type: ignore[attr-defined]
            texts.append(item.value)  # type: ignore[attr-defined]
        elif item.__class__ is ast.Attribute:
            texts.append(item.attr)  # type: ignore[attr-defined]
        else:
            return False
    return staff_role_list(texts)


_ADMIN_ATTRIBUTE_WORDS = ("superuser", "admin", "staff")
# roles held by the operator's own staff rather than by a tenant's members: a government regulator's users,
# staff / employees / internal users, the reviewing analysts and directors of a regulator (lcfs's IDIR roles),
# the auditors and dispatchers of a service company (hold-out 38's housing: ``[ADMIN, DISPATCHER, AUDITOR]``)
STAFF_ROLE = re.compile(r"(?:^|[^a-z])(?:government|gov|staff|employee|internal|analyst|director|audit|dispatch)")


def staff_role_list(texts: list[str]) -> bool:
    """The roles a test of the caller's role admits (``"admin"``, ``UserRole.DISPATCHER``'s ``DISPATCHER``) are
    the operator's staff: one is an administrator's (``admin`` / ``superuser`` in its spelling) and every other
    an administrator's or a staff role (``STAFF_ROLE``): ``[ADMIN, DISPATCHER, AUDITOR]`` lets only staff
    through, as ``!= ADMIN`` does; ``["admin", "teacher"]``, ``("owner", "admin")`` and ``[DISPATCHER]`` alone
    do not make an administrators' test."""
    lowered = [t.lower() for t in texts]
    admins = [any(w in t for w in _ADMIN_WORDS) for t in lowered]
    return any(admins) and all(a or STAFF_ROLE.search(t) for a, t in zip(admins, lowered))


def _route_decorator(d: ast.expr) -> bool:
    """``@router.get("/x")``, ``@app.api_route(...)``, ``@get("/x")``; not ``@mock.patch("pkg.name")``: a
    path given as a string starts with ``/`` (or is empty)."""
    if d.__class__ is not ast.Call:
        return False
    func = d.func  # type: ignore[attr-defined]
    if func.__class__ is ast.Attribute:
        name = func.attr
    elif func.__class__ is ast.Name:
        name = func.id
    else:
        return False
    if name not in ROUTE_DECORATORS:
        return False
    args = d.args  # type: ignore[attr-defined]
    if args:
        first = args[0]
        if first.__class__ is ast.Constant and isinstance(first.value, str):
            return first.value[:1] in ("/", "")
        return func.__class__ is ast.Attribute and name != "patch"
    return True


# Starlette's middleware that authenticates every request with the app's backend and sets ``request.user``
AUTH_MIDDLEWARES = frozenset({"starlette.middleware.authentication.AuthenticationMiddleware", "fastapi.middleware.authentication.AuthenticationMiddleware"})


# The methods of a router that a wrapper is handed (``@protected_route(router.get, "/x", [...])``)
WRAPPED_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"})


def wrapped_route(d: ast.expr) -> bool:
    """``@wrapper(<x>.get, "/path", ...)``: a decorator factory handed a router's method and then a route path
    (a string starting with ``/``, or empty). Whether the wrapper registers the route is read from its body
    (``registers``)."""
    if d.__class__ is not ast.Call or len(d.args) < 2:  # type: ignore[attr-defined]
        return False
    first, second = d.args[0], d.args[1]  # type: ignore[attr-defined]
    return (
        first.__class__ is ast.Attribute and first.attr in WRAPPED_METHODS  # type: ignore[attr-defined]
        and second.__class__ is ast.Constant and isinstance(second.value, str) and second.value[:1] in ("/", "")  # type: ignore[attr-defined]
    )


def _unparse_name(node: ast.expr) -> Optional[str]:
    parts: list[str] = []
    while node.__class__ is ast.Attribute:
        parts.append(node.attr)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    if node.__class__ is not ast.Name:
        return None
    return ".".join([node.id, *reversed(parts)])  # type: ignore[attr-defined]


def _registers(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[dict[str, Any]]:
    """A route-registering wrapper: somewhere in its body (its nested decorator included) it calls one of its
    parameters and applies the result to a function, ``method(path, dependencies=[...], **kw)(fn)``, as
    FastAPI's ``router.get(path, ...)(fn)`` does. ``{"method": index of that parameter, "path": index of the
    parameter handed on as the path (or None), "dependencies": [markers of its ``dependencies=[...]``]}``."""
    names = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    if len(names) < 2 or not fn.body:
        return None
    for node in walk_kinds(fn).get(ast.Call, ()):  # (the walk every extractor shares, its calls; nested functions included)
        inner = node.func  # type: ignore[attr-defined]
        if inner.__class__ is not ast.Call or inner.func.__class__ is not ast.Name or inner.func.id not in names:  # type: ignore[attr-defined]
            continue
        if len(node.args) != 1:  # type: ignore[attr-defined]
            continue
        path = None
        first = inner.args[0] if inner.args else next((k.value for k in inner.keywords if k.arg == "path"), None)  # type: ignore[attr-defined]
        if first is not None and first.__class__ is ast.Name and first.id in names:  # type: ignore[attr-defined]
            path = names.index(first.id)  # type: ignore[attr-defined]
        deps: list[dict[str, Any]] = []
        for k in inner.keywords:  # type: ignore[attr-defined]
            if k.arg == "dependencies" and isinstance(k.value, (ast.List, ast.Tuple)):
                for el in k.value.elts:
                    found = call_marker(el, resolve)
                    if found is not None:
                        deps.append(found)
        return {"method": names.index(inner.func.id), "path": path, "dependencies": deps}  # type: ignore[attr-defined]
    return None


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in walk(node) if n.__class__ is ast.Name}  # type: ignore[attr-defined]


def _direct_defs(body: list[ast.stmt]) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [s for s in body if s.__class__ is ast.FunctionDef or s.__class__ is ast.AsyncFunctionDef]  # type: ignore[misc]


def _passes_caller(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[dict[str, Any]]:
    """A decorator, or a decorator factory, that hands the view it wraps a caller it looked up itself (Flask's
    ``@require_auth(scopes=[...], role=UserRole.ADMIN)`` / ``@login_required``): a function nested in ``fn`` calls
    the decorated function (a parameter of ``fn``, or of a function nested in it) with a local of its own as a
    positional argument, ``return f(auth_user, *args, **kwargs)``. ``{"position": that argument's index,
    "factory": the decorated function is a nested function's parameter (the decorator is ``fn(...)``, called),
    "sources": the calls the local's value comes from (through the locals it is computed from: ``resp =
    User.decode_auth_token(token)``, ``auth_user = User.query.filter_by(id=resp).first()``), "gates": {parameter
    of ``fn``: its position among the positional parameters, ``self`` excluded, or None} for the parameters
    compared with the local in a test that exits (``if role and auth_user.role < role.value: return
    Forbidden()``)}``. ``knowledge.auth.caller_decorator`` decides from the sources whether the local is the
    authenticated caller. ``None`` for anything else."""
    outer = _direct_defs(fn.body)
    if not outer:
        return None
    chain: list[tuple[ast.AST, ast.FunctionDef | ast.AsyncFunctionDef]] = [(fn, d) for d in outer]
    depth = 0
    while chain and depth < 3:
        depth += 1
        nxt: list[tuple[ast.AST, ast.FunctionDef | ast.AsyncFunctionDef]] = []
        for holder, inner in chain:
            args = holder.args  # type: ignore[attr-defined]
            wrapped = {a.arg for a in (*args.posonlyargs, *args.args)} - {"self", "cls"}
            found = _calls_wrapped(inner, wrapped) if wrapped else None
            if found is not None:
                position, local = found
                return {
                    "position": position,
                    "factory": holder is not fn,
                    "sources": _local_sources(inner, local, resolve),
                    "gates": _caller_gates(fn, inner, local),
                }
            nxt.extend((inner, d) for d in _direct_defs(inner.body))
        chain = nxt
    return None


def _checks_kwargs(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[dict[str, Any]]:
    """A decorator (or factory) that checks the view's keyword arguments itself (openrelik's
    ``@require_access(allowed_roles=[...])``): a function nested in ``fn`` takes ``**kwargs`` and calls the
    decorated function (a parameter of ``fn`` or of a function nested in it) with ``**kwargs``; it, or a nested
    function it hands ``kwargs`` to (``_check_access(kwargs)``), reads keys off them (``folder_id =
    kwargs.get("folder_id")``, ``kwargs["file_id"]``) and hands a value made from one key (the key itself, or
    a row looked up by it: ``folder = db.get(Folder, folder_id)``) together with a value of another key
    (``current_user``) to a call that decides: tested by an ``if`` whose body ends in ``raise`` / ``return``
    or in a call (``raise_authorization_error(...)``, named in ``exit``), or called alone (it raises).
    ``{key: [{"check": the call's target, "with": [the other keys handed with it], "exit": "raise" |
    "return" | a target | None (called alone)}]}``; ``knowledge.auth.kwargs_access_checks`` decides whether
    the call is an authorisation helper and the other key the caller. ``None`` for anything else."""
    nested = [n for n in walk_function(fn) if n is not fn and n.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef)]
    if not nested:
        return None
    wrapped = {a.arg for d in (fn, *nested) for a in (*d.args.posonlyargs, *d.args.args)} - {"self", "cls"}  # type: ignore[attr-defined]
    holders: dict[int, tuple[Any, set[str]]] = {}
    for d in nested:
        kw = d.args.kwarg  # type: ignore[attr-defined]
        if kw is None:
            continue
        for node in ast.walk(d):
            if (
                node.__class__ is ast.Call and node.func.__class__ is ast.Name and node.func.id in wrapped  # type: ignore[attr-defined]
                and any(k.arg is None and k.value.__class__ is ast.Name and k.value.id == kw.arg for k in node.keywords)  # type: ignore[attr-defined]
            ):
                holders[id(d)] = (d, {kw.arg})
                break
    if not holders:
        return None
    by_name = {d.name: d for d in nested}  # type: ignore[attr-defined]
    for d, names in list(holders.values()):  # ``_check_access(kwargs)``: the helper's parameter holds them too
        for node in ast.walk(d):
            if node.__class__ is ast.Call and node.func.__class__ is ast.Name and node.func.id in by_name:  # type: ignore[attr-defined]
                g = by_name[node.func.id]  # type: ignore[attr-defined]
                gparams = [a.arg for a in (*g.args.posonlyargs, *g.args.args)]
                for i, a in enumerate(node.args):  # type: ignore[attr-defined]
                    if a.__class__ is ast.Name and a.id in names and i < len(gparams):  # type: ignore[attr-defined]
                        holders.setdefault(id(g), (g, set()))[1].add(gparams[i])
    out: dict[str, Any] = {}
    inline: list[str] = []
    for d, names in holders.values():
        _kwargs_checks_in(d, names, resolve, out)
        before = sum(len(v) for v in out.values())
        _inline_kwargs_checks(d, names, wrapped, resolve, out)
        if sum(len(v) for v in out.values()) > before:
            inline.append(d.name)  # (the wrapper that decides with the global caller: ``knowledge.auth``)
    gates = _factory_gates(fn, [d for d, _ in holders.values()])
    if gates:
        out = {"keys": out, "gates": gates} if out else {"gates": gates}
    elif out:
        out = {"keys": out}
    if inline and out:
        out["inline_wrappers"] = sorted(set(inline))
    return out or None


def _factory_gates(fn: Any, wrappers: list[Any]) -> dict[str, int]:
    """Parameters of the decorator factory ``fn`` that a wrapper hands to a call whose verdict stops the view
    (``granted = await check_permission(user, permission, ...)``, ``if not granted: raise HTTPException(403)``;
    or the call is tested by the exiting ``if`` itself): ``{parameter: its position}``."""
    positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args) if a.arg not in ("self", "cls")]
    params = set(positional) | {a.arg for a in fn.args.kwonlyargs}
    out: dict[str, int] = {}
    for w in wrappers:
        verdicts: dict[str, set[str]] = {}  # local -> the factory parameters handed to the call it holds
        tested: list[tuple[Any, set[str]]] = []
        for node in ast.walk(w):
            if node.__class__ is ast.Assign and len(node.targets) == 1 and node.targets[0].__class__ is ast.Name:  # type: ignore[attr-defined]
                value = node.value.value if node.value.__class__ is ast.Await else node.value  # type: ignore[attr-defined]
                if value.__class__ is ast.Call:
                    handed = {a.id for a in (*value.args, *(k.value for k in value.keywords)) if a.__class__ is ast.Name} & params  # type: ignore[attr-defined]
                    if handed:
                        verdicts[node.targets[0].id] = handed  # type: ignore[attr-defined]
            elif node.__class__ is ast.If and node.body and node.body[-1].__class__ in (ast.Raise, ast.Return):  # type: ignore[attr-defined]
                found: set[str] = set()
                for sub in ast.walk(node.test):  # type: ignore[attr-defined]
                    if sub.__class__ is ast.Name and sub.id in verdicts:  # type: ignore[attr-defined]
                        found |= verdicts[sub.id]  # type: ignore[attr-defined]
                    elif sub.__class__ is ast.Call:
                        found |= {a.id for a in (*sub.args, *(k.value for k in sub.keywords)) if a.__class__ is ast.Name} & params  # type: ignore[attr-defined]
                tested.append((node, found))
        for _node, found in tested:
            for p in sorted(found):  # (a set: in order, so that the facts do not depend on the hash seed)
                out[p] = positional.index(p) if p in positional else -1
    return out


# The Apache License's header ("...the specific language governing permissions and limitations under the License"):
# a comment or docstring in most of Airflow's and Superset's modules
_LICENSE_PERMISSIONS = "permissions and limitations"


def _spells_permissions() -> bool:
    """Whether the module's text spells ``permissions`` other than in the Apache License's header: a role's
    permission list (``"permissions": [...]``, ``permissions=[...]``) spells it followed by a quote or ``=``,
    never by `` and limitations``. 1,843 of the default bench group's 1,924 modules that spell the word spell it
    only there, and ``_permission_lists`` walks the whole tree."""
    text = module_text()
    if text is None:
        return True
    return text.count("permissions") > text.count(_LICENSE_PERMISSIONS)


def _permission_lists(tree: ast.Module) -> list[list[str]]:
    """Literal lists of strings given as a role's permissions (``{"name": "viewer", "permissions": ["tools.read",
    ...]}``, ``Role(permissions=["*"])``): what each role is granted (``knowledge.auth.wildcard_only``)."""
    out: list[list[str]] = []

    def strings(value: Any) -> Optional[list[str]]:
        if value.__class__ not in (ast.List, ast.Tuple, ast.Set) or not value.elts:
            return None
        found = [e.value for e in value.elts if e.__class__ is ast.Constant and isinstance(e.value, str)]
        return found if len(found) == len(value.elts) else None

    for node in walk(tree):
        if node.__class__ is ast.Dict:
            for k, v in zip(node.keys, node.values):  # type: ignore[attr-defined]
                if k is not None and k.__class__ is ast.Constant and k.value == "permissions":
                    found = strings(v)
                    if found is not None:
                        out.append(found)
        elif node.__class__ is ast.Call:
            for k in node.keywords:  # type: ignore[attr-defined]
                if k.arg == "permissions":
                    found = strings(k.value)
                    if found is not None:
                        out.append(found)
    return out


def _kwarg_key(node: ast.AST, names: set[str]) -> Optional[str]:
    """``kwargs.get("folder_id")`` / ``kwargs["folder_id"]`` with ``kwargs`` among ``names``: the key."""
    if node.__class__ is ast.Subscript:
        base, key = node.value, node.slice  # type: ignore[attr-defined]
    elif node.__class__ is ast.Call and node.func.__class__ is ast.Attribute and node.func.attr == "get" and node.args:  # type: ignore[attr-defined]
        base, key = node.func.value, node.args[0]  # type: ignore[attr-defined]
    else:
        return None
    if base.__class__ is ast.Name and base.id in names and key.__class__ is ast.Constant and isinstance(key.value, str):  # type: ignore[attr-defined]
        return key.value  # type: ignore[attr-defined]
    return None


def _keys_in(expr: ast.AST, names: set[str], keyed: dict[str, str]) -> set[str]:
    """The keys an argument is made from: read off ``kwargs`` (``int(kwargs.get("folder_id"))``) or held in a
    local made from one."""
    out: set[str] = set()
    for node in ast.walk(expr):
        read = _kwarg_key(node, names)
        if read is not None:
            out.add(read)
        elif node.__class__ is ast.Name and node.id in keyed:  # type: ignore[attr-defined]
            out.add(keyed[node.id])  # type: ignore[attr-defined]
    return out


def _kwargs_checks_in(d: Any, names: set[str], resolve: Resolve, out: dict[str, list[dict[str, Any]]]) -> None:
    keyed: dict[str, str] = {}  # local -> the key its value comes from (the key read, or a row looked up by it)
    assigns = sorted(
        (n for n in ast.walk(d) if n.__class__ is ast.Assign and len(n.targets) == 1 and n.targets[0].__class__ is ast.Name),  # type: ignore[attr-defined]
        key=lambda n: (n.lineno, n.col_offset),
    )
    for n in assigns:
        target, value = n.targets[0].id, n.value  # type: ignore[attr-defined]
        key = _kwarg_key(value, names)
        if key is None and value.__class__ is ast.Call:
            keys = set()
            for a in (*value.args, *(k.value for k in value.keywords)):  # type: ignore[attr-defined]
                keys |= _keys_in(a, names, keyed)
            key = keys.pop() if len(keys) == 1 else None  # ``int(folder_id)``, ``db.get(Folder, folder_id)``
        if key is not None:
            keyed[target] = key
        else:
            keyed.pop(target, None)
    if not keyed:
        return

    def keys_of(call: ast.Call) -> list[str]:
        found: list[str] = []
        for a in (*call.args, *(k.value for k in call.keywords)):
            for key in sorted(_keys_in(a, names, keyed)):
                if key not in found:
                    found.append(key)
        return found

    def record(call: ast.Call, exit_: Optional[str]) -> None:
        keys = keys_of(call)
        if len(keys) < 2:
            return
        target = resolve(call.func) or _unparse_name(call.func)
        if not target:
            return
        for k in keys:
            out.setdefault(k, []).append({"check": target, "with": [o for o in keys if o != k], "exit": exit_})

    for node in ast.walk(d):
        if node.__class__ is ast.If and node.body:  # type: ignore[attr-defined]
            last = node.body[-1]  # type: ignore[attr-defined]
            if last.__class__ is ast.Raise:
                exit_: Optional[str] = "raise"
            elif last.__class__ is ast.Return:
                exit_ = "return"
            elif last.__class__ is ast.Expr and last.value.__class__ is ast.Call:  # type: ignore[attr-defined]
                exit_ = resolve(last.value.func) or _unparse_name(last.value.func)  # type: ignore[attr-defined]
            else:
                continue
            for sub in ast.walk(node.test):  # type: ignore[attr-defined]
                if sub.__class__ is ast.Call:
                    record(sub, exit_)  # type: ignore[arg-type]
        elif node.__class__ is ast.Expr and node.value.__class__ is ast.Call:  # type: ignore[attr-defined]
            record(node.value, None)  # type: ignore[attr-defined]
# the globals that hold the caller of a Flask view (``knowledge.flask.GLOBAL_PRINCIPALS``; the index may not import
# knowledge), and the marker ``checks_kwargs`` records for them
_GLOBAL_CALLERS = frozenset(
    {
        "flask_login.current_user", "flask_login.utils.current_user", "flask_jwt_extended.current_user",
        "flask_jwt_extended.utils.current_user", "flask_security.current_user",
    }
)
GLOBAL_CALLER_MARK = "<caller>"
INLINE_CHECK = "<inline>"


def _global_caller(node: ast.AST, resolve: Resolve) -> bool:
    """``current_user`` (Flask-Login, flask-jwt-extended, Flask-Security) or an attribute of ``flask.g``."""
    if node.__class__ is ast.Name:
        return (resolve(node) or "") in _GLOBAL_CALLERS
    return node.__class__ is ast.Attribute and _flask_g(node.value, resolve)  # type: ignore[attr-defined]


def _denies(stmt: ast.stmt, wrapped: set[str]) -> Optional[str]:
    """How the last statement of an ``if`` body stops the view, or ``None``: ``raise``, ``abort(403)`` (a
    ``429`` is a rate limit, not an access decision), or a ``return`` of anything but the wrapped view's call."""
    if stmt.__class__ is ast.Raise:
        return "raise"
    value = stmt.value if stmt.__class__ in (ast.Return, ast.Expr) else None  # type: ignore[attr-defined]
    if value is not None and value.__class__ is ast.Call:
        func = value.func  # type: ignore[attr-defined]
        name = func.attr if func.__class__ is ast.Attribute else getattr(func, "id", "")
        if name in wrapped:
            return None  # ``if current_user.is_admin: return f(*args, **kwargs)``: lets it through
        if name == "abort":
            code = value.args[0] if value.args else None  # type: ignore[attr-defined]
            if code is not None and code.__class__ is ast.Constant and code.value not in (401, 403, 404):  # type: ignore[attr-defined]
                return None
            return "raise"
    if stmt.__class__ is ast.Return:
        return "return"
    return None


def _inline_kwargs_checks(d: Any, names: set[str], wrapped: set[str], resolve: Resolve, out: dict[str, list[dict[str, Any]]]) -> None:
    """A Flask decorator's wrapper that decides on a key of the view's keyword arguments itself, with the global
    caller (MOSP's ``@check_collection_edit_permission``: ``obj = Collection.query.filter(Collection.id ==
    kwargs.get("collection_id")).first()``, ``if obj.creator_id != current_user.id: return abort(403)``; or the
    caller inside the lookup: ``.filter(Model.organization.has(Organization.id.in_(... current_user ...)))``,
    ``if not obj.first(): return abort(403)``; or ``if not current_user.is_member(schema.org_id): abort(403)``):
    an ``if`` whose body ends in a denial (``_denies``) and whose test reads a value made from one key (the key
    itself or a row looked up by it) and the caller (in the test, or in the lookup the test reads). Recorded as
    ``{key: [{"check": INLINE_CHECK, "with": [GLOBAL_CALLER_MARK], "exit": ...}]}``."""
    keyed: dict[str, str] = {}
    callered: set[str] = set()
    assigns = sorted(
        (n for n in ast.walk(d) if n.__class__ is ast.Assign and len(n.targets) == 1 and n.targets[0].__class__ is ast.Name),  # type: ignore[attr-defined]
        key=lambda n: (n.lineno, n.col_offset),
    )
    for n in assigns:
        target, value = n.targets[0].id, n.value  # type: ignore[attr-defined]
        keys = _keys_in(value, names, keyed)
        if len(keys) == 1:
            keyed[target] = keys.pop()
        else:
            keyed.pop(target, None)
        if any(_global_caller(x, resolve) or (x.__class__ is ast.Name and x.id in callered) for x in ast.walk(value)):  # type: ignore[attr-defined]
            callered.add(target)
        else:
            callered.discard(target)
    for node in ast.walk(d):
        if node.__class__ is not ast.If or not node.body:  # type: ignore[attr-defined]
            continue
        exit_ = _denies(node.body[-1], wrapped)  # type: ignore[attr-defined]
        if exit_ is None:
            continue
        keys = _keys_in(node.test, names, keyed)  # type: ignore[attr-defined]
        if len(keys) != 1:
            continue
        caller = any(
            _global_caller(x, resolve) or (x.__class__ is ast.Name and x.id in callered)  # type: ignore[attr-defined]
            for x in ast.walk(node.test)  # type: ignore[attr-defined]
        )
        if caller:
            entry = {"check": INLINE_CHECK, "with": [GLOBAL_CALLER_MARK], "exit": exit_}
            found = out.setdefault(keys.pop(), [])
            if entry not in found:
                found.append(entry)


# Flask: calls that authenticate the request (flask-jwt-extended, Flask-Login, Flask-Security, a decode or a
# verification of a token or session) and the attributes of the authenticated user that say whether one is there
_FLASK_AUTH_CALLS = frozenset(
    {
        "verify_jwt_in_request", "get_jwt_identity", "get_jwt", "get_current_user", "jwt_required", "login_required",
        "fresh_login_required", "auth_required", "token_required", "decode_token",
    }
)
_AUTH_VERB = ("verify", "decode", "validate", "authenticate")
_AUTH_OBJECT = ("token", "jwt", "session", "auth", "credential", "password", "api_key", "apikey")
_AUTHENTICATED_FLAGS = frozenset({"is_authenticated", "is_anonymous", "is_active"})


def _authenticating_call(name: str) -> bool:
    low = name.lower()
    return name in _FLASK_AUTH_CALLS or (low.startswith(_AUTH_VERB) and any(w in low for w in _AUTH_OBJECT))


def _flask_g(node: ast.AST, resolve: Resolve) -> bool:
    return node.__class__ is ast.Name and (resolve(node) or "") in ("flask.g", "flask.globals.g")  # type: ignore[attr-defined]


def _flask_auth(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[dict[str, Any]]:
    """A Flask decorator (or decorator factory) or request hook that authenticates the request: its body, or a
    function nested in it, calls what authenticates (``verify_jwt_in_request()``, ``get_jwt_identity()``,
    ``User.verify_session_token(token)``, a ``decode``/``verify`` of a token or session), hands the wrapper to
    ``jwt_required()`` / ``login_required``, reads ``current_user.is_authenticated``, or tests an attribute of
    ``flask.g`` and exits (``if not g.auth_user: raise Unauthorized()``). ``{"why": the call or test,
    "g": the ``flask.g`` attributes it binds to a name or a call's value (``g.user = user``, the caller it
    found), "wraps": it calls a function parameter of itself or of an enclosing level (a decorator),
    "factory": that parameter belongs to a nested level (the decorator is ``fn(...)``), "hook": decorated
    ``@<app or blueprint>.before_request`` / ``before_app_request``}``, or ``None``."""
    why: Optional[str] = None
    g_attrs: set[str] = set()
    injected: set[str] = set()
    nodes = walk_function(fn)
    for n in nodes:
        kind = n.__class__
        if kind is ast.Call:
            func = n.func
            name = func.attr if func.__class__ is ast.Attribute else (func.id if func.__class__ is ast.Name else "")
            if why is None and name and _authenticating_call(name):
                why = f"calls `{name}()`"
        elif kind is ast.Attribute and n.attr in _AUTHENTICATED_FLAGS and why is None:
            why = f"reads `{n.attr}`"
        elif kind is ast.If and why is None and n.body and exit_statement(n.body[-1]):
            for t in ast.walk(n.test):
                if t.__class__ is ast.Attribute and _flask_g(t.value, resolve):
                    why = f"tests `g.{t.attr}` and exits"
                    break
            else:
                if _refuses_unauthenticated(n.body[-1]):
                    why = "refuses the request with 401 (no authenticated caller)"
        if kind is ast.Call and n.func.__class__ is ast.Attribute and n.func.attr == "update" and n.func.value.__class__ is ast.Name and n.func.value.id == "kwargs":
            for a in n.args:  # ``kwargs.update({"caseid": caseid})``: the decorator hands the view that value
                if a.__class__ is ast.Dict:
                    injected.update(k.value for k in a.keys if k.__class__ is ast.Constant and isinstance(k.value, str))
        elif kind is ast.Assign:
            for t in n.targets:  # ``kwargs["caseid"] = caseid``
                if t.__class__ is ast.Subscript and t.value.__class__ is ast.Name and t.value.id == "kwargs" and t.slice.__class__ is ast.Constant and isinstance(t.slice.value, str):
                    injected.add(t.slice.value)
        if kind is ast.Assign:
            value = n.value
            if value.__class__ in (ast.Name, ast.Call) or (value.__class__ is ast.Attribute and not _flask_g(value.value, resolve)):
                for t in n.targets:
                    for el in (t.elts if t.__class__ is ast.Tuple else [t]):
                        if el.__class__ is ast.Attribute and _flask_g(el.value, resolve):
                            g_attrs.add(el.attr)
            elif value.__class__ is ast.Tuple:
                for t in n.targets:
                    for el in (t.elts if t.__class__ is ast.Tuple else [t]):
                        if el.__class__ is ast.Attribute and _flask_g(el.value, resolve):
                            g_attrs.add(el.attr)
    if why is None:
        return None
    out: dict[str, Any] = {"why": why, "g": sorted(g_attrs)}
    if injected:
        out["injects"] = sorted(injected)
    hook = any(
        (d.func if d.__class__ is ast.Call else d).__class__ is ast.Attribute
        and (d.func if d.__class__ is ast.Call else d).attr in ("before_request", "before_app_request")  # type: ignore[attr-defined]
        for d in fn.decorator_list
    )
    if hook:
        out["hook"] = True
    levels = [(fn, d) for d in _direct_defs(fn.body)]
    depth = 0
    while levels and depth < 3:
        depth += 1
        nxt = []
        for holder, inner in levels:
            args = holder.args
            wrapped = {a.arg for a in (*args.posonlyargs, *args.args)} - {"self", "cls"}
            if wrapped and any(
                c.__class__ is ast.Call and c.func.__class__ is ast.Name and c.func.id in wrapped for c in walk(inner)
            ):
                out["wraps"] = True
                if holder is not fn:
                    out["factory"] = True
                return out
            nxt.extend((inner, d) for d in _direct_defs(inner.body))
        levels = nxt
    # a hook registered by a call (``bp.before_request(load_account)``) or any function that authenticates and
    # binds the caller on ``flask.g``: its attributes are the caller's
    return out if hook or g_attrs else None


# what returns the authenticated caller of a Flask request (flask-jwt-extended, Flask-Login, Flask-Security)
_IDENTITY_CALLS = frozenset({"flask_jwt_extended.get_jwt_identity", "flask_jwt_extended.utils.get_jwt_identity"})
_PRINCIPAL_CALLS = frozenset({"flask_jwt_extended.get_current_user", "flask_jwt_extended.utils.get_current_user"})
_PRINCIPAL_GLOBALS = frozenset(
    {
        "flask_login.current_user", "flask_login.utils.current_user", "flask_jwt_extended.current_user",
        "flask_jwt_extended.utils.current_user", "flask_security.current_user",
    }
)
_CALLER_WORDS = ("get_jwt_identity", "get_current_user", "current_user")


def _returned_caller(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[str]:
    """A function or method whose every returned value is the request's authenticated caller: ``"identity"``
    for the token's identity (``return int(get_jwt_identity())``, also through a local bound to it, or
    ``current_user.id``), ``"principal"`` for the caller's object (``return current_user``, ``get_current_user()``,
    ``current_user._get_current_object()``); ``None`` otherwise (a function returning anything else on some
    path). A local bound to its call in a view holds the caller (``knowledge.flask.flask_caller``)."""
    bound: dict[str, list[ast.expr]] = {}
    returned: list[ast.expr] = []
    for n in walk_function(fn):
        if n.__class__ is ast.Assign and len(n.targets) == 1 and n.targets[0].__class__ is ast.Name:  # type: ignore[attr-defined]
            bound.setdefault(n.targets[0].id, []).append(n.value)  # type: ignore[attr-defined]
        elif n.__class__ is ast.Return:
            if n.value is None:  # type: ignore[attr-defined]
                return None
            returned.append(n.value)  # type: ignore[attr-defined]

    def kind(value: ast.expr, depth: int = 0) -> Optional[str]:
        while value.__class__ is ast.Call and value.func.__class__ is ast.Name and value.func.id in ("int", "str", "UUID") and len(value.args) == 1:  # type: ignore[attr-defined]
            value = value.args[0]  # type: ignore[attr-defined]
        if value.__class__ is ast.Name and value.id in bound and depth < 2:  # type: ignore[attr-defined]
            kinds = {kind(v, depth + 1) for v in bound[value.id]}  # type: ignore[attr-defined]
            return kinds.pop() if len(kinds) == 1 else None
        if value.__class__ is ast.Call:
            q = resolve(value.func)  # type: ignore[attr-defined]
            if q in _IDENTITY_CALLS:
                return "identity"
            if q in _PRINCIPAL_CALLS:
                return "principal"
            if value.func.__class__ is ast.Attribute and value.func.attr == "_get_current_object" and resolve(value.func.value) in _PRINCIPAL_GLOBALS:  # type: ignore[attr-defined]
                return "principal"
            return None
        if value.__class__ in (ast.Name, ast.Attribute) and resolve(value) in _PRINCIPAL_GLOBALS:
            return "principal"
        if value.__class__ is ast.Attribute and value.attr == "id" and resolve(value.value) in _PRINCIPAL_GLOBALS:  # type: ignore[attr-defined]
            return "identity"
        return None

    kinds = {kind(v) for v in returned}
    return kinds.pop() if len(kinds) == 1 and None not in kinds else None


def _dispatch_facts(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Any]:
    """A class-based view's ``dispatch_request`` override (Flask ``View``/``MethodView``, Flask-RESTful/RESTX
    ``Resource``): every HTTP method of the class and its subclasses runs through it. ``{"auth": why it
    authenticates the request before handing it on (it calls what authenticates, ``jwt_required()(lambda:
    None)()``, ``verify_jwt_in_request()``, a ``verify``/``decode`` of a token, or refuses with 401), "super": it
    hands the request on to a base's ``dispatch_request`` (``super().dispatch_request(*args, **kwargs)``)}``."""
    why: Optional[str] = None
    hands_on = False
    for n in walk_function(fn):
        kind = n.__class__
        if kind is ast.Call:
            func = n.func
            name = func.attr if func.__class__ is ast.Attribute else (func.id if func.__class__ is ast.Name else "")
            if name == "dispatch_request" and func.__class__ is ast.Attribute and func.value.__class__ is ast.Call:
                hands_on = hands_on or getattr(func.value.func, "id", None) == "super"  # type: ignore[attr-defined]
            elif why is None and name and _authenticating_call(name):
                why = f"calls `{name}()`"
        elif kind is ast.If and why is None and n.body and exit_statement(n.body[-1]) and _refuses_unauthenticated(n.body[-1]):
            why = "refuses the request with 401 (no authenticated caller)"
    out: dict[str, Any] = {"super": hands_on}
    if why is not None:
        out["auth"] = why
    return out


_UNAUTHORIZED_NAMES = frozenset({"Unauthorized", "UNAUTHORIZED", "HTTP_401_UNAUTHORIZED", "NotAuthenticated", "Unauthenticated"})


def _refuses_unauthenticated(stmt: ast.stmt) -> bool:
    """An exit that answers 401 (HTTP's "no authenticated caller"): ``return response_error("...", status=401)``,
    ``abort(401)``, ``return {...}, 401``, ``raise Unauthorized()``, ``HTTPStatus.UNAUTHORIZED``. A wrapper that
    leaves this way when its test fails refuses an anonymous request: it authenticates, whatever the test calls
    (a project function reading the session, a token store, an API key table)."""
    if stmt.__class__ is ast.Return and stmt.value.__class__ is ast.Call and _sign_in_redirect(stmt.value):  # type: ignore[attr-defined]
        return True
    for node in ast.walk(stmt):
        kind = node.__class__
        if kind is ast.Constant and node.value.__class__ is int and node.value == 401:  # type: ignore[attr-defined]
            return True
        if kind is ast.Name and node.id in _UNAUTHORIZED_NAMES:  # type: ignore[attr-defined]
            return True
        if kind is ast.Attribute and node.attr in _UNAUTHORIZED_NAMES:  # type: ignore[attr-defined]
            return True
    return False


_SIGN_IN_WORDS = ("login", "signin", "sign_in", "authenticat")


def _sign_in_redirect(call: ast.Call) -> bool:
    """``redirect(url_for("auth.login", next=request.url))``, ``redirect(not_authenticated_redirection_url(...))``:
    the browser's way of answering 401, sending the anonymous caller to sign in."""
    func = call.func
    name = func.attr if func.__class__ is ast.Attribute else getattr(func, "id", "")  # type: ignore[attr-defined]
    if name != "redirect" or not call.args:
        return False
    for node in ast.walk(call.args[0]):
        text = ""
        if node.__class__ is ast.Constant and isinstance(node.value, str):  # type: ignore[attr-defined]
            text = node.value  # type: ignore[attr-defined]
        elif node.__class__ is ast.Name:
            text = node.id  # type: ignore[attr-defined]
        elif node.__class__ is ast.Attribute:
            text = node.attr  # type: ignore[attr-defined]
        low = text.lower()
        if any(w in low for w in _SIGN_IN_WORDS) and "logout" not in low:
            return True
    return False


def exit_statement(stmt: ast.stmt) -> bool:
    """A statement that leaves the function: ``raise``, ``return``, or Flask's (werkzeug's) ``abort(401)``,
    which raises (also read by the flow extractor's permission exits)."""
    if stmt.__class__ in (ast.Raise, ast.Return):
        return True
    if stmt.__class__ is not ast.Expr or stmt.value.__class__ is not ast.Call:  # type: ignore[attr-defined]
        return False
    func = stmt.value.func  # type: ignore[attr-defined]
    return (func.attr if func.__class__ is ast.Attribute else getattr(func, "id", "")) == "abort"


def _calls_wrapped(inner: ast.FunctionDef | ast.AsyncFunctionDef, wrapped: set[str]) -> Optional[tuple[int, str]]:
    """``f(auth_user, *args, **kwargs)`` in ``inner`` with ``f`` among ``wrapped``: (position, local)."""
    own = {a.arg for a in (*inner.args.posonlyargs, *inner.args.args, *inner.args.kwonlyargs)}
    for node in walk(inner):
        if node.__class__ is not ast.Call or node.func.__class__ is not ast.Name or node.func.id not in wrapped:  # type: ignore[attr-defined]
            continue
        for i, arg in enumerate(node.args):  # type: ignore[attr-defined]
            if arg.__class__ is ast.Starred:
                break
            if arg.__class__ is ast.Name and arg.id not in own and arg.id not in wrapped:  # type: ignore[attr-defined]
                return i, arg.id  # type: ignore[attr-defined]
    return None


def _local_sources(inner: ast.FunctionDef | ast.AsyncFunctionDef, local: str, resolve: Resolve) -> list[str]:
    assigned: dict[str, list[ast.expr]] = {}
    for node in walk(inner):
        kind = node.__class__
        if kind is ast.Assign:
            for t in node.targets:  # type: ignore[attr-defined]
                for name in _names_in(t):
                    assigned.setdefault(name, []).append(node.value)  # type: ignore[attr-defined]
        elif kind is ast.AnnAssign and node.value is not None and node.target.__class__ is ast.Name:  # type: ignore[attr-defined]
            assigned.setdefault(node.target.id, []).append(node.value)  # type: ignore[attr-defined]
    sources: set[str] = set()
    seen = {local}
    todo = [local]
    while todo:
        for value in assigned.get(todo.pop(), ()):
            for node in walk(value):
                if node.__class__ is ast.Call:
                    q = resolve(node.func) or _unparse_name(node.func)  # type: ignore[attr-defined]
                    if q:
                        sources.add(q)
                elif node.__class__ is ast.Name and node.id in assigned and node.id not in seen:  # type: ignore[attr-defined]
                    seen.add(node.id)  # type: ignore[attr-defined]
                    todo.append(node.id)  # type: ignore[attr-defined]
    return sorted(sources)


def _caller_gates(fn: ast.FunctionDef | ast.AsyncFunctionDef, inner: ast.FunctionDef | ast.AsyncFunctionDef, local: str) -> dict[str, Optional[int]]:
    positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args) if a.arg not in ("self", "cls")]
    params = set(positional) | {a.arg for a in fn.args.kwonlyargs}
    out: dict[str, Optional[int]] = {}
    for node in walk(inner):
        if node.__class__ is not ast.If or not node.body or node.body[-1].__class__ not in (ast.Return, ast.Raise):  # type: ignore[attr-defined]
            continue
        for cmp in walk(node.test):  # type: ignore[attr-defined]
            if cmp.__class__ is not ast.Compare:
                continue
            sides = [_names_in(cmp.left), *(_names_in(c) for c in cmp.comparators)]  # type: ignore[attr-defined]
            if not any(local in s for s in sides):
                continue
            for s in sides:
                if local in s:
                    continue
                for p in s & params:
                    out[p] = positional.index(p) if p in positional else None
    return out


def _decorator_facts(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> list[dict[str, Any]]:
    """The decorators of a request handler other than the route's own (``@require_auth(scopes=[...],
    role=UserRole.MODERATOR)``): ``{"func", "called", "args", "kwargs"}``, read by ``knowledge.auth``."""
    out: list[dict[str, Any]] = []
    for d in fn.decorator_list:
        if _route_decorator(d):
            continue
        call = d if d.__class__ is ast.Call else None
        target = call.func if call is not None else d  # type: ignore[attr-defined]
        q = resolve(target) if target.__class__ in (ast.Name, ast.Attribute) else None
        if not q:
            continue
        entry: dict[str, Any] = {"func": q, "called": call is not None}
        if call is not None:
            entry["args"] = [ast.unparse(a)[:200] for a in call.args if a.__class__ is not ast.Starred]  # type: ignore[attr-defined]
            entry["kwargs"] = {k.arg: ast.unparse(k.value)[:200] for k in call.keywords if k.arg}  # type: ignore[attr-defined]
        out.append(entry)
    return out
def _registers_configs(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Optional[dict[str, Any]]:
    """A helper that registers routes from a list of configuration objects it is handed: it loops over one
    of its parameters (``for config in configs:``) and, in that loop, calls ``<router>.add_api_route(...)``
    (or ``<router>.api_route(path, ...)(endpoint)``) on another of its parameters with an endpoint read off
    the loop variable (``endpoint=config.endpoint``,
    or ``config.as_view()``, a method of the configuration's class). ``{"router": index of the router
    parameter, "configs": index of the list parameter, "endpoint": field read (or None), "endpoint_method":
    method called (or None), "path": field or None, "methods": field or None}``, read by
    ``knowledge.fastapi.config_routes``."""
    names = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)]
    if len(names) < 2:
        return None
    for loop in walk_kinds(fn).get(ast.For, ()):
        if loop.target.__class__ is not ast.Name or loop.iter.__class__ is not ast.Name:  # type: ignore[attr-defined]
            continue
        if loop.iter.id not in names:  # type: ignore[attr-defined]
            continue
        var = loop.target.id  # type: ignore[attr-defined]
        inner: dict[str, str] = {}  # ``for method in config.methods:``: a name bound to a field's elements

        def field(node: Optional[ast.expr]) -> Optional[str]:
            if node.__class__ is ast.Attribute and node.value.__class__ is ast.Name and node.value.id == var:  # type: ignore[union-attr]
                return node.attr  # type: ignore[union-attr]
            return None

        for node in walk(loop):
            if node.__class__ is ast.For and node.target.__class__ is ast.Name and field(node.iter) is not None:
                inner[node.target.id] = field(node.iter)  # type: ignore[assignment]
        for node in walk(loop):
            if node.__class__ is not ast.Call:
                continue
            func = node.func
            if func.__class__ is ast.Attribute and func.attr == "add_api_route":
                router = func.value
                given = {k.arg: k.value for k in node.keywords if k.arg}
                for i, key in enumerate(("path", "endpoint")):
                    if i < len(node.args):
                        given.setdefault(key, node.args[i])
            elif (
                func.__class__ is ast.Call and func.func.__class__ is ast.Attribute and func.func.attr == "api_route"
                and len(node.args) == 1 and not node.keywords
            ):
                # ``router.api_route(config.path, methods=config.methods)(config.endpoint)``
                router = func.func.value
                given = {k.arg: k.value for k in func.keywords if k.arg}
                if func.args:
                    given.setdefault("path", func.args[0])
                given["endpoint"] = node.args[0]
            else:
                continue
            if router.__class__ is not ast.Name or router.id not in names or router.id == loop.iter.id:  # type: ignore[attr-defined]
                continue
            endpoint = given.get("endpoint")
            out: dict[str, Any] = {"router": names.index(router.id), "configs": names.index(loop.iter.id)}  # type: ignore[attr-defined]
            if field(endpoint) is not None:
                out["endpoint"] = field(endpoint)
            elif endpoint.__class__ is ast.Call and not endpoint.args and field(endpoint.func) is not None:  # type: ignore[union-attr]
                out["endpoint_method"] = field(endpoint.func)  # type: ignore[union-attr]
            else:
                continue
            out["path"] = field(given.get("path"))
            methods = given.get("methods")
            if methods.__class__ in (ast.List, ast.Tuple) and len(methods.elts) == 1 and methods.elts[0].__class__ is ast.Name:  # type: ignore[union-attr]
                out["methods"] = inner.get(methods.elts[0].id)  # type: ignore[union-attr]
            else:
                out["methods"] = field(methods)
            return out
    return None


def _module_refs(tree: ast.Module, resolve: Resolve) -> list[str]:
    """The dotted names mentioned outside any function body: a function's decorators and defaults run at module
    level, its body does not (a lambda's does, when called, but its calls are recorded nowhere else)."""
    out: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        kind = node.__class__
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            todo.extend(node.decorator_list)  # type: ignore[attr-defined]
            todo.extend(node.args.defaults)  # type: ignore[attr-defined]
            todo.extend(d for d in node.args.kw_defaults if d is not None)  # type: ignore[attr-defined]
            continue
        if kind is ast.Name or (kind is ast.Attribute and node.value.__class__ is ast.Name):  # type: ignore[attr-defined]
            if node.ctx.__class__ is ast.Load:  # type: ignore[attr-defined]
                q = resolve(node)
                if q and "." in q:
                    out.add(q)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return sorted(out)


def _module_call(call: ast.Call, resolve: Resolve) -> Optional[dict[str, Any]]:
    """A module-level call of a project function handed two names or more (``register_routes(router,
    route_config, prefix="/x")``): the function, its arguments' resolved names (``None`` for another
    expression) and keywords, for ``knowledge.fastapi.config_routes``. Calls of a method (``app.include_router``)
    and calls given fewer than two names are left out."""
    if call.func.__class__ is not ast.Name:
        return None
    args = [resolve(a) if a.__class__ in (ast.Name, ast.Attribute) else None for a in call.args]
    kwargs = {k.arg: resolve(k.value) for k in call.keywords if k.arg and k.value.__class__ in (ast.Name, ast.Attribute)}
    if sum(1 for a in args if a) + len(kwargs) < 2:
        return None
    func = resolve(call.func)
    if not func or "." not in func:
        return None
    return {"func": func, "args": args, "kwargs": kwargs, "line": call.lineno}


def _returns_self(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Every ``return`` of ``fn`` (one at least, outside nested functions) returns ``self`` itself."""
    returns = walk_kinds(fn).get(ast.Return, ())
    return bool(returns) and all(r.value.__class__ is ast.Name and r.value.id == "self" for r in returns)  # type: ignore[attr-defined]


def _returns_base_enter(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Every ``return`` of the enter method ``fn`` (one at least) returns ``self`` or what the base's enter method of
    the same name returns (``return await super().__aenter__()``)."""
    returns = walk_kinds(fn).get(ast.Return, ())

    def base_enter(value: Any) -> bool:
        value = value.value if value.__class__ is ast.Await else value
        func = value.func if value.__class__ is ast.Call else None
        return (
            func.__class__ is ast.Attribute and func.attr == fn.name and func.value.__class__ is ast.Call  # type: ignore[union-attr]
            and func.value.func.__class__ is ast.Name and func.value.func.id == "super"  # type: ignore[union-attr]
        )

    return bool(returns) and all(
        r.value is not None and ((r.value.__class__ is ast.Name and r.value.id == "self") or base_enter(r.value))  # type: ignore[attr-defined]
        for r in returns
    )


def _self_attributes_from_calls(fn: ast.FunctionDef | ast.AsyncFunctionDef, params: list[dict[str, Any]]) -> dict[str, list[str]]:
    """``{attribute: [class, method]}`` for ``self.<attribute> = <param>.<method>(...)`` in ``fn`` (awaited or
    not), ``<param>`` a parameter annotated with a class: ``self.db_user = user_service.get_user_by_id(sub)``. An
    attribute assigned from two different calls is left out."""
    typed = {p["name"]: p["type"] for p in params if p.get("type")}
    out: dict[str, list[str]] = {}
    dropped: set[str] = set()
    for node in walk_kinds(fn).get(ast.Assign, ()):
        target = node.targets[0] if len(node.targets) == 1 else None  # type: ignore[attr-defined]
        if target.__class__ is not ast.Attribute or target.value.__class__ is not ast.Name or target.value.id != "self":  # type: ignore[attr-defined]
            continue
        value = node.value.value if node.value.__class__ is ast.Await else node.value  # type: ignore[attr-defined]
        func = value.func if value.__class__ is ast.Call else None  # type: ignore[attr-defined]
        if func.__class__ is not ast.Attribute or func.value.__class__ is not ast.Name or func.value.id not in typed:  # type: ignore[attr-defined]
            continue
        found = [typed[func.value.id], func.attr]  # type: ignore[attr-defined]
        if out.get(target.attr, found) != found:  # type: ignore[attr-defined]
            dropped.add(target.attr)  # type: ignore[attr-defined]
        out[target.attr] = found  # type: ignore[attr-defined]
    return {k: v for k, v in out.items() if k not in dropped}


def _self_field_returned(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """``self.<field>`` returned by a method that takes nothing but ``self`` (``def as_view(self): ... return
    self.endpoint``): the fields a route-configuration method may hand back as the endpoint."""
    args = fn.args
    if [a.arg for a in (*args.posonlyargs, *args.args)] != ["self"] or args.kwonlyargs or args.vararg or args.kwarg:
        return []
    out = []
    for node in walk_kinds(fn).get(ast.Return, ()):
        if node.value.__class__ is ast.Attribute and node.value.value.__class__ is ast.Name and node.value.value.id == "self":  # type: ignore[attr-defined]
            out.append(node.value.attr)  # type: ignore[attr-defined]
    return sorted(set(out))


def _property_value(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[str]:
    """The dotted name a ``@property`` returns and nothing else (``return current_user._get_current_object()``,
    ``return g.user``, ``return current_user.org``): what ``self.<name>`` holds in the class's methods
    (``knowledge.flask.caller_attributes``)."""
    if not any(d.__class__ is ast.Name and d.id in ("property", "cached_property") for d in fn.decorator_list):  # type: ignore[attr-defined]
        return None
    body = [s for s in fn.body if not (s.__class__ is ast.Expr and s.value.__class__ is ast.Constant)]  # type: ignore[attr-defined]
    if len(body) != 1 or body[0].__class__ is not ast.Return:
        return None
    value = body[0].value  # type: ignore[attr-defined]
    if value.__class__ is ast.Call and not value.args and not value.keywords and value.func.__class__ is ast.Attribute and value.func.attr == "_get_current_object":  # type: ignore[attr-defined]
        value = value.func.value  # type: ignore[attr-defined]  (werkzeug's proxy, unwrapped: the same object)
    if value.__class__ not in (ast.Name, ast.Attribute):
        return None
    return resolve(value)


def _method_binding(stmt: Any) -> Optional[str]:
    """``"static"`` for a ``@staticmethod``, ``"class"`` for a ``@classmethod``, else ``None``."""
    for d in stmt.decorator_list:
        name = d.id if d.__class__ is ast.Name else None  # type: ignore[attr-defined]
        if name == "staticmethod":
            return "static"
        if name == "classmethod":
            return "class"
    return None


def _route_class_facts(node: ast.ClassDef) -> Optional[dict[str, Any]]:
    """A custom route class (``class AuthenticatedRoute(APIRoute)`` overriding ``get_route_handler``): what its
    methods do with the request, for ``knowledge.auth.authenticating_route_class``. ``state``: attributes it
    sets on ``request.state`` (``request.state.session = ...``); ``credential``: it reads the request's
    cookies, headers or authorization; ``raises``: it raises; ``exempt``: attributes it reads off the
    endpoint with ``getattr(self.endpoint, "is_public", False)`` (an endpoint carrying one may skip the
    check)."""
    methods = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not any(m.name == "get_route_handler" for m in methods):
        return None
    state: set[str] = set()
    exempt: set[str] = set()
    credential = raises = False
    for m in methods:
        for n in walk_function(m):
            kind = n.__class__
            if kind is ast.Raise:
                raises = True
            elif kind is ast.Attribute:
                if n.attr in ("cookies", "headers"):
                    credential = True
                if n.value.__class__ is ast.Attribute and n.value.attr == "state" and n.ctx.__class__ is ast.Store:
                    state.add(n.attr)
            elif kind is ast.Call and n.func.__class__ is ast.Name and n.func.id == "getattr" and len(n.args) >= 2:
                first, second = n.args[0], n.args[1]
                if (
                    first.__class__ is ast.Attribute and first.attr == "endpoint"
                    and second.__class__ is ast.Constant and isinstance(second.value, str)
                ):
                    exempt.add(second.value)
    return {"state": sorted(state), "credential": credential, "raises": raises, "exempt": sorted(exempt)}


def _attributes_set(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Attributes a decorator sets on a function object (``wrapper.is_public = True``, nested functions'
    included): what it marks an endpoint with (``_route_class_facts``' ``exempt``)."""
    out: set[str] = set()
    for n in walk_kinds(fn).get(ast.Assign, ()):
        for t in n.targets:  # type: ignore[attr-defined]
            if t.__class__ is ast.Attribute and t.value.__class__ is ast.Name and t.value.id not in ("self", "cls") and t.value.id != "request":  # type: ignore[attr-defined]
                value = n.value  # type: ignore[attr-defined]
                if value.__class__ is ast.Constant and value.value is True:
                    out.add(t.attr)  # type: ignore[attr-defined]
    return sorted(out)


def _tuple_item_types(node: Optional[ast.expr], resolve: Resolve) -> list[Optional[str]]:
    """``-> tuple[WorkflowService, AuditService]``: the class of each item (``None`` for one that names none);
    ``[]`` for any other annotation, a ``tuple[X, ...]`` or a tuple naming no class."""
    if node is None or node.__class__ is not ast.Subscript or node.slice.__class__ is not ast.Tuple:  # type: ignore[union-attr]
        return []
    if _last(resolve(node.value) or "") not in ("tuple", "Tuple"):  # type: ignore[union-attr]
        return []
    elts = node.slice.elts  # type: ignore[union-attr]
    if any(e.__class__ is ast.Constant and e.value is Ellipsis for e in elts):  # type: ignore[attr-defined]
        return []
    items = [main_type(e, resolve) for e in elts]
    return items if any(items) else []


def _schema_switch(arg: ast.expr) -> list[str]:
    """A statement text that sets ``search_path`` to a value computed at run time: an f-string, ``"...".format(...)``
    or ``"..." % ...`` mentioning ``search_path`` (``f'SET search_path TO "{schema_name}", public'``): the root
    names the value is read from (``schema_name``; ``user`` of ``{user.org_slug}``), empty when it is no switch."""
    if isinstance(arg, ast.JoinedStr):
        if not any(isinstance(v, ast.Constant) and isinstance(v.value, str) and "search_path" in v.value.lower() for v in arg.values):
            return []
        return _root_names([v.value for v in arg.values if isinstance(v, ast.FormattedValue)])
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format":
        base, values = arg.func.value, list(arg.args) + [k.value for k in arg.keywords]
    elif isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Mod, ast.Add)):
        base, values = arg.left, [arg.right]
    else:
        return []
    if not (isinstance(base, ast.Constant) and isinstance(base.value, str) and "search_path" in base.value.lower()):
        return []
    return _root_names(values)


def _root_names(values: list[ast.expr]) -> list[str]:
    out: set[str] = set()
    for v in values:
        for n in ast.walk(v):
            if isinstance(n, ast.Name):
                out.add(n.id)
    return sorted(out) or ["?"]  # (a value with no name: still a switch, read from nothing the caller hands in)


def _function_facts(stmt: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve, _depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {
        "returns": main_type(stmt.returns, resolve),
        "params": _param_facts(stmt.args, resolve),
        "line": stmt.lineno,
    }
    out.update(_body_facts(stmt, resolve))
    items = _tuple_item_types(stmt.returns, resolve)
    if items:
        out["returns_tuple"] = items
    if out["returns"] is None and stmt.returns is None:
        # (every unannotated function: an auth dependency may hand back what a project getter returns,
        # ``user = get_user_by_email(db, email)`` ... ``return user``; ``returns_via`` names that getter)
        row, via = _returned_row(stmt, resolve)
        if row:
            out["returns_row"] = row
        elif via and any(p.get("dependency") for p in out["params"]):
            out["returns_via"] = via
    compared = _param_attributes_compared(stmt)
    if compared:
        out["param_compared"] = compared
    flags = _param_flags_tested(stmt)
    if flags:
        out["param_flags"] = flags
    user_read = _request_user_read(stmt, out["params"])
    if user_read:
        out["user_read"] = user_read
    made = _made_dependency(stmt, resolve, _depth)
    if made:
        out.update(made)
    feeds = _principal_feeds(stmt, out["params"], resolve)
    if feeds:
        out["feeds"] = feeds
    scoped = _tenant_filtered(stmt) if mentions(*TENANT_COLUMNS) else None
    if scoped:
        out["tenant_filtered"] = scoped
    out.update(_route_facts(stmt, resolve))
    if not out.get("route") and admin_gate(stmt.body, {a.arg for a in (*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs)}):
        # ``def require_manager(user): require_system_admin(user)``: a project function that lets only
        # administrators through (``admin_check``, read by ``knowledge.auth._admin_gate`` at a route's call of it)
        out["admin_check"] = True
    registers = _registers(stmt, resolve)
    if registers is not None:
        out["registers"] = registers
    passes = _passes_caller(stmt, resolve)
    if passes is not None:
        out["passes_caller"] = passes
    lookup = _credential_lookup(stmt, resolve) if mentions("headers", "cookies", "Header", "Cookie") else None
    if lookup is not None:
        out["credential_lookup"] = lookup
    checks = _checks_kwargs(stmt, resolve) if mentions("**") else None
    if checks is not None:
        out["checks_kwargs"] = checks
    gate = request_gate(stmt, resolve) if _depth == 0 and mentions("Request") and mentions("user") else None
    if gate is not None:
        out["request_gate"] = gate  # (``knowledge.auth.request_gates``)
    caller = _returned_caller(stmt, resolve) if _depth == 0 and mentions(*_CALLER_WORDS) else None
    if caller:
        out["caller_return"] = caller
    flask = _flask_auth(stmt, resolve) if _depth == 0 and mentions("flask") and stmt.decorator_list.__class__ is list else None
    if flask is not None:
        out["flask_auth"] = flask
    configs = _registers_configs(stmt) if mentions("add_api_route", "api_route") else None
    if configs is not None:
        out["registers_configs"] = configs
    if mentions("state"):
        out.update(state_facts(stmt, out["params"]))  # (``knowledge.auth.request_state``)
    marks = _attributes_set(stmt) if mentions(" = True") else []
    if marks:
        out["marks"] = marks
    for dec in stmt.decorator_list:
        expr = dec.func if isinstance(dec, ast.Call) else dec
        if _last(resolve(expr) or (expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", None))) in TASK_DECORATORS:
            out["task"] = True
    return out


_ROW_TAILS = frozenset({"first", "one", "one_or_none", "scalar_one", "scalar_one_or_none", "scalar", "get"})


def _loaded_model(value: ast.expr, resolve: Resolve) -> Optional[str]:
    """The model a single-row load returns: ``session.get(User, id)``, ``session.exec(select(User)...).first()``,
    ``db.query(User).filter(...).first()``, ``(await db.execute(...)).scalars().first()``."""
    while value.__class__ is ast.Await:
        value = value.value  # type: ignore[attr-defined]
    if value.__class__ is not ast.Call or value.func.__class__ is not ast.Attribute:  # type: ignore[attr-defined]
        return None
    tail = value.func.attr  # type: ignore[attr-defined]
    if tail not in _ROW_TAILS:
        return None
    if tail == "get":
        args = value.args  # type: ignore[attr-defined]
        if len(args) >= 2 and args[0].__class__ in (ast.Name, ast.Attribute):
            return resolve(args[0])
        return None
    for n in ast.walk(value):
        if n.__class__ is ast.Call and n.args and n.args[0].__class__ in (ast.Name, ast.Attribute):  # type: ignore[attr-defined]
            head = n.func  # type: ignore[attr-defined]
            name = head.attr if head.__class__ is ast.Attribute else getattr(head, "id", None)
            if name in ("select", "query") and len(n.args) == 1:  # type: ignore[attr-defined]
                return resolve(n.args[0])  # type: ignore[attr-defined]
    return None


_CONVERSIONS = frozenset({"int", "str", "bytes", "UUID", "uuid", "len", "bool"})


def _credential_lookup(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[dict[str, Any]]:
    """A dependency that authenticates a credential the client sends in a header or cookie by looking it up
    (dropbase's ``verify_worker_token``: ``worker_token = request.headers.get("dropbase-token")``, ``target =
    crud.token.get_token_by_value(db, token=worker_token)``, ``if not target: raise HTTPException(401)``, then
    ``return workspace``): a value read off ``<x>.headers`` / ``<x>.cookies`` is handed to a call whose result
    an ``if`` ending in ``raise`` tests, and what the function returns is neither that value nor a value read
    straight from it (a plain token string is a credential, not a caller). ``{"header": the key read,
    "returns": the annotation of the returned local (``workspace: Workspace = ...``), or None}``."""
    nodes, _ = own_nodes(fn)
    read: dict[str, str] = {}  # local -> the header / cookie key it holds
    results: set[str] = set()  # locals holding a lookup by such a value
    annotated: dict[str, ast.expr] = {}
    returned: list[ast.expr] = []
    tested: list[ast.If] = []

    def carried(node: ast.AST) -> Optional[str]:
        if node.__class__ is ast.Call and node.func.__class__ is ast.Attribute and node.func.attr == "get" and node.args:  # type: ignore[attr-defined]
            base, key = node.func.value, node.args[0]  # type: ignore[attr-defined]
        elif node.__class__ is ast.Subscript:
            base, key = node.value, node.slice  # type: ignore[attr-defined]
        else:
            return None
        if base.__class__ is ast.Attribute and base.attr in ("headers", "cookies") and key.__class__ is ast.Constant and isinstance(key.value, str):  # type: ignore[attr-defined]
            return key.value  # type: ignore[attr-defined]
        return None

    read.update(_credential_header_params(fn, resolve))
    ordered = sorted((n for n in nodes if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset))  # type: ignore[attr-defined]
    for n in ordered:
        kind = n.__class__
        if kind in (ast.Assign, ast.AnnAssign):
            target = n.targets[0] if kind is ast.Assign and len(n.targets) == 1 else getattr(n, "target", None)  # type: ignore[attr-defined]
            value = n.value  # type: ignore[attr-defined]
            if target is None or target.__class__ is not ast.Name or value is None:
                continue
            if kind is ast.AnnAssign:
                annotated[target.id] = n.annotation  # type: ignore[attr-defined]
            key = carried(value)
            if key is not None:
                read[target.id] = key
                continue
            call = value.value if value.__class__ is ast.Await else value  # type: ignore[attr-defined]
            if call.__class__ is not ast.Call:
                continue
            func = call.func  # type: ignore[attr-defined]
            if (func.__class__ is ast.Name and func.id in _CONVERSIONS) or (
                func.__class__ is ast.Attribute and func.value.__class__ is ast.Name and func.value.id in read
            ):
                # ``int(sent)``, ``sent.strip()``, ``sent.split(" ")[1]``: still the credential itself
                if any(a.__class__ is ast.Name and a.id in read for a in ast.walk(call)):  # type: ignore[attr-defined]
                    read[target.id] = next(iter(read.values()))
                continue
            if any(a.__class__ is ast.Name and a.id in read for a in ast.walk(call)):  # type: ignore[attr-defined]
                results.add(target.id)  # ``db.exec(select(Key).where(Key.secret == sent)).first()``: a lookup by it
        elif kind is ast.If and n.body and n.body[-1].__class__ is ast.Raise:  # type: ignore[attr-defined]
            tested.append(n)  # type: ignore[arg-type]
        elif kind is ast.Return and n.value is not None:  # type: ignore[attr-defined]
            returned.append(n.value)  # type: ignore[attr-defined]
    if not read or not results or not returned:
        return None
    if not any(x.__class__ is ast.Name and x.id in results for t in tested for x in ast.walk(t.test)):  # type: ignore[attr-defined]
        return None  # the lookup's answer never refuses anyone
    for value in returned:
        if value.__class__ is ast.Name and value.id in read:  # type: ignore[attr-defined]
            return None  # hands the raw credential on
        if carried(value) is not None or value.__class__ is ast.Constant:
            return None
    out: dict[str, Any] = {"header": sorted(set(read.values()))[0], "returns": None}
    if len(returned) == 1 and returned[0].__class__ is ast.Name and returned[0].id in annotated:  # type: ignore[attr-defined]
        out["returns"] = main_type(annotated[returned[0].id], resolve)  # type: ignore[attr-defined]
    return out


# words of a header or cookie parameter's name that say it carries a credential (``x_agent_api_key``,
# ``x_client_secret``, ``x_auth_token``), not a key naming a resource (``x_tenant_id``, ``x_request_id``)
_CREDENTIAL_WORDS = re.compile(r"(?:^|_)(?:api_?key|key|secret|token|password|passwd|signature|credentials?|auth)(?:_|$)")


def _credential_header_params(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> dict[str, str]:
    """The function's parameters FastAPI fills from a request header or cookie (``x_agent_api_key: str =
    Header(...)``, also ``Annotated[str, Header()]``) whose names say they carry a credential: ``{parameter:
    the header's name}``, as ``request.headers.get(...)`` reads are for ``_credential_lookup``."""
    out: dict[str, str] = {}
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults: dict[str, ast.expr] = {x.arg: d for x, d in zip(positional[len(positional) - len(a.defaults):], a.defaults)}
    defaults.update({x.arg: d for x, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    for x in positional + a.kwonlyargs:
        if not _CREDENTIAL_WORDS.search(x.arg.lower()):
            continue
        markers: list[ast.expr] = []
        if x.arg in defaults:
            markers.append(defaults[x.arg])
        ann = x.annotation
        if ann is not None and ann.__class__ is ast.Subscript and ann.slice.__class__ is ast.Tuple:  # type: ignore[attr-defined]
            markers.extend(ann.slice.elts[1:])  # type: ignore[attr-defined]
        for m in markers:
            if m.__class__ is ast.Call and (resolve(m.func) or "").rsplit(".", 1)[-1] in ("Header", "Cookie"):  # type: ignore[attr-defined]
                out[x.arg] = x.arg.replace("_", "-")
    return out


def _returned_row(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> tuple[Optional[str], Optional[str]]:
    """A function without a return annotation whose every value returned is one row it loads (``user =
    session.get(User, int(user_id))`` ... ``return user``): ``(that model's qualified name, None)``; or whose every
    value returned is what one named function it calls hands back (``user = get_user_by_email(db, email)`` ...
    ``return user``, ``return await crud.get_user(db, sub)``): ``(None, that function's qualified name)``, for the
    reader to follow (``knowledge.auth.returned_row``); else ``(None, None)``."""
    nodes, _ = own_nodes(fn)
    loaded: dict[str, Optional[str]] = {}
    returned: list[ast.expr] = []
    for n in nodes:
        if n.__class__ is ast.Assign and len(n.targets) == 1 and n.targets[0].__class__ is ast.Name:  # type: ignore[attr-defined]
            name = n.targets[0].id  # type: ignore[attr-defined]
            source = _row_source(n.value, resolve)  # type: ignore[attr-defined]
            loaded[name] = source if loaded.get(name, source) == source else None
        elif n.__class__ is ast.Return and n.value is not None:  # type: ignore[attr-defined]
            returned.append(n.value)  # type: ignore[attr-defined]
    sources = set()
    for value in returned:
        source = loaded.get(value.id) if value.__class__ is ast.Name else _row_source(value, resolve)  # type: ignore[attr-defined]
        if not source:
            return None, None
        sources.add(source)
    if len(sources) != 1:
        return None, None
    kind, _, name = sources.pop().partition(":")
    return (name, None) if kind == "row" else (None, name)


def _row_source(value: ast.expr, resolve: Resolve) -> Optional[str]:
    """``"row:<model>"`` for a single-row load (``_loaded_model``), ``"via:<function>"`` for a call of a named
    function (awaited or not), else None."""
    model = _loaded_model(value, resolve)
    if model:
        return f"row:{model}"
    while value.__class__ is ast.Await:
        value = value.value  # type: ignore[attr-defined]
    if value.__class__ is ast.Call and value.func.__class__ in (ast.Name, ast.Attribute):  # type: ignore[attr-defined]
        target = resolve(value.func)  # type: ignore[attr-defined]
        if target:
            return f"via:{target}"
    return None


def _handed_params(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> list[list[Any]]:
    """What a factory's inner dependency hands on: ``[callee, [parameters]]`` for each call of a named function
    given two or more of its own parameters (as a name or an attribute of one: ``check_project_member(db,
    user.id, project_id, min_role=min_role)`` -> ``["app.deps.check_project_member", ["db", "user",
    "project_id"]]``), in source order. ``knowledge.auth.route_tenant_keys`` reads whether it hands the caller
    and a path key to an authorisation helper."""
    a = fn.args
    params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    out: list[list[Any]] = []
    for node in walk_kinds(fn).get(ast.Call, ()):
        if node.func.__class__ not in (ast.Name, ast.Attribute):  # type: ignore[attr-defined]
            continue
        target = resolve(node.func)  # type: ignore[attr-defined]
        if not target:
            continue
        handed: list[str] = []
        for value in (*node.args, *(k.value for k in node.keywords)):  # type: ignore[attr-defined]
            while value.__class__ is ast.Attribute:
                value = value.value  # type: ignore[attr-defined]
            if value.__class__ is ast.Name and value.id in params and value.id not in handed:  # type: ignore[attr-defined]
                handed.append(value.id)  # type: ignore[attr-defined]
        if len(handed) >= 2:
            out.append([target, handed])
    return out


def _made_dependency(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve, _depth: int = 0) -> dict[str, Any]:
    """A dependency factory: a function that returns a function it defines (``def is_user_in(group): async def
    checker(user=Depends(current)) -> User: ...; return checker``) or an instance of a class
    (``return RoleChecker(roles)``, read elsewhere). ``Depends(factory(...))`` has FastAPI call what the factory returns, per
    request, so that is the dependency. ``makes``: the inner function's facts (``_function_facts``, plus its
    ``name``), kept only when it takes a dependency marker or reads a token (a closure that is no dependency
    costs nothing). ``builds``: the callable every ``return`` calls, when the function has no return
    annotation (``return CombinedEnforcement(module, action)``). (A factory returning a class instance is read
    from its return annotation, or from ``builds``: ``knowledge.auth._built_dependency_class``.) ``built_each``:
    for a function taking dependencies whose annotation names none of the callables its ``return`` statements
    call (an interface: ``-> ScalarsServiceProtocol`` returning ``ScalarsService(...)`` or ``NoOpScalarsService()``),
    those callables."""
    nodes, inner_functions = own_nodes(fn)  # (the function's own nodes, shared with the flow and validation extractors)
    nested: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {f.name: f for f in inner_functions}
    returned: list[ast.expr] = [
        node.value for node in nodes if node.__class__ is ast.Return and node.value is not None  # type: ignore[attr-defined]
    ]
    out: dict[str, Any] = {}
    for value in returned:
        marker = False
        if (
            value.__class__ is ast.Call
            and _last(resolve(value.func)) in ("Depends", "Security")  # type: ignore[attr-defined]
            and len(value.args) == 1  # type: ignore[attr-defined]
            and value.args[0].__class__ is ast.Name  # type: ignore[attr-defined]
        ):
            # ``return Depends(dependency)``: used as ``Annotated[User, RequireScopes(...)]``, the marker is the call
            value, marker = value.args[0], True  # type: ignore[attr-defined]
        if value.__class__ is ast.Name and value.id in nested and _depth < 3:  # type: ignore[attr-defined]
            inner = nested[value.id]  # type: ignore[attr-defined]
            facts = _function_facts(inner, resolve, _depth + 1)
            if marker:
                facts["marked"] = True
            # (a parameter typed by an alias may be an ``Annotated[..., Depends(...)]`` alias of another module:
            # ``auth_context: AuthContextDep``, read by ``auth.alias_dependency``)
            if facts.get("auth") or any(_last(p.get("marker")) in ("Depends", "Security") or p.get("alias") for p in facts["params"]):
                facts["name"] = inner.name
                for key in ("feeds", "route", "tool", "task", "line"):
                    facts.pop(key, None)
                hands = _handed_params(inner, resolve)
                if hands:
                    facts["hands"] = hands
                out["makes"] = facts
                return out
    # ``return CombinedEnforcement(module, action)`` (no annotation): FastAPI calls the instance, per request
    built = {resolve(v.func) for v in returned if v.__class__ is ast.Call and v.func.__class__ in (ast.Name, ast.Attribute)}  # type: ignore[attr-defined]
    if (
        fn.returns is not None and built and None not in built
        and len(returned) == sum(1 for v in returned if v.__class__ is ast.Call)
        and main_type(fn.returns, resolve) not in built
        and any(_last(p.get("marker")) in ("Depends", "Security") for p in _param_facts(fn.args, resolve))
    ):
        # ``-> ScalarsServiceProtocol`` with ``return ScalarsService(...)`` on one way and ``return
        # NoOpScalarsService()`` on another: what a dependency typed with an interface really is (``built_each``)
        out["built_each"] = sorted(built)  # type: ignore[arg-type]
    if len(built) == 1 and len(returned) == sum(1 for v in returned if v.__class__ is ast.Call) and None not in built and fn.returns is None:
        out["builds"] = built.pop()
    elif len(built) == 1 and len(returned) == 1 and None not in built and not nested:
        # ``def require_global(key): return require_permission(key, workspace_param=None)``: a factory handing
        # its arguments on to another factory (``knowledge.auth.classify_dependency`` reads the one it calls);
        # ``none``: the keywords it passes as ``None`` (a scope left out: a site-wide gate)
        call = returned[0]
        out["forwards"] = {
            "func": built.pop(),
            "none": sorted(k.arg for k in call.keywords if k.arg and k.value.__class__ is ast.Constant and k.value.value is None),  # type: ignore[attr-defined]
        }
    return out


_CHECK_OPS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)


def _id_attribute(attr: str) -> bool:
    return attr in ID_ATTRIBUTES or attr.endswith(("_id", "_ids", "_uuid")) or attr in ("members", "owners", "users", "admins", "editors", "viewers", "collaborators")


def _caller_check(fn: ast.FunctionDef | ast.AsyncFunctionDef, lookups: Optional["_MemberLookups"] = None, verdict: bool = True) -> list[str]:
    """A method that decides whether someone it is given may use the object: it compares a parameter (a user
    id, or a user's ``.id``) with the object's owner or members (``self.owner_id == user_id``, ``any(m.user_id
    == user_id for m in self.members)``, ``user.id in self.member_ids``, a membership query ``where(
    Member.user_id == user_id, Member.org_id == self.id)``). The parameters so compared, by name
    (``authorises`` of a ``methods`` entry): a row's method called with the principal is an authorisation
    check of that row (``knowledge.queries``, BKL202). A parameter compared with a constant (``locale ==
    "fr"``) decides nothing about anyone.

    ``lookups``: the other methods of the class, each with its parameters and those it compares so (whatever
    it returns: ``get_user_membership(user_id)`` returning the member row): a verdict method handing a
    parameter on to one (``return self.get_user_membership(user_id) is not None``) decides on it too.
    ``verdict=False`` answers for such a lookup (the return is not required to be a verdict)."""
    args = fn.args
    params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if not params or params[0] not in ("self", "cls") or len(params) < 2 or fn.name.startswith("__"):
        return []  # (``__eq__(self, other)`` compares two objects, it authorises no one)
    returns = fn.returns
    if verdict and returns is not None and not (returns.__class__ is ast.Name and returns.id in ("bool", "None")) and not (
        returns.__class__ is ast.Constant and returns.value is None
    ):
        return []  # returns something else than a verdict (a member row looked up by id)
    own = set(params[1:])
    reads_self = False
    verdicts = True
    found: set[str] = set()

    def param_of(node: ast.AST) -> Optional[str]:
        while node.__class__ is ast.Call and node.func.__class__ is ast.Name and node.func.id in _ID_WRAPPERS and len(node.args) == 1:  # type: ignore[attr-defined]
            node = node.args[0]  # type: ignore[attr-defined]
        if node.__class__ is ast.Name and node.id in own:  # type: ignore[attr-defined]
            return node.id  # type: ignore[attr-defined]
        if node.__class__ is ast.Attribute and node.value.__class__ is ast.Name and node.value.id in own and node.attr in ID_ATTRIBUTES:  # type: ignore[attr-defined]
            return node.value.id  # type: ignore[attr-defined]
        return None

    def row_side(node: ast.AST, membership: bool) -> bool:
        """Reads an id of the object or of a row (``self.owner_id``, ``m.user_id``, ``Member.user_id``), or, for
        ``in``, a collection held by the object (``self.members``)."""
        for n in walk(node):
            if n.__class__ is ast.Attribute:
                root = n
                while root.__class__ is ast.Attribute:
                    root = root.value  # type: ignore[attr-defined]
                if root.__class__ is ast.Name and root.id in own:  # type: ignore[attr-defined]
                    continue
                if _id_attribute(n.attr) or (membership and root.__class__ is ast.Name and root.id == "self"):  # type: ignore[attr-defined]
                    return True
        return False

    for node in walk_function(fn):
        kind = node.__class__
        if kind is ast.Attribute and node.value.__class__ is ast.Name and node.value.id == "self":  # type: ignore[attr-defined]
            reads_self = True
        elif kind is ast.Return and node.value is not None and not _verdict(node.value):  # type: ignore[attr-defined]
            verdicts = False
        if (
            lookups is not None and kind is ast.Call and node.func.__class__ is ast.Attribute  # type: ignore[attr-defined]
            and node.func.value.__class__ is ast.Name and node.func.value.id == "self" and node.func.attr in lookups.methods  # type: ignore[attr-defined]
            and node.func.attr != fn.name and lookups.compared(node.func.attr)[1]  # type: ignore[attr-defined]
        ):
            # ``self.get_user_membership(user_id)``: a method of the object that compares what it is handed
            names, compared = lookups.compared(node.func.attr)  # type: ignore[attr-defined]
            for i, a in enumerate(node.args):  # type: ignore[attr-defined]
                name = param_of(a)
                if name is not None and i < len(names) and names[i] in compared:
                    found.add(name)
            for k in node.keywords:  # type: ignore[attr-defined]
                name = param_of(k.value)
                if name is not None and k.arg in compared:
                    found.add(name)
        if kind is ast.Call and node.keywords:  # type: ignore[attr-defined]
            # ``Member.query.filter_by(org_id=self.id, user_id=user_id)``: a membership lookup keyed on the parameter
            keyed = [(k.arg, param_of(k.value)) for k in node.keywords if k.arg]  # type: ignore[attr-defined]
            if any(name is not None and _id_attribute(arg) for arg, name in keyed) and any(
                k.value.__class__ is ast.Attribute and k.value.value.__class__ is ast.Name and k.value.value.id == "self"  # type: ignore[attr-defined]
                for k in node.keywords  # type: ignore[attr-defined]
            ):
                found.update(name for arg, name in keyed if name is not None and _id_attribute(arg))
        elif kind is ast.Compare:
            sides = [node.left, *node.comparators]  # type: ignore[attr-defined]
            for i, op in enumerate(node.ops):  # type: ignore[attr-defined]
                if not isinstance(op, _CHECK_OPS):
                    continue
                left, right = sides[i], sides[i + 1]
                membership = isinstance(op, (ast.In, ast.NotIn))
                for a, b in ((left, right), (right, left)):
                    name = param_of(a)
                    if name is not None and param_of(b) is None and row_side(b, membership and b is right):
                        found.add(name)
    return sorted(found) if reads_self and (verdicts or not verdict) else []


class _MemberLookups:
    """The methods of a class, and, computed when first asked, which of its parameters each compares with the
    object's owner or members whatever it returns (``get_user_membership(self, user_id)`` returning the member
    row): (parameters after ``self``, parameters so compared). A verdict method handing a parameter on to one
    (``return self.get_user_membership(user_id) is not None``) decides on it too (``_caller_check``)."""

    __slots__ = ("methods", "_found")

    def __init__(self, node: ast.ClassDef) -> None:
        self.methods = {s.name: s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self._found: dict[str, tuple[list[str], list[str]]] = {}

    def compared(self, name: str) -> tuple[list[str], list[str]]:
        found = self._found.get(name)
        if found is None:
            m = self.methods[name]
            self._found[name] = ([], [])  # (a method calling itself compares nothing more)
            found = self._found[name] = (
                [a.arg for a in (*m.args.posonlyargs, *m.args.args, *m.args.kwonlyargs)][1:],
                _caller_check(m, None, verdict=False),
            )
        return found


def _verdict(value: ast.expr) -> bool:
    """A returned yes or no: a comparison, ``and`` / ``or`` / ``not``, ``any(...)`` / ``all(...)`` / ``bool(...)``,
    a boolean constant, a ``.count()`` / ``.exists()``, or a call of another method of the object
    (``self.is_owner(user_id)``)."""
    kind = value.__class__
    if kind in (ast.Compare, ast.BoolOp) or (kind is ast.UnaryOp and value.op.__class__ is ast.Not):  # type: ignore[attr-defined]
        return True
    if kind is ast.Constant:
        return value.value in (True, False, None)  # type: ignore[attr-defined]
    if kind is ast.Call:
        func = value.func  # type: ignore[attr-defined]
        if func.__class__ is ast.Name:
            return func.id in ("any", "all", "bool")
        if func.__class__ is ast.Attribute and func.attr in ("count", "exists"):
            return True  # ``session.query(Member).filter_by(...).count()``: how many seats, read as yes or no
        return func.__class__ is ast.Attribute and func.value.__class__ is ast.Name and func.value.id == "self"
    return False


ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "api_route", "websocket", "head", "options"})
ID_ATTRIBUTES = frozenset({"id", "user_id", "uid", "uuid", "pk"})
_CLIENT_PARAM_MARKERS = frozenset({"Path", "Query", "Body", "Form"})
_PLAIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "UUID", "dict", "list", "Any"})


_REQUEST_TYPES = ("Request", "HTTPConnection", "WebSocket")


def _request_user_read(fn: ast.FunctionDef | ast.AsyncFunctionDef, params: list[dict[str, Any]]) -> list[str]:
    """Parameters typed as the request (``request: Request``) whose ``.user`` the function reads
    (``playlist.user_id != request.user.id``): where an authentication middleware sets it, the function reads
    its caller off the request it is handed (``knowledge.queries``: a route handing its request to such a
    helper hands it the principal). Cheap: only modules that spell ``.user``, only request parameters."""
    requests = {p["name"] for p in params if (p.get("type") or "").rsplit(".", 1)[-1] in _REQUEST_TYPES}
    if not requests or not mentions(".user"):
        return []
    out: set[str] = set()
    for node in walk_kinds(fn).get(ast.Attribute, ()):
        if node.attr == "user" and node.value.__class__ is ast.Name and node.value.id in requests:  # type: ignore[attr-defined]
            out.add(node.value.id)  # type: ignore[attr-defined]
    return sorted(out)


def _wrapped_return(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve) -> Optional[str]:
    """The class a method returns inside a result wrapper: annotated ``-> AppResult[Invoice | None]`` (a
    subscripted type with one argument, the class) and returning a local wrapped in a one-argument call
    (``return Success(invoice)``, ``return Ok(row)``): the caller unwraps it (``result.unwrap()``) and holds the
    row (``method_returns``)."""
    ann = fn.returns
    if ann.__class__ is not ast.Subscript or ann.slice.__class__ is ast.Tuple:  # type: ignore[union-attr]
        return None
    wrapped = False
    for node in walk_kinds(fn).get(ast.Return, ()):
        if node.value.__class__ is ast.Call:  # type: ignore[attr-defined]
            call = node.value  # type: ignore[attr-defined]
            if len(call.args) == 1 and not call.keywords and call.args[0].__class__ is ast.Name and call.func.__class__ in (ast.Name, ast.Attribute):
                wrapped = True
                break
    if not wrapped:
        return None
    return main_type(ann.slice, resolve)  # type: ignore[union-attr]


# Columns that place a row in a tenant (an organisation, a workspace, a company, a team): a lookup filtered on
# one of them loads the row within that tenant; a project whose owned models carry one is multi-tenant
# (``knowledge.auth.multi_tenant``).
TENANT_COLUMNS = frozenset({"tenant_id", "organization_id", "organisation_id", "org_id", "workspace_id", "company_id", "team_id"})


def _tenant_filtered(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Optional[str]:
    """A lookup in the function filtered on a model's tenant column, ``User.tenant_id == tenant.id`` (a class
    attribute compared with a value that is not a constant) or ``.filter_by(tenant_id=tenant.id)``: the column's
    name. What ``get_current_user(tenant=Depends(get_current_tenant))`` does when it loads the caller within the
    request's tenant (``knowledge.auth.classify_dependency``: a role read off such a user is a tenant's role)."""
    for node in walk_function(fn):
        kind = node.__class__
        if kind is ast.Compare and len(node.ops) == 1 and node.ops[0].__class__ is ast.Eq:  # type: ignore[attr-defined]
            for a, b in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):  # type: ignore[attr-defined]
                if (
                    a.__class__ is ast.Attribute and a.attr in TENANT_COLUMNS  # type: ignore[attr-defined]
                    and a.value.__class__ is ast.Name and a.value.id[:1].isupper()  # type: ignore[attr-defined]
                    and b.__class__ is not ast.Constant
                ):
                    return a.attr  # type: ignore[attr-defined]
        elif kind is ast.Call and node.func.__class__ is ast.Attribute and node.func.attr == "filter_by":  # type: ignore[attr-defined]
            for k in node.keywords:  # type: ignore[attr-defined]
                if k.arg in TENANT_COLUMNS and k.value.__class__ is not ast.Constant:
                    return k.arg
    return None


def _param_flags_tested(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """``is_*`` attributes reached from a parameter (``user.is_superuser``, ``context.user.is_global_admin``) that
    an ``if`` / ``assert`` tests by truth (alone, negated, in an ``and`` / ``or``): the flags a gate admits by
    (``knowledge.auth.dependencies.path_tenant_context``: a site flag makes the gate the site's). Cheap: only the
    tests of ``If`` and ``Assert`` nodes."""
    args = fn.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} - {"self", "cls"}
    if not params:
        return []
    kinds = walk_kinds(fn)
    out: set[str] = set()
    stack: list[ast.expr] = [n.test for n in (*kinds.get(ast.If, ()), *kinds.get(ast.Assert, ()))]  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if node.__class__ is ast.BoolOp:
            stack.extend(node.values)  # type: ignore[attr-defined]
        elif node.__class__ is ast.UnaryOp and node.op.__class__ is ast.Not:  # type: ignore[attr-defined]
            stack.append(node.operand)  # type: ignore[attr-defined]
        elif node.__class__ is ast.Attribute and node.attr.startswith("is_"):  # type: ignore[attr-defined]
            base = node.value  # type: ignore[attr-defined]
            while base.__class__ is ast.Attribute:
                base = base.value  # type: ignore[attr-defined]
            if base.__class__ is ast.Name and base.id in params:  # type: ignore[attr-defined]
                out.add(node.attr)  # type: ignore[attr-defined]
    return sorted(out)


def _param_attributes_compared(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Attributes of the function's parameters that it compares (``obj.owner_principal_id ==
    ctx.current_principal_id``, ``str(row.create_by) != ...``): the columns an authorisation helper given a
    row decides on (``knowledge.queries`` names them in BKL202's message). Cheap: only ``Compare`` nodes."""
    args = fn.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} - {"self", "cls"}
    if not params:
        return []
    def read(node: ast.AST) -> Optional[str]:
        """``param.attr`` / ``getattr(param, "attr", ...)``, through ``str()`` / ``int()`` / ``UUID()``."""
        while node.__class__ is ast.Call and node.func.__class__ is ast.Name and node.args:  # type: ignore[attr-defined]
            if node.func.id in _ID_WRAPPERS:  # type: ignore[attr-defined]
                node = node.args[0]  # type: ignore[attr-defined]
            elif node.func.id == "getattr" and len(node.args) >= 2:  # type: ignore[attr-defined]
                base, attr = node.args[0], node.args[1]  # type: ignore[attr-defined]
                if base.__class__ is ast.Name and base.id in params and attr.__class__ is ast.Constant and isinstance(attr.value, str):  # type: ignore[attr-defined]
                    return attr.value  # type: ignore[attr-defined]
                return None
            else:
                return None
        if node.__class__ is ast.Attribute and node.value.__class__ is ast.Name and node.value.id in params:  # type: ignore[attr-defined]
            return node.attr  # type: ignore[attr-defined]
        return None

    kinds = walk_kinds(fn)
    compares = kinds.get(ast.Compare)
    if not compares:
        return []
    held: dict[str, str] = {}  # ``owner = getattr(resource, "owner_principal_id", None)``
    for node in kinds.get(ast.Assign, ()):
        if len(node.targets) == 1 and node.targets[0].__class__ is ast.Name:  # type: ignore[attr-defined]
            attr = read(node.value)  # type: ignore[attr-defined]
            if attr is not None:
                held[node.targets[0].id] = attr  # type: ignore[attr-defined]
    out: set[str] = set()
    for node in compares:
        for side in [node.left, *node.comparators]:  # type: ignore[attr-defined]
            attr = held.get(side.id) if side.__class__ is ast.Name else read(side)  # type: ignore[attr-defined]
            if attr is not None:
                out.add(attr)
    return sorted(out)


def _principal_feeds(fn: ast.FunctionDef | ast.AsyncFunctionDef, params: list[dict[str, Any]], resolve: Resolve) -> list[dict[str, Any]]:
    """What a route or a function taking dependencies hands to the functions it calls: ``[{"target", "route",
    "args": [[position or keyword, own parameter, "id" | "whole" | "raw" | "own:<attr>"]]}]``, ``id`` for the id of a
    dependency parameter (``current_user_id=str(current_user.id)``, ``user.id``), ``own:<attr>`` for another ``*_id``
    of it (``school_id=current_user.school_id``), ``whole`` for a dependency parameter
    handed on as it is (``token_user_id`` when the dependency returns the caller's id), ``raw`` for a route's own client
    parameter or a part of it (``payload.user_id``). ``knowledge.auth.principal_fed_parameters`` decides which of the callee's
    parameters receive the principal's id (the dependency being an auth dependency) and never client data."""
    deps = {
        p["name"] for p in params
        if _last(p.get("marker")) in ("Depends", "Security") or (p.get("alias") and _last(p.get("alias")) not in _PLAIN_TYPES)
    }
    route = any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS for d in fn.decorator_list
    )
    if not deps and not route:
        return []
    # handed on as it is: a parameter with an explicit marker (a route's ``Annotated`` alias too), never a
    # typed parameter of a plain function (``db: Session``)
    whole = {
        p["name"] for p in params
        if _last(p.get("marker")) in ("Depends", "Security") or (route and p["name"] in deps)
    }
    # (a parameter annotated with a class may be a body model or an auth alias: its ``.id`` counts as the
    # principal's only when the project-level reading finds an auth dependency behind it, anything else of
    # it as client data)
    plain = {
        p["name"] for p in params
        if p["name"] not in ("self", "cls") and (p.get("marker") is None or _last(p.get("marker")) in _CLIENT_PARAM_MARKERS)
    } if route else set()

    elevated = _elevated_none_locals(fn)
    computed = _caller_computed_locals(fn, deps)
    unpacked = _unpacked_dependency_locals(fn, deps)
    fetched = _client_keyed_locals(fn, plain - deps, deps, resolve) if route else {}

    def kind(expr: ast.expr) -> Optional[tuple[str, str]]:
        if isinstance(expr, ast.Name) and expr.id in fetched:
            return "row", fetched[expr.id]  # a row the route looked up by its client keys, handed on as it is
        if isinstance(expr, ast.Name) and expr.id in elevated:
            # ``school_id = current_admin.school_id if current_admin.role != "super_admin" else None``: the
            # caller's own key, ``None`` (no filter) only on the administrators' way
            found = kind(elevated[expr.id])
            return found if found is not None and found[0] != "raw" else None
        if isinstance(expr, ast.Name) and expr.id in computed:
            return computed[expr.id]
        if isinstance(expr, ast.IfExp):
            # ``ids if not can_view_all else None``: what a call made of the caller answers, ``None`` (no
            # filter) on the administrators' way only
            side = _non_admin_side(expr, computed)
            found = kind(side) if side is not None else None
            return found if found is not None and found[0] == "built" else None
        if isinstance(expr, ast.Constant) and isinstance(expr.value, bool):
            return "const", ""  # (a flag every caller is given: no administrator's verdict)
        while isinstance(expr, ast.Call) and len(expr.args) == 1 and not expr.keywords and _last(
            expr.func.id if isinstance(expr.func, ast.Name) else (expr.func.attr if isinstance(expr.func, ast.Attribute) else "")
        ) in _ID_WRAPPERS:
            expr = expr.args[0]
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in deps and expr.attr in ID_ATTRIBUTES:
            return "id", expr.value.id
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in unpacked and expr.attr in ID_ATTRIBUTES:
            return "id", unpacked[expr.value.id]  # ``current_user, org_id = auth`` then ``current_user.id``
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in deps and expr.attr.endswith("_id"):
            # ``school_id=current_user.school_id``: the caller's own key of that name (a tenant), not its id;
            # the reader takes it only for a callee parameter of the same name
            return f"own:{expr.attr}", expr.value.id
        if (
            isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name) and expr.value.id in deps
            and isinstance(expr.slice, ast.Constant) and isinstance(expr.slice.value, str) and expr.slice.value.endswith("_id")
        ):
            # ``company_id=current_user["company_id"]``: a claims mapping's own key, as ``current_user.school_id``
            return f"own:{expr.slice.value}", expr.value.id
        if isinstance(expr, ast.Name) and expr.id in whole:
            return "whole", expr.id  # the dependency's value itself (``token_user_id`` from ``get_sub(...) -> int``)
        base = expr
        while isinstance(base, (ast.Attribute, ast.Subscript)):
            base = base.value  # ``payload.user_id``, ``data["user_id"]``: still the client's
        if isinstance(base, ast.Name) and base.id in plain:
            return "raw", base.id
        return None

    out: list[dict[str, Any]] = []
    for node in walk_kinds(fn).get(ast.Call, ()):
        if not isinstance(node.func, (ast.Name, ast.Attribute)):
            continue
        given: list[list[Any]] = []
        for i, a in enumerate(node.args):
            if isinstance(a, ast.Starred):
                break
            found = kind(a)
            if found is not None:
                given.append([i, found[1], found[0]])
        for k in node.keywords:
            found = kind(k.value) if k.arg else None
            if found is not None:
                given.append([k.arg, found[1], found[0]])
        if not given or not any(g[2] in ("id", "whole", "built", "admin") or g[2].startswith("own:") for g in given) and not route:
            continue
        target = resolve(node.func)
        built = False
        if not (target and "." in target) and isinstance(node.func, ast.Attribute) and any(g[2] == "row" for g in given):
            # ``GuildService(db).rename(guild, ...)``: the method's name, as the ``receivers`` facts key it
            target = node.func.attr
            given = [g for g in given if g[2] == "row"]
        elif not (target and "." in target) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) and _class_named(node.func.value.func):
            # ``BoardService(db).rename(board_id, user_id=current_user.id)``: likewise (the reader finds the class
            # in the ``receivers`` facts, ``knowledge.auth._built_receiver_methods``)
            target, built = node.func.attr, True
        if target and ("." in target or given[0][2] == "row" or built):
            out.append({"target": target, "route": route, "args": given})
    return out


def _class_named(func: ast.expr) -> bool:
    """``BoardService`` / ``services.BoardService``: a callee named like a class (a service built in place), never
    ``db.query`` / ``select`` (a query whose methods are no project function)."""
    name = func.id if isinstance(func, ast.Name) else (func.attr if isinstance(func, ast.Attribute) else "")
    return name[:1].isupper()


def _decided_with_caller(fn: ast.FunctionDef | ast.AsyncFunctionDef, deps: set[str]) -> dict[str, int]:
    """How many places of the function may decide on a local together with a dependency (the caller): calls
    handed the local itself and a value of a dependency (``can_complete_task(session, task=task,
    actor=current_user)``), and comparisons reading both (a comparison counts twice)."""
    out: dict[str, int] = {}
    kinds = walk_kinds(fn)
    for node in kinds.get(ast.Call, ()):
        handed = [*node.args, *(k.value for k in node.keywords)]  # type: ignore[attr-defined]
        if not any(_root_name(a) in deps for a in handed):
            continue
        for a in handed:
            if isinstance(a, ast.Name) and a.id not in deps:
                out[a.id] = out.get(a.id, 0) + 1
    for node in kinds.get(ast.Compare, ()):
        roots = {_root_name(side) for side in [node.left, *node.comparators]}  # type: ignore[attr-defined]
        if roots & deps:
            for r in roots - deps:
                if r is not None:
                    out[r] = out.get(r, 0) + 2
    return out


def _root_name(expr: ast.expr) -> Optional[str]:
    """The name a value is read off (``current_user`` of ``str(current_user.id)`` and of ``user.team.id``)."""
    while isinstance(expr, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Attribute):
                expr = expr.func.value
            elif expr.args:
                expr = expr.args[0]
            else:
                return None
        else:
            expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _client_keyed_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef, plain: set[str], deps: set[str], resolve: Resolve) -> dict[str, str]:
    """Locals a route binds once, at its top level, to what a call handed its own client parameters (and maybe
    dependencies) answers (``org = await OrganizationRepository(db).get_by_id(org_id)``): ``{local: "<target>|<the
    dependencies handed, comma-separated>"}``, the target as the ``receivers`` facts key it (the resolved name, or
    the method's name on a receiver nothing types). The reader (``knowledge.queries.summaries.route_handed_rows``)
    decides from the target's summary whether it is a row looked up by that key, and whether a dependency handed
    (the caller) may scope it."""
    counts = _store_counts(fn)
    decided = _decided_with_caller(fn, deps)
    out: dict[str, str] = {}
    for stmt in fn.body:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            continue
        value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
        if not isinstance(value, ast.Call) or counts.get(stmt.targets[0].id) != 1 or decided.get(stmt.targets[0].id, 0) > 1:
            continue  # (handed with the caller to more than one call, or compared with it: the route may decide itself)
        if _last(ast_dotted(value.func) or "x")[:1].isupper():
            continue  # (``Item(id=item_id)``: a class called makes a new object, it looks nothing up)
        handed = [*value.args, *(k.value for k in value.keywords)]
        if not any(isinstance(a, ast.Name) and a.id in plain for a in handed):
            continue
        if not all(isinstance(a, ast.Name) and (a.id in plain or a.id in deps) for a in handed):
            continue  # (handed anything else, a value of the caller above all, it may decide or scope)
        given = sorted({a.id for a in handed if isinstance(a, ast.Name) and a.id in deps})
        func = value.func
        raw = resolve(func) if isinstance(func, ast.Name) or (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)) else None
        raw = raw if raw and "." in raw else (func.attr if isinstance(func, ast.Attribute) else None)
        if raw:
            out[stmt.targets[0].id] = f"{raw}|{','.join(given)}"
    return out


def _store_counts(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, int]:
    """How many times the function binds each name."""
    counts: dict[str, int] = {}
    for node in walk_function(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _unpacked_dependency_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef, deps: set[str]) -> dict[str, str]:
    """Locals the function binds once, at its top level, by unpacking a dependency parameter (``current_user,
    organization_id = auth`` with ``auth: tuple = Depends(require_access(...))``): ``{local: parameter}``. The id of
    such a local (``current_user.id``) is read as the dependency's (``_principal_feeds``)."""
    if not deps:
        return {}
    counts = _store_counts(fn)
    out: dict[str, str] = {}
    for stmt in fn.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple) and isinstance(stmt.value, ast.Name) and stmt.value.id in deps:
            for elt in stmt.targets[0].elts:
                if isinstance(elt, ast.Name) and counts.get(elt.id) == 1:
                    out[elt.id] = stmt.value.id
    return out


def _caller_computed_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef, deps: set[str]) -> dict[str, tuple[str, str]]:
    """Locals the function binds once, at its top level, to what a call handed one of its dependency parameters
    (the caller) answers: ``accessible = get_accessible_project_ids(session, user=current_user)`` -> ``("built",
    "current_user")``; ``("admin", ...)`` when the call (or an attribute of the dependency) is named for an
    administrator (``can_view_all = rbac_service.is_system_admin(current_user)``, ``sees_all =
    current_user.is_superuser``). Which dependency is the caller is decided by the reader (``_feed_one``)."""
    counts = _store_counts(fn)
    out: dict[str, tuple[str, str]] = {}
    for stmt in fn.body:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            continue
        name = stmt.targets[0].id
        value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
        if counts.get(name) != 1:
            continue
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id in deps:
            if any(w in value.attr.lower() for w in _ADMIN_WORDS):
                out[name] = ("admin", value.value.id)
            continue
        if not isinstance(value, ast.Call) or not isinstance(value.func, (ast.Name, ast.Attribute)):
            continue
        handed = [a for a in [*value.args, *(k.value for k in value.keywords)] if isinstance(a, ast.Name) and a.id in deps]
        if not handed or any(isinstance(a, ast.Starred) for a in value.args):
            continue
        callee = value.func.id if isinstance(value.func, ast.Name) else value.func.attr
        admin = any(w in callee.lower() for w in _ADMIN_WORDS)
        # (one entry per dependency handed: the reader keeps the one that is the caller)
        out[name] = ("admin" if admin else "built", ",".join(a.id for a in handed))
    return out


def _non_admin_side(expr: ast.IfExp, computed: dict[str, tuple[str, str]]) -> Optional[ast.expr]:
    """``<value> if not <admin> else None`` / ``None if <admin> else <value>`` where ``<admin>`` is a local
    holding an administrator's verdict on the caller (``_caller_computed_locals``): ``<value>``."""
    test, negated = expr.test, False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, True
    if not (isinstance(test, ast.Name) and computed.get(test.id, ("",))[0] == "admin"):
        return None
    value, none = (expr.body, expr.orelse) if negated else (expr.orelse, expr.body)
    return value if isinstance(none, ast.Constant) and none.value is None else None


def _elevated_none_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """Locals the function binds once, at its top level, to ``<value> if <test> else None`` (or the reverse)
    where the test names an administrator (``current_admin.role != "super_admin"``, ``not user.is_superuser``):
    the value everywhere but on the administrators' way. Maps the local to ``<value>``."""
    out: dict[str, ast.expr] = {}
    seen: set[str] = set()
    for stmt in fn.body:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            continue
        name = stmt.targets[0].id
        if name in seen:
            out.pop(name, None)
            continue
        seen.add(name)
        value = stmt.value
        if not isinstance(value, ast.IfExp) or not any(w in ast.unparse(value.test).lower() for w in _ADMIN_WORDS):
            continue
        if isinstance(value.orelse, ast.Constant) and value.orelse.value is None:
            out[name] = value.body
        elif isinstance(value.body, ast.Constant) and value.body.value is None:
            out[name] = value.orelse
    for node in walk_function(fn):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node not in fn.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    out.pop(t.id, None)  # (rebound elsewhere: not one value)
    return out


def _call_facts(call: ast.Call, resolve: Resolve) -> dict[str, Any]:
    out: dict[str, Any] = {"func": resolve(call.func), "kwargs": {k.arg: ast.unparse(k.value) for k in call.keywords if k.arg}}
    args = [resolve(a) for a in call.args if isinstance(a, (ast.Name, ast.Attribute))]
    if args:
        out["args"] = args  # ``item = CRUDItem(Item)``: the model a repository object is built for
    values = [ast.unparse(a) for a in call.args if isinstance(a, (ast.Constant, ast.List, ast.Tuple, ast.Set))]
    if values:
        out["values"] = values  # ``require_staff = require_role(["doctor", "nurse"])``: a factory's literal arguments
    return out


def _has_constant(node: ast.AST, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _listener_functions(tree: ast.Module, resolve: Resolve) -> list[ast.AST]:
    """Functions registered for ``do_orm_execute``: decorated with ``@event.listens_for(X, "do_orm_execute")``
    or passed to ``event.listen(X, "do_orm_execute", fn)`` at module level or one level inside a function.
    A shallow scan: walking every node of every module would double the cost of the index."""
    functions: list[ast.AST] = []
    calls: list[ast.Call] = []

    def scan(body: list[ast.stmt], depth: int) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append(stmt)
                if depth < 2:
                    scan(stmt.body, depth + 1)
            elif isinstance(stmt, ast.ClassDef) and depth < 2:
                scan(stmt.body, depth + 1)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                calls.append(stmt.value)
            elif isinstance(stmt, (ast.If, ast.With, ast.Try)) and depth < 2:
                scan(stmt.body, depth + 1)

    scan(tree.body, 0)
    # (the recursive closure and its cell form a reference cycle that holds ``functions``, i.e. the module's
    # function trees: without this they would wait for the cyclic collector, which then runs far more often
    # and walks them, a quarter of an in-process extraction)
    del scan
    named: set[str] = set()
    for call in calls:
        if _last(resolve(call.func)) == "listen" and any(_has_constant(a, "do_orm_execute") for a in call.args):
            for a in call.args:
                if isinstance(a, ast.Name):
                    named.add(a.id)
                elif isinstance(a, ast.Attribute):
                    named.add(a.attr)
    out: list[ast.AST] = []
    for fn in functions:
        if fn.name in named:  # type: ignore[attr-defined]
            out.append(fn)
            continue
        for dec in fn.decorator_list:  # type: ignore[attr-defined]
            if isinstance(dec, ast.Call) and any(_has_constant(a, "do_orm_execute") for a in dec.args):
                out.append(fn)
                break
    return out


MODEL_ATTRIBUTES = frozenset({"model", "_model", "model_class", "model_cls", "__model__", "entity", "entity_class", "orm_model"})


def _class_name(node: Optional[ast.expr], resolve: Resolve) -> Optional[str]:
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return None
    last = node.attr if isinstance(node, ast.Attribute) else node.id
    if not last[:1].isupper() or last.isupper():
        return None  # a value or a constant, not a class
    return resolve(node)


def _repository_facts(node: ast.ClassDef, resolve: Resolve) -> tuple[Optional[str], dict[str, str]]:
    """The model a class names for its base's queries (``model = Item``, ``super().__init__(Item, db)``) and
    the classes of what its ``__init__`` keeps on ``self``."""
    model: Optional[str] = None
    held: dict[str, str] = {}
    declared = _declared_attributes(node)
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            if stmt.targets[0].id in MODEL_ATTRIBUTES:
                model = _class_name(stmt.value, resolve) or model
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            if stmt.target.id in MODEL_ATTRIBUTES:
                model = _class_name(stmt.value, resolve) or model
            elif isinstance(stmt.value, (ast.Name, ast.Attribute)):
                # ``service: ItemService = item_service``: a class attribute holding a module-level instance, read
                # as ``self.service`` by the class's methods and its subclasses' (class-based views' services)
                kind = main_type(stmt.annotation, resolve)
                if kind:
                    held.setdefault(stmt.target.id, kind)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "__init__":
            a = stmt.args
            annotated = {x.arg: x.annotation for x in a.posonlyargs + a.args + a.kwonlyargs if x.annotation is not None}
            params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
            for sub in walk_function(stmt):  # (``ast.walk``'s order; shared with the other extractors)
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "__init__":
                    base = sub.func.value
                    if isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "super":
                        given = [k.value for k in sub.keywords if k.arg in MODEL_ATTRIBUTES] + list(sub.args)
                        for g in given:
                            found = _class_name(g, resolve)
                            if found:
                                model = model or found
                                break
                    continue
                if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                    target, value, annotation = sub.targets[0], sub.value, None
                elif isinstance(sub, ast.AnnAssign) and sub.value is not None:
                    target, value, annotation = sub.target, sub.value, sub.annotation
                else:
                    continue
                if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"):
                    continue
                kind: Optional[str] = None
                if annotation is not None:
                    kind = main_type(annotation, resolve)
                elif isinstance(value, ast.Name) and value.id in annotated:
                    kind = main_type(annotated[value.id], resolve)
                elif isinstance(value, ast.Name) and value.id in params and target.attr in declared:
                    # ``__items: ItemRepository`` declared in the class body, ``self.__items = items`` from an
                    # unannotated parameter: the declaration types the attribute
                    kind = main_type(declared[target.attr], resolve)
                elif isinstance(value, ast.Call):
                    kind = _class_name(value.func, resolve)
                if target.attr in MODEL_ATTRIBUTES and not isinstance(value, ast.Call):
                    found = _class_name(value, resolve)
                    if found:
                        model = model or found  # ``self.model = Item``
                        continue
                if kind:
                    held[target.attr] = kind
    _declared_held(node, declared, resolve, held)
    return model, held


def _declared_held(node: ast.ClassDef, declared: dict[str, ast.expr], resolve: Resolve, held: dict[str, str]) -> None:
    """``account_repository: AccountRepository`` declared in the class body with no value, and assigned on ``self``
    by no method of the class (a base's ``__init__`` builds it from the annotations, a dataclass or an injector
    fills it): the declaration types ``self.account_repository``, as a type checker reads it. An attribute a method
    of the class assigns is typed by what ``__init__`` keeps, or not at all (it may hold another class)."""
    if not declared:
        return
    assigned: set[str] = set()
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in walk_function(stmt):
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target] if isinstance(sub, (ast.AnnAssign, ast.AugAssign)) else []
                for t in targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                        assigned.add(t.attr)
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "setattr" and sub.args and isinstance(sub.args[0], ast.Name) and sub.args[0].id == "self":
                    assigned.add("*")  # (``setattr(self, name, ...)``: any attribute)
    if "*" in assigned:
        return
    for name, annotation in declared.items():
        if name in held or name in assigned or name.startswith("__"):
            continue
        kind = _class_name(annotation, resolve)  # (a plain class name: no ``ClassVar[...]``, ``Optional[...]``)
        if kind:
            held[name] = kind


def _declared_attributes(node: ast.ClassDef) -> dict[str, ast.expr]:
    """The attributes a class body declares with an annotation and no value (``__items: ItemRepository``)."""
    return {
        stmt.target.id: stmt.annotation
        for stmt in node.body
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is None
    }


def _member_facts(node: ast.ClassDef, resolve: Resolve) -> dict[str, dict[str, str]]:
    """The attributes a class hands out (a unit of work's repositories): ``{attribute: {"type": declared class,
    "builds": constructed class}}``. Declared: an annotation in the class body (``bookings: IBookingRepository``)
    or a ``@property``'s return annotation. Built: ``self.<attribute> = Class(...)`` in any method (``__init__``,
    ``__aenter__``, ``__enter__``), and for a property the class it returns (``return BookingRepository(self.db)``,
    or ``return self._bookings`` where a method of the class builds ``self._bookings``). An
    attribute built as two different classes keeps no ``builds``."""
    declared: dict[str, str] = {}
    built: dict[str, set[str]] = {}
    returns: dict[str, set[str]] = {}  # property -> the classes and ``self.<attribute>`` it returns
    if not any(isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) for stmt in node.body):
        return {}  # (a model's or a schema's fields: no unit of work)
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if stmt.value is None or (isinstance(stmt.value, ast.Constant) and stmt.value.value is None):
                kind = main_type(stmt.annotation, resolve)
                if kind:
                    declared[stmt.target.id] = kind
            continue
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        made: dict[str, set[str]] = {}  # self attribute -> classes this method builds for it
        returned: set[str] = set()
        for sub in walk_function(stmt):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                target, value = sub.targets[0], sub.value
            elif isinstance(sub, ast.AnnAssign) and sub.value is not None:
                target, value = sub.target, sub.value
            elif isinstance(sub, ast.Return) and sub.value is not None:
                target, value = None, sub.value
            else:
                continue
            if isinstance(value, ast.Call):
                cls = _class_name(value.func, resolve)
                if not cls:
                    continue
                if target is None:
                    returned.add(cls)
                elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                    made.setdefault(target.attr, set()).add(cls)
            elif target is None and isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "self":
                returned.add("self." + value.attr)
        for attr, classes in made.items():
            built.setdefault(attr, set()).update(classes)
        if any(d.__class__ is ast.Name and d.id in ("property", "cached_property") for d in stmt.decorator_list):  # type: ignore[attr-defined]
            if stmt.returns is not None:
                kind = main_type(stmt.returns, resolve)
                if kind:
                    declared[stmt.name] = kind
            returns[stmt.name] = returned
    for prop, returned in returns.items():
        classes: set[str] = set()
        for r in returned:
            # (``return self._bookings``: what any method of the class builds there, ``__init__`` or the property)
            classes |= built.get(r[5:], set()) if r.startswith("self.") else {r}
        if classes:
            built.setdefault(prop, set()).update(classes)
    out: dict[str, dict[str, str]] = {}
    declared = {k: v for k, v in declared.items() if v.rpartition(".")[2][:1].isupper()}
    for attr in sorted(set(declared) | set(built)):
        entry: dict[str, str] = {}
        if attr in declared:
            entry["type"] = declared[attr]
        if len(built.get(attr, ())) == 1:
            entry["builds"] = next(iter(built[attr]))
        if entry:
            out[attr] = entry
    return out


def _held_instances(node: ast.ClassDef, resolve: Resolve, held: dict[str, str]) -> dict[str, str]:
    """What ``__init__`` keeps on ``self`` from a module-level name rather than from what it is given or
    builds: ``self.item_dao = item_dao`` (imported from the module that makes ``item_dao = ItemDAO(Item)``),
    as ``{attribute: qualified name}``; ``knowledge.repositories`` reads the instance's class off that
    module's facts. Parameters, ``self`` and names the module cannot resolve are left out."""
    out: dict[str, str] = {}
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, (ast.Name, ast.Attribute)) and stmt.targets[0].id not in held
            and stmt.targets[0].id not in MODEL_ATTRIBUTES
        ):
            # ``service = item_service`` in the class body: a class attribute holding a module-level instance
            qualified = resolve(stmt.value)
            if qualified and "." in qualified:
                out[stmt.targets[0].id] = qualified
            continue
        if not (isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "__init__"):
            continue
        a = stmt.args
        params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
        if a.vararg is not None:
            params.add(a.vararg.arg)
        if a.kwarg is not None:
            params.add(a.kwarg.arg)
        for sub in walk_kinds(stmt).get(ast.Assign, ()):
            if len(sub.targets) != 1:
                continue
            target, value = sub.targets[0], sub.value
            if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"):
                continue
            if target.attr in held or not isinstance(value, (ast.Name, ast.Attribute)):
                continue
            dotted = ast_dotted(value)
            if dotted is None or dotted.partition(".")[0] in params:
                continue
            qualified = resolve(value)
            if qualified and "." in qualified:
                out[target.attr] = qualified
    return out


_DUMPS = frozenset({"model_dump", "dict"})


def _applied(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Optional[dict[str, Any]]:
    """``applies`` facts of one function (see the module's docstring), or ``None``."""
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    params = set(names) - {"self", "cls"}
    if not params or not mentions("items"):
        return None  # (every shape below loops over ``<x>.items()``: a module that never spells it has none)
    applies: dict[str, str] = {}
    # ``data = payload.model_dump(exclude_unset=True)`` then ``for k, v in data.items(): setattr(...)``: a dump
    # of a parameter held in a local bound once (also the parameter's own name rebound to its dump)
    bound: dict[str, int] = {}
    held: dict[str, ast.expr] = {}
    locals_read = False

    def read_locals() -> None:  # (only for a function with such a loop over a local)
        for node in walk_function(fn):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in walk(t):
                        if isinstance(n, ast.Name):
                            bound[n.id] = bound.get(n.id, 0) + 1
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    held[node.targets[0].id] = node.value

    for node in walk_function(fn):
        if not isinstance(node, (ast.For, ast.AsyncFor)):
            continue
        it = node.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "items" and not it.args):
            continue
        source = it.func.value
        mode = "items"
        if isinstance(source, ast.Name) and not locals_read:
            read_locals()
            locals_read = True
        if isinstance(source, ast.Name) and bound.get(source.id) == 1 and source.id in held:
            dumped = held[source.id]
            if isinstance(dumped, ast.Call) and isinstance(dumped.func, ast.Attribute) and dumped.func.attr in _DUMPS:
                source = dumped
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr in _DUMPS:
            if any(k.arg in ("include", "exclude") for k in source.keywords):
                continue  # an allow-list, or fields kept out: read by the rule in the handler, not here
            source, mode = source.func.value, "dump"
        if not (isinstance(source, ast.Name) and source.id in params):
            continue
        target = node.target
        if not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name)):
            continue
        key = target.elts[0].id
        sets = False
        allow = False
        for sub in walk(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "setattr" and len(sub.args) == 3:
                if isinstance(sub.args[1], ast.Name) and sub.args[1].id == key:
                    sets = True
            elif isinstance(sub, (ast.If, ast.IfExp, ast.comprehension)):
                tests = sub.ifs if isinstance(sub, ast.comprehension) else [sub.test]
                for test in tests:
                    for t in walk(test):
                        if isinstance(t, ast.Compare) and any(isinstance(n, ast.Name) and n.id == key for n in [t.left, *t.comparators]):
                            allow = True  # ``if key in ALLOWED`` / ``if key != "owner_id"``
        if sets and not allow:
            applies.setdefault(source.id, mode)
    if not applies:
        return None
    # fields the function writes itself, whatever the loop set: ``row.user_id = user_id``,
    # ``data["user_id"] = ...``, ``data.pop("user_id")``, ``del data["user_id"]``
    writes: set[str] = set()
    for node in walk_function(fn):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id not in ("self", "cls"):
                    writes.add(t.attr)
                elif isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str):
                    writes.add(t.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pop" and node.args:
            if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                writes.add(node.args[0].value)
    out: dict[str, Any] = {"params": names, "applies": applies}
    if writes:
        out["writes"] = sorted(writes)
    return out


CLIENT_CARRIERS = frozenset({"headers", "query_params", "cookies"})  # (the request attributes holding what the client sent)
_CONVERSIONS = frozenset({"int", "str", "UUID", "uuid.UUID", "strip", "lower", "upper"})


def returns_client_value(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The function may return a value the client sent in a header, the query string or a cookie, read from a
    request it is handed (``workspace_id = int(request.headers.get("X-Workspace-ID"))`` ... ``return
    workspace_id``), and hands that value to no other call before (no membership check of it: only a
    conversion, ``int(...)``, ``str(...)``). What it returns is then a key the client chose, whoever else the
    function is given (``get_workspace_id(request, current_user)`` preferring the header to the user's own
    workspace)."""
    names = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}

    def carrier(node: ast.AST) -> bool:
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.Attribute) and sub.attr in CLIENT_CARRIERS
                and isinstance(sub.value, ast.Name) and sub.value.id in names
            ):
                return True
        return False

    client: set[str] = set()
    nodes = list(walk(fn))
    for _ in range(3):
        grown = False
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target, value = node.targets[0].id, node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                target, value = node.target.id, node.value
            else:
                continue
            if target in client:
                continue
            inner = value
            while isinstance(inner, ast.Call) and _last(ast_dotted(inner.func)) in _CONVERSIONS and inner.args:
                inner = inner.args[0]
            if carrier(inner) or (isinstance(inner, ast.Name) and inner.id in client):
                client.add(target)
                grown = True
        if not grown:
            break
    if not client:
        return False
    returned = False
    for node in nodes:
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name) and node.value.id in client:
            returned = True
        elif isinstance(node, ast.Call) and _last(ast_dotted(node.func)) not in _CONVERSIONS:
            if any(isinstance(a, ast.Name) and a.id in client for a in (*node.args, *(k.value for k in node.keywords))):
                return False  # handed to a check (or anything else): no claim
    return returned


_CORE_TABLE_CALLS = frozenset({"sqlalchemy.Table", "sqlalchemy.schema.Table", "sqlalchemy.sql.schema.Table"})


def core_tables(tree: ast.Module, resolve: Resolve) -> dict[str, dict[str, Any]]:
    """SQLAlchemy Core tables made at module level (``projects = Table("projects", metadata, Column("owner_id",
    UUID, ForeignKey("users.id")), ...)``), as the class facts ``extract_module`` keeps for a mapped class: the
    table's name as ``__tablename__`` and each ``Column("name", ...)`` as a field whose value is the whole
    ``Column(...)`` call (its ``ForeignKey`` and keywords read as a mapped column's). Marked ``core_table``: a
    query on ``projects`` (``select(projects).where(projects.c.owner_id == ...)``) is a query on that table, and
    ``knowledge.models`` reads it as a table model. Only a literal table name and at least one literal column."""
    out: dict[str, dict[str, Any]] = {}
    for stmt in tree.body:
        if stmt.__class__ is not ast.Assign or len(stmt.targets) != 1 or stmt.targets[0].__class__ is not ast.Name:  # type: ignore[attr-defined]
            continue
        value = stmt.value  # type: ignore[attr-defined]
        if value.__class__ is not ast.Call or not value.args:
            continue
        called = resolve(value.func) or ""
        if called not in _CORE_TABLE_CALLS and not (called == "Table" or called.endswith(".Table") and "sqlalchemy" in called):
            continue
        first = value.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        fields: dict[str, Any] = {
            "__tablename__": {"annotation": None, "annotation_qualified": None, "value": repr(first.value), "call": None, "line": stmt.lineno}
        }
        for arg in value.args[1:]:
            if not (isinstance(arg, ast.Call) and _last(resolve(arg.func)) == "Column" and arg.args):
                continue
            name = arg.args[0]
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)) or name.value.startswith("__"):
                continue
            fields[name.value] = {
                "annotation": None,
                "annotation_qualified": None,
                "value": ast.unparse(arg),
                "call": resolve(arg.func),
                "line": arg.lineno,
            }
        if len(fields) < 2:
            continue
        out[stmt.targets[0].id] = {  # type: ignore[attr-defined]
            "line": stmt.lineno,
            "bases": [],
            "bases_source": [],
            "keywords": {},
            "decorators": [],
            "fields": fields,
            "methods": [],
            "core_table": True,
        }
    return out


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    out: dict[str, Any] = {}
    declared: dict[str, list[str]] = {}
    relationships: dict[str, dict[str, str]] = {}
    aliases: dict[str, Any] = {}
    functions: dict[str, Any] = {}
    calls: dict[str, Any] = {}
    method_returns: dict[str, dict[str, Optional[str]]] = {}
    generic_args: dict[str, list[str]] = {}
    callables: dict[str, Any] = {}
    method_calls: set[str] = set()
    class_models: dict[str, str] = {}
    self_types: dict[str, dict[str, str]] = {}
    self_instances: dict[str, dict[str, str]] = {}
    entered_self: list[str] = []  # ``Class.__aenter__`` / ``Class.__enter__`` returning ``self`` on every way out
    members: dict[str, dict[str, dict[str, str]]] = {}
    appliers: dict[str, Any] = {}
    methods: dict[str, Any] = {}
    route_classes: dict[str, Any] = {}
    module_calls: list[dict[str, Any]] = []
    client_values: list[str] = []  # functions / ``Class.method`` returning a header's, query's or cookie's value
    shadowed: dict[str, Any] = {}  # ``name@line`` -> the facts of a request handler a later ``def`` replaced
    headers = mentions(*CLIENT_CARRIERS)

    def visit_class(node: ast.ClassDef) -> None:
        for sub in node.body:
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found = _applied(sub)
                if found is not None:
                    appliers[f"{node.name}.{sub.name}"] = found
        model, held = _repository_facts(node, resolve)
        if model:
            class_models[node.name] = model
        if held:
            self_types[node.name] = held
        instances = _held_instances(node, resolve, held)
        if instances:
            self_instances[node.name] = instances
        held_members = _member_facts(node, resolve)
        if held_members:
            members[node.name] = held_members
        rels: dict[str, str] = {}
        returns: dict[str, Optional[str]] = {}
        generic = [resolve(e) for b in node.bases if isinstance(b, ast.Subscript) for e in (b.slice.elts if isinstance(b.slice, ast.Tuple) else [b.slice]) if isinstance(e, (ast.Name, ast.Attribute))]
        if generic:
            generic_args[node.name] = [g for g in generic if g]
        lookups = _MemberLookups(node)
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name in ENTER_METHODS and _returns_self(stmt):
                    entered_self.append(f"{node.name}.{stmt.name}")  # ``with Cls() as v``: ``v`` is the instance
                elif stmt.name in ENTER_METHODS and _returns_base_enter(stmt):
                    entered_self.append(f"{node.name}.{stmt.name}^")  # (``return await super().__aenter__()``: the base's answer)
                if stmt.returns is not None:
                    returns[stmt.name] = main_type(stmt.returns, resolve) or _wrapped_return(stmt, resolve)
                if stmt.name == "__call__":
                    callables[node.name] = _function_facts(stmt, resolve)
                    if stmt.returns is None and _returns_self(stmt):
                        # ``return self`` on every way out (no annotation): FastAPI hands the route the instance, the
                        # class is what the dependency yields; what ``__call__`` stored on it from its typed
                        # parameters' methods is read at project level (``knowledge.auth.principals.carried_caller``)
                        callables[node.name]["returns"] = main_type(ast.Constant(node.name), resolve)
                        carried = _self_attributes_from_calls(stmt, callables[node.name]["params"])
                        if carried:
                            callables[node.name]["carries"] = carried
                else:
                    # what methods call (``method_calls``, for every method of the module) and, per method,
                    # what it calls and whether it is a request handler (``methods``): the call graph of
                    # ``knowledge.auth.claim_reach``
                    body = _body_facts(stmt, resolve, self_types.get(node.name))
                    method_calls.update(body.get("calls_out", ()))
                    entry = {k: v for k, v in body.items() if k in _REACH_KEYS}
                    entry.update(_route_facts(stmt, resolve))
                    if entry.get("route") or any(
                        d is not None and d.__class__ is ast.Call and _last(resolve(d.func)) in _MARKERS  # type: ignore[attr-defined]
                        for d in (*stmt.args.defaults, *stmt.args.kw_defaults)
                    ):
                        entry["params"] = _param_facts(stmt.args, resolve)  # a handler's dependencies
                    else:
                        entry["args"] = [a.arg for a in (*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs)][1:]
                        binding = _method_binding(stmt)
                        if binding == "static":
                            # no ``self``: a call on the class or an instance binds its positional arguments
                            # from the first parameter (``entry["first"]``, then ``args``)
                            first = (*stmt.args.posonlyargs, *stmt.args.args)
                            if first:
                                entry["first"] = first[0].arg
                                if first[0].annotation is not None and (t := main_type(first[0].annotation, resolve)):
                                    entry["first_type"] = t  # (``uow: IUnitOfWork``: not in ``arg_types``, which skips ``self``)
                            entry["binding"] = binding
                        elif binding == "class":
                            entry["binding"] = binding  # ``cls`` bound by the call: positional arguments fill ``args``
                        # the classes its parameters are annotated with (``job: JobRecord``): the rows a check
                        # method is handed (``knowledge.queries.helper_checked_tables``)
                        typed = {
                            a.arg: t for a in (*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs)[1:]
                            if a.annotation is not None and (t := main_type(a.annotation, resolve))
                        }
                        if typed:
                            entry["arg_types"] = typed
                    checked = _caller_check(stmt, lookups)
                    if checked:
                        entry["authorises"] = checked
                    returned = _self_field_returned(stmt)
                    if returned:
                        entry["returns_self"] = returned
                    held = _property_value(stmt, resolve)
                    if held:
                        entry["property"] = held
                    if stmt.name == "dispatch_request":
                        entry["dispatch"] = _dispatch_facts(stmt)
                    caller = _returned_caller(stmt, resolve) if mentions(*_CALLER_WORDS) else None
                    if caller:
                        entry["caller_return"] = caller
                    methods[f"{node.name}.{stmt.name}"] = entry
                    if headers and returns_client_value(stmt):
                        client_values.append(f"{node.name}.{stmt.name}")
                if any(_is_declared_attr(d, resolve) for d in stmt.decorator_list):
                    declared.setdefault(node.name, []).append(stmt.name)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                target = _relationship_target(stmt, resolve)
                if target:
                    rels[stmt.target.id] = target
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                target = _relationship_target(stmt, resolve)
                if target:
                    rels[stmt.targets[0].id] = target
        if rels:
            relationships[node.name] = rels
        if returns:
            method_returns[node.name] = returns
        if mentions("get_route_handler"):
            found = _route_class_facts(node)
            if found is not None:
                route_classes[node.name] = found

    def visit_alias(name: str, value: ast.expr) -> None:
        if isinstance(value, ast.Subscript):
            found = annotated_marker(value, resolve)
            if found is not None:
                entry = {"type": main_type(value, resolve)}
                entry.update(found)
                aliases[name] = entry
        elif isinstance(value, ast.Call):
            found = call_marker(value, resolve)  # ``DependsJwtAuth = Depends(HTTPBearer())``: a marker held in a name
            if found is not None:
                aliases[name] = {"type": None, **found}

    def visit_body(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                visit_class(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                earlier = functions.get(stmt.name)
                if earlier is not None and earlier.get("route"):
                    # a request handler a later ``def`` of the same name replaces in the module is still
                    # registered (the decorator ran): kept apart, by name and line (``shadowed_routes``)
                    shadowed[f"{stmt.name}@{earlier.get('line')}"] = earlier
                functions[stmt.name] = _function_facts(stmt, resolve)
                if headers and returns_client_value(stmt):
                    client_values.append(stmt.name)
                found = _applied(stmt)
                if found is not None:
                    appliers[stmt.name] = found
            elif isinstance(stmt, ast.Assign) and stmt.value is not None:
                for t in stmt.targets:
                    if isinstance(t, ast.Name):
                        visit_alias(t.id, stmt.value)
                        if isinstance(stmt.value, ast.Call):
                            calls[t.id] = _call_facts(stmt.value, resolve)
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
                visit_alias(stmt.target.id, stmt.value)
                if isinstance(stmt.value, ast.Call):
                    calls[stmt.target.id] = _call_facts(stmt.value, resolve)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                found = _module_call(stmt.value, resolve)
                if found is not None:
                    module_calls.append(found)
            elif type(stmt).__name__ == "TypeAlias":  # ``type X = Annotated[...]`` (3.12)
                name = getattr(stmt, "name", None)
                if isinstance(name, ast.Name):
                    visit_alias(name.id, stmt.value)  # type: ignore[attr-defined]
            elif isinstance(stmt, ast.If):
                visit_body(stmt.body)
                if stmt.orelse:
                    first = {name: call.get("func") for name, call in calls.items()}
                    visit_body(stmt.orelse)
                    for name, func in first.items():
                        call = calls[name]
                        if func and call.get("func") != func:
                            # ``if AUTH_ENABLED: auth0 = Auth0(...) else: auth0 = MockAuth0()``: the name is
                            # either; the other arm's callable is kept beside the last one
                            call.setdefault("alternatives", []).append(func)
            elif isinstance(stmt, ast.Try):
                visit_body(stmt.body)
                for h in stmt.handlers:
                    visit_body(h.body)
                visit_body(stmt.orelse)

    visit_body(tree.body)
    del visit_class, visit_alias, visit_body  # (they call each other: a reference cycle per module otherwise)
    # ``APIRouter(prefix="/orgs/{org_id}")`` / ``app.include_router(r, prefix="/users/{user_id}")``: path
    # parameters that a route's own path does not show
    prefixes: set[str] = set()

    def scan_prefixes(body: list[ast.stmt], depth: int) -> None:
        for stmt in body:
            value = None
            if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Expr)):
                value = stmt.value
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and depth < 1:
                scan_prefixes(stmt.body, depth + 1)
            if isinstance(value, ast.Call):
                for kw in value.keywords:
                    if kw.arg == "prefix" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str) and "{" in kw.value.value:
                        prefixes.add(kw.value.value)

    scan_prefixes(tree.body, 0)
    del scan_prefixes  # (idem)
    if mentions("AuthenticationMiddleware"):
        # ``app.add_middleware(AuthenticationMiddleware, backend=...)`` / ``Middleware(AuthenticationMiddleware,
        # ...)``: Starlette sets ``request.user`` from the project's backend (``knowledge.auth``)
        for node in walk(tree):
            if node.__class__ is ast.Call and node.args and node.args[0].__class__ in (ast.Name, ast.Attribute):  # type: ignore[attr-defined]
                if resolve(node.args[0]) in AUTH_MIDDLEWARES:  # type: ignore[attr-defined]
                    out["auth_middleware"] = True
                    break
    if prefixes:
        out["route_prefixes"] = sorted(prefixes)
    if mentions("permissions") and _spells_permissions():
        lists = _permission_lists(tree)
        if lists:
            out["permission_lists"] = lists
    if mentions("include_router"):
        # ``api.include_router(items.router, prefix="/items", dependencies=[Depends(current_user)])``: the
        # dependencies every route of the included router runs (``knowledge.auth.included_dependencies``)
        included: list[dict[str, Any]] = []
        # ``require_token_routes = APIRouter(dependencies=[Depends(verify_worker_token)])`` then
        # ``require_token_routes.include_router(worker.app_router)``: the including router's own dependencies run
        # for every route it includes, as FastAPI merges them into each route
        parents: dict[str, list[dict[str, Any]]] = {}
        for stmt in tree.body:
            if (
                stmt.__class__ is ast.Assign and len(stmt.targets) == 1 and stmt.targets[0].__class__ is ast.Name  # type: ignore[attr-defined]
                and stmt.value.__class__ is ast.Call and _last(resolve(stmt.value.func)) == "APIRouter"  # type: ignore[attr-defined]
            ):
                for k in stmt.value.keywords:  # type: ignore[attr-defined]
                    if k.arg == "dependencies" and isinstance(k.value, (ast.List, ast.Tuple)):
                        found = [m for m in (call_marker(el, resolve) for el in k.value.elts) if m is not None]
                        if found:
                            parents[stmt.targets[0].id] = found  # type: ignore[attr-defined]
        for node in walk(tree):
            if (
                node.__class__ is ast.Call and node.func.__class__ is ast.Attribute and node.func.attr == "include_router"  # type: ignore[attr-defined]
                and node.args and node.args[0].__class__ in (ast.Name, ast.Attribute)  # type: ignore[attr-defined]
            ):
                router = resolve(node.args[0]) or _unparse_name(node.args[0])  # type: ignore[attr-defined]
                deps: list[dict[str, Any]] = []
                holder = node.func.value  # type: ignore[attr-defined]
                if holder.__class__ is ast.Name and holder.id in parents:
                    deps.extend({**m, "parent": True} for m in parents[holder.id])
                for k in node.keywords:  # type: ignore[attr-defined]
                    if k.arg == "dependencies" and isinstance(k.value, (ast.List, ast.Tuple)):
                        deps.extend(m for m in (call_marker(el, resolve) for el in k.value.elts) if m is not None)
                if router and deps:
                    included.append({"router": router, "dependencies": deps})
        if included:
            out["included"] = included
    module_refs = _module_refs(tree, resolve)
    if module_refs:
        out["module_refs"] = module_refs
    criteria: list[str] = []
    for fn in _listener_functions(tree, resolve):
        for node in walk(fn):
            if isinstance(node, ast.Call) and _last(resolve(node.func)) == "with_loader_criteria" and node.args:
                target = node.args[0]
                if isinstance(target, (ast.Name, ast.Attribute)):
                    q = resolve(target)
                    if q and q not in criteria:
                        criteria.append(q)
    if mentions("Table("):
        for name, table in core_tables(tree, resolve).items():
            facts["classes"].setdefault(name, table)
    store(
        facts,
        "orm",
        out,
        declared_attrs=declared,
        relationships=relationships,
        loader_criteria=criteria,
        aliases=aliases,
        functions=functions,
        calls=calls,
        method_returns=method_returns,
        generic_args=generic_args,
        callables=callables,
        method_calls=sorted(method_calls),
        class_models=class_models,
        self_types=self_types,
        self_instances=self_instances,
        entered_self=entered_self,
        members=members,
        appliers=appliers,
        methods=methods,
        route_classes=route_classes,
        module_calls=module_calls,
        client_values=client_values,
        shadowed_routes=shadowed,
    )
