"""A lookup whose client key the function holds to the caller before anything of the row is read, so BKL201
makes no claim:

- the principal's own table looked up by a key then compared with the caller's id (``own_key_refused``): ``user =
  crud.user.get(db, id=user_id)``, ``if not user: raise 404``, then ``if current_user.id != user_id and not
  current_user.is_superuser: raise 403``. The key is the caller's own id (or the caller is exempted as an
  administrator); RULES reads a comparison of the principal table's own key as no BKL202 either;
- a key named in a grant the caller must hold (``key_grant_refused``): ``if not check_permission(permissions,
  f"collections/{namespace}/{name}.read"): raise 403`` with ``permissions`` the caller's, before the lookup by
  ``namespace`` and ``name`` or after it. Access to that row is decided by the caller's grants for that very key (a
  per-resource permission), not by its owner column; the decision is on the key, not on the row, so no BKL202."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..auth import admin_only_test
from ..cst import load_names, walk as cst_walk
from ..imports import dotted_name, last_segment
from .checks import _principal_table
from .public import _level_statements, statements_after
from .syntax import _if_refuses, _unwrap
from .vocabulary import PRIMARY_KEY_NAMES, spells_check

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..auth import Identity
    from .values import Site

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def own_key_refused(ctx: "FileContext", func: "cst.FunctionDef", site: "Site", model: str, identity: "Identity") -> bool:
    """A lookup of the principal's own table keyed on one plain name (``user_id``), followed, on every path and
    before any statement reads the row, by an ``if`` that refuses (``raise`` / ``abort``) when the key differs
    from the caller's primary key (``current_user.id != user_id``, either side, through ``str()`` / ``UUID()``),
    alone, in an ``or``, or in an ``and`` whose other term is the principal's administrator flag (an
    exemption, ``and not current_user.is_superuser``). Between the two the row may only be tested by a refusal
    (``if not user: raise 404``, ``if not user or not user.is_active: raise``), and statements that do not read it. A comparison with another
    key, a test that does not refuse, a term of the row in the test (``and user.is_private``), a table that is
    not the principal's, or a read of the row before the refusal keep the lookup reported."""
    if ctx.project is None or not _principal_table(ctx, model):
        return False
    keys = set(site.key_names)
    if len(keys) != 1:
        return False
    key = next(iter(keys))
    if "." in key:
        return False
    principals = {p for p in identity.principals if not p.startswith("<")}
    if not principals or key in principals:
        return False
    rows = set(site.row_names)
    if not rows:
        return False
    for stmt in statements_after(func, site):
        if isinstance(stmt, (cst.Try, cst.With)):
            continue  # (its statements come next)
        if isinstance(stmt, cst.If) and _if_refuses(stmt) and stmt.orelse is None:
            if _refuses_unless_caller(ctx, stmt.test, key, principals, rows):
                return True
            if _refusal_on_row(stmt, rows):
                continue  # ``if not user: raise HTTPException(404)``
            return False
        if set(load_names(stmt)) & rows:
            return False  # the row read before the key is held to the caller
    return False


def _refusal_on_row(stmt: "cst.If", rows: set[str]) -> bool:
    """A refusing ``if`` (no ``else``) that reads the row only in its test (``if not agent or not agent.is_active:
    raise 404``): a yes or no on the row, nothing of it leaves."""
    return not set(load_names(stmt.body)) & rows


def _refuses_unless_caller(ctx: "FileContext", test: "cst.BaseExpression", key: str, principals: set[str], rows: set[str]) -> bool:
    """``test`` holds whenever ``key`` differs from the caller's id: the difference itself, one operand of an
    ``or``, or one operand of an ``and`` whose other operand is the principal's administrator flag."""
    if isinstance(test, cst.BooleanOperation):
        left, right = test.left, test.right
        if isinstance(test.operator, cst.Or):
            return _refuses_unless_caller(ctx, left, key, principals, rows) or _refuses_unless_caller(
                ctx, right, key, principals, rows
            )
        for this, other in ((left, right), (right, left)):
            if _refuses_unless_caller(ctx, this, key, principals, rows) and _site_admin_flag(other, principals):
                return True
        return False
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return False
    if not isinstance(test.comparisons[0].operator, cst.NotEqual):
        return False
    sides = (_unwrap(ctx, test.left), _unwrap(ctx, test.comparisons[0].comparator))
    for this, other in (sides, sides[::-1]):
        if (
            isinstance(this, cst.Name)
            and this.value == key
            and isinstance(other, cst.Attribute)
            and isinstance(other.value, cst.Name)
            and other.value.value in principals
            and other.attr.value in PRIMARY_KEY_NAMES
        ):
            return True
    return False


def _site_admin_flag(test: "cst.BaseExpression", principals: set[str]) -> bool:
    """``not current_user.is_superuser`` / ``not current_user.is_staff`` / ``not getattr(user, "is_admin", False)``:
    the negation of a test of the principal's own administrator flag (``auth.admin_only_test``, the words of
    ``ADMIN_ATTRIBUTE_WORDS``), which holds for every caller who is not one. The flag itself (``and
    current_user.is_superuser``: only administrators are refused), a role compared with a value (``current_user.role
    != "admin"``, also as ``not current_user.role == "admin"``: a tenant's admin) or any other attribute of the
    principal (``current_user.avatar``) is no administrator's exemption."""
    if not (isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)):
        return False
    flag = test.expression
    return admin_only_test(flag, principals) and not any(isinstance(n, cst.Comparison) for n in cst_walk(flag))


def key_grant_refused(ctx: "FileContext", func: "cst.FunctionDef", site: "Site", identity: "Identity", derived: set[str]) -> bool:
    """Every key of the lookup (plain names: path or query parameters) is interpolated into a grant's name
    (an f-string, a concatenation, or a local bound once to one) handed, with the caller's grants (the principal,
    or a name taken from it: ``user_id, permissions = current``), to a function named like a check (``VERIFY_WORDS``)
    whose false answer refuses the request (``if not check_permission(...): raise``, also through a local
    ``allowed = check_permission(...)``), on every path: before the lookup, or after it while the row is at most
    tested by a refusal. A grant that names no key (``"collections.read"``), names only some of the keys, is scoped
    to the caller's own rows (``.../{name}.execute:own``: whose row it is stays to check), a check whose answer is
    not refused, grants that are not the caller's, or a row read before the refusal keep the lookup reported."""
    keys = set(site.key_names)
    if not keys or any("." in k for k in keys):
        return False
    callers = {p for p in identity.principals if not p.startswith("<")} | set(derived)
    if not callers:
        return False
    rows = set(site.row_names)
    bound: dict[str, list["cst.BaseExpression"]] = {}
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign):
            for t in node.targets:
                if isinstance(t.target, cst.Name):
                    bound.setdefault(t.target.value, []).append(node.value)
    started = False
    for stmt in _level_statements(func.body):
        here = any(node is site.node for node in cst_walk(stmt))
        if here:
            if not rows:
                return False  # the row is used where it is looked up (``db.delete(find(...))``), before any refusal after it
            started = True
            continue
        if isinstance(stmt, (cst.Try, cst.With)):
            continue
        if isinstance(stmt, cst.If) and _if_refuses(stmt) and stmt.orelse is None:
            if _refused_without_grant(stmt.test, keys, callers, bound):
                return True
            if started and not _refusal_on_row(stmt, rows):
                return False
            continue
        if started and set(load_names(stmt)) & rows:
            return False
    return False


def _refused_without_grant(test: "cst.BaseExpression", keys: set[str], callers: set[str], bound: dict) -> bool:
    if not (isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)):
        return False
    call = test.expression
    if isinstance(call, cst.Name) and len(bound.get(call.value, ())) == 1:
        call = bound[call.value][0]
    if isinstance(call, cst.Await):
        call = call.expression
    if not isinstance(call, cst.Call) or not spells_check(last_segment(dotted_name(call.func) or "")):
        return False
    caller = named = False
    for arg in call.args:
        value = arg.value
        if set(load_names(value)) & callers:
            caller = True
        if isinstance(value, cst.Name) and len(bound.get(value.value, ())) == 1:
            value = bound[value.value][0]
        if isinstance(value, (cst.FormattedString, cst.BinaryOperation, cst.ConcatenatedString)) and keys <= set(load_names(value)):
            if _OWN_SCOPE.search(_literal_text(value)):
                return False  # (``...execute:own``: a grant for the caller's own rows; whose row it is stays to check)
            named = True
    return caller and named


# a grant scoped to the caller's own rows (``sinas.functions/{ns}/{name}.execute:own``, ``files.read_own``)
_OWN_SCOPE = re.compile(r"(?<![A-Za-z])own(?![A-Za-z])", re.IGNORECASE)


def _literal_text(expr: "cst.BaseExpression") -> str:
    """The literal parts of a string built from pieces (an f-string's text, the strings of a concatenation)."""
    parts: list[str] = []
    for node in cst_walk(expr):
        if isinstance(node, cst.FormattedStringText):
            parts.append(node.value)
        elif isinstance(node, cst.SimpleString):
            parts.append(str(node.evaluated_value))  # (prefixed and triple-quoted strings too)
    return " ".join(parts)
