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

from .dependencies import (  # noqa: F401
    _test_module_name,
    ADMIN_WORDS,
    alias_dependency,
    ANONYMOUS_CLASS,
    auth_library,
    AUTH_NAME,
    authenticating_class,
    authenticating_function,
    authenticating_method,
    authentication_middleware,
    AUTHORIZATION_PARAMS,
    body_authenticates,
    classify_dependency,
    CLIENT_MARKERS,
    CREDENTIAL_MARKERS,
    decoded_caller,
    DEPENDENCY_MARKERS,
    DependencyKind,
    factory_dependency,
    is_security_scheme,
    library_dependency,
    multi_tenant,
    NOT_AUTH,
    NOT_CLIENT_MARKERS,
    param_dependency,
    privileged_arguments,
    refusing_authenticator,
    refusing_method,
    REQUEST_CLASSES,
    REQUEST_STATE_PRINCIPALS,
    request_user_principals,
    SCALAR_TYPES,
    SECURITY_SCHEMES,
    site_permission,
    TASK_DECORATORS,
    test_or_script_module,
    USER_CLASS,
)
from .role_lists import role_alternatives  # noqa: F401
from .tenant_admins import HELD_TENANT_COLUMNS, names_site_operator, tenant_principal_field  # noqa: F401
from .params import (  # noqa: F401
    ast_resolver,
    marker_target,
    module_assignments,
    param_infos,
    ParamInfo,
)
from .principals import (  # noqa: F401
    Identity,
    principal_classes,
)
from .admin import (  # noqa: F401
    ADMIN_ATTRIBUTE_WORDS,
    admin_branch_nodes,
    admin_only_test,
    refuses_non_admins,
)
from .recorded import (  # noqa: F401
    LOG_METHODS,
    WRITE_METHODS,
)
from .gates import (  # noqa: F401
    deciding_wrapper_names,
    kwargs_checking_decorators,
    decorator_verified_keys,
    included_dependencies,
    kwargs_access_checks,
    permission_admin_decorated,
    router_auth_routes,
    wildcard_only,
)
from .request_gates import held_request_attributes, request_gate, request_gate_admin, request_gate_keys, request_gated, staff_roles  # noqa: F401
from .decorators import (  # noqa: F401
    admin_decorated,
    caller_decorator,
    caller_decorator_names,
    caller_decorators,
    class_principals,
    decorated_caller,
)
from .views import (  # noqa: F401
    authenticating_route_class,
    configured_endpoint_names,
    configured_view_names,
    route_class_caller,
    ROUTE_CLASSES,
    view_classes,
    view_request_attributes,
)
from .routes import (  # noqa: F401
    dependencies_elements,
    permission_gated_route,
    route_caller_handed_keys,
    route_path_guards,
    route_refused_keys,
    route_tenant_keys,
)
from .reach import (  # noqa: F401
    background_only,
    no_claim_reason,
    NO_CLAIM_REASONS,
)
from .identity import (  # noqa: F401
    client_fed_parameters,
    current_identity_names,
    function_identity,
    identity_words,
    interesting_names,
    may_have_identity,
    principal_fed_here,
    function_key,
    principal_fed_names,
    principal_fed_parameters,
    project_function_no_claim,
    principal_fed_by_call,
    raw_principal_fed,
)
