"""The principal's own table looked up by a client key the function then holds to the caller: ``user =
crud.user.get(db, id=user_id)``, ``if not user: raise 404``, then ``if current_user.id != user_id and not
current_user.is_superuser: raise 403`` before anything of the row is read (``own_key_refused``). The key is the
caller's own id (or the caller is exempted as an administrator): the lookup serves the caller's own account, and
RULES reads a comparison of the principal table's own key as no BKL202 either, so BKL201 makes no claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..cst import load_names, walk as cst_walk
from .checks import _present_test, _principal_table
from .syntax import _if_refuses, _unwrap
from .vocabulary import PRIMARY_KEY_NAMES

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
    alone, in an ``or``, or in an ``and`` whose other terms read only the principal (an administrator's
    exemption, ``and not current_user.is_superuser``). Between the two only the row's presence may be tested
    with a refusal (``if not user: raise 404``) and statements that do not read it. A comparison with another
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
    started = False
    for stmt in _level_statements(func.body):
        if not started:
            started = any(node is site.node for node in cst_walk(stmt))
            continue
        if isinstance(stmt, (cst.Try, cst.With)):
            continue  # (its statements come next)
        if isinstance(stmt, cst.If) and _if_refuses(stmt) and stmt.orelse is None:
            if _refuses_unless_caller(ctx, stmt.test, key, principals, rows):
                return True
            present = _present_test(stmt.test)
            if present is not None and present[0] in rows:
                continue  # ``if not user: raise HTTPException(404)``
            return False
        if set(load_names(stmt)) & rows:
            return False  # the row read before the key is held to the caller
    return False


def _level_statements(block: "cst.CSTNode"):
    """The statements run on every path of ``block`` (through ``try`` and ``with``), in order."""
    for stmt in getattr(block, "body", ()):
        yield stmt
        if isinstance(stmt, (cst.Try, cst.With)):
            yield from _level_statements(stmt.body)


def _refuses_unless_caller(ctx: "FileContext", test: "cst.BaseExpression", key: str, principals: set[str], rows: set[str]) -> bool:
    """``test`` holds whenever ``key`` differs from the caller's id: the difference itself, one operand of an
    ``or``, or one operand of an ``and`` whose other operands read only the principal."""
    if isinstance(test, cst.BooleanOperation):
        left, right = test.left, test.right
        if isinstance(test.operator, cst.Or):
            return _refuses_unless_caller(ctx, left, key, principals, rows) or _refuses_unless_caller(
                ctx, right, key, principals, rows
            )
        for this, other in ((left, right), (right, left)):
            names = set(load_names(other))
            if _refuses_unless_caller(ctx, this, key, principals, rows) and names and names <= principals:
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
