"""Who is asking: auth dependencies, the principal and identity values in scope (families 1 and 2).

- An *auth dependency* is ``Depends(f)`` / ``Security(f)`` where ``f`` matches ``auth-dependencies``
  (defaults: ``get_current_user``, ``get_current_active_user``, ``current_user``, ``current_active_user``,
  fastapi-users' ``fastapi_users.current_user(...)``), a dependency named like one
  (``get_current_verified_user``, ``get_authenticated_user``: ``(current|authenticated)_..._user``), an
  ``Annotated[...]`` alias of one (in any project module), a configured alias or class name, or a project
  function that takes an auth dependency and returns the same principal class
  (``get_current_active_user(user = Depends(get_current_user)) -> User``).
- An *admin dependency* matches ``admin-dependencies``, or is named like one (``superuser`` or ``admin`` in
  its name), or is fastapi-users' ``current_user(superuser=True)``: families 1 and 2 make no claim in a
  handler that has one.
- ``function_identity(ctx, func)`` says which names carry the principal or an identity value into a
  function: auth-dependency parameters of a route handler; for other functions also parameters named in
  ``principal-parameters`` (unless typed as a request schema or a scalar) or typed as the principal's class,
  and parameters named exactly like an identity field.

Family 1's reading of a handler (identity values taken from the client) is ``client_identity.py``; the
traversal mixin that stacks identities for the rules is ``rules/_shared/identity.py``.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional

from ..ground.lazy import lazy_import

from .index.extractors.orm import GLOBAL_CALLER_MARK, INLINE_CHECK, TENANT_COLUMNS, annotated_factory, annotated_marker, call_marker, main_type  # the same parsing as the index
from .cst import definition_names_of, iter_children, walk as walk_nodes
from .fastapi import ROUTE_DECORATORS, RouteInfo, config_routes, configured_route, index_route, route_info, route_wrapper
from .flask import GLOBAL_PRINCIPALS, ROUTE_METHODS as FLASK_ROUTE_METHODS, SCREEN_WORDS as FLASK_SCREEN_WORDS, flask_caller, flask_module, flask_view, principal_g_attributes, view_class_methods
from .imports import dotted_name, last_segment
from .models import identity_columns, is_pydantic_model, is_table_model
from .scoping import caller_values
from .facts import orm_facts

if TYPE_CHECKING:  # pragma: no cover
    from ..ground.config import Settings
    from ..engine.context import FileContext
    from .index import ProjectIndex

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
ADMIN_WORDS = ("superuser", "admin")
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
    privileged = called and privileged_arguments(args, kwargs, accounts=not multi_tenant(project, settings))
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
    credentials = resource = False
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
            principal_type = fn.get("returns")
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
                            principal_type and not _takes_client_key(fn) and not _takes_body(project, fn) and _data_holder(project, principal_type)  # type: ignore[arg-type]
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
    admin = admin or (auth and privileged)
    if (
        admin and auth and not privileged and fn is not None and project is not None
        and not _entry_matches(dependency, spelling, settings.admin_dependencies) and kwargs.get("superuser") != "True"
        and _tenant_role_gate(project, lowered, fn)
    ):
        # ``get_current_admin(user=Depends(get_current_user))`` refusing callers whose ``role`` is not owner/admin,
        # where ``get_current_user`` loads the caller within the request's tenant: a tenant's administrator,
        # still bound to that tenant's rows (RULES.md: only a site-wide admin dependency makes no claim)
        return DependencyKind("auth", principal_type, credentials, resource)
    if admin and not auth:
        # an admin gate is still an auth dependency, of the admin kind
        return DependencyKind("admin", principal_type)
    if admin:
        return DependencyKind("admin", principal_type)
    return DependencyKind("auth", principal_type, credentials, resource)


def _tenant_role_gate(project: "ProjectIndex", lowered: str, fn: dict[str, Any], _depth: int = 0) -> bool:
    """An admin dependency by its name whose gate is a role of a user loaded within a tenant: it compares its
    principal's ``role`` (``if user.role not in {"owner", "admin"}: raise``; no ``is_superuser`` / ``is_staff`` /
    ``is_admin`` flag, no ``superuser`` / ``super_admin`` in its name) and the user comes from a dependency (up to
    three deep) that filters its lookup on a tenant column (index fact ``tenant_filtered``: ``User.tenant_id ==
    tenant.id``). Such an administrator administers one tenant, not the site."""
    if "super" in lowered or "platform" in lowered or "staff" in lowered:
        return False
    compared = fn.get("param_compared") or ()
    if not any(c in ("role", "roles") or c.endswith("_role") for c in compared):
        return False
    if any("super" in c or "staff" in c or c.startswith("is_") for c in compared):
        return False
    return _loads_within_tenant(project, fn, 0)


def _loads_within_tenant(project: "ProjectIndex", fn: dict[str, Any], depth: int) -> bool:
    if fn.get("tenant_filtered"):
        return True
    if depth >= 3:
        return False
    for p in fn.get("params", ()):
        dep = p.get("dependency")
        found = project.resolve_symbol(dep) if dep else None
        if found is None or found[2] != "functions":
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
_PRIVILEGED = re.compile(r"(?:^|[^a-z])(?:admin|superuser|manage|moderat)")
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


def privileged_arguments(args: Optional[Iterable[str]], kwargs: Optional[dict[str, str]], accounts: bool = False) -> bool:
    """An argument of a dependency factory's call names a privileged role or permission (``_PRIVILEGED``):
    a value, never a keyword's name (``allow_admin=False`` is no gate). With ``accounts`` (a project that is not
    multi-tenant, ``multi_tenant``), a permission on the accounts themselves too (``_administers_accounts``). A list or tuple counts only when every
    element does: ``[CampaignPermissions.vote, CampaignPermissions.manage_campaign]`` lets voters in too (a
    list of alternatives that ordinary members hold one of is no admin gate). So do several positional values of
    one enum (``require_role(RoleEnum.owner, RoleEnum.admin)``, a ``*roles`` factory): alternatives, where an org
    ``owner`` is a membership role, not the site administrator."""
    args = list(args or ())
    heads = {a.rpartition(".")[0] for a in args}
    if len(args) > 1 and len(heads) == 1 and "" not in heads:
        args = [f"[{', '.join(args)}]"]
    for v in (*args, *((kwargs or {}).values())):
        if not v or v in ("True", "False", "None"):
            continue
        try:
            node = ast.parse(v, mode="eval").body
        except SyntaxError:
            node = None
        parts = [ast.unparse(e) for e in node.elts] if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else [v]
        if parts and all(_PRIVILEGED.search(x.lower()) or (accounts and _administers_accounts(x)) for x in parts):
            return True
    return False


def _makes_dependency(project: "ProjectIndex", func: str) -> bool:
    """``func`` is a project function returning the dependency it defines (index fact ``makes``)."""
    target = project.resolve_symbol(func)
    if target is None or target[2] != "functions":
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
        cls = project.get_class(owner)
        if cls is None:
            return None
        mod, _, name = cls[0].rpartition(".")
        returns = orm_facts(project.modules[mod]).get("method_returns", {}).get(name, {}).get(method)
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
        made = project.resolve_symbol(func) if func else None
        if made is not None and made[2] == "functions":
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
        found = project.resolve_symbol(dependency)
        inner = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) if found is not None and found[2] == "functions" else None
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
    if alias and project is not None:
        return alias_dependency(project, settings, alias, _depth)
    if p.get("factory"):
        return factory_dependency(project, settings, p["factory"], p.get("args"), p.get("kwargs"), _depth)
    return NOT_AUTH


def factory_dependency(
    project: Optional["ProjectIndex"], settings: "Settings", factory: str, args: Optional[list[str]], kwargs: Optional[dict[str, str]], _depth: int = 0
) -> DependencyKind:
    """``user: Annotated[User, RequireScopes(Scopes(...))]``: a call with no marker in ``Annotated``. It is a
    dependency when the project's function returns ``Depends(inner)`` (the index's ``makes`` with ``marked``), or
    when the configuration names it (``auth-dependencies``); then it is read like ``Depends(factory(...))``."""
    configured = _entry_matches(factory, None, settings.auth_dependencies + settings.admin_dependencies)
    if not configured:
        if project is None:
            return NOT_AUTH
        target = project.resolve_symbol(factory)
        if target is None or target[2] != "functions":
            return NOT_AUTH
        fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
        if not (fn.get("makes") or {}).get("marked"):
            return NOT_AUTH
    return classify_dependency(project, settings, factory, None, kwargs, _depth, True, args)


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
    found = project.resolve_symbol(alias_q)
    if found is None or found[2] != "assignments":
        return DependencyKind("auth", None) if configured else NOT_AUTH
    mod, attr, _ = found
    entry = orm_facts(project.modules[mod]).get("aliases", {}).get(attr)
    if entry is None:
        return DependencyKind("auth", None) if configured else NOT_AUTH
    if last_segment(entry.get("marker")) not in DEPENDENCY_MARKERS:
        return NOT_AUTH
    kind = classify_dependency(project, settings, entry.get("dependency"), None, entry.get("kwargs"), _depth, bool(entry.get("called")), entry.get("args"))
    alias_admin = any(w in last_segment(alias_q).lower() for w in ADMIN_WORDS)
    if kind.kind is None:
        if configured or _matches_class(entry.get("type"), settings):
            return DependencyKind("admin" if alias_admin else "auth", entry.get("type"))
        return NOT_AUTH
    if alias_admin or kind.kind == "admin":
        return DependencyKind("admin", entry.get("type") or kind.principal_type)
    return DependencyKind("auth", entry.get("type") or kind.principal_type, kind.credentials, kind.resource)


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


def background_only(project: Optional["ProjectIndex"], qualified: str) -> bool:
    """A top-level function that only background jobs reach (``claim_reach``'s ``task`` reason)."""
    return no_claim_reason(project, None, qualified) == NO_CLAIM_REASONS["task"]


NO_CLAIM_REASONS = {
    "task": "only background jobs reach it (a task, `BackgroundTasks.add_task`)",
    "admin": "only admin-only routes reach it",
    "none": "no route reaches it (a CLI command, a startup hook, a pipeline step, or nothing)",
}


def no_claim_reason(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: str) -> Optional[str]:
    """Why a top-level function (``pkg.mod.fn``) or a method of a top-level class (``pkg.mod.Class.fn``) that
    is not a request handler makes no identity claim (families 1 and 2), or ``None`` when it may make one.

    A function that is not a route handler makes a claim only when a non-admin route reaches it through the
    project's calls (``claim_reach``); functions reached only from background jobs, CLI commands, startup
    hooks or admin-only routes, or from nothing, make none. A project where no route is found keeps the
    narrower rule: only what background jobs alone reach makes no claim."""
    if project is None:
        return None
    key = f"auth.claim_reach:{_settings_key(settings)!r}" if settings is not None else "auth.claim_reach"
    found = project.stored_memo(key, lambda: _claim_reach(project, settings), load=dict)
    code = found.get(qualified)
    return NO_CLAIM_REASONS.get(code) if code else None


_NODE_KINDS = ("functions", "methods")


def _test_module_name(mod: str) -> bool:
    parts = mod.split(".")
    last = parts[-1]
    return last == "conftest" or last.startswith("test_") or last.endswith("_test") or not _TEST_DIRS.isdisjoint(parts[:-1])


def _claim_reach(project: "ProjectIndex", settings: Optional["Settings"]) -> dict[str, str]:
    """``{qualified: reason code}`` for the functions and methods that make no claim.

    The graph: top-level functions and methods of top-level classes (``orm`` index facts). A node's edges are
    the project functions its ``calls_out`` / ``refs_out`` resolve to (a method when the name resolves to a
    class: ``Service.fetch``), and, for what the imports cannot resolve (``self.repo.get_one(...)``, a module
    object's method, a bare name from a star import), every function or method of that name: a call the index
    cannot follow keeps its possible targets claiming, in the modules that reached code lives in or imports.
    Roots: request handlers (``route``) that are not admin-only (an admin dependency among their parameters,
    or a body opening with an admin check), router factories (a function holding nested handlers), MCP tools
    (``@mcp.tool()``: called with the client's arguments) and
    dependency functions (a ``Depends`` / ``Security`` parameter: FastAPI runs them for some route). Test
    modules are left out of the graph.
    ``background_out`` is not an edge: a function a route hands to ``BackgroundTasks`` runs after the response."""
    nodes: dict[str, dict[str, Any]] = {}
    node_module: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    for mod, facts in project.iter_modules():
        if _test_module_name(mod):
            continue  # tests call everything and serve no request
        orm = orm_facts(facts)
        for kind in _NODE_KINDS:
            for name, fn in orm.get(kind, {}).items():
                q = f"{mod}.{name}"
                nodes[q] = fn
                node_module[q] = mod
                by_name.setdefault(name.rsplit(".", 1)[-1], []).append(q)
    resolved: dict[str, Any] = {}  # a call's target -> the nodes it names, or a name to match (``str``)
    heads = {m.split(".", 1)[0] for m in project.module_names()} | {m.split(".", 1)[0] for m in project.aliases}

    def targets(target: str) -> Any:
        out = resolved.get(target)
        if out is not None:
            return out
        if target in nodes:  # (most calls name the function where it is defined)
            out = resolved[target] = (target,)
            return out
        if target.split(".", 1)[0] not in heads:  # ``db.query``, ``self.helper``, a library's function
            out = resolved[target] = target.rsplit(".", 1)[-1]  # type: ignore[assignment]  (by name)
            return out
        found = project.resolve_symbol(target)
        if found is not None and found[2] == "functions":
            fq = f"{found[0]}.{found[1]}"
            out = (fq,) if fq in nodes else ()  # (a function of a test module is no node)
        else:
            head, _, last = target.rpartition(".")
            cls = project.resolve_symbol(head) if head else None
            method = f"{cls[0]}.{cls[1]}.{last}" if cls is not None and cls[2] == "classes" else None
            if method is not None and method in nodes:
                out = (method,)
            elif found is not None:
                out = ()  # a class (its methods are reached by name) or a module-level object
            else:
                out = last or target  # type: ignore[assignment]  (by name)
        resolved[target] = out
        return out

    imports_of: dict[str, set[str]] = {}
    modules = project.modules

    def module_imports(mod: str) -> set[str]:
        """The project modules ``mod`` imports at module level (a module, or the module of a name)."""
        out = imports_of.get(mod)
        if out is None:
            out = imports_of[mod] = set()
            for target in project.modules[mod].get("imports", {}).values():
                if target.split(".", 1)[0] not in heads:
                    continue
                if target in modules:
                    out.add(target)
                elif target.rpartition(".")[0] in modules:
                    out.add(target.rpartition(".")[0])  # ``from pkg.mod import name``
                else:
                    split = project.split(target)
                    if split is not None:
                        out.add(split[0])
        return out

    def reach(seeds: Iterable[str]) -> set[str]:
        """Nodes reached from ``seeds``. A call matched by name reaches a function or method of that name
        only in a live module: one holding reached code, or imported by a live one (``session.execute`` does
        not reach a CLI command's ``execute`` that only the CLI's own modules import)."""
        seen: set[str] = set()
        stack: list[str] = []
        expanded: set[str] = set()  # targets and names already followed (a name like ``get`` is met often)
        live: set[str] = set()
        holding: set[str] = set()  # modules holding reached code (their imports are live)
        pending: dict[str, list[str]] = {}  # module not yet live -> nodes of a wanted name in it

        def make_live(mod: str) -> None:
            todo = [mod]
            while todo:  # what a live module imports is live too (``app.DATABASE.repo.method()``)
                m = todo.pop()
                if m not in live:
                    live.add(m)
                    add(pending.pop(m, ()))
                    todo.extend(module_imports(m))

        def add(found: Iterable[str]) -> None:
            for t in found:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
                    mod = node_module[t]
                    if mod not in holding:
                        holding.add(mod)
                        make_live(mod)
                        for imported in module_imports(mod):
                            make_live(imported)

        def by_name_live(name: str) -> None:
            if name in expanded:
                return
            expanded.add(name)
            for t in by_name.get(name, ()):
                mod = node_module[t]
                if mod in live:
                    add((t,))
                else:
                    pending.setdefault(mod, []).append(t)

        add(seeds)
        while stack:
            fn = nodes[stack.pop()]
            for key in ("calls_out", "refs_out"):
                for t in fn.get(key, ()):
                    if t not in expanded:
                        expanded.add(t)
                        found = targets(t)
                        if found.__class__ is str:  # a name: every function or method so called
                            by_name_live(found)  # type: ignore[arg-type]
                        else:
                            add(found)
            for name in fn.get("name_calls", ()):
                by_name_live(name)
        return seen

    aliases: dict[str, bool] = {}

    def _as_nodes(found: Any) -> Iterable[str]:
        return by_name.get(found, ()) if found.__class__ is str else found

    def dependency_param(p: dict[str, Any]) -> bool:
        """``Depends(...)`` / ``Security(...)``, also through an ``Annotated`` alias held in a name."""
        if last_segment(p.get("marker")) in DEPENDENCY_MARKERS:
            return True
        alias = p.get("alias")
        if not alias:
            return False
        if alias not in aliases:
            found = project.resolve_symbol(alias) if alias.split(".", 1)[0] in heads else None
            entry = orm_facts(project.modules[found[0]]).get("aliases", {}).get(found[1]) if found is not None and found[2] == "assignments" else None
            aliases[alias] = entry is not None and last_segment(entry.get("marker")) in DEPENDENCY_MARKERS
        return aliases[alias]

    def admin_param(p: dict[str, Any]) -> bool:
        if not (last_segment(p.get("marker")) in DEPENDENCY_MARKERS or dependency_param(p)):
            return False  # (``db: Session``: no dependency to classify)
        assert settings is not None
        said = f"{p.get('dependency') or ''} {p.get('alias') or ''} {p.get('kwargs') or ''}".lower()
        if not settings.admin_dependencies and not any(w in said for w in ADMIN_WORDS) and not privileged_arguments(p.get("args"), p.get("kwargs"), accounts=not multi_tenant(project, settings)):
            return False  # (cheap: an admin dependency says so, ``current_superuser``; else the route claims)
        return param_dependency(project, settings, p).kind == "admin"

    route_of = {q: index_route(project, fn) for q, fn in nodes.items() if fn.get("route")}
    for q in _configured_route_nodes(project, nodes, node_module, by_name):
        route_of[q] = True  # registered from a configuration list (``knowledge.fastapi.config_routes``)
    for q in view_class_methods(project):
        if q in nodes:
            route_of[q] = True  # a method of a Flask view class (``knowledge.flask``)
    routes = [q for q, yes in route_of.items() if yes]
    tasks = [q for q, fn in nodes.items() if fn.get("task")]
    tasks += [t for fn in nodes.values() for c in fn.get("background_out", ()) for t in _as_nodes(targets(c))]
    if not routes:
        # no request handler found (not a FastAPI app, or one this index cannot read): every top-level
        # function that nothing calls is a root, and only what background jobs alone reach makes no claim
        return {q: "task" for q in _background_only(project)}
    admin: list[str] = []
    roots: list[str] = []
    for q, fn in nodes.items():
        params = fn.get("params", ())
        if route_of.get(q):
            if fn.get("admin_gate") or (settings is not None and any(admin_param(p) for p in params)) or admin_decorated(project, fn):
                admin.append(q)
            else:
                roots.append(q)
        elif fn.get("routes_inside") or fn.get("tool") or any(dependency_param(p) for p in params):
            roots.append(q)  # a router factory (its nested handlers' calls are its own), a dependency
    for mod, facts in project.iter_modules():
        for entry in orm_facts(facts).get("aliases", {}).values():
            if entry.get("dependency") and last_segment(entry.get("marker")) in DEPENDENCY_MARKERS:
                roots.extend(_as_nodes(targets(entry["dependency"])))  # ``ItemDep = Annotated[Item, Depends(load_item)]``
    claims = reach(roots)
    out: dict[str, str] = {}
    for q in reach(admin) - claims:
        out[q] = "admin"
    for q in reach(tasks) - claims:
        out.setdefault(q, "task")
    for q, fn in nodes.items():
        if q not in claims and not route_of.get(q):
            out.setdefault(q, "none")
    for q in routes:
        out.pop(q, None)  # a request handler makes its own claims (or none, when admin-only)
    return out


def _background_only(project: "ProjectIndex") -> frozenset[str]:
    """Top-level functions only background jobs reach, with every function nothing calls (and every function
    a class method calls) a root: the rule for a project where no request handler is found."""
    functions: dict[str, dict[str, Any]] = {}
    for mod, facts in project.iter_modules():
        for name, fn in orm_facts(facts).get("functions", {}).items():
            functions[f"{mod}.{name}"] = fn
    if not any(fn.get("task") or fn.get("background_out") for fn in functions.values()):
        return frozenset()
    resolved: dict[str, Optional[str]] = {}

    def node(target: str) -> Optional[str]:
        if target not in resolved:
            found = project.resolve_symbol(target)
            resolved[target] = f"{found[0]}.{found[1]}" if found is not None and found[2] == "functions" else None
        return resolved[target]

    edges: dict[str, list[str]] = {}
    called: set[str] = set()
    starts: set[str] = set()
    for q, fn in functions.items():
        out = [t for t in (node(c) for c in fn.get("calls_out", ())) if t is not None and t != q]
        edges[q] = out
        called.update(out)
        for c in fn.get("background_out", ()):
            t = node(c)
            if t is not None:
                called.add(t)
                starts.add(t)
        if fn.get("task"):
            starts.add(q)
    for mod, facts in project.iter_modules():
        for c in orm_facts(facts).get("method_calls", ()):
            t = node(c)
            if t is not None:
                called.discard(t)  # a caller outside the graph: a root

    def reach(seeds: Iterable[str]) -> set[str]:
        seen = set(seeds)
        stack = list(seen)
        while stack:
            for t in edges.get(stack.pop(), ()):
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return seen

    roots = [q for q, fn in functions.items() if q not in called and not fn.get("task") and q not in starts]
    claims = reach(roots)
    return frozenset(reach(starts) - claims)


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
            elif fn.get("returns_row") and not fn.get("returns") and classify_dependency(project, settings, f"{mod}.{name}") == DependencyKind("auth", None):
                # ``def get_current_user(token=Depends(scheme), session=...)`` with no return annotation, whose
                # every ``return`` is the row it loads of the user model (``session.get(User, int(sub))``)
                if _returns_user_model(project, fn["returns_row"]):
                    out.add(project.canonical(fn["returns_row"]))
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
    for entry in settings.auth_dependencies:
        if entry[:1].isupper() and project.get_class(entry) is not None:
            out.add(project.canonical(entry))
    # only project classes: a dependency annotated ``-> dict`` does not make every ``dict`` a principal
    return frozenset(q for q in out if project.get_class(q) is not None)


# --- per-file: parameters of a libcst function -----------------------------------------------------------

def ast_resolver(ctx: "FileContext") -> Callable[[ast.AST], Optional[str]]:
    def resolve(node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Call):
            node = node.func
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = ctx.imports.resolve_name(node.id)
        if head is None:
            head = node.id
        elif head.startswith("builtins."):
            head = head[len("builtins."):] if node.id in ("str", "int", "bool", "float", "bytes", "dict", "list") else head
        parts.append(head)
        return ".".join(reversed(parts))

    return ctx.cached("auth.ast_resolver", lambda: resolve)


def _code(ctx: "FileContext", node: cst.CSTNode) -> str:
    assert ctx.module is not None
    return ctx.module.code_for_node(node)


def _to_ast(ctx: "FileContext", node: Optional[cst.CSTNode]) -> Optional[ast.expr]:
    if node is None:
        return None
    try:
        return ast.parse(_code(ctx, node).strip(), mode="eval").body
    except SyntaxError:
        return None


def _cst_defs(body: Any, out: list) -> list:
    """The function definitions under ``body`` (a libcst block's statements), in the order of the source: what
    ``_ast_defs`` lists of CPython's tree of the same text. Only blocks hold definitions."""
    for stmt in body:
        kind = type(stmt)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.SimpleStatementLine:
            continue  # (most statements: none of the kinds below)
        if kind is cst.FunctionDef:
            out.append(stmt)
            _cst_defs(_block(stmt.body), out)
        elif kind is cst.ClassDef:
            _cst_defs(_block(stmt.body), out)
        elif kind is cst.If or kind is cst.For or kind is cst.While:
            _cst_defs(_block(stmt.body), out)
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                _cst_defs((orelse,), out)
            elif orelse is not None:
                _cst_defs(_block(orelse.body), out)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            _cst_defs(_block(stmt.body), out)
            for handler in stmt.handlers:
                _cst_defs(_block(handler.body), out)
            for part in (stmt.orelse, stmt.finalbody):
                if part is not None:
                    _cst_defs(_block(part.body), out)
        elif isinstance(stmt, cst.With):
            _cst_defs(_block(stmt.body), out)
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                _cst_defs(_block(case.body), out)
    return out


def _block(suite: Any) -> Any:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()


def _ast_defs(body: list, out: list) -> list:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(stmt)
            _ast_defs(stmt.body, out)
        elif isinstance(stmt, ast.ClassDef):
            _ast_defs(stmt.body, out)
        elif isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            _ast_defs(stmt.body, out)
            _ast_defs(stmt.orelse, out)
        elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            _ast_defs(stmt.body, out)
            for handler in stmt.handlers:
                _ast_defs(handler.body, out)
            _ast_defs(stmt.orelse, out)
            _ast_defs(stmt.finalbody, out)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            _ast_defs(stmt.body, out)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                _ast_defs(case.body, out)
    return out


def _ast_twins(ctx: "FileContext") -> dict[int, Any]:
    """``id(libcst function) -> CPython's node of the same definition`` when the engine handed over CPython's tree
    of the file (``FileContext.tree``); empty otherwise, or when the two trees do not list the same functions."""

    def build() -> dict[int, Any]:
        tree, module = ctx.tree, ctx.module
        if tree is None or module is None:
            return {}
        ours, theirs = _cst_defs(module.body, []), _ast_defs(tree.body, [])
        if len(ours) != len(theirs) or any(a.name.value != b.name for a, b in zip(ours, theirs)):
            return {}
        return {id(a): b for a, b in zip(ours, theirs)}

    return ctx.cached("auth.ast_twins", build)


def _twin_or_parse(ctx: "FileContext", twin: Optional[ast.expr], node: cst.CSTNode) -> Optional[ast.expr]:
    """CPython's node of ``node`` from the file's tree when it is on one line; else ``_to_ast``'s own parse of
    its text, which fails where the text breaks a line outside brackets of its own (``User`` and ``| None`` on
    two lines of a parameter list): its answer stands, ``None`` included."""
    if twin is not None and twin.lineno == twin.end_lineno:
        return twin
    return _to_ast(ctx, node)


def _param_asts(ctx: "FileContext", func: cst.FunctionDef, params: list) -> Optional[list]:
    """``(annotation, default)`` of each of ``params`` (``func``'s, positional and keyword-only) as CPython's
    nodes, taken from the file's tree: what ``_to_ast`` would parse from their text, without printing and parsing
    each one again. ``None`` when the file's tree is not at hand."""
    twin = _ast_twins(ctx).get(id(func))
    if twin is None:
        return None
    args = twin.args
    positional = args.posonlyargs + args.args
    if len(positional) + len(args.kwonlyargs) != len(params):
        return None
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    return [(a.annotation, d) for a, d in zip(positional, defaults)] + list(zip((a.annotation for a in args.kwonlyargs), args.kw_defaults))


@dataclass
class ParamInfo:
    name: str
    node: cst.Param
    type: Optional[str]  # resolved main class of the annotation
    marker: Optional[str]  # last name of Depends/Security/Body/Query/... (default or Annotated)
    dependency: DependencyKind = NOT_AUTH
    marker_node: Optional[cst.Call] = None
    # the resolved callable given to ``Depends`` / ``Security`` (``None`` for a call of a factory, for a
    # class, or when there is none): ``knowledge.queries`` reads the row a dependency hands on
    provider: Optional[str] = None


def param_infos(ctx: "FileContext", func: cst.FunctionDef) -> list[ParamInfo]:
    return ctx.cached(("auth.params", id(func)), lambda: _param_infos(ctx, func))


def _param_infos(ctx: "FileContext", func: cst.FunctionDef) -> list[ParamInfo]:
    resolve = ast_resolver(ctx)
    settings = ctx.settings
    project = ctx.project
    out: list[ParamInfo] = []
    params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
    twins = _param_asts(ctx, func, params)
    for i, p in enumerate(params):
        name = p.name.value
        ann = _twin_or_parse(ctx, twins[i][0] if twins is not None else None, p.annotation.annotation) if p.annotation is not None else None
        type_q = main_type(ann, resolve) if ann is not None else None
        marker_info: Optional[dict[str, Any]] = None
        marker_node = None
        if isinstance(p.default, cst.Call):
            d = _twin_or_parse(ctx, twins[i][1] if twins is not None else None, p.default)
            if isinstance(d, ast.Call) and last_segment(resolve(d.func)) in DEPENDENCY_MARKERS | CLIENT_MARKERS | NOT_CLIENT_MARKERS:
                marker_info = call_marker(d, resolve)
                marker_node = p.default
        if marker_info is None and ann is not None:
            marker_info = annotated_marker(ann, resolve)
        factory_info = annotated_factory(ann, resolve) if marker_info is None and isinstance(ann, (ast.Subscript, ast.Constant)) else None
        entry: dict[str, Any] = {"name": name, "type": type_q}
        if marker_info is not None:
            entry.update(marker_info)
        elif isinstance(ann, (ast.Name, ast.Attribute)):
            entry["alias"] = resolve(ann)
        if marker_info is None and "alias" not in entry and isinstance(p.default, (cst.Name, cst.Attribute)):
            entry["alias"] = ctx.qualified_name(p.default)  # ``token: str = DependsJwtAuth``, a marker held in a name
        if factory_info is not None and "alias" not in entry:
            entry.update(factory_info)
        kind = param_dependency(project, settings, entry)
        if kind.kind is None and marker_info is not None and last_segment(marker_info.get("marker")) in DEPENDENCY_MARKERS:
            # ``Depends(current_user)`` spelled with a local or unresolvable name
            spelling = None
            if isinstance(p.default, cst.Call) and p.default.args:
                spelling = dotted_name(p.default.args[0].value) if not isinstance(p.default.args[0].value, cst.Call) else dotted_name(p.default.args[0].value.func)  # type: ignore[union-attr]
            kind = classify_dependency(project, settings, marker_info.get("dependency"), spelling, marker_info.get("kwargs"), 0, bool(marker_info.get("called")), marker_info.get("args"))
            if kind.kind is None and _matches_class(type_q, settings):
                kind = DependencyKind("auth", type_q)
        if kind.kind is not None and not kind.principal_type:
            kind = DependencyKind(kind.kind, type_q, kind.credentials, kind.resource)
        marker = last_segment(marker_info.get("marker")) if marker_info else None
        if marker is None and "factory" in entry and kind.kind is not None:
            marker = "Depends"  # ``Annotated[User, RequireScopes(...)]``: the factory returns the marker
        if marker is None and entry.get("alias") and project is not None:
            alias_found = project.resolve_symbol(entry["alias"])
            if alias_found is not None and alias_found[2] == "assignments":
                a = orm_facts(project.modules[alias_found[0]]).get("aliases", {}).get(alias_found[1])
                if a is not None:
                    marker = last_segment(a.get("marker"))
                    if a.get("type"):
                        type_q = a["type"]
        provider = None
        if marker_info is not None and last_segment(marker_info.get("marker")) in DEPENDENCY_MARKERS and not marker_info.get("called"):
            provider = marker_info.get("dependency")
        out.append(ParamInfo(name, p, type_q, marker, kind, marker_node, provider))
    return out


def module_assignments(ctx: "FileContext") -> dict[str, cst.BaseExpression]:
    """Top-level ``name = value`` of the file being linted (last one wins)."""

    def build() -> dict[str, cst.BaseExpression]:
        out: dict[str, cst.BaseExpression] = {}
        assert ctx.module is not None
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        for t in small.targets:
                            if isinstance(t.target, cst.Name):
                                out[t.target.value] = small.value
                    elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                        out[small.target.value] = small.value
        return out

    return ctx.cached("auth.module_assignments", build)


def dependencies_elements(ctx: "FileContext", call: cst.Call) -> list[cst.BaseExpression]:
    """The elements of a call's ``dependencies=[...]`` (a list or tuple, also held in a module-level name)."""
    out: list[cst.BaseExpression] = []
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "dependencies":
            continue
        value = arg.value
        if isinstance(value, cst.Name):
            value = module_assignments(ctx).get(value.value, value)
        if isinstance(value, (cst.List, cst.Tuple)):
            out.extend(el.value for el in value.elements)
    return out


def _dependencies_arg(ctx: "FileContext", call: cst.Call) -> list[DependencyKind]:
    out: list[DependencyKind] = []
    for dep in dependencies_elements(ctx, call):
        if isinstance(dep, (cst.Name, cst.Attribute)) and ctx.project is not None:
            q = ctx.qualified_name(dep)  # ``dependencies=[DependsJwtAuth]``: ``DependsJwtAuth = Depends(HTTPBearer())``
            if q:
                out.append(alias_dependency(ctx.project, ctx.settings, q))
            continue
        if isinstance(dep, cst.Call) and last_segment(ctx.qualified_name(dep.func) or dotted_name(dep.func)) in DEPENDENCY_MARKERS and dep.args:
            target = dep.args[0].value
            func = target.func if isinstance(target, cst.Call) else target
            q = ctx.qualified_name(func)
            kwargs = {}
            args: list[str] = []
            if isinstance(target, cst.Call):
                kwargs = {a.keyword.value: _code(ctx, a.value) for a in target.args if a.keyword is not None}
                args = [_code(ctx, a.value) for a in target.args if a.keyword is None and not a.star]
            out.append(classify_dependency(ctx.project, ctx.settings, q, dotted_name(func), kwargs, 0, isinstance(target, cst.Call), args))
    return out


def permission_gated_route(ctx: "FileContext", route: Optional[RouteInfo]) -> bool:
    """The route's decorator gates it with an authenticating dependency factory given a permission
    (``@router.post("", dependencies=[Depends(require_permission("create", "notifications"))])``): only callers
    granted that permission reach the handler (an RBAC staff action)."""
    if route is None or route.decorator is None or not isinstance(route.decorator.decorator, cst.Call):
        return False
    for dep in dependencies_elements(ctx, route.decorator.decorator):
        if not (isinstance(dep, cst.Call) and dep.args and last_segment(ctx.qualified_name(dep.func) or dotted_name(dep.func)) in DEPENDENCY_MARKERS):
            continue
        target = dep.args[0].value
        if not isinstance(target, cst.Call) or not target.args or not all(isinstance(a.value, (cst.SimpleString, cst.Attribute)) for a in target.args):
            continue
        args = [_code(ctx, a.value) for a in target.args if a.keyword is None and not a.star]
        kwargs = {a.keyword.value: _code(ctx, a.value) for a in target.args if a.keyword is not None}
        if classify_dependency(ctx.project, ctx.settings, ctx.qualified_name(target.func), dotted_name(target.func), kwargs, 0, True, args).kind is not None:
            return True
    return False


def _decorator_dependencies(ctx: "FileContext", route: Optional[RouteInfo]) -> list[DependencyKind]:
    """``@router.get(..., dependencies=[Depends(f)])`` and ``router = APIRouter(dependencies=[...])`` (same
    module); a list held in a module-level name is followed."""
    out: list[DependencyKind] = []
    if route is None:
        return out
    if route.decorator is not None and isinstance(route.decorator.decorator, cst.Call):
        out.extend(_dependencies_arg(ctx, route.decorator.decorator))
    router = module_assignments(ctx).get(route.router)
    if isinstance(router, cst.Call):
        out.extend(_dependencies_arg(ctx, router))
    out.extend(_wrapper_dependencies(ctx, route))
    return out


def _wrapper_dependencies(ctx: "FileContext", route: RouteInfo) -> list[DependencyKind]:
    """The ``dependencies=[...]`` a route-registering wrapper hands the router method (``protected_route(
    router.get, ...)`` calling ``method(path, dependencies=[Security(oauth2_scheme, scopes=scopes)])``),
    classified like a route decorator's own."""
    if route.wrapper is None or ctx.project is None:
        return []
    registers = route_wrapper(ctx.project, route.wrapper) or {}
    return [param_dependency(ctx.project, ctx.settings, marker) for marker in registers.get("dependencies", ())]


def route_path_guards(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """Path parameters of a route that one of its dependencies (its parameters' ``Depends(...)``, the
    decorator's or its router's ``dependencies=[...]``) loads and decides on: a project function that raises
    or returns a verdict on what it is given (``flow`` index facts, ``guards``: its parameters, which FastAPI
    fills from the path by name, and ``request.path_params[...]`` it reads), or a dependency class, or a
    class handed to one (``Depends(PermissionsDependency([TaskEditPermission]))``), whose methods (or a base
    class's) read ``request.path_params["task_id"]`` and decide. The route's own load by such a parameter is
    checked already (families 2 makes no BKL201 claim for it)."""
    route = route_info(ctx, func) or _guarded_configured_route(ctx, func)
    project = ctx.project
    if route is None or project is None or not route.path:
        return frozenset()
    from .client_identity import route_path_params  # (client_identity reads this module)

    # with the router's prefix (``APIRouter(prefix="/bi-dashboard/{organization_id}")``): FastAPI fills a
    # dependency's ``organization_id`` from the prefix's segment as from the route's own
    path_params = set(re.findall(r"{(\w+)(?::\w+)?}", route.path)) | set(route_path_params(ctx, route))
    # the route's own query-string scalars (``project_id: Optional[UUID] = None``): FastAPI fills a dependency's
    # query parameter of the same name (``project_id: str = Query(None)`` of ``get_project``) from the same value
    query_params = {
        p.name
        for p in param_infos(ctx, func)
        if p.name not in path_params
        and p.marker in (None, "Query")
        and p.dependency.kind is None
        and not (p.type and project.get_class(p.type) is not None)
    }
    if not path_params and not query_params:
        return frozenset()
    targets: list[cst.BaseExpression] = []

    def from_depends(dep: cst.BaseExpression) -> None:
        if isinstance(dep, cst.Call) and last_segment(ctx.qualified_name(dep.func) or dotted_name(dep.func)) in DEPENDENCY_MARKERS and dep.args:
            target = dep.args[0].value
            if isinstance(target, cst.Call):
                targets.append(target.func)
                for a in target.args:
                    value = a.value
                    items = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
                    targets.extend(i for i in items if isinstance(i, (cst.Name, cst.Attribute)))
            else:
                targets.append(target)

    def from_list(call: cst.BaseExpression) -> None:
        if isinstance(call, cst.Call):
            for dep in dependencies_elements(ctx, call):
                from_depends(dep)

    if route.decorator is not None:
        from_list(route.decorator.decorator)
    from_list(module_assignments(ctx).get(route.router))  # type: ignore[arg-type]
    for p in param_infos(ctx, func):
        if p.marker_node is not None:
            from_depends(p.marker_node)
    guarded: set[str] = set()
    for target in targets:
        if not isinstance(target, (cst.Name, cst.Attribute)):
            continue
        q = ctx.qualified_name(target)
        found = project.resolve_symbol(q) if q else None
        if found is None:
            continue
        names = [found[1]]
        mods = [found[0]]
        if found[2] == "classes":
            names, mods = [], []
            for name, _facts in project.class_mro(f"{found[0]}.{found[1]}"):
                where = project.split(name)
                if where is not None:
                    mods.append(where[0])
                    names.append(where[1])
        for mod, name in zip(mods, names):
            facts = project.modules.get(mod) if hasattr(project.modules, "get") else None
            flow = (facts or {}).get("extra", {}).get("flow", {})
            read = set(flow.get("guards", {}).get(name, ())) & path_params
            fn = (orm_facts(facts or {}).get("functions", {}).get(name) or {}) if found[2] == "functions" else {}
            if query_params and fn:
                read |= set(flow.get("guards", {}).get(name, ())) & {
                    fp.get("name") for fp in fn.get("params", ()) if last_segment(fp.get("marker") or "Query") == "Query"
                } & query_params
            if read and found[2] == "functions":
                # a dependency function decides on the caller only when it is given one (an auth dependency
                # among its own parameters): ``valid_item(item_id, db)`` that checks existence is no guard
                if not any(param_dependency(project, ctx.settings, fp).kind == "auth" or _caller_reading_dependency(project, ctx.settings, fp) for fp in fn.get("params", ())):
                    continue
            guarded |= read
    return frozenset(guarded)


def _caller_reading_dependency(project: "ProjectIndex", settings: "Settings", p: dict[str, Any]) -> bool:
    """A dependency parameter whose project function reads the caller itself by calling an auth dependency
    (``has_organization_access(request, organization_id)`` opening with ``user = get_current_user(request)``,
    then refusing an organisation outside the user's): not an auth dependency by its signature (it takes the
    client's key), but what it decides, it decides on the caller."""
    marker = p.get("marker")
    dep = p.get("dependency")
    if not (marker and last_segment(marker) in DEPENDENCY_MARKERS and dep):
        return False
    found = project.resolve_symbol(dep)
    if found is None or found[2] != "functions":
        return False
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    if not fn.get("raises"):
        return False
    for called in fn.get("calls_out", ()):
        if called != dep and classify_dependency(project, settings, called).kind == "auth":
            return True
    return False


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

    @property
    def in_scope(self) -> bool:
        return not self.admin and bool(self.principals or self.identity_params)

    def names(self) -> set[str]:
        return set(self.principals) | set(self.identity_params)


def project_function_no_claim(ctx: "FileContext", func: cst.FunctionDef) -> Optional[str]:
    """``no_claim_reason`` for a top-level function or a method of a top-level class of the file being linted."""
    project = ctx.project
    if project is None or ctx.module is None:
        return None
    name = definition_names_of(ctx).get(id(func))
    if name is None:
        return None
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return None
    return no_claim_reason(project, ctx.settings, f"{module}.{name}") if module else None


def _is_task(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    for dec in func.decorators:
        expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        name = last_segment(ctx.qualified_name(expr) or dotted_name(expr))
        if name in TASK_DECORATORS:
            return True
    return False


def function_identity(ctx: "FileContext", func: cst.FunctionDef, enclosing: Optional[Identity] = None) -> Identity:
    return ctx.cached(("auth.identity", id(func)), lambda: _function_identity(ctx, func, enclosing))


def interesting_names(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Bare names that can make a parameter carry the principal: principal classes, auth aliases and the
    configured auth dependencies (a cheap pre-check before resolving a function's parameters)."""

    def build() -> frozenset[str]:
        out = {last_segment(q) for q in principal_classes(project, settings)}
        out |= {last_segment(e) for e in settings.auth_dependencies}
        out |= {"Depends", "Security"}
        if project is not None:
            for mod, facts in project.iter_modules():
                for name, entry in orm_facts(facts).get("aliases", {}).items():
                    if last_segment(entry.get("marker")) in DEPENDENCY_MARKERS:
                        out.add(name)
        return frozenset(out)

    if project is None:
        return build()
    return project.stored_memo(f"auth.interesting_names:{_settings_key(settings)!r}", build, load=frozenset)


def _leaf_names(node: Optional[cst.CSTNode]) -> Iterator[str]:
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            yield n.value
        elif isinstance(n, cst.Attribute):
            yield n.attr.value
            stack.append(n.value)
        elif isinstance(n, cst.SimpleString):
            yield from re.findall(r"[A-Za-z_][A-Za-z0-9_]*", n.value)
        else:
            stack.extend(iter_children(n))


def current_identity_names(settings: "Settings") -> set[str]:
    """``current_user_id``, ``current_tenant_id``: a parameter named the caller's own identity field (the
    ``current_`` prefix says whose), held like ``user_id`` in a use case the route hands it to
    (``pod_use_case.delete_pod(pod_id, current_user_id)``)."""
    return {f"current_{f}" for f in settings.identity_fields}


def _may_carry_identity(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    settings = ctx.settings
    names = interesting_names(ctx.project, settings)
    plain = set(settings.principal_parameters) | set(settings.identity_fields) | current_identity_names(settings) | caller_values(ctx.project, settings)
    params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
    for p in params:
        if p.name.value in plain or p.name.value.lower() in AUTHORIZATION_PARAMS:
            return True
        if isinstance(p.default, cst.Call):
            return True
        if p.annotation is not None and any(n in names for n in _leaf_names(p.annotation.annotation)):
            return True
    if params and func.decorators and decorated_caller(ctx, func) is not None:
        return True  # ``@require_auth(...)`` hands the view the caller
    return _request_user_helper(ctx, func, params)


def _request_user_helper(ctx: "FileContext", func: cst.FunctionDef, params: list) -> bool:
    """A function given the request (``def _get_owned_playlist(request: Request, id: int)``), or a method of a
    class that holds it (``self.request``, ``view_request_attributes``: a service or validation class FastAPI
    builds per request), in an app whose ``request.user`` an authentication middleware sets: ``request.user``
    may be the caller."""
    if ".user" not in ctx.source:
        return False
    if not any(p.annotation is not None and not REQUEST_CLASSES.isdisjoint(_leaf_names(p.annotation.annotation)) for p in params):
        if "self.request" not in ctx.source or not authentication_middleware(ctx.project):
            return False
        return bool(view_request_attributes(ctx, func))
    return authentication_middleware(ctx.project)


def _anonymous_stand_in(p: ParamInfo) -> bool:
    """``current_user: AnonymousUser = Depends(get_current_user)``: a parameter annotated only with the project's
    stand-in for a caller with no credential (``ANONYMOUS_CLASS``; ``Optional`` / ``None`` aside) says that the
    handler serves callers who are not signed in (a third-party login, a public page): it carries no principal,
    whatever its dependency can return."""
    if p.node.annotation is None:
        return False
    ann: Optional[cst.BaseExpression] = p.node.annotation.annotation
    if isinstance(ann, cst.Subscript) and isinstance(ann.value, cst.Name) and ann.value.value == "Annotated":
        # ``Annotated[AnonymousUser, Depends(...)]``: the first element is the type
        first = ann.slice[0].slice if ann.slice else None
        ann = first.value if isinstance(first, cst.Index) else None
    names: list[str] = []
    stack = [ann] if ann is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            names.append(n.value)
        elif isinstance(n, cst.Attribute):
            names.append(n.attr.value)  # ``models.AnonymousUser``
        elif isinstance(n, cst.BinaryOperation):
            stack.extend((n.left, n.right))  # ``AnonymousUser | None``
        elif isinstance(n, cst.Subscript):
            stack.extend(e.slice.value for e in n.slice if isinstance(e.slice, cst.Index))  # ``Optional[...]``
        else:
            return False
    names = [n for n in names if n != "None"]
    return bool(names) and all(ANONYMOUS_CLASS.match(n) for n in names)


def _owner_compared_past_gate(ctx: "FileContext", func: cst.FunctionDef, params: list) -> bool:
    """A route with a privileged dependency (``Security(require_global("api_keys.manage_all"))``) that also takes
    the caller from an authentication dependency and compares a row's user identity column (not a tenant's) with
    that caller in its own body (``if record.user_id != principal.user_id: raise``): the handler itself says the row
    must be the caller's own, so the gate does not make it admin-only and what it fetches is claimed as on any
    route (BKL202 at the comparison)."""
    callers = {p.name for p in params if p.dependency.kind == "auth" and not p.dependency.credentials and not _anonymous_stand_in(p)}
    if not callers:
        return False
    # a user's own column, not a tenant's: under a superuser gate, ``if role.tenant_id != tenant_id: raise`` keeps
    # a tenant administrator to the tenant, and the route stays an administrator's
    columns = set(ctx.settings.identity_fields) - TENANT_COLUMNS

    def side(node: "cst.BaseExpression") -> Optional[str]:
        """"row" for ``<name>.<identity column>`` not off a caller, "caller" for a caller or one of its attributes."""
        if isinstance(node, cst.Call) and len(node.args) == 1 and isinstance(node.func, cst.Name) and node.func.value in ("str", "UUID", "int"):
            node = node.args[0].value
        if isinstance(node, cst.Name):
            return "caller" if node.value in callers else None
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            if node.value.value in callers:
                return "caller"
            if node.attr.value in columns:
                return "row"
        return None

    for node in walk_nodes(func.body):
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            op = node.comparisons[0].operator
            if isinstance(op, (cst.Equal, cst.NotEqual)) and {side(node.left), side(node.comparisons[0].comparator)} == {"row", "caller"}:
                return True
    return False


def _function_identity(ctx: "FileContext", func: cst.FunctionDef, enclosing: Optional[Identity]) -> Identity:
    settings = ctx.settings
    route = route_info(ctx, func) or _guarded_configured_route(ctx, func)
    if route is None and enclosing is not None and flask_module(ctx) and id(func) in _deciding_wrappers(ctx):
        return _deciding_wrapper_identity(ctx, func)
    flask = None
    if route is None and enclosing is None and flask_module(ctx):
        flask = flask_view(ctx, func)
        if flask is not None and func.decorators and decorated_caller(ctx, func) is not None:
            flask = None  # a decorator hands the view the caller: read below, as a function given the principal
        if flask is not None:
            route = flask.route
    fed = principal_fed_here(ctx, func) if route is None and enclosing is None else frozenset()
    view = _view_helper(ctx, func) if route is None and enclosing is None else None
    if route is None and (enclosing is None or not enclosing.in_scope) and not fed and view is None and not _may_carry_identity(ctx, func):
        return Identity()  # no parameter can carry the principal or an identity value
    params = param_infos(ctx, func)
    ident = Identity(route=route, params=params)
    if enclosing is not None and not enclosing.admin:
        ident.principals.update(enclosing.principals)
        ident.identity_params.update(enclosing.identity_params)
    elif enclosing is not None and enclosing.admin:
        ident.admin = True
    kinds = [p.dependency for p in params if not _anonymous_stand_in(p)] + _decorator_dependencies(ctx, route)
    if any(k.kind == "admin" for k in kinds) and not (route is not None and _owner_compared_past_gate(ctx, func, params)):
        ident.admin = True
    ident.authenticated = any(k.kind == "auth" for k in kinds)
    if flask is not None:
        # a Flask view: a decorator authenticates it, and the caller is a global (``current_user``, ``g.user``)
        caller = flask_caller(ctx, func, flask)
        if caller.admin:
            ident.admin = True
        if caller.authenticated is not None:
            ident.authenticated = True
            ident.global_caller = True
            for name, type_q in caller.principals.items():
                ident.principals.setdefault(name, type_q)
            for name, identity_field in caller.identity_params.items():
                ident.identity_params.setdefault(name, identity_field)
            # a key the decorator filled after deciding on it (the case it checked the caller's access to)
            ident.closure_derived |= {p.name for p in params if p.name in caller.injected}
    if route is not None:
        for p in params:
            if p.dependency.kind == "auth" and not p.dependency.credentials and not _anonymous_stand_in(p):
                ident.principals[p.name] = p.dependency.principal_type
        held = frozenset(view_request_attributes(ctx, func)) if route.configured else frozenset()
        for path, identity_field in _request_identity(ctx, func, params, held).items():
            if identity_field is None:
                ident.principals.setdefault(path, None)
            else:
                ident.identity_params.setdefault(path, identity_field)
        state = route_class_caller(ctx, func, route)
        if state is not None:
            # ``APIRouter(route_class=AuthenticatedRoute)``: the route class authenticated the request and put
            # the caller on ``request.state``
            ident.authenticated = True
            for req in sorted(_request_params(params) | held):
                for attr in state:
                    ident.principals.setdefault(f"{req}.state.{attr}", None)
        if ident.authenticated:
            for path in request_user_principals(ctx, func, params):
                ident.principals.setdefault(path, None)
        # a handler whose auth parameter is the anonymous stand-in (``current_user: AnonymousUser = Depends(...)``)
        # serves callers who are not signed in: what its body authenticates (a third-party login's token) is
        # the one signing in, not a caller to scope by
        serves_anonymous = not ident.principals and any(p.dependency.kind == "auth" and _anonymous_stand_in(p) for p in params)
        decoded = {} if serves_anonymous else decoded_caller(ctx, func, params, True)
        for name, (identity_field, _why, node) in decoded.items():
            # ``user_id, tenant_id = get_current_user_id(authorization)``: the caller, decoded in the body
            ident.authenticated = True
            ident.decoding.add(node)
            if identity_field is None:
                ident.principals.setdefault(name, None)
            else:
                ident.identity_params.setdefault(name, identity_field)
        included = included_dependencies(ctx, route)
        if permission_admin_decorated(ctx, func, route):
            ident.admin = True  # ``@require_permission("logs:read")``: a permission only the wildcard role holds
        if any(k.kind == "admin" for k in included):
            ident.admin = True  # ``include_router(admin.router, dependencies=[Depends(require_admin)])``
        elif any(k.kind == "auth" for k in included):
            ident.authenticated = True
        gate = set(ident.principals)
        if ident.authenticated and authentication_middleware(ctx.project):
            # ``assert_admin(request)``: the request carries the middleware's caller
            gate |= {p.name for p in params if p.type and last_segment(p.type) in REQUEST_CLASSES}
        if gate and _admin_gate(ctx, func, gate):
            ident.admin = True
        if ident.principals and _admin_surface(route, params):
            ident.admin = True
        if not ident.principals and not ident.identity_params and not ident.admin and any(
            k.kind == "auth" and not k.credentials and not k.resource for k in [*_decorator_dependencies(ctx, route), *included]
        ):
            # the route's or its router's dependencies authenticate a caller the handler never takes (a
            # credential or a resource a dependency hands over is no caller: no claim there, as before)
            ident.router_auth = True
        return ident
    if _is_task(ctx, func):
        return ident
    if view is not None:
        # a method of a class-based view (or of its base) that reads the caller off ``self.request``
        held, state = view
        for path, identity_field in _request_identity(ctx, func, params, held).items():
            if identity_field is None:
                ident.principals.setdefault(path, None)
            else:
                ident.identity_params.setdefault(path, identity_field)
        if ident.principals or ident.identity_params:
            for req in sorted(held):
                for attr in state:
                    ident.principals.setdefault(f"{req}.state.{attr}", None)
    if enclosing is None and project_function_no_claim(ctx, func) is not None:
        return Identity(route=None, params=params, admin=ident.admin)  # no non-admin route reaches it: no claim
    project = ctx.project
    principal_types = principal_classes(project, settings)
    identity_fields = set(settings.identity_fields) | current_identity_names(settings)
    passed = decorated_caller(ctx, func) if func.decorators else None
    if passed is not None:
        # a Flask view whose decorator authenticates the request and hands it the caller (``return f(auth_user,
        # *args, **kwargs)``): that parameter is the principal; ``role=UserRole.ADMIN`` makes the view admin-only
        position, admin, _why = passed
        ids = {id(n) for n in (*func.params.posonly_params, *func.params.params)}
        positional = [p for p in params if id(p.node) in ids]
        if position < len(positional):
            receiver = positional[position]
            type_q = project.canonical(receiver.type) if (project is not None and receiver.type) else receiver.type
            ident.principals[receiver.name] = type_q
            ident.authenticated = True
        if admin:
            ident.admin = True
    # a FastAPI dependency (it takes ``Depends(...)`` itself): FastAPI fills its plain parameters from the path or
    # the query string, as a handler's (``get_organization_by_id(organization_id: str, user=Depends(current_user))``
    # loads the organisation the client names), unless the project's callers hand it the principal's id
    dependency_fn = route is None and enclosing is None and any(p.marker in DEPENDENCY_MARKERS for p in params)
    # a key the routes hand on as the client sent it, and no caller hands the principal's id: the client's key
    client = principal_fed_here(ctx, func, client_fed_parameters) if enclosing is None else frozenset()
    client_keys: dict[str, str] = {}  # (kept when nothing else says who asks: see the end)
    for p in params:
        if p.name in ("self", "cls"):
            continue
        if p.dependency.kind == "auth":
            if not p.dependency.credentials:
                ident.principals[p.name] = p.dependency.principal_type
            continue
        if p.marker is not None and p.marker in CLIENT_MARKERS | NOT_CLIENT_MARKERS:
            continue  # a dependency function's request parameter: client data, not identity
        if p.name in identity_fields and ((dependency_fn and p.marker is None and p.name not in fed) or p.name in client):
            # (an identity field's name only: a key the project scopes rows by, ``project_id`` in ``caller_values``,
            # keeps its reading)
            client_keys[p.name] = p.name
            continue
        type_q = project.canonical(p.type) if (project is not None and p.type) else p.type
        if type_q and type_q in principal_types:
            if route is None and enclosing is None and _principal_recorded_only(ctx, func, p.name):
                continue
            ident.principals[p.name] = type_q
            continue
        if p.name in settings.principal_parameters and _could_be_principal(ctx, type_q):
            if route is None and enclosing is None and _principal_recorded_only(ctx, func, p.name):
                continue
            ident.principals[p.name] = type_q
            continue
        if p.name in identity_fields and (type_q is None or type_q in SCALAR_TYPES or last_segment(type_q) in ("UUID", "int", "str")):
            if not _written_only(ctx, func, p.name):
                ident.identity_params[p.name] = p.name
        elif p.name in fed and p.name not in ident.principals:
            ident.identity_params[p.name] = p.name  # the callers hand it the principal's id
        elif p.name in caller_values(project, settings) and (type_q is None or type_q in SCALAR_TYPES or last_segment(type_q) in ("UUID", "int", "str")):
            if not _written_only(ctx, func, p.name):
                ident.identity_params[p.name] = p.name  # ``user_email``: the project scopes rows by it (knowledge.scoping)
    if enclosing is None and authentication_middleware(project):
        # a helper given the request by the routes that reach it (``_get_owned_playlist(request, id)``), or a
        # method of a class FastAPI builds with the request (``self.request``): the middleware's
        # ``request.user`` is the caller there too
        held = frozenset(view_request_attributes(ctx, func)) if "self.request" in ctx.source else frozenset()
        for path in request_user_principals(ctx, func, params, held):
            ident.principals.setdefault(path, None)
    for name, (identity_field, _why, node) in decoded_caller(ctx, func, params, False).items():
        # a service handed the header decodes the caller itself (``authorization`` passed on by the route)
        ident.decoding.add(node)
        if identity_field is None:
            ident.principals.setdefault(name, None)
        else:
            ident.identity_params.setdefault(name, identity_field)
    if client_keys and not ident.principals and not ident.identity_params:
        # the client's keys are all the function is given: read by their names, as before (``role_in_member_tenant(
        # db, user_id, role_id)`` compares a row with the target user's: its claim is made there)
        for name in client_keys:
            p = next(p for p in params if p.name == name)
            type_q = project.canonical(p.type) if (project is not None and p.type) else p.type
            if (type_q is None or type_q in SCALAR_TYPES or last_segment(type_q) in ("UUID", "int", "str")) and not _written_only(ctx, func, name):
                ident.identity_params[name] = name
    return ident


def principal_fed_parameters(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, list[str]]:
    """``{function: parameters}``: parameters of project functions that an authenticated caller hands the
    principal's id (``current_user_id=str(current_user.id)``, the dependency being an auth dependency) and no
    route hands its own client data (a path, query or body parameter passed as it is): under any name,
    such a parameter holds who asks in the callee (the ``feeds`` facts of ``index/extractors/orm.py``)."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        principal, client = _fed_parameters(project, settings)
        out: dict[str, list[str]] = {}
        for key, names in principal.items():
            kept = sorted(names - client.get(key, set()))
            if kept:
                out[key] = kept
        return out

    # stored next to the index: a run that lints one file reads it instead of every module's facts
    return project.stored_memo(f"auth.principal_fed:{_settings_key(settings)!r}", build, load=dict)


def client_fed_parameters(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, list[str]]:
    """``{function: parameters}``: parameters of project functions that a route hands its own client data (a path,
    query or body value passed as it is) and no caller hands the principal's id: in the callee such a parameter
    is the key the client names, whatever its name (``get_workspace(db, workspace_id, user_id)`` called with the
    route's path ``workspace_id``), not an identity value the caller vouches for."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        principal, client = _fed_parameters(project, settings)
        out: dict[str, list[str]] = {}
        for key, names in client.items():
            kept = sorted(names - principal.get(key, set()))
            if kept:
                out[key] = kept
        return out

    return project.stored_memo(f"auth.client_fed:{_settings_key(settings)!r}", build, load=dict)


def _fed_parameters(project: "ProjectIndex", settings: "Settings") -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(principal, client): per project function, the parameters its callers hand the principal's id, and those
    a route hands its own client data (the ``feeds`` facts of ``index/extractors/orm.py``)."""

    def build() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        principal: dict[str, set[str]] = {}
        client: dict[str, set[str]] = {}
        callee_params: dict[str, list[str]] = {}
        for mod, facts in project.iter_modules():
            functions = orm_facts(facts).get("functions", {})
            for caller, fn in functions.items():
                feeds = fn.get("feeds")
                if not feeds:
                    continue
                own = {fp["name"]: fp for fp in fn.get("params", ())}
                for feed in feeds:
                    found = project.resolve_symbol(feed["target"])
                    if found is None or found[2] != "functions":
                        method = _typed_receiver_method(project, own, feed["target"])
                        if method is None:
                            continue
                        key, names = method
                    else:
                        key = f"{found[0]}.{found[1]}"
                        if key not in callee_params:
                            target = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
                            callee_params[key] = [fp["name"] for fp in target.get("params", ())]
                        names = callee_params[key]
                    for where, param, kind in feed["args"]:
                        name = names[where] if isinstance(where, int) and where < len(names) else where
                        if not isinstance(name, str) or name not in names:
                            continue
                        if kind == "raw":
                            client.setdefault(key, set()).add(name)
                        elif kind == "whole":
                            if param in own and _scalar_principal(project, settings, own[param]):
                                principal.setdefault(key, set()).add(name)  # the dependency yields the caller's id
                        elif param in own and param_dependency(project, settings, own[param]).kind == "auth":
                            principal.setdefault(key, set()).add(name)
                        elif feed.get("route") and param in own and last_segment(own[param].get("marker")) not in DEPENDENCY_MARKERS:
                            client.setdefault(key, set()).add(name)  # ``body.id``: a body model's, not the caller's
        return principal, client

    return project.memo(("auth.fed_parameters", _settings_key(settings)), build)


def _typed_receiver_method(project: "ProjectIndex", own: dict[str, dict[str, Any]], target: str) -> Optional[tuple[str, list[str]]]:
    """``organization_service.create_project`` called by a route whose parameter ``organization_service:
    OrganizationService = Depends(...)`` is typed with a project class: the method (``"<module>.<Class>.<method>"``,
    its parameters after ``self``), looked up along the class's bases."""
    head, _, method = target.partition(".")
    p = own.get(head)
    if p is None or not method or "." in method or not p.get("type"):
        return None
    found = project.get_class(p["type"])
    if found is None:
        return None
    for name, facts in project.class_mro(found[0]):
        if facts is None or method not in facts.get("methods", ()):
            continue
        split = project.split(name)
        if not split:
            return None
        entry = orm_facts(project.modules[split[0]]).get("methods", {}).get(f"{name.rsplit('.', 1)[-1]}.{method}") or {}
        if "args" not in entry:
            return None  # (a handler's method, or no facts: its parameters are not known)
        return f"{name}.{method}", list(entry["args"])
    return None


def _scalar_principal(project: "ProjectIndex", settings: "Settings", p: dict[str, Any]) -> bool:
    """A parameter whose auth dependency yields the caller's id itself (``get_sub_from_access_token -> int``),
    not a credential nor a principal object: handed on as it is, it is the principal's id."""
    found = param_dependency(project, settings, p)
    if found.kind != "auth" or found.credentials or found.resource:
        return False
    t = found.principal_type
    kind = last_segment(t) if t else None
    if kind in ("int", "UUID"):
        return True
    if kind != "str":
        return False
    # a ``str`` is the caller's id only when the dependency itself decodes a token (``sub`` of a JWT): one that
    # passes the scheme's value on (``get_access_token(token=Depends(oauth2)) -> str``) yields the raw token
    target = project.resolve_symbol(p["dependency"]) if p.get("dependency") else None
    if target is None or target[2] != "functions":
        return False
    return bool(orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1], {}).get("auth"))


def principal_fed_names(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """The names of every ``principal_fed_parameters`` parameter (for the screens)."""
    if project is None:
        return frozenset()
    return project.stored_memo(
        f"auth.principal_fed_names:{_settings_key(settings)!r}",
        lambda: tuple(sorted({n for names in principal_fed_parameters(project, settings).values() for n in names})),
        load=tuple,
    )


def principal_fed_here(ctx: "FileContext", func: cst.FunctionDef, fed: Any = None) -> frozenset[str]:
    """``principal_fed_parameters`` (``fed``: ``client_fed_parameters``) for a top-level function of the file
    being linted."""
    project = ctx.project
    if project is None or ctx.module is None:
        return frozenset()
    if any(s is func for s in ctx.module.body):
        local = func.name.value
    else:
        # a method of a top-level class (``OrganizationService.create_project``, called on a typed dependency)
        owner = next(
            (
                s for s in ctx.module.body
                if type(s) is cst.ClassDef and isinstance(s.body, cst.IndentedBlock) and any(b is func for b in s.body.body)
            ),
            None,
        )
        if owner is None:
            return frozenset()
        local = f"{owner.name.value}.{func.name.value}"
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return frozenset()
    if not module:
        return frozenset()
    return frozenset((fed or principal_fed_parameters)(project, ctx.settings).get(f"{module}.{local}", ()))


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
    cache: dict[str, Optional[str]] = project.memo("auth.authenticating", dict)
    found = project.resolve_symbol(q)
    if found is None or found[2] != "functions":
        return None
    key = f"{found[0]}.{found[1]}"
    if key in cache:
        return cache[key]
    cache[key] = None  # (a cycle authenticates nothing)
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
            found = project.resolve_symbol(t)
            if found is None or found[2] != "functions":
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
        found = project.resolve_symbol(dep) if dep and last_segment(p.get("marker")) in DEPENDENCY_MARKERS else None
        if found is None or found[2] != "functions":
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
    cache: dict[tuple[str, str], Optional[str]] = project.memo("auth.authenticating_method", dict)
    if (cls, method) in cache:
        return cache[(cls, method)]
    cache[(cls, method)] = None
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
    cache[(cls, method)] = why
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


LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "adebug", "ainfo", "awarning", "aerror", "aexception"}
)
WRITE_METHODS = frozenset({"values", "ordered_values"})


def _written_only(ctx: "FileContext", func: cst.FunctionDef, name: str) -> bool:
    """The identity value is only *written* onto new rows: a keyword of an ORM model's constructor or of
    ``insert(...).values(...)`` (``FlowVersion(user_id=user_id)``); log calls and f-strings aside (assigning
    it onto a fetched row, ``row.user_id = user_id``, moves that row and is not such a write). Such a function records who did something;
    it does not act for that user when it reads, so its reads make no claim. A value never used at all
    does not count: ``def get_items(db, user_id)`` that ignores it is the bug BKL201 exists for."""
    project = ctx.project
    writes = 0
    other = False

    def is_write_call(call: cst.Call) -> bool:
        f = call.func
        if isinstance(f, cst.Attribute) and f.attr.value in WRITE_METHODS:
            # ``insert(Model).values(user_id=user_id)``: a new row (not ``update(...)``, which moves rows)
            base = f.value
            while isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute):
                base = base.func.value
            return isinstance(base, cst.Call) and last_segment(ctx.qualified_name(base.func) if isinstance(base.func, (cst.Name, cst.Attribute)) else None) == "insert"
        if isinstance(f, (cst.Name, cst.Attribute)) and project is not None:
            q = ctx.qualified_name(f)
            if q is not None:
                found = project.get_class(q)
                return found is not None and is_table_model(project, found[0])
        return False

    def is_log_call(call: cst.Call) -> bool:
        f = call.func
        if isinstance(f, cst.Attribute) and f.attr.value in LOG_METHODS:
            receiver = dotted_name(f.value) or ""
            return "log" in receiver.lower()
        return False

    def visit(node: cst.CSTNode, neutral: bool) -> None:
        nonlocal writes, other
        if other:
            return
        if isinstance(node, cst.Name):
            if node.value == name and not neutral:
                other = True
            return
        if isinstance(node, cst.Attribute):
            visit(node.value, neutral)
            return
        if isinstance(node, cst.Param):
            if node.default is not None:
                visit(node.default, neutral)
            return
        if isinstance(node, (cst.FormattedString,)):
            for child in _children(node):
                visit(child, True)
            return
        if isinstance(node, cst.Call):
            write = is_write_call(node)
            log = is_log_call(node)
            visit(node.func, neutral)
            for arg in node.args:
                if write and arg.keyword is not None and isinstance(arg.value, cst.Name) and arg.value.value == name:
                    writes += 1
                    continue
                visit(arg.value, neutral or log)
            return
        for child in _children(node):
            visit(child, neutral)

    visit(func.body, False)
    return writes > 0 and not other


def _principal_recorded_only(ctx: "FileContext", func: cst.FunctionDef, name: str) -> bool:
    """A service (no route) given the principal only to record who acted: the principal is a keyword of an
    ORM model's constructor (``ScoreCalibration(created_by=user)``), assigned to an attribute (no identity
    column) of a row handed in (``calibration.modified_by = user``), handed to a project function that only hands it on or
    writes it down (``idle`` in its flow summary), or read in the test of an ``if`` that only sets values
    (``if user.username in contributors: row.investigator_provided = True``, no exit); log calls and f-strings
    aside. It does not act for that caller when it reads (as for an identity value only written onto new rows,
    ``_written_only``): its reads make no claim; the route that hands it a key answers for it."""
    project = ctx.project
    if project is None:
        return False
    identity_fields = set(ctx.settings.identity_fields)
    handed_in = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)} - {name}
    writes = 0
    other = False

    def constructor(call: cst.Call) -> bool:
        f = call.func
        q = ctx.qualified_name(f) if isinstance(f, (cst.Name, cst.Attribute)) else None
        found = project.get_class(q) if q else None
        return found is not None and is_table_model(project, found[0])

    def recording_callee(call: cst.Call, arg: cst.Arg, position: int) -> bool:
        f = call.func
        q = ctx.qualified_name(f) if isinstance(f, (cst.Name, cst.Attribute)) else None
        found = project.resolve_symbol(q) if q else None
        if found is None or found[2] != "functions":
            return False
        from .queries import flow_facts, spells_check  # (queries imports this module)

        if spells_check(found[1]):
            return False  # handed to a check (``assert_permission(user, item, ...)``)
        summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
        if summary is None:
            return False
        params = summary.get("params", [])
        target = arg.keyword.value if arg.keyword is not None else (params[position] if position < len(params) else None)
        if target is None or target not in summary.get("idle", ()):
            return False  # (a getter given the caller that ignores it records nothing: ``fetch_plain(db, id, user=user)``)
        # handed on there only to what is no check (a model's constructor, a log)
        for c in summary.get("calls", ()):
            if any(p == target for _, p in (*c.get("args", ()), *c.get("attr_args", ()))) and spells_check(last_segment(c.get("target", ""))):
                return False
        return True

    def exits(block: cst.CSTNode) -> bool:
        for node in _walk_statements(block):
            if isinstance(node, (cst.Raise, cst.Return, cst.Continue, cst.Break)):
                return True
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "abort":
                return True
        return False

    def visit(node: cst.CSTNode, neutral: bool) -> None:
        nonlocal writes, other
        if other or isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return
        if isinstance(node, cst.Name):
            if node.value == name and not neutral:
                other = True
            return
        if isinstance(node, cst.Attribute):
            visit(node.value, neutral)
            return
        if isinstance(node, cst.FormattedString):
            return
        if isinstance(node, cst.If):
            flag = not exits(node.body) and (node.orelse is None or not exits(node.orelse))
            visit(node.test, neutral or flag)
            visit(node.body, neutral)
            if node.orelse is not None:
                visit(node.orelse, neutral)
            return
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Name) and node.value.value == name:
            # onto a row handed in (``calibration.modified_by = user``), not onto one this function looks up
            # (``item.updated_by = user`` after ``item = db.get(Item, item_id)`` changes that row for the caller)
            if all(
                isinstance(t.target, cst.Attribute) and t.target.attr.value not in identity_fields
                and isinstance(t.target.value, cst.Name) and t.target.value.value in handed_in
                for t in node.targets
            ):
                writes += 1
                return
        if isinstance(node, cst.Call):
            built = constructor(node)
            log = isinstance(node.func, cst.Attribute) and node.func.attr.value in LOG_METHODS and "log" in (dotted_name(node.func.value) or "").lower()
            visit(node.func, neutral)
            for i, arg in enumerate(node.args):
                if isinstance(arg.value, cst.Name) and arg.value.value == name and not arg.star:
                    if (built and arg.keyword is not None) or recording_callee(node, arg, i):
                        writes += 1
                        continue
                visit(arg.value, neutral or log)
            return
        for child in _children(node):
            visit(child, neutral)

    visit(func.body, False)
    return writes > 0 and not other


def _walk_statements(block: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        yield node
        stack.extend(iter_children(node))


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    return iter(list(iter_children(node)))


# attributes of the principal that say it is an administrator (``is_admin``, ``is_superuser``, ``is_staff``)
ADMIN_ATTRIBUTE_WORDS = ADMIN_WORDS + ("staff",)


def _admin_gate(ctx: "FileContext", func: cst.FunctionDef, principals: set[str]) -> bool:
    """A top-level statement (also in a top-level ``try``) that lets only admins through: ``require_admin(
    current_user)`` / ``await check_superuser(user)``, or an ``if`` that raises for every caller who is not an
    admin: ``if not current_user.is_superuser: raise ...``, ``if not getattr(user, "is_super_admin", False):``,
    ``if not hasattr(user, "is_admin") or not user.is_admin:``, ``if user.role.name not in ["admin",
    "super_admin"]:``, also on a principal unpacked from the auth dependency's value (``current_user, org_id =
    auth``). A principal read from the request (``request.user``) is handed on as the request:
    ``assert_admin(request)``."""
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
                if isinstance(value, cst.Call) and isinstance(value.func, (cst.Name, cst.Attribute)):
                    name = last_segment(dotted_name(value.func)).lower()
                    if any(w in name for w in ADMIN_WORDS) and any(
                        isinstance(a.value, cst.Name) and a.value.value in principals for a in value.args
                    ):
                        return True
        elif isinstance(stmt, cst.If) and stmt.orelse is None and _refuses_non_admins(stmt.test, principals):
            block = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []
            if block and isinstance(block[-1], cst.SimpleStatementLine) and any(isinstance(x, cst.Raise) for x in block[-1].body):
                return True
    return False


def admin_branch_nodes(func: cst.FunctionDef, principals: set[str]) -> frozenset[int]:
    """The nodes of ``func`` that run only for an admin caller: the body of an ``if`` whose test holds only for
    admins (``if current_user.role == Role.admin:``), the ``else`` of one whose test holds for every caller who
    is not one (``if current_user.role != Role.admin: ... else: ...``)."""
    out: set[int] = set()

    def inside(node: cst.CSTNode) -> None:
        out.update(id(n) for n in walk_nodes(node))

    for node in walk_nodes(func.body):
        if not isinstance(node, cst.If):
            continue
        if _admin_only_test(node.test, principals):
            inside(node.body)
        elif node.orelse is not None and _refuses_non_admins(node.test, principals):
            inside(node.orelse)
    return frozenset(out)


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


def _admin_only_test(test: cst.BaseExpression, principals: set[str]) -> bool:
    """The test holds only for admins: ``user.is_superuser``, ``getattr(user, "is_super_admin", False)``,
    ``hasattr(user, "is_admin")``, ``is_admin(user)``, ``user.role == Role.ADMIN`` / ``in ["admin", ...]``, or a
    conjunction with such a part."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _admin_only_test(test.left, principals) or _admin_only_test(test.right, principals)
    if isinstance(test, cst.Await):
        test = test.expression
    if isinstance(test, cst.Attribute):
        return _on_principal(test.value, principals) and any(w in test.attr.value.lower() for w in ADMIN_ATTRIBUTE_WORDS)
    if isinstance(test, cst.Call) and isinstance(test.func, (cst.Name, cst.Attribute)):
        name = last_segment(dotted_name(test.func))
        args = [a.value for a in test.args]
        if name in ("getattr", "hasattr") and len(args) >= 2 and isinstance(args[1], cst.SimpleString):
            return _on_principal(args[0], principals) and any(w in args[1].value.lower() for w in ADMIN_ATTRIBUTE_WORDS)
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


def _on_principal(node: cst.BaseExpression, principals: set[str]) -> bool:
    """The principal or an attribute path on it (``user``, ``user.role``, ``user.role.name``)."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name) and node.value in principals


def _admin_values(node: cst.BaseExpression) -> bool:
    """A literal admin role, or a list / tuple / set of them only (``"admin"``, ``Role.SUPER_ADMIN``,
    ``["admin", "super_admin"]``)."""
    items = [e.value for e in node.elements] if isinstance(node, (cst.List, cst.Tuple, cst.Set)) else [node]
    if not items:
        return False
    for item in items:
        if isinstance(item, cst.SimpleString):
            text = item.value.lower()
        elif isinstance(item, cst.Attribute):
            text = item.attr.value.lower()
        else:
            return False
        if not any(w in text for w in ADMIN_WORDS):
            return False
    return True


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
        if p.dependency.kind != "auth" or call is None or not call.args:
            continue
        target = call.args[0].value
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


def identity_words(project: Optional["ProjectIndex"], settings: "Settings") -> tuple[str, ...]:
    """Substrings one of which a file must contain for a function in it to have the identity in scope:
    principal parameter names, identity fields, ``Depends`` / ``Security``, auth dependency names, and
    the project's auth aliases and principal classes (``CurrentUser``, ``User``)."""

    def build() -> tuple[str, ...]:
        words = set(settings.principal_parameters) | set(settings.identity_fields) | {"Depends", "Security"}
        words |= {last_segment(e) for e in settings.auth_dependencies}
        words |= set(interesting_names(project, settings))
        words |= set(principal_fed_names(project, settings))
        words |= set(caller_values(project, settings))  # ``caller_email`` the project scopes rows by (``knowledge.scoping``)
        # a handler that decodes the caller in its body (``get_current_user_id(authorization)``, ``jwt.decode``)
        # from the header, the cookie or the request it is handed (``request.headers["Authorization"]``). (Not
        # the decoders' names: a memo reading every function's calls would go stale on any edit of a call, in
        # the language server.)
        words |= {"jwt.decode", "Header(", "Cookie(", "uthorization"}
        words |= caller_decorator_names(project)  # ``@require_auth(...)`` hands a Flask view the caller
        # a class-based view registered under an authenticating route class, or a base of one: its methods read
        # the caller off ``self.request`` (``view_classes``), whatever the file spells
        words |= set(configured_view_names(project))
        words |= set(configured_endpoint_names(project))  # functions registered under such a route class
        # a Flask view authenticated by a decorator: the caller is a global the module need not spell (``knowledge.flask``)
        words |= set(FLASK_SCREEN_WORDS)
        if router_auth_routes(project):
            # a route authenticated only where its router is included (``Identity.router_auth``): its module need
            # spell no marker, no principal; it spells its route decorator (the family's ``requires`` words)
            words |= {f".{m}(" for m in ROUTE_DECORATORS} | {"add_api_route"}
        # a word that contains another adds nothing to an ``any(w in source)`` test
        kept = sorted(words, key=len)
        out: list[str] = []
        for w in kept:
            if w and not any(k in w for k in out):
                out.append(w)
        return tuple(out)

    if project is None:
        return build()
    return project.stored_memo(f"auth.identity_words:{_settings_key(settings)!r}", build, load=tuple)


_LAST_IDENTITY_TEST: list = [None, None, None, False]  # (source, project, settings, answer): four rules ask per file


def may_have_identity(source: str, project: Any, settings: "Settings") -> bool:
    last = _LAST_IDENTITY_TEST
    if last[0] is source and last[1] is project and last[2] is settings:
        return last[3]
    answer = any(w in source for w in identity_words(project, settings))
    last[:] = [source, project, settings, answer]
    return answer


def class_principals(ctx: "FileContext", cls: cst.ClassDef) -> tuple[dict[str, Optional[str]], bool]:
    """A class-based view (``@cbv(router)`` from fastapi-utils, ``@controller(router)``-style classes): a
    class attribute ``user: User = Depends(get_current_user)``, in the class or a base class of any module,
    makes ``self.user`` the principal of its methods. Returns ({"self.user": principal class}, admin)."""
    return ctx.cached(("auth.class_principals", id(cls)), lambda: _class_principals(ctx, cls))


def _class_principals(ctx: "FileContext", cls: cst.ClassDef) -> tuple[dict[str, Optional[str]], bool]:
    project, settings = ctx.project, ctx.settings
    out: dict[str, Optional[str]] = {}
    admin = False

    def add(name: str, kind: DependencyKind, type_q: Optional[str]) -> None:
        nonlocal admin
        if kind.kind == "admin":
            admin = True
        elif kind.kind == "auth" and not kind.credentials and f"self.{name}" not in out:
            out[f"self.{name}"] = kind.principal_type or type_q

    # the class's own body
    if isinstance(cls.body, cst.IndentedBlock):
        for stmt in cls.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    target, value, ann = small.target.value, small.value, small.annotation.annotation
                elif isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    target, value, ann = small.targets[0].target.value, small.value, None
                else:
                    continue
                if not isinstance(value, cst.Call) or not value.args:
                    continue
                if last_segment(ctx.qualified_name(value.func) or dotted_name(value.func)) not in DEPENDENCY_MARKERS:
                    continue
                dep = value.args[0].value
                func = dep.func if isinstance(dep, cst.Call) else dep
                type_q = ctx.qualified_name(ann) if isinstance(ann, (cst.Name, cst.Attribute)) else None
                add(target, classify_dependency(project, settings, ctx.qualified_name(func), dotted_name(func)), type_q)
    # base classes, from the index
    if project is not None:
        for base in cls.bases:
            q = ctx.qualified_name(base.value) if isinstance(base.value, (cst.Name, cst.Attribute)) else None
            if q is None or project.get_class(q) is None:
                continue
            for name, facts in project.class_mro(q):
                where = project.split(name)
                if facts is None or where is None:
                    continue
                for field_name, f in facts.get("fields", {}).items():
                    if last_segment(f.get("call")) not in DEPENDENCY_MARKERS or not f.get("value"):
                        continue
                    try:
                        call = ast.parse(f["value"], mode="eval").body
                    except SyntaxError:
                        continue
                    if not isinstance(call, ast.Call) or not call.args:
                        continue
                    dep_expr = call.args[0].func if isinstance(call.args[0], ast.Call) else call.args[0]
                    try:
                        spelled = ast.unparse(dep_expr)
                    except Exception:  # pragma: no cover - unparse of a parsed expression
                        continue
                    kind = classify_dependency(project, settings, f"{where[0]}.{spelled}", spelled)
                    add(field_name, kind, f.get("annotation_qualified"))
    return out, admin


# --- decorators that hand the view the caller (Flask's ``@require_auth(role=...)``, ``@login_required``) ------


def caller_decorator(project: Optional["ProjectIndex"], q: Optional[str]) -> Optional[dict[str, Any]]:
    """What the decorator (or decorator factory) named ``q`` does with the view it wraps, when it hands it the
    caller it authenticated: the index fact ``passes_caller`` of a project function, or of the ``__call__`` of
    the class a module-level name is an instance of (``require_auth = CustomResourceProtector()``), kept only
    when the local handed on is proved to be the caller: its value comes from a call that authenticates
    (``_authenticating_target``: ``resp = User.decode_auth_token(token)``, whose body decodes a JWT).
    ``{"position": the view's parameter that receives the caller, "factory": the decorator is called
    (``@require_auth(...)``), "gates": {decorator parameter compared with the caller, then rejected: its
    position}, "why"}``; ``None`` otherwise (a decorator that hands on ``args[0]`` proves nothing)."""
    if project is None or not q:
        return None
    cache: dict[str, Optional[dict[str, Any]]] = project.memo("auth.caller_decorators", dict)
    if q in cache:
        return cache[q]
    cache[q] = None
    facts = _passes_caller_facts(project, q)
    if facts is not None:
        for source in facts.get("sources", ()):
            why = _authenticating_target(project, source)
            if why is not None:
                cache[q] = {**facts, "why": f"it hands the view what `{last_segment(source)}()` gives, which {why}"}
                break
    return cache[q]


def _passes_caller_facts(project: "ProjectIndex", q: str) -> Optional[dict[str, Any]]:
    found = project.resolve_symbol(q)
    if found is None:
        return None
    mod, name, kind = found
    if kind == "functions":
        return (orm_facts(project.modules[mod]).get("functions", {}).get(name) or {}).get("passes_caller")
    if kind != "assignments":
        return None
    call = project.modules[mod]["assignments"][name].get("call")
    cls = project.get_class(call) if call else None
    if cls is None:
        return None
    for base, _facts in project.class_mro(cls[0]):
        where = project.resolve_symbol(base)
        if where is not None and where[2] == "classes":
            entry = orm_facts(project.modules[where[0]]).get("callables", {}).get(where[1])
            if entry is not None:
                return entry.get("passes_caller")
    return None


def _authenticating_target(project: "ProjectIndex", target: str) -> Optional[str]:
    """Why calling ``target`` (a project function, or a method of a project class: ``User.decode_auth_token``)
    authenticates a credential, or ``None`` (``authenticating_function``)."""
    if _token_decode(target):
        return f"decodes a token (`{target}`)"
    why = authenticating_function(project, target)
    if why is not None:
        return why
    owner, _, method = target.rpartition(".")
    cls = project.get_class(owner) if owner else None
    if cls is None:
        return None
    mod, _, name = cls[0].rpartition(".")
    entry = orm_facts(project.modules[mod]).get("methods", {}).get(f"{name}.{method}") if mod in project.modules else None
    for t in (entry or {}).get("calls_out", ()):
        if _token_decode(t):
            return f"decodes a token (`{t}`)"
        inner = authenticating_function(project, t)
        if inner is not None:
            return f"calls `{last_segment(t)}()`, which {inner}"
    return None


def _privileged_gate(gates: dict[str, Optional[int]], args: Iterable[tuple[Optional[str], str]]) -> bool:
    """A value handed to a parameter the decorator compares with the caller and rejects on
    (``role=UserRole.MODERATOR``) names a privileged role (``privileged_arguments``): only the privileged
    pass. ``args``: (keyword or None, source) in call order."""
    positions = {i: p for p, i in gates.items() if i is not None}
    position = 0
    for keyword, value in args:
        if keyword is None:
            param = positions.get(position)
            position += 1
        else:
            param = keyword if keyword in gates else None
        if param is not None and privileged_arguments([value], None):
            return True
    return False


def decorated_caller(ctx: "FileContext", func: cst.FunctionDef) -> Optional[tuple[int, bool, str]]:
    """The view's caller handed in by a decorator (``caller_decorator``): (position of the parameter that
    receives it, whether the decorator admits only privileged callers here, why), or ``None``."""
    if not func.decorators or ctx.project is None:
        return None
    for dec in func.decorators:
        expr = dec.decorator
        call = expr if isinstance(expr, cst.Call) else None
        target = call.func if call is not None else expr
        if not isinstance(target, (cst.Name, cst.Attribute)):
            continue
        info = caller_decorator(ctx.project, ctx.qualified_name(target))
        if info is None or bool(info.get("factory")) != (call is not None):
            continue
        admin = call is not None and _privileged_gate(
            info.get("gates") or {}, [(a.keyword.value if a.keyword is not None else None, _code(ctx, a.value)) for a in call.args if not a.star]
        )
        return int(info.get("position", 0)), admin, str(info.get("why"))
    return None


def admin_decorated(project: Optional["ProjectIndex"], fn: dict[str, Any]) -> bool:
    """An index request handler (``route``) whose decorator hands it the caller and admits only privileged
    callers (``@require_auth(scopes=[...], role=UserRole.ADMIN)``): ``decorated_caller`` on the index's
    ``decorators`` fact."""
    for d in fn.get("decorators", ()):
        if not d.get("called"):
            continue
        if _permission_gate_privileged(project, d):
            return True
        info = caller_decorator(project, d.get("func"))
        if info is None or not info.get("factory"):
            continue
        args = [(None, v) for v in d.get("args", ())] + [(k, v) for k, v in (d.get("kwargs") or {}).items()]
        if _privileged_gate(info.get("gates") or {}, args):
            return True
    return False


def caller_decorators(project: Optional["ProjectIndex"]) -> list[str]:
    """Qualified names of the project's decorators that hand the view the caller (``caller_decorator``): the
    functions, and the module-level instances of classes whose ``__call__`` does (``require_auth =
    CustomResourceProtector()``)."""
    if project is None:
        return []
    out: list[str] = []
    classes: set[str] = set()
    for mod, facts in project.iter_modules():
        orm = orm_facts(facts)
        for name, fn in orm.get("functions", {}).items():
            if fn.get("passes_caller") and caller_decorator(project, f"{mod}.{name}") is not None:
                out.append(f"{mod}.{name}")
        for name, fn in orm.get("callables", {}).items():
            if fn.get("passes_caller"):
                classes.add(f"{mod}.{name}")
    if classes:
        for mod, facts in project.iter_modules():
            for name, call in orm_facts(facts).get("calls", {}).items():
                func = call.get("func")
                if func and project.canonical(func) in classes and caller_decorator(project, f"{mod}.{name}") is not None:
                    out.append(f"{mod}.{name}")
    return sorted(out)


def caller_decorator_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Bare names of ``caller_decorators``: the screens of families 1 and 2 let a function decorated by one
    through."""
    if project is None:
        return frozenset()
    return frozenset(project.stored_memo("auth.caller_decorator_names", lambda: sorted({last_segment(q) for q in caller_decorators(project)}), load=list))


# --- routes under an authenticating route class; class-based views' ``self.request`` ----------------------

ROUTE_CLASSES = frozenset({"fastapi.routing.APIRoute", "fastapi.APIRoute"})


def authenticating_route_class(project: Optional["ProjectIndex"], q: Optional[str]) -> Optional[dict[str, Any]]:
    """What a custom route class (``APIRouter(route_class=AuthenticatedRoute)``) does for every route of its
    router, when it authenticates the request: a project class deriving from FastAPI's ``APIRoute`` whose
    ``get_route_handler`` override (itself or a base's; index fact ``route_classes``) puts an object on
    ``request.state`` (``request.state.session = self._get_session(request)``), raises, and reads the
    request's cookies or headers or calls a project function that authenticates a credential
    (``authenticating_function``). ``{"state": [attributes set on request.state], "exempt": [attributes
    read off the endpoint that let it skip the check, ``getattr(self.endpoint, "is_public", False)``]}``,
    or ``None``: a route class that only times or logs requests authenticates no one."""
    if project is None or not q:
        return None
    found = project.get_class(q)
    if found is None:
        return None
    mro = project.class_mro(found[0])
    if not any(name in ROUTE_CLASSES for name, _ in mro):
        return None
    for name, facts in mro:
        split = project.split(name) if facts is not None else None
        if split is None:
            continue
        orm = orm_facts(project.modules[split[0]])
        entry = orm.get("route_classes", {}).get(split[1])  # type: ignore[attr-defined]
        if entry is None:
            continue
        if not entry.get("state") or not entry.get("raises"):
            return None
        verified = bool(entry.get("credential"))
        if not verified:
            prefix = f"{split[1]}."
            for method, m in orm.get("methods", {}).items():  # type: ignore[attr-defined]
                if method.startswith(prefix) and any(authenticating_function(project, t) for t in m.get("calls_out", ())):
                    verified = True
                    break
        return {"state": list(entry["state"]), "exempt": list(entry.get("exempt") or ())} if verified else None
    return None


def _exempt_endpoint(ctx: "FileContext", func: cst.FunctionDef, exempt: list[str]) -> bool:
    """The endpoint (the function, or the class of a class-based view's ``__call__``) carries a project
    decorator that sets one of the attributes the route class reads to skip its check
    (``@public_route`` setting ``wrapper.is_public = True``; index fact ``marks``)."""
    project = ctx.project
    if project is None or not exempt:
        return False
    decorators = list(func.decorators)
    name = definition_names_of(ctx).get(id(func)) or ""
    if "." in name and ctx.module is not None:
        cls_name = name.split(".", 1)[0]
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value == cls_name:
                decorators.extend(stmt.decorators)
    for dec in decorators:
        expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        q = ctx.qualified_name(expr)
        found = project.resolve_symbol(q) if q else None
        if found is None or found[2] != "functions":
            continue
        fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        if set(fn.get("marks", ())) & set(exempt):
            return True
    return False


def route_class_caller(ctx: "FileContext", func: cst.FunctionDef, route: Optional[RouteInfo]) -> Optional[list[str]]:
    """For a route registered under an authenticating route class (``authenticating_route_class``) whose
    endpoint is not exempted: the attributes that class puts on ``request.state`` (the caller's session or
    user); ``None`` otherwise."""
    if route is None or not route.route_class:
        return None
    found = authenticating_route_class(ctx.project, route.route_class)
    if found is None or _exempt_endpoint(ctx, func, found["exempt"]):
        return None
    return found["state"]


_REQUEST_TYPES = frozenset({"fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request"})


def view_request_attributes(ctx: "FileContext", func: cst.FunctionDef) -> set[str]:
    """``{"self.request"}`` for a method of a class-based view that holds the request on the object: the
    class or a project base declares ``request: Request`` or its ``__init__`` keeps a ``Request`` parameter
    (``self.request = request``)."""
    project = ctx.project
    name = definition_names_of(ctx).get(id(func)) or ""
    if project is None or "." not in name:
        return set()
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return set()
    cls = f"{module}.{name.split('.', 1)[0]}"
    return project.memo(("auth.view_request", cls), lambda: _view_request(project, cls))


def _view_request(project: "ProjectIndex", cls: str) -> set[str]:
    out: set[str] = set()
    for name, facts in project.class_mro(cls):
        if facts is None:
            continue
        for attr, f in facts.get("fields", {}).items():
            if f.get("annotation_qualified") in _REQUEST_TYPES:
                out.add(f"self.{attr}")
        split = project.split(name)
        if split is not None:
            held = orm_facts(project.modules[split[0]]).get("self_types", {}).get(split[1], {})
            out.update(f"self.{attr}" for attr, t in held.items() if t in _REQUEST_TYPES)
    return out


def view_classes(project: Optional["ProjectIndex"]) -> dict[str, list[str]]:
    """Class-based views registered from configuration lists under an authenticating route class, and every
    project base class of theirs: ``{class: [attributes the route class puts on request.state]}``. Their
    methods (``get_project(self, project_id)`` of a base view, called by the views' ``__call__``) read the
    caller off ``self.request`` as the views do."""
    if project is None:
        return {}

    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for endpoint, entries in config_routes(project).items():
            if project.get_class(endpoint) is None:
                continue
            for entry in entries:
                found = authenticating_route_class(project, entry.get("route_class"))
                if found is None:
                    continue
                for name, facts in project.class_mro(endpoint):
                    if facts is not None:
                        out.setdefault(name, [])
                        out[name] = sorted(set(out[name]) | set(found["state"]))
        return out

    return project.memo("auth.view_classes", build)


def _view_helper(ctx: "FileContext", func: cst.FunctionDef) -> Optional[tuple[frozenset[str], list[str]]]:
    """For a method (not ``__call__``) of a class-based view registered under an authenticating route class,
    or of a project base of one (``view_classes``), that holds the request (``view_request_attributes``):
    (the request's names, the attributes the route class puts on ``request.state``)."""
    project = ctx.project
    if project is None or "request" not in ctx.source:
        return None
    classes = view_classes(project)
    if not classes:
        return None
    name = definition_names_of(ctx).get(id(func)) or ""
    if "." not in name:
        return None
    try:
        module = ctx.module_name
    except Exception:  # a file outside the index's roots
        return None
    state = classes.get(f"{module}.{name.split('.', 1)[0]}")
    if state is None:
        return None
    held = view_request_attributes(ctx, func)
    return (frozenset(held), state) if held else None


def _configured_route_nodes(
    project: "ProjectIndex", nodes: dict[str, dict[str, Any]], node_module: dict[str, str], by_name: dict[str, list[str]]
) -> list[str]:
    """The nodes of ``_claim_reach``'s graph that handle routes registered from configuration lists: a
    function endpoint, or a class-based view's ``__call__`` (index ``callables``; added to the graph here)."""
    out: list[str] = []
    for endpoint in config_routes(project):
        if endpoint in nodes:
            out.append(endpoint)
            continue
        split = project.split(endpoint)
        if split is None or project.get_class(endpoint) is None:
            continue
        call = orm_facts(project.modules[split[0]]).get("callables", {}).get(split[1])
        if call is None:
            continue
        q = f"{endpoint}.__call__"
        nodes[q] = call
        node_module[q] = split[0]
        by_name.setdefault("__call__", []).append(q)
        out.append(q)
    return out


def configured_view_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """The short names of ``view_classes``: a file that defines one may have the caller in scope."""
    if project is None:
        return frozenset()
    return frozenset(q.rsplit(".", 1)[-1] for q in view_classes(project))


def configured_endpoint_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """The short names of the functions registered from configuration lists under an authenticating route
    class (``config_routes``, ``authenticating_route_class``): their request carries the caller, whatever the
    file spells, so the screens of families 1 and 2 let such a function through."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out: set[str] = set()
        for endpoint, entries in config_routes(project).items():
            if project.get_class(endpoint) is not None:
                continue  # a class-based view: ``configured_view_names``
            if any(authenticating_route_class(project, e.get("route_class")) is not None for e in entries):
                out.add(endpoint.rsplit(".", 1)[-1])
        return sorted(out)

    return frozenset(project.memo("auth.configured_endpoint_names", build))


def _guarded_configured_route(ctx: "FileContext", func: cst.FunctionDef) -> Optional[RouteInfo]:
    """A route registered from a configuration list (``configured_route``) counts for families 1-2 only under an
    authenticating route class (``authenticating_route_class``): the screens let exactly those endpoints
    through (``configured_endpoint_names``, ``configured_view_names``), and a route a screen skips must not be
    one a visitor reports on."""
    route = configured_route(ctx, func)
    if route is None or authenticating_route_class(ctx.project, route.route_class) is None:
        return None
    return route


# --- decorators that check the view's keyword arguments themselves ------------------------------------------


def kwargs_access_checks(project: Optional["ProjectIndex"], q: Optional[str]) -> dict[str, frozenset[str]]:
    """What the decorator (or decorator factory) named ``q`` verifies among the keyword arguments of the view
    it wraps (the index fact ``checks_kwargs``: ``@require_access(allowed_roles=[...])`` reads ``folder_id``
    and ``current_user`` off ``kwargs``, loads the folder and hands it with the user to a check whose failure
    raises): ``{key: the other keys handed to the check with it}``, kept only when the check decides (a project
    function that raises or returns a verdict under a test of what it is given: ``flow`` index facts,
    ``deciders``) and its failure stops the view (the call raises, or an ``if`` on its verdict raises, returns,
    or calls a project function that raises). Which of the other keys is the caller is the route's to say
    (``decorator_verified_keys``)."""
    if project is None or not q:
        return {}
    cache: dict[str, dict[str, frozenset[str]]] = project.memo("auth.kwargs_checks", dict)
    if q in cache:
        return cache[q]
    cache[q] = {}
    found = project.resolve_symbol(q)
    if found is None or found[2] != "functions":
        return cache[q]
    facts = ((orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}).get("checks_kwargs") or {}).get("keys") or {}
    out: dict[str, frozenset[str]] = {}
    for key, checks in facts.items():
        others: set[str] = set()
        for check in checks:
            if check.get("check") == INLINE_CHECK:
                others.update(check.get("with") or ())  # the wrapper's own ``if`` denied: the test is the check
                continue
            target = project.resolve_symbol(check.get("check") or "")
            if target is None or target[2] != "functions":
                continue
            deciders = project.modules[target[0]].get("extra", {}).get("flow", {}).get("deciders", ())
            if target[1] not in deciders:
                continue  # a loader or a logger handed the key and the caller decides nothing
            fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
            exit_ = check.get("exit")
            if exit_ is None:
                stops = bool(fn.get("raises"))  # called alone: it denies by raising
            elif exit_ in ("raise", "return"):
                stops = True
            else:
                where = project.resolve_symbol(exit_)
                stops = where is not None and where[2] == "functions" and bool(
                    (orm_facts(project.modules[where[0]]).get("functions", {}).get(where[1]) or {}).get("raises")
                )
            if stops:
                others.update(check.get("with") or ())
        if others:
            out[key] = frozenset(others)
    cache[q] = out
    return out


def decorator_verified_keys(ctx: "FileContext", func: cst.FunctionDef, principals: Iterable[str]) -> frozenset[str]:
    """Parameters of a route that a decorator applied under the route's own (so that it wraps what the router
    calls) verifies against the caller (``kwargs_access_checks``): the decorator hands the value of that key,
    or a row looked up by it, together with the route's principal parameter (by name: FastAPI calls the view
    with keyword arguments) to a check that denies. Loads by such a parameter, in the route and in the helpers
    it hands it to, are checked already. A decorator listed above the route's wraps a function the router
    never calls: it checks nothing."""
    project = ctx.project
    principals = set(principals)
    if project is None or not principals or not func.decorators:
        return frozenset()
    route = route_info(ctx, func)
    flask = None
    if route is None and flask_module(ctx):
        flask = flask_view(ctx, func)
    if route is None and flask is None:
        return frozenset()
    decorators = list(func.decorators)
    if route is not None and route.decorator is not None and any(d is route.decorator for d in decorators):
        decorators = decorators[[i for i, d in enumerate(decorators) if d is route.decorator][0] + 1 :]
    elif flask is not None:
        # a Flask view: what the last ``@<blueprint>.route(...)`` wraps (several rules may be stacked); a
        # decorator of a Flask global caller (``current_user``) decides for the view's caller
        routing = [i for i, d in enumerate(decorators) if _flask_routing(d.decorator)]
        if routing:
            decorators = decorators[routing[-1] + 1 :]
        principals.add(GLOBAL_CALLER_MARK)
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    out: set[str] = set()
    for dec in decorators:
        expr = dec.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        if not isinstance(target, (cst.Name, cst.Attribute)):
            continue
        for key, others in kwargs_access_checks(project, ctx.qualified_name(target)).items():
            if key in params and key not in principals and not others.isdisjoint(principals):
                out.add(key)
    return frozenset(out)


def deciding_wrapper_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Names of the wrappers of the project's Flask decorators that decide on a view's key with the global
    caller (index fact ``checks_kwargs``' ``inline_wrappers``): family 2's screen lets them through."""
    if project is None:
        return frozenset()

    def build() -> list[str]:
        out: set[str] = set()
        for _mod, facts in project.iter_modules():
            for fn in orm_facts(facts).get("functions", {}).values():
                out.update((fn.get("checks_kwargs") or {}).get("inline_wrappers") or ())
        return sorted(out)

    return frozenset(project.stored_memo("auth.deciding_wrapper_names", build, load=list))


def _deciding_wrappers(ctx: "FileContext") -> frozenset[int]:
    """The nested functions (cst node ids) of this module that are the wrapper of a module-level decorator
    whose wrapper decides on a key of the view's keyword arguments with the global caller (index fact
    ``checks_kwargs``' ``inline_wrappers``: MOSP's ``@check_collection_edit_permission``)."""
    project = ctx.project
    if project is None or ctx.module is None:
        return frozenset()

    def build() -> frozenset[int]:
        facts = project.modules.get(ctx.module_name) if ctx.module_name else None
        functions = orm_facts(facts).get("functions", {}) if facts else {}
        out: set[int] = set()
        for stmt in ctx.module.body:
            if not isinstance(stmt, cst.FunctionDef):
                continue
            wrappers = ((functions.get(stmt.name.value) or {}).get("checks_kwargs") or {}).get("inline_wrappers")
            if not wrappers:
                continue
            for node in walk_nodes(stmt.body):
                if isinstance(node, cst.FunctionDef) and node.name.value in wrappers:
                    out.add(id(node))
        return frozenset(out)

    return ctx.cached("auth.deciding_wrappers", build)


def _deciding_wrapper_identity(ctx: "FileContext", func: cst.FunctionDef) -> Identity:
    """The wrapper of a Flask decorator that loads the row the view's key names and decides on it with the
    global caller (``obj = Collection.query.filter(Collection.id == kwargs.get("collection_id")).first()``, ``if
    obj.creator_id != current_user.id: abort(403)``): it runs in the view's request, before the view, with the
    view's keyword arguments (the URL's values: the client's keys) and the Flask caller (``current_user``,
    ``flask.g``'s caller attributes). Read as an authenticated view: its check of the row it loads is the
    route's (BKL202 at the check), and the views it wraps load by a verified key (``decorator_verified_keys``)."""
    params = param_infos(ctx, func)
    route = RouteInfo(frozenset({"GET"}), "/<kwargs>", None, "?", func)
    ident = Identity(route=route, params=params, authenticated=True, global_caller=True)
    for q in sorted(GLOBAL_PRINCIPALS):
        local = ctx.imports.local_name_for(q)
        if local:
            ident.principals.setdefault(local, None)
    g_name = ctx.imports.local_name_for("flask.g") or ctx.imports.local_name_for("flask.globals.g")
    if g_name:
        for attr in sorted(principal_g_attributes(ctx.project)):
            ident.principals.setdefault(f"{g_name}.{attr}", None)
    return ident


def _flask_routing(expr: Any) -> bool:
    """``@bp.route(...)`` / ``@app.get(...)``: a call of a routing method (the view's rule)."""
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in FLASK_ROUTE_METHODS


# --- dependencies an ``include_router(...)`` call adds to every route of a router -------------------------------


def _included_markers(project: "ProjectIndex") -> dict[str, list[dict[str, Any]]]:
    """``{router (canonical): [dependency markers]}`` from every module's ``include_router(router,
    dependencies=[...])`` calls (index fact ``included``)."""

    def build() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for _mod, facts in project.iter_modules():
            for entry in orm_facts(facts).get("included", ()):
                out.setdefault(project.canonical(entry["router"]), []).extend(entry.get("dependencies", ()))
        return out

    return project.memo("auth.included_markers", build)


def included_dependencies(ctx: "FileContext", route: Optional[RouteInfo]) -> list[DependencyKind]:
    """The dependencies another module adds to this route's router when it includes it
    (``api.include_router(workflows.router, dependencies=[Depends(get_current_active_user)])``), classified
    like a route decorator's own (``_decorator_dependencies`` reads those of this module)."""
    project = ctx.project
    if project is None or route is None or not route.router or route.router == "?":
        return []
    markers = _included_markers(project)
    if not markers:
        return []
    found = markers.get(project.canonical(f"{ctx.module_name}.{route.router}"))
    if not found:
        return []
    out: list[DependencyKind] = []
    for m in found:
        kind = param_dependency(project, ctx.settings, m)
        if m.get("parent") and kind.kind is not None and not _named_or_refusing_auth(project, m.get("dependency")):
            continue  # an including router's quota or optional check (``check_api_quota_optional``): not the caller
        out.append(kind)
    return out


def _named_or_refusing_auth(project: "ProjectIndex", dependency: Optional[str]) -> bool:
    """An including router's own dependency read as its routes' authentication (``_included_markers``' parent
    entries): named for the caller (``get_current_user``), decoding a token itself, or looking a header's
    credential up and refusing (``credential_lookup``: ``verify_worker_token``). A dependency that only depends
    on a scheme and lets an anonymous request through (an optional quota check) is not."""
    if not dependency:
        return False
    if AUTH_NAME.search((last_segment(dependency) or "").lower()):
        return True
    target = project.resolve_symbol(dependency)
    if target is None or target[2] != "functions":
        return False
    fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
    return bool(fn.get("auth") or fn.get("credential_lookup"))


def router_auth_routes(project: Optional["ProjectIndex"]) -> bool:
    """Some router of the project is included with ``dependencies=[...]``: family 2's screen lets every route
    handler through (its auth may come from another module)."""
    return project is not None and bool(_included_markers(project))


# --- permission decorators whose permission only an administrator holds ---------------------------------------


def _granted_lists(project: "ProjectIndex") -> list[list[str]]:
    def build() -> list[list[str]]:
        out: list[list[str]] = []
        for _mod, facts in project.iter_modules():
            out.extend(orm_facts(facts).get("permission_lists", ()))
        return out

    return project.memo("auth.permission_lists", build)


def wildcard_only(project: Optional["ProjectIndex"], permission: str) -> bool:
    """The project grants ``permission`` to no role by name: its roles' literal permission lists (index fact
    ``permission_lists``: ``{"name": "viewer", "permissions": ["tools.read", ...]}``) hold a wildcard role
    (``["*"]``) and at least one other list, and no list names this permission: only the wildcard
    (administrator) role holds it."""
    if project is None or not permission or permission == "*":
        return False
    lists = _granted_lists(project)
    if not any(lst == ["*"] for lst in lists):
        return False
    named = [lst for lst in lists if lst != ["*"]]
    return bool(named) and not any(permission in lst for lst in named)


def _literal(ctx: "FileContext", expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def permission_admin_decorated(ctx: "FileContext", func: cst.FunctionDef, route: Optional[RouteInfo]) -> bool:
    """A route under a decorator factory (applied beneath the route's decorator) that hands one of its
    parameters to a check whose verdict stops the view (index fact ``checks_kwargs``' ``gates``:
    ``@require_permission("logs:read")`` -> ``granted = await check_permission(user, permission)``, ``if not
    granted: raise HTTPException(403)``), given a value there that names a privileged role
    (``privileged_arguments``) or a permission only the wildcard role holds (``wildcard_only``): admin-only."""
    project = ctx.project
    if project is None or route is None or not func.decorators:
        return False
    decorators = list(func.decorators)
    if route.decorator is not None and any(d is route.decorator for d in decorators):
        decorators = decorators[[i for i, d in enumerate(decorators) if d is route.decorator][0] + 1 :]
    for dec in decorators:
        call = dec.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
            continue
        found = project.resolve_symbol(ctx.qualified_name(call.func) or "")
        if found is None or found[2] != "functions":
            continue
        fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        gates = (fn.get("checks_kwargs") or {}).get("gates") or {}
        if not gates:
            continue
        positions = {i: p for p, i in gates.items() if i >= 0}
        position = 0
        for a in call.args:
            if a.star:
                break
            if a.keyword is None:
                param = positions.get(position)
                position += 1
            else:
                param = a.keyword.value if a.keyword.value in gates else None
            if param is None:
                continue
            value = _literal(ctx, a.value)
            if value is not None and (privileged_arguments([repr(value)], None) or wildcard_only(project, value)):
                return True
    return False


def _permission_gate_privileged(project: Optional["ProjectIndex"], d: dict[str, Any]) -> bool:
    """``permission_admin_decorated`` on the index's ``decorators`` fact of a request handler (its arguments
    as source text)."""
    found = project.resolve_symbol(d.get("func") or "") if project is not None else None
    if found is None or found[2] != "functions":
        return False
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}  # type: ignore[union-attr]
    gates = (fn.get("checks_kwargs") or {}).get("gates") or {}
    if not gates:
        return False
    positions = {i: p for p, i in gates.items() if i >= 0}
    given = [(positions.get(i), v) for i, v in enumerate(d.get("args", ()))]
    given += [(k if k in gates else None, v) for k, v in (d.get("kwargs") or {}).items()]
    for param, source in given:
        if param is None:
            continue
        try:
            node = ast.parse(source, mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if privileged_arguments([source], None) or wildcard_only(project, node.value):
                return True
    return False
