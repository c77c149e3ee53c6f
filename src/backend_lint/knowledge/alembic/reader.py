"""Reading a function as a list of Alembic operations (``read_function``): ``op.*`` and ``batch_op.*`` calls,
with what the reader cannot see through (``op.execute`` SQL, loops, helper functions, names computed at run
time) summed up as *mentions* (string literals it names) and *wildcards* (kinds of objects it might touch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ...ground.lazy import lazy_import

from ..alembic_ops import OP_METHODS
from ..cst import walk
from .revision import DYNAMIC, RevisionModule, body_statements, literal_str, value_nodes
from .bodies import is_print_or_log, noop_small
from .ops import BUILTINS, Batch, DDL_OBJECT_METHODS, DDL_WORDS, DML_TEXT, EXECUTE_METHODS, HARMLESS_MODULES, HARMLESS_OP_METHODS, Op, TYPE_NAMES, bind_params
from .env import Env, chain, module_env_of

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


@dataclass
class Reason:
    """Why a piece of ``upgrade()`` cannot be inverted, or why no ``downgrade()`` can be written: ``code``
    names the case and ``params`` hold what its wording needs (the rule words it:
    ``rules/migrations/_downgrade.py``); a ``params`` value may itself be a ``Reason``."""

    code: str
    params: dict = field(default_factory=dict)

    def mentions(self, text: str) -> bool:
        """Whether ``text`` occurs in one of the code fragments the reason quotes."""
        return any(isinstance(v, str) and text in v for v in self.params.values())


@dataclass
class Item:
    """A top-level piece of ``upgrade()`` for the fix: an op, a batch block, something skippable, or other."""

    kind: str  # "op", "batch", "skip", "other"
    node: cst.CSTNode
    op: Optional[Op] = None
    batch: Optional[Batch] = None
    children: list = field(default_factory=list)
    reason: Optional[Reason] = None


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
            return [Item("other", stmt, children=children, reason=Reason("with-block"))]
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
            return [Item("other", stmt, children=children, reason=Reason("if-block"))]
        if isinstance(stmt, cst.Try):
            children = self._arm(stmt, 0, stmt.body, env, loop)
            for i, h in enumerate(stmt.handlers):
                children += self._arm(stmt, i + 1, h.body, env, loop)
            if stmt.orelse is not None:
                children += self._arm(stmt, 0, stmt.orelse.body, env, loop)
            if stmt.finalbody is not None:
                children += self._suite(stmt.finalbody.body, env, loop)
            return [Item("other", stmt, children=children, reason=Reason("try-block"))]
        if isinstance(stmt, cst.For) and self.inline_helpers and isinstance(stmt.target, cst.Name):
            values = env.resolve_value(stmt.iter)
            if isinstance(values, list) and 0 < len(values) <= 50:
                # ``for name in ["a", "b"]:`` in the downgrade: read the body once per value
                children = []
                for v in values:
                    inner = Env(self.info, self.ctx, None, parent=env)
                    inner.values[stmt.target.value] = v
                    children += self._suite(stmt.body, inner, loop)
                return [Item("other", stmt, children=children, reason=Reason("loop"))]
        if isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                self._expression(stmt.iter, env, header=True)
            else:
                self._expression(stmt.test, env, header=True)
            children = self._suite(stmt.body, env, True)
            if stmt.orelse is not None:
                children += self._suite(stmt.orelse.body, env, True)
            return [Item("other", stmt, children=children, reason=Reason("loop"))]
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return [Item("other", stmt, reason=Reason("nested-definition"))]
        # match statements and anything newer: look inside for calls, claim nothing
        self._expression(stmt, env, header=False)
        return [Item("other", stmt, reason=Reason("statement"))]

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
        if noop_small(small) or isinstance(small, (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal)):
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
            return Item("other", stmt, reason=Reason("raise"))
        elif isinstance(small, cst.Del):
            return Item("other", stmt, reason=Reason("del"))
        else:
            self._expression(small, env, header=False)
            return Item("other", stmt, reason=Reason("statement"))
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
                return Item("other", stmt, op=op, reason=Reason("result-used", {"op": op.describe()}))
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
                return Item("other", stmt, reason=Reason("execute-sql"))
        return Item("other", stmt, reason=Reason("opaque-code", {"code": _short(env.code(small))}))

    # -- calls -------------------------------------------------------------------------------------------
    def _is_op(self, expr: cst.BaseExpression, env: Env) -> bool:
        if isinstance(expr, cst.Name):
            if any(expr.value in e.op_aliases for e in chain(env)):
                return True
            q = env.qualified(expr)
            if q is not None:
                return q == "alembic.op"
            # unbound ``op`` in a revision module: the Alembic proxy (star imports, generated templates)
            return expr.value == "op" and not any(expr.value in e.locals for e in chain(env))
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
        bound = bind_params(method, call, batch is not None)
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
                if method in EXECUTE_METHODS:
                    self._sql(call, env)
                    return
                if method in HARMLESS_OP_METHODS or method == "batch_alter_table":
                    return
                facts.wild(f"op.{method}")  # an op we do not model
                return
            if method in EXECUTE_METHODS:
                self._sql(call, env)
                return
            if method in DDL_OBJECT_METHODS and not _is_type_object(receiver, env):
                facts.wild(f"DDL method .{method}()")
                return
            root = receiver
            while isinstance(root, (cst.Attribute, cst.Subscript)):
                root = root.value
            if isinstance(root, cst.Call):
                return  # a method of a returned object: its maker was classified on its own
            if isinstance(root, cst.Name) and any(root.value in e.locals or root.value in e.values for e in chain(env)):
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
        if q is None and isinstance(func, cst.Name) and func.value in BUILTINS:
            return
        if q is not None:
            top = q.split(".")[0]
            if top in HARMLESS_MODULES and q not in ("alembic.op",):
                return
            if q.startswith("builtins."):
                return
        # a local object's method caught above; here: a helper from elsewhere (project or library)
        if header:
            return  # a predicate in a condition or a context manager: reads, does not change the schema
        if is_print_or_log(call):
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
                inner.values[n] = module_env_of(self.info, self.ctx).resolve_value(p.default)
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
        for node in value_nodes(arg):
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
                literal = literal_str(node)
                if literal is not None:
                    text_parts.append(literal)
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
                is_local = any(node.value in e.locals or node.value in e.values for e in chain(env))
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
        if DDL_WORDS.search(text):
            if dynamic:
                self.facts.wild("dynamic DDL SQL")
            else:
                self.facts.mentions.append(text.lower())
        elif dynamic and not _looks_like_dml(arg, env) and not DML_TEXT.match(text):
            self.facts.wild("dynamic SQL")


def word_in(name: str, text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(name.lower()) + r"(?![\w])", text) is not None


def _short(code: str, limit: int = 50) -> str:
    line = " ".join(code.strip().split())
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


def alternatives(a: tuple, b: tuple) -> bool:
    """Whether two branch paths are different arms of the same ``if``/``try``."""
    for x, y in zip(a, b):
        if x == y:
            continue
        return x[0] == y[0] and x[1] != y[1]
    return False


def _imports_of(env: Env) -> set[str]:
    out: set[str] = set()
    for e in chain(env):
        out.update(e.imports)
    return out


def _local_expr(env: Env, name: str) -> Optional[cst.BaseExpression]:
    for e in chain(env):
        if name in e.exprs:
            return e.exprs[name]
        if name in e.locals or name in e.values:
            return None
    return None


def _in_call_func(root: cst.CSTNode, name: cst.Name) -> bool:
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
        return tail in TYPE_NAMES
    return False


def _looks_like_dml(arg: cst.BaseExpression, env: Env) -> bool:
    """``table.update().values(...)``, ``sa.delete(t)``, ``insert(...)``, ``select(...)``: data, not schema."""
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

