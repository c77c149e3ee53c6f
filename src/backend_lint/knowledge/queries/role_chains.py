"""Branches on the caller's role where the project's role enum says who is left.

``if user.role == UserRole.AGENT: q = q.where(Lead.assigned_to == user.id) elif user.role == UserRole.MANAGER:
q = q.where(Lead.team_id == user.team_id)`` with no ``else``: the way past both tests is taken only by the
enum's other members (``ADMIN``), and members refused earlier in the function (``if user.role ==
UserRole.EXECUTOR: raise``) never get there. When every member left is a staff role with an administrator
among the enum's members (``index.extractors.orm.staff_role_list``), that way is elevated, as the ``else`` of
``if user.role != UserRole.ADMIN`` is; so is a branch that admits staff roles alone (``elif user.role ==
UserRole.DISPATCHER``). RULES.md: admin-only ways make no claim; predicates count when they hold on every
other way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from ...ground.lazy import lazy_import
from ..imports import dotted_name
from ..index.extractors.orm import staff_role_list

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

cst = lazy_import("libcst")

RoleTest = tuple[str, frozenset[str]]  # (the enum's qualified name, the members the test admits)


def role_test(ctx: "FileContext", test: "cst.BaseExpression", principals: Iterable[str]) -> Optional[RoleTest]:
    """``user.role == UserRole.AGENT`` / ``current_user.role in (UserRole.AGENT, UserRole.MANAGER)`` (also
    ``UserRole.AGENT.value``) on a principal: the project enum and the members the test admits."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    if not isinstance(test.comparisons[0].operator, (cst.Equal, cst.In)):
        return None
    left = dotted_name(test.left) if isinstance(test.left, cst.Attribute) else None
    if not left or left.split(".", 1)[0] not in set(principals):
        return None
    right = test.comparisons[0].comparator
    items = [e.value for e in right.elements] if isinstance(right, (cst.List, cst.Tuple, cst.Set)) else [right]
    heads: set[str] = set()
    members: set[str] = set()
    for item in items:
        if isinstance(item, cst.Attribute) and item.attr.value == "value" and isinstance(item.value, cst.Attribute):
            item = item.value
        if not isinstance(item, cst.Attribute):
            return None
        heads.add(ctx.qualified_name(item.value) or "")
        members.add(item.attr.value)
    if len(heads) != 1 or "" in heads or not members or enum_members(ctx, next(iter(heads))) is None:
        return None
    return next(iter(heads)), frozenset(members)


def enum_members(ctx: "FileContext", enum: str) -> Optional[list[str]]:
    """The members of a project enum class (its class-level fields), ``None`` for anything else."""
    found = ctx.project.get_class(enum) if ctx.project is not None else None
    if found is None or not any("Enum" in b for b in found[1].get("bases", ())):
        return None
    fields = found[1].get("fields") or {}
    return [name for name in fields if not name.startswith("_")] or None


def staff_members(ctx: "FileContext", enum: str, members: Iterable[str]) -> bool:
    """Every one of ``members`` is a staff role of an enum that has administrators (``[DISPATCHER]`` of an enum
    with ``ADMIN``; ``[ADMIN, AUDITOR]``)."""
    everyone = enum_members(ctx, enum) or []
    members = list(members)
    admins = [m for m in everyone if staff_role_list([m])]
    return bool(members) and staff_role_list(members + admins)


def rest_is_staff(ctx: "FileContext", enum: str, excluded: Iterable[str]) -> bool:
    """The members no test so far admitted (nor refused) are all staff roles."""
    gone = set(excluded)
    rest = [m for m in enum_members(ctx, enum) or [] if m not in gone]
    return staff_members(ctx, enum, rest)
