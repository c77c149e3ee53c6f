"""An authorisation helper's own load: the row it decides on is the check's input, not a leak.

RULES.md: an authorisation helper is a project function given the principal (or an identity value) plus the row or
its key, which raises or returns a verdict the caller raises on. When its body loads that row by the key it was
handed and compares the row with who asks (``def can_access_deal(db, user, deal_id): deal = db.get(Deal, deal_id);
return deal.organization_id == user.organization_id``), the comparison *is* the check: the finding sits at the
caller that loads the row unchecked or ignores the verdict, never inside the helper (no BKL202, and the load is
checked, no BKL201)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ground.lazy import lazy_import
from ..cst import walk
from ..imports import dotted_name
from .vocabulary import named_like_check, verify_words_in

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ..auth import Identity
    from .values import Comparison

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_VERDICT_RETURNS = ("bool", "None", "NoReturn")
_DEPENDENCY_MARKERS = ("Depends", "Security")


def helper_own_load(ctx: "FileContext", func: "cst.FunctionDef", identity: "Identity", check: "Comparison") -> bool:
    """``check`` is the decision of an authorisation helper on the row it loads itself: ``func`` is no route and no
    dependency (no ``Depends`` parameter), is named like an access check (``can_access_deal``, ``check_permission``;
    no ``validate``) or named in ``authorization-helpers``, is given who asks (the principal or an identity
    value) as a parameter, the row was looked up by keys that are all parameters of ``func`` other than who asks, and no ``return`` hands that
    row back (a getter named like a check, ``ensure_deal(db, user, id) -> Deal``, is a scoped fetch gone wrong: it
    stays reported), nor writes it (``deal.closed = True``, ``db.delete(deal)``: a writer that checks first is the
    route's work done in a service, its check is the finding), and it answers only yes or no: every ``return`` a
    verdict (or a verdict with its reason), its annotation, when written, ``bool``, ``None`` or ``tuple[bool, ...]``
    (``get_members(...) -> tuple[list[Member], int]`` answers rows: it stays reported)."""
    if identity.route is not None or identity.admin:
        return False
    name = func.name.value
    configured = ctx.settings.authorization_helpers
    if any(c == name or c.endswith("." + name) for c in configured):
        pass
    elif not named_like_check(name) or "validate" in verify_words_in(name):
        # (``_validate_assignee(db, tenant_id, assignee_id)``, ``validate_member(user_id, project_id, session)``: a
        # key the client sends, validated where it is first loaded; that load is where the client key meets the
        # unscoped fetch, as in a route)
        return False
    params = _params(func)
    if params is None:
        return False  # a dependency: the route's gate, read where it is declared
    who = (set(identity.principals) | set(identity.identity_params)) & params
    if not who:
        return False
    row = check.row
    keys = {k.split(".", 1)[0] for s in row.sites for k in s.key_names} if row.sites else {k.split(".", 1)[0] for k in row.keys}
    if row.sites and any(not s.key_names for s in row.sites):
        return False  # a listing keyed on nothing the helper was given
    if not keys or not keys <= params or keys & who:
        return False
    if not _verdict_annotation(func) or not _verdicts_only(func, params):
        return False
    if not _decides(func, check.node):
        return False  # (``if deal.org_id == user.org_id: return True`` then ``return True``: it refuses nothing)
    names = {n for s in row.sites for n in s.row_names}
    if check.name:
        names.add(check.name)
    return not _returns_any(func, names) and not _writes_any(func, names)


def _params(func: "cst.FunctionDef") -> "set[str] | None":
    out: set[str] = set()
    p = func.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        default = param.default
        if isinstance(default, cst.Call):
            called = dotted_name(default.func) or ""
            if called.rpartition(".")[2] in _DEPENDENCY_MARKERS:
                return None
        if isinstance(param.annotation, cst.Annotation) and any(
            isinstance(n, cst.Name) and n.value in _DEPENDENCY_MARKERS for n in walk(param.annotation)
        ):
            return None  # ``user: Annotated[User, Depends(current_user)]``
        out.add(param.name.value)
    return out - {"self", "cls"}


def _verdict_annotation(func: "cst.FunctionDef") -> bool:
    """No annotation, or a verdict's: ``bool``, ``None``, ``NoReturn``, ``tuple[bool, str]`` (a verdict with its
    reason; ``tuple[list[Member], int]`` is rows)."""
    returns = func.returns
    if returns is None:
        return True
    node = returns.annotation
    if isinstance(node, cst.Subscript):
        head = _spelled(node.value)
        if head not in ("tuple", "Tuple", "Optional"):
            return False
        first = node.slice[0].slice if node.slice else None
        return isinstance(first, cst.Index) and _spelled(first.value) in ("bool", "None")
    return _spelled(node) in _VERDICT_RETURNS


def _spelled(node: "cst.CSTNode") -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""


def _verdicts_only(func: "cst.FunctionDef", params: set[str]) -> bool:
    """Every ``return`` of ``func`` itself answers yes or no: nothing, ``True`` / ``False`` / ``None``, a comparison,
    a negation, ``bool(...)``, a call of a function named like a check, or such an answer with its reason
    (``return False, "not your team"``; an f-string reason only of what the caller handed, ``params``: ``f"owned by
    {deal.owner_email}"`` hands the row's data back)."""
    stack: list = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and node is not func:
            continue
        if isinstance(node, cst.Return) and node.value is not None and not _verdict_value(node.value, params):
            return False
        stack.extend(node.children)
    return True


def _verdict_value(value: "cst.BaseExpression", params: set[str]) -> bool:
    if isinstance(value, cst.Tuple) and len(value.elements) >= 2:
        if not all(_reason(e.value, params) for e in value.elements[1:]):
            return False
        value = value.elements[0].value
    if isinstance(value, cst.Name):
        return value.value in ("True", "False", "None")
    if isinstance(value, cst.Comparison) or (isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not)):
        return True
    if isinstance(value, cst.BooleanOperation):
        return _verdict_value(value.left, params) and _verdict_value(value.right, params)
    if isinstance(value, cst.Call):
        called = _spelled(value.func)
        return called == "bool" or named_like_check(called)
    return False


def _reason(node: "cst.BaseExpression", params: set[str]) -> bool:
    """A verdict's reason: a literal string or ``None``, or an f-string of what the caller handed (its parameters:
    ``f"deal {deal_id} is not yours"``), never of what ``func`` loaded (``f"owned by {deal.owner_email}"``)."""
    if isinstance(node, cst.Name):
        return node.value == "None"
    if isinstance(node, cst.SimpleString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _reason(node.left, params) and _reason(node.right, params)
    if isinstance(node, cst.FormattedString):
        return all(
            _root(part.expression) in params for part in node.parts if isinstance(part, cst.FormattedStringExpression)
        )
    return False


def _root(node: "cst.BaseExpression") -> str:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _decides(func: "cst.FunctionDef", node: "cst.CSTNode") -> bool:
    """The helper's verdict turns on the comparison ``node``: it is (a part of an ``and`` / ``or`` / ``not`` of) the
    returned value or an ``assert``, or the test of an ``if`` whose failing way refuses (returns ``False`` / ``None``
    / ``False, reason``, or raises) before anything else answers: ``if deal.org_id != user.org_id: raise ...``,
    ``if deal.org_id == user.org_id: return True`` then ``return False``."""
    parents: dict[int, "cst.CSTNode"] = {}
    for n in walk(func.body):
        for c in n.children:
            parents[id(c)] = n
    negated = _negative(node)
    child: "cst.CSTNode" = node
    current = parents.get(id(node))
    while current is not None:
        if isinstance(current, cst.UnaryOperation) and isinstance(current.operator, cst.Not):
            negated = not negated
        elif isinstance(current, (cst.BooleanOperation, cst.LeftParen, cst.RightParen)):
            pass
        elif isinstance(current, (cst.Return, cst.Assert)):
            return True
        elif isinstance(current, cst.If) and current.test is child:
            # the failing way: the body when the test holds on failure, else what follows
            if negated:
                return _refuses_first(current.body.body)
            rest = list(current.orelse.body.body) if isinstance(current.orelse, cst.Else) else (
                [current.orelse] if isinstance(current.orelse, cst.If) else [])
            return _refuses_first(rest + _following(current, parents, func))
        else:
            return False
        child, current = current, parents.get(id(current))
    return False


def _negative(node: "cst.CSTNode") -> bool:
    """The comparison holds when the check fails (``!=``, ``is not``, ``not in``)."""
    if not isinstance(node, cst.Comparison):
        return False
    return any(isinstance(t.operator, (cst.NotEqual, cst.IsNot, cst.NotIn)) for t in node.comparisons)


def _following(stmt: "cst.CSTNode", parents: dict, func: "cst.FunctionDef") -> list:
    """The statements run after ``stmt`` falls through, up to the end of ``func``'s body."""
    out: list = []
    current = stmt
    while current is not None and current is not func:
        block = parents.get(id(current))
        if block is None:
            break
        body = getattr(block, "body", None)
        if isinstance(body, (list, tuple)) and any(b is current for b in body):
            index = next(i for i, b in enumerate(body) if b is current)
            out.extend(body[index + 1:])
            if isinstance(block, cst.IndentedBlock) and block is func.body:
                break
        elif isinstance(block, (cst.For, cst.While, cst.Try)):
            return out  # (a loop or handler may run again or elsewhere: read only what follows in its block)
        current = block
    return out


def _refuses_first(stmts: list) -> bool:
    """The first statement of ``stmts`` that answers refuses: a ``raise``, or a ``return`` of ``False`` / ``None`` /
    nothing-but-a-refusal (``return False, "not yours"``)."""
    for stmt in stmts:
        for n in walk(stmt):
            if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                break
            if isinstance(n, cst.Raise):
                return True
            if isinstance(n, cst.Return):
                value = n.value
                if isinstance(value, cst.Tuple) and value.elements:
                    value = value.elements[0].value
                return isinstance(value, cst.Name) and value.value in ("False", "None")
    return False


def _returns_any(func: "cst.FunctionDef", names: set[str]) -> bool:
    """A ``return`` of ``func`` itself (not of a nested function) whose value is one of ``names``, or a tuple holding
    one (``return deal, True``)."""
    stack: list = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and node is not func:
            continue
        if isinstance(node, cst.Return) and node.value is not None:
            value = node.value
            items = [e.value for e in value.elements] if isinstance(value, (cst.Tuple, cst.List)) else [value]
            if any(isinstance(v, cst.Name) and v.value in names for v in items):
                return True
        stack.extend(node.children)
    return False


def _writes_any(func: "cst.FunctionDef", names: set[str]) -> bool:
    """An attribute of one of ``names`` assigned (``deal.stage = "won"``), or one of them handed to a session's write
    (``db.delete(deal)``, ``session.merge(deal)``)."""
    for node in walk(func.body):
        targets: list = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _WRITES:
            if any(isinstance(a.value, cst.Name) and a.value.value in names for a in node.args):
                return True
        for t in targets:
            if isinstance(t, (cst.Attribute, cst.Subscript)) and isinstance(t.value, cst.Name) and t.value.value in names:
                return True
    return False


_WRITES = ("delete", "merge", "add", "update", "save", "remove")
