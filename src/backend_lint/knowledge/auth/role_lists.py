"""Role lists handed to a guard: which values are alternatives of one another.

``require_role('teacher', 'student', 'admin')`` and ``@require_role('Director', 'CEO', 'Admin')`` hand a
``*roles`` factory several roles, any one of which lets the caller in: the guard is admin-only when every
role it admits is a privileged one (``privileged_arguments(..., alternatives=True)``), not when one of them
is. A factory whose positional values fill distinct parameters (``require_access('admin', 'read')``: a
resource and an action) keeps reading each value on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ..index import ProjectIndex


def role_alternatives(project: Optional["ProjectIndex"], factory: Optional[str]) -> bool:
    """``factory`` (a qualified name) is a project function whose first parameter (``self`` / ``cls`` aside)
    is a ``*args``: every positional value of its call fills that one parameter, so they are alternatives
    (``def require_role(*allowed_roles)``). ``False`` when the factory cannot be read (a library's, a class)."""
    if project is None or not factory:
        return False
    found = project.resolve_symbol(factory)
    if found is None or found[2] != "functions":
        return False
    fn = project.modules[found[0]].get("functions", {}).get(found[1]) or {}
    params = [p for p in fn.get("params", ()) if p.get("name") not in ("self", "cls")]
    return bool(params) and params[0].get("kind") == "vararg"
