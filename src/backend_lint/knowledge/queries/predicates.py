"""Tests and predicates: comparisons with the caller, a row's identity, owner columns, ``where``/``filter``
predicates and raw SQL, values derived from the principal.

A mixin of ``analyzer._Analyzer``: its methods read and write the walk's state through ``self``."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Optional

from ...ground.lazy import lazy_import
from ..cst import iter_children, load_names, sql_conjuncts, walk as cst_walk
from ..imports import dotted_name, last_segment
from ..models import column_traits, identity_columns, is_owned, model_columns, referenced_model, relationships, scoping_column
from .helper_keys import helper_caller_params
from .summaries import _decided_table, flow_facts
from .syntax import (
    _excludes_owners,
    _local_copies,
    _path,
    _path_prefixes,
    _sql_scopes,
    _unwrap,
    _value_paths,
    _walk_expr,
)
from .values import _merge_flags, Comparison, NOTHING, Val
from .vocabulary import _SECRET_KEY_COLUMNS, capability_column, handed_code_name, PRIMARY_KEY_NAMES, secret_key_column, VISIBILITY_WORDS

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _global_scope_name(attr: str) -> bool:
    """``TYPE_GLOBAL`` / ``GLOBAL``: a constant naming the scope every tenant shares (a flag column, ``is_global``,
    may be compared with what the client sends: not read here)."""
    return attr.isupper() and "GLOBAL" in attr.split("_")


class _Predicates:
    """Tests and predicates: comparisons with the caller, a row's identity, owner columns, ``where``/``filter``
    predicates and raw SQL, values derived from the principal."""

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
                # (a test that decides nothing, ``if not has_access: <look the membership up>``, leaves the flag
                # to the test that does: ``if not has_access: raise``)
                pending = self.pending_owner_flags.pop(node.value) if decision else self.pending_owner_flags[node.value]
                for c in pending:
                    if id(c.node) in self.not_access:
                        for site in c.row.sites:
                            site.owner_gated = True
                if decision:
                    found.extend(c for c in pending if id(c.node) not in self.not_access)
        if not decision:
            self.mark_owner_gated(expr, state)
            return
        if not found:  # ``if not any(m.user_id == user.id for m in project.members): raise``
            found.extend(m for m in (self.member_in_row_list(n, state) for n in _walk_expr(expr) if isinstance(n, cst.Call)) if m is not None)
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
        claim on the child's lookup either way: the parent's check is the access decision. The parent may also be
        a route's parameter holding the row its dependency checked (``checked_parent_params``: ``if
        berth.crew_id != crew.id: raise`` under ``crew: Crew = Depends(managed_crew)``)."""
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
                parent_name = parent.value if whole else parent.value.value  # type: ignore[union-attr]
                p = state.get(parent_name)  # type: ignore[arg-type]
                if (
                    p is not None and not p.rows and p.trusted and parent_name in self.checked_parents
                    and isinstance(node.comparisons[0].operator, (cst.NotEqual, cst.IsNot))
                ):
                    # a row a dependency checked (``crew: Crew = Depends(managed_crew)``), never rebound here, the
                    # test refusing when the child's reference differs from it
                    p = replace(p, rows=True, derived=True, model=self.checked_parents[parent_name])  # type: ignore[index]
                if p is None or not (p.rows and p.model and p.derived) or p.model in self.principal_types:
                    continue  # (who asks is no parent: ``row.user != current_user`` is an owner check)
                # ``child.parent_id`` (a foreign-key column) or ``child.parent.id`` (a relationship's key)
                relation = None
                if whole and isinstance(child, cst.Attribute):
                    relation = child.attr.value
                elif isinstance(child, cst.Attribute) and child.attr.value in PRIMARY_KEY_NAMES and isinstance(child.value, cst.Attribute):
                    relation, child = child.value.attr.value, child.value
                if not isinstance(child, cst.Attribute):
                    continue
                # ``child.rel.parent_id`` / ``child.rel.parent.id``: through relationships of the child's model
                # (``facet.scenario.sketch_id != sketch.id``), each hop one the model declares
                hops: list[str] = []
                holder = child.value
                while isinstance(holder, cst.Attribute):
                    hops.append(holder.attr.value)
                    holder = holder.value
                if not isinstance(holder, cst.Name):
                    continue
                c = state.get(holder.value)
                if c is None or not (c.rows and c.model and (c.sites or c.repo)) or c.derived or p.model == c.model:
                    continue
                held: Optional[str] = c.model
                for hop in reversed(hops):
                    if held == "":
                        continue
                    target = relationships(self.project, held).get(hop) if held else None
                    if target is None and held and f"{hop}_id" in model_columns(self.project, held):
                        target = ""  # a backref the parent declares (``backref="scenario"``): its foreign key names it
                    held = target
                if held is None:
                    continue
                if held == "":
                    # (past a backref the model is unknown: the chain ends on the parent's key or row)
                    if relation is None and not child.attr.value.endswith("_id"):
                        continue
                elif relation is not None:
                    if relation not in relationships(self.project, held) and f"{relation}_id" not in model_columns(self.project, held):
                        continue  # (a backref declared on the parent: its foreign key names it)
                else:
                    column = child.attr.value
                    if not column.endswith("_id") or column not in model_columns(self.project, held):
                        continue
                    traits = column_traits(self.project, held, column)
                    if traits is not None and traits.foreign_key is False:
                        continue
                for site in c.sites:
                    site.owner_gated = True
                    # the key it was looked up by names the tied row: a later lookup by it is this row's (as after
                    # a check, one finding per fetch)
                    for key in [*site.key_names, *self._key_copies(site.key_names)]:
                        old = state.get(key)
                        if old is None or not (old.stmt or old.rows):
                            state[key] = replace(old or NOTHING, derived=True)
                state[holder.value] = replace(c, derived=True)
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
            found = self.project.project_function(q) if q else None
            if found is None:
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
        if isinstance(op, (cst.In, cst.NotIn)) and isinstance(right, (cst.List, cst.Tuple, cst.Set)) and self.is_derived(left, state):
            # ``current_user.id not in [obj.issuer_id, obj.executor_id]``: the caller among the row's owners
            for element in right.elements:
                row = self.row_identity(element.value, state)
                if row is not None:
                    direct = any(n in self.identity.principals or n in self.identity.identity_params for n in load_names(left))
                    return Comparison(node, row[0], row[1], direct=direct)
        for a, b in ((left, right), (right, left)):
            held = self.row_among_callers(a, b, isinstance(op, (cst.In, cst.NotIn)), state)
            if held is not None:
                return Comparison(node, held[0], held[1], direct=False)
        for a, b in ((left, right), (right, left)):
            held = self.key_of_callers_row(a, b, state)
            if held is not None:
                return Comparison(node, held[0], held[1], direct=False)
        for a, b in ((left, right), (right, left)) if self.in_decision else ():
            found = self.principal_column(a, b, state)
            if found is not None:
                return Comparison(node, found[0], found[1], column=found[2])
        for a, b in ((left, right), (right, left)) if self.in_decision else ():
            held = self.child_of_checked_key(a, b, state)
            if held is not None:
                return Comparison(node, held[0], held[1], direct=False, child=not self._owned(held[0].model or ""))
        return None

    def child_of_checked_key(
        self, expr: cst.BaseExpression, other: cst.BaseExpression, state: dict[str, Val]
    ) -> Optional[tuple[Val, str]]:
        """``if epic.case_id != case_id: raise`` / ``story.epic.case_id == case_id`` / ``parent.project_id !=
        body.project_id``: a row of an owned model loaded without an owner predicate, its reference to another
        table (a ``*_id`` column of its own, or one read through its relationships) compared, in a test that
        decides, with a key the function verified for the caller before (handed with the caller to a check, or
        the key of a row a load scoped to the caller found): the row is refused unless it belongs to a parent
        the caller may use, so access is decided in Python after the fetch (BKL202 at the test). A key the
        client sent and nobody verified decides nothing; a parent row compared as a row (``child.parent_id !=
        parent.id``) is ``_tied_to_checked_parent``'s. (row, variable)"""
        if self.project is None:
            return None
        expr, other = _unwrap(self.ctx, expr), _unwrap(self.ctx, other)
        if isinstance(expr, cst.Name):
            held = state.get(expr.value)  # ``project_id = experiment.project_id``, through a local
            if held is None or held.source is None or held.rows or held.derived:
                return None
            var, path = held.source
        else:
            full = _path(expr) if isinstance(expr, cst.Attribute) else None
            if full is None:
                return None
            var, _, path = full.partition(".")
        chain = path.split(".")
        column = chain[-1]
        if not column.endswith("_id") or column in PRIMARY_KEY_NAMES or len(chain) > 3:
            return None
        v = state.get(var)
        if v is None or not (v.rows and v.model and (v.sites or v.repo)) or v.derived or v.scoped:
            return None
        if v.model in self.principal_types or not (self._owned(v.model) or self._child_of_owned(v.model, chain)):
            return None
        if len(chain) == 1:
            if column not in model_columns(self.project, v.model):
                return None
            traits = column_traits(self.project, v.model, column)
            if traits is not None and traits.foreign_key is False:
                return None
        elif chain[0] not in relationships(self.project, v.model):
            return None
        # the other side: a verified key, no row of its own (a parent row is ``_tied_to_checked_parent``'s) and
        # not who asks (an owner comparison is ``row_identity``'s)
        if not isinstance(other, (cst.Name, cst.Attribute)) or not self.is_derived(other, state):
            return None
        root = other
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name) or root.value in self.identity.principals or root.value in self.identity.identity_params:
            return None
        held_root = state.get(root.value)
        if (held_root is not None and (held_root.rows or held_root.stmt)) or root.value in self.checked_parents:
            return None  # (a row, or a row a dependency checked: ``team.id`` of ``team = Depends(can_write_team)``)
        return v, var

    def _child_of_owned(self, model: str, chain: list[str]) -> bool:
        """``issue.project_id``: a table with no identity column of its own whose reference column names a
        table the project owns or decides on after the load (``Project``, itself ``organization_id``'s), or one
        such a table is decided through (``BoardColumn.board_id`` -> ``Board``, decided on by its project): the
        row is that parent's child, compared with the parent's verified key it is refused unless it sits there."""
        if len(chain) != 1 or self.project is None:
            return False
        parent = referenced_model(self.project, model, chain[0])
        return parent is not None and parent != model and (self._owned(parent) or _decided_table(self.project, self.settings, parent))

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

    def key_of_callers_row(
        self, expr: cst.BaseExpression, other: cst.BaseExpression, state: dict[str, Val]
    ) -> Optional[tuple[Val, str]]:
        """``if not mine or mine.id != doctor_id: raise 403`` after ``doctor = get_doctor_by_id(db, doctor_id)``:
        the key a row of an owned model was loaded by without an owner predicate, compared with the key of the
        caller's own row of that model (``mine = get_doctor_by_user_id(db, user.id)``). The key names the loaded
        row, so this is ``row_among_callers``' ``doctor.id == mine.id``: access decided in Python after the
        fetch (BKL202). (row, variable)"""
        expr, other = _unwrap(self.ctx, expr), _unwrap(self.ctx, other)
        if not (isinstance(expr, cst.Attribute) and expr.attr.value == "id" and isinstance(expr.value, cst.Name)):
            return None
        if not isinstance(other, cst.Name) or other.value in self.identity.names():
            return None
        held = state.get(expr.value.value)
        if held is None or not held.derived or held.sites and not held.scoped or expr.value.value in self.identity.names():
            return None
        key = other.value
        for var, v in state.items():
            if var == expr.value.value or not (v.rows and v.model and not v.derived and not v.scoped):
                continue
            if held.model is not None and held.model != v.model:
                continue  # (a helper's answer of unknown model: a value derived from the caller, as the caller's row)
            if v.sites and all(key in site.key_names and var in site.row_names for site in v.sites):
                return (v, var) if self._owned(v.model) else None
        return None

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
        elif not (isinstance(other, cst.Attribute) and self._principal_unique_key(other)):
            return None
        return v, expr.value.value, column

    def _principal_unique_key(self, expr: cst.Attribute) -> bool:
        """``agent.client_id`` where ``agent`` is the principal and ``client_id`` a unique column of its own table
        (``unique=True``): the principal's identity as well as its ``id`` (a machine principal authenticated by
        the client id it sends names itself by it; ``job.worker_id != agent.client_id`` then decides access)."""
        if not isinstance(expr.value, cst.Name):
            return False
        kind = self.identity.principals.get(expr.value.value)
        if not kind or self.project is None:
            return False
        traits = column_traits(self.project, kind, expr.attr.value)
        return traits is not None and (traits.unique or traits.primary_key)

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
            if held is not None and held.owner_of and held.rows and held.model and not held.derived:
                return held, expr.value  # ``owner = repo.get_owner_of_edit(edit_id)`` (``Val.owner_of``)
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
        if attr in self.identity_fields:
            through = self._through_held_relationship(base, attr, state)
            if through is not None:
                return through
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
                    return self._owned_through_relationship(v, root.value, base, attr) or (v, root.value)
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

    def _through_held_relationship(self, base: cst.BaseExpression, attr: str, state: dict[str, Val]) -> Optional[tuple[Val, str]]:
        """``project.owner_id`` where ``task = assignment.task`` and ``project = task.project`` held the
        relationships of a fetched row in locals (``Val.source``: the row's local and the path read off it): read
        as ``assignment.task.project.owner_id`` (``_owned_through_relationship``)."""
        names: list[str] = []
        node: cst.BaseExpression = base
        while isinstance(node, cst.Attribute):
            names.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        held = state.get(node.value)
        if held is None or held.rows or held.derived or held.source is None:
            return None
        var, path = held.source
        chain = path.split(".") + list(reversed(names))
        v = state.get(var)
        for _ in range(4):  # ``card = sticker.card``, ``board = card.board``: back to the fetched row
            if v is None or v.rows or v.derived or v.source is None:
                break
            var, path = v.source
            chain = path.split(".") + chain
            v = state.get(var)
        if v is None or not v.rows or not v.model or v.derived:
            return None
        # (as ``task.project.owner_id`` written out: the fetched row itself when no owned parent is named)
        return self._owned_through_names(v, var, chain, attr) or (v, var)

    def _owned_through_relationship(self, v: Val, var: str, base: cst.Attribute, attr: str) -> Optional[tuple[Val, str]]:
        """``document.collection.owner_id`` for a fetched row of a table that is not owned: the relationships
        named (``Document.collection`` -> ``Collection``) lead to an owned model whose identity column is
        ``attr``: the comparison decides on that parent, reached through the row the client chose (the row's
        ``origin``, as when the parent is looked up by the row's column). ``None`` otherwise."""
        names: list[str] = []
        node: cst.BaseExpression = base
        while isinstance(node, cst.Attribute):
            names.append(node.attr.value)
            node = node.value
        return self._owned_through_names(v, var, list(reversed(names)), attr)

    def _owned_through_names(self, v: Val, var: str, chain: list[str], attr: str) -> Optional[tuple[Val, str]]:
        """The relationships ``chain`` (outermost first) from the row ``v`` of ``var`` to an owned model whose
        identity column is ``attr`` (``_owned_through_relationship``)."""
        if self.project is None or not chain:
            return None
        if is_owned(self.project, self.settings, v.model) and not self._through_owner_column(v.model, chain[0]):
            return None
        model: Optional[str] = v.model
        for rel in chain:
            model = relationships(self.project, model).get(rel) if model else None
            if model is None:
                return None
        if model == v.model or not is_owned(self.project, self.settings, model):
            return None
        if attr not in identity_columns(self.project, self.settings, model):
            return None
        return replace(v, model=model, origin=v.origin or (var, v.model)), var

    def _through_owner_column(self, model: Optional[str], rel: str) -> bool:
        """An owned row's relationship that follows its scoping column (``workspace.team`` of a ``Workspace``
        scoped by ``team_id``): a check of the parent's members reached through it decides on the row's own
        owner, as ``check(user, workspace.team_id)`` does."""
        if self.project is None or not model:
            return False
        return scoping_column(self.project, self.settings, model) == rel + "_id"

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
    def _identity_param_key(self, expr: cst.BaseExpression, state: dict[str, Val]) -> bool:
        """``Org.id == org_id`` in a function given the principal besides the identity-named parameter
        ``org_id``: the parameter is the row's own key (which row), handed in by the caller, not an identity
        of the principal's (``require_org_role(organization_id, db, user)``, called with a path key). In a
        conjunction (``and_(Org.id == org_id, Org.is_deleted == False)``, ``a & b``) every identity predicate
        must be such a key: ``Org.owner_id == user_id`` beside it scopes the row for the caller."""
        parts = sql_conjuncts(expr)
        if len(parts) > 1:
            scoping = [p for p in parts if self.pred(p, state)[0]]
            return bool(scoping) and all(self._identity_param_key(p, state) for p in scoping)
        callers = helper_caller_params(self.identity)  # (``user_id`` in a helper: who asks, ``helper_keys``)
        if not (self.identity.principals or callers) or not isinstance(expr, cst.Comparison) or len(expr.comparisons) != 1:
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
                and b.value not in callers
                and self.model_of(a.value, {}) is not None
            ):
                return True
        return False

    def _other_tables_scope(self, expr: cst.BaseExpression, recv: Val, state: dict[str, Val]) -> bool:
        """A scoping predicate whose identity columns all belong to tables other than the one the statement
        selects (``Task.workspace_id == workspace_id`` in ``query(Note).join(Task)``): a parent's scope, not
        the row's own owner."""
        own = {e for s in recv.sites for e in s.entities[:1]}
        if len(own) != 1:
            return False
        found = False
        for node in _walk_expr(expr):
            if isinstance(node, cst.Attribute) and node.attr.value in self.identity_fields:
                model = self.model_of(node.value, state)
                if model is None or model in own:
                    return False
                found = True
        return found

    def pred(self, expr: cst.CSTNode, state: dict[str, Val]) -> tuple[bool, bool]:
        """(identity predicate, built from the principal) for a where/filter argument."""
        if isinstance(expr, cst.Name) and expr.value == "False":
            return True, False  # ``where(False)`` matches no row (as ``where(false())``)
        scoped = pscoped = False
        excluding: set[int] = set()  # an exclusion of owners (``Comment.user_id.not_in(blocked)``): scopes nothing
        for node in _walk_expr(expr):
            if excluding and id(node) in excluding:
                continue
            if isinstance(node, (cst.Call, cst.Comparison)) and _excludes_owners(node, self.identity_fields):
                excluding.update(id(n) for n in _walk_expr(node))
                continue
            if isinstance(node, (cst.Comparison, cst.Call)) and _shared_flag_set(node):
                scoped = True  # the rows the model marks shared with everyone (``ShortKey.is_global == True``)
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
                    and (attr in _SECRET_KEY_COLUMNS or capability_column(attr) or handed_code_name(attr))
                    and (keyed := self.model_of(node.value, state)) is not None
                    and secret_key_column(self.project, keyed, attr)
                ):
                    scoped = True  # keyed on a secret the caller holds (``Invite.token == body.token``)
                elif any(w in lowered for w in VISIBILITY_WORDS) or _global_scope_name(attr):
                    # an explicit visibility choice (``Flow.access_type == PUBLIC``; the rows every tenant shares,
                    # ``Role.role_type == RoleTypeEnum.TYPE_GLOBAL``)
                    scoped = True
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
            elif isinstance(node, cst.Call) and not node.args and "false" in (
                last_segment(dotted_name(node.func)), last_segment(self.ctx.qualified_name(node.func) or "")
            ):
                scoped = True  # ``where(false())`` matches no row (also imported as ``from sqlalchemy import false as sql_false``)
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


_SHARED_FLAGS = frozenset({"is_global", "is_shared", "shared", "is_public"})


def _shared_flag_set(node: cst.CSTNode) -> bool:
    """``Model.is_global == True`` / ``Model.is_shared.is_(True)``: a predicate keeping only the rows the model
    itself marks shared with every caller (a boolean flag tested against the constant ``True``, never a
    value the client chose): an explicit visibility choice, as ``Flow.access_type == PUBLIC`` is."""
    if isinstance(node, cst.Comparison):
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.Is)):
            return False
        column, value = node.left, node.comparisons[0].comparator
    elif isinstance(node.func, cst.Attribute) and node.func.attr.value in ("is_", "__eq__") and len(node.args) == 1:
        column, value = node.func.value, node.args[0].value
    else:
        return False
    return (
        isinstance(column, cst.Attribute)
        and isinstance(column.value, (cst.Name, cst.Attribute))
        and column.attr.value in _SHARED_FLAGS
        and isinstance(value, cst.Name)
        and value.value == "True"
    )
