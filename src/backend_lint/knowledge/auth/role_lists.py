"""Role lists handed to a guard: which values are alternatives of one another.

``require_role('teacher', 'student', 'admin')`` and ``@require_role('Director', 'CEO', 'Admin')`` hand a
``*roles`` factory several roles, any one of which lets the caller in: the guard is admin-only when every
role it admits is a privileged one (``privileged_arguments(..., alternatives=True)``), not when one of them
is. A factory whose positional values fill distinct parameters (``require_access('admin', 'read')``: a
resource and an action) keeps reading each value on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..index.extractors.orm import staff_role_list

if TYPE_CHECKING:
    from ..index import ProjectIndex


def role_alternatives(project: Optional["ProjectIndex"], factory: Optional[str]) -> bool:
    """``factory`` (a qualified name) is a project function whose first parameter (``self`` / ``cls`` aside)
    is a ``*args``: every positional value of its call fills that one parameter, so they are alternatives
    (``def require_role(*allowed_roles)``). ``False`` when the factory cannot be read (a library's, a class)."""
    if project is None or not factory:
        return False
    found = project.project_function(factory)
    if found is None:
        return False
    fn = project.modules[found[0]].get("functions", {}).get(found[1]) or {}
    params = [p for p in fn.get("params", ()) if p.get("name") not in ("self", "cls")]
    return bool(params) and params[0].get("kind") == "vararg"


def names_roles(callee: str) -> bool:
    """A check named for roles (``check_role``, ``require_roles``, ``ensure_any_role``, ``has_role``): the
    constants it is handed are roles, any one of which admits the caller."""
    name = callee.rpartition(".")[2].lower()
    return "role" in name and "permission" not in name


def admitted_roles(values: list[str]) -> bool:
    """Every role of a list of alternatives (the source of each: ``"admin"``, ``Role.SUPER_ADMIN``) is an
    administrator's, as ``privileged_arguments(..., alternatives=True)`` reads a ``*roles`` factory's values:
    ``("admin", "super_admin")`` is an administrators' list, ``("owner", "admin")`` and ``("admin",
    "teacher")`` are not; a list of the operator's staff with an administrator among them is one too
    (``[UserRole.ADMIN, UserRole.DISPATCHER, UserRole.AUDITOR]``: ``staff_role_list``)."""
    from .dependencies import privileged_arguments  # (dependencies imports this module)

    return bool(values) and (privileged_arguments(values, None, alternatives=True) or staff_role_list(values))
