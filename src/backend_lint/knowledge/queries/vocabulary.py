"""The words family 2's query analysis reads: SQLAlchemy / SQLModel statement, result and row methods, library
CRUD helpers, and the names that say a check, a capability or a secret key."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from ...ground.lazy import lazy_import
from ..models import column_traits, table_words
from ..words import STATEMENT_FUNCS, STATEMENT_MODULES

if TYPE_CHECKING:  # pragma: no cover
    from ..index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


EXEC_METHODS = frozenset(
    {"exec", "execute", "scalars", "scalar", "scalar_one", "scalar_one_or_none", "stream", "stream_scalars", "paginate", "apaginate"}
)
PAGINATORS = frozenset({"paginate", "apaginate"})
PRED_METHODS = frozenset({"where", "filter", "having"})
JOIN_METHODS = frozenset({"join", "outerjoin", "join_from", "outerjoin_from"})
STMT_METHODS = frozenset(
    {
        "order_by",
        "group_by",
        "limit",
        "offset",
        "distinct",
        "execution_options",
        "with_only_columns",
        "add_columns",
        "add_column",
        "add_entity",
        "correlate",
        "correlate_except",
        "params",
        "with_for_update",
        "values",
        "returning",
        "subquery",
        "alias",
        "cte",
        "scalar_subquery",
        "exists",
        "label",
        "slice",
        "with_entities",
        "populate_existing",
        "yield_per",
        "enable_eagerloads",
        "prefix_with",
        "suffix_with",
        "set_label_style",
        "with_hint",
        "ordered_values",
        "select_from",
        "options",
        "filter_by",
        "union",
        "union_all",
        "order_by",
        "lateral",
        "selectable",
        "statement",
        "with_statement_hint",
        "execution_options",
        "autoflush",
        "no_autoflush",
        "join",
        "outerjoin",
        "where",
        "filter",
        "having",
        "join_from",
        "outerjoin_from",
        "undefer",
        "with_parent",
    }
)
# SQLAlchemy's functions that combine statements (``union(a, b)``): their rows are those of the statements
SET_OPERATIONS = frozenset({"union", "union_all", "intersect", "intersect_all", "except_", "except_all"})
QUERY_RESULT_METHODS = frozenset(
    {
        "first",
        "one",
        "one_or_none",
        "all",
        "get",
        "scalar",
        "count",
        "delete",
        "update",
        "first_or_404",
        "get_or_404",
        "one_or_404",
        "paginate",
        "__iter__",
    }
)
ROW_METHODS = frozenset(
    {
        "first",
        "one",
        "one_or_none",
        "all",
        "scalar",
        "scalar_one",
        "scalar_one_or_none",
        "scalars",
        "unique",
        "fetchall",
        "fetchone",
        "fetchmany",
        "mappings",
        "tuples",
        "partitions",
        "first_or_404",
        "one_or_404",
    }
)
# a result wrapper's accessors (``returns``' ``Success(row)``, a project's ``AppResult``): the row it holds, read
# off a repository method's value (``invoice = (await repo.find_by_id(id)).unwrap()``)
RESULT_UNWRAP = frozenset({"unwrap", "value_or", "unwrap_or", "unwrap_or_none"})
GET_METHODS = frozenset({"get", "get_one", "get_or_404", "aget", "get_object_or_404"})
# methods of a library CRUD object built for a model (fastcrud's ``FastCRUD(Item)``) that look rows up by
# the filters they are given: reads, and writes addressed by a key
LIBRARY_CRUD_METHODS = frozenset(
    {
        "get", "get_one", "get_multi", "get_joined", "get_multi_joined", "get_multi_by_cursor", "exists",
        "count", "select", "get_by_id", "update", "delete", "db_delete", "remove",
    }
)
LIBRARY_CRUD_WRITES = frozenset({"update", "delete", "db_delete", "remove"})
LIBRARY_CRUD_WORDS = ("crud", "repo", "dao")
# attributes that hold a row's own key: a value looked up by ``parent.id`` is the parent's child (or the parent)
PRIMARY_KEY_NAMES = frozenset({"id", "pk", "uuid", "key"})
UNWRAP_CALLS = frozenset({"str", "int", "UUID", "uuid.UUID", "builtins.str", "builtins.int", "repr", "UUID4"})
# Names of helpers that check a value against the principal (``ensure_flow_access(flow_id, user)``):
# the value is verified afterwards.
VERIFY_WORDS = (
    "ensure",
    "check",
    "verify",
    "authoriz",
    "authz",
    "require",
    "assert",
    "validate",
    "permission",
    "access",
    "guard",
    "or_404",
    "owned",
    "can_",
    "has_",
    "member",
    "allowed",
)
# Verbs that start a writer's name: ``add_member(room_id, user_id)`` / ``remove_member`` put a person into a
# group or take them out, they decide no access (``is_member`` / ``ensure_member`` / ``require_membership`` do)
_WRITER_VERBS = frozenset({"add", "remove", "delete", "create", "insert", "update", "set", "save", "invite", "kick", "join", "leave", "append", "register", "upsert"})


def _holding_equalities(value: cst.BaseExpression) -> list[cst.Comparison]:
    """The equality comparisons that hold when a flag's value is true: ``a == b``, ``any(x.c == b for x in
    xs)``, and those of ``and`` / ``or`` operands (never under ``not``)."""
    if isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Comparison):
        ok = len(value.comparisons) == 1 and isinstance(value.comparisons[0].operator, (cst.Equal, cst.Is))
        return [value] if ok else []
    if isinstance(value, cst.BooleanOperation):
        return _holding_equalities(value.left) + _holding_equalities(value.right)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "any" and len(value.args) == 1:
        inner = value.args[0].value
        if isinstance(inner, (cst.GeneratorExp, cst.ListComp)) and inner.for_in.inner_for_in is None and not inner.for_in.ifs:
            return _holding_equalities(inner.elt)
    return []


_NOT_VERIFYING = re.compile(r"requirement|checklist")


def verify_words_in(name: str) -> list[str]:
    """The ``VERIFY_WORDS`` a name spells, any case; the noun ``requirement`` spells no ``require`` (a
    ``replace_requirements`` writer is no ``require_*`` check), nor a ``checklist`` a ``check`` (a
    ``toggle_checklist_item`` writer is no check)."""
    lowered = _NOT_VERIFYING.sub("", name.lower())
    return [w for w in VERIFY_WORDS if w in lowered]


def spells_check(name: str) -> bool:
    """A name that says it checks a value (``VERIFY_WORDS``: ``ensure_flow_access``, ``check_member``)."""
    return bool(verify_words_in(name))


def named_like_check(name: str) -> bool:
    """A function name that says it checks a value against the caller (``VERIFY_WORDS``), unless it is a
    writer whose only such word is ``member`` (``add_member``, ``remove_pod_member``)."""
    lowered = name.lower()
    words = verify_words_in(name)
    if not words:
        return False
    if words == ["member"] and lowered.lstrip("_").split("_", 1)[0] in _WRITER_VERBS:
        return False
    return True


def library_check_name(name: str) -> bool:
    """A callee the index does not know (a library's method), named like a check that can decide access: as
    ``named_like_check``, except a name whose only such word is ``validate``, which in a library names input
    validation (WTForms ``form.validate_on_submit()``, pydantic ``Schema.model_validate(row)``, marshmallow
    ``schema.validate(data)``): it answers whether data is well formed, never who may see a row."""
    return named_like_check(name) and set(verify_words_in(name)) != {"validate"}


# the words of a permission helper that needs no principal argument where the caller is a global (Flask)
VISIBILITY_WORDS = ("public", "visibility")
# A column or a value naming publication (``Post.state == PostState.PUBLISHED``, ``is_published``, ``published_at``):
# a statement of one table restricted by it selects what that table shows everyone (``published_filter``)
PUBLISHED_WORD = "published"
# Words of a column that holds a secret handed to whoever may use the row (an invite token, a share
# secret): a lookup keyed on it is authorised by holding the secret, not by who asks.
CAPABILITY_WORDS = frozenset({"token", "secret", "invite", "invitation", "nonce", "otp", "passcode"})


# What a branch refusing a duplicate says (``raise IntegrityError(f"... already registered with email ...")``,
# "already exists", "already taken", "already in use"): a uniqueness conflict, not an access decision
_UNIQUENESS_WORDS = re.compile(r"already (?:exist|registered|taken|in use)|IntegrityError", re.IGNORECASE)


# An answer that refuses the request as invalid or too frequent, and one that refuses the caller
_INVALID_STATUS = re.compile(r"\b(?:400|422|429)\b|BAD_REQUEST|UNPROCESSABLE|TOO_MANY_REQUESTS")
_ACCESS_STATUS = re.compile(r"\b(?:401|403|404)\b|UNAUTHORIZED|FORBIDDEN|NOT_FOUND")
# A row's method that writes a permission for what it is handed (``sketch.grant_permission(permission, group=group)``,
# ``folder.revoke_access(user)``): the rows handed are grantees, not the rows decided on
_PERMISSION_WRITE = re.compile(r"_?(?:grant|revoke)_", re.IGNORECASE)


# Helpers named for a rate limit, or for sending a message: whatever they raise or verify, no access decision
_NOT_ACCESS_HELPER = re.compile(r"rate_?limit|throttl|^_?(?:send|notify|mail|email)_", re.IGNORECASE)


_SECRET_KEY_COLUMNS = frozenset({"code", "key"})
# Words of a code or key a row's maker hands out for others to join or redeem the row with (``join_code``,
# ``share_key``, ``pairing_code``, ``access_key``): only before ``code`` / ``key`` (``share_count`` is no secret)
HANDED_CODE_WORDS = frozenset({"join", "share", "pairing", "redeem", "access"})


def capability_column(name: str) -> bool:
    """``invite_code``, ``share_token``, ``secret``: a column whose value is a capability."""
    return not name.endswith("_id") and any(part in CAPABILITY_WORDS for part in name.lower().split("_"))


def handed_code_name(name: str) -> bool:
    """``join_code``, ``share_key``: named like a code handed out to join or redeem a row (``HANDED_CODE_WORDS``)."""
    parts = name.lower().split("_")
    return len(parts) > 1 and parts[-1] in _SECRET_KEY_COLUMNS and any(part in HANDED_CODE_WORDS for part in parts[:-1])


def secret_key_column(project: Optional["ProjectIndex"], model: Optional[str], name: str) -> bool:
    """``capability_column``, a unique column named like a code handed out (``handed_code_name``: a session's
    ``join_code``), or the ``code`` / ``key`` of a table named for a capability (``invites.c.code``,
    ``OrganisationInvitationKey.key``): whoever holds the invitation's code may redeem it."""
    if capability_column(name):
        return True
    if project is None or not model:
        return False
    if handed_code_name(name):
        # (declared unique: the code names one row, as an invite's does; a room's plain ``join_code`` label, which
        # the caller's seat must then be found for, is no capability)
        traits = column_traits(project, model, name)
        return traits is not None and traits.unique
    if name not in _SECRET_KEY_COLUMNS:
        return False
    return any(w in CAPABILITY_WORDS or w.rstrip("s") in CAPABILITY_WORDS for w in table_words(project, model))
# Parameters of a service whose name says the caller already authorised the value, or that it is one of the
# verified identity's own claims (``claimed_workspace_ids=identity.workspace_ids``: a token's claims).
AUTHORIZED_PREFIXES = ("authorized_", "authorised_", "verified_", "trusted_", "claimed_")
