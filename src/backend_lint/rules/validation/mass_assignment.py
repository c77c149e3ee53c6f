from __future__ import annotations

import ast
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.auth import function_identity
from ...knowledge.cst import iter_children
from ...knowledge.fastapi import RouteInfo
from ...knowledge.imports import dotted_name, last_segment
from ...knowledge.schemas import schema_info
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.validation import PRIVILEGED_FIELDS
from ..api import RuleSpec
from ._analysis import (RouteRule, has_route, may_name_table, names_table, no_table_class, own_nodes, own_statements, request_reads, route_functions,
                        table_words, untyped_annotation)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_DUMPS = frozenset({"model_dump", "dict"})
_VALIDATE = frozenset({"model_validate", "from_orm", "parse_obj"})


def mass_assignment(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL605: a route handler that calls ``setattr``, spreads ``**`` into a call, validates a model from
    another or calls ``sqlmodel_update``; every pattern but ``sqlmodel_update`` and the ``setattr`` loop builds
    a table model's row (``names_table``)."""
    if project is None or not has_route(facts):
        return False
    src = facts.source
    if not any(w in src for w in ("setattr", "**", "model_validate", "from_orm", "parse_obj", "sqlmodel_update")):
        return False
    names = facts.names
    if not ("sqlmodel_update" in names or ("setattr" in names and "items" in names) or names_table(facts, project)):
        return False
    routes = route_functions(facts)
    if routes is None:
        return True
    words = table_words(project)
    return any(_may_assign(facts, project, words, func) for func in routes)


def _may_assign(facts: TreeFacts, project: Any, words: frozenset[str], func: Any) -> bool:
    """The handler's own body holds a statement ``on_route`` reports: a loop over ``.items()`` (``_loop``),
    ``sqlmodel_update(...)``, ``<table>.model_validate(...)`` / ``from_orm`` / ``parse_obj`` or
    ``<table>(**...)`` (``_call``; ``may_name_table`` for the table)."""
    for n in own_nodes(func):
        kind = type(n)
        if kind is ast.For or kind is ast.AsyncFor:
            it = n.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "items":
                return True
        elif kind is ast.Call:
            f = n.func
            if isinstance(f, ast.Attribute) and f.attr == "sqlmodel_update" and (n.args or n.keywords):
                return True
            if isinstance(f, ast.Attribute) and f.attr in _VALIDATE and (n.args or n.keywords) and _may_be_table(facts, project, words, f.value):
                return True
            if any(k.arg is None for k in n.keywords) and _may_be_table(facts, project, words, f):
                return True
    return False


def _may_be_table(facts: TreeFacts, project: Any, words: frozenset[str], expr: ast.expr) -> bool:
    """``canonical_class`` (``project_class``) may resolve ``expr`` to a table model: ``may_name_table``, unless the
    file's imports resolve it only to names that are no table model (``no_table_class``)."""
    return may_name_table(facts, words, expr) and not no_table_class(facts, project, expr)


SPEC = RuleSpec(
    code="BKL605",
    name="mass-assignment",
    message="Client data is assigned to a row wholesale, privileged fields included",
    requires=("setattr", "**", "model_validate", "from_orm", "parse_obj", "sqlmodel_update"),
    screen=mass_assignment,
    local=True,
)


class _Source:
    """Where a value comes from: the raw client data, or a dump of a body schema minus excluded fields."""

    def __init__(self, raw: bool, schema: Optional[str] = None, privileged: frozenset[str] = frozenset(), name: str = ""):
        self.raw = raw
        self.schema = schema
        self.privileged = privileged
        self.name = name


class MassAssignment(RouteRule):
    """
    ## What it does
    Reports a route handler that copies client data onto a row wholesale when that data may carry a
    privileged field such as `role` or `is_admin`.

    The copies: `setattr(row, key, value)` in a loop over the request's raw dict or over a dump of the body
    schema, `Model(**payload.model_dump())`, `Model.model_validate(payload)` and
    `row.sqlmodel_update(payload.model_dump())`; a dump counts when the body schema declares `is_admin`,
    `is_superuser`, `is_staff`, `role`, `roles`, `permissions`, `balance`, `credits` or `plan`.

    Not reported: a loop that checks the key against an allow-list (`if key in ALLOWED`), a dump that
    excludes the privileged fields (`model_dump(exclude={"role"})`) or includes only named ones
    (`include={...}`), an `update={"role": ...}` that overrides them, routes that only admins reach (an
    admin dependency or check) and handlers that call an authorisation check first
    (`check_permission(session, user, workspace_id, Permission.ROLES_UPDATE)`, `require_admin(user)`):
    there, who may set the field was decided. Identity fields (`owner_id`, ...) spread from a body are BKL101's.

    ## Why is this bad?
    The schema says the client may send `role`; the wholesale copy then stores it. Any user can make
    themselves an admin, top up their balance or move to a paid plan: the classic mass-assignment
    vulnerability (OWASP API6:2023).

    ## Example
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel
    from sqlmodel import Field, Session, SQLModel

    app = FastAPI()


    class User(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        role: str = "member"


    class UserUpdate(BaseModel):
        name: str | None = None
        role: str | None = None


    @app.patch("/users/{user_id}")
    def update_user(user_id: int, payload: UserUpdate, session: Session) -> None:
        user = session.get(User, user_id)
        for key, value in payload.model_dump(exclude_unset=True).items():
            setattr(user, key, value)
        session.commit()
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel
    from sqlmodel import Field, Session, SQLModel

    app = FastAPI()


    class User(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        role: str = "member"


    class UserUpdate(BaseModel):
        name: str | None = None


    @app.patch("/users/{user_id}")
    def update_user(user_id: int, payload: UserUpdate, session: Session) -> None:
        user = session.get(User, user_id)
        for key, value in payload.model_dump(exclude_unset=True).items():
            setattr(user, key, value)
        session.commit()
    ```

    ## Fix safety
    No fix: whether the field should leave the schema, be excluded or be checked is the team's call.
    """

    spec = SPEC

    def on_route(self, node: cst.FunctionDef, route: RouteInfo) -> None:
        self.sources: dict[str, _Source] = {}
        for p in self.body_params(node, route):
            ann = p.node.annotation.annotation if p.node.annotation is not None else None
            if ann is not None and untyped_annotation(ann):
                self.sources[p.name] = _Source(True, name=p.name)
            elif p.type:
                info = schema_info(self.ctx.project, p.type)
                if info is not None and info.is_schema:
                    privileged = frozenset(f for f in info.fields if f in PRIVILEGED_FIELDS)
                    self.sources[p.name] = _Source(False, info.qualified, privileged, p.name)
        for stmt_node, name, call in request_reads(self.ctx, node):
            self.sources[name] = _Source(True, name=name)
        if not self.sources:
            return
        self.assigned: dict[str, list[cst.BaseExpression]] = {}
        for n in own_statements(node):
            if type(n) is cst.Assign:  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
                for t in n.targets:
                    if isinstance(t.target, cst.Name):
                        self.assigned.setdefault(t.target.value, []).append(n.value)
        admin: Optional[bool] = None
        for n in own_statements(node):
            found = None
            kind = type(n)
            if kind is cst.For:
                found = self._loop(n)
            elif kind is cst.Call:
                found = self._call(n)
            if found is None:
                continue
            if admin is None:
                admin = function_identity(self.ctx, node).admin or _checks_permission(node)
            if admin:
                return
            self.report(*found)

    # -- sources ------------------------------------------------------------------------------------------
    def source_of(self, expr: cst.BaseExpression, depth: int = 0) -> Optional[_Source]:
        if depth > 5:
            return None
        if isinstance(expr, cst.Await):
            return self.source_of(expr.expression, depth + 1)
        if isinstance(expr, cst.Name):
            if expr.value in self.sources:
                return self.sources[expr.value]
            values = self.assigned.get(expr.value, [])
            if len(values) == 1:
                return self.source_of(values[0], depth + 1)
            return None
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _DUMPS:
            inner = self.source_of(expr.func.value, depth + 1)
            if inner is None or inner.raw:
                return None
            excluded: set[str] = set()
            for arg in expr.args:
                if arg.keyword is None:
                    continue
                if arg.keyword.value == "include":
                    return None
                if arg.keyword.value == "exclude":
                    keys = _literal_keys(arg.value)
                    if keys is None:
                        return None
                    excluded |= keys
            return _Source(False, inner.schema, inner.privileged - excluded, inner.name)
        return None

    def _dangerous(self, source: Optional[_Source], allow_raw: bool) -> Optional[str]:
        if source is None:
            return None
        if source.raw:
            return f"`{source.name}` (the raw request data)" if allow_raw else None
        if source.privileged:
            fields = ", ".join(f"`{f}`" for f in sorted(source.privileged))
            return f"`{source.name}` ({last_segment(source.schema)} declares {fields})"
        return None

    # -- patterns -----------------------------------------------------------------------------------------
    def _loop(self, loop: cst.For) -> Optional[tuple[cst.CSTNode, str]]:
        it = loop.iter
        if not (isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and it.func.attr.value == "items"):
            return None
        target = loop.target
        if not (isinstance(target, cst.Tuple) and len(target.elements) == 2 and isinstance(target.elements[0].value, cst.Name)):
            return None
        key = target.elements[0].value.value  # type: ignore[union-attr]
        what = self._dangerous(self.source_of(it.func.value), allow_raw=True)
        if what is None:
            return None
        setter = None
        for n in _walk(loop.body):
            if isinstance(n, cst.If) and _tests_key(n.test, key):
                return None  # an allow-list
            if (
                setter is None
                and isinstance(n, cst.Call)
                and dotted_name(n.func) == "setattr"
                and len(n.args) >= 2
                and isinstance(n.args[1].value, cst.Name)
                and n.args[1].value.value == key
            ):
                setter = n
        if setter is None:
            return None
        return setter, f"`setattr` over {what} assigns every key the client sends"

    def _call(self, call: cst.Call) -> Optional[tuple[cst.CSTNode, str]]:
        func = call.func
        overridden = _update_keys(call)
        if isinstance(func, cst.Attribute) and func.attr.value == "sqlmodel_update" and call.args:
            source = self.source_of(call.args[0].value)
            what = self._dangerous(_minus(source, overridden), allow_raw=False)
            if what is not None:
                return call, f"`sqlmodel_update` copies {what} onto the row"
            return None
        if isinstance(func, cst.Attribute) and func.attr.value in _VALIDATE and call.args and self.is_table(self.canonical_class(func.value)):
            source = self.source_of(call.args[0].value)
            what = self._dangerous(_minus(source, overridden), allow_raw=False)
            if what is not None:
                return call, f"`{func.attr.value}` builds a `{last_segment(self.canonical_class(func.value))}` row from {what}"
            return None
        table = self.canonical_class(func)
        if table is not None and self.is_table(table):
            for arg in call.args:
                if arg.star == "**":
                    source = self.source_of(arg.value)
                    explicit = {a.keyword.value for a in call.args if a.keyword is not None}
                    what = self._dangerous(_minus(source, explicit), allow_raw=False)
                    if what is not None:
                        return call, f"`{last_segment(table)}(**...)` spreads {what} into the row"
        return None


def _minus(source: Optional[_Source], names: set[str]) -> Optional[_Source]:
    if source is None or source.raw or not names:
        return source
    return _Source(False, source.schema, source.privileged - names, source.name)


def _literal_keys(node: cst.BaseExpression) -> Optional[set[str]]:
    if isinstance(node, (cst.Set, cst.List, cst.Tuple)):
        out = set()
        for el in node.elements:
            if isinstance(el.value, cst.SimpleString):
                out.add(str(el.value.evaluated_value))
        return out
    if isinstance(node, cst.Dict):
        out = set()
        for el in node.elements:
            if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                out.add(str(el.key.evaluated_value))
        return out
    return None


def _update_keys(call: cst.Call) -> set[str]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "update":
            return _literal_keys(arg.value) or set()
    return set()


def _tests_key(test: cst.BaseExpression, key: str) -> bool:
    for n in _walk(test):
        if isinstance(n, cst.Comparison) and isinstance(n.left, cst.Name) and n.left.value == key:
            if any(isinstance(c.operator, (cst.In, cst.NotIn, cst.Equal, cst.NotEqual)) for c in n.comparisons):
                return True
    return False


def _walk(node: cst.CSTNode):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(iter_children(n))


_PERMISSION_WORDS = ("permission", "authoriz", "authoris", "admin", "superuser", "require_role", "has_role", "check_role")


def _checks_permission(func: cst.FunctionDef) -> bool:
    """The handler calls an authorisation check (``check_permission(session, auth, ws, Permission.ROLES_UPDATE)``,
    ``require_admin(user)``): who may set the privileged fields was decided there."""
    for n in own_statements(func):
        if isinstance(n, cst.Call):
            name = last_segment(dotted_name(n.func)).lower()
            if any(w in name for w in _PERMISSION_WORDS):
                return True
    return False
