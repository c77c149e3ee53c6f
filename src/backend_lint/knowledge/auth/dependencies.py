"""What a dependency is and what authenticates: ``classify_dependency`` (auth, admin, client data or nothing)
for ``Depends``/``Security`` callables, dependency factories and ``Annotated`` aliases, security schemes,
authentication libraries, the project classes and functions that authenticate a credential, and how a function
learns who asks from the request itself or a token it decodes; test code and scripts."""

from __future__ import annotations

import ast
import os
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

from ...ground.lazy import lazy_import
from ..cst import iter_children
from ..facts import alias_entry, method_return, orm_facts
from ..imports import dotted_name, last_segment
from ..index.extractors.orm import TENANT_COLUMNS  # the same parsing as the index
from ..models import identity_columns, is_pydantic_model, is_table_model, model_columns
from ..scoping import raising_decider
from .role_lists import role_alternatives
from .tenant_admins import HELD_TENANT_COLUMNS, names_site_operator, site_operator_gate, tenant_principal_field
from ..words import ADMIN_WORDS

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext
    from ...ground.config import Settings
    from ..index import ProjectIndex
    from .params import ParamInfo

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


DEPENDENCY_MARKERS = frozenset({"Depends", "Security"})
CLIENT_MARKERS = frozenset({"Body", "Form", "Query"})
NOT_CLIENT_MARKERS = frozenset({"Path", "Depends", "Security", "Header", "Cookie", "File", "UploadFile"})
SCALAR_TYPES = frozenset(
    {
        "builtins.str",
        "builtins.int",
        "builtins.bool",
        "builtins.float",
        "builtins.bytes",
        "builtins.dict",
        "builtins.list",
        "str",
        "int",
        "bool",
        "float",
        "bytes",
        "uuid.UUID",
        "UUID",
        "pydantic.UUID4",
        "pydantic.types.UUID4",
        "pydantic.EmailStr",
    }
)
# the project's stand-in for a caller who presented no credential (``AnonymousUser``, ``UnauthenticatedUser``)
ANONYMOUS_CLASS = re.compile(r"^_?(?:Anonymous|Unauthenticated)")
# Dependency names that say they yield the caller, beyond the configured list: ``get_current_verified_user``,
# ``get_current_user_from_token``, ``get_authenticated_user``.
AUTH_NAME = re.compile(r"(current|authenticated)_(\w*_)?(user|principal)(_|$)")
TASK_DECORATORS = ("task", "shared_task", "actor", "periodic_task", "job", "cron")


def _entry_matches(q: Optional[str], spelling: Optional[str], entries: tuple[str, ...]) -> bool:
    for e in entries:
        for cand in (q, spelling):
            if cand and (cand == e or cand.endswith("." + e)):
                return True
    return False


@dataclass(frozen=True)
class DependencyKind:
    kind: Optional[str]  # "auth", "admin" or None
    principal_type: Optional[str] = None
    # the dependency is a security scheme itself (``Depends(bearer)``, ``Security(api_key)``): it
    # authenticates the request, but its value is a credential, not the principal
    credentials: bool = False
    # what it yields is a resource or the client's own data (``get_board(board_id, user=Depends(...))``, a
    # body validator given the caller), not a credential: a dependency of it is no principal either
    resource: bool = False


NOT_AUTH = DependencyKind(None)


def _settings_key(settings: "Settings") -> tuple:
    return (settings.auth_dependencies, settings.admin_dependencies, settings.principal_parameters, settings.identity_fields)


def classify_dependency(
    project: Optional["ProjectIndex"],
    settings: "Settings",
    dependency: Optional[str],
    spelling: Optional[str] = None,
    kwargs: Optional[dict[str, str]] = None,
    _depth: int = 0,
    called: bool = False,
    args: Optional[list[str]] = None,
) -> DependencyKind:
    """Is the callable given to ``Depends``/``Security`` an auth (or admin) dependency?

    ``called``: the marker calls it (``Depends(is_user_in(GroupType.admin))``, ``args`` its positional
    arguments): a dependency factory, whose returned inner function is the dependency (``makes`` index
    facts); a factory that authenticates and is given a privileged role or permission
    (``privileged_arguments``) gates the route to admins."""
    if not dependency and not spelling:
        return NOT_AUTH
    kwargs = kwargs or {}
    name = last_segment(dependency or spelling)
    lowered = (name or "").lower()
    admin = (
        _entry_matches(dependency, spelling, settings.admin_dependencies)
        or any(w in lowered for w in ADMIN_WORDS)
        or kwargs.get("superuser") == "True"
    )
    privileged = called and privileged_arguments(
        args, kwargs, accounts=lambda: not multi_tenant(project, settings), alternatives=bool(args) and len(args) > 1 and role_alternatives(project, dependency)
    )
    target = None
    if project is not None and dependency:
        target = project.resolve_symbol(dependency)
        built = _built_dependency_class(project, dependency, target)
        if built is not None and _depth < 6:
            # ``Depends(Factory.get_verifier(scopes))`` / ``Depends(make_checker(...))``: FastAPI calls the
            # instance the factory returns, so the dependency is that class's ``__call__``
            found = classify_dependency(project, settings, built, None, kwargs, _depth + 1)
            if found.kind is not None:
                return DependencyKind("admin", found.principal_type) if admin or privileged else found
    principal_type = None
    fn: Optional[dict[str, Any]] = None
    credentials = resource = inner_admin = False
    auth = _entry_matches(dependency, spelling, settings.auth_dependencies) or bool(AUTH_NAME.search(lowered))
    if target is not None:
        mod, attr, kind = target
        facts = project.modules[mod]  # type: ignore[union-attr]
        orm = orm_facts(facts)
        fn = None
        if kind == "functions":
            fn = orm.get("functions", {}).get(attr)
            forwards = (fn or {}).get("forwards") if called and not (fn or {}).get("makes") else None
            if forwards and _depth < 6:
                # ``Security(require_workspace("runs.read"))`` where ``require_workspace`` returns
                # ``require_permission(key, workspace_param=...)``: the dependency is what the factory it calls
                # makes. Given a permission and forwarding it with the scope left out (``require_global(key)``
                # returning ``require_permission(key, workspace_param=None)``), it demands the permission
                # site-wide: an admin gate; a scoped one (``require_workspace``) is the tenant's own gate
                found = classify_dependency(project, settings, forwards["func"], None, None, _depth + 1, True, None)
                if found.kind is not None:
                    if admin or (forwards.get("none") and (args or kwargs)):
                        return DependencyKind("admin", found.principal_type)
                    return DependencyKind("auth", found.principal_type, found.credentials, found.resource)
            if called and fn is not None and fn.get("makes"):
                # a dependency factory: FastAPI runs the function it returns (``is_user_allowed_to([...])``
                # returns ``async def checker(user=Depends(is_user())) -> User``), read like any dependency
                fn = fn["makes"]
                auth = auth or bool(AUTH_NAME.search(str(fn.get("name", "")).lower()))
                if privileged and (path_scoped_gate(project, settings, fn) or path_tenant_context(project, settings, lowered, fn)):
                    # ``RequireTeamPermission(TeamPermission.MANAGE)``: the team's managers;
                    # ``require_workspace_path_role({"admin"})``: the role the caller holds in the path's workspace
                    privileged = False
        elif kind == "classes":
            # a class dependency, ``Depends(JWTBearer())``: a subclass of a security scheme, or a class whose
            # ``__call__`` does what an auth dependency does
            bases = facts.get("classes", {}).get(attr, {}).get("bases", ())
            fn = orm.get("callables", {}).get(attr)
            if any(is_security_scheme(b) for b in bases):
                auth = True
                credentials = fn is None
        elif kind == "assignments":
            call = orm.get("calls", {}).get(attr)
            if call is not None and last_segment(call.get("func")) == "current_user":
                # fastapi-users: ``current_active_user = fastapi_users.current_user(active=True)``
                auth = True
                admin = admin or call.get("kwargs", {}).get("superuser") == "True"
            elif call is not None and is_security_scheme(call.get("func")):
                # ``oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")``
                auth = credentials = True
            elif call is not None and auth_library(project, call.get("func")):
                # ``manager = LoginManager(secret, "/login")`` then ``Depends(manager)``
                auth = True
            elif call is not None and call.get("func") and _depth < 6:
                # ``gate = Gate(scopes)`` then ``Depends(gate)``: FastAPI calls the instance, so the dependency is
                # the class (its ``__call__``, or a security-scheme subclass)
                cls = project.get_class(call["func"])  # type: ignore[union-attr]
                if cls is not None:
                    found = classify_dependency(project, settings, cls[0], None, call.get("kwargs"), _depth + 1)
                    if found.kind == "auth" and admin and not privileged and _tenant_role_instance(
                        project, settings, dependency, spelling, lowered, cls[0], kwargs, found.principal_type,
                        [v for v in (*call.get("args", ()), *call.get("values", ()), *call.get("kwargs", {}).values()) if isinstance(v, str)],
                    ):
                        return found  # a workspace's administrator (``require_admin = RoleChecker([Role.ADMIN])``)
                    if found.kind is not None:
                        return DependencyKind("admin", found.principal_type) if admin or privileged else found
                elif _makes_dependency(project, call["func"]):
                    # ``require_staff = require_role(["doctor", "nurse"])`` then ``Depends(require_staff)``: the
                    # factory's call made once at import, read as ``Depends(require_role([...]))`` is
                    found = classify_dependency(
                        project, settings, call["func"], None, call.get("kwargs"), _depth + 1, True,
                        list(call.get("args", ())) + list(call.get("values", ())),
                    )
                    if found.kind is not None:
                        return DependencyKind("admin", found.principal_type) if admin else found
        if fn is not None:
            principal_type = fn.get("returns") or returned_user_row(project, fn)  # type: ignore[arg-type]
            if fn.get("auth"):
                auth = True  # decodes a token (index fact)
            if not auth and _depth < 6:
                # ``get_current_active_user(user: User = Depends(get_current_user)) -> User``, and any
                # dependency of a dependency that authenticates (a security scheme, a token decoder)
                for p in fn.get("params", ()):
                    inner = param_dependency(project, settings, p, _depth + 1)
                    if inner.kind is not None:
                        auth = True
                        admin = admin or inner.kind == "admin"
                        inner_admin = inner.kind == "admin"
                        if principal_type and _returns_client_data(project, fn, principal_type):  # type: ignore[arg-type]
                            # ``agent_validator(body: TaskCreate = Body(), crud=Depends(crud_for_user)) ->
                            # TaskCreate``: the request is authenticated, but the value is the client's body
                            credentials = resource = True
                        elif inner.resource:
                            credentials = resource = True  # built on a resource: what it yields is no principal
                        elif inner.credentials:
                            pass  # it handles the raw credential: what it returns is the principal
                        elif principal_type and inner.principal_type and project.canonical(principal_type) == project.canonical(inner.principal_type):  # type: ignore[union-attr]
                            pass  # passes the principal on
                        elif principal_type and not _takes_client_key(fn) and _returns_user_model(project, principal_type):  # type: ignore[arg-type]
                            # ``get_user(user_id: str = Depends(token_user_id), db=...) -> CoreUser``: the caller's
                            # own user row, loaded from the authenticated identity alone (no key the client names)
                            pass
                        elif not principal_type and not _takes_client_key(fn):
                            principal_type = inner.principal_type  # ``def active(user=Depends(current)): return user``
                        elif last_segment(principal_type) in _SCALAR_NAMES and not _takes_client_key(fn):
                            # ``require_current_organization_id(user=Depends(current_user)) -> int``: a value of
                            # the caller's, from the authenticated request alone (its tenant's id): who asks
                            pass
                        elif (
                            principal_type and not _takes_client_key(fn) and not _takes_body(project, fn)
                            and (_data_holder(project, principal_type) or (record_class(project, principal_type) and not client_selected(fn)))  # type: ignore[arg-type]
                            and not _keyed_resource(project, settings, fn, principal_type, _depth)  # type: ignore[arg-type]
                        ):
                            # ``get_context(auth0_user=Depends(auth0.get_user)) -> ApiContext`` (a dataclass or a
                            # pydantic model): built from the authenticated request alone, no key the client
                            # names: the caller's context. A service or repository built with the caller
                            # (``-> AutomationService``) stays what it was: it holds the principal, it is not one
                            pass
                        else:
                            # ``get_board(board_id, user=Depends(current_user)) -> Board``: the request is
                            # authenticated, but the value is a resource, not the principal
                            credentials = resource = True
                        break
            if not auth and principal_type and _returns_user_model(project, principal_type) and not _takes_client_key(fn):
                auth = True  # returns the project's user model, from the request alone
            if not auth and fn.get("raises") and not _takes_client_key(fn) and refusing_authenticator(project, fn) is not None:
                # ``get_principal(request)`` reading the bearer header by hand and handing it to
                # ``get_jwt_validator(settings).validate_token(token)``, refusing a caller it cannot identify:
                # what it returns, from the request alone, is the caller (transitively through project functions
                # and methods, up to four calls deep). One that never raises is optional auth (``return None``
                # for an anonymous caller): the route it guards still serves anyone, and it is no auth dependency
                auth = True
            lookup = fn.get("credential_lookup")
            if not auth and lookup and not _takes_client_key(fn):
                # ``verify_worker_token(request, db)``: a header's token looked up, 401 when no row answers, and
                # the token's holder returned (a workspace): the caller, identified by what it sent
                auth = True
                principal_type = principal_type or lookup.get("returns")
            if not auth and not principal_type and fn.get("builds") and not _takes_client_key(fn):
                rules = authenticating_class(project, fn["builds"])
                if rules is not None:
                    # ``get_rules(request, session=Depends(get_session), db=...)`` returning ``Rules(api_key,
                    # session, db)``, whose ``assert_user()`` refuses an anonymous caller with a 401: the object
                    # answers who asks (its methods decide access), built from the request alone
                    auth, principal_type = True, rules
    elif dependency and is_security_scheme(dependency):
        auth = credentials = True  # ``Depends(HTTPBearer())`` inline
    elif dependency and project is not None and library_dependency(project, dependency):
        auth = True  # ``Depends(auth0.get_user)``: an authentication library's object (see ``auth_library``)
    elif spelling and last_segment(spelling) == "current_user" and "." in spelling:
        auth = auth or spelling.endswith("fastapi_users.current_user")
    if not auth and not admin:
        return NOT_AUTH
    if privileged and _tenant_roles(project, principal_type, args, kwargs):
        privileged = False  # ``require_roles(UserRole.ADMIN, UserRole.AREA_MANAGER)`` of a tenant's user
    admin = admin or (auth and privileged)
    if (
        admin and auth and not privileged and fn is not None and project is not None
        and not _entry_matches(dependency, spelling, settings.admin_dependencies) and kwargs.get("superuser") != "True"
        and (
            _tenant_role_gate(project, lowered, fn) or (not inner_admin and _tenant_login(project, lowered, fn))
            or (not inner_admin and path_tenant_context(project, settings, lowered, fn))
        )
    ):
        # ``get_current_admin(user=Depends(get_current_user))`` refusing callers whose ``role`` is not owner/admin,
        # where ``get_current_user`` loads the caller within the request's tenant: a tenant's administrator,
        # still bound to that tenant's rows (RULES.md: only a site-wide admin dependency makes no claim); so is
        # ``require_tenant_admin() -> TenantAdminContext`` yielding the caller's ``tenant_id`` (``tenant_admins``)
        return DependencyKind("auth", principal_type, credentials, resource)
    if admin and not auth:
        if (
            not privileged and not inner_admin and fn is not None and project is not None
            and not _entry_matches(dependency, spelling, settings.admin_dependencies) and kwargs.get("superuser") != "True"
            and _tenant_login(project, lowered, fn)
        ):
            # ``require_tenant_admin(authorization) -> TenantAdminContext | None``: the tenant's login by what it
            # yields, no admin gate; returning ``None`` for a caller it cannot identify, it is no auth dependency
            # either (optional auth, as any dependency that never refuses)
            return NOT_AUTH
        # an admin gate is still an auth dependency, of the admin kind
        return DependencyKind("admin", principal_type)
    if admin:
        return DependencyKind("admin", principal_type)
    return DependencyKind("auth", principal_type, credentials, resource)



def _tenant_roles(project: Optional["ProjectIndex"], principal_type: Optional[str], args: Optional[list[str]], kwargs: dict[str, str]) -> bool:
    """The privileged roles a dependency factory is handed are a tenant's own (``require_roles(UserRole.ADMIN,
    UserRole.AREA_MANAGER)``): the principal the gate yields is a table row that belongs to one tenant (a
    ``tenant_id`` / ``organization_id`` ... column, ``HELD_TENANT_COLUMNS``), and no value names the site's
    operators (``names_site_operator``: ``UserRole.SUPER_ADMIN`` is the site's). Such an administrator or manager
    administers one tenant: the routes still owe that tenant's scope (RULES.md: only a site-wide admin dependency
    makes no claim)."""
    values = [*(args or ()), *(kwargs or {}).values()]
    if project is None or not principal_type or not values or any(map(names_site_operator, values)):
        return False
    if _site_admin_members(project, values):
        return False  # ``RoleChecker([UserRole.ADMIN])`` where ``UserRole`` also has ``ORG_ADMIN``: the site's
    q = project.canonical(principal_type)
    return is_table_model(project, q) and bool(HELD_TENANT_COLUMNS & set(model_columns(project, q)))


# A role enum's member naming one tenant's administrator (``ORG_ADMIN``, ``TENANT_ADMIN``, ``WORKSPACE_ADMIN``).
_TENANT_ADMIN_MEMBER = re.compile(r"^(?:org|organi[sz]ation|tenant|workspace|company|account|firm)_?admin", re.IGNORECASE)


def _site_admin_members(project: "ProjectIndex", values: list[str]) -> bool:
    """Every value is the plain administrator member of a project enum (``UserRole.ADMIN``, also in a list) that
    names a tenant's administrator beside it (``UserRole.ORG_ADMIN``): there the plain one is the site's
    (lexflow: ``ADMIN`` the system administrator, ``ORG_ADMIN`` a firm's), so the gate is site-wide even though
    the principal row carries a tenant column."""
    members: list[ast.expr] = []
    for v in values:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)  # (``"\d"`` in a stored value)
                node = ast.parse(v, mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            return False
        members += list(node.elts) if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else [node]
    if not members:
        return False
    for m in members:
        if not (isinstance(m, ast.Attribute) and isinstance(m.value, ast.Name) and m.attr.lower() in ("admin", "administrator")):
            return False
        if not any(_TENANT_ADMIN_MEMBER.match(f) for f in _enum_members(project, m.value.id)):
            return False
    return True


def _enum_members(project: "ProjectIndex", name: str) -> frozenset[str]:
    """The members of the project's enum classes named ``name`` (every class of that short name, as the call
    site's spelling is all there is here)."""

    def build() -> frozenset[str]:
        found: set[str] = set()
        for q, cls in project.iter_classes():
            if last_segment(q) == name and any(last_segment(b) in ("Enum", "StrEnum", "IntEnum") for b in cls.get("bases", ())):
                found.update(cls.get("fields") or {})
        return frozenset(found)

    return project.memo(("auth.enum_members", name), build)


def _tenant_login(project: "ProjectIndex", lowered: str, fn: dict[str, Any]) -> bool:
    """Admin by its own name (not by an admin dependency it takes), and what it returns carries the caller's
    tenant key (``tenant_principal_field``): the tenant's login, not the site's administrator."""
    return any(w in lowered for w in ADMIN_WORDS) and tenant_principal_field(project, lowered, fn) is not None


def _tenant_role_instance(
    project: "ProjectIndex", settings: "Settings", dependency: Optional[str], spelling: Optional[str], lowered: str, cls: str,
    kwargs: dict[str, str], principal_type: Optional[str] = None, values: Optional[list[str]] = None,
) -> bool:
    """A module-level instance of a class dependency, admin by its name only (``require_admin =
    RoleChecker([WorkspaceRole.ADMIN])``), whose ``__call__`` compares the role of a membership row that a
    dependency loads within a tenant (``get_current_active_membership``: ``WorkspaceMember.workspace_id ==
    current_user.active_workspace_id`` beside the caller's id, 403 without): the role the caller holds in a tenant,
    the tenant's administrator, not the site's (``_tenant_role_gate``, read on the class's ``__call__``)."""
    if _entry_matches(dependency, spelling, settings.admin_dependencies) or kwargs.get("superuser") == "True":
        return False
    mod, _, attr = cls.rpartition(".")
    fn = orm_facts(project.modules[mod]).get("callables", {}).get(attr) if mod in project.modules else None
    if fn is None:
        return False
    return _tenant_role_gate(project, lowered, fn) or _tenant_member_role_list(project, lowered, fn, principal_type, values or [])


def _tenant_member_role_list(
    project: "ProjectIndex", lowered: str, fn: dict[str, Any], principal_type: Optional[str], values: list[str]
) -> bool:
    """A role checker built once with the roles it admits (``require_admin = PermissionChecker(["owner",
    "admin"])``) whose ``__call__`` compares a role column of the principal it is handed (``if current_user.role
    not in self.allowed_roles: raise``), where that principal is a table row holding a tenant column
    (``User.tenant_id``, ``HELD_TENANT_COLUMNS``) and the role column itself: the roles of a tenant's members, so
    its administrator is the tenant's, however the caller is loaded (by e-mail, by id). Nothing may say the
    site's: no ``is_superuser`` / ``is_staff`` compare, no ``superuser`` / ``platform`` in the name
    (``site_operator_gate``), no value naming the site's operators (``names_site_operator``: ``"super_admin"``),
    no plain ``ADMIN`` beside an enum's ``ORG_ADMIN`` (``_site_admin_members``). A checker testing only a site
    flag (``if not user.is_superuser: raise``) compares no role column and stays the site's."""
    compared = {c for c in fn.get("param_compared") or () if c in ("role", "roles") or c.endswith("_role")}
    if not compared or not principal_type or not values or site_operator_gate(lowered, fn):
        return False
    if any(map(names_site_operator, values)) or _site_admin_members(project, values):
        return False
    q = project.canonical(principal_type)
    if not is_table_model(project, q):
        return False
    columns = set(model_columns(project, q))
    return bool(HELD_TENANT_COLUMNS & columns) and bool(compared & columns)


def _tenant_role_gate(project: "ProjectIndex", lowered: str, fn: dict[str, Any], _depth: int = 0) -> bool:
    """An admin dependency by its name whose gate is a role of a user loaded within a tenant: it compares its
    principal's ``role`` (``if user.role not in {"owner", "admin"}: raise``; nothing says the site's,
    ``site_operator_gate``: no ``is_superuser`` / ``is_staff`` / ``is_admin`` flag, no ``superuser`` /
    ``super_admin`` in its name) and the user comes from a dependency (up to three deep) that filters its lookup
    on a tenant column (index fact ``tenant_filtered``: ``User.tenant_id == tenant.id``; every column of
    ``TENANT_COLUMNS``, see ``HELD_TENANT_COLUMNS``). Such an administrator administers one tenant, not the site."""
    compared = fn.get("param_compared") or ()
    if not any(c in ("role", "roles") or c.endswith("_role") for c in compared) or site_operator_gate(lowered, fn):
        return False
    return _loads_within_tenant(project, fn, 0)


def _loads_within_tenant(project: "ProjectIndex", fn: dict[str, Any], depth: int) -> bool:
    if fn.get("tenant_filtered"):
        return True
    if depth >= 3:
        return False
    for p in fn.get("params", ()):
        dep = p.get("dependency")
        found = project.project_function(dep) if dep else None
        if found is None:
            continue
        inner = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1])
        if inner is not None and _loads_within_tenant(project, inner, depth + 1):
            return True
    return False


# Words of a role or permission handed to an authenticating dependency factory that restrict the route to
# privileged callers: ``is_user_in(GroupType.admin)``, ``auth_required([PERMISSION_ADMIN_UPDATE_USER])``,
# ``is_user_allowed_to([CdrPermissions.manage_cdr])``, ``require_role(Role.MODERATOR)``. A word starts a
# segment of the spelling (``unmanaged`` is not one); permissions that name a resource and an ordinary action
# (``access_cdr``, ``article:update``, ``vote``) are what members hold: such a route makes its claims.
# ``superadmin`` / ``SuperAdmin`` / ``PlatformAdmin`` (one word once lower-cased) are the same administrators.
# (Whether a gate is privileged at all; whose administrator it is, the site's or a tenant's, is asked after, by
# ``tenant_admins.SITE_OPERATOR_WORDS``: ``UserRole.ADMIN`` is privileged and may be a tenant's.)
_PRIVILEGED = re.compile(r"(?:^|[^a-z])(?:(?:super|platform|system|sys)?admin|superuser|manage|moderat)")
# A permission string in the site's own namespace (``"platform:users:update"``, ``"system:audit:read"``) beside
# the tenants' (``"business_unit:deployments:read"``): the operator's scope, whatever the action.
_SITE_NAMESPACE = re.compile(r"^['\"](?:platform|system)[:.]")


def site_permission(literal: str) -> bool:
    """A permission string literal (quotes kept) in the site's own namespace (``_SITE_NAMESPACE``):
    ``"platform:plugins:upload"``, ``'system.audit.read'``; not a tenant's (``"business_unit:deployments:read"``).
    One vocabulary for a dependency factory's argument (``privileged_arguments``) and a permission test inside a
    handler's body (``queries.gates``)."""
    return bool(_SITE_NAMESPACE.search(literal.lower()))


# A permission whose subject is the accounts themselves or their audit trail (``require_permission("view",
# "users")``, ``Permission.USERS_WRITE``, ``"audit:read"``, ``("update", "roles")``): administering other
# people's accounts, roles and the audit log is the administrators' work, whatever the action. Words of the
# value (a string's text, or an enum member's own name: ``Roles.EDITOR`` is a role, not the ``roles``
# subject); the singular ``user`` is no such subject (``"user:read"`` is what every member holds).
_ADMINISTERED = frozenset({"users", "roles", "audit", "audits"})
_WORD = re.compile(r"[a-z0-9]+")


def _administers_accounts(value: str) -> bool:
    text = value.strip()
    if text[:1] in ("'", '"'):
        text = text.strip("'\"")
    elif "(" not in text:
        text = text.rpartition(".")[2]
    else:
        return False
    return bool(set(_WORD.findall(text.lower())) & _ADMINISTERED)


def multi_tenant(project: Optional["ProjectIndex"], settings: "Settings") -> bool:
    """Some table model of the project has a tenant identity column (``organization_id``, ``tenant_id``...):
    there, a permission on the accounts (``users``, ``roles``, ``audit``) may be a tenant administrator's, whose
    routes still owe the tenant's scope, so it makes no admin gate (``_administers_accounts``)."""
    if project is None:
        return True

    def build() -> bool:
        for q, _ in project.iter_classes():
            if is_table_model(project, q) and TENANT_COLUMNS & set(identity_columns(project, settings, q)):
                return True
        return False

    return project.memo(("auth.multi_tenant", settings.identity_fields), build)


def path_scoped_gate(project: "ProjectIndex", settings: "Settings", made: dict[str, Any]) -> bool:
    """A dependency factory's inner function (``makes``) hands a path key of its own (``team_id:
    Annotated[UUID, Path()]``) together with the caller (an auth dependency's parameter) to a helper that refuses
    on them (``raising_decider``): the permission it is given is checked within that key's tenant (a team's
    manager), not site-wide."""
    params = made.get("params", ())
    keys = {p.get("name") for p in params if last_segment(p.get("marker")) == "Path" and not p.get("dependency")}
    callers = {p.get("name") for p in params if p.get("dependency") and param_dependency(project, settings, p, 1).kind == "auth"}
    return any(
        set(handed) & keys and set(handed) & callers and raising_decider(project, params, target)
        for target, handed in made.get("hands", ())
    )


def path_tenant_context(project: "ProjectIndex", settings: "Settings", lowered: str, fn: dict[str, Any]) -> bool:
    """What the gate ``fn`` (index facts; a factory's inner function) yields is the caller's standing in one tenant
    the request names: a project class that is no table model and has a role field (``WorkspaceContext(workspace,
    user, membership_role)``), built by a dependency (the gate, or one it takes that yields the same class, up to
    three deep) from a key the client names (a parameter with no dependency named as a tenant column,
    ``workspace_id``, ``team_id``; a path or query value) together with the caller (a parameter of an auth
    dependency). Its role is one looked up per tenant (a membership row), so an admin by that role is the
    tenant's, not the site's, whatever the gate's name says. Not when the gate says the site's
    (``site_operator_gate``: ``global`` / ``super`` in its name, an ``is_*`` flag of its principal tested)."""
    if site_operator_gate(lowered, fn) or any(map(names_site_operator, fn.get("param_flags") or ())):
        return False  # (``if not user.is_global_admin: raise``, ``context.user.is_superuser``: the site's flag)
    returns = fn.get("returns")
    found = project.get_class(returns) if returns else None
    if found is None or is_table_model(project, found[0]):
        return False
    fields: set[str] = set()
    for _, facts in project.class_mro(found[0]):
        fields.update((facts or {}).get("fields", {}))
    if not any("role" in f for f in fields):
        return False
    return _built_from_request_tenant(project, settings, fn, project.canonical(found[0]), 0)


def _built_from_request_tenant(project: "ProjectIndex", settings: "Settings", fn: dict[str, Any], cls: str, depth: int) -> bool:
    params = fn.get("params", ())
    keys = [p for p in params if p.get("name") in TENANT_COLUMNS and not p.get("dependency") and (not p.get("marker") or last_segment(p.get("marker")) == "Path")]
    if keys and any(p.get("dependency") and param_dependency(project, settings, p, depth + 1).kind == "auth" for p in params):
        return True
    if depth >= 3:
        return False
    for p in params:
        dep = p.get("dependency")
        found = project.project_function(dep) if dep else None
        inner = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) if found else None
        if inner and inner.get("returns") and project.canonical(inner["returns"]) == cls and _built_from_request_tenant(project, settings, inner, cls, depth + 1):
            return True
    return False


def privileged_arguments(
    args: Optional[Iterable[str]], kwargs: Optional[dict[str, str]], accounts: "bool | Callable[[], bool]" = False, alternatives: bool = False
) -> bool:
    """An argument of a dependency factory's call names a privileged role or permission (``_PRIVILEGED``):
    a value, never a keyword's name (``allow_admin=False`` is no gate). With ``accounts`` (a project that is not
    multi-tenant, ``multi_tenant``), a permission on the accounts themselves too (``_administers_accounts``). A list or tuple counts only when every
    element does: ``[CampaignPermissions.vote, CampaignPermissions.manage_campaign]`` lets voters in too (a
    list of alternatives that ordinary members hold one of is no admin gate). So do several positional values of
    one enum (``require_role(RoleEnum.owner, RoleEnum.admin)``, a ``*roles`` factory): alternatives, where an org
    ``owner`` is a membership role, not the site administrator. ``accounts`` may be a function, asked only when an
    argument administers accounts (``multi_tenant`` reads the table models' owner columns, which read the
    principal classes, which classify dependencies: asked eagerly, it recursed without end). With
    ``alternatives`` (the factory's positional values all fill one ``*roles`` parameter, ``role_lists``),
    several positional values of any spelling are alternatives too: ``require_role('teacher', 'student',
    'admin')`` admits students, ``('Director', 'CEO', 'Admin')`` an organisation's directors: no admin gate."""
    args = list(args or ())
    heads = {a.rpartition(".")[0] for a in args}
    if len(args) > 1 and (alternatives or (len(heads) == 1 and "" not in heads)):
        args = [f"[{', '.join(args)}]"]
    for v in (*args, *((kwargs or {}).values())):
        if not v or v in ("True", "False", "None"):
            continue
        try:
            node = ast.parse(v, mode="eval").body
        except SyntaxError:
            node = None
        if _prose(node):
            continue  # (``denied_detail="Only owner can manage project members"``: what the refusal says, no role)
        parts = [ast.unparse(e) for e in node.elts] if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else [v]
        if parts and all(
            _PRIVILEGED.search(x.lower()) or site_permission(x)
            or (_administers_accounts(x) and (accounts() if callable(accounts) else accounts))
            for x in parts
        ):
            return True
    return False


def _prose(node: Optional[ast.AST]) -> bool:
    """A string of three words or more (``"Only owner can manage project members"``): a message a factory shows
    when it refuses, not the name of a role or a permission (``"admin"``, ``"users:manage"``, ``"manage_team"``)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value.split()) >= 3


def _makes_dependency(project: "ProjectIndex", func: str) -> bool:
    """``func`` is a project function returning the dependency it defines (index fact ``makes``)."""
    target = project.project_function(func)
    if target is None:
        return False
    return bool(orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1], {}).get("makes"))


def _built_dependency_class(project: "ProjectIndex", dependency: str, target: Optional[tuple[str, str, str]]) -> Optional[str]:
    """The project class whose instance a dependency factory returns, when that class is callable (has a
    ``__call__``): a function or a class's method annotated to return it (``def get_auth_verifier(scopes) ->
    AuthVerifierBase``), or a function with no annotation whose every ``return`` builds one (``return
    CombinedEnforcement(module, action)``, index fact ``builds``). A value of such a class given to ``Depends`` is called by FastAPI per request; the
    factory itself is not the dependency. ``None`` for anything else."""
    returns: Optional[str] = None
    if target is not None:
        if target[2] != "functions":
            return None
        fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1], {})
        returns = fn.get("returns") or fn.get("builds")
    elif "." in dependency:
        owner, method = dependency.rsplit(".", 1)
        returns = method_return(project, owner, method)
    if not returns:
        return None
    for q, _ in project.class_mro(returns):
        found = project.resolve_symbol(q)
        if found is not None and found[2] == "classes" and found[1] in orm_facts(project.modules[found[0]]).get("callables", {}):
            return f"{found[0]}.{found[1]}"
    return None


# FastAPI's security schemes (``fastapi.security``): a dependency on one authenticates the request.
SECURITY_SCHEMES = frozenset(
    {
        "OAuth2PasswordBearer",
        "OAuth2AuthorizationCodeBearer",
        "OAuth2",
        "OpenIdConnect",
        "HTTPBearer",
        "HTTPBasic",
        "HTTPDigest",
        "APIKeyHeader",
        "APIKeyCookie",
        "APIKeyQuery",
    }
)
# Class names of the project's user model: a dependency that returns one from the request is an auth
# dependency (``async def who(request) -> Account``).
USER_CLASS = re.compile(r"^(User|Account|Principal|Identity)$|User$")
_SCALAR_NAMES = frozenset({"str", "int", "UUID", "UUID4", "float", "bool"})


# Third-party authentication libraries, by the name of their top-level package (``fastapi_auth0``,
# ``propelauth_fastapi``, ``fastapi_jwt_auth``, ``fastapi_login``, ``authx``, ``supertokens_python``): their
# objects are what an app depends on to authenticate a request, and they yield the caller (a user object, or a
# handle that reads the caller's verified token, ``Authorize.get_jwt_subject()``).
_AUTH_PACKAGE = re.compile(r"auth|jwt|login|oidc|keycloak|clerk|supertokens|stytch|descope|kinde|cognito")
_NOT_AUTH_PACKAGES = frozenset({"fastapi", "starlette", "pydantic", "sqlalchemy", "sqlmodel", "typing"})


def authenticating_class(project: Optional["ProjectIndex"], q: Optional[str]) -> Optional[str]:
    """``q`` is a project class with a method taking nothing but ``self`` that refuses the caller as
    unauthenticated (it raises an ``HTTPException`` with a 401 status: ``assert_user()``, ``require_login()``):
    an object built per request that identifies the caller on demand. Its canonical name, else None."""
    if project is None or not q:
        return None
    found = project.get_class(q)
    if found is None:
        return None
    cls, facts = found
    mod, name = cls.rsplit(".", 1)
    methods = orm_facts(project.modules[mod]).get("methods", {})
    for method in facts.get("methods", ()):
        m = methods.get(f"{name}.{method}") or {}
        if m.get("args") or method.startswith("__"):
            continue
        if any(last_segment(c) == "HTTPException" for c in m.get("calls_out", ())) and any(
            "401" in r or last_segment(r) == "HTTP_401_UNAUTHORIZED" for r in m.get("refs_out", ())
        ):
            return cls
    return None


def refusing_method(project: Optional["ProjectIndex"], cls: Optional[str], method: str, _depth: int = 0) -> bool:
    """``cls.method`` raises an ``HTTPException``, itself or through another method of the same object it calls
    (``assert_package_delete(self, package)`` handing on to ``self.assert_channel_or_package_roles(...)``)."""
    if project is None or not cls or _depth > 4:
        return False
    found = project.get_class(cls)
    if found is None or method not in found[1].get("methods", ()):
        return False
    mod, name = found[0].rsplit(".", 1)
    facts = orm_facts(project.modules[mod]).get("methods", {}).get(f"{name}.{method}") or {}
    calls = facts.get("calls_out", ())
    if any(last_segment(c) == "HTTPException" for c in calls):
        return True
    return any(c.startswith("self.") and refusing_method(project, found[0], c[5:], _depth + 1) for c in calls if c.count(".") == 1)


def auth_library(project: Optional["ProjectIndex"], q: Optional[str]) -> bool:
    """``q`` names something in a third-party authentication library (not a module of the project)."""
    if not q or "." not in q:
        return False
    top = q.split(".", 1)[0]
    if top in _NOT_AUTH_PACKAGES or (project is not None and project.split(q) is not None):
        return False
    return bool(_AUTH_PACKAGE.search(top.lower()))


def library_dependency(project: "ProjectIndex", dependency: str) -> bool:
    """``Depends(get_user)`` imported from an authentication library, or ``Depends(auth0.get_user)`` /
    ``Security(propel.require_user)`` on a module-level instance the project made from one
    (``auth0 = Auth0(...)``, ``propel = init_auth(...)``)."""
    if auth_library(project, dependency):
        return True
    owner, _, _method = dependency.rpartition(".")
    call = _module_call(project, owner) if owner else None
    if call is None:
        return False
    for func in (call.get("func"), *call.get("alternatives", ())):
        if auth_library(project, func):
            return True
        # ``auth = acl.get_propelauth()``: a project function returning the library's object
        made = project.project_function(func) if func else None
        if made is not None:
            returns = orm_facts(project.modules[made[0]]).get("functions", {}).get(made[1], {}).get("returns")
            if auth_library(project, returns):
                return True
    return False


def _module_call(project: "ProjectIndex", q: str) -> Optional[dict[str, Any]]:
    """The call a module-level name is bound to (``auth0 = Auth0(...)``, also in an ``if`` / ``try`` arm)."""
    found = project.resolve_symbol(q)
    if found is not None:
        mod, name = found[0], found[1]
        if found[2] != "assignments":
            return None
    else:
        split = project.split(q)
        if split is None or "." in split[1]:
            return None
        mod, name = split
    return orm_facts(project.modules[mod]).get("calls", {}).get(name)


def is_security_scheme(q: Optional[str]) -> bool:
    """``fastapi.security.HTTPBearer`` (also through ``fastapi.security.http``)."""
    return bool(q) and last_segment(q) in SECURITY_SCHEMES and q.startswith("fastapi")  # type: ignore[union-attr]


def returned_user_row(project: "ProjectIndex", fn: dict[str, Any]) -> Optional[str]:
    """What ``-> User`` would say of a function taking dependencies with no return annotation whose every
    ``return`` hands back a row of the user model: one it loads (``returns_row``: ``session.get(User, int(sub))``)
    or one a project function it calls returns, by that function's annotation or its own load (``returns_via``:
    ``user = get_user_by_email(db, email)`` ... ``return user``, one call deep); else None."""
    if fn.get("returns") or not any(p.get("dependency") for p in fn.get("params", ())):
        return None
    row = fn.get("returns_row")
    found = project.project_function(fn["returns_via"]) if not row and fn.get("returns_via") else None
    if found is not None:
        callee = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        row = callee.get("returns") or callee.get("returns_row")
    return row if row and _returns_user_model(project, row) else None


def _returns_user_model(project: "ProjectIndex", type_q: str) -> bool:
    found = project.get_class(type_q)
    return found is not None and bool(USER_CLASS.search(last_segment(found[0]))) and is_table_model(project, found[0])


def _returns_client_data(project: "ProjectIndex", fn: dict[str, Any], returns: str) -> bool:
    """The dependency returns what the client sent: its return type is the type of one of its request-body
    parameters (``Body()`` / ``Form()``, or a project pydantic class with no marker), a subclass or a base of
    it (a validator that checks the body and hands it back, ``AgentRun(**body.dict(), run_id=...)``)."""
    related = {q for q, _ in project.class_mro(returns)}
    for p in fn.get("params", ()):
        type_q = p.get("type")
        if not type_q or p.get("dependency"):
            continue
        marker = last_segment(p.get("marker"))
        if p.get("marker") and marker not in ("Body", "Form"):
            continue
        found = project.get_class(type_q)
        if found is None:
            continue
        if found[0] in related or any(q == project.canonical(returns) for q, _ in project.class_mro(found[0])):
            return True
    return False


def _takes_body(project: "ProjectIndex", fn: dict[str, Any]) -> bool:
    """A request-body parameter (``Body()`` / ``Form()``, or a project pydantic class with no marker): a function
    that acts on what the client sent (``ai_start_activity_chat_session(request, chat_session_object:
    StartActivityAIChatSession, current_user=Depends(...)) -> ActivityAIChatSessionResponse``): what it returns is
    a response, not the caller's context."""
    for p in fn.get("params", ()):
        if p.get("dependency"):
            continue
        marker = last_segment(p.get("marker"))
        if marker in ("Body", "Form"):
            return True
        type_q = p.get("type")
        if not p.get("marker") and type_q and is_pydantic_model(project, type_q):
            return True
    return False


_DATACLASS_DECORATORS = frozenset({"dataclass", "define", "frozen", "s", "attrs"})


def _data_holder(project: "ProjectIndex", type_q: str) -> bool:
    """A class that holds data, not behaviour: a dataclass / attrs class or a pydantic model, not a table."""
    if is_table_model(project, type_q):
        return False
    if is_pydantic_model(project, type_q):
        return True
    for q, _ in project.class_mro(type_q):
        found = project.resolve_symbol(q)
        if found is None or found[2] != "classes":
            continue
        decorators = project.modules[found[0]].get("classes", {}).get(found[1], {}).get("decorators", ())
        if any(last_segment(d) in _DATACLASS_DECORATORS and d.split(".")[0] in ("dataclasses", "attr", "attrs", "pydantic") for d in decorators):
            return True
    return False


def record_class(project: "ProjectIndex", type_q: Optional[str]) -> bool:
    """A plain class that only keeps what it is given (``class TenantContext: def __init__(self, tenant: Tenant,
    user: User): self.tenant = tenant; self.user = user``): ``__init__`` and other dunders as its only methods, no
    base but ``object``, and what ``__init__`` keeps on ``self`` typed (``self_types``). A context record, as a
    dataclass is; a service built with the caller has methods of its own (``-> AutomationService``)."""
    found = project.get_class(type_q) if type_q else None
    if found is None or is_table_model(project, found[0]) or is_pydantic_model(project, found[0]):
        return False
    mod, _, short = found[0].rpartition(".")
    cls = (project.modules[mod].get("classes", {}) if mod in project.modules else {}).get(short) or {}
    methods = cls.get("methods") or ()
    if "__init__" not in methods or any(not (m.startswith("__") and m.endswith("__")) for m in methods):
        return False
    if any(last_segment(b) not in ("object", "") for b in cls.get("bases") or ()):
        return False
    return bool(orm_facts(project.modules[mod]).get("self_types", {}).get(short))


# a header or cookie a dependency reads beside the caller names a choice of the client's (``x_tenant_id: str =
# Header(...)``) unless it is the credential itself (``authorization``, ``x_api_key``, ``session_token``)
_CREDENTIAL_WORDS = ("authorization", "token", "key", "bearer", "jwt", "credential", "secret", "session", "cookie", "signature")


def client_selected(fn: dict[str, Any]) -> bool:
    """The dependency reads a value the client chooses beside the credential: a ``Header()`` / ``Cookie()`` /
    ``Path()`` / ``Query()`` / ``Body()`` / ``Form()`` parameter not named for a credential (``x_tenant_id``):
    what it builds from it is the client's pick, not the caller's own (no verification is read)."""
    for p in fn.get("params", ()):
        marker = last_segment(p.get("marker"))
        if marker in CLIENT_MARKERS or marker in ("Path", "Header", "Cookie"):
            name = str(p.get("name") or "").lower()
            if marker in ("Header", "Cookie") and any(w in name for w in _CREDENTIAL_WORDS):
                continue
            return True
    return False


def _keyed_resource(project: "ProjectIndex", settings: "Settings", fn: dict[str, Any], type_q: str, _depth: int = 0) -> bool:
    """A dependency given the caller that still answers for a key the client names, so what it returns is a
    resource, not the caller's context: a key typed with a project alias of a plain type (``person_id:
    Identifier`` where ``Identifier: TypeAlias = UUID | str``), or a value of the class it returns handed in by
    another dependency that takes such a key (``viewable_project(user=Depends(authenticated_user), project:
    Project = Depends(current_project)) -> Project``, ``current_project(project_id = Path(...))``)."""
    canonical = project.canonical(type_q)
    for p in fn.get("params", ()):
        if p.get("name") in ("self", "cls", "request", "websocket"):
            continue
        if not p.get("marker") and p.get("type") and _scalar_alias(project, p["type"]):
            return True
        dependency = p.get("dependency")
        if not dependency or not p.get("type") or project.canonical(p["type"]) != canonical or _depth >= 4:
            continue
        found = project.project_function(dependency)
        inner = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) if found is not None else None
        if inner is not None and (_takes_client_key(inner) or _keyed_resource(project, settings, inner, type_q, _depth + 1)):
            return True
    return False


def _scalar_alias(project: "ProjectIndex", type_q: str) -> bool:
    """A project alias of plain types (``Identifier: TypeAlias = UUID | str``, ``Key = Union[int, str]``)."""
    found = project.resolve_symbol(type_q)
    if found is None or found[2] != "assignments":
        return False
    value = (project.modules[found[0]].get("assignments", {}).get(found[1]) or {}).get("value") or ""
    text = value.strip()
    for wrapper in ("typing.Union[", "Union[", "typing.Optional[", "Optional["):
        if text.startswith(wrapper) and text.endswith("]"):
            text = text[len(wrapper) : -1]
            break
    parts = [part.strip() for part in re.split(r"[|,]", text) if part.strip() and part.strip() != "None"]
    return bool(parts) and all(last_segment(part) in _SCALAR_NAMES for part in parts)


def _takes_client_key(fn: dict[str, Any]) -> bool:
    """A parameter the client supplies as a plain value (path or query): a lookup by key
    (``def load_user(user_id: int, db=Depends(get_db)) -> User``), not the caller's identity."""
    for p in fn.get("params", ()):
        if p.get("name") in ("self", "cls", "request", "websocket"):
            continue
        marker = last_segment(p.get("marker"))
        if marker in CLIENT_MARKERS or marker == "Path":
            return True
        if not p.get("marker") and (p.get("type") is None or last_segment(p.get("type")) in _SCALAR_NAMES):
            return True
    return False


def param_dependency(project: Optional["ProjectIndex"], settings: "Settings", p: dict[str, Any], _depth: int = 0) -> DependencyKind:
    """Classify one parameter as stored by the ``orm`` extractor."""
    marker = p.get("marker")
    if marker and last_segment(marker) in DEPENDENCY_MARKERS:
        found = classify_dependency(project, settings, p.get("dependency"), None, p.get("kwargs"), _depth, bool(p.get("called")), p.get("args"))
        if found.kind is not None:
            return DependencyKind(found.kind, found.principal_type or p.get("type"), found.credentials, found.resource)
        if _matches_class(p.get("type"), settings):
            return DependencyKind("auth", p.get("type"))
        if p.get("dependency") is None and _library_class(project, p.get("type")):
            # ``Authorize: AuthJWT = Depends()``: FastAPI builds the library's class from the request
            return DependencyKind("auth", p.get("type"))
        return NOT_AUTH
    alias = p.get("alias")
    if p.get("factory") and not (alias and project is not None and not marked_factory(project, p["factory"])):
        # (``member: ProjectMember = require_permission(perm)``: the default is the marker, not the annotation)
        return factory_dependency(project, settings, p["factory"], p.get("args"), p.get("kwargs"), _depth)
    if alias and project is not None:
        return alias_dependency(project, settings, alias, _depth)
    return NOT_AUTH


def factory_dependency(
    project: Optional["ProjectIndex"], settings: "Settings", factory: str, args: Optional[list[str]], kwargs: Optional[dict[str, str]], _depth: int = 0
) -> DependencyKind:
    """``user: Annotated[User, RequireScopes(Scopes(...))]``: a call with no marker in ``Annotated``. It is a
    dependency when the project's function returns ``Depends(inner)`` (the index's ``makes`` with ``marked``), or
    when the configuration names it (``auth-dependencies``); then it is read like ``Depends(factory(...))``."""
    configured = _entry_matches(factory, None, settings.auth_dependencies + settings.admin_dependencies)
    if not configured and not marked_factory(project, factory):
        return NOT_AUTH
    return classify_dependency(project, settings, factory, None, kwargs, _depth, True, args)


def marked_factory(project: Optional["ProjectIndex"], q: Optional[str]) -> bool:
    """``q`` is a project function that returns ``Depends(inner)`` (index ``makes`` with ``marked``): its call is
    a dependency marker wherever FastAPI reads one (a parameter's default, ``Annotated``, ``dependencies=[...]``)."""
    found = project.project_function(q) if project is not None and q else None
    if found is None:
        return False
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    return bool((fn.get("makes") or {}).get("marked"))


def _library_class(project: Optional["ProjectIndex"], type_q: Optional[str]) -> bool:
    return auth_library(project, type_q) and last_segment(type_q)[:1].isupper()  # type: ignore[index]


def _matches_class(type_q: Optional[str], settings: "Settings") -> bool:
    return bool(type_q) and _entry_matches(type_q, None, settings.auth_dependencies) and last_segment(type_q)[:1].isupper()


def alias_dependency(project: Optional["ProjectIndex"], settings: "Settings", alias_q: str, _depth: int = 0) -> DependencyKind:
    """``CurrentUser`` -> the kind of ``Annotated[User, Depends(get_current_user)]`` wherever it is defined."""
    if _entry_matches(alias_q, None, settings.admin_dependencies):
        return DependencyKind("admin", None)
    configured = _entry_matches(alias_q, None, settings.auth_dependencies)
    if project is None:
        return DependencyKind("auth", None) if configured else NOT_AUTH
    entry = alias_entry(project, alias_q)
    if entry is None:
        return DependencyKind("auth", None) if configured else NOT_AUTH
    if last_segment(entry.get("marker")) not in DEPENDENCY_MARKERS:
        return NOT_AUTH
    kind = classify_dependency(project, settings, entry.get("dependency"), None, entry.get("kwargs"), _depth, bool(entry.get("called")), entry.get("args"))
    alias_admin = any(w in last_segment(alias_q).lower() for w in ADMIN_WORDS)
    if alias_admin and kind.kind == "auth" and _tenant_admin_alias(entry):
        # ``WorkspaceAdminDep = Annotated[WorkspaceMember, Depends(get_workspace_admin)]``: the dependency's own
        # name says admin, and what it does made it a tenant's administrator (``_tenant_role_gate``: a role of a
        # membership row in the path's workspace); the alias's name says no more than the dependency's
        alias_admin = False
    if kind.kind is None:
        if configured or _matches_class(entry.get("type"), settings):
            return DependencyKind("admin" if alias_admin else "auth", entry.get("type"))
        return NOT_AUTH
    if alias_admin or kind.kind == "admin":
        return DependencyKind("admin", entry.get("type") or kind.principal_type)
    return DependencyKind("auth", entry.get("type") or kind.principal_type, kind.credentials, kind.resource)


def _tenant_admin_alias(entry: dict[str, Any]) -> bool:
    """The alias hands a dependency function (not a factory's call) whose own name says admin."""
    dep = entry.get("dependency")
    return bool(dep) and not entry.get("called") and any(w in last_segment(dep).lower() for w in ADMIN_WORDS)


_TEST_DIRS = frozenset({"tests", "test", "scripts", "seeding", "seeds", "seed", "fixtures"})


_SEED_FILE = re.compile(r"seed(s|ing|ers?)?(_\w*)?\.py$")


def test_or_script_module(path: str, root: Optional[str]) -> bool:
    """Test code, one-off scripts and seed data make no request-flow claim (families 1 and 2): a module under
    a ``tests`` / ``test`` folder, ``test_*.py``, ``*_test.py``, ``conftest.py``, a module under a ``scripts``
    folder, and seeding / fixture-data modules (under ``seeding`` / ``seeds`` / ``seed`` / ``fixtures``, or
    named ``seed*.py``: they insert and read the rows they make, for no request). Folders are read below the
    project root only (a project that itself lives under a ``tests`` folder is not test code)."""
    name = os.path.basename(path)
    if name == "conftest.py" or (name.startswith("test_") and name.endswith(".py")) or name.endswith("_test.py"):
        return True
    if _SEED_FILE.match(name):
        return True
    if not root:
        return False
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive
        return False
    parts = rel.replace(os.sep, "/").split("/")[:-1]
    if parts and parts[0] == "..":
        return False
    return not _TEST_DIRS.isdisjoint(parts)


def _test_module_name(mod: str) -> bool:
    parts = mod.split(".")
    last = parts[-1]
    return last == "conftest" or last.startswith("test_") or last.endswith("_test") or not _TEST_DIRS.isdisjoint(parts[:-1])


REQUEST_CLASSES = frozenset({"Request", "HTTPConnection", "WebSocket"})
# ``request.state.<name>`` set by an authentication middleware or dependency: the caller
REQUEST_STATE_PRINCIPALS = frozenset({"user", "current_user", "principal", "identity", "auth_user", "caller", "account", "member"})


def _request_params(params: list[ParamInfo]) -> set[str]:
    """The parameters typed as FastAPI's / Starlette's ``Request`` (or ``HTTPConnection`` / ``WebSocket``)."""
    return {
        p.name for p in params
        if p.type and last_segment(p.type) in REQUEST_CLASSES and p.type.split(".")[0] in ("fastapi", "starlette")
    }


def _request_identity(ctx: "FileContext", func: cst.FunctionDef, params: list[ParamInfo], held: frozenset[str] = frozenset()) -> dict[str, Optional[str]]:
    """What a route handler reads of the caller from the request itself: ``request.state.user`` (a middleware
    or dependency that authenticated the request) -> ``None`` (the principal); ``request.state.user_id`` / ``request.state.tenant_id`` -> that
    identity field, and ``request.state.session.user_id`` -> ``user_id`` whatever the object is called. Only for a
    parameter typed as FastAPI's / Starlette's ``Request``, or the request a class-based view holds (``held``:
    ``self.request``); read, never written (nor the object it is read off)."""
    names = _request_params(params) | held
    if not names:
        return {}
    fields = set(ctx.settings.identity_fields)
    out: dict[str, Optional[str]] = {}
    written: set[str] = set()
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.Assign or kind is cst.AnnAssign or kind is cst.AugAssign:
            targets = [t.target for t in node.targets] if kind is cst.Assign else [node.target]
            written |= {dotted_name(t) or "" for t in targets}
        if kind is cst.Attribute:
            base = node.value
            attr = node.attr.value
            # (Starlette's ``request.user`` is left out: apps read it to record who created a row, phoenix's
            # datasets shared by every user of an instance, more often than to decide who may read one)
            if (
                isinstance(base, cst.Attribute) and base.attr.value == "state"
                and _request_name(base.value, names) is not None
            ):
                req = _request_name(base.value, names)
                if attr in REQUEST_STATE_PRINCIPALS:
                    out[f"{req}.state.{attr}"] = None
                elif attr in fields:
                    out[f"{req}.state.{attr}"] = attr
            elif (
                attr in fields and isinstance(base, cst.Attribute) and isinstance(base.value, cst.Attribute)
                and base.value.attr.value == "state"
                and _request_name(base.value.value, names) is not None
            ):
                # ``request.state.session.user_id``: an identity field of whatever object the middleware put there
                out[f"{_request_name(base.value.value, names)}.state.{base.attr.value}.{attr}"] = attr
        stack.extend(iter_children(node))
    return {k: v for k, v in out.items() if k not in written and (k.count(".") < 3 or k.rsplit(".", 1)[0] not in written)}


def _request_name(node: cst.BaseExpression, names: set[str] | frozenset[str]) -> Optional[str]:
    """``request`` (a parameter) or ``self.request`` (held by a class-based view) when ``node`` spells one."""
    if isinstance(node, cst.Name):
        return node.value if node.value in names else None
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        spelled = f"self.{node.attr.value}"
        return spelled if spelled in names else None
    return None


# --- the caller decoded in a handler's body (no dependency) ---------------------------------------------

# Parameters that carry the request's credential into a handler: ``authorization: str = Header(None)``, a
# cookie, the request itself (its headers), a security scheme's credentials; and, in any function, a
# parameter named like the ``Authorization`` header (nothing else is called that).
CREDENTIAL_MARKERS = frozenset({"Header", "Cookie"})
AUTHORIZATION_PARAMS = frozenset({"authorization", "auth_header", "authorization_header", "bearer", "bearer_token"})
# a third-party verifier of a credential reached from a project function: ``firebase_admin.auth.verify_id_token``,
# ``jwt.decode`` spelled through another module
_VERIFIER = re.compile(r"^(verify|decode|validate)")
_VERIFIER_PACKAGE = re.compile(r"auth|jwt|jose|token|session")


def _token_decode(q: Optional[str]) -> bool:
    """``jwt.decode`` (PyJWT), ``jose.jwt.decode``, ``authlib.jose.jwt.decode``: as the index's ``auth`` facts."""
    return bool(q) and last_segment(q) == "decode" and q.split(".", 1)[0] in ("jwt", "jose", "authlib")  # type: ignore[union-attr]


def authenticating_function(project: Optional["ProjectIndex"], q: Optional[str], _depth: int = 0) -> Optional[str]:
    """Why the project function ``q`` authenticates a credential it is given, or ``None``: its body decodes a
    token or verifies the credential (the index's ``auth`` facts), or it calls, up to four calls deep through
    the index, a project function that does or a verifier of an authentication library
    (``firebase_admin.auth.verify_id_token``). What such a function returns, given the request's credential,
    is the caller's identity (``user_id, tenant_id = get_current_user_id(authorization)``)."""
    if project is None or not q:
        return None
    # (memoised per depth, with no mark of a function being read: the reading stops four calls down, which
    # also ends a cycle, so the answer for a function at a depth is the same whoever asks first; a shared
    # mark or a depth-blind memo handed a cut answer to later readers, and a warm run that asks in another
    # order than a cold one could answer differently)
    cache: dict[tuple[str, int], Optional[str]] = project.memo("auth.authenticating", dict)
    found = project.project_function(q)
    if found is None:
        return None
    key = (f"{found[0]}.{found[1]}", _depth)
    try:
        return cache[key]
    except KeyError:
        pass
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    why = fn["auth"][0] if fn.get("auth") else body_authenticates(project, fn, _depth)
    cache[key] = why
    return why


def body_authenticates(project: "ProjectIndex", fn: dict[str, Any], _depth: int) -> Optional[str]:
    """Why a function's (or method's) index facts say it authenticates through what it calls: a token decoder,
    a library's verifier, a project function that authenticates (``authenticating_function``), or a method
    that does on an object a project call made (``get_jwt_validator(settings).validate_token(token)``,
    ``JwtValidator(...).validate_token(token)``: the method is read on the class the callee returns)."""
    if _depth >= 4:
        return None
    calls = fn.get("calls_out", ())
    for t in calls:
        if _token_decode(t):
            return f"decodes a token (`{t}`)"
        if project.split(t) is None and "." in t and _VERIFIER.match(last_segment(t)) and _VERIFIER_PACKAGE.search(t.rsplit(".", 1)[0].lower()):
            if t.split(".", 1)[0] not in _NOT_AUTH_PACKAGES:
                return f"verifies the credential (`{t}`)"
        inner = authenticating_function(project, t, _depth + 1)
        if inner is not None:
            return f"calls `{last_segment(t)}()`, which {inner}"
    names = fn.get("name_calls", ())
    if not names:
        return None
    for t in calls:
        made = project.get_class(t)
        if made is None:
            found = project.project_function(t)
            if found is None:
                continue
            returns = (orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}).get("returns")
            made = project.get_class(returns) if returns else None
        if made is None:
            continue
        for name in names:
            inner = authenticating_method(project, made[0], name, _depth + 1)
            if inner is not None:
                return f"calls `{last_segment(made[0])}.{name}()`, which {inner}"
    return None


def refusing_authenticator(project: Optional["ProjectIndex"], fn: dict[str, Any]) -> Optional[str]:
    """Why a dependency that raises (index fact ``raises``) identifies the caller through what it calls
    (``body_authenticates``), or through a dependency it takes that does without refusing anyone
    (``require_principal(principal=Depends(optional_principal))`` raising 401 when that yields ``None``)."""
    if project is None:
        return None
    why = body_authenticates(project, fn, 0)
    if why is not None:
        return why
    for p in fn.get("params", ()):
        dep = p.get("dependency")
        found = project.project_function(dep) if dep and last_segment(p.get("marker")) in DEPENDENCY_MARKERS else None
        if found is None:
            continue
        inner = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        if _takes_client_key(inner):
            continue
        why = body_authenticates(project, inner, 1)
        if why is not None:
            return f"refuses the caller `{last_segment(dep)}` (which {why}) leaves unidentified"
    return None


def authenticating_method(project: Optional["ProjectIndex"], cls: Optional[str], method: str, _depth: int = 0) -> Optional[str]:
    """Why ``cls.method`` (or the method of that name on a base) authenticates, as ``authenticating_function``
    does for a function: its body decodes a token, or calls what does (also another method of its own)."""
    if project is None or not cls or _depth >= 4:
        return None
    # (memoised per depth, no mark while read: as ``authenticating_function``)
    cache: dict[tuple[str, str, int], Optional[str]] = project.memo("auth.authenticating_method", dict)
    key = (cls, method, _depth)
    try:
        return cache[key]
    except KeyError:
        pass
    why: Optional[str] = None
    for q, facts in project.class_mro(cls):
        if facts is None or method not in facts.get("methods", ()):
            continue
        mod, name = q.rsplit(".", 1)
        m = orm_facts(project.modules[mod]).get("methods", {}).get(f"{name}.{method}") or {}
        why = body_authenticates(project, {"calls_out": m.get("calls_out", ())}, _depth)
        if why is None:
            others = [c[5:] for c in m.get("calls_out", ()) if c.startswith("self.") and c.count(".") == 1]
            for other in others:
                if other != method and other in facts.get("methods", ()):
                    why = authenticating_method(project, q, other, _depth + 1)
                    if why is not None:
                        why = f"calls `self.{other}()`, which {why}"
                        break
        break
    cache[key] = why
    return why


def _credential_param(p: ParamInfo, route: bool) -> bool:
    if p.name.lower() in AUTHORIZATION_PARAMS:
        return True
    if not route:
        return False
    if p.marker in CREDENTIAL_MARKERS:
        return True
    if p.type and last_segment(p.type) in REQUEST_CLASSES and p.type.split(".")[0] in ("fastapi", "starlette"):
        return True
    return p.dependency.kind == "auth" and p.dependency.credentials  # ``creds = Depends(HTTPBearer())``


def decoded_caller(ctx: "FileContext", func: cst.FunctionDef, params: list[ParamInfo], route: bool) -> dict[str, tuple[Optional[str], str, int]]:
    """Names a function binds to the caller's identity in its own body, with no dependency doing it:
    ``user_id, tenant_id = get_current_user_id(authorization)`` where the argument carries the request's
    credential (``_credential_param``, or a local made from one: ``token = authorization.split()[1]``) and the
    callee authenticates it (``authenticating_function``), or ``payload = jwt.decode(token, ...)`` inline.
    ``{name: (identity field or None for the principal, why, id of the assignment)}``, bound from that line on. A token handed in
    the body (an invitation's, a reset link's) is a capability, not the caller; a header never decoded says
    nothing."""
    credentials = {p.name for p in params if _credential_param(p, route)}
    if not credentials:
        return {}
    project = ctx.project
    fields = set(ctx.settings.identity_fields)
    out: dict[str, tuple[Optional[str], str, int]] = {}

    def names_in(node: cst.CSTNode) -> set[str]:
        found: set[str] = set()
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, cst.Name):
                found.add(n.value)
            elif isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            else:
                stack.extend(iter_children(n))
        return found

    def targets_of(t: cst.BaseExpression) -> list[str]:
        if isinstance(t, cst.Name):
            return [t.value]
        if isinstance(t, (cst.Tuple, cst.List)):
            return [e.value.value for e in t.elements if isinstance(e, cst.Element) and isinstance(e.value, cst.Name)]
        return []

    def visit(stmts: Iterable[cst.CSTNode]) -> None:
        for stmt in stmts:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        targets = [n for t in small.targets for n in targets_of(t.target)]
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        targets = targets_of(small.target)
                    else:
                        continue
                    value = small.value
                    if value is None or not targets:
                        continue
                    call = _decoded_base(value)
                    used = names_in(value)
                    if not used & credentials:
                        continue
                    why = None
                    if isinstance(call, cst.Call) and isinstance(call.func, (cst.Name, cst.Attribute)):
                        q = ctx.qualified_name(call.func)
                        if _token_decode(q):
                            why = f"decodes a token (`{q}`)"
                        else:
                            inner = authenticating_function(project, q)
                            if inner is not None:
                                why = f"`{last_segment(q)}()` {inner}"
                    if why is None:
                        func_ = call.func if isinstance(call, cst.Call) else None
                        if isinstance(func_, cst.Name) or (isinstance(func_, cst.Attribute) and not names_in(func_.value) & credentials):
                            continue  # the credential handed to something else
                        # a part of the credential: ``authorization.split(" ")[1]``, ``request.headers.get(...)``
                        credentials.update(targets)  # ``token = authorization.split(" ")[1]``
                        continue
                    for n in targets:
                        credentials.discard(n)
                        out[n] = (n if n in fields else None, why, id(small))
            elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
                visit(_suite_statements(stmt))

    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
    visit(body)
    return out


def _decoded_base(value: cst.BaseExpression) -> cst.BaseExpression:
    """The call a value reads its part of: ``decode(token)["sub"]``, ``decode(token).get("sub")``,
    ``(await verify(token)).user_id``, ``int(decode(token)["sub"])`` -> the ``decode`` / ``verify`` call."""
    while True:
        if isinstance(value, cst.Await):
            value = value.expression
        elif isinstance(value, cst.Subscript):
            value = value.value
        elif isinstance(value, cst.Attribute) and not isinstance(value.value, cst.Name):
            value = value.value
        elif isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get" and not isinstance(value.func.value, (cst.Name, cst.Attribute)):
            value = value.func.value
        elif isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in ("int", "str", "UUID") and len(value.args) == 1:
            value = value.args[0].value
        else:
            return value


def _suite_statements(stmt: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements of a compound statement's blocks (``if``/``else``, ``try``/``except``/``finally``,
    ``with``, loops), in order."""
    out: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [stmt]
    while stack:
        n = stack.pop(0)
        for attr in ("body", "orelse", "handlers", "finalbody"):
            part = getattr(n, attr, None)
            if part is None:
                continue
            parts = part if isinstance(part, (list, tuple)) else [part]
            for b in parts:
                if isinstance(b, cst.IndentedBlock):
                    out.extend(b.body)
                elif isinstance(b, (cst.Else, cst.ExceptHandler, cst.Finally, cst.If)):
                    stack.append(b)
    return out


def authentication_middleware(project: Optional["ProjectIndex"]) -> bool:
    """The app installs Starlette's ``AuthenticationMiddleware`` (``app.add_middleware(AuthenticationMiddleware,
    backend=...)``, ``Middleware(AuthenticationMiddleware, ...)``, index fact ``auth_middleware``): every request's
    ``request.user`` is what the project's backend authenticated."""
    if project is None:
        return False

    def build() -> bool:
        return any(orm_facts(facts).get("auth_middleware") for mod, facts in project.iter_modules() if not _test_module_name(mod))

    return bool(project.stored_memo("auth.authentication_middleware", build, load=bool))


def request_user_principals(ctx: "FileContext", func: cst.FunctionDef, params: list[ParamInfo], held: frozenset[str] = frozenset()) -> list[str]:
    """``request.user`` as the caller of an authenticated route (an auth dependency guards it: a parameter,
    the decorator's, the router's or a registering wrapper's ``dependencies=[...]``) in an app that installs
    Starlette's ``AuthenticationMiddleware``: the middleware's backend authenticated the request, and the
    route's auth dependency refuses anonymous callers, so ``request.user`` is the principal. Read, never
    written; only for a parameter typed as FastAPI's / Starlette's ``Request``, or the request an object holds
    (``held``: ``self.request``, ``view_request_attributes``). (Without the middleware ``request.user`` is not
    set at all; an unauthenticated route's ``request.user`` may be anonymous.)"""
    if ".user" not in ctx.source or not authentication_middleware(ctx.project):
        return []
    names = _request_params(params) | held
    if not names:
        return []
    found: set[str] = set()
    written: set[str] = set()
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            written |= {dotted_name(t) or "" for t in targets}
        if isinstance(node, cst.Attribute) and node.attr.value == "user":
            req = _request_name(node.value, names)
            if req is not None:
                found.add(f"{req}.user")
        stack.extend(iter_children(node))
    return sorted(found - written)
