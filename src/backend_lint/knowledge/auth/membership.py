"""The caller's own membership row handed over by an auth dependency (``member: TenantMember =
Depends(get_tenant_member)``, ``Depends(require_role("manager", "admin"))``): which of its columns are the caller's
identity values.

The dependency authenticates (``classify_dependency``: an auth dependency whose value is a resource, no admin gate)
and returns a membership row: a table model whose composite unique or primary key pairs a person column with a
group column (``UniqueConstraint("tenant_id", "user_hash")``, ``models.membership_partners``). It is built from the
authenticated caller alone: it takes the caller (an auth dependency yielding the principal, or another such
membership dependency yielding the same model, as a role gate passing the row on does) and no key, header, body
or path value the client picks. Then the row's group column is the caller's tenant, its person column the
caller's id, as ``current_user.tenant_id`` / ``current_user.id`` are.

Not read: a membership chosen by a client key (``get_member(member_id)``), a dependency returning a row that pairs
no person with a group (a settings row), a site-admin gate (its routes make no claim)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..facts import orm_facts
from ..models import _is_reference, _table_constraints, _user_table, is_table_model, model_columns, referenced_model
from .dependencies import DependencyKind, _settings_key, _takes_body, _takes_client_key, client_selected, param_dependency

if TYPE_CHECKING:  # pragma: no cover
    from ...ground.config import Settings
    from ..index import ProjectIndex

_MAX_DEPTH = 4


def own_membership_columns(project: Optional["ProjectIndex"], settings: "Settings", dependency: Optional[str], called: bool, kind: DependencyKind) -> tuple[str, ...]:
    """The columns of the membership row ``dependency`` yields (``kind``, its classification at the parameter:
    ``called`` for a factory's call) that are the caller's own identity values (its group columns and its person
    columns), or ``()`` when what it yields is not the caller's own membership row."""
    if project is None or not dependency or kind.kind != "auth" or not kind.resource or not kind.principal_type:
        return ()
    model = _own_membership(project, settings, dependency, called, 0)
    if model is None or project.canonical(model) != project.canonical(kind.principal_type):
        return ()
    return membership_columns(project, model)


def membership_columns(project: "ProjectIndex", model: Optional[str]) -> tuple[str, ...]:
    """A membership table's key columns: a composite unique or primary key of references, one of them to the
    user table (the person) and the others to the groups, all of them (``UniqueConstraint("tenant_id", "user_hash")`` with
    ``user_hash`` a foreign key to the users): the group columns, then the person columns. ``()`` for any other
    table (a settings row keyed by its tenant alone, a link of two non-person tables)."""
    if not model:
        return ()
    return project.memo(("auth.membership_columns", model), lambda: _membership_columns(project, model))


def _membership_columns(project: "ProjectIndex", model: str) -> tuple[str, ...]:
    columns = model_columns(project, model)
    for cols in _table_constraints(project, model):
        if len(cols) < 2 or any(c not in columns for c in cols):
            continue
        people = [c for c in cols if _person_column(project, model, c)]
        groups = [c for c in cols if c not in people and _is_reference(project, model, c)]
        if people and groups and len(people) + len(groups) == len(cols):
            return tuple(groups + people)
    return ()


def _person_column(project: "ProjectIndex", model: str, column: str) -> bool:
    """The column references the user table: a model named for a user (``User``, ``UserIdentity``) or one
    holding a password."""
    target = referenced_model(project, model, column)
    return target is not None and target != model and _user_table(project, target)


def _own_membership(project: "ProjectIndex", settings: "Settings", dependency: str, called: bool, depth: int) -> Optional[str]:
    def build() -> Optional[str]:
        found = project.project_function(dependency)
        fn: Optional[dict[str, Any]] = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) if found is not None else None
        if fn is not None and called:
            fn = fn.get("makes")
        if fn is None:
            return None
        found_cls = project.get_class(fn.get("returns")) if fn.get("returns") else None
        model = found_cls[0] if found_cls is not None else None
        if model is None or not is_table_model(project, model) or not membership_columns(project, model):
            return None
        if _takes_client_key(fn) or client_selected(fn) or _takes_body(project, fn):
            return None
        caller = False
        for p in fn.get("params", ()):
            if not p.get("dependency") and not p.get("called"):
                continue
            inner = param_dependency(project, settings, p)
            if inner.kind is None:
                continue  # a session, a settings object
            if inner.kind != "auth":
                return None
            if not inner.resource and not inner.credentials:
                caller = True  # the authenticated principal
            elif inner.resource and depth < _MAX_DEPTH and p.get("dependency"):
                passed = _own_membership(project, settings, p["dependency"], bool(p.get("called")), depth + 1)
                if passed is None or project.canonical(passed) != project.canonical(model):
                    return None
                caller = True  # a role gate handed the caller's own membership row
            elif inner.resource:
                return None
        return model if caller else None

    return project.memo(("auth.own_membership", dependency, called, depth, _settings_key(settings)), build)
