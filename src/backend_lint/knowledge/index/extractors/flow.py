"""Index facts for families 1 and 2: per-function summaries of how a function's parameters reach row lookups,
so that a route's client key can be followed through services, repositories and CRUD helpers
(``knowledge.flow``) without a libcst pass over the helpers' modules.

Stored under ``facts["extra"]["flow"]`` as ``{"functions": {name: summary}, "methods": {"Class.method":
summary}, "scoping": {model: {column: uses}}}`` (``scoping``: see ``_scoping_evidence``) for top-level functions and class methods (nested functions are not summarised). A summary is
kept only when it says something:

- ``params``: the parameter names, in order (``self`` / ``cls`` included);
- ``fetches``: ``[{"model", "keys", "line"}]``: a row lookup on ``model`` (a resolved dotted name, possibly
  not a model at all: the reader checks) keyed on the parameters ``keys``: ``<x>.get(M, p)``,
  ``select(M)`` / ``<x>.query(M)`` / ``update(M)`` / ``delete(M)`` with ``p`` in a predicate of the function
  (``where`` / ``filter`` / ``filter_by`` / ``get`` arguments);
- ``preds``: attribute names and ``filter_by`` keywords used in the function's predicates (an identity
  column among them scopes the lookups: coarse on purpose, it errs on the side of no claim);
- ``compared``: attribute names compared in the function (``row.user_id != user_id``, also through
  ``str()``): the function checks ownership itself;
- ``calls``: ``[{"target", "args"}]``: calls that pass a parameter on, ``target`` a resolved dotted name or
  ``self.<method>``, ``args`` ``[[position or keyword, parameter]]``;
- ``returns``: whether a ``return`` gives back a value (the row, for the caller's later check);
- ``unused``: parameters the body never reads (an identity handed in and forgotten).

Every name is resolved with the module's own imports; nothing is imported.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

from ._common import Resolve, store

GET_METHODS = frozenset({"get", "get_one", "aget", "get_or_404", "one_or_404"})
STATEMENTS = frozenset({"select", "update", "delete"})
STATEMENT_MODULES = ("sqlalchemy", "sqlmodel")
PRED_METHODS = frozenset({"where", "filter", "filter_by", "having", "join", "outerjoin", "get"})
UNWRAP = frozenset({"str", "int", "UUID"})


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _own_nodes(fn: ast.AST):
    """The nodes of a function body, not those of nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _model_expr(node: ast.AST) -> Optional[ast.AST]:
    if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Attribute)) and node.attr[:1].islower():
        return node.value  # ``select(Item.id)``: a query on ``Item``
    if isinstance(node, (ast.Name, ast.Attribute)):
        return node
    return None


def _attr_names(node: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def summarise(fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolve, owner: Optional[str] = None) -> Optional[dict[str, Any]]:
    """The summary of one function; ``owner`` is the class of a method (``select(cls)`` is a query on it)."""

    def model_name(node: ast.AST) -> Optional[str]:
        model = _model_expr(node)
        if model is None:
            return None
        if owner is not None and isinstance(model, ast.Name) and model.id in ("cls", "self"):
            return resolve(ast.Name(id=owner, ctx=ast.Load()))
        return resolve(model)

    args = fn.args
    params = [a.arg for a in list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)]
    plain = set(params) - {"self", "cls"}
    if not plain:
        return None
    fetches: list[dict[str, Any]] = []
    statement_models: list[tuple[str, int]] = []
    pred_keys: set[str] = set()
    preds: set[str] = set()
    compared: set[str] = set()
    calls: list[dict[str, Any]] = []
    returns = False
    loaded: set[str] = set()
    for node in _own_nodes(fn):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            loaded.add(node.id)
        if isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            returns = True
        elif isinstance(node, ast.Compare):
            sides = [node.left] + list(node.comparators)
            for side in sides:
                while isinstance(side, ast.Call) and isinstance(side.func, ast.Name) and side.func.id in UNWRAP and side.args:
                    side = side.args[0]
                if isinstance(side, ast.Attribute):
                    compared.add(side.attr)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            method = func.attr
            if method in PRED_METHODS:
                for a in node.args:
                    pred_keys |= _names(a) & plain
                    preds |= _attr_names(a)
                for k in node.keywords:
                    pred_keys |= _names(k.value) & plain
                    if k.arg:
                        preds.add(k.arg)
            if method in GET_METHODS and len(node.args) >= 2:
                q = model_name(node.args[0])
                keys = set().union(*(_names(a) for a in node.args[1:])) & plain
                if q and keys and q.rsplit(".", 1)[-1][:1].isupper():
                    fetches.append({"model": q, "keys": sorted(keys), "line": node.lineno})
            elif method == "query" and node.args:
                q = model_name(node.args[0])
                if q:
                    statement_models.append((q, node.lineno))
        if isinstance(func, (ast.Name, ast.Attribute)):
            q = resolve(func)
            if q and q.rsplit(".", 1)[-1] in STATEMENTS and q.split(".")[0] in STATEMENT_MODULES and node.args:
                mq = model_name(node.args[0])
                if mq:
                    statement_models.append((mq, node.lineno))
            passed: list[list[Any]] = []
            for i, a in enumerate(node.args):
                if isinstance(a, ast.Name) and a.id in plain:
                    passed.append([i, a.id])
            for k in node.keywords:
                if k.arg and isinstance(k.value, ast.Name) and k.value.id in plain:
                    passed.append([k.arg, k.value.id])
            if passed:
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
                    target: Optional[str] = f"self.{func.attr}"
                else:
                    target = q
                if target:
                    calls.append({"target": target, "args": passed})
    if pred_keys:
        for model, line in statement_models:
            fetches.append({"model": model, "keys": sorted(pred_keys), "line": line})
    if not fetches and not calls:
        return None
    out: dict[str, Any] = {"params": params}
    if fetches:
        out["fetches"] = fetches
    if preds:
        out["preds"] = sorted(preds)
    if compared:
        out["compared"] = sorted(compared)
    if calls:
        out["calls"] = calls
    if returns:
        out["returns"] = True
    unused = sorted(plain - loaded)
    if unused:
        out["unused"] = unused
    return out


def _scoping_evidence(tree: ast.Module, resolve: Resolve) -> dict[str, dict[str, int]]:
    """``{model: {column: n}}``: how often the module constrains ``Model.<column>`` in a comparison or
    ``filter_by`` keyword next to ``select(Model)`` / ``query(Model)``; the reader keeps the identity columns
    and calls the most used one the project's scoping column (``knowledge.models.scoping_column``)."""
    out: dict[str, dict[str, int]] = {}

    def count(model: Optional[str], column: str) -> None:
        if model and model.rsplit(".", 1)[-1][:1].isupper() and column.endswith("_id"):
            per = out.setdefault(model, {})
            per[column] = per.get(column, 0) + 1

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left] + list(node.comparators):
                if isinstance(side, ast.Attribute) and isinstance(side.value, (ast.Name, ast.Attribute)):
                    count(resolve(side.value), side.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "filter_by":
            base = node.func.value
            while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
                if base.func.attr in ("query", "select") or (isinstance(base.func, ast.Name)):
                    break
                base = base.func.value
            if isinstance(base, ast.Call) and base.args and isinstance(base.args[0], (ast.Name, ast.Attribute)):
                for k in node.keywords:
                    if k.arg:
                        count(resolve(base.args[0]), k.arg)
    return out


def extract(tree: ast.Module, facts: dict, resolve: Resolve) -> None:
    functions: dict[str, Any] = {}
    methods: dict[str, Any] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = summarise(stmt, resolve)
            if found is not None:
                functions[stmt.name] = found
        elif isinstance(stmt, ast.ClassDef):
            for sub in stmt.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found = summarise(sub, resolve, stmt.name)
                    if found is not None:
                        methods[f"{stmt.name}.{sub.name}"] = found
    store(facts, "flow", {}, functions=functions, methods=methods, scoping=_scoping_evidence(tree, resolve))
