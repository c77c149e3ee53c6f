from __future__ import annotations

import ast
from typing import Any, Iterator, Optional

from ...ground.lazy import lazy_import

from ...knowledge.fastapi import RouteInfo
from ...knowledge.cst import iter_children
from ...knowledge.imports import dotted_name, last_segment
from ...knowledge.tree_facts import TreeFacts
from ..api import RuleSpec
from ._analysis import (
    NOT_BODY,
    REQUEST_READS,
    RouteRule,
    has_route,
    own_nodes,
    own_statements,
    request_reads,
    route_functions,
    screened_marker,
    untyped_annotation,
    untyped_annotation_tree,
    untyped_source,
)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

# calls that write to the database, in the handler itself
WRITE_METHODS = frozenset(
    {"add", "add_all", "merge", "commit", "flush", "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings",
     "sqlmodel_update", "insert_one", "insert_many", "update_one", "update_many", "replace_one", "save", "create",
     "bulk_create", "upsert"}
)
WRITE_FUNCTIONS = frozenset({"insert", "update", "setattr"})
RECORD_CALLS = frozenset({"model_validate", "sqlmodel_update", "setattr", "parse_obj", "from_orm"})
# project helpers named like writers (``crud.create_item(db, data)``)
WRITER_PREFIXES = ("create_", "update_", "insert_", "save_", "upsert_", "add_", "patch_", "edit_", "store_", "persist_", "set_")
_WRITE_WORDS = WRITE_METHODS | WRITE_FUNCTIONS | {"insert", "update", "values"}
# a webhook that checks who sent it makes no claim
_SIGNATURE_WORDS = ("signature", "verify", "hmac", "compare_digest", "construct_event", "validate_webhook", "webhook_secret")


def untyped_request_body(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL603: a route handler, and an untyped parameter annotation or a ``.json()`` / ``.form()`` call."""
    if not has_route(facts):
        return False
    src = facts.source
    if not any(w in src for w in ("dict", "Dict", "Any", "Mapping", "Json", "JSON", ".json(", ".form(", "object")):
        return False
    # ``_written``: the handler calls a writer (the last name of its callee)
    names = facts.names
    if names.isdisjoint(_WRITE_WORDS) and not any(n.startswith(WRITER_PREFIXES) for n in names):
        return False
    if not untyped_source(facts):
        return False
    routes = route_functions(facts)
    return any(_handler_may_report(facts, project, f) for f in (facts.functions if routes is None else routes))


def _handler_may_report(facts: TreeFacts, project: Any, func: Any) -> bool:
    """What ``on_route`` needs of one handler, read on ``ast``: an untyped source (a parameter whose annotation
    ``untyped_annotation`` calls untyped and whose marker does not leave it out of the body, or a
    ``<parameter>.json()`` / ``.form()`` call in its own body: ``request_reads``) and, in its own body, a call
    ``_written`` may count as a write (the last name of its callee a write word or a writer's prefix)."""
    a = func.args
    params = a.posonlyargs + a.args + a.kwonlyargs
    defaults = [None] * (len(a.posonlyargs) + len(a.args) - len(a.defaults)) + list(a.defaults) + list(a.kw_defaults)
    source = any(
        p.annotation is not None
        and untyped_annotation_tree(p.annotation)
        and (project is None or screened_marker(facts, project, p.annotation, d) not in NOT_BODY)
        for p, d in zip(params, defaults)
    )
    names = {p.arg for p in params}
    writes = False
    for n in own_nodes(func):
        if type(n) is not ast.Call:
            continue
        func_node = n.func
        if isinstance(func_node, ast.Attribute):
            last = func_node.attr
            if last in REQUEST_READS and isinstance(func_node.value, ast.Name) and func_node.value.id in names:
                source = True
        elif isinstance(func_node, ast.Name):
            last = func_node.id
        else:
            continue
        if last in _WRITE_WORDS or last.startswith(WRITER_PREFIXES):
            writes = True
        if source and writes:
            return True
    return False


SPEC = RuleSpec(
    code="BKL603",
    name="untyped-request-body",
    message="Request body is untyped and written to the database",
    requires=("dict", "Dict", "Any", "Mapping", "Json", "JSON", ".json(", ".form(", "object"),
    screen=untyped_request_body,
    local=True,
)


class UntypedRequestBody(RouteRule):
    """
    ## What it does
    Reports a route handler that writes a request body without a schema to the database.

    A body without a schema is a parameter typed `dict`, `Dict[str, Any]`, `Any` or `list[dict]`, or data
    read with `await request.json()` / `await request.form()`.

    The data must become a record: spread (`Item(**data)`, `.values(**data)`), iterated (`for k, v in
    data.items()`), or handed whole to a writer; and the handler must write: a call it makes itself
    (`session.add`, `commit`, `flush`, `merge`, `insert(...)`, `update(...)`, `setattr`,
    `sqlmodel_update`, ...) or a project helper named like a writer (`create_*`, `update_*`, `save_*`, ...)
    that the data is handed to. A dict passed on as one value (`labels=labels`, stored in a JSON column)
    is a value, not a record: no claim. Handlers that check a signature
    (webhooks: `hmac.compare_digest`, `verify_signature(...)`, `stripe.Webhook.construct_event`) make no
    claim, nor do handlers that only read the data (search filters, proxies).

    ## Why is this bad?
    Without a schema, nothing checks the keys, types or sizes the client sends before they reach the
    database: any column can be set (`role`, `owner_id`), strings of any length are stored, and a wrong
    type fails deep inside the ORM with a 500 instead of a 422.

    ## Example
    ```python
    from fastapi import FastAPI
    from sqlmodel import Session

    app = FastAPI()


    @app.post("/items")
    def create_item(data: dict, session: Session):
        session.add(Item(**data))
        session.commit()
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel
    from sqlmodel import Session

    app = FastAPI()


    class ItemCreate(BaseModel):
        title: str


    @app.post("/items")
    def create_item(data: ItemCreate, session: Session):
        session.add(Item(**data.model_dump()))
        session.commit()
    ```

    ## Fix safety
    No fix: the schema has to be written from what the endpoint accepts.
    """

    spec = SPEC

    def on_route(self, node: cst.FunctionDef, route: RouteInfo) -> None:
        sources: list[tuple[cst.CSTNode, str, str]] = []  # (report node, data name, what)
        for p in self.body_params(node, route):
            ann = p.node.annotation.annotation if p.node.annotation is not None else None
            if ann is not None and untyped_annotation(ann):
                sources.append((p.node, p.name, f"`{p.name}`"))
        for stmt_node, name, call in request_reads(self.ctx, node):
            sources.append((stmt_node, name, f"`{call}`"))
        if not sources:
            return
        code = self.ctx.module.code_for_node(node) if self.ctx.module is not None else ""
        if any(w in code for w in _SIGNATURE_WORDS):
            return
        for report_node, name, what in sources:
            if self._written(node, name):
                self.report(report_node, f"Request body {what} has no schema and reaches the database")

    def _written(self, func: cst.FunctionDef, name: str) -> bool:
        """The handler writes to the database and hands ``name`` (or what it derived from it) to a call."""
        tainted = {name}
        for n in own_statements(func):  # plain copies only: a value read by key (``data.get("title")``) is a value
            if isinstance(n, cst.Assign) and _copy_of(n.value, tainted):
                for t in n.targets:
                    if isinstance(t.target, cst.Name):
                        tainted.add(t.target.value)
        writes = record = False
        for n in own_statements(func):
            if isinstance(n, cst.For) and _copy_of(n.iter, tainted, iterating=True):
                record = True  # iterated: its keys or its items become rows or attributes
            if not isinstance(n, cst.Call):
                continue
            callee = dotted_name(n.func) or ""
            last = last_segment(callee)
            is_write = (
                (isinstance(n.func, cst.Attribute) and last in WRITE_METHODS)
                or callee in WRITE_FUNCTIONS
                or last in ("insert", "update")
                or (last == "values" and bool(n.args))  # ``insert(t).values(...)``; ``d.values()`` reads a dict
            )
            writer = last.startswith(WRITER_PREFIXES)
            writes = writes or is_write
            for arg in n.args:
                if not _mentions(arg.value, tainted):
                    continue
                if arg.star == "**":
                    record = True  # spread into a constructor or a statement
                elif arg.keyword is None and (is_write or writer or last in RECORD_CALLS):
                    record = True  # handed whole to a writer (a keyword pass-through, ``labels=labels``, is a value)
                    writes = writes or writer
        return writes and record


def _names(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, cst.Name):
        yield node.value
    for child in node.children:
        yield from _names(child)


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    if isinstance(node, cst.Name):
        return node.value in names
    if isinstance(node, cst.Attribute):
        return _mentions(node.value, names)
    return any(_mentions(c, names) for c in iter_children(node))


def _copy_of(node: cst.BaseExpression, names: set[str], iterating: bool = False) -> bool:
    """``data``, ``data.copy()``, ``dict(data)``, ``{**data}`` (and ``data.items()`` / ``.keys()`` /
    ``.values()`` when ``iterating``): the data itself, not a value read out of it."""
    if isinstance(node, cst.Name):
        return node.value in names
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in names:
            return func.attr.value in (("copy", "items", "keys", "values") if iterating else ("copy",))
        if isinstance(func, cst.Name) and func.value in ("dict", "list") and node.args:
            return _copy_of(node.args[0].value, names)
    if isinstance(node, cst.Dict):
        return any(isinstance(e, cst.StarredDictElement) and _copy_of(e.value, names) for e in node.elements)
    return False
