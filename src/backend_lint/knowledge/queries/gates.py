"""The tests that gate a whole function: an admin or staff test, a permission asked about every resource, a
named-account test, a signed-in test; and the answers that are no access decision (conflict, invalid, quota).

A mixin of ``analyzer._Analyzer``: its methods read and write the walk's state through ``self``."""

from __future__ import annotations

from typing import Optional

from ...ground.lazy import lazy_import
from ..auth import ADMIN_WORDS, ANONYMOUS_CLASS, HELD_TENANT_COLUMNS, principal_classes, privileged_arguments, role_alternatives, site_permission
from ..auth.role_lists import admitted_roles, names_roles
from ..cst import load_names
from ..imports import dotted_name, last_segment
from ..scoping import table_columns
from .summaries import held_method_decides, method_summary
from .syntax import _every_resource, _last_small_statement, _named_account_test, _session_or_grants, _walk_expr
from .values import Val
from .vocabulary import _ACCESS_STATUS, _INVALID_STATUS, _UNIQUENESS_WORDS, spells_check

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


class _GateTests:
    """The tests that gate a whole function: an admin or staff test, a permission asked about every resource, a
    named-account test, a signed-in test; and the answers that are no access decision (conflict, invalid, quota)."""

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
        listed = False
        for a in call.args:
            value = a.value
            if isinstance(value, cst.Name) and value.value in self.identity.principals:
                principal = True
            elif _role_constant(value):
                constants.append(self.ctx.module.code_for_node(value) if self.ctx.module is not None else "")
            elif isinstance(value, (cst.List, cst.Tuple, cst.Set)) and value.elements and all(_role_constant(e.value) for e in value.elements):
                # ``require_roles(user, ["admin", "staff"])``: a list of roles, any one of which lets the caller in
                listed = True
                constants.extend(self.ctx.module.code_for_node(e.value) if self.ctx.module is not None else "" for e in value.elements)
            elif isinstance(value, cst.FormattedString) and all(isinstance(p, cst.FormattedStringText) for p in value.parts):
                constants.append("".join(p.value for p in value.parts if isinstance(p, cst.FormattedStringText)))  # ``f"room/"``
            elif isinstance(value, cst.Name) and _session_or_grants(value.value):
                continue
            else:
                return False
        # several roles handed to a role check are alternatives (``check_role(user, "admin", "teacher")`` lets
        # teachers in), as for a ``*roles`` dependency factory (``role_lists``): admin-only when every one is
        alternatives = listed or (len(constants) > 1 and self._role_alternatives_call(callee, call))
        return principal and (privileged_arguments([c for c in constants if c], None, alternatives=alternatives) or _every_resource(constants))

    def _role_alternatives_call(self, callee: str, call: cst.Call) -> bool:
        """The positional constants of ``call`` are alternative roles: the callee is named for roles
        (``check_role``, ``require_roles``, ``ensure_any_role``) or is a project function taking them as a
        ``*roles`` parameter (``role_lists.role_alternatives``)."""
        if names_roles(callee):
            return True
        return role_alternatives(self.project, self.ctx.qualified_name(call.func))

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

    def _request_checked_keys(self, stmt: cst.CSTNode) -> list[str]:
        """``await validate.validate_organization_access(report_id)`` (also assigned): a method of a project class
        the route holds (a dependency's instance) that refuses unless what its parameter loads belongs to
        ``self.request.user`` (``summaries.request_checked``): behind an authenticated route that request's user is
        the caller, so the keys handed to those parameters are the caller's to use on this path."""
        if not (self.identity.authenticated or self.identity.principals) or not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            return []
        small = stmt.body[0]
        if isinstance(small, cst.Expr):
            call = small.value
        elif isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
            call = small.value
        else:
            return []
        if isinstance(call, cst.Await):
            call = call.expression
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute) or self.project is None:
            return []
        receiver = call.func.value
        recv = self.ev(receiver, self._state) if isinstance(receiver, (cst.Name, cst.Attribute)) else None
        instance = self.receiver_instance(receiver, recv) if recv is not None else None
        if instance is None:
            return []
        method = call.func.attr.value
        found = held_method_decides(self.project, instance[0], method)
        if not found or found.get("how") != "raise":
            return []
        summary = method_summary(self.project, instance[0], method)
        params = [p for p in ((summary[3] if summary is not None else {}).get("params") or ()) if p not in ("self", "cls")]
        on = set(found.get("on", ()))
        keys: list[str] = []
        for i, a in enumerate(call.args):
            name = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
            if name in on and isinstance(a.value, (cst.Name, cst.Attribute)):
                text = dotted_name(a.value)
                if text and text.split(".", 1)[0] not in self.identity.principals:
                    keys.append(text)
        return keys

    def _permission_checked_keys(self, stmt: cst.CSTNode) -> list[str]:
        """The keys a statement checks with a permission service (``_keyed_permission_call``), also as the body
        of an ``if`` whose test asks about the caller first (``if not self._is_instructor(subject, course_site):
        self._permission.enforce(subject, "hiring.get_assignments", f"course_site/{course_site_id}")``): the
        caller passes either way only when one of the two answers for them."""
        keys = self._keyed_permission_call(stmt) or self._request_checked_keys(stmt)
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
        # (a refusal: the caller's-own-key reading stays out, ``if not su and user.org_id: raise 403`` lets every
        # caller with no key past, not administrators only)
        if stmt.orelse is not None or self._admin_test(stmt.test, own_keys=False) != "negated":
            return False
        return self._exits(stmt.body)

    def _admin_test(self, test: cst.BaseExpression, own_keys: bool = True) -> Optional[str]:
        """"positive" when the test holds for administrators only (its way is theirs), "negated" when it fails
        for administrators only (the way past ``if <test>: raise`` is theirs), folded strictly through ``not`` /
        ``and`` / ``or``: ``a or b`` holds for administrators only when both do (``user.is_superuser or
        payload.force`` lets any caller sending ``force`` take the way; ``user.is_superuser or user.is_staff``
        does not) and fails for administrators only when either does (``not hasattr(user, "is_admin") or not
        user.is_admin``); ``a and b`` holds for administrators only when either does (``user.is_superuser and
        everything``) and fails for administrators only when both do (``not user.is_superuser and not
        can_edit(...)``: an editor goes past the refusal too; ``not user.is_superuser and not user.is_staff``
        leaves administrators alone). ``own_keys`` False (a refusal's reading: ``_guards_admin``, a refusing
        ``if``) leaves out the caller's-own-key way (``_own_key_test``)."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._admin_test(test.expression, own_keys)
            return {"positive": "negated", "negated": "positive"}.get(inner or "")
        if isinstance(test, cst.BooleanOperation):
            sides = (self._admin_test(test.left, own_keys), self._admin_test(test.right, own_keys))
            # ``if not current_user.is_superuser and current_user.institution_id: query = query.filter(...)`` (``if
            # current_user.is_superuser or not current_user.institution_id:``): the other way is a superuser's or
            # a caller's who has no institution to be scoped by, as a way with no identity (``_presence_test``)
            keys = {self._own_key_test(test.left), self._own_key_test(test.right)} if own_keys else set()
            if isinstance(test.operator, cst.Or):
                if sides == ("positive", "positive") or ("positive" in sides and "absent" in keys):
                    return "positive"
                return "negated" if "negated" in sides else None
            if "positive" in sides:
                return "positive"
            return "negated" if sides == ("negated", "negated") or ("negated" in sides and "present" in keys) else None
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
        if isinstance(test, cst.Name) and test.value in self.identity.admin_flags and test.value not in self.plain_flags:
            return "positive"  # ``if not can_view_all:`` where the callers hand ``is_system_admin(current_user)``
        if isinstance(test, cst.Await) and isinstance(test.expression, cst.Call):
            test = test.expression  # ``if await check_permission(...)``: the awaited call is the test
        if isinstance(test, (cst.Attribute, cst.Name, cst.Call)):
            node = test.func if isinstance(test, cst.Call) else test
            name = node.attr.value if isinstance(node, cst.Attribute) else (node.value if isinstance(node, cst.Name) else "")
            lowered = name.lower()
            if any(w in lowered for w in ADMIN_WORDS) or lowered in ("is_staff", "is_root", "is_government"):
                return "positive"  # (``is_government``: a regulator's staff, as ``is_staff``)
            if isinstance(test, cst.Call) and _permission_string_test(test, lowered):
                return "positive"
            return None
        if isinstance(test, cst.Comparison):
            named = _named_account_test(test)
            if named is not None:
                return named  # ``if user.username != "danya": raise``: one account, named in the code, gets through
            listed = self._role_list_test(test)
            if listed is not None:
                return listed
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

    def _own_key_test(self, test: cst.BaseExpression) -> Optional[str]:
        """"present" for ``current_user.institution_id`` / ``current_user.tenant_id is not None``: the principal holds
        a key of its own; "absent" for ``not current_user.institution_id`` / ``... is None``. A key of its own is
        an identity or tenant key (``HELD_TENANT_COLUMNS``, the identity fields) or a column the project's tables
        scope rows by (held by two table models or more besides the principal's own: ``institution_id``), not
        any ``_id`` of the caller's row (``avatar_id``, ``manager_id``, ``team_id`` held by the users table
        alone)."""
        absent = False
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            absent, test = True, test.expression
        elif (
            isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot))
            and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None"
        ):
            absent, test = isinstance(test.comparisons[0].operator, cst.Is), test.left
        if (
            isinstance(test, cst.Attribute)
            and isinstance(test.value, cst.Name)
            and test.value.value in self.identity.principals
            and test.attr.value.endswith("_id")
            and self._scope_key(test.attr.value)
        ):
            return "absent" if absent else "present"
        return None

    def _scope_key(self, column: str) -> bool:
        if column in HELD_TENANT_COLUMNS or column in self.identity_fields:
            return True
        if self.project is None:
            return False

        def build() -> bool:
            own = principal_classes(self.project, self.settings)
            holders = [q for q in table_columns(self.project)[1].get(column, ()) if q not in own]
            return len(holders) >= 2

        return bool(self.ctx.cached(("queries.scope_key", column), build))

    def _role_list_test(self, test: cst.Comparison) -> Optional[str]:
        """``user.role in ("admin", "teacher")`` / ``not in [...]``: a test of a role against a literal list of
        role constants admits any of them, so it is an administrator's test only when every listed role is an
        administrator's (``role_lists.admitted_roles``, as a ``*roles`` factory's values): "positive" for
        ``in``, "negated" for ``not in``; ``""`` (no admin test) when some listed role is an ordinary one
        (``("owner", "admin")``, ``["editor", "admin"]``); ``None`` for any other comparison (read by words)."""
        if len(test.comparisons) != 1 or not isinstance(test.comparisons[0].operator, (cst.In, cst.NotIn)):
            return None
        values = test.comparisons[0].comparator
        if not isinstance(values, (cst.List, cst.Tuple, cst.Set)) or len(values.elements) < 2:
            return None
        if not all(_role_constant(e.value) for e in values.elements) or self.ctx.module is None:
            return None
        left = [n.attr.value.lower() for n in _walk_expr(test.left) if isinstance(n, cst.Attribute)]
        left += [n.value.lower() for n in _walk_expr(test.left) if isinstance(n, cst.Name)]
        if any(w in word for w in ADMIN_WORDS for word in left):
            return None  # (``user.admin_level in (1, 2)``: read by words, as before)
        if not admitted_roles([self.ctx.module.code_for_node(e.value) for e in values.elements]):
            return ""
        members = {_role_name(e.value) for e in values.elements}
        if any(not any(w in m for w in ADMIN_WORDS) for m in members & self._singled_out_roles()):
            # ``if role not in (ADMIN, MANAGER): raise`` and later ``if role == MANAGER and s.assigned_by_id !=
            # user.id: raise``: a listed role the function gives a rule of its own is scoped there, not an
            # administrator's
            return ""
        return "positive" if isinstance(test.comparisons[0].operator, cst.In) else "negated"

    def _role_singled_out(self, test: cst.BaseExpression) -> bool:
        """``current_user.role == UserRole.ORG_ADMIN`` (``is``, the constant on either side) beside a refused test
        (``if current_user.role == UserRole.ORG_ADMIN and current_user.organization_id != org_id: raise``): the
        function gives that role a rule of its own, and past the refusal the other side holds for its callers;
        the roles it does not single out are let past by their role, as an administrator by an admin test. Only
        when it is the one role the function singles out: where another has a rule of its own (``if role ==
        AGENT and user.id != agent_id: raise``, then ``if role == MANAGER:`` loads the agent by the key), the key
        is not the caller's for that one."""
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.comparisons[0].operator, (cst.Equal, cst.Is))):
            return False
        left, right = test.left, test.comparisons[0].comparator
        return any(
            _role_constant(side) and self._callers_role(other) and self._singled_out_roles() == {_role_name(side)}
            for side, other in ((left, right), (right, left))
        )

    def _singled_out_roles(self) -> frozenset[str]:
        """The role constants the function tests the caller's role for equality with (``current_user.role ==
        Role.MANAGER``, ``user.role is Role.MANAGER``), by name (``manager``). The other side reads a principal and
        ends in ``role`` / ``*_role`` / ``roles`` (``_callers_role``): a body's role (``body.role == Role.MANAGER``)
        or a request's method (``request.method == "POST"``) singles out no caller."""
        def build() -> frozenset[str]:
            out: set[str] = set()
            for node in _walk_expr(self.func.body):
                if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, (cst.Equal, cst.Is)):
                    left, right = node.left, node.comparisons[0].comparator
                    for side, other in ((left, right), (right, left)):
                        if _role_constant(side) and self._callers_role(other):
                            out.add(_role_name(side))
            return frozenset(out)

        return self.ctx.cached(("queries.singled_out_roles", id(self.func)), build)

    def _callers_role(self, expr: cst.BaseExpression) -> bool:
        """``current_user.role``, ``user.org_role``, ``ctx.user.roles`` (``.value`` aside): it reads a principal and
        ends in ``role`` / ``*_role`` / ``roles``."""
        if isinstance(expr, cst.Attribute) and expr.attr.value == "value":
            expr = expr.value
        if isinstance(expr, cst.Attribute):
            last = expr.attr.value.lower()
        elif isinstance(expr, cst.Name):
            last = expr.value.lower()
        else:
            return False
        if not (last in ("role", "roles") or last.endswith("_role")):
            return False
        return not set(load_names(expr)).isdisjoint(self.identity.principals)

    def _refusal_decides(self, block: cst.BaseSuite, lacking: bool, rights: bool = False) -> bool:
        """Whether an exit taken on a helper's verdict decides access. Where the caller is refused for lacking what
        the helper answers (``if not member: raise``, ``if role not in (...): raise``) it does: for an answer about
        the caller's rights held in a local (``rights``: ``if not member: raise HTTPException(400, "Not enough
        permissions")``) whatever the status, for a verdict tested inline unless the refusal answers a conflict or
        an invalid request (409, 400 / 422 / 429: ``if not _valid_move(row, user): raise HTTPException(400)``).
        Where the caller is refused for having it (``if member: raise HTTPException(409, "already joined")``, ``if
        user_role: raise HTTPException(400, "already a member")``: a duplicate guard) it does only when the
        refusal says so (401 / 403 / 404, an exception named for access: ``_access_refusal``) or is no refusal
        (``if allowed: return row``, allowed first)."""
        if lacking and rights:
            return True
        if self._conflict_answer(block) or self._invalid_answer(block):
            return False
        return lacking or not isinstance(_last_small_statement(block), cst.Raise) or self._access_refusal(block)

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
        leave"``: an equality that holds, not fails, on the raising branch), nor passing over the caller's own element in
        a loop (``if participant.user_id == sender.id: continue``: everyone else is notified)."""
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
        # (``for p in thread.members: if p.user_id == sender.id: continue``: a loop passing over the caller's own
        # element, to notify everyone else, decides nothing about who may reach the row; unless the loop's body
        # refuses access after it, ``for d in docs: if d.owner_id == user.id: continue`` then ``raise
        # HTTPException(403)``: every element must be the caller's)
        skip = skip or (
            len(stmts) == 1 and len(last.body) == 1 and isinstance(last.body[0], cst.Continue) and not self._loop_refuses_after(stmt)
        )
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

    def _loop_refuses_after(self, stmt: cst.If) -> bool:
        """The innermost loop being walked raises an access refusal (``_access_refusal``: 401 / 403 / 404, an
        access-named exception) in its body after ``stmt`` (in the order of the source, nested functions aside);
        ``True`` when no loop holding it is known (the ``continue`` is then read as a decision, as before h256)."""
        loop = self.loop_stack[-1] if self.loop_stack else None
        body = getattr(loop, "body", None)
        if body is None:
            return True
        seen = False
        stack: list[cst.CSTNode] = [body]
        while stack:  # pre-order, in the order of the source
            node = stack.pop()
            if node is stmt:
                seen = True
                continue
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if seen and isinstance(node, cst.Raise) and self._access_refusal(node):
                return True
            stack.extend(reversed(node.children))
        return not seen

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


def _permission_string_test(call: cst.Call, lowered: str) -> bool:
    """A call whose string argument names an administrators' grant: ``user.has_permission("admin")``,
    ``user.has_role("superuser")``, ``check_permission(permissions, "sinas.executions.read:all")``, and a permission
    in the site's own namespace, as a dependency factory's (``privileged_arguments``):
    ``check_platform_permission(user, "platform:plugins:upload")``; ``"business_unit:..."`` is a tenant's.
    ``lowered``: the callee's last name, lowered."""
    strings = [a.value.value for a in call.args if isinstance(a.value, cst.SimpleString)]
    if not strings:
        return False
    if lowered.startswith(("has_", "is_")) and any(w in v.lower() for w in ADMIN_WORDS for v in strings):
        return True
    if "permission" in lowered and any(_granted_over_all(v) for v in strings):
        return True
    return ("permission" in lowered or "allowed" in lowered) and any(site_permission(v) for v in strings)


def _permission_string_call(value: cst.BaseExpression) -> bool:
    """``value`` is a call ``_permission_string_test`` reads as an administrators' grant (a flag's value)."""
    if not isinstance(value, cst.Call):
        return False
    node = value.func
    name = node.attr.value if isinstance(node, cst.Attribute) else (node.value if isinstance(node, cst.Name) else "")
    return _permission_string_test(value, name.lower())


def _granted_over_all(literal: str) -> bool:
    """A permission string scoped ``:all`` (``"sinas.executions.read:all"`` beside ``"...read:own"``): granted
    over every owner's rows, the administrators' grant, as a wildcard resource (``_every_resource``)."""
    text = literal.strip("\"'")
    return " " not in text and text.endswith(":all") and len(text) > len(":all")


def _role_name(value: cst.BaseExpression) -> str:
    """A role constant's name, lowered: ``"manager"`` for ``"manager"``, ``Role.MANAGER``, ``Role.MANAGER.value``."""
    if isinstance(value, cst.SimpleString):
        return str(value.evaluated_value).lower()
    if isinstance(value, cst.Attribute) and value.attr.value == "value" and isinstance(value.value, cst.Attribute):
        value = value.value
    return value.attr.value.lower() if isinstance(value, cst.Attribute) else ""


def _role_constant(value: cst.BaseExpression) -> bool:
    """A string or an enum member (``"admin"``, ``Role.ADMIN``, ``UserRole.ADMIN.value``): a role's name."""
    if isinstance(value, cst.SimpleString):
        return True
    if isinstance(value, cst.Attribute) and value.attr.value == "value" and isinstance(value.value, cst.Attribute):
        value = value.value
    return isinstance(value, cst.Attribute) and value.attr.value.isupper() and isinstance(value.value, (cst.Name, cst.Attribute))
