"""The scoping columns a project uses that are not identity fields (RULES.md: "the scoping column is the one the
project uses: per owned model, the identity column the project compares with the principal elsewhere").

A column ``C`` of a table model ``M`` that is none of the identity fields is a scoping column of ``M`` (and ``M``
owned) when the project, somewhere, compares it with the caller as an access decision or scopes a query by it
(the ``scoping`` index facts, ``index/extractors/scoping.py``):

- a query predicate ``M.C == <caller>`` / ``filter_by(C=<caller>)`` / ``M.C.in_(<caller>)``: the project
  scopes ``M``'s queries by ``C`` (``Tool.owner_email == user_email``, ``Task.init_user_id == g.user.id``);
- a comparison ``row.C != <caller>`` with ``row`` a row of ``M`` (a lookup of ``M`` in the same function, or a
  parameter annotated ``M``) in the test of an ``if`` that exits, or in a ``return``: an access decision;
- an authorisation helper given the caller and ``row.C`` (or the row), whose own body compares that with the
  caller (``resource.owner_email == user_email``) or looks both up together in one query's predicates (a
  membership lookup: ``UserClient.user_id == user_id, UserClient.client_id == client_id``):
  ``user_has_client_access(current_user.id, alert.alert_customer_id)``;
- a method of ``M`` or of a mixin of ``M`` comparing ``self.C`` with the caller, or handing ``self.C`` and the
  caller to such a membership lookup (``HouseholdMember.find_by_ids(self.household_id, current_user.id)``).

- a comparison or predicate of ``M.C`` with the key of a row the caller owns (``str(prescription.doctor_id) !=
  str(doctor.id)`` after ``doctor = db.query(Doctor).filter(Doctor.user_id == current_user.id).first()``), where
  ``C`` references that row's model, in at least ``_OWN_ROW_MIN`` functions (``_own_row_evidence``).

*The caller* is strict: the principal object or one of its identity attributes (``current_user``, ``user.id``,
``g.user.id``, ``user.email``, ``user.household_id``: a principal parameter name, read through ``self`` /
``g`` / ``request`` / ``request.state``, and ``id`` / ``uuid`` / ``pk`` / ``email`` / ``sub`` / ``username``
or any ``*_id`` of it), or a value named as the caller's identity (``user_id``, ``current_user_id``,
``user_email``, ``requesting_user_email``). A principal attribute that is no identity (``status``, ``name``,
``role``) says nothing about who owns the row; nor do the row's own key or natural keys (``id``, ``email``,
``name``: comparing them with the caller is reading the principal's own table).

Configured ``identity-fields`` / ``owned-models`` still come first and ``not-owned-models`` removes a model
(``models.is_owned``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..ground.config import analysis_key
from .facts import orm_facts
from .imports import last_segment
from .models import _CREATOR_COLUMN, MEMBERSHIP_CHILD, _snake, _table_constraints, identity_fields, is_table_model, model_columns, referenced_model, scoping_evidence
from .repositories import repository_model, self_attribute_class

if TYPE_CHECKING:
    from ..ground.config import Settings
    from .index import ProjectIndex

# the spelling's head names the principal's holder and is dropped: ``self.user``, ``g.user``, ``request.state.user``
_HOLDERS = frozenset({"self", "g", "flask", "request", "state", "ctx", "context", "info"})
_PRINCIPALS = frozenset({"current_user", "user", "principal", "actor", "caller", "auth_user", "requester", "current_principal", "requesting_user", "logged_in_user", "auth_subject"})
_ID_ATTRIBUTES = frozenset({"id", "uuid", "pk", "email", "sub", "username", "user_id"})
# the words a name of the caller's identity is made of (``requesting_user_email``, ``current_user_id``)
_CALLER_WORDS = frozenset({"current", "user", "caller", "requesting", "request", "auth", "authenticated", "principal", "actor", "logged", "in", "my"})
_QUALIFIERS = frozenset({"current", "requesting", "auth", "authenticated", "logged", "my"})
_IDENTITY_SUFFIXES = frozenset({"id", "email", "uuid"})
_CALLER_CALLS = frozenset({"get_jwt_identity()", "get_current_user()", "current_user()"})
# a row's own key or natural key: compared with the caller it is the principal's own table, no owner column
_NOT_SCOPING = frozenset({"id", "uuid", "pk", "email", "username", "user", "user_name", "name", "login", "sub", "key", "slug", "token"})
# a column held by more models than this is too common to be read off a row whose model is unknown
_UNKNOWN_ROW_LIMIT = 3


def is_caller(who: str, settings: Optional["Settings"]) -> bool:
    """Whether a spelling (``current_user.id``, ``g.user.id``, ``user_email``) is the caller or its identity."""
    if who in _CALLER_CALLS:
        return True
    parts = who.split(".")
    while len(parts) > 1 and parts[0] in _HOLDERS:
        parts = parts[1:]
    principals = set(_PRINCIPALS) | set(settings.principal_parameters if settings is not None else ())
    head, rest = parts[0], parts[1:]
    if head.endswith("()"):
        return False
    if head in principals:
        return not rest or (len(rest) == 1 and (rest[0] in _ID_ATTRIBUTES or rest[0].endswith("_id")))
    if rest:
        return False
    words = head.split("_")
    if len(words) < 2 or words[-1] not in _IDENTITY_SUFFIXES or not set(words[:-1]) <= _CALLER_WORDS:
        return False
    named = set(words[:-1])
    # ``user_email``, ``caller_id``; ``principal_id`` / ``actor_id`` alone may name anyone (a grant's target):
    # only ``current_principal_id``, ``requesting_actor_id``
    return bool(named & {"user", "caller"}) or bool(named & {"principal", "actor"} and named & _QUALIFIERS)


def role_permission(entry: dict[str, Any]) -> bool:
    """A ``direct`` entry comparing a creator column with the caller only on the branch of named tenant roles
    (index ``role_branch``: ``if role == "member": return str(board.created_by) == user_id`` after the caller's
    role in the tenant was looked up): a permission inside the tenant (members edit what they made, owners and
    admins anything), not the row's owner. The creator column stays an audit column for that model."""
    if entry.get("role_only"):
        return True  # (any column: ``_role_holder_nodes`` of the index, a branch only a named role takes)
    return bool(entry.get("role_branch")) and bool(_CREATOR_COLUMN.match(entry.get("column", "")))


def dependency_caller(entry: dict[str, Any], settings: Optional["Settings"]) -> bool:
    """A ``scoping`` entry whose other side is a parameter an auth dependency fills (``current=Depends(
    get_current_user)``, the dependency named in ``auth-dependencies``), or its id: the caller, however the
    parameter is named (``current.id``)."""
    dep = entry.get("dep")
    if not dep or settings is None:
        return False
    names = set(settings.auth_dependencies)
    if dep not in names and last_segment(dep) not in {last_segment(n) for n in names}:
        return False
    rest = entry.get("who", "").split(".")[1:]
    return not rest or (len(rest) == 1 and (rest[0] in _ID_ATTRIBUTES or rest[0].endswith("_id")))


def context_caller(project: "ProjectIndex", settings: Optional["Settings"], entry: dict[str, Any]) -> bool:
    """A ``scoping`` entry whose other side is read off a context object an auth dependency builds from the
    authenticated request alone (``ctx.tenant.id`` of ``ctx: TenantContext = Depends(get_tenant_context)``, which
    returns ``TenantContext(tenant=tenant, user=current_user)``; ``context.organization_id`` of a dataclass): the
    caller's own tenant (or user) row's key, or the context's own identity value (``knowledge.auth.
    context_attribute``). A context whose dependency reads a value the client picks (``x_tenant_id: str =
    Header(...)``) holds the client's choice: not the caller."""
    dep = entry.get("dep")
    if not dep or settings is None:
        return False
    from .auth.context import context_attribute  # (auth imports this module)

    return context_attribute(project, settings, dep, entry.get("who", "").split(".")[1:])


def inferred_scoping(project: Optional["ProjectIndex"], settings: Optional["Settings"]) -> dict[str, dict[str, str]]:
    """``{model: {column: why}}``: the table models' columns that the project compares with the caller
    (module docstring), none of them an identity field; ``why`` names the first place found."""
    if project is None:
        return {}
    return _inferred(project, settings)[0]


def _inferred(project: "ProjectIndex", settings: Optional["Settings"]) -> tuple[dict[str, dict[str, str]], frozenset[str]]:
    fields = tuple(settings.identity_fields) if settings is not None else ()
    principals = tuple(settings.principal_parameters) if settings is not None else ()

    def load() -> tuple[dict[str, dict[str, str]], frozenset[str]]:
        # stored with the index (a run linting one file reads it instead of reading every module's summaries),
        # per the settings ``_infer`` reads; JSON keeps the dicts' order
        raw = project.stored_memo(f"scoping.inferred:{analysis_key(settings)}", lambda: _encoded(_infer(project, settings)))
        return {model: dict(columns) for model, columns in raw["scoping"].items()}, frozenset(raw["callers"])

    return project.memo(("scoping.inferred", fields, principals), load)


def _encoded(inferred: tuple[dict[str, dict[str, str]], frozenset[str]]) -> dict[str, Any]:
    return {"scoping": inferred[0], "callers": sorted(inferred[1])}


def inferred_columns(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> tuple[str, ...]:
    if project is None or not qualified:
        return ()
    found = project.get_class(qualified)
    canonical = found[0] if found else qualified
    return tuple(sorted(inferred_scoping(project, settings).get(canonical, {})))


def why(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: str, column: str) -> Optional[str]:
    return inferred_scoping(project, settings).get(qualified, {}).get(column)


def table_columns(project: "ProjectIndex") -> tuple[dict[str, frozenset[str]], dict[str, list[str]]]:
    """``(tables, holders)``: each table model's column names, and for each column name the table models holding
    it, in the index's class order (read-only: shared by every reader of the project)."""
    return project.memo("scoping.table_columns", lambda: _table_columns(project))


def _table_columns(project: "ProjectIndex") -> tuple[dict[str, frozenset[str]], dict[str, list[str]]]:
    tables: dict[str, frozenset[str]] = {}
    holders: dict[str, list[str]] = {}
    for q, _ in project.iter_classes():
        if is_table_model(project, q):
            cols = frozenset(model_columns(project, q))
            tables[q] = cols
            for c in cols:
                holders.setdefault(c, []).append(q)
    return tables, holders


def _infer(project: "ProjectIndex", settings: Optional["Settings"]) -> tuple[dict[str, dict[str, str]], frozenset[str]]:
    fields = set(identity_fields(settings))
    tables, holders = table_columns(project)
    if not tables:
        return {}, frozenset()
    out: dict[str, dict[str, str]] = {}
    callers: set[str] = set()
    subclasses: dict[str, list[str]] = {}
    for q in tables:
        for name, _ in project.class_mro(q):
            subclasses.setdefault(name, []).append(q)

    def add(models: Any, column: str, where: str, who: str, unknown_ok: bool = False, row: str = "", named_only: bool = False) -> None:
        if column in fields or column in _NOT_SCOPING or not column[:1].islower():
            return
        candidates = [models] if isinstance(models, str) else list(models or ())
        targets: list[str] = []
        for m in candidates:
            found = project.get_class(m) if m else None
            name = found[0] if found is not None else _local_model(tables, m)
            if name is None:
                continue
            for q in subclasses.get(name, ()):  # the model itself, or the table models a mixin is part of
                if column in tables[q] and q not in targets:
                    targets.append(q)
        if not targets and unknown_ok and not any(project.get_class(m) for m in candidates if m):
            held = holders.get(column, [])
            if len(held) <= _UNKNOWN_ROW_LIMIT and not named_only:
                targets = list(held)
            elif row:
                targets = _named_like_row(held, row)
        targets = [q for q in targets if not _own_key(project, q, column)]
        for q in targets:
            out.setdefault(q, {}).setdefault(column, where)
        if targets:
            callers.add(who)
            if _principal_own(who, column, settings):
                tenants.setdefault(column, {}).update((q, where) for q in targets if q not in tenants.get(column, {}))

    owned_rows: dict[tuple[str, str], dict[str, str]] = {}  # (model, column) -> {function: why}
    tenants: dict[str, dict[str, str]] = {}  # column -> {model: why}: compared with the principal's own column
    deciders: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # bare name -> [(qualified, summary)]
    for mod, facts in project.iter_modules():
        for name, summary in facts.get("extra", {}).get("scoping", {}).get("deciders", {}).items():
            deciders.setdefault(name.rsplit(".", 1)[-1], []).append((f"{mod}.{name}", summary))
    for mod, facts in project.iter_modules():
        found = facts.get("extra", {}).get("scoping")
        if not found:
            continue
        for fname, per in found.get("functions", {}).items():
            for d in per.get("direct", ()):
                who = d["who"]
                if role_permission(d):
                    continue
                if "via" in d:
                    _own_row_evidence(project, settings, fields, tables, holders, d, f"{mod}.{fname}", mod, owned_rows)
                    continue
                if "repo" in d:
                    model = _repository_row_model(project, mod, fname, d["repo"])
                    if model is not None and is_caller(who, settings):
                        add(model, d["column"], f"{d['how']}: compared with `{who}` in {mod}:{d['line']}", who)
                    continue
                if is_caller(who, settings) and d.get("row"):
                    # a row a project helper returned: the one table model holding the column named as the local
                    named = _named_like_row(holders.get(d["column"], []), d["row"]) or _called_row(project, mod, fname, d["column"])
                    if named:
                        add(named, d["column"], f"{d['how']}: compared with `{who}` in {mod}:{d['line']}", who)
                elif (is_caller(who, settings) or dependency_caller(d, settings) or context_caller(project, settings, d)) and not d.get("optional"):
                    add(d["model"], d["column"], f"{d['how']}: compared with `{who}` in {mod}:{d['line']}", who)
            for c in per.get("calls", ()):
                who, column = c["who"], c["column"]
                if not is_caller(who, settings):
                    continue
                decided = _decided(project, deciders, c["target"], column, c["at"], c["who_at"], _FORWARD_DEPTH)
                forwarded = False
                if not decided:
                    # decided by a helper it hands the two on to: only for a row whose model is known or named by
                    # its local (a column held by a few tables is no evidence through a chain of helpers)
                    decided = _decided(project, deciders, c["target"], column, c["at"], c["who_at"])
                    forwarded = bool(decided)
                if decided:
                    add(c["model"], decided, f"helper: `{c['target'].rsplit('.', 1)[-1]}()` given `{who}` in {mod}:{c['line']}", who, unknown_ok=bool(column), row=c.get("row", ""), named_only=forwarded)
    for (model, column), where in sorted(owned_rows.items()):
        if len(where) >= _OWN_ROW_MIN and column not in out.get(model, {}):
            out.setdefault(model, {})[column] = where[sorted(where)[0]]
    _tenant_holders(project, tenants, holders, out, tables, fields)
    callers |= _written(project, settings, out, tables, fields, add)
    _parent_owner_copies(project, out, tables, holders, fields)
    _membership_keys(project, out, tables, holders, fields)
    return out, frozenset(callers)


def _membership_keys(
    project: "ProjectIndex", out: dict[str, dict[str, str]], tables: dict[str, frozenset[str]],
    holders: dict[str, list[str]], fields: set[str],
) -> None:
    """A group key the project decides access by through a membership table: a table model ``M`` holding an
    identity field (``user_id``) and a reference ``C`` to a table ``T`` in one composite key (``UserTeamRole(user_id,
    team_id, role_id)`` with that primary key, ``_link_row``), where a project helper decides on an identity field and ``C`` handed together (flow
    ``method_deciders`` / ``decided_on``: ``validate_user_access_team_resource(user_id=, team_id=)``, raising or
    returning a verdict). Every other table model holding ``C`` with the same reference (``Role.team_id``,
    ``Device.team_id``) belongs to a group the caller reaches only through such a row: it is scoped by ``C``."""
    decided = _decided_pairs(project, fields)
    if not decided:
        return
    grouped: set[str] = set()
    for column in sorted(decided):
        links = [m for m in holders.get(column, ()) if _link_row(project, m, column, tables[m] & fields)]
        groups = {referenced_model(project, m, column) for m in links} - {None}
        for group in sorted(groups):  # type: ignore[type-var]
            members = [m for m in links if referenced_model(project, m, column) == group]
            for q in holders.get(column, ()):
                if q in members or q == group or column in out.get(q, {}) or referenced_model(project, q, column) != group:
                    continue
                out.setdefault(q, {})[column] = (
                    f"membership: `{members[0].rsplit('.', 1)[-1]}` ties `{column}` to the caller, decided by "
                    f"`{decided[column]}()`"
                )
                grouped.add(q)
    _membership_children(project, out, tables, fields, grouped)


def _link_row(project: "ProjectIndex", model: str, column: str, owners: frozenset[str]) -> bool:
    """A membership row: ``column`` and an identity field of the table share its composite primary key or a
    unique constraint (``PrimaryKeyConstraint("user_id", "role_id", "team_id")``): one row per member and group."""
    return bool(owners) and any(column in cols and owners & set(cols) for cols in _table_constraints(project, model))


def _membership_children(
    project: "ProjectIndex", out: dict[str, dict[str, str]], tables: dict[str, frozenset[str]], fields: set[str], grouped: set[str],
) -> None:
    """A table with no owner column of its own whose one reference to a project table points at a table the
    membership reading scoped (``DeviceAttribute.device_id`` -> ``Device``, scoped by ``team_id``): its rows are
    the group's through that parent, scoped by the reference."""
    for q in sorted(tables):
        if q in out or q in grouped or tables[q] & fields:
            continue
        refs = {c: referenced_model(project, q, c) for c in sorted(tables[q]) if c.endswith("_id")}
        refs = {c: m for c, m in refs.items() if m is not None}
        if len(refs) != 1:
            continue
        (column, parent), = refs.items()
        if parent in grouped:
            out.setdefault(q, {})[column] = f"{MEMBERSHIP_CHILD}: rows of `{parent.rsplit('.', 1)[-1]}` (`{column}`), {next(iter(out[parent].values()))}"


def _decided_pairs(project: "ProjectIndex", fields: set[str]) -> dict[str, str]:
    """``{C: helper}``: path keys a dependency factory's inner function (index ``makes``: ``RequireTeamPermission
    (perm)`` returning ``Depends(require_team_permission)``) takes from the path (``team_id: Annotated[UUID,
    Path()]``) and hands, together with what another dependency gives (the caller), to a helper that refuses on
    them (``raising_decider``: ``validate_user_access_team_resource(user_id=user.id, team_id=team_id)``)."""
    out: dict[str, str] = {}
    for _, facts in project.iter_modules():
        for fn in orm_facts(facts).get("functions", {}).values():
            made = fn.get("makes") or {}
            params = made.get("params", ())
            keys = {p.get("name") for p in params if last_segment(p.get("marker")) == "Path" and not p.get("dependency")}
            given = {p.get("name") for p in params if p.get("dependency")}
            for target, handed in made.get("hands", ()) if keys and given else ():
                if set(handed) & given and raising_decider(project, params, target):
                    for key in sorted(set(handed) & keys - fields):
                        out.setdefault(key, target.rsplit(".", 1)[-1])
    return out


def raising_decider(project: "ProjectIndex", params: Any, target: str) -> bool:
    """What a dependency factory's inner function calls (index ``hands``: ``target``) refuses on what it is
    handed: a project function that raises and decides on its arguments (flow ``deciders``), or a method of the
    class one of ``params`` is annotated with (``_raising_method_decider``)."""
    return _raising_function_decider(project, target) or _raising_method_decider(project, params, target)


def _raising_function_decider(project: "ProjectIndex", target: str) -> bool:
    found = project.project_function(target)
    if found is None:
        return False
    helper = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    flow = project.modules[found[0]].get("extra", {}).get("flow", {})
    return bool(helper.get("raises")) and found[1] in flow.get("deciders", ())


def _raising_method_decider(project: "ProjectIndex", params: Any, target: str) -> bool:
    """``permission_service.validate_access(user_id=, team_id=)`` on a parameter annotated with a project class
    (``permission_service: Annotated[PermissionService, Depends(...)]``): a method of that class (or a base) that
    decides on what it is handed and raises when it denies (flow ``method_deciders``)."""
    head, _, method = target.partition(".")
    if not method or "." in method:
        return False
    types = {fp.get("name"): fp.get("type") for fp in params}
    cls = types.get(head)
    if not cls or project.get_class(cls) is None:
        return False
    for name, _facts in project.class_mro(cls):
        where = project.split(name)
        if where is None:
            continue
        decider = project.modules[where[0]].get("extra", {}).get("flow", {}).get("method_deciders", {}).get(f"{where[1]}.{method}")
        if decider is not None:
            return decider.get("how") == "raise"
    return False


def _parent_owner_copies(
    project: "ProjectIndex", out: dict[str, dict[str, str]], tables: dict[str, frozenset[str]],
    holders: dict[str, list[str]], fields: set[str],
) -> None:
    """A child table that references a parent scoped by a column the project compares with the caller, and holds
    that very column itself, declared alike (the same foreign key target, or none on either side), is scoped by
    it too: the child carries a copy of its parent's owner (``ScheduleList.teacher_username`` beside
    ``ScheduleList.schedule_id`` -> ``Schedule``, whose ``teacher_username`` the project compares with
    ``current_user.username``). Only the evidence read from comparisons counts (one level: a copy does not make
    copies); a child with an identity field or a scoping column of its own keeps it alone; a column naming who
    acted (``created_by``, ``reviewer_id``) is filled for each row by whoever made it, no copy."""
    from .models import column_traits, _declared_field  # (models reads this module lazily too)

    def target(model: str, column: str) -> Optional[str]:
        declared = _declared_field(project, model, column)
        if declared is None:
            return None
        raw = declared[1].get("value")
        text = raw if isinstance(raw, str) else ""
        for marker in ("foreign_key=", "ForeignKey("):
            at = text.find(marker)
            if at >= 0:
                return text[at + len(marker):].split(")")[0].split(",")[0].strip()
        return ""

    found: dict[str, dict[str, str]] = {}
    for parent, columns in sorted(out.items()):
        for column, why in sorted(columns.items()):
            if not why.startswith(("compare", "predicate", "helper", "method")):
                continue
            if column.endswith("_by") or set(column.split("_")) & _ACTOR_WORDS:
                continue  # (``TaskBaseline.created_by`` beside ``task_id``: who made the child, not a copy of the owner)
            keyed = target(parent, column)
            if keyed is None:
                continue
            for child in holders.get(column, ()):
                if child == parent or child in out or child in found or tables[child] & fields:
                    continue
                if column_traits(project, child, column) is None or target(child, column) != keyed:
                    continue
                refs = [c for c in sorted(tables[child]) if c != column and referenced_model(project, child, c) == parent]
                if not refs:
                    continue
                found.setdefault(child, {})[column] = (
                    f"parent copy: `{column}` of its parent `{parent.rsplit('.', 1)[-1]}` (`{refs[0]}`), {why}"
                )
    for child, columns in found.items():
        out.setdefault(child, {}).update(columns)


# how many models the project must scope by the principal's own column of the same name before every table
# holding that column is scoped by it (a tenant column: ``Course.school_id == user.school_id``)
_TENANT_MIN_MODELS = 2


def _principal_own(who: str, column: str, settings: Optional["Settings"]) -> bool:
    """``who`` is the principal's own column of that name (``current_user.school_id`` compared with
    ``Course.school_id``, ``g.user.company_id`` with ``Invoice.company_id``): the caller's tenant."""
    parts = who.split(".")
    while len(parts) > 1 and parts[0] in _HOLDERS:
        parts = parts[1:]
    principals = set(_PRINCIPALS) | set(settings.principal_parameters if settings is not None else ())
    return len(parts) == 2 and parts[0] in principals and parts[1] == column


def _tenant_holders(
    project: "ProjectIndex", tenants: dict[str, dict[str, str]], holders: dict[str, list[str]], out: dict[str, dict[str, str]],
    tables: dict[str, frozenset[str]], fields: set[str],
) -> None:
    """A column that is none of the identity fields, which the project compares with the principal's own
    column of the same name for at least ``_TENANT_MIN_MODELS`` models (``Course.school_id == user.school_id``,
    ``FileRecord.school_id == current_user.school_id``), is the project's tenant column, as ``organization_id``
    is by default: every table model holding it is scoped by it, the principal's own table too (another
    school's ``User`` row is not the caller's to read), unless the column is that table's own key. A table
    with an identity field keeps it alone (``Notification.user_id``: the tenant predicate does not say whose
    notification it is)."""
    for column, scoped in sorted(tenants.items()):
        if len(scoped) < _TENANT_MIN_MODELS:
            continue
        first = sorted(scoped)[0]
        why = f"tenant: the column the project scopes {len(scoped)} models by with the caller's own `{column}` ({first.rsplit('.', 1)[-1]}: {scoped[first]})"
        for q in holders.get(column, ()):
            if column in out.get(q, {}) or _own_key(project, q, column):
                continue
            if tables[q] & fields and not _tenant_only_evidence(project, q, column, tables[q] & fields):
                continue
            out.setdefault(q, {})[column] = why


def _tenant_only_evidence(project: "ProjectIndex", q: str, column: str, held: frozenset[str]) -> bool:
    """A table holding an identity field (``PasswordChangeRequest.user_id``) that the project constrains by the
    tenant column (``PasswordChangeRequest.school_id == school_id``) and never by any identity field it holds
    (the ``flow`` facts' scoping counts, as ``models.scoping_column`` reads them): the project scopes it by the
    tenant, the identity field says whose request it is, not who may read it. A table also constrained by
    its identity field (``Notification.user_id``) keeps that field alone."""
    uses = scoping_evidence(project)
    counts = uses.get(q, {})
    return counts.get(column, 0) > 0 and not any(counts.get(f, 0) for f in held)


def _named_like_row(held: list[str], row: str) -> list[str]:
    """Of the table models holding a column, the one whose class name is the local holding the row
    (``workspace.team_id`` handed to a check, ``workspace`` read over several statements: ``Workspace``), when
    too many models hold the column to take them all (``_UNKNOWN_ROW_LIMIT``)."""
    named = [q for q in held if _snake(q.rsplit(".", 1)[-1]) == row]
    return named if len(named) == 1 else []


def _local_model(tables: dict[str, frozenset[str]], name: Any) -> Optional[str]:
    """The table model a bare class name the module's imports do not resolve stands for: imported inside the
    function (``from app.db.models import CollaborationNotification`` in a route's body), the one table model of
    that name in the project (none when two share it)."""
    if not isinstance(name, str) or not name or "." in name:
        return None
    named = [q for q in tables if q.rsplit(".", 1)[-1] == name]
    return named[0] if len(named) == 1 else None


def _repository_row_model(project: "ProjectIndex", mod: str, function: str, attr: str) -> Optional[str]:
    """The table model of a row a method's ``self.<attr>`` repository returned (``team = await
    self.repo.get_by_id(team_id)`` in ``TeamService``, whose ``__init__`` keeps ``self.repo = TeamRepository(
    session)``, a repository of ``Team``): ``repositories.repository_model`` of ``self.<attr>``'s class."""
    cls, _, _ = function.rpartition(".")
    if not cls:
        return None
    held = self_attribute_class(project, f"{mod}.{cls}", attr)
    return repository_model(project, held) if held is not None else None


# how many functions must compare a column with the key of a row the caller owns before the column is the
# model's owner column (one such comparison may be a role branch or a look-alike: bench/families12/README.md,
# "Session 21, H143")
_OWN_ROW_MIN = 2


def _own_row_evidence(
    project: "ProjectIndex", settings: Optional["Settings"], fields: set[str], tables: dict[str, frozenset[str]],
    holders: dict[str, list[str]], d: dict[str, Any], function: str, mod: str, owned_rows: dict[tuple[str, str], dict[str, str]],
) -> None:
    """A column compared with the key of a row the caller owns (``str(prescription.doctor_id) != str(doctor.id)``
    after ``doctor = db.query(Doctor).filter(Doctor.user_id == current_user.id).first()``; ``Prescription.doctor_id
    == doctor.id`` in a query): the caller's own ``Doctor`` owns the row through ``doctor_id``. Only a column that
    references that model (its foreign key, or named ``<model>_id`` where the table says nothing), of a model the
    lookup of the row names or, for a row a helper returned, the one table holding such a column (or the one
    named like the local: ``prescription``)."""
    via = d["via"]
    column = d["column"]
    if column in fields or column in _NOT_SCOPING or not column[:1].islower() or not is_caller(via.get("who", ""), settings):
        return
    name = via.get("model", "")
    found = project.get_class(name) if name else None
    if found is not None:
        parent = found[0]
    else:
        # imported inside the function (``from app.models.doctor import Doctor`` in a role branch): the one
        # table model of that name
        named = [q for q in tables if q.rsplit(".", 1)[-1] == name] if "." not in name else []
        if len(named) != 1:
            return
        parent = named[0]
    if parent not in tables:
        return
    snake = _snake(parent.rsplit(".", 1)[-1])

    def references(q: str) -> bool:
        if column not in tables.get(q, ()):
            return False
        ref = referenced_model(project, q, column)
        if ref is not None:
            return ref == parent
        return column == f"{snake}_id"

    models = [d["model"]] if isinstance(d["model"], str) else list(d["model"] or ())
    targets: list[str] = []
    for m in models:
        got = project.get_class(m) if m else None
        if got is not None and references(got[0]):
            targets.append(got[0])
    if not models:
        targets = [q for q in holders.get(column, ()) if references(q)]
        if len(targets) > 1:
            row = d.get("row", "")
            targets = [q for q in targets if _snake(q.rsplit(".", 1)[-1]) == row]
        if len(targets) != 1:
            return
    for q in targets:
        if q == parent:
            continue
        why = (
            f"{d['how']}: compared with `{d['who']}`, the caller's own `{parent.rsplit('.', 1)[-1]}` "
            f"(`{via['column']}` == `{via['who']}`), in {mod}:{d['line']}"
        )
        owned_rows.setdefault((q, column), {}).setdefault(function, why)


# the words a model's class name may carry beside the name of what its rows are (``UserModel``, ``DBUser``)
_CLASS_WORDS = frozenset({"model", "orm", "db", "table", "entity", "record", "row", "sql"})
_OWN_KEY_SUFFIXES = frozenset({"id", "uuid", "pk", "key", "email", "name"})


def _own_key(project: "ProjectIndex", model: str, column: str) -> bool:
    """``column`` is the row's own key spelled with its table's name (``User.user_uuid``, ``Account.account_id``,
    ``users.user_id``): compared with the caller it reads the principal's own table (a lookup of a user by its
    uuid), it names no owner of the row (RULES.md: "of the principal table's own key")."""
    words = column.split("_")
    if len(words) < 2 or words[-1] not in _OWN_KEY_SUFFIXES:
        return False
    if referenced_model(project, model, column) not in (None, model):
        return False  # a reference to another row (``Follower.follower_id`` -> ``users.id``): who the row is about
    head = "_".join(words[:-1])
    found = project.get_class(model)
    facts = found[1] if found else {}
    names = {"_".join(w for w in _snake(model.rsplit(".", 1)[-1]).split("_") if w not in _CLASS_WORDS)}
    raw = facts.get("fields", {}).get("__tablename__") if isinstance(facts, dict) else None
    value = raw.get("value") if isinstance(raw, dict) else None
    if isinstance(value, str) and value[:1] in "'\"":
        names.add(value.strip("'\"").lower())
    return any(head == n or head + "s" == n or head + "es" == n for n in names if n)


# a column that says who acted on a row, or whom it is for, is filled from the principal too: no owner
_ACTOR_WORDS = frozenset({
    "by", "created", "updated", "modified", "deleted", "edited", "reviewed", "reviewer", "approved", "approver", "creator",
    "editor", "modifier", "sender", "recipient", "receiver", "assignee", "assigned", "inviter", "invited", "invitee",
    "actor", "last", "performed", "triggered", "requested", "requester", "submitted", "uploaded", "uploader", "changed", "closed", "reporter", "reported", "opened",
})


def _principal_identity(who: str, settings: Optional["Settings"]) -> bool:
    """The caller's identity, or the identity of an object the principal holds (``user.profile.id``,
    ``current_user.user_profile.id``: the caller's own profile)."""
    if is_caller(who, settings):
        return True
    parts = who.split(".")
    while len(parts) > 1 and parts[0] in _HOLDERS:
        parts = parts[1:]
    principals = set(_PRINCIPALS) | set(settings.principal_parameters if settings is not None else ())
    return (
        len(parts) == 3 and parts[0] in principals and parts[1][:1].islower() and not parts[1].endswith("()")
        and (parts[2] in _ID_ATTRIBUTES or parts[2].endswith("_id"))
    )


def _written(project: "ProjectIndex", settings: Optional["Settings"], out: dict[str, dict[str, str]], tables: dict[str, frozenset[str]], fields: set[str], add: Any) -> set[str]:
    """A column the project fills from the caller's identity when it creates rows (``Image(user_profile_id=
    user.profile.id)``, or ``service.create_image(payload, user.profile.id)`` whose ``create_image(self,
    payload, user_profile_id)`` builds ``Image(user_profile_id=user_profile_id)``): the model's owner column,
    for a table model that has no identity field and no other scoping column found (a column naming who acted
    or whom the row is for, ``created_by``, ``reviewer_id``, ``recipient_id``, is none). Returns the names of
    the caller's identity so written into any column of a table model (``reporter_id=current_user_id``: the
    project holds who asks in ``current_user_id``, ``caller_values``)."""
    builders, writes = _scoping_writes(project)
    callers: set[str] = set()
    if not writes:
        return callers
    before = set(out)
    for mod, w in writes:
        who = w["who"]
        if not _principal_identity(who, settings):
            continue
        if "model" in w:
            found_cls = project.get_class(w["model"])
            written = [(found_cls[0], w["column"])] if found_cls else []
        else:
            written = _built(project, builders, w["target"], w["at"])
        for model, column in written:
            if model not in tables or column not in tables[model]:
                continue
            callers.add(who)
            if model in before or tables[model] & fields:
                continue
            if column.endswith("_by") or set(column.split("_")) & _ACTOR_WORDS:
                continue
            if _under_owned_parent(project, model, column, tables, fields):
                continue
            add(model, column, f"written: filled from `{who}` in {mod}:{w['line']}", who)
    return callers


def _scoping_writes(project: "ProjectIndex") -> tuple[dict[str, list[tuple[str, dict[str, Any]]]], list[tuple[str, dict[str, Any]]]]:
    """The ``scoping`` facts' row builders (by bare name: ``[(qualified name, summary)]``) and the writes of every
    function, each with its module."""
    builders: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    writes: list[tuple[str, dict[str, Any]]] = []
    for mod, facts in project.iter_modules():
        found = facts.get("extra", {}).get("scoping")
        if not found:
            continue
        for name, summary in found.get("builders", {}).items():
            builders.setdefault(name.rsplit(".", 1)[-1], []).append((f"{mod}.{name}", summary))
        for per in found.get("functions", {}).values():
            writes.extend((mod, w) for w in per.get("writes", ()))
    return builders, writes


def _under_owned_parent(project: "ProjectIndex", model: str, written: str, tables: dict[str, frozenset[str]], fields: set[str]) -> bool:
    """``model`` references a parent row that is owned (its table has an identity field) or held through a
    membership (a table with an identity field references the parent: ``LinkUserProject(user_id, project_id)``):
    the row belongs to its parent, and a column filled from the caller when it is made (``Job.user_email``) is a
    snapshot of who submitted it, not its owner (fractal-server's ``JobV2``, hold-out 16). The ``written`` column
    itself is no parent (``Image(user_profile_id=user.profile.id)``: the caller's own profile owns the row)."""
    caller_table = referenced_model(project, model, written)  # (``curator_ref`` -> members: the caller's own table)
    for column in sorted(tables[model] - {written}):
        parent = referenced_model(project, model, column)
        if parent is None or parent in (model, caller_table) or parent not in tables:
            continue
        if tables[parent] & fields:
            return True
        for link, cols in tables.items():
            if link in (model, parent) or not cols & fields:
                continue
            if any(referenced_model(project, link, c) == parent for c in sorted(cols - fields)):
                return True
    return False


def _built(project: "ProjectIndex", builders: dict[str, list[tuple[str, dict[str, Any]]]], target: str, at: Any) -> list[tuple[str, str]]:
    """``(model, column)`` a function builds from the parameter at ``at`` (a position or a keyword)."""
    bare = target.rsplit(".", 1)[-1]
    candidates = builders.get(bare, [])
    resolved = project.resolve_symbol(target) if "." in target and not target.startswith("self.") else None
    keys = {target} | ({f"{resolved[0]}.{resolved[1]}"} if resolved is not None else set())
    exact = [c for c in candidates if c[0] in keys]
    if exact:
        candidates = exact
    elif resolved is not None or len(candidates) != 1:
        return []
    out: list[tuple[str, str]] = []
    for qualified, summary in candidates:
        params = summary["params"]
        offset = 1 if params and params[0] in ("self", "cls") and "." in target else 0
        if isinstance(at, int):
            i = at + offset
            param = params[i] if i < len(params) else None
        else:
            param = at if at in params else None
        if param is None:
            continue
        for p, model, column in summary["builds"]:
            found = project.get_class(model) if p == param else None
            if found is not None:
                out.append((found[0], column))
    return out


def _decided(project: "ProjectIndex", deciders: dict[str, list[tuple[str, dict[str, Any]]]], target: str, column: str, at: Any, who_at: Any, depth: int = 0) -> Optional[str]:
    """The column a helper decides on, handed the row's ``column`` (or the row, ``column == ""``) at ``at`` and
    the caller at ``who_at``: ``column`` when its summary compares or looks up the two parameters together, the
    column it compares of the row parameter with the caller's when handed the row."""
    bare = target.rsplit(".", 1)[-1]
    candidates = deciders.get(bare, [])
    resolved = project.resolve_symbol(target) if "." in target and not target.startswith("self.") else None
    keys = {target} | ({f"{resolved[0]}.{resolved[1]}"} if resolved is not None else set())
    exact = [c for c in candidates if c[0] in keys]  # (``pkg.mod.Member.find_by_ids``: the method itself)
    if exact:
        candidates = exact
    elif resolved is not None or len(candidates) != 1:
        return None  # (a name several helpers share, none resolved: no claim)
    for _, summary in candidates:
        params = summary["params"]
        offset = 1 if params and params[0] in ("self", "cls") and "." in target else 0

        def name(where: Any) -> Optional[str]:
            if isinstance(where, int):
                i = where + offset
                return params[i] if i < len(params) else None
            return where if where in params else None

        row, caller = name(at), name(who_at)
        if row is None or caller is None or row == caller:
            continue
        if column:
            if [row, caller] in summary.get("pairs", ()):
                return column
        else:
            for r_param, r_column, r_who in summary.get("rows", ()):
                if r_param == row and r_who == caller:
                    return r_column
        if depth < _FORWARD_DEPTH:
            # handed on together to a helper that decides (``check_project_member(db, user_id, project_id)`` ->
            # ``get_effective_role(db, user_id, project_id)``, a membership lookup of the two)
            for inner, given in summary.get("forwards", ()):
                where = {param: spot for spot, param in given}
                if row in where and caller in where:
                    found = _decided(project, deciders, inner, column, where[row], where[caller], depth + 1)
                    if found:
                        return found
    return None


# how many helpers deep a decision handed on is followed
_FORWARD_DEPTH = 2


def caller_values(project: Optional["ProjectIndex"], settings: Optional["Settings"]) -> frozenset[str]:
    """Names of the caller's identity (``user_email``, ``requesting_user_email``: ``is_caller``, none of them a
    principal object nor an identity field) that the project compares with an inferred scoping column: a
    parameter so named holds who asks, as a ``user_id`` parameter does (``knowledge.auth``, family 2's screen)."""
    if project is None:
        return frozenset()
    fields = tuple(settings.identity_fields) if settings is not None else ()
    principals = tuple(settings.principal_parameters) if settings is not None else ()

    def build() -> frozenset[str]:
        return frozenset(
            who for who in _inferred(project, settings)[1]
            if "." not in who and who not in fields and who not in principals and who not in _PRINCIPALS and is_caller(who, settings)
        )

    return project.memo(("scoping.caller_values", fields, principals), build)


def _called_row(project: "ProjectIndex", mod: str, fname: str, column: str) -> list[str]:
    """The one table model holding ``column`` whose rows the function holds through its lookups or the
    project functions it calls (``db_info = get_client_info_by_id(db, info_id)``: ``ClientInfo``), for a
    compared row whose local names no model (``knowledge.creators.function_row_model``)."""
    from .creators import function_row_model  # (reads this module's neighbours' facts about tables)

    found = function_row_model(project, mod, fname, column)
    return [found] if found is not None else []


def membership_owner(project: Optional["ProjectIndex"], settings: Optional["Settings"], qualified: Optional[str]) -> Optional[str]:
    """The membership table through which the project decides access to the group table ``qualified``: a table
    model ``M`` whose composite primary key or unique constraint is made of two columns, one referencing
    ``qualified`` (``WorkspaceMember.workspace_id`` -> ``Workspace``), the other an identity field (``user_id``:
    one row per member and group), where the project compares that identity field with the caller somewhere
    (``WorkspaceMember.user_id == current_user.id``: it reads the caller's memberships). The group's rows are
    reached through such a row: a creator column on the group (``Workspace.creator_id``, a record of who made
    it, never compared) does not make it a shared record. ``None`` when no such table."""
    if project is None or not qualified:
        return None
    found = project.get_class(qualified)
    canonical = found[0] if found else qualified
    return project.memo(("scoping.membership_owners", analysis_key(settings)), lambda: _membership_owners(project, settings)).get(canonical)


def _membership_owners(project: "ProjectIndex", settings: Optional["Settings"]) -> dict[str, str]:
    fields = set(identity_fields(settings))
    compared = caller_compared_columns(project, settings) & {(m, c) for m in table_columns(project)[0] for c in fields}
    out: dict[str, str] = {}
    for link, user_column in sorted(compared):
        for cols in _table_constraints(project, link):
            if user_column not in cols or len(set(cols)) != 2:
                continue  # one row per member and group: ``(user_id, workspace_id)``, not a role assignment's
                # ``(user_id, role_id, workspace_id)`` (the role is no group)
            for column in cols:
                group = referenced_model(project, link, column) if column != user_column else None
                if group is not None and group != link and is_table_model(project, group):
                    out.setdefault(group, link)
    return out


def caller_compared_columns(project: Optional["ProjectIndex"], settings: Optional["Settings"]) -> frozenset[tuple[str, str]]:
    """``_caller_compared_columns``, once per index."""
    if project is None:
        return frozenset()
    principals = tuple(settings.principal_parameters) if settings is not None else ()
    return project.memo(("scoping.caller_compared", principals), lambda: frozenset(_caller_compared_columns(project, settings)))


def _caller_compared_columns(project: "ProjectIndex", settings: Optional["Settings"]) -> set[tuple[str, str]]:
    """``(model, column)`` pairs the project's own predicates or comparisons read against the caller (``direct``
    scoping facts, whatever the column: identity fields too)."""
    out: set[tuple[str, str]] = set()
    for _, facts in project.iter_modules():
        for per in facts.get("extra", {}).get("scoping", {}).get("functions", {}).values():
            for d in per.get("direct", ()):
                if not (is_caller(d["who"], settings) or context_caller(project, settings, d)) or role_permission(d):
                    continue
                models = d.get("model")
                for m in [models] if isinstance(models, str) else list(models or ()):
                    found = project.get_class(m) if m else None
                    if found is not None:
                        out.add((found[0], d["column"]))
    return out
