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

# Words that say an administrator is the site's operator, not a tenant's: in a dependency's name
# (``get_current_superuser``, ``require_platform_admin``, ``require_staff_admin``, ``require_system_admin``,
# ``get_root_admin``, ``require_global_admin``), in a role or permission a gate is handed (``UserRole.SUPER_ADMIN``,
# ``Role.SYSADMIN``) or in the words of a guard (``is_platform_admin``). One list for every reading of "the
# site's, not a tenant's" (``names_site_operator``). Not the same as ``dependencies._PRIVILEGED`` (an admin,
# manager or moderator of anything, a tenant's included: whether a gate is privileged at all, asked before this).
SITE_OPERATOR_WORDS = ("super", "platform", "staff", "system", "sysadmin", "root", "global")

# The tenant keys that bind a principal to a tenant. Where the key is what the principal was found by or what
# it yields (a lookup filtered on it, ``tenant_filtered``: ``User.team_id == team.id``; a context it builds:
# ``TeamAdminContext.team_id``), every column of ``TENANT_COLUMNS``. Where it is only a column the principal's
# row holds (``User.team_id`` beside ``User.role``: ``dependencies._tenant_roles``), not ``team_id``: a team is
# a unit inside one company, whose site administrator still sees every team (holdout38 dimona).
HELD_TENANT_COLUMNS = TENANT_COLUMNS - {"team_id"}

# a column held by this many table models is a key the project scopes rows by (``tenant_id`` on every table)
_MIN_HOLDERS = 2


def tenant_principal_field(project: Optional["ProjectIndex"], lowered: str, fn: dict[str, Any]) -> Optional[str]:
    """The tenant key (``TenantAdminContext.tenant_id``) carried by what the dependency ``fn`` (index facts) returns,
    when its name (``lowered``) says admin but nothing says site-wide: its return type is a context the dependency
    builds (a project class that is no table model: a dataclass, a pydantic model) with a tenant field
    (``TENANT_COLUMNS``) that the project's tables scope rows by (held by two table models or more), and it tests
    no administrator flag of a parameter (``is_superuser``, ``is_admin``, ``is_staff``)."""
    if project is None or site_operator_gate(lowered, fn):
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


def names_site_operator(text: str) -> bool:
    """The spelling (a dependency's name, a role handed to a gate, a guard's word) names the site's operators
    (``SITE_OPERATOR_WORDS``, case-insensitive, anywhere in it: ``SUPER_ADMIN``, ``sysadmin``, ``PlatformAdmin``)."""
    lowered = text.lower()
    return any(w in lowered for w in SITE_OPERATOR_WORDS)


def site_operator_gate(lowered: str, fn: dict[str, Any]) -> bool:
    """A dependency (its lower-cased name, its index facts ``fn``) that says its administrator is the site's: by
    its name (``names_site_operator``) or by an administrator flag of a parameter it tests (``is_superuser``,
    ``is_admin``, ``is_staff``)."""
    if names_site_operator(lowered):
        return True
    return any(c.startswith("is_") or "super" in c or "staff" in c for c in fn.get("param_compared") or ())


def _fields(project: "ProjectIndex", cls: str) -> set[str]:
    """The class's declared fields, over its bases."""
    out: set[str] = set()
    for _, facts in project.class_mro(cls):
        out.update((facts or {}).get("fields", {}))
    return out

