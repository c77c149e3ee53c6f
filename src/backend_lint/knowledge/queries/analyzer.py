"""``function_queries(ctx, func, identity)``: one function body walked in order, like a tiny abstract interpreter
(``_Analyzer``), into its query sites, rows, checks and consumptions (see the package docstring)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from ...ground.lazy import lazy_import
from ..auth import function_key, Identity, principal_classes
from ..context_managers import enters_other
from ..cst import load_names, walk as cst_walk
from ..imports import dotted_name, last_segment
from ..models import is_owned, is_table_model, project_identity_fields, reference_path, table_union_alias
from ..repositories import core_row_table, enclosing_class
from .class_receiver import classmethod_context
from .created import makes_row
from .given_values import given_side
from .guarded_writes import owner_guarded_write
from .entity_rows import mirrored_table, routes_hand_rows
from .handed_rows import route_handed_rows
from .role_chains import rest_is_staff, role_test, staff_members
from .summaries import (
    checked_parent_keys, checked_parent_params, child_untied_params, decorator_checked_parents, dependency_row, flow_facts, handed_models,
    method_summary, project_callee,
)
from .syntax import (
    _assigned_names,
    _compared_attributes,
    _flag_assignments,
    _last_small_statement,
    _owner_branch_flags,
    _simple_condition,
    _tested_calls,
    _unwrap,
    answer_holds,
    tested_calls_signed,
    _walk_expr,
)
from .values import _common_model, _merge_flags, Comparison, FunctionQueries, NOTHING, Site, Val
from .vocabulary import _holding_equalities, AUTHORIZED_PREFIXES, PRIMARY_KEY_NAMES, STATEMENT_MODULES
from .gates import _GateTests, _permission_string_call
from .narrowing import _Narrowing
from .predicates import _Predicates
from .expressions import _Expressions
from .decisions import _Decisions
from .fetches import _Fetches

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


class _Analyzer(_GateTests, _Narrowing, _Predicates, _Expressions, _Decisions, _Fetches):
    """One function body walked in order (``run``): statements, branches and their merges here; what a test, an
    expression, a call, a check or a fetch means is read by the mixins (gates, narrowing, predicates, expressions,
    decisions, fetches)."""

    def __init__(self, ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> None:
        # (in a class method, ``cls.<name>`` is qualified as the enclosing class's: ``class_receiver``)
        self.ctx = classmethod_context(ctx, func)
        self.func = func
        self.identity = identity
        self.project = ctx.project
        self.settings = ctx.settings
        self.identity_fields = frozenset(project_identity_fields(self.project, self.settings))
        self.out = FunctionQueries()
        # one site per query node: an expression read again (a comprehension's ``for`` clause, read once for its
        # value and once more for the ownership comparisons it holds) is the same fetch (one finding per fetch)
        self.sites_at: dict[int, Site] = {}
        self.owner_sites: set[int] = set()  # update/delete sites returning the row's identity column (``_returned_owner``)
        self.admin_depth = 0
        self.role_chains: dict[int, tuple[str, frozenset[str]]] = {}  # ``elif`` -> members its chain admitted (``_role_chain``)
        self.refused_roles: dict[str, frozenset[str]] = {}  # enum -> members a function-level ``if ...: raise`` refused
        self.not_access: set[int] = set()  # comparisons that are no access decision (``_not_access_decisions``)
        self.principal_types = principal_classes(self.project, self.settings)
        self.pending_owner_flags: dict[str, list[Comparison]] = {}
        # flag -> the equalities that hold when it is true (``already = any(m.user_id == uid for m in members)``)
        self.equality_flags: dict[str, list[cst.Comparison]] = {}
        self.clause_keys: dict[str, frozenset[str]] = {}  # a predicate held in a local -> the names it is keyed on
        self.keyed_stores: set[str] = set()  # locals bound to an empty dict, every key stored so far derived
        # locals holding, at this point of the walk, a copy of a client parameter (``conversation_id =
        # request.conversation_id``, later ``conversation_id = None``): local -> the parameter (``_note_client_copy``)
        self.held_client_keys: dict[str, str] = {}
        self.row_keyed: dict[str, bool] = {}  # lists of dicts built by ``append``: every ``"id"`` read from a row
        # calls whose result an ``if`` that exits (or drops the row) tests: the caller raises on their verdict
        self.deciding_calls: set[int] = set()
        self.top_statements: set[int] = set()  # the statements of the function body itself
        # of those, calls whose verdict is held in a local first (``rights = get_rights(user_id, row.org_id)``)
        self.held_verdicts: set[int] = set()
        self.role_verdicts: set[int] = set()  # of those, answers tested among allowed values (``role not in [...]``)
        self.rights_answers: set[int] = set()  # rights lookups that checked a row by its key (``_rights_answer``)
        self.conflict_calls: set[int] = set()  # helper calls tested by an ``if`` that answers a conflict
        # lookups of rows of tables with no identity column by the client's keys: (fetch, model, key names)
        self.client_fetches: list[tuple[cst.CSTNode, str, frozenset]] = []
        # rows a ``return`` hands on or names (``return render(..., sub=sub)``), as held there: a branch that exits
        # leaves them out of the end state ``_untied`` reads (``_note_returned_rows``)
        self.returned_rows: dict[str, list[tuple[int, Val]]] = {}
        # parameters holding a row a dependency checked (``checked_parent_model``): name -> table model
        self.checked_parents: dict[str, str] = {}
        # helper calls reaching a child of one untied to it: (call, model, parent parameter, parent model, path, chain)
        self.child_fetches: list[tuple[cst.CSTNode, str, str, str, tuple[str, ...], tuple[str, ...], frozenset[str]]] = []
        self.checked_parent_keys: set[str] = set()  # the route's keys those dependencies took and checked
        self.method_parent_keys: set[str] = set()  # keys a deciding method checked here (``_note_parent_checked_by_method``)
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
        # ``if`` statements with no ``else`` that end a loop's body: the element is passed over unless the test
        # holds, as with ``if not ...: continue`` (``_loop_guard``)
        self.loop_tails: set[int] = set()
        # the loops being walked, innermost last (``_not_access_decisions``: what a loop's body does after a ``continue``)
        self.loop_stack: list[cst.CSTNode] = []
        # comparisons of a link table's identity column with a key the client chose (``_member_named``): id -> column
        self.member_columns: dict[int, str] = {}

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
        routed: Optional[dict[str, str]] = None  # (``_route_handed_rows``, read only where a row is handed in unscoped)
        for p in self.identity.params:
            if p.type and self.project is not None and is_table_model(self.project, self.project.canonical(p.type)):
                handed = dependency_row(self.project, self.settings, p.provider, self.project.canonical(p.type))
                if handed is None:
                    if routed is None:
                        routed = self._route_handed_rows()
                    if routed.get(p.name) == self.project.canonical(p.type):
                        handed = routed[p.name]  # a row some route looked up by its client key and handed here as it is
                # a row handed in by the caller; by a dependency that loads it unscoped, by a client key: as a
                # repository's row (a check of it here is BKL202)
                state[p.name] = Val(trusted=True, rows=True, repo=True, model=handed, fetch=self._param_node(p.name)) if handed else Val(trusted=True)
            elif p.type and self.project is not None and (core := core_row_table(self.project, p.type)) is not None:
                # an object made from a Core table's row (``project: Project = Depends(current_project)``)
                handed = dependency_row(self.project, self.settings, p.provider, core)
                state[p.name] = Val(trusted=True, rows=True, repo=True, model=handed, fetch=self._param_node(p.name)) if handed else Val(trusted=True)
            elif p.type and self.project is not None and table_union_alias(self.project, p.type):
                state[p.name] = Val(trusted=True)  # a row handed in by the caller (a union of tables)
            elif (
                p.type and self.identity.route is None and (mirror := mirrored_table(self.project, p.type)) is not None
                and routes_hand_rows(self.project, function_key(self.ctx, self.func), p.name)
            ):
                # a domain entity carrying a table's row (``entity_rows``): handed in by the caller as the row is
                if routed is None:
                    routed = self._route_handed_rows()
                handed = routed[p.name] if routed.get(p.name) == mirror else None
                state[p.name] = Val(trusted=True, rows=True, repo=True, model=handed, fetch=self._param_node(p.name)) if handed else Val(trusted=True)
            elif self.identity.route is None and p.name.startswith(AUTHORIZED_PREFIXES):
                state[p.name] = Val(trusted=True)  # the caller vouches for it: ``authorized_folder_id``
        for name in self.identity.closure_trusted:
            state[name] = Val(trusted=True)  # a key the enclosing service was handed by its caller
        for name in self.identity.closure_derived | self.identity.caller_built:
            state[name] = Val(derived=True)
        for name in self.identity.principals:
            state[name] = Val(derived=True, ident=True)
        for name in self.identity.identity_params:
            state[name] = Val(derived=True, ident=True)
        # a service's parameters holding a row its caller handed in (no route's unscoped lookup): their keys scope
        # its children (``entity_rows.handed_row_key``; a route's parameter typed as a table is the client's body)
        self.handed_row_params = {
            p.name for p in self.identity.params
            if self.identity.route is None and p.type and self.project is not None and state.get(p.name) == Val(trusted=True)
            and (is_table_model(self.project, self.project.canonical(p.type)) or mirrored_table(self.project, p.type))
        }
        self.checked_parents = self._checked_parents()
        if self.checked_parents and self.project is not None:
            for p in self.identity.params:
                if p.name in self.checked_parents and p.provider:
                    self.checked_parent_keys |= checked_parent_keys(self.project, self.settings, p.provider)
        body = self.func.body
        self.held_verdicts = _verdicts_held(body.body, self.role_verdicts, lambda block, lacking: self._refusal_decides(block, lacking, rights=True))  # type: ignore[arg-type]
        self.deciding_calls.update(self.held_verdicts)
        self.top_statements = {id(st) for st in body.body}  # type: ignore[attr-defined]
        self.block(body.body, state)  # type: ignore[arg-type]
        self.out.derived_names = {n for n, v in state.items() if v.derived}
        self._untied(state)
        self._untied_children(state)
        return self.out

    def _param_node(self, name: str) -> Optional[cst.CSTNode]:
        """The function's parameter ``name`` (a row handed in is bound there)."""
        params = self.func.params
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            if p.name.value == name:
                return p
        return None

    def _route_handed_rows(self) -> dict[str, str]:
        """``handed_rows.route_handed_rows`` for this function (never a route itself)."""
        if self.identity.route is not None or self.project is None:
            return {}
        found = function_key(self.ctx, self.func)
        return route_handed_rows(self.project, self.settings).get(found, {}) if found else {}

    def _owned(self, model: str) -> bool:
        return is_owned(self.project, self.settings, model)

    def _tie_readings(self) -> tuple[set[str], dict[int, str], set[tuple[str, str]]]:
        """What ties a fetched row after the walk: the rows and names the checks read, the local each fetch is bound
        to, and the attributes the function compares (read by ``_untied`` and ``_untied_children``)."""
        tied = {c.row.origin[0] for c in self.out.checks if c.row.origin is not None}
        tied |= {c.name for c in self.out.checks if c.name is not None}
        return tied, _assigned_names(self.ctx, self.func), _compared_attributes(self.func) | self._pair_guarded()

    def _pair_guarded(self) -> set[tuple[str, str]]:
        """(local, column) for a local handed to a project function that leaves unless the two rows it is handed
        share that column (flow ``pair_guard``: ``self._require_same_project(task, label)``), as if the function
        compared ``label.project_id`` itself."""
        out: set[tuple[str, str]] = set()
        if self.project is None or "(" not in self.ctx.source:
            return out
        cls = enclosing_class(self.ctx, self.func)
        for node in cst_walk(self.func.body):
            if not isinstance(node, cst.Call) or len(node.args) < 2 or not all(isinstance(a.value, cst.Name) and a.keyword is None for a in node.args):
                continue
            func = node.func
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
                target = f"self.{func.attr.value}"
            elif isinstance(func, (cst.Name, cst.Attribute)):
                target = self.ctx.qualified_name(func) or ""
            else:
                continue
            callee = project_callee(self.project, cls, target)
            if callee is None:
                continue
            facts = flow_facts(self.project, callee[0])
            summary = (facts.get("methods" if callee[1] is not None else "functions") or {}).get(callee[2]) or {}
            pairs = summary.get("pair_guard")
            if not pairs:
                continue
            params = [p for p in summary.get("params", ()) if p not in ("self", "cls")]
            by_param = {params[i]: a.value.value for i, a in enumerate(node.args) if i < len(params)}  # type: ignore[union-attr]
            for first, second, column in pairs:
                for p in (first, second):
                    if p in by_param:
                        out.add((by_param[p], column))
        return out

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
        seen_exits: set[tuple[int, str]] = set()  # (each way out is a request of its own: keys seen per exit)
        for node, model, keys in fetches:
            local = names.get(id(node))
            if local is None:
                site = next((s for s in self.out.sites if s.node is node), None)
                local = next(iter(site.row_names)) if site is not None and site.row_names else None
            if local is None or local in tied or not keys:
                continue
            held, exit_id = state.get(local), None
            if held is None or held.derived or held.model != model:
                # (or held only on a way out: a branch that exits handing the row on)
                exit_id, held = next(
                    ((e, v) for e, v in self.returned_rows.get(local, ()) if v.model == model and any(s.node is node for s in v.sites)),
                    (None, None),
                )
            if held is None or held.derived or held.model != model:
                continue  # tied to a checked row on every path (``if tag.board_id != board.id: raise``)
            if (keys & seen_keys) if exit_id is None else any((exit_id, k) in seen_exits for k in keys):
                continue
            for parent in parents:
                path = reference_path(self.project, model, parent)
                if path is not None and _made_from_checked_body(node, path, state):
                    break  # a new row made from the body whose reference to the parent is the key just checked
                if path is not None and ((local, path[0]) in compared or (local, "") in compared):
                    if exit_id is None:
                        seen_keys |= keys  # (a later lookup by the same key reads the row found tied)
                    break  # ``if file.document_id != document_id: raise``: the row's reference is tested
                if path is not None:
                    if exit_id is None:
                        seen_keys |= keys
                    else:
                        seen_exits |= {(exit_id, k) for k in keys}
                    self.out.untied.append((node, model, parent, path))
                    break

    def _no_owner_rule(self) -> bool:
        """No caller in scope (no principal, no identity parameter, no router-level auth): the owner rule claims
        nothing here, so an owned child of a checked row is answered for by its tie to that row alone."""
        return not (self.identity.admin or self.identity.in_scope or self.identity.router_auth)

    def _checked_parents(self) -> dict[str, str]:
        found = checked_parent_params(self.ctx, self.identity)
        for key, table in decorator_checked_parents(self.ctx, self.func, self.identity).items():
            if key not in found:  # (the key names the checked row; lookups by it are that row's, not a child's)
                found[key] = table
                self.checked_parent_keys.add(key)
        return found

    def _note_method_child_call(self, call: cst.Call, recv: Val, args: list[Val], state: dict[str, Val]) -> None:
        """``self.delete_events(event_id)`` (or a held service's method) under a parent a deciding method checked
        in this function: the helper's lookups of the parent's children by the key handed here are this
        function's (``_note_child_fetch``)."""
        project = self.project
        func = call.func
        if project is None or not isinstance(func, cst.Attribute):
            return
        if isinstance(func.value, cst.Name) and func.value.value == "self":
            owner = enclosing_class(self.ctx, self.func)
        else:
            instance = self.receiver_instance(func.value, recv)
            owner = instance[0] if instance is not None else None
        target = method_summary(project, owner, func.attr.value) if owner is not None else None
        if target is not None:
            self._note_child_fetch(call, target, args, state)

    def _method_checked_child(self, site: Site, roots: frozenset[str]) -> bool:
        """In a function that is no route, a lookup keyed only on what its caller handed it (its parameters, not
        the principal) under a parent a deciding method checked here (``_note_parent_checked_by_method``): the
        key comes from the route that called it, as the checked parent's key does."""
        if self.identity.route is not None or not self.method_parent_keys or not roots:
            return False
        if not site.unscoped and site.consumptions:
            return False
        given = {p.name for p in self.identity.params if p.name not in ("self", "cls") and p.name not in self.identity.principals}
        return roots <= given and self._state_row_plain(roots)

    def _state_row_plain(self, roots: frozenset[str]) -> bool:
        state = getattr(self, "_state", None) or {}
        return not any((v := state.get(r)) is not None and (v.derived or v.trusted) for r in roots)

    def _note_parent_checked_by_method(self, stmt: cst.CSTNode) -> None:
        """``self._check_site_admin_permissions(user, site_id)`` made as a statement of its own: a deciding method
        (``_deciding_method``: it raises when it refuses) handed the caller and a key that it compares with the
        primary key of a table (its summary's ``filters``: ``site_id`` against ``CourseSiteEntity.id``) checks
        the row that key names for the caller. The key is a checked parent of this function, as a dependency's
        checked row is for a route (``checked_parent_params``): a child of that table loaded here by its own key
        and never tied to it is served from any parent (``_untied_children``, BKL201 at the child's lookup)."""
        if self.project is None or not self.identity.principals or self.admin_depth:
            return
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
            return
        call = stmt.body[0].value
        if isinstance(call, cst.Await):
            call = call.expression
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return
        if not any(isinstance(a.value, cst.Name) and a.value.value in self.identity.principals for a in call.args):
            return
        found = self._deciding_method(call)
        if not found or found.get("how") != "raise" or found.get("asks"):
            return
        receiver = call.func.value
        if isinstance(receiver, cst.Name) and receiver.value == "self":
            owner = enclosing_class(self.ctx, self.func)
        else:
            held = self.held_instance(receiver)
            owner = held[0] if held is not None else None
        summary = method_summary(self.project, owner, call.func.attr.value) if owner is not None else None
        if summary is None:
            return
        params = [p for p in summary[3].get("params", ()) if p not in ("self", "cls")]
        filters = summary[3].get("filters", {})
        on = set(found.get("on", ()))
        for i, a in enumerate(call.args):
            if a.star:
                continue
            param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
            if param not in on or not isinstance(a.value, cst.Name) or a.value.value in self.identity.principals:
                continue
            key = a.value.value
            old = (getattr(self, "_state", None) or {}).get(key)
            if old is not None and (old.rows or old.stmt):
                continue  # (a row handed over, not its key)
            for entry in filters.get(param, ()):
                model, _, column = entry.rpartition(":")
                table = self.project.get_class(model) if model else None
                if column in PRIMARY_KEY_NAMES and table is not None and is_table_model(self.project, table[0]):
                    self.checked_parents.setdefault(key, table[0])
                    self.checked_parent_keys.add(key)
                    self.method_parent_keys.add(key)
                    break

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
            reached = child_untied_params(project, self.settings, mod, cls, name, summary, parent, given, owned_too=self._no_owner_rule())
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
            if len(site.entities) != 1 or site.admin or (not self._no_owner_rule() and self._owned(site.entities[0])):
                continue  # (an owned row with a caller in scope is the owner rule's)
            roots = frozenset(k.split(".", 1)[0] for k in site.key_names)
            if roots & self.checked_parent_keys or not (
                self._client_row(Val(sites=(site,), rows=True, model=site.entities[0])) or self._method_checked_child(site, roots)
            ):
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
            self._note_parent_checked_by_method(stmt)
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
        branch) makes it an elevated flag, and so does a permission test on an administrators' grant
        (``is_ok = await check_platform_permission(user, "platform:plugins:upload")``, ``gates._permission_string_test``); anywhere else (or any other value) a plain one (``_admin_test``)."""
        if isinstance(value, cst.Name) and value.value == "False":
            return
        if isinstance(value, cst.Name) and value.value == "True" and self.admin_depth > 0:
            self.elevated_flags.add(name)
        elif _permission_string_call(value.expression if isinstance(value, cst.Await) else value):
            # ``has_upload = await check_platform_permission(user, "platform:plugins:upload")``: the flag holds an
            # administrators' test, and ``if not has_upload: raise ...`` refuses everyone else
            self.elevated_flags.add(name)
        else:
            self.plain_flags.add(name)

    def statement(self, stmt: cst.CSTNode, state: dict[str, Val]) -> None:
        self._state = state
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, state)
        elif isinstance(stmt, cst.If):
            self.if_stmt(stmt, state)
        elif isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                it = self.iterated(self.ev(stmt.iter, state))
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
            tail = stmt.body.body[-1] if stmt.body.body else None  # type: ignore[attr-defined]
            while isinstance(tail, cst.If) and tail.orelse is None and isinstance(tail.body, cst.IndentedBlock):
                # (``if "id" in item: row = ...; if row and row.case_id == case_id: ...``: nested tails too)
                self.loop_tails.add(id(tail))
                tail = tail.body.body[-1] if tail.body.body else None
            self.loop_stack.append(stmt)
            try:
                self.block(stmt.body.body, inner)  # type: ignore[attr-defined]
            finally:
                self.loop_stack.pop()
            self.merge_into(state, [inner, dict(state)])
            if isinstance(stmt, cst.For):
                self._elements_verified(stmt, inner, state)
            if stmt.orelse is not None:
                self.block(stmt.orelse.body.body, state)  # type: ignore[attr-defined]
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                v = self.ev(item.item, state)
                if item.asname is not None:
                    if v.instance is not None and enters_other(self.project, v.instance[0], stmt.asynchronous is not None):
                        v = replace(v, instance=None)  # (``async with Pool() as conn``: the enter method's own value)
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
        ) or _nested_exit(stmt.body) or (
            # ``if row.owner_id == user.id: pass`` / ``else: <refused on some way>``: allowed first, the same
            # decision as ``if row.owner_id != user.id: <refused on some way>``
            isinstance(stmt.orelse, cst.Else) and _nested_exit(stmt.orelse.body)
        ) or self._ends_in_raising_check(stmt.body) or self._loop_guard(stmt, state) or (
            owner_guarded_write(self, stmt, state)  # ``if row.owner_id == user.id: delete(row)``: only the owner writes
        )
        # ``if token_user_id != ride.user_id: is_owner = False`` then ``if not is_owner and ride.hidden: return
        # None``: the comparison decides through the flag, as for ``is_owner = ride.user_id == user.id``
        flags = () if decision else (_flag_assignments(stmt) or _owner_branch_flags(stmt))
        flag_checks = self.comparisons_in(stmt.test, state) if flags else []
        self.not_access.update(id(c) for c in self._not_access_decisions(stmt))
        if self._exits(stmt.body):
            # ``if is_member(db, board.id, user.id): raise HTTPException(409, "already a member")``: a helper's
            # verdict that refuses a duplicate decides no access; nor does one answered as an invalid request
            # (``if await _would_create_cycle(db, folder.id, parent.id): raise HTTPException(400, ...)``) or a
            # refusal where the helper answers yes that says nothing of access (``_refusal_decides``)
            self.conflict_calls.update(call for call, yes in tested_calls_signed(stmt.test) if not self._refusal_decides(stmt.body, not yes))
        if decision:
            self.deciding_calls.update(_tested_calls(stmt.test))
        self.test(stmt.test, state, decision=decision)
        # (a refusing ``if``: the way past it is no administrator's for a caller who has no key of their own)
        refusing = self._exits(stmt.body) and not isinstance(_last_small_statement(stmt.body), cst.Return)
        polarity = self._admin_test(stmt.test, own_keys=not refusing)
        presence = self._presence_test(stmt.test, state)
        body_admin = polarity == "positive" or presence == "absent"
        else_admin = polarity == "negated" or presence == "present"
        if isinstance(stmt.test, (cst.BooleanOperation, cst.UnaryOperation, cst.Call, cst.Await)):
            # ``if user and not has_global_permission(user, Permission.MANAGE):``: the else branch is
            # identity-less or elevated on every way it can be taken
            split_body, split_else = self._elevated_split(stmt.test, state)
            body_admin = body_admin or split_body
            else_admin = else_admin or split_else
        roles = self._role_chain(stmt)
        if roles is not None:
            # ``if user.role == Role.AGENT: ... elif user.role == Role.MANAGER: ...``: the way past every test
            # is the enum's remaining members' (``role_chains``)
            enum, admitted, excluded = roles
            body_admin = body_admin or staff_members(self.ctx, enum, admitted)
            else_admin = else_admin or rest_is_staff(self.ctx, enum, excluded)
        body_state = dict(state)
        self._narrow(stmt.test, body_state, positive=True)
        self._row_instance(stmt.test, body_state, positive=True)
        else_exits = isinstance(stmt.orelse, cst.Else) and self._exits(stmt.orelse.body)
        self._found_by_scoped_load(stmt.test, body_state, present=True, decides=else_exits)
        before = dict(self.pending_owner_flags)
        self._branch(stmt.body.body, body_state, body_admin)  # type: ignore[attr-defined]
        body_flags = {k: v for k, v in self.pending_owner_flags.items() if before.get(k) is not v}
        else_state = dict(state)
        self._row_instance(stmt.test, else_state, positive=False)
        self._found_by_scoped_load(stmt.test, else_state, present=False, decides=self._exits(stmt.body), refusal=stmt.body)
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
            else_state = _kept_checks(_kept_clauses(self._as_admin(else_state), body_state, state), body_state, state)
        if body_admin:
            body_state = _kept_checks(_kept_clauses(self._as_admin(body_state), else_state, state), else_state, state)
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
            if stmt.orelse is None and self._admin_only_fallthrough(stmt.body):
                # ``if user_id != current_user.id: requester = ...; if not requester.is_superuser: raise 403``: past
                # the body only an administrator goes on, so for everyone else the test failed (``user_id`` is the
                # caller's own), as when the body exits
                self._narrow(stmt.test, else_state, positive=False)
            condition = _simple_condition(stmt.test)
            given = given_side(self.ctx, self.func, stmt.test) if self.identity.route is None else None
            if given is not None:
                # ``if tenant_id:`` where every request gives ``tenant_id``: the other way is taken by none
                self.merge_into(state, [body_state if given else else_state])
            else:
                self.merge_into(state, [body_state, else_state], condition)
        for flag, checks in body_flags.items():
            # ``if restricted: if user_id == doc.created_by_id: role = "owner"`` / ``else: role = shared_role``: past
            # the join the flag may hold the comparison set on the first way (rebound on the other)
            self.pending_owner_flags.setdefault(flag, checks)
        if flag_checks:
            for flag in flags:
                # (``if doc.user_id == me: has_access = True`` / ``else: if ws.owner_id == me: has_access = True``:
                # the flag holds when either comparison does, and the test of it decides on both)
                earlier = [c for c in self.pending_owner_flags.get(flag, ()) if all(c is not f for f in flag_checks)]
                self.pending_owner_flags[flag] = earlier + flag_checks

    def _role_chain(self, stmt: cst.If) -> Optional[tuple[str, frozenset[str], frozenset[str]]]:
        """A test of the caller's role against members of a project enum: the enum, the members it admits and
        the members that do not take the way past it (admitted by it or by an earlier ``if`` of its ``elif``
        chain, or refused by a function-level ``if`` that exits). Records what the chain's next ``elif`` and the
        rest of the function inherit."""
        found = role_test(self.ctx, stmt.test, self.identity.principals)
        if found is None:
            return None
        enum, members = found
        earlier = self.role_chains.get(id(stmt))
        if earlier is not None and earlier[0] != enum:
            return None
        excluded = members | (earlier[1] if earlier else frozenset()) | self.refused_roles.get(enum, frozenset())
        if isinstance(stmt.orelse, cst.If):
            self.role_chains[id(stmt.orelse)] = (enum, excluded)
        elif stmt.orelse is None and self._exits(stmt.body) and isinstance(self.func.body, cst.IndentedBlock) and any(
            s is stmt for s in self.func.body.body
        ):
            self.refused_roles[enum] = self.refused_roles.get(enum, frozenset()) | members
        return enum, members, excluded

    def _loop_guard(self, stmt: cst.If, state: dict[str, Val]) -> bool:
        """``for item in data["epics"]: epic = Epic.query.get(item["id"]); if epic and epic.case_id == case_id:
        <change epic>``: the last statement of a loop's body, with no ``else``, whose test ties a row of an owned
        model to a key verified for the caller (``child_of_checked_key``): every element failing it is passed
        over, as with ``if not ...: continue``, so the test decides access to the row."""
        if id(stmt) not in self.loop_tails:
            return False
        self.in_decision = True
        try:
            for node in _walk_expr(stmt.test):
                if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 and isinstance(
                    node.comparisons[0].operator, (cst.Equal, cst.In)
                ):
                    left, right = node.left, node.comparisons[0].comparator
                    if self.child_of_checked_key(left, right, state) or self.child_of_checked_key(right, left, state):
                        return True
        finally:
            self.in_decision = False
        return False

    def _admin_only_fallthrough(self, body: cst.BaseSuite) -> bool:
        """The block ends in an ``if`` that exits unless the caller is an administrator (``if not
        requester.is_superuser: raise``): whoever goes on past the block is one."""
        last = body.body[-1] if isinstance(body, cst.IndentedBlock) and body.body else None
        return (
            isinstance(last, cst.If) and last.orelse is None and self._exits(last.body)
            and self._admin_test(last.test, own_keys=False) == "negated"
        )

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
                trusted=(all(v.trusted or v.derived for v in vals) and every) or (
                    # (a container left empty on some ways, given trusted keys on the others)
                    every and any(v.empty for v in vals) and any(v.trusted for v in vals)
                    and all(v.trusted or v.derived or v.empty for v in vals)
                ),
                empty=all(v.empty for v in vals) and every,
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
                fetch=first.fetch if all(v.fetch is first.fetch for v in vals) else None,
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
            if _empty_container(small.value, state):
                # ``seen = set()``: it holds no key of anyone's; what is put in decides (``expressions.call``)
                v = replace(v, container=True, empty=True)
            # ``foreign = {e.project_id for e in rows if e.project_id != project_id}`` then ``if foreign: raise``: the
            # comprehension's test decides once a deciding ``if`` tests the local (``pending_owner_flags``)
            self.in_decision = isinstance(small.value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)) and bool(small.value.for_in.ifs)
            try:
                checks = self.comparisons_in(small.value, state)
            finally:
                self.in_decision = False
            if not checks:
                member = self.member_in_row_list(small.value, state)
                checks = [member] if member is not None else checks
            self.mark_owner_gated(small.value, state)
            keys = self.key_names(small.value, state) if self._clause_expr(small.value) else None
            for t in small.targets:
                # ``has_access = True`` once a membership is found: the flag still holds the ownership comparison
                # it was set from, and a later ``if not has_access: raise`` decides on that comparison
                kept = (
                    self.pending_owner_flags.get(t.target.value)
                    if isinstance(t.target, cst.Name) and isinstance(small.value, cst.Name) and small.value.value in ("True", "False")
                    else None
                )
                if kept is None and isinstance(t.target, cst.Name) and isinstance(small.value, cst.Name):
                    # ``has_permission = is_creator``: the copy holds the comparison the flag was set from, and a
                    # later ``if not has_permission: raise`` decides on it
                    kept = self.pending_owner_flags.get(small.value.value)
                self.bind(t.target, v, state)
                if kept is not None:
                    self.pending_owner_flags[t.target.value] = kept  # type: ignore[union-attr]
                if isinstance(t.target, cst.Name):
                    self._note_flag(t.target.value, small.value)
                    self._note_client_copy(t.target.value, small.value, v)
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
                    # (``seen |= set(body.ids)``: a container keeps the trust of what is put in)
                    trusted=(old.trusted or old.empty) and (not old.container or ((v.trusted or v.derived) and not (v.clause or scoped))),
                    empty=False,
                )
        elif isinstance(small, cst.Expr):
            if not isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):  # (docstrings: nothing to read)
                v = self.ev(small.value, state)
                held = _existence_check_name(small.value, v)
                if held is not None:
                    state[held] = v
        elif isinstance(small, cst.Return):
            handed = self._row_or_nothing(small.value, state)
            if handed is not None:
                # ``return workspace if is_member else None``: the row is handed back only where the test holds,
                # as after ``if not is_member: return None`` (a decision, the caller refusing on ``None``)
                self.test(small.value.test, state, decision=True)  # type: ignore[union-attr]
                self.consume(self.ev(handed, state))
            elif small.value is not None:
                self.consume(self.ev(small.value, state))
            self._note_returned_rows(small, state)
        elif isinstance(small, cst.Assert):
            self.test(small.test, state, decision=True)
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self.ev(small.exc, state)

    def _note_returned_rows(self, ret: cst.Return, state: dict[str, Val]) -> None:
        """``if request.method == "GET": sub = SubProject.query.get(sub_id); ...; return render(sub=sub)``: the
        row the exit hands on (or reads, ``url_for(..., sub_id=sub.id)``), as held at that ``return``."""
        if ret.value is None:
            return
        for node in _walk_expr(ret.value):
            if isinstance(node, cst.Name):
                held = state.get(node.value)
                if held is not None and held.rows and held.model is not None and not held.derived:
                    self.returned_rows.setdefault(node.value, []).append((id(ret), held))

    @staticmethod
    def _row_or_nothing(value: Optional[cst.BaseExpression], state: dict[str, Val]) -> Optional[cst.Name]:
        """``row if test else None`` / ``None if test else row`` where ``row`` holds a looked-up row: the row's
        name (``None`` for anything else)."""
        if not isinstance(value, cst.IfExp):
            return None
        for arm, other in ((value.body, value.orelse), (value.orelse, value.body)):
            if isinstance(other, cst.Name) and other.value == "None" and isinstance(arm, cst.Name):
                v = state.get(arm.value)
                if v is not None and v.rows and v.model is not None:
                    return arm
        return None

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
            if self._client_parameter(name, state):
                # ``request.user_id = current_user.id`` on the body the client sent: that one key is now the
                # caller's; the body's other keys (``request.conversation_id``) are still the client's
                state[f"{name}.{target.attr.value}"] = Val(derived=True, ident=v.ident)
                return
            state[name] = replace(state.get(name, NOTHING), derived=True)

    def _note_client_copy(self, target: str, value: cst.BaseExpression, v: Val) -> None:
        """``conversation_id = request.conversation_id``: until the local is assigned anything else, it holds the
        client's key (read where the local is also assigned ``None`` or a new row's id elsewhere, which the
        function-wide copies, ``_local_copies``, leave out)."""
        self.held_client_keys.pop(target, None)
        if self.identity.route is None or v.derived or v.trusted or v.rows or v.stmt:
            return
        expr = _unwrap(self.ctx, value)
        while isinstance(expr, cst.Attribute):
            expr = expr.value
        if isinstance(expr, cst.Name) and expr.value != target:
            root = self.held_client_keys.get(expr.value, expr.value)
            if root in self.client_params():
                self.held_client_keys[target] = root

    def _client_parameter(self, name: str, state: dict[str, Val]) -> bool:
        """A parameter of the function that holds what the client sent (a body / query schema), not a row handed
        in (a table model, trusted) nor the principal."""
        if name in self.identity.principals or name in self.identity.identity_params:
            return False
        if not any(p.name == name for p in self.identity.params):
            return False
        held = state.get(name)
        return held is None or not (held.trusted or held.rows or held.derived)

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
            if v.repo and v.rows and v.fetch is None:
                v = replace(v, fetch=target)  # (a repository's row bound here: this binding stands for its fetch)
            self.clause_keys.pop(target.value, None)
            self.keyed_stores.discard(target.value)
            state[target.value] = v
            self.pending_owner_flags.pop(target.value, None)
            prefix = target.value + "."
            for stale in [k for k in state if k.startswith(prefix)]:
                del state[stale]  # what was verified of the old value
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            # ``leave_in.employee_id = other_employee_id``: what was verified of the field's old value no longer
            # holds (``mark_owner_assignment`` records a caller's value written here afterwards)
            state.pop(f"{target.value.value}.{target.attr.value}", None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            joined = self._joined_entities(target, v)
            held = v.instances if len(v.instances) == len(target.elements) else ()
            for i, el in enumerate(target.elements):
                model = joined[i] if joined else None
                if held:
                    # ``workflow_service, audit_service = _services(session)`` (``-> tuple[WorkflowService, ...]``)
                    self.bind(el.value, Val(instance=held[i]) if held[i] is not None else Val(), state)
                elif model is not None:
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
        found = self.sites_at.get(id(node))
        if found is not None and found.kind == kind and found.entities == entities:
            found.admin = found.admin and self.admin_depth > 0  # (read again on a way that makes a claim: it claims)
            return found
        site = Site(node, kind, entities, model_nodes, admin=self.admin_depth > 0)
        self.sites_at[id(node)] = site
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


def _verdicts_held(stmts: Sequence[cst.CSTNode], roles: Optional[set[int]] = None, refuses: Optional[Callable[[cst.BaseSuite, bool], bool]] = None) -> set[int]:
    """Calls whose verdict reaches, through locals, an ``if`` that exits: ``rights = await get_rights(user_id,
    row.org_id)``, ``allowed = rights.get("update", False) or is_owner``, then ``if not allowed: raise``. The
    verdict is read as a truth value only: the local itself, ``not``, ``and`` / ``or``, ``.get(...)``, a
    subscript or an attribute of it, a comparison with ``True`` / ``False`` / ``None`` or a membership test in it
    (``row.status == "closed"`` reads a value, not a verdict), or the answer itself looked for among allowed
    constants (``role = get_user_role_in_workspace(user_id=user.id, workspace_id=ws.id)``, ``if role not in
    ["owner", "admin"]: raise``: such calls are also added to ``roles``); the first name a tuple is unpacked into
    holds the verdict (``allowed, how = can_access(...)``). Read in statement order, nested blocks included (not
    nested functions); a local bound to anything else loses its calls. Each verdict is read with its polarity
    (does the exit come where the answer is yes or no?) and ``refuses(block, lacking)`` says whether that exit
    decides access (``_refusal_decides``: ``if user_role: raise HTTPException(400, "already a member")`` does not)."""
    held: dict[str, frozenset[tuple[int, bool]]] = {}
    out: set[int] = set()

    def verdict(expr: cst.BaseExpression, positive: bool = True) -> frozenset[tuple[int, bool]]:
        if isinstance(expr, cst.Name):
            return frozenset((call, sign == positive) for call, sign in held.get(expr.value, ()))
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            return verdict(expr.expression, not positive)
        if isinstance(expr, cst.BooleanOperation):
            return verdict(expr.left, positive) | verdict(expr.right, positive)
        if isinstance(expr, cst.Await):
            return verdict(expr.expression, positive)
        if isinstance(expr, (cst.Subscript, cst.Attribute)):
            return verdict(expr.value, positive)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get":
            return verdict(expr.func.value, positive)
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            target = expr.comparisons[0]
            op, other = target.operator, target.comparator
            if isinstance(op, (cst.In, cst.NotIn)):
                if _constant_list(other):
                    found = verdict(expr.left, positive == answer_holds(target))  # ``role not in ["owner", "admin"]``: the answer among allowed ones
                    if roles is not None:
                        roles.update(call for call, _ in found)
                    return found
                return verdict(other, positive == answer_holds(target))
            if isinstance(other, cst.Name) and other.value in ("True", "False", "None"):
                return verdict(expr.left, positive == answer_holds(target))
        return frozenset()

    def bind(target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Tuple) and len(target.elements) > 1:
            target = target.elements[0].value  # ``ok, how = can_access(...)``: the verdict is the first item
        if not isinstance(target, cst.Name):
            return
        inner = value.expression if isinstance(value, cst.Await) else value
        found = frozenset({(id(inner), True)}) if isinstance(inner, cst.Call) and not verdict(inner) else verdict(value)
        if found:
            held[target.value] = found
        else:
            held.pop(target.value, None)

    def decided(test: cst.BaseExpression, block: cst.BaseSuite, exit_when: bool) -> None:
        # (the exit is taken where the test is ``exit_when``: a call whose answer then is no is refused for lacking it)
        out.update(call for call, positive in verdict(test) if refuses is None or refuses(block, positive != exit_when))

    def walk(block: Sequence[cst.CSTNode]) -> None:
        for stmt in block:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        bind(small.targets[0].target, small.value)
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        bind(small.target, small.value)
            elif isinstance(stmt, cst.If):
                if held and _Analyzer._exits(stmt.body):
                    decided(stmt.test, stmt.body, True)
                if held and isinstance(stmt.orelse, cst.Else) and _Analyzer._exits(stmt.orelse.body):
                    decided(stmt.test, stmt.orelse.body, False)
                walk(stmt.body.body)  # type: ignore[attr-defined]
                if stmt.orelse is not None:
                    walk([stmt.orelse] if isinstance(stmt.orelse, cst.If) else stmt.orelse.body.body)  # type: ignore[attr-defined]
            elif isinstance(stmt, (cst.For, cst.While, cst.With, cst.Try)):
                walk(stmt.body.body)  # type: ignore[attr-defined]

    walk(stmts)
    return out


def _constant_list(expr: cst.BaseExpression) -> bool:
    """``["owner", "admin"]`` / ``(Role.OWNER, Role.ADMIN)``: a literal collection of constants (strings or dotted
    names, an enum's members), what a returned role is tested against."""
    if not isinstance(expr, (cst.List, cst.Tuple, cst.Set)) or not expr.elements:
        return False
    return all(
        isinstance(e, cst.Element) and isinstance(e.value, (cst.SimpleString, cst.Attribute, cst.Name)) for e in expr.elements
    )


def _nested_exit(block: cst.BaseSuite) -> bool:
    """The body leads into an ``if`` that raises or returns (``if row.author != user: if not
    can_moderate(user): raise ...``), on either of its ways and as deep as ``if``s go (``if pm: pass`` / ``else:
    if wm: pass`` / ``else: raise``): the outer test decides who goes on to that exit."""
    if not isinstance(block, cst.IndentedBlock):
        return False
    for stmt in block.body:
        while isinstance(stmt, cst.If):
            if _Analyzer._exits(stmt.body) or _nested_exit(stmt.body):
                return True
            if isinstance(stmt.orelse, cst.Else):
                if _Analyzer._exits(stmt.orelse.body) or _nested_exit(stmt.orelse.body):
                    return True
                break
            stmt = stmt.orelse  # (``elif``: one more ``if`` on the way the test failed)
    return False


def function_queries(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> FunctionQueries:
    return ctx.cached(("queries.function", id(func)), lambda: _Analyzer(ctx, func, identity).run())


def _kept_checks(admin_state: dict[str, Val], other: dict[str, Val], before: dict[str, Val]) -> dict[str, Val]:
    """A key the other branch verified for the caller (``checked`` or ``derived``: ``task_id`` after ``if not
    user.is_superuser: if task.project.owner_id != user.id: raise``, its row checked there) and the elevated (or
    identity-less) branch left as it was: an administrator may use any key, so the key is as verified where the
    ways join as on the way that checked it (RULES.md: a key read from a checked row is trusted; so is the key
    that loaded it)."""
    out = admin_state
    for k, v in other.items():
        if v is before.get(k) or not (v.checked or v.derived) or v.stmt or v.rows or v.container:
            continue
        if admin_state.get(k) is not before.get(k):
            continue  # (bound again on the elevated way: its own value)
        if out is admin_state:
            out = dict(admin_state)
        out[k] = v
    return out


def _kept_clauses(admin_state: dict[str, Val], other: dict[str, Val], before: dict[str, Val]) -> dict[str, Val]:
    """A list of conditions the other branch gave an owner predicate (``conditions.append(M.org_id == org_id)``
    under ``if org_id is not None:``) and the identity-less (or elevated) branch left as it was: it holds the
    predicate on every way the identity is there, also when it started as a helper's list
    (``conditions = self._apply_filters(pagination)``), as ``_as_admin`` reads a list literal."""
    out = admin_state
    for k, v in other.items():
        if not (v.container and v.clause) or v.stmt:
            continue
        mine = admin_state.get(k)
        if mine is None or mine is not before.get(k) or mine.stmt or mine.rows or mine.container:
            continue
        if out is admin_state:
            out = dict(admin_state)
        out[k] = replace(mine, clause=True, pscoped=True, container=True)
    return out


def _empty_container(value: cst.BaseExpression, state: dict) -> bool:
    """``[]``, ``set()``, ``list()`` (the builtins, not a local of that name)."""
    if isinstance(value, cst.List):
        return not value.elements
    return (
        isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Name)
        and value.func.value in ("set", "list") and value.func.value not in state
    )


def _existence_check_name(value: cst.BaseExpression, v: Val) -> Optional[str]:
    """``get_workspace(db, workspace_id)`` as a statement of its own: a project helper that loads a row by the key
    it is handed (404 when there is none) and whose row the caller drops, only asking that it exists. The row is
    still loaded, unscoped, by that key: held under the call's name (``get_workspace()``) so that a check of the
    caller on the same key after it decides access to that row, as for ``workspace = get_workspace(...)``."""
    call = value.expression if isinstance(value, cst.Await) else value
    if not (isinstance(call, cst.Call) and v.rows and v.model is not None and not v.derived and not v.scoped):
        return None
    name = dotted_name(call.func)
    return f"{last_segment(name)}()" if name else None



def _made_from_checked_body(node: cst.CSTNode, path: tuple[str, ...], state: dict[str, Val]) -> bool:
    """``leave = crud.leave.create(db, obj_in=leave_in)`` after ``employee = crud.employee.get(db,
    leave_in.employee_id)`` was refused unless the caller's: a call named for making a row (``makes_row``), handed a
    body whose field for the row's direct reference to the checked parent (``leave_in.employee_id``) is a key
    verified on this path (``Val.checked``). The new row hangs off the checked parent: tied to it, not a lookup
    of any parent's row. A body whose reference is another key than the one checked (the path's employee checked,
    the body's own ``employee_id`` kept), a reference through another table, or a lookup rather than a made row,
    is read as before."""
    if len(path) != 1 or not isinstance(node, cst.Call) or makes_row(node) != "made":
        return False
    for a in node.args:
        if isinstance(a.value, cst.Name) and not a.star:
            held = state.get(f"{a.value.value}.{path[0]}")
            if held is not None and held.checked:
                return True
    return False
