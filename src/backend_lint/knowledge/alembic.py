"""Alembic revision modules, shared by family 4 (every migration can be rolled back).

What lives here:

- ``revision_module``: the module's header (``revision``, ``down_revision``), ``upgrade()``, ``downgrade()``
  and module-level constants, read from the top level only.
- ``is_noop_body`` / ``unconditional_raise``: the do-nothing and always-raising bodies (BKL402, BKL403).
- ``analyse``: ``upgrade()`` and ``downgrade()`` read as lists of Alembic operations (``op.*`` and
  ``batch_op.*`` inside ``with op.batch_alter_table(...)``), with names resolved statically (literals,
  ``op.f("...")``, module constants, single-assignment locals). What the analysis cannot see through
  (``op.execute`` SQL, loops, helper functions, names computed at run time) is summed up as *mentions*
  (string literals it names) and *wildcards* (kinds of objects it might touch): they silence claims.
- ``mirror_findings``: upgrade operations whose inverse is missing from ``downgrade()`` (BKL404), by a
  small symbolic simulation of both functions over schema objects with identities (so renames are
  followed, a dropped table covers what it holds, and a drop undone by a re-create under the same name is
  told apart from a rename undone by drop-and-add).
- ``downgrade_fix``: the unsafe fix of BKL401/BKL402, a ``downgrade()`` written from ``upgrade()`` with
  inverse operations in reverse order, or the reason why none can be written.

Nothing is imported or run: everything is read from the libcst tree.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

import libcst as cst

from ..values import Edit, Fix
from .alembic_ops import ALIASES as _ALIASES
from .alembic_ops import LOG_METHODS as _LOG_METHODS
from .alembic_ops import NAME_WRAPPERS as _NAME_WRAPPERS
from .alembic_ops import OP_METHODS
from .alembic_ops import PARAMS as _PARAMS
from .alembic_ops import TABLE_PARAM as _TABLE_PARAM
from .imports import dotted_name

# ---------------------------------------------------------------------------------------------------------
# The module header
# ---------------------------------------------------------------------------------------------------------


class _Dynamic:
    """A value the analysis cannot know statically."""

    _instance: Optional["_Dynamic"] = None

    def __new__(cls) -> "_Dynamic":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "DYNAMIC"

    def __bool__(self) -> bool:
        return False


DYNAMIC: Any = _Dynamic()


@dataclass
class RevisionModule:
    module: Optional[cst.Module] = None
    revision: object = None
    down_revision: object = None  # str, tuple of str, None, or ... when not a literal
    revision_node: Optional[cst.CSTNode] = None
    down_revision_node: Optional[cst.CSTNode] = None
    upgrade: Optional[cst.FunctionDef] = None
    downgrade: Optional[cst.FunctionDef] = None
    # ``downgrade`` bound some other way (``from .common import downgrade``, ``downgrade = upgrade``)
    downgrade_bound: bool = False
    extra_functions: dict = field(default_factory=dict)
    # module-level names assigned exactly once: name -> value expression
    constants: dict = field(default_factory=dict)
    # module-level names bound more than once, or by import / def / class
    other_names: set = field(default_factory=set)

    @property
    def is_merge(self) -> bool:
        return isinstance(self.down_revision, tuple) and len(self.down_revision) > 1


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.ConcatenatedString):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    if isinstance(node, (cst.Tuple, cst.List)):
        return tuple(_literal(e.value) for e in node.elements)
    return ...


def _bound_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: list[str] = []
        for e in target.elements:
            out.extend(_bound_names(e.value))
        return out
    if isinstance(target, cst.StarredElement):
        return _bound_names(target.value)
    return []


def revision_module(module: cst.Module) -> RevisionModule:
    """Read the module's top level (cheap: statements only, no traversal)."""
    info = RevisionModule(module=module)
    counts: dict[str, int] = {}

    def bind(name: str, value: Optional[cst.BaseExpression]) -> None:
        counts[name] = counts.get(name, 0) + 1
        if value is not None and counts[name] == 1:
            info.constants[name] = value
        else:
            info.constants.pop(name, None)
            if counts[name] > 1:
                info.other_names.add(name)

    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            bind(stmt.name.value, None)
            if stmt.name.value == "upgrade":
                info.upgrade = stmt
            elif stmt.name.value == "downgrade":
                info.downgrade = stmt
            else:
                info.extra_functions[stmt.name.value] = stmt
        elif isinstance(stmt, cst.ClassDef):
            bind(stmt.name.value, None)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    if isinstance(small.names, cst.ImportStar):
                        continue
                    for alias in small.names:
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            local = alias.asname.name.value
                        else:
                            dotted = _dotted(alias.name) or ""
                            local = dotted.split(".")[0] if isinstance(small, cst.Import) else dotted
                        bind(local, None)
                        if local == "downgrade":
                            info.downgrade_bound = True
                    continue
                target = value = None
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        names = _bound_names(t.target)
                        for n in names:
                            bind(n, small.value if len(small.targets) == 1 and isinstance(t.target, cst.Name) else None)
                            if n == "downgrade":
                                info.downgrade_bound = True
                    if len(small.targets) == 1:
                        target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign):
                    for n in _bound_names(small.target):
                        bind(n, small.value)
                        if n == "downgrade" and small.value is not None:
                            info.downgrade_bound = True
                    if small.value is not None:
                        target, value = small.target, small.value
                if isinstance(target, cst.Name) and value is not None:
                    if target.value == "revision":
                        info.revision = _literal(value)
                        info.revision_node = stmt
                    elif target.value == "down_revision":
                        info.down_revision = _literal(value)
                        info.down_revision_node = stmt
        elif isinstance(stmt, (cst.If, cst.Try)):
            # names bound under ``if``/``try`` at module level are not constants we can rely on
            for node in _walk_statements(stmt):
                if isinstance(node, cst.FunctionDef):
                    bind(node.name.value, None)
                    if node.name.value == "downgrade":
                        info.downgrade_bound = True
                elif isinstance(node, cst.Assign):
                    for t in node.targets:
                        for n in _bound_names(t.target):
                            bind(n, None)
                            if n == "downgrade":
                                info.downgrade_bound = True
                elif isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar):
                    for alias in node.names:
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            bind(alias.asname.name.value, None)
                        else:
                            dotted = _dotted(alias.name) or ""
                            bind(dotted.split(".")[0] if isinstance(node, cst.Import) else dotted, None)
    return info


def _value_nodes(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Nodes below ``node`` that are values: attribute names and keyword names are skipped."""
    from .cst import iter_children

    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, cst.Attribute):
            stack.append(cur.value)
        elif isinstance(cur, cst.Arg):
            stack.append(cur.value)
        else:
            stack.extend(iter_children(cur))


def _walk_statements(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Statements and small statements below ``node`` (not into nested defs)."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, cst.SimpleStatementLine):
            stack.extend(cur.body)
        elif isinstance(cur, (cst.If, cst.Else, cst.Try, cst.ExceptHandler, cst.Finally, cst.With, cst.For, cst.While)):
            body = getattr(cur, "body", None)
            if isinstance(body, cst.IndentedBlock):
                stack.extend(body.body)
            elif isinstance(body, cst.SimpleStatementSuite):
                stack.extend(body.body)
            for attr in ("orelse", "handlers", "finalbody"):
                sub = getattr(cur, attr, None)
                if sub is None:
                    continue
                if isinstance(sub, (list, tuple)):
                    stack.extend(sub)
                else:
                    stack.append(sub)


def revision_info(ctx) -> RevisionModule:
    """Shared per file through ``ctx.cached``."""
    return ctx.cached("alembic.revision_module", lambda: revision_module(ctx.module))


def body_statements(func: cst.FunctionDef) -> list[cst.BaseStatement]:
    body = func.body
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    return [cst.SimpleStatementLine(body=list(body.body))]  # ``def downgrade(): pass`` on one line


_dotted = dotted_name  # the shared resolver of ``a.b.c`` names


# ---------------------------------------------------------------------------------------------------------
# Do-nothing and always-raising bodies
# ---------------------------------------------------------------------------------------------------------



def _is_print_or_log(call: cst.Call) -> bool:
    """``print(...)``, ``logger.info(...)``, ``logging.warning(...)``, ``warnings.warn(...)``, ``click.echo``."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in ("print", "pprint")
    if isinstance(func, cst.Attribute):
        dotted = _dotted(func)
        if dotted in ("warnings.warn", "click.echo", "click.secho", "sys.stdout.write", "sys.stderr.write"):
            return True
        if func.attr.value in _LOG_METHODS:
            root = func.value
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and "log" in root.value.lower():
                return True
            if isinstance(root, cst.Call) and _dotted(root.func) in ("logging.getLogger",):
                return True
    return False


def _noop_small(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Pass):
        return True
    if isinstance(small, cst.Return) and small.value is None:
        return True
    if isinstance(small, cst.Expr):
        v = small.value
        if isinstance(v, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return True
        if isinstance(v, cst.Call) and _is_print_or_log(v):
            return True
    return False


def _noop_block(block: Union[cst.BaseSuite, Any]) -> bool:
    if isinstance(block, cst.SimpleStatementSuite):
        return all(_noop_small(s) for s in block.body)
    if isinstance(block, cst.IndentedBlock):
        return all(_noop_statement(s) for s in block.body)
    return False


def _noop_statement(stmt: cst.CSTNode) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(_noop_small(s) for s in stmt.body)
    if isinstance(stmt, cst.If):
        if not _noop_block(stmt.body):
            return False
        orelse = stmt.orelse
        if orelse is None:
            return True
        if isinstance(orelse, cst.If):
            return _noop_statement(orelse)
        return _noop_block(orelse.body)
    if isinstance(stmt, cst.With):
        return _noop_block(stmt.body)
    if isinstance(stmt, cst.Try):
        return (
            _noop_block(stmt.body)
            and all(_noop_block(h.body) for h in stmt.handlers)
            and (stmt.orelse is None or _noop_block(stmt.orelse.body))
            and (stmt.finalbody is None or _noop_block(stmt.finalbody.body))
        )
    return False


def is_noop_body(func: cst.FunctionDef) -> bool:
    """Nothing happens to the schema: ``pass``, ``...``, a docstring, comments, a bare ``return``,
    ``print``/logging calls, and ``if``/``with``/``try`` blocks made only of those."""
    body = func.body
    if isinstance(body, cst.SimpleStatementSuite):
        return all(_noop_small(s) for s in body.body)
    return all(_noop_statement(s) for s in body.body)  # type: ignore[union-attr]


def _contains_return(node: cst.CSTNode) -> bool:
    from .cst import iter_children

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Return):
            return True
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and n is not node:
            continue
        stack.extend(iter_children(n))
    return False


def unconditional_raise(func: cst.FunctionDef) -> Optional[cst.Raise]:
    """The first top-level ``raise`` of ``func`` when nothing before it can return; else ``None``.

    A ``raise`` behind a data check or a dialect branch (inside ``if``/``try``/``for``) is not unconditional.
    """
    for stmt in body_statements(func):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Raise):
                    return small
                if isinstance(small, cst.Return):
                    return None
            continue
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        if _contains_return(stmt):
            return None
    return None


# ---------------------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------------------

# The operations' parameters and keyword aliases live in ``alembic_ops`` (shared with the ``ast`` screens).
_CREATE_CONSTRAINT = frozenset(
    {"create_foreign_key", "create_unique_constraint", "create_check_constraint", "create_primary_key", "create_exclude_constraint"}
)
_DROP_METHODS = frozenset({"drop_table", "drop_column", "drop_index", "drop_constraint", "drop_table_comment"})
_HARMLESS_OP_METHODS = frozenset(
    {"f", "get_bind", "get_context", "inline_literal", "bulk_insert", "implementation_for", "register_operation"}
)
_EXECUTE_METHODS = frozenset({"execute", "exec_driver_sql", "executescript", "executemany"})
_DDL_OBJECT_METHODS = frozenset({"drop", "drop_all", "create", "create_all"})
_HARMLESS_MODULES = frozenset(
    {
        "sqlalchemy", "sqlmodel", "logging", "json", "datetime", "uuid", "re", "time", "textwrap", "itertools",
        "functools", "collections", "typing", "typing_extensions", "contextlib", "warnings", "os", "sys",
        "pathlib", "enum", "decimal", "math", "copy", "hashlib", "base64", "string", "operator", "dataclasses",
        "pprint", "random", "secrets", "traceback", "builtins", "click", "zoneinfo", "pytz", "dateutil",
        "alembic", "csv", "io", "struct", "binascii", "ipaddress", "urllib",
    }
)
_BUILTINS = frozenset(dir(builtins))
_DDL_WORDS = re.compile(r"\b(drop|alter|create|rename|truncate|comment)\b", re.I)
_DML_TEXT = re.compile(r"\s*(\(\s*)*(with\b.*?\b)?(update|insert|delete|select|merge)\b", re.I | re.S)
_TYPE_NAMES = frozenset({"Enum", "ENUM", "Sequence", "Identity"})


@dataclass
class Batch:
    """A ``with op.batch_alter_table(...) as batch_op:`` block."""

    with_node: cst.With
    call: cst.Call
    as_name: Optional[str]
    table: cst.BaseExpression | None
    schema: Optional[cst.BaseExpression]
    receiver: cst.BaseExpression
    env: Any = None


@dataclass
class Op:
    method: str
    call: cst.Call
    receiver: cst.BaseExpression
    batch: Optional[Batch]
    params: dict
    kwargs: dict
    in_loop: bool
    env: "Env"
    stmt: Optional[cst.CSTNode] = None
    unpacked: bool = False  # ``*args`` / ``**kwargs``: names unknown
    # branches the op sits in: ((id of the if/try statement, arm), ...); ops in different arms of the same
    # statement are alternatives (``try: rename`` / ``except: rename again``)
    path: tuple = ()
    guards: tuple = ()  # ``if`` tests around the op, with their env

    def signature(self) -> tuple:
        return (self.method, self.schema, self.table, self.name, self.new_name, self.batch is not None)

    def guard_strings(self) -> list[str]:
        out: list[str] = []
        for test, env in self.guards:
            out.extend(s.lower() for s in env.strings_in(test))
        return out

    # -- resolved values ---------------------------------------------------------------------------------
    def arg(self, name: str) -> Optional[cst.BaseExpression]:
        return self.params.get(name)

    def str_arg(self, name: str) -> object:
        expr = self.params.get(name)
        if expr is None:
            return None
        return self.env.resolve_str(expr)

    @property
    def table(self) -> object:
        if self.batch is not None:
            return self.env.resolve_str(self.batch.table) if self.batch.table is not None else DYNAMIC
        return self.str_arg(_TABLE_PARAM.get(self.method, "table_name"))

    @property
    def schema(self) -> object:
        expr = self.batch.schema if self.batch is not None else self.kwargs.get("schema")
        if self.method == "create_foreign_key" and self.batch is None:
            expr = self.kwargs.get("source_schema")
        if expr is None:
            return None
        value = self.env.resolve_str(expr)
        if value is DYNAMIC:
            return "<" + self.env.code(expr) + ">"
        return value

    @property
    def name(self) -> object:
        """The object's own name: index, constraint, or column name; the table for table ops."""
        m = self.method
        if m in ("create_index", "drop_index"):
            return self.str_arg("index_name")
        if m in _CREATE_CONSTRAINT or m == "drop_constraint":
            return self.str_arg("constraint_name")
        if m in ("drop_column", "alter_column"):
            return self.str_arg("column_name")
        if m == "add_column":
            col = self.params.get("column")
            return column_name_of(col, self.env) if col is not None else DYNAMIC
        return self.table

    @property
    def columns(self) -> Optional[list]:
        expr = self.params.get("local_cols" if self.method == "create_foreign_key" else "columns")
        if expr is None:
            return None
        return self.env.resolve_str_list(expr)

    @property
    def new_name(self) -> object:
        if self.method == "rename_table":
            return self.str_arg("new_table_name")
        if self.method == "alter_column":
            expr = self.kwargs.get("new_column_name")
            return self.env.resolve_str(expr) if expr is not None else None
        return None

    def describe(self) -> str:
        return f"{self.env.code(self.receiver)}.{self.method}"


def column_name_of(expr: cst.BaseExpression, env: "Env") -> object:
    """``sa.Column("name", ...)`` -> ``"name"``."""
    if isinstance(expr, cst.Call):
        dotted = _dotted(expr.func) or ""
        if dotted.split(".")[-1] in ("Column", "mapped_column"):
            for a in expr.args:
                if a.keyword is None and a.star == "":
                    return env.resolve_str(a.value)
                if a.keyword is not None and a.keyword.value == "name":
                    return env.resolve_str(a.value)
            return DYNAMIC
    return DYNAMIC


def _bind_params(method: str, call: cst.Call, batch: bool) -> Optional[tuple[dict, dict]]:
    names = list(_PARAMS[method])
    if batch:
        names = [n for n in names if n not in ("table_name", "source_table")]
    aliases = _ALIASES.get(method, {})
    params: dict = {}
    kwargs: dict = {}
    pos = 0
    for a in call.args:
        if a.star == "*":
            if method == "create_table" and pos >= 1:
                continue
            return None
        if a.star == "**":
            return None
        if a.keyword is None:
            if pos < len(names):
                params[names[pos]] = a.value
            pos += 1
            continue
        kw = a.keyword.value
        kw = aliases.get(kw, kw)
        if kw in names:
            params[kw] = a.value
        else:
            kwargs[kw] = a.value
    return params, kwargs


# ---------------------------------------------------------------------------------------------------------
# Static resolution environment
# ---------------------------------------------------------------------------------------------------------


class Env:
    """Names visible in one function: module constants, single-assignment locals, bound parameters."""

    def __init__(self, info: RevisionModule, ctx: Any, func: Optional[cst.FunctionDef], parent: Optional["Env"] = None) -> None:
        self.info = info
        self.ctx = ctx
        self.func = func
        self.parent = parent
        self.values: dict[str, object] = {}  # bound parameters: resolved values
        self.exprs: dict[str, cst.BaseExpression] = {}  # single assignment locals
        self.locals: set[str] = set()  # every local name
        self.imports: dict[str, str] = {}  # function-level imports: local -> qualified
        self.functions: dict[str, cst.FunctionDef] = {}  # nested defs
        self.batch: dict[str, Batch] = {}  # batch receivers in scope
        self.op_aliases: set[str] = set()  # parameters bound to ``op`` (a helper called with ``op``)
        self._resolving: set[str] = set()
        if func is not None:
            self._scan(func)

    # -- scanning ----------------------------------------------------------------------------------------
    def _scan(self, func: cst.FunctionDef) -> None:
        counts: dict[str, int] = {}
        params = func.params
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.locals.add(p.name.value)
            counts[p.name.value] = 2
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                self.locals.add(p.name.value)
                counts[p.name.value] = 2
        from .cst import walk

        for node in walk(func.body):
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                self.locals.add(node.name.value)
                counts[node.name.value] = counts.get(node.name.value, 0) + 1
                if isinstance(node, cst.FunctionDef):
                    self.functions[node.name.value] = node
            elif isinstance(node, cst.Assign):
                for t in node.targets:
                    for n in _bound_names(t.target):
                        self.locals.add(n)
                        counts[n] = counts.get(n, 0) + 1
                        if isinstance(t.target, cst.Name) and len(node.targets) == 1:
                            self.exprs[n] = node.value
                        else:
                            counts[n] += 1
            elif isinstance(node, cst.AnnAssign):
                for n in _bound_names(node.target):
                    self.locals.add(n)
                    counts[n] = counts.get(n, 0) + 1
                    if node.value is not None:
                        self.exprs[n] = node.value
            elif isinstance(node, (cst.AugAssign,)):
                for n in _bound_names(node.target):
                    self.locals.add(n)
                    counts[n] = counts.get(n, 0) + 2
            elif isinstance(node, (cst.For, cst.CompFor)):
                for n in _bound_names(node.target):
                    self.locals.add(n)
                    counts[n] = counts.get(n, 0) + 2
            elif isinstance(node, cst.WithItem) and node.asname is not None:
                for n in _bound_names(node.asname.name):
                    self.locals.add(n)
                    counts[n] = counts.get(n, 0) + 2
            elif isinstance(node, cst.ExceptHandler) and node.name is not None:
                for n in _bound_names(node.name.name):
                    self.locals.add(n)
                    counts[n] = counts.get(n, 0) + 2
            elif isinstance(node, cst.NamedExpr):
                for n in _bound_names(node.target):
                    self.locals.add(n)
                    counts[n] = counts.get(n, 0) + 2
            elif isinstance(node, (cst.Import, cst.ImportFrom)):
                if isinstance(node.names, cst.ImportStar):
                    continue
                base = ""
                if isinstance(node, cst.ImportFrom):
                    base = ("." * len(node.relative)) + (_dotted(node.module) or "")
                for alias in node.names:
                    dotted = _dotted(alias.name) or ""
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        local = alias.asname.name.value
                        target = f"{base}.{dotted}" if base else dotted
                    elif isinstance(node, cst.Import):
                        local = dotted.split(".")[0]
                        target = local
                    else:
                        local = dotted
                        target = f"{base}.{dotted}" if base else dotted
                    self.locals.add(local)
                    self.imports[local] = target
                    counts[local] = counts.get(local, 0) + 2
        for name, n in counts.items():
            if n != 1:
                self.exprs.pop(name, None)

    # -- helpers -------------------------------------------------------------------------------------------
    def code(self, node: cst.CSTNode) -> str:
        module = self.info.module or cst.Module(body=[])
        return module.code_for_node(node)

    def is_local(self, name: str) -> bool:
        return name in self.locals or name in self.values

    def qualified(self, expr: cst.BaseExpression) -> Optional[str]:
        """Qualified name of a dotted expression, through function-level then module-level imports."""
        parts: list[str] = []
        cur = expr
        while isinstance(cur, cst.Attribute):
            parts.append(cur.attr.value)
            cur = cur.value
        if not isinstance(cur, cst.Name):
            return None
        head = cur.value
        env: Optional[Env] = self
        while env is not None:
            if head in env.imports:
                parts.append(env.imports[head])
                return ".".join(reversed(parts))
            if env.is_local(head):
                return None
            env = env.parent
        try:
            q = self.ctx.qualified_name(expr) if self.ctx is not None and self.ctx.module is not None else None
        except Exception:  # pragma: no cover - defensive
            q = None
        return q

    # -- resolution ----------------------------------------------------------------------------------------
    def lookup(self, name: str) -> object:
        """Resolved value of a bare name: str, None, list of str, or DYNAMIC."""
        if name in ("None",):
            return None
        env: Optional[Env] = self
        while env is not None:
            if name in env.values:
                return env.values[name]
            if name in env.exprs:
                if name in env._resolving:
                    return DYNAMIC
                env._resolving.add(name)
                try:
                    return env.resolve_value(env.exprs[name])
                finally:
                    env._resolving.discard(name)
            if name in env.locals:
                return DYNAMIC
            env = env.parent
        if name in self.info.constants and name not in self.info.other_names:
            module_env = _module_env(self.info, self.ctx)
            if name in module_env._resolving:
                return DYNAMIC
            module_env._resolving.add(name)
            try:
                return module_env.resolve_value(self.info.constants[name])
            finally:
                module_env._resolving.discard(name)
        return DYNAMIC

    def resolve_value(self, expr: cst.BaseExpression) -> object:
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            try:
                value = expr.evaluated_value
            except Exception:  # pragma: no cover - odd prefixes
                return DYNAMIC
            return value if isinstance(value, str) else DYNAMIC
        if isinstance(expr, cst.FormattedString):
            parts = []
            for p in expr.parts:
                if isinstance(p, cst.FormattedStringText):
                    parts.append(p.value)
                else:
                    v = self.resolve_value(p.expression)
                    if not isinstance(v, str):
                        return DYNAMIC
                    parts.append(v)
            return "".join(parts)
        if isinstance(expr, cst.Name):
            if expr.value == "None":
                return None
            return self.lookup(expr.value)
        if isinstance(expr, (cst.List, cst.Tuple)):
            out = []
            for e in expr.elements:
                if isinstance(e, cst.StarredElement):
                    return DYNAMIC
                v = self.resolve_value(e.value)
                if not isinstance(v, str):
                    return DYNAMIC
                out.append(v)
            return out
        if isinstance(expr, cst.Call):
            func = expr.func
            # op.f("name"), batch_op.f("name"), sa.schema.conv / conv("name"), quoted_name("x", ...)
            tail = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            if tail in _NAME_WRAPPERS and expr.args and expr.args[0].keyword is None:
                return self.resolve_value(expr.args[0].value)
            return DYNAMIC
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            left = self.resolve_value(expr.left)
            right = self.resolve_value(expr.right)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            return DYNAMIC
        return DYNAMIC

    def resolve_str(self, expr: cst.BaseExpression) -> object:
        v = self.resolve_value(expr)
        if v is None or isinstance(v, str):
            return v
        return DYNAMIC

    def resolve_str_list(self, expr: cst.BaseExpression) -> Optional[list]:
        v = self.resolve_value(expr)
        if isinstance(v, list):
            return v
        if isinstance(expr, (cst.List, cst.Tuple)):
            # a list with expressions (``sa.text("lower(name)")``): the string columns we can see
            out = []
            for e in expr.elements:
                if isinstance(e, cst.StarredElement):
                    return None
                s = self.resolve_value(e.value)
                out.append(s if isinstance(s, str) else DYNAMIC)
            return out
        return None

    def static_names(self, expr: cst.CSTNode) -> bool:
        """Every name in ``expr`` is known statically: module-level, or a local assigned from static parts."""
        for node in _value_nodes(expr):
            if isinstance(node, cst.Name):
                if node.value in ("None", "True", "False"):
                    continue
                if not self._static_name(node.value, 0):
                    return False
        return True

    def _static_name(self, name: str, depth: int) -> bool:
        if depth > 5:
            return False
        env: Optional[Env] = self
        if any(name in e.batch or name in e.op_aliases for e in _chain(self)):
            return True  # ``batch_op`` in ``batch_op.f("...")``: the same name in the mirrored block
        while env is not None:
            if name in env.values:
                return env.values[name] is not DYNAMIC
            if name in env.imports:
                return True
            if name in env.exprs:
                if name in env._resolving:
                    return False
                env._resolving.add(name)
                try:
                    return env.static_names(env.exprs[name])
                finally:
                    env._resolving.discard(name)
            if name in env.locals:
                return False
            env = env.parent
        return True  # module level (import, constant, function) or builtin

    def strings_in(self, expr: cst.CSTNode) -> list[str]:
        """String literals and resolvable names inside ``expr`` (for mentions)."""
        out: list[str] = []
        for node in _value_nodes(expr):
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
                try:
                    v = node.evaluated_value
                except Exception:  # pragma: no cover
                    continue
                if isinstance(v, str):
                    out.append(v)
            elif isinstance(node, cst.FormattedStringText):
                out.append(node.value)
            elif isinstance(node, cst.Name):
                v = self.lookup(node.value)
                if isinstance(v, str):
                    out.append(v)
                elif isinstance(v, list):
                    out.extend(x for x in v if isinstance(x, str))
        return out


def _module_env(info: RevisionModule, ctx: Any) -> Env:
    cache = getattr(info, "_module_env", None)
    if cache is None:
        cache = Env(info, ctx, None)
        info._module_env = cache  # type: ignore[attr-defined]
    return cache


# ---------------------------------------------------------------------------------------------------------
# Reading a function
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Item:
    """A top-level piece of ``upgrade()`` for the fix: an op, a batch block, something skippable, or other."""

    kind: str  # "op", "batch", "skip", "other"
    node: cst.CSTNode
    op: Optional[Op] = None
    batch: Optional[Batch] = None
    children: list = field(default_factory=list)
    reason: str = ""


@dataclass
class FunctionFacts:
    ops: list[Op] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    # what the opaque parts may do: "all", or (action, kind) pairs such as ("drop", "index")
    wildcard: set = field(default_factory=set)
    mentions: list[str] = field(default_factory=list)
    # SQL text (lower case) executed, for drops written in SQL
    sql: list[tuple[str, int]] = field(default_factory=list)
    order: int = 0
    why: list[str] = field(default_factory=list)  # what made a wildcard (for debugging and tests)

    def wild(self, reason: str, what: Any = "all") -> None:
        self.wildcard.add(what)
        self.why.append(reason)


class _Reader:
    """Reads one function into ``FunctionFacts``; local helper functions are read in place (downgrade)."""

    def __init__(self, info: RevisionModule, ctx: Any, inline_helpers: bool) -> None:
        self.info = info
        self.ctx = ctx
        self.inline_helpers = inline_helpers
        self.facts = FunctionFacts()
        self._stack: list[str] = []
        self._counter = 0
        self._path: list[tuple[int, int]] = []
        self._guards: list[tuple[cst.BaseExpression, Env]] = []

    # -- entry -------------------------------------------------------------------------------------------
    def read(self, func: cst.FunctionDef) -> FunctionFacts:
        env = Env(self.info, self.ctx, func)
        self._stack.append(func.name.value)
        self.facts.items = self._block(body_statements(func), env, loop=False, top=True)
        self._stack.pop()
        return self.facts

    # -- statements --------------------------------------------------------------------------------------
    def _block(self, stmts: Iterable[cst.CSTNode], env: Env, loop: bool, top: bool = False) -> list[Item]:
        items: list[Item] = []
        for stmt in stmts:
            items.extend(self._statement(stmt, env, loop, top))
        return items

    def _suite(self, suite: Any, env: Env, loop: bool) -> list[Item]:
        if isinstance(suite, cst.IndentedBlock):
            return self._block(suite.body, env, loop)
        if isinstance(suite, cst.SimpleStatementSuite):
            return self._block([cst.SimpleStatementLine(body=list(suite.body))], env, loop)
        return []

    def _statement(self, stmt: cst.CSTNode, env: Env, loop: bool, top: bool) -> list[Item]:
        if isinstance(stmt, cst.SimpleStatementLine):
            out = []
            for small in stmt.body:
                out.append(self._small(small, stmt, env, loop))
            return out
        if isinstance(stmt, cst.With):
            batch = self._batch_header(stmt, env)
            if batch is not None:
                inner = Env(self.info, self.ctx, None, parent=env)
                inner.batch = dict(env.batch)
                if batch.as_name:
                    inner.batch[batch.as_name] = batch
                inner.locals = set()
                children = self._suite(stmt.body, inner, loop)
                return [Item("batch", stmt, batch=batch, children=children)]
            for wi in stmt.items:
                self._expression(wi.item, env, header=True)
            children = self._suite(stmt.body, env, loop)
            return [Item("other", stmt, children=children, reason="a `with` block")]
        if isinstance(stmt, cst.If):
            children = []
            guards = len(self._guards)
            arm = 0
            cur: Any = stmt
            while True:
                self._expression(cur.test, env, header=True)
                self._guards.append((cur.test, env))
                children += self._arm(stmt, arm, cur.body, env, loop)
                arm += 1
                orelse = cur.orelse
                if isinstance(orelse, cst.If):
                    cur = orelse
                    continue
                if isinstance(orelse, cst.Else):
                    children += self._arm(stmt, arm, orelse.body, env, loop)
                break
            del self._guards[guards:]
            return [Item("other", stmt, children=children, reason="an `if` block")]
        if isinstance(stmt, cst.Try):
            children = self._arm(stmt, 0, stmt.body, env, loop)
            for i, h in enumerate(stmt.handlers):
                children += self._arm(stmt, i + 1, h.body, env, loop)
            if stmt.orelse is not None:
                children += self._arm(stmt, 0, stmt.orelse.body, env, loop)
            if stmt.finalbody is not None:
                children += self._suite(stmt.finalbody.body, env, loop)
            return [Item("other", stmt, children=children, reason="a `try` block")]
        if isinstance(stmt, cst.For) and self.inline_helpers and isinstance(stmt.target, cst.Name):
            values = env.resolve_value(stmt.iter)
            if isinstance(values, list) and 0 < len(values) <= 50:
                # ``for name in ["a", "b"]:`` in the downgrade: read the body once per value
                children = []
                for v in values:
                    inner = Env(self.info, self.ctx, None, parent=env)
                    inner.values[stmt.target.value] = v
                    children += self._suite(stmt.body, inner, loop)
                return [Item("other", stmt, children=children, reason="a loop")]
        if isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                self._expression(stmt.iter, env, header=True)
            else:
                self._expression(stmt.test, env, header=True)
            children = self._suite(stmt.body, env, True)
            if stmt.orelse is not None:
                children += self._suite(stmt.orelse.body, env, True)
            return [Item("other", stmt, children=children, reason="a loop")]
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return [Item("other", stmt, reason="a nested definition")]
        # match statements and anything newer: look inside for calls, claim nothing
        self._expression(stmt, env, header=False)
        return [Item("other", stmt, reason="a statement the fix cannot invert")]

    def _arm(self, stmt: cst.CSTNode, arm: int, suite: Any, env: Env, loop: bool) -> list[Item]:
        self._path.append((id(stmt), arm))
        try:
            return self._suite(suite, env, loop)
        finally:
            self._path.pop()

    def _batch_header(self, stmt: cst.With, env: Env) -> Optional[Batch]:
        if len(stmt.items) != 1:
            return None
        wi = stmt.items[0]
        call = wi.item
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return None
        if call.func.attr.value != "batch_alter_table" or not self._is_op(call.func.value, env):
            return None
        table = schema = None
        pos = 0
        for a in call.args:
            if a.keyword is None and a.star == "":
                if pos == 0:
                    table = a.value
                elif pos == 1:
                    schema = a.value
                pos += 1
            elif a.keyword is not None and a.keyword.value in ("table_name",):
                table = a.value
            elif a.keyword is not None and a.keyword.value == "schema":
                schema = a.value
        if isinstance(schema, cst.Name) and schema.value == "None":
            schema = None
        as_name = None
        if wi.asname is not None and isinstance(wi.asname.name, cst.Name):
            as_name = wi.asname.name.value
        return Batch(stmt, call, as_name, table, schema, call.func.value, env)

    def _small(self, small: cst.BaseSmallStatement, stmt: cst.SimpleStatementLine, env: Env, loop: bool) -> Item:
        if _noop_small(small) or isinstance(small, (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal)):
            return Item("skip", stmt)
        value = None
        if isinstance(small, cst.Expr):
            value = small.value
        elif isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            value = small.value
        elif isinstance(small, cst.Return):
            value = small.value
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self._expression(small.exc, env, header=True)
            return Item("other", stmt, reason="a `raise`")
        elif isinstance(small, cst.Del):
            return Item("other", stmt, reason="a `del`")
        else:
            self._expression(small, env, header=False)
            return Item("other", stmt, reason="a statement the fix cannot invert")
        if value is None:
            return Item("skip", stmt)
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call):
            op = self._op_call(value, env, loop, stmt)
            if op is not None:
                self._expression_args(value, env)
                if isinstance(small, cst.Expr):
                    return Item("op", stmt, op=op)
                return Item("other", stmt, op=op, reason=f"the result of `{op.describe()}` is used")
        if isinstance(small, cst.Expr) and isinstance(value, cst.Call):
            # a call made for its effect: a helper here may change the schema
            self._opaque_call(value, env, header=False)
            self._expression_args(value, env)
            if isinstance(value.func, cst.Attribute):
                self._expression(value.func.value, env, header=True)
        else:
            # a call made for its value (``session = db.Session(bind)``, ``x = json.loads(s)``)
            self._expression(value, env, header=True)
        if isinstance(small, cst.Expr) and isinstance(value, cst.Call):
            func = value.func
            if isinstance(func, cst.Attribute) and self._is_op(func.value, env) and func.attr.value == "execute":
                return Item("other", stmt, reason="`op.execute` runs SQL the fix cannot invert")
        return Item("other", stmt, reason=f"`{_short(env.code(small))}`, which the fix cannot invert")

    # -- calls -------------------------------------------------------------------------------------------
    def _is_op(self, expr: cst.BaseExpression, env: Env) -> bool:
        if isinstance(expr, cst.Name):
            if any(expr.value in e.op_aliases for e in _chain(env)):
                return True
            q = env.qualified(expr)
            if q is not None:
                return q == "alembic.op"
            # unbound ``op`` in a revision module: the Alembic proxy (star imports, generated templates)
            return expr.value == "op" and not any(expr.value in e.locals for e in _chain(env))
        q = env.qualified(expr)
        return q == "alembic.op"

    def _batch_of(self, expr: cst.BaseExpression, env: Env) -> Optional[Batch]:
        if isinstance(expr, cst.Name):
            e: Optional[Env] = env
            while e is not None:
                if expr.value in e.batch:
                    return e.batch[expr.value]
                e = e.parent
        return None

    def _op_call(self, call: cst.Call, env: Env, loop: bool, stmt: Optional[cst.CSTNode]) -> Optional[Op]:
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        if method not in OP_METHODS:
            return None
        batch = self._batch_of(func.value, env)
        if batch is None and not self._is_op(func.value, env):
            return None
        if batch is not None and method in ("create_table", "drop_table", "rename_table"):
            return None
        bound = _bind_params(method, call, batch is not None)
        if bound is None:
            op = Op(method, call, func.value, batch, {}, {}, True, env, stmt, unpacked=True)
        else:
            op = Op(method, call, func.value, batch, bound[0], bound[1], loop, env, stmt)
        op.path = tuple(self._path)
        op.guards = tuple(self._guards)
        self.facts.ops.append(op)
        return op

    def _expression_args(self, call: cst.Call, env: Env) -> None:
        for a in call.args:
            self._expression(a.value, env, header=True)

    def _expression(self, expr: cst.CSTNode, env: Env, header: bool) -> None:
        """Classify every call inside an opaque expression (``header``: a condition or a ``with`` item)."""
        from .cst import walk

        for node in walk(expr):
            if isinstance(node, cst.Call):
                self._opaque_call(node, env, header)
            elif isinstance(node, (cst.Lambda,)):
                continue

    def _opaque_call(self, call: cst.Call, env: Env, header: bool) -> None:
        facts = self.facts
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = func.value
            batch = self._batch_of(receiver, env)
            if batch is not None or self._is_op(receiver, env):
                if method in OP_METHODS:
                    # an op inside an expression (a comprehension, an argument): dynamic use
                    op = self._op_call(call, env, True, None)
                    if op is not None:
                        return
                if method in _EXECUTE_METHODS:
                    self._sql(call, env)
                    return
                if method in _HARMLESS_OP_METHODS or method == "batch_alter_table":
                    return
                facts.wild(f"op.{method}")  # an op we do not model
                return
            if method in _EXECUTE_METHODS:
                self._sql(call, env)
                return
            if method in _DDL_OBJECT_METHODS and not _is_type_object(receiver, env):
                facts.wild(f"DDL method .{method}()")
                return
            root = receiver
            while isinstance(root, (cst.Attribute, cst.Subscript)):
                root = root.value
            if isinstance(root, cst.Call):
                return  # a method of a returned object: its maker was classified on its own
            if isinstance(root, cst.Name) and any(root.value in e.locals or root.value in e.values for e in _chain(env)):
                if root.value in _imports_of(env):
                    pass  # a function-level import: classified below by its qualified name
                elif method in OP_METHODS:
                    facts.wild(f"{env.code(func)} on an object we cannot follow")
                    return
                else:
                    return  # a method of a local object (connection, session, inspector, table)
            if not isinstance(root, cst.Name):
                return  # a literal's method: "...".format()
        elif isinstance(func, cst.Name):
            name = func.value
            local_fn = self._local_function(name, env)
            if local_fn is not None:
                self._inline(local_fn, call, env, header)
                return
        else:
            return
        q = env.qualified(func)
        if q is None and isinstance(func, cst.Name) and func.value in _BUILTINS:
            return
        if q is not None:
            top = q.split(".")[0]
            if top in _HARMLESS_MODULES and q not in ("alembic.op",):
                return
            if q.startswith("builtins."):
                return
        # a local object's method caught above; here: a helper from elsewhere (project or library)
        if header:
            return  # a predicate in a condition or a context manager: reads, does not change the schema
        if _is_print_or_log(call):
            return
        # module-level object method (``TABLE.update()``) or constant: harmless unless DDL (handled above)
        if isinstance(func, cst.Attribute):
            root = func.value
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and root.value in self.info.constants:
                return
        args_static = all(env.static_names(a.value) for a in call.args)
        strings: list[str] = []
        for a in call.args:
            strings.extend(env.strings_in(a.value))
        if args_static and strings:
            facts.mentions.extend(s.lower() for s in strings)
        else:
            facts.wild(f"helper {env.code(func)}")

    def _local_function(self, name: str, env: Env) -> Optional[cst.FunctionDef]:
        e: Optional[Env] = env
        while e is not None:
            if name in e.functions:
                return e.functions[name]
            if name in e.locals:
                return None
            e = e.parent
        fn = self.info.extra_functions.get(name)
        if fn is not None and name not in self.info.other_names:
            return fn
        if name in ("upgrade", "downgrade"):
            return self.info.upgrade if name == "upgrade" else self.info.downgrade
        return None

    def _inline(self, fn: cst.FunctionDef, call: cst.Call, env: Env, header: bool) -> None:
        if not self.inline_helpers:
            # the upgrade's helpers make no claim; what they run stays out of the picture
            return
        if fn.name.value in self._stack or len(self._stack) > 4:
            self.facts.wild(f"recursive helper {fn.name.value}")
            return
        inner = Env(self.info, self.ctx, fn, parent=None)
        # bind the parameters from the call
        params = fn.params
        positional = [*params.posonly_params, *params.params]
        given: dict[str, object] = {}
        receivers: dict[str, cst.BaseExpression] = {}
        pos = 0
        for a in call.args:
            if a.star:
                for p in (*positional, *params.kwonly_params):
                    given.setdefault(p.name.value, DYNAMIC)
                continue
            if a.keyword is None:
                if pos < len(positional):
                    given[positional[pos].name.value] = env.resolve_value(a.value)
                    receivers[positional[pos].name.value] = a.value
                pos += 1
            else:
                given[a.keyword.value] = env.resolve_value(a.value)
                receivers[a.keyword.value] = a.value
        for p in (*positional, *params.kwonly_params):
            n = p.name.value
            if n in given:
                inner.values[n] = given[n]
            elif p.default is not None:
                inner.values[n] = _module_env(self.info, self.ctx).resolve_value(p.default)
            else:
                inner.values[n] = DYNAMIC
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                inner.values[p.name.value] = DYNAMIC
        for n in list(inner.values):
            inner.exprs.pop(n, None)
        inner.batch = {}
        for n, expr in receivers.items():
            batch = self._batch_of(expr, env)
            if batch is not None:
                inner.batch[n] = batch  # ``helper(batch_op, ...)``
            elif self._is_op(expr, env):
                inner.op_aliases.add(n)  # ``helper(op, ...)``
        self._stack.append(fn.name.value)
        try:
            self._block(body_statements(fn), inner, loop=False)
        finally:
            self._stack.pop()

    def _sql(self, call: cst.Call, env: Env) -> None:
        if not call.args:
            return
        arg = call.args[0].value
        text_parts: list[str] = []
        dynamic = False
        # the SQL text: literals, resolvable names, f-string parts; anything else is dynamic
        for node in _value_nodes(arg):
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
                try:
                    v = node.evaluated_value
                except Exception:  # pragma: no cover
                    v = None
                if isinstance(v, str):
                    text_parts.append(v)
            elif isinstance(node, cst.FormattedStringText):
                text_parts.append(node.value)
            elif isinstance(node, cst.FormattedStringExpression):
                v = env.resolve_value(node.expression)
                if isinstance(v, str):
                    text_parts.append(v)
                else:
                    dynamic = True
            elif isinstance(node, cst.Name) and node.value not in ("None", "True", "False") and not _in_call_func(arg, node):
                v = env.lookup(node.value)
                is_local = any(node.value in e.locals or node.value in e.values for e in _chain(env))
                if isinstance(v, str):
                    text_parts.append(v)
                elif is_local:
                    # a local: a SQL string built at run time, or a table object for DML
                    expr = _local_expr(env, node.value)
                    if expr is not None:
                        for s in env.strings_in(expr):
                            text_parts.append(s)
                        if not env.static_names(expr):
                            dynamic = True
                    else:
                        dynamic = True
        text = " ".join(text_parts)
        self.facts.order += 1
        self.facts.sql.append((text.lower(), self.facts.order))
        if _DDL_WORDS.search(text):
            if dynamic:
                self.facts.wild("dynamic DDL SQL")
            else:
                self.facts.mentions.append(text.lower())
        elif dynamic and not _looks_like_dml(arg, env) and not _DML_TEXT.match(text):
            self.facts.wild("dynamic SQL")


def _word_in(name: str, text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(name.lower()) + r"(?![\w])", text) is not None


def _short(code: str, limit: int = 50) -> str:
    line = " ".join(code.strip().split())
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


def _alternatives(a: tuple, b: tuple) -> bool:
    """Whether two branch paths are different arms of the same ``if``/``try``."""
    for x, y in zip(a, b):
        if x == y:
            continue
        return x[0] == y[0] and x[1] != y[1]
    return False


def _chain(env: Env) -> Iterable[Env]:
    e: Optional[Env] = env
    while e is not None:
        yield e
        e = e.parent


def _imports_of(env: Env) -> set[str]:
    out: set[str] = set()
    for e in _chain(env):
        out.update(e.imports)
    return out


def _local_expr(env: Env, name: str) -> Optional[cst.BaseExpression]:
    for e in _chain(env):
        if name in e.exprs:
            return e.exprs[name]
        if name in e.locals or name in e.values:
            return None
    return None


def _in_call_func(root: cst.CSTNode, name: cst.Name) -> bool:
    from .cst import walk

    for node in walk(root):
        if isinstance(node, cst.Call):
            f = node.func
            while isinstance(f, cst.Attribute):
                f = f.value
            if f is name:
                return True
    return False


def _is_type_object(receiver: cst.BaseExpression, env: Env) -> bool:
    """``sa.Enum(...).create(bind)`` / ``postgresql.ENUM(...).drop(bind)``: types, not tables."""
    expr: Optional[cst.BaseExpression] = receiver
    if isinstance(receiver, cst.Name):
        expr = _local_expr(env, receiver.value)
        if expr is None and receiver.value in env.info.constants:
            expr = env.info.constants[receiver.value]
    if isinstance(expr, cst.Call):
        f = expr.func
        tail = f.attr.value if isinstance(f, cst.Attribute) else f.value if isinstance(f, cst.Name) else ""
        return tail in _TYPE_NAMES
    return False


def _looks_like_dml(arg: cst.BaseExpression, env: Env) -> bool:
    """``table.update().values(...)``, ``sa.delete(t)``, ``insert(...)``, ``select(...)``: data, not schema."""
    from .cst import walk

    for node in walk(arg):
        if isinstance(node, cst.Call):
            f = node.func
            tail = f.attr.value if isinstance(f, cst.Attribute) else f.value if isinstance(f, cst.Name) else ""
            if tail in ("update", "delete", "insert", "select", "values", "where", "bindparams"):
                return True
        if isinstance(node, cst.Name):
            expr = _local_expr(env, node.value)
            if isinstance(expr, cst.Call):
                f = expr.func
                tail = f.attr.value if isinstance(f, cst.Attribute) else f.value if isinstance(f, cst.Name) else ""
                if tail in ("update", "delete", "insert", "select", "values", "where"):
                    return True
    return False


def read_function(info: RevisionModule, ctx: Any, func: cst.FunctionDef, inline_helpers: bool) -> FunctionFacts:
    return _Reader(info, ctx, inline_helpers).read(func)


# ---------------------------------------------------------------------------------------------------------
# Symbolic simulation (BKL404)
# ---------------------------------------------------------------------------------------------------------


class _Obj:
    __slots__ = ("kind", "name", "origin", "op", "table", "cols", "pre_name", "columns", "comment", "schema", "recreated")

    def __init__(self, kind: str, name: Optional[str], origin: str, op: Optional[Op] = None, table: Optional["_Obj"] = None, schema: Any = None) -> None:
        self.kind = kind
        self.name = name
        self.origin = origin
        self.op = op
        self.table = table
        self.cols: Optional[list] = None
        self.pre_name = name if origin == "pre" else None
        self.columns: dict[str, _Obj] = {}
        self.comment: Optional[_Obj] = None
        self.schema = schema
        self.recreated = False


class _Schema:
    def __init__(self) -> None:
        self.tables: dict[tuple, _Obj] = {}
        self.indexes: dict[tuple, _Obj] = {}
        self.constraints: dict[tuple, _Obj] = {}

    # lookups; ``lenient``: ignore the schema and the case when the exact key is absent (downgrade drops)
    @staticmethod
    def _find(store: dict, schema: Any, name: str, lenient: bool) -> Optional[tuple]:
        key = (schema, name)
        if key in store:
            return key
        if lenient:
            matches = [k for k in store if k[1] == name] or [k for k in store if str(k[1]).lower() == name.lower()]
            if len(matches) == 1:
                return matches[0]
            if matches:
                return matches[-1]
        return None

    def table(self, schema: Any, name: str, materialize: bool = True, lenient: bool = False) -> Optional[_Obj]:
        key = self._find(self.tables, schema, name, lenient)
        if key is not None:
            return self.tables[key]
        if not materialize:
            return None
        obj = _Obj("table", name, "pre", schema=schema)
        self.tables[(schema, name)] = obj
        return obj

    def pop_table(self, schema: Any, name: str, lenient: bool) -> Optional[_Obj]:
        key = self._find(self.tables, schema, name, lenient)
        return self.tables.pop(key) if key is not None else None

    def column(self, table: _Obj, name: str, materialize: bool = True) -> Optional[_Obj]:
        col = table.columns.get(name)
        if col is None and materialize:
            col = _Obj("column", name, "pre", table=table)
            table.columns[name] = col
        return col

    def alive_table(self, t: Optional[_Obj]) -> bool:
        return t is not None and any(v is t for v in self.tables.values())


@dataclass
class Finding:
    op: Op
    message: str
    names: tuple


class _Simulation:
    def __init__(self) -> None:
        self.s = _Schema()
        self.dropped: list[tuple] = []  # (kind, schema, table name, name, op, table obj)
        self.renamed: list[tuple] = []  # (obj, pre name, op)

    # -- upgrade -----------------------------------------------------------------------------------------
    def up(self, op: Op) -> None:
        if op.in_loop:
            return
        m = op.method
        schema = op.schema
        table = op.table
        name = op.name
        s = self.s
        if m in _DROP_METHODS and op.guards:
            # ``if "x" in existing_tables: op.drop_table("x")``: a clean-up of what may be there
            strings = op.guard_strings()
            target = name if isinstance(name, str) else table
            if isinstance(target, str) and any(_word_in(target, g) for g in strings):
                self._guarded_drop(op)
                return
        if m == "create_table":
            if not isinstance(table, str):
                return
            again = self._undrop("table", schema, table, None)
            s.tables[(schema, table)] = _Obj("table", table, "up", op, schema=schema)
            s.tables[(schema, table)].recreated = again
        elif m == "drop_table":
            if not isinstance(table, str):
                return
            obj = s.pop_table(schema, table, lenient=False) or _Obj("table", table, "pre", schema=schema)
            self._forget_renames(obj)
            if obj.origin != "up":
                self.dropped.append(("table", schema, obj.pre_name or table, None, op, obj))
        elif m == "rename_table":
            new = op.new_name
            if not isinstance(table, str) or not isinstance(new, str):
                return
            obj = s.pop_table(schema, table, lenient=False) or _Obj("table", table, "pre", schema=schema)
            obj.name = new
            s.tables[(schema, new)] = obj
            if obj.origin == "pre" and not any(r[0] is obj for r in self.renamed):
                self.renamed.append((obj, obj.pre_name, op))
        elif m == "add_column":
            if not isinstance(table, str) or not isinstance(name, str):
                return
            t = s.table(schema, table)
            again = self._undrop("column", schema, table, name)
            t.columns[name] = _Obj("column", name, "up", op, table=t)
            t.columns[name].recreated = again
        elif m == "drop_column":
            if not isinstance(table, str) or not isinstance(name, str):
                return
            t = s.table(schema, table)
            col = t.columns.pop(name, None) or _Obj("column", name, "pre", table=t)
            self._forget_renames(col)
            if col.origin != "up":
                self.dropped.append(("column", schema, t.pre_name or table, col.pre_name or name, op, t))
        elif m == "alter_column":
            new = op.new_name
            if new is None:
                return
            if not isinstance(table, str) or not isinstance(name, str) or not isinstance(new, str):
                return
            t = s.table(schema, table)
            col = t.columns.pop(name, None) or _Obj("column", name, "pre", table=t)
            col.name = new
            t.columns[new] = col
            if col.origin == "pre" and not any(r[0] is col for r in self.renamed):
                self.renamed.append((col, col.pre_name, op))
        elif m in ("create_index",) or m in _CREATE_CONSTRAINT:
            if not isinstance(name, str):
                return  # unnamed (None) or computed: no claim
            store = s.indexes if m == "create_index" else s.constraints
            kind = "index" if m == "create_index" else "constraint"
            t = s.table(schema, table) if isinstance(table, str) else None
            again = self._undrop(kind, schema, table if isinstance(table, str) else None, name)
            obj = _Obj(kind, name, "up", op, table=t, schema=schema)
            obj.recreated = again
            cols = op.columns
            if t is not None and cols is not None:
                obj.cols = [s.column(t, c) if isinstance(c, str) else None for c in cols]
            store[(schema, name)] = obj
        elif m in ("drop_index", "drop_constraint"):
            if not isinstance(name, str):
                return
            store = s.indexes if m == "drop_index" else s.constraints
            kind = "index" if m == "drop_index" else "constraint"
            key = s._find(store, schema, name, lenient=False)
            obj = store.pop(key) if key is not None else None
            if obj is None or obj.origin != "up":
                t = s.table(schema, table, materialize=False) if isinstance(table, str) else None
                self.dropped.append((kind, schema, table if isinstance(table, str) else None, name, op, t))
        elif m == "create_table_comment":
            if not isinstance(table, str):
                return
            t = s.table(schema, table)
            self._undrop("comment", schema, table, None)
            t.comment = _Obj("comment", table, "up", op, table=t)
        elif m == "drop_table_comment":
            if not isinstance(table, str):
                return
            t = s.table(schema, table)
            had = t.comment
            t.comment = None
            if had is None or had.origin != "up":
                self.dropped.append(("comment", schema, t.pre_name or table, None, op, t))

    def _guarded_drop(self, op: Op) -> None:
        """Apply a guarded drop to the state without asking the downgrade to re-create it."""
        dropped = list(self.dropped)
        renamed = list(self.renamed)
        op_copy = Op(op.method, op.call, op.receiver, op.batch, op.params, op.kwargs, op.in_loop, op.env, op.stmt)
        self.up(op_copy)
        self.dropped = dropped
        self.renamed = [r for r in renamed if any(r[0] is x[0] for x in self.renamed)]

    def _undrop(self, kind: str, schema: Any, table: Optional[str], name: Optional[str]) -> bool:
        """A drop followed by a re-create of the same name in the upgrade is a net create."""
        keep = []
        for d in self.dropped:
            same = d[0] == kind and d[1] == schema
            if same and kind == "table":
                same = d[2] == table
            elif same and kind == "column":
                same = d[2] == table and d[3] == name
            elif same and kind in ("index", "constraint"):
                same = d[3] == name
            elif same and kind == "comment":
                same = d[2] == table
            if not same:
                keep.append(d)
        removed = len(keep) != len(self.dropped)
        self.dropped = keep
        return removed

    def _forget_renames(self, obj: _Obj) -> None:
        self.renamed = [r for r in self.renamed if r[0] is not obj]

    def sql_drops(self, sql: str) -> None:
        """``DROP TABLE x`` / ``DROP INDEX x`` in the upgrade's SQL removes objects it created."""
        for m in re.finditer(r"\bdrop\s+(table|index)\s+(?:if\s+exists\s+)?[\"`\[]?([\w.]+)", sql):
            kind, name = m.group(1), m.group(2).split(".")[-1]
            store = self.s.tables if kind == "table" else self.s.indexes
            for key in [k for k, v in store.items() if k[1].lower() == name and v.origin == "up"]:
                store.pop(key)

    # -- downgrade ---------------------------------------------------------------------------------------
    def down(self, op: Op, wildcard: set) -> None:
        m = op.method
        if op.unpacked:
            wildcard.add("all")
            return
        schema = op.schema
        table = op.table
        name = op.name
        s = self.s
        dyn = lambda *vals: any(v is DYNAMIC for v in vals)  # noqa: E731
        if m == "create_table":
            if dyn(table):
                wildcard.add(("create", "table"))
                return
            if isinstance(table, str):
                s.tables[(schema, table)] = _Obj("table", table, "down", op, schema=schema)
        elif m == "drop_table":
            if dyn(table):
                wildcard.add("all")
                return
            if isinstance(table, str):
                s.pop_table(schema, table, lenient=True)
        elif m == "rename_table":
            new = op.new_name
            if dyn(table, new):
                wildcard.add("all")
                return
            if isinstance(table, str) and isinstance(new, str):
                obj = s.pop_table(schema, table, lenient=True) or _Obj("table", table, "pre", schema=schema)
                obj.name = new
                s.tables[(schema, new)] = obj
        elif m == "add_column":
            if dyn(table, name):
                wildcard.add(("create", "column"))
                return
            if isinstance(table, str) and isinstance(name, str):
                t = s.table(schema, table, lenient=True)
                t.columns[name] = _Obj("column", name, "down", op, table=t)
        elif m == "drop_column":
            if dyn(table, name):
                wildcard.update({("drop", "column"), ("drop", "index"), ("drop", "constraint")})
                return
            if isinstance(table, str) and isinstance(name, str):
                t = s.table(schema, table, materialize=False, lenient=True)
                if t is not None:
                    col = t.columns.pop(name, None)
                    if col is None:
                        for k in [k for k in t.columns if k.lower() == name.lower()]:
                            t.columns.pop(k)
        elif m == "alter_column":
            new = op.new_name
            if new is None:
                return
            if dyn(table, name, new):
                wildcard.update({("rename", "column"), ("drop", "column"), ("create", "column")})
                return
            if isinstance(table, str) and isinstance(name, str) and isinstance(new, str):
                t = s.table(schema, table, lenient=True)
                col = t.columns.pop(name, None) or _Obj("column", name, "pre", table=t)
                col.name = new
                t.columns[new] = col
        elif m == "create_index" or m in _CREATE_CONSTRAINT:
            kind = "index" if m == "create_index" else "constraint"
            if dyn(name):
                wildcard.add(("create", kind))
                return
            if isinstance(name, str):
                t = s.table(schema, table, lenient=True) if isinstance(table, str) else None
                store = s.indexes if kind == "index" else s.constraints
                store[(schema, name)] = _Obj(kind, name, "down", op, table=t, schema=schema)
        elif m in ("drop_index", "drop_constraint"):
            kind = "index" if m == "drop_index" else "constraint"
            if dyn(name):
                wildcard.update({("drop", "index"), ("drop", "constraint")})
                return
            if isinstance(name, str):
                # lenient: a unique index may be dropped as a constraint and the other way round
                for store in (s.indexes, s.constraints) if kind == "index" else (s.constraints, s.indexes):
                    key = s._find(store, schema, name, lenient=True)
                    if key is not None:
                        store.pop(key)
                        break
        elif m in ("create_table_comment", "drop_table_comment"):
            if dyn(table):
                wildcard.add(("create", "comment"))
                wildcard.add(("drop", "comment"))
                return
            if isinstance(table, str):
                t = s.table(schema, table, lenient=True)
                t.comment = _Obj("comment", table, "down", op, table=t) if m == "create_table_comment" else None

    # -- the verdict -------------------------------------------------------------------------------------
    def findings(self, created: list[_Obj], wildcard: set, mentions: list[str], down_adds_index_columns: set) -> list[Finding]:
        s = self.s
        out: list[Finding] = []

        def suppressed(action: str, kind: str, names: Iterable[Optional[str]]) -> bool:
            if "all" in wildcard:
                return True
            kinds = {kind}
            if action == "drop":
                kinds.add("table")
                if kind in ("index", "constraint"):
                    kinds.add("column")
            if action == "create":
                kinds.add("table")
            if any((action, k) in wildcard for k in kinds):
                return True
            for n in names:
                if not n:
                    continue
                pat = re.compile(r"(?<![\w])" + re.escape(n.lower()) + r"(?![\w])")
                if any(pat.search(m) for m in mentions):
                    return True
            return False

        # objects the upgrade created must be gone
        for obj in created:
            t = obj if obj.kind == "table" else obj.table
            if obj.kind == "table":
                if not s.alive_table(obj):
                    continue
                msg = f"`downgrade()` does not drop table `{obj.name}` created here"
                names = (obj.name,)
            elif obj.kind == "column":
                if not s.alive_table(t) or t.columns.get(obj.name) is not obj:
                    continue
                msg = f"`downgrade()` does not drop column `{t.name}.{obj.name}` added here"
                names = (obj.name, t.name, t.pre_name)
            elif obj.kind in ("index", "constraint"):
                store = s.indexes if obj.kind == "index" else s.constraints
                if not any(v is obj for v in store.values()):
                    continue
                if t is not None and not s.alive_table(t):
                    continue
                if t is not None and obj.cols and all(c is not None for c in obj.cols):
                    if all(t.columns.get(c.name) is not c for c in obj.cols):
                        continue  # dropped columns cover the indexes and keys made only of them
                what = "index" if obj.kind == "index" else "constraint"
                msg = f"`downgrade()` does not drop {what} `{obj.name}` created here"
                names = (obj.name,) + ((t.name, t.pre_name) if t is not None else ())
            elif obj.kind == "comment":
                if not s.alive_table(t) or t.comment is not obj:
                    continue
                msg = f"`downgrade()` does not remove the comment set here on table `{t.name}`"
                names = (t.name, t.pre_name)
            else:  # pragma: no cover
                continue
            if suppressed("drop", obj.kind, names):
                continue
            if obj.recreated:
                what = {"table": "table", "column": "column", "index": "index", "constraint": "constraint"}[obj.kind]
                label = f"{t.name}.{obj.name}" if obj.kind == "column" else obj.name
                msg = f"`downgrade()` does not restore {what} `{label}`, which the upgrade drops and re-creates here"
            out.append(Finding(obj.op, msg, names))

        # objects the upgrade dropped must come back
        for kind, schema, table, name, op, tobj in self.dropped:
            if kind == "table":
                if s.table(schema, table, materialize=False, lenient=True) is not None:
                    continue
                msg = f"`downgrade()` does not re-create table `{table}` dropped here"
                names = (table,)
            elif kind == "column":
                t = s.table(schema, table, materialize=False, lenient=True)
                if t is not None and (t.origin == "down" or name in t.columns):
                    continue
                msg = f"`downgrade()` does not re-create column `{table}.{name}` dropped here"
                names = (name, table)
            elif kind in ("index", "constraint"):
                if s._find(s.indexes, schema, name, True) or s._find(s.constraints, schema, name, True):
                    continue
                t = s.table(schema, table, materialize=False, lenient=True) if table else None
                if t is not None and t.origin == "down":
                    continue  # the table was re-created whole: its indexes and keys with it
                if table and table in down_adds_index_columns:
                    continue  # a re-added column with ``index=``/``unique=`` brings its own index back
                what = "index" if kind == "index" else "constraint"
                msg = f"`downgrade()` does not re-create {what} `{name}` dropped here"
                names = (name, table)
            else:  # comment
                t = s.table(schema, table, materialize=False, lenient=True)
                if t is not None and (t.comment is not None or t.origin == "down"):
                    continue
                msg = f"`downgrade()` does not restore the comment of table `{table}` dropped here"
                names = (table,)
            if suppressed("create", kind, names):
                continue
            out.append(Finding(op, msg, names))

        # renames must be undone by renames
        for obj, pre_name, op in self.renamed:
            if obj.kind == "table":
                alive = s.alive_table(obj)
                back = alive and obj.name == pre_name
                replaced = s.table(obj.schema, pre_name, materialize=False) is not None
                what = "table"
                full = pre_name
                names = (pre_name, obj.name)
            else:
                t = obj.table
                alive = s.alive_table(t) and t.columns.get(obj.name) is obj
                back = alive and obj.name == pre_name
                replaced = s.alive_table(t) and pre_name in t.columns
                what = "column"
                full = f"{t.name}.{pre_name}" if t is not None else pre_name
                names = (pre_name, obj.name, t.name if t is not None else None)
            if back:
                continue
            if not alive and replaced:
                msg = f"`downgrade()` undoes the rename of {what} `{full}` by drop-and-add, which loses its data"
                if suppressed("rename", obj.kind, ()):
                    continue
            else:
                msg = f"`downgrade()` does not rename {what} `{obj.name}` back to `{pre_name}`"
                if suppressed("rename", obj.kind, names) or suppressed("drop", obj.kind, names):
                    continue
            out.append(Finding(op, msg, names))
        return out


def _created_objects(s: _Schema) -> list[_Obj]:
    out: list[_Obj] = []
    for t in s.tables.values():
        if t.origin == "up":
            out.append(t)
        else:
            out.extend(c for c in t.columns.values() if c.origin == "up")
        if t.comment is not None and t.comment.origin == "up" and t.origin != "up":
            out.append(t.comment)
    for store in (s.indexes, s.constraints):
        for obj in store.values():
            if obj.origin != "up":
                continue
            if obj.table is not None and obj.table.origin == "up":
                continue  # goes with its table
            if obj.table is not None and obj.cols and len(obj.cols) == 1 and obj.cols[0] is not None and obj.cols[0].origin == "up":
                continue  # goes with its column
            out.append(obj)
    return out


@dataclass
class MigrationAnalysis:
    upgrade: FunctionFacts
    downgrade: Optional[FunctionFacts]
    findings: list[Finding]


def analyse(ctx: Any) -> MigrationAnalysis:
    """Both functions read and compared once per file (shared by the family's rules)."""

    def build() -> MigrationAnalysis:
        info = revision_info(ctx)
        up = read_function(info, ctx, info.upgrade, inline_helpers=False) if info.upgrade is not None else FunctionFacts()
        down = read_function(info, ctx, info.downgrade, inline_helpers=True) if info.downgrade is not None else None
        findings: list[Finding] = []
        if info.upgrade is not None and down is not None:
            findings = _mirror(up, down)
        return MigrationAnalysis(up, down, findings)

    return ctx.cached("alembic.analysis", build)


def _deduped(ops: list[Op]) -> list[Op]:
    """Drop an op that repeats an earlier one in another arm of the same ``if``/``try``."""
    out: list[Op] = []
    for op in ops:
        sig = op.signature()
        if any(_alternatives(prev.path, op.path) and prev.signature() == sig for prev in out):
            continue
        out.append(op)
    return out


def _mirror(up: FunctionFacts, down: FunctionFacts) -> list[Finding]:
    sim = _Simulation()
    for op in _deduped(up.ops):
        sim.up(op)
    for text, _ in up.sql:
        sim.sql_drops(text)
    created = _created_objects(sim.s)
    wildcard = set(down.wildcard)
    for op in _deduped(down.ops):
        sim.down(op, wildcard)
    index_cols: set[str] = set()
    for op in down.ops:
        if op.method == "add_column" and isinstance(op.table, str):
            col = op.params.get("column")
            if isinstance(col, cst.Call) and any(
                a.keyword is not None and a.keyword.value in ("index", "unique", "primary_key") for a in col.args
            ):
                index_cols.add(op.table)
    return sim.findings(created, wildcard, down.mentions, index_cols)


# ---------------------------------------------------------------------------------------------------------
# Writing a downgrade (the unsafe fix of BKL401 / BKL402)
# ---------------------------------------------------------------------------------------------------------


class NotInvertible(Exception):
    pass


_BATCH_HEADER_OK = frozenset({"table_name", "schema", "recreate", "table_args", "table_kwargs", "reflect_args", "reflect_kwargs", "naming_convention"})
_ALTER_PAIRS = (
    ("type_", "existing_type", None),
    ("nullable", "existing_nullable", None),
    ("server_default", "existing_server_default", "False"),
    ("comment", "existing_comment", "False"),
    ("autoincrement", "existing_autoincrement", None),
)
_ALTER_KNOWN = frozenset({"nullable", "existing_nullable", "type_", "existing_type", "server_default", "existing_server_default", "comment", "existing_comment", "autoincrement", "existing_autoincrement", "new_column_name", "schema"})


class _Writer:
    def __init__(self, env_code: Any, quote: str) -> None:
        self.code = env_code
        self.q = quote

    def s(self, text: str) -> str:
        return f"{self.q}{text}{self.q}"

    def _static(self, op: Op, expr: Optional[cst.BaseExpression], what: str) -> str:
        """Code for a name argument, usable in ``downgrade()``: a literal, ``op.f(...)``, a module name."""
        if expr is None:
            raise NotInvertible(f"`{op.describe()}` has no {what}")
        value = op.env.resolve_value(expr)
        if value is None:
            raise NotInvertible(f"`{op.describe()}` has an unnamed {what}")
        if not isinstance(value, str):
            raise NotInvertible(f"the {what} of `{op.describe()}` is computed at run time")
        if not op.env.static_names(expr):
            return self.s(value)  # resolved through a local of upgrade(): write the literal
        if op.batch is not None and isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            # ``batch_op.f("...")`` stays valid inside the mirrored batch block
            return self.code(expr)
        return self.code(expr)

    def _kw(self, op: Op, *names: str) -> list[str]:
        out = []
        for n in names:
            expr = op.kwargs.get(n)
            if expr is not None:
                if not op.env.static_names(expr):
                    raise NotInvertible(f"`{n}` of `{op.describe()}` is computed inside upgrade()")
                out.append(f"{n}={self.code(expr)}")
        return out

    def invert(self, op: Op) -> str:
        m = op.method
        r = self.code(op.receiver)
        batch = op.batch is not None
        if m in _DROP_METHODS:
            raise NotInvertible(f"`{op.describe()}` in upgrade() drops something the file cannot restore")
        if op.in_loop:
            raise NotInvertible(f"`{op.describe()}` runs in a loop")
        table = "" if batch else self._static(op, op.arg(_TABLE_PARAM.get(m, "table_name")), "table name")
        schema = [] if batch else self._kw(op, "source_schema" if m == "create_foreign_key" else "schema")
        if m == "create_foreign_key" and schema:
            schema = ["schema=" + schema[0].split("=", 1)[1]]
        args: list[str]
        if m == "create_table":
            extra = []
            if "if_not_exists" in op.kwargs:
                extra.append("if_exists=" + self.code(op.kwargs["if_not_exists"]))
            return f"{r}.drop_table({', '.join([table, *schema, *extra])})"
        if m == "add_column":
            col = op.params.get("column")
            if not isinstance(col, cst.Call):
                raise NotInvertible(f"the column of `{op.describe()}` is built elsewhere")
            name_expr = None
            for a in col.args:
                if a.keyword is None and a.star == "":
                    name_expr = a.value
                    break
                if a.keyword is not None and a.keyword.value == "name":
                    name_expr = a.value
                    break
            name = self._static(op, name_expr, "column name")
            args = [name] if batch else [table, name, *schema]
            return f"{r}.drop_column({', '.join(args)})"
        if m == "create_index":
            name = self._static(op, op.arg("index_name"), "index name")
            args = [name] if batch else [name, f"table_name={table}", *schema]
            if "if_not_exists" in op.kwargs:
                args.append("if_exists=" + self.code(op.kwargs["if_not_exists"]))
            if "postgresql_concurrently" in op.kwargs:
                args.append("postgresql_concurrently=" + self.code(op.kwargs["postgresql_concurrently"]))
            return f"{r}.drop_index({', '.join(args)})"
        if m in _CREATE_CONSTRAINT:
            name = self._static(op, op.arg("constraint_name"), "constraint name")
            type_ = {
                "create_foreign_key": "foreignkey",
                "create_unique_constraint": "unique",
                "create_check_constraint": "check",
                "create_primary_key": "primary",
            }.get(m)
            args = [name] if batch else [name, table]
            if type_:
                args.append(f"type_={self.s(type_)}")
            args.extend(schema)
            return f"{r}.drop_constraint({', '.join(args)})"
        if m == "rename_table":
            old = self._static(op, op.arg("old_table_name"), "table name")
            new = self._static(op, op.arg("new_table_name"), "new table name")
            return f"{r}.rename_table({', '.join([new, old, *schema])})"
        if m == "alter_column":
            unknown = sorted(k for k in op.kwargs if k not in _ALTER_KNOWN)
            if unknown:
                raise NotInvertible(f"`{op.describe()}` passes `{unknown[0]}`, which has no known inverse")
            col = self._static(op, op.arg("column_name"), "column name")
            new_expr = op.kwargs.get("new_column_name")
            target = self._static(op, new_expr, "new column name") if new_expr is not None else col
            args = [target] if batch else [table, target]
            changed = False
            for attr, existing, unset in _ALTER_PAIRS:
                new_v = op.kwargs.get(attr)
                old_v = op.kwargs.get(existing)
                if new_v is not None and unset is not None and self.code(new_v) == unset:
                    new_v = None
                for v in (new_v, old_v):
                    if v is not None and not op.env.static_names(v):
                        raise NotInvertible(f"`{attr}` of `{op.describe()}` is computed inside upgrade()")
                if new_v is not None:
                    if old_v is None:
                        raise NotInvertible(f"`{op.describe()}` changes `{attr}` but does not say `{existing}`")
                    args.append(f"{existing}={self.code(new_v)}")
                    args.append(f"{attr}={self.code(old_v)}")
                    changed = True
                elif old_v is not None:
                    args.append(f"{existing}={self.code(old_v)}")
            if new_expr is not None:
                args.append(f"new_column_name={col}")
                changed = True
            if not changed:
                return ""  # changes nothing we can see: nothing to undo
            args.extend(schema)
            return f"{r}.alter_column({', '.join(args)})"
        if m == "create_table_comment":
            if "existing_comment" not in op.kwargs:
                raise NotInvertible(f"`{op.describe()}` does not say `existing_comment`")
            comment = op.params.get("comment")
            if comment is None or not op.env.static_names(comment):
                raise NotInvertible(f"the comment of `{op.describe()}` is computed inside upgrade()")
            existing = op.kwargs["existing_comment"]
            if not op.env.static_names(existing):
                raise NotInvertible(f"`existing_comment` of `{op.describe()}` is computed inside upgrade()")
            head = [] if batch else [table]
            if isinstance(existing, cst.Name) and existing.value == "None":
                return f"{r}.drop_table_comment({', '.join([*head, f'existing_comment={self.code(comment)}', *schema])})"
            return f"{r}.create_table_comment({', '.join([*head, self.code(existing), f'existing_comment={self.code(comment)}', *schema])})"
        raise NotInvertible(f"`{op.describe()}` has no known inverse")  # pragma: no cover


def _quote_of(module: cst.Module, func: cst.FunctionDef) -> str:
    from .cst import walk

    for node in walk(func):
        if isinstance(node, cst.SimpleString):
            q = node.quote
            if q in ("'", '"'):
                return q
    return '"'


def _header_static(batch: Batch, env: Env) -> None:
    for a in batch.call.args:
        if a.star:
            raise NotInvertible("`batch_alter_table` takes unpacked arguments")
        if a.keyword is not None and a.keyword.value not in _BATCH_HEADER_OK:
            raise NotInvertible(f"`batch_alter_table(..., {a.keyword.value}=...)` describes the table before the upgrade")
        if not env.static_names(a.value):
            raise NotInvertible("`batch_alter_table` arguments are computed inside upgrade()")


def write_downgrade_body(ctx: Any) -> tuple[Optional[list[tuple[int, str]]], str]:
    """Lines of a ``downgrade()`` that undoes ``upgrade()`` as ``(depth, code)`` (code may continue on
    further physical lines inside brackets; those are left as they are), or ``(None, reason)``."""
    info = revision_info(ctx)
    if info.upgrade is None:
        return None, "there is no `upgrade()`"
    analysis = analyse(ctx)
    writer = _Writer(lambda node: _one_line(info.module.code_for_node(node)), _quote_of(info.module, info.upgrade))  # type: ignore[union-attr]

    def one(item: Item) -> list[tuple[int, str]]:
        if item.kind == "skip":
            return []
        if item.kind == "op" and item.op is not None:
            line = writer.invert(item.op)
            return [(0, line)] if line else []
        if item.kind == "batch" and item.batch is not None:
            _header_static(item.batch, item.batch.env)
            inner: list[tuple[int, str]] = []
            for child in reversed(item.children):
                inner.extend(one(child))
            if not inner:
                return []
            header = _one_line(info.module.code_for_node(item.batch.with_node.items[0]).strip())  # type: ignore[union-attr]
            return [(0, f"with {header}:")] + [(d + 1, c) for d, c in inner]
        if item.op is not None and item.op.method in _DROP_METHODS:
            raise NotInvertible(f"`{item.op.describe()}` in upgrade() drops something the file cannot restore")
        reason = item.reason or "code the fix cannot invert"
        if item.kind == "other":
            for op in _ops_in(item):
                if op.method in _DROP_METHODS:
                    raise NotInvertible(f"`{op.describe()}` in upgrade() drops something the file cannot restore")
            if "op.execute" in reason or _is_execute(item.node):
                raise NotInvertible("`op.execute` in upgrade() runs SQL the fix cannot invert")
        raise NotInvertible(f"upgrade() has {reason}")

    try:
        out: list[tuple[int, str]] = []
        for item in reversed(analysis.upgrade.items):
            out.extend(one(item))
    except NotInvertible as exc:
        return None, str(exc)
    # names imported inside upgrade() and used by the copied code: the same imports, first
    imports: list[tuple[int, str]] = []
    text = "\n".join(code for _, code in out)
    for item in analysis.upgrade.items:
        if item.kind != "skip" or not isinstance(item.node, cst.SimpleStatementLine):
            continue
        for small in item.node.body:
            if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
                continue
            bound = []
            for alias in small.names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound.append(alias.asname.name.value)
                else:
                    dotted = _dotted(alias.name) or ""
                    bound.append(dotted.split(".")[0] if isinstance(small, cst.Import) else dotted)
            if any(re.search(r"(?<![\w.])" + re.escape(b) + r"\b", text) for b in bound):
                line = _one_line(info.module.code_for_node(small).strip())  # type: ignore[union-attr]
                if (0, line) not in imports:
                    imports.append((0, line))
    return imports + out, ""


def _one_line(code: str) -> str:
    """An expression copied from upgrade() on one line (``existing_type=(\n sa.Text()...\n)``), unless it
    holds comments, multi-line strings or backslash continuations, which are left as written."""
    if "\n" not in code and "\r" not in code:
        return code
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code
    if any(t.type == tokenize.COMMENT or (t.type == tokenize.STRING and "\n" in t.string) for t in tokens):
        return code
    lines = [line.strip() for line in code.splitlines()]
    if any(line.endswith("\\") for line in lines):
        return code
    out = ""
    for line in lines:
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith(("(", "[", "{")) or line.startswith((")", "]", "}")):
            out += line
        else:
            out += " " + line
    try:
        compile(out, "<fix>", "eval")
    except SyntaxError:
        try:
            compile("with " + out + ":\n    pass\n", "<fix>", "exec")
        except SyntaxError:
            return code
    return out


def _ops_in(item: Item) -> Iterable[Op]:
    if item.op is not None:
        yield item.op
    for c in item.children:
        yield from _ops_in(c)


def _is_execute(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.SimpleStatementLine):
        for small in node.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                f = small.value.func
                if isinstance(f, cst.Attribute) and f.attr.value in _EXECUTE_METHODS:
                    return True
    return False


def _indent_unit(module: Optional[cst.Module], func: Optional[cst.FunctionDef]) -> str:
    if func is not None and isinstance(func.body, cst.IndentedBlock) and func.body.indent is not None:
        return func.body.indent
    return module.default_indent if module is not None else "    "


def _line_starts(source: str) -> list[int]:
    starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", source):
        starts.append(m.end())
    return starts


def _positions(ctx: Any) -> Any:
    from libcst.metadata import MetadataWrapper, PositionProvider

    return ctx.cached(
        "alembic.positions", lambda: MetadataWrapper(ctx.module, unsafe_skip_copy=True).resolve(PositionProvider)
    )


def _newline_of(source: str) -> str:
    m = re.search(r"\r\n|\r|\n", source)
    return m.group(0) if m else "\n"


def downgrade_fix(ctx: Any, missing: bool) -> tuple[Optional[Fix], str]:
    """The unsafe fix for BKL401 (``missing``) or BKL402, or ``(None, reason)``."""
    info = revision_info(ctx)
    body, reason = write_downgrade_body(ctx)
    if body is None:
        return None, reason
    source = ctx.source
    nl = _newline_of(source)
    indent = _indent_unit(info.module, info.upgrade)
    positions = _positions(ctx)
    starts = _line_starts(source)

    def line_end(row: int) -> int:
        if row >= len(starts):
            return len(source)
        end = starts[row]  # start of the next line
        while end > starts[row - 1] and source[end - 1] in "\r\n":
            end -= 1
        return end

    def render(lines: list[tuple[int, str]], base: str) -> str:
        out = []
        for depth, code in lines or [(0, "pass")]:
            code = code.replace("\r\n", "\n").replace("\r", "\n").replace("\n", nl)
            out.append(base + indent * depth + code)
        return nl.join(out)

    if missing:
        up = info.upgrade
        assert up is not None
        rng = positions[up]
        row = rng.end.line
        if isinstance(up.body, cst.IndentedBlock):
            row += len(up.body.footer)
        returns = ""
        if up.returns is not None:
            returns = " -> " + info.module.code_for_node(up.returns.annotation).strip()  # type: ignore[union-attr]
        text = f"{nl}{nl}{nl}def downgrade(){returns}:{nl}{render(body, indent)}"
        at = line_end(row)
        return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(at, at, text)]), ""

    down = info.downgrade
    assert down is not None
    stmts = body_statements(down)
    if isinstance(down.body, cst.IndentedBlock):
        block = down.body
        keep_doc = (
            bool(block.body)
            and isinstance(block.body[0], cst.SimpleStatementLine)
            and len(block.body[0].body) == 1
            and isinstance(block.body[0].body[0], cst.Expr)
            and isinstance(block.body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        )
        replace = list(block.body[1:] if keep_doc else block.body)
        if not replace:
            # only a docstring: add the statements after it
            end = positions[block.body[0]].end
            at = line_end(end.line)
            return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(at, at, nl + render(body, _body_indent(ctx, down, positions)))]), ""
        first = positions[replace[0]].start
        last = positions[replace[-1]].end
        start = starts[first.line - 1] + first.column
        end = line_end(last.line)
        base = _body_indent(ctx, down, positions)
        text = render(body, base)[len(base):]
        return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(start, end, text)]), ""
    # ``def downgrade(): pass`` on one line
    suite = down.body
    rng = positions[suite]
    start = starts[rng.start.line - 1] + rng.start.column
    end = line_end(rng.end.line)
    comment = ""
    if isinstance(suite, cst.SimpleStatementSuite) and suite.trailing_whitespace.comment is not None:
        comment = "  " + suite.trailing_whitespace.comment.value
    # drop the space between ``:`` and the suite
    while start > 0 and source[start - 1] in " \t":
        start -= 1
    del stmts
    text = comment + nl + render(body, indent)
    return Fix.unsafe("Write `downgrade()` from `upgrade()`", [Edit.offsets(start, end, text)]), ""


def _body_indent(ctx: Any, func: cst.FunctionDef, positions: Any) -> str:
    block = func.body
    if isinstance(block, cst.IndentedBlock) and block.body:
        col = positions[block.body[0]].start.column
        line_start = _line_starts(ctx.source)[positions[block.body[0]].start.line - 1]
        return ctx.source[line_start : line_start + col]
    return _indent_unit(ctx.module, func)
