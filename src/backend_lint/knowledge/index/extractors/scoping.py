"""Index facts for the scoping columns a project uses when they are not identity fields: where a column of a
model is compared with the caller (or scopes a query by the caller), read by ``knowledge.scoping``.

Stored under ``facts["extra"]["scoping"]`` as ``{"functions": {name: {"direct": [...], "calls": [...]}},
"deciders": {name: ...}}``, keyed by the function's name (``Class.method`` for a method) so that an edit inside one
function patches its own entry (``faces/server/function_facts.py``; line numbers under ``line`` keys). Every
name is resolved with the module's own imports, nothing imported; the caller is only *spelled* here,
``knowledge.scoping`` decides with the settings which spellings are the caller's.

- ``direct``: ``{"model", "column", "who", "how", "line"}``: ``model`` a resolved dotted name (or a list of
  candidate names for a row whose model is read off its lookup), ``who`` the dotted spelling of the other side
  (``current_user.id``, ``g.user.id``, ``user_email``), ``how`` one of
  - ``predicate``: ``M.C == who`` / ``who == M.C`` on the class (a SQL expression) / ``M.C.in_(who)``, or
    ``filter_by(C=who)`` after ``select(M)`` / ``query(M)`` / ``M.query``: the query is scoped by ``C``;
  - ``compare``: ``row.C ==/!= who`` in the test of an ``if`` that exits (``raise`` / ``return`` / ``abort``)
    or in a ``return``: an access decision in Python (``row`` from a lookup of ``M`` in the same function, or a
    parameter annotated with ``M``); ``role_branch`` when it is reached only on the branch of named tenant roles
    (``_role_branches``: ``if role == "member": return card.created_by == user_id`` after ``role =
    get_user_role(user_id, organization_id)``);
  - ``method``: ``self.C ==/!= who`` in a method of the model (or of a mixin: the reader gives it to the table
    models that inherit the method and declare ``C``), or a lookup keyed by ``self.C`` and ``who`` together.
  A ``direct`` entry whose ``who`` is the key of a row the caller owns (``doctor.id`` of ``doctor = db.query(Doctor)
  .filter(Doctor.user_id == current_user.id).first()``, ``_own_rows``) carries ``via`` (that lookup: ``{"model",
  "column", "who", "line"}``) and, for ``compare``, ``row`` (the compared row's local; ``model`` may then be empty:
  a row a project helper returned).
- ``calls``: ``{"target", "model", "column", "at", "who_at", "who", "line"}``: a call handing a helper named
  for access (``check_*``, ``*_access``, ``*member*``, ``can_*``, ...; not a write: ``delete_*``) the caller
  (``who``, at ``who_at``) and a row's column (``row.C`` / ``self.C`` at ``at``) or the row itself (``column``
  ``""``); ``at`` / ``who_at`` a position or a keyword. The helper decides when its own summary says so.
- ``writes`` (in ``functions``): a caller-spelled value written into a column of a class built in the function
  (or of ``insert(M).values(C=...)``)
  (``{"model", "column", "who", "line"}``) or handed to a function (``{"target", "at", "who", "line"}``).
- ``builders``: ``{name: {"params", "builds": [[param, model, column]]}}``: a function building ``M(C=param)``.
- ``deciders``: ``{name: {"params", "rows": [[row_param, column, who_param]], "pairs": [[param, who_param]]}}``:
  a function (or ``Class.method``) comparing ``row_param.C`` with ``who_param``, or comparing / using two of its
  parameters together in one query's predicates (a membership lookup: ``UserClient.user_id == user_id,
  UserClient.client_id == client_id``).
- ``listings``: ``{name: [[who, attribute]]}``: a relationship read off a caller-named local as a returned or
  assigned value (``return current_user.notes``; ``_caller_listings``).
"""

from __future__ import annotations

import ast
from itertools import chain
from typing import Any, Optional

from ..extract import ast_dotted  # ``a.b.c`` of a Name/Attribute chain, else None
from ._common import Resolve, mentions, mentions_lowered, store, walk, walk_function, walk_kinds

PRED_CALLS = frozenset({"where", "filter", "having", "filter_by", "join", "outerjoin"})
LOOKUP_CALLS = frozenset({"get", "select", "query", "get_or_404", "first_or_404", "one_or_404", "scalar", "execute", "exec", "scalars"})
_EXITS = frozenset({"abort", "abort_with", "deny"})
_SELF = frozenset({"self", "cls"})
_NOT_CALLERS = frozenset({"db", "session", "conn", "connection", "request", "cursor", "query", "stmt"})
_NOT_ROWS = frozenset({"Any", "typing.Any", "Optional", "typing.Optional", "Session", "AsyncSession", "Request", "Response"})
# words of a spelling that may be the caller (``current_user.id``, ``g.user.id``, ``user_email``, ``actor``):
# a cheap filter here; ``knowledge.scoping`` decides with the settings
_CALLER_WORDS = ("user", "principal", "actor", "caller", "identity", "subject", "auth", "member", "account", "requester")


def _callerish(who: str) -> bool:
    found = _CALLERISH.get(who)
    if found is None:
        lowered = who.lower()
        found = _CALLERISH[who] = any(w in lowered for w in _CALLER_WORDS)
    return found


_CALLERISH: dict[str, bool] = {}
# a helper handed a row (or its column) and the caller decides access when its name says so (``check_resource_ownership``,
# ``user_has_client_access``, ``can_see_desk``, ``is_member``); a method of the row's own model need not
_WRITE_VERBS = ("delete", "remove", "create", "add", "update", "set_", "insert", "save", "log", "record", "notify", "send")
_ACCESS_WORDS = ("access", "member", "permission", "permit", "owner", "ownership", "owns", "allowed", "authori", "can_", "belong", "visible", "check", "ensure", "require", "verify", "assert")


def _dotted(node: ast.AST) -> Optional[str]:
    """``a.b.c`` for names and attributes, ``f()`` spelled ``f()`` for a call without arguments (``get_jwt_identity()``),
    through ``str()`` / ``int()`` / ``UUID()``."""
    while isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords and isinstance(node.func, ast.Name) and node.func.id in ("str", "int", "UUID"):
        node = node.args[0]
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        inner = _dotted(node.func)
        return None if inner is None else inner + "()"
    return ast_dotted(node)


def _exits(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, (ast.Raise, ast.Return)):
            return True
        if isinstance(stmt, ast.If) and _exits(stmt.body):
            # ``if current_user.username != sched.teacher_username: if not_center_head: raise``: the outer test
            # is one half of the decision the inner ``if`` exits on
            return True
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            name = stmt.value.func.attr if isinstance(stmt.value.func, ast.Attribute) else getattr(stmt.value.func, "id", "")
            if name in _EXITS:
                return True
    return False


def _column_of(node: ast.AST, rows: set[str]) -> Optional[tuple[str, str]]:
    """``row.C`` (``row`` in ``rows``) or ``getattr(row, "C")`` -> (row, C)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in rows:
        return node.value.id, node.attr
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2
        and isinstance(node.args[0], ast.Name) and node.args[0].id in rows
        and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
    ):
        return node.args[0].id, node.args[1].value
    return None


def _buckets(fn: ast.AST, look: bool) -> tuple[dict[type, list[Any]], bool]:
    """The function's nodes of ``_KINDS`` by kind (the extractors' shared ``walk_kinds``: no pass of its own), and
    (when ``look``) whether a name or attribute of it (decorators included) is ``_callerish``: every ``who``
    ``_function`` records is made of them."""
    kinds = walk_kinds(fn)
    out: dict[type, list[Any]] = {}
    for kind in _KINDS:
        nodes = kinds.get(kind)
        if nodes:
            out[kind] = nodes
    caller = not look
    if not caller:
        known = _CALLERISH
        words = chain((n.id for n in kinds.get(ast.Name, _NONE)), (n.attr for n in kinds.get(ast.Attribute, _NONE)))
        for word in words:
            found = known.get(word)
            if _callerish(word) if found is None else found:
                caller = True
                break
    return out, caller and look


_KINDS = frozenset({ast.Assign, ast.AnnAssign, ast.If, ast.Return, ast.Compare, ast.Call})
_NONE: list[Any] = []


def _row_models(fn: ast.AST, resolve: Resolve, kinds: dict[type, list[Any]]) -> dict[str, list[str]]:
    """Locals (and parameters) holding a row, with the names its lookup spells that may be its model:
    ``row = db.get(M, k)`` / ``M.get(k)`` / ``M.query.filter(...).first()`` / ``select(M)...`` ->
    ``[M]``; ``row: M`` / a parameter annotated ``M`` -> ``[M]``. The reader keeps the table models."""
    out: dict[str, list[str]] = {}
    args = getattr(fn, "args", None)
    if args is not None:
        for a in args.posonlyargs + args.args + args.kwonlyargs:
            if a.annotation is not None and isinstance(a.annotation, (ast.Name, ast.Attribute)):
                q = resolve(a.annotation)
                if q and q.rsplit(".", 1)[-1][:1].isupper() and q not in _NOT_ROWS:
                    out[a.arg] = [q]
    for node in kinds.get(ast.Assign, _NONE) + kinds.get(ast.AnnAssign, _NONE):
        target: Optional[ast.AST] = None
        value: Optional[ast.AST] = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
            if isinstance(target, ast.Name) and isinstance(node.annotation, (ast.Name, ast.Attribute)):
                q = resolve(node.annotation)
                if q and q.rsplit(".", 1)[-1][:1].isupper() and q not in _NOT_ROWS:
                    out[target.id] = [q]
                    continue
        if not isinstance(target, ast.Name) or value is None:
            continue
        if isinstance(value, ast.Await):
            value = value.value
        names: list[str] = []
        current: Any = value
        while isinstance(current, (ast.Call, ast.Attribute, ast.Subscript)):
            if isinstance(current, ast.Call):
                func = current.func
                if isinstance(func, ast.Attribute) and func.attr in LOOKUP_CALLS | {"first", "one", "one_or_none", "scalar_one_or_none", "scalar_one", "filter", "filter_by", "where"}:
                    if func.attr in ("get", "select", "query") and current.args and isinstance(current.args[0], (ast.Name, ast.Attribute)):
                        q = resolve(current.args[0])
                        if q:
                            names.append(q)
                    current = func.value
                    continue
                if isinstance(func, ast.Name) and func.id in ("select",) and current.args and isinstance(current.args[0], (ast.Name, ast.Attribute)):
                    q = resolve(current.args[0])
                    if q:
                        names.append(q)
                    break
                current = func
                continue
            if isinstance(current, ast.Attribute):
                if current.attr == "query" or (current.attr[:1].isupper() and isinstance(current.value, (ast.Name, ast.Attribute))):
                    base = current.value if current.attr == "query" else current
                    q = resolve(base)
                    if q:
                        names.append(q)
                    break
                current = current.value
                continue
            current = current.value
        if isinstance(current, ast.Name) and current.id[:1].isupper():
            q = resolve(current)
            if q:
                names.append(q)
        if names:
            out[target.id] = names
        else:
            out.pop(target.id, None)
    return out



def _params(fn: ast.AST) -> list[str]:
    a = fn.args  # type: ignore[attr-defined]
    return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]


def _dependency_params(fn: ast.AST, resolve: Resolve) -> dict[str, str]:
    """Parameters filled by a dependency (``current=Depends(get_current_user)``, ``me: Annotated[User,
    Security(current_account)]``): ``{parameter: the dependency's resolved name}``. Whether the dependency yields
    the caller is the reader's to say (``knowledge.scoping``, by the settings' ``auth-dependencies``)."""
    a = fn.args  # type: ignore[attr-defined]
    positional = a.posonlyargs + a.args
    pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults)) + list(zip(a.kwonlyargs, a.kw_defaults))
    out: dict[str, str] = {}
    for arg in positional + a.kwonlyargs:
        ann = arg.annotation
        if isinstance(ann, ast.Subscript) and isinstance(ann.slice, ast.Tuple) and (ast_dotted(ann.value) or "").endswith("Annotated"):
            pairs.extend((arg, e) for e in ann.slice.elts[1:])
    for arg, value in pairs:
        if (
            isinstance(value, ast.Call) and value.args and (ast_dotted(value.func) or "").rsplit(".", 1)[-1] in ("Depends", "Security")
            and isinstance(value.args[0], (ast.Name, ast.Attribute))
        ):
            target = resolve(value.args[0]) or ast_dotted(value.args[0])
            if target:
                out.setdefault(arg.arg, target)
    return out


def _decider(fn: ast.AST, kinds: dict[type, list[Any]], resolve: Optional[Resolve] = None) -> Optional[dict[str, Any]]:
    """What a function compares among its parameters: ``p_row.C`` with ``p_who`` (``rows``), or two parameters
    with each other or side by side in one query's predicates (``pairs``)."""
    params = _params(fn)
    names = set(params) - _SELF - _NOT_CALLERS
    if len(names) < 2:
        return None
    rows: set[tuple[str, str, str]] = set()
    pairs: set[tuple[str, str]] = set()
    for node in kinds.get(ast.Compare, _NONE) + kinds.get(ast.Call, _NONE):
        if isinstance(node, ast.Compare) and len(node.comparators) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
            left, right = node.left, node.comparators[0]
            for a, b in ((left, right), (right, left)):
                col = _column_of(a, names)
                who = _dotted(b)
                if col is not None and who is not None and who in names and who != col[0]:
                    rows.add((col[0], col[1], who))
            if isinstance(left, ast.Name) and isinstance(right, ast.Name) and left.id in names and right.id in names and left.id != right.id:
                pairs.add((left.id, right.id))
                pairs.add((right.id, left.id))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PRED_CALLS:
            used: list[str] = []
            for arg in list(node.args) + [k.value for k in node.keywords]:
                for sub in walk(arg):
                    if isinstance(sub, ast.Name) and sub.id in names and sub.id not in used:
                        used.append(sub.id)
            if len(used) > 2:
                # a membership lookup that also narrows by a role or a state (``TeamMember.team_id == team_id,
                # TeamMember.user_id == user.id, TeamMember.role.in_(roles)``): the two parameters each matched
                # with ``==`` against a column are the pair it looks up together
                used = _keyed_params(node, names)
            if len(used) == 2:
                pairs.add((used[0], used[1]))
                pairs.add((used[1], used[0]))
    forwards = _forwards(kinds, names, resolve) if resolve is not None and not rows and not pairs else []
    if not rows and not pairs and not forwards:
        return None
    out: dict[str, Any] = {"params": params, "rows": sorted(map(list, rows)), "pairs": sorted(map(list, pairs))}
    if forwards:
        out["forwards"] = forwards
    return out


def _forwards(kinds: dict[type, list[Any]], names: set[str], resolve: Resolve) -> list[list[Any]]:
    """Calls handing two or more of the function's parameters on, as they are (``role = await
    get_effective_role(db, user_id, project_id)``): ``[[target, [[at, param], ...]], ...]``, ``at`` a position or
    a keyword. A helper that decides by asking another (``check_project_member`` -> ``get_effective_role``'s
    membership lookup) decides on what it hands on (``knowledge.scoping._decided`` follows them)."""
    out: list[list[Any]] = []
    for node in kinds.get(ast.Call, _NONE):
        given: list[list[Any]] = []
        for at, value in [(i, a) for i, a in enumerate(node.args)] + [(k.arg, k.value) for k in node.keywords if k.arg]:
            if isinstance(value, ast.Name) and value.id in names and all(g[1] != value.id for g in given):
                given.append([at, value.id])
        if len(given) < 2:
            continue
        target = resolve(node.func)
        if not target or not target.rsplit(".", 1)[-1][:1].islower():
            continue
        if isinstance(node.func, ast.Attribute) and "." not in target:
            target = node.func.attr
        out.append([target, given])
    return out


def _keyed_params(call: ast.Call, names: set[str]) -> list[str]:
    """The parameters a predicate call matches with ``==`` against a column (``M.C == p`` / ``M.C == p.id``,
    either side), in order of appearance, each once."""
    out: list[str] = []
    for arg in list(call.args) + [k.value for k in call.keywords]:
        for sub in walk(arg):
            if not (isinstance(sub, ast.Compare) and len(sub.comparators) == 1 and isinstance(sub.ops[0], ast.Eq)):
                continue
            for side, other in ((sub.left, sub.comparators[0]), (sub.comparators[0], sub.left)):
                if not isinstance(other, ast.Attribute):
                    continue
                head = side.value if isinstance(side, ast.Attribute) else side
                if isinstance(head, ast.Name) and head.id in names and head.id not in out and head is not other:
                    if isinstance(side, ast.Attribute) and isinstance(other, ast.Attribute) and isinstance(other.value, ast.Name) and other.value.id in names:
                        continue  # (``a.x == b.y``: two parameters' attributes, no column)
                    out.append(head.id)
    return out


def _builds(fn: ast.AST, resolve: Resolve, kinds: dict[type, list[Any]]) -> list[list[str]]:
    """``M(..., C=p)`` with ``p`` a parameter of the function (not ``self``): ``[p, M, C]`` (``M`` a class, resolved)."""
    params = set(_params(fn)) - _SELF
    out: list[list[str]] = []
    for node in kinds.get(ast.Call, _NONE):
        if not node.keywords or not isinstance(node.func, (ast.Name, ast.Attribute)):
            continue
        for k in node.keywords:
            if k.arg and isinstance(k.value, ast.Name) and k.value.id in params:
                q = resolve(node.func)
                if not q or not q.rsplit(".", 1)[-1][:1].isupper():
                    break
                entry = [k.value.id, q, k.arg]
                if entry not in out:
                    out.append(entry)
    return out


# the heads of a spelling that reach the caller without being a parameter (``g.user.id``, ``request.state.user``,
# ``self.user``, flask-login's ``current_user``)
_SCOPE_HEADS = frozenset({"self", "g", "flask", "request", "current_user"})


def _writes(node: ast.Call, resolve: Resolve, writes: list, params: set[str]) -> None:
    """A caller-spelled value written into a column (``M(..., C=user.profile.id)``: ``{"model", "column", "who",
    "line"}``) or handed to a project function (``service.create(payload, user.profile.id)``: ``{"target",
    "at", "who", "line"}``, only a spelling through an attribute or a ``*_id`` name: the caller's identity, not
    the principal object). Only a spelling whose head is a parameter of the function or reaches the caller from
    outside (``_SCOPE_HEADS``): a local ``user = Users(...)`` built on sign-up is a new row, not who asks."""
    if not isinstance(node.func, (ast.Name, ast.Attribute)):
        return
    inserted = _inserted_model(node, resolve)
    if inserted is not None:
        # ``insert(M).values(chat_id=chat.id, user_id_=user_id)``: the row made, as ``M(...)`` would be
        for k in node.keywords:
            who = _dotted(k.value) if k.arg else None
            if who is not None and _callerish(who) and (who.split(".")[0] in params or who.split(".")[0] in _SCOPE_HEADS):
                writes.append({"model": inserted, "column": k.arg, "who": who, "line": node.lineno})
        return
    items: list[tuple[Any, ast.AST]] = [(i, a) for i, a in enumerate(node.args) if not isinstance(a, ast.Starred)]
    items += [(k.arg, k.value) for k in node.keywords if k.arg]
    found = [
        (at, who) for at, who in ((at, _dotted(v)) for at, v in items)
        if who is not None and _callerish(who) and (who.split(".")[0] in params or who.split(".")[0] in _SCOPE_HEADS)
    ]
    if not found:
        return
    target = resolve(node.func)
    if not target:
        return
    if target.rsplit(".", 1)[-1][:1].isupper():
        for at, who in found:
            if isinstance(at, str):
                writes.append({"model": target, "column": at, "who": who, "line": node.lineno})
        return
    if isinstance(node.func, ast.Attribute) and "." not in target:
        target = node.func.attr
    for at, who in found:
        if "." in who or who.endswith("_id"):
            writes.append({"target": target, "at": at, "who": who, "line": node.lineno})


def _inserted_model(node: ast.Call, resolve: Resolve) -> Optional[str]:
    """``M`` of ``insert(M).values(...)`` (a class, resolved), else ``None``."""
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr != "values" or not isinstance(func.value, ast.Call):
        return None
    inner = func.value
    name = inner.func.attr if isinstance(inner.func, ast.Attribute) else getattr(inner.func, "id", "")
    if name != "insert" or len(inner.args) != 1 or not isinstance(inner.args[0], (ast.Name, ast.Attribute)):
        return None
    q = resolve(inner.args[0])
    return q if q and q.rsplit(".", 1)[-1][:1].isupper() else None


def _function(fn: ast.AST, resolve: Resolve, owner: Optional[str], direct: list, calls: list, kinds: dict[type, list[Any]], writes: list) -> None:
    rows = _row_models(fn, resolve, kinds)
    row_names = set(rows)
    annotated = frozenset(a for a in _params(fn) if a in rows)  # (parameters typed with a class: maybe the principal)
    # locals bound from a call (``alert = get_alert_by_id(alert_id)``): a row of a model the reader may not know
    assigned = frozenset(
        n.targets[0].id for n in kinds.get(ast.Assign, _NONE)
        if len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
        and isinstance(n.value.value if isinstance(n.value, ast.Await) else n.value, ast.Call)
    )
    params = set(_params(fn))
    own = _own_rows(fn, resolve, kinds, rows)
    bound = _principal_locals(kinds, params)
    deps = _dependency_params(fn, resolve)
    first = len(direct)
    in_method = owner is not None and "self" in params
    held = _repository_rows(kinds, row_names) if in_method else {}
    if in_method:
        rows["self"] = [owner]  # type: ignore[list-item]
        row_names.add("self")
    decisions: set[int] = set()
    for node in kinds.get(ast.If, _NONE):
        if _exits(node.body):
            decisions.update(id(n) for n in walk(node.test))
    for node in kinds.get(ast.Return, _NONE):
        if node.value is not None:
            decisions.update(id(n) for n in walk(node.value))
    roles = _role_branches(fn, kinds)
    held_roles = _role_holder_nodes(fn, kinds, params)
    for node in kinds.get(ast.Compare, _NONE) + kinds.get(ast.Call, _NONE):
        at = len(direct)
        # (a comparison on a named role's branch is read whether or not it decides: it is kept as ``role_only``,
        # which says the column is no owner, ``knowledge.scoping.role_permission``)
        if isinstance(node, ast.Compare) and len(node.comparators) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)) and (id(node) in decisions or id(node) in held_roles):
            before = len(direct)
            _compare(node, rows, row_names, held, own, bound, assigned, params, deps, direct)
            if id(node) in roles:
                for entry in direct[before:]:
                    entry["role_branch"] = True
        if isinstance(node, ast.Compare) and len(node.comparators) == 1 and isinstance(node.ops[0], ast.Eq):
            # ``M.C == who`` on the class: a SQL expression (a predicate, or one kept for ``where(or_(*conditions))``)
            for a, b in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
                if isinstance(a, ast.Attribute) and isinstance(a.value, (ast.Name, ast.Attribute)) and a.value.__class__ is not ast.Call:
                    head = ast_dotted(a.value)
                    if head is None or head.split(".")[0] in row_names or not head.rsplit(".", 1)[-1][:1].isupper():
                        continue
                    model = resolve(a.value)
                    who = _dotted(b)
                    via = _via(who, own) if who is not None else None
                    dep = _by_dependency(who, deps) if who is not None else None
                    if model and who is not None and (via is not None or (_callerish(who) or who in bound or dep)) and who.split(".")[0] != head.split(".")[0]:
                        entry = {"model": model, "column": a.attr, "who": who, "how": "predicate", "line": node.lineno}
                        if dep and via is None:
                            entry["dep"] = dep
                        if via is not None:
                            entry["via"] = via
                        if via is None and _flag_chosen(node, kinds, params, annotated, who):
                            entry["optional"] = True
                        direct.append(entry)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("filter_by", "in_"):
            if node.func.attr == "filter_by":
                models = _statement_models(node.func.value, resolve)
                for k in node.keywords:
                    who = _dotted(k.value) if k.arg else None
                    via = _via(who, own) if who is not None else None
                    dep = _by_dependency(who, deps) if who is not None else None
                    if who is not None and models and (via is not None or (_callerish(who) or who in bound or dep)):
                        entry = {"model": models, "column": k.arg, "who": who, "how": "predicate", "line": node.lineno}
                        if dep and via is None:
                            entry["dep"] = dep
                        if via is not None:
                            entry["via"] = via
                        direct.append(entry)
            elif len(node.args) == 1 and isinstance(node.func.value, ast.Attribute) and isinstance(node.func.value.value, (ast.Name, ast.Attribute)):
                head = ast_dotted(node.func.value.value)
                model = resolve(node.func.value.value) if head and head.rsplit(".", 1)[-1][:1].isupper() else None
                who = _dotted(node.args[0])
                if model and who is not None and (_callerish(who) or who in bound):
                    direct.append({"model": model, "column": node.func.value.attr, "who": who, "how": "predicate", "line": node.lineno})
        if in_method and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PRED_CALLS:
            _membership(node, owner, direct)  # type: ignore[arg-type]
        if id(node) in held_roles:
            for entry in direct[at:]:
                entry["role_only"] = True
        if isinstance(node, ast.Call) and (node.args or node.keywords):
            _call(node, resolve, rows, row_names, calls, annotated, assigned)
            _writes(node, resolve, writes, params)
    if bound:
        _expand_bound(direct, first, bound)


def _compare(
    node: ast.Compare, rows: dict[str, list[str]], row_names: set[str], held: dict[str, str], own: dict[str, dict[str, Any]],
    bound: dict[str, list[str]], assigned: frozenset[str], params: set[str], deps: dict[str, str], direct: list,
) -> None:
    """The ``direct`` entries of one comparison deciding access (``row.C != who``; ``_function``)."""
    left, right = node.left, node.comparators[0]
    for a, b in ((left, right), (right, left)):
        col = _column_of(a, row_names)
        who = _dotted(b)
        via = _via(who, own) if who is not None else None
        if col is None and via is None and held:
            # ``team = await self.repo.get_by_id(team_id)`` then ``if team.leaderId == user_id: return True``:
            # a row the service's repository returned; the reader finds its model through the repository
            col = _column_of(a, set(held))
            if col is not None and who is not None and (_callerish(who) or who in bound) and who.split(".")[0] != col[0]:
                direct.append({"model": [], "column": col[1], "who": who, "how": "compare", "line": node.lineno, "repo": held[col[0]]})
            continue
        if via is not None and col is None:
            # ``str(prescription.doctor_id) != str(doctor.id)``: the row may come from a project helper
            # (``service.get_prescription_by_id(...)``), its model read by the reader off the column
            col = _column_of(_unwrapped(a), row_names | assigned)
        if col is None and via is None and who is not None and (_callerish(who) or who in bound):
            # ``current_user.institution_id != department.institution_id`` of a row a project helper
            # returned (``department = service.get_department(department_id)``): the reader finds its
            # model off the column and the local's name
            got = _column_of(_unwrapped(a), assigned - row_names - params)
            if got is not None and got[0] != who.split(".")[0] and not _callerish(got[0]) and got[1][:1].islower():
                direct.append({"model": [], "column": got[1], "who": who, "how": "compare", "line": node.lineno, "row": got[0]})
            continue
        if col is None or who is None or who.split(".")[0] == col[0]:
            continue
        dep = _by_dependency(who, deps) if via is None and col[0] != "self" else None
        if via is None and not (_callerish(who) or who in bound or dep):
            continue
        how = "method" if col[0] == "self" else "compare"
        entry = {"model": rows.get(col[0], []), "column": col[1], "who": who, "how": how, "line": node.lineno}
        if dep:
            entry["dep"] = dep
        if via is not None:
            entry["via"] = via
            entry["row"] = col[0]
        direct.append(entry)


_ROLE_OPS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)


def _role_branches(fn: ast.AST, kinds: dict[type, list[Any]]) -> set[int]:
    """The nodes reached only on the branch of named tenant roles: inside an ``if`` (or its ``else``) testing a
    role the function looked up for the caller in a tenant (``role = await self.get_user_role(user_id,
    organization_id)``; ``if role == "member": ...``), or after such an ``if`` granting outright (``if role in
    ("owner", "admin"): return True``). A comparison of a row's column with the caller there is a permission
    some roles need and others skip, inside the tenant the role lookup checked: no owner of the row."""
    roles = _role_locals(kinds)
    if not roles:
        return set()
    out: set[int] = set()
    for node in kinds.get(ast.If, _NONE):
        if _role_test(node.test, roles):
            out.update(id(n) for stmt in node.body + node.orelse for n in walk(stmt))
    out |= _after_ifs(fn, lambda stmt: _role_test(stmt.test, roles) and _grants(stmt.body))
    return out


def _after_ifs(fn: ast.AST, taken: Any) -> set[int]:
    """The nodes of the statements that follow, in the same block, an ``if`` statement ``taken`` holds for."""
    out: set[int] = set()
    for holder in walk_function(fn):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(holder, field, None)
            if not isinstance(stmts, list):
                continue
            for i, stmt in enumerate(stmts):
                if isinstance(stmt, ast.If) and taken(stmt):
                    out.update(id(n) for later in stmts[i + 1:] for n in walk(later))
    return out


def _role_holder_nodes(fn: ast.AST, kinds: dict[type, list[Any]], params: set[str]) -> set[int]:
    """The nodes reached only when the caller holds a named role: inside an ``if`` whose test requires one
    (``if is_doctor and not is_admin:``, ``if role == "member":``, ``if _is_doctor(roles):``) or beside such a
    requirement in the same ``and`` (``if is_doctor and row.doctor_user_id != me: raise``), or after an ``if``
    refusing whoever lacks it (``if not _is_doctor(roles): raise``). The roles are the caller's, looked up
    (``roles = get_user_role_names(db, ctx.user, ...)``, ``roles = _get_roles(db, ctx)``) or handed in
    (``roles: set[str]``); a flag bound to such a test counts as the test (``is_doctor = "DOCTOR" in roles``).
    A comparison of a row's column with the caller there narrows what that role sees (the doctor assigned to an
    appointment), while other roles of the same tenant see every row: the column relates the row to a role's
    holder, it does not own it. A test that only excludes a role (``if not is_admin:``, ``role != "admin"``)
    narrows everyone else and is no such branch."""
    roles = _role_locals(kinds) | _role_named_locals(kinds, params)
    if not roles:
        return set()
    flags: set[str] = set()
    for node in kinds.get(ast.Assign, _NONE):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and _requires_role(node.value, roles, flags):
            flags.add(node.targets[0].id)
    out: set[int] = set()
    for node in kinds.get(ast.If, _NONE):
        if _requires_role(node.test, roles, flags):
            out.update(id(n) for stmt in node.body for n in walk(stmt))
            if isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.And):
                out.update(id(n) for n in walk(node.test))
    out |= _after_ifs(fn, lambda stmt: (
        not stmt.orelse and isinstance(stmt.test, ast.UnaryOp) and isinstance(stmt.test.op, ast.Not)
        and _requires_role(stmt.test.operand, roles, flags) and _exits(stmt.body)
    ))
    return out


_ROLE_WORDS = frozenset({"role", "roles"})


def _role_named_locals(kinds: dict[type, list[Any]], params: set[str]) -> set[str]:
    """Locals and parameters named as roles (``user_roles``, ``role_names``, ``roles``): locals bound from a call
    (``_get_roles(db, ctx)``, ``set(get_roles(...))``), parameters named for several roles (``roles: set[str]``
    handed in by the caller; a parameter ``role`` may be a filter the client chose, ``?role=assignee``)."""
    out = {p for p in params if "roles" in p.lower().split("_")}
    for node in kinds.get(ast.Assign, _NONE):
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            continue
        name = node.targets[0].id
        if not _ROLE_WORDS & set(name.lower().split("_")):
            continue
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("set", "list", "frozenset", "tuple") and value.args:
            value = value.args[0]
            value = value.value if isinstance(value, ast.Await) else value
        if isinstance(value, ast.Call) and (value.args or value.keywords):
            out.add(name)
    return out


def _requires_role(test: ast.AST, roles: set[str], flags: set[str]) -> bool:
    """Whether a test holds only for a caller with a named role: ``"DOCTOR" in roles``, ``role == "member"``, a
    flag bound to one, ``_is_doctor(roles)``; an ``and`` with one of them, an ``or`` of them only."""
    if isinstance(test, ast.BoolOp):
        found = [_requires_role(v, roles, flags) for v in test.values]
        return any(found) if isinstance(test.op, ast.And) else all(found)
    if isinstance(test, ast.Name):
        return test.id in flags
    if isinstance(test, ast.Call):
        name = test.func.attr if isinstance(test.func, ast.Attribute) else getattr(test.func, "id", "")
        words = name.lower().strip("_").split("_")
        if words[0] in ("is", "has") and len(words) > 1:
            return any(isinstance(a, ast.Name) and a.id in roles for a in test.args)
        return False
    return isinstance(test, ast.Compare) and isinstance(test.ops[0], (ast.Eq, ast.In)) and _role_compare(test, roles)


def _role_locals(kinds: dict[type, list[Any]]) -> set[str]:
    """Locals bound to a call handed the caller and a second key (``get_user_role(user_id, organization_id)``,
    ``get_membership(db, current_user.id, org_id)``): the caller's role (or membership) in that tenant. A role
    read off the principal (``current_user.role``) is no such lookup."""
    out: set[str] = set()
    for node in kinds.get(ast.Assign, _NONE):
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) or not isinstance(value, ast.Call):
            continue
        spelled = [_dotted(a) for a in list(value.args) + [k.value for k in value.keywords]]
        keys = [w for w in spelled if w is not None and w.split(".")[0] not in _NOT_CALLERS]
        if any(_callerish(w) for w in keys) and any(not _callerish(w) for w in keys):
            out.add(node.targets[0].id)
    return out


def _role_test(test: ast.AST, roles: set[str]) -> bool:
    """``role == "member"``, ``role in ("owner", "admin")``, ``member.role != Role.VIEWER``: a role local (or an
    attribute of it) compared with named roles."""
    return any(isinstance(node, ast.Compare) and isinstance(node.ops[0], _ROLE_OPS) and _role_compare(node, roles) for node in walk(test))


def _role_compare(node: ast.Compare, roles: set[str]) -> bool:
    """One side a role local (or an attribute of it), the other named roles."""
    if len(node.comparators) != 1:
        return False
    sides = (node.left, node.comparators[0])
    for a, b in (sides, sides[::-1]):
        head = a.value if isinstance(a, ast.Attribute) else a
        if isinstance(head, ast.Name) and head.id in roles and _named_roles(b):
            return True
    return False


def _named_roles(node: ast.AST) -> bool:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(_named_roles(e) for e in node.elts)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    dotted = ast_dotted(node) if isinstance(node, ast.Attribute) else None
    return dotted is not None and dotted.split(".")[-2][:1].isupper()


def _grants(body: list[ast.stmt]) -> bool:
    """``return True``: the roles tested pass outright."""
    return len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Constant) and body[0].value.value is True


def _takes_dependency(fn: ast.AST) -> bool:
    """A parameter filled by ``Depends(f)`` / ``Security(f)`` that is no database handle or request
    (``ctx=Depends(get_tenant_context)``, not ``db=Depends(get_db)``)."""
    a = fn.args  # type: ignore[attr-defined]
    positional = a.posonlyargs + a.args
    pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults)) + list(zip(a.kwonlyargs, a.kw_defaults))
    return any(
        isinstance(value, ast.Call) and (ast_dotted(value.func) or "").rsplit(".", 1)[-1] in ("Depends", "Security")
        and arg.arg not in _NOT_CALLERS
        for arg, value in pairs
    )


def _by_dependency(who: str, deps: dict[str, str]) -> Optional[str]:
    """The dependency filling the parameter ``who`` is spelled from (``current.id`` of ``current=Depends(...)``;
    ``ctx.tenant.id``, one attribute of what it yields deeper). Kept for a spelling with a caller word too
    (``ctx.member.id``): the reader's caller words are fewer than ``_callerish``'s, and the dependency decides."""
    head, _, rest = who.partition(".")
    if head not in deps or rest.count(".") > 1:
        return None
    return deps[head]


def _principal_locals(kinds: dict[type, list[Any]], params: set[str]) -> dict[str, list[str]]:
    """Locals bound once, to attributes of what may be the caller or to a choice among them (``user_center =
    current_user.center_username or current_user.username``, ``owner = user.org_id if user.org_id else
    user.id``): ``{local: [spellings]}``. Compared with a row's column, the local stands for each of them."""
    counts: dict[str, int] = {}
    values: dict[str, ast.AST] = {}
    for node in kinds.get(ast.Assign, _NONE):
        for target in node.targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
                values[target.id] = node.value
    for node in kinds.get(ast.AnnAssign, _NONE) + kinds.get(ast.AugAssign, _NONE):
        if isinstance(node.target, ast.Name):
            counts[node.target.id] = counts.get(node.target.id, 0) + 2
    out: dict[str, list[str]] = {}
    for name, value in values.items():
        if counts.get(name) != 1 or name in params:
            continue
        spellings = _alternatives(value)
        if spellings and all("." in w and _callerish(w) for w in spellings):
            out[name] = spellings
    return out


def _alternatives(node: ast.AST) -> list[str]:
    """The attribute spellings a value is one of (``a.x or a.y``, ``a.x if t else a.y``, ``a.x``); none when
    any part is something else (a call, a constant)."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        parts = [_alternatives(v) for v in node.values]
    elif isinstance(node, ast.IfExp):
        parts = [_alternatives(node.body), _alternatives(node.orelse)]
    elif isinstance(node, ast.Attribute):
        dotted = ast_dotted(node)
        return [dotted] if dotted is not None else []
    else:
        return []
    if not all(parts):
        return []
    out: list[str] = []
    for p in parts:
        out.extend(w for w in p if w not in out)
    return out


def _expand_bound(direct: list, first: int, bound: dict[str, list[str]]) -> None:
    """The ``compare`` entries (from ``first`` on: ``row.C != local`` deciding access) whose ``who`` is a local
    bound to the caller's attributes, one per attribute it may hold (``_principal_locals``), each with
    ``local`` naming it."""
    out: list = []
    for entry in direct[first:]:
        # (an access decision only: a listing's ``filter_by(department_id=dept_id)`` is no owner check)
        spellings = bound.get(entry.get("who", "")) if entry.get("how") == "compare" else None
        if not spellings:
            out.append(entry)
            continue
        for w in spellings:
            out.append({**entry, "who": w, "local": entry["who"]})
    direct[first:] = out


def _flag_chosen(pred: ast.AST, kinds: dict[type, list[Any]], params: set[str], annotated: frozenset[str], who: str) -> bool:
    """The predicate is one choice of an ``if`` / ``elif`` chain steered by a value the client sends, and the
    other choice narrows nothing: a test reading a parameter that is no caller (``view == "global"``, ``mine``)
    whose other branch has no predicate call at all (``if view == "global": pass`` / ``elif ...:
    filter(M.C == current_user.C)``; ``if mine: filter(...)`` with no ``else``). The query lists without it
    whenever the client asks: a browse filter, no owner of the rows. A chain whose other branch scopes the
    query some other way (``else: query.where(or_(*access_conditions))``) keeps the predicate as evidence."""
    head = who.split(".")[0]

    def flag(test: ast.AST) -> bool:
        for n in walk(test):
            if isinstance(n, ast.Name) and n.id in params and n.id != head and n.id not in annotated and not _callerish(n.id):
                return True
        return False

    def narrows(stmts: list[ast.stmt]) -> bool:
        return any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in PRED_CALLS
            for b in stmts for n in walk(b)
        )

    for node in kinds.get(ast.If, _NONE):
        in_body = any(n is pred for b in node.body for n in walk(b))
        in_else = not in_body and any(n is pred for b in node.orelse for n in walk(b))
        if not (in_body or in_else) or not flag(node.test):
            continue
        if not narrows(node.orelse if in_body else node.body):
            return True
    return False


def _repository_rows(kinds: dict[type, list[Any]], row_names: set[str]) -> dict[str, str]:
    """Locals of a method bound once from a call on one of ``self``'s attributes (``team = await
    self.repo.get_by_id(team_id)``) and not read off a lookup already: ``{local: attribute}``."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for n in kinds.get(ast.Assign, _NONE):
        if len(n.targets) != 1 or not isinstance(n.targets[0], ast.Name):
            continue
        name = n.targets[0].id
        value = n.value.value if isinstance(n.value, ast.Await) else n.value
        if name in seen or name in row_names:
            out.pop(name, None)
            seen.add(name)
            continue
        seen.add(name)
        if (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Attribute) and isinstance(value.func.value.value, ast.Name)
            and value.func.value.value.id == "self"
        ):
            out[name] = value.func.value.attr
    return out


def _unwrapped(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords and isinstance(node.func, ast.Name) and node.func.id in ("str", "int", "UUID"):
        node = node.args[0]
    return node


def _via(who: str, own: dict[str, dict[str, Any]]) -> Optional[dict[str, Any]]:
    """``who`` is the key of a row the caller owns (``doctor.id`` of ``doctor = db.query(Doctor).filter(
    Doctor.user_id == current_user.id).first()``): that row's lookup (``{"model", "column", "who", "line"}``)."""
    parts = who.split(".")
    if len(parts) != 2 or parts[1] not in _OWN_ROW_KEYS:
        return None
    return own.get(parts[0])


# the attributes of a row that are its own key (``doctor.id``)
_OWN_ROW_KEYS = frozenset({"id", "uuid", "pk"})


def _selected(value: ast.AST, resolve: Resolve) -> list[str]:
    """The models a statement handed to the session selects (``await db.scalar(select(M).where(...))``)."""
    out: list[str] = []
    for sub in walk(value):
        if isinstance(sub, ast.Call) and sub.args and isinstance(sub.args[0], (ast.Name, ast.Attribute)):
            name = sub.func.attr if isinstance(sub.func, ast.Attribute) else getattr(sub.func, "id", "")
            if name in ("select", "query"):
                q = resolve(sub.args[0])
                if q and q.rsplit(".", 1)[-1][:1].isupper():
                    out.append(q)
    return out


def _own_rows(fn: ast.AST, resolve: Resolve, kinds: dict[type, list[Any]], rows: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Locals holding a row the caller owns: bound once in the function, by a lookup of one model ``M`` whose
    predicates compare ``M.C`` with a caller-spelled value (``doctor = db.query(Doctor).filter(Doctor.user_id ==
    current_user.id).first()``, ``select(M).where(M.C == user.id)``, ``filter_by(C=current_user.id)``):
    ``{local: {"model", "column", "who", "line"}}``. A local bound more than once, or a lookup whose predicates
    also name another value, is no such row (``User.id == member_id``: a row the client chose)."""
    bound: dict[str, int] = {}
    for node in kinds.get(ast.Assign, _NONE) + kinds.get(ast.AnnAssign, _NONE):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            for sub in walk(t):
                if isinstance(sub, ast.Name):
                    bound[sub.id] = bound.get(sub.id, 0) + 1
    out: dict[str, dict[str, Any]] = {}
    for node in kinds.get(ast.Assign, _NONE):
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            continue
        local = node.targets[0].id
        models = rows.get(local) or _selected(node.value, resolve)
        if bound.get(local) != 1 or not models or len(set(models)) != 1 or _callerish(local):
            continue
        model = models[0]
        found: list[tuple[str, str]] = []
        other = False
        for sub in walk(node.value):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in ("where", "filter", "filter_by"):
                for k in sub.keywords:
                    who = _dotted(k.value) if k.arg else None
                    if who is not None and _callerish(who):
                        found.append((k.arg, who))  # type: ignore[arg-type]
                    else:
                        other = True
                for arg in sub.args:
                    for cmp in walk(arg):
                        if not isinstance(cmp, ast.Compare) or len(cmp.comparators) != 1:
                            continue
                        if not isinstance(cmp.ops[0], ast.Eq):
                            other = True
                            continue
                        for a, b in ((cmp.left, cmp.comparators[0]), (cmp.comparators[0], cmp.left)):
                            if isinstance(a, ast.Attribute) and isinstance(a.value, (ast.Name, ast.Attribute)) and resolve(a.value) == model:
                                who = _dotted(b)
                                if who is not None and _callerish(who):
                                    found.append((a.attr, who))
                                else:
                                    other = other or not isinstance(b, ast.Constant)
                                break
        if len(found) == 1 and not other:
            out[local] = {"model": model, "column": found[0][0], "who": found[0][1], "line": node.lineno}
    return out


def _membership(node: ast.Call, owner: str, direct: list) -> None:
    """In a method of ``owner``: a lookup keyed by ``self.C`` and the caller together (``filter_by(pantry_id=
    self.pantry_id, user_id=user_id)``, ``where(M.pantry_id == self.pantry_id, M.user_id == user.id)``): a
    membership of the caller in the object's ``C`` decides."""
    values = [k.value for k in node.keywords if k.arg] + list(node.args)
    columns: list[str] = []
    whos: list[str] = []
    for value in values:
        for sub in walk(value):
            sides = [sub] if sub is value and not isinstance(sub, ast.Compare) else (
                [sub.left, *sub.comparators] if isinstance(sub, ast.Compare) else []
            )
            for side in sides:
                if isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name) and side.value.id == "self":
                    columns.append(side.attr)
                else:
                    who = _dotted(side)
                    if who is not None and not who.startswith("self.") and who[:1].islower() and _callerish(who):
                        whos.append(who)
    for column in columns:
        for who in whos:
            direct.append({"model": owner, "column": column, "who": who, "how": "method", "line": node.lineno})


def _statement_models(node: ast.AST, resolve: Resolve) -> list[str]:
    """The model of ``select(M)...`` / ``x.query(M)...`` / ``M.query...`` a ``filter_by`` is chained on."""
    current: Any = node
    while True:
        if isinstance(current, ast.Call):
            func = current.func
            if (isinstance(func, ast.Name) and func.id == "select") or (isinstance(func, ast.Attribute) and func.attr in ("query", "select")):
                if current.args and isinstance(current.args[0], (ast.Name, ast.Attribute)):
                    q = resolve(current.args[0])
                    return [q] if q else []
                return []
            current = func.value if isinstance(func, ast.Attribute) else None
        elif isinstance(current, ast.Attribute):
            if current.attr == "query":
                q = resolve(current.value)
                return [q] if q else []
            current = current.value
        else:
            return []


def _call(
    node: ast.Call, resolve: Resolve, rows: dict[str, list[str]], row_names: set[str], calls: list, annotated: frozenset[str], assigned: frozenset[str]
) -> None:
    given: list[tuple[Any, str, str]] = []  # (at, row, column or "")
    others: list[tuple[Any, str]] = []  # (at, spelling)
    items: list[tuple[Any, ast.AST]] = [(i, a) for i, a in enumerate(node.args) if not isinstance(a, ast.Starred)]
    items += [(k.arg, k.value) for k in node.keywords if k.arg]
    if len(items) < 2:
        return
    spelled = [_dotted(v.value if isinstance(v, ast.Await) else v) for _, v in items]
    if not any(w is not None and _callerish(w) for w in spelled):
        return  # (no argument may be the caller: most calls)
    for at, value in items:
        if isinstance(value, ast.Await):
            value = value.value
        parts = value.values if isinstance(value, ast.BoolOp) else [value]  # ``household_id or self.household_id``
        row_part: Optional[tuple[str, str]] = None
        for part in parts:
            head = part.value if isinstance(part, ast.Attribute) else part
            if isinstance(head, ast.Name) and head.id in annotated and _callerish(head.id):
                continue  # ``user.id`` of a ``user: CurrentUser`` parameter: the caller, not a row
            col = _column_of(part, row_names)
            if col is not None:
                row_part = col
                break
            if isinstance(part, ast.Name) and part.id in row_names and part.id != "self":
                row_part = (part.id, "")
                break
            if (
                isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id in assigned
                and part.attr[:1].islower() and not _callerish(part.value.id)
            ):
                row_part = (part.value.id, part.attr)  # ``alert.alert_customer_id`` of a row read by a project helper
                break
        if row_part is not None:
            given.append((at, row_part[0], row_part[1]))
            continue
        who = _dotted(value)
        if who is not None and _callerish(who):
            others.append((at, who))
    if not given or not others:
        return
    target = resolve(node.func)
    if not target or not target.rsplit(".", 1)[-1][:1].islower():
        return  # (a class built from the row: no decision)
    if isinstance(node.func, ast.Attribute):
        target = target if "." in target else node.func.attr
    bare = target.rsplit(".", 1)[-1].lower()
    for at, row, column in given:
        if row != "self" and (not any(w in bare for w in _ACCESS_WORDS) or bare.startswith(_WRITE_VERBS)):
            continue  # (``has_user_voted_for_section(user.id, lst.section_id)``: a lookup, not an access decision)
        for who_at, who in others:
            entry = {"target": target, "model": rows.get(row, []), "column": column, "at": at, "who_at": who_at, "who": who, "line": node.lineno}
            if not entry["model"]:
                entry["row"] = row  # (a row whose lookup the reader cannot read: its local's name may name its model)
            calls.append(entry)


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    if not mentions("==", "!=", "filter_by", "in_(", "(") or not mentions("def "):
        return
    functions: dict[str, Any] = {}
    deciders: dict[str, Any] = {}
    builders: dict[str, Any] = {}
    listings: dict[str, Any] = {}
    # every ``direct`` and ``calls`` entry has a ``who`` that ``_callerish`` accepts: an identifier of the text
    # holding one of ``_CALLER_WORDS`` in lower case (1,580 of the default bench group's 2,413 modules hold none)
    callerish = mentions_lowered(*_CALLER_WORDS)
    # (a function handed a context object by a dependency, ``ctx: TenantContext = Depends(get_tenant_context)``,
    # spells the caller through it, ``ctx.tenant.id``: the reader decides by the dependency, ``_by_dependency``)
    depends = mentions("Depends(", "Security(")

    def one(fn: ast.AST, key: str, owner: Optional[str]) -> None:
        direct: list[Any] = []
        calls: list[Any] = []
        writes: list[Any] = []
        kinds, caller = _buckets(fn, callerish)
        if caller or (depends and _takes_dependency(fn)):
            _function(fn, resolve, owner, direct, calls, kinds, writes)
        if caller:
            listed = _caller_listings(kinds)
            if listed:
                listings[key] = listed
        if direct or calls or writes:
            functions[key] = {k: v for k, v in (("direct", direct), ("calls", calls), ("writes", writes)) if v}
        found = _decider(fn, kinds, resolve)
        if found is not None:
            deciders[key] = found
        built = _builds(fn, resolve, kinds)
        if built:
            builders[key] = {"params": _params(fn), "builds": built}

    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            one(stmt, stmt.name, None)
        elif isinstance(stmt, ast.ClassDef):
            owner = resolve(ast.Name(id=stmt.name, ctx=ast.Load()))
            for sub in stmt.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    one(sub, f"{stmt.name}.{sub.name}", owner)
    del one  # (the closure's cycle would hold the module's trees until the cyclic collector runs)
    store(facts, "scoping", {}, functions=functions, deciders=deciders, builders=builders, listings=listings)


def _caller_listings(kinds: dict[type, list[Any]]) -> list[list[str]]:
    """``[[who, attribute]]``: a relationship read off a caller-named local as the function's answer or value
    (``return user.notes``, ``notes = current_user.notes``): the rows listed through the caller
    (``knowledge.creators.caller_constrained``)."""
    out: list[list[str]] = []
    values = [n.value for n in kinds.get(ast.Return, _NONE)] + [n.value for n in kinds.get(ast.Assign, _NONE)]
    for value in values:
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and _callerish(value.value.id):
            pair = [value.value.id, value.attr]
            if not value.attr.startswith("_") and not value.attr.endswith("id") and pair not in out:
                out.append(pair)
    return out
