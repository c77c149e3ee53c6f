"""Who the caller is: the principal classes auth dependencies yield across the project, and ``Identity``, what a
function knows about who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from ..facts import method_return, orm_facts
from ..fastapi import RouteInfo
from ..imports import last_segment
from .dependencies import USER_CLASS, _settings_key, alias_dependency, classify_dependency, DependencyKind, returned_user_row

if TYPE_CHECKING:  # pragma: no cover
    from ...ground.config import Settings
    from ..index import ProjectIndex
    from .params import ParamInfo


def principal_classes(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Classes that auth dependencies yield across the project (``User``), for "typed as the principal"."""
    if project is None:
        return frozenset()
    return project.stored_memo(f"auth.principal_classes:{_settings_key(settings)!r}", lambda: _principal_classes(project, settings), load=frozenset)


def _principal_classes(project: "ProjectIndex", settings: "Settings") -> frozenset[str]:
    out: set[str] = set()
    for mod, facts in project.iter_modules():
        orm = orm_facts(facts)
        for name, entry in orm.get("aliases", {}).items():
            if entry.get("type"):
                kind = alias_dependency(project, settings, f"{mod}.{name}")
                if kind.kind is not None and not kind.credentials:
                    out.add(project.canonical(entry["type"]))
        for name, fn in orm.get("functions", {}).items():
            # an auth dependency by configuration or by its chain; "admin"-named functions are not
            # dependencies unless something depends on them
            if fn.get("route"):
                continue  # a request handler is no dependency: what it returns is the response
            if fn.get("returns") and classify_dependency(project, settings, f"{mod}.{name}") == DependencyKind("auth", fn["returns"]):
                out.add(project.canonical(fn["returns"]))
            elif (row := returned_user_row(project, fn)) and classify_dependency(project, settings, f"{mod}.{name}") == DependencyKind("auth", row):
                # ``def get_current_user(token=Depends(scheme), session=...)`` with no return annotation, whose
                # every ``return`` is a row of the user model, loaded there (``session.get(User, int(sub))``) or
                # by the project function it calls (``user = get_user_by_email(db, email)`` ... ``return user``)
                out.add(project.canonical(row))
            elif fn.get("makes") and fn["makes"].get("returns"):
                # a dependency factory: what the function it returns yields (``is_user_in(group)`` -> ``User``)
                kind = classify_dependency(project, settings, f"{mod}.{name}", None, None, 0, True)
                if kind.kind == "auth" and not kind.credentials and not kind.resource and kind.principal_type:
                    out.add(project.canonical(kind.principal_type))
        for name, fn in orm.get("callables", {}).items():
            # a class dependency (``Depends(JWTBearer())``, ``Depends(Factory.get_verifier(...))``): what its
            # ``__call__`` returns
            if fn.get("returns"):
                kind = classify_dependency(project, settings, f"{mod}.{name}")
                if kind.kind == "auth" and not kind.credentials and kind.principal_type:
                    out.add(project.canonical(kind.principal_type))
                    carried = carried_caller(project, kind.principal_type)
                    if carried is not None:
                        out.add(carried[1])  # (``db_user: User`` of the instance ``__call__`` returns)
    for entry in settings.auth_dependencies:
        if entry[:1].isupper() and project.get_class(entry) is not None:
            out.add(project.canonical(entry))
    # only project classes: a dependency annotated ``-> dict`` does not make every ``dict`` a principal
    return frozenset(q for q in out if project.get_class(q) is not None)


def carried_caller(project: Optional["ProjectIndex"], cls: Optional[str]) -> Optional[tuple[str, str]]:
    """(attribute, class) when ``cls`` is a dependency class whose ``__call__`` returns the instance itself
    (``return self``, index fact ``carries``) after storing the caller on it from a typed parameter's method:
    ``self.db_user = user_service.get_user_by_id(sub)`` with ``get_user_by_id(...) -> User``, a project class
    named for the accounts (``USER_CLASS``). The instance carries the caller one attribute deep
    (``auth_user.db_user``); ``None`` otherwise, or when several attributes would be."""
    if project is None or not cls:
        return None
    found = project.get_class(cls)
    if found is None:
        return None
    mod, _, name = found[0].rpartition(".")
    carries = ((orm_facts(project.modules[mod]).get("callables", {}).get(name) or {}).get("carries")) or {}
    out: list[tuple[str, str]] = []
    for attr, (receiver, method) in sorted(carries.items()):
        returned = method_return(project, receiver, method)
        held = project.get_class(returned) if returned else None
        if held is not None and USER_CLASS.search(last_segment(held[0])):
            out.append((attr, held[0]))
    return out[0] if len(out) == 1 else None



@dataclass
class Identity:
    """What a function knows about who is asking."""

    principals: dict[str, Optional[str]] = field(default_factory=dict)  # name -> principal class
    identity_params: dict[str, str] = field(default_factory=dict)  # name -> identity field
    admin: bool = False
    route: Optional[RouteInfo] = None
    params: list[ParamInfo] = field(default_factory=list)
    # names the enclosing function established as the principal's (closures see them)
    closure_derived: set[str] = field(default_factory=set)
    # parameters of an enclosing service function (not a route handler) that a nested callback reads as
    # free variables: keys handed in by the service's caller, not client data of the callback
    closure_trusted: set[str] = field(default_factory=set)
    # an auth dependency guards the handler (a parameter, or ``dependencies=[...]`` of the route or of
    # its router): the identity is knowable even when no parameter carries it
    authenticated: bool = False
    # the assignments (node ids) that decode the caller in the body (``user_id = get_current_user_id(
    # authorization)``, ``decoded_caller``): what they bind is the principal's, not what the call evaluates to
    decoding: set[int] = field(default_factory=set)
    # a route guarded by an auth dependency that hands it no principal (the route's, its router's or an
    # ``include_router(..., dependencies=[Depends(auth)])`` entry, ``included_dependencies``): family 2 claims its
    # lookups keyed on a client key (nothing of the caller is in scope to scope them by)
    router_auth: bool = False
    # a Flask view whose caller is a global (``current_user``, ``g.user``, ``knowledge.flask``): a permission
    # helper reads it without being handed it
    global_caller: bool = False
    # a method of a Flask view class that the class's authenticated views call on ``self`` (``flask_view_helper``):
    # its checks after a fetch are the request's (BKL202); what it loads unchecked goes back to the view, which
    # is read for that (no BKL201 here)
    view_helper: bool = False
    # path keys a dependency checked the caller's membership in (``route_tenant_keys``, taken by the handler or
    # not): the caller's tenant from here on, but not who asks (a helper handed one still answers for the rows it
    # loads by another key; the path's other keys are the client's choice)
    tenant_keys: frozenset[str] = frozenset()
    # parameters of a project function its callers fill with what a call made with the principal answered (an id
    # list their access decision computed): derived from who asks, as that value is in the caller
    caller_built: set[str] = field(default_factory=set)
    # parameters its callers fill with an administrator's verdict on the principal (``can_view_all=
    # rbac_service.is_system_admin(current_user)``): true for administrators only (an admin test)
    admin_flags: set[str] = field(default_factory=set)

    @property
    def in_scope(self) -> bool:
        return not self.admin and bool(self.principals or self.identity_params)

    def names(self) -> set[str]:
        return set(self.principals) | set(self.identity_params)
