"""Expressions and calls: what a value holds (``ev``), a query site built or consumed by a call, a project helper's
call followed through its summary, values the client sent.

A mixin of ``analyzer._Analyzer``: its methods read and write the walk's state through ``self``."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ...ground.lazy import lazy_import
from ..cst import load_names
from ..facts import orm_facts
from ..imports import last_segment
from ..index.extractors.orm import CLIENT_CARRIERS, TENANT_COLUMNS  # where a request carries what the client sent
from ..models import is_owned, membership_partners, model_columns, referenced_model
from ..repositories import enclosing_class
from ..scoping import inferred_columns
from .entity_rows import handed_row_key
from .summaries import _decided_table, client_value_function, flow_facts, membership_group, owning_parents
from .syntax import echoed_argument, _calls_helper, _db_handle, _digest_call, _expr_children, _path, _rights_name, _value_paths
from .values import _merge_flags, NOTHING, Val
from .vocabulary import (
    EXEC_METHODS,
    GET_METHODS,
    PAGINATORS,
    _PERMISSION_WRITE,
    QUERY_RESULT_METHODS,
    RESULT_UNWRAP,
    ROW_METHODS,
    SET_OPERATIONS,
    spells_check,
    STATEMENT_FUNCS,
    STATEMENT_MODULES,
)

# a function name that says it scopes by tenant (``apply_tenant_scope``, ``filter_by_org``, ``workspace_scoped``)
_TENANCY_NAME = re.compile(r"(?:^|_)(?:tenant|tenants|tenancy|org|orgs|organi[sz]ation|workspace|company|team)(?:_|$)")

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


class _Expressions:
    """Expressions and calls: what a value holds (``ev``), a query site built or consumed by a call, a project helper's
    call followed through its summary, values the client sent."""

    def _admin_arm(self, arm: cst.BaseExpression, state: dict[str, Val], admin: bool) -> Val:
        """An arm of a conditional expression; on an administrators' arm, read as admin-only (``_branch``) and kept
        as scoped as the other arm (``_as_admin``)."""
        if not admin:
            return self.ev(arm, state)
        self.admin_depth += 1
        try:
            got = self.ev(arm, state)
        finally:
            self.admin_depth -= 1
        if got.stmt:
            return replace(got, scoped=True, pscoped=True)
        if got.container:
            return replace(got, clause=True, pscoped=True)
        return got

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
            # ``crud.get(db, id=key) if current_user.is_superuser else crud.get_for_tenant(db, id=key, tenant_id=...)``:
            # the arm taken only by administrators makes no claim, as the body of ``if current_user.is_superuser:``
            # (``if_stmt``), and does not weaken what the other arm guarantees
            polarity = self._admin_test(expr.test)
            a = self._admin_arm(expr.body, state, polarity == "positive")
            b = self._admin_arm(expr.orelse, state, polarity == "negated")
            # (``members[0] if len(members) > 0 else None``: the way that binds nothing leaves the rows of the
            # other way as scoped as they were)
            if _none_literal(expr.orelse) and a.rows and a.scoped:
                b = replace(b, scoped=True)
            elif _none_literal(expr.body) and b.rows and b.scoped:
                a = replace(a, scoped=True)
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
                it = self.iterated(self.ev(comp.iter, inner))  # type: ignore[attr-defined]
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

    def _group_site(self, call: cst.Call, row: Val) -> Val:
        """A route's row of a group table the project reaches through the caller's membership rows
        (``scoping.membership_owner``: ``Organization`` and its ``Membership``), from a project lookup given only
        the client's keys: a lookup BKL201 reports where the route decides nothing about the row on any path
        (``forgotten.forgotten_check_model``); a check of it after the load is BKL202 as before."""
        if self.identity.route is None or self.project is None or row.model is None:
            return row
        if membership_group(self.project, self.settings, row.model) is None:
            return row
        site = self.new_site(call, "helper", [row.model], [])
        site.key_names |= set(row.keys)
        site.consumptions.append((False, False))
        return replace(row, sites=(site,))

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
                positional = [v for a, v in zip(call.args, arg_vals) if a.keyword is None]
                if positional and all(v.derived and not v.stmt and not v.rows for v in positional):
                    # ``owned = self._owned_ids(user_id).subquery()``, ``select(owned.c.id)``: the columns of a
                    # subquery a helper built from the principal select the caller's keys, as the helper's
                    # statement does when handed to ``.in_()`` directly
                    return Val(derived=True)
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
                    if scoped and not derived:
                        self.note_keyed_off((site,), vals, state)
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
            built = self._builder_statement(call, method)
            if built is not None:
                return built
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
            if isinstance(func.value, cst.Name) and (
                method in ("append", "extend", "add", "insert") or (method == "update" and state.get(func.value.value, NOTHING).container)
            ):
                name = func.value.value
                old = state.get(name, NOTHING)
                self._track_row_keyed(name, method, call, state)
                scoped = pscoped = False
                for a in call.args:
                    x, y = self.pred(a.value, state)
                    scoped, pscoped = scoped or x, pscoped or y
                scoped = scoped or any(a.text and a.clause for a in args)  # ``parts.append("owner_id = :uid")``
                # a container bound empty holds only keys read from rows or verified as long as every element put
                # in is one (``next_level.add(edge.dst_id)`` over the edges of a checked concept, a name, an
                # attribute or an item); a clause is no key (``filters.append(Item.owner_id == user_id)``)
                put = call.args[-1:] if method == "insert" else call.args  # (``insert(0, x)``: the index is no element)
                keys = all(
                    isinstance(a.value, (cst.Name, cst.Attribute, cst.Subscript)) and (v.trusted or v.derived)
                    and not (v.clause or v.stmt or v.rows or v.text)
                    for a, v in zip(put, args[-len(put):] if put else [])
                )
                trusted = keys if old.empty else old.trusted and (not old.container or keys)
                if scoped or any(a.derived for a in args):
                    state[name] = replace(
                        old,
                        clause=old.clause or scoped,
                        pscoped=old.pscoped or pscoped,
                        derived=old.derived or any(a.derived for a in args),
                        container=True,
                        text=old.text and all(a.text for a in args),
                        trusted=trusted,
                        empty=False,
                    )
                elif old.container and ((old.text and not all(a.text for a in args)) or old.trusted != trusted or old.empty):
                    state[name] = replace(old, text=old.text and all(a.text for a in args), trusted=trusted, empty=False)
                return NOTHING
            return self.helper_call(call, q, [recv] + args, args, state)
        args = [self.ev(a.value, state) for a in call.args]
        return self.helper_call(call, q, args, args, state)

    def _builder_statement(self, call: cst.Call, method: str) -> Optional[Val]:
        """``self._threads()`` where the class's ``_threads`` only returns a bare statement on one model
        (``return self.db.query(Thread).options(...)``, flow ``builders``): the statement, on that model."""
        func = call.func
        if call.args or self.project is None or not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"):
            return None
        cls = enclosing_class(self.ctx, self.func)
        where = self.project.split(cls) if cls is not None else None
        model = flow_facts(self.project, where[0]).get("builders", {}).get(f"{where[1]}.{method}") if where is not None else None
        if model is None:
            return None
        return Val(sites=(self.new_site(call, "query", [model], []),), stmt=True)

    def _tenancy_helper_misses(self, call: cst.Call, q: Optional[str], name: str, state: dict[str, Val]) -> bool:
        """A project function named for tenancy (``apply_tenant_scope``, ``scope_to_org``) handed a statement and
        the model class it is on, not the principal: it can filter only on a tenant column it reads the tenant
        for itself (a context variable); when no model handed has one, it scopes nothing of the caller's. A model
        with a tenant column, a helper outside the project or not named for tenancy: no claim (opaque)."""
        if q is None or self.project is None or not _TENANCY_NAME.search(name.lower()):
            return False
        if self.project.project_function(q) is None:
            return False
        models = [self.model_of(a.value, state) for a in call.args if isinstance(a.value, (cst.Name, cst.Attribute))]
        models = [m for m in models if m]
        return bool(models) and not any(set(model_columns(self.project, m)) & TENANT_COLUMNS for m in models)

    @staticmethod
    def _grants_on_row(call: cst.Call, name: str, vals: list[Val], args: list[Val]) -> bool:
        """A method of a loaded row named for granting or revoking a permission (``grant_permission``,
        ``revoke_access``), handed another loaded row: the receiver's permission is written for the row handed."""
        if not isinstance(call.func, cst.Attribute) or not _PERMISSION_WRITE.match(name):
            return False
        recv = vals[0] if len(vals) > len(args) else NOTHING
        return bool(recv.rows and recv.model) and any(v.rows and v.sites for v in args)

    def helper_call(self, call: cst.Call, q: Optional[str], vals: list[Val], args: list[Val], state: dict[str, Val]) -> Val:
        func = call.func
        if self._client_sent(call, q):
            return Val(client=True)
        name = last_segment(q) if q else (func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else ""))
        derived = any(v.derived for v in vals) or self._hands_caller_request(call, q) or self._reads_global_caller(name, q)
        identity_kw = any(
            a.keyword is not None and a.keyword.value in self.identity_fields and not self._client_key_arg(a.value, v)
            for a, v in zip(call.args, args)
        )
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
            if self._tenancy_helper_misses(call, q, name, state):
                # ``query = apply_tenant_scope(query, Form)``: a tenancy helper not handed the principal, on a model
                # with no tenant column: it filters nothing of the caller's; the statement stays as it was
                return stmts[0] if len(stmts) == 1 else Val(sites=sites, stmt=True)
            return Val(sites=sites, stmt=True, opaque=True)
        if self._grants_on_row(call, name, vals, args):
            # ``sketch.grant_permission(permission="read", group=group)``: a row's permission written for the rows
            # it is handed; they are its grantees (named by the client to share with, by design), it decides no
            # access to them and claims nothing of their fetch (the receiver's own checks stand)
            for v in args:
                for site in v.sites if v.rows else ():
                    site.owner_gated = True
            return NOTHING
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
        if derived and (
            spells_check(name) or self._raising_helper(q) or (id(call) in self.held_verdicts and _rights_name(name))
            or self._self_method_decides(call, state)
        ):
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
        elif derived:
            for key in self._keys_decided_inside(call, q, state):
                # ``SnapshotService.restore_snapshot(db=db, document_id=document_id, actor_id=user.id)`` decides
                # on the key for the caller inside: a later lookup by it is checked (the order holds: the walk
                # reads the statements in turn)
                old = state.get(key)
                if old is None or not (old.stmt or old.rows):
                    state[key] = replace(old or NOTHING, derived=True)
        if operands and self._deciding_check(call, q, name):
            for local in operands:
                self._verify_loaded(local, state, call, name, conflict=id(call) in self.conflict_calls)
        if name in ("str", "int", "UUID", "UUID4") and len(args) == 1:
            return Val(derived=derived, ident=args[0].ident, trusted=args[0].trusted, source=args[0].source, client=args[0].client)
        echoed = echoed_argument(self.ctx, call) if q is not None else None
        if echoed is not None:
            # ``project_id = _as_uuid(experiment.project_id)``: a project function that gives back what it is
            # handed, converted (flow ``echoes``), is that value, as ``UUID(...)`` is
            v = args[echoed]
            return Val(derived=v.derived, ident=v.ident, trusted=v.trusted, source=v.source, client=v.client)
        if name == "getattr" and q in ("getattr", "builtins.getattr") and len(call.args) >= 2 and isinstance(call.args[0].value, cst.Name):
            attr = call.args[1].value
            if isinstance(attr, cst.SimpleString):  # ``getattr(receipt, "buyer_ref", None)``
                base = args[0]
                return Val(derived=base.derived, trusted=base.trusted or base.rows, source=(call.args[0].value.value, attr.value.strip("\"'")))
        recv = vals[0] if (isinstance(func, cst.Attribute) and len(vals) > len(args)) else NOTHING
        if self.identity.route is None and self.method_parent_keys and isinstance(func, cst.Attribute):
            self._note_method_child_call(call, recv, args, state)  # (a parent a deciding method checked here)
        if self.identity.route is not None and id(call) not in self.rights_answers:
            # (a rights lookup that checked the row its key names reads that row's tenant by the key: the check itself)
            followed = self.followed_fetch(call, q, recv, args, state)
            if followed is not None:
                return followed
        if isinstance(func, cst.Attribute):
            library = self.library_crud_fetch(call, func, args, state)
            if library is not None:
                return library
        repo = self.repository_fetch(q, derived or identity_kw)
        if repo is not None and repo.repo and self._handed_no_key(call):
            # ``team = await get_current_team(db)``: a project function handed nothing but the session looks its
            # row up by what it reads itself (the deployment's configuration), no key the client chose reaches
            # the lookup: a check of the row that follows decides on the caller, not on a row the client named
            return replace(repo, repo=False, scoped=True)
        if repo is None and isinstance(func, cst.Attribute):
            repo = self.repository_method_fetch(func, vals[0] if vals else NOTHING, derived or identity_kw)
        if repo is None and self.identity.route is None:
            repo = self.summary_row_fetch(call, q, args, state)
        if repo is None:
            repo = self.own_method_candidate_row(call, derived or identity_kw)
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
            if repo.repo and keys and all(v.trusted and not v.rows for v in keys) and repo.model and not self._owned(repo.model):
                origin = self._client_origin(call, args, state)
                if origin is not None and not self._owned(origin[1]) and self.project is not None and _decided_table(self.project, self.settings, repo.model):
                    # a row of a table the project decides on, keyed on a column of a row the client chose
                    # (``connection = self._get_connection(agent.llm_connection_id)``): a check of it decides
                    # on that row (reported at the check, naming the client's row)
                    return replace(repo, keys=frozenset(names), origin=origin)
            if repo.repo and keys and self._child_of_handed_row(call, q, args, state):
                # ``get_tool_call(db, run.id, call_id)``: one of the children of the row the caller handed in (its
                # key beside the client's in each of the helper's lookups): scoped as that row is
                return replace(repo, repo=False, scoped=True, keys=frozenset(names))
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
                    repo = self._group_site(call, repo)
            lookup, lookup_scoped = self.helper_lookup(call, q, recv, args, state)
            return replace(repo, lookup=lookup, lookup_scoped=lookup_scoped) if lookup else repo
        instance = self.instance_of(q, call, state)
        if instance is not None:
            return Val(instance=instance, derived=derived)
        instances = self.factory_instances(q)
        if instances:
            return Val(instances=instances, derived=derived)
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

    def _child_of_handed_row(self, call: cst.Call, q: Optional[str], args: list[Val], state: dict[str, Val]) -> bool:
        """A project function handed the primary key of a row this function's caller handed in (``run.id``, a
        parameter typed as a table model or an entity mirroring one: ``handed_row_params``) beside the client's keys,
        each of its own lookups keyed by a client key keyed by that row's key too (``where(Call.run_id == run_id,
        Call.call_id == call_id)``, flow ``fetches``), never under ``or_`` or ``!=`` (flow ``loose_keys``)."""
        handed = getattr(self, "handed_row_params", None)
        if not handed or self.project is None or q is None or any(a.star for a in call.args):
            return False
        found = self.project.project_function(q)
        summary = flow_facts(self.project, found[0]).get("functions", {}).get(found[1]) if found is not None else None
        if not summary or not summary.get("fetches"):
            return False
        params = summary.get("params", [])
        parents: set[str] = set()
        keyed: set[str] = set()
        for i, (a, v) in enumerate(zip(call.args, args)):
            param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
            if param is None or _db_handle(a.value):
                continue
            if handed_row_key(a.value, state, handed):
                parents.add(param)
            elif not (v.trusted and not v.rows):
                keyed.add(param)
        if not parents or not keyed or parents & set(summary.get("loose_keys", ())):
            return False  # (the handed row's key under ``or_`` or ``!=``: no confinement to its children)
        for param in keyed:
            own = [f for f in summary["fetches"] if param in f.get("keys", ())]
            if not own or not all(set(f["keys"]) & parents for f in own):
                return False
        return True

    @staticmethod
    def _handed_no_key(call: cst.Call) -> bool:
        """The call hands its callee the session at most (``get_current_team(db)``, ``default_org()``): no value
        that could name a row."""
        return all(not a.star and _db_handle(a.value) for a in call.args)

    def _client_key_arg(self, expr: cst.BaseExpression, v: Val) -> bool:
        """``get_workspace_by_id(session=session, workspace_id=id)`` (also ``workspace_id=board_in.workspace_id``):
        a keyword named like an identity field handed a key the client sent to the route (a path, query or body
        value, not one vouched for by the caller) names which row, not whose: the keyword's name scopes nothing.
        In a function that is no route, one of its own parameters that is neither who asks nor derived from it
        (``get_workspace(db=db, workspace_id=workspace_id)`` in a service its route hands the path key): the
        key its caller handed, as the same call written positionally."""
        if v.derived or v.trusted or v.rows or v.stmt or v.ident:
            return False
        if self.identity.route is None:
            return isinstance(expr, cst.Name) and any(p.name == expr.value for p in self.identity.params)
        roots = set(load_names(expr))
        return bool(roots) and roots <= self.client_params()

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
                if self._tenant_named(a.attr.value, b, v) or self._group_named(a, b, v, state):
                    self.member_columns[id(node)] = a.attr.value
                    return True
                if self._member_named(a, b, v, state):
                    self.member_columns[id(node)] = a.attr.value
                    return True
        return False

    def _tenant_named(self, column: str, value: cst.Name, v: Optional[Val]) -> bool:
        """``Channel.workspace_id == workspace_id`` in a route, with ``workspace_id`` a path key that nothing on
        the route verifies (no dependency checked the caller in it, no check or lookup is handed it with who asks,
        no test of the caller refuses: ``unverified_path_keys``) and that was not verified on this path: the
        predicate keeps whichever tenant's rows the client named. A person's column (``Post.user_id ==
        user_id``, a profile's public listing) is left to the column's other readings."""
        if v is not None and (v.checked or v.trusted or v.rows or v.stmt):
            return False
        if column not in TENANT_COLUMNS or value.value not in self.unverified_path_keys():
            return False
        return True

    def _group_named(self, column: cst.Attribute, value: cst.Name, v: Optional[Val], state: dict[str, Val]) -> bool:
        """``SkillPrompt.canvas_id == canvas_id`` in a route, on a table owned through the row its column refers to
        (``owning_parents``: ``SkillPrompt.canvas_id`` -> ``Canvas``, owned), with ``canvas_id`` a path key nothing
        on the route verifies (``unverified_path_keys``, as ``_tenant_named``): the project scopes by the group
        column (an inferred identity field), but the predicate keeps whichever group's rows the client named."""
        if v is not None and (v.checked or v.trusted or v.rows or v.stmt):
            return False
        if column.attr.value in TENANT_COLUMNS or value.value not in self.unverified_path_keys():
            return False
        model = self.model_of(column.value, state) if isinstance(column.value, (cst.Name, cst.Attribute)) else None
        if model is None:
            return False
        parent = owning_parents(self.project, self.settings).get(model)
        if parent is not None and parent[1] == column.attr.value:
            return True
        # (or the column the project itself scopes the table by, checking the row it names with who asks
        # elsewhere, ``verify_canvas_access(canvas_id, current_user.id, ...)``: inferred, never configured)
        target = referenced_model(self.project, model, column.attr.value)
        return (
            column.attr.value in inferred_columns(self.project, self.settings, model)
            and column.attr.value not in self.settings.identity_fields
            and target is not None and target != model and is_owned(self.project, self.settings, target)
        )

    def _member_named(self, column: cst.Attribute, value: cst.Name, v: Optional[Val], state: dict[str, Val]) -> bool:
        """``Membership.user_id == member_id`` in a route, on a membership (link) table (``membership_partners``:
        its identity column shares a composite key with a group column) whose column refers to the principal's
        table (the member), compared with a key the client
        supplies to the route (path, query, body; not one a dependency checked, nor one verified or derived from
        who asks on this path): the column names the member the client chose, not an owner, so the predicate
        scopes nothing (``remove_member(group_id, member_id)`` deleting any group's membership row)."""
        if self.identity.route is None or value.value in self.identity.tenant_keys:
            return False
        if v is not None and (v.derived or v.checked or v.trusted or v.rows or v.stmt):
            return False
        if value.value not in self.client_params() or not isinstance(column.value, (cst.Name, cst.Attribute)):
            return False
        model = self.model_of(column.value, state)
        if model is None or not membership_partners(self.project, self.settings, model):
            return False
        # (the member is a person: the column refers to the principal's table; a tenant column of a link row,
        # ``PluginInstallation.workspace_id``, or the group column, is the scope the client names: BKL102's)
        return referenced_model(self.project, model, column.attr.value) in self.principal_types

    def _hands_caller_request(self, call: cst.Call, q: Optional[str]) -> bool:
        """``_get_owned_playlist(request, id)`` where ``request.user`` is this function's caller (an
        authentication middleware sets it): a project function that reads the ``.user`` of the request it is
        handed (index fact ``user_read``) reads the same caller, so the call hands it the principal, as
        ``helper(current_user, id)`` would (a helper that raises then answers for ``id``)."""
        if self.project is None or q is None or not any(p.endswith(".user") for p in self.identity.principals):
            return False
        found = self.project.project_function(q)
        if found is None:
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


def _none_literal(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"
