"""A context object an auth dependency hands a route (``ctx: TenantContext = Depends(get_tenant_context)``): which
of its attributes are the caller's own identity values, for the project's scoping columns (``knowledge.scoping``).

The dependency authenticates (``classify_dependency``: an auth dependency whose value is no credential nor a
resource) and returns a context class (a dataclass, a pydantic model, or a plain record class keeping what its
``__init__`` is given, ``dependencies.record_class``), built from the authenticated request alone. Then:

- ``ctx.<attr>.<key>`` with ``<attr>`` a row the context holds (``self.tenant = tenant`` typed ``Tenant``, a
  dataclass field ``tenant: Tenant``) and ``<key>`` its primary key or an ``*_id`` of it: the caller's tenant (or
  user) row's key (``ctx.tenant.id``);

Not read: the context's own scalar (``context.school_id`` of a dataclass filled from the token). It is the caller's,
but a project whose tenant column is read that way scopes its child tables by the tenant (parent copies) and
hides the per-student reads inside one school that hold-out 39's schoolhub has (documents.py 83/205/224, true):
the row held on the context (``ctx.tenant.id``) is read; an identity-named scalar (``context.organization_id``)
is an identity field already.

A dependency that also reads a value the client picks (``x_tenant_id: str = Header(...)``, a path or query key,
``dependencies.client_selected``) builds the client's choice: no caller there (no verification is read)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..facts import orm_facts
from ..models import is_table_model
from .dependencies import _data_holder, _settings_key, classify_dependency, client_selected, record_class

if TYPE_CHECKING:  # pragma: no cover
    from ...ground.config import Settings
    from ..index import ProjectIndex

_KEYS = frozenset({"id", "uuid", "pk"})


def context_attribute(project: Optional["ProjectIndex"], settings: "Settings", dependency: str, rest: list[str]) -> bool:
    """``rest`` (the spelling after the parameter) is an identity value of the caller's, read off the context
    ``dependency`` yields (module docstring)."""
    if project is None or len(rest) != 2:
        return False
    cls = _context_class(project, settings, dependency)
    if cls is None:
        return False
    attr, key = rest
    if not (key in _KEYS or key.endswith("_id")):
        return False
    held = _held(project, cls).get(attr)
    found = project.get_class(held) if held else None
    return found is not None and is_table_model(project, found[0])


def _context_class(project: "ProjectIndex", settings: "Settings", dependency: str) -> Optional[str]:
    def build() -> Optional[str]:
        kind = classify_dependency(project, settings, dependency)
        if kind.kind != "auth" or kind.credentials or kind.resource or not kind.principal_type:
            return None
        found = project.get_class(kind.principal_type)
        if found is None or is_table_model(project, found[0]):
            return None
        if not (record_class(project, found[0]) or _data_holder(project, found[0])):
            return None
        fn = project.project_function(dependency)
        facts = orm_facts(project.modules[fn[0]]).get("functions", {}).get(fn[1]) if fn is not None else None
        if facts is None or client_selected(facts):
            return None
        return found[0]

    return project.memo(("auth.context_class", dependency, _settings_key(settings)), build)


def _held(project: "ProjectIndex", cls: str) -> dict[str, str]:
    """``{attribute: type}`` the context class (or a base) keeps: its ``__init__``'s typed ``self`` attributes
    (``self_types``) and its annotated fields."""
    out: dict[str, str] = {}
    for name, facts in project.class_mro(cls):
        if facts is None:
            continue
        mod, _, short = name.rpartition(".")
        for attr, entry in (facts.get("fields") or {}).items():
            kind: Any = entry.get("annotation_qualified") or entry.get("annotation")
            if kind:
                out.setdefault(attr, kind)
        if mod in project.modules:
            for attr, kind in (orm_facts(project.modules[mod]).get("self_types", {}).get(short) or {}).items():
                out.setdefault(attr, kind)
    return out
