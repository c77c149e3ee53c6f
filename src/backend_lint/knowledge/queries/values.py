"""The abstract values of the query analysis: a query ``Site``, the ``Val`` a name holds while a function body is
walked in order, and the ``FunctionQueries`` a walk returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from ...ground.lazy import lazy_import

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


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
    pred_keywords: dict[int, str] = field(default_factory=dict)  # id(a filter_by value in pred_nodes) -> its keyword
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
    # scoped only by identity columns of other tables joined in (``.join(Task).filter(Note.id == note_id,
    # Task.workspace_id == workspace_id)``): the rows of a parent the caller may use, not the row's own owner; a later
    # comparison of the row's own identity column with the principal decides access to it (BKL202,
    # ``_parent_only_scoped``)
    parent_only_scoped: bool = False
    # a helper's lookup whose owner column is compared only with the client's path key handed in
    # (``fetch_by_user(db, user_id=user_id)``): the column, for the message
    owner_value: str = ""
    # a lookup counted scoped only because its keys were read off rows of owned models loaded here without an
    # owner predicate (``epic = Epic.query.get(story.epic_id)`` after ``story = Story.query.get(story_id)``):
    # those rows' lookups; when they are reported unchecked (BKL201), the key was the client's after all
    keyed_off: tuple = ()

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
    # the objects a project factory returns as a tuple (``svc, audit = _services(session)``): one ``instance`` or
    # ``None`` per item, handed to the names a tuple target unpacks it into
    instances: tuple = ()
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
    # for rows from a repository (``repo``): the value is the row's owner column, which the helper handed back
    # (``return int(edit.user_id)``, flow fact ``returns_attr``): compared with who asks, it decides on the row
    owner_of: bool = False
    # a container bound empty (``seen = set()``, ``[]``) that nothing was put in yet: no key of anyone's; the first
    # keys put in decide whether it is trusted (``expressions.call``), and a way where it stays empty joins one
    # that trusts it without making it the client's (``merge_into``)
    empty: bool = False
    # for rows from a repository (``repo``): where the row was bound (the assignment's target, or the parameter that
    # hands it in), which stands for its fetch: the checks of one such row give one finding (``findings``). Not
    # compared: two values that agree in every other field are the same value to the walk
    fetch: Optional[cst.CSTNode] = field(default=None, compare=False)


NOTHING = Val()


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
    # the caller's membership, looked up through the row's reference to a joined table (``Hours.id ==
    # ticket.hours_id``) and refused when missing, decides on the row: the project's own check, reported for a
    # table with no identity column too (``column`` names the reference)
    membership: bool = False
    # a row of a table with no identity column whose reference to an owned parent is compared with the parent's
    # key verified for the caller (``issue.project_id != project_id`` after the project was checked): reported
    # for that table as well (``child_of_checked_key``)
    child: bool = False


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
