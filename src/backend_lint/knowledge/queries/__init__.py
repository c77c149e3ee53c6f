"""SQLAlchemy / SQLModel query analysis for family 2 (and the scoped-lookup test of family 1).

``function_queries(ctx, func, identity)`` walks one function body in order, like a tiny abstract
interpreter, and tracks:

- *query sites*: ``select(M...)``, ``update(M)``, ``delete(M)``, ``<session>.get(M, key)``,
  ``<session>.query(M)`` and Flask-SQLAlchemy's ``M.query``, with the ORM entities they are about;
- *statement values* held in variables and rebuilt over several statements (``stmt = stmt.where(...)``),
  whether an identity predicate holds on every path (``if`` branches are merged with AND; a loop body may
  not run), clauses held in variables and lists of conditions (``and_(*conditions)``);
- where a statement is *consumed*: executed (``session.exec/execute/scalars/scalar/stream``,
  ``Query.first/all/one/...``, ``fastapi_pagination.paginate``) or returned. A statement handed to a
  helper together with the principal counts as scoped; handed to a helper without it, it becomes opaque
  (no claim: we cannot see what the helper adds);
- *rows* fetched from a site or from a project function whose return type is a model, for BKL202.

An identity predicate is a ``where``/``filter``/``having``/join-condition/``with_loader_criteria`` that
mentions an identity column (``Item.owner_id == ...``, ``.in_(...)``, ``.is_(None)``, inside
``and_``/``or_``, on a joined model), a relationship to the principal (``Item.owner == user``) or a value
derived from the principal; ``filter_by(owner_id=...)`` too.
"""

from .vocabulary import (  # noqa: F401
    AUTHORIZED_PREFIXES,
    capability_column,
    CAPABILITY_WORDS,
    EXEC_METHODS,
    GET_METHODS,
    JOIN_METHODS,
    LIBRARY_CRUD_METHODS,
    LIBRARY_CRUD_WORDS,
    LIBRARY_CRUD_WRITES,
    library_check_name,
    named_like_check,
    PAGINATORS,
    PRED_METHODS,
    PRIMARY_KEY_NAMES,
    QUERY_RESULT_METHODS,
    RESULT_UNWRAP,
    ROW_METHODS,
    secret_key_column,
    SET_OPERATIONS,
    spells_check,
    STATEMENT_FUNCS,
    STATEMENT_MODULES,
    STMT_METHODS,
    UNWRAP_CALLS,
    VERIFY_WORDS,
    verify_words_in,
    VISIBILITY_WORDS,
)
from .values import (  # noqa: F401
    Comparison,
    FunctionQueries,
    NOTHING,
    Site,
    Val,
)
from .syntax import (  # noqa: F401
    _db_handle,
    key_parts,
    _rights_name,
    _sql_scopes,
    DIGEST_CALLS,
    session_handle_name,
)
from .summaries import (  # noqa: F401
    callee_decides,
    access_exception,
    access_groups,
    checked_parent_dependencies,
    checked_parent_keys,
    checked_parent_model,
    checked_parent_params,
    decorator_checked_parents,
    child_untied_params,
    client_value_function,
    dependency_row,
    flow_facts,
    handed_models,
    held_decider_call,
    held_method_decides,
    held_method_summary,
    checked_only_tables,
    helper_checked_tables,
    helper_compared_column,
    helper_unscoped,
    loaded_then_decided,
    method_home,
    method_summary,
    membership_group,
    owning_parents,
    principal_passes_through,
    shared_party_record,
    project_callee,
    row_method_facts,
    summary_of_call,
    with_models,
)
from .directories import directory_link, picks_guarded_parent  # noqa: F401
from .analyzer import (  # noqa: F401
    function_queries,
)
from .checks import (  # noqa: F401
    GATE_PREFIXES,
    GATE_WORDS,
    keys_checked_beside,
    keys_scoped_beside,
)
from .public import (  # noqa: F401
    public_listings,
    public_models,
)
from .helper_keys import client_keyed_parameters  # noqa: F401
from .findings import (  # noqa: F401
    isolation_findings,
    IsolationFindings,
    owned_site_model,
)
