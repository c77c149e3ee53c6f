"""Readers of libcst expressions and statements that the analysis shares: raw SQL scoping, tested calls, flags set
under tests, value paths (``row.owner.id``), refusing ``if`` blocks, account-name and permission-constant tests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Sequence

from ...ground.lazy import lazy_import
from ..cst import bound_names, iter_children, walk as cst_walk
from ..imports import dotted_name, last_segment
from ..models import is_table_model
from ..words import ONE_ROW_READS

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


_SQL_COLUMN = r"""(?:[A-Za-z_]\w*\.)?"?([A-Za-z_]\w*)"?"""
_SQL_BIND = r"""['"]?:([A-Za-z_]\w*)"""
_SQL_COMPARED = re.compile(_SQL_COLUMN + r"\s*(?:==?|\bIN\b|=\s*ANY)\s*\(?\s*" + _SQL_BIND, re.IGNORECASE)
_SQL_COMPARED_REVERSED = re.compile(_SQL_BIND + r"""['"]?\s*=\s*""" + _SQL_COLUMN, re.IGNORECASE)
_SQL_IS_NULL = re.compile(_SQL_COLUMN + r"\s+IS\s+NULL\b", re.IGNORECASE)
_SQL_NO_ROW = re.compile(r"\s*\(?\s*1\s*=\s*0\s*\)?\s*")


def _sql_scopes(sql: str, identity_fields: frozenset[str], derived_binds: Iterable[str]) -> bool:
    """Whether a SQL condition holds an owner predicate (see ``_Analyzer.sql_string``)."""
    if not sql or ":" not in sql and "null" not in sql.lower():
        return bool(sql) and _SQL_NO_ROW.fullmatch(sql) is not None
    binds = set(derived_binds)
    for m in _SQL_COMPARED.finditer(sql):
        if m.group(1) in identity_fields or m.group(2) in binds:
            return True
    for m in _SQL_COMPARED_REVERSED.finditer(sql):
        if m.group(2) in identity_fields or m.group(1) in binds:
            return True
    return any(m.group(1) in identity_fields for m in _SQL_IS_NULL.finditer(sql))


DIGEST_CALLS = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s", "md5", "hexdigest", "digest"})


def _db_handle(expr: cst.BaseExpression) -> bool:
    """``session`` / ``db`` / ``conn`` handed to a helper: a handle, never a value the principal verifies
    (``session_id``, the key of a sync or chat session row, is a key, not a handle)."""
    return isinstance(expr, cst.Name) and session_handle_name(expr.value)


def session_handle_name(name: str) -> bool:
    """A name of a database handle (``db``, ``conn``, ``session``, ``db_session``), not of a row's key
    (``session_id``): ``_db_handle``'s reading of a name, also for the index's parameter facts."""
    return name in ("db", "conn", "connection") or ("session" in name and not _key_name(name))


def _key_name(name: str) -> bool:
    """``session_id`` / ``chat_session_ids`` / ``sessionId`` / ``session_uuid`` / ``session_key``: a name that
    holds a row's key, whatever the row."""
    lowered = name.lower()
    return lowered.endswith(("id", "ids", "_uuid", "_key", "_pk"))


def _store_class(project: "ProjectIndex", qualified: str) -> Optional[str]:
    """The project class named ``qualified`` when it is no table model (a store, a repository, a service)."""
    found = project.get_class(qualified)
    return found[0] if found is not None and not is_table_model(project, found[0]) else None


def _digest_call(name: str) -> bool:
    """``get_token_hash(code)``, ``hash_token(raw)``, ``hashlib.sha256(...)``: a function that digests a secret."""
    lowered = name.lower()
    words = lowered.split("_")
    return lowered in DIGEST_CALLS or any(w in ("hash", "hashed", "digest", "hmac") for w in words) or lowered.startswith("hash")


def _tested_calls(test: cst.BaseExpression) -> Iterator[int]:
    """The calls whose verdict an ``if`` test reads: ``f(...)``, ``not f(...)``, ``await f(...)``, joined by
    ``and`` / ``or``, or compared with ``True`` / ``False`` / ``None``."""
    return (call for call, _ in tested_calls_signed(test))


def tested_calls_signed(test: cst.BaseExpression) -> Iterator[tuple[int, bool]]:
    """``_tested_calls``, each with its polarity: ``True`` when the test holds where the call answers yes (``f(...)``,
    ``f(...) is not None``), ``False`` where it answers no (``not f(...)``, ``f(...) is None``, ``== False``)."""
    stack: list[tuple[cst.BaseExpression, bool]] = [(test, True)]
    while stack:
        node, positive = stack.pop()
        if isinstance(node, cst.BooleanOperation):
            stack.extend(((node.left, positive), (node.right, positive)))
        elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            stack.append((node.expression, not positive))
        elif isinstance(node, cst.Await):
            stack.append((node.expression, positive))
        elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            other = node.comparisons[0].comparator
            if isinstance(other, cst.Name) and other.value in ("True", "False", "None"):
                stack.append((node.left, positive == answer_holds(node.comparisons[0])))
        elif isinstance(node, cst.Call):
            yield id(node), positive


def answer_holds(target: cst.ComparisonTarget) -> bool:
    """Whether a comparison of an answer with ``True`` / ``False`` / ``None`` holds where the answer is yes (``is not
    None``, ``== True``, ``!= False``), not where it is no (``is None``, ``== False``, ``is not True``); a membership
    test holds where the value is among the others (``in``) or, negated (``not in``), where it is not."""
    op, other = target.operator, target.comparator
    if isinstance(op, (cst.In, cst.NotIn)):
        return isinstance(op, cst.In)
    negated = isinstance(op, (cst.NotEqual, cst.IsNot))
    yes = isinstance(other, cst.Name) and other.value == "True"
    return yes != negated


_RIGHTS_WORDS = ("right", "permission", "role", "access", "allowed", "member", "can_", "authoriz", "authoris", "privilege")


def _rights_name(name: str) -> bool:
    """``_get_user_rights``, ``get_permissions``, ``user_roles_in``: a function named for what the caller may do."""
    lowered = name.lower()
    return any(w in lowered for w in _RIGHTS_WORDS)


def _calls_helper(expr: cst.BaseExpression) -> bool:
    """A column expression that calls a function by name (``visible_to(user)``, ``f(user).label("x")``)."""
    for node in _walk_expr(expr):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            return True
    return False


def _flag_assignments(stmt: cst.If) -> tuple[str, ...]:
    """The names an ``if`` (and its ``else``) only sets to constants (``is_owner = False``): a flag the test
    decides, read later; ``()`` when a branch does anything else."""
    names: list[str] = []
    blocks = [stmt.body] + ([stmt.orelse.body] if isinstance(stmt.orelse, cst.Else) else [])
    if stmt.orelse is not None and not isinstance(stmt.orelse, cst.Else):
        return ()
    for block in blocks:
        lines = block.body if isinstance(block, cst.IndentedBlock) else [block]
        for line in lines:
            if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                return ()
            for small in line.body:
                if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
                    return ()
                value = small.value
                if not (
                    (isinstance(value, cst.Name) and value.value in ("True", "False", "None"))
                    or isinstance(value, (cst.Integer, cst.SimpleString))
                ):
                    return ()
                names.append(small.targets[0].target.value)
    return tuple(dict.fromkeys(names))


def _owner_branch_flags(stmt: cst.If) -> tuple[str, ...]:
    """``if workspace.owner_id == user.id: has_access = True`` / ``else: <membership lookup, has_access = True when
    found>``: the names the ``if``'s own body only sets to ``True`` (or to a role's name: ``effective_role =
    "owner"``, refused later while it is ``None``) when its test holds, whatever the ``else`` does (another way to
    the same flag): the test decides through the flag, read later. ``()`` otherwise."""
    lines = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else [stmt.body]
    names: list[str] = []
    for line in lines:
        if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return ()
        for small in line.body:
            if isinstance(small, cst.Pass):
                continue
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
                return ()
            if not ((isinstance(small.value, cst.Name) and small.value.value == "True") or _role_string(small.value)):
                return ()
            names.append(small.targets[0].target.value)
    return tuple(dict.fromkeys(names))


def _role_string(value: cst.BaseExpression) -> bool:
    """``effective_role = "owner"``: a non-empty string constant set as a grant (the flag is later refused when it
    is still ``None``)."""
    return isinstance(value, cst.SimpleString) and len(value.evaluated_value or "") > 0


def _constant_condition(test: cst.BaseExpression) -> Optional[tuple[str, bool]]:
    """``role == "owner"`` / ``role in ("owner", "admin")`` -> ("role", True): where the test holds, the value is
    there (equal to a non-empty constant); ``role != "owner"`` / ``role not in (...)`` -> ("role", False): where
    it fails, the value is there. Only a local name compared with non-empty string constants."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name)):
        return None
    op, right = test.comparisons[0].operator, test.comparisons[0].comparator

    def constant(node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.SimpleString) and len(node.evaluated_value or "") > 0

    if isinstance(op, (cst.Equal, cst.NotEqual)) and constant(right):
        return test.left.value, isinstance(op, cst.Equal)
    if isinstance(op, (cst.In, cst.NotIn)) and isinstance(right, (cst.Tuple, cst.List, cst.Set)) and right.elements and all(
        constant(e.value) for e in right.elements
    ):
        return test.left.value, isinstance(op, cst.In)
    return None


def _simple_condition(test: cst.BaseExpression) -> Optional[tuple[str, bool]]:
    """``x`` / ``x is not None`` -> ("x", True); ``not x`` / ``x is None`` -> ("x", False)."""
    negate = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negate = not negate
        test = test.expression
    out: Optional[tuple[str, bool]] = None
    if isinstance(test, cst.Name) and test.value not in ("True", "False", "None"):
        out = (test.value, True)
    elif (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.left, cst.Name)
        and isinstance(test.comparisons[0].comparator, cst.Name)
        and test.comparisons[0].comparator.value == "None"
    ):
        op = test.comparisons[0].operator
        if isinstance(op, (cst.IsNot, cst.NotEqual)):
            out = (test.left.value, True)
        elif isinstance(op, (cst.Is, cst.Equal)):
            out = (test.left.value, False)
    if out is not None and negate:
        out = (out[0], not out[1])
    return out


# --- helpers ------------------------------------------------------------------------------------------------

def _compared_attributes(func: cst.FunctionDef) -> set[tuple[str, str]]:
    """(local, attribute) read as an operand of a comparison in the function (``file.document_id != document_id``);
    (local, "") for a local tested as a member of a row's collection (``if aisle not in depot.aisles: raise``)."""
    out: set[tuple[str, str]] = set()
    for node in cst_walk(func.body):
        if not isinstance(node, cst.Comparison):
            continue
        if (
            isinstance(node.left, cst.Name) and len(node.comparisons) == 1
            and isinstance(node.comparisons[0].operator, (cst.In, cst.NotIn))
            and isinstance(node.comparisons[0].comparator, cst.Attribute)
        ):
            out.add((node.left.value, ""))
        for operand in [node.left] + [c.comparator for c in node.comparisons]:
            if isinstance(operand, cst.Attribute) and isinstance(operand.value, cst.Name):
                out.add((operand.value.value, operand.attr.value))
    return out


def _assigned_names(ctx: "FileContext", func: cst.FunctionDef) -> dict[int, str]:
    """id(call) -> the local a simple assignment binds its value to (``tag = get_tag(db, tag_id)``, ``x = await
    load(...)``), in the function's own body (not nested functions)."""
    def build() -> dict[int, str]:
        out: dict[int, str] = {}
        stack: list[cst.CSTNode] = [func.body]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                value = node.value.expression if isinstance(node.value, cst.Await) else node.value
                out[id(value)] = node.targets[0].target.value
            stack.extend(iter_children(node))
        return out
    return ctx.cached(("queries.assigned", id(func)), build)


def _assignments(body: cst.CSTNode) -> Iterator[tuple[set[str], cst.CSTNode]]:
    """``(names bound, value)`` for each binding under ``body``: an assignment (plain, annotated with a value,
    augmented), a walrus, a ``for`` / comprehension target, a ``with ... as`` name."""
    for node in cst_walk(body):
        if isinstance(node, cst.Assign):
            yield {n for t in node.targets for n in bound_names(t.target)}, node.value
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)) and node.value is not None:
            yield set(bound_names(node.target)), node.value
        elif isinstance(node, cst.NamedExpr):
            yield set(bound_names(node.target)), node.value
        elif isinstance(node, (cst.For, cst.CompFor)):
            yield set(bound_names(node.target)), node.iter
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            yield set(bound_names(node.asname.name)), node.item


def _local_copies(ctx: "FileContext", func: cst.FunctionDef) -> dict[str, str]:
    """Locals of a function assigned only copies of one name (``persona_id = int(assistant_id)``,
    ``key = body.item_id``, ``user_id = current_user["user_id"]``): ``{local: name}``. A local also assigned
    anything else is left out."""
    out: dict[str, str] = {}
    other: set[str] = set()
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.Lambda:
            continue
        if kind is cst.Assign:
            value = _unwrap(ctx, node.value)
            while isinstance(value, cst.Attribute) or _keyed_read(value):
                value = value.value  # type: ignore[union-attr]
            for t in node.targets:
                target = t.target
                if not isinstance(target, cst.Name):
                    continue
                if isinstance(value, cst.Name) and value.value != target.value and out.get(target.value, value.value) == value.value:
                    out[target.value] = value.value
                else:
                    other.add(target.value)
        elif (kind is cst.AugAssign or kind is cst.AnnAssign) and isinstance(node.target, cst.Name):
            other.add(node.target.value)
        stack.extend(iter_children(node))
    return {k: v for k, v in out.items() if k not in other}


def _mapping_get(expr: cst.BaseExpression) -> bool:
    """``claims.get("user_id")``: one value read from a mapping by a literal key, as ``claims["user_id"]``."""
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "get"
        and 1 <= len(expr.args) <= 2
        and expr.args[0].keyword is None
        and isinstance(expr.args[0].value, cst.SimpleString)
    )


def read_base(expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """What ``expr`` reads one value off: ``user`` of ``user.id``, ``claims["sub"]`` and ``claims.get("sub")``."""
    if isinstance(expr, cst.Attribute) or _keyed_read(expr):
        return expr.value  # type: ignore[union-attr]
    if _mapping_get(expr):
        return expr.func.value  # type: ignore[union-attr]
    return None


def _keyed_read(expr: cst.BaseExpression) -> bool:
    """``claims["user_id"]``: one value read from a mapping by a literal key (as ``claims.user_id`` from an object)."""
    if not isinstance(expr, cst.Subscript) or len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return False
    return isinstance(expr.slice[0].slice.value, cst.SimpleString)


def _unwrap(ctx: "FileContext", expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Call) and len(expr.args) == 1 and isinstance(expr.func, (cst.Name, cst.Attribute)):
        name = dotted_name(expr.func) or ""
        if last_segment(name) in ("str", "int", "UUID", "repr") or (
            isinstance(expr.func, cst.Name) and expr.args[0].keyword is None and echoed_argument(ctx, expr) == 0
        ):
            expr = expr.args[0].value
        else:
            break
    return expr


def echoed_argument(ctx: "FileContext", call: cst.Call) -> Optional[int]:
    """The index in ``call.args`` of the argument a project function gives back as it is or converted (its
    flow summary's ``echoes``: ``def _as_uuid(value): return value if isinstance(value, UUID) else
    UUID(value)``), so that the call's value is that argument's; ``None`` otherwise."""
    project = ctx.project
    if project is None or not call.args or not isinstance(call.func, (cst.Name, cst.Attribute)):
        return None
    q = ctx.qualified_name(call.func)
    found = project.project_function(q) if q else None
    if found is None:
        return None
    facts = project.modules.get(found[0]) if hasattr(project.modules, "get") else project.modules[found[0]]
    summary = (facts or {}).get("extra", {}).get("flow", {}).get("functions", {}).get(found[1]) or {}
    param = summary.get("echoes")
    if not param:
        return None
    params = summary.get("params", [])
    for i, a in enumerate(call.args):
        if a.star:
            return None
        if (a.keyword.value == param) if a.keyword is not None else (i < len(params) and params[i] == param):
            return i
    return None


def _path(expr: cst.CSTNode) -> Optional[str]:
    """``body.workspace_id`` -> "body.workspace_id"; ``None`` unless a chain of names."""
    parts: list[str] = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name) or not parts:
        return None
    return ".".join([expr.value] + parts[::-1])


def _value_paths(expr: cst.CSTNode) -> Iterator[str]:
    """The longest name chains an expression reads: ``f(body.workspace_id, user)`` -> "body.workspace_id",
    "user" (a method called on a chain reads its receiver)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            yield node.value
            continue
        if isinstance(node, cst.Attribute):
            path = _path(node)
            if path is not None:
                yield path
            else:
                stack.append(node.value)
            continue
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            stack.append(node.func.value)
            stack.extend(a.value for a in node.args)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Lambda):
            continue
        stack.extend(iter_children(node))


def _aborts(small: cst.CSTNode) -> bool:
    """``abort(404)`` (Flask's, werkzeug's): a call that raises, written as a statement."""
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and last_segment(dotted_name(small.value.func)) == "abort"


def _path_prefixes(expr: cst.CSTNode) -> Iterator[str]:
    """Every dotted prefix (two names or more) of the attribute chains of an expression."""
    for path in _value_paths(expr):
        parts = path.split(".")
        for i in range(2, len(parts) + 1):
            yield ".".join(parts[:i])


def _expr_children(expr: cst.CSTNode) -> Iterator[cst.BaseExpression]:
    for child in iter_children(expr):
        if isinstance(child, cst.BaseExpression):
            yield child
        else:
            yield from _expr_children(child)


# Column methods that keep the rows whose value is NOT among the given ones
_EXCLUDING_METHODS = frozenset({"not_in", "notin_", "isnot", "is_not"})


def _excludes_owners(node: cst.CSTNode, identity_fields: Iterable[str]) -> bool:
    """An exclusion on an identity column (``Comment.user_id.not_in(blocked_ids)``, ``Item.owner_id != x``,
    ``Item.owner_id not in ids``): it drops some owners' rows and keeps every other owner's, so it scopes
    nothing, whatever it is compared with (the caller's blocked users). So does a test that the row has an owner
    at all (``Account.workspace_id.isnot(None)``, ``.is_not(None)``, ``!= None``): every owned row passes it, of
    every owner; ``is_(None)`` (the rows no one owns) stays an explicit choice (RULES.md)."""
    column: Optional[cst.CSTNode] = None
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _EXCLUDING_METHODS:
            column = node.func.value
    elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        if isinstance(node.comparisons[0].operator, (cst.NotEqual, cst.NotIn)):
            column = node.left
    return isinstance(column, cst.Attribute) and column.attr.value in identity_fields


def _walk_expr(expr: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Nodes of an expression, not entering lambdas' parameters nor nested function bodies."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.Attribute:
            stack.append(node.value)
            continue
        if kind is cst.Arg:
            stack.append(node.value)
            continue
        if kind is cst.Lambda:
            stack.append(node.body)
            continue
        stack.extend(reversed(list(iter_children(node))))


# the attributes that name an account (``user.username != "root"``)
_ACCOUNT_NAME_ATTRS = frozenset({"username", "user_name", "login", "email", "handle"})


def _named_account_test(test: cst.Comparison) -> Optional[str]:
    """A comparison of an account's name (``.username`` / ``.email`` / ``.login``) with string literals only:
    "negated" when it holds for every account but the named ones (``!=`` / ``not in``), "positive" for ``==`` /
    ``in``. The code lets named accounts through, which is a hard-coded administrator gate."""
    if len(test.comparisons) != 1 or not isinstance(test.left, cst.Attribute) or test.left.attr.value not in _ACCOUNT_NAME_ATTRS:
        return None
    target = test.comparisons[0]
    right = target.comparator
    values = [e.value for e in right.elements] if isinstance(right, (cst.List, cst.Tuple, cst.Set)) else [right]
    if not values or not all(isinstance(v, cst.SimpleString) and v.value.strip("'\"bBrRuU") for v in values):
        return None  # (an empty string is a presence test, not a name)
    if isinstance(target.operator, (cst.NotEqual, cst.NotIn)):
        return "negated"
    if isinstance(target.operator, (cst.Equal, cst.In)):
        return "positive"
    return None


def _session_or_grants(name: str) -> bool:
    """An argument of a permission check that is neither the caller nor what is asked about: the session, or the
    service that holds the grants (``service=service``)."""
    return name in ("db", "db_session", "session") or name.lower().endswith(("service", "svc"))


def _every_resource(constants: Sequence[str]) -> bool:
    """Constants of a permission check, past the first (the action), that ask about every resource of the
    project or of a kind: a wildcard (``"*"``, ``"course_site/*"``) or a collection's root (``"article/"``).
    Only a grant on every such resource answers, so the check names no row: it asks who the caller is site-wide
    (as ``require_global(key)`` does, a permission with its scope left out), and what follows is no
    object-level decision (``enforce(subject, "hiring.summary", "*")``, ``enforce(subject, "article.list",
    "article/")``). A resource built from a key (``f"course_site/{site_id}"``) is not one."""
    for c in constants[1:]:
        text = c.strip()
        if text[:1] in "\"'" and text[-1:] == text[:1]:
            text = text.strip("\"'")
        elif "'" in text or '"' in text:
            continue  # (a prefixed string: ``b"*"``, ``r"..."``)
        if text == "*" or (len(text) > 1 and text.endswith(("/", "/*", ":*")) and " " not in text):
            return True
    return False


def _presence_only(test: cst.BaseExpression) -> bool:
    """``user``, ``not user``, ``user is None``, ``user is not None``: a test that someone is signed in."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        if isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot)) and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None":
            test = test.left
    return isinstance(test, cst.Name)


def compared_sides(test: cst.BaseExpression, operators: tuple[type, ...]) -> Iterator[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """``(a, b)`` for each single comparison ``a <op> b`` in ``test`` with ``op`` one of ``operators``, in both
    orientations (``a, b`` then ``b, a``)."""
    for node in cst_walk(test):
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, operators):
            yield node.left, node.comparisons[0].comparator
            yield node.comparisons[0].comparator, node.left


def _if_refuses(node: cst.CSTNode) -> bool:
    """An ``if`` (not a loop) whose body ends the request with an error: ``raise`` or Flask's ``abort(...)`` (a
    ``return`` may serve the row's result: ``if success: return {...}``)."""
    if not isinstance(node, cst.If):
        return False
    last = _last_small_statement(node.body)
    return last is not None and (isinstance(last, cst.Raise) or _aborts(last))


def _last_small_statement(block: cst.BaseSuite) -> Optional[cst.BaseSmallStatement]:
    """The last simple statement of a block (``raise ...`` in ``if x:\n    raise ...`` or ``if x: raise ...``), or
    ``None`` when the block ends with a compound statement."""
    if isinstance(block, cst.SimpleStatementSuite):
        return block.body[-1] if block.body else None
    body = block.body if isinstance(block, cst.IndentedBlock) else ()
    last = body[-1] if body else None
    return last.body[-1] if isinstance(last, cst.SimpleStatementLine) and last.body else None


def result_present_test(
    test: cst.BaseExpression, reads: frozenset[str] = ONE_ROW_READS, awaited: bool = False
) -> Optional[tuple[str, bool]]:
    """``(name, present)`` for a test that asks whether the statement result held in a local has a row, reading
    it in the test itself: ``if result.scalar_one_or_none(): raise``, ``if not res.scalars().first():``,
    ``res.first() is None``; ``present`` when it holds as the row exists. ``reads``: the accessors read as
    "the one row"; ``awaited``: also through ``await`` (an async result's ``await result.first()``)."""
    negated = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, negated = test.expression, not negated
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        op, right = test.comparisons[0].operator, test.comparisons[0].comparator
        if not (isinstance(right, cst.Name) and right.value == "None" and isinstance(op, (cst.Is, cst.IsNot))):
            return None
        negated = negated != isinstance(op, cst.Is)
        test = test.left
    if awaited and isinstance(test, cst.Await):
        test = test.expression
    if not (isinstance(test, cst.Call) and not test.args and isinstance(test.func, cst.Attribute) and test.func.attr.value in reads):
        return None
    inner = test.func.value
    if isinstance(inner, cst.Call) and not inner.args and isinstance(inner.func, cst.Attribute) and inner.func.attr.value == "scalars":
        inner = inner.func.value
    return (inner.value, not negated) if isinstance(inner, cst.Name) else None


def composite_key_parts(site: Any) -> list[cst.BaseExpression]:
    """The parts of a get by a composite primary key given as a tuple or a list (``session.get(Seat, (user.id,
    ws_id))``), in order; ``[]`` for any other lookup."""
    call = site.node
    if site.kind != "get" or len(site.entities) != 1 or not isinstance(call, cst.Call):
        return []
    return key_parts(call)


def key_parts(call: cst.Call, ordered: bool = True) -> list[cst.BaseExpression]:
    """The parts of the key a ``get(Model, key)`` call is given when it is a tuple or a list, in order; with
    ``ordered=False`` also the values of a dict key (``{"user_id": user.id, ...}``, whose order says nothing of the
    key's columns). ``[]`` for a scalar key, a starred part or a call with no second positional argument."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    key = positional[1].value if len(positional) >= 2 else None
    if not isinstance(key, (cst.Tuple, cst.List)) and not (isinstance(key, cst.Dict) and not ordered):
        return []
    if any(isinstance(e, (cst.StarredElement, cst.StarredDictElement)) for e in key.elements):
        return []
    return [e.value for e in key.elements]


def client_key_columns(site: Any) -> Optional[list[str]]:
    """The columns of the site's own model that its client keys are compared with, one for each comparison
    reading a key (``Invitation.email == body.email`` -> ``["email"]``); ``None`` when a comparison reading a key
    is not with exactly one column of the model (``func.lower(M.email) == key``, ``M.a == M.b == key``)."""
    keys = {k.split(".", 1)[0] for k in site.key_names}
    spelled = {dotted_name(n) for n in site.model_nodes} - {None}
    out: list[str] = []
    for pred in site.pred_nodes:
        for node in cst_walk(pred):
            if not isinstance(node, cst.Comparison):
                continue
            sides = [node.left, *(c.comparator for c in node.comparisons)]
            if not any(isinstance(n, cst.Name) and n.value in keys for side in sides for n in cst_walk(side)):
                continue
            columns = [side.attr.value for side in sides if isinstance(side, cst.Attribute) and dotted_name(side.value) in spelled]
            if len(columns) != 1:
                return None
            out.append(columns[0])
    return out
