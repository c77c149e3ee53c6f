"""Access decisions after a load: authorisation helpers, a row's own check methods, re-fetches, verifying methods
and helpers that compare a row with the caller.

A mixin of ``analyzer._Analyzer``: its methods read and write the walk's state through ``self``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator, Optional, Sequence

from ...ground.lazy import lazy_import
from ..auth import principal_fed_here, refusing_method, USER_CLASS
from ..cst import load_names, walk as cst_walk
from ..facts import method_return, orm_facts
from ..imports import dotted_name, last_segment
from ..index.extractors.flow import access_name, PERMISSION_WORDS  # a name that says it decides access
from ..models import column_traits, identity_columns, is_table_model, model_columns, reference_path, referenced_model, relationships
from ..repositories import enclosing_class, specialised
from .attach import caller_locals
from .created import rows_made_here
from .helper_keys import helper_caller_params
from .public import _public_read
from .summaries import (
    access_groups,
    callee_decides,
    flow_facts,
    held_method_decides,
    helper_compared_column,
    method_summary,
    principal_passes_through,
    project_callee,
    row_method_facts,
)
from .syntax import _constant_condition, _db_handle, composite_key_parts, _keyed_read, _last_small_statement, read_base, _path, _rights_name, _simple_condition, _unwrap, _walk_expr, ONE_ROW_READS, result_present_test
from .values import Comparison, NOTHING, Val
from .vocabulary import _ACCESS_STATUS, _INVALID_STATUS, _NOT_ACCESS_HELPER, named_like_check, PRIMARY_KEY_NAMES, spells_check

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _equality_sides(ctx: Any, expr: cst.BaseExpression) -> Iterator[tuple[cst.Comparison, cst.BaseExpression, cst.BaseExpression]]:
    """``(node, a, b)`` for each single ``a == b`` inside ``expr``, both sides unwrapped, in both orientations
    (``a, b`` then ``b, a``)."""
    for node in _walk_expr(expr):
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, cst.Equal):
            left, right = _unwrap(ctx, node.left), _unwrap(ctx, node.comparisons[0].comparator)
            yield node, left, right
            yield node, right, left


def _length_condition(test: cst.BaseExpression) -> Optional[tuple[str, bool]]:
    """``len(members) == 0`` / ``len(members) < 1`` -> ("members", False); ``len(members) > 0`` / ``!= 0`` /
    ``>= 1`` -> ("members", True): a list of found rows tested for being empty, as ``not members`` is."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    left, op, right = test.left, test.comparisons[0].operator, test.comparisons[0].comparator
    if not (
        isinstance(left, cst.Call) and isinstance(left.func, cst.Name) and left.func.value == "len"
        and len(left.args) == 1 and isinstance(left.args[0].value, cst.Name) and isinstance(right, cst.Integer)
    ):
        return None
    name, n = left.args[0].value.value, right.value
    if (isinstance(op, cst.Equal) and n == "0") or (isinstance(op, cst.LessThan) and n == "1"):
        return (name, False)
    if (isinstance(op, (cst.GreaterThan, cst.NotEqual)) and n == "0") or (isinstance(op, cst.GreaterThanEqual) and n == "1"):
        return (name, True)
    return None


# a test of a query's result through the accessor that reads its one row (``not result.first()``,
# ``result.scalar_one_or_none() is None``, ``await result.first()``), as ``not row`` tests a row read off it
# beforehand; a DB-API cursor's ``fetchone()`` too
_RESULT_READS = ONE_ROW_READS | {"fetchone"}


def _result_condition(test: cst.BaseExpression) -> Optional[tuple[str, bool]]:
    return result_present_test(test, _RESULT_READS, awaited=True)


def _raises_access_named(block: cst.CSTNode) -> bool:
    """The block raises an exception whose name says it refuses access (``ACCESS_NAME``: ``PermissionDenied``,
    ``CoursePermissionException``, ``Forbidden``)."""
    for node in cst_walk(block):
        if isinstance(node, cst.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            if isinstance(exc, cst.Attribute):
                exc = exc.attr
            if isinstance(exc, cst.Name) and exc.value[:1].isupper() and access_name(exc.value):
                return True
    return False



# how a column that is a key to a row ends (``workspace_id``, ``owner_ref``): compared with the caller's it may decide who owns
_KEY_ENDINGS = ("id", "_ref", "_key", "_uuid", "_pk", "email", "sub")


def _rank_only(column: Optional[str], given: list[cst.BaseExpression]) -> bool:
    """A helper handed the row's attribute that is no key (``user.role``) and, of who asks, only the same
    attribute (``current_user.role``): it compares the two ranks (``check_role_hierarchy``), like with like; it
    says nothing about whose row it is (RULES.md: a principal attribute that is no identity names no owner)."""
    if column is None or "." in column or column.endswith(_KEY_ENDINGS) or not given:
        return False
    return all(isinstance(e, cst.Attribute) and e.attr.value == column for e in given)

def client_chosen_locals(func: cst.FunctionDef, identity: Any, callers: frozenset[str]) -> frozenset[str]:
    """Locals bound (plain ``=``) to the caller on one way (a principal, an identity value, a local holding the
    caller: ``callers``) and to a read of a parameter that is none of these on another (``int(user_id)`` of a
    query parameter): whichever user the client names, the caller only by default."""
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    caller = set(identity.names()) | set(callers)
    client = params - caller - {"self", "cls"}
    ways: dict[str, set[str]] = {}
    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            names = set(load_names(node.value))
            kind = "caller" if names & caller else ("client" if names & client else "other")
            ways.setdefault(node.targets[0].target.value, set()).add(kind)
    return frozenset(n for n, kinds in ways.items() if {"caller", "client"} <= kinds)


class _Decisions:
    """Access decisions after a load: authorisation helpers, a row's own check methods, re-fetches, verifying methods
    and helpers that compare a row with the caller."""

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
        if not on_principal and not self._authorization_helper(q, name, call) and not self._deciding_operation(call, q, state):
            return None
        row: Optional[tuple[Val, Optional[str], Optional[str]]] = None
        principal = on_principal
        whole = False  # the row object itself is handed over, not its key
        candidates: list[cst.BaseExpression] = []
        given: list[cst.BaseExpression] = []  # (the values of who asks handed over)
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
                base, column = self._through_parent_local(base, column, state)
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
            elif self.is_derived(value, state) and not _db_handle(value) and not self._client_chosen(expr):
                principal = True
                given.append(expr)
        if row is not None and principal and not on_principal and _rank_only(row[2], given):
            return None  # ``check_role_hierarchy(current_user.role, user.role)``: a rank compared, no owner
        answer = False  # (the caller's rights looked up by the row's key: ``_rights_answer``)
        if row is None and principal and (self._hands_principal(candidates) or self._hands_fed_caller(call, candidates)):
            # (named like a check: a writer given the caller and a key, ``_create_document(session, user_id=...,
            # workspace_id=...)``, decides nothing about the rows loaded by that key)
            if named_like_check(name) or self._verdict_helper(q, call) or self._rights_answer(name, call):
                row = self._row_by_key(candidates, state)
                answer = row is not None and self._rights_answer(name, call)
        if row is None or not (principal or self._reads_global_caller(name, q) or self._reads_held_request(call)):
            return None
        v, var, column = row
        if v.model is None:  # a row of one of several models (``_several_models``): the helper decides on it
            return Comparison(call, v, var, helper=name, column=None)
        if v.model and self._principal_written_down(call, q, state, v.model):
            return None
        if self.project is not None and q is not None and not whole:
            found = self.project.project_function(q)
            fn = orm_facts(self.project.modules[found[0]]).get("functions", {}).get(found[1]) if found else None
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
        # (a role answered and tested among allowed ones later: an owner comparison that test also makes is the one
        # reported for the row, ``is_inviter = row.inviter_id == user.id`` beside the caller's role)
        if answer:
            self.rights_answers.add(id(call))
        return Comparison(
            call, v, var, helper=name, column=column, through=through if column is None else None,
            direct=id(call) not in self.role_verdicts, membership=answer and self._owned_through_references(v.model),
        )

    def _deciding_operation(self, call: cst.Call, q: Optional[str], state: dict[str, Val]) -> bool:
        """``return await self.get_scalars(user=user, project_id=project_id, ...)`` after ``project_id =
        experiment.project_id`` of a row just loaded: a project function or method that is no check by its name
        nor by its answers (an operation: it checks, then does its work) but refuses access on the caller and
        another value it is handed together (``callee_decides``: a 401 / 403 / 404 refusal or an exception
        named for access reading both) decides access to what that value was read from, as a helper would."""
        project = self.project
        func = call.func
        if project is None or not isinstance(func, (cst.Name, cst.Attribute)) or _NOT_ACCESS_HELPER.search(
            func.attr.value if isinstance(func, cst.Attribute) else func.value
        ):
            return False
        if id(call) not in self._statement_calls():
            return False  # (a value the function goes on to test, ``is_instructor = await ...``, is a verdict, not an operation)
        cls: Optional[str] = None
        target = q
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            cls = enclosing_class(self.ctx, self.func)
            target = f"self.{func.attr.value}"
        elif (
            isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute) and isinstance(func.value.value, cst.Name)
            and func.value.value.value == "self"
        ):
            cls = enclosing_class(self.ctx, self.func)
            target = f"self.{func.value.attr.value}.{func.attr.value}"
        if cls is None and target is not None and target.startswith("self."):
            return False
        callee = project_callee(project, cls, target) if target else None
        if callee is None:
            return False
        caller_at: list[object] = []
        row_at: list[object] = []
        for i, a in enumerate(call.args):
            if a.star:
                return False
            where: object = a.keyword.value if a.keyword is not None else i
            expr = _unwrap(self.ctx, a.value)
            if _db_handle(a.value):
                continue
            base = expr
            while isinstance(base, cst.Attribute):
                base = base.value
            held = state.get(base.value) if isinstance(base, cst.Name) else None
            if held is not None and isinstance(expr, cst.Name) and held.source is not None and not held.rows and not held.derived:
                holder = state.get(held.source[0])
                if holder is not None and holder.rows and holder.model and not holder.derived and held.source[0] not in rows_made_here(self.ctx, self.func):
                    row_at.append(where)  # (a value read off a loaded row, held in a local)
                    continue
            if held is not None and expr is not base and held.rows and held.model and not held.derived and base.value not in rows_made_here(self.ctx, self.func):  # type: ignore[union-attr]
                row_at.append(where)  # ``experiment.project_id`` handed as it is
            elif self.is_derived(a.value, state):
                caller_at.append(where)
        return bool(caller_at and row_at) and any(callee_decides(project, callee, c, r, verdicts=False) for c in caller_at for r in row_at)

    def _statement_calls(self) -> frozenset[int]:
        """The calls this function makes as a statement of their own or returns as they are (``await
        self.publish(...)``, ``return await self.get_scalars(...)``): operations run for their effect or their
        result, not tests."""

        def build() -> frozenset[int]:
            out: set[int] = set()
            for node in cst_walk(self.func.body):
                if isinstance(node, (cst.Expr, cst.Return)) and node.value is not None:
                    value = node.value.expression if isinstance(node.value, cst.Await) else node.value
                    if isinstance(value, cst.Call):
                        out.add(id(value))
            return frozenset(out)

        return self.ctx.cached(("queries.statement_calls", id(self.func)), build)

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
        """The principal itself (``current_user``, ``user.id``, ``claims["sub"]``, or a local that holds the caller:
        ``user_id = current_user["user_id"]``, ``_caller_locals``) among a helper's arguments: an identity-named
        value (``check_user_in_group(user_id, group_id)``, the member being added) may be another user's."""
        for c in candidates:
            inner = _unwrap(self.ctx, c)
            while (base := read_base(inner)) is not None:
                inner = base
            if isinstance(inner, cst.Name) and (inner.value in self.identity.principals or inner.value in self._caller_locals()):
                return True
        return False

    def _hands_fed_caller(self, call: cst.Call, candidates: list) -> bool:
        """``if not self.permission_service.can_update_workspace(user_id, workspace_id): raise`` in a service whose
        callers all hand ``user_id=current_user.id`` (``_fed_callers``): the helper is handed who asks, as
        ``current_user.id`` in the route, and its verdict is refused on here (a call whose answer is only used,
        ``info = validate_coupon(..., user_id=guest_id)``, is not read as a decision on the row)."""
        if id(call) not in self.deciding_calls:
            return False
        fed = self._fed_callers()
        return bool(fed) and any(isinstance(inner := _unwrap(self.ctx, c), cst.Name) and inner.value in fed for c in candidates)

    def _fed_callers(self) -> frozenset[str]:
        """In a project function (no route), the identity parameters its callers fill with the caller's id and no
        route with its client's data (``update_workspace(workspace_id=workspace_id, user_id=current_user.id)``:
        ``principal_fed_parameters``): who asks there, as ``current_user.id`` is in the route. A parameter some
        route hands a body's or query's value (the member being added) stays the user the client names."""
        if self.identity.route is not None:
            return frozenset()
        key = ("queries.fed_callers", id(self.func))
        return self.ctx.cached(key, lambda: principal_fed_here(self.ctx, self.func) & frozenset(self.identity.identity_params))

    def _client_chosen(self, expr: cst.BaseExpression) -> bool:
        """``target_user_id = int(user_id)`` on one way, ``target_user_id = current_user_id`` on another: a local
        bound to the caller on some ways and to a parameter the client fills on others is the user the client
        names (the caller by default). A check handed it (``is_pod_member(pod_id, target_user_id)``) asks about
        that user, not about who asks, so it decides no access for the caller (``client_chosen_locals``)."""
        if not isinstance(expr, cst.Name):
            return False
        key = ("queries.client_chosen", id(self.func), frozenset(self.identity.names()))
        return expr.value in self.ctx.cached(key, lambda: client_chosen_locals(self.func, self.identity, self._caller_locals()))

    def _row_by_key(self, candidates: list, state: dict[str, Val]) -> Optional[tuple[Val, Optional[str], Optional[str]]]:
        """``board = get_board(db, board_id)`` then ``check_board_permission(db, user, board_id, ...)``: the helper
        is given the key the row was looked up by rather than the row; it verified that key, so it decides access
        to the row loaded by it (the first such row, by the locals' names)."""
        names = {
            inner.value
            for inner in (_unwrap(self.ctx, c) for c in candidates)
            if isinstance(inner, cst.Name) and not _db_handle(inner)  # (the session is handed to every lookup)
        }
        # (``project_id=payload.project_id`` after ``session.get(Project, payload.project_id)``: the body's
        # attribute, as the lookup's keys name it)
        names |= {p for c in candidates if isinstance(c, cst.Attribute) and (p := _path(c)) is not None}
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

    def _verdict_helper(self, q: Optional[str], call: cst.Call) -> bool:
        """``if not is_project_lead(db, current_user.id, project_id): raise``: a project function, whatever its name,
        that decides on what it is given (``_decides``) and whose verdict the caller refuses on. Handed the caller
        and the key a row was just looked up by, it checks the caller against that row, as a helper named like a
        check does (a writer handed the caller and a key returns no verdict the caller raises on)."""
        if id(call) not in self.deciding_calls or q is None or self.project is None:
            return False
        found = self.project.project_function(q)
        return found is not None and self._decides(found)

    def _rights_answer(self, name: str, call: cst.Call) -> bool:
        """``user_role = await get_user_role_for_column(current_user.id, column_id, db)``, then ``if not user_role:
        raise``: a lookup of the caller's rights (``_rights_name``) handed the key a row was just looked up by, whose
        answer is held and refused on, checks the caller against that row, as ``_verdict_helper`` does for a
        function that decides on its parameters itself (this one finds the column's organisation first). Its own
        lookups by that key are the check's reading, no fetch of the route's (``rights_answers``)."""
        return id(call) in self.held_verdicts and id(call) in self.deciding_calls and _rights_name(name)

    def _owned_through_references(self, model: Optional[str], depth: int = 3) -> bool:
        """``Column`` -> ``Board`` -> ``Project`` (``organization_id``): a table with no identity column of its own
        reaches an owned table through its reference columns (at most ``depth`` steps): a check of the caller's
        rights there decides on the row, reported for it as the membership readings are."""
        if self.project is None or model is None or depth == 0:
            return False
        for column in model_columns(self.project, model):
            parent = referenced_model(self.project, model, column) if column.endswith("_id") else None
            if parent is not None and parent != model and (self._owned(parent) or self._owned_through_references(parent, depth - 1)):
                return True
        return False

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
        found = self.project.project_function(q) if (q is not None and self.project is not None) else None
        if found is None:
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
        found = project.project_function(q) if (q is not None and project is not None) else None
        if found is None:
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
            found = project.project_function(q)
            if found is not None:
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
            if v.derived and not self._client_chosen(_unwrap(self.ctx, a.value)):
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
            return expr.value in self.identity.identity_params or expr.value in self._caller_locals()
        if isinstance(expr, cst.Attribute) and (expr.attr.value == "id" or expr.attr.value in self.identity_fields):
            return self._on_principal(expr.value)
        return False

    def _caller_locals(self) -> frozenset[str]:
        """Locals that hold the caller (``uid = current_user.id``, ``user_id = current_user["user_id"]``:
        ``attach.caller_locals``): a membership lookup keyed on one names the caller as one spelling
        ``current_user.id`` inline does, and a helper handed one is handed the caller (``_hands_principal``)."""
        key = ("queries.caller_locals", id(self.func), frozenset(self.identity.names()))  # (a function may be read for several callers)
        return self.ctx.cached(key, lambda: caller_locals(self.ctx, self.func, self.identity))

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

    def member_in_row_list(self, expr: cst.BaseExpression, state: dict[str, Val]) -> Optional[Comparison]:
        """``next((m for m in project.members if m.user_id == user.id), None)`` / ``any(m.user_id == user.id for m
        in project.members)``: the caller looked for among the members a loaded, unscoped row holds through one of
        its relationships. Tested and refused when missing, it decides access to that row, as the same loop in a
        helper handed the row and the caller does (``callee_decides``). A loop over a list that is no
        relationship of the row, or whose test compares nothing with the caller, is no such check."""
        expr = _unwrap(self.ctx, expr)
        if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("next", "any") and expr.args):
            return None
        gen = expr.args[0].value
        if not isinstance(gen, (cst.GeneratorExp, cst.ListComp)) or gen.for_in.inner_for_in is not None:
            return None
        comp, it = gen.for_in, _unwrap(self.ctx, gen.for_in.iter)
        if not (isinstance(comp.target, cst.Name) and isinstance(it, cst.Attribute) and isinstance(it.value, cst.Name)):
            return None
        name = it.value.value
        row = state.get(name)
        if row is None or not (row.rows and row.model) or row.derived or row.scoped or not any(s.unscoped for s in row.sites):
            return None
        if it.attr.value not in relationships(self.project, row.model):
            return None
        tests = [c.test for c in comp.ifs] + ([gen.elt] if expr.func.value == "any" else [])
        element = comp.target.value
        for test in tests:
            for node, a, b in _equality_sides(self.ctx, test):
                if isinstance(a, cst.Attribute) and isinstance(a.value, cst.Name) and a.value.value == element and self._principal_side(b):
                    return Comparison(node, row, name)
        return None

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

    def _found_by_scoped_load(
        self, test: cst.BaseExpression, state: dict[str, Val], present: bool, decides: bool, refusal: Optional[cst.CSTNode] = None,
    ) -> None:
        """``board = get_board_for(db, board_id, user.id)`` then ``if board is None: raise``: on the way where
        the test says the value is there (``present``: the body of ``if board:`` / ``if board and ...:``; else
        the ``else`` way of ``if board is None or not board.active:``), a load scoped to the principal found
        the row: the keys it was given are the caller's on that way. Only when the other way exits (``decides``)
        is it a check of the rows it was looked up through (BKL202 there).

        A value equal to a constant is there too (``role = get_role_in_team(user.email, team_id)`` then ``if role
        != "owner": raise 403``: past it the caller's role was found, ``_constant_condition``), and a conjunct
        that fails only on elevated ways says nothing of the others (``if not role and not is_admin: raise``:
        past it, on every way but an administrator's, the role was found)."""
        stack = [test]
        joint = cst.And if present else cst.Or
        while stack:
            node = stack.pop()
            if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, joint):
                stack.extend((node.left, node.right))
                continue
            if not present and decides and isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.And):
                # (the refusal needs both: where an elevated way alone escapes it, the other conjunct decides)
                left, right = self._elevated_split(node.left, state)[1], self._elevated_split(node.right, state)[1]
                if left != right:
                    stack.append(node.right if left else node.left)
                continue
            found = _simple_condition(node) or _constant_condition(node) or _length_condition(node) or _result_condition(node)
            if found is None or found[1] != present:
                continue
            v = state.get(found[0])
            if v is not None and v.lookup and v.lookup_scoped:
                if decides:
                    # (a row loaded earlier by the same keys, unscoped: its access is decided here, BKL202)
                    self._rows_decided_by(found[0], set(v.lookup), set(), state, test)
                self._verify_loaded(found[0], state, test, None, record=decides)
            elif v is not None and decides and v.rows and v.scoped and v.sites and self._principal_keyed(v):
                self._membership_found(found[0], v, state, test, refuses=self._access_refusal(refusal))

    def _through_parent_local(
        self, base: cst.BaseExpression, column: Optional[str], state: dict[str, Val]
    ) -> tuple[cst.BaseExpression, Optional[str]]:
        """``project = task.project`` then ``check(db, user, project.workspace_id)``: a parent read off a loaded row
        through its relationship and held in a local is that row's chain, as ``task.project.workspace_id`` is."""
        held = state.get(base.value) if isinstance(base, cst.Name) else None
        if held is None or held.source is None or held.rows or held.derived or column is None:
            return base, column
        holder = state.get(held.source[0])
        if holder is None or not holder.rows or holder.derived:
            return base, column
        return cst.Name(held.source[0]), f"{held.source[1]}.{column}"

    def _principal_keyed(self, v: Val) -> bool:
        """Every lookup of ``v`` has a predicate that names the principal (``Member.user_id == user.id``), or is
        a primary-key get whose key names it (``session.get(Member, (project_id, user.id))``, a composite key
        given as a tuple or a mapping: the same lookup as the two predicates)."""
        principals = set(self.identity.principals) | helper_caller_params(self.identity)  # (``helper_keys``)
        named = principals | self._caller_locals()
        return bool(principals) and all(
            any(not named.isdisjoint(load_names(p)) for p in s.pred_nodes)
            or (s.kind == "get" and any(k.split(".", 1)[0] in named for k in s.key_names))
            for s in v.sites
        )

    def _access_refusal(self, block: Optional[cst.CSTNode]) -> bool:
        """The block taken when the lookup found nothing raises an access refusal (401 / 403 / 404), not a 400
        or 422 (the caller's own vote missing is a bad request) nor a ``return`` (nothing found, nothing refused)."""
        if block is None or self.ctx.module is None:
            return False
        text = self.ctx.module.code_for_node(block)
        if "raise" in text and _INVALID_STATUS.search(text) is None and _raises_access_named(block):
            return True  # ``raise CoursePermissionException("not a member")``: the exception's name says it refuses access
        return "raise" in text and bool(_ACCESS_STATUS.search(text)) and not _INVALID_STATUS.search(text)

    def _membership_found(self, name: str, v: Val, state: dict[str, Val], test: cst.BaseExpression, refuses: bool = False) -> None:
        """``project = ...filter(Project.id == project_id).first()``, then ``membership = ...filter(
        ProjectMember.project_id == project_id, ProjectMember.user_id == user.id).first()`` and ``if not
        membership: raise``: a lookup filtered by the principal and keyed on the key an unscoped row was
        loaded by found the caller's link to that row; where it is missing the request is refused. Access to
        the row is decided after its fetch (BKL202 at the test, naming the row)."""
        keys = {k for s in v.sites for k in s.key_names}
        self._rows_decided_by(name, keys, {e for s in v.sites for e in s.entities}, state, test, refuses)

    def _rows_decided_by(
        self, name: str, keys: set[str], models: set[str], state: dict[str, Val], test: cst.BaseExpression, refuses: bool = False
    ) -> None:
        """The unscoped rows (not of ``models``) loaded by some of ``keys``, whose access the test of ``name`` (the
        caller's link found by those keys) decides: BKL202 at the test, naming each row."""
        v = state[name]
        caller = set(self.identity.principals) | self._caller_locals() | helper_caller_params(self.identity)
        keys = {k for k in keys if k.split(".", 1)[0] not in caller}  # (the caller's own side)
        if not keys:
            return
        for other_name, other in list(state.items()):
            if other_name == name or "." in other_name or other is v:
                continue
            if not (other.rows and other.model and not (other.derived or other.scoped) and (other.sites or other.repo)):
                continue
            if other.model in models or (other.sites and not any(s.unscoped for s in other.sites)):
                continue  # (a row from a repository function not given the principal has no site here)
            other_keys = set(other.keys) | {k for s in other.sites for k in s.key_names}
            # keyed on the key the row was loaded by, or on the loaded row's own id (``Seat.session_id == s.id``
            # after ``s = ...filter(Session.code == code).first()``)
            by_row_id = any(k.partition(".")[0] == other_name and k.partition(".")[2] in PRIMARY_KEY_NAMES for k in keys)
            through: Optional[str] = None
            if (other_keys and other_keys <= keys) or (
                refuses and (
                    (other_keys and by_row_id)
                    or self._keyed_by_row_column(other_name, keys, other.model, v.model)
                    or (through := self._keyed_through_referenced_table(other_name, keys, other.model, v, state))
                    or (through := self._keyed_through_shared_reference(other_name, keys, other.model, v))
                    or (through := self._keyed_through_composite_key(other_name, keys, other.model, v))
                    or (through := self._keyed_through_relationship_chain(other_name, keys, other.model, v))
                )
            ):
                if other.sites and all(_public_read(self.ctx, self.func, s, other.model, self.identity) for s in other.sites):
                    continue  # (``if like: return True``: whether the caller liked a public pin, in a read)
                # (found through the row's reference to a joined table: the project's own refusal decides on the
                # row, which is owned through that reference when its table has no identity column)
                self.out.checks.append(Comparison(test, other, other_name, column=through, membership=through is not None))
                state[other_name] = replace(other, derived=True)  # (as after a check of the row)
                self._verify_loaded(other_name, state, test, None, record=False)

    def _keyed_by_row_column(self, row_name: str, keys: set[str], row_model: Optional[str], found_model: Optional[str]) -> bool:
        """``staff = ...filter(Staff.id == leave.staff_id, Staff.firm_id == current_user.firm_id).first()`` after
        an unscoped load of ``leave``: the lookup (the principal's side already dropped from ``keys``) is keyed
        on the loaded row's own columns only, and one of them is the row's reference to the looked-up table
        (``leave.staff_id`` -> ``Staff``), so finding it in the caller's scope ties that row to the caller. A
        column of the row that refers elsewhere (``Seat.room_id == room.lobby_id``: a seat in another room) does
        not."""
        if not keys or not all(k.split(".", 1)[0] == row_name and "." in k for k in keys):
            return False
        path = reference_path(self.project, row_model, found_model, depth=1) if found_model else None
        return path is not None and any(k.split(".", 1)[1] == path[0] for k in keys)

    def _keyed_through_referenced_table(self, row_name: str, keys: set[str], row_model: Optional[str], found: Val, state: dict[str, Val]) -> Optional[str]:
        """``members = select(Member).where(Member.user_id == user.id).join(Section).join(Site).join(Hours)
        .where(Hours.id == ticket.hours_id)`` after an unscoped load of ``ticket``: the caller's lookup (the
        principal's side already dropped from ``keys``) is keyed on the loaded row's own columns only, and one
        of them is compared with the primary key of the very table that column refers to (``ticket.hours_id``
        -> ``Hours``, joined in): finding the caller there ties that row to the caller, as ``_keyed_by_row_column``
        does for a reference to the looked-up table itself. A row column compared with a table it does not refer
        to (``Hours.id == ticket.room_id``) does not. The row's column is returned."""
        if row_model is None or not keys or not all(k.split(".", 1)[0] == row_name and "." in k for k in keys):
            return None
        for _, a, b in self._row_column_equalities(found, row_name, keys):
            if a.attr.value not in PRIMARY_KEY_NAMES:
                continue
            q = self.ctx.qualified_name(a.value) if isinstance(a.value, (cst.Name, cst.Attribute)) else None
            table = self.project.canonical(q) if (q and self.project is not None) else None
            if table and referenced_model(self.project, row_model, b.attr.value) == table:
                return b.attr.value
        return None

    def _keyed_through_shared_reference(self, row_name: str, keys: set[str], row_model: Optional[str], found: Val) -> Optional[str]:
        """``select(user_sites).where(user_sites.c.user_id == user.id, user_sites.c.site_id == feed.site_id)`` (or
        ``Member.site_id == feed.site_id``) after an unscoped load of ``feed``: the caller's lookup (the principal's
        side already dropped from ``keys``) is keyed on the loaded row's own columns only, and one of them is
        compared with a column of the looked-up table that refers to the same table as the row's column does
        (both ``site_id`` -> ``Site``): the lookup found the caller's link to the row's parent, so finding it ties
        that row to the caller, as ``_keyed_through_referenced_table`` does for the parent joined in. A column of
        the row that refers elsewhere, or to nothing known, does not. The row's column is returned."""
        if row_model is None or self.project is None or not keys or not all(k.split(".", 1)[0] == row_name and "." in k for k in keys):
            return None
        for site, a, b in self._row_column_equalities(found, row_name, keys):
            table = a.value
            if isinstance(table, cst.Attribute) and table.attr.value == "c":
                table = table.value  # a Core table's column: ``user_sites.c.site_id``
            q = self.ctx.qualified_name(table) if isinstance(table, (cst.Name, cst.Attribute)) else None
            model = self.project.canonical(q) if q else None
            if model is None or model == row_model or model not in {self.project.canonical(e) for e in site.entities}:
                continue
            parent = referenced_model(self.project, row_model, b.attr.value)
            if parent is not None and parent not in (row_model, model) and referenced_model(self.project, model, a.attr.value) == parent:
                return b.attr.value
        return None

    def _keyed_through_composite_key(self, row_name: str, keys: set[str], row_model: Optional[str], found: Val) -> Optional[str]:
        """``session.get(Seat, (user.id, project.workspace_id))`` after an unscoped load of ``project``: a get by the
        looked-up table's composite primary key, its parts read in the key's column order (the same lookup as
        ``Seat.user_id == user.id, Seat.workspace_id == project.workspace_id``). A part that is a column of the
        loaded row referring to the same table as the key column it fills (both ``workspace_id`` -> ``Workspace``)
        ties the row to the caller, as ``_keyed_through_shared_reference`` does for the predicates. A column of
        the row that refers elsewhere, or to nothing known, does not. The row's column is returned."""
        if row_model is None or self.project is None or not keys or not all(k.split(".", 1)[0] == row_name and "." in k for k in keys):
            return None
        for site in found.sites:
            parts = composite_key_parts(site)
            if not parts:
                continue
            model = site.entities[0]
            pk = [c for c in model_columns(self.project, model) if getattr(column_traits(self.project, model, c), "primary_key", False)]
            if len(pk) != len(parts):
                continue
            for column, part in zip(pk, parts):
                if not (isinstance(part, cst.Attribute) and isinstance(part.value, cst.Name) and part.value.value == row_name):
                    continue
                if f"{row_name}.{part.attr.value}" not in keys:
                    continue
                parent = referenced_model(self.project, row_model, part.attr.value)
                if parent is not None and parent not in (row_model, model) and referenced_model(self.project, model, column) == parent:
                    return part.attr.value
        return None

    def _keyed_through_relationship_chain(self, row_name: str, keys: set[str], row_model: Optional[str], found: Val) -> Optional[str]:
        """``select(Member).where(Member.organization_id == board.project.organization_id, Member.user_id ==
        user.id)`` after an unscoped load of ``board``: the caller's lookup (the principal's side already dropped
        from ``keys``) is keyed on a column reached from the loaded row through its relationships (``board.project``
        -> ``Project``), and that column refers to the same table as the looked-up table's column does (both
        ``organization_id`` -> ``Organization``; or it is the primary key of that table): the lookup found the
        caller's link to the row's ancestor, as ``_keyed_through_shared_reference`` does for the row's own
        column. A chain through an attribute that is no relationship, or to a column referring elsewhere, does not.
        The chain (``project.organization_id``) is returned."""
        if row_model is None or self.project is None or not keys or not all(k.split(".", 1)[0] == row_name and k.count(".") >= 2 for k in keys):
            return None
        for site, a, chain in self._row_chain_equalities(found, row_name):
            if f"{row_name}.{'.'.join(chain)}" not in keys:
                continue
            model: Optional[str] = row_model
            for segment in chain[:-1]:
                model = relationships(self.project, model).get(segment)
                if model is None:
                    break
            if model is None:
                continue
            parent = model if chain[-1] in PRIMARY_KEY_NAMES else referenced_model(self.project, model, chain[-1])
            q = self.ctx.qualified_name(a.value) if isinstance(a.value, (cst.Name, cst.Attribute)) else None
            table = self.project.canonical(q) if q else None
            if parent is None or table is None or table not in {self.project.canonical(e) for e in site.entities}:
                continue
            if referenced_model(self.project, table, a.attr.value) == parent:
                return ".".join(chain)
        return None

    def _row_chain_equalities(self, found: Val, row_name: str) -> Iterator[tuple[Any, cst.Attribute, tuple[str, ...]]]:
        """``(site, a, chain)`` for each ``a == row.x.y`` in the predicates of ``found``'s lookups (either side)
        where the other side is an attribute chain of at least two steps off the loaded row ``row_name``
        (``board.project.organization_id`` -> ``("project", "organization_id")``) and ``a`` an attribute."""
        for site in found.sites:
            for pred in site.pred_nodes:
                for _, a, b in _equality_sides(self.ctx, pred):
                    path = (_path(b) or "").split(".") if isinstance(a, cst.Attribute) else []
                    if len(path) >= 3 and path[0] == row_name:
                        yield site, a, tuple(path[1:])

    def _row_column_equalities(self, found: Val, row_name: str, keys: set[str]) -> Iterator[tuple[Any, cst.Attribute, cst.Attribute]]:
        """``(site, a, b)`` for each ``a == b`` in the predicates of ``found``'s lookups (either side) where ``b`` is
        a column of the loaded row ``row_name`` that ``keys`` names (``ticket.hours_id``) and ``a`` an attribute
        (a table's column, ``Hours.id`` or ``user_sites.c.site_id``)."""
        for site in found.sites:
            for pred in site.pred_nodes:
                for _, a, b in _equality_sides(self.ctx, pred):
                    if not (isinstance(b, cst.Attribute) and isinstance(b.value, cst.Name) and b.value.value == row_name):
                        continue
                    if f"{row_name}.{b.attr.value}" in keys and isinstance(a, cst.Attribute):
                        yield site, a, b

    def _project_function(self, q: Optional[str]) -> bool:
        found = self.project.project_function(q) if (q is not None and self.project is not None) else None
        return found is not None

    def _raising_helper(self, q: Optional[str]) -> bool:
        """A project function that raises (``_load_readable_document(key, session,
        auth)``): given the principal and a key, it answers for the key (it denies by raising)."""
        found = self.project.project_function(q) if (q is not None and self.project is not None) else None
        if found is None:
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
        return self._raising_helper(self.ctx.qualified_name(value.func)) or self._raising_held_method(value)

    def _raising_held_method(self, call: cst.Call) -> bool:
        """``if not self._is_instructor(subject, site): self._permission.enforce(subject, action, resource)``:
        the block ends in a method of a service the class holds that decides on the subject and the resource it
        is handed by raising (``held_method_decides``, ``how == "raise"``). Whoever the test spares is spared
        that refusal, so the test decides access as a test whose body raises does."""
        method = self._deciding_method(call)
        return method is not None and method.get("how") == "raise"

    def _self_method_decides(self, call: cst.Call, state: dict[str, Val]) -> bool:
        """``await self._get_project_in_org(org_id, project_id)``: a method of the function's own class that refuses
        access on a value verified for the caller (``org_id``) and another it is handed together (``callee_decides``,
        no verdict): after it, that other key is the caller's too (``issue.project_id != project_id`` then decides)."""
        callee = self._own_method(call)
        if callee is None:
            return False
        handed = [
            (a.keyword.value if a.keyword is not None else i, self.is_derived(a.value, state))
            for i, a in enumerate(call.args) if not a.star and not _db_handle(a.value)
        ]
        caller_at = [w for w, derived in handed if derived]
        others = [w for w, derived in handed if not derived]
        return any(callee_decides(self.project, callee, c, o, verdicts=False) for c in caller_at for o in others)

    def _keys_decided_inside(self, call: cst.Call, q: Optional[str], state: dict[str, Val]) -> list[str]:
        """``await SnapshotService.restore_snapshot(db=db, document_id=document_id, actor_id=current_user.id, ...)``:
        a project function or method handed the caller and a key, that decides access on both (``callee_decides``,
        no verdict: it refuses there, or in a project helper it hands both on to, ``ShareService.assert_role(db,
        document_id, actor_id, "editor")``). Past the call the key is the caller's to use, as after a check called
        here; only the keys so decided (a key handed beside them that no decision reads stays the client's)."""
        callee = project_callee(self.project, None, q) if (self.project is not None and q) else None
        if callee is None:
            return []
        handed = [
            (a.keyword.value if a.keyword is not None else i, a.value, self.is_derived(a.value, state))
            for i, a in enumerate(call.args) if not a.star and not _db_handle(a.value)
        ]
        caller_at = [w for w, _, derived in handed if derived]
        return [
            value.value for w, value, derived in handed
            if not derived and isinstance(value, cst.Name)
            and any(callee_decides(self.project, callee, c, w, verdicts=False) for c in caller_at)  # type: ignore[arg-type]
        ]

    def _delegating_check(self, q: Optional[str], name: str) -> bool:
        """A project check named like one (``authorize_assignment_access``) that raises nothing itself but
        hands the decision to project checks that raise (``await check_resource_access(...)``, one for each
        kind of caller): it refuses by raising as they do, so a check through it stops the function."""
        if not named_like_check(name) or _NOT_ACCESS_HELPER.search(name):
            return False
        found = self.project.project_function(q) if (q is not None and self.project is not None) else None
        if found is None or not self._decides(found):
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
        if "token" in low:
            return self._checks_itself(q)  # ``client.do_access_token_request(...)``: a credential exchange, no permission
        return any(w in low for w in PERMISSION_WORDS) or self._checks_itself(q)

    def _reads_held_request(self, call: cst.Call) -> bool:
        """In an authenticated route, a method of an object built with the request that refuses unless what its
        parameter loads belongs to ``self.request.user`` (``summaries.request_checked``: lcfs's
        ``report_validate.validate_organization_access(transfer.compliance_report_id)``) reads the caller itself."""
        if not (self.identity.authenticated or self.identity.principals):
            return False
        found = self._deciding_method(call)
        return bool(found) and found.get("asks") == "request"

    def _checks_itself(self, q: Optional[str]) -> bool:
        """``q`` is a project function whose flow summary says it checks access itself (``checked``)."""
        found = self.project.project_function(q) if (q is not None and self.project is not None) else None
        if found is None:
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

    def _own_method(self, call: Optional[cst.Call]) -> Optional[tuple[str, Optional[str], str]]:
        """(module, class, key) of ``self.<method>(...)``, a method of the function's own class the index read."""
        func = call.func if call is not None else None
        if self.project is None or not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"):
            return None
        cls = enclosing_class(self.ctx, self.func)
        return project_callee(self.project, cls, f"self.{func.attr.value}") if cls is not None else None

    def _own_method_refuses(self, callee: tuple[str, Optional[str], str], verdicts: bool) -> bool:
        """The method makes an access decision (``access_groups`` of its ``checks``: a 401 / 403 / 404 refusal
        or an access-named exception under a test of what it is given; with ``verdicts``, a predicate's answer)."""
        entry = flow_facts(self.project, callee[0]).get("checks", {}).get(callee[2])  # type: ignore[arg-type]
        return bool(entry) and bool(access_groups(self.project, entry, verdicts=verdicts))  # type: ignore[arg-type]

    def _own_row_maker(self, callee: Optional[tuple[str, Optional[str], str]]) -> bool:
        """``self._ensure_output_file(workspace_id=run.workspace_id, actor_id=actor_id) -> File``: a method of the
        function's own class, named like a check, that returns a row of a table model and decides nothing (no
        ``deciders`` entry, no access decision in its ``checks``) finds or makes that row: no check of what it
        is given (the rule for functions: a helper named like a check returns no model). ``callee``: the call's
        ``_own_method``."""
        if callee is None or callee[1] is None or self._decides((callee[0], callee[2])) or self._own_method_refuses(callee, True):
            return False
        returned = method_return(self.project, callee[1], callee[2].rpartition(".")[2])
        return is_table_model(self.project, returned)

    def _own_access_decision(self, call: Optional[cst.Call], callee: Optional[tuple[str, Optional[str], str]]) -> bool:
        """``self.get_ticket(ticket_file.ticket_id, current_user)``: a method of the function's own class that
        decides access whatever its name: it refuses with 401 / 403 / 404 or an access-named exception under a
        test of what it is given, or returns a verdict the caller refuses on. ``callee``: the call's ``_own_method``.
        Not ``_deciding_operation`` for kept answers: that one reads any project callee, run as a statement, and asks
        that one decision read both the caller and the row's value (``callee_decides``); this one reads only the
        own class's methods, whose any access refusal decides, kept or tested too. Read for every callee, a kept
        answer moves readings that are right as they are (a caller-scoped getter's ``None`` test,
        ``parent_checks``; a role answer read after an unscoped fetch, ``role_answer_tested``)."""
        return callee is not None and self._own_method_refuses(callee, id(call) in self.deciding_calls)

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
        symbol = self.project.resolve_symbol(q) if (q is not None and self.project is not None) else None
        found = self.project.project_function(q) if symbol is not None else None  # type: ignore[union-attr]
        if found is not None:
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
        if symbol is not None:
            return False  # a class or an object of the project: not a check
        own = self._own_method(call)
        if self._own_row_maker(own):
            return False
        if self._own_access_decision(call, own):
            return True
        # (a held service's method answering the caller's rights, ``user_role = await permissions.get_user_role(
        # str(current_user.id), organization_id)`` then ``if not user_role: raise``: as a function's, above)
        return named_like_check(name) or (call is not None and self._rights_answer(name, call))

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
