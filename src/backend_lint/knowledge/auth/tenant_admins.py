"""Dependencies named like an admin gate that are a tenant's own login.

``require_tenant_admin`` / ``require_admin_session`` returning ``TenantAdminContext(tenant_id, actor_id, role)``
decoded from the console's token: the name says admin, but what the dependency yields (a context it builds, not
a user row) is the caller's tenant, the key every row it serves is scoped by. RULES.md recognises auth
dependencies by what they do, and makes no claim only for a site-wide administrator: such a dependency is no admin
gate, and the routes behind it owe the tenant's scope (it is an auth dependency when it refuses a caller it cannot
identify, optional auth when it returns ``None`` and leaves the refusal to the route). A platform gate yields
nothing of a tenant (``-> bool``, ``-> UUID``, a ``PlatformActor(actor_id, role)``), or says so (``superuser``,
``platform``, ``staff``, ``system`` in its name, an ``is_superuser`` / ``is_admin`` flag it tests): it stays admin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..index.extractors.orm import TENANT_COLUMNS
from ..models import is_table_model
from ..scoping import table_columns

if TYPE_CHECKING:
    from ..index import ProjectIndex

# words of a dependency's name that say the administrator is the site's (``get_current_superuser``,
# ``require_platform_admin``, ``require_staff_admin``, ``require_system_admin``, ``get_root_admin``)
_SITE_WORDS = ("super", "platform", "staff", "system", "sysadmin", "root", "global")

# a column held by this many table models is a key the project scopes rows by (``tenant_id`` on every table)
_MIN_HOLDERS = 2


def tenant_principal_field(project: Optional["ProjectIndex"], lowered: str, fn: dict[str, Any]) -> Optional[str]:
    """The tenant key (``TenantAdminContext.tenant_id``) carried by what the dependency ``fn`` (index facts) returns,
    when its name (``lowered``) says admin but nothing says site-wide: its return type is a context the dependency
    builds (a project class that is no table model: a dataclass, a pydantic model) with a tenant field
    (``TENANT_COLUMNS``) that the project's tables scope rows by (held by two table models or more), and it tests
    no administrator flag of a parameter (``is_superuser``, ``is_admin``, ``is_staff``)."""
    if project is None or any(w in lowered for w in _SITE_WORDS):
        return None
    compared = fn.get("param_compared") or ()
    if any(c.startswith("is_") or "super" in c or "staff" in c for c in compared):
        return None
    returns = fn.get("returns")
    found = project.get_class(returns) if returns else None
    if found is None or is_table_model(project, found[0]):
        # (a user row with a tenant column whose role makes it an admin may be the site's: ``get_site_admin``
        # loading the user by id alone; a tenant's administrator row is ``_tenant_role_gate``'s reading)
        return None
    fields = _fields(project, found[0])
    for column in sorted(TENANT_COLUMNS & fields):
        if len(table_columns(project)[1].get(column, ())) >= _MIN_HOLDERS:
            return f"{found[0].rpartition('.')[2]}.{column}"
    return None


def _fields(project: "ProjectIndex", cls: str) -> set[str]:
    """The class's declared fields, over its bases."""
    out: set[str] = set()
    for _, facts in project.class_mro(cls):
        out.update((facts or {}).get("fields", {}))
    return out

