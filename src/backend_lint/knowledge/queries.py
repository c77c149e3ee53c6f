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

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Iterator, Optional, Sequence, Union

from ..ground.lazy import lazy_import

from .auth import ADMIN_WORDS, ANONYMOUS_CLASS, USER_CLASS, Identity, admin_decorated, authenticating_class, privileged_arguments, refusing_method, decorator_verified_keys, param_dependency, principal_classes, route_path_guards, _test_module_name
from .cst import bool_operands, iter_children, load_names, walk as cst_walk
from .imports import dotted_name, last_segment
from .models import (
    column_traits,
    globally_scoped,
    identifying_column,
    identity_columns,
    is_owned,
    is_pydantic_model,
    is_table_model,
    membership_partners,
    reference_path,
    referenced_model,
    model_columns,
    project_identity_fields,
    relationships,
    table_union_alias,
    table_words,
)
from .facts import orm_facts
from .index.extractors.flow import PERMISSION_WORDS  # a name that says it decides access
from .index.extractors.flow import access_name  # an exception or refusal named for access
from .index.extractors.orm import CLIENT_CARRIERS  # where a request carries what the client sent
from .repositories import core_row_table, enclosing_class, repository_model, self_attribute_class, sole_implementation, specialised

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from ..ground.config import Settings
    from .index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

STATEMENT_MODULES = ("sqlalchemy", "sqlmodel")
STATEMENT_FUNCS = frozenset({"select", "update", "delete"})
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


@dataclass(eq=False)
class Site:
    """One query on ORM entities."""

    node: cst.CSTNode  # where it is reported: the ``select(`` / ``.query(`` / ``session.get(`` call
    kind: str  # select, update, delete, get, query
    entities: list[str]  # canonical ORM classes it selects from
    model_nodes: list[cst.BaseExpression]  # how the file spells them, in order
    admin: bool = False  # built in an admin-only (or identity-less) branch: no claim
    consumptions: list[tuple[bool, bool]] = field(default_factory=list)  # (scoped, opaque)
    checked_after: list[cst.CSTNode] = field(default_factory=list)  # BKL202 comparisons
    pred_nodes: list[cst.CSTNode] = field(default_factory=list)  # where/filter/filter_by/join arguments
    key_names: set[str] = field(default_factory=set)  # names the lookup is keyed on
    pscoped: bool = False  # consumed with a predicate built from the principal
    # the row's owner is required to be the principal's before it is used (``same = row.user_id == user_id``,
    # ``if row.owner_id == user.id: ...``) without that being an access decision: no BKL201, no BKL202
    owner_gated: bool = False
    anchor: Optional[cst.CSTNode] = None  # where a fix appends ``.where(...)`` (the ``select_from(M)`` call)
    # a lookup inside project helpers reached with a client key (``kind == "helper"``): the call chain
    via: tuple[str, ...] = ()
    row_names: set[str] = field(default_factory=set)  # locals the fetched row is assigned to
    # the row's key handed, with the principal, to the project's own access-checked getter of the same model
    # (``fetch_item_for_user(db, item.id, user)``): access is decided there, on every path that uses the row
    refetched: bool = False
    # filtered by a predicate built from the principal, executed here or not (a statement returned to the caller)
    principal_filtered: bool = False
    # scoped only by an identity-named parameter used as the row's own key, in a function also given the
    # principal (``Org.id == org_id`` beside ``user``): the key names which row, not who asks; a later
    # comparison of the row with the principal decides access (BKL202, ``_key_only_scoped``)
    key_only_scoped: bool = False
    # a helper's lookup whose owner column is compared only with the client's path key handed in
    # (``fetch_by_user(db, user_id=user_id)``): the column, for the message
    owner_value: str = ""

    @property
    def unscoped(self) -> bool:
        """Consumed at least once with no identity predicate, outside admin branches and opaque helpers."""
        if self.admin:
            return False
        return any(not scoped and not opaque for scoped, opaque in self.consumptions)


@dataclass(frozen=True)
class Val:
    sites: tuple[Site, ...] = ()
    stmt: bool = False  # a statement / Query object, not executed yet
    rows: bool = False  # an executed result, a row or rows
    scoped: bool = False  # an identity predicate holds
    pscoped: bool = False  # a predicate built from the principal holds
    opaque: bool = False  # went through a helper we cannot see
    derived: bool = False  # derived from the principal / identity value (or verified against it)
    trusted: bool = False  # read from the database (a fetched row, a row handed in): not a client key
    clause: bool = False  # a clause (or list of clauses) that scopes
    model: Optional[str] = None  # for rows: the ORM class
    repo: bool = False  # rows from a project function (repository) not given the principal
    alias: Optional[str] = None  # ``aliased(Model)``
    ident: bool = False  # the principal or an identity value itself (``current_user.id``, ``user_id``)
    # conditions (variable, truthy) under which a statement is scoped: ``if flow_id is None: scope by owner``
    # and ``if flow_id: scope by the verified flow`` together scope it on every path
    scoped_when: frozenset = frozenset()
    instance: Optional[tuple] = None  # an object of a project class (a repository): (class, model hint)
    container: bool = False  # a list / tuple of values or clauses: scopes through ``clause`` only
    # read from an object held in a local: (that local, the attribute read): ``space = card.workspace_id``,
    # ``spaces = {c.workspace_id for c in cards}``, ``ref = getattr(receipt, "buyer_ref")``; a check of the
    # value is a check of the object (BKL202 when the object is a fetched row)
    source: Optional[tuple[str, str]] = None
    # for rows from a repository (``repo``): the names of the keys it was given (``get_project(workspace_id)``),
    # which an authorisation helper's check of the row verifies, as for a site's ``key_names``
    keys: frozenset = frozenset()
    # a string whose SQL is read (a literal, an f-string of read parts, a join of read strings): ``clause``
    # says it holds an owner predicate; a string not read (``opaque``) makes ``text(...)`` opaque
    text: bool = False
    # built by a project function given the principal (``vis = _visibility_sql(ctx)``): where it is absent
    # (``if vis is not None: stmt = stmt.where(vis)``), the helper decided that no filter applies to this caller
    built: bool = False
    # what a project helper that is no repository of a model returned (a schema of the row, ``get_team(db,
    # team_id) -> TeamSchema``): the key paths its lookup was given (``lookup``), and whether it was given the
    # principal and scopes by it (``lookup_scoped``). A check of the value, or of its parent, checks the keys
    lookup: frozenset = frozenset()
    lookup_scoped: bool = False
    # a client key verified on this path (``_verify_loaded``): the row it addresses, or its parent, was loaded
    # with the owner predicate and found, or checked; ``trusted`` with it. Holds only on the paths that checked
    checked: bool = False
    # for rows looked up by a key read off a row the client chose (``board = get_board(db, column.board_id)``
    # after ``column = get_column(db, column_id)``): (the local, the model) of that first client-keyed row of
    # the chain; a check of this row decides access to that one (``_client_origin``)
    origin: Optional[tuple[str, str]] = None
    # a value the client sent in a header, the query string or a cookie, read by hand (``request.headers.get(
    # "X-Workspace-ID")``, or returned by a project helper that reads it so, ``returns_client_value``): an
    # identity column compared with it names whichever owner the client chose, so that predicate scopes nothing
    client: bool = False


NOTHING = Val()
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


def verify_words_in(name: str) -> list[str]:
    """The ``VERIFY_WORDS`` a name spells, any case; the noun ``requirement`` spells no ``require`` (a
    ``replace_requirements`` writer is no ``require_*`` check)."""
    lowered = name.lower().replace("requirement", "")
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


# the words of a permission helper that needs no principal argument where the caller is a global (Flask)
VISIBILITY_WORDS = ("public", "visibility")
# Words of a column that holds a secret handed to whoever may use the row (an invite token, a share
# secret): a lookup keyed on it is authorised by holding the secret, not by who asks.
CAPABILITY_WORDS = frozenset({"token", "secret", "invite", "invitation", "nonce", "otp", "passcode"})


# What a branch refusing a duplicate says (``raise IntegrityError(f"... already registered with email ...")``,
# "already exists", "already taken", "already in use"): a uniqueness conflict, not an access decision
_UNIQUENESS_WORDS = re.compile(r"already (?:exist|registered|taken|in use)|IntegrityError", re.IGNORECASE)


# An answer that refuses the request as invalid or too frequent, and one that refuses the caller
_INVALID_STATUS = re.compile(r"\b(?:400|422|429)\b|BAD_REQUEST|UNPROCESSABLE|TOO_MANY_REQUESTS")
_ACCESS_STATUS = re.compile(r"\b(?:401|403|404)\b|UNAUTHORIZED|FORBIDDEN|NOT_FOUND")
# Helpers named for a rate limit, or for sending a message: whatever they raise or verify, no access decision
_NOT_ACCESS_HELPER = re.compile(r"rate_?limit|throttl|^_?(?:send|notify|mail|email)_", re.IGNORECASE)


def capability_column(name: str) -> bool:
    """``invite_code``, ``share_token``, ``secret``: a column whose value is a capability."""
    return not name.endswith("_id") and any(part in CAPABILITY_WORDS for part in name.lower().split("_"))


_SECRET_KEY_COLUMNS = frozenset({"code", "key"})


def secret_key_column(project: Optional["ProjectIndex"], model: Optional[str], name: str) -> bool:
    """``capability_column``, or the ``code`` / ``key`` of a table named for a capability (``invites.c.code``,
    ``OrganisationInvitationKey.key``): whoever holds the invitation's code may redeem it."""
    if capability_column(name):
        return True
    if name not in _SECRET_KEY_COLUMNS or project is None or not model:
        return False
    return any(w in CAPABILITY_WORDS or w.rstrip("s") in CAPABILITY_WORDS for w in table_words(project, model))
# Parameters of a service whose name says the caller already authorised the value, or that it is one of the
# verified identity's own claims (``claimed_workspace_ids=identity.workspace_ids``: a token's claims).
AUTHORIZED_PREFIXES = ("authorized_", "authorised_", "verified_", "trusted_", "claimed_")


def _common_model(vals: list[Val]) -> Optional[str]:
    """The model of joined values: the one every value that has one names (a ``None`` way names none)."""
    models = {v.model for v in vals if v.model is not None or v.rows or v.stmt}
    return next(iter(models)) if len(models) == 1 else None


def _merge_flags(vals: Iterable[Val]) -> Val:
    derived = trusted = False
    for v in vals:
        derived = derived or v.derived
        trusted = trusted or v.trusted
    return Val(derived=derived, trusted=trusted)


@dataclass
class Comparison:
    node: cst.CSTNode  # the comparison expression (or the authorisation helper's call)
    row: Val
    name: Optional[str] = None  # the row variable
    helper: Optional[str] = None  # an authorisation helper's name (``check_permission``)
    column: Optional[str] = None  # the row's identity column handed to the helper (``row.workspace_id``)
    # the other side names the principal or an identity value itself (``owner_id``, ``user.id``), not a
    # value only derived from one through a loaded row (``[t.id for t in target_user.tenants]``)
    direct: bool = True
    # the row's attribute handed to the helper when it is no identity column (``queue.course_site_id``,
    # ``sensor.planter.greenhouse_ref``): what a table owned only through the project's checks is owned by
    through: Optional[str] = None


class FunctionQueries:
    """The result of analysing one function."""

    def __init__(self) -> None:
        self.sites: list[Site] = []
        self.checks: list[Comparison] = []  # BKL202 candidates (row identity compared with the principal)
        self.derived_names: set[str] = set()
        # rows of a table with no identity column looked up by a client key (``tag = get_tag(db, tag_id)``) in
        # a function that checks another row, their table's parent through its foreign keys (a board checked
        # by the client's other key), and never tied to that row: (fetch, model, parent model, reference path)
        self.untied: list[tuple[cst.CSTNode, str, str, tuple[str, ...]]] = []
        # rows of a table referencing a row a dependency checked (``flight = Depends(can_read_flight)``) looked up
        # by the client's own key with no predicate on the reference and never compared with the checked row:
        # (fetch, model, parent parameter, parent model, reference path, helper chain)
        self.untied_children: list[tuple[cst.CSTNode, str, str, str, tuple[str, ...], tuple[str, ...]]] = []


class _Analyzer:
    def __init__(self, ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> None:
        self.ctx = ctx
        self.func = func
        self.identity = identity
        self.project = ctx.project
        self.settings = ctx.settings
        self.identity_fields = frozenset(project_identity_fields(self.project, self.settings))
        self.out = FunctionQueries()
        self.owner_sites: set[int] = set()  # update/delete sites returning the row's identity column (``_returned_owner``)
        self.admin_depth = 0
        self.not_access: set[int] = set()  # comparisons that are no access decision (``_not_access_decisions``)
        self.principal_types = principal_classes(self.project, self.settings)
        self.pending_owner_flags: dict[str, list[Comparison]] = {}
        # flag -> the equalities that hold when it is true (``already = any(m.user_id == uid for m in members)``)
        self.equality_flags: dict[str, list[cst.Comparison]] = {}
        self.clause_keys: dict[str, frozenset[str]] = {}  # a predicate held in a local -> the names it is keyed on
        self.keyed_stores: set[str] = set()  # locals bound to an empty dict, every key stored so far derived
        self.row_keyed: dict[str, bool] = {}  # lists of dicts built by ``append``: every ``"id"`` read from a row
        # calls whose result an ``if`` that exits (or drops the row) tests: the caller raises on their verdict
        self.deciding_calls: set[int] = set()
        self.top_statements: set[int] = set()  # the statements of the function body itself
        # of those, calls whose verdict is held in a local first (``rights = get_rights(user_id, row.org_id)``)
        self.held_verdicts: set[int] = set()
        self.conflict_calls: set[int] = set()  # helper calls tested by an ``if`` that answers a conflict
        # lookups of rows of tables with no identity column by the client's keys: (fetch, model, key names)
        self.client_fetches: list[tuple[cst.CSTNode, str, frozenset]] = []
        # parameters holding a row a dependency checked (``checked_parent_model``): name -> table model
        self.checked_parents: dict[str, str] = {}
        # helper calls reaching a child of one untied to it: (call, model, parent parameter, parent model, path, chain)
        self.child_fetches: list[tuple[cst.CSTNode, str, str, str, tuple[str, ...], tuple[str, ...], frozenset[str]]] = []
        self.checked_parent_keys: set[str] = set()  # the route's keys those dependencies took and checked
        # rows refused unless they belong to a row loaded but not checked yet (``if child not in parent.children:
        # raise``): parent local -> the child's lookups, no claim once the parent is checked (``_tie_pending``)
        self.pending_ties: dict[str, list[Site]] = {}
        # a test that decides access is being read: a column outside the identity fields compared with the
        # principal's id counts there only (``principal_column``), never as an owner gate
        self.in_decision = False
        # flags set ``True`` only on elevated ways (``sees_all = True`` under an admin test, or in a loop over the
        # caller's roles under ``if role.id in ADMIN_ROLE_IDS``), and flags bound otherwise anywhere
        self.elevated_flags: set[str] = set()
        self.plain_flags: set[str] = set()

    # -- names -----------------------------------------------------------------------------------------
    def model_of(self, expr: cst.BaseExpression, state: dict[str, Val]) -> Optional[str]:
        if isinstance(expr, cst.Name):
            v = state.get(expr.value)
            if v is not None:
                return v.alias
        if not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        q = self.ctx.qualified_name(expr)
        if q is None or self.project is None:
            return None
        cache = self.ctx.cached("queries.model_cache", dict)
        if q in cache:
            return cache[q]
        found = self.project.get_class(q)
        result = found[0] if found is not None and is_table_model(self.project, found[0]) else None
        cache[q] = result
        return result

    # -- statements ------------------------------------------------------------------------------------
    def run(self) -> FunctionQueries:
        state: dict[str, Val] = {}
        for p in self.identity.params:
            if p.type and self.project is not None and is_table_model(self.project, self.project.canonical(p.type)):
                handed = dependency_row(self.project, self.settings, p.provider, self.project.canonical(p.type))
                # a row handed in by the caller; by a dependency that loads it unscoped, by a client key: as a
                # repository's row (a check of it here is BKL202)
                state[p.name] = Val(trusted=True, rows=True, repo=True, model=handed) if handed else Val(trusted=True)
            elif p.type and self.project is not None and (core := core_row_table(self.project, p.type)) is not None:
                # an object made from a Core table's row (``project: Project = Depends(current_project)``)
                handed = dependency_row(self.project, self.settings, p.provider, core)
                state[p.name] = Val(trusted=True, rows=True, repo=True, model=handed) if handed else Val(trusted=True)
            elif p.type and self.project is not None and table_union_alias(self.project, p.type):
                state[p.name] = Val(trusted=True)  # a row handed in by the caller (a union of tables)
            elif self.identity.route is None and p.name.startswith(AUTHORIZED_PREFIXES):
                state[p.name] = Val(trusted=True)  # the caller vouches for it: ``authorized_folder_id``
        for name in self.identity.closure_trusted:
            state[name] = Val(trusted=True)  # a key the enclosing service was handed by its caller
        for name in self.identity.closure_derived:
            state[name] = Val(derived=True)
        for name in self.identity.principals:
            state[name] = Val(derived=True, ident=True)
        for name in self.identity.identity_params:
            state[name] = Val(derived=True, ident=True)
        self.checked_parents = self._checked_parents()
        if self.checked_parents and self.project is not None:
            for p in self.identity.params:
                if p.name in self.checked_parents and p.provider:
                    self.checked_parent_keys |= checked_parent_keys(self.project, self.settings, p.provider)
        body = self.func.body
        self.held_verdicts = _verdicts_held(body.body)  # type: ignore[arg-type]
        self.deciding_calls.update(self.held_verdicts)
        self.top_statements = {id(st) for st in body.body}  # type: ignore[attr-defined]
        self.block(body.body, state)  # type: ignore[arg-type]
        self.out.derived_names = {n for n, v in state.items() if v.derived}
        self._untied(state)
        self._untied_children(state)
        return self.out

    def _owned(self, model: str) -> bool:
        return is_owned(self.project, self.settings, model)

    def _tie_readings(self) -> tuple[set[str], dict[int, str], set[tuple[str, str]]]:
        """What ties a fetched row after the walk: the rows and names the checks read, the local each fetch is bound
        to, and the attributes the function compares (read by ``_untied`` and ``_untied_children``)."""
        tied = {c.row.origin[0] for c in self.out.checks if c.row.origin is not None}
        tied |= {c.name for c in self.out.checks if c.name is not None}
        return tied, _assigned_names(self.ctx, self.func), _compared_attributes(self.func)

    def _untied(self, state: dict[str, Val]) -> None:
        """``board = get_board(db, board_id)``, ``check_board_permission(db, user, board_id)``, then ``tag =
        get_tag(db, tag_id)``: the tag's table has no identity column, it is the board's through ``Tag.board_id``,
        and nothing ties this tag to the checked board (no check of its own board, no comparison with the checked
        row's key): a tag of any board is served (``FunctionQueries.untied``)."""
        if self.project is None:
            return
        parents = [
            c.row.model for c in self.out.checks
            if c.row.model and c.row.origin is None and not c.row.scoped and c.name is not None and self._owned(c.row.model)
        ]
        if not parents:
            return
        fetches = list(self.client_fetches)
        for site in self.out.sites:
            if len(site.row_names) != 1 or len(site.entities) != 1 or self._owned(site.entities[0]):
                continue
            if self._client_row(Val(sites=(site,), rows=True, model=site.entities[0])):
                fetches.append((site.node, site.entities[0], frozenset(site.key_names)))
        if not fetches:
            return
        tied, names, compared = self._tie_readings()
        seen_keys: set[str] = set()
        for node, model, keys in fetches:
            local = names.get(id(node))
            if local is None:
                site = next((s for s in self.out.sites if s.node is node), None)
                local = next(iter(site.row_names)) if site is not None and site.row_names else None
            if local is None or local in tied or not keys or keys & seen_keys:
                continue
            held = state.get(local)
            if held is None or held.derived or held.model != model:
                continue  # tied to a checked row on every path (``if tag.board_id != board.id: raise``)
            for parent in parents:
                path = reference_path(self.project, model, parent)
                if path is not None and ((local, path[0]) in compared or (local, "") in compared):
                    break  # ``if file.document_id != document_id: raise``: the row's reference is tested
                if path is not None:
                    seen_keys |= keys
                    self.out.untied.append((node, model, parent, path))
                    break

    def _checked_parents(self) -> dict[str, str]:
        return checked_parent_params(self.ctx, self.identity)

    def _note_child_fetch(self, call: cst.Call, target: tuple, args: list[Val], state: dict[str, Val]) -> None:
        """``crud.data_product.get_single_by_id(db, data_product_id=data_product_id)`` under ``flight =
        Depends(can_read_write_flight)``: the route's client key reaches a lookup of a child of the checked row
        with no predicate on its reference to it (``child_untied_params``). A call also handed the checked row
        (or a value read off it) leaves the scoping to the helper."""
        project = self.project
        assert project is not None
        mod, cls, name, summary = target
        held = set(self.checked_parents) | self.checked_parent_keys
        for a in call.args:
            if set(load_names(a.value)) & held:
                return  # (handed the checked row, or the key its dependency checked: the helper may scope by it)
        params = summary.get("params", [])
        offset = 1 if (cls is not None and params[:1] and params[0] in ("self", "cls")) else 0
        given = handed_models(summary, offset, self.call_models(call, state))
        client = self.client_params()
        best: Optional[tuple] = None  # (the nearest checked row: the flight before its project)
        for parent_name, parent in self.checked_parents.items():
            reached = child_untied_params(project, self.settings, mod, cls, name, summary, parent, given)
            if not reached:
                continue
            for i, a in enumerate(call.args):
                if a.star:
                    continue
                param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
                if param not in reached:
                    continue
                v = args[i] if i < len(args) else NOTHING
                keys = frozenset(load_names(a.value)) & client
                if v.derived or v.trusted or not keys:
                    continue
                model, chain, path = reached[param]
                if best is None or len(path) < len(best[4]):
                    best = (call, model, parent_name, parent, path, chain, keys)
                break
        if best is not None:
            self.child_fetches.append(best)

    def _untied_children(self, state: dict[str, Val]) -> None:
        """Rows of a child of a row a dependency checked, looked up by the client's key and never tied to it
        (``FunctionQueries.untied_children``): through a helper (``child_fetches``) or here (an unscoped site
        keyed on client values only). A row compared afterwards with the checked row (``if dp.flight_id !=
        flight.id: raise``) or handed to a check is tied."""
        if not self.checked_parents or self.project is None:
            return
        fetches = list(self.child_fetches)
        client = self.client_params()
        for site in self.out.sites:
            if len(site.entities) != 1 or site.admin or self._owned(site.entities[0]):
                continue
            roots = frozenset(k.split(".", 1)[0] for k in site.key_names)
            if roots & self.checked_parent_keys or not self._client_row(Val(sites=(site,), rows=True, model=site.entities[0])):
                continue
            found = [
                (path, parent_name, parent) for parent_name, parent in self.checked_parents.items()
                if (path := reference_path(self.project, site.entities[0], parent)) is not None
            ]
            if found:
                path, parent_name, parent = min(found, key=lambda f: len(f[0]))
                fetches.append((site.node, site.entities[0], parent_name, parent, path, (), roots & client))
        if not fetches:
            return
        tied, names, compared = self._tie_readings()
        untied: list[tuple[cst.CSTNode, str, str, str, tuple[str, ...], tuple[str, ...], frozenset[str]]] = []
        tied_keys: set[str] = set()
        for fetch in fetches:
            node, path = fetch[0], fetch[4]
            local = names.get(id(node))
            if local is None:
                site = next((s for s in self.out.sites if s.node is node), None)
                local = next(iter(site.row_names)) if site is not None and site.row_names else None
            if local is not None and (local in tied or (local, "") in compared or any((local, c) in compared for c in path)):
                tied_keys |= fetch[6]  # (a later lookup by the same key reads the row found tied)
                continue
            untied.append(fetch)
        seen_nodes: set[int] = set()
        seen_keys: set[str] = set()
        for node, model, parent_name, parent, path, chain, keys in untied:
            if id(node) in seen_nodes or keys & (tied_keys | seen_keys):
                continue  # one finding per key
            seen_nodes.add(id(node))
            seen_keys |= keys
            self.out.untied_children.append((node, model, parent_name, parent, path, chain))

    def block(self, stmts: Sequence[cst.CSTNode], state: dict[str, Val]) -> None:
        for i, stmt in enumerate(stmts):
            self.statement(stmt, state)
            if id(stmt) not in self.top_statements:
                continue  # (a check on one way only: a key first named there would stay derived past the join)
            for key in self._permission_checked_keys(stmt):
                # ``self._permission.enforce(subject, "hiring.get_status", f"course_site/{course_site_id}")``: the
                # key is the caller's to use on this path (as after ``_compared_by_helper``)
                old = state.get(key)
                if old is None or not (old.stmt or old.rows):
                    state[key] = replace(old or NOTHING, derived=True)
            if (isinstance(stmt, cst.If) and self._guards_admin(stmt)) or self._admin_permission_gate(stmt):
                # ``if not user.is_superuser: raise ...``, ``self._permission.enforce(subject, "hiring.admin",
                # "*")``: the rest of the block is admin-only
                self.admin_depth += 1
                try:
                    self.block(stmts[i + 1 :], state)
                finally:
                    self.admin_depth -= 1
                return

    def _note_flag(self, name: str, value: cst.BaseExpression) -> None:
        """``sees_all = False`` leaves a flag as it is; ``sees_all = True`` on an elevated way (an admin
        branch) makes it an elevated flag, anywhere else (or any other value) a plain one (``_admin_test``)."""
        if isinstance(value, cst.Name) and value.value == "False":
            return
        if isinstance(value, cst.Name) and value.value == "True" and self.admin_depth > 0:
            self.elevated_flags.add(name)
        else:
            self.plain_flags.add(name)

    def _admin_permission_gate(self, stmt: cst.CSTNode) -> bool:
        """``self._permission.enforce(subject, "hiring.admin", "*")``, ``require_permission(user, Perm.MANAGE_USERS)``:
        a call made as a statement of its own (its refusal raises), named for a permission check (or ``enforce``), given the
        principal and constants only, one of them naming a privileged permission (``admin``, ``superuser``,
        ``manage...``, ``moderat...``, as for a dependency factory's argument): what follows runs for
        administrators only. A verdict (``is_*`` / ``has_*`` / ``can_*``, a bare ``check``) thrown away
        decides nothing, and a permission on a row or a key (``f"course_sites/{site_id}"``) is no global one."""
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
            return False
        call = stmt.body[0].value
        if isinstance(call, cst.Await):
            call = call.expression
        if not isinstance(call, cst.Call) or not call.args:
            return False
        callee = dotted_name(call.func) or ""
        name = last_segment(callee).lower()
        if not (spells_check(callee) or name.lstrip("_").startswith("enforce")) or name.lstrip("_").startswith(("is_", "has_", "can_")) or name == "check":
            return False
        principal = False
        constants: list[str] = []
        for a in call.args:
            value = a.value
            if isinstance(value, cst.Name) and value.value in self.identity.principals:
                principal = True
            elif isinstance(value, cst.SimpleString) or (
                isinstance(value, cst.Attribute) and value.attr.value.isupper() and isinstance(value.value, (cst.Name, cst.Attribute))
            ):
                constants.append(self.ctx.module.code_for_node(value) if self.ctx.module is not None else "")
            elif isinstance(value, cst.FormattedString) and all(isinstance(p, cst.FormattedStringText) for p in value.parts):
                constants.append("".join(p.value for p in value.parts if isinstance(p, cst.FormattedStringText)))  # ``f"room/"``
            elif isinstance(value, cst.Name) and _session_or_grants(value.value):
                continue
            else:
                return False
        return principal and (privileged_arguments([c for c in constants if c], None) or _every_resource(constants))

    def _keyed_permission_call(self, stmt: cst.CSTNode) -> list[str]:
        """The keys named in the resource of a permission check made as a statement: a call named for a check
        (or ``enforce``), given the principal, constants and one f-string resource built from keys
        (``self._permission_svc.enforce(subject, "applications.delete", f"applications/{application_id}")``,
        ``f"course_sites/term:{term_id}"``, ``f"section/{section.id}"``). The service answers whether the caller
        may act on that resource, so each key in it is decided with the caller (a refusal raises). A verdict
        thrown away (``is_*`` / ``has_*`` / ``can_*``, a bare ``check``) decides nothing."""
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
            return []
        call = stmt.body[0].value
        if isinstance(call, cst.Await):
            call = call.expression
        if not isinstance(call, cst.Call) or not call.args:
            return []
        callee = dotted_name(call.func) or ""
        name = last_segment(callee).lower()
        if not (spells_check(callee) or name.lstrip("_").startswith("enforce")) or name.lstrip("_").startswith(("is_", "has_", "can_")) or name == "check":
            return []
        principal = False
        keys: list[str] = []
        for a in call.args:
            value = a.value
            if isinstance(value, cst.Name) and value.value in self.identity.principals:
                principal = True
            elif isinstance(value, cst.SimpleString) or (isinstance(value, cst.Name) and _session_or_grants(value.value)):
                continue
            elif isinstance(value, cst.FormattedString) and not keys:
                for part in value.parts:
                    if isinstance(part, cst.FormattedStringExpression):
                        text = dotted_name(part.expression) or ""
                        if not text or part.format_spec is not None or text.split(".", 1)[0] in self.identity.principals:
                            return []
                        keys.append(text)
            else:
                return []
        return keys if principal else []

    def _permission_checked_keys(self, stmt: cst.CSTNode) -> list[str]:
        """The keys a statement checks with a permission service (``_keyed_permission_call``), also as the body
        of an ``if`` whose test asks about the caller first (``if not self._is_instructor(subject, course_site):
        self._permission.enforce(subject, "hiring.get_assignments", f"course_site/{course_site_id}")``): the
        caller passes either way only when one of the two answers for them."""
        keys = self._keyed_permission_call(stmt)
        if keys or not isinstance(stmt, cst.If) or stmt.orelse is not None or len(stmt.body.body) != 1:
            return keys
        test = stmt.test
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test = test.expression
        if isinstance(test, cst.Await):
            test = test.expression
        if not isinstance(test, cst.Call) or not any(
            isinstance(a.value, cst.Name) and a.value.value in self.identity.principals for a in test.args
        ):
            return []
        return self._keyed_permission_call(stmt.body.body[0])

    def _guards_admin(self, stmt: cst.If) -> bool:
        if stmt.orelse is not None or self._admin_test(stmt.test) != "negated":
            return False
        return self._exits(stmt.body)

    def _admin_test(self, test: cst.BaseExpression) -> Optional[str]:
        """"positive" when the test is true for admins, "negated" when true for non-admins."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._admin_test(test.expression)
            return {"positive": "negated", "negated": "positive"}.get(inner or "")
        if isinstance(test, cst.BooleanOperation):
            left = self._admin_test(test.left)
            right = self._admin_test(test.right)
            if isinstance(test.operator, cst.Or):
                # (``not hasattr(user, "is_admin") or not user.is_admin``: true for every non-admin)
                return "positive" if "positive" in (left, right) else ("negated" if "negated" in (left, right) else None)
            return "negated" if "negated" in (left, right) else ("positive" if left == right == "positive" else None)
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value in ("getattr", "hasattr"):
            # ``getattr(user, "is_super_admin", False)``
            args = test.args
            if len(args) >= 2 and isinstance(args[1].value, cst.SimpleString):
                lowered = args[1].value.value.lower()
                if any(w in lowered for w in ADMIN_WORDS) or "is_staff" in lowered or "is_root" in lowered:
                    return "positive"
            return None
        if isinstance(test, cst.Name) and test.value in self.elevated_flags and test.value not in self.plain_flags:
            return "positive"  # ``if sees_all:`` where ``sees_all`` was set ``True`` on elevated ways only
        if isinstance(test, (cst.Attribute, cst.Name, cst.Call)):
            node = test.func if isinstance(test, cst.Call) else test
            name = node.attr.value if isinstance(node, cst.Attribute) else (node.value if isinstance(node, cst.Name) else "")
            lowered = name.lower()
            if any(w in lowered for w in ADMIN_WORDS) or lowered in ("is_staff", "is_root"):
                return "positive"
            if isinstance(test, cst.Call) and lowered.startswith(("has_", "is_")) and any(
                isinstance(a.value, cst.SimpleString) and any(w in a.value.value.lower() for w in ADMIN_WORDS) for a in test.args
            ):
                return "positive"  # ``user.has_permission("admin")``, ``user.has_role("superuser")``
            return None
        if isinstance(test, cst.Comparison):
            named = _named_account_test(test)
            if named is not None:
                return named  # ``if user.username != "danya": raise``: one account, named in the code, gets through
            words: list[str] = []
            for n in _walk_expr(test):
                if isinstance(n, cst.SimpleString):
                    words.append(n.value.lower())
                elif isinstance(n, cst.Attribute):
                    words.append(n.attr.value.lower())
                elif isinstance(n, cst.Name) and n.value.isupper():
                    words.append(n.value.lower())  # a constant: ``if role.id in ADMIN_OR_MAINTAINER_ROLE_IDS``
            if any(w in word for w in ADMIN_WORDS for word in words):
                ops = [c.operator for c in test.comparisons]
                if all(isinstance(o, (cst.Equal, cst.In, cst.Is)) for o in ops):
                    return "positive"
                if all(isinstance(o, (cst.NotEqual, cst.NotIn, cst.IsNot)) for o in ops):
                    return "negated"
        return None

    def _conflict_answer(self, body: cst.BaseSuite) -> bool:
        """The branch answers a uniqueness conflict (409 / ``CONFLICT`` / "already exists / registered / taken /
        in use" / ``IntegrityError``)."""
        code = self.ctx.module.code_for_node(body) if self.ctx.module is not None else ""
        return "409" in code or "CONFLICT" in code.upper() or bool(_UNIQUENESS_WORDS.search(code))

    def _invalid_answer(self, body: cst.BaseSuite) -> bool:
        """The branch raises an ``HTTPException`` answered 400 / 422 / 429 (``BAD_REQUEST``, ``UNPROCESSABLE``,
        ``TOO_MANY_REQUESTS``): the request is refused as malformed or too frequent, not for who asks."""
        last = _last_small_statement(body)
        if not isinstance(last, cst.Raise) or self.ctx.module is None:
            return False
        code = self.ctx.module.code_for_node(last)
        return bool(_INVALID_STATUS.search(code)) and not _ACCESS_STATUS.search(code)

    def _not_access_decisions(self, stmt: cst.If) -> list[cst.Comparison]:
        """Owner comparisons of an ``if`` that do not guard access (BKL202 is about access): a uniqueness
        conflict (the branch answers 409 / ``CONFLICT`` / "already exists": ``if holder.user_id != user.id:
        return error(409)``), and refusing the owner (``if row.user_id == user.id: raise "the owner cannot
        leave"``: an equality that holds, not fails, on the raising branch)."""
        body = stmt.body
        if not self._exits(body):
            return []
        comparisons = [n for n in _walk_expr(stmt.test) if isinstance(n, cst.Comparison)]
        for n in _walk_expr(stmt.test):
            if isinstance(n, cst.Name) and n.value in self.equality_flags:
                comparisons.extend(self.equality_flags[n.value])
        if not comparisons:
            return []
        if self._conflict_answer(body):
            return comparisons
        stmts = body.body if isinstance(body, cst.IndentedBlock) else []
        last = stmts[-1] if stmts else None
        if not (isinstance(last, cst.SimpleStatementLine) and last.body):
            return []
        skip = len(stmts) == 1 and len(last.body) == 1 and self._bare_return(last.body[0]) and not self._refuses_anyone()
        if not isinstance(last.body[-1], cst.Raise) and not skip:
            # (a branch that is only a bare ``return`` when the caller is the owner, in a function that refuses
            # nobody, skips work for the owner: ``if not pod or user_id == pod.owner_id: return`` before counting
            # a view; a branch that first works on the owner's row, then returns, decides on it)
            return []
        out: list[cst.Comparison] = []
        stack: list[cst.BaseExpression] = [stmt.test]
        while stack:  # the leaves each of which holds on the way to the exit (not under ``not``)
            node = stack.pop()
            if isinstance(node, cst.BooleanOperation):
                stack.extend((node.left, node.right))
            elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
                if isinstance(node.comparisons[0].operator, (cst.Equal, cst.Is)):
                    out.append(node)
            elif isinstance(node, cst.Name) and node.value in self.equality_flags:
                # ``already_member = any(m.user_id == user_id for m in members)`` then ``if already_member: raise``
                out.extend(self.equality_flags[node.value])
        return out

    @staticmethod
    def _bare_return(small: cst.BaseSmallStatement) -> bool:
        return isinstance(small, cst.Return) and (small.value is None or (isinstance(small.value, cst.Name) and small.value.value == "None"))

    def _refuses_anyone(self) -> bool:
        """The function raises somewhere, or returns a verdict (``return True`` / ``False``)."""
        def build() -> bool:
            for node in _walk_expr(self.func.body):
                if isinstance(node, cst.Raise):
                    return True
                if isinstance(node, cst.Return) and isinstance(node.value, cst.Name) and node.value.value in ("True", "False"):
                    return True
            return False

        return self.ctx.cached(("queries.refuses_anyone", id(self.func)), build)

    def _elevated_split(self, test: cst.BaseExpression, state: dict[str, Val]) -> tuple[bool, bool]:
        """(the test holds only on identity-less or elevated ways, it fails only on such ways), through
        ``not`` / ``and`` / ``or``: a leaf is elevated when it names an admin role, tests a global permission
        of the principal (``has_global_permission(user, Permission.MANAGE_AGENTS)``) or the principal's
        presence (``user`` is present when it holds, absent when it fails)."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            body, other = self._elevated_split(test.expression, state)
            return other, body
        if isinstance(test, cst.BooleanOperation):
            lb, le = self._elevated_split(test.left, state)
            rb, re_ = self._elevated_split(test.right, state)
            if isinstance(test.operator, cst.And):
                return lb or rb, le and re_
            return lb and rb, le or re_
        if isinstance(test, cst.Await):
            test = test.expression
        if isinstance(test, cst.Call) and (self._global_permission_test(test, state) or self._bypass_test(test)):
            return True, False
        polarity = self._admin_test(test)
        presence = self._presence_test(test, state)
        return polarity == "positive" or presence == "absent", polarity == "negated" or presence == "present"

    def _global_permission_test(self, call: cst.Call, state: dict[str, Val]) -> bool:
        """A role or permission test of the principal alone: a call given the principal and constants only
        (``has_permission(user, Permission.MANAGE_AGENTS)``, ``user_has_role(user, "owner")``), none of them a
        row or a key. Holding a global permission is an elevated way, like an admin role."""
        func = call.func
        name = func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else "")
        lowered = name.lower()
        if not any(w in lowered for w in ("permission", "role", "scope", "admin", "privilege")):
            return False
        principal = constant = False
        for a in call.args:
            value = a.value
            if isinstance(value, (cst.SimpleString, cst.Integer)):
                constant = True
            elif isinstance(value, cst.Attribute) and value.attr.value.isupper() and isinstance(value.value, (cst.Name, cst.Attribute)):
                constant = True  # ``Permission.MANAGE_AGENTS``
            elif isinstance(value, cst.Name) and value.value in self.identity.principals:
                principal = True
            elif isinstance(value, cst.Name) and _session_or_grants(value.value):
                continue
            else:
                return False
        return principal and constant

    def _bypass_test(self, call: cst.Call) -> bool:
        """``if bypass_tenant_filter(ctx):``: a test of the principal alone (no row, no key) whose name says the
        caller bypasses the scope holds only for elevated callers (platform admins, system accounts): the body
        is an elevated way, like an admin role's."""
        func = call.func
        name = func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else "")
        if "bypass" not in name.lower() or not call.args:
            return False
        return all(isinstance(a.value, cst.Name) and a.value.value in self.identity.principals for a in call.args)

    def _anonymous_test(self, test: cst.BaseExpression) -> bool:
        """``isinstance(current_user, AnonymousUser)``: the principal tested for the project's stand-in of a
        caller who presented no credential (a class named ``Anonymous*`` / ``Unauthenticated*``, also in a
        tuple): where it holds, there is no identity."""
        if not (isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance" and len(test.args) == 2):
            return False
        subject, kinds = test.args[0].value, test.args[1].value
        if not (isinstance(subject, cst.Name) and subject.value in self.identity.principals):
            return False
        names = [e.value for e in kinds.elements] if isinstance(kinds, cst.Tuple) else [kinds]
        leaves = [n.attr.value if isinstance(n, cst.Attribute) else (n.value if isinstance(n, cst.Name) else "") for n in names]
        return bool(leaves) and all(ANONYMOUS_CLASS.match(leaf) for leaf in leaves)

    def _presence_test(self, test: cst.BaseExpression, state: dict[str, Val]) -> Optional[str]:
        """``if user_id:`` / ``if user_id is not None:`` -> "present" (the else branch has no identity);
        ``if user_id is None:`` / ``if not user_id:`` -> "absent" (the body has none)."""
        negate = False
        while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            negate = not negate
            test = test.expression
        result = None
        if self._anonymous_test(test):
            result = "absent"
        elif isinstance(test, cst.Name):
            v = state.get(test.value)
            if v is not None and (v.ident or v.built or (v.container and v.clause)):
                # a list of conditions that holds an owner predicate on every way the identity is present
                # (``terms.append(M.user_id == user_id)`` under ``if user_id is not None``) is empty only
                # where it is absent: ``if terms: stmt = stmt.where(or_(*terms))``
                result = "present"
        elif (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.left, cst.Name)
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and test.comparisons[0].comparator.value == "None"
        ):
            v = state.get(test.left.value)
            if v is not None and (v.ident or v.built):
                op = test.comparisons[0].operator
                if isinstance(op, (cst.IsNot, cst.NotEqual)):
                    result = "present"
                elif isinstance(op, (cst.Is, cst.Equal)):
                    result = "absent"
        if result is not None and negate:
            result = "absent" if result == "present" else "present"
        return result

    def statement(self, stmt: cst.CSTNode, state: dict[str, Val]) -> None:
        self._state = state
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, state)
        elif isinstance(stmt, cst.If):
            self.if_stmt(stmt, state)
        elif isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                it = self.ev(stmt.iter, state)
                if it.rows:
                    self.bind(stmt.target, replace(it, opaque=False, sites=it.sites), state)
                else:
                    self.bind(stmt.target, replace(_merge_flags([it]), source=it.source), state)
            else:
                self.test(stmt.test, state, decision=False)
            inner = dict(state)
            if isinstance(stmt, cst.For) and it.rows and it.sites:
                # ``for row in rows: if not can_read(user, row): continue``: each row filtered by an access check
                for sub in stmt.body.body:  # type: ignore[attr-defined]
                    if isinstance(sub, cst.If) and self._skips(sub.body):
                        self._row_filter(sub.test, inner, it, set(load_names(stmt.target)))
            self.block(stmt.body.body, inner)  # type: ignore[attr-defined]
            self.merge_into(state, [inner, dict(state)])
            if isinstance(stmt, cst.For):
                self._elements_verified(stmt, inner, state)
            if stmt.orelse is not None:
                self.block(stmt.orelse.body.body, state)  # type: ignore[attr-defined]
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                v = self.ev(item.item, state)
                if item.asname is not None:
                    self.bind(item.asname.name, v, state)
            self.block(stmt.body.body, state)  # type: ignore[attr-defined]
        elif isinstance(stmt, cst.Try) or type(stmt).__name__ == "TryStar":
            before = dict(state)
            self.block(stmt.body.body, state)  # type: ignore[attr-defined]
            if stmt.orelse is not None:  # type: ignore[attr-defined]
                self.block(stmt.orelse.body.body, state)  # type: ignore[attr-defined]
            branches = [dict(state)]
            for h in stmt.handlers:  # type: ignore[attr-defined]
                inner = dict(before)
                self.block(h.body.body, inner)
                if not self._exits(h.body):
                    branches.append(inner)
            if len(branches) > 1:
                self.merge_into(state, branches)
            if stmt.finalbody is not None:  # type: ignore[attr-defined]
                self.block(stmt.finalbody.body.body, state)  # type: ignore[attr-defined]
        elif isinstance(stmt, cst.Match):
            self.ev(stmt.subject, state)
            branches = []
            for case in stmt.cases:
                inner = dict(state)
                self.block(case.body.body, inner)  # type: ignore[attr-defined]
                branches.append(inner)
            branches.append(dict(state))
            self.merge_into(state, branches)
        # nested defs and classes are analysed on their own

    def if_stmt(self, stmt: cst.If, state: dict[str, Val]) -> None:
        decision = self._exits(stmt.body) or self._nulls_row(stmt.body, state) or self._drops_rows(stmt.body, state) or (
            isinstance(stmt.orelse, cst.Else) and self._exits(stmt.orelse.body)
        ) or _nested_exit(stmt.body) or self._ends_in_raising_check(stmt.body)
        # ``if token_user_id != ride.user_id: is_owner = False`` then ``if not is_owner and ride.hidden: return
        # None``: the comparison decides through the flag, as for ``is_owner = ride.user_id == user.id``
        flags = () if decision else _flag_assignments(stmt)
        flag_checks = self.comparisons_in(stmt.test, state) if flags else []
        self.not_access.update(id(c) for c in self._not_access_decisions(stmt))
        if self._exits(stmt.body) and (self._conflict_answer(stmt.body) or self._invalid_answer(stmt.body)):
            # ``if is_member(db, board.id, user.id): raise HTTPException(409, "already a member")``: a helper's
            # verdict that refuses a duplicate decides no access; nor does one answered as an invalid request
            # (``if await _would_create_cycle(db, folder.id, parent.id): raise HTTPException(400, ...)``)
            self.conflict_calls.update(_tested_calls(stmt.test))
        if decision:
            self.deciding_calls.update(_tested_calls(stmt.test))
        self.test(stmt.test, state, decision=decision)
        polarity = self._admin_test(stmt.test)
        presence = self._presence_test(stmt.test, state)
        body_admin = polarity == "positive" or presence == "absent"
        else_admin = polarity == "negated" or presence == "present"
        if isinstance(stmt.test, (cst.BooleanOperation, cst.UnaryOperation, cst.Call, cst.Await)):
            # ``if user and not has_global_permission(user, Permission.MANAGE):``: the else branch is
            # identity-less or elevated on every way it can be taken
            split_body, split_else = self._elevated_split(stmt.test, state)
            body_admin = body_admin or split_body
            else_admin = else_admin or split_else
        body_state = dict(state)
        self._narrow(stmt.test, body_state, positive=True)
        self._row_instance(stmt.test, body_state, positive=True)
        else_exits = isinstance(stmt.orelse, cst.Else) and self._exits(stmt.orelse.body)
        self._found_by_scoped_load(stmt.test, body_state, present=True, decides=else_exits)
        self._branch(stmt.body.body, body_state, body_admin)  # type: ignore[attr-defined]
        else_state = dict(state)
        self._row_instance(stmt.test, else_state, positive=False)
        self._found_by_scoped_load(stmt.test, else_state, present=False, decides=self._exits(stmt.body))
        if stmt.orelse is not None:
            if isinstance(stmt.orelse, cst.If):
                self.admin_depth += 1 if else_admin else 0
                try:
                    self.if_stmt(stmt.orelse, else_state)
                finally:
                    self.admin_depth -= 1 if else_admin else 0
            else:
                self._branch(stmt.orelse.body.body, else_state, else_admin)  # type: ignore[attr-defined]
        if else_admin:
            else_state = self._as_admin(else_state)
        if body_admin:
            body_state = self._as_admin(body_state)
        if self._exits(stmt.body):
            self._key_in_checked(stmt.test, state)
            self._tie_pending(stmt.test, state)
            self._tied_to_decided_key(stmt.test, state)
            self._narrow(stmt.test, else_state, positive=False)
            self._verified_by_helper(stmt.test, else_state)
            self.merge_into(state, [else_state])
        elif isinstance(stmt.orelse, cst.Else) and self._exits(stmt.orelse.body):
            self.merge_into(state, [body_state])
        else:
            condition = _simple_condition(stmt.test)
            self.merge_into(state, [body_state, else_state], condition)
        if flag_checks:
            for flag in flags:
                self.pending_owner_flags[flag] = flag_checks

    def _narrow(self, test: cst.BaseExpression, state: dict[str, Val], positive: bool) -> None:
        """Where the test holds (``positive``) or failed (``if key != allowed: raise``), a key compared equal
        to a trusted or verified value (``if folder_id == authorized_folder_id:``) is as good as that value."""
        stack = [(test, positive)]
        while stack:
            node, positive = stack.pop()
            if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
                stack.append((node.expression, not positive))
                continue
            if isinstance(node, cst.BooleanOperation):
                if isinstance(node.operator, cst.And if positive else cst.Or):
                    stack.extend(((node.left, positive), (node.right, positive)))
                    continue
                # ``if not (user.has_permission("admin") or int(group_id) in user.group_ids): abort(403)``: for
                # everyone but administrators (an admin branch makes no claim), the other side holds
                admin = "positive" if positive else "negated"
                for a, b in ((node.left, node.right), (node.right, node.left)):
                    if self._admin_test(a) == admin:
                        stack.append((b, positive))
                continue
            if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
                continue
            op = node.comparisons[0].operator
            wanted = (cst.Equal, cst.In, cst.Is) if positive else (cst.NotEqual, cst.NotIn, cst.IsNot)
            if not isinstance(op, wanted):
                continue
            left, right = node.left, node.comparisons[0].comparator
            pairs = [(left, right)] if isinstance(op, (cst.In, cst.NotIn)) else [(left, right), (right, left)]
            for key, other in pairs:
                key, other = _unwrap(self.ctx, key), _unwrap(self.ctx, other)  # ``str(org_id) != str(row.org_id)``
                if not isinstance(key, cst.Name) or not isinstance(other, (cst.Name, cst.Attribute)):
                    continue
                if (isinstance(other, cst.Name) and other.value == "None") or (isinstance(other, cst.Attribute) and other.attr.value == "query"):
                    continue
                v = self.ev(other, state)
                if v.trusted or v.derived or v.rows:
                    old = state.get(key.value, NOTHING)
                    if not (old.stmt or old.rows):
                        state[key.value] = replace(old, trusted=True, derived=old.derived or v.derived)
                        holder = state.get(old.source[0]) if old.source is not None else None
                        if old.source is not None and (holder is None or not (holder.stmt or holder.rows)):
                            # ``ref = getattr(receipt, "buyer_ref")`` checked against the caller: so is ``receipt``
                            state[old.source[0]] = replace(holder or NOTHING, trusted=True)

    def _key_in_checked(self, test: cst.BaseExpression, state: dict[str, Val]) -> None:
        """``if index_name not in names: abort(400)`` where ``names`` was read from a row checked for the caller
        (``{t.index_name for t in board.items}``): the rows looked up earlier by that key are tied to the checked
        row: no claim on their lookups either way (as for a child tied to its checked parent)."""
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, cst.NotIn)):
            return
        key = _unwrap(self.ctx, test.left)
        if isinstance(key, cst.Attribute) and isinstance(key.value, cst.Name):
            row = state.get(key.value.value)  # ``if index.name not in names``: the row itself
            if row is None or not (row.rows and row.sites) or row.derived:
                return
        elif not isinstance(key, cst.Name):
            return
        allowed = self.ev(test.comparisons[0].comparator, state)
        if not allowed.derived or allowed.stmt:
            return
        if isinstance(key, cst.Attribute):
            for site in row.sites:
                site.owner_gated = True
            return
        for site in self.out.sites:
            if key.value in site.key_names:
                site.owner_gated = True

    def _tie_pending(self, test: cst.BaseExpression, state: dict[str, Val]) -> None:
        """``if score_set not in collection.score_sets: raise HTTPException(409)`` where ``collection`` was
        loaded and is not checked yet: the child is refused unless it belongs to that row; when the row is
        checked for the caller later (``assert_permission(user, collection, ...)`` before anything is done), the
        child is tied to a checked parent (``_tied_to_checked_parent``): no claim on its lookup either way."""
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, cst.NotIn)):
            return
        child, members = _unwrap(self.ctx, test.left), _unwrap(self.ctx, test.comparisons[0].comparator)
        if not (isinstance(child, cst.Name) and isinstance(members, cst.Attribute) and isinstance(members.value, cst.Name)):
            return
        c, p = state.get(child.value), state.get(members.value.value)
        if c is None or not (c.rows and c.model and c.sites) or c.derived:
            return
        if p is None or not (p.rows and p.model and (p.sites or p.repo)) or p.derived or p.model == c.model:
            return
        if members.attr.value not in relationships(self.project, p.model):
            return
        self.pending_ties.setdefault(members.value.value, []).extend(c.sites)

    def _parent_checked(self, name: Optional[str]) -> None:
        """The row held in ``name`` was checked for the caller: the children tied to it before are verified."""
        for site in self.pending_ties.pop(name, ()) if name is not None else ():
            site.owner_gated = True

    def _row_instance(self, test: cst.BaseExpression, state: dict[str, Val], positive: bool) -> None:
        """``if isinstance(item, Data):`` (or the ``else`` of ``if not isinstance(item, Data):``): where the test
        says the value is an instance of an ORM table, it is a row handed in, and its keys are not the client's."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, positive = test.expression, not positive
        if not positive or not isinstance(test, cst.Call) or len(test.args) != 2:
            return
        if not (isinstance(test.func, cst.Name) and test.func.value == "isinstance" and isinstance(test.args[0].value, cst.Name)):
            return
        if self.model_of(test.args[1].value, state) is None:
            return
        name = test.args[0].value.value
        old = state.get(name, NOTHING)
        if not (old.stmt or old.rows):
            state[name] = replace(old, trusted=True)

    def _elements_verified(self, loop: cst.For, inner: dict[str, Val], state: dict[str, Val]) -> None:
        """``for name in names: if name not in my_names: raise ...``: a loop that stops the function unless each
        element of a local collection is verified against the principal (or read from a checked row) leaves
        every element verified: so is the collection. A loop that can skip an element (``continue``,
        ``break``) verifies nothing."""
        if not (isinstance(loop.iter, cst.Name) and isinstance(loop.target, cst.Name)):
            return
        element = inner.get(loop.target.value)
        if element is None or not element.trusted or element.stmt or element.rows:
            return
        stack: list[cst.CSTNode] = [loop.body]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Continue, cst.Break)):
                return
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            stack.extend(iter_children(node))
        old = state.get(loop.iter.value, NOTHING)
        if not (old.stmt or old.rows):
            state[loop.iter.value] = replace(old, trusted=True, derived=old.derived or element.derived)

    def _track_row_keyed(self, name: str, method: str, call: cst.Call, state: dict[str, Val]) -> None:
        """``updates.append({"id": p.id, ...})``: whether every dict put in the list so far is keyed (its
        ``"id"``) on a value read from a loaded row or verified against the principal."""
        ok = method == "append" and len(call.args) == 1 and isinstance(call.args[0].value, cst.Dict)
        if ok:
            key = None
            for el in call.args[0].value.elements:  # type: ignore[attr-defined]
                if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString) and el.key.evaluated_value == "id":
                    key = el.value
            if key is None:
                ok = False
            else:
                v = self.ev(key, state)
                ok = (v.trusted or v.derived) and not (v.stmt or v.rows)
        self.row_keyed[name] = self.row_keyed.get(name, True) and ok

    def _bulk_by_row_keys(self, first: Val, call: cst.Call, params: list[Val]) -> bool:
        """``session.execute(update(Project), updates)``: an ORM bulk UPDATE (or DELETE) by primary key, with
        no predicate of its own, addresses the rows whose ``"id"`` its parameters carry. When every one is
        read from a loaded row (``{"id": p.id}`` for ``p`` in the rows a lookup returned) or verified, the
        write is that lookup's rows: the lookup is what is reported or not (one finding per fetch)."""
        if len(call.args) < 2 or call.args[1].keyword is not None:
            return False
        if not first.sites or any(s.kind not in ("update", "delete") or s.pred_nodes for s in first.sites):
            return False
        arg = call.args[1].value
        if isinstance(arg, cst.Name) and arg.value in self.row_keyed:
            return self.row_keyed[arg.value]
        return isinstance(arg, (cst.ListComp, cst.List)) and (params[0].trusted or params[0].derived)

    def _verified_by_helper(self, test: cst.BaseExpression, state: dict[str, Val]) -> None:
        """``if not await lock_entry(session, version_id, user_id): raise``: a helper given the identity and a
        key, whose failure stops the function, answered for this user: the key is the user's afterwards."""
        node = test
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            node = node.expression
        elif (
            isinstance(node, cst.Comparison)
            and len(node.comparisons) == 1
            and isinstance(node.comparisons[0].operator, (cst.Is, cst.Equal))
            and isinstance(node.comparisons[0].comparator, cst.Name)
            and node.comparisons[0].comparator.value in ("None", "False")
        ):
            node = node.left
        else:
            return
        if isinstance(node, cst.Await):
            node = node.expression
        if not isinstance(node, cst.Call) or not node.args:
            return
        if not any(self.is_derived(a.value, state) for a in node.args):
            return
        for a in node.args:
            if isinstance(a.value, cst.Name):
                old = state.get(a.value.value)
                if old is None or not (old.stmt or old.rows or old.derived):
                    state[a.value.value] = replace(old or NOTHING, derived=True)

    @staticmethod
    def _exits(block: cst.BaseSuite) -> bool:
        last = _last_small_statement(block)
        return last is not None and (isinstance(last, (cst.Raise, cst.Return, cst.Continue, cst.Break)) or _aborts(last))

    @staticmethod
    def _skips(block: cst.BaseSuite) -> bool:
        """The block ends in ``continue``: a loop's element is skipped."""
        body = block.body if isinstance(block, cst.IndentedBlock) else []
        last = body[-1] if body else None
        return isinstance(last, cst.SimpleStatementLine) and bool(last.body) and isinstance(last.body[-1], cst.Continue)

    def _row_filter(self, test: cst.BaseExpression, state: dict[str, Val], rows: Val, targets: set[str]) -> None:
        """Rows filtered one by one by an access check given the principal and the row (``[e for e in items if
        has_permission(user, e, READ).permitted]``, ``for e in items: if not can_read(user, e): continue``): the
        caller is shown only the rows the project's check lets through, which is the access decision for a
        listing (no claim on its lookup either way). So does a test, holding on its own or beside others under
        ``and``, that the row's column is among values derived from the caller (``{r.uuid for r in links if
        r.group_id in my_group_ids}``, the caller's groups read by a query scoped to them)."""
        conjuncts: list[cst.BaseExpression] = []
        pending: list[cst.BaseExpression] = [test]
        while pending:
            node = pending.pop()
            if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.And):
                pending.extend((node.left, node.right))
            else:
                conjuncts.append(node)
        for conjunct in conjuncts:
            if (
                isinstance(conjunct, cst.Comparison)
                and len(conjunct.comparisons) == 1
                and isinstance(conjunct.comparisons[0].operator, cst.In)
                and set(load_names(conjunct.left)) and set(load_names(conjunct.left)) <= targets
                and targets.isdisjoint(load_names(conjunct.comparisons[0].comparator))
                and self.is_derived(conjunct.comparisons[0].comparator, state)
            ):
                for site in rows.sites:
                    site.owner_gated = True
                return
        stack: list[cst.CSTNode] = [test]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Lambda, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
                continue
            if isinstance(node, cst.Call):
                func = node.func
                q = self.ctx.qualified_name(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
                name = last_segment(q) if q else (func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else ""))
                values = [a.value for a in node.args]
                if (
                    self._authorization_helper(q, name, node)
                    and any(self.is_derived(v, state) and not _db_handle(v) for v in values)
                    and any(not targets.isdisjoint(load_names(v)) for v in values)
                ):
                    for site in rows.sites:
                        site.owner_gated = True
                    return
            stack.extend(iter_children(node))

    def _nulls_row(self, block: cst.BaseSuite, state: dict[str, Val]) -> bool:
        """``if ...: item = None`` (the fetched row is dropped)."""
        body = block.body if isinstance(block, cst.IndentedBlock) else []
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if (
                        isinstance(small, cst.Assign)
                        and isinstance(small.value, cst.Name)
                        and small.value.value == "None"
                        and any(isinstance(t.target, cst.Name) and state.get(t.target.value, NOTHING).rows for t in small.targets)
                    ):
                        return True
        return False

    def _drops_rows(self, block: cst.BaseSuite, state: dict[str, Val]) -> bool:
        """``if not is_owner: streams = [s for s in streams if not s.hidden]``: fetched rows filtered in Python
        (rows the caller is not shown are dropped)."""
        body = block.body if isinstance(block, cst.IndentedBlock) else []
        for stmt in body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
                    continue
                name = small.targets[0].target.value
                value = small.value
                if not (isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)) and state.get(name, NOTHING).rows):
                    continue
                comp = value.for_in
                if isinstance(comp.iter, cst.Name) and comp.iter.value == name and comp.ifs and comp.inner_for_in is None:
                    return True
        return False

    def _branch(self, stmts: Sequence[cst.CSTNode], state: dict[str, Val], admin: bool) -> None:
        if admin:
            self.admin_depth += 1
        try:
            self.block(stmts, state)
        finally:
            if admin:
                self.admin_depth -= 1

    @staticmethod
    def _as_admin(state: dict[str, Val]) -> dict[str, Val]:
        # an admin (or identity-less) branch does not weaken what the other branch guarantees
        out: dict[str, Val] = {}
        for k, v in state.items():
            if v.stmt:
                v = replace(v, scoped=True, pscoped=True)
            elif v.container:
                v = replace(v, clause=True, pscoped=True)
            out[k] = v
        return out

    @staticmethod
    def merge_into(state: dict[str, Val], branches: list[dict[str, Val]], condition: Optional[tuple[str, bool]] = None) -> None:
        keys: set[str] = set()
        for b in branches:
            keys.update(b)
        sourced: dict[str, list[tuple[str, str]]] = {}
        for k in keys:
            vals = [b[k] for b in branches if k in b]
            first = vals[0]
            if len(vals) > 1 and any(v.source is not None for v in vals):
                sourced[k] = [v.source for v in vals if v.source is not None]
            if len(vals) == 1:
                # a key verified on one way only (``checked``) is not verified where the ways join
                state[k] = replace(first, trusted=False, checked=False) if first.checked and len(branches) > 1 else first
                continue
            every = len(vals) == len(branches)
            scoped_when: frozenset = frozenset()
            if condition is not None and every and len(vals) == 2 and vals[0].stmt and vals[1].stmt:
                name, truthy = condition
                a, b = vals
                scoped_when = a.scoped_when & b.scoped_when
                if a.scoped and not b.scoped:
                    scoped_when |= {(name, truthy)} | b.scoped_when
                elif b.scoped and not a.scoped:
                    scoped_when |= {(name, not truthy)} | a.scoped_when
            both_ways = any((n, not t) in scoped_when for n, t in scoped_when)
            sites: list[Site] = []
            for v in vals:
                for s in v.sites:
                    if s not in sites:
                        sites.append(s)
            state[k] = Val(
                sites=tuple(sites),
                stmt=any(v.stmt for v in vals),
                rows=any(v.rows for v in vals),
                scoped=(all(v.scoped for v in vals) and every) or both_ways,
                pscoped=all(v.pscoped for v in vals) and every,
                opaque=any(v.opaque for v in vals),
                derived=any(v.derived for v in vals),
                trusted=all(v.trusted or v.derived for v in vals) and every,
                clause=all(v.clause for v in vals) and every,
                # (a way that binds no row, ``token = None``, has no model: the rows' model holds where they join)
                model=_common_model(vals),
                repo=any(v.repo for v in vals),
                alias=first.alias if all(v.alias == first.alias for v in vals) else None,
                ident=any(v.ident for v in vals) and not any(v.rows or v.stmt for v in vals),
                scoped_when=scoped_when,
                container=any(v.container for v in vals),
                text=all(v.text for v in vals) and every,
                built=all(v.built for v in vals) and every,
                lookup=first.lookup if all(v.lookup == first.lookup for v in vals) and every else frozenset(),
                lookup_scoped=all(v.lookup_scoped for v in vals) and every,
                checked=all(v.checked for v in vals) and every,
                # a row from a repository on one way at least: the keys it was given on any of them
                keys=frozenset().union(*(v.keys for v in vals)),
            )
        for k, sources in sourced.items():
            # ``org_id = course.org_id`` on the way that loaded ``course`` (another row's key, or a constant, on the
            # other ways): where the ways join, ``org_id`` still holds that row's column on its way, so a check of
            # ``org_id`` after the join decides on that row there (the first way's row that is still bound)
            merged = state[k]
            if merged.source is not None or merged.rows or merged.stmt:
                continue
            for source in sources:
                holder = state.get(source[0])
                if holder is not None and holder.rows and holder.model is not None and not holder.derived:
                    state[k] = replace(merged, source=source)
                    break

    def small(self, small: cst.CSTNode, state: dict[str, Val]) -> None:
        if self.identity.decoding and id(small) in self.identity.decoding and isinstance(small, (cst.Assign, cst.AnnAssign)):
            # ``user_id, tenant_id = get_current_user_id(authorization)``: the caller, decoded here (``auth.decoded_caller``)
            self.ev(small.value, state)  # type: ignore[arg-type]
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            for t in targets:
                for n in ([t] if isinstance(t, cst.Name) else [e.value for e in getattr(t, "elements", ())]):
                    if isinstance(n, cst.Name):
                        self.bind(n, Val(derived=True, ident=True), state)
            return
        if isinstance(small, cst.Assign) and self._keyed_store(small, state):
            return
        if isinstance(small, cst.Assign):
            v = self.ev(small.value, state)
            checks = self.comparisons_in(small.value, state)
            self.mark_owner_gated(small.value, state)
            keys = self.key_names(small.value, state) if self._clause_expr(small.value) else None
            for t in small.targets:
                self.bind(t.target, v, state)
                if isinstance(t.target, cst.Name):
                    self._note_flag(t.target.value, small.value)
                if keys is not None and isinstance(t.target, cst.Name):
                    self.clause_keys[t.target.value] = frozenset(keys)
                if v.rows and isinstance(t.target, cst.Name):
                    for s in v.sites:
                        s.row_names.add(t.target.value)
                if checks and isinstance(t.target, cst.Name):
                    # ``is_owner = item.owner_id == user.id`` then ``if not is_owner: raise``
                    self.pending_owner_flags[t.target.value] = checks
                    held = _holding_equalities(small.value)
                    if held:
                        self.equality_flags[t.target.value] = held
                    else:
                        self.equality_flags.pop(t.target.value, None)
                self.mark_owner_assignment(t.target, v, state)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                v = self.ev(small.value, state)
                self.bind(small.target, v, state)
                self.mark_owner_assignment(small.target, v, state)
        elif isinstance(small, cst.AugAssign):
            v = self.ev(small.value, state)
            if isinstance(small.target, cst.Name):
                old = state.get(small.target.value, NOTHING)
                scoped, pscoped = self.pred(small.value, state)
                state[small.target.value] = replace(
                    old,
                    clause=old.clause or v.clause or scoped,
                    pscoped=old.pscoped or pscoped,
                    derived=old.derived or v.derived,
                    text=old.text and v.text,  # ``sql += " AND owner_id = :uid"``
                )
        elif isinstance(small, cst.Expr):
            if not isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):  # (docstrings: nothing to read)
                self.ev(small.value, state)
        elif isinstance(small, cst.Return):
            if small.value is not None:
                self.consume(self.ev(small.value, state))
        elif isinstance(small, cst.Assert):
            self.test(small.test, state, decision=True)
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self.ev(small.exc, state)

    def _keyed_store(self, small: cst.Assign, state: dict[str, Val]) -> bool:
        """``hashes = {}`` then ``hashes[h] = f`` for each ``h`` derived from the principal (a digest of a
        verified workspace id): the dict's keys are the principal's, so ``hashes.keys()`` keys a lookup scoped
        to it. One key from elsewhere and the dict is nothing special. Returns whether it handled the line."""
        if len(small.targets) == 1 and isinstance(small.value, (cst.Dict, cst.Call)):
            target = small.targets[0].target
            value = small.value
            empty = (isinstance(value, cst.Dict) and not value.elements) or (
                isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict" and not value.args
            )
            if empty and isinstance(target, cst.Name):
                self.bind(target, NOTHING, state)
                self.keyed_stores.add(target.value)
                return True
            return False
        if len(small.targets) != 1:
            return False
        target = small.targets[0].target
        if not (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and target.value.value in self.keyed_stores):
            return False
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return False
        name = target.value.value
        key = self.ev(target.slice[0].slice.value, state)
        self.ev(small.value, state)
        old = state.get(name, NOTHING)
        if old.stmt or old.rows or old.container:
            self.keyed_stores.discard(name)
            return True
        if key.derived and not (key.stmt or key.rows or key.container):
            state[name] = Val(derived=True)
        else:
            self.keyed_stores.discard(name)
            state[name] = NOTHING
        return True

    def mark_owner_assignment(self, target: cst.BaseExpression, v: Val, state: dict[str, Val]) -> None:
        """``project.user_id = current_user.id``: the object now belongs to the principal."""
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.attr.value in self.identity_fields
            and v.derived
        ):
            name = target.value.value
            state[name] = replace(state.get(name, NOTHING), derived=True)

    def _clause_expr(self, expr: cst.BaseExpression) -> bool:
        """A predicate held in a local: a comparison, ``a & b`` / ``a | b``, ``and_(...)`` / ``or_(...)``."""
        if isinstance(expr, (cst.Comparison, cst.BooleanOperation)):
            return True
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.BitAnd, cst.BitOr)):
            return True
        if isinstance(expr, cst.Call) and isinstance(expr.func, (cst.Name, cst.Attribute)):
            q = self.ctx.qualified_name(expr.func)
            return q is not None and last_segment(q) in ("and_", "or_") and q.split(".")[0] in STATEMENT_MODULES
        return False

    def bind(self, target: cst.BaseExpression, v: Val, state: dict[str, Val]) -> None:
        if isinstance(target, cst.Name):
            self.clause_keys.pop(target.value, None)
            self.keyed_stores.discard(target.value)
            state[target.value] = v
            self.pending_owner_flags.pop(target.value, None)
            prefix = target.value + "."
            for stale in [k for k in state if k.startswith(prefix)]:
                del state[stale]  # what was verified of the old value
        elif isinstance(target, (cst.Tuple, cst.List)):
            joined = self._joined_entities(target, v)
            for i, el in enumerate(target.elements):
                model = joined[i] if joined else None
                if model is not None:
                    # ``activity, course = result`` of ``select(Activity, Course).join(Course)``: each element is a
                    # row of its entity, from the one fetch (a check of the parent tied by the join decides it)
                    self.bind(el.value, Val(derived=v.derived, trusted=v.trusted, rows=True, model=model, sites=v.sites), state)
                else:
                    self.bind(el.value, Val(derived=v.derived, trusted=v.trusted or v.rows, rows=v.rows), state)

    def _joined_entities(self, target: cst.BaseExpression, v: Val) -> list[Optional[str]]:
        """The entity each element of a tuple target unpacks from one row of a multi-entity fetch that joins them
        (``select(Activity, Course, User).join(Course)...first()``): owned models only, none for the principal's
        table or an element of another shape; ``[]`` when the value is no such row."""
        elements = getattr(target, "elements", ())
        if not (v.rows and len(v.sites) == 1 and not v.derived and self.project is not None):
            return []
        site = v.sites[0]
        if site.kind not in ("select", "query") or len(site.entities) != len(elements) or len(elements) < 2:
            return []
        if any(el.value.__class__ is not cst.Name for el in elements) or not site.pred_nodes:
            return []
        return [
            e if (self._owned(e) and e not in self.principal_types) else None
            for e in site.entities
        ]

    # -- BKL202: comparisons in tests ----------------------------------------------------------------------
    def test(self, expr: cst.BaseExpression, state: dict[str, Val], decision: bool) -> None:
        self.ev(expr, state)
        found: list[Comparison] = []
        self.in_decision = decision
        try:
            tested = self.comparisons_in(expr, state)
        finally:
            self.in_decision = False
        for c in tested:
            if id(c.node) in self.not_access:
                for site in c.row.sites:  # the owner is compared without deciding access: no claim either way
                    site.owner_gated = True
            else:
                found.append(c)
        for node in _walk_expr(expr):
            if isinstance(node, cst.Name) and node.value in self.pending_owner_flags:
                pending = self.pending_owner_flags.pop(node.value)
                for c in pending:
                    if id(c.node) in self.not_access:
                        for site in c.row.sites:
                            site.owner_gated = True
                if decision:
                    found.extend(c for c in pending if id(c.node) not in self.not_access)
        if not decision:
            self.mark_owner_gated(expr, state)
            return
        self._tied_to_checked_parent(expr, state)
        for c in found:
            self.out.checks.append(c)
            self._parent_checked(c.name)
            if c.name is not None:
                self._verify_loaded(c.name, state, c.node, c.helper)  # (the values it was looked up through)
            # after the check the row (and the key it was looked up by) is the principal's
            if c.name is not None and c.name in state:
                state[c.name] = replace(state[c.name], derived=True)
            for site in c.row.sites:
                for key in [*site.key_names, *self._key_copies(site.key_names)]:
                    if key in state:
                        state[key] = replace(state[key], derived=True)
                    else:
                        state[key] = Val(derived=True)
            for key in sorted(c.row.keys):
                # a row from a repository keeps the keys it was given (``get_collection(id)``): as after a helper's
                # check, a later write by that key (``delete_collection(id)``) is this row's, one finding per fetch
                old = state.get(key)
                if old is None or not (old.stmt or old.rows):
                    state[key] = replace(old or NOTHING, derived=True)
        for name, node in self._compared_values(expr, state):
            self._verify_loaded(name, state, node, None)

    def _key_copies(self, keys: Iterable[str]) -> list[str]:
        """Locals that only copy one of a checked row's keys (``comment_uuid = UUID(comment_id)``, the site
        naming the route's ``comment_id``): a later lookup by the copy is the checked row's (one finding per
        fetch)."""
        plain = {k for k in keys if "." not in k}
        if not plain:
            return []
        copies = self.ctx.cached(("queries.copies", id(self.func)), lambda: _local_copies(self.ctx, self.func))
        return sorted(local for local, source in copies.items() if source in plain and local not in plain)

    def _tied_to_checked_parent(self, expr: cst.BaseExpression, state: dict[str, Val]) -> None:
        """``if layer.atlas_id != atlas.id: abort(404)`` where ``atlas`` was checked for the caller (a checking
        helper returned it, or a check decided on it): the child looked up by its own id is verified through
        the parent it must belong to (RULES.md: a key read from a row fetched with a check is trusted). No
        claim on the child's lookup either way: the parent's check is the access decision."""
        for node in _walk_expr(expr):
            if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
                continue
            if not isinstance(node.comparisons[0].operator, (cst.NotEqual, cst.Equal, cst.IsNot, cst.Is)):
                continue
            left, right = _unwrap(self.ctx, node.left), _unwrap(self.ctx, node.comparisons[0].comparator)
            for child, parent in ((left, right), (right, left)):
                whole = isinstance(parent, cst.Name)  # ``child.parent != parent``: the related row itself
                if not whole and not (isinstance(parent, cst.Attribute) and isinstance(parent.value, cst.Name) and parent.attr.value in PRIMARY_KEY_NAMES):
                    continue
                p = state.get(parent.value if whole else parent.value.value)  # type: ignore[union-attr,arg-type]
                if p is None or not (p.rows and p.model and p.derived) or p.model in self.principal_types:
                    continue  # (who asks is no parent: ``row.user != current_user`` is an owner check)
                # ``child.parent_id`` (a foreign-key column) or ``child.parent.id`` (a relationship's key)
                relation = None
                if whole and isinstance(child, cst.Attribute):
                    relation = child.attr.value
                elif isinstance(child, cst.Attribute) and child.attr.value in PRIMARY_KEY_NAMES and isinstance(child.value, cst.Attribute):
                    relation, child = child.value.attr.value, child.value
                if not (isinstance(child, cst.Attribute) and isinstance(child.value, cst.Name)):
                    continue
                c = state.get(child.value.value)
                if c is None or not (c.rows and c.model and (c.sites or c.repo)) or c.derived or p.model == c.model:
                    continue
                if relation is not None:
                    if relation not in relationships(self.project, c.model) and f"{relation}_id" not in model_columns(self.project, c.model):
                        continue  # (a backref declared on the parent: its foreign key names it)
                else:
                    column = child.attr.value
                    if not column.endswith("_id") or column not in model_columns(self.project, c.model):
                        continue
                    traits = column_traits(self.project, c.model, column)
                    if traits is not None and traits.foreign_key is False:
                        continue
                for site in c.sites:
                    site.owner_gated = True
                state[child.value.value] = replace(c, derived=True)
                break
            else:
                self._points_to(left, right, state) or self._points_to(right, left, state)

    def _tied_to_decided_key(self, test: cst.BaseExpression, state: dict[str, Val]) -> None:
        """``if course.org_id != org_id: raise HTTPException(400)`` in a route that hands ``org_id``, with the
        caller, to a project function that decides on it (``create_community(request, org_id, ..., current_user,
        db)``; flow ``decided_on``): the row must belong to the tenant the caller is then authorised for, as a
        row tied to a checked parent (``_tied_to_checked_parent``). No claim on its lookup either way."""
        if self.identity.route is None or self.project is None:
            return
        for node in _walk_expr(test):
            if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
                continue
            if not isinstance(node.comparisons[0].operator, (cst.NotEqual, cst.IsNot)):
                continue
            left, right = _unwrap(self.ctx, node.left), _unwrap(self.ctx, node.comparisons[0].comparator)
            for row_side, key in ((left, right), (right, left)):
                if not (isinstance(row_side, cst.Attribute) and isinstance(row_side.value, cst.Name) and isinstance(key, cst.Name)):
                    continue
                c = state.get(row_side.value.value)
                k = state.get(key.value)
                if c is None or not (c.rows and c.model and c.sites) or c.derived or (k is not None and (k.derived or k.rows)):
                    continue
                if key.value not in self.client_params() or row_side.attr.value not in identity_columns(self.project, self.settings, c.model):
                    continue
                if not self._decided_with_caller(key.value, state):
                    continue
                for site in c.sites:
                    site.owner_gated = True
                state[row_side.value.value] = replace(c, derived=True)
                break

    def _decided_with_caller(self, name: str, state: dict[str, Val]) -> bool:
        """The function hands ``name``, beside a value derived from the principal, to a project function whose
        decision reads the parameter it lands in (flow ``decided_on``)."""
        for call in cst_walk(self.func.body):
            if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
                continue
            spots = [i for i, a in enumerate(call.args) if isinstance(a.value, cst.Name) and a.value.value == name and not a.star]
            if not spots or not any(self.is_derived(a.value, state) for a in call.args if not a.star):
                continue
            q = self.ctx.qualified_name(call.func)
            found = self.project.resolve_symbol(q) if q else None
            if found is None or found[2] != "functions":
                continue
            flow = flow_facts(self.project, found[0])
            params = (flow.get("functions", {}).get(found[1]) or {}).get("params", [])
            decided = set(flow.get("decided_on", {}).get(found[1], ()))
            for i in spots:
                a = call.args[i]
                param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
                if param is not None and param in decided:
                    return True
        return False

    def _points_to(self, ref: cst.BaseExpression, target: cst.BaseExpression, state: dict[str, Val]) -> bool:
        """``if timeline.index_id != index.id: abort(404)`` where ``timeline`` is checked for the caller: the row
        looked up (``index``) is the one the checked row's foreign key names: no claim on its lookup."""
        if not (isinstance(ref, cst.Attribute) and isinstance(ref.value, cst.Name) and ref.attr.value.endswith("_id")):
            return False
        if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.attr.value in PRIMARY_KEY_NAMES):
            return False
        r, t = state.get(ref.value.value), state.get(target.value.value)
        if r is None or t is None or not (r.rows and r.model and r.derived):
            return False
        if not (t.rows and t.model and t.sites) or t.derived or t.model == r.model:
            return False
        if ref.attr.value not in model_columns(self.project, r.model):
            return False
        for site in t.sites:
            site.owner_gated = True
        state[target.value.value] = replace(t, derived=True)
        return True

    def mark_owner_gated(self, expr: cst.BaseExpression, state: dict[str, Val]) -> None:
        """An owner equality that the value requires (a conjunct: ``a and row.user_id == user_id``)."""
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.And):
                stack.extend((node.left, node.right))
            elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
                if isinstance(node.comparisons[0].operator, (cst.Equal, cst.Is, cst.In)):
                    c = self.comparison(node, state)
                    if c is not None:
                        for site in c.row.sites:
                            site.owner_gated = True

    def comparisons_in(self, expr: cst.CSTNode, state: dict[str, Val]) -> list[Comparison]:
        """Ownership comparisons in an expression, those inside comprehensions with the comprehension's
        variables bound (``[d.id for d in docs if d.workspace_id != target.workspace_id]``)."""
        out: list[Comparison] = []

        def visit(node: cst.CSTNode, scope: dict[str, Val]) -> None:
            kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
            if kind is cst.ListComp or kind is cst.SetComp or kind is cst.GeneratorExp or kind is cst.DictComp:
                inner = dict(scope)
                comp: Optional[cst.CompFor] = node.for_in
                while comp is not None:
                    visit(comp.iter, inner)
                    it = self.ev(comp.iter, inner)
                    element = replace(it, opaque=False) if it.rows else Val(derived=it.derived, trusted=it.trusted, source=it.source)
                    if isinstance(comp.target, cst.Name):
                        inner[comp.target.value] = element
                    for cond in comp.ifs:
                        visit(cond.test, inner)
                    comp = comp.inner_for_in
                for part in (node.key, node.value) if isinstance(node, cst.DictComp) else (node.elt,):  # type: ignore[attr-defined]
                    visit(part, inner)
                return
            if kind is cst.Lambda:
                return
            if kind is cst.Comparison:
                c = self.comparison(node, scope)
                if c is not None:
                    out.append(c)
            for child in iter_children(node):
                visit(child, scope)

        visit(expr, state)
        return out

    def comparison(self, node: cst.Comparison, state: dict[str, Val]) -> Optional[Comparison]:
        if len(node.comparisons) != 1:
            return None
        op = node.comparisons[0].operator
        if not isinstance(op, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot, cst.In, cst.NotIn)):
            return None
        left, right = node.left, node.comparisons[0].comparator
        for a, b in ((left, right), (right, left)):
            row = self.row_identity(a, state)
            if row is not None and self.is_derived(b, state):
                direct = any(n in self.identity.principals or n in self.identity.identity_params for n in load_names(b))
                return Comparison(node, row[0], row[1], direct=direct)
        for a, b in ((left, right), (right, left)):
            held = self.row_among_callers(a, b, isinstance(op, (cst.In, cst.NotIn)), state)
            if held is not None:
                return Comparison(node, held[0], held[1], direct=False)
        for a, b in ((left, right), (right, left)) if self.in_decision else ():
            found = self.principal_column(a, b, state)
            if found is not None:
                return Comparison(node, found[0], found[1], column=found[2])
        return None

    def row_among_callers(
        self, expr: cst.BaseExpression, other: cst.BaseExpression, member: bool, state: dict[str, Val]
    ) -> Optional[tuple[Val, str]]:
        """``any(p.id == project.id for p in user_projects)`` / ``project in user_projects``: a row of an owned
        model loaded without an owner predicate, its key compared with the keys of rows of the same model that
        were looked up for the caller (``user_projects = repo.list_for_user(user.id)``): access is decided in
        Python against the caller's rows (BKL202). (row, variable)"""
        expr, other = _unwrap(self.ctx, expr), _unwrap(self.ctx, other)
        if isinstance(expr, cst.Attribute) and expr.attr.value == "id" and isinstance(expr.value, cst.Name) and not member:
            var = expr.value.value
            if not (isinstance(other, cst.Attribute) and other.attr.value == "id" and isinstance(other.value, cst.Name)):
                return None
            theirs = other.value.value
        elif isinstance(expr, cst.Name) and member and isinstance(other, cst.Name):
            var, theirs = expr.value, other.value
        else:
            return None
        v, held = state.get(var), state.get(theirs)
        if v is None or held is None or theirs in self.identity.names():
            return None
        if not (v.rows and v.model and not v.derived and not v.scoped and (v.sites or v.repo)):
            return None
        if not (held.rows and held.derived and held.model == v.model and not (held.sites and not held.scoped)):
            return None
        return (v, var) if self._owned(v.model) else None

    def principal_column(
        self, expr: cst.BaseExpression, other: cst.BaseExpression, state: dict[str, Val]
    ) -> Optional[tuple[Val, str, str]]:
        """``row.create_by != str(current_user.id)``: a column of a fetched owned row that is not among the
        identity fields, compared with the principal's own id (or an identity parameter itself): the project
        scopes the model by that column (RULES.md: the scoping column is the one the project compares with the
        principal). (row, variable, column)."""
        expr = _unwrap(self.ctx, expr)
        if not (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name)):
            return None
        column = expr.attr.value
        v = state.get(expr.value.value)
        if v is None or not v.rows or not v.model or v.derived or column == "id":
            return None
        if v.model in self.principal_types or column not in model_columns(self.project, v.model):
            return None
        other = _unwrap(self.ctx, other)
        if isinstance(other, cst.Name):
            if other.value not in self.identity.identity_params:
                return None
        elif isinstance(other, cst.Attribute) and (other.attr.value == "id" or other.attr.value in self.identity_fields):
            if not self._on_principal(other.value):  # ``ctx.user.id``, ``g.user.id``
                return None
        else:
            return None
        return v, expr.value.value, column

    def row_identity(self, expr: cst.BaseExpression, state: dict[str, Val]) -> Optional[tuple[Val, str]]:
        """``item.owner_id`` / ``str(item.owner_id)`` / ``item.owner.id`` / ``item.owner`` for a fetched row."""
        expr = _unwrap(self.ctx, expr)
        if isinstance(expr, cst.Name):
            # through a local: ``owner = note.owner_id`` then ``if owner != user.id: raise``
            held = state.get(expr.value)
            if (
                held is not None and held.rows and held.model and not held.derived and held.sites
                and all(id(s) in self.owner_sites for s in held.sites)
            ):
                return held, expr.value  # ``owner = (await db.execute(update(M)...returning(M.user_id))).scalar()``
            if held is None or held.source is None or held.derived or held.rows:
                return None
            var, column = held.source
            v = state.get(var)
            if v is None or not v.rows or not v.model:
                return None
            if "." in column:  # ``space = card.board.workspace_id``
                return (v, var) if column.rsplit(".", 1)[1] in self.identity_fields else None
            if column in identity_columns(self.project, self.settings, v.model) or self._identity_relationship(v.model, column):
                return v, var
            return None
        if not isinstance(expr, cst.Attribute):
            return None
        base = expr.value
        attr = expr.attr.value
        if isinstance(base, cst.Attribute) and attr == "id":
            inner, rel = base.value, base.attr.value
            if isinstance(inner, cst.Name):
                v = state.get(inner.value)
                if v is not None and v.rows and v.model and self._identity_relationship(v.model, rel):
                    return v, inner.value
            return None
        if isinstance(base, cst.Attribute) and attr in self.identity_fields:
            # through a relationship: ``message.thread.workspace_id``
            root = base
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name):
                v = state.get(root.value)
                if v is not None and v.rows and v.model and not v.derived:
                    return v, root.value
            return None
        if not isinstance(base, cst.Name):
            return None
        v = state.get(base.value)
        if v is None or not v.rows or not v.model:
            return None
        if attr in identity_columns(self.project, self.settings, v.model) or self._identity_relationship(v.model, attr):
            return v, base.value
        return None

    def _returned_owner(self, call: cst.Call, recv: Val) -> None:
        """``update(Note).where(Note.id == key).returning(Note.user_id)``: a write (or delete) that hands back one
        identity column of the row it touched; the scalar it yields is that row's owner (``owner_sites``)."""
        if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
            return
        arg = call.args[0].value
        if not (isinstance(arg, cst.Attribute) and isinstance(arg.value, (cst.Name, cst.Attribute))):
            return
        for site in recv.sites:
            if site.kind in ("update", "delete") and len(site.entities) == 1:
                q = self.ctx.qualified_name(arg.value)
                found = self.project.get_class(q) if (q and self.project is not None) else None
                if found is not None and found[0] == site.entities[0] and arg.attr.value in identity_columns(
                    self.project, self.settings, site.entities[0]
                ):
                    self.owner_sites.add(id(site))

    def _identity_relationship(self, model: str, rel: str) -> bool:
        targets = relationships(self.project, model)
        if rel not in targets:
            return False
        if rel + "_id" in identity_columns(self.project, self.settings, model):
            return True
        target = targets[rel]
        return target is not None and target in self.principal_types

    def is_derived(self, expr: cst.BaseExpression, state: dict[str, Val]) -> bool:
        for name in load_names(expr):
            v = state.get(name)
            if v is not None and v.derived:
                return True
        for path in _path_prefixes(expr):
            v = state.get(path)
            if v is not None and v.derived:
                return True
        return False

    # -- predicates --------------------------------------------------------------------------------------
    def _identity_param_key(self, expr: cst.BaseExpression) -> bool:
        """``Org.id == org_id`` in a function given the principal besides the identity-named parameter
        ``org_id``: the parameter is the row's own key (which row), handed in by the caller, not an identity
        of the principal's (``require_org_role(organization_id, db, user)``, called with a path key)."""
        if not self.identity.principals or not isinstance(expr, cst.Comparison) or len(expr.comparisons) != 1:
            return False
        if not isinstance(expr.comparisons[0].operator, cst.Equal):
            return False
        for a, b in ((expr.left, expr.comparisons[0].comparator), (expr.comparisons[0].comparator, expr.left)):
            if (
                isinstance(a, cst.Attribute)
                and a.attr.value == "id"
                and isinstance(b, cst.Name)
                and b.value in self.identity.identity_params
                and b.value not in self.identity.principals
                and self.model_of(a.value, {}) is not None
            ):
                return True
        return False

    def pred(self, expr: cst.CSTNode, state: dict[str, Val]) -> tuple[bool, bool]:
        """(identity predicate, built from the principal) for a where/filter argument."""
        scoped = pscoped = False
        excluding: set[int] = set()  # an exclusion of owners (``Comment.user_id.not_in(blocked)``): scopes nothing
        for node in _walk_expr(expr):
            if excluding and id(node) in excluding:
                continue
            if isinstance(node, (cst.Call, cst.Comparison)) and _excludes_owners(node, self.identity_fields):
                excluding.update(id(n) for n in _walk_expr(node))
                continue
            if isinstance(node, cst.Comparison) and self._client_compared(node, state):
                excluding.update(id(n) for n in _walk_expr(node))  # (a tenant the client chose: no scope)
                continue
            if isinstance(node, cst.Attribute):
                attr = node.attr.value
                lowered = attr.lower()
                path = _path(node)
                known = state.get(path) if path is not None else None
                if known is not None and (known.derived or known.trusted):
                    scoped = True  # an attribute a helper verified (``body.workspace_id``)
                    pscoped = pscoped or known.derived
                if attr in self.identity_fields and not self.is_derived(node.value, state):
                    scoped = True
                elif (
                    isinstance(node.value, (cst.Name, cst.Attribute))
                    and (attr in _SECRET_KEY_COLUMNS or capability_column(attr))
                    and (keyed := self.model_of(node.value, state)) is not None
                    and secret_key_column(self.project, keyed, attr)
                ):
                    scoped = True  # keyed on a secret the caller holds (``Invite.token == body.token``)
                elif any(w in lowered for w in VISIBILITY_WORDS):
                    scoped = True  # an explicit visibility choice (``Flow.access_type == PUBLIC``)
                elif isinstance(node.value, (cst.Name, cst.Attribute)):
                    model = self.model_of(node.value, state)
                    if model is not None and self._identity_relationship(model, attr):
                        scoped = True
            elif isinstance(node, cst.Name):
                v = state.get(node.value)
                if v is not None:
                    if v.derived and not v.container:
                        scoped = pscoped = True
                    if v.clause or v.trusted or (v.rows and not self._client_row(v)) or (v.stmt and v.scoped):
                        scoped = True
                        pscoped = pscoped or v.pscoped
            elif isinstance(node, cst.Call) and last_segment(dotted_name(node.func)) == "false" and not node.args:
                scoped = True  # ``where(false())`` matches no row
        return scoped, pscoped

    def sql_string(self, expr: cst.BaseExpression, state: dict[str, Val]) -> Val:
        """A string read as SQL: ``clause`` when it compares an identity column with a bound parameter
        (``"owner_id = :owner_id"``, ``"d.user_id IN :ids"``), compares any column with a parameter bound from
        the principal in this function (``params["app_id_val"] = auth.app_id``) or with an interpolated
        value derived from it (``f"owner_id = '{user.id}'"``), tests the identity column for NULL, or matches
        no row (``"1=0"``). ``text`` when every part is read: an interpolated value that is neither a read
        string nor derived from the principal leaves it unread."""
        pieces: list[str] = []
        derived_marks: set[str] = set()
        interpolated: list[Val] = []
        readable = True
        clause = False

        def visit(node: cst.CSTNode) -> None:
            nonlocal readable, clause
            if isinstance(node, cst.SimpleString):
                try:
                    value = node.evaluated_value
                except Exception:  # pragma: no cover - libcst reads every literal it parsed
                    value = None
                if isinstance(value, str):
                    pieces.append(value)
                else:
                    readable = False
            elif isinstance(node, cst.ConcatenatedString):
                visit(node.left)
                visit(node.right)
            elif isinstance(node, cst.FormattedString):
                for part in node.parts:
                    if isinstance(part, cst.FormattedStringText):
                        pieces.append(part.value)
                        continue
                    v = self.ev(part.expression, state)  # type: ignore[attr-defined]
                    interpolated.append(v)
                    mark = f"__bkl{len(pieces)}"
                    if v.derived:
                        derived_marks.add(mark)
                    elif v.text:
                        clause = clause or v.clause
                    else:
                        readable = False
                    pieces.append(f":{mark}")
            else:
                readable = False

        visit(expr)
        sql = "".join(pieces)
        lowered = sql.lower()
        if not clause and ("=" in sql or "in" in lowered or "null" in lowered):  # (most strings are no SQL)
            clause = _sql_scopes(sql, self.identity_fields, self._derived_binds() | derived_marks)
        flags = _merge_flags(interpolated)  # ``f"{key}{user.id}"`` is built from the principal, as before
        return Val(text=readable, clause=clause, derived=flags.derived, trusted=flags.trusted)

    def _derived_binds(self) -> frozenset[str]:
        """Names of SQL parameters this function binds from the principal or an identity value:
        ``params["owner"] = user.id``, ``{"owner": user.id}``, ``dict(owner=user.id)``,
        ``.bindparams(owner=user.id)``."""
        cached = getattr(self, "_binds", None)
        if cached is not None:
            return cached
        names = self.identity.names() | set(self.identity.closure_derived)
        out: set[str] = set()

        def from_identity(expr: cst.CSTNode) -> bool:
            return any(n in names for n in load_names(expr))

        for node in _walk_expr(self.func.body):
            kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
            if kind is cst.Assign and from_identity(node.value):
                for t in node.targets:
                    target = t.target
                    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
                        index = target.slice[0].slice
                        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                            key = index.value.evaluated_value
                            if isinstance(key, str):
                                out.add(key)
            elif kind is cst.Dict:
                for el in node.elements:
                    if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString) and from_identity(el.value):
                        key = el.key.evaluated_value
                        if isinstance(key, str):
                            out.add(key)
            elif kind is cst.Call:
                for a in node.args:
                    if a.keyword is not None and from_identity(a.value):
                        out.add(a.keyword.value)
        self._binds = frozenset(out)
        return self._binds

    def key_names(self, expr: cst.CSTNode, state: dict[str, Val]) -> set[str]:
        """What the lookup is keyed on: names, or attribute chains (``body.ids``: a check of the rows
        verifies that attribute, not the rest of ``body``)."""
        params = self.func_params
        out: set[str] = set()
        for n in _value_paths(expr):
            if n in self.clause_keys:
                out |= self.clause_keys[n]  # ``flt = Item.email == email`` then ``.filter(flt)``: keyed on ``email``
            elif n.split(".", 1)[0] in state or n.split(".", 1)[0] in params:
                out.add(n)
        return out

    @property
    def func_params(self) -> set[str]:
        return {p.name for p in self.identity.params}

    # -- expressions ---------------------------------------------------------------------------------------
    def consume(self, v: Val) -> None:
        if not v.stmt:
            return
        for s in v.sites:
            # executed in an admin-only (or identity-less) branch: that way makes no claim
            s.consumptions.append((v.scoped or self.admin_depth > 0, v.opaque))
            if v.pscoped:
                s.pscoped = True

    def new_site(self, node: cst.CSTNode, kind: str, entities: list[str], model_nodes: list[cst.BaseExpression]) -> Site:
        site = Site(node, kind, entities, model_nodes, admin=self.admin_depth > 0)
        self.out.sites.append(site)
        return site

    def entities(
        self, args: Sequence[cst.Arg], state: dict[str, Val], columns: bool = False
    ) -> tuple[list[str], list[cst.BaseExpression]]:
        entities: list[str] = []
        nodes: list[cst.BaseExpression] = []
        for arg in args:
            if arg.keyword is not None:
                continue
            value = arg.value
            if columns and self._holds_subquery(value):
                # ``select(select(Item.id).where(...).exists())``, ``select(exists().where(...))``: the inner
                # statement is a query of its own (with its own predicates); the outer one selects a boolean
                continue
            model = self.model_of(value, state)
            if model is None and isinstance(value, cst.Attribute):
                model = self.model_of(value.value, state)
                if model is not None:
                    value = value.value
            if model is None:
                for node in _walk_expr(value):
                    if isinstance(node, cst.Attribute) and isinstance(node.value, (cst.Name, cst.Attribute)):
                        model = self.model_of(node.value, state)
                        if model is not None:
                            value = node.value
                            break
            if model is not None and model not in entities:
                entities.append(model)
                nodes.append(value)
        return entities, nodes

    def _holds_subquery(self, value: cst.BaseExpression) -> bool:
        """An entity argument that contains a statement call: ``select(...)`` or ``exists(...)`` of
        SQLAlchemy / SQLModel, or a ``.exists()`` / ``.subquery()`` / ``.scalar_subquery()`` of one."""
        if not isinstance(value, cst.Call):
            return False
        for node in _walk_expr(value):
            if not isinstance(node, cst.Call):
                continue
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in ("exists", "subquery", "scalar_subquery"):
                return True
            if isinstance(func, (cst.Name, cst.Attribute)):
                q = self.ctx.qualified_name(func)
                if q is not None and last_segment(q) in ("select", "exists") and q.split(".")[0] in STATEMENT_MODULES:
                    return True
        return False

    def ev(self, expr: cst.BaseExpression, state: dict[str, Val]) -> Val:
        if isinstance(expr, cst.Await):
            return self.ev(expr.expression, state)
        if isinstance(expr, cst.Name):
            return state.get(expr.value, NOTHING)
        if isinstance(expr, cst.Attribute):
            if expr.attr.value == "query":
                model = self.model_of(expr.value, state)
                if model is not None:
                    site = self.new_site(expr, "query", [model], [expr.value])
                    return Val(sites=(site,), stmt=True)
            path = _path(expr)
            if path is not None and path in state:
                return state[path]  # an attribute a helper verified (``check(db, user, body.workspace_id)``)
            base = self.ev(expr.value, state)
            if base.stmt and expr.attr.value in ("c", "columns", "statement", "selected_columns"):
                return base
            source = None
            if isinstance(expr.value, cst.Name):
                source = (expr.value.value, expr.attr.value)
            elif (
                isinstance(expr.value, cst.Subscript)
                and isinstance(expr.value.value, cst.Name)
                and (held := state.get(expr.value.value.value)) is not None
                and held.rows
            ):
                source = (expr.value.value.value, expr.attr.value)  # ``links[0].org_id``: an attribute of the rows
            elif base.source is not None:
                source = (base.source[0], f"{base.source[1]}.{expr.attr.value}")  # ``message.thread.workspace_id``
            return Val(derived=base.derived, trusted=base.trusted or (base.rows and not self._client_row(base)), ident=base.ident, source=source)
        if isinstance(expr, cst.Call):
            return self.call(expr, state)
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return self.sql_string(expr, state)
        if isinstance(expr, cst.Subscript):
            base = self.ev(expr.value, state)
            for el in expr.slice:
                if isinstance(el.slice, cst.Index):
                    self.ev(el.slice.value, state)
            if base.rows:
                return base
            return Val(derived=base.derived, trusted=base.trusted)
        if isinstance(expr, cst.BooleanOperation):
            left = self.ev(expr.left, state)
            right = self.ev(expr.right, state)
            if left.rows or right.rows:
                pick = left if left.rows else right
                return replace(pick, derived=left.derived or right.derived)
            return Val(derived=left.derived or right.derived, trusted=left.trusted and right.trusted, ident=left.ident or right.ident)
        if isinstance(expr, cst.IfExp):
            self.ev(expr.test, state)
            a = self.ev(expr.body, state)
            b = self.ev(expr.orelse, state)
            if a.stmt or b.stmt or a.rows or b.rows:
                tmp: dict[str, Val] = {}
                branches = [{"x": a}, {"x": b}]
                presence = self._presence_test(expr.test, state)
                if presence == "present":
                    branches = [{"x": a}, {"x": replace(b, scoped=True) if b.stmt else b}]
                self.merge_into(tmp, branches)
                return tmp["x"]
            # ``conds = (Key.user_id.in_(scoped),) if tenant_id else ()`` then ``where(*conds)``: the clauses of the
            # arm that has them (the other arm is empty: the caller has no such scope)
            empty = [isinstance(e, (cst.List, cst.Tuple)) and not e.elements for e in (expr.body, expr.orelse)]
            clause = (a.clause and b.clause) or (a.clause and empty[1]) or (b.clause and empty[0])
            return Val(
                derived=a.derived or b.derived, trusted=a.trusted and b.trusted, ident=a.ident or b.ident,
                clause=clause, pscoped=clause and (a.pscoped or b.pscoped), container=clause and (a.container or b.container),
            )
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            vals = [self.ev(el.value, state) for el in expr.elements]
            scoped = pscoped = False
            for el in expr.elements:
                a, b = self.pred(el.value, state)
                scoped, pscoped = scoped or a, pscoped or b
            return Val(
                derived=any(v.derived for v in vals),
                clause=scoped or any(v.text and v.clause for v in vals),
                pscoped=pscoped,
                trusted=bool(vals) and all(v.trusted for v in vals),
                container=True,
                text=all(v.text for v in vals),  # SQL strings only (an empty list too: ``" AND ".join(parts)``)
            )
        if isinstance(expr, cst.NamedExpr):
            v = self.ev(expr.value, state)
            self.bind(expr.target, v, state)
            return v
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            left, right = self.ev(expr.left, state), self.ev(expr.right, state)
            if left.text or right.text:  # ``base_sql + " AND owner_id = :uid"``
                return Val(
                    text=left.text and right.text,
                    clause=(left.text and left.clause) or (right.text and right.clause),
                    derived=left.derived or right.derived,
                    trusted=left.trusted or right.trusted,
                )
            return _merge_flags([left, right])
        if isinstance(expr, (cst.Comparison, cst.BinaryOperation, cst.UnaryOperation)):
            vals = [self.ev(c, state) for c in _expr_children(expr)]
            out = _merge_flags(vals)
            if isinstance(expr, cst.Comparison):
                scoped, pscoped = self.pred(expr, state)
                out = replace(out, clause=scoped, pscoped=pscoped)
            return out
        if isinstance(expr, cst.Lambda):
            return NOTHING
        if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            inner = dict(state)
            targets: dict[str, str] = {}  # comprehension variable -> the local it iterates over
            comp = expr.for_in
            comp_rows: Optional[Val] = None
            while comp is not None:
                it = self.ev(comp.iter, inner)
                if comp is expr.for_in and it.rows and it.sites:
                    comp_rows = it
                self.bind(comp.target, Val(derived=it.derived, trusted=it.trusted or it.rows, rows=it.rows, model=it.model), inner)
                if isinstance(comp.target, cst.Name) and isinstance(comp.iter, cst.Name):
                    targets[comp.target.value] = comp.iter.value
                if it.rows and it.sites:
                    for cond in comp.ifs:  # ``[r for r in rows if can_read(user, r)]``
                        self._row_filter(cond.test, inner, it, set(load_names(comp.target)))
                comp = comp.inner_for_in
            if (
                isinstance(expr, cst.DictComp)
                and comp_rows is not None
                and isinstance(expr.value, cst.Name)
                and isinstance(expr.for_in.target, cst.Name)
                and expr.value.value == expr.for_in.target.value
                and expr.for_in.inner_for_in is None
                and not expr.for_in.ifs
            ):
                # ``{c.id: c for c in rows}``: the rows, looked up by their key (``by_id.get(chapter_id)``)
                return comp_rows
            elt = expr.key if isinstance(expr, cst.DictComp) else expr.elt  # type: ignore[attr-defined]
            v = self.ev(elt, inner)
            source = None
            if v.source is not None and v.source[0] in targets:
                source = (targets[v.source[0]], v.source[1])  # ``{c.workspace_id for c in cards}``
            return Val(derived=v.derived, trusted=v.trusted, source=source)
        vals = [self.ev(c, state) for c in _expr_children(expr)]
        return _merge_flags(vals)

    def _client_row(self, row: Val) -> bool:
        """A row of a table that is not owned, looked up with no predicate but the client's key (``chunk =
        ...where(Chunk.id == chunk_id)``): its columns are as much the client's choice as the key, so a row
        looked up by one of them (``Document.id == chunk.document_id``) is looked up by a client key."""
        if row.derived or row.scoped or row.model is None or self.project is None:
            return False
        if row.origin is not None:
            return True  # keyed on a column of a row the client chose: as much the client's choice
        if not row.sites:
            # (a row of an owned table too: unscoped and not checked yet, its parent's check decides on it)
            return self._client_repo_row(row)
        if is_owned(self.project, self.settings, row.model):
            return False
        if self.identity.route is None:
            return False
        client = self.client_params()
        for site in row.sites:
            if not site.unscoped and site.consumptions:
                return False
            roots = {k.split(".", 1)[0] for k in site.key_names}
            if not roots or not roots <= client:
                return False
        return True

    def _client_repo_row(self, row: Val) -> bool:
        """A row of a table that is not owned from a project lookup given only keys the caller of this function
        names (``column = ColumnsRepository.get_column(db, column_id)`` in a route or in a service a route
        reaches, whose parameters carry the client's keys): its columns are the client's choice as well."""
        if not row.repo or not row.keys:
            return False
        if self.identity.route is not None:
            client = self.client_params()
        else:
            client = {
                p.name for p in self.identity.params
                if p.name not in ("self", "cls") and p.name not in self.identity.principals
                and p.name not in self.identity.identity_params and p.name not in self.identity.closure_trusted
            }
        roots = {k.split(".", 1)[0] for k in row.keys}
        return bool(roots) and roots <= client

    def _client_origin(self, call: cst.Call, args: list[Val], state: dict[str, Val]) -> Optional[tuple[str, str]]:
        """The client-keyed row (``_client_row``) whose column keys this lookup (``get_board(db,
        column.board_id)``), or the first row of its chain (``card -> column -> board``): (local, model)."""
        for a, v in zip(call.args, args):
            if v.source is None or "." in v.source[1] or v.rows or v.stmt:
                continue
            held = state.get(v.source[0])
            if held is None or not held.rows or held.model is None or not self._client_row(held):
                continue
            return held.origin or (v.source[0], held.model)
        return None

    def call(self, call: cst.Call, state: dict[str, Val]) -> Val:
        func = call.func
        q = self.ctx.qualified_name(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
        # select(...), update(...), delete(...)
        if q is not None and last_segment(q) in STATEMENT_FUNCS and q.split(".")[0] in STATEMENT_MODULES:
            is_select = last_segment(q) == "select"
            entities, nodes = self.entities(call.args if is_select else call.args[:1], state, columns=is_select)
            arg_vals = [self.ev(arg.value, state) for arg in call.args]
            if not entities and last_segment(q) == "select":
                inner = [v for v in arg_vals if v.stmt and v.sites]
                if len(inner) == 1:  # ``select(<statement>.exists())``: executing it runs the inner query
                    return inner[0]
            site = self.new_site(call, last_segment(q), entities, nodes)
            if is_select and entities and any(
                v.derived and _calls_helper(a.value) for a, v in zip(call.args, arg_vals) if a.keyword is None
            ):
                # ``select(Item.id, visible_to(user).label("visible")).where(Item.id.in_(ids))``: the statement
                # computes, per row, what the principal may see (a helper given the principal builds the
                # column): the rows are answered for the caller, as for predicates built by such a helper
                return Val(sites=(site,), stmt=True, scoped=True)
            return Val(sites=(site,), stmt=True)
        if q is not None and last_segment(q) in ("and_", "or_", "not_") and q.split(".")[0] in STATEMENT_MODULES:
            vals = [self.ev(a.value, state) for a in call.args]
            scoped, pscoped = self.pred(call, state)
            return Val(derived=any(v.derived for v in vals), clause=scoped, pscoped=pscoped)
        if q is not None and last_segment(q) in SET_OPERATIONS and q.split(".")[0] in STATEMENT_MODULES and call.args:
            # ``union(owned_ids, shared_ids)``: the rows of its statements, scoped when every one of them is
            vals = [self.ev(a.value, state) for a in call.args]
            stmts = [v for v in vals if v.stmt]
            if stmts and len(stmts) == len(vals) and all(v.scoped for v in stmts):
                sites = tuple(s for v in stmts for s in v.sites)
                return Val(sites=sites, stmt=True, scoped=True, pscoped=all(v.pscoped for v in stmts))
            if stmts:
                return Val(sites=tuple(s for v in stmts if not v.scoped for s in v.sites), stmt=True)
            return self.helper_call(call, q, vals, vals, state)
        if q is not None and last_segment(q) == "text" and q.split(".")[0] in STATEMENT_MODULES and call.args:
            # ``text(sql)``: a textual clause, scoped when its SQL compares an identity column with a bound
            # parameter (or one bound from the principal); SQL we cannot read makes no claim
            a = self.ev(call.args[0].value, state)
            for arg in call.args[1:]:
                self.ev(arg.value, state)
            scoped = (a.text and a.clause) or a.derived
            return Val(clause=scoped, pscoped=a.derived, derived=a.derived, text=a.text, opaque=not (a.text or scoped))
        if q is not None and last_segment(q) == "aliased" and call.args:
            model = self.model_of(call.args[0].value, state)
            return Val(alias=model)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            manager = self.filters_dict_fetch(call, method, state)
            if manager is not None:
                return manager
            # session.get(Model, key)
            if method in GET_METHODS and len(call.args) >= 2 and call.args[0].keyword is None:
                model = self.model_of(call.args[0].value, state)
                if model is not None:
                    site = self.new_site(call, "get", [model], [call.args[0].value])
                    keys = [a for a in call.args[1:]]
                    vals = [self.ev(a.value, state) for a in keys]
                    derived = any(v.derived for v in vals)
                    scoped = derived or any(v.trusted for v in vals) or any(
                        self.pred(a.value, state)[0] for a in keys if a.keyword is not None
                    )
                    for a in keys:
                        site.key_names |= self.key_names(a.value, state)
                    site.consumptions.append((scoped, False))
                    site.pscoped = derived
                    return Val(sites=(site,), rows=True, model=model, scoped=scoped, derived=derived)
            if method == "query" and call.args:
                entities, nodes = self.entities(call.args, state, columns=True)
                arg_vals = [self.ev(arg.value, state) for arg in call.args]
                inner = [v for v in arg_vals if v.stmt and v.sites]
                if not entities and len(inner) == 1:  # ``db.query(select(...).where(...).exists())``
                    return inner[0]
                if entities:
                    site = self.new_site(call, "query", entities, nodes)
                    return Val(sites=(site,), stmt=True)
            recv = self.ev(func.value, state)
            if recv.stmt:
                return self.chain(call, method, recv, state)
            if recv.rows and (method in ROW_METHODS | QUERY_RESULT_METHODS or (method in RESULT_UNWRAP and recv.model)):
                for arg in call.args:
                    self.ev(arg.value, state)
                return recv
            if method in EXEC_METHODS and call.args:
                first = self.ev(call.args[0].value, state)
                params = [self.ev(arg.value, state) for arg in call.args[1:]]
                if first.stmt and self._bulk_by_row_keys(first, call, params):
                    first = replace(first, scoped=True)
                if first.stmt:
                    return self.execute(first)
                return Val(derived=first.derived or recv.derived)
            args = [self.ev(a.value, state) for a in call.args]
            if method == "join" and recv.text and len(call.args) == 1 and not recv.stmt:
                # ``" AND ".join(conditions)``: read when every part is; an owner predicate survives an AND
                # join, not an OR join
                sep = func.value.evaluated_value if isinstance(func.value, cst.SimpleString) else None
                joined = args[0]
                ands = isinstance(sep, str) and " or " not in sep.lower()
                return Val(text=joined.text, clause=joined.text and joined.clause and ands, derived=joined.derived)
            if method == "bindparams" and not (recv.stmt or recv.rows) and (recv.text or recv.opaque or recv.clause):
                if any(a.derived for a in args):  # ``text(sql).bindparams(owner_id=user.id)``
                    return replace(recv, clause=True, pscoped=True, opaque=False)
                return recv
            if method in ("append", "extend", "add", "insert") and isinstance(func.value, cst.Name):
                name = func.value.value
                old = state.get(name, NOTHING)
                self._track_row_keyed(name, method, call, state)
                scoped = pscoped = False
                for a in call.args:
                    x, y = self.pred(a.value, state)
                    scoped, pscoped = scoped or x, pscoped or y
                scoped = scoped or any(a.text and a.clause for a in args)  # ``parts.append("owner_id = :uid")``
                if scoped or any(a.derived for a in args):
                    state[name] = replace(
                        old,
                        clause=old.clause or scoped,
                        pscoped=old.pscoped or pscoped,
                        derived=old.derived or any(a.derived for a in args),
                        container=True,
                        text=old.text and all(a.text for a in args),
                    )
                elif old.container and old.text and not all(a.text for a in args):
                    state[name] = replace(old, text=False)
                return NOTHING
            return self.helper_call(call, q, [recv] + args, args, state)
        args = [self.ev(a.value, state) for a in call.args]
        return self.helper_call(call, q, args, args, state)

    def helper_call(self, call: cst.Call, q: Optional[str], vals: list[Val], args: list[Val], state: dict[str, Val]) -> Val:
        func = call.func
        if self._client_sent(call, q):
            return Val(client=True)
        name = last_segment(q) if q else (func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else ""))
        derived = any(v.derived for v in vals) or self._hands_caller_request(call, q) or self._reads_global_caller(name, q)
        identity_kw = any(a.keyword is not None and a.keyword.value in self.identity_fields for a in call.args)
        stmts = [v for v in args if v.stmt]
        if stmts:
            if name in PAGINATORS:
                for v in stmts:
                    self.consume(v)
                return Val(rows=True, derived=derived)
            sites = tuple(s for v in stmts for s in v.sites)
            if derived or identity_kw:
                # handed to a helper together with the principal: scoped
                v = Val(sites=sites, stmt=True, scoped=True, pscoped=derived)
                self.consume(v)
                return replace(v, derived=derived)
            return Val(sites=sites, stmt=True, opaque=True)
        operands = self._checked_operands(call, state) if derived else []
        if derived:
            self.refetch_check(call, q, state)
            check = self.row_method_check(call, state) or self.authorization_check(call, q, name, state, args)
            if check is not None and id(call) in self.conflict_calls:
                check = None
            if check is not None:
                self.out.checks.append(check)
                if self._deciding_check(call, q, name):
                    self._parent_checked(check.name)
                # after the helper decided, the row and the key it was looked up by are the principal's
                if check.name is not None and check.name in state:
                    state[check.name] = replace(state[check.name], derived=True)
                for key in [k for site in check.row.sites for k in site.key_names] + sorted(check.row.keys):
                    old = state.get(key)
                    if old is None or not (old.stmt or old.rows):
                        state[key] = replace(old or NOTHING, derived=True)
        if derived and (spells_check(name) or self._raising_helper(q) or (id(call) in self.held_verdicts and _rights_name(name))):
            # ``ensure_flow_access(session, flow_id=flow_id, user=current_user)``: the values are verified (also
            # ``rights = _get_user_rights(user_id, org_id)`` whose verdict the function exits on)
            # (``check(db, user, body.workspace_id)`` verifies that attribute, not the rest of ``body``)
            for a in call.args:
                if _db_handle(a.value):
                    continue  # (the session handed along is no value the helper verifies)
                for n in _value_paths(a.value):
                    v = state.get(n)
                    if self._asked_user(v) and not self._hands_principal([b.value for b in call.args]):
                        # a user row looked up by the client's key (``invitee``) and asked about: it is who the check
                        # is about, not who asks (verified, it would stand for the caller in the next check)
                        continue
                    if v is not None and (v.stmt or v.rows):
                        state[n] = replace(v, derived=True)
                    elif v is None or not v.derived:
                        state[n] = replace(v or NOTHING, derived=True)
        if operands and self._deciding_check(call, q, name):
            for local in operands:
                self._verify_loaded(local, state, call, name, conflict=id(call) in self.conflict_calls)
        if name in ("str", "int", "UUID", "UUID4") and len(args) == 1:
            return Val(derived=derived, ident=args[0].ident, trusted=args[0].trusted, source=args[0].source, client=args[0].client)
        if name == "getattr" and q in ("getattr", "builtins.getattr") and len(call.args) >= 2 and isinstance(call.args[0].value, cst.Name):
            attr = call.args[1].value
            if isinstance(attr, cst.SimpleString):  # ``getattr(receipt, "buyer_ref", None)``
                base = args[0]
                return Val(derived=base.derived, trusted=base.trusted or base.rows, source=(call.args[0].value.value, attr.value.strip("\"'")))
        recv = vals[0] if (isinstance(func, cst.Attribute) and len(vals) > len(args)) else NOTHING
        if self.identity.route is not None:
            followed = self.followed_fetch(call, q, recv, args, state)
            if followed is not None:
                return followed
        if isinstance(func, cst.Attribute):
            library = self.library_crud_fetch(call, func, args, state)
            if library is not None:
                return library
        repo = self.repository_fetch(q, derived or identity_kw)
        if repo is None and isinstance(func, cst.Attribute):
            repo = self.repository_method_fetch(func, vals[0] if vals else NOTHING, derived or identity_kw)
        if repo is None and self.identity.route is None:
            repo = self.summary_row_fetch(call, q, args, state)
        if repo is not None:
            keys = [
                v
                for a, v in zip(call.args, args)
                if not (v.stmt or v.container)
                and not _db_handle(a.value)
            ]
            names: set[str] = set()
            for a, v in zip(call.args, args):
                if not (v.stmt or v.container or v.rows or _db_handle(a.value)):
                    # (the session handed along is no key: a check of the row must not verify it)
                    names |= self.key_names(a.value, state)
            if repo.repo and keys and all(v.trusted and not v.rows for v in keys):
                # keyed only on values read from rows already loaded (``get_org(project.organization_id)``):
                # not a key the client controls, as for ``session.get`` with such a key; the keys it was given
                # name that row (``project``), whose lookup a check of this one decides on (``_parent_sites``)
                return replace(repo, repo=False, scoped=True, keys=frozenset(names))
            repo = replace(repo, keys=frozenset(names)) if names else repo
            if repo.repo:
                origin = self._client_origin(call, args, state)
                repo = replace(repo, origin=origin) if origin is not None else repo
                if origin is None and repo.model and self._client_repo_row(repo) and not self._owned(repo.model):
                    self.client_fetches.append((call, repo.model, repo.keys))
            lookup, lookup_scoped = self.helper_lookup(call, q, recv, args, state)
            return replace(repo, lookup=lookup, lookup_scoped=lookup_scoped) if lookup else repo
        instance = self.instance_of(q, call, state)
        if instance is not None:
            return Val(instance=instance, derived=derived)
        # a digest of a secret the client presents (``code_hash = get_token_hash(code)``): a lookup keyed on it is
        # authorised by holding the secret (token exchange, invites), not by who asks, like a capability column
        digest = _digest_call(name)
        built = derived and self._project_function(q)
        lookup, lookup_scoped = self.helper_lookup(call, q, recv, args, state) if (q is not None or isinstance(func, cst.Attribute)) else (frozenset(), False)
        return Val(
            derived=derived or identity_kw,
            trusted=digest or any(v.trusted for v in vals),
            built=built,
            lookup=lookup,
            lookup_scoped=lookup_scoped,
        )

    def _client_sent(self, call: cst.Call, q: Optional[str]) -> bool:
        """``request.headers.get("X-Workspace-ID")`` (also ``query_params`` / ``cookies``) on a request this
        function is handed, or a project function or method that returns such a value unchecked (``flow``
        facts ``client_values``: ``WorkspaceContextInjector.get_workspace_id(request, current_user)``)."""
        func = call.func
        if (
            isinstance(func, cst.Attribute) and func.attr.value == "get"
            and isinstance(func.value, cst.Attribute) and func.value.attr.value in CLIENT_CARRIERS
            and isinstance(func.value.value, cst.Name) and func.value.value.value in self.func_params
        ):
            return True
        project = self.project
        if q is None or project is None:
            return False
        return client_value_function(project, q)

    def _client_compared(self, node: cst.Comparison, state: dict[str, Val]) -> bool:
        """``Chart.workspace_id == workspace_id`` where ``workspace_id`` is a client's value read by hand
        (``Val.client``): the predicate keeps whichever tenant's rows the client named."""
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.In)):
            return False
        left, right = node.left, node.comparisons[0].comparator
        for a, b in ((left, right), (right, left)):
            if isinstance(a, cst.Attribute) and a.attr.value in self.identity_fields and isinstance(b, cst.Name):
                v = state.get(b.value)
                if v is not None and v.client and not (v.derived or v.checked):  # (verified with the caller: a scope)
                    return True
        return False

    def _hands_caller_request(self, call: cst.Call, q: Optional[str]) -> bool:
        """``_get_owned_playlist(request, id)`` where ``request.user`` is this function's caller (an
        authentication middleware sets it): a project function that reads the ``.user`` of the request it is
        handed (index fact ``user_read``) reads the same caller, so the call hands it the principal, as
        ``helper(current_user, id)`` would (a helper that raises then answers for ``id``)."""
        if self.project is None or q is None or not any(p.endswith(".user") for p in self.identity.principals):
            return False
        found = self.project.resolve_symbol(q)
        if found is None or found[2] != "functions":
            return False
        fn = orm_facts(self.project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        reads = set(fn.get("user_read", ()))
        if not reads:
            return False
        names = [p.get("name") for p in fn.get("params", ())]
        for i, a in enumerate(call.args):
            if a.star:
                return False
            if isinstance(a.value, cst.Name) and f"{a.value.value}.user" in self.identity.principals:
                param = a.keyword.value if a.keyword is not None else (names[i] if i < len(names) else None)
                if param in reads:
                    return True
        return False

    def authorization_check(
        self, call: cst.Call, q: Optional[str], name: str, state: dict[str, Val], vals: Sequence[Val] = ()
    ) -> Optional[Comparison]:
        """``check_permission(session, user, row.workspace_id, ...)``: an authorisation helper given the
        principal (or an identity value) and a fetched row or one of its attributes decides access to the
        row after the load (BKL202 at the call). A helper is a configured ``authorization-helpers`` name, a
        project function that raises and returns no model, or a function named like a check (``VERIFY_WORDS``)
        that returns no model, or a project function that decides on its parameters whose verdict the caller
        raises on (``if not _api_key_in_scope(api_key, ctx): raise``). The row is a local holding it, one of
        its attributes, or the fetch itself written as the argument (``ensure_visible(await
        Item.one_by_id(session, id), ctx)``)."""
        on_principal = self._principal_method_check(call)
        if not on_principal and not self._authorization_helper(q, name, call):
            return None
        row: Optional[tuple[Val, Optional[str], Optional[str]]] = None
        principal = on_principal
        whole = False  # the row object itself is handed over, not its key
        candidates: list[cst.BaseExpression] = []
        for i, a in enumerate(call.args):
            inline = vals[i] if i < len(vals) else NOTHING
            if (
                row is None
                and inline.rows
                and inline.model
                and not inline.derived
                and (inline.sites or inline.repo)
                and isinstance(_unwrap(self.ctx, a.value), (cst.Call, cst.Await))
            ):
                row, whole = (inline, None, None), True  # ``ensure_visible(await Item.one_by_id(...), ctx)``
                continue
            candidates.append(a.value)
            inner = _unwrap(self.ctx, a.value)
            if isinstance(inner, (cst.List, cst.Tuple, cst.Set)):
                # the row's attribute among others: ``is_member_of_any(user, [ADMIN, row.manager_group_id])``
                candidates.extend(e.value for e in inner.elements if isinstance(e, cst.Element))
            elif isinstance(inner, cst.FormattedString):
                # a resource named from the row: ``enforce(subject, "events.delete", f"organization/{event.organization_id}")``
                candidates.extend(p.expression for p in inner.parts if isinstance(p, cst.FormattedStringExpression))
            elif isinstance(inner, cst.Call) and not self.is_derived(a.value, state):
                # a policy built from the row (``authorize(user, DatasetPolicy.get(dataset))``): the helper decides
                # on what the policy was given
                candidates.extend(b.value for b in inner.args if b.star == "")
        for value in candidates:
            expr = _unwrap(self.ctx, value)
            base, column = expr, None
            if isinstance(expr, cst.Attribute):
                path = _path(expr)
                column = path.split(".", 1)[1] if path is not None else expr.attr.value
                base = expr.value
                while isinstance(base, cst.Attribute):  # ``message.thread.workspace_id``: "thread.workspace_id"
                    base = base.value
            elif isinstance(expr, cst.Name):
                held = state.get(expr.value)
                if held is not None and held.source is not None and not held.rows and (not held.derived or self._joined_source(held, state)):
                    # through a local or a loop over the rows' values: ``space = card.workspace_id``
                    base, column = cst.Name(held.source[0]), held.source[1]
            v = state.get(base.value) if isinstance(base, cst.Name) else None
            if self._asked_user(v) and not self._hands_principal(candidates):
                continue  # (``is_member(organization, invitee)``: the user asked about, no row guarded)
            if row is None and v is not None and v.rows and (v.model or self._several_models(v)) and not v.derived and (v.sites or v.repo):
                row = (v, base.value, column)  # type: ignore[union-attr]
                whole = column is None and expr is base
            elif self.is_derived(value, state) and not _db_handle(value):
                principal = True
        if row is None and principal and named_like_check(name) and self._hands_principal(candidates):
            # (named like a check: a writer given the caller and a key, ``_create_document(session, user_id=...,
            # workspace_id=...)``, decides nothing about the rows loaded by that key)
            row = self._row_by_key(candidates, state)
        if row is None or not (principal or self._reads_global_caller(name, q)):
            return None
        v, var, column = row
        if v.model is None:  # a row of one of several models (``_several_models``): the helper decides on it
            return Comparison(call, v, var, helper=name, column=None)
        if v.model and self._principal_written_down(call, q, state, v.model):
            return None
        if self.project is not None and q is not None and not whole:
            found = self.project.resolve_symbol(q)
            fn = orm_facts(self.project.modules[found[0]]).get("functions", {}).get(found[1]) if found and found[2] == "functions" else None
            if fn and fn.get("returns") and self.project.canonical(fn["returns"]) == v.model:
                # the row's model fetched again by its key, given the principal: a scoped fetch, not a check (a
                # helper handed the row object itself and returning it, ``ensure_visible(row, ctx) -> Item``, checks)
                return None
        # (a key column, not a relationship handed whole: ``planter.greenhouse`` names no column to filter on)
        through = column if column is not None and column.rsplit(".", 1)[-1].endswith(("_id", "_ref", "_key", "_uuid")) else None
        if column is not None and "." in column:
            if column.rsplit(".", 1)[1] not in self.identity_fields:
                column = None  # through a relationship: named only when it ends on an identity column
        elif column is not None and column not in identity_columns(self.project, self.settings, v.model):
            column = None
        if column is None and whole and self.project is not None and q is not None:
            column = helper_compared_column(self.project, self.settings, q, v.model)
        return Comparison(call, v, var, helper=name, column=column, through=through if column is None else None)

    @staticmethod
    def _joined_source(held: Val, state: dict[str, Val]) -> bool:
        """A local derived from the caller on one way and read off a fetched row on another (``org_id =
        course.org_id`` where ``course`` was loaded, ``org_id = link.org_id`` of the caller's own link
        elsewhere, ``merge_into``): handed to a check after the ways join, it is that row's column on the
        row's way, and the row (not derived from the caller itself) is what the check decides on there."""
        holder = state.get(held.source[0]) if held.source is not None else None
        return holder is not None and holder.rows and holder.model is not None and not holder.derived

    def _asked_user(self, v: Optional[Val]) -> bool:
        """A row of a user table with no scoping of its own, not the caller's (``invitee = users.get_by_username(
        name)``): handed to a membership check that is not handed who asks (``is_member(organization, invitee)``),
        it is the user asked about (is this user a member?), not a row the check guards nor a value it verifies
        (verified, it would stand for the caller in the next check)."""
        return v is not None and bool(v.rows and v.model and not v.derived and USER_CLASS.search(last_segment(v.model)) and not self._owned(v.model))

    def _principal_method_check(self, call: cst.Call) -> bool:
        """``auth.assert_delete_api_key(api_key)`` where ``auth`` is the principal, an object of a project
        class that identifies the caller on demand (``knowledge.auth.authenticating_class``): a method of it
        that takes arguments and raises an ``HTTPException`` decides on what it is given for that caller, as
        a helper handed the principal does."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)) or self.project is None:
            return False
        cls = self.identity.principals.get(func.value.value)
        found = self.project.get_class(cls) if cls else None
        if found is None or func.attr.value not in found[1].get("methods", ()):
            return False
        mod, name = found[0].rsplit(".", 1)
        method = orm_facts(self.project.modules[mod]).get("methods", {}).get(f"{name}.{func.attr.value}") or {}
        return bool(method.get("args")) and refusing_method(self.project, found[0], func.attr.value)

    def _hands_principal(self, candidates: list) -> bool:
        """The principal itself (``current_user``, ``user.id``) among a helper's arguments: an identity-named value
        (``check_user_in_group(user_id, group_id)``, the member being added) may be another user's."""
        for c in candidates:
            inner = _unwrap(self.ctx, c)
            while isinstance(inner, cst.Attribute):
                inner = inner.value
            if isinstance(inner, cst.Name) and inner.value in self.identity.principals:
                return True
        return False

    def _row_by_key(self, candidates: list, state: dict[str, Val]) -> Optional[tuple[Val, Optional[str], Optional[str]]]:
        """``board = get_board(db, board_id)`` then ``check_board_permission(db, user, board_id, ...)``: the helper
        is given the key the row was looked up by rather than the row; it verified that key, so it decides access
        to the row loaded by it (the first such row, by the locals' names)."""
        names = {
            inner.value
            for inner in (_unwrap(self.ctx, c) for c in candidates)
            if isinstance(inner, cst.Name) and not _db_handle(inner)  # (the session is handed to every lookup)
        }
        names = {n for n in names if not (state.get(n) is not None and (state[n].rows or state[n].stmt or state[n].derived))}
        if not names:
            return None
        # (by name, not by the order of ``state``: a merge of branches' states may follow a set's order, which
        # changes with the hash seed from one process to the next)
        for local in sorted(state):
            v = state[local]
            if not (v.rows and v.model and not v.derived and not v.scoped and (v.sites or v.repo)):
                continue
            keys = set(v.keys) | {k for site in v.sites for k in site.key_names}
            if keys & names:
                return v, local, None
        return None

    @staticmethod
    def _several_models(v: Val) -> bool:
        """A row bound to lookups of different models on different ways (``if kind == "project": item =
        ...query(Project)... elif kind == "report": item = ...query(Report)...``): it has no common model, each
        way's lookup names its own."""
        return len(v.sites) > 1 and len({s.entities[0] for s in v.sites if s.entities}) > 1

    def _principal_written_down(self, call: cst.Call, q: Optional[str], state: dict[str, Val], model: str) -> bool:
        """A project function handed the principal only to hand it on or write it down (``principal_passes_through``:
        ``create_subfolder_in_db(db, folder_id=row.folder.parent_id, new_folder=..., current_user=user)`` puts the
        caller on the rows it creates, and raises only on a bad storage name): it decides nothing about the row."""
        found = self.project.resolve_symbol(q) if (q is not None and self.project is not None) else None
        if found is None or found[2] != "functions":
            return False
        summary = flow_facts(self.project, found[0]).get("functions", {}).get(found[1])  # type: ignore[arg-type]
        if summary is None:
            return False
        params = summary.get("params", [])
        handed: list[str] = []
        for i, a in enumerate(call.args):
            if a.star or _db_handle(a.value) or not self.is_derived(a.value, state):
                continue
            param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
            if param is None:
                return False
            handed.append(param)
        return bool(handed) and all(
            principal_passes_through(self.project, self.settings, found[0], None, found[1], summary, p, model) for p in handed  # type: ignore[arg-type]
        )

    def row_method_check(self, call: cst.Call, state: dict[str, Val]) -> Optional[Comparison]:
        """``project.org.is_user_member(user.id)`` / ``board.visible_to(user)``: a method of the fetched row's
        model, or of a model its relationships reach, that compares a parameter with the owner or the members
        (the index's ``authorises`` method facts), called with the principal: an authorisation check of the
        row after an unscoped load (BKL202 at the call), whatever the method is called."""
        func = call.func
        if self.project is None or not isinstance(func, cst.Attribute):
            return None
        path = func.value.value if isinstance(func.value, cst.Name) else _path(func.value)
        if path is None:
            return None
        var, *rels = path.split(".")
        v = state.get(var)
        if v is None or not (v.rows and v.model and not v.derived and (v.sites or v.repo)):
            return None
        model: Optional[str] = v.model
        for rel in rels:
            model = relationships(self.project, model).get(rel) if model else None
        if model is None:
            return None
        entry = row_method_facts(self.project, model, func.attr.value)
        checked = set(entry.get("authorises", ())) if entry else set()
        if not checked:
            if entry is not None and self._reads_global_caller(func.attr.value):
                # ``shoppinglist.checkAuthorized()`` in a Flask view whose caller is a global: a permission method of
                # the row's model (or its mixin) that refuses on a permission verdict (the flow summary's ``checked``)
                # decides on who asks without being handed the caller
                found = method_summary(self.project, model, func.attr.value)
                if found is not None and found[3].get("checked"):
                    return Comparison(call, v, var, helper=f"{path}.{func.attr.value}", column=None)
            return None
        names = entry.get("args") or [p.get("name") for p in entry.get("params", ())][1:]  # type: ignore[union-attr]
        for i, a in enumerate(call.args):
            if a.star:
                return None
            param = a.keyword.value if a.keyword is not None else (names[i] if i < len(names) else None)
            if param in checked and self.is_derived(a.value, state) and not _db_handle(a.value):
                return Comparison(call, v, var, helper=f"{path}.{func.attr.value}", column=None)
        return None

    def refetch_check(self, call: cst.Call, q: Optional[str], state: dict[str, Val]) -> None:
        """``existing = fetch_item_for_user(db, item_id=existing.id, user=user)`` after an unscoped load of
        ``existing``: the project's own getter of the same model, given the principal and the row's key, decides
        access (it filters or checks with the principal it is given, by its index summary); the unscoped
        load is checked on every path that reaches the getter (no BKL201; not BKL202 either: the check is a
        scoped fetch)."""
        project = self.project
        found = project.resolve_symbol(q) if (q is not None and project is not None) else None
        if found is None or found[2] != "functions":
            return
        fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        if not fn.get("returns"):
            return
        model = project.canonical(fn["returns"])
        summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
        if summary is None:
            return
        params = summary.get("params", [])
        rows: list[Val] = []
        principal_params: set[str] = set()
        for i, a in enumerate(call.args):
            if a.star:
                return
            param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
            expr = _unwrap(self.ctx, a.value)
            if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
                v = state.get(expr.value.value)
                if v is not None and v.rows and v.model == model and v.sites:
                    rows.append(v)
                    continue
            if param is not None and self.is_derived(a.value, state):
                principal_params.add(param)
        if not rows or not principal_params:
            return
        if principal_params <= set(summary.get("unused", ())):
            return  # handed the principal and ignores it: not access-checked
        checked = any(any(p in principal_params for _, p in c.get("args", ())) for c in summary.get("calls", ()))
        cols = set(identity_columns(project, self.settings, model)) or set(self.identity_fields)
        checked = checked or bool(cols & set(summary.get("preds", ())) or cols & set(summary.get("compared", ())))
        if not checked:
            return
        for v in rows:
            for site in v.sites:
                site.refetched = True

    # -- checked on the path: a load scoped to the principal that found the row, or a check of the row or of
    # its parent, verifies the keys it was looked up by (later lookups by them are the same row's, or its
    # children's) ---------------------------------------------------------------------------------------------
    def _callee_summary(self, call: cst.Call, q: Optional[str], recv: Val, state: dict[str, Val]) -> Optional[tuple]:
        """(module, class, name, flow summary) of the project function or method a call reaches."""
        project = self.project
        if project is None:
            return None
        if q is not None:
            found = project.resolve_symbol(q)
            if found is not None and found[2] == "functions":
                summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
                return (found[0], None, found[1], summary) if summary is not None else None
        func = call.func
        if isinstance(func, cst.Attribute):
            instance = self.receiver_instance(func.value, recv)
            cls = instance[0] if instance is not None else None
            if cls is None and isinstance(func.value, (cst.Name, cst.Attribute)):
                cls = self.model_of(func.value, state)
            if cls is not None:
                return specialised(project, cls, method_summary(project, cls, func.attr.value))
        return None

    def helper_lookup(self, call: cst.Call, q: Optional[str], recv: Val, args: list[Val], state: dict[str, Val]) -> tuple[frozenset, bool]:
        """``team = get_team(db, team_id)``, ``seat = get_seat(db, user_id=user.id, board_id=board_id)``: a
        project helper whose summary looks a row of a table up by some of its parameters. Returns the key paths
        the call hands to those parameters (not the principal's values, not the session) and whether it is
        given the principal and uses it to scope (an identity column among its predicates or comparisons, or
        the principal handed on to another call). Nothing when the helper looks nothing up."""
        project = self.project
        target = self._callee_summary(call, q, recv, state)
        if target is None or project is None:
            return frozenset(), False
        _, cls, _, summary = target
        params = summary.get("params", [])
        offset = 1 if (cls is not None and params[:1] and params[0] in ("self", "cls")) else 0
        keyed: set[str] = set()
        models: list[str] = []
        for fetch in summary.get("fetches", ()):
            found = project.get_class(fetch["model"])
            if found is None or not is_table_model(project, found[0]):
                continue
            keyed.update(fetch.get("keys", ()))
            models.append(found[0])
        if not keyed:
            return frozenset(), False
        keys: set[str] = set()
        principal_params: set[str] = set()
        for i, a in enumerate(call.args):
            if a.star:
                return frozenset(), False  # (arguments we cannot map to parameters)
            param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
            v = args[i] if i < len(args) else NOTHING
            if param is None or _db_handle(a.value):
                continue
            if v.derived:
                principal_params.add(param)
            elif param in keyed and not (v.stmt or v.rows or v.container):
                keys |= self.key_names(a.value, state)
        if not keys:
            return frozenset(), False
        scoped = False
        if principal_params and not principal_params <= set(summary.get("unused", ())):
            cols: set[str] = set()
            for m in models:
                cols |= set(identity_columns(project, self.settings, m))
            cols = cols or set(self.identity_fields)
            scoped = bool(cols & set(summary.get("preds", ())) or cols & set(summary.get("compared", ())))
            scoped = scoped or any(any(p in principal_params for _, p in c.get("args", ())) for c in summary.get("calls", ()))
        return frozenset(keys), scoped

    @staticmethod
    def _loaded(v: Val) -> bool:
        """A value looked up by keys we know: a fetched row (its sites' keys, a repository's), a helper's."""
        return not v.stmt and bool(v.lookup or v.keys or any(s.key_names for s in v.sites))

    def _verify_loaded(
        self,
        name: str,
        state: dict[str, Val],
        node: cst.CSTNode,
        helper: Optional[str],
        depth: int = 0,
        seen: Optional[set] = None,
        record: bool = True,
        conflict: bool = False,
    ) -> None:
        """The value held in ``name`` is checked on this path (found by a load scoped to the principal, or
        decided on by a check): the keys it was looked up by are verified (``checked``), and so is a value it
        was looked up through (``team = get_team(db, template.team_id)``: the template is the team's, a check
        of the team covers it). A value looked up by another's primary key (``get_child(db, parent.id)``) is
        the other's child: checking it says nothing of the other. A fetched row of an owned model reached that
        way, loaded unscoped, is checked after its fetch: BKL202 at ``node`` (``helper`` names the check)."""
        seen = seen if seen is not None else set()
        if name in seen:
            return
        seen.add(name)
        v = state.get(name)
        if v is None or not self._loaded(v):
            return
        if (
            record and depth > 0 and v.rows and v.model and not (v.derived or v.scoped) and (v.sites or v.repo)
            # (a verdict refusing a duplicate, ``if is_member(db, board.id, user.id): raise HTTPException(409)``,
            # decides no access to a row of a table owned only through the project's checks)
            and not (conflict and not self._owned(v.model))
        ):
            # (a check through another loaded value: a direct check of the row, if any, is the one reported)
            self.out.checks.append(Comparison(node, v, name, helper=helper, direct=False))
        keys = set(v.lookup) | set(v.keys) | {k for s in v.sites for k in s.key_names}
        if record and v.rows and v.model and v.sites:
            self._same_key_relatives(v, keys, state)
        if not v.rows:
            state[name] = replace(v, trusted=True, checked=True)
        elif record:
            state[name] = replace(v, derived=True)  # (as after a check of the row: not reported twice)
        for key in sorted(keys):
            root, _, rest = key.partition(".")
            if root == name:
                continue
            held = state.get(root)
            if held is not None and held.derived and not self._loaded(held):
                continue  # the principal's own values (``user.id``)
            if rest and held is not None and self._loaded(held):
                if rest.split(".", 1)[0] not in PRIMARY_KEY_NAMES:
                    self._verify_loaded(root, state, node, helper, depth + 1, seen, record, conflict)
                continue
            old = state.get(key)
            if old is None or not (old.stmt or old.rows or old.derived or old.trusted):
                state[key] = replace(old or NOTHING, trusted=True, checked=True)

    def _same_key_relatives(self, v: Val, keys: set[str], state: dict[str, Val]) -> None:
        """``chapters = select(Chapter).where(Chapter.course_id == course_id)`` loaded before ``course`` (by
        ``Course.id == course_id``) is checked for the caller: a row of a table that references the checked
        row's table, or that it references, looked up earlier by exactly the same parameters, is tied to
        the checked row by that key (RULES: the check of the parent the child is tied to decides; the check
        is reported, once, at the parent). No claim on its lookup either way, and its rows are the caller's.
        Only rows whose local is still bound on this path (a branch that returned them earlier was not checked)."""
        plain = {k for k in keys if "." not in k}
        if not plain or not plain <= {p.name for p in self.identity.params} or self.project is None:
            return
        for site in self.out.sites:
            if site in v.sites or len(site.entities) != 1 or site.entities[0] == v.model or not site.key_names:
                continue
            if set(site.key_names) != plain:
                continue  # (a card looked up by its own id and its board's: the card's check says nothing of the board)
            # (bound on this path: the rows themselves, or what was built from them, ``[ChapterRead(**c.model_dump())
            # for c in chapters]``)
            held = [n for n in site.row_names if n in state and not state[n].stmt]
            if not held:
                continue
            model = site.entities[0]
            if reference_path(self.project, model, v.model, 1) is None and reference_path(self.project, v.model, model, 1) is None:
                continue
            site.owner_gated = True
            for n in held:
                state[n] = replace(state[n], derived=True)

    def _checked_operands(self, call: cst.Call, state: dict[str, Val]) -> list[str]:
        """Locals holding a looked-up value that a check is handed: the value, one of its attributes
        (``team.group_id``), inside a list literal (``[ADMIN, team.group_id]``) or a policy built from it."""
        out: list[str] = []
        candidates: list[cst.BaseExpression] = []
        for a in call.args:
            if _db_handle(a.value):
                continue
            candidates.append(a.value)
            inner = _unwrap(self.ctx, a.value)
            if isinstance(inner, (cst.List, cst.Tuple, cst.Set)):
                candidates.extend(e.value for e in inner.elements if isinstance(e, cst.Element))
            elif isinstance(inner, cst.Call):
                candidates.extend(b.value for b in inner.args if b.star == "")
        for value in candidates:
            expr = _unwrap(self.ctx, value)
            while isinstance(expr, cst.Attribute):
                expr = expr.value
            if isinstance(expr, cst.Name) and expr.value not in out:
                v = state.get(expr.value)
                if self._asked_user(v) and not self._hands_principal(candidates):
                    continue
                if v is not None and (not v.derived or (v.rows and (v.scoped or v.lookup_scoped))) and self._loaded(v):
                    # (a row a helper found scoped to the caller, ``Alert.get_by_id_and_org(alert_id,
                    # self.current_org)``, is derived from the caller: a check of it still verifies its keys)
                    out.append(expr.value)
        return out

    def _deciding_check(self, call: cst.Call, q: Optional[str], name: str) -> bool:
        """A check whose failure stops the function: an authorisation helper whose verdict an ``if`` that
        exits tests, or a project function that raises when it denies."""
        if id(call) in self.deciding_calls and self._authorization_helper(q, name, call):
            return True
        if self._principal_method_check(call):
            return True  # ``auth.assert_package_delete(version.package)``: the principal object refuses by raising
        # (or one that refuses itself unless a permission call it makes passes: ``require_access(obj, user)``
        # opening ``if not has_access(obj, user): abort(403)``, ``checked`` in its flow summary)
        return self._raising_helper(q) or self._checks_itself(q) or self._delegating_check(q, name) or (self._deciding_method(call) or {}).get("how") == "raise"

    def _principal_side(self, expr: cst.BaseExpression) -> bool:
        """The principal's own id or identity value: ``user.id``, ``ctx.user.id``, an identity parameter."""
        expr = _unwrap(self.ctx, expr)
        if isinstance(expr, cst.Name):
            return expr.value in self.identity.identity_params
        if isinstance(expr, cst.Attribute) and (expr.attr.value == "id" or expr.attr.value in self.identity_fields):
            return self._on_principal(expr.value)
        return False

    def _on_principal(self, expr: cst.BaseExpression) -> bool:
        """``user`` / ``ctx.user``: a principal or an object reached from one; also a principal that is an
        attribute path (``g.user``, ``request.state.user``)."""
        root = expr
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and root.value in self.identity.principals:
            return True
        path = dotted_name(expr) if isinstance(expr, cst.Attribute) else None
        return path is not None and any(path == p or path.startswith(p + ".") for p in self.identity.principals if "." in p)

    def _compared_values(self, test: cst.BaseExpression, state: dict[str, Val]) -> list[tuple[str, cst.Comparison]]:
        """Locals holding a looked-up value that is no row of a known model (a schema a helper returned) whose
        attribute a deciding test compares with the principal's id (``structure.manager_user_id != user.id``)."""
        out: list[tuple[str, cst.Comparison]] = []
        for node in _walk_expr(test):
            if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1 or id(node) in self.not_access:
                continue
            left, right = node.left, node.comparisons[0].comparator
            for a, b in ((left, right), (right, left)):
                a = _unwrap(self.ctx, a)
                if not (isinstance(a, cst.Attribute) and isinstance(a.value, cst.Name)) or a.attr.value in PRIMARY_KEY_NAMES:
                    continue
                v = state.get(a.value.value)
                if v is None or v.rows or v.derived or not self._loaded(v) or not self._principal_side(b):
                    continue
                if all(n != a.value.value for n, _ in out):
                    out.append((a.value.value, node))
        return out

    def _found_by_scoped_load(self, test: cst.BaseExpression, state: dict[str, Val], present: bool, decides: bool) -> None:
        """``board = get_board_for(db, board_id, user.id)`` then ``if board is None: raise``: on the way where
        the test says the value is there (``present``: the body of ``if board:`` / ``if board and ...:``; else
        the ``else`` way of ``if board is None or not board.active:``), a load scoped to the principal found
        the row: the keys it was given are the caller's on that way. Only when the other way exits (``decides``)
        is it a check of the rows it was looked up through (BKL202 there)."""
        stack = [test]
        joint = cst.And if present else cst.Or
        while stack:
            node = stack.pop()
            if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, joint):
                stack.extend((node.left, node.right))
                continue
            found = _simple_condition(node)
            if found is None or found[1] != present:
                continue
            v = state.get(found[0])
            if v is not None and v.lookup and v.lookup_scoped:
                self._verify_loaded(found[0], state, test, None, record=decides)
            elif v is not None and decides and v.rows and v.scoped and v.sites and self._principal_keyed(v):
                self._membership_found(found[0], v, state, test)

    def _principal_keyed(self, v: Val) -> bool:
        """Every lookup of ``v`` has a predicate that names the principal (``Member.user_id == user.id``)."""
        principals = set(self.identity.principals)
        return bool(principals) and all(any(not principals.isdisjoint(load_names(p)) for p in s.pred_nodes) for s in v.sites)

    def _membership_found(self, name: str, v: Val, state: dict[str, Val], test: cst.BaseExpression) -> None:
        """``project = ...filter(Project.id == project_id).first()``, then ``membership = ...filter(
        ProjectMember.project_id == project_id, ProjectMember.user_id == user.id).first()`` and ``if not
        membership: raise``: a lookup filtered by the principal and keyed on the key an unscoped row was
        loaded by found the caller's link to that row; where it is missing the request is refused. Access to
        the row is decided after its fetch (BKL202 at the test, naming the row)."""
        keys = {k for s in v.sites for k in s.key_names}
        keys = {k for k in keys if k.split(".", 1)[0] not in self.identity.principals}  # (the caller's own side)
        if not keys:
            return
        models = {e for s in v.sites for e in s.entities}
        for other_name, other in list(state.items()):
            if other_name == name or "." in other_name or other is v:
                continue
            if not (other.rows and other.model and not (other.derived or other.scoped) and (other.sites or other.repo)):
                continue
            if other.model in models or (other.sites and not any(s.unscoped for s in other.sites)):
                continue  # (a row from a repository function not given the principal has no site here)
            other_keys = set(other.keys) | {k for s in other.sites for k in s.key_names}
            if other_keys and other_keys <= keys:
                if other.sites and all(_public_read(self.ctx, self.func, s, other.model, self.identity) for s in other.sites):
                    continue  # (``if like: return True``: whether the caller liked a public pin, in a read)
                self.out.checks.append(Comparison(test, other, other_name))
                state[other_name] = replace(other, derived=True)  # (as after a check of the row)

    def _project_function(self, q: Optional[str]) -> bool:
        found = self.project.resolve_symbol(q) if (q is not None and self.project is not None) else None
        return found is not None and found[2] == "functions"

    def _raising_helper(self, q: Optional[str]) -> bool:
        """A project function that raises (``_load_readable_document(key, session,
        auth)``): given the principal and a key, it answers for the key (it denies by raising)."""
        found = self.project.resolve_symbol(q) if (q is not None and self.project is not None) else None
        if found is None or found[2] != "functions":
            return False
        fn = orm_facts(self.project.modules[found[0]]).get("functions", {}).get(found[1]) or {}  # type: ignore[union-attr]
        return bool(fn.get("raises")) and self._decides(found)

    def _ends_in_raising_check(self, block: cst.BaseSuite, _depth: int = 0) -> bool:
        """The block ends in a call of a project function that denies by raising (``_raising_helper``), also on
        every way out of a ``try`` (``if not is_owner: try: permission = await permissions.find(project.id,
        user.id); assert_viewable(user, permission) except NotFoundError: assert_viewable(user, None)``): the
        test decides who is spared that check, as a test whose body raises."""
        body = block.body if isinstance(block, cst.IndentedBlock) else ()
        last = body[-1] if body else None
        if isinstance(last, cst.Try) and _depth < 2:
            ways = [last.body] + [h.body for h in last.handlers]
            return bool(last.handlers) and all(self._ends_in_raising_check(w, _depth + 1) for w in ways)
        small = _last_small_statement(block)
        if not isinstance(small, cst.Expr):
            return False
        value = small.value.expression if isinstance(small.value, cst.Await) else small.value
        if not isinstance(value, cst.Call) or not isinstance(value.func, (cst.Name, cst.Attribute)):
            return False
        return self._raising_helper(self.ctx.qualified_name(value.func))

    def _delegating_check(self, q: Optional[str], name: str) -> bool:
        """A project check named like one (``authorize_assignment_access``) that raises nothing itself but
        hands the decision to project checks that raise (``await check_resource_access(...)``, one for each
        kind of caller): it refuses by raising as they do, so a check through it stops the function."""
        if not named_like_check(name) or _NOT_ACCESS_HELPER.search(name):
            return False
        found = self.project.resolve_symbol(q) if (q is not None and self.project is not None) else None
        if found is None or found[2] != "functions" or not self._decides(found):
            return False
        fn = orm_facts(self.project.modules[found[0]]).get("functions", {}).get(found[1]) or {}  # type: ignore[union-attr]
        return any(
            callee != q and named_like_check(last_segment(callee)) and self._raising_helper(callee)
            for callee in fn.get("calls_out", ())
        )

    def _decides(self, found: tuple) -> bool:
        """The project function decides on what it is given (``flow`` index facts, ``deciders``): it raises
        or returns a verdict under a test of its parameters. A token signer or a file loader that raises on
        failure, whatever parameters it takes, is not an authorisation helper."""
        return found[1] in flow_facts(self.project, found[0]).get("deciders", ())  # type: ignore[arg-type]

    def _reads_global_caller(self, name: str, q: Optional[str] = None) -> bool:
        """In a Flask view whose caller is a global (``Identity.global_caller``), a permission helper
        (``self.r.allowed_for_org(P.VIEW, node.organization_id)``) reads the caller itself: handed the row, it
        decides on who asks as if it were given the principal. So does a project function that refuses unless
        a permission call it makes passes (``checked`` in its flow summary: ``delete_shelf_helper(shelf)``
        opening with ``if not shelf or not check_shelf_edit_permissions(shelf): return False``)."""
        if not self.identity.global_caller:
            return False
        low = name.lower()
        return any(w in low for w in PERMISSION_WORDS) or self._checks_itself(q)

    def _checks_itself(self, q: Optional[str]) -> bool:
        """``q`` is a project function whose flow summary says it checks access itself (``checked``)."""
        found = self.project.resolve_symbol(q) if (q is not None and self.project is not None) else None
        if found is None or found[2] != "functions":
            return False
        summary = flow_facts(self.project, found[0]).get("functions", {}).get(found[1])  # type: ignore[arg-type]
        return bool(summary and summary.get("checked"))

    def _deciding_method(self, call: Optional[cst.Call]) -> Optional[dict]:
        """``self._permission.enforce(subject, action, resource)``: a method of a project service the class
        holds (``self._permission``, kept by ``__init__`` from an injected ``PermissionService``) that decides
        on the subject and the resource it is given (``held_method_decides``); ``None`` otherwise."""
        if call is None or self.project is None or not isinstance(call.func, cst.Attribute):
            return None
        receiver = call.func.value
        if isinstance(receiver, cst.Name) and receiver.value == "self":
            owner = enclosing_class(self.ctx, self.func)  # ``self._check_site_admin_permissions(user, site_id)``
            return held_method_decides(self.project, owner, call.func.attr.value) if owner is not None else None
        held = self.held_instance(receiver)
        if held is None:
            return None
        return held_method_decides(self.project, held[0], call.func.attr.value)

    def _authorization_helper(self, q: Optional[str], name: str, call: Optional[cst.Call] = None) -> bool:
        configured = self.settings.authorization_helpers
        if configured and any(c == name or (q is not None and (q == c or q.endswith("." + c))) for c in configured):
            return True
        if _NOT_ACCESS_HELPER.search(name):
            return False  # ``enforce_ai_rate_limit(user_id, org.id)``, ``send_verification_email(user)``
        method = self._deciding_method(call)
        if method is not None:
            # a service's method that decides on the subject and the resource it is handed: a check when it
            # raises, or when the caller raises on its verdict
            return method["how"] == "raise" or id(call) in self.deciding_calls
        found = self.project.resolve_symbol(q) if (q is not None and self.project is not None) else None
        if found is not None and found[2] == "functions":
            fn = orm_facts(self.project.modules[found[0]]).get("functions", {}).get(found[1]) or {}  # type: ignore[union-attr]
            named = named_like_check(name)
            # a verdict the caller raises on (``if not _api_key_in_scope(row, ctx): raise``), whatever its name
            verdict = call is not None and id(call) in self.deciding_calls
            if self.identity.global_caller and self._checks_itself(q):
                return True  # it refuses unless its own permission check passes (``_reads_global_caller``)
            if verdict and id(call) in self.held_verdicts and _rights_name(name):
                # ``rights = await _get_user_rights(user_id, row.org_id)``, then ``if not rights.get("update"):
                # raise``: a lookup of the caller's rights whose answer the caller refuses on (one that fetches
                # the row's own model again by its key is a scoped fetch: ``authorization_check``)
                return True
            return (bool(fn.get("raises")) or named or verdict) and self._decides(found)
        if found is not None:
            return False  # a class or an object of the project: not a check
        return named_like_check(name)

    def repository_fetch(self, q: Optional[str], given_principal: bool) -> Optional[Val]:
        """``item = crud.get_item(session, item_id)``: a project function whose return type is a model."""
        if q is None or self.project is None:
            return None
        found = self.project.resolve_symbol(q)
        if found is None or found[2] != "functions":
            return None
        mod, name, _ = found
        fn = orm_facts(self.project.modules[mod]).get("functions", {}).get(name)
        if fn is None or not fn.get("returns"):
            return None
        model = self.project.canonical(fn["returns"])
        if not is_table_model(self.project, model):
            return None
        return Val(rows=True, model=model, repo=not given_principal, scoped=given_principal, derived=given_principal)

    def call_models(self, call: cst.Call, state: dict[str, Val]) -> list[tuple[Union[int, str], str]]:
        """The table classes a call hands along, by argument position or keyword (``must_exist(db, Note,
        note_id)``): what a generic getter's model parameter is (``handed_models``)."""
        out: list[tuple[Union[int, str], str]] = []
        for i, a in enumerate(call.args):
            if a.star or not isinstance(a.value, (cst.Name, cst.Attribute)):
                continue
            model = self.model_of(a.value, state)
            if model is not None:
                out.append((a.keyword.value if a.keyword is not None else i, model))
        return out

    def summary_row_fetch(self, call: cst.Call, q: Optional[str], args: list[Val], state: Optional[dict[str, Val]] = None) -> Optional[Val]:
        """``activity = crud.get_activity_by_id(activity_id, db)`` in a function that is not a route but knows
        who asks (a principal, an identity parameter, or a parameter its callers fill with the principal's id,
        ``token_user_id``): a project function whose summary (``flow`` index facts) looks
        the row up by the parameter it is handed, with no owner predicate and no ownership comparison, and
        returns a value. The row is the helper's like a repository's (``repo``): no BKL201 claim here (the
        route that hands the key is reported, at its call, when nothing checks), a BKL202 check when the
        owner is compared with who asks. A helper given who asks is not this (it scopes or checks)."""
        project = self.project
        if project is None:
            return None
        target: Optional[tuple[str, Optional[str], str, dict]] = None
        found = project.resolve_symbol(q) if q is not None else None
        if found is not None and found[2] == "functions":
            summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
            if summary is not None:
                target = (found[0], None, found[1], summary)
        func = call.func
        if target is None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            # ``star = self.fetch(star_id)``: a method of the service's own class that looks the row up
            owner = enclosing_class(self.ctx, self.func)
            target = method_summary(project, owner, func.attr.value) if owner is not None else None
        if target is None and q is not None and isinstance(func, cst.Attribute) and "." in q:
            # ``board = BoardsRepository.get_board(db, board_id)``: a static or class method called on its
            # project class (no return annotation for ``repository_method_fetch`` to read)
            owner_class = project.get_class(q.rsplit(".", 1)[0])
            target = method_summary(project, owner_class[0], func.attr.value) if owner_class is not None else None
        if target is None or not target[3].get("returns"):
            return None
        mod, cls, name, summary = target
        params = summary.get("params", [])
        offset = 1 if (cls is not None and params[:1] and params[0] in ("self", "cls")) else 0
        given = handed_models(summary, offset, self.call_models(call, state or {}))
        unscoped = helper_unscoped(project, self.settings, mod, cls, name, summary, 0, given)
        if not unscoped:
            return None
        model = None
        for i, a in enumerate(call.args):
            if a.star:
                return None
            param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
            v = args[i] if i < len(args) else NOTHING
            if v.derived or (a.keyword is not None and a.keyword.value in self.identity_fields):
                return None  # given who asks
            if param in unscoped and not v.trusted and model is None:
                model = unscoped[param][0]
        if model is None:
            return None
        return Val(rows=True, model=model, repo=True)

    # -- following the request into helpers ------------------------------------------------------------
    def followed_fetch(self, call: cst.Call, q: Optional[str], recv: Val, args: list[Val], state: dict[str, Val]) -> Optional[Val]:
        """A route hands a client key to a project function or method whose summary (``flow`` index facts)
        says that parameter reaches an unscoped lookup of an owned model: the lookup is this route's, at
        the call (a ``helper`` site naming the chain). The row comes back when the helper returns it."""
        project = self.project
        if project is None:
            return None
        target = None
        func = call.func
        if q is not None:
            found = project.resolve_symbol(q)
            if found is not None and found[2] == "functions":
                summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
                if summary is not None:
                    target = (found[0], None, found[1], summary)
        if target is None and q is not None:
            target = self.constructor_summary(q)
        if target is None and isinstance(func, cst.Attribute):
            instance = self.receiver_instance(func.value, recv)
            cls = instance[0] if instance is not None else None
            if cls is None and isinstance(func.value, (cst.Name, cst.Attribute)):
                cls = self.model_of(func.value, state)  # active record: ``Item.get_by_id(session, id)``
            if cls is not None:
                target = specialised(project, cls, method_summary(project, cls, func.attr.value))
        if target is None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            # ``sketch = self._get_sketch(sketch_id)``: a method of the view's own class that loads and checks
            owner = enclosing_class(self.ctx, self.func)
            found_method = method_summary(project, owner, func.attr.value) if owner is not None else None
            if found_method is None:
                return None
            checked = self._checked_by_helper(found_method[3], call, state)
            if checked is None and self._verifying_method(func.attr.value, found_method[3]):
                # ``self._verify_sketch_and_datasource(sketch_id, datasource_id)``: the keys are verified there
                for a in call.args:
                    if isinstance(a.value, cst.Name):
                        old = state.get(a.value.value)
                        if old is None or not (old.stmt or old.rows):
                            state[a.value.value] = replace(old or NOTHING, derived=True)
            return checked
        if target is None:
            return None
        mod, cls, name, summary = target
        if self.checked_parents:
            self._note_child_fetch(call, target, args, state)
        if recv.derived and _held_scope(project, cls, summary):
            # a repository built with the principal (``PromptRepository(db, api_client)``) whose method
            # compares a column with what it holds (``Message.api_client_id == self.api_client.id``)
            return None
        params = summary.get("params", [])
        offset = 1 if (cls is not None and params[:1] and params[0] in ("self", "cls")) else 0
        given = handed_models(summary, offset, self.call_models(call, state))
        unscoped = helper_unscoped(project, self.settings, mod, cls, name, summary, 0, given, owner_values=True)
        if not unscoped:
            return self._checked_by_helper(summary, call, state)
        client = self.client_params()
        # (a parameter the helper only keeps on the object, ``self.user = user``, decides nothing there)
        unused = set(summary.get("unused", ())) | set(summary.get("kept", ()))
        handed: list[str] = []  # who asks, handed to the helper that uses it
        handed_client = False  # an identity-named argument the client supplies (``tenant_id=request.tenant_id``)
        # a path key named like an identity field (``/users/{user_id}/payments``) that the route only hands on:
        # whose rows, the client's choice, when the helper compares its owner column with it alone
        loose = self._loose_path_keys(call) if any(u[2] for u in unscoped.values()) else frozenset()
        for i, a in enumerate(call.args):
            # who asks, handed to a helper that uses it, answers for the lookup (the helper scopes or checks),
            # unless it only hands it on or writes it down there (``principal_passes_through``)
            if a.star:
                continue
            param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
            if isinstance(a.value, cst.Name) and a.value.value in loose and param in unscoped and unscoped[param][2]:
                if i < len(args):
                    args[i] = NOTHING  # (the client's, not who asks)
                handed_client = True
                continue
            v = args[i] if i < len(args) else NOTHING
            identity_kw = a.keyword is not None and a.keyword.value in self.identity_fields
            if identity_kw and not v.derived and self._client_value(a.value, v):
                identity_kw, handed_client = False, True
            if v.derived or identity_kw:
                param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
                if param is None or (param not in unused and "idle" not in summary and "recorded" not in summary):
                    return None
                if param not in unused:
                    handed.append(param)
        principals = principal_classes(project, self.settings)

        def account_lookup(i: int, a: cst.Arg) -> bool:
            # (a key reaching a lookup of the principal's own kind of row, ``AuthIdentity`` by the invitee's
            # email, is named after a key reaching a resource's: ``Workspace`` by ``resource_id``)
            param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
            return param in unscoped and unscoped[param][0] in principals

        for i, a in sorted(enumerate(call.args), key=lambda p: account_lookup(*p)):
            if a.star:
                continue
            if a.keyword is not None:
                param = a.keyword.value
            elif i + offset < len(params):
                param = params[i + offset]
            else:
                continue
            if param not in unscoped:
                continue
            model, chain, owner_column = unscoped[param]
            v = args[i] if i < len(args) else NOTHING
            names = set(load_names(a.value))
            if owner_column:
                # the helper's owner column is compared only with this argument: a path key there names
                # whose rows (``fetch_by_user(db, user_id=user_id)`` on ``/users/{user_id}/payments``); a
                # query or body value is family 1's (BKL101/BKL102 report it at the parameter)
                if not (isinstance(a.value, cst.Name) and a.value.value in loose):
                    continue
            elif handed_client and param in self.identity_fields:
                continue  # (a client's ``tenant_id`` handed as the helper's scope: family 1 says so, not a key)
            if v.derived or v.trusted or not (names & client):
                continue
            if handed and not all(principal_passes_through(project, self.settings, mod, cls, name, summary, p, model, 0, param) for p in handed):
                return None
            if cls is not None and "." in name and chain and is_table_model(project, cls):
                # a mixin's classmethod called on the model: named as the route calls it (``Volume.one_by_id()``)
                chain = (f"{last_segment(cls)}.{name.rsplit('.', 1)[1]}()",) + chain[1:]
            site = self.new_site(call, "helper", [model], [])
            site.via = chain
            site.owner_value = owner_column
            copies = self.ctx.cached(("queries.copies", id(self.func)), lambda: _local_copies(self.ctx, self.func))
            site.key_names |= {copies.get(n, n) for n in names & client}  # the route's own parameter, not a copy
            site.consumptions.append((False, False))
            return Val(sites=(site,), rows=bool(summary.get("returns")), model=model)
        return None

    def _verifying_method(self, name: str, summary: dict) -> bool:
        """In a Flask view whose caller is a global, a method of the view's own class named like a check
        (``_verify_sketch_and_datasource``) that hands one of its parameters to a helper that loads a row and
        refuses unless the caller's permission check passes (``Sketch.get_with_acl(sketch_id)``, ``checked`` in
        its summary): the method verifies what it is handed for the caller (the other keys are tied there to
        the checked row), as a permission helper handed the row does."""
        project = self.project
        if project is None or not self.identity.global_caller or not spells_check(name):
            return False
        params = set(summary.get("params", ())) - {"self", "cls"}
        for c in summary.get("calls", ()):
            if not any(p in params for _, p in c.get("args", ())):
                continue
            target = c.get("target", "")
            owner, _, method = target.rpartition(".")
            found = project.get_class(owner) if owner and not target.startswith("self.") else None
            sub = method_summary(project, found[0], method) if found is not None else None
            if sub is not None and sub[3].get("checked") and sub[3].get("returns"):
                return True
        return False

    def _checked_by_helper(self, summary: dict, call: cst.Call, state: dict[str, Val]) -> Optional[Val]:
        """``sketch = Sketch.get_with_acl(sketch_id)``: a helper that looks a row up and refuses the request
        unless a permission check handed who asks passes (``checked`` in its summary; who asks is its
        parameter's default, the view's global caller, or an argument) returns a row checked for the caller:
        its key and the keys read from it are not the client's (a child tied to it is checked through it)."""
        if not summary.get("checked") or not summary.get("returns"):
            return self._compared_by_helper(summary, call, state)
        project = self.project
        if project is None:
            return None
        models = {f["model"] for f in summary.get("fetches", ())}
        if not models:
            # ``sketch = Sketch.get_with_acl(sketch_id)`` then the check: the model whose loader it calls
            models = {c["target"].rpartition(".")[0] for c in summary.get("calls", ()) if "." in c["target"]}
        found_models = {found[0] for found in map(project.get_class, models) if found is not None and is_table_model(project, found[0])}
        if len(found_models) != 1:
            return None
        for a in call.args:  # the keys it was handed address the checked row (``filter_by(sketch_id=sketch_id)``)
            if isinstance(a.value, cst.Name):
                old = state.get(a.value.value)
                if old is None or not (old.stmt or old.rows):
                    state[a.value.value] = replace(old or NOTHING, derived=True)
        return Val(rows=True, model=next(iter(found_models)), scoped=True, derived=True)

    def _compared_by_helper(self, summary: dict, call: cst.Call, state: dict[str, Val]) -> None:
        """``_require_workspace_run(service=service, workspace_id=workspace_id, run_id=run_id)``: a project helper
        handed an identity value and a key, which looks the row up by the key and compares the row's
        identity column with what it is given (``if run.workspace_id != workspace_id: raise``; BKL202 there,
        at the helper's check): the key is checked on this path, later lookups by it (``service.cancel_run(
        run_id=run_id)``) are the checked row's (one finding per fetch)."""
        params = summary.get("params", [])
        compared = set(summary.get("compared", ())) - set(summary.get("pred_compared", ()))
        if not compared & self.identity_fields:
            return None
        offset = 1 if params[:1] in (["self"], ["cls"]) else 0
        handed = {p for c in summary.get("calls", ()) for _, p in c.get("args", ())}
        handed |= {k for f in summary.get("fetches", ()) for k in f.get("keys", ())}
        derived = False
        keys: list[str] = []
        for i, a in enumerate(call.args):
            if a.star:
                return None
            param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
            if param is None or _db_handle(a.value):
                continue
            if param in compared and param in self.identity_fields:
                # the identity value the helper compares the row with: the caller's, or the route's own key of the
                # same name (``workspace_id``), the one the helper's check is reported against (BKL202 there)
                derived = True
            elif isinstance(a.value, cst.Name) and param in handed and not self.is_derived(a.value, state):
                keys.append(a.value.value)
        if not derived:
            return None
        for key in keys:
            old = state.get(key)
            if old is None or not (old.stmt or old.rows):
                state[key] = replace(old or NOTHING, derived=True)
        return None

    def _client_value(self, expr: cst.BaseExpression, v: Val) -> bool:
        """``tenant_id=tenant_id`` with the route's path parameter, ``user_id=request.user_id`` from the body:
        an identity-named argument whose value the client supplies is not who asks."""
        if v.derived or v.trusted or self.identity.route is None:
            return False
        return bool(set(load_names(expr)) & self.client_params())

    def constructor_summary(self, q: str) -> Optional[tuple[str, str, str, dict]]:
        """``ChatFlow(db_session=session, chat_id=body.chat_id, ...)``: a project class (no table, no pydantic
        model) built with the client's key, whose ``__init__`` looks the row up (its method summary): the
        lookup is the caller's, at the constructor's call."""
        project = self.project
        found = project.get_class(q) if project is not None else None
        if found is None or is_table_model(project, found[0]) or is_pydantic_model(project, found[0]):
            return None
        return method_summary(project, found[0], "__init__")

    def client_params(self) -> set[str]:
        """The route's parameters that the client supplies (path, query, body, form): not dependencies; and
        the locals that only copy one of them (``persona_id = int(assistant_id)``)."""
        params = {
            p.name
            for p in self.identity.params
            if p.name not in ("self", "cls") and p.marker not in ("Depends", "Security") and p.dependency.kind is None
            and p.name not in self.identity.principals
        }
        return params | self._client_copies(params)

    def _loose_path_keys(self, call: cst.Call) -> frozenset[str]:
        """The route's path parameters (also of a router prefix; not marked as query, body or form values)
        that the handler never checks: each read is an argument of a call that is handed nothing of who asks
        (``call`` among them), or sits in an f-string (a log line). A path key named like an identity field
        starts as the caller's (``identity_params``); one compared with the principal, handed to a check
        with it, or reassigned is not loose."""
        from .client_identity import route_path_params  # (client_identity reads this module)

        route = self.identity.route
        if route is None or self.identity.admin:
            return frozenset()
        for node in cst_walk(self.func.params):
            if (
                isinstance(node, cst.Call) and last_segment(dotted_name(node.func)) == "Security"
                and any(a.keyword is not None and a.keyword.value == "scopes" for a in node.args)
            ):
                return frozenset()  # granted by OAuth2 scopes (``scopes=["users:write"]``): the grant names who may act on whom
        read = {n.value for n in cst_walk(self.func.body) if isinstance(n, cst.Name)}
        project = self.project
        if not any(
            name in read or (kind is not None and project is not None and project.get_class(kind) is not None)
            for name, kind in self.identity.principals.items()
        ):
            # a route that holds no caller (``_check_scopes: Security(check_scopes, scopes=[...])`` unread):
            # authorised by a scope alone, it acts for whoever holds it, the path names the subject
            return frozenset()
        path = route_path_params(self.ctx, route)
        keys = {p.name for p in self.identity.params if p.name in path and p.marker not in ("Query", "Body", "Form")}
        keys &= set(self.client_params())
        if not keys:
            return frozenset()
        who = set(self.identity.principals) | (set(self.identity.identity_params) - keys)
        allowed: set[int] = set()
        for node in cst_walk(self.func.body):
            if isinstance(node, cst.If) and set(load_names(node.test)) & who and _if_refuses(node) and not _presence_only(node.test):
                return frozenset()  # the route decides on the caller itself (on what, the index cannot say)
            if isinstance(node, cst.Attribute):
                allowed.add(id(node.attr))
            elif isinstance(node, cst.Arg) and node.keyword is not None:
                allowed.add(id(node.keyword))
            if isinstance(node, cst.FormattedString):
                allowed.update(id(n) for n in cst_walk(node) if isinstance(n, cst.Name))
            elif isinstance(node, cst.Call):
                handed = [a.value for a in node.args]
                if any(set(load_names(h)) & who for h in handed):
                    continue
                allowed.update(id(h) for h in handed if isinstance(h, cst.Name))
        out = set(keys)
        for node in cst_walk(self.func.body):
            if isinstance(node, cst.Name) and node.value in out and id(node) not in allowed:
                out.discard(node.value)  # read otherwise: compared, tested, reassigned, handed with who asks
        return frozenset(out)

    def _client_copies(self, params: set[str]) -> set[str]:
        found = self.ctx.cached(("queries.copies", id(self.func)), lambda: _local_copies(self.ctx, self.func))
        return {local for local, source in found.items() if source in params}

    # -- repositories ----------------------------------------------------------------------------------
    def instance_of(self, q: Optional[str], call: cst.Call, state: dict[str, Val]) -> Optional[tuple[str, Optional[str]]]:
        """``ItemRepository(session)`` / ``CRUDItem(Item)`` -> (class, model given as an argument)."""
        if q is None or self.project is None:
            return None
        found = self.project.get_class(q)
        if found is None:
            return self._factory_instance(q)
        if is_table_model(self.project, found[0]):
            return None
        hint = None
        for a in call.args:
            model = self.model_of(a.value, state)
            if model is not None:
                hint = model
                break
        return found[0], hint

    def _factory_instance(self, q: str) -> Optional[tuple[str, Optional[str]]]:
        """``service = get_service(session)``: a project function that builds a service (annotated ``->
        ListSettingsService`` or returning ``ListSettingsService(...)``, index facts ``returns`` / ``builds``),
        whose class keeps what its ``__init__`` is given on ``self`` (``self_types``: its repositories): the
        instance, as for the class called inline. A function returning a model or a plain data holder is not
        one."""
        project = self.project
        symbol = project.resolve_symbol(q) if project is not None else None
        if symbol is None or symbol[2] != "functions":
            return None
        fn = orm_facts(project.modules[symbol[0]]).get("functions", {}).get(symbol[1]) or {}  # type: ignore[union-attr]
        made = fn.get("returns") or fn.get("builds")
        found = project.get_class(made) if made else None  # type: ignore[union-attr]
        if found is None or is_table_model(project, found[0]):  # type: ignore[arg-type]
            return None
        mod, _, short = found[0].rpartition(".")
        if not orm_facts(project.modules[mod]).get("self_types", {}).get(short) if mod in project.modules else True:  # type: ignore[union-attr]
            return None
        return found[0], None

    def receiver_instance(self, expr: cst.BaseExpression, recv: Val) -> Optional[tuple[str, Optional[str]]]:
        if recv.instance is not None:
            return recv.instance
        project = self.project
        if project is None:
            return None
        held = self.held_instance(expr)
        if held is not None:
            return held
        if isinstance(expr, cst.Name):
            for p in self.identity.params:
                if p.name == expr.value and p.type:
                    found = project.get_class(p.type)
                    if found is not None and not is_table_model(project, found[0]):
                        # (an interface the project implements once: that class, ``sole_implementation``)
                        return sole_implementation(project, found[0]) or found[0], None
        q = self.ctx.qualified_name(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if q is None:
            return None
        found_symbol = project.resolve_symbol(q)
        if found_symbol is not None and found_symbol[2] == "classes":
            # a store's class or static method called on the class (``InteractionStore.get(db, key)``)
            store = _store_class(project, q)
            return (store, None) if store is not None else None
        if found_symbol is None or found_symbol[2] != "assignments":
            return None
        mod, name, _ = found_symbol
        call = orm_facts(project.modules[mod]).get("calls", {}).get(name)
        if call is None or not call.get("func"):
            return None
        cls = project.get_class(call["func"])
        if cls is None or is_table_model(project, cls[0]):
            return None
        hint = None
        for a in call.get("args", ()):
            found = project.get_class(a)
            if found is not None and is_table_model(project, found[0]):
                hint = found[0]
                break
        return cls[0], hint

    def held_instance(self, expr: cst.BaseExpression) -> Optional[tuple[str, Optional[str]]]:
        """``self._items`` in a method of a service whose ``__init__`` keeps an ``ItemRepository`` there."""
        if not (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self"):
            return None
        owner = enclosing_class(self.ctx, self.func)
        if owner is None or self.project is None:
            return None
        found = self_attribute_class(self.project, owner, expr.attr.value)
        return (found, None) if found is not None else None

    def repository_method_fetch(self, func: cst.Attribute, recv: Val, given_principal: bool) -> Optional[Val]:
        """``crud.item.get(db, id=id)`` / ``repo.get_by_id(id)``: a method of a project repository class whose
        return type is a model (or its generic model: ``CRUDBase[Item, ...]`` / ``CRUDItem(Item)``)."""
        project = self.project
        if project is None:
            return None
        instance = self.receiver_instance(func.value, recv)
        if instance is None:
            # active record: ``await Item.get(session, item_id)`` on the model class itself
            model = self.model_of(func.value, self._state) if isinstance(func.value, (cst.Name, cst.Attribute)) else None
            if model is None:
                return None
            if func.attr.value.startswith(_CONSTRUCTOR_PREFIXES) and method_summary(project, model, func.attr.value) is None:
                return None  # ``ProblemORM.from_problem(body)``: a class method building a new row, no lookup
            instance = (model, model)
        cls, hint = instance
        method = func.attr.value
        returns: Optional[str] = None
        found_method = False
        generic: Optional[str] = hint
        for name, facts in project.class_mro(cls):
            if facts is None:
                continue
            orm = orm_facts(project.modules[project.split(name)[0]]) if project.split(name) else {}
            short = name.rsplit(".", 1)[-1]
            if generic is None:
                for g in orm.get("generic_args", {}).get(short, ()):
                    found = project.get_class(g)
                    if found is not None and is_table_model(project, found[0]):
                        generic = found[0]
                        break
            if not found_method and method in facts.get("methods", ()):
                found_method = True
                returns = orm.get("method_returns", {}).get(short, {}).get(method)
        if not found_method:
            return None
        if generic is None:
            generic = repository_model(project, cls)  # ``model = Item`` in the body, ``super().__init__(Item, db)``
        model = None
        if returns:
            found = project.get_class(returns)
            if found is not None and is_table_model(project, found[0]):
                model = found[0]
            elif last_segment(returns) == "Self" and generic is not None:
                model = generic
            elif found is None and generic is not None:
                symbol = project.resolve_symbol(returns)
                if symbol is not None and symbol[2] == "assignments":
                    call = project.modules[symbol[0]]["assignments"][symbol[1]].get("call") or ""
                    if last_segment(call) == "TypeVar":
                        model = generic
        elif generic is not None and method.startswith(("get", "find", "read", "fetch", "first", "one", "by_")):
            model = generic
        summary = method_summary(project, cls, method)
        if model is None and not returns and summary is not None:
            single = _single_lookup_model(summary[3], method)
            found = project.get_class(single) if single is not None else None
            model = found[0] if found is not None else single  # (the class's own name, not a re-export's)
        if model is None:
            return None
        if summary is not None and any(secret_key_column(project, model, p) for p in summary[3].get("preds", ())):
            # ``refresh_tokens.get_by_token(token)``: keyed on a secret the caller holds
            return Val(rows=True, model=model, scoped=True)
        return Val(rows=True, model=model, repo=not given_principal, scoped=given_principal, derived=given_principal)

    def filters_dict_fetch(self, call: cst.Call, method: str, state: dict[str, Val]) -> Optional[Val]:
        """A generic manager's lookup or write given the model and its filters as a dict (``db.get(Team,
        filters={"id": team_id})``, ``db.delete(filters={"id": team_id}, model_class=Team)``): a lookup of
        that model keyed on the dict's values, scoped when a key names an identity column (as ``filter_by``)
        or a value comes from the principal."""
        if method not in LIBRARY_CRUD_WRITES and method not in GET_METHODS:
            return None
        kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        filters, model_expr = kwargs.get("filters"), kwargs.get("model_class") or kwargs.get("model")
        if model_expr is None and call.args and call.args[0].keyword is None:
            model_expr = call.args[0].value
        if not isinstance(filters, cst.Dict) or model_expr is None:
            return None
        model = self.model_of(model_expr, state)
        if model is None or self.project is None or not is_table_model(self.project, model):
            return None
        owner_cols = set(identity_columns(self.project, self.settings, model))
        scoped = pscoped = False
        names: set[str] = set()
        for el in filters.elements:
            if not isinstance(el, cst.DictElement) or not isinstance(el.key, cst.SimpleString):
                return None  # ``**extra``: filters we cannot read make no claim
            v = self.ev(el.value, state)
            if el.key.evaluated_value in owner_cols:
                scoped = True
            pscoped = pscoped or v.derived
            scoped = scoped or v.derived or v.trusted
            names |= self.key_names(el.value, state)
        if not names:
            return Val(rows=True, model=model)  # keyed on nothing the caller gave: no claim (as a library CRUD object)
        site = self.new_site(call, "get", [model], [model_expr])
        site.key_names |= names
        site.consumptions.append((scoped or self.admin_depth > 0, False))
        site.pscoped = pscoped
        return Val(sites=(site,), rows=True, model=model, scoped=scoped, derived=pscoped)

    def library_crud_model(self, expr: cst.BaseExpression) -> Optional[str]:
        """``crud_notes = NoteCRUD(Note)`` with ``NoteCRUD = FastCRUD[Note, ...]`` (or ``FastCRUD(Note)``): an
        object of a library CRUD / repository class (named so: ``crud``, ``repo``, ``dao``) built for a table
        model, held in a module-level name. Its methods are not in the project, so their names say what
        they do (``LIBRARY_CRUD_METHODS``). Project classes are read through their methods instead."""
        project = self.project
        if project is None or not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        q = self.ctx.qualified_name(expr)
        found = project.resolve_symbol(q) if q is not None else None
        if found is None or found[2] != "assignments":
            return None
        call = orm_facts(project.modules[found[0]]).get("calls", {}).get(found[1])
        if call is None or not call.get("func"):
            return None
        library = call["func"]
        if project.get_class(library) is not None:
            return None  # a project class: ``repository_method_fetch`` reads its methods
        alias = project.resolve_symbol(library)
        if alias is not None:
            if alias[2] != "assignments":
                return None  # a project function building the object: not a class we can name
            subscript = project.modules[alias[0]]["assignments"][alias[1]].get("subscript")
            if not subscript or project.resolve_symbol(subscript) is not None:
                return None
            library = subscript
        if not any(w in last_segment(library).lower() for w in LIBRARY_CRUD_WORDS):
            return None
        for a in call.get("args", ()):
            model = project.get_class(a)
            if model is not None and is_table_model(project, model[0]):
                return model[0]
        return None

    def library_crud_fetch(self, call: cst.Call, func: cst.Attribute, args: list[Val], state: dict[str, Val]) -> Optional[Val]:
        """``await crud_notes.get(db, id=note_id)``: a lookup of the CRUD object's model filtered by the
        keyword arguments that name its columns (fastcrud's ``**kwargs`` filters) or keyed on positional
        values after the session. Scoped when a filter names an identity column of the model or a value
        comes from the principal, as for ``filter_by``. Only lookups keyed on something are claimed."""
        method = func.attr.value
        if method not in LIBRARY_CRUD_METHODS:
            return None
        model = self.library_crud_model(func.value)
        if model is None:
            return None
        columns = model_columns(self.project, model)
        owner_cols = set(identity_columns(self.project, self.settings, model))
        scoped = pscoped = False
        keys: list[cst.BaseExpression] = []
        for i, a in enumerate(call.args):
            v = args[i] if i < len(args) else NOTHING
            if a.star == "**":
                if self.is_derived(a.value, state):
                    scoped = pscoped = True
                continue
            if a.keyword is not None:
                column = a.keyword.value.split("__", 1)[0]
                if column not in columns:
                    continue
                if column in owner_cols:
                    scoped = True
                pscoped = pscoped or v.derived
                if v.derived or v.trusted:
                    scoped = True
                keys.append(a.value)
            elif i > 0 and not a.star and not (v.stmt or v.container):
                scoped = scoped or v.derived or v.trusted
                pscoped = pscoped or v.derived
                keys.append(a.value)
        names = set()
        for k in keys:
            names |= self.key_names(k, state)
        if not names:
            return None
        if method in LIBRARY_CRUD_WRITES and any(model in s.entities and names <= s.key_names for s in self.out.sites):
            # ``crud.update(db, object=values, id=item_id)`` after ``crud.get(db, id=item_id, ...)``: the write
            # addresses the row that lookup loaded (and answers for): one finding per fetch
            return Val(model=model)
        site = self.new_site(call, "get", [model], [])
        site.key_names |= names
        site.consumptions.append((scoped or self.admin_depth > 0, False))
        site.pscoped = pscoped
        return Val(sites=(site,), rows=True, model=model, scoped=scoped, derived=pscoped)

    def execute(self, v: Val) -> Val:
        self.consume(v)
        if v.pscoped:
            # the keys of a lookup scoped to the principal are the principal's from now on
            state = getattr(self, "_state", None)
            if state is not None:
                for s in v.sites:
                    for key in s.key_names:
                        old = state.get(key)
                        if old is None or not (old.stmt or old.rows or old.derived):
                            state[key] = replace(old or NOTHING, derived=True)
        model = None
        for s in v.sites:
            if s.entities:
                model = s.entities[0]
                break
        return Val(sites=v.sites, rows=True, model=model, scoped=v.scoped or v.opaque, derived=v.pscoped, opaque=v.opaque)

    def chain(self, call: cst.Call, method: str, recv: Val, state: dict[str, Val]) -> Val:
        scoped, pscoped = recv.scoped, recv.pscoped
        before = len(self.out.sites)
        arg_vals = [self.ev(a.value, state) for a in call.args]
        if method in ("order_by", "group_by") and recv.stmt:
            # ``.order_by(session.query(Pref.language).count().desc())``: a query run only to order another's rows
            # hands the caller nothing of its own (no claim either way)
            for site in self.out.sites[before:]:
                site.owner_gated = True
        opaque = False
        if method in PRED_METHODS:
            key_only = None  # every scoping argument is the row's own key given as an identity parameter
            for arg, v in zip(call.args, arg_vals):
                for s in recv.sites:
                    s.pred_nodes.append(arg.value)
                    s.key_names |= self.key_names(arg.value, state)
                a, b = self.pred(arg.value, state)
                if not (v.stmt or v.rows):
                    if v.text or v.opaque:  # ``where(text(sql))``, a textual clause held in a local
                        a, b = a or v.clause, b or v.pscoped
                    opaque = opaque or (v.opaque and not a)
                if a:
                    key_only = (key_only is not False) and self._identity_param_key(arg.value)
                scoped, pscoped = scoped or a, pscoped or b
            if key_only and not recv.scoped:
                for s in recv.sites:
                    s.key_only_scoped = True
            elif key_only is False:
                for s in recv.sites:
                    s.key_only_scoped = False  # ``.where(Org.id == org_id).where(Org.owner_id == user.id)``: scoped for the caller
        elif method == "filter_by":
            for arg in call.args:
                if arg.keyword is not None:
                    for s in recv.sites:
                        s.pred_nodes.append(arg.value)
                        s.key_names |= self.key_names(arg.value, state)
                    if arg.keyword.value in self.identity_fields:
                        scoped = True
                    a, b = self.pred(arg.value, state)
                    if b or any(state.get(n, NOTHING).trusted for n in load_names(arg.value)):
                        scoped, pscoped = True, pscoped or b
                elif arg.star == "**" and self.is_derived(arg.value, state):
                    scoped = pscoped = True
        elif method in JOIN_METHODS:
            for arg in call.args[1:] if len(call.args) > 1 else []:
                if arg.keyword is None and isinstance(arg.value, (cst.Comparison, cst.Call, cst.BooleanOperation, cst.BinaryOperation, cst.Name)):
                    if isinstance(arg.value, cst.Name) and not state.get(arg.value.value, NOTHING).clause:
                        continue
                    for s in recv.sites:
                        s.pred_nodes.append(arg.value)
                    a, b = self.pred(arg.value, state)
                    scoped, pscoped = scoped or a, pscoped or b
        elif method == "options":
            for arg in call.args:
                value = arg.value
                if isinstance(value, cst.Call) and last_segment(dotted_name(value.func)) == "with_loader_criteria":
                    a, b = self.pred(value, state)
                    scoped, pscoped = scoped or a, pscoped or b
        elif method == "select_from":
            for s in recv.sites:
                if not s.entities:
                    entities, nodes = self.entities(call.args, state)
                    s.entities.extend(entities)
                    s.model_nodes.extend(nodes)
                    if entities:
                        s.anchor = call
            # ``select(func.count()).select_from(select(Doc).where(Doc.workspace_id == ws))``: the rows counted
            # are those of a scoped statement
            for v in arg_vals:
                if v.stmt and v.scoped:
                    scoped, pscoped = True, pscoped or v.pscoped
        elif method == "params" and any(v.derived for v in arg_vals):
            scoped = pscoped = True  # bound parameters of a textual clause, from the principal
        elif method == "returning":
            self._returned_owner(call, recv)
        if opaque:
            recv = replace(recv, opaque=True)  # SQL we cannot read: no claim
        if method in STMT_METHODS:
            if pscoped:
                for s in recv.sites:
                    s.principal_filtered = True
            return replace(recv, scoped=scoped, pscoped=pscoped)
        if any(s.kind == "query" for s in recv.sites) and method in QUERY_RESULT_METHODS:
            if method in GET_METHODS:
                # ``Widget.query.get_or_404(widget_id)``: a lookup keyed on its argument (not a listing)
                for arg in call.args:
                    for s in recv.sites:
                        s.key_names |= self.key_names(arg.value, state)
            return self.execute(replace(recv, scoped=scoped, pscoped=pscoped))
        if method in EXEC_METHODS:
            return self.execute(replace(recv, scoped=scoped, pscoped=pscoped))
        # an unknown method on a statement: we cannot see what it does
        return replace(recv, opaque=True)


_SQL_COLUMN = r"""(?:[A-Za-z_]\w*\.)?"?([A-Za-z_]\w*)"?"""
_SQL_BIND = r"""['"]?:([A-Za-z_]\w*)"""
_SQL_COMPARED = re.compile(_SQL_COLUMN + r"\s*(?:==?|\bIN\b|=\s*ANY)\s*\(?\s*" + _SQL_BIND, re.IGNORECASE)
_SQL_COMPARED_REVERSED = re.compile(_SQL_BIND + r"""['"]?\s*=\s*""" + _SQL_COLUMN, re.IGNORECASE)
_SQL_IS_NULL = re.compile(_SQL_COLUMN + r"\s+IS\s+NULL\b", re.IGNORECASE)
_SQL_NO_ROW = re.compile(r"\s*\(?\s*1\s*=\s*0\s*\)?\s*")


def _sql_scopes(sql: str, identity_fields: frozenset[str], derived_binds: Iterable[str]) -> bool:
    """Whether a SQL condition holds an owner predicate (see ``_Analyzer.sql_string``)."""
    if not sql or ":" not in sql and "null" not in sql.lower():
        return bool(sql) and _SQL_NO_ROW.fullmatch(sql) is not None
    binds = set(derived_binds)
    for m in _SQL_COMPARED.finditer(sql):
        if m.group(1) in identity_fields or m.group(2) in binds:
            return True
    for m in _SQL_COMPARED_REVERSED.finditer(sql):
        if m.group(2) in identity_fields or m.group(1) in binds:
            return True
    return any(m.group(1) in identity_fields for m in _SQL_IS_NULL.finditer(sql))


DIGEST_CALLS = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s", "md5", "hexdigest", "digest"})


def _db_handle(expr: cst.BaseExpression) -> bool:
    """``session`` / ``db`` / ``conn`` handed to a helper: a handle, never a value the principal verifies
    (``session_id``, the key of a sync or chat session row, is a key, not a handle)."""
    return isinstance(expr, cst.Name) and (
        expr.value in ("db", "conn", "connection") or ("session" in expr.value and not _key_name(expr.value))
    )


def _key_name(name: str) -> bool:
    """``session_id`` / ``chat_session_ids`` / ``sessionId`` / ``session_uuid`` / ``session_key``: a name that
    holds a row's key, whatever the row."""
    lowered = name.lower()
    return lowered.endswith(("id", "ids", "_uuid", "_key", "_pk"))


def _store_class(project: "ProjectIndex", qualified: str) -> Optional[str]:
    """The project class named ``qualified`` when it is no table model (a store, a repository, a service)."""
    found = project.get_class(qualified)
    return found[0] if found is not None and not is_table_model(project, found[0]) else None


def _module_instance_class(project: "ProjectIndex", qualified: str) -> Optional[str]:
    """``chat_repo`` of ``chat_repo = ChatRepo()`` (a module-level instance, also re-exported): its project
    class when it is no table model."""
    found = project.resolve_symbol(qualified)
    if found is None or found[2] != "assignments":
        return None
    call = orm_facts(project.modules[found[0]]).get("calls", {}).get(found[1])
    if call is None or not call.get("func"):
        return None
    return _store_class(project, call["func"])


def _digest_call(name: str) -> bool:
    """``get_token_hash(code)``, ``hash_token(raw)``, ``hashlib.sha256(...)``: a function that digests a secret."""
    lowered = name.lower()
    words = lowered.split("_")
    return lowered in DIGEST_CALLS or any(w in ("hash", "hashed", "digest", "hmac") for w in words) or lowered.startswith("hash")


def _tested_calls(test: cst.BaseExpression) -> Iterator[int]:
    """The calls whose verdict an ``if`` test reads: ``f(...)``, ``not f(...)``, ``await f(...)``, joined by
    ``and`` / ``or``, or compared with ``True`` / ``False`` / ``None``."""
    stack: list[cst.BaseExpression] = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            stack.append(node.expression)
        elif isinstance(node, cst.Await):
            stack.append(node.expression)
        elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            other = node.comparisons[0].comparator
            if isinstance(other, cst.Name) and other.value in ("True", "False", "None"):
                stack.append(node.left)
        elif isinstance(node, cst.Call):
            yield id(node)


_RIGHTS_WORDS = ("right", "permission", "role", "access", "allowed", "member", "can_", "authoriz", "authoris", "privilege")


def _rights_name(name: str) -> bool:
    """``_get_user_rights``, ``get_permissions``, ``user_roles_in``: a function named for what the caller may do."""
    lowered = name.lower()
    return any(w in lowered for w in _RIGHTS_WORDS)


def _verdicts_held(stmts: Sequence[cst.CSTNode]) -> set[int]:
    """Calls whose verdict reaches, through locals, an ``if`` that exits: ``rights = await get_rights(user_id,
    row.org_id)``, ``allowed = rights.get("update", False) or is_owner``, then ``if not allowed: raise``. The
    verdict is read as a truth value only: the local itself, ``not``, ``and`` / ``or``, ``.get(...)``, a
    subscript or an attribute of it, a comparison with ``True`` / ``False`` / ``None`` or a membership test in it
    (``row.status == "closed"`` reads a value, not a verdict). Read in statement order, nested blocks included
    (not nested functions); a local bound to anything else loses its calls."""
    held: dict[str, frozenset[int]] = {}
    out: set[int] = set()

    def verdict(expr: cst.BaseExpression) -> frozenset[int]:
        if isinstance(expr, cst.Name):
            return held.get(expr.value, frozenset())
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            return verdict(expr.expression)
        if isinstance(expr, cst.BooleanOperation):
            return verdict(expr.left) | verdict(expr.right)
        if isinstance(expr, cst.Await):
            return verdict(expr.expression)
        if isinstance(expr, (cst.Subscript, cst.Attribute)):
            return verdict(expr.value)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get":
            return verdict(expr.func.value)
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            op, other = expr.comparisons[0].operator, expr.comparisons[0].comparator
            if isinstance(op, (cst.In, cst.NotIn)):
                return verdict(other)
            if isinstance(other, cst.Name) and other.value in ("True", "False", "None"):
                return verdict(expr.left)
        return frozenset()

    def bind(target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Name):
            return
        inner = value.expression if isinstance(value, cst.Await) else value
        found = frozenset({id(inner)}) if isinstance(inner, cst.Call) and not verdict(inner) else verdict(value)
        if found:
            held[target.value] = found
        else:
            held.pop(target.value, None)

    def walk(block: Sequence[cst.CSTNode]) -> None:
        for stmt in block:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        bind(small.targets[0].target, small.value)
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        bind(small.target, small.value)
            elif isinstance(stmt, cst.If):
                if held and (_Analyzer._exits(stmt.body) or (isinstance(stmt.orelse, cst.Else) and _Analyzer._exits(stmt.orelse.body))):
                    out.update(verdict(stmt.test))
                walk(stmt.body.body)  # type: ignore[attr-defined]
                if stmt.orelse is not None:
                    walk([stmt.orelse] if isinstance(stmt.orelse, cst.If) else stmt.orelse.body.body)  # type: ignore[attr-defined]
            elif isinstance(stmt, (cst.For, cst.While, cst.With, cst.Try)):
                walk(stmt.body.body)  # type: ignore[attr-defined]

    walk(stmts)
    return out


def _calls_helper(expr: cst.BaseExpression) -> bool:
    """A column expression that calls a function by name (``visible_to(user)``, ``f(user).label("x")``)."""
    for node in _walk_expr(expr):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            return True
    return False


def _nested_exit(block: cst.BaseSuite) -> bool:
    """The body leads into an ``if`` that raises or returns (``if row.author != user: if not
    can_moderate(user): raise ...``): the outer test decides who goes on to that exit."""
    if not isinstance(block, cst.IndentedBlock):
        return False
    for stmt in block.body:
        if isinstance(stmt, cst.If):
            if _Analyzer._exits(stmt.body) or (isinstance(stmt.orelse, cst.Else) and _Analyzer._exits(stmt.orelse.body)):
                return True
            if _nested_exit(stmt.body):
                return True
    return False


def _flag_assignments(stmt: cst.If) -> tuple[str, ...]:
    """The names an ``if`` (and its ``else``) only sets to constants (``is_owner = False``): a flag the test
    decides, read later; ``()`` when a branch does anything else."""
    names: list[str] = []
    blocks = [stmt.body] + ([stmt.orelse.body] if isinstance(stmt.orelse, cst.Else) else [])
    if stmt.orelse is not None and not isinstance(stmt.orelse, cst.Else):
        return ()
    for block in blocks:
        lines = block.body if isinstance(block, cst.IndentedBlock) else [block]
        for line in lines:
            if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                return ()
            for small in line.body:
                if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
                    return ()
                value = small.value
                if not (
                    (isinstance(value, cst.Name) and value.value in ("True", "False", "None"))
                    or isinstance(value, (cst.Integer, cst.SimpleString))
                ):
                    return ()
                names.append(small.targets[0].target.value)
    return tuple(dict.fromkeys(names))


def _simple_condition(test: cst.BaseExpression) -> Optional[tuple[str, bool]]:
    """``x`` / ``x is not None`` -> ("x", True); ``not x`` / ``x is None`` -> ("x", False)."""
    negate = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negate = not negate
        test = test.expression
    out: Optional[tuple[str, bool]] = None
    if isinstance(test, cst.Name) and test.value not in ("True", "False", "None"):
        out = (test.value, True)
    elif (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.left, cst.Name)
        and isinstance(test.comparisons[0].comparator, cst.Name)
        and test.comparisons[0].comparator.value == "None"
    ):
        op = test.comparisons[0].operator
        if isinstance(op, (cst.IsNot, cst.NotEqual)):
            out = (test.left.value, True)
        elif isinstance(op, (cst.Is, cst.Equal)):
            out = (test.left.value, False)
    if out is not None and negate:
        out = (out[0], not out[1])
    return out


# --- helpers ------------------------------------------------------------------------------------------------

def _compared_attributes(func: cst.FunctionDef) -> set[tuple[str, str]]:
    """(local, attribute) read as an operand of a comparison in the function (``file.document_id != document_id``);
    (local, "") for a local tested as a member of a row's collection (``if aisle not in depot.aisles: raise``)."""
    out: set[tuple[str, str]] = set()
    for node in cst_walk(func.body):
        if not isinstance(node, cst.Comparison):
            continue
        if (
            isinstance(node.left, cst.Name) and len(node.comparisons) == 1
            and isinstance(node.comparisons[0].operator, (cst.In, cst.NotIn))
            and isinstance(node.comparisons[0].comparator, cst.Attribute)
        ):
            out.add((node.left.value, ""))
        for operand in [node.left] + [c.comparator for c in node.comparisons]:
            if isinstance(operand, cst.Attribute) and isinstance(operand.value, cst.Name):
                out.add((operand.value.value, operand.attr.value))
    return out


def _assigned_names(ctx: "FileContext", func: cst.FunctionDef) -> dict[int, str]:
    """id(call) -> the local a simple assignment binds its value to (``tag = get_tag(db, tag_id)``, ``x = await
    load(...)``), in the function's own body (not nested functions)."""
    def build() -> dict[int, str]:
        out: dict[int, str] = {}
        stack: list[cst.CSTNode] = [func.body]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                value = node.value.expression if isinstance(node.value, cst.Await) else node.value
                out[id(value)] = node.targets[0].target.value
            stack.extend(iter_children(node))
        return out
    return ctx.cached(("queries.assigned", id(func)), build)


def _local_copies(ctx: "FileContext", func: cst.FunctionDef) -> dict[str, str]:
    """Locals of a function assigned only copies of one name (``persona_id = int(assistant_id)``,
    ``key = body.item_id``): ``{local: name}``. A local also assigned anything else is left out."""
    out: dict[str, str] = {}
    other: set[str] = set()
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.Lambda:
            continue
        if kind is cst.Assign:
            value = _unwrap(ctx, node.value)
            while isinstance(value, cst.Attribute):
                value = value.value
            for t in node.targets:
                target = t.target
                if not isinstance(target, cst.Name):
                    continue
                if isinstance(value, cst.Name) and value.value != target.value and out.get(target.value, value.value) == value.value:
                    out[target.value] = value.value
                else:
                    other.add(target.value)
        elif (kind is cst.AugAssign or kind is cst.AnnAssign) and isinstance(node.target, cst.Name):
            other.add(node.target.value)
        stack.extend(iter_children(node))
    return {k: v for k, v in out.items() if k not in other}


def _unwrap(ctx: "FileContext", expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Call) and len(expr.args) == 1 and isinstance(expr.func, (cst.Name, cst.Attribute)):
        name = dotted_name(expr.func) or ""
        if last_segment(name) in ("str", "int", "UUID", "repr"):
            expr = expr.args[0].value
        else:
            break
    return expr


def _path(expr: cst.CSTNode) -> Optional[str]:
    """``body.workspace_id`` -> "body.workspace_id"; ``None`` unless a chain of names."""
    parts: list[str] = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name) or not parts:
        return None
    return ".".join([expr.value] + parts[::-1])


def _value_paths(expr: cst.CSTNode) -> Iterator[str]:
    """The longest name chains an expression reads: ``f(body.workspace_id, user)`` -> "body.workspace_id",
    "user" (a method called on a chain reads its receiver)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            yield node.value
            continue
        if isinstance(node, cst.Attribute):
            path = _path(node)
            if path is not None:
                yield path
            else:
                stack.append(node.value)
            continue
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            stack.append(node.func.value)
            stack.extend(a.value for a in node.args)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Lambda):
            continue
        stack.extend(iter_children(node))


def _aborts(small: cst.CSTNode) -> bool:
    """``abort(404)`` (Flask's, werkzeug's): a call that raises, written as a statement."""
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and last_segment(dotted_name(small.value.func)) == "abort"


def _path_prefixes(expr: cst.CSTNode) -> Iterator[str]:
    """Every dotted prefix (two names or more) of the attribute chains of an expression."""
    for path in _value_paths(expr):
        parts = path.split(".")
        for i in range(2, len(parts) + 1):
            yield ".".join(parts[:i])


def _expr_children(expr: cst.CSTNode) -> Iterator[cst.BaseExpression]:
    for child in iter_children(expr):
        if isinstance(child, cst.BaseExpression):
            yield child
        else:
            yield from _expr_children(child)


# Column methods that keep the rows whose value is NOT among the given ones
_EXCLUDING_METHODS = frozenset({"not_in", "notin_"})


def _excludes_owners(node: cst.CSTNode, identity_fields: Iterable[str]) -> bool:
    """An exclusion on an identity column (``Comment.user_id.not_in(blocked_ids)``, ``Item.owner_id != x``,
    ``Item.owner_id not in ids``): it drops some owners' rows and keeps every other owner's, so it scopes
    nothing, whatever it is compared with (the caller's blocked users)."""
    column: Optional[cst.CSTNode] = None
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _EXCLUDING_METHODS:
            column = node.func.value
    elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        if isinstance(node.comparisons[0].operator, (cst.NotEqual, cst.NotIn)):
            column = node.left
    return isinstance(column, cst.Attribute) and column.attr.value in identity_fields


def _walk_expr(expr: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Nodes of an expression, not entering lambdas' parameters nor nested function bodies."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.Attribute:
            stack.append(node.value)
            continue
        if kind is cst.Arg:
            stack.append(node.value)
            continue
        if kind is cst.Lambda:
            stack.append(node.body)
            continue
        stack.extend(reversed(list(iter_children(node))))




def helper_compared_column(project: "ProjectIndex", settings: "Settings", q: str, model: str) -> Optional[str]:
    """The column of ``model`` an authorisation helper handed the whole row decides on: attributes of its
    parameters it compares (``param_compared`` index facts), also in the project functions it calls (two
    levels: ``ensure_visible(obj, ctx)`` -> ``is_visible(obj, ctx)`` comparing ``obj.owner_principal_id``).
    Only a column outside the identity fields, the one compared (``None`` when the helper compares an identity
    column: the message then names the model's scoping column, as for any check)."""

    def build() -> Optional[str]:
        found = project.resolve_symbol(q)
        if found is None or found[2] != "functions":
            return None
        attrs: set[str] = set()
        seen: set[tuple[str, str]] = set()
        frontier = [(found[0], found[1])]
        for _ in range(3):
            nxt: list[tuple[str, str]] = []
            for mod, name in frontier:
                if (mod, name) in seen or len(seen) >= 24:
                    continue
                seen.add((mod, name))
                fn = orm_facts(project.modules[mod]).get("functions", {}).get(name) or {}
                attrs.update(fn.get("param_compared", ()))
                for target in fn.get("calls_out", ()):
                    sub = project.resolve_symbol(target)
                    if sub is not None and sub[2] == "functions":
                        nxt.append((sub[0], sub[1]))
            frontier = nxt
        cols = (attrs & set(model_columns(project, model))) - {"id"}
        if not cols or cols & set(identity_columns(project, settings, model)):
            return None  # an identity column among them: the message names the model's scoping column
        return next(iter(cols)) if len(cols) == 1 else None

    return project.memo(("queries.helper_column", q, model, settings.identity_fields), build)


def row_method_facts(project: "ProjectIndex", model: str, method: str) -> Optional[dict]:
    """The ``methods`` index entry of ``model.method``, found through the model's bases."""
    for owner, _ in project.class_mro(model):
        found = project.resolve_symbol(owner)
        if found is None or found[2] != "classes":
            continue
        entry = orm_facts(project.modules[found[0]]).get("methods", {}).get(f"{found[1]}.{method}")
        if entry is not None:
            return entry
    return None


def flow_facts(project: "ProjectIndex", module: str) -> dict:
    """The module's ``flow`` index facts (``index/extractors/flow.py``)."""
    facts = project.modules.get(module) if hasattr(project.modules, "get") else project.modules[module]
    return (facts or {}).get("extra", {}).get("flow", {})


def method_summary(project: "ProjectIndex", cls: str, method: str) -> Optional[tuple[str, str, str, dict]]:
    """(module, class, name, summary) of ``cls.method`` or of the first base class that defines it; for an
    interface the project implements once, of that implementation (``repositories.sole_implementation``)."""
    cls = sole_implementation(project, cls) or cls
    for name, facts in project.class_mro(cls):
        if facts is None:
            continue
        where = project.split(name)
        if where is None:
            continue
        summary = flow_facts(project, where[0]).get("methods", {}).get(f"{where[1]}.{method}")
        if summary is not None:
            return where[0], name, f"{where[1]}.{method}", summary
        if method in facts.get("methods", ()):
            return None  # defined there without a summary: it reaches no lookup
    return None


def _single_lookup_model(summary: dict, method: str) -> Optional[str]:
    """``def get_job(self, job_id): job = self.db.query(Job).filter(Job.id == job_id).one_or_none(); return
    job``: an unannotated getter of a data-access class whose summary returns what it looks up, one lookup of
    one model keyed on its own parameters: the row of that model."""
    fetches = summary.get("fetches", ())
    if not summary.get("returns") or len(fetches) != 1 or not method.startswith(("get", "find", "read", "fetch", "load")):
        return None
    keys = set(fetches[0].get("keys", ()))
    if not keys or not keys <= set(summary.get("params", ())):
        return None
    return fetches[0].get("model")


def helper_unscoped(
    project: "ProjectIndex",
    settings: "Settings",
    module: str,
    cls: Optional[str],
    name: str,
    summary: dict,
    _depth: int = 0,
    models: tuple[tuple[str, str], ...] = (),
    owner_values: bool = False,
) -> dict[str, tuple[str, tuple[str, ...], str]]:
    """Parameters of a project function or method that reach a lookup of an owned model with no owner
    predicate and no ownership comparison in the function that does it, directly or through the helpers
    it hands them to: ``{parameter: (model, call chain, "")}``. ``models``: the classes the caller hands to the
    function's model parameters (a generic getter, ``must_exist(db, Note, note_id)``: ``with_models``).
    With ``owner_values``, also the parameters that are the only value the lookup's owner column is compared
    with (``Payment.user_id == user_id``, nothing else on ``user_id``): ``(model, call chain, column)``; the
    owner is whoever the caller names, so a client's value there is a client key (RULES.md, BKL201)."""
    key = (
        "flow.unscoped", module, cls, name, models, owner_values,
        settings.identity_fields, settings.owned_models, settings.not_owned_models,
    )
    return project.memo(
        key, lambda: _helper_unscoped(project, settings, module, cls, name, with_models(summary, dict(models)), _depth, owner_values)
    )


def with_models(summary: dict, models: dict[str, str]) -> dict:
    """A generic getter's summary (its lookups on a model parameter, ``model_param`` of a ``flow`` fetch) with
    the classes its caller hands in: ``db.get(model, ident=key)`` called as ``must_exist(db, Note, note_id)``
    is a lookup of ``Note``. Lookups on a model parameter the caller fills with no class are dropped."""
    fetches = summary.get("fetches")
    if not fetches or not any("model_param" in f for f in fetches):
        return summary
    filled = [
        f if "model_param" not in f else dict(f, model=models[f["model_param"]])
        for f in fetches
        if "model_param" not in f or f["model_param"] in models
    ]
    return dict(summary, fetches=filled)


def handed_models(summary: dict, offset: int, given: Iterable[tuple[Union[int, str], str]]) -> tuple[tuple[str, str], ...]:
    """The classes a call hands to a generic getter's model parameters (``given``: argument position or keyword,
    class), by parameter name; ``offset`` 1 for a method's ``self``."""
    wanted = {f["model_param"] for f in summary.get("fetches", ()) if "model_param" in f}
    if not wanted:
        return ()
    params = summary.get("params", [])
    out: dict[str, str] = {}
    for where, q in given:
        param = where if isinstance(where, str) else (params[where + offset] if where + offset < len(params) else None)
        if param in wanted:
            out[param] = q
    return tuple(sorted(out.items()))


def held_method_decides(project: "ProjectIndex", cls: str, method: str) -> Optional[dict]:
    """``method`` of ``cls`` or of its first base defining it decides on two or more of the parameters it is
    given (``method_deciders`` of the ``flow`` index facts): ``{"how": "raise" | "verdict", "on": [parameters]}``;
    ``None`` otherwise. A method not named like a check must decide access on two of them (``access_groups``
    of its ``checks``: a refusal of the caller, an exception named for access, a predicate's answer), not its
    own business (``delete_report(report_id, user)`` raising a service error on the report's state)."""
    for name, facts in project.class_mro(cls):
        where = project.split(name) if facts is not None else None
        if where is None:
            continue
        flow = flow_facts(project, where[0])
        key = f"{where[1]}.{method}"
        found = flow.get("method_deciders", {}).get(key)
        if found is not None:
            if named_like_check(method):
                return found
            entry = flow.get("checks", {}).get(key)
            on = set(found.get("on", ()))
            if entry and any(len(on & set(g)) >= 2 for g in access_groups(project, entry)):
                return found
            return None
        if method in facts.get("methods", ()):
            return None
    return None


def held_decider_call(project: "ProjectIndex", cls: Optional[str], summary: dict) -> bool:
    """A method's summary calls a deciding method of a service its class holds, handing it one of its
    parameters (``self._permission.enforce(subject, "events.delete", f"organization/{event.organization_id}")``):
    the helper decides access itself (BKL202 there, when it knows who asks), like a ``checked`` summary."""
    if cls is None or not summary.get("calls"):
        return False
    for c in summary.get("calls", ()):
        target = c["target"]
        if not (target.startswith("self.") and target.count(".") in (1, 2) and c.get("args")):
            continue
        if target.count(".") == 1:
            held: Optional[str] = cls  # ``self._check_site_admin_permissions(user, site_id)``: its own class's
            method = target[5:]
        else:
            _self, attr, method = target.split(".")
            held = self_attribute_class(project, cls, attr)
        found = held_method_decides(project, held, method) if held is not None else None
        if found is None:
            continue
        where = project.split(held)
        params = [p for p in (flow_facts(project, where[0]).get("methods", {}).get(f"{where[1]}.{method}") or {}).get("params", ()) if p not in ("self", "cls")] if where else []
        handed = {params[i] if isinstance(i, int) and i < len(params) else i for i, _param in c["args"]}
        if handed & set(found["on"]):
            return True  # hands one of its parameters to what the method decides on
    return False


def _helper_unscoped(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict, depth: int,
    owner_values: bool = False,
) -> dict[str, tuple[str, tuple[str, ...], str]]:
    out: dict[str, tuple[str, tuple[str, ...], str]] = {}
    if summary.get("verdict"):
        return out  # a yes or no (``return query.first() is None``): no row leaves the helper (RULES: an existence oracle)
    short = name.rsplit(".", 1)[-1] if cls is None else name
    preds = set(summary.get("preds", ()))
    compared = set(summary.get("compared", ()))
    fields = set(project_identity_fields(project, settings))
    filters = summary.get("filters", {})
    # a check of its own, or a deciding method of a service it holds handed what it loaded
    checked = bool(summary.get("checked")) or held_decider_call(project, cls, summary)
    for fetch in _addressed_first(project, summary):
        found = project.get_class(fetch["model"])
        if found is None or not is_table_model(project, found[0]):
            continue
        model = found[0]
        if not is_owned(project, settings, model) or globally_scoped(project, model):
            continue
        cols = set(identity_columns(project, settings, model)) or fields
        # (the predicates of this lookup, when the summary could tell them from the other lookups')
        own = set(fetch["preds"]) if "preds" in fetch else preds
        if cols & own or cols & (set(fetch["compared"]) if "compared" in fetch else compared) or any(secret_key_column(project, model, p) for p in own) or checked:
            if owner_values and cols & own and not any(secret_key_column(project, model, p) for p in own) and not summary.get("checked"):
                for k, column in _owner_value_params(project, summary, model, cols & own).items():
                    out.setdefault(k, (model, (f"{short}()",), column))
            continue  # scoped in the query, checked in the helper (BKL202 there, when it knows who asks), or keyed on a secret
        for k in fetch.get("own_keys", fetch.get("keys", ())):
            if k in filters and not any(_identifying(project, settings, entry) for entry in filters[k]):
                continue  # compared only with attributes (``Message.lang == lang``): a listing's filter, not a key
            out.setdefault(k, (model, (f"{short}()",), ""))
    if depth >= 3 or fields & compared or checked:
        return out  # too deep, or the helper compares an owner itself: what it hands on is its own business
    params = summary.get("params", [])
    for c in summary.get("calls", ()):
        target = c["target"]
        sub: Optional[tuple[str, Optional[str], str, dict]] = None
        if target.startswith("self.") and cls is not None and target.count(".") == 2:
            sub = held_method_summary(project, cls, target)  # ``self._items.get_by_id(key)``
        elif target.startswith("self.") and cls is not None:
            sub = specialised(project, cls, method_summary(project, cls, target[5:]))
        else:
            found = project.resolve_symbol(target)
            if found is not None and found[2] == "functions":
                s = flow_facts(project, found[0]).get("functions", {}).get(found[1])
                if s is not None:
                    sub = (found[0], None, found[1], s)
            elif found is None and "." in target:
                # a class or static method called on a store class (``InteractionStore.delete(db, key)``), or a
                # method of a module-level instance of one (``chat_repo = ChatRepo()``, ``chat_repo.get(db, id)``)
                owner, _, method = target.rpartition(".")
                store = _store_class(project, owner) or _module_instance_class(project, owner)
                if store is not None:
                    sub = specialised(project, store, method_summary(project, store, method))
        if sub is None or (sub[0], sub[2]) == (module, name):
            continue
        if c.get("tested") and not sub[3].get("writes") and not sub[3].get("calls"):
            continue  # a getter whose row is only tested for presence here: a yes or no, no row used or changed
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0
        given = handed_models(sub[3], offset, c.get("models", ()))
        inner = helper_unscoped(project, settings, sub[0], sub[1], sub[2], sub[3], depth + 1, given, owner_values)
        if not inner:
            continue
        # (an id read off a parameter, ``msg.project_id``, is keyed on the parameter, as in a predicate)
        for where, param in [*c["args"], *c.get("attr_args", ())]:
            if param not in params or param in out:
                continue
            if isinstance(where, int):
                target_param = sub_params[where + offset] if where + offset < len(sub_params) else None
            else:
                target_param = where
            if target_param in inner:
                model, chain, column = inner[target_param]
                out[param] = (model, (f"{short}()",) + chain, column)
    return out


def _owner_value_params(project: "ProjectIndex", summary: dict, model: str, scoped: set[str]) -> dict[str, str]:
    """The parameters that are the only values a helper's predicates compare the identity columns ``scoped``
    of ``model`` with (``filters`` of the ``flow`` summary; no column of them is compared with anything else,
    ``bound``): ``{parameter: column}``. Empty when a visibility column is in the predicates (a listing of
    public rows besides one owner's may be intended) or the helper compares with what its object holds."""
    outside = set(summary.get("compared", ())) - set(summary.get("pred_compared", ()))
    if summary.get("held_preds") or (set(summary.get("bound", ())) | outside) & scoped:
        return {}  # (also compared with something else, or checked in Python: ``row.user_id != user_id``)
    if any(w in p.lower() for p in summary.get("preds", ()) for w in VISIBILITY_WORDS):
        return {}
    out: dict[str, str] = {}
    covered: set[str] = set()
    for param, entries in summary.get("filters", {}).items():
        for entry in entries:
            owner, _, column = entry.rpartition(":")
            found = project.get_class(owner) if column in scoped else None
            if found is not None and found[0] == model:
                out.setdefault(param, column)
                covered.add(column)
    return out if covered == scoped else {}


def dependency_row(project: Optional["ProjectIndex"], settings: "Settings", provider: Optional[str], model: str) -> Optional[str]:
    """``row: Article = Depends(validate_article)``: the owned model ``model`` when the dependency function
    ``provider`` hands on a row of it that it looked up by a key the client supplies (a plain, path or query
    parameter of the dependency) with no owner predicate and no ownership comparison of its own (its flow
    summary, through the helpers it calls: ``helper_unscoped``), and returns a value; or that receives such a
    row from another dependency and hands it on, not given the caller (so deciding nothing on who asks). The
    function receiving the row decides access to it, if anything does."""
    if project is None or not provider:
        return None
    key = ("queries.dependency_row", provider, model, settings.identity_fields, settings.owned_models, settings.not_owned_models)
    return project.memo(key, lambda: _dependency_row(project, settings, provider, model))


def _dependency_row(project: "ProjectIndex", settings: "Settings", provider: str, model: str, _depth: int = 0) -> Optional[str]:
    found = project.resolve_symbol(provider)
    if found is None or found[2] != "functions":
        return None
    if not (is_owned(project, settings, model) or _decided_table(project, settings, model)) or globally_scoped(project, model):
        return None
    summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1])
    if fn is None or (summary is not None and not summary.get("returns")):
        return None
    summary = summary or {}  # (no summary: no lookup, no comparison, nothing handed on; the receiver's type says it returns the row)
    keys = set()
    plain = ("str", "int", "UUID", "UUID4")
    for p in fn.get("params", ()):
        marker = last_segment(p.get("marker"))
        if (p.get("alias") and last_segment(p["alias"]) not in plain) or p.get("name") in ("self", "cls", "request", "websocket"):
            continue  # (an ``Annotated`` alias held in a name: a dependency, not a key)
        if marker in ("Path", "Query") or (not marker and (p.get("type") is None or last_segment(p.get("type")) in plain)):
            keys.add(p.get("name"))
    canonical = project.canonical(model)
    if not keys:
        # ``validate_edit_pending(edit: Edit = Depends(validate_edit_id)) -> Edit``: a dependency that receives
        # the row from another one and hands it on, comparing no owner itself
        cols = set(identity_columns(project, settings, model)) | set(project_identity_fields(project, settings))
        if cols & set(summary.get("compared", ())) or _depth >= 4:
            return None
        if any((k := param_dependency(project, settings, p)).kind is not None and not k.resource for p in fn.get("params", ())):
            return None  # given the caller: it may decide on the row itself (a check the index does not summarise)
        for p in fn.get("params", ()):
            if (
                p.get("dependency") and not p.get("called") and p.get("type") and project.canonical(p["type"]) == canonical
                and p["dependency"] != provider and _dependency_row(project, settings, p["dependency"], model, _depth + 1)
            ):
                return model
        return None
    if _asks_principal_object(project, settings, fn):
        return None
    if not is_owned(project, settings, model):
        # a table the project's checks decide on (``_decided_table``): looked up here by the client's key, with
        # nothing checked on the way (``get_problem_by_id(id) -> ProblemORM``)
        if summary.get("checked") or held_decider_call(project, None, summary):
            return None
        for fetch in summary.get("fetches", ()):
            if project.canonical(fetch["model"]) == canonical and keys & set(fetch.get("own_keys", fetch.get("keys", ()))):
                return model
        return None
    reached = helper_unscoped(project, settings, found[0], None, found[1], summary)
    for k in keys:
        if k in reached and project.canonical(reached[k][0]) == canonical:
            return model
    return None


def _asks_principal_object(project: "ProjectIndex", settings: "Settings", fn: dict) -> bool:
    """The dependency is given the caller as an object that decides access (``auth: Rules =
    Depends(get_rules)``, ``knowledge.auth.authenticating_class``) and calls one of its methods: it decides on
    the row itself (``auth.assert_jobs(job.owner_id)``, reported there), a check the flow summary does not hold."""
    called = set(fn.get("name_calls", ()))
    for p in fn.get("params", ()):
        kind = param_dependency(project, settings, p)
        cls = authenticating_class(project, kind.principal_type) if kind.kind is not None and not kind.resource else None
        if cls is None:
            continue
        found = project.get_class(cls)
        methods = set(found[1].get("methods", ())) if found is not None else set()
        if called & methods or any(c.partition(".")[0] == p.get("name") and c.partition(".")[2] in methods for c in fn.get("calls_out", ())):
            return True
    return False


def held_method_summary(project: "ProjectIndex", cls: str, target: str) -> Optional[tuple[str, str, str, dict]]:
    """``self.<attribute>.<method>`` in a method of ``cls``: the summary of that method of the class ``__init__``
    keeps there (``knowledge.repositories``)."""
    _, attr, method = target.split(".")
    held = self_attribute_class(project, cls, attr)
    if held is None:
        return None
    return specialised(project, held, method_summary(project, held, method))


def _identifying(project: "ProjectIndex", settings: "Settings", entry: str) -> bool:
    model, _, column = entry.rpartition(":")
    found = project.get_class(model)
    if found is None or not is_table_model(project, found[0]):
        return True
    return identifying_column(project, settings, found[0], column)


def function_queries(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> FunctionQueries:
    return ctx.cached(("queries.function", id(func)), lambda: _Analyzer(ctx, func, identity).run())


def owned_site_model(ctx: "FileContext", site: Site) -> Optional[str]:
    """The first entity of the site that is owned and not scoped globally."""
    for model in site.entities:
        if is_owned(ctx.project, ctx.settings, model) and not globally_scoped(ctx.project, model):
            return model
    return None


# --- findings shared by BKL201 and BKL202 ------------------------------------------------------------------

@dataclass
class IsolationFindings:
    unscoped: list[tuple[Site, str]] = field(default_factory=list)  # (site, owned model)
    checked_after: list[tuple[cst.CSTNode, str]] = field(default_factory=list)  # (comparison, owned model)
    untied: list[tuple[cst.CSTNode, str, str, tuple[str, ...]]] = field(default_factory=list)  # FunctionQueries.untied
    untied_children: list[tuple[cst.CSTNode, str, str, str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    helper_checks: dict[int, Comparison] = field(default_factory=dict)  # id(call) -> an authorisation helper's check
    # id(comparison) -> the row's column compared with the principal when it is none of the identity fields
    compared_columns: dict[int, str] = field(default_factory=dict)
    # id(comparison) -> (local, model) of the client-keyed row the checked row was looked up from (``Val.origin``):
    # the check decides access to that row, which the message names
    origins: dict[int, tuple[str, str]] = field(default_factory=dict)
    identity: Optional[Identity] = None
    queries: Optional[FunctionQueries] = None


def isolation_findings(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> IsolationFindings:
    """BKL201 sites and BKL202 comparisons of one function, decided together (one finding per fetch)."""
    return ctx.cached(("queries.isolation", id(func)), lambda: _isolation(ctx, func, identity))


def _isolation(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> IsolationFindings:
    out = IsolationFindings(identity=identity)
    if not identity.in_scope and not identity.router_auth:
        return out
    fq = function_queries(ctx, func, identity)
    out.queries = fq
    project, settings = ctx.project, ctx.settings
    seen: set = set()
    # a row looked up by an attribute of another fetched row (``tenant = ...where(Tenant.id == role.tenant_id)``):
    # comparing its owner with the principal decides access to that other row (``tenant.owner_id != owner_id``)
    named_sites: dict[str, Site] = {}
    for site in fq.sites:
        for name in site.row_names:
            named_sites.setdefault(name, site)
    checks: list[Comparison] = []
    for check in fq.checks:
        row = check.row
        if not row.model and len(row.sites) > 1 and not row.scoped:
            # a row of one of several models, one per way: the check decides on the lookup of each way; the
            # first owned one is named, the others are checked by the same call (one finding per check)
            owned = [(s, owned_site_model(ctx, s)) for s in row.sites]
            owned = [(s, m) for s, m in owned if m is not None]
            if owned:
                for s, _ in owned[1:]:
                    s.checked_after.append(check.node)
                checks.append(replace(check, row=replace(row, sites=tuple(s for s, _ in owned[:1]), model=owned[0][1])))
            continue
        if (row.sites and (row.scoped or not any(s.unscoped for s in row.sites))) or (not row.sites and row.scoped and row.keys):
            for parent in _parent_sites(row, named_sites):
                model = owned_site_model(ctx, parent)
                if model is not None:
                    checks.append(replace(check, row=Val(sites=(parent,), rows=True, model=model)))
                    break
            else:
                checks.append(check)
        else:
            checks.append(check)
    # several checks of one row: report the principal's (``tenant.owner_id != owner_id``), not a comparison
    # with values only derived from another loaded row (the target user's tenants)
    checks.sort(key=lambda c: not c.direct)
    # rows checked themselves (``if checklist.author_id != user.id``): a check of their parent decides nothing more
    checked_locals = {
        c.name for c in checks
        if c.name is not None and c.row.origin is None and c.row.repo and c.row.model
        and is_owned(project, settings, c.row.model)
    }
    guarded = route_path_guards(ctx, func) if identity.route is not None else frozenset()
    if identity.route is not None:
        guarded |= decorator_verified_keys(ctx, func, identity.principals)
    owned_checks = {id(c.node) for c in checks if c.row.model and is_owned(project, settings, c.row.model)}
    for check in checks:
        row = check.row
        key_only = _key_only_scoped(check, identity)
        if (row.scoped and not key_only) or row.opaque or not row.model:
            continue
        if guarded and row.sites and all(_guarded_site(s, guarded) for s in row.sites):
            continue  # the row's key was verified before the route ran: the check here decides nothing new
        if globally_scoped(project, row.model):
            continue
        if not is_owned(project, settings, row.model) and (id(check.node) in owned_checks or not _helper_decided_row(ctx, func, identity, check)):
            continue  # (a check that decides on an owned row too is reported for that row: one finding per check)
        if row.sites and not key_only and not any(s.unscoped for s in row.sites):
            continue
        if not row.sites and not row.repo:
            continue
        key = tuple(id(s) for s in row.sites) or ("repo", id(check.node))
        if row.origin is not None:
            # one finding per client-keyed row, at the first check of its chain (``card -> column -> board``)
            if row.origin[0] in checked_locals:
                continue
            key = ("origin", row.origin[0])
        if key in seen:
            continue
        seen.add(key)
        for s in row.sites:
            s.checked_after.append(check.node)
        out.checked_after.append((check.node, row.model))
        if row.origin is not None:
            out.origins[id(check.node)] = row.origin
        if check.helper is not None:
            out.helper_checks[id(check.node)] = check
        elif check.column is not None:
            out.compared_columns[id(check.node)] = check.column
    gate = identity.route is None and _access_gate(func, identity, {n for s in fq.sites for n in s.row_names})
    for site in fq.sites:
        model = owned_site_model(ctx, site)
        if model is None or not site.unscoped or site.checked_after or site.owner_gated or site.refetched:
            continue
        if gate:
            continue
        if guarded and _guarded_site(site, guarded):
            continue  # a route dependency (or decorator) loads the row by this parameter and decides on the caller
        if identity.router_auth and not _client_keyed(ctx, func, identity, site):
            continue  # authenticated, no caller in scope: only a lookup by the client's key is claimed
        if identity.global_caller and site.kind in ("select", "query") and not (site.key_names or site.via or site.pred_nodes):
            # a Flask view handed no caller (a decorator authenticates it, the caller is a global): a listing
            # keyed on nothing is the view's catalogue (rules, templates, groups), as for a route whose router
            # authenticates; only a lookup by a key is claimed
            continue
        if _roster_read(ctx, site, model):
            continue
        if _keyed_by_caller(identity, site):
            continue
        if fq.checks and _existence_only(func, site):
            continue
        if _existence_only(func, site, refusing=True):
            continue  # ``if existing: raise HTTPException(400, "already registered")``: a uniqueness refusal
        if _uniqueness_probe(func, site):
            continue  # ``if existing.scalar_one_or_none(): slug = f"{slug}-{suffix}"``: a free value picked

        if _yes_no_lookup(func, site):
            continue  # only tested for presence (or counted): a yes or no, no row returned, changed or used
        if _child_of_checked_parent(func, site, fq.sites):
            continue  # keyed on the key of a parent just loaded with the owner predicate (refused when missing)
        if _merged_into_guarded(ctx, func, site, model):
            continue  # handed only to a method of another row that leaves unless both share the owner column
        if _key_for_caller_query(func, site, fq.sites):
            continue
        if _secret_gated(func, site):
            continue
        if _public_read(ctx, func, site, model, identity):
            continue
        out.unscoped.append((site, model))
    if not gate and not identity.router_auth:
        out.untied = [u for u in fq.untied if not (guarded and _guarded_node(fq, u[0], guarded))]
    if not gate:
        out.untied_children = list(fq.untied_children)
    return out


def public_models(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Owned models whose rows the project serves to every caller: a request handler that is not admin-only and
    never reads the caller (no principal parameter, or one it leaves unused) selects the model with no
    predicate on its identity columns and no key from a parameter, itself or in a project function it calls
    (a feed, ``select(Pin).order_by(...).offset(o).limit(n)``; a search over every row; a directory listed by a
    service, ``event_service.get_paginated_events(params)``). Reading one such row by its id reveals nothing
    the listing does not (``_public_read``); the listing itself is still reported where the caller is in scope."""
    if project is None:
        return frozenset()
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.admin_dependencies,
           settings.principal_parameters)

    def listed(summary: dict) -> set[str]:
        """The owned models the function lists in full: no predicate at all (``lists``), or a lookup keyed on a
        parameter whose predicates name only plain columns (``selects``, no column that is a key, an identity or
        a capability: ``Clinician.field == field``, ``Doctor.specialization.ilike(...)``); a predicate on a value
        that is no parameter (``Purchase.receipt_ref == str(receipt.id)``) keys no listing."""
        out: set[str] = set(summary.get("lists", ()))
        if summary.get("selects") and not summary.get("bound") and not summary.get("held_preds"):
            preds = set(summary.get("preds", ()))
            filtered = {c.rpartition(":")[2] for cols in summary.get("filters", {}).values() for c in cols}
            plain = bool(summary.get("fetches")) and not any(
                c in PRIMARY_KEY_NAMES or _key_name(c) or capability_column(c) or c in ("slug", "name", "email") or c in settings.identity_fields
                for c in preds | filtered
            )
            if plain:  # (``Doctor.specialization.ilike(f"%{specialization}%")``, ``Doctor.is_active == True``)
                out |= set(summary["selects"])
        found: set[str] = set()
        for m in out:
            cls = project.get_class(m)
            if cls is not None and is_owned(project, settings, cls[0]) and not set(summary.get("preds", ())) & set(identity_columns(project, settings, cls[0])):
                found.add(cls[0])
        return found

    def build() -> tuple[frozenset[str], dict[str, int]]:
        principals = principal_classes(project, settings)
        callers = set(settings.principal_parameters) | set(settings.identity_fields)
        found: set[str] = set()
        open_summaries: list[dict] = []  # the summaries of routes that never read the caller, and of their callees
        routes_listing: dict[str, set[str]] = {}  # model -> the modules whose routes list it in full
        for mod, facts in project.iter_modules():
            if _test_module_name(mod):
                continue
            summaries = flow_facts(project, mod).get("functions", {})
            for name, fn in orm_facts(facts).get("functions", {}).items():
                summary = summaries.get(name)
                if not summary or not fn.get("route") or fn.get("admin_gate") or admin_decorated(project, fn):
                    continue
                said = " ".join(f"{p.get('dependency') or ''} {p.get('alias') or ''} {p.get('kwargs') or ''}" for p in fn.get("params", ()))
                if any(w in said.lower() for w in ADMIN_WORDS) or any(w in said for w in settings.admin_dependencies):
                    continue  # (an admin lists every row: that says nothing of what users see)
                if any(any(w in last_segment(r).lower() for w in _STAFF_WORDS) for r in fn.get("refs_out", ())):
                    continue  # (``dependencies=[Depends(require_platform_staff)]`` on the route's decorator)
                unused = set(summary.get("unused", ()))
                reads_caller = any(
                    p.get("name") not in unused and (
                        p.get("name") in callers
                        or (p.get("type") and project.canonical(p["type"]) in principals)
                        or param_dependency(project, settings, p).kind == "auth"
                    )
                    for p in fn.get("params", ())
                )
                if reads_caller:
                    continue  # (the caller is read: a listing here may be scoped in ways the summary cannot see)
                here = listed(summary)
                open_summaries.append(summary)
                typed = {p.get("name"): p.get("type") for p in fn.get("params", ()) if p.get("type")}
                for c in summary.get("calls", ()):
                    target = c.get("target", "")
                    head, _, method = target.partition(".")
                    cls = project.get_class(typed[head]) if head in typed and method and "." not in method else None
                    if cls is not None:  # ``event_service.list_events(...)`` with ``event_service: EventService = Depends()``
                        sub = specialised(project, cls[0], method_summary(project, cls[0], method))
                    else:
                        sub = _summary_of_call(project, None, target)
                    if sub is not None and sub[3] is not summary:
                        here |= listed(sub[3])
                        open_summaries.append(sub[3])
                found |= here
                for m in here:
                    routes_listing.setdefault(m, set()).add(mod)
        if found:
            found |= _public_children(project, settings, open_summaries, frozenset(found))
        return frozenset(found), {m: len(r) for m, r in routes_listing.items()}

    return project.memo(("queries.public_models", key), build)[0]


def public_listings(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, int]:
    """For each public model (``public_models``), in how many modules request handlers that never read the
    caller list it in full (the feed, a cached copy of the feed in a module of its own, a tag browser): handlers
    of one module alone may repeat one forgotten owner filter (and a caller read only in a ``lambda`` looks
    unread to a flow summary)."""
    if project is None:
        return {}
    public_models(project, settings)
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.admin_dependencies,
           settings.principal_parameters)
    return project.memo(("queries.public_models", key), lambda: (frozenset(), {}))[1]


def _public_children(project: "ProjectIndex", settings: "Settings", summaries: list[dict], public: frozenset[str]) -> set[str]:
    """Owned models listed under a public parent: a route that never reads the caller (``public_models``' routes,
    and the project functions they call) looks the model's rows up by a foreign key to a public model and by
    plain columns only (the comments of a pin, ``select(Comment).where(Comment.pin_id == pin_id)``; the likes of a
    pin counted), so any caller reads them beside the parent; read to a fixed point (the replies of a public
    comment, ``Comment.comment_id == comment_id``). A model the project also collects per owner (a lookup whose
    only predicates on the model are its identity columns: ``select(Order).where(Order.user_id == user.id)``, the
    caller's own orders) is no such content and stays private, whatever a route lists by its parent."""
    per_owner: set[str] = set()
    for mod, _facts in project.iter_modules():
        if _test_module_name(mod):
            continue
        for summary in flow_facts(project, mod).get("functions", {}).values():
            for fetch in summary.get("fetches", ()):
                cls = project.get_class(fetch.get("model") or "")
                if cls is None or not is_owned(project, settings, cls[0]):
                    continue
                cols = set(fetch["preds"]) if "preds" in fetch else set(summary.get("preds", ()))
                owners = set(identity_columns(project, settings, cls[0]))
                if cols and cols <= owners:
                    per_owner.add(cls[0])
    found: set[str] = set()
    known = set(public)
    changed = True
    while changed:
        changed = False
        for summary in summaries:
            if summary.get("bound") or summary.get("held_preds"):
                continue
            for fetch in summary.get("fetches", ()):
                cls = project.get_class(fetch.get("model") or "")
                if cls is None or cls[0] in known or cls[0] in per_owner or not is_owned(project, settings, cls[0]):
                    continue
                model = cls[0]
                cols = set(fetch["preds"]) if "preds" in fetch else set(summary.get("preds", ()))
                owners = set(identity_columns(project, settings, model))
                if not cols or cols & owners or cols & PRIMARY_KEY_NAMES:
                    continue
                parents = {c for c in cols if referenced_model(project, model, c) in known}
                if not parents or any(
                    c not in parents and (_key_name(c) or capability_column(c) or c in ("slug", "name", "email") or c in settings.identity_fields)
                    for c in cols
                ):
                    continue
                found.add(model)
                known.add(model)
                changed = True
    return found


# the attributes that name an account (``user.username != "root"``)
_ACCOUNT_NAME_ATTRS = frozenset({"username", "user_name", "login", "email", "handle"})


def _named_account_test(test: cst.Comparison) -> Optional[str]:
    """A comparison of an account's name (``.username`` / ``.email`` / ``.login``) with string literals only:
    "negated" when it holds for every account but the named ones (``!=`` / ``not in``), "positive" for ``==`` /
    ``in``. The code lets named accounts through, which is a hard-coded administrator gate."""
    if len(test.comparisons) != 1 or not isinstance(test.left, cst.Attribute) or test.left.attr.value not in _ACCOUNT_NAME_ATTRS:
        return None
    target = test.comparisons[0]
    right = target.comparator
    values = [e.value for e in right.elements] if isinstance(right, (cst.List, cst.Tuple, cst.Set)) else [right]
    if not values or not all(isinstance(v, cst.SimpleString) and v.value.strip("'\"bBrRuU") for v in values):
        return None  # (an empty string is a presence test, not a name)
    if isinstance(target.operator, (cst.NotEqual, cst.NotIn)):
        return "negated"
    if isinstance(target.operator, (cst.Equal, cst.In)):
        return "positive"
    return None


def _session_or_grants(name: str) -> bool:
    """An argument of a permission check that is neither the caller nor what is asked about: the session, or the
    service that holds the grants (``service=service``)."""
    return name in ("db", "db_session", "session") or name.lower().endswith(("service", "svc"))


def _every_resource(constants: Sequence[str]) -> bool:
    """Constants of a permission check, past the first (the action), that ask about every resource of the
    project or of a kind: a wildcard (``"*"``, ``"course_site/*"``) or a collection's root (``"article/"``).
    Only a grant on every such resource answers, so the check names no row: it asks who the caller is site-wide
    (as ``require_global(key)`` does, a permission with its scope left out), and what follows is no
    object-level decision (``enforce(subject, "hiring.summary", "*")``, ``enforce(subject, "article.list",
    "article/")``). A resource built from a key (``f"course_site/{site_id}"``) is not one."""
    for c in constants[1:]:
        text = c.strip()
        if text[:1] in "\"'" and text[-1:] == text[:1]:
            text = text.strip("\"'")
        elif "'" in text or '"' in text:
            continue  # (a prefixed string: ``b"*"``, ``r"..."``)
        if text == "*" or (len(text) > 1 and text.endswith(("/", "/*", ":*")) and " " not in text):
            return True
    return False


# words of a gate named in a route's decorator (``dependencies=[Depends(require_platform_staff)]``)
_STAFF_WORDS = ADMIN_WORDS + ("staff", "privileg", "platform", "root", "moderat", "manage")


# calls that write rows: a function that makes one is not only reading what it fetched
_WRITE_CALLS = frozenset({
    "insert", "update", "delete", "add", "add_all", "merge", "commit", "flush", "setattr", "bulk_save_objects",
    "bulk_update_mappings", "bulk_insert_mappings", "remove", "save", "upsert",
})


# the first word of a project function that writes (``update_doctor``, ``mark_printed``); ``append`` / ``join``
# are list and string methods as often as anything
_WRITE_VERBS = (_WRITER_VERBS - {"append", "join"}) | {
    "patch", "edit", "modify", "write", "put", "deactivate", "reactivate", "archive", "restore", "assign", "mark",
    "toggle", "change", "rename", "move", "upload", "attach", "detach", "approve", "reject", "cancel", "bulk", "replace",
}
_READ_VERBS = ("get", "find", "read", "fetch", "load", "list", "search", "count", "retrieve", "show", "view", "by_")


def _public_read(ctx: "FileContext", func: cst.FunctionDef, site: Site, model: str, identity: Optional[Identity] = None) -> bool:
    """A row of a model the project serves to every caller (``public_models``) looked up by a key and only
    read: a plain lookup, or one through project helpers each named for a read (``get_*``, ``find_*``, ``list_*``,
    ...), in a function that writes nothing (no ``insert`` / ``update`` /
    ``delete`` / ``add`` / ``commit`` call, no attribute assigned on an object) but the caller's own rows: an
    ``insert`` / ``update`` / ``delete`` statement that sets or tests an identity column with the caller
    (``insert(Like).values(user_id=user_id, pin_id=pin_id)``, ``delete(Like).where(Like.user_id == user_id)``), and
    the ``commit`` / ``flush`` that follow. An update or a delete of the public row itself, or any other write
    beside the read (tags attached to it, a link row with no owner), is still reported."""
    if site.via:
        # through project helpers: each named for a read (``get_doctor_by_id`` -> ``Repo.get``)
        if not all(last_segment(c.rstrip("()")).lstrip("_").startswith(_READ_VERBS) for c in site.via):
            return False
    elif site.kind not in ("select", "query", "get"):
        return False
    elif not site.key_names and not _served_listing(ctx, func, site, model, identity):
        return False
    if model not in public_models(ctx.project, ctx.settings):
        return False
    own = _callers_own_writes(ctx, func, identity) if identity is not None else set()
    containers = _local_containers(func)
    for node in cst_walk(func.body):
        if isinstance(node, cst.Call):
            if id(node) in own:
                continue
            f = node.func
            name = f.attr.value if isinstance(f, cst.Attribute) else (f.value if isinstance(f, cst.Name) else "")
            if own and name in ("commit", "flush", "refresh"):
                continue  # (committing the caller's own row)
            if name in _WRITE_CALLS or ("_" in name.strip("_") and name.lstrip("_").split("_", 1)[0] in _WRITE_VERBS):
                return False  # (``db.add(row)``, ``service.update_doctor(...)``)
        elif isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            if any(
                isinstance(t, cst.Attribute)
                or (isinstance(t, cst.Subscript) and not (isinstance(t.value, cst.Name) and t.value.value in containers))
                for t in targets
            ):
                return False  # (``result[pin.id] = pin`` fills a dict made here: no row written)
    return True


def _local_containers(func: cst.FunctionDef) -> set[str]:
    """Names bound in ``func`` to a new dict, list or set only (``result = {}``, ``seen: dict[int, Pin] = dict()``):
    what is stored in them is the function's own, no row."""
    made: set[str] = set()
    other: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            value = node.value
            fresh = isinstance(value, (cst.Dict, cst.List, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)) or (
                isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in ("dict", "list", "set", "defaultdict")
            )
            for t in targets:
                if isinstance(t, cst.Name):
                    (made if fresh else other).add(t.value)
    return made - other


def _served_listing(ctx: "FileContext", func: cst.FunctionDef, site: Site, model: str, identity: Optional[Identity]) -> bool:
    """A listing keyed on nothing (``select(Pin).order_by(...).offset(o).limit(n)``) in a function that never
    reads the caller, of a model such handlers in two modules or more list in full (``public_listings``: the
    feed, its cached copy, the first pin of every tag): the project serves the rows to everyone on purpose. The
    listings of one module alone stay reported (a forgotten owner filter looks the same)."""
    if identity is None or site.via or site.pred_nodes:
        return False
    if public_listings(ctx.project, ctx.settings).get(model, 0) < 2:
        return False
    names = identity.names()
    return not any(isinstance(n, cst.Name) and n.value in names for n in cst_walk(func.body))


def _callers_own_writes(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> set[int]:
    """The ``insert(...)`` / ``update(...)`` / ``delete(...)`` calls of ``func`` whose statement (the chain of calls
    built on them) sets an identity column to the caller (``.values(user_id=user_id)``) or tests one against it
    (``.where(Like.user_id == user_id)``): writes of the caller's own rows. Empty when any such write is not."""
    callers = identity.names()
    columns = set(ctx.settings.identity_fields)
    if not callers:
        return set()

    def caller_value(node: cst.BaseExpression) -> bool:
        text = dotted_name(node) or ""
        return bool(text) and (text in callers or text.split(".", 1)[0] in identity.principals)

    def owns(expr: cst.CSTNode) -> bool:
        for n in cst_walk(expr):
            if isinstance(n, cst.Arg) and n.keyword is not None and n.keyword.value in columns and caller_value(n.value):
                return True
            if isinstance(n, cst.Comparison) and len(n.comparisons) == 1 and isinstance(n.comparisons[0].operator, cst.Equal):
                left, right = n.left, n.comparisons[0].comparator
                for a, b in ((left, right), (right, left)):
                    if isinstance(a, cst.Attribute) and a.attr.value in columns and caller_value(b):
                        return True
        return False

    # the outermost call chains: ``insert(M).values(...).returning(M)`` is one statement
    found: set[int] = set()
    inner: set[int] = set()
    for node in cst_walk(func.body):
        if not isinstance(node, cst.Call) or id(node) in inner:
            continue
        chain: list[cst.Call] = []
        cur: cst.BaseExpression = node
        while isinstance(cur, cst.Call):
            chain.append(cur)
            inner.add(id(cur))
            cur = cur.func.value if isinstance(cur.func, cst.Attribute) else cur.func
        base = chain[-1]
        if isinstance(base.func, cst.Name) and base.func.value in ("insert", "update", "delete"):
            if not owns(node):
                return set()
            found.add(id(base))
    return found


# class methods of a model that build a row rather than look one up (``from_schema``, ``create``, ``new``)
_CONSTRUCTOR_PREFIXES = ("from_", "create", "new", "build", "make")


def client_value_function(project: "ProjectIndex", q: str) -> bool:
    """``q`` names a project function, or a method of a project class, that returns a value the client sent in
    a header, the query string or a cookie, unchecked (``extractors.orm.returns_client_value``)."""
    found = project.resolve_symbol(q)
    if found is not None and found[2] == "functions":
        return found[1] in orm_facts(project.modules[found[0]]).get("client_values", ())
    owner, _, method = q.rpartition(".")
    cls = project.get_class(owner) if owner else None
    if cls is None:
        return False
    mod, _, short = cls[0].rpartition(".")
    return mod in project.modules and f"{short}.{method}" in orm_facts(project.modules[mod]).get("client_values", ())


def helper_checked_tables(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """Tables with no identity column whose rows the project hands to its own checks: a function or method
    named like a check (``named_like_check``) with a parameter annotated with the table (``def
    __check_authorized(self, current_user, connection: Optional[LLMConnection])``, ``def _enforce_job_access(
    self, job: JobRecord, ...)``). A row of one loaded by a key and handed to such a helper with the principal
    is decided after the load (``_helper_decided_row``); family 2's screens let the names reaching these
    tables through. Tables named like the principal's (``User``) and the principal classes are not: a user
    handed to a membership check is asked about, not guarded."""
    if project is None:
        return frozenset()
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.principal_parameters)

    def build() -> frozenset[str]:
        principals = principal_classes(project, settings)
        found: set[str] = set()
        for _, facts in project.iter_modules():
            orm = orm_facts(facts)
            typed: list[tuple[str, Iterable[Optional[str]]]] = [
                (name, (p.get("type") for p in fn.get("params", ()))) for name, fn in orm.get("functions", {}).items()
            ]
            typed += [(name.rsplit(".", 1)[-1], entry.get("arg_types", {}).values()) for name, entry in orm.get("methods", {}).items()]
            for name, types in typed:
                if not named_like_check(name):
                    continue
                for t in types:
                    cls = project.get_class(t) if t else None
                    if cls is None or cls[0] in principals or USER_CLASS.search(last_segment(cls[0])):
                        continue
                    if is_table_model(project, cls[0]) and not is_owned(project, settings, cls[0]):
                        found.add(cls[0])
        found.update(loaded_then_decided(project, settings))
        return frozenset(found)

    return project.memo(("queries.helper_checked_tables", key), build)


def _decided_table(project: "ProjectIndex", settings: "Settings", model: str) -> bool:
    return model in helper_checked_tables(project, settings)


def _deciding_call(project: "ProjectIndex", cls: Optional[str], target: str) -> Optional[str]:
    """The name of a call's target when it decides access (``flow`` facts ``checks``): a project function or
    method named like a check that decides on what it is given, or one deciding access whatever its name
    (``access_groups``: a 401 / 403 / 404 refusal, an access-named exception, a verdict); a library's callee
    by its name alone (``named_like_check``). ``None`` otherwise."""
    last = last_segment(target)
    sub = project_callee(project, cls, target)
    if sub is None:
        if not last[:1].isupper() and project.resolve_symbol(target) is None and named_like_check(last):
            return last
        return None
    entry = flow_facts(project, sub[0]).get("checks", {}).get(sub[2])
    if not entry:
        return None
    if (named_like_check(last) and entry.get("groups")) or access_groups(project, entry):
        return last
    return None


# tables that are the scope permissions are granted on (an organisation, a tenant, a workspace, an account): a
# check of the caller on one is about the scope itself, found by the key it is checked by, not a row owned in it
_SCOPE_TABLE = re.compile(r"(?i)^(?:organi[sz]ation|org|tenant|workspace|account|company)(?:entity|model|orm|table|db)?$")


def loaded_then_decided(project: Optional["ProjectIndex"], settings: "Settings") -> dict[str, tuple[str, str]]:
    """Tables with no identity column whose rows a project function holds (a parameter annotated with the
    table, a dependency's row, a lookup of its own or a project helper returning the row) while it calls an
    access decision (``_deciding_call``): ``{table: (function, decision)}``, the first such function. Only a
    candidate: a row of one is decided after its load when the row itself (or an attribute of it) is handed
    to that decision together with who asks (``_helper_decided_row``, BKL202 at the call). Tables named like
    the principal's and the principal classes are not: a user handed to a check is asked about."""
    if project is None:
        return {}
    key = (settings.identity_fields, settings.owned_models, settings.not_owned_models, settings.principal_parameters)

    def build() -> dict[str, tuple[str, str]]:
        principals = principal_classes(project, settings)
        found: dict[str, tuple[str, str]] = {}

        def table(name: Optional[str]) -> Optional[str]:
            cls = project.get_class(name) if name else None
            if cls is None or cls[0] in principals or USER_CLASS.search(last_segment(cls[0])):
                return None
            if _SCOPE_TABLE.search(last_segment(cls[0])):
                return None  # the scope a permission is granted on, found to check it (``enforce(user, f"organization/{org.id}")``)
            if not is_table_model(project, cls[0]) or is_owned(project, settings, cls[0]):
                return None  # (a Core table's rows handed around as objects are not followed: no finding needs them yet)
            return cls[0]

        def returned(cls: Optional[str], target: str) -> Optional[str]:
            sub = project_callee(project, cls, target)
            if sub is None:
                return None
            orm = orm_facts(project.modules[sub[0]])
            if sub[1] is None:
                return (orm.get("functions", {}).get(sub[2]) or {}).get("returns")
            short, _, method = sub[2].rpartition(".")
            return orm.get("method_returns", {}).get(short, {}).get(method)

        deciding: dict[tuple[Optional[str], str], Optional[str]] = {}

        def decision_of(owner: Optional[str], target: str) -> Optional[str]:
            k = (owner if target.startswith("self.") else None, target)
            if k not in deciding:
                deciding[k] = _deciding_call(project, owner, target)
            return deciding[k]

        for mod, facts in project.iter_modules():
            orm = orm_facts(facts)
            flow = flow_facts(project, mod)
            entries = [
                (name, None, fn, [p.get("type") for p in fn.get("params", ())], flow.get("functions", {}).get(name) or {})
                for name, fn in orm.get("functions", {}).items()
            ]
            for name, fn in orm.get("methods", {}).items():
                owner = f"{mod}.{name.rsplit('.', 1)[0]}"
                types = list(fn.get("arg_types", {}).values()) + [p.get("type") for p in fn.get("params", ())]
                entries.append((name, owner, fn, types, flow.get("methods", {}).get(name) or {}))
            for name, owner, fn, types, summary in entries:
                calls = list(fn.get("calls_out", ()))
                # ``pets.get_pet(pet_id)`` on a parameter annotated with a service class (``pets: IPetsService``)
                typed = {p.get("name"): p.get("type") for p in fn.get("params", ()) if p.get("type")}
                typed.update(fn.get("arg_types", {}))
                calls += [f"{typed[head]}.{rest}" for c in calls if (head := c.partition(".")[0]) in typed and (rest := c.partition(".")[2]) and "." not in rest]
                decision = next((d for c in calls if (d := decision_of(owner, c)) is not None), None)
                if decision is None:
                    continue
                held = [table(t) for t in types]
                held += [table(r) for r in fn.get("refs_out", ())]
                held += [table(f.get("model")) for f in summary.get("fetches", ())]
                held += [table(returned(owner, c)) for c in calls]
                for t in held:
                    if t is not None and t not in found:
                        found[t] = (f"{mod}.{name}", decision)
        return found

    return project.memo(("queries.loaded_then_decided", key), build)


def _helper_decided_row(ctx: "FileContext", func: cst.FunctionDef, identity: Identity, check: Comparison) -> bool:
    """A row of a table with no identity column (``LLMConnection`` tied to organisations many-to-many, a
    ``JobRecord`` keyed by ``organisation_id``) loaded by a key and handed whole, with the principal, to an
    authorisation helper (``self.__check_authorized(current_user, connection)``): the project itself decides
    who may reach the row, after the load (BKL202 at the helper). Only BKL202: with no scoping column known,
    a load of the model that nothing checks is not claimed."""
    project, settings = ctx.project, ctx.settings
    model = check.row.model
    if check.helper is None or check.name is None or check.column is not None or not is_table_model(project, model):
        return False
    if model not in helper_checked_tables(project, settings) or not isinstance(check.node, cst.Call):
        return False
    row = check.row
    if not (row.trusted and row.repo) and not row.lookup and not row.keys and not any(s.key_names for s in row.sites):
        return False  # (rows listed, not looked up by a key: ``for ws in repo.list_all(): perms(user, ws.id)``)
    func_node = check.node.func
    if isinstance(func_node, cst.Attribute) and isinstance(func_node.value, cst.Name) and func_node.value.value in identity.principals:
        # a method of the principal object (``auth.assert_channel_read(channel)``): rows it decides on with no
        # identity column are the tenants it grants (a channel, a workspace by name), not rows owned in them
        return False
    # handed who asks itself (``current_user``, ``user.id``, the ``user_id`` parameter, or a local computed from
    # who asks alone, ``db_user = await self._resolve_user(user)``): a helper given only keys the function
    # checked before (``check_run_related(run, dataset_id)``) ties the row to a checked parent
    names = identity.names()
    names |= ctx.cached(("queries.caller_locals", id(func)), lambda: _caller_locals(ctx, func, frozenset(names)))
    for arg in check.node.args:
        inner = arg.value
        while isinstance(inner, cst.Attribute):
            inner = inner.value
        if isinstance(inner, cst.Name) and inner.value in names:
            return True
    return False


def _caller_locals(ctx: "FileContext", func: cst.FunctionDef, names: frozenset[str]) -> frozenset[str]:
    """Locals of a function bound only to a call handed who asks and nothing else but the session
    (``db_requester = await self._resolve_user(requester)``, ``me = users.get(db, current_user.id)``): the
    caller's own row or value, as the principal is. A call also handed a key (``member = get_member(user,
    org_id)``) and a local bound anything else are left out."""
    bound: set[str] = set()
    other: set[str] = set()
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.Lambda:
            continue
        if kind is cst.Assign or kind is cst.AnnAssign:
            targets = [t.target for t in node.targets] if kind is cst.Assign else [node.target]
            value = node.value
            if isinstance(value, cst.Await):
                value = value.expression
            caller = isinstance(value, cst.Call) and _handed_only_caller(value, names)
            for target in targets:
                if isinstance(target, cst.Name):
                    (bound if caller else other).add(target.value)
                else:
                    other.update(n.value for n in cst_walk(target) if isinstance(n, cst.Name))
        elif kind is cst.AugAssign and isinstance(node.target, cst.Name):
            other.add(node.target.value)
        elif kind is cst.For or kind is cst.CompFor or kind is cst.WithItem or kind is cst.NamedExpr:
            target = getattr(node, "target", None) or getattr(getattr(node, "asname", None), "name", None)
            for n in cst_walk(target) if target is not None else ():
                if isinstance(n, cst.Name):
                    other.add(n.value)
        stack.extend(iter_children(node))
    return frozenset(bound - other - names)


def _handed_only_caller(call: cst.Call, names: frozenset[str]) -> bool:
    """A call whose arguments are who asks (a name of ``names`` or an attribute chain on one) and sessions."""
    handed = False
    for a in call.args:
        if a.star:
            return False
        if _db_handle(a.value):
            continue
        inner = a.value
        while isinstance(inner, cst.Attribute):
            inner = inner.value
        if not (isinstance(inner, cst.Name) and inner.value in names):
            return False
        handed = True
    return handed


def _guarded_node(fq: FunctionQueries, node: cst.CSTNode, guarded: frozenset[str]) -> bool:
    site = next((s for s in fq.sites if s.node is node), None)
    return site is not None and _guarded_site(site, guarded)


def _key_only_scoped(check: Comparison, identity: Identity) -> bool:
    """The checked row was scoped only by an identity-named parameter used as its own key (``Site.
    key_only_scoped``), and the check compares it with the principal (``if org.owner_id == user.id: return
    org``, or hands the principal to a helper): the function itself does not take the key for the caller's."""
    row = check.row
    if not row.scoped or not row.sites or not all(s.key_only_scoped for s in row.sites):
        return False
    return any(n in identity.principals for n in load_names(check.node))


def _client_keyed(ctx: "FileContext", func: cst.FunctionDef, identity: Identity, site: Site) -> bool:
    """The lookup is keyed on a value the client supplies to the route (a path, query, body or form
    parameter, or a local that only copies one)."""
    params = {
        p.name for p in identity.params
        if p.name not in ("self", "cls") and p.marker not in ("Depends", "Security") and p.dependency.kind is None
    }
    copies = ctx.cached(("queries.copies", id(func)), lambda: _local_copies(ctx, func))
    params |= {local for local, source in copies.items() if source in params}
    return any(k.split(".", 1)[0] in params for k in site.key_names)


def _guarded_site(site: Site, guarded: frozenset[str]) -> bool:
    """The lookup is keyed only on parameters a route dependency or decorator verified against the caller."""
    return bool(site.key_names) and {k.split(".", 1)[0] for k in site.key_names} <= guarded


def _key_for_caller_query(func: cst.FunctionDef, site: Site, sites: Sequence[Site]) -> bool:
    """The row is looked up only to turn the client's key into its primary key, which then only filters a
    query the function scopes by the principal (``equipment = Equipment.query.filter_by(uuid=uuid).first()``,
    ``equipment_id = equipment.id if equipment else 0``, ``filters.append(Link.equipment_id == equipment_id)``
    beside ``Workout.user_id == auth_user.id``): nothing of the row leaves, and another owner's row matches
    none of the caller's rows. Every read of the row is a presence test or its key (``row.id``) held in a
    local or compared; every read of such a local is a comparison."""
    if len(site.row_names) != 1 or not any(s is not site and (s.pscoped or s.principal_filtered) for s in sites):
        return False
    row = next(iter(site.row_names))
    keys: set[str] = set()
    compared: set[int] = set()  # names read inside a comparison
    tested: set[int] = set()  # names read as a presence test
    key_reads: list[tuple[cst.Attribute, Optional[str]]] = []  # ``row.id`` and the local it is assigned to
    loads: list[cst.Name] = []
    stores: set[int] = set()

    def visit(node: cst.CSTNode, target: Optional[str]) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return
        if isinstance(node, cst.Comparison):
            compared.update(id(n) for n in _walk_expr(node) if isinstance(n, cst.Name))
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "filter_by":
            # ``Event.query.filter_by(sketch=sketch, searchindex=searchindex)``: the row itself as a relationship's
            # value in a predicate, as ``Event.searchindex_id == searchindex.id``
            compared.update(id(a.value) for a in node.args if a.keyword is not None and isinstance(a.value, cst.Name))
        elif isinstance(node, (cst.If, cst.While, cst.IfExp)):
            tested.update(id(p) for p in bool_operands(node.test, unwrap_not=True) if isinstance(p, cst.Name))
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            name = targets[0].value if len(targets) == 1 and isinstance(targets[0], cst.Name) else None
            for t in targets:
                stores.update(id(n) for n in _walk_expr(t) if isinstance(n, cst.Name))
            for t in targets:
                visit(t, None)
            if node.value is not None:
                visit(node.value, name)
            return
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == row and node.attr.value in PRIMARY_KEY_NAMES:
                key_reads.append((node, target))
            else:
                visit(node.value, target)
            return
        if isinstance(node, cst.Arg):
            visit(node.value, target)  # (a keyword's name is no read)
            return
        if isinstance(node, cst.Name):
            loads.append(node)
        for child in iter_children(node):
            visit(child, target)

    visit(func.body, None)
    for node, target in key_reads:
        if target is not None:
            keys.add(target)
        elif id(node.value) not in compared:
            return False
    if not keys and not key_reads and not any(n.value == row and id(n) in compared for n in loads):
        return False
    for name in loads:
        if id(name) in stores:
            continue
        if name.value == row:
            if id(name) not in tested and id(name) not in compared:
                return False
        elif name.value in keys and id(name) not in compared:
            return False
    return True


def _parent_sites(row: Val, named_sites: dict[str, Site]) -> list[Site]:
    """The fetches whose row's attribute keyed this row's lookup (``Tenant.id == role.tenant_id``)."""
    out: list[Site] = []
    keyed = [(s, sorted(s.key_names)) for s in row.sites]
    if not row.sites and row.keys:
        # a project helper's row keyed on a loaded row's attribute (``get_org(db, project.organization_id)``)
        keyed = [(None, sorted(row.keys))]
    for s, keys in keyed:
        for key in keys:
            if "." not in key:
                continue
            parent = named_sites.get(key.split(".", 1)[0])
            if parent is not None and parent is not s and parent not in out:
                out.append(parent)
    return out


GATE_PREFIXES = (
    "assert_", "check_", "ensure_", "verify_", "validate_", "require_", "authorize_", "authorise_", "can_", "has_",
    "may_", "is_allowed", "guard_", "enforce_",
)
GATE_WORDS = ("_can_", "can_access", "has_access", "_is_allowed", "_may_")


def _access_gate(func: cst.FunctionDef, identity: Identity, rows: Optional[set[str]] = None) -> bool:
    """The function is itself an access gate (``_assert_can_edit(user, item_id, db) -> None``,
    ``can_link_config(user, config_id, db) -> bool``): named like a check, it returns nothing or a verdict
    (never a row), and it decides with the principal (hands it to a call or compares it). The rows it
    loads are what it decides on, not rows served to a request: its loads make no BKL201 claim (its callers
    make theirs: a route that ignores its verdict, or a row it loads itself, is reported there)."""
    name = func.name.value.lstrip("_").lower()
    if rows is not None and _rights_report(func, identity, rows):
        return True
    if not (name.startswith(GATE_PREFIXES) or any(w in "_" + name for w in GATE_WORDS)):
        return False
    returns = func.returns.annotation if func.returns is not None else None
    if returns is not None and not (isinstance(returns, cst.Name) and returns.value in ("None", "bool")):
        return False
    names = identity.names()
    if not names:
        return False
    decides = False
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Return) and returns is None and node.value is not None:
            value = node.value
            if isinstance(value, cst.Await):
                value = value.expression
            verdict = isinstance(value, (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation)) or (
                isinstance(value, cst.Name) and value.value in ("True", "False", "None")
            )
            if isinstance(value, cst.Call):
                callee = value.func.attr.value if isinstance(value.func, cst.Attribute) else (value.func.value if isinstance(value.func, cst.Name) else "")
                callee = callee.lstrip("_").lower()
                verdict = callee in ("all", "any", "bool", "isinstance") or callee.startswith(GATE_PREFIXES) or any(w in "_" + callee for w in GATE_WORDS)
            if not verdict:
                return False  # returns something that may be a row
        if isinstance(node, (cst.Call, cst.Comparison)) and not decides:
            parts = [a.value for a in node.args] if isinstance(node, cst.Call) else [node.left] + [c.comparator for c in node.comparisons]
            for part in parts:
                if any(n in names for n in load_names(part)):
                    decides = True
                    break
        stack.extend(iter_children(node))
    return decides


_REPORT_ENDINGS = ("_rights", "_permissions")


def _leaks_row(expr: cst.CSTNode, rows: set[str]) -> bool:
    """The expression holds a fetched row itself, or a method's answer on it (``board``, ``board.model_dump()``),
    not only its columns (``board.open_to_all``) or a verdict on it (``seat is not None``)."""
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name) and node.func.value.value in rows:
            return True
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in rows:
            continue
        if isinstance(node, cst.Comparison) or (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)):
            continue  # a verdict on it (``seat is not None``, ``not seat``)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)) and isinstance(node.for_in.target, cst.Name):
            # ``[m.group_id for m in memberships]``: the rows' columns, each element a row of the list
            if _leaks_row(node.elt, rows | {node.for_in.target.value}):
                return True
            continue
        if isinstance(node, cst.Name) and node.value in rows:
            return True
        stack.extend(iter_children(node))
    return False


def _rights_report(func: cst.FunctionDef, identity: Identity, rows: set[str]) -> bool:
    """``get_course_user_rights(request, course_uuid, current_user, db) -> dict``: a function named for the
    caller's rights (``*_rights`` / ``*_permissions``), typed to return a ``dict``, that returns only a dict it
    builds itself (a literal, or a local bound to one) and reads the principal: it reports what the caller may
    do with the row it loads, not the row (what it sets in the dict are verdicts and the row's columns); its
    loads make no BKL201 claim, as an access gate's. A report that returns anything else, or puts a row itself
    (or a method's answer on it, ``board.model_dump()``) into the dict, is no such report."""
    name = func.name.value.lower()
    if not name.endswith(_REPORT_ENDINGS):
        return False
    returns = func.returns.annotation if func.returns is not None else None
    base = returns.value if isinstance(returns, cst.Subscript) else returns
    if not (isinstance(base, cst.Name) and base.value in ("dict", "Dict")):
        return False
    names = identity.names()
    if not names:
        return False
    literals: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Dict):
            literals.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and (
            isinstance(node.value, cst.Dict) or any(isinstance(t.target, cst.Subscript) for t in node.targets)
        ) and _leaks_row(node.value, rows):
            return False  # ``rights["board"] = board``
    reads_principal = False
    returned = False
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Return):
            value = node.value
            if not (isinstance(value, cst.Dict) or (isinstance(value, cst.Name) and value.value in literals)):
                return False
            if isinstance(value, cst.Dict) and _leaks_row(value, rows):
                return False
            returned = True
        if isinstance(node, cst.Name) and node.value in names:
            reads_principal = True
        stack.extend(iter_children(node))
    return returned and reads_principal


def _existence_only(func: cst.FunctionDef, site: Site, refusing: bool = False) -> bool:
    """The fetched row is only tested for existence (``if thread is None: raise 404``) and never read,
    returned or handed on, in a function that decides access elsewhere (an ownership comparison or an
    authorisation helper on the row that matters): the load reveals nothing of the row. ``refusing``: every
    test refuses the request when the row exists (``if existing_user: raise HTTPException(400, "Email already
    registered")``, also ``is not None``), in any function: a uniqueness check, whose only answer is that a
    row with that value exists; the row may come through the statement's result (``result = await
    db.execute(stmt)``, ``existing_user = result.scalars().first()``), read once."""
    names = set(site.row_names)
    if not names or (len(names) != 1 and not refusing):
        return False
    tests = dict.fromkeys(names, 0)
    uses = dict.fromkeys(names, 0)
    binds = dict.fromkeys(names, 0)
    targets: set[int] = set()
    if len(names) > 1:
        for node in cst_walk(func.body):
            if isinstance(node, cst.Assign):
                for t in node.targets:
                    targets.add(id(t.target))
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        if isinstance(node, (cst.If, cst.While)):
            test = node.test
            negated = False
            while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                test = test.expression
                negated = not negated
            if isinstance(test, cst.Name) and test.value in names:
                tests[test.value] += 1
                if refusing and (negated or not _if_refuses(node)):
                    return False
            elif (
                isinstance(test, cst.Comparison)
                and isinstance(test.left, cst.Name)
                and test.left.value in names
                and len(test.comparisons) == 1
                and isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot))
                and isinstance(test.comparisons[0].comparator, cst.Name)
                and test.comparisons[0].comparator.value == "None"
            ):
                tests[test.left.value] += 1
                present = isinstance(test.comparisons[0].operator, cst.IsNot) != negated
                if refusing and (not present or not _if_refuses(node)):
                    return False
            else:
                stack.append(node.test)
            stack.append(node.body)
            if node.orelse is not None:
                stack.append(node.orelse)
            continue
        if isinstance(node, cst.Name) and node.value in names:
            uses[node.value] += 1
            if id(node) in targets:
                binds[node.value] += 1
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        stack.extend(iter_children(node))
    # the assignment itself is one use of the name; a result read once after each binding (``result = await
    # db.execute(...)`` reused for the next statement) hands the row to the tested name
    tested = [n for n in names if tests[n]]
    if len(tested) != 1 or uses[tested[0]] > 1:
        return False
    return all(tests[n] == 0 and binds[n] >= 1 and uses[n] - binds[n] <= binds[n] for n in names if n != tested[0])


def _uniqueness_probe(func: cst.FunctionDef, site: Site) -> bool:
    """A lookup keyed only on values the function computes itself (``slug = slugify(body.title)``, ``code =
    "".join(secrets.choice(alphabet) for _ in range(5))``), never on a parameter as given, whose row is only
    tested in ``if`` / ``while`` conditions (``if existing.scalar_one_or_none(): slug = f"{slug}-{n}"``, ``if not
    existing: return code``) and never read, returned or handed on: the function picks a value no row holds yet,
    and learns only that one exists."""
    if not site.key_names or not site.row_names or site.via:
        return False
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    computed: set[str] = set()
    plain: set[str] = set()
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            value = node.value
            if isinstance(value, (cst.Call, cst.FormattedString, cst.BinaryOperation)) and not isinstance(value, cst.Name):
                computed.add(name)
            else:
                plain.add(name)
    if not all(k in computed and k not in plain and k not in params for k in site.key_names):
        return False
    names = set(site.row_names)
    in_tests: set[int] = set()
    tested = False
    for node in cst_walk(func.body):
        if isinstance(node, (cst.If, cst.While)):
            for n in cst_walk(node.test):
                if isinstance(n, cst.Name) and n.value in names:
                    in_tests.add(id(n))
                    tested = True
    if not tested:
        return False
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign):
            for t in node.targets:
                if isinstance(t.target, cst.Name) and t.target.value in names:
                    in_tests.add(id(t.target))  # (the binding itself)
        if isinstance(node, cst.Name) and node.value in names and id(node) not in in_tests:
            return False
    return True


_YES_NO_WRITES = frozenset({"add", "add_all", "delete", "commit", "flush", "merge", "remove", "bulk_save_objects", "save", "update"})


def _present_test(test: cst.BaseExpression) -> Optional[tuple[str, bool]]:
    """``(name, present)`` for a test that only asks whether a local holds a row or a count (``x``, ``not x``,
    ``x is None``, ``x is not None``, ``x > 0``, ``x == 0``); ``present`` when it holds as the row exists."""
    negated = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, negated = test.expression, not negated
    if isinstance(test, cst.Name):
        return test.value, not negated
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name):
        op, right = test.comparisons[0].operator, test.comparisons[0].comparator
        if isinstance(right, cst.Name) and right.value == "None" and isinstance(op, (cst.Is, cst.IsNot)):
            return test.left.value, isinstance(op, cst.IsNot) != negated
        if isinstance(right, cst.Integer) and isinstance(op, (cst.GreaterThan, cst.GreaterThanEqual, cst.NotEqual, cst.Equal, cst.LessThan, cst.LessThanEqual)):
            value = int(right.value, 0) if right.value.isdigit() else None
            if value is None:
                return None
            present = isinstance(op, (cst.GreaterThan, cst.NotEqual)) or (isinstance(op, cst.GreaterThanEqual) and value >= 1)
            return test.left.value, present != negated
    return None


def _yes_no_lookup(func: cst.FunctionDef, site: Site) -> bool:
    """The lookup only answers yes or no (RULES: BKL201 is a row returned, changed or used): its row or count,
    bound to one local, is read only by presence tests (``if not doctor: errors.append(...)``, ``while temp is
    not None:`` around a fresh random token, ``if in_use > 0: raise ValueError(f"... {in_use} ...")``, the count
    also in the message), never returned, read, changed or handed on. In a function that writes, or that reads
    the lookup's key elsewhere, every test must refuse (or retry) while the row exists: a write after ``if not
    parent: raise`` attaches something to the row's key, and children listed by the same key after it are the
    parent's (which is the finding when they are not owned models of their own)."""
    names = set(site.row_names)
    if len(names) != 1 or site.kind == "helper":
        return False  # (a helper's answer, ``success = await svc.remove_role(...)``, may follow a change of the row)
    name = next(iter(names))
    site_stmt_ids: set[int] = set()
    count = False
    writes = False
    tests: list[tuple[cst.CSTNode, bool]] = []
    tested_names: set[int] = set()
    messages: set[int] = set()
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign):
            if any(n is site.node for n in cst_walk(node.value)):
                if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name) or node.targets[0].target.value != name:
                    return False
                site_stmt_ids.add(id(node.targets[0].target))
                value = node.value.expression if isinstance(node.value, cst.Await) else node.value
                count = isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in ("count", "scalar") and any(
                    isinstance(n, (cst.Name, cst.Attribute)) and (n.value if isinstance(n, cst.Name) else n.attr.value) == "count" for n in cst_walk(value)
                )
            elif any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                if not (isinstance(node.value, cst.Name) and node.value.value in ("None", "True", "False")):
                    return False
                site_stmt_ids.update(id(t.target) for t in node.targets)
        elif isinstance(node, (cst.If, cst.While)):
            found = _present_test(node.test)
            if found is not None and found[0] == name:
                tests.append((node, found[1]))
                tested_names.update(id(n) for n in cst_walk(node.test) if isinstance(n, cst.Name))
        elif isinstance(node, cst.FormattedStringExpression) and count:
            messages.update(id(n) for n in cst_walk(node.expression) if isinstance(n, cst.Name))  # (the count in a message)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _YES_NO_WRITES:
            writes = True
    if not tests:
        return False
    site_nodes: set[int] = set()
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and any(n is site.node for n in cst_walk(node.value)):
            site_nodes.update(id(n) for n in cst_walk(node))
    keys = {k.split(".", 1)[0] for k in site.key_names}
    for node in cst_walk(func.body):
        if isinstance(node, cst.Name) and node.value == name and id(node) not in tested_names and id(node) not in site_stmt_ids and id(node) not in messages:
            return False  # read otherwise: the row is used
        if isinstance(node, cst.Name) and node.value in keys and id(node) not in site_nodes and id(node) not in messages:
            writes = True  # the key goes on (``if not parent: raise 404``, then its children by the same key)
    if writes:
        return all(
            present and (isinstance(node, cst.While) or _if_refuses(node)) for node, present in tests
        )
    return True


def _child_of_checked_parent(func: cst.FunctionDef, site: Site, sites: Sequence[Site]) -> bool:
    """Children fetched by the key of a parent the function has just loaded with the owner predicate and refused
    when missing (``task = query(Task).filter(Task.id == task_id, Task.organization_id == org_id).first()``,
    ``if not task: raise 404``, then ``query(TaskTimeLog).filter(TaskTimeLog.task_id == task_id)``): past the
    refusal the key is the key of a row fetched with a check, which RULES.md trusts. The parent comes first in
    the function, is consumed with an identity predicate on every way, and holds every key of the child's lookup."""
    keys = set(site.key_names)
    if not keys or site.kind == "helper":
        return False
    order: Optional[dict[int, int]] = None
    for parent in sites:
        if parent is site or parent.unscoped or not parent.consumptions or parent.admin or len(parent.row_names) != 1:
            continue
        if not keys <= set(parent.key_names) or not parent.entities or set(parent.entities) & set(site.entities):
            continue
        if order is None:
            order = {id(n): i for i, n in enumerate(cst_walk(func.body))}
        if order.get(id(parent.node), -1) < 0 or order.get(id(parent.node), -1) >= order.get(id(site.node), -1):
            continue
        row = next(iter(parent.row_names))
        for node in cst_walk(func.body):
            if not isinstance(node, cst.If) or not _if_refuses(node) or order.get(id(node), -1) >= order[id(site.node)]:
                continue
            for operand in bool_operands(node.test):
                found = _present_test(operand)  # type: ignore[arg-type]
                if found == (row, False):
                    return True
    return False


def _merged_into_guarded(ctx: "FileContext", func: cst.FunctionDef, site: Site, model: str) -> bool:
    """The fetched row is only tested for presence and handed to a method of another row of its model that
    leaves unless both share an identity column (``merge = Category.find_by_id(args["merge_category_id"])``,
    ``if merge: category.merge(merge)``, ``def merge(self, other): if self.household_id != other.household_id:
    return``): the row is used only when it belongs where the checked row does (a guard in the model)."""
    project = ctx.project
    names = set(site.row_names)
    if project is None or len(names) != 1:
        return False
    name = next(iter(names))
    cols = set(identity_columns(project, ctx.settings, model))
    if not cols:
        return False
    guarded: set[int] = set()
    for node in cst_walk(func.body):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name)):
            continue
        if node.func.value.value == name:
            continue
        positions = [i for i, a in enumerate(node.args) if isinstance(a.value, cst.Name) and a.value.value == name and a.keyword is None]
        if not positions:
            continue
        found = method_summary(project, model, node.func.attr.value)
        if found is None:
            continue
        params = [p for p in found[3].get("params", ()) if p not in ("self", "cls")]
        same = {(p, c) for p, c in found[3].get("same_owner", ())}
        if all(i < len(params) and any((params[i], c) in same for c in cols) for i in positions):
            guarded.update(id(node.args[i].value) for i in positions)
    if not guarded:
        return False
    for node in cst_walk(func.body):
        if isinstance(node, (cst.If, cst.While)):
            found_test = _present_test(node.test)
            if found_test is not None and found_test[0] == name:
                guarded.update(id(n) for n in cst_walk(node.test))
        elif isinstance(node, cst.Assign) and any(n is site.node for n in cst_walk(node.value)):
            guarded.update(id(t.target) for t in node.targets)
    return not any(isinstance(n, cst.Name) and n.value == name and id(n) not in guarded for n in cst_walk(func.body))


def _held_scope(project: "ProjectIndex", cls: Optional[str], summary: dict, _depth: int = 0) -> bool:
    """The method compares a column with what its object holds (``held_preds``: ``APIKey.project_id ==
    self.project_id``), itself or through the methods of its own class it hands a parameter to
    (``delete(key_id)`` calling ``self.read_one(key_id)``)."""
    if summary.get("held_preds"):
        return True
    if cls is None or _depth > 2:
        return False
    for c in summary.get("calls", ()):
        target = c.get("target", "")
        if target.startswith("self.") and target.count(".") == 1:
            sub = method_summary(project, cls, target[5:])
            if sub is not None and _held_scope(project, sub[1], sub[3], _depth + 1):
                return True
    return False


def _secret_gated(func: cst.FunctionDef, site: Site) -> bool:
    """The fetched row's secret is compared with what the client presents and the request refused when
    they differ (``if not hmac.compare_digest(hash_token(token), inv.token_hash): raise ...``, ``if
    row.invite_token != body.token: raise``): the row is authorised by holding its secret, as a lookup keyed
    on a capability column is (RULES: invites, token exchange). A check is there: no BKL201."""
    if not site.row_names:
        return False
    for node in cst_walk(func.body):
        if not _if_refuses(node) or set(load_names(node.test)) <= site.row_names:  # type: ignore[attr-defined]
            continue  # (``if not inv.token: raise`` compares the secret with nothing the client presents)
        for sub in _walk_expr(node.test):  # type: ignore[attr-defined]
            # (compared for equality or handed to a call: ``if chat.token_count > MAX_TOKENS`` is a quota, no secret)
            if isinstance(sub, cst.Comparison) and all(isinstance(c.operator, (cst.Equal, cst.NotEqual)) for c in sub.comparisons):
                operands = [sub.left] + [c.comparator for c in sub.comparisons]
            elif isinstance(sub, cst.Call):
                operands = [a.value for a in sub.args]
            else:
                continue
            for operand in operands:
                if (
                    isinstance(operand, cst.Attribute)
                    and isinstance(operand.value, cst.Name)
                    and operand.value.value in site.row_names
                    and capability_column(operand.attr.value)
                ):
                    return True
    return False


def _presence_only(test: cst.BaseExpression) -> bool:
    """``user``, ``not user``, ``user is None``, ``user is not None``: a test that someone is signed in."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        if isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot)) and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None":
            test = test.left
    return isinstance(test, cst.Name)


def _if_refuses(node: cst.CSTNode) -> bool:
    """An ``if`` (not a loop) whose body ends the request with an error: ``raise`` or Flask's ``abort(...)`` (a
    ``return`` may serve the row's result: ``if success: return {...}``)."""
    if not isinstance(node, cst.If):
        return False
    last = _last_small_statement(node.body)
    return last is not None and (isinstance(last, cst.Raise) or _aborts(last))


def _last_small_statement(block: cst.BaseSuite) -> Optional[cst.BaseSmallStatement]:
    """The last simple statement of a block (``raise ...`` in ``if x:\n    raise ...`` or ``if x: raise ...``), or
    ``None`` when the block ends with a compound statement."""
    if isinstance(block, cst.SimpleStatementSuite):
        return block.body[-1] if block.body else None
    body = block.body if isinstance(block, cst.IndentedBlock) else ()
    last = body[-1] if body else None
    return last.body[-1] if isinstance(last, cst.SimpleStatementLine) and last.body else None


def _keyed_by_caller(identity: Identity, site: Site) -> bool:
    """Follow the request, not the function: a helper (not a route handler) that is handed no principal,
    only identity values, and looks a row up by a key its caller handed in makes no claim of its own; the
    claim is made where a route's client key reaches it (``knowledge.flow``). A helper given the principal
    answers for it (its caller trusts it), and a lookup keyed on nothing the caller gave (a list that forgets
    the owner filter) is the helper's own."""
    if identity.route is not None or identity.principals or identity.closure_derived or identity.decoding:
        return False  # (a helper that decodes the caller itself answers for the caller, as if given the principal)
    plain = {p.name for p in identity.params} - set(identity.identity_params) - {"self", "cls"}
    return bool({k.split(".", 1)[0] for k in site.key_names} & plain)


def _roster_read(ctx: "FileContext", site: Site, model: str) -> bool:
    """A query on a membership table filtered by the group it links to (``Member.team_id == team_id``): it
    lists a group's roster; the identity column of such a row names the member, not an owner."""
    partners = membership_partners(ctx.project, ctx.settings, model)
    if not partners or any(e != model and is_owned(ctx.project, ctx.settings, e) for e in site.entities):
        return False
    for pred in site.pred_nodes:
        for node in _walk_expr(pred):
            if isinstance(node, cst.Attribute) and node.attr.value in partners and isinstance(node.value, (cst.Name, cst.Attribute)):
                q = ctx.qualified_name(node.value)
                found = ctx.project.get_class(q) if (q and ctx.project is not None) else None
                if found is not None and found[0] == model:
                    return True
    return False


def _summary_of_call(
    project: "ProjectIndex", cls: Optional[str], target: str
) -> Optional[tuple[str, Optional[str], str, dict]]:
    """(module, class, name, summary) of a call recorded in a flow summary (``calls[].target``), resolved as
    ``helper_unscoped`` resolves it; ``None`` when it is not a summarised project function or method."""
    if target.startswith("self.") and cls is not None and target.count(".") == 2:
        return held_method_summary(project, cls, target)
    if target.startswith("self.") and cls is not None:
        return specialised(project, cls, method_summary(project, cls, target[5:]))
    found = project.resolve_symbol(target)
    if found is not None and found[2] == "functions":
        s = flow_facts(project, found[0]).get("functions", {}).get(found[1])
        return (found[0], None, found[1], s) if s is not None else None
    if found is None and "." in target:
        owner, _, method = target.rpartition(".")
        store = _store_class(project, owner) or _module_instance_class(project, owner)
        if store is not None:
            return specialised(project, store, method_summary(project, store, method))
    return None


def keys_scoped_beside(
    project: "ProjectIndex", module: str, cls: Optional[str], summary: dict, values: frozenset[str],
    principals: frozenset[str], depth: int = 2, _depth: int = 0,
) -> set[str]:
    """The parameters among ``values`` of a summarised project function that key a row lookup also keyed on
    one of ``principals`` (the caller's or the checked tenant's value handed beside them), in the function or
    in a project function it hands both on to (``service.list(org_id, workspace_id)`` ->
    ``repo.query(org_id, workspace_id)`` -> ``select(Doc).where(Doc.organization_id == org_id)`` ...
    ``.where(Doc.workspace_id == workspace_id)``): a key inside a lookup scoped to the principal. Also those
    the function hands, with one of ``principals``, to a call named for a check (``keys_checked_beside``)."""
    out: set[str] = set()
    for fetch in summary.get("fetches", ()):
        keys = set(fetch.get("keys", ()))
        if principals & keys:
            out |= values & keys
    if _depth == 0:
        out |= keys_checked_beside(project, cls, summary, values, principals)
    if _depth >= depth:
        return out
    for c in summary.get("calls", ()):
        handed_values: dict[object, str] = {}
        handed_principals: list[object] = []
        for where, param in c.get("args", ()):
            if param in values and param not in out:
                handed_values[where] = param
            elif param in principals:
                handed_principals.append(where)
        if not handed_values or not handed_principals:
            continue
        sub = _summary_of_call(project, cls, c["target"])
        if sub is None or sub[3] is summary:
            continue
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0

        def named(where: object) -> Optional[str]:
            if isinstance(where, int):
                return sub_params[where + offset] if where + offset < len(sub_params) else None
            return where if isinstance(where, str) else None

        inner_values = {named(w): p for w, p in handed_values.items() if named(w) is not None}
        inner_principals = frozenset(n for n in (named(w) for w in handed_principals) if n is not None)
        if not inner_values or not inner_principals:
            continue
        found = keys_scoped_beside(project, sub[0], sub[1], sub[3], frozenset(inner_values), inner_principals, depth, _depth + 1)
        out |= {inner_values[k] for k in found}
    return out


def method_home(project: "ProjectIndex", cls: str, method: str) -> Optional[tuple[str, Optional[str], str]]:
    """(module, class, ``Class.method``) of the project class in ``cls``'s bases that defines ``method``
    (summarised or not); ``None`` when no project class of the chain defines it (a library base's)."""
    for name, facts in project.class_mro(cls):
        if facts is None or method not in facts.get("methods", ()):
            continue
        where = project.split(name)
        return (where[0], name, f"{where[1]}.{method}") if where is not None else None
    return None


def project_callee(project: "ProjectIndex", cls: Optional[str], target: str) -> Optional[tuple[str, Optional[str], str]]:
    """(module, class, key of its ``flow`` facts) of a call's target (a flow summary's ``calls[].target``, or a
    qualified name) when it is a function or a method of the project, whose body the index has read:
    ``self._assert_access`` in a method of ``cls``, ``self.perms.can_edit`` (the class ``__init__`` keeps in
    ``perms``), ``app.access.require_member``, ``app.access.Policy.can_edit``. ``None``: not the project's (a
    library's, a builtin) or not resolved: only its name can say what it does."""
    if not target:
        return None
    if target.startswith("self."):
        parts = target.split(".")
        if cls is None or len(parts) > 3:
            return None
        if len(parts) == 2:
            return method_home(project, cls, parts[1])
        held = self_attribute_class(project, cls, parts[1])
        return method_home(project, held, parts[2]) if held is not None else None
    found = project.resolve_symbol(target)
    if found is not None:
        return (found[0], None, found[1]) if found[2] == "functions" else None
    if "." in target:
        owner, _, method = target.rpartition(".")
        klass = project.get_class(owner)
        held = klass[0] if klass is not None else _module_instance_class(project, owner)
        if held is not None:
            return method_home(project, held, method)
    return None


def access_exception(project: "ProjectIndex", name: str) -> bool:
    """The exception class ``name`` (a dotted name a helper raises, whose own name says nothing of access)
    refuses access through a base named for it (``class NotYourLedger(PermissionError)``,
    ``class SeatRefused(ForbiddenError)``); ``QuotaExceeded(Exception)`` does not."""
    return any(access_name(last_segment(q)) for q, _ in project.class_mro(name))


def access_groups(project: "ProjectIndex", entry: dict, verdicts: bool = True) -> list[list[str]]:
    """The decision groups of a ``checks`` entry that are access decisions: a refusal of the caller
    (``access``), a refusal with an exception whose bases say access (``refuses``), and, when the caller
    refuses on the answer (``verdicts``), a predicate's answers. Not: validation, quotas, choices."""
    out = list(entry.get("access", ()))
    if verdicts:
        out += entry.get("verdicts", ())
    out += [g for name, g in entry.get("refuses", ()) if access_exception(project, name)]
    return out


def callee_decides(
    project: "ProjectIndex", callee: tuple[str, Optional[str], str], first: object, second: object, _depth: int = 0,
    verdicts: bool = True,
) -> bool:
    """Whether the project function or method ``callee`` (``project_callee``), handed two values at ``first``
    and ``second`` (argument position or keyword, as the call hands them), decides on both: one of its
    decisions (``flow`` facts ``checks``: a ``raise`` under a test, a verdict returned) reads a value made
    from both, or it hands both on to a call that does (a project helper, read the same way, two calls deep
    at most; a callee the index does not know, by its name: ``named_like_check``). ``_record_access(tenant_id,
    reader)`` that only logs, ``has_free_seats(account_id, school_id)`` that decides on the school alone: no.
    A callee named like a check decides by any of its decisions; one that is not must decide access
    (``access_groups``: a 401 / 403 / 404 refusal, an exception named for access, a predicate whose caller
    refuses): validation, quota and default-choice branches on both (``ValueError``, a config picked under a
    test) are its own business. ``verdicts``: whether the caller refuses on a predicate's answer (``False``
    when it answers 402 on it)."""
    module, cls, key = callee
    check_named = named_like_check(last_segment(key))
    flow = flow_facts(project, module)
    entry = flow.get("checks", {}).get(key)
    summary = (flow.get("methods", {}) if cls is not None else flow.get("functions", {})).get(key)
    params = (entry or summary or {}).get("params", [])
    offset = 1 if cls is not None and params[:1] in (["self"], ["cls"]) else 0

    def named(where: object) -> Optional[str]:
        if isinstance(where, int):
            return params[where + offset] if 0 <= where + offset < len(params) else None
        return where if isinstance(where, str) and where in params else None

    a, b = named(first), named(second)
    if a is None or b is None or a == b:
        return False
    if entry and any(
        a in g and b in g for g in (entry.get("groups", ()) if check_named else access_groups(project, entry, verdicts))
    ):
        return True
    if not summary or _depth >= 2:
        return False
    for c in summary.get("calls", ()):
        handed = [*c.get("args", ()), *c.get("attr_args", ())]
        at_a = [w for w, p in handed if p == a]
        at_b = [w for w, p in handed if p == b]
        if not at_a or not at_b:
            continue
        target = c.get("target", "")
        sub = project_callee(project, cls, target)
        if sub is None:
            last = last_segment(target)
            # a library's check, by its name (a class of the project or anything built, ``TenantMember(...)``,
            # decides nothing)
            if not last[:1].isupper() and project.resolve_symbol(target) is None and named_like_check(last):
                return True
            continue
        if any(callee_decides(project, sub, wa, wb, _depth + 1, verdicts) for wa in at_a for wb in at_b):
            return True
    return False


def keys_checked_beside(
    project: "ProjectIndex", cls: Optional[str], summary: dict, values: frozenset[str], principals: frozenset[str],
    _depth: int = 0,
) -> set[str]:
    """The parameters among ``values`` of a summarised project function that it hands, with one of
    ``principals``, to a check (``self._assert_workspace_access(workspace_id, current_user)``), there or in a
    project function it hands both on to (``get_usage(...)`` -> ``get_impact(...)``, two calls deep at most):
    checked against the caller, as the route's own ``check_*(value, user)`` call would be. A project callee is
    a check when its body decides on both (``callee_decides``), whatever its name; only a callee the index does
    not know is taken for a check by its name (``named_like_check``)."""
    out: set[str] = set()
    for c in summary.get("calls", ()):
        handed_values: dict[object, str] = {}
        handed_principals: list[object] = []
        for where, param in c.get("args", ()):
            if param in values:
                handed_values[where] = param
            elif param in principals:
                handed_principals.append(where)
        if not handed_values or not handed_principals:
            continue
        target = c.get("target", "")
        callee = project_callee(project, cls, target)
        if callee is not None:
            decided = {
                p for w, p in handed_values.items() if any(callee_decides(project, callee, pw, w) for pw in handed_principals)
            }
            if decided:
                out |= decided
                continue
        elif named_like_check(last_segment(target)):
            out |= set(handed_values.values())
            continue
        if _depth >= 2:
            continue
        sub = _summary_of_call(project, cls, target)
        if sub is None or sub[3] is summary:
            continue
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0

        def named(where: object) -> Optional[str]:
            if isinstance(where, int):
                return sub_params[where + offset] if where + offset < len(sub_params) else None
            return where if isinstance(where, str) else None

        inner_values = {named(w): p for w, p in handed_values.items() if named(w) is not None}
        inner_principals = frozenset(n for n in (named(w) for w in handed_principals) if n is not None)
        if inner_values and inner_principals:
            found = keys_checked_beside(project, sub[1], sub[3], frozenset(inner_values), inner_principals, _depth + 1)
            out |= {inner_values[k] for k in found if k in inner_values}
    return out


def principal_passes_through(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict,
    param: str, model: str, _depth: int = 0, key: Optional[str] = None,
) -> bool:
    """Whether the caller's id handed to a project function as ``param`` decides nothing there about rows of
    ``model`` (the owned model a client key handed beside it reaches unscoped): the function only hands it on
    or writes it down (``idle`` in its flow summary: audit columns, logs, presence tests), to helpers that do
    the same, that look up the caller's own row on another table (``get_user_tenant_by_user_id(user_id)``,
    whose role may then be tested), or that write rows of another table. A role test read from the caller's
    row in a tenant (``user_role != "ADMIN"``) is no ownership check of a row outside that tenant. Anything else (a comparison, a predicate on ``model``, an
    authorisation helper, a lookup given the caller and the key, a platform admin guard, a function the
    index cannot see) is taken to decide, as before: the function scopes or checks. ``key``, when known, is the
    function's parameter that carries the client's key (``""``: none of them does): a lookup given the caller
    without the key (``clear_default(user_id, table)`` beside ``update(preset_id)``) decides nothing about the
    key's row when it is a write (returns nothing) or is on another table."""
    if param in summary.get("unused", ()) or param in summary.get("kept", ()):
        return True
    own_lookup = param in summary.get("own_lookups", ())
    if (param not in summary.get("idle", ()) and param not in summary.get("recorded", ()) and not own_lookup) or _depth > 5:
        return False
    canonical = project.canonical(model)
    if own_lookup:
        # its own lookups by the caller's id alone (``User.id == inviter_id``): the caller's own row, on another table
        for f in summary.get("fetches", ()):
            if param not in f.get("own_keys", f.get("keys", ())):
                continue
            found = project.get_class(f["model"])
            if found is None or project.canonical(found[0]) == canonical:
                return False
    for source, words in summary.get("admin_guards", ()):
        if not _tenant_role_guard(project, settings, source, words):
            return False
    for c in summary.get("calls", ()):
        handed_args = [*c["args"], *c.get("attr_args", ())]  # (``current_user.id``, ``msg.project_id`` too)
        spots = [where for where, p in handed_args if p == param]
        if not spots:
            continue
        # ``_get_group_in_org(group_key, token_user.org_id)``: the caller's id or tenant read off the principal and
        # handed to a lookup by another key returns a row of the caller's tenant (a parent that may scope)
        tenant_spots = {where for where, p in c.get("attr_args", ()) if p == param}
        target = c["target"]
        if spells_check(last_segment(target)):
            if _check_of_another_row(c, param, key):
                continue
            return False
        sub = _summary_of_call(project, cls, target)
        if sub is None:
            found = project.resolve_symbol(target)
            if found is not None and found[2] == "functions":
                return False  # a project function with nothing summarised: it may compare
            continue  # a library call, a row's constructor
        sub_mod, sub_cls, sub_name, sub_summary = sub
        sub_params = sub_summary.get("params", [])
        offset = 1 if (sub_cls is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0
        others = {p for _, p in handed_args if p != param}
        # without the client's key (known not to be handed here): the caller's own rows, apart from the key's
        apart = key is not None and not any(p == key for _, p in handed_args)
        sub_key: Optional[str] = None
        if key is not None:
            sub_key = ""
            for where, p in handed_args:
                if p == key:
                    sub_key = where if not isinstance(where, int) else (sub_params[where + offset] if where + offset < len(sub_params) else None)
        for where in spots:
            tp = where if not isinstance(where, int) else (sub_params[where + offset] if where + offset < len(sub_params) else None)
            if tp is None:
                return False
            keyed = [f for f in sub_summary.get("fetches", ()) if tp in f.get("keys", ())]
            if keyed:
                for f in keyed:
                    found = project.get_class(f["model"])
                    if found is None:
                        return False
                    if project.canonical(found[0]) == canonical and not (apart and not sub_summary.get("returns")):
                        return False  # a predicate on the model itself: scoped or checked there
                    if others and sub_summary.get("returns") and (not apart or where in tenant_spots):
                        return False  # a lookup given the caller and another key: a membership check
                continue  # the caller's own row on another table, or a write keyed on the caller
            if not principal_passes_through(project, settings, sub_mod, sub_cls, sub_name, sub_summary, tp, model, _depth + 1, sub_key):
                return False
    return True


def _check_of_another_row(call: dict, param: str, key: Optional[str]) -> bool:
    """A check given the caller and only another row or its key, made from other parameters than the client's
    key (``organisation = check_model_existence(db, Organisation, org_id)``, then ``check_user_in_org(user=
    current_user, organisation=organisation)``, or ``ensure_member(db, user, org_id)``; the product then loaded
    by ``product_id`` alone): it decides on that other row, nothing about the key's. Needs the key known and
    every argument accounted for (``whole`` in the summary); a check handed the key, a local made from it, or
    nothing but the caller (and the session) still decides."""
    if not key or not call.get("whole"):
        return False
    handed = [p for _, p in (*call["args"], *call.get("attr_args", ()))]
    if key in handed:
        return False
    rows = call.get("rows", ())
    if not all(made and key not in made and made != [param] for _, made in rows):
        return False
    return bool(rows) or any(p != param and (p.endswith("_id") or p.endswith("_ids")) for p in handed)


def _tenant_role_guard(project: "ProjectIndex", settings: "Settings", source: str, words: list) -> bool:
    """An admin guard whose role is read from the caller's row in a tenant (the source lookup's table carries
    an identity column beside the one the caller's row is found by: ``UserTenant.tenant_id``) and that lets
    a plain ``admin`` through (not only a super user): the role of a tenant's administrator, which says
    nothing about rows outside that tenant."""
    if not source:
        return False
    if not any("admin" in w and not any(x in w for x in ("super", "platform", "system", "root")) for w in words):
        return False
    found = project.resolve_symbol(source)
    if found is None or found[2] != "functions":
        return False
    summary = flow_facts(project, found[0]).get("functions", {}).get(found[1]) or {}
    filters = summary.get("filters", {})
    for f in summary.get("fetches", ()):
        row = project.get_class(f["model"])
        if row is None or not is_table_model(project, row[0]):
            continue
        # the columns the caller's row is found by (``UserTenant.user_id == user_id``) are not its tenant
        by = {entry.rpartition(":")[2] for k in f.get("keys", ()) for entry in filters.get(k, ())}
        if by and set(identity_columns(project, settings, row[0])) - by:
            return True
    return False


def _addressed_first(project: "ProjectIndex", summary: dict) -> list[dict]:
    """The summary's fetches, those whose key is compared with the model's primary key first: a helper that
    deletes a group by ``group_id`` and then its memberships by the same ``group_id`` is named by the group
    (the row the key addresses), not by the membership table."""
    fetches = list(summary.get("fetches", ()))
    if len(fetches) < 2:
        return fetches
    filters = summary.get("filters", {})

    def addressed(fetch: dict) -> bool:
        for k in fetch.get("keys", ()):
            for entry in filters.get(k, ()):
                model, _, column = entry.rpartition(":")
                if model == fetch["model"]:
                    found = project.get_class(model)
                    traits = column_traits(project, found[0], column) if found is not None else None
                    if traits is not None and traits.primary_key:
                        return True
        return False

    return sorted(fetches, key=lambda f: not addressed(f))


# -- a child row loaded by its own key under a row a dependency checked (H157, issue 17) ---------------------------


def checked_parent_model(project: Optional["ProjectIndex"], settings: "Settings", provider: Optional[str], type_q: Optional[str]) -> Optional[str]:
    """``flight: Flight = Depends(can_read_flight)``: the table model of the row a dependency hands on after
    deciding access to it: the dependency takes a key the client supplies (a plain, path or query parameter)
    and hands it to a call together with who asks (its auth dependency's value, ``user_id=current_user.id``)
    or with a row another such dependency checked (``project_id=project.id`` under ``Depends(can_read_project)``),
    and returns a value. The row's model is the dependency's (or the receiving parameter's) type when a table,
    else the one table model named like that class (``schemas.Project`` for ``models.Project``). ``None`` for
    anything else (no key, no caller, a lookup by the key alone: ``dependency_row``'s shape)."""
    if project is None or not provider:
        return None
    key = ("queries.checked_parent_model", provider, type_q, settings.identity_fields)
    return project.memo(key, lambda: _checked_parent_model(project, settings, provider, type_q, 0))


def _checked_parent_model(project: "ProjectIndex", settings: "Settings", provider: str, type_q: Optional[str], depth: int) -> Optional[str]:
    found = project.resolve_symbol(provider)
    if found is None or found[2] != "functions":
        return None
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1])
    summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
    if fn is None or summary is None or not summary.get("returns"):
        return None
    model = _row_table_named(project, type_q) or _row_table_named(project, fn.get("returns"))
    if model is None:
        return None
    plain = ("str", "int", "UUID", "UUID4")
    keys: set[str] = set()
    askers: set[str] = set()
    for p in fn.get("params", ()):
        name = p.get("name")
        if name in ("self", "cls", "request", "websocket"):
            continue
        if p.get("dependency"):
            kind = param_dependency(project, settings, p)
            if kind.kind is not None and not kind.resource:
                askers.add(name)  # who asks
            elif depth < 4 and _checked_parent_model(project, settings, p["dependency"], p.get("type"), depth + 1):
                askers.add(name)  # a row checked above (the flight's project)
            continue
        if p.get("alias") and last_segment(p["alias"]) not in plain:
            continue
        marker = last_segment(p.get("marker"))
        if marker in ("Path", "Query") or (not marker and (p.get("type") is None or last_segment(p.get("type")) in plain)):
            keys.add(name)
    if not keys or not askers:
        return None
    for c in summary.get("calls", ()):
        handed = {p for _, p in c.get("args", ())} | {p for _, p in c.get("attr_args", ())}
        if handed & keys and handed & askers:
            return model
    return None


def _row_table_named(project: "ProjectIndex", type_q: Optional[str]) -> Optional[str]:
    """The table model ``type_q`` is, or the only table model whose class has its name (a response schema
    named for its table: ``schemas.Flight`` for ``models.Flight``)."""
    if not type_q:
        return None
    canonical = project.canonical(type_q)
    if is_table_model(project, canonical):
        return canonical
    by_name = project.memo(("queries.tables_by_class_name",), lambda: _tables_by_class_name(project))
    found = by_name.get(last_segment(type_q), ())
    return found[0] if len(found) == 1 else None


def _tables_by_class_name(project: "ProjectIndex") -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for q, _ in project.iter_classes():
        if is_table_model(project, q):
            out.setdefault(last_segment(q), []).append(q)
    return {k: tuple(v) for k, v in out.items()}


def child_untied_params(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict, parent: str,
    models: tuple[tuple[str, str], ...] = (),
) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Parameters of a project function or method that reach a lookup of a table that is not ``parent`` but
    references it through its foreign keys (``DataProduct.flight_id`` -> ``Flight``), with no predicate on a
    column of that reference path and no comparison of one (``row.flight_id != flight_id``), directly or through
    the helpers it hands them to: ``{parameter: (model, call chain, reference path)}``, the shortest path first.
    A function that checks access itself (``checked``) answers for what it loads; an owned table's lookup is
    ``helper_unscoped``'s (reported by its owner column)."""
    key = ("flow.child_untied", module, cls, name, parent, models, settings.identity_fields, settings.owned_models, settings.not_owned_models)
    return project.memo(key, lambda: _child_untied_params(project, settings, module, cls, name, with_models(summary, dict(models)), parent, 0))


def _child_untied_params(
    project: "ProjectIndex", settings: "Settings", module: str, cls: Optional[str], name: str, summary: dict, parent: str, depth: int
) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    out: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    if summary.get("checked"):
        return out
    short = name.rsplit(".", 1)[-1] if cls is None else name
    preds = set(summary.get("preds", ()))
    compared = set(summary.get("compared", ()))
    for fetch in _addressed_first(project, summary):
        found = project.get_class(fetch.get("model") or "")
        if found is None or not is_table_model(project, found[0]) or found[0] == parent or is_owned(project, settings, found[0]):
            continue
        path = reference_path(project, found[0], parent)
        if path is None:
            continue
        own = set(fetch["preds"]) if "preds" in fetch else preds
        seen = set(fetch["compared"]) if "compared" in fetch else compared
        if set(path) & (own | seen):
            continue  # scoped by (or compared with) the reference to the parent
        for k in fetch.get("own_keys", fetch.get("keys", ())):
            old = out.get(k)
            if old is None or len(path) < len(old[2]):
                out[k] = (found[0], (f"{short}()",), path)
    if depth >= 3:
        return out
    params = summary.get("params", [])
    for c in summary.get("calls", ()):
        target = c["target"]
        sub: Optional[tuple[str, Optional[str], str, dict]] = None
        if target.startswith("self.") and cls is not None and target.count(".") == 1:
            sub = specialised(project, cls, method_summary(project, cls, target[5:]))
        elif not target.startswith("self."):
            found_fn = project.resolve_symbol(target)
            if found_fn is not None and found_fn[2] == "functions":
                s = flow_facts(project, found_fn[0]).get("functions", {}).get(found_fn[1])
                if s is not None:
                    sub = (found_fn[0], None, found_fn[1], s)
        if sub is None or (sub[0], sub[2]) == (module, name):
            continue
        sub_params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and sub_params[:1] and sub_params[0] in ("self", "cls")) else 0
        given = handed_models(sub[3], offset, c.get("models", ()))
        inner = _child_untied_params(project, settings, sub[0], sub[1], sub[2], with_models(sub[3], dict(given)), parent, depth + 1)
        if not inner:
            continue
        for where, param in c["args"]:
            if param not in params or param in out:
                continue
            target_param = (sub_params[where + offset] if where + offset < len(sub_params) else None) if isinstance(where, int) else where
            if target_param in inner:
                model, chain, path = inner[target_param]
                out[param] = (model, (f"{short}()",) + chain, path)
    return out


def checked_parent_dependencies(project: Optional["ProjectIndex"], settings: "Settings") -> frozenset[str]:
    """The project functions that are dependencies handing on a row they checked (``checked_parent_model`` by
    their own return type), by qualified name: family 2's screen lets a file that names one through (a route
    under one may load a child of the row untied to it)."""
    if project is None:
        return frozenset()
    key = ("queries.checked_parent_dependencies", settings.identity_fields)
    return project.memo(key, lambda: _checked_parent_dependencies(project, settings))


def _checked_parent_dependencies(project: "ProjectIndex", settings: "Settings") -> frozenset[str]:
    out: set[str] = set()
    for mod, facts in project.modules.items():
        functions = orm_facts(facts).get("functions", {})
        if not functions:
            continue
        summaries = flow_facts(project, mod).get("functions", {})
        for name, fn in functions.items():
            summary = summaries.get(name)
            if summary is None or not summary.get("returns") or not summary.get("calls") or not fn.get("returns"):
                continue
            if not any(p.get("dependency") for p in fn.get("params", ())):
                continue
            if checked_parent_model(project, settings, f"{mod}.{name}", None) is not None:
                out.add(f"{mod}.{name}")
    return frozenset(out)


def checked_parent_params(ctx: "FileContext", identity: Identity) -> dict[str, str]:
    """A route's parameters holding a row its dependency checked (``checked_parent_model``): name -> table
    model; none in an admin-only route."""
    project = ctx.project
    if project is None or identity.route is None or identity.admin:
        return {}
    out: dict[str, str] = {}
    for p in identity.params:
        if p.provider and p.marker in ("Depends", "Security"):
            model = checked_parent_model(project, ctx.settings, p.provider, p.type)
            if model is not None:
                out[p.name] = model
    return out


def checked_parent_keys(project: Optional["ProjectIndex"], settings: "Settings", provider: Optional[str]) -> frozenset[str]:
    """The client keys a dependency handing on a checked row takes (``checked_parent_model``), with those of
    the checked rows it is handed in turn (``flight_id``, ``project_id`` for ``can_read_flight``): the route's
    values of them name the checked rows, not a child."""
    if project is None or not provider:
        return frozenset()
    return project.memo(("queries.checked_parent_keys", provider), lambda: _checked_parent_keys(project, settings, provider, 0))


def _checked_parent_keys(project: "ProjectIndex", settings: "Settings", provider: str, depth: int) -> frozenset[str]:
    found = project.resolve_symbol(provider)
    if found is None or found[2] != "functions":
        return frozenset()
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    plain = ("str", "int", "UUID", "UUID4")
    out: set[str] = set()
    for p in fn.get("params", ()):
        name = p.get("name")
        if name in ("self", "cls", "request", "websocket"):
            continue
        if p.get("dependency"):
            if depth < 4 and _checked_parent_model(project, settings, p["dependency"], p.get("type"), depth + 1):
                out |= _checked_parent_keys(project, settings, p["dependency"], depth + 1)
            continue
        if p.get("alias") and last_segment(p["alias"]) not in plain:
            continue
        marker = last_segment(p.get("marker"))
        if marker in ("Path", "Query") or (not marker and (p.get("type") is None or last_segment(p.get("type")) in plain)):
            out.add(name)
    return frozenset(out)
