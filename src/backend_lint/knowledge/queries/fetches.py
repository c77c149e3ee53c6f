"""Fetches through project code: repositories, summaries of helpers that load a row, library CRUD helpers, held
instances and receivers, filter dictionaries, and the statement chains that execute a query.

A mixin of ``analyzer._Analyzer``: its methods read and write the walk's state through ``self``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

from ...ground.lazy import lazy_import
from ..auth import decorator_verified_keys, principal_classes, route_caller_handed_keys, route_path_guards
from ..cst import load_names, walk as cst_walk
from ..facts import method_return, method_return_at, orm_facts
from ..flask import flask_request_name
from ..imports import dotted_name, last_segment
from ..models import identity_columns, identity_fields, is_owned, is_pydantic_model, is_table_model, model_columns
from ..type_parameters import is_type_parameter
from ..repositories import core_row_table, enclosing_class, entity_table, generic_model, member_class, repository_model, self_attribute_class, sole_implementation, specialised
from .summaries import (
    _CONSTRUCTOR_PREFIXES,
    _held_scope,
    _single_lookup_model,
    flow_facts,
    handed_models,
    held_method_summary,
    helper_unscoped,
    method_summary,
    helper_checked_tables,
    method_home,
    principal_passes_through,
    with_handed_modules,
    summary_candidate_row,
)
from .getters import foreign_getter_model, GETTER_PREFIXES, reads_a_row
from .syntax import _if_refuses, _last_small_statement, compared_sides, _local_copies, _presence_only, _store_class, _value_paths, _walk_expr
from .values import NOTHING, Site, Val
from ..index.extractors.orm import TENANT_COLUMNS

if TYPE_CHECKING:
    from ...engine.context import FileContext
    from ..index import ProjectIndex
from .vocabulary import (
    EXEC_METHODS,
    GET_METHODS,
    JOIN_METHODS,
    LIBRARY_CRUD_METHODS,
    LIBRARY_CRUD_WORDS,
    LIBRARY_CRUD_WRITES,
    PRED_METHODS,
    PUBLISHED_WORD,
    QUERY_RESULT_METHODS,
    secret_key_column,
    STMT_METHODS,
)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _schema_class(project: "ProjectIndex", returns: str) -> bool:
    """``returns`` names a project pydantic model that is no table: a schema a getter builds from a row."""
    found = project.get_class(returns)
    return found is not None and not is_table_model(project, found[0]) and is_pydantic_model(project, found[0]) is True


class _Fetches:
    """Fetches through project code: repositories, summaries of helpers that load a row, library CRUD helpers, held
    instances and receivers, filter dictionaries, and the statement chains that execute a query."""

    def repository_fetch(self, q: Optional[str], given_principal: bool) -> Optional[Val]:
        """``item = crud.get_item(session, item_id)``: a project function whose return type is a model."""
        if q is None or self.project is None:
            return None
        found = self.project.project_function(q)
        if found is None:
            return None
        mod, name = found
        fn = orm_facts(self.project.modules[mod]).get("functions", {}).get(name)
        if fn is not None and not fn.get("returns"):
            model = summary_candidate_row(self.project, self.settings, mod, name)
            if model is None:
                return None
            return Val(rows=True, model=model, repo=not given_principal, scoped=given_principal, derived=given_principal)
        if fn is None or not fn.get("returns"):
            return None
        model = self.project.canonical(fn["returns"])
        if not is_table_model(self.project, model):
            return None
        return Val(rows=True, model=model, repo=not given_principal, scoped=given_principal, derived=given_principal)

    def own_method_candidate_row(self, call: cst.Call, given_principal: bool) -> Optional[Val]:
        """``connection = await self._get_llm_connection(agent.llm_connection_id)``: a method of the function's own
        class annotated to return a row of a table the project decides on after the load
        (``helper_checked_tables``: no identity column, its rows handed to access decisions). The row is the
        helper's, like a repository's: BKL202 at a decision handed it, never BKL201. A method that checks
        itself or answers yes or no is not this."""
        project = self.project
        func = call.func
        if project is None or not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"):
            return None
        owner = enclosing_class(self.ctx, self.func)
        home = method_home(project, owner, func.attr.value) if owner is not None else None
        if home is None:
            return None
        mod, _, key = home
        returns = method_return_at(project, home)
        found = project.get_class(returns) if returns else None
        if found is None or is_owned(project, self.settings, found[0]) or found[0] not in helper_checked_tables(project, self.settings):
            return None
        summary = flow_facts(project, mod).get("methods", {}).get(key) or {}
        if summary.get("checked") or summary.get("verdict"):
            return None
        return Val(rows=True, model=found[0], repo=not given_principal, scoped=given_principal, derived=given_principal)

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

    def call_modules(self, call: cst.Call, params: list, offset: int) -> dict[str, str]:
        """The project modules a call hands along, by the callee's parameter name (``get_role(db, role_id)``
        with ``from app import db`` a module): what a helper's ``db.Role.get(...)`` looks up on
        (``with_handed_modules``)."""
        project = self.project
        out: dict[str, str] = {}
        if project is None:
            return out
        for i, a in enumerate(call.args):
            if a.star:
                break
            if not isinstance(a.value, cst.Name):
                continue
            q = self.ctx.qualified_name(a.value)
            if not q or q not in project.modules:
                continue
            param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
            if param:
                out[param] = q
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
        found = project.project_function(q) if q is not None else None
        if found is not None:
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
        if target is None:
            target = self._held_method_summary(call)
        if target is None or not target[3].get("returns"):
            return None
        mod, cls, name, summary = target
        params = summary.get("params", [])
        offset = 1 if (cls is not None and params[:1] and params[0] in ("self", "cls")) else 0
        if summary.get("self_checked"):
            summary = _self_checked_handed(summary, call, args, offset)
        if summary.get("optional_preds"):
            summary = _optional_preds_omitted(summary, call, offset)
        summary = with_handed_modules(summary, offset, self.call_modules(call, params, offset))
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
            if v.derived or (a.keyword is not None and a.keyword.value in self.identity_fields and not self._client_key_arg(a.value, v)):
                return None  # given who asks
            if param in unscoped and not v.trusted and model is None:
                model = unscoped[param][0]
        if model is None:
            return None
        column = summary.get("returns_attr")
        # (``owner = repo.get_owner_of_edit(edit_id)``: the helper hands back the row's owner column itself)
        owner = bool(column) and column in identity_columns(project, self.settings, model)
        return Val(rows=True, model=model, repo=True, owner_of=owner)

    def _held_method_summary(self, call: cst.Call) -> Optional[tuple[str, str, str, dict]]:
        """``report = await self.repo.get_report_schema_by_id(report_id)``: a method of a project service or
        repository the class holds (``self.repo``, kept by ``__init__``), whose summary (``flow`` facts) says
        what it looks up; what it returns may be a schema built from the row (no model annotation for
        ``repository_method_fetch`` to read), it is still that row to a check of the caller here."""
        func = call.func
        if self.project is None or not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute)):
            return None
        held = self.held_instance(func.value)
        return method_summary(self.project, held[0], func.attr.value) if held is not None else None

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
            found = project.project_function(q)
            if found is not None:
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
        if summary.get("self_checked"):
            summary = _self_checked_handed(summary, call, args, offset)
        if summary.get("optional_preds"):
            summary = _optional_preds_omitted(summary, call, offset)
        summary = with_handed_modules(summary, offset, self.call_modules(call, params, offset))
        given = handed_models(summary, offset, self.call_models(call, state))
        unscoped = helper_unscoped(project, self.settings, mod, cls, name, summary, 0, given, owner_values=True, checked_only=self.identity.route is not None and not self.checked_parents)
        if not unscoped or not any(is_owned(project, self.settings, m) for m, _, _ in unscoped.values()):
            # (a helper reaching only tables owned through the project's checks: its own check first)
            checked = self._checked_by_helper(summary, call, state)
            if checked is not None or not unscoped:
                return checked
        client = self.client_params()
        held = getattr(self, "held_client_keys", {})
        client = client | {n for n in held if isinstance(state.get(n), Val) and not (state[n].derived or state[n].trusted)}
        # (a parameter the helper only keeps on the object, ``self.user = user``, decides nothing there)
        unused = set(summary.get("unused", ())) | set(summary.get("kept", ()))
        handed: list[str] = []  # who asks, handed to the helper that uses it
        handed_client = False  # an identity-named argument the client supplies (``tenant_id=request.tenant_id``)
        checked: set[str] = set()  # the helper's parameters handed a client key the route has checked
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
                # the client's value under an owner field's name (``tenant_id=request.tenant_id``) is family 1's; a
                # project's group column (``canvas_id=request.canvas_id``) keys the lookup as the same argument
                # handed by position does
                identity_kw = False
                handed_client = handed_client or a.keyword.value in identity_fields(self.settings)
            if isinstance(a.value, cst.Name) and a.value.value in self.identity.tenant_keys:
                continue  # a path key a dependency checked the caller in: the caller's tenant, not who asks
            if v.derived or identity_kw:
                param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
                # a client key the route checked, read by the helper (not only handed on): which lookups it scopes
                # is read per lookup below (``_beside_checked_key``); it is not who asks
                checked_key = (
                    v.derived and param is not None and not identity_kw and _checked_client_key(a.value, client)
                    and param not in unused and param not in summary.get("idle", ()) and param not in summary.get("recorded", ())
                )
                if checked_key:
                    checked.add(param)
                    continue
                if param is None or (param not in unused and "idle" not in summary and "recorded" not in summary and "scopes_only" not in summary):
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
            if _body_keys_verified(project, self.settings, summary, param, model, chain, a.value, state):
                continue  # the fields of the body that key the helper's lookup were checked here (the row re-loaded)
            if checked and _beside_checked_key(summary, param, checked):
                return None
            if (names & client) <= self._flask_body_values() and (
                self._handed_with_caller(call, names & client) or self._matched_to_route_key(a.value, state)
            ):
                continue  # (a body key the view also hands, with who asks, to another call, or requires to equal
                # the route's own key: decided there)
            if handed and not all(principal_passes_through(project, self.settings, mod, cls, name, summary, p, model, 0, param) for p in handed):
                return None
            if cls is not None and "." in name and chain and is_table_model(project, cls):
                # a mixin's classmethod called on the model: named as the route calls it (``Volume.one_by_id()``)
                chain = (f"{last_segment(cls)}.{name.rsplit('.', 1)[1]}()",) + chain[1:]
            site = self.new_site(call, "helper", [model], [])
            site.via = chain
            site.owner_value = owner_column
            if summary.get("returns_attr") and summary["returns_attr"] in identity_columns(project, self.settings, model):
                # ``owner = repo.get_owner_of_edit(edit_id)``: the helper hands back the row's owner column
                # (flow fact ``returns_attr``); comparing it with the caller decides access (``row_identity``)
                self.owner_sites.add(id(site))
            copies = self.ctx.cached(("queries.copies", id(self.func)), lambda: _local_copies(self.ctx, self.func))
            site.key_names |= {copies.get(n, n) for n in names & client}  # the route's own parameter, not a copy
            # ``get_workspace(request.workspace_id)`` with the body the client sent: keyed on that attribute, not
            # the whole body (a check of the row verifies ``request.workspace_id``, not ``request.conversation_id``)
            site.key_names = _attribute_keys(site.key_names, a.value, names & client)
            site.consumptions.append((False, False))
            keys = _lookup_keys(call, params, offset, summary, model, client) - site.key_names if owner_column else frozenset()
            return Val(sites=(site,), rows=bool(summary.get("returns")), model=model, keys=frozenset(keys))
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
        return params | self._client_copies(params) | self._flask_body_values()

    def _handed_with_caller(self, call: cst.Call, keys: set[str]) -> bool:
        """Another call of the view is handed one of ``keys`` together with who asks (``check_ua_case_client(
        current_user.id, target_case_id)``): the view has the key checked for the caller there (before or after
        this lookup), so the lookup is no unchecked one."""
        who = set(self.identity.principals) | set(self.identity.identity_params)
        for node in cst_walk(self.func.body):
            if not isinstance(node, cst.Call) or node is call:
                continue
            handed = [set(load_names(a.value)) for a in node.args]
            if any(h & keys for h in handed) and any(h & who for h in handed):
                return True
        return False

    def _matched_to_route_key(self, expr: cst.BaseExpression, state: dict[str, Val]) -> bool:
        """``if data.get("case_id") != caseid: return error``: the body value the view hands on is refused unless
        it equals a key already decided on (one an authenticating decorator filled after checking the caller's
        access, ``Identity.closure_derived``, or a local verified here) or who asks: it is that key, not a new
        one (also each element of a list handed on: ``[data.get("case_id")]``)."""
        if isinstance(expr, (cst.List, cst.Tuple)) and expr.elements:
            return all(self._matched_to_route_key(el.value, state) for el in expr.elements)
        spelled = self.ctx.module.code_for_node(expr)
        route = set(self.identity.closure_derived) | set(self.identity.principals) | set(self.identity.identity_params)
        route |= {n for n, v in state.items() if v.derived and not (v.rows or v.stmt)}
        for node in cst_walk(self.func.body):
            if not isinstance(node, cst.If) or not (_if_refuses(node) or isinstance(_last_small_statement(node.body), cst.Return)):
                continue  # (leaves on a mismatch: ``raise``, ``abort(...)``, ``return response_error(...)``)
            for one, other in compared_sides(node.test, (cst.NotEqual, cst.IsNot)):
                if self.ctx.module.code_for_node(one) == spelled and set(load_names(other)) & route:
                    return True
        return False

    def _flask_body_values(self) -> set[str]:
        """In a Flask view (the caller a global: ``Identity.global_caller``), Flask's request spelled in the
        module and the locals bound to what the client sent in the body or the query string (``data =
        request.get_json()``, ``doc_id = data.get("doc_id")``, ``request.json["doc_id"]``): the client's keys,
        as a FastAPI route's body and query parameters are (``flask_body_locals``)."""
        if not self.identity.global_caller:
            return set()
        return set(self.ctx.cached(("queries.flask_body", id(self.func)), lambda: flask_body_locals(self.ctx, self.func)))

    def _loose_path_keys(self, call: Optional[cst.Call], predicates: bool = False) -> frozenset[str]:
        """The route's path parameters (also of a router prefix; not marked as query, body or form values)
        that the handler never checks: each read is an argument of a call that is handed nothing of who asks
        (``call`` among them), or sits in an f-string (a log line). A path key named like an identity field
        starts as the caller's (``identity_params``); one compared with the principal, handed to a check
        with it, or reassigned is not loose. With ``predicates``, a read that an identity column is equated
        with in such a call's arguments (``filter(Channel.workspace_id == workspace_id)``) is handed on too."""
        from ..client_identity import route_path_params  # (client_identity reads this module)

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
        params = {p.name for p in self.identity.params}
        if not self.identity.tenant_keys and not any(
            name in read or (kind is not None and project is not None and project.get_class(kind) is not None)
            or (predicates and name not in params)  # (Flask-Login's ``current_user``: held by ``@login_required``)
            for name, kind in self.identity.principals.items()
        ):
            # a route that holds no caller (``_check_scopes: Security(check_scopes, scopes=[...])`` unread):
            # authorised by a scope alone, it acts for whoever holds it, the path names the subject
            return frozenset()
        path = route_path_params(self.ctx, route)
        keys = {p.name for p in self.identity.params if p.name in path and p.marker not in ("Query", "Body", "Form")}
        keys &= set(self.client_params())
        keys -= self.identity.tenant_keys  # (the key the route's dependency checked the caller in)
        if not keys:
            return frozenset()
        who = set(self.identity.principals) | (set(self.identity.identity_params) - keys)
        if predicates:
            who |= _copies_of(self.func, who)  # (``user = auth.user``: the caller under another name)
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
                if predicates:
                    allowed.update(id(n) for h in handed for c in _walk_expr(h) if (n := self._column_equated_key(c)) is not None)
        out = set(keys)
        for node in cst_walk(self.func.body):
            if isinstance(node, cst.Name) and node.value in out and id(node) not in allowed:
                out.discard(node.value)  # read otherwise: compared, tested, reassigned, handed with who asks
        return frozenset(out)

    def _column_equated_key(self, node: cst.CSTNode) -> Optional[cst.Name]:
        """``workspace_id`` of ``Channel.workspace_id == workspace_id``: the name an identity column is equated
        with (``==`` / ``in``), if the comparison is one."""
        if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
            return None
        if not isinstance(node.comparisons[0].operator, (cst.Equal, cst.In)):
            return None
        for a, b in ((node.left, node.comparisons[0].comparator), (node.comparisons[0].comparator, node.left)):
            if isinstance(a, cst.Attribute) and a.attr.value in self.identity_fields and isinstance(b, cst.Name):
                return b
        return None

    def unverified_path_keys(self) -> frozenset[str]:
        """The route's path keys nothing on the route verifies (``_loose_path_keys``), an identity column
        equated with one counting as handing it on: a predicate ``Channel.workspace_id == workspace_id`` on such
        a key keeps whichever workspace's rows the client named (``_client_compared``)."""
        if self.identity.route is None:
            return frozenset()
        return self.ctx.cached(("queries.unverified_path_keys", id(self.func)), self._unverified_path_keys)

    def _unverified_path_keys(self) -> frozenset[str]:
        guarded = route_path_guards(self.ctx, self.func) | route_caller_handed_keys(self.ctx, self.func)
        guarded |= decorator_verified_keys(self.ctx, self.func, self.identity.principals)
        return self._loose_path_keys(None, predicates=True) - guarded

    def _client_copies(self, params: set[str]) -> set[str]:
        found = self.ctx.cached(("queries.copies", id(self.func)), lambda: _local_copies(self.ctx, self.func))
        return {local for local, source in found.items() if source in params}

    # -- repositories ----------------------------------------------------------------------------------
    def instance_of(self, q: Optional[str], call: cst.Call, state: dict[str, Val]) -> Optional[tuple[str, Optional[str]]]:
        """``ItemRepository(session)`` / ``CRUDItem(Item)`` -> (class, model given as an argument)."""
        if self.project is None:
            return None
        if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name) and call.func.value.value == "self":
            return self._own_factory_instance(call.func.attr.value)
        if q is None:
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
        symbol = project.project_function(q) if project is not None else None
        if symbol is None:
            return None
        fn = orm_facts(project.modules[symbol[0]]).get("functions", {}).get(symbol[1]) or {}  # type: ignore[union-attr]
        return self._built_instance(fn.get("returns") or fn.get("builds"))

    def _own_factory_instance(self, method: str) -> Optional[tuple[str, Optional[str]]]:
        """``self._repo(db).find_by_id(key)``: a method of the enclosing class (or a project base) annotated to
        return a project class (``def _repo(self, db) -> AgentRepository: return AgentRepository(db)``): the
        instance, as ``_factory_instance`` reads a module function's."""
        cls = enclosing_class(self.ctx, self.func) if self.func is not None else None
        return self._built_instance(method_return(self.project, cls, method)) if cls is not None else None

    def _built_instance(self, made: Optional[str]) -> Optional[tuple[str, Optional[str]]]:
        """The instance a factory of class ``made`` hands back: a project class, no table, that keeps what its
        ``__init__`` is given on ``self`` (``self_types``)."""
        project = self.project
        found = project.get_class(made) if made and project is not None else None
        if found is None or is_table_model(project, found[0]):  # type: ignore[arg-type]
            return None
        mod, _, short = found[0].rpartition(".")
        if not orm_facts(project.modules[mod]).get("self_types", {}).get(short) if mod in project.modules else True:  # type: ignore[union-attr]
            return None
        return found[0], None

    def factory_instances(self, q: Optional[str]) -> tuple:
        """``workflow_service, audit_service = _services(session)``: a project function annotated to return a tuple
        of classes (index facts ``returns_tuple``): per item, the instance ``_factory_instance`` would give for a
        factory of that class alone (``None`` for an item that is no such class); ``()`` when none is."""
        project = self.project
        symbol = project.project_function(q) if project is not None and q else None
        if symbol is None:
            return ()
        fn = orm_facts(project.modules[symbol[0]]).get("functions", {}).get(symbol[1]) or {}  # type: ignore[union-attr]
        items = tuple(self._built_instance(made) for made in fn.get("returns_tuple") or ())
        return items if any(items) else ()

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
        member = self.member_instance(expr)
        if member is not None:
            return member
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

    def member_instance(self, expr: cst.BaseExpression) -> Optional[tuple[str, Optional[str]]]:
        """``uow.bookings`` / ``self.uow.bookings``: a repository a unit of work hands out, where ``uow`` is a
        parameter typed with the unit of work's class (or its interface), a name bound to one (``async with
        UnitOfWork(db) as uow``) or what ``__init__`` keeps on ``self``: the concrete class
        (``repositories.member_class``)."""
        if not isinstance(expr, cst.Attribute) or self.project is None:
            return None
        base = expr.value
        owner: Optional[str] = None
        if isinstance(base, cst.Name):
            bound = (getattr(self, "_state", None) or {}).get(base.value)
            if bound is not None and getattr(bound, "instance", None) is not None:
                owner = bound.instance[0]
            else:
                for p in self.identity.params:
                    if p.name == base.value and p.type:
                        found = self.project.get_class(p.type)
                        if found is not None and not is_table_model(self.project, found[0]):
                            owner = found[0]
                        break
        elif isinstance(base, cst.Attribute):
            held = self.held_instance(base)
            owner = held[0] if held is not None else None
        if owner is None:
            return None
        member = member_class(self.project, owner, expr.attr.value)
        return (member, None) if member is not None else None

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
        home = method_home(project, cls, method)
        if home is None:
            return None
        returns, defined_in = method_return_at(project, home), home[0]
        generic = hint if hint is not None else generic_model(project, cls)
        if generic is None:
            generic = repository_model(project, cls)  # ``model = Item`` in the body, ``super().__init__(Item, db)``
        model = None
        if returns:
            found = project.get_class(returns)
            if found is not None and is_table_model(project, found[0]):
                model = found[0]
            elif found is not None and (core := core_row_table(project, found[0])) is not None:
                model = core  # ``pets.get_pet(pet_id) -> Pet``: an entity built from one Core table's row
            elif found is not None and _entity_getter(project, cls, method) and (entity := entity_table(project, found[0])) is not None:
                # ``-> BookingEntity``: the domain entity a repository generic over it builds from a ``Booking`` row,
                # returned by a method that looks a row up (itself or through a unit of work's repository)
                model = entity
            elif last_segment(returns) == "Self" and generic is not None:
                model = generic
            elif found is None and generic is not None:
                symbol = project.resolve_symbol(returns)
                if symbol is not None and symbol[2] == "assignments":
                    call = project.modules[symbol[0]]["assignments"][symbol[1]].get("call") or ""
                    if last_segment(call) == "TypeVar":
                        model = generic
                elif symbol is None and is_type_parameter(project, returns, defined_in):
                    model = generic  # PEP 695 ``class GetByIdRepository[ModelType: Base]``: ``-> ModelType``
        elif generic is not None and (method.startswith(GETTER_PREFIXES) or reads_a_row(project, cls, method)):
            # (``cls.card_by_id(session, card_id)``: a getter by what it does, not by its name; one that loads through
            # another class's getter returns that class's model: ``DashboardService.get_detail`` -> ``Dashboard``)
            model = foreign_getter_model(project, cls, method) or generic
        summary = method_summary(project, cls, method)
        if model is None and summary is not None and (not returns or _schema_class(project, returns)):
            # (also a getter annotated to return a pydantic schema it builds from the one row it looks up,
            # ``get_one_experiment(id) -> schemas.Experiment`` returning ``self.map_sql_to_schema(row)``: the row's data)
            single = _single_lookup_model(summary[3], method)
            found = project.get_class(single) if single is not None else None
            model = found[0] if found is not None else single  # (the class's own name, not a re-export's)
        if model is None:
            return None
        if summary is not None and _secret_keyed(project, summary[1], summary[3], model):
            # ``refresh_tokens.get_by_token(token)``: keyed on a secret the caller holds
            if self.identity.principals and self._tenant_checked_row(func, model):
                # ``revoke_invite(token, actor)``: the token addresses the row, whose tenant is then compared with
                # the caller's: the tenant decides (BKL202 at that check), not the secret
                return Val(rows=True, model=model, repo=True)
            return Val(rows=True, model=model, scoped=True)
        return Val(rows=True, model=model, repo=not given_principal, scoped=given_principal, derived=given_principal)

    def _tenant_checked_row(self, func: cst.Attribute, model: str) -> bool:
        """The row this call returns is bound to a local whose tenant column (an identity column of ``model``
        named for a tenant: ``tenant_id``, ``organization_id``) the function then compares with the caller's in
        an ``if`` that raises (``if invite.tenant_id != actor.tenant_id: raise``), or hands, with the caller, to
        a project function that compares that column and raises (``_require_actor_scope(invite, actor)``)."""
        tenant = set(identity_columns(self.project, self.settings, model)) & TENANT_COLUMNS
        local = _bound_local(self.func, func) if tenant else None
        if local is None:
            return False
        principals = {p.split(".")[0] for p in self.identity.principals}
        for node in cst_walk(self.func.body):
            if _if_refuses(node) and _tenant_compared(node.test, local, tenant, principals):  # type: ignore[attr-defined]
                return True
            if isinstance(node, cst.Call) and self._tenant_check_call(node, local, tenant, principals):
                return True
        return False

    def _tenant_check_call(self, call: cst.Call, local: str, tenant: set[str], principals: set[str]) -> bool:
        handed = {n for a in call.args for n in load_names(a.value)}
        if local not in handed or not handed & principals:
            return False
        q = self.ctx.qualified_name(call.func) if isinstance(call.func, (cst.Name, cst.Attribute)) else None
        found = self.project.project_function(q) if q is not None and self.project is not None else None
        if found is None:
            return False
        helper = orm_facts(self.project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
        return bool(helper.get("raises")) and bool(set(helper.get("param_compared", ())) & tenant)

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

    def iterated(self, it: Val) -> Val:
        """``for m in Message.query.filter(...)`` / ``[m.to_dict() for m in messages]`` where ``messages`` holds a
        legacy ``Query`` never executed: iterating runs it (``Query.__iter__``), as ``.all()`` would."""
        if it.stmt and not it.rows and it.sites and all(s.kind == "query" for s in it.sites):
            return self.execute(it)
        return it

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

    def note_keyed_off(self, sites: Sequence[Site], keys: Sequence[Val], state: dict[str, Val]) -> None:
        """A lookup scoped only by keys read off rows of owned models loaded here without an owner predicate
        and not checked yet (``Epic.query.get(story.epic_id)`` after ``story = Story.query.get(story_id)``):
        remember those rows' lookups on its sites (``Site.keyed_off``). A key read off a row fetched with a
        check is trusted (RULES.md); one read off a row nobody checks is as much the client's as the row's own
        key (``findings``: reported with that row)."""
        held: list[Site] = []
        for v in keys:
            if v.derived or v.source is None:
                return
            holder = state.get(v.source[0])
            if holder is None or not (holder.rows and holder.model and holder.sites) or holder.derived or not self._owned(holder.model):
                return
            chained = all(s.keyed_off for s in holder.sites)  # (``case = ...get(epic.case_id)``: a chain of them)
            if (holder.scoped and not chained) or not (chained or any(s.unscoped for s in holder.sites)):
                return
            held.extend(holder.sites)
        for site in sites:
            site.keyed_off = tuple(held)

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
            parent_only = None  # every scoping argument compares identity columns of other tables only
            for arg, v in zip(call.args, arg_vals):
                for s in recv.sites:
                    s.pred_nodes.append(arg.value)
                    s.key_names |= self.key_names(arg.value, state)
                a, b = self.pred(arg.value, state)
                if not a and _published_filter(arg.value) and recv.sites and all(len(s.entities) == 1 for s in recv.sites):
                    a = True  # only the published rows of the one table selected: what it shows everyone
                member = next((self.member_columns[id(n)] for n in _walk_expr(arg.value) if id(n) in self.member_columns), None)
                if member is not None:
                    for s in recv.sites:
                        s.owner_value = s.owner_value or member  # (the member the client chose: named in the message)
                if not (v.stmt or v.rows):
                    if v.text or v.opaque:  # ``where(text(sql))``, a textual clause held in a local
                        a, b = a or v.clause, b or v.pscoped
                    opaque = opaque or (v.opaque and not a)
                if a:
                    key_only = (key_only is not False) and self._identity_param_key(arg.value, state)
                    parent_only = (parent_only is not False) and self._other_tables_scope(arg.value, recv, state)
                scoped, pscoped = scoped or a, pscoped or b
            if parent_only and not recv.scoped:
                for s in recv.sites:
                    s.parent_only_scoped = True
            elif parent_only is False:
                for s in recv.sites:
                    s.parent_only_scoped = False
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
                        s.pred_keywords[id(arg.value)] = arg.keyword.value
                        s.key_names |= self.key_names(arg.value, state)
                    if arg.keyword.value in self.identity_fields:
                        named = isinstance(arg.value, cst.Name) and self._tenant_named(arg.keyword.value, arg.value, state.get(arg.value.value))
                        scoped = scoped or not named
                        for s in recv.sites if named else ():
                            s.owner_value = s.owner_value or arg.keyword.value  # (the tenant the client named)
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
                keys = [v for a, v in zip(call.args, arg_vals) if a.keyword is None or a.keyword.value == "ident"]
                if keys and all((v.derived or v.trusted) and not (v.rows or v.stmt) for v in keys):
                    # ``db.query(Job).get(result["job_id"])`` with a key a helper handed the caller returned, or read
                    # off a row loaded already: as ``session.get(Job, key)`` with such a key, not the client's
                    scoped, pscoped = True, pscoped or any(v.derived for v in keys)
                    self.note_keyed_off(recv.sites, keys, state)
            return self.execute(replace(recv, scoped=scoped, pscoped=pscoped))
        if method in EXEC_METHODS:
            return self.execute(replace(recv, scoped=scoped, pscoped=pscoped))
        # an unknown method on a statement: we cannot see what it does
        return replace(recv, opaque=True)


def _bound_local(fn: cst.FunctionDef, func: cst.Attribute) -> Optional[str]:
    """The local a call of ``func`` is assigned to (``invite = await repo.get_by_token(token)``)."""
    for node in cst_walk(fn.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            value = node.value.expression if isinstance(node.value, cst.Await) else node.value
            if isinstance(value, cst.Call) and value.func is func:
                return node.targets[0].target.value
    return None


def _tenant_compared(test: cst.BaseExpression, local: str, tenant: set[str], principals: set[str]) -> bool:
    """``local.<tenant column> != <caller>.<...>`` (either side, ``==`` too) in ``test``."""
    return any(
        isinstance(a, cst.Attribute) and isinstance(a.value, cst.Name) and a.value.value == local
        and a.attr.value in tenant and bool(set(load_names(b)) & principals)
        for a, b in compared_sides(test, (cst.Equal, cst.NotEqual))
    )


def _secret_keyed(project: "ProjectIndex", cls: Optional[str], summary: dict, model: str, depth: int = 0) -> bool:
    """The method's lookup filters a secret the caller holds (``secret_key_column``): in its own query, or, for a
    method with no query of its own, in the query of a repository it holds on ``self`` and hands the key to
    (``self.invitation_dao.get_by_token(session, token=invitation_token)`` in a manager's
    ``validate_invitation(...)``)."""
    if any(secret_key_column(project, model, p) for p in summary.get("preds", ())):
        return True
    if depth >= 2 or summary.get("fetches") or cls is None:
        return False
    for c in summary.get("calls", ()):
        target = c.get("target", "")
        if not (target.startswith("self.") and target.count(".") == 2 and c.get("args")):
            continue
        sub = held_method_summary(project, cls, target)
        if sub is not None and _secret_keyed(project, sub[1], sub[3], model, depth + 1):
            return True
    return False


def _self_checked_handed(summary: dict, call: cst.Call, args: list[Val], offset: int) -> dict:
    """The summary's ``self_checked`` parameters (a constructor checking what it loads against a value it keeps,
    ``if user_id: self._ensure_ownership()``) that this call hands a value of who asks (``user_id=current_user.id``):
    the check runs for the caller only then; a call that leaves the parameter out (its default ``None``) or hands a
    client's value skips it (the summary without them)."""
    params = summary.get("params", [])
    handed: set[str] = set()
    for i, a in enumerate(call.args):
        if a.star:
            continue
        param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
        v = args[i] if i < len(args) else NOTHING
        if param is not None and v.derived:
            handed.add(param)
    kept = [p for p in summary["self_checked"] if p in handed]
    if kept == list(summary["self_checked"]):
        return summary
    out = {k: v for k, v in summary.items() if k != "self_checked"}
    if kept:
        out["self_checked"] = kept
    return out


def _optional_preds_omitted(summary: dict, call: cst.Call, offset: int) -> dict:
    """The summary without the predicate columns the helper adds only when it is handed a parameter this call
    leaves out (or hands ``None``): ``get_user(db, user_id)`` of ``def get_user(db, user_id, school_id=None)``
    whose ``if school_id: query = query.filter(User.school_id == school_id)`` never runs for this caller
    (``optional_preds`` of the ``flow`` facts). ``omitted`` names them (the memo of ``helper_unscoped``)."""
    params = summary.get("params", [])
    handed: set[str] = set()
    for i, a in enumerate(call.args):
        if a.star:
            return summary  # (``**kwargs``: whatever it holds)
        if isinstance(a.value, cst.Name) and a.value.value == "None":
            continue
        param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
        if param is not None:
            handed.add(param)
    dropped: set[str] = set()
    omitted: list[str] = []
    for param, columns in summary["optional_preds"]:
        if param not in handed:
            dropped |= set(columns)
            omitted.append(param)
    if not dropped:
        return summary
    out = dict(summary)
    for field in ("preds", "compared", "pred_compared"):
        if field in summary:
            out[field] = [p for p in summary[field] if p not in dropped]
    if "fetches" in summary:
        out["fetches"] = [
            {**f, **{k: [p for p in f[k] if p not in dropped] for k in ("preds", "compared") if k in f}} for f in summary["fetches"]
        ]
    out["omitted"] = omitted
    return out


def _lookup_keys(call: cst.Call, params: list, offset: int, summary: dict, model: str, client: set) -> set[str]:
    """``get_workspace_project(db, workspace_id, project_id)``, whose lookup compares the owner column with
    ``workspace_id`` and the row's own key with ``project_id``: the client's names handed to the parameters
    that key the helper's lookup of ``model`` (``fetches`` of its flow summary). The site names the key the
    owner column was compared with; the row was found by these too, and a helper that checks the caller
    against one of them decides access to the row (``_row_by_key``)."""
    keyed = {k for f in summary.get("fetches", ()) if f.get("model") == model for k in f.get("keys", ())}
    out: set[str] = set()
    for i, a in enumerate(call.args):
        if a.star:
            continue
        param = a.keyword.value if a.keyword is not None else (params[i + offset] if i + offset < len(params) else None)
        if param in keyed and isinstance(a.value, cst.Name) and a.value.value in client:
            out.add(a.value.value)
    return out


_FLASK_REQUEST_DATA = frozenset({"json", "form", "args", "values", "get_json"})


def flask_body_locals(ctx: "FileContext", func: cst.FunctionDef) -> frozenset[str]:
    """Flask's ``request`` as the module spells it, and the locals of ``func`` bound only to what the client
    sent (``data = request.get_json()``, ``request.form``, ``request.args``; then ``key = data.get("key")``,
    ``key = int(data["key"])``), in source order. A local also bound to anything else is left out."""
    spelled = flask_request_name(ctx)
    if not spelled:
        return frozenset()
    found: set[str] = set()
    other: set[str] = set()

    def client(value: cst.BaseExpression) -> bool:
        while True:
            if isinstance(value, cst.Call):
                if isinstance(value.func, cst.Name) and value.func.value in ("int", "str", "UUID", "dict") and len(value.args) == 1:
                    value = value.args[0].value
                    continue
                if isinstance(value.func, cst.Attribute) and value.func.attr.value == "get_json":
                    return isinstance(value.func.value, cst.Name) and value.func.value.value == spelled
                if isinstance(value.func, cst.Attribute) and value.func.attr.value in ("get", "to_dict"):
                    value = value.func.value
                    continue
                return False
            if isinstance(value, cst.Subscript):
                value = value.value
                continue
            if isinstance(value, cst.Attribute):
                if isinstance(value.value, cst.Name) and value.value.value == spelled:
                    return value.attr.value in _FLASK_REQUEST_DATA
                return False
            return isinstance(value, cst.Name) and value.value in found

    for node in cst_walk(func.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            if client(node.value) and name not in other:
                found.add(name)
            else:
                other.add(name)
                found.discard(name)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)) and isinstance(node.target, cst.Name):
            other.add(node.target.value)
            found.discard(node.target.value)
    return frozenset(found | {spelled})


def _attribute_keys(keys: set[str], expr: cst.BaseExpression, client: set[str]) -> set[str]:
    """The lookup's keys with a client parameter the argument only reads attributes of (``request.workspace_id``)
    replaced by those attribute chains, as a query's own keys are (``key_names``)."""
    paths = list(_value_paths(expr))
    out = set(keys)
    for name in client:
        if name not in out or name in paths:
            continue
        chains = {p for p in paths if p.startswith(name + ".")}
        if chains:
            out.discard(name)
            out |= chains
    return out


def _checked_client_key(expr: cst.BaseExpression, client: set[str]) -> bool:
    """A route parameter the client supplies (or a local copying one) that the route has checked by now (its value
    is ``derived``): ``schedule_id`` after ``check_schedule_access(schedule_id, current_user, session)``. Handed to
    a helper it scopes the lookups it keys there, not the helper's other lookups; who asks is not one."""
    return isinstance(expr, cst.Name) and expr.value in client


def _beside_checked_key(summary: dict, param: str, checked: set[str]) -> bool:
    """The checked key may answer for the helper's lookup keyed on ``param``: every lookup of its own keyed on
    ``param`` is also keyed on a parameter handed a checked key (``where(Card.id == card_id, Card.board_id ==
    board_id)``), or the helper compares a key of a row outside its queries (``if card.board_id != board_id:
    return False``: the row may be tied to the checked parent there), or the lookup is not its own (deeper down:
    read as before, the checked key answers). A lookup keyed on ``param`` alone in a helper that ties nothing
    after it (``session.get(ScheduleList, schedule_list_id)`` beside a checked ``schedule_id``) is not the checked
    parent's. (Only read where the helper uses the checked key: one it ignores or only hands on is read as
    before, ``followed_fetch``.)"""
    own = [f for f in summary.get("fetches", ()) if param in f.get("keys", ())]
    if not own or all(set(f["keys"]) & checked for f in own):
        return True
    row_compared = set(summary.get("compared", ())) - set(summary.get("preds", ()))
    return any(c == "id" or c.endswith("_id") for c in row_compared)


def _body_keys_verified(
    project: "ProjectIndex", settings: Any, summary: dict, param: str, model: str, chain: tuple, expr: cst.BaseExpression,
    state: dict[str, Val],
) -> bool:
    """``ZoneService(db).create_zone(zone_in, user)`` after the route loaded the exhibition by
    ``zone_in.exhibition_id`` and refused unless the caller's: the helper's own lookup of ``model`` (``chain`` of
    one) reads the body handed (a plain local) only through fields (``Exhibition.id == data.exhibition_id``, flow
    fact ``key_attrs``), it hands the body on to no other call (a model's constructor is no lookup), and every
    field of it the helper compares with ``model``'s columns, or with no known model's, is a key verified on this
    path (``Val.checked``, or ``derived``: held to the caller by an authorisation helper's verdict the route refused
    on): the lookup loads again a row this request already checked. A field compared only with
    another model's columns keys that model's lookup, which must be scoped by its owner column among the
    helper's predicates (``UserGroup.organization_id == exhibition.organization_id``) or be checked too. A field of
    the body not checked (the venue beside the checked exhibition), a body read whole, or a check that does not
    refuse, is read as before."""
    attrs = summary.get("key_attrs", {}).get(param)
    if not attrs or len(chain) != 1 or not isinstance(expr, cst.Name):
        return False
    for c in summary.get("calls", ()):
        if is_table_model(project, c.get("target", "")):
            continue  # (``Zone(exhibition_id=data.exhibition_id, ...)``: the new row, made from the body)
        if any(p == param for _, p in c.get("args", ())) or any(p == param for _, p in c.get("attr_args", ())):
            return False  # (handed on: a lookup deeper down may read other fields)
    preds = set(summary.get("preds", ()))
    verified = False
    for attr, models in attrs.items():
        held = state.get(f"{expr.value}.{attr}")
        if held is not None and (held.checked or held.derived) and not (held.rows or held.stmt):
            verified = verified or model in models or not models
            continue
        if not models or model in models:
            return False
        for other in models:
            if is_owned(project, settings, other) and not (set(identity_columns(project, settings, other)) & preds):
                return False  # (another owned row looked up by an unchecked field of the body)
    return verified


def _published_filter(expr: "cst.BaseExpression") -> bool:
    """A predicate naming publication (``Post.state == PostState.PUBLISHED``, ``Post.is_published``,
    ``Post.published_at <= now``): the rows it keeps are the ones shown to everyone. Read for a statement of one
    table only (``_Fetches``): in ``select(Activity, Course).join(...).where(Activity.published)`` the course is
    no published row."""
    return any(isinstance(n, cst.Attribute) and PUBLISHED_WORD in n.attr.value.lower() for n in cst_walk(expr))


def _copies_of(func: cst.FunctionDef, names: set[str]) -> set[str]:
    """The locals the function binds (``x = ...``) to a value read from ``names`` (two steps)."""
    out: set[str] = set()
    for _ in range(2):
        for node in cst_walk(func.body):
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                if set(load_names(node.value)) & (names | out):
                    out.add(node.targets[0].target.value)
    return out


def _entity_getter(project: "ProjectIndex", cls: str, method: str) -> bool:
    """``BookingService.get_booking_by_id(uow, booking_id) -> Optional[BookingEntity]``: a getter by name (or by
    what it does, ``reads_a_row``) whose body looks a row up itself or calls another class's getter (``return
    await uow.bookings.get_by_id(booking_id)``): what it returns is the looked-up row's entity."""
    if not (method.startswith(GETTER_PREFIXES) or reads_a_row(project, cls, method)):
        return False
    summary = method_summary(project, cls, method)
    if summary is None or not summary[3].get("returns"):
        return False
    if summary[3].get("fetches"):
        return True
    return any(c.get("target", "").rpartition(".")[2].startswith(GETTER_PREFIXES) for c in summary[3].get("calls", ()))
