"""Family 1: identity values that come from the client (BKL101, BKL102).

In a route handler with the principal in scope (``auth.function_identity``), which identity fields are read
from the request body, a request schema, ``request.json()`` / ``request.form()``, or taken as a client-supplied
parameter, and how a spread (``Model(**payload.model_dump())``) could take the field from the principal
instead. Findings are structured (``ClientFinding``: the node, the field, the source, and ``(node, text)``
replacement pairs); the rules turn them into messages and fixes. The handler's fetches come from
``queries.function_queries``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from ..ground.lazy import lazy_import

from ..ground.config import DEFAULT_IDENTITY_FIELDS
from .index.extractors.flow import answers_otherwise
from .auth import NOT_CLIENT_MARKERS, Identity, ParamInfo, admin_branch_nodes, permission_gated_route, route_path_guards
from .cst import bool_operands, load_names, sql_conjuncts as _conjuncts, walk
from .fastapi import RouteInfo, path_parameters
from .flask import flask_request_name
from .imports import dotted_name, last_segment
from .models import is_pydantic_model, is_table_model, model_columns, schema_fields, scoping_column
from .queries import (
    _db_handle, access_groups, callee_decides, flow_facts, function_queries, key_parts, keys_scoped_beside, library_check_name, method_summary, named_like_check,
    project_callee, spells_check, summary_of_call,
)
from .facts import orm_facts
from .auth.dependencies import DEPENDENCY_MARKERS, classify_dependency, param_dependency
from .auth.params import _code

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from .index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


REQUEST_CLASSES = frozenset({"starlette.requests.Request", "fastapi.Request", "fastapi.requests.Request", "starlette.requests.HTTPConnection"})
REQUEST_DATA_METHODS = frozenset({"json", "form"})
FLASK_REQUEST_METHODS = frozenset({"get_json"})
# the body (a query string's ``request.args`` filters what is listed: like a FastAPI query parameter, BKL102's)
FLASK_REQUEST_DATA = frozenset({"json", "form"})
# after a manager gate, identity fields that name a person (the member acted on); scope fields stay findings
# a keyword that names who performs an action (``assigned_by``, ``granted_by_id``, ``actor_id``, ``acting_user``)
_ACTOR_KEYWORD = re.compile(r"(?:^|_)by(?:_id)?$|^actor|^acting_|^requester|^performer")
# an answer that refuses the caller (not one that refuses the input: 400, 404)
_REFUSES_CALLER = re.compile(r"\b(?:401|403)\b|UNAUTHORIZED|FORBIDDEN")
PERSON_FIELDS = frozenset({"user_id", "owner_id", "author_id", "creator_id", "created_by_id", "member_id"})
MANAGE_WORD = "manag"
# the words of a check's name that say it decides on a grant the caller holds (``require_permission``,
# ``check_role``, ``ensure_admin``), not on a row or a value
GRANT_WORDS = ("permission", "role", "admin", "privilege")
DUMP_METHODS = frozenset({"model_dump", "dict", "model_dump_json"})
VALIDATE_METHODS = frozenset({"model_validate", "from_orm", "parse_obj", "validate", "model_construct"})


@dataclass
class ClientFinding:
    kind: str  # "read" (BKL101), "spread" (BKL101), "param" (BKL102)
    node: cst.CSTNode  # where it is reported
    field: str  # the identity field
    source: str  # the body parameter / request variable / parameter name
    fix_edits: list = field(default_factory=list)  # (node, replacement) pairs; empty when no fix
    principal: Optional[str] = None
    attribute: Optional[str] = None


def _order(func: cst.FunctionDef) -> dict[int, int]:
    return {id(n): i for i, n in enumerate(walk(func))}


def _under(node: cst.CSTNode) -> set[int]:
    return {id(n) for n in walk(node)}


class _ClientAnalysis:
    def __init__(self, ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> None:
        self.ctx = ctx
        self.func = func
        self.identity = identity
        self.project = ctx.project
        self.settings = ctx.settings
        self.fields = frozenset(ctx.settings.identity_fields)
        self.queries = function_queries(ctx, func, identity)
        self.derived = set(self.queries.derived_names) | set(identity.principals) | set(identity.identity_params)
        self.order = _order(func)
        self.principal = next((p for p in identity.principals if not p.startswith("<")), None)  # (a name code spells)
        self.body_params: dict[str, Optional[str]] = {}  # name -> schema class
        self.request_params: set[str] = set()
        self.data_vars: dict[str, str] = {}  # dict variable -> body parameter it was dumped from, or "" for request data
        self.excluded: dict[int, set[str]] = {}
        self.verified: set[tuple[str, str]] = set()
        self.overwrites: dict[tuple[str, str], int] = {}  # (source, field) -> order of the first overwrite
        self._scoped_pred_nodes: Optional[set[int]] = None
        self._callers: Optional[frozenset[str]] = None

    def _constant_path(self, route: Optional[RouteInfo]) -> Optional[str]:
        """``@router.get(urls.USER_DETAIL)``: the path held in a module-level string constant (any module)."""
        if route is None or route.path is not None or route.decorator is None or self.project is None:
            return None
        call = route.decorator.decorator
        if not isinstance(call, cst.Call):
            return None
        arg = next((a for a in call.args if (a.keyword is None and a.star == "") or (a.keyword is not None and a.keyword.value == "path")), None)
        if arg is None or not isinstance(arg.value, (cst.Name, cst.Attribute)):
            return None
        q = self.ctx.qualified_name(arg.value)
        found = self.project.resolve_symbol(q) if q else None
        if found is None or found[2] != "assignments":
            return None
        value = self.project.modules[found[0]].get("assignments", {}).get(found[1], {}).get("value")
        try:
            literal = ast.literal_eval(value) if value else None
        except (ValueError, SyntaxError):
            return None
        return literal if isinstance(literal, str) else None

    # -- classification of parameters ------------------------------------------------------------------
    def classify_params(self) -> list[ParamInfo]:
        route = self.identity.route
        path_params = route_path_params(self.ctx, route)
        constant = self._constant_path(route)
        if constant is not None:
            path_params = path_params | path_parameters(constant)
        unknown_path = constant is None and route is not None and route.path is None and route.decorator is not None
        candidates: list[ParamInfo] = []
        for p in self.identity.params:
            if p.name in self.identity.principals or p.dependency.kind is not None:
                continue
            if p.marker in NOT_CLIENT_MARKERS:
                continue
            type_q = self.project.canonical(p.type) if (self.project is not None and p.type) else p.type
            if type_q in REQUEST_CLASSES or (type_q and type_q.rsplit(".", 1)[-1] == "Request" and p.name == "request"):
                self.request_params.add(p.name)
                continue
            if p.name in path_params and p.marker not in ("Query", "Body", "Form"):
                continue  # (FastAPI refuses ``Query()`` on a path parameter: a marked one is the client's)
            if unknown_path and p.marker not in ("Query", "Body", "Form"):
                continue  # the path is not a literal we can read: the parameter may be one of its segments
            if type_q and self.project is not None and self.project.get_class(type_q) is not None:
                if is_pydantic_model(self.project, type_q):
                    self.body_params[p.name] = type_q
                continue
            if p.name in self.fields and not _typed_reference(p.name, self.identity.params):
                candidates.append(p)
        return candidates

    # -- helpers -------------------------------------------------------------------------------------------
    def is_derived(self, expr: cst.CSTNode) -> bool:
        if any(n in self.derived for n in load_names(expr)):
            return True
        # a principal that is an attribute path (``request.state.session``, put there by an authenticating
        # route class): an expression reading it or below it (``request.state.session.user_id``)
        dotted = [p for p in self.identity.principals if "." in p]
        if not dotted:
            return False
        for node in walk(expr):
            if isinstance(node, cst.Attribute):
                name = dotted_name(node) or ""
                if any(name == p or name.startswith(p + ".") for p in dotted):
                    return True
        return False

    def scoped_pred_nodes(self) -> set[int]:
        """Nodes inside a conjunct of a lookup that another conjunct scopes to the principal
        (``where(Org.id == payload.org_id, Membership.user_id == user.id)``)."""
        if self._scoped_pred_nodes is None:
            out: set[int] = set()
            for site in self.queries.sites:
                conjuncts: list[cst.CSTNode] = []
                for node in site.pred_nodes:
                    conjuncts.extend(_conjuncts(node))
                principal = [c for c in conjuncts if self.is_derived(c) or self._reads_checked_scope(c)]
                for c in conjuncts:
                    if any(p is not c for p in principal):
                        out |= _under(c)
            self._scoped_pred_nodes = out
        return self._scoped_pred_nodes

    def _dump_source(self, expr: cst.BaseExpression) -> Optional[tuple[str, set[str], set[str]]]:
        """``payload.model_dump(exclude={...})`` / ``jsonable_encoder(payload)`` / ``dict(payload)`` / a
        variable holding one -> (body parameter, excluded fields, overridden fields)."""
        if isinstance(expr, cst.Name):
            if expr.value in self.body_params:
                return expr.value, set(), set()
            src = self.data_vars.get(expr.value)
            if src:
                return src, set(self.excluded.get(id(expr), set())), set()
            return None
        if isinstance(expr, cst.Dict):
            # ``{**payload.model_dump(), "owner_id": user.id}``
            inner = None
            overridden: set[str] = set()
            for el in expr.elements:
                if isinstance(el, cst.StarredDictElement):
                    inner = self._dump_source(el.value)
                elif isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                    overridden.add(str(el.key.evaluated_value))
            if inner is not None:
                return inner[0], inner[1], inner[2] | overridden
            return None
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in DUMP_METHODS and isinstance(func.value, cst.Name):
                src = func.value.value
                if src in self.body_params:
                    return src, _excluded_fields(expr), set()
            q = self.ctx.qualified_name(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
            name = q.rsplit(".", 1)[-1] if q else ""
            if name in ("jsonable_encoder", "dict", "vars") and expr.args and isinstance(expr.args[0].value, cst.Name):
                src = expr.args[0].value.value
                if src in self.body_params:
                    return src, _excluded_fields(expr), set()
        return None

    def _orm_table(self, expr: cst.BaseExpression) -> Optional[str]:
        if not isinstance(expr, (cst.Name, cst.Attribute)) or self.project is None:
            return None
        q = self.ctx.qualified_name(expr)
        if q is None:
            return None
        found = self.project.get_class(q)
        if found is None or not is_table_model(self.project, found[0]):
            return None
        return found[0]

    # -- the walk ----------------------------------------------------------------------------------------
    def run(self) -> list[ClientFinding]:
        candidates = self.classify_params()
        reads: list[tuple[str, str, cst.CSTNode]] = []  # (source, field, node)
        spreads: list[tuple[str, str, cst.CSTNode, cst.Call, Optional[cst.Arg]]] = []
        assigned_targets: dict[str, str] = {}  # variable -> ORM constructor result of a spread
        param_uses: dict[str, list[cst.Name]] = {p.name: [] for p in candidates}
        attr_targets: set[int] = set()
        non_load: set[int] = set()  # attribute names, keywords and parameters are not reads
        for node in walk(self.func.body):
            kind = type(node)  # (``is`` on the node's type: these classes have no subclass, and a failing
            # ``isinstance`` on libcst's ABCs is a call into ``abc``)
            if kind is cst.Attribute:
                non_load.add(id(node.attr))
            elif kind is cst.Arg and node.keyword is not None:
                non_load.add(id(node.keyword))
            elif kind is cst.Param:
                non_load.add(id(node.name))
            elif kind is cst.Name and id(node) in non_load:
                continue
            # assignments: dump variables, request data, overwrites
            if kind is cst.Assign or kind is cst.AnnAssign:
                targets = [t.target for t in node.targets] if kind is cst.Assign else [node.target]
                value = node.value
                flat: list[cst.BaseExpression] = []
                while targets:
                    t = targets.pop(0)
                    if isinstance(t, (cst.Tuple, cst.List)):
                        targets.extend(el.value for el in t.elements)
                        value = None  # unpacking: the values are not known one by one
                    else:
                        flat.append(t)
                targets = flat
                for t in targets:
                    attr_targets |= {id(t)}
                    if isinstance(t, cst.Name) and value is not None:
                        dumped = self._dump_source(value)
                        if dumped is not None:
                            self.data_vars[t.value] = dumped[0]
                        elif self._request_data(value):
                            self.data_vars[t.value] = ""
                        if t.value in param_uses and not _reads_name(value, t.value):
                            self.overwrites.setdefault((t.value, t.value), self.order.get(id(node), 0))
                    elif isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.attr.value in self.fields:
                        key = (t.value.value, t.attr.value)
                        if value is None or not _reads_attribute(value, key):
                            self.overwrites.setdefault(key, self.order.get(id(node), 0))
                        if t.value.value in assigned_targets:
                            self.overwrites.setdefault((assigned_targets[t.value.value], t.attr.value), self.order.get(id(node), 0))
                    elif isinstance(t, cst.Subscript) and isinstance(t.value, cst.Name):
                        key_name = _subscript_key(t)
                        if key_name in self.fields:
                            self.overwrites.setdefault((t.value.value, key_name), self.order.get(id(node), 0))
                if isinstance(value, (cst.Call, cst.Await)):
                    call = value.expression if isinstance(value, cst.Await) else value
                    if isinstance(call, cst.Call) and len(targets) == 1 and isinstance(targets[0], cst.Name):
                        spread = self._spread(call)
                        if spread is not None:
                            assigned_targets[targets[0].value] = f"<orm:{id(call)}>"
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and id(node) not in attr_targets:
                src = node.value.value
                if src in self.body_params and node.attr.value in self.fields:
                    reads.append((src, node.attr.value, node))
            elif isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and id(node) not in attr_targets:
                key_name = _subscript_key(node)
                if key_name in self.fields and node.value.value in self.data_vars:
                    reads.append((node.value.value, key_name, node))
            elif isinstance(node, cst.Subscript) and id(node) not in attr_targets and self._request_data(node.value):
                key_name = _subscript_key(node)  # ``request.json["user_id"]`` (Flask)
                if key_name in self.fields:
                    reads.append((dotted_name(node.value) or "request", key_name, node))
            elif isinstance(node, cst.Call):
                func = node.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value == "get"
                    and isinstance(func.value, cst.Name)
                    and func.value.value in self.data_vars
                    and node.args
                    and isinstance(node.args[0].value, cst.SimpleString)
                    and str(node.args[0].value.evaluated_value) in self.fields
                ):
                    reads.append((func.value.value, str(node.args[0].value.evaluated_value), node))
                elif (
                    isinstance(func, cst.Attribute)
                    and func.attr.value == "get"
                    and node.args
                    and isinstance(node.args[0].value, cst.SimpleString)
                    and str(node.args[0].value.evaluated_value) in self.fields
                    and self._request_data(func.value)
                ):
                    # ``request.json.get("user_id")`` / ``request.get_json().get("user_id")`` (Flask)
                    reads.append((dotted_name(func.value) or "request", str(node.args[0].value.evaluated_value), node))
                spread = self._spread(node)
                if spread is not None:
                    src, model, arg, excluded, overridden = spread
                    fields = set(schema_fields(self.project, self.body_params.get(src)))
                    if not fields and self.data_vars.get(src) is not None:
                        fields = set()
                    columns = set(model_columns(self.project, model))
                    for f in sorted((fields & self.fields & columns) - excluded - overridden):
                        spreads.append((src, f, arg.value if arg is not None else node, node, arg))
            elif isinstance(node, cst.Name) and node.value in param_uses:
                param_uses[node.value].append(node)
        findings: list[ClientFinding] = []
        self._verify(reads, spreads, param_uses)
        # BKL101: reads and spreads, one finding per (source, field)
        by_key: dict[tuple[str, str], list[tuple[int, str, cst.CSTNode, Optional[cst.Call], Optional[cst.Arg]]]] = {}
        scoped = self.scoped_pred_nodes()
        for src, f, node in reads:
            if (src, f) in self.verified or id(node) in scoped:
                continue
            order = self.order.get(id(node), 0)
            if order > self.overwrites.get((src, f), 1 << 30):
                continue
            by_key.setdefault((src, f), []).append((order, "read", node, None, None))
        for src, f, node, call, arg in spreads:
            if (src, f) in self.verified:
                continue
            if self.order.get(id(node), 0) > self.overwrites.get((src, f), 1 << 30):
                continue
            if arg is not None and isinstance(arg.value, cst.Name):
                # ``data = payload.model_dump(); data["owner_id"] = user.id; Item(**data)``
                if self.order.get(id(node), 0) > self.overwrites.get((arg.value.value, f), 1 << 30):
                    continue
            orm_key = next((k for k, v in assigned_targets.items() if v == f"<orm:{id(call)}>"), None)
            if orm_key is not None and (orm_key, f) in self.overwrites:
                continue
            if self.data_vars.get(src) is None and src not in self.body_params:
                continue
            by_key.setdefault((src, f), []).append((self.order.get(id(node), 0), "spread", node, call, arg))
        attribute_for = self.settings.identity_attribute
        for (src, f), items in sorted(by_key.items(), key=lambda kv: min(i[0] for i in kv[1])):
            items.sort(key=lambda i: i[0])
            attr = attribute_for(f)
            edits: list = []
            if self.principal and attr:
                value = f"{self.principal}.{attr}"
                for _, kind, node, call, arg in items:
                    if kind == "read":
                        edits.append((node, value))
                    elif call is not None:
                        edit = _spread_fix(self.ctx, call, arg, f, value)
                        if edit is None:
                            edits = []
                            break
                        edits.append(edit)
            first = items[0]
            findings.append(ClientFinding(first[1], first[2], f, src, edits, self.principal, attr))
        # BKL101: a body model handed to a project function or method that stores a scope field of it on a new row
        reported = {(f.source, f.field) for f in findings}
        read_keys = {(src, f) for src, f, _ in reads}
        for src, f, node in self._stored_by_callee():
            if (src, f) in reported or (src, f) in read_keys or (src, f) in self.verified:
                continue
            reported.add((src, f))
            findings.append(ClientFinding("read", node, f, src, [], self.principal, attribute_for(f)))
        # BKL102: identity parameters from the client
        for p in candidates:
            if (p.name, p.name) in self.verified:
                continue
            uses = [n for n in param_uses[p.name] if id(n) not in scoped]
            first_overwrite = self.overwrites.get((p.name, p.name))
            if first_overwrite is not None and all(self.order.get(id(n), 0) >= first_overwrite for n in param_uses[p.name] if id(n) not in attr_targets):
                continue
            if not uses:
                continue  # never read (not trusted), or only as a key in lookups scoped to the principal
            attr = attribute_for(p.name)
            edits = []
            if self.principal and attr:
                edits = [(n, f"{self.principal}.{attr}") for n in param_uses[p.name] if id(n) not in attr_targets]
            findings.append(ClientFinding("param", p.node, p.name, p.name, edits, self.principal, attr))
        return findings

    def _stored_by_callee(self) -> list[tuple[str, str, cst.CSTNode]]:
        """``service.create_document(org_id, current_user.id, data)`` whose method builds ``Document(...,
        workspace_id=data.workspace_id, organization_id=org_id)``: the handler hands its request body model to a
        project function or method (a typed receiver, a local instance, a module function) that stores an
        attribute of that parameter in a scope column of a new row of a table model (``flow`` summary ``calls``:
        the constructor's keyword among ``attr_args``). Only scope fields (not ``PERSON_FIELDS``: a person named
        is whom the row is about, as in the handler); not when the callee also looks a row up by that parameter,
        compares it, or hands an attribute of it to any call other than table constructors (a lookup of the
        workspace beside the caller's tenant may check it). -> (body parameter, field, the argument handed)."""
        project = self.project
        if project is None or not self.body_params:
            return []
        out: list[tuple[str, str, cst.CSTNode]] = []
        for node in walk(self.func.body):
            if not isinstance(node, cst.Call) or not isinstance(node.func, (cst.Name, cst.Attribute)):
                continue
            handed = [(i, a) for i, a in enumerate(node.args) if not a.star and isinstance(a.value, cst.Name) and a.value.value in self.body_params]
            if not handed or any(a.star for a in node.args):
                continue
            summary = self._callee_summary(node)
            if summary is None:
                continue
            params = list(summary.get("params", []))
            if isinstance(node.func, cst.Attribute) and params[:1] in (["self"], ["cls"]):
                params = params[1:]
            for i, a in handed:
                param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
                if param is None or param not in params:
                    continue
                for f in sorted(self._scope_stored(summary, param)):
                    out.append((a.value.value, f, a.value))
        return out

    def _callee_summary(self, call: cst.Call) -> Optional[dict]:
        project = self.project
        assert project is not None
        summary = self._project_function_summary(call)
        if summary is not None:
            return summary
        target = self._typed_receiver_method(call.func)
        if target is None or "." not in target:
            return None
        owner, _, method = target.rpartition(".")
        cls = project.get_class(owner)
        got = method_summary(project, cls[0], method) if cls is not None else None
        return got[3] if got is not None else None

    def _scope_stored(self, summary: dict, param: str) -> set[str]:
        project = self.project
        assert project is not None
        if any(param in fetch.get("keys", ()) for fetch in summary.get("fetches", ())) or param in summary.get("compared", ()):
            return set()
        stored: set[str] = set()
        for c in summary.get("calls", ()):
            attrs = [w for w, p in c.get("attr_args", ()) if p == param]
            plain = [w for w, p in c.get("args", ()) if p == param]
            if not attrs and not plain:
                continue
            found = project.get_class(c.get("target") or "")
            if found is None or not is_table_model(project, found[0]):
                return set()  # handed to something else (a lookup, a check, a helper): not read here
            columns = set(model_columns(project, found[0]))
            for w in attrs:
                if isinstance(w, str) and w in self.fields and w not in PERSON_FIELDS and w in columns:
                    stored.add(w)
        return stored

    def _request_data(self, value: cst.BaseExpression) -> bool:
        """``await request.json()`` / ``await request.form()`` / ``request.query_params`` (and ``dict(...)`` of them)."""
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict" and value.args:
            return self._request_data(value.args[0].value)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            base = value.func.value
            if isinstance(base, cst.Name) and base.value in self.request_params and value.func.attr.value in REQUEST_DATA_METHODS:
                return True
        if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and value.value.value in self.request_params:
            return value.attr.value == "query_params"
        flask = self._flask_request()
        if flask is not None:
            # Flask's global request body: ``request.get_json()``, ``request.json``, ``request.form``
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in FLASK_REQUEST_METHODS:
                return dotted_name(value.func.value) == flask
            if isinstance(value, cst.Attribute) and value.attr.value in FLASK_REQUEST_DATA:
                return dotted_name(value.value) == flask
        return False

    def _flask_request(self) -> Optional[str]:
        """How the module spells Flask's ``request`` in a Flask view (``knowledge.flask``), or ``None``."""
        if not self.identity.global_caller:
            return None
        return flask_request_name(self.ctx)

    def _spread(self, call: cst.Call) -> Optional[tuple[str, str, Optional[cst.Arg], set[str], set[str]]]:
        """``Item(**payload.model_dump())`` / ``Item.model_validate(payload)`` -> (source, model, arg, excluded,
        overridden)."""
        func = call.func
        model = self._orm_table(func)
        if model is not None:
            overridden = {a.keyword.value for a in call.args if a.keyword is not None}
            for arg in call.args:
                if arg.star == "**":
                    src = self._dump_source(arg.value)
                    if src is not None:
                        return src[0], model, arg, src[1], src[2] | overridden
            return None
        if isinstance(func, cst.Attribute) and func.attr.value in VALIDATE_METHODS:
            model = self._orm_table(func.value)
            if model is None or not call.args:
                return None
            first = call.args[0]
            src = self._dump_source(first.value)
            if src is None:
                return None
            overridden = set(src[2])
            for a in call.args[1:]:
                if a.keyword is not None and a.keyword.value == "update" and isinstance(a.value, cst.Dict):
                    for el in a.value.elements:
                        if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                            overridden.add(str(el.key.evaluated_value))
                elif a.keyword is not None and a.keyword.value == "update":
                    return None  # an update mapping we cannot read: no claim
            return src[0], model, first, src[1], overridden
        return None

    def _verify(self, reads, spreads, param_uses) -> None:
        """Fields compared with the principal, checked for membership, or used as a key in a lookup scoped
        to the principal are verified."""

        self.verified |= self._person_in_caller_scoped_row(reads, spreads)
        value_nodes: dict[int, tuple[str, str]] = {}
        for src, f, node in reads:
            for i in _under(node):
                value_nodes[i] = (src, f)
        for name, uses in param_uses.items():
            for n in uses:
                value_nodes[id(n)] = (name, name)
        if not value_nodes:
            return
        scoped = self.scoped_pred_nodes()
        for key in {value_nodes[i] for i in value_nodes if i in scoped}:
            self.verified.add(key)
        self.verified |= self._target_row_checked(value_nodes)
        self.verified |= self._after_manager_gate(reads, param_uses)
        self.verified |= self._read_only_for_admins(reads, param_uses)
        self.verified |= self._ignored_by_callees(reads, param_uses)
        if permission_gated_route(self.ctx, self.identity.route) or _permission_factory_param(self.ctx, self.func):
            # a handler gated by a permission in its decorator (``dependencies=[Depends(require_permission("create",
            # "notifications"))]``, also through a module-level name bound to that ``Depends``), whether or not it
            # also names the caller, or whose caller comes from such a factory itself (``auth = Depends(
            # require_access("ab_testing", "create"))``): a person's id in the body or the query string is whom the
            # permitted staff member acts on (the recipient, the assignee, the subject a listing is narrowed to),
            # not who acts; scope fields stay findings
            for src, f, _node in reads:
                if f in PERSON_FIELDS:
                    self.verified.add((src, f))
            for name in param_uses:
                if name in PERSON_FIELDS:
                    self.verified.add((name, name))
        if self._caller_checked_on_path():
            # ``current_user = Depends(require_exhibition_organizer)`` on ``POST /exhibitions/{exhibition_id}/roles``
            # whose dependency takes ``exhibition_id`` and refuses callers who may not manage it: the caller is
            # authorised on the resource the path names, and a person's id in the body is the member the
            # authorised caller acts on (grants a role to, assigns); scope fields stay findings
            for src, f, _node in reads:
                if f in PERSON_FIELDS:
                    self.verified.add((src, f))
        # ``target = str(args.user_id)`` then ``if target not in (str(current_user.id), ...): raise``: a local that
        # only copies a client value (also through ``str()`` / ``int()``) stands for it in a comparison
        copies: dict[str, set[tuple[str, str]]] = {}
        copy_targets: list[tuple[cst.Assign, tuple[str, str]]] = []
        for node in walk(self.func.body):
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                value = _unwrap_conversion(node.value)
                sides: list[cst.BaseExpression] = []
                if isinstance(value, cst.IfExp):
                    # ``target = int(user_id) if user_id is not None else int(current_user.id)``: the client's
                    # value, or the caller's own
                    sides = [_unwrap_conversion(value.body), _unwrap_conversion(value.orelse)]
                if sides:
                    picked = [x for x in sides if id(x) in value_nodes]
                    if len(picked) == 1 and all(x is picked[0] or self.is_derived(x) for x in sides):
                        value = picked[0]
                elif isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
                    # ``target = user_id or current_user.id``: a person the client names, or where it sent none
                    # the caller (the same choice as the conditional expression above). Only a person's id: a
                    # tenant the client may put in place of the caller's (``tenant_id or auth_tenant_id``) is the
                    # override this family reports, and a lookup keyed on it beside the caller's own id is not
                    # scoped by that id
                    sides = [_unwrap_conversion(value.left), _unwrap_conversion(value.right)]
                    picked = [x for x in sides if id(x) in value_nodes]
                    if (
                        len(picked) == 1 and value_nodes[id(picked[0])][1] in PERSON_FIELDS
                        and all(x is picked[0] or self.is_derived(x) for x in sides)
                    ):
                        value = picked[0]
                if id(value) in value_nodes:
                    copies.setdefault(node.targets[0].target.value, set()).add(value_nodes[id(value)])
                    copy_targets.append((node, value_nodes[id(value)]))
        # ``workspace_id = body.workspace_id`` then ``get_workspace(db, workspace_id=workspace_id, user_id=user.id)``:
        # a call handed the copy where only the copy reaches it stands for the value (see ``_copy_uses``)
        call_nodes = {**value_nodes, **_copy_uses(self.func, copy_targets, self.order)} if copy_targets else value_nodes
        if copies:  # a name bound anywhere else too (``current_user, org_id = auth`` then ``org_id = organization_id``
            # in one branch) is no copy: its other value may be the caller's
            for name, count in _bindings(self.func).items():
                if name in copies and count > 1 and not self._rebound_to_row_values(name, count):
                    del copies[name]
            # ``target_user_id = labor_data.user_id if labor_data.user_id else current_user.id`` then
            # ``select(User).where(User.id == target_user_id).where(User.organization_id == current_user.organization_id)``
            self.verified |= self._copy_keys_caller_lookup(copies, value_nodes)
        if self.identity.global_caller:
            self.verified |= self._refused_by_global_check(call_nodes)
        for node in walk(self.func.body):
            if isinstance(node, cst.Comparison):
                sides = [node.left] + [c.comparator for c in node.comparisons]
                keys = set()
                derived = False
                for side in sides:
                    found = {value_nodes[i] for i in _under(side) if i in value_nodes}
                    if not found and isinstance(side, cst.Name) and side.value in copies:
                        found = copies[side.value]
                    if found:
                        keys |= found
                    elif self.is_derived(side) or self._guarded_key(side):
                        derived = True
                if keys and derived:
                    self.verified |= keys
            elif isinstance(node, cst.Call):
                self.verified |= self._subject_beside_caller(node, call_nodes)
                self.verified |= self._composite_key_beside_caller(node, call_nodes)
                name = dotted_name(node.func) if isinstance(node.func, (cst.Name, cst.Attribute)) else None
                if not spells_check(last_segment(name) if name else ""):
                    self.verified |= self._decided_by_helper(node, call_nodes)
                    self.verified |= self._scoped_project_lookup(node, call_nodes)
                    self.verified |= self._handed_only_to_scoped_lookups(node, call_nodes)
                    self.verified |= self._checked_in_service(node, call_nodes)
                    self.verified |= self._target_of_authorised_action(node, call_nodes)
                    continue
                keys = set()
                # a check method of the caller itself (``current_user.is_organization_member(org_id)``)
                derived = isinstance(node.func, cst.Attribute) and self.is_derived(node.func.value)
                for arg in node.args:
                    found = {call_nodes[i] for i in _under(arg.value) if i in call_nodes}
                    if found:
                        keys |= found
                    elif self.is_derived(arg.value):
                        derived = True
                if keys and derived:
                    self.verified |= keys


    def _rebound_to_row_values(self, name: str, count: int) -> bool:
        """``resolved_workspace_id = workspace_id``, and only where the client sent none, ``resolved_workspace_id =
        document.workspace_id``: every other binding of the copy is a plain assignment of a row's attribute that is
        not the caller's (a local row, not the principal, not a parameter): the name holds the client's value or a
        row's, never the caller's, so a check of it with the caller checks the client's value on the way it holds
        it."""
        others = [
            n.value for n in walk(self.func.body)
            if isinstance(n, cst.Assign) and len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name)
            and n.targets[0].target.value == name
        ]
        rows = [
            v for v in others
            if isinstance(v, cst.Attribute) and isinstance(v.value, cst.Name) and v.value.value not in self.identity.principals
            and v.value.value not in {p.name for p in self.identity.params}
        ]
        return len(others) == count and len(rows) == count - 1

    def _refused_by_global_check(self, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``if not self.r.allowed_for_org(P.CREATE, org_id): return {...}, HTTPStatus.UNAUTHORIZED`` in a view whose
        caller is a global (Flask's ``g.user``, ``current_user``): a call named for a permission (``allowed``,
        ``permission``, ``access``, ``can_``; ``library_check_name``: not ``validate`` alone), handed the value (or
        a copy of it), whose falsity ends the view with an access refusal (401 / 403): the permission helper reads
        the caller from the global, so the value is checked for who asks."""
        out: set[tuple[str, str]] = set()
        for node in walk(self.func.body):
            if not (isinstance(node, cst.If) and _exits(node.body)):
                continue
            if not self._refuses_caller(node.body):
                continue
            for part in bool_operands(node.test):
                if not (isinstance(part, cst.UnaryOperation) and isinstance(part.operator, cst.Not)):
                    continue
                call = part.expression.expression if isinstance(part.expression, cst.Await) else part.expression
                if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
                    continue
                if not library_check_name(last_segment(dotted_name(call.func) or "")):
                    continue
                for a in call.args:
                    out |= {value_nodes[i] for i in _under(a.value) if i in value_nodes}
        return out

    def _copy_keys_caller_lookup(
        self, copies: dict[str, set[tuple[str, str]]], value_nodes: dict[int, tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """``target_user_id = labor_data.user_id if labor_data.user_id else current_user.id`` then ``select(User)
        .where(User.id == target_user_id).where(User.organization_id == current_user.organization_id)``: a local
        that only copies the client's value keys a lookup another conjunct of which reads the principal itself
        (``_caller_names``, not a name merely computed near it: ``entity_type``), and reads neither the copy nor a
        client value: the copy is a key in a lookup scoped to the principal, as the value itself would be."""
        out: set[tuple[str, str]] = set()
        callers = self._caller_names()
        for site in self.queries.sites:
            conjuncts: list[cst.CSTNode] = []
            for node in site.pred_nodes:
                conjuncts.extend(_conjuncts(node))
            scoping = [
                c for c in conjuncts
                if set(load_names(c)) & callers
                and not set(load_names(c)) & set(copies)
                and not any(i in value_nodes for i in _under(c))
            ]
            if not scoping:
                continue
            scoping_ids = {id(c) for c in scoping}
            for c in conjuncts:
                if id(c) in scoping_ids:
                    continue
                for name in set(load_names(c)) & set(copies):
                    out |= copies[name]
        return out

    def _person_in_caller_scoped_row(self, reads, spreads) -> set[tuple[str, str]]:
        """``Instructor(workspace_id=current_user.workspace_id, **body.model_dump())`` /
        ``Reminder(workspace_id=current_user.workspace_id, user_id=body.user_id, ...)``: the constructor of a
        table model takes the column the project scopes that model by (``models.scoping_column``: a tenant's
        ``workspace_id``, not a person's) from the principal's own attribute, and a person's id (``user_id``)
        from the client: the handler itself decided whose row it is (the caller's tenant's), so the person the
        client names is whom the row is about (the instructor, the recipient, the assignee), not its owner.
        Only person fields (``PERSON_FIELDS``) other than the scoping column; a tenant taken from another
        dependency (``tenant.id`` of a host-chosen tenant) or from the client leaves them findings."""
        out: set[tuple[str, str]] = set()
        if self.project is None or not (any(f in PERSON_FIELDS for _, f, _ in reads) or any(s[1] in PERSON_FIELDS for s in spreads)):
            return out
        callers = {p for p in self.identity.principals if "." not in p and not p.startswith("<")}
        for node in walk(self.func.body):
            if not isinstance(node, cst.Call):
                continue
            model = self._orm_table(node.func)
            if model is None:
                continue
            scope = scoping_column(self.project, self.settings, model)
            if scope is None or scope in PERSON_FIELDS:
                continue
            if not any(
                a.keyword is not None and a.keyword.value == scope and not a.star
                and isinstance(a.value, cst.Attribute) and isinstance(a.value.value, cst.Name)
                and a.value.value.value in callers and a.value.attr.value == scope
                for a in node.args
            ):
                continue
            columns = set(model_columns(self.project, model))
            for a in node.args:
                if a.keyword is None or a.star or a.keyword.value not in PERSON_FIELDS or a.keyword.value == scope:
                    continue
                inside = _under(a.value)
                out |= {(src, f) for src, f, n in reads if f == a.keyword.value and id(n) in inside}
            for src, f, _node, call, _arg in spreads:
                if call is node and f in PERSON_FIELDS and f != scope and f in columns:
                    out.add((src, f))
        return out

    def _read_only_for_admins(self, reads, param_uses) -> set[tuple[str, str]]:
        """``if current_user.role != Role.admin: target = current_user.id`` / ``else: target = req.user_id``:
        a value read only on a branch that runs for admin callers alone (``auth.admin_branch_nodes``) is whom
        the admin acts for, honoured for no one else (as a handler whose only auth dependency is an admin one)."""
        nodes: dict[tuple[str, str], list[int]] = {}
        for src, f, node in reads:
            nodes.setdefault((src, f), []).append(id(node))
        for name, uses in param_uses.items():
            nodes.setdefault((name, name), []).extend(id(n) for n in uses)
        if not nodes:
            return set()
        admin = admin_branch_nodes(self.func, set(self.derived))
        if not admin:
            return set()
        return {key for key, ids in nodes.items() if ids and all(i in admin for i in ids)}

    def _guarded_key(self, expr: cst.BaseExpression) -> bool:
        """A path parameter of the route that one of its dependencies authorises for the caller
        (``auth.route_path_guards``: ``_org=Depends(get_organization)`` checking the prefix's ``organization_id``):
        a body value compared with it (``if body.organization_id != organization_id: raise``) is the checked one."""
        if not isinstance(expr, cst.Name) or self.identity.route is None:
            return False
        guarded = self.ctx.cached(("client.route_path_guards", id(self.func)), lambda: route_path_guards(self.ctx, self.func))
        return expr.value in guarded

    def _subject_beside_caller(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``add_member(group_id=group_id, user_id=body.user_id, current_user_id=current_user_id)``: the call
        is handed the caller's own id under a longer name of the same field (``current_user_id``,
        ``acting_user_id``) beside the client's value under the field's name: the value names the subject
        of the action (the member to add), and who asks is told apart. Not a finding for that field."""
        out: set[tuple[str, str]] = set()
        caller_kw = {
            a.keyword.value for a in call.args if a.keyword is not None and self.is_derived(a.value) and not a.star
        }
        if not caller_kw:
            return self._person_beside_caller(call, value_nodes)
        for a in call.args:
            if a.keyword is None or a.keyword.value not in self.fields:
                continue
            field_name = a.keyword.value
            if not any(k != field_name and k.endswith("_" + field_name) for k in caller_kw):
                continue
            out |= {value_nodes[i] for i in _under(a.value) if i in value_nodes and value_nodes[i][1] == field_name}
        return out | self._person_beside_caller(call, value_nodes)

    def _composite_key_beside_caller(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``session.get(WorkspaceMember, (body.workspace_id, current_user.id))``: a primary-key lookup of a table
        model whose composite key (a tuple, list or dict of its parts) holds the client's value beside a part
        derived from the principal: the value is a key in a lookup scoped to the principal (the caller's own
        membership row in that workspace, or nothing). A key with no part of the caller's
        (``session.get(Member, (body.workspace_id, body.user_id))``) scopes nothing."""
        if not (
            isinstance(call.func, cst.Attribute) and call.func.attr.value == "get" and len(call.args) == 2
            and all(a.keyword is None and not a.star for a in call.args)
            and self._orm_table(call.args[0].value) is not None
        ):
            return set()
        parts = key_parts(call, ordered=False)
        if not parts:
            return set()
        found = [{value_nodes[i] for i in _under(p) if i in value_nodes} for p in parts]
        if not any(not f and self.is_derived(p) for f, p in zip(found, parts)):
            return set()
        return set().union(*found)

    def _person_beside_caller(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``service.add_approver(db, eo_id=eo_id, user_id=body.user_id, assigned_by=current_user.id)``: a call
        handed a person's id from the client and, under a keyword that names the actor (``_ACTOR_KEYWORD``:
        ``assigned_by``, ``performed_by_id``, ``actor_id``, ``requested_by``), the caller's own person (the
        principal, or its ``id``): the callee is told who acts and whom the action is about (the approver to
        add), so the client's value names the subject, not the caller. Handed the caller under any other name or
        position (``_pick_user(body.user_id, who)``, ``jsonify(owner=owner_id, reader=user.id)``) it says nothing. Only person fields (``PERSON_FIELDS``): a scope field
        (``organization_id``) handed beside the caller stays a finding; and not the constructor of an ORM table
        (``Notification(user_id=body.user_id, created_by=user.id)`` stores the client's value as it is)."""
        args = [a for a in call.args if not a.star]
        if len(args) < 2 or self._orm_table(call.func) is not None:
            return set()
        caller_at = [
            i for i, a in enumerate(args)
            if a.keyword is not None and _ACTOR_KEYWORD.search(a.keyword.value)
            and self._caller_person(a.value) and not any(j in value_nodes for j in _under(a.value))
        ]
        if not caller_at:
            return set()
        out: set[tuple[str, str]] = set()
        for i, a in enumerate(args):
            if any(k != i for k in caller_at):
                out |= {value_nodes[j] for j in _under(a.value) if j in value_nodes and value_nodes[j][1] in PERSON_FIELDS}
        return out

    def _caller_person(self, expr: cst.BaseExpression) -> bool:
        """The principal (``current_user``), a local the handler binds once to a call handed the principal alone
        (``token_user = _require_api_token(current_user)``), or the principal's own id (``current_user.id``,
        ``me.user_id``). Not a scope unpacked beside it (``org_id`` of ``current_user, org_id = auth``)."""
        names = self._caller_names()
        if isinstance(expr, cst.Name):
            return expr.value in names
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            return expr.value.value in names and (expr.attr.value == "id" or expr.attr.value in PERSON_FIELDS)
        return False

    def _caller_names(self) -> frozenset[str]:
        if self._callers is None:
            names = {p for p in self.identity.principals if "." not in p and not p.startswith("<")}
            names |= {n for n, f in self.identity.identity_params.items() if f in PERSON_FIELDS and "." not in n}
            for target, value in _calls_bound_once(self.func):
                if value.args and all(not a.star and a.keyword is None and isinstance(a.value, cst.Name) and a.value.value in names for a in value.args):
                    names.add(target)
            self._callers = frozenset(names)
        return self._callers

    def _target_row_checked(self, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``target = repos.users.get_one(body.user_id)`` then ``if target.group_id != self.group_id: raise``:
        the value names the subject of the action (a target user), and the row it loads is checked against
        the principal before anything is done with it: the value is checked, as for a membership helper."""
        out: set[tuple[str, str]] = set()
        loaded: dict[str, set[tuple[str, str]]] = {}  # local row -> the identity values it was looked up by
        for node in walk(self.func.body):
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                value = node.value.expression if isinstance(node.value, cst.Await) else node.value
                if isinstance(value, cst.Call):
                    keys = {value_nodes[i] for a in value.args for i in _under(a.value) if i in value_nodes}
                    # (or through a statement built from it: ``statement = select(Org).where(Org.id ==
                    # body.org_id)`` then ``org = (await db.execute(statement)).scalars().first()``)
                    keys |= {k for n in load_names(value) if n in loaded for k in loaded[n]}
                    if keys:
                        loaded.setdefault(node.targets[0].target.value, set()).update(keys)
        if not loaded:
            return out
        verdicts = self._verdicts_on_rows(loaded)
        for node in walk(self.func.body):
            if not (isinstance(node, cst.If) and _exits(node.body)):
                continue
            if verdicts and self._refuses_caller(node.body):
                for name in set(load_names(node.test)) & set(verdicts):
                    out |= verdicts[name]
            for test in _conjuncts(node.test) if isinstance(node.test, cst.BooleanOperation) else [node.test]:
                if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
                    continue
                if not isinstance(test.comparisons[0].operator, (cst.NotEqual, cst.NotIn, cst.IsNot)):
                    continue
                sides = [test.left, test.comparisons[0].comparator]
                for row_side, other in (sides, sides[::-1]):
                    if (
                        isinstance(row_side, cst.Attribute)
                        and isinstance(row_side.value, cst.Name)
                        and row_side.value.value in loaded
                        and self.is_derived(other)
                    ):
                        out |= loaded[row_side.value.value]
            for part in bool_operands(node.test):
                # ``if not org or not org.is_user_admin_or_owner(caller_id): raise``: a method of the looked-up
                # row, handed the caller, decides whether to go on (a membership or role verdict on the row)
                if not (isinstance(part, cst.UnaryOperation) and isinstance(part.operator, cst.Not)):
                    continue
                call = part.expression
                if (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and isinstance(call.func.value, cst.Name)
                    and call.func.value.value in loaded
                    and any(self.is_derived(a.value) for a in call.args)
                ):
                    out |= loaded[call.func.value.value]
                out |= self._row_handed_to_check(call, loaded, not _refuses_otherwise(node.body))
        return out

    def _verdicts_on_rows(self, loaded: dict[str, set[tuple[str, str]]]) -> dict[str, set[tuple[str, str]]]:
        """``role = get_user_role_in_workspace(session=session, user_id=current_user.id, workspace_id=workspace.id)``:
        a local bound once to what a call answers when handed the caller and a looked-up row (or its attribute):
        the caller's standing on that row (a role, a membership, a verdict) -> the values the row was looked up
        by. A test of it that refuses the caller (``if not has_permission(role, Action.CREATE_BOARD): raise
        HTTPException(403)``) checks them (``_target_row_checked``)."""
        out: dict[str, set[tuple[str, str]]] = {}
        for name, call in _calls_bound_once(self.func):
            if any(a.star for a in call.args):
                continue
            rows: set[tuple[str, str]] = set()
            caller = False
            for a in call.args:
                base = a.value.value if isinstance(a.value, cst.Attribute) else a.value
                if isinstance(base, cst.Name) and base.value in loaded:
                    rows |= loaded[base.value]
                elif self.is_derived(a.value) and not _db_handle(a.value):
                    caller = True
            if rows and caller:
                out[name] = rows
        return out

    def _refuses_caller(self, block: cst.BaseSuite) -> bool:
        """The block answers with a refusal of the caller (401 / 403, ``FORBIDDEN``), not of the input."""
        return self.ctx.module is not None and bool(_REFUSES_CALLER.search(self.ctx.module.code_for_node(block)))

    def _row_handed_to_check(
        self, call: cst.BaseExpression, loaded: dict[str, set[tuple[str, str]]], verdicts: bool = True,
    ) -> set[tuple[str, str]]:
        """``if not await verify_user_org_membership(caller_id(current_user), org.id, db): raise``: a helper
        handed the caller and the looked-up row (or its attribute) decides whether to go on: the value the row
        was looked up by is checked. A project helper must decide on both in its body (``callee_decides``:
        ``has_free_seats(acting_id(me), school.id, db)`` that reads only the school decides nothing about who
        asks); one the index does not know, by its name (``named_like_check``). ``verdicts``: the route refuses
        access on the answer (not ``raise HTTPException(status_code=402)``), so a predicate's answer decides."""
        if isinstance(call, cst.Await):
            call = call.expression
        if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
            return set()
        callee = None
        if self.ctx.project is not None:
            q = self.ctx.qualified_name(call.func) or self._typed_receiver_method(call.func)
            callee = project_callee(self.ctx.project, None, q) if q else None
        if callee is None and not named_like_check(last_segment(dotted_name(call.func) or "")):
            return set()
        rows: set[tuple[str, str]] = set()
        row_at: list[object] = []
        caller_at: list[object] = []
        for i, a in enumerate(call.args):
            if a.star:
                return set()
            where: object = a.keyword.value if a.keyword is not None else i
            value = a.value
            base = value.value if isinstance(value, cst.Attribute) else value
            if isinstance(base, cst.Name) and base.value in loaded:
                rows |= loaded[base.value]
                row_at.append(where)
            elif self.is_derived(value) and not _db_handle(value):
                caller_at.append(where)  # (the session handed along is no caller)
        if not caller_at:
            return set()
        if callee is not None and not any(
            callee_decides(self.ctx.project, callee, c, r, verdicts=verdicts) for c in caller_at for r in row_at  # type: ignore[arg-type]
        ):
            return set()
        return rows

    def _after_manager_gate(self, reads, param_uses) -> set[tuple[str, str]]:
        """``self.checks.can_manage()`` / ``if mine is None or not mine.can_manage_sellers: raise`` as a statement
        of the handler's body, about the caller (it reads the principal or a value derived from it), before any
        use: only managers go on, and a person's id the client names afterwards (``body.user_id``) is the member
        the manager acts on (adds as a seller, grants permissions to), not who acts. Fields that name a scope
        (``tenant_id``, ``organization_id``) stay the caller's to prove."""
        gate: Optional[int] = None
        client: set[int] = set()
        for _src, _f, node in reads:
            client |= _under(node)
        client |= {id(n) for nodes in param_uses.values() for n in nodes}
        for stmt in self.func.body.body if isinstance(self.func.body, cst.IndentedBlock) else ():
            if self._manager_gate(stmt, client):
                gate = self.order.get(id(stmt))
                break
        if gate is None:
            return set()
        out: set[tuple[str, str]] = set()
        uses = [(src, f, node) for src, f, node in reads] + [(n, n, node) for n, nodes in param_uses.items() for node in nodes]
        for src, f, node in uses:
            if f in PERSON_FIELDS and self.order.get(id(node), 0) > gate:
                out.add((src, f))
        return out

    def _manager_gate(self, stmt: cst.CSTNode, client: set[int]) -> bool:
        """A statement that stops callers who do not manage: a bare call named for managing
        (``ensure_can_manage(user, store)``, ``self.checks.can_manage()``) or an ``if`` that exits when a test
        of the caller's management right fails; the call or the test reads the principal."""
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
            value = stmt.body[0].value
            value = value.expression if isinstance(value, cst.Await) else value
            if not isinstance(value, cst.Call) or not isinstance(value.func, (cst.Name, cst.Attribute)):
                return False
            name = last_segment(dotted_name(value.func) or "").lower()
            if MANAGE_WORD in name and self._reads_caller(value):
                return True
            return self._permission_gate_call(value, name, client) or self._path_resource_gate_call(value, name, client)
        if isinstance(stmt, cst.If) and _exits(stmt.body):
            for node in walk(stmt.test):
                word = node.attr.value if isinstance(node, cst.Attribute) else (node.value if isinstance(node, cst.Name) else "")
                if MANAGE_WORD in word.lower() and self._reads_caller(node):
                    return True
        return False

    def _permission_gate_call(self, call: cst.Call, name: str, client: set[int]) -> bool:
        """``await require_permission("admin:*", current_user, db)`` / ``check_role(user, Role.ADMIN)`` as a bare
        statement: a call named like a check and for a grant (``GRANT_WORDS``), handed the caller and a
        constant that names the grant (a string, or an attribute of a module-level name: ``Permission.AUDIT_READ``),
        and no value the request sent: the statement gate form of a route gated by a permission in its decorator
        (``permission_gated_route``), so only callers granted it go on."""
        if not spells_check(name) or not any(word in name for word in GRANT_WORDS) or not self._deciding_callee(call):
            return False
        caller = constant = False
        for arg in call.args:
            if arg.star:
                return False
            value = arg.value
            if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
                constant = True
            elif isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and value.value.value[:1].isupper() and not self.is_derived(value):
                constant = True
            elif self._names_principal(value):
                caller = True
            elif any(id(n) in client for n in walk(value)):
                return False
        return caller and constant

    def _path_resource_gate_call(self, call: cst.Call, name: str, client: set[int]) -> bool:
        """``require_project_edit(db, current_user, project)`` as a bare statement, where ``project`` is the route's
        path parameter or a local bound once to what a call keyed on one returns (``project = project_service.get(
        db, project_id)``): a call named like a check, handed the caller and the resource the path names, and no
        value the request sent: only callers allowed on that resource go on (the statement twin of a caller
        dependency that checks the path's resource, ``_caller_checked_on_path``)."""
        route = self.identity.route
        if route is None or not spells_check(name) or not self._deciding_callee(call):
            return False
        path = path_parameters(route.path)
        if not path:
            return False
        bound: dict[str, list[cst.BaseExpression]] = {}
        for node in walk(self.func.body):
            if isinstance(node, cst.Assign):
                for t in node.targets:
                    if isinstance(t.target, cst.Name):
                        bound.setdefault(t.target.value, []).append(node.value)

        def on_path(expr: cst.BaseExpression) -> bool:
            if isinstance(expr, cst.Name) and expr.value in path:
                return True
            if isinstance(expr, cst.Name) and len(bound.get(expr.value, ())) == 1:
                made = bound[expr.value][0]
                made = made.expression if isinstance(made, cst.Await) else made
                return isinstance(made, cst.Call) and any(
                    isinstance(a.value, cst.Name) and a.value.value in path for a in made.args
                )
            return False

        caller = resource = False
        for arg in call.args:
            if arg.star or any(id(n) in client for n in walk(arg.value)):
                return False
            if self._names_principal(arg.value):
                caller = True
            elif on_path(arg.value):
                resource = True
        return caller and resource

    def _deciding_callee(self, call: cst.Call) -> bool:
        """The statement's callee is a project function that refuses on what it is handed (``flow`` facts
        ``deciders``, one that raises): a call whose answer is dropped (``has_permission(user, "roles:grant")``),
        one that only records (``log_fair_access(db, user, fair)``) or one the index cannot see gates nothing."""
        project = self.ctx.project
        if project is None or not isinstance(call.func, (cst.Name, cst.Attribute)):
            return False
        q = self.ctx.qualified_name(call.func)
        found = project.project_function(q) if q else None
        return found is not None and _refusing_function(project, found)

    def _names_principal(self, expr: cst.BaseExpression) -> bool:
        """``expr`` is the principal or an attribute of it (``current_user``, ``current_user.id``), not merely a
        value the handler derived without the client (a path parameter, a row it keys)."""
        base = expr
        while isinstance(base, (cst.Attribute, cst.Subscript)):
            base = base.value
        if isinstance(base, cst.Name) and base.value in self.identity.principals:
            return True
        name = dotted_name(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        return bool(name) and any(name == p or name.startswith(p + ".") for p in self.identity.principals if "." in p)

    def _reads_caller(self, expr: cst.CSTNode) -> bool:
        """The principal, a value derived from it (the caller's own membership row), or ``self`` of a class-based
        view whose class holds the principal."""
        names = set(load_names(expr))
        return bool(names & self.derived) or ("self" in names and any(p.startswith("self.") for p in self.identity.principals))

    def _scoped_project_lookup(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``grantee = User.get_by_id_and_org(req["user_id"], self.current_org)``: a project function or model
        method whose lookup (``flow`` summary ``fetches``) is keyed both on the value and on the principal's
        value handed beside it: a key in a lookup scoped to the principal (the row named is one of the
        caller's, or the lookup fails)."""
        project = self.ctx.project
        callee = self._callee_flow(call)
        if project is None or callee is None:
            return set()
        summary, offset, where = callee
        params = summary.get("params", [])
        bound = self._bind_arguments(call, params[offset:], value_nodes, scopes=True)
        if bound is None:
            return set()
        value_params, principal_params, _, scope_params = bound
        out: set[tuple[str, str]] = set()
        if not (principal_params or scope_params) or not value_params:
            return out
        values = frozenset(value_params)
        # keyed beside the principal in the function's own lookup; beside a checked tenant's id also in a lookup
        # the function hands both on to (service -> repository). The principal goes everywhere: one scoped
        # lookup deep down says nothing of the value's other uses, so the principal is not followed
        found = keys_scoped_beside(project, where[0], where[1], summary, values, frozenset(principal_params | scope_params), depth=0)
        if scope_params:
            found |= keys_scoped_beside(project, where[0], where[1], summary, values, frozenset(scope_params))
        for param in found:
            out |= value_params[param]
        return out

    def _callee_flow(self, call: cst.Call) -> Optional[tuple[dict, int, tuple[str, Optional[str]]]]:
        """The ``flow`` summary of the project function, or of the method of a typed receiver (``service =
        DocumentService(db)``), that ``call`` calls; with the offset of its ``self`` and where it is (module, class)."""
        project = self.ctx.project
        if project is None or not isinstance(call.func, (cst.Name, cst.Attribute)):
            return None
        q = self.ctx.qualified_name(call.func) or self._typed_receiver_method(call.func)
        if not q:
            return None
        found = project.project_function(q)
        if found is not None:
            summary = flow_facts(project, found[0]).get("functions", {}).get(found[1])
            return (summary, 0, (found[0], None)) if summary else None
        if "." not in q:
            return None
        owner, _, method = q.rpartition(".")
        cls = project.get_class(owner)
        target = method_summary(project, cls[0], method) if cls is not None else None
        if target is None or not target[3]:
            return None
        offset = 1 if target[3].get("params", [])[:1] in (["self"], ["cls"]) else 0
        return target[3], offset, (target[0], target[1])

    def _ignored_by_callees(self, reads, param_uses) -> set[tuple[str, str]]:
        """``service.get_preferences(user_id=current_user.id, workspace_id=workspace_id)`` whose method never
        reads its ``workspace_id`` (``flow`` summary ``unused``): a value every use of which is an argument that
        the project function it fills ignores is trusted nowhere (it names no one's data)."""
        ignored: set[int] = set()
        for node in walk(self.func.body):
            if not isinstance(node, cst.Call):
                continue
            callee = self._callee_flow(node)
            if callee is None or not callee[0].get("unused"):
                continue
            summary, offset, _ = callee
            params, unused = summary.get("params", [])[offset:], set(summary["unused"])
            for i, a in enumerate(node.args):
                if a.star:
                    break
                param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
                if param in unused:
                    ignored |= _under(a.value)
        if not ignored:
            return set()
        uses: dict[tuple[str, str], list[int]] = {}
        for src, f, node in reads:
            uses.setdefault((src, f), []).append(id(node))
        for name, nodes in param_uses.items():
            uses.setdefault((name, name), []).extend(id(n) for n in nodes)
        return {key for key, ids in uses.items() if ids and all(i in ignored for i in ids)}

    def _project_function_summary(self, call: cst.Call) -> Optional[dict]:
        """The ``flow`` summary of the project function ``call`` calls (``{}`` when it has none recorded);
        ``None`` when the callee is not a project function (a method, a library's callable, no index)."""
        project = self.ctx.project
        if project is None or not isinstance(call.func, (cst.Name, cst.Attribute)):
            return None
        q = self.ctx.qualified_name(call.func)
        found = project.project_function(q) if q else None
        if found is None:
            return None
        return flow_facts(project, found[0]).get("functions", {}).get(found[1]) or {}

    def _handed_only_to_scoped_lookups(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``issue_user_token(token_user, body.user_id, db)`` whose body does nothing with ``user_id`` but hand it
        on (``flow`` summary ``idle``), each time beside the caller or the caller's own attribute
        (``_get_user_in_org(user_id, token_user.org_id, db)``) to a project function whose lookup is keyed on
        both (``select(User).join(UserOrganization, ... UserOrganization.org_id == org_id).where(User.id ==
        user_id)``): every use of the value in the callee is a key in a lookup scoped to the caller, so the person
        named is one of the caller's tenant or no one. A value the callee also reads otherwise (compares, stores
        on a row) is not idle there and stays a finding; ``_scoped_project_lookup`` covers the callee's own
        lookups."""
        project = self.ctx.project
        summary = self._project_function_summary(call)
        offset, cls = 0, None
        if summary is None:
            # a method of a typed receiver (``service = ActivityService(db)``, ``service.list_entries(
            # me.organization_id, user_id=user_id)``) that hands the value on to its repository (``self._logs``)
            callee = self._callee_flow(call)
            if callee is None or callee[2][1] is None:
                return set()
            summary, offset, cls = callee[0], callee[1], callee[2][1]
        if project is None or not summary:
            return set()
        bound = self._bind_arguments(call, summary.get("params", [])[offset:], value_nodes)
        if bound is None:
            return set()
        value_params, principal_params, _, _ = bound
        if not principal_params or not value_params:
            return set()
        idle = set(summary.get("idle", ()))
        out: set[tuple[str, str]] = set()
        for param, keys in value_params.items():
            if param not in idle:
                continue
            handed = [c for c in summary.get("calls", ()) if any(p == param for _, p in c.get("args", ()))]
            if handed and all(self._scoped_call(project, c, param, principal_params, cls) for c in handed):
                out |= keys
        return out

    @staticmethod
    def _scoped_call(project: "ProjectIndex", handed: dict, value: str, principals: set[str], cls: Optional[str] = None) -> bool:
        """The call ``handed`` (a ``flow`` summary ``calls`` entry of a function, or of a method of ``cls``)
        gives ``value`` and one of ``principals`` (or an attribute of one) to a project function whose own lookup
        is keyed on both (``keys_scoped_beside``)."""
        sub = summary_of_call(project, cls, handed.get("target") or "")
        if sub is None:
            return False
        params = sub[3].get("params", [])
        offset = 1 if (sub[1] is not None and params[:1] in (["self"], ["cls"])) else 0

        def named(where: object) -> Optional[str]:
            if isinstance(where, int):
                return params[where + offset] if where + offset < len(params) else None
            return where if isinstance(where, str) and where in params else None

        inner_values = {named(w) for w, p in handed.get("args", ()) if p == value} - {None}
        inner_principals = {
            named(w) for w, p in [*handed.get("args", ()), *handed.get("attr_args", ())] if p in principals
        } - {None}
        if not inner_values or not inner_principals:
            return False
        found = keys_scoped_beside(project, sub[0], sub[1], sub[3], frozenset(inner_values), frozenset(inner_principals), depth=0)  # type: ignore[arg-type]
        return bool(found & inner_values)

    def _checked_in_service(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``create_board(request, org_id, body, current_user, db)`` whose body runs ``await
        require_org_membership(acting_id(current_user), org_id, db)``: a project function handed the caller and
        the value hands the value on to a project check that refuses by raising (named like a check, deciding
        on the value and on a person's id: ``user_id``), the person's id not taken from a parameter other
        than the caller's (``flow`` summary ``calls``): the service checks membership for the value."""
        project = self.ctx.project
        summary = self._project_function_summary(call)
        if project is None or summary is None:
            return set()
        params = summary.get("params", [])
        bound = self._bind_arguments(call, params, value_nodes)
        if bound is None:
            return set()
        value_params, principal_params, _, _ = bound
        if not principal_params or not value_params:
            return set()
        out: set[tuple[str, str]] = set()
        for handed in summary.get("calls", ()):
            target = project.project_function(handed.get("target") or "")
            if target is None or not named_like_check(target[1]):
                continue
            if not _refusing_function(project, target):
                continue
            flow = flow_facts(project, target[0])
            fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
            names = [p.get("name") for p in fn.get("params", ())]
            decided = set(flow.get("decided_on", {}).get(target[1], ()))

            def param_at(where: object) -> Optional[str]:
                if isinstance(where, int):
                    return names[where] if where < len(names) else None
                return where if where in names else None  # type: ignore[return-value]

            bound = {param_at(w): p for w, p in [*handed.get("args", ()), *handed.get("attr_args", ())]}
            people = [n for n in names if n in PERSON_FIELDS and n in decided]
            if not people or any(bound.get(n) is not None and bound[n] not in principal_params for n in people):
                continue  # (a person's id the client named, handed on from another parameter, decides nothing)
            for w, p in handed.get("args", ()):
                if p in value_params and param_at(w) in decided and param_at(w) not in people:
                    out |= value_params[p]
        return out

    def _target_of_authorised_action(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``TeamService(session).invite_user(team_id, user_id, moderator.id)`` whose method refuses unless the
        caller may act on the team (its ``checks`` entry: an access decision on the principal's parameter and
        ``team_id``, not on ``user_id``): the caller is authorised on another value the request names (the
        parent), and a person's id handed beside it is whom the action is about (the invitee), not who asks.
        Only person fields (``PERSON_FIELDS``): a scope field (``org_id``) handed beside stays a finding."""
        project = self.ctx.project
        if project is None or not isinstance(call.func, cst.Attribute):
            return set()
        recv = call.func.value
        target: Optional[str] = None
        if isinstance(recv, cst.Call) and isinstance(recv.func, (cst.Name, cst.Attribute)):
            cls_q = self.ctx.qualified_name(recv.func)
            target = f"{cls_q}.{call.func.attr.value}" if cls_q else None
        else:
            target = self._typed_receiver_method(call.func)
        callee = project_callee(project, None, target) if target else None
        if callee is None or callee[1] is None:
            return set()
        flow = flow_facts(project, callee[0])
        entry = flow.get("checks", {}).get(callee[2])
        summary = flow.get("methods", {}).get(callee[2]) or {}
        if not entry:
            return set()
        params = list((summary or entry).get("params", []))
        if params[:1] in (["self"], ["cls"]):
            params = params[1:]
        bound = self._bind_arguments(call, params, value_nodes)
        if bound is None:
            return set()
        value_params, principal_params, other_params, _ = bound
        if not principal_params or not value_params or not other_params:
            return set()
        groups = [set(g) for g in access_groups(project, entry, verdicts=False)]
        on_parent = [g for g in groups if g & principal_params and g & other_params]
        if not on_parent:
            return set()
        out: set[tuple[str, str]] = set()
        for param, keys in value_params.items():
            if any(param in g for g in groups):
                continue  # (the value is itself decided on with the caller: ``_checked_in_service``'s business)
            out |= {k for k in keys if k[1] in PERSON_FIELDS}
        return out

    def _bind_arguments(
        self, call: cst.Call, params: list[str], value_nodes: dict[int, tuple[str, str]], scopes: bool = False
    ) -> Optional[tuple[dict[str, set[tuple[str, str]]], set[str], set[str], set[str]]]:
        """The callee's parameters ``call`` fills (``params``: its names, ``self`` left out), in groups: those
        handed a client value (with the values), those handed the principal, the others, and, with ``scopes``,
        those handed a tenant the route checked (``_checked_scope``, taken before the principal); ``None`` when
        an argument is unpacked (``*args``, ``**kwargs``: which parameter it fills is unknown)."""
        value_params: dict[str, set[tuple[str, str]]] = {}
        principal_params: set[str] = set()
        other_params: set[str] = set()
        scope_params: set[str] = set()
        for i, a in enumerate(call.args):
            if a.star:
                return None
            param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
            if param is None:
                continue
            keys = {value_nodes[j] for j in _under(a.value) if j in value_nodes}
            if keys:
                value_params.setdefault(param, set()).update(keys)
            elif scopes and self._checked_scope(a.value):
                scope_params.add(param)
            elif self.is_derived(a.value):
                principal_params.add(param)
            else:
                other_params.add(param)
        return value_params, principal_params, other_params, scope_params

    def _typed_receiver_method(self, func: cst.BaseExpression) -> Optional[str]:
        """``service.list_documents`` where ``service: DocumentService = Depends(_get_service)`` is a parameter
        of the handler annotated with a project class, or a local the handler binds once to an instance of one
        (``service = DocumentService(db)``): ``<that class>.list_documents``."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        name = func.value.value
        p = next((p for p in self.identity.params if p.name == name), None)
        if p is None and self.project is not None:
            # ``service = ActionItemService(db)``, bound once in the handler: an instance of that project class
            made = [
                n.value for n in walk(self.func.body)
                if isinstance(n, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == name for t in n.targets)
            ]
            if len(made) == 1 and isinstance(made[0], cst.Call) and isinstance(made[0].func, (cst.Name, cst.Attribute)):
                made_q = self.ctx.qualified_name(made[0].func)
                if made_q and self.project.get_class(self.project.canonical(made_q)) is not None:
                    return f"{self.project.canonical(made_q)}.{func.attr.value}"
            return None
        if p is None or not p.type or self.project is None:
            return None
        type_q = self.project.canonical(p.type)
        if self.project.get_class(type_q) is None:
            return None
        return f"{type_q}.{func.attr.value}"

    def _reads_checked_scope(self, conjunct: cst.CSTNode) -> bool:
        """``AuditLog.store_id == store.id`` with ``store: Store = Depends(get_store)`` (an auth dependency that
        yields the row it checked the caller against): a comparison one side of which is that parameter or an
        attribute of it scopes the lookup to what the caller was let into, as the principal's own value would."""
        if not isinstance(conjunct, cst.Comparison) or len(conjunct.comparisons) != 1:
            return False
        if not isinstance(conjunct.comparisons[0].operator, (cst.Equal, cst.In, cst.Is)):
            return False
        for side in (conjunct.left, conjunct.comparisons[0].comparator):
            base = side.value if isinstance(side, cst.Attribute) else side
            if isinstance(base, cst.Name) and self._checked_scope(base):
                return True
        return False

    def _checked_scope(self, expr: cst.BaseExpression) -> bool:
        """A parameter bound by an auth dependency that yields the resource it checked the caller against
        (``org_id: UUID = Depends(get_current_org_id)``, which verifies a membership for the path org and
        returns its id): a lookup keyed on it is scoped to what the caller was let into."""
        if not isinstance(expr, cst.Name):
            return False
        p = next((p for p in self.identity.params if p.name == expr.value), None)
        if p is None:
            return False
        if p.dependency.kind == "auth" and p.dependency.resource:
            return True
        return p.dependency.kind is None and p.provider is not None and self._checked_by_sibling(p.provider)

    def _caller_checked_on_path(self) -> bool:
        """The principal comes from a project dependency that takes a path parameter of the route by name (FastAPI
        hands it the route's value) and may refuse by raising: the dependency decides whether the caller may act
        on the resource the path names (``require_exhibition_organizer(exhibition_id, current_user=Depends(...))``)."""
        project = self.project
        route = self.identity.route
        if project is None or route is None:
            return False
        path = path_parameters(route.path)
        if not path:
            return False
        for p in self.identity.params:
            if p.name not in self.identity.principals or p.dependency.kind != "auth" or not p.provider:
                continue
            found = project.project_function(p.provider)
            if found is None:
                continue
            fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
            keys = {e.get("name") for e in fn.get("params", ())} & path
            if not fn.get("raises") or not keys:
                continue
            # (it refuses on the path's key together with who asks: a 404 for a key that finds nothing refuses no
            # caller)
            callers = {
                e.get("name") for e in fn.get("params", ()) if param_dependency(project, self.ctx.settings, e).kind == "auth"
            }
            entry = flow_facts(project, found[0]).get("checks", {}).get(found[1])
            if entry and any(set(g) & keys and set(g) & callers for g in access_groups(project, entry)):
                return True
        return False

    def _checked_by_sibling(self, provider: str) -> bool:
        """``organization_id: int = Depends(get_organization_id)`` (a header read, no check of its own) beside
        ``member = Depends(require_permission_dep(...))``, whose chain (``get_current_member(current_user=Depends(
        get_current_user), organization_id=Depends(get_organization_id))``) takes the same dependency and refuses a
        caller who is no member: FastAPI runs a dependency once per request and hands every taker the same value, so
        the route's value is the tenant that check let the caller into (a checked scope, as if the membership
        dependency had returned it)."""
        project = self.project
        if project is None:
            return False
        route = orm_facts(project.modules.get(self.ctx.module_name) or {}).get("functions", {}).get(self.func.name.value)
        checked = {p.name for p in self.identity.params if p.dependency.kind == "auth" and p.dependency.resource}
        if route is None or not checked:
            return False
        settings = self.ctx.settings
        return any(
            provider in _refusing_takers(project, settings, e) for e in route.get("params", ()) if e.get("name") in checked
        )

    def _decided_by_helper(self, call: cst.Call, value_nodes: dict[int, tuple[str, str]]) -> set[tuple[str, str]]:
        """``fields = _list_filters(ctx, user_id)``: a function of this module, handed the principal and the
        value, that reads the value only on a branch a test of the principal guards (``if can_manage(ctx):``,
        ``if ctx.user.is_admin:``): what the client asks is honoured only for callers the helper elevates."""
        if not isinstance(call.func, cst.Name) or self.ctx.module is None:
            return set()
        helper = next(
            (st for st in self.ctx.module.body if isinstance(st, cst.FunctionDef) and st.name.value == call.func.value), None
        )
        if helper is None:
            return set()
        params = [p.name.value for p in list(helper.params.posonly_params) + list(helper.params.params)]
        kwonly = {p.name.value for p in helper.params.kwonly_params}
        principal_params: set[str] = set()
        value_params: dict[str, set[tuple[str, str]]] = {}
        for i, a in enumerate(call.args):
            if a.star:
                return set()
            param = a.keyword.value if a.keyword is not None else (params[i] if i < len(params) else None)
            if param is None or (a.keyword is not None and param not in params and param not in kwonly):
                continue
            keys = {value_nodes[j] for j in _under(a.value) if j in value_nodes}
            if keys:
                value_params.setdefault(param, set()).update(keys)
            elif self.is_derived(a.value):
                principal_params.add(param)
        if not principal_params or not value_params:
            return set()
        out: set[tuple[str, str]] = set()
        for param, keys in value_params.items():
            if _read_only_under_principal_test(helper, param, principal_params) or _refused_unless_caller(helper, param, principal_params):
                out |= keys
        return out


def _refusing_takers(project: "ProjectIndex", settings, entry: dict, _depth: int = 0) -> set[str]:
    """The dependencies (``Depends(f)``, ``f`` not called) taken by a function of the dependency chain of ``entry``
    (an index parameter entry) that authenticates the caller and refuses (raises): what such a check was made with."""
    dep = entry.get("dependency")
    if not dep or _depth > 4 or last_segment(entry.get("marker")) not in DEPENDENCY_MARKERS:
        return set()
    target = project.project_function(dep)
    if target is None:
        return set()
    fn = orm_facts(project.modules[target[0]]).get("functions", {}).get(target[1]) or {}
    if entry.get("called"):
        fn = fn.get("makes") or {}
    params = [p for p in fn.get("params", ()) if p.get("dependency") and last_segment(p.get("marker")) in DEPENDENCY_MARKERS]
    refuses = bool(fn.get("raises")) and any(param_dependency(project, settings, p).kind == "auth" for p in params)
    out: set[str] = set()
    for p in params:
        if refuses and not p.get("called"):
            out.add(p["dependency"])
        out |= _refusing_takers(project, settings, p, _depth + 1)
    return out


def _permission_factory_param(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    """A parameter of the handler whose default is ``Depends(<factory>(<literals>))`` with an authenticating
    dependency factory given a permission (``auth: tuple = Depends(require_access("ab_testing", "create"))``):
    only callers granted that permission reach the handler, as with ``permission_gated_route``'s decorator form."""
    params = func.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        dep = param.default
        if not (isinstance(dep, cst.Call) and dep.args and isinstance(dep.func, (cst.Name, cst.Attribute))):
            continue
        if last_segment(ctx.qualified_name(dep.func) or dotted_name(dep.func) or "") not in DEPENDENCY_MARKERS:
            continue
        target = dep.args[0].value
        if not isinstance(target, cst.Call) or not target.args or not isinstance(target.func, (cst.Name, cst.Attribute)):
            continue
        if not all(isinstance(a.value, (cst.SimpleString, cst.Attribute)) and not a.star for a in target.args):
            continue
        args = [_code(ctx, a.value) for a in target.args if a.keyword is None]
        kwargs = {a.keyword.value: _code(ctx, a.value) for a in target.args if a.keyword is not None}
        if classify_dependency(ctx.project, ctx.settings, ctx.qualified_name(target.func), dotted_name(target.func), kwargs, 0, True, args).kind is not None:
            return True
    return False


def _refuses_otherwise(block: cst.BaseSuite) -> bool:
    """The block ends in a ``raise`` that answers with a status saying something else than access
    (``raise HTTPException(status_code=402)``: a plan limit; ``flow._answers_otherwise``)."""
    body = block.body if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)) else []
    last = body[-1] if body else None
    if isinstance(last, cst.SimpleStatementLine) and last.body:
        last = last.body[-1]
    if not isinstance(last, cst.Raise) or last.exc is None:
        return False
    try:
        exc = ast.parse(cst.Module([]).code_for_node(last.exc), mode="eval").body
    except SyntaxError:
        return False
    return answers_otherwise(exc)


def _exits(block: cst.BaseSuite) -> bool:
    body = block.body if isinstance(block, cst.IndentedBlock) else []
    if not body:
        return isinstance(block, cst.SimpleStatementSuite) and bool(block.body) and isinstance(block.body[-1], (cst.Raise, cst.Return))
    last = body[-1]
    return isinstance(last, cst.SimpleStatementLine) and bool(last.body) and isinstance(last.body[-1], (cst.Raise, cst.Return))


def _read_only_under_principal_test(func: cst.FunctionDef, name: str, principals: set[str]) -> bool:
    """Every read of ``name`` in ``func`` sits in the body of an ``if`` whose test reads one of ``principals``
    other than as a bare presence test (``if user:``); at least one read."""
    reads = 0

    def visit(node: cst.CSTNode, guarded: bool) -> bool:
        nonlocal reads
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and node is not func:
            return True
        if isinstance(node, cst.If):
            test = node.test
            elevated = not isinstance(test, cst.Name) and any(n in principals for n in load_names(test))
            if any(n == name for n in load_names(test)) and not guarded:
                return False
            if not visit(node.body, guarded or elevated):
                return False
            return node.orelse is None or visit(node.orelse, guarded)
        if isinstance(node, cst.Name) and node.value == name:
            reads += 1
            return guarded
        if isinstance(node, cst.Attribute):
            return visit(node.value, guarded)
        if isinstance(node, cst.Arg) and node.keyword is not None:
            return visit(node.value, guarded)
        if isinstance(node, cst.Param):
            return True
        return all(visit(child, guarded) for child in node.children)

    return visit(func.body, False) and reads > 0


def _refused_unless_caller(func: cst.FunctionDef, name: str, principals: set[str]) -> bool:
    """``func`` compares ``name`` with a value it computes from one of ``principals`` (``user_id =
    _user_of(user)``) in the test of an ``if`` that exits (``if input_user_id and input_user_id != user_id:
    raise HTTPException(403)``), at its top level before any other read of ``name``: a value the client sends
    is refused unless it names the caller."""
    derived = set(principals)
    for stmt in func.body.body if isinstance(func.body, cst.IndentedBlock) else ():
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and not derived.isdisjoint(load_names(small.value)):
                    for t in small.targets:
                        if isinstance(t.target, cst.Name):
                            derived.add(t.target.value)
            if any(n == name for n in load_names(stmt)):
                return False  # read (handed on, stored) before any test refuses it
            continue
        if not isinstance(stmt, cst.If):
            if any(n == name for n in load_names(stmt)):
                return False
            continue
        names = set(load_names(stmt.test))
        if name in names and _exits(stmt.body):
            for node in walk(stmt.test):
                if isinstance(node, cst.Comparison) and any(isinstance(c.operator, (cst.NotEqual, cst.IsNot)) for c in node.comparisons):
                    sides = [node.left] + [c.comparator for c in node.comparisons]
                    if any(_reads_name(x, name) for x in sides) and any(not derived.isdisjoint(load_names(x)) for x in sides if not _reads_name(x, name)):
                        return True
        if name in names or any(n == name for n in load_names(stmt.body)):
            return False
    return False


def _reads_name(expr: cst.CSTNode, name: str) -> bool:
    return name in set(load_names(expr))


def _reads_attribute(expr: cst.CSTNode, key: tuple[str, str]) -> bool:
    for n in walk(expr):
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and (n.value.value, n.attr.value) == key:
            return True
        if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name) and (n.value.value, _subscript_key(n)) == key:
            return True
    return False


def _path_params(route: Optional[RouteInfo], project: Optional["ProjectIndex"] = None) -> frozenset[str]:
    """The route's path parameters, and those of router prefixes anywhere in the project (a prefix given
    to ``include_router`` in another module is not visible from the route)."""
    own = path_parameters(route.path) if route is not None else frozenset()
    if project is None:
        return own

    def build() -> frozenset[str]:
        out: set[str] = set()
        for _, facts in project.iter_modules():
            for prefix in orm_facts(facts).get("route_prefixes", ()):
                out |= path_parameters(prefix)
        return frozenset(out)

    # (stored with the index: a run linting one route module reads it instead of every module's prefixes)
    return own | project.memo("auth.prefix_path_params", lambda: project.stored_memo("auth.prefix_path_params", build, load=frozenset))


def route_path_params(ctx: "FileContext", route: Optional[RouteInfo]) -> frozenset[str]:
    """``_path_params``, less the parameters that only the prefix of another router of the route's own module
    declares (``router = APIRouter(prefix="/ws/{workspace_id}/folder")`` beside ``plain = APIRouter(prefix=
    "/ws/folder")`` that the route is on): that prefix is not the route's. Kept when the module hands the
    route's router to ``include_router`` (it may sit under the other one)."""
    project = ctx.project
    found = _path_params(route, project)
    if project is None or route is None or ctx.module is None or not route.router or "." in route.router:
        return found
    included, routers, other = ctx.cached(("client.module_prefixes",), lambda: _module_prefixes(ctx.module))
    if route.router in included:
        return found
    foreign = set().union(*(params for name, params in routers.items() if name != route.router))
    if not foreign:
        return found
    kept = other | routers.get(route.router, frozenset())
    here = ctx.module_name

    def build() -> frozenset[str]:
        out: set[str] = set()
        for module, facts in project.iter_modules():
            if module != here:
                for prefix in orm_facts(facts).get("route_prefixes", ()):
                    out |= path_parameters(prefix)
        return frozenset(out)

    elsewhere = kept | project.memo(("auth.prefix_path_params_elsewhere", here), build)
    own = path_parameters(route.path) if route.path else frozenset()
    return frozenset(p for p in found if p in own or p in elsewhere or p not in foreign)


def _module_prefixes(module: cst.Module) -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    """What a module's top-level statements say of router prefixes: the names it hands to ``include_router``,
    the path parameters of each ``name = APIRouter(prefix=...)``, and those of every other ``prefix=`` literal."""
    included: set[str] = set()
    routers: dict[str, frozenset[str]] = {}
    other: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            target = None
            value = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                target, value = small.targets[0].target.value, small.value
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                target, value = small.target.value, small.value
            elif isinstance(small, cst.Expr):
                value = small.value
            if not isinstance(value, cst.Call):
                continue
            name = last_segment(dotted_name(value.func) or "") if isinstance(value.func, (cst.Name, cst.Attribute)) else ""
            if name == "include_router":
                included.update(a.value.value for a in value.args if isinstance(a.value, cst.Name))
            for a in value.args:
                if a.keyword is not None and a.keyword.value == "prefix" and isinstance(a.value, cst.SimpleString):
                    prefix = a.value.evaluated_value
                    if not isinstance(prefix, str):
                        continue
                    if target is not None and name == "APIRouter":
                        routers[target] = routers.get(target, frozenset()) | path_parameters(prefix)
                    else:
                        other |= path_parameters(prefix)
    return frozenset(included), routers, frozenset(other)


def _subscript_key(node: cst.Subscript) -> Optional[str]:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = node.slice[0].slice.value
    if isinstance(value, cst.SimpleString):
        return str(value.evaluated_value)
    return None


def _excluded_fields(call: cst.Call) -> set[str]:
    out: set[str] = set()
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "exclude" and isinstance(arg.value, (cst.Set, cst.List, cst.Tuple, cst.Dict)):
            elements = arg.value.elements
            for el in elements:
                key = el.key if isinstance(el, cst.DictElement) else getattr(el, "value", None)
                if isinstance(key, cst.SimpleString):
                    out.add(str(key.evaluated_value))
        elif arg.keyword is not None and arg.keyword.value == "include":
            # only the included fields are written: everything else is excluded
            out.add("*include*")
            if isinstance(arg.value, (cst.Set, cst.List, cst.Tuple)):
                keep = {str(el.value.evaluated_value) for el in arg.value.elements if isinstance(el.value, cst.SimpleString)}
                out |= set(DEFAULT_IDENTITY_FIELDS) - keep
    return out


def _spread_fix(ctx: "FileContext", call: cst.Call, arg: Optional[cst.Arg], field_name: str, value: str):
    """The edit that makes a spread take ``field_name`` from the principal."""
    assert ctx.module is not None
    if arg is None:
        return None
    if arg.star == "**":
        inner = ctx.module.code_for_node(arg.value)
        return (arg.value, f'{{**{inner}, "{field_name}": {value}}}')
    # Model.model_validate(payload[, ...]): add update={...}
    if any(a.keyword is not None and a.keyword.value == "update" for a in call.args):
        for a in call.args:
            if a.keyword is not None and a.keyword.value == "update" and isinstance(a.value, cst.Dict):
                inner = ctx.module.code_for_node(a.value).strip()
                body = inner[1:-1].strip().rstrip(",")
                new = f'{{{body}, "{field_name}": {value}}}' if body else f'{{"{field_name}": {value}}}'
                return (a.value, new)
        return None
    source = ctx.module.code_for_node(arg.value)
    return (arg.value, f'{source}, update={{"{field_name}": {value}}}')


def client_identity_findings(ctx: "FileContext", func: cst.FunctionDef, identity: Identity) -> list[ClientFinding]:
    """BKL101 / BKL102 findings of one route handler (shared by both rules)."""

    def build() -> list[ClientFinding]:
        if identity.route is None or identity.admin or not (identity.principals or identity.authenticated):
            return []
        found = _ClientAnalysis(ctx, func, identity).run()
        if found and _member_action(func.name.value):
            # ``add_user_to_group(group_id, request: AddUser)``: the body's ``user_id`` is the member acted on
            found = [f for f in found if f.kind == "spread" or f.field not in MEMBER_TARGET_FIELDS]
        return found

    return ctx.cached(("auth.client_identity", id(func)), build)


# identity fields that name a user as the object of a membership action (not a tenant or owner column)
MEMBER_TARGET_FIELDS = frozenset({"user_id", "member_id"})
# (one word may name the group between the verb and the member: ``add_project_member``, ``remove_team_user``)
_MEMBER_ACTION = re.compile(r"(^|_)(add|remove|invite|kick|ban|promote|demote|assign|unassign)_([a-z0-9]+_)?(user|member)s?(_|$)")


def _member_action(name: str) -> bool:
    """A handler named for adding or removing a user or member (``add_user_to_group``,
    ``remove_user_from_workspace``, ``invite_member``, ``add_project_member``): the user it is given is the one acted on, whom the
    client must name (RULES: BKL101/BKL102 are about trusting a value as the caller's); whether the caller
    may manage that group is family 2's (the container's key) or a function-level check."""
    return bool(_MEMBER_ACTION.search(name.lower()))


def _unwrap_conversion(value: cst.BaseExpression) -> cst.BaseExpression:
    """``str(x)`` / ``int(x)`` / ``UUID(x)`` -> ``x``."""
    while isinstance(value, cst.Call) and len(value.args) == 1 and dotted_name(value.func) in ("str", "int", "UUID", "uuid.UUID"):
        value = value.args[0].value
    return value


def _copy_uses(
    func: "cst.FunctionDef", copy_targets: list[tuple["cst.Assign", tuple[str, str]]], order: dict[int, int]
) -> dict[int, tuple[str, str]]:
    """Reads of a local that copies a client value (``workspace_id = body.workspace_id``) that only the copy
    reaches: after it, with no other binding of the name between them in the source, nor in a loop around the
    read (``workspace_id = workspace.id`` further down, in another branch, does not change what the read sees)."""
    bindings = _binding_nodes(func)
    not_loads: set[int] = {id(n) for nodes in bindings.values() for n in nodes}
    loops: list[set[int]] = []  # the nodes under each loop
    for node in walk(func.body):
        if isinstance(node, cst.Attribute):
            not_loads.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            not_loads.add(id(node.keyword))
        elif isinstance(node, (cst.Param, cst.ImportAlias)):
            not_loads |= _under(node)
        elif isinstance(node, (cst.For, cst.While, cst.CompFor)):
            loops.append(_under(node))
    out: dict[int, tuple[str, str]] = {}
    for assign, key in copy_targets:
        target = assign.targets[0].target
        if not isinstance(target, cst.Name):
            continue
        others = [b for b in bindings.get(target.value, []) if b is not target]
        start = order.get(id(assign), 0)
        inside = _under(assign)
        for node in walk(func.body):
            if not (isinstance(node, cst.Name) and node.value == target.value) or id(node) in not_loads or id(node) in inside:
                continue
            at = order.get(id(node), 0)
            if at <= start or any(start < order.get(id(b), 0) < at for b in others):
                continue
            if any(id(node) in loop and any(id(b) in loop for b in others) for loop in loops):
                continue
            out[id(node)] = key
    return out


def _calls_bound_once(func: "cst.FunctionDef") -> Iterator[tuple[str, "cst.Call"]]:
    """``name = call(...)`` (also awaited) where ``name`` is bound nowhere else in ``func``."""
    bound = _bindings(func)
    for node in walk(func.body):
        if not (isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)):
            continue
        target = node.targets[0].target.value
        value = node.value.expression if isinstance(node.value, cst.Await) else node.value
        if bound.get(target, 0) == 1 and isinstance(value, cst.Call):
            yield target, value


def _bindings(func: "cst.FunctionDef") -> dict[str, int]:
    """How many times each plain name is bound in ``func`` (its parameters, assignment, loop, ``with``, walrus and
    import targets, tuples unpacked; nested scopes included: a copy is trusted only when nothing else binds it)."""
    return {name: len(nodes) for name, nodes in _binding_nodes(func).items()}


def _binding_nodes(func: "cst.FunctionDef") -> dict[str, list["cst.Name"]]:
    """The ``Name`` nodes that bind each plain name in ``func`` (as ``_bindings`` counts them)."""
    counts: dict[str, list[cst.Name]] = {}

    def add(target: "cst.CSTNode") -> None:
        if isinstance(target, cst.Name):
            counts.setdefault(target.value, []).append(target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                add(element.value)
        elif isinstance(target, cst.StarredElement):
            add(target.value)

    for param in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params):
        add(param.name)
    for node in walk(func.body):
        if isinstance(node, cst.Assign):
            for t in node.targets:
                add(t.target)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            add(node.target)
        elif isinstance(node, (cst.For, cst.CompFor)):
            add(node.target)
        elif isinstance(node, cst.NamedExpr):
            add(node.target)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            add(node.asname.name)
    return counts


def _typed_reference(name: str, params: "Iterable[ParamInfo]") -> bool:
    """``account_id`` beside an ``account_type`` parameter (``"vendor"`` / ``"customer"``): the client picks a
    kind of account and one of them to filter a ledger by, a reference to a business record of the tenant,
    not whose rows (BKL102 is about an identity the handler trusts as the caller's)."""
    stem = name[: -len("_id")] if name.endswith("_id") else None
    return bool(stem) and any(p.name in (f"{stem}_type", f"{stem}_kind") for p in params)


def _refusing_function(project: "ProjectIndex", found: tuple[str, str]) -> bool:
    """The project function ``found`` (``project_function``) decides on what it is handed and refuses by raising
    (``flow`` facts ``deciders``, its ``raises`` fact)."""
    if found[0] not in project.modules:
        return False
    fn = orm_facts(project.modules[found[0]]).get("functions", {}).get(found[1]) or {}
    return found[1] in flow_facts(project, found[0]).get("deciders", ()) and bool(fn.get("raises"))

