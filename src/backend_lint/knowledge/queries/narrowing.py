"""What an ``if`` tells about the rows and keys after it: a key or row tied to a checked one, rows filtered by a
check one by one, rows dropped or nulled, branches that end the request, an admin branch.

A mixin of ``analyzer._Analyzer``: its methods read and write the walk's state through ``self``."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional, Sequence

from ...ground.lazy import lazy_import
from ..cst import iter_children, load_names
from ..imports import last_segment
from ..models import identity_columns, relationships
from .syntax import _aborts, _db_handle, _last_small_statement, _unwrap
from .values import NOTHING, Val

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


class _Narrowing:
    """What an ``if`` tells about the rows and keys after it: a key or row tied to a checked one, rows filtered by a
    check one by one, rows dropped or nulled, branches that end the request, an admin branch."""

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
                    if self._admin_test(a) == admin or (not positive and self._role_singled_out(a)):
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
                if not positive and self._read_off_unchecked_row(key.value, other, v, state):
                    continue
                if v.trusted or v.derived or v.rows:
                    old = state.get(key.value, NOTHING)
                    if not (old.stmt or old.rows):
                        state[key.value] = replace(old, trusted=True, derived=old.derived or v.derived)
                        holder = state.get(old.source[0]) if old.source is not None else None
                        if old.source is not None and (holder is None or not (holder.stmt or holder.rows)):
                            # ``ref = getattr(receipt, "buyer_ref")`` checked against the caller: so is ``receipt``
                            state[old.source[0]] = replace(holder or NOTHING, trusted=True)

    def _read_off_unchecked_row(self, key: str, other: cst.BaseExpression, v: Val, state: dict[str, Val]) -> bool:
        """``if not task or task.board_id != board_id: raise HTTPException(404)`` where ``task`` was loaded by the
        client's key and nothing checked it yet, and ``board_id`` is the client's too: past the test the key holds
        what the row holds, as if read off it (``board = get_board(db, task.board_id)``), so a later check of
        the board decides on the task (``Val.origin``) and a lookup by the key is the row's chain, not a trusted key.
        A column that is one of the row's identity columns is its owner, not a parent's key (``_tied_to_decided_key``)."""
        if not (isinstance(other, cst.Attribute) and isinstance(other.value, cst.Name)) or v.source is None:
            return False
        row, old = state.get(other.value.value), state.get(key, NOTHING)
        if row is None or not (row.rows and row.model and row.sites) or row.derived or row.checked:
            return False
        if old.derived or old.trusted or old.stmt or old.rows or key not in self.client_params():
            return False
        if self.project is None or other.attr.value in identity_columns(self.project, self.settings, row.model):
            return False  # (the row's own owner column tied to a key decided later: ``_tied_to_decided_key``)
        state[key] = v
        self.clause_keys[key] = frozenset({f"{other.value.value}.{other.attr.value}"})  # (``key_names``: keyed on the row's column)
        return True

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
