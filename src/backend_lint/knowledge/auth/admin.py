"""Admin gates inside a function: tests that only administrators pass, the branches they guard, and routes
under an admin surface."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..cst import walk as walk_nodes
from ..facts import orm_facts
from ..fastapi import RouteInfo
from ..imports import dotted_name, last_segment
from ..index.extractors.orm import staff_role_list  # the same reading as the index's ``admin_check``
from ..models import is_pydantic_model, is_table_model
from .dependencies import ADMIN_WORDS, SCALAR_TYPES
from .params import marker_target

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from .params import ParamInfo

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


# attributes of the principal that say it is an administrator (``is_admin``, ``is_superuser``, ``is_staff``)
# (``is_government``: a regulator's own staff, lcfs's IDIR users, as ``is_staff``)
ADMIN_ATTRIBUTE_WORDS = ADMIN_WORDS + ("staff", "government")


def _admin_gate(ctx: "FileContext", func: cst.FunctionDef, principals: set[str], keys: frozenset[str] = frozenset()) -> bool:
    """A top-level statement (also in a top-level ``try``) that lets only admins through: ``require_admin(
    current_user)`` / ``await check_superuser(user)``, or an ``if`` that raises for every caller who is not an
    admin: ``if not current_user.is_superuser: raise ...``, ``if not getattr(user, "is_super_admin", False):``,
    ``if not hasattr(user, "is_admin") or not user.is_admin:``, ``if user.role.name not in ["admin",
    "super_admin"]:``, also on a principal unpacked from the auth dependency's value (``current_user, org_id =
    auth``). A principal read from the request (``request.user``) is handed on as the request:
    ``assert_admin(request)``. A call also handed one of the route's path ``keys`` (``require_team_admin(db,
    team_id, current_user)``) asks for a role on the row that key names, not over the application: no gate."""
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
    carriers = {p.split(".", 1)[0] for p in principals if "." in p}
    principals = set(principals) | carriers
    stmts = list(body)
    while stmts:
        stmt = stmts.pop(0)
        if isinstance(stmt, cst.Try):
            stmts[:0] = list(stmt.body.body) if isinstance(stmt.body, cst.IndentedBlock) else []
            continue
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and isinstance(small.value, cst.Name) and small.value.value in principals:
                    for target in small.targets:  # ``current_user, org_id = auth``
                        elements = target.target.elements if isinstance(target.target, (cst.Tuple, cst.List)) else [target.target]
                        for e in elements:
                            name = e.value if isinstance(e, cst.Element) else e
                            if isinstance(name, cst.Name):
                                principals.add(name.value)
                value = small.value if isinstance(small, cst.Expr) else None
                if isinstance(value, cst.Await):
                    value = value.expression
                if isinstance(value, cst.Call) and isinstance(value.func, (cst.Name, cst.Attribute)) and not any(
                    (isinstance(a.value, cst.Name) and a.value.value in keys) or _row_key(a.value, principals) for a in value.args
                ):
                    name = last_segment(dotted_name(value.func)).lower()
                    if any(w in name for w in ADMIN_WORDS) and any(
                        isinstance(a.value, cst.Name) and a.value.value in principals for a in value.args
                    ):
                        return True
                    if _project_admin_check(ctx, value, principals):
                        return True
        elif isinstance(stmt, cst.If) and stmt.orelse is None and _refuses_non_admins(stmt.test, principals):
            block = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []
            if block and isinstance(block[-1], cst.SimpleStatementLine) and any(isinstance(x, cst.Raise) for x in block[-1].body):
                return True
    return False


def _row_key(node: cst.BaseExpression, principals: set[str]) -> bool:
    """``project.workspace_id`` handed to ``require_admin_or_owner(current_user, project.workspace_id, db)``: the key
    of a row the function holds (an attribute named like a key, ``*_id``, of a local that is not the caller), so
    the call asks for a role on that row's workspace, as a call handed a path key does, not over the application."""
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value not in principals
        and node.attr.value.endswith("_id")
    )


def _project_admin_check(ctx: "FileContext", call: cst.Call, principals: set[str]) -> bool:
    """``rbac_service.require_manager(current_user)``: a project function handed the principal whose own body
    opens with an admin check on its parameter (index fact ``admin_check``: ``def require_manager(user):
    require_system_admin(user)``), whatever it is called."""
    project = ctx.project
    if project is None or not any(isinstance(a.value, cst.Name) and a.value.value in principals for a in call.args):
        return False
    q = ctx.qualified_name(call.func)  # type: ignore[arg-type]
    found = project.project_function(q) if q else None
    if found is None or found[0] not in project.modules:
        return False
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    return bool(fn.get("admin_check"))


def admin_branch_nodes(func: cst.FunctionDef, principals: set[str]) -> frozenset[int]:
    """The nodes of ``func`` that run only for an admin caller: the body of an ``if`` whose test holds only for
    admins (``if current_user.role == Role.admin:``), the ``else`` of one whose test holds for every caller who
    is not one (``if current_user.role != Role.admin: ... else: ...``)."""
    out: set[int] = set()

    def inside(node: cst.CSTNode) -> None:
        out.update(id(n) for n in walk_nodes(node))

    def after_admin_part(test: cst.BaseExpression) -> None:
        """``is_admin and x``: ``x`` is read only once the admin part held (short-circuit)."""
        parts: list[cst.BaseExpression] = []
        stack = [test]
        while stack:
            t = stack.pop()
            if isinstance(t, cst.BooleanOperation) and isinstance(t.operator, cst.And):
                stack.extend((t.right, t.left))
            else:
                parts.append(t)
        for i, part in enumerate(parts):
            if _admin_only_test(part, principals):
                for later in parts[i + 1 :]:
                    inside(later)
                # ``tenant_id and current_user.is_superuser``: a conjunct before the admin part that only asks
                # whether a value was given reads nothing of it (the admin's way takes it, no one else's)
                for earlier in parts[:i]:
                    if _presence_only(earlier):
                        inside(earlier)
                return

    for node in walk_nodes(func.body):
        if isinstance(node, cst.IfExp):
            # ``organization_id if request.user.is_government and organization_id else request.user.organization_id``
            if _admin_only_test(node.test, principals):
                inside(node.body)
                after_admin_part(node.test)
            elif _refuses_non_admins(node.test, principals):
                inside(node.orelse)
            continue
        if not isinstance(node, cst.If):
            continue
        if _admin_only_test(node.test, principals):
            inside(node.body)
            after_admin_part(node.test)
        elif node.orelse is not None and _refuses_non_admins(node.test, principals):
            inside(node.orelse)
    return frozenset(out)


def _presence_only(test: cst.BaseExpression) -> bool:
    """``x``, ``body.x``, ``x is not None``: a test of whether a value was given, nothing of what it is."""
    if isinstance(test, (cst.Name, cst.Attribute)):
        return True
    return (
        isinstance(test, cst.Comparison) and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, (cst.IsNot, cst.Is))
        and isinstance(test.left, (cst.Name, cst.Attribute))
        and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None"
    )


def _refuses_non_admins(test: cst.BaseExpression, principals: set[str]) -> bool:
    """The test holds for every caller who is not an admin: ``not <admin test>``, a disjunction with such a
    part, or a role compared away from admin roles (``user.role.name not in ["admin", "super_admin"]``,
    ``user.role != Role.ADMIN``)."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _refuses_non_admins(test.left, principals) or _refuses_non_admins(test.right, principals)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _admin_only_test(test.expression, principals)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, (cst.NotIn, cst.NotEqual)):
        return _on_principal(test.left, principals) and _admin_values(test.comparisons[0].comparator)
    return False


refuses_non_admins = _refuses_non_admins  # (for ``queries.forgotten``: an admin gate before or after a lookup)


def _admin_only_test(test: cst.BaseExpression, principals: set[str]) -> bool:
    """The test holds only for admins: ``user.is_superuser``, ``getattr(user, "is_super_admin", False)``,
    ``hasattr(user, "is_admin")``, a claim of a dict principal (``user.get("is_superuser")``, ``user["is_admin"]``), ``is_admin(user)``, ``user.role == Role.ADMIN`` / ``in ["admin", ...]``, or a
    conjunction with such a part."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _admin_only_test(test.left, principals) or _admin_only_test(test.right, principals)
    if isinstance(test, cst.Await):
        test = test.expression
    if isinstance(test, cst.Attribute):
        return _on_principal(test.value, principals) and any(w in test.attr.value.lower() for w in ADMIN_ATTRIBUTE_WORDS)
    if isinstance(test, cst.Subscript) and len(test.slice) == 1 and isinstance(test.slice[0].slice, cst.Index):
        key = test.slice[0].slice.value  # ``claims["is_admin"]``
        return (
            isinstance(key, cst.SimpleString)
            and _on_principal(test.value, principals)
            and any(w in key.value.lower() for w in ADMIN_ATTRIBUTE_WORDS)
        )
    if isinstance(test, cst.Call) and isinstance(test.func, (cst.Name, cst.Attribute)):
        name = last_segment(dotted_name(test.func))
        args = [a.value for a in test.args]
        if name in ("getattr", "hasattr") and len(args) >= 2 and isinstance(args[1], cst.SimpleString):
            return _on_principal(args[0], principals) and any(w in args[1].value.lower() for w in ADMIN_ATTRIBUTE_WORDS)
        # a principal that is a dict of claims: ``current_user.get("is_superuser", False)``
        if name == "get" and isinstance(test.func, cst.Attribute) and args and isinstance(args[0], cst.SimpleString):
            return _on_principal(test.func.value, principals) and any(w in args[0].value.lower() for w in ADMIN_ATTRIBUTE_WORDS)
        # ``is_admin(user)``, ``user.is_superuser()``: the principal alone (a row handed too is a permission on it)
        if not any(w in name.lower() for w in ADMIN_WORDS):
            return False
        if isinstance(test.func, cst.Attribute) and not _on_principal(test.func.value, principals):
            return False
        on = [a for a in args if _on_principal(a, principals)]
        return (bool(on) or isinstance(test.func, cst.Attribute)) and all(
            _on_principal(a, principals) or isinstance(a, (cst.SimpleString, cst.Integer)) for a in args
        )
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, (cst.In, cst.Equal)):
        return _on_principal(test.left, principals) and _admin_values(test.comparisons[0].comparator)
    return False


admin_only_test = _admin_only_test  # (for ``queries.own_key``: an administrator's exemption in a refusal)


def _on_principal(node: cst.BaseExpression, principals: set[str]) -> bool:
    """The principal or an attribute path on it (``user``, ``user.role``, ``user.role.name``; also on a principal
    that is itself a path: ``request.user.is_government``)."""
    dotted = [p for p in principals if "." in p]
    while isinstance(node, cst.Attribute):
        if dotted and dotted_name(node) in dotted:
            return True
        node = node.value
    return isinstance(node, cst.Name) and node.value in principals


def _admin_values(node: cst.BaseExpression) -> bool:
    """A literal admin role, or a list / tuple / set of staff roles with an admin among them (``"admin"``,
    ``Role.SUPER_ADMIN``, ``["admin", "super_admin"]``, ``[UserRole.ADMIN, UserRole.DISPATCHER, UserRole.AUDITOR]``:
    ``staff_role_list``)."""
    items = [e.value for e in node.elements] if isinstance(node, (cst.List, cst.Tuple, cst.Set)) else [node]
    texts: list[str] = []
    for item in items:
        if isinstance(item, cst.SimpleString):
            texts.append(item.value)
        elif isinstance(item, cst.Attribute):
            texts.append(item.attr.value)
        else:
            return False
    return staff_role_list(texts)


def _admin_surface(route: RouteInfo, params: list[ParamInfo]) -> bool:
    """A route under the admin surface (a path segment ``admin...``: ``/admin/chat-sessions/{id}``) whose caller
    comes through a dependency factory given a role or permission (``Depends(require_permission(
    Permission.READ_QUERY_HISTORY))``): the project gates it by a permission and files it with its admin
    pages, so it is admin-only whatever the permission is called. A path alone, with a plain dependency, is
    not read as a gate."""
    if not route.path or not any(seg.lower().startswith("admin") for seg in route.path.split("/")):
        return False
    for p in params:
        call = p.marker_node
        target = marker_target(call) if call is not None else None
        if p.dependency.kind != "auth" or target is None:
            continue
        if isinstance(target, cst.Call) and any(a.keyword is None or a.keyword.value not in ("optional", "auto_error") for a in target.args):
            return True
    return False


def _could_be_principal(ctx: "FileContext", type_q: Optional[str]) -> bool:
    if type_q is None:
        return True
    if type_q in SCALAR_TYPES or last_segment(type_q) in ("str", "int", "UUID", "bool", "dict", "Any"):
        return False
    project = ctx.project
    if project is not None and project.get_class(type_q) is not None:
        # a request schema named ``user`` is data, not the principal; an ORM user row is the principal
        if is_table_model(project, type_q):
            return True
        return is_pydantic_model(project, type_q) is not True
    return True
