"""What the family-4 screens share: a revision module's top-level ``upgrade`` and ``downgrade`` on CPython's
``ast``, the calls of the upgrade, and the names of their objects as the simulation's ``Env`` reads them. Each rule's screen is in its own file; the operation tables they read are
``knowledge/alembic_ops.py``, shared with the libcst analysis in ``knowledge/alembic/``."""

from __future__ import annotations

import ast
from typing import Any, Optional

from ...knowledge.alembic.dialect import POSTGRESQL, dialect_of
from ...knowledge.alembic_ops import ALIASES, NAME_WRAPPERS, PARAMS
from ...knowledge.index.extract import ast_dotted
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.tree_facts import children as ast_children
from ...knowledge.tree_facts import walk as ast_walk


def revision_functions(facts: TreeFacts) -> tuple[Optional[Any], Optional[Any]]:
    """The module's top-level ``upgrade`` and ``downgrade`` (the last of each name, as libcst reads them)."""

    def build() -> tuple[Optional[Any], Optional[Any]]:
        upgrade = downgrade = None
        for stmt in facts.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name == "upgrade":
                    upgrade = stmt
                elif stmt.name == "downgrade":
                    downgrade = stmt
        return upgrade, downgrade

    return facts.cached("alembic.functions", build)


def upgrade_method_calls(facts: TreeFacts) -> tuple[list[ast.Call], frozenset[str]]:
    """Every call ``<anything>.<method>(...)`` inside ``upgrade()`` (in ``ast.walk``'s order) and the names bound
    by ``with ...batch_alter_table(...) as <name>:`` there: one walk per file for every family-4 screen."""

    def build() -> tuple[list[ast.Call], frozenset[str]]:
        upgrade, _ = revision_functions(facts)
        if upgrade is None:
            return [], frozenset()
        batches: set = set()
        calls = []
        for node in ast_walk(upgrade):
            if isinstance(node, (ast.With, ast.AsyncWith)):
                batches.update(batch_names(node))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                calls.append(node)
        return calls, frozenset(batches)

    return facts.cached("alembic.upgrade_method_calls", build)


def batch_names(node: Any) -> list[str]:
    """The names a ``with`` statement binds to ``...batch_alter_table(...)`` (``as batch_op``)."""
    out = []
    for item in node.items:
        expr = item.context_expr
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "batch_alter_table":
            if isinstance(item.optional_vars, ast.Name):
                out.append(item.optional_vars.id)
    return out


# -- names, as the simulation's ``Env`` reads them (BKL404, BKL420, BKL421 screens) ----------------------


class Unreadable(Exception):
    """A value the screen does not read: the file goes to libcst."""


def screen_string(expr: Optional[ast.expr], consts: dict) -> Optional[str]:
    """A name as ``Env.resolve_str`` reads it, for literals and ``module_constants`` only: ``None`` for ``None``;
    raises on the rest."""
    if expr is None:
        return None
    if isinstance(expr, ast.Constant):
        if expr.value is None or isinstance(expr.value, str):
            return expr.value
        raise Unreadable
    if isinstance(expr, ast.Name) and expr.id in consts:
        return consts[expr.id]
    if isinstance(expr, ast.Call):
        func = expr.func
        tail = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if tail in NAME_WRAPPERS and expr.args and not isinstance(expr.args[0], ast.Starred):
            return screen_string(expr.args[0], consts)
    raise Unreadable


def module_constants(facts: TreeFacts) -> dict[str, str]:
    """Module constants as the simulation's ``Env`` resolves them, on a narrower reading: a name bound once
    in the whole file, by a top-level ``NAME = "literal"`` (no other assignment, parameter, import,
    definition, ``global`` or ``del`` of it anywhere, so no scope can see another value)."""

    def build() -> dict[str, str]:
        bindings: dict[str, int] = {}

        def bind(name: Optional[str]) -> None:
            if name:
                bindings[name] = bindings.get(name, 0) + 1

        for node in facts.nodes(ast.Name):
            if not isinstance(node.ctx, ast.Load):
                bind(node.id)
        for node in facts.nodes(ast.arg):
            bind(node.arg)
        for node in facts.nodes(ast.alias):
            bind(node.asname or node.name.split(".")[0])
        for node in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler):
            bind(node.name)
        for node in facts.nodes(ast.Global, ast.Nonlocal):
            for name in node.names:
                bind(name)
                bind(name)  # never a constant
        for kind in ("MatchAs", "MatchStar"):
            if hasattr(ast, kind):
                for node in facts.nodes(getattr(ast, kind)):
                    bind(node.name)
        if hasattr(ast, "MatchMapping"):
            for node in facts.nodes(ast.MatchMapping):
                bind(node.rest)
        out: dict[str, str] = {}
        for target, value in top_assignments(facts.tree):
            if (
                isinstance(target, ast.Name)
                and bindings.get(target.id) == 1
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                out[target.id] = value.value
        return out

    return facts.cached("alembic.constants", build)


def top_assignments(tree: ast.Module) -> list[tuple[ast.expr, ast.expr]]:
    """The module's top-level single-target assignments (``X = ...``, ``X: T = ...``), as (target, value)."""
    out: list[tuple[ast.expr, ast.expr]] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            out.append((stmt.targets[0], stmt.value))
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            out.append((stmt.target, stmt.value))
    return out


def bind_args(method: str, call: ast.Call, batch: bool) -> tuple[dict, dict]:
    names = [n for n in PARAMS[method] if not (batch and n in ("table_name", "source_table"))]
    aliases = ALIASES.get(method, {})
    params: dict = {}
    kwargs: dict = {}
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            raise Unreadable
        if i < len(names):
            params[names[i]] = arg
    for kw in call.keywords:
        if kw.arg is None:
            raise Unreadable
        key = aliases.get(kw.arg, kw.arg)
        if key in names:
            params[key] = kw.value
        else:
            kwargs[key] = kw.value
    return params, kwargs


def column_name(expr: Optional[ast.expr], consts: dict) -> Optional[str]:
    """``column_name_of``: the name of ``sa.Column("name", ...)``; ``None`` where the analysis claims nothing."""
    if not isinstance(expr, ast.Call):
        return None
    dotted = ast_dotted(expr.func) or ""
    if dotted.split(".")[-1] not in ("Column", "mapped_column"):
        return None
    if any(isinstance(a, ast.Starred) for a in expr.args):
        raise Unreadable
    if expr.args:
        return screen_string(expr.args[0], consts)
    for kw in expr.keywords:
        if kw.arg == "name":
            return screen_string(kw.value, consts)
    return None


def upgrade_readings(facts: TreeFacts, call: ast.Call) -> list[tuple[Optional[str], dict]]:
    """(table, parameters) of a call ``<receiver>.<method>(...)`` of ``upgrade()`` (``upgrade_method_calls``),
    every way the reader may bind it: on ``op`` (the table among the arguments) and, when the receiver is a
    name bound by ``with ...batch_alter_table(...) as <name>:``, on the table of each ``batch_alter_table``
    call of the upgrade. A superset of the reader's one reading; raises ``Unreadable`` on any name it does
    not read."""
    calls, batches = upgrade_method_calls(facts)
    consts = module_constants(facts)
    method = call.func.attr  # type: ignore[attr-defined]
    receiver = call.func.value  # type: ignore[attr-defined]
    batch = isinstance(receiver, ast.Name) and receiver.id in batches
    out = []
    if not batch or receiver.id == "op" or any((a.asname or a.name.split(".")[0]) == receiver.id for a in facts.nodes(ast.alias)):
        # (a batch receiver is read as ``op`` only under that name or an import's: ``Env``'s ``alembic.op``)
        table_param = "source_table" if method == "create_foreign_key" else "table_name"
        params, _ = bind_args(method, call, False)
        out.append((screen_string(params.get(table_param), consts), params))
    if batch:
        params, _ = bind_args(method, call, True)
        header = batch_headers(facts).get(id(call))
        for header in [header] if header is not None else [c for c in calls if c.func.attr == "batch_alter_table"]:
            out.append((screen_string(_batch_table(header), consts), params))
    return out


def batch_headers(facts: TreeFacts) -> dict[int, ast.Call]:
    """``id(call)`` -> the ``batch_alter_table(...)`` call of the innermost one-item ``with ... as <name>:``
    of ``upgrade()`` around ``call`` that binds the call's receiver ``<name>`` (the reader's ``Batch``)."""

    def build() -> dict[int, ast.Call]:
        upgrade, _ = revision_functions(facts)
        out: dict[int, ast.Call] = {}
        if upgrade is None:
            return out
        for node in ast_walk(upgrade):  # (an outer ``with`` before the ones inside it)
            if not isinstance(node, ast.With) or len(node.items) != 1:
                continue
            item = node.items[0]
            header = item.context_expr
            if not (isinstance(header, ast.Call) and isinstance(header.func, ast.Attribute) and header.func.attr == "batch_alter_table"):
                continue
            if not isinstance(item.optional_vars, ast.Name):
                continue
            name = item.optional_vars.id
            for stmt in node.body:
                for inner in ast_walk(stmt):
                    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                        receiver = inner.func.value
                        if isinstance(receiver, ast.Name) and receiver.id == name:
                            out[id(inner)] = header
        return out

    return facts.cached("alembic.batch_headers", build)


def body_text(facts: TreeFacts, func: Any) -> Optional[str]:
    """The whole lines of a function's body statements: a part of what libcst's ``code_for_node(func.body)``
    holds (that also has the comments around them); ``None`` when the body starts on the ``def`` line or the
    file has ``\r`` line ends (the lines would not be ``ast``'s)."""
    source = facts.source
    if "\r" in source or not func.body:
        return None
    lines = source.split("\n")
    first, last = func.body[0], func.body[-1]
    if lines[first.lineno - 1][: first.col_offset].strip():
        return None
    return "\n".join(lines[first.lineno - 1 : last.end_lineno])


def _batch_table(call: ast.Call) -> Optional[ast.expr]:
    """The table argument of ``batch_alter_table(...)`` as the reader binds it (raises on ``*args``)."""
    table = None
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            raise Unreadable
        if i == 0:
            table = arg
    for kw in call.keywords:
        if kw.arg == "table_name":
            table = kw.value
        elif kw.arg is None:
            raise Unreadable
    return table


# -- names that are never a string to ``Env`` ------------------------------------------------------------


def _bound(target: ast.expr) -> list[str]:
    """``knowledge.cst.bound_names`` on ``ast``: the names a target binds (names, tuples, lists, starred)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _bound(e)]
    if isinstance(target, ast.Starred):
        return _bound(target.value)
    return []


def function_scope(facts: TreeFacts, func: Any) -> tuple[dict[str, ast.expr], frozenset[str]]:
    """``Env._scan`` of a function on ``ast``: (its single-assignment locals and their values, every local
    name), counted as the scan counts them (the whole body, nested definitions included; a parameter, an
    augmented or loop target, a ``with`` / ``except`` / walrus / import name counts twice). ``None`` when the
    body holds a node the scan reads differently on libcst (``except*``): ``never_str`` is then unsure."""

    def build() -> Optional[tuple[dict[str, ast.expr], frozenset[str]]]:
        counts: dict[str, int] = {}
        exprs: dict[str, ast.expr] = {}

        def add(name: str, n: int) -> None:
            counts[name] = counts.get(name, 0) + n

        args = func.args
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if a is not None:
                add(a.arg, 2)
        for stmt in func.body:
            for node in ast_walk(stmt):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    add(node.name, 1)
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        for n in _bound(target):
                            add(n, 1)
                            if isinstance(target, ast.Name) and len(node.targets) == 1:
                                exprs[n] = node.value
                            else:
                                add(n, 1)
                elif isinstance(node, ast.AnnAssign):
                    for n in _bound(node.target):
                        add(n, 1)
                        if node.value is not None:
                            exprs[n] = node.value
                elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension, ast.NamedExpr)):
                    for n in _bound(node.target):
                        add(n, 2)
                elif isinstance(node, ast.withitem):
                    if node.optional_vars is not None:
                        for n in _bound(node.optional_vars):
                            add(n, 2)
                elif isinstance(node, ast.ExceptHandler):
                    if node.name:
                        add(node.name, 2)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    for alias in node.names:
                        if alias.name != "*":
                            add(alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name), 2)
                elif getattr(ast, "TryStar", None) is not None and isinstance(node, ast.TryStar):
                    return None
        return {n: v for n, v in exprs.items() if counts.get(n) == 1}, frozenset(counts)

    return facts.cached(("alembic.function_scope", id(func)), build)


def never_str(expr: Optional[ast.expr], facts: TreeFacts, func: Any) -> bool:
    """Whether ``Env.resolve_str`` in ``func``'s own scope (``upgrade()``, a batch block in it) certainly gives
    no string (``None`` or ``DYNAMIC``: ``env_kind``)."""
    return env_kind(expr, facts, func) in ("none", "dynamic")


def env_kind(expr: Optional[ast.expr], facts: TreeFacts, func: Any, resolving: frozenset = frozenset()) -> str:
    """What ``Env.resolve_str`` in ``func``'s own scope gives: ``"none"`` (no argument, ``None``),
    ``"dynamic"`` (``DYNAMIC`` for certain: another constant, a call but ``op.f(...)`` and the other
    ``NAME_WRAPPERS``, a subscript, an attribute, a list, a local bound more than once or to such a value),
    or ``"unsure"`` (a string, or the screen cannot tell: a module name, ``+``, f-strings)."""
    if expr is None:
        return "none"
    if isinstance(expr, ast.Constant):
        return "none" if expr.value is None else "unsure" if isinstance(expr.value, str) else "dynamic"
    if isinstance(expr, ast.Name):
        scope = function_scope(facts, func)
        if scope is None:
            return "unsure"
        exprs, names = scope
        if expr.id in exprs:
            return "dynamic" if expr.id in resolving else env_kind(exprs[expr.id], facts, func, resolving | {expr.id})
        return "dynamic" if expr.id in names else "unsure"  # a local bound more than once; else a module name
    if isinstance(expr, ast.Call):
        func_expr = expr.func
        tail = func_expr.attr if isinstance(func_expr, ast.Attribute) else func_expr.id if isinstance(func_expr, ast.Name) else ""
        if tail not in NAME_WRAPPERS:
            return "dynamic"
        if expr.args:
            first = expr.args[0]
            return "unsure" if isinstance(first, ast.Starred) else env_kind(first, facts, func, resolving)
        # ``f(name=...)``: a keyword first; ``f(**kw)``: unsure
        return "unsure" if any(kw.arg is None for kw in expr.keywords) else "dynamic"
    if isinstance(expr, ast.BinOp):
        return "unsure" if isinstance(expr.op, ast.Add) else "dynamic"
    return "unsure" if isinstance(expr, ast.JoinedStr) else "dynamic"


def off_postgres(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """The revision runs on another database than Postgres, as the lock rules' visitors read it
    (``knowledge.alembic.dialect.dialect_of``): from the ``migration-dialect`` setting, else from the linted
    path (the engine's ``ProjectProbe.linted_path``: prefect's ``versions/sqlite/``), the project's pins and the
    file; without a path (no project index), the setting alone."""
    setting = getattr(settings, "migration_dialect", None)
    if setting:
        return setting != POSTGRESQL
    path = getattr(project, "linted_path", None) if project is not None else None
    return isinstance(path, str) and dialect_of(settings, path, facts.source) != POSTGRESQL


# -- ``op`` is Alembic's ------------------------------------------------------------------------------------


def _scope_nodes(facts: TreeFacts) -> list[ast.AST]:
    """The nodes whose bindings can change what ``op`` means in ``upgrade``/``downgrade``: the module's
    own scope and those two functions whole. Other functions and classes are entered only for their
    name (``def op``) and the expressions evaluated at the module level; their bodies bind locally."""
    upgrade, downgrade = revision_functions(facts)
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(facts.tree.body)
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and node is not upgrade and node is not downgrade:
            stack.extend(getattr(node, "decorator_list", ()))
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.ClassDef):
            stack.extend(node.decorator_list)
            stack.extend(node.bases)
            stack.extend(k.value for k in node.keywords)
            continue
        stack.extend(ast_children(node))
    return out


def _imports_alembic_op(stmt: ast.stmt) -> bool:
    """``from alembic import op`` or ``import alembic.op as op``."""
    if isinstance(stmt, ast.ImportFrom):
        return stmt.module == "alembic" and stmt.level == 0 and any(a.name == "op" and a.asname is None for a in stmt.names)
    if isinstance(stmt, ast.Import):
        return any(a.name == "alembic.op" and a.asname == "op" for a in stmt.names)
    return False


def op_is_alembic(facts: TreeFacts) -> bool:
    """``op`` in ``upgrade``/``downgrade`` is Alembic's (a top-level import) and nothing
    else binds that name there or at the module level (helpers taking an ``op`` parameter are fine)."""
    return facts.cached("alembic.op_is_alembic", lambda: _op_is_alembic(facts))


def _op_is_alembic(facts: TreeFacts) -> bool:
    if not any(_imports_alembic_op(stmt) for stmt in facts.tree.body):
        return False
    if any("op" in n.names for n in facts.nodes(ast.Global)):
        return False
    match_kinds = tuple(k for k in (getattr(ast, "MatchAs", None), getattr(ast, "MatchStar", None)) if k is not None)
    for node in _scope_nodes(facts):
        if isinstance(node, ast.Name):
            if node.id == "op" and not isinstance(node.ctx, ast.Load):
                return False
        elif isinstance(node, ast.Import):
            if any((a.asname or a.name.split(".")[0]) == "op" and a.name != "alembic.op" for a in node.names):
                return False
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                if (a.asname or a.name) == "op" and not (node.module == "alembic" and node.level == 0 and a.name == "op"):
                    return False
        elif isinstance(node, ast.arg):
            if node.arg == "op":
                return False
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)):
            if node.name == "op":
                return False
        elif match_kinds and isinstance(node, match_kinds):
            if node.name == "op":  # type: ignore[attr-defined]
                return False
    return True
