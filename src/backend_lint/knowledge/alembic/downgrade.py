"""Writing a downgrade: ``write_downgrade_body`` gives the lines of a ``downgrade()`` that undoes ``upgrade()``
(inverse operations in reverse order) as ``(depth, code)`` pairs, or the reason why none can be written.
The fix of BKL401 / BKL402 that places them in the file is ``rules/migrations/_downgrade.py``.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Any, Iterable, Optional

from ...ground.lazy import lazy_import

from ..alembic_ops import TABLE_PARAM as _TABLE_PARAM
from ..cst import walk
from ..imports import dotted_name
from .revision import revision_info
from .ops import Batch, CREATE_CONSTRAINT, DROP_METHODS, EXECUTE_METHODS, Op
from .env import Env
from .reader import Item, Reason
from .simulation import analyse

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


class NotInvertible(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.reason = Reason(code, params)


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
            raise NotInvertible("no-name", op=op.describe(), what=what)
        value = op.env.resolve_value(expr)
        if value is None:
            raise NotInvertible("unnamed", op=op.describe(), what=what)
        if not isinstance(value, str):
            raise NotInvertible("name-at-run-time", op=op.describe(), what=what)
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
                    raise NotInvertible("computed", op=op.describe(), name=n)
                out.append(f"{n}={self.code(expr)}")
        return out

    def invert(self, op: Op) -> str:
        m = op.method
        r = self.code(op.receiver)
        batch = op.batch is not None
        if m in DROP_METHODS:
            raise NotInvertible("drops", op=op.describe())
        if op.in_loop:
            raise NotInvertible("runs-in-loop", op=op.describe())
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
                raise NotInvertible("column-elsewhere", op=op.describe())
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
        if m in CREATE_CONSTRAINT:
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
                raise NotInvertible("unknown-argument", op=op.describe(), name=unknown[0])
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
                        raise NotInvertible("computed", op=op.describe(), name=attr)
                if new_v is not None:
                    if old_v is None:
                        raise NotInvertible("existing-missing", op=op.describe(), name=attr, existing=existing)
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
                raise NotInvertible("existing-comment-missing", op=op.describe())
            comment = op.params.get("comment")
            if comment is None or not op.env.static_names(comment):
                raise NotInvertible("comment-computed", op=op.describe())
            existing = op.kwargs["existing_comment"]
            if not op.env.static_names(existing):
                raise NotInvertible("computed", op=op.describe(), name="existing_comment")
            head = [] if batch else [table]
            if isinstance(existing, cst.Name) and existing.value == "None":
                return f"{r}.drop_table_comment({', '.join([*head, f'existing_comment={self.code(comment)}', *schema])})"
            return f"{r}.create_table_comment({', '.join([*head, self.code(existing), f'existing_comment={self.code(comment)}', *schema])})"
        raise NotInvertible("no-inverse", op=op.describe())  # pragma: no cover


def _quote_of(module: cst.Module, func: cst.FunctionDef) -> str:
    for node in walk(func):
        if isinstance(node, cst.SimpleString):
            q = node.quote
            if q in ("'", '"'):
                return q
    return '"'


def _header_static(batch: Batch, env: Env) -> None:
    for a in batch.call.args:
        if a.star:
            raise NotInvertible("batch-unpacked")
        if a.keyword is not None and a.keyword.value not in _BATCH_HEADER_OK:
            raise NotInvertible("batch-before", keyword=a.keyword.value)
        if not env.static_names(a.value):
            raise NotInvertible("batch-computed")


def write_downgrade_body(ctx: Any) -> tuple[Optional[list[tuple[int, str]]], Optional[Reason]]:
    """Lines of a ``downgrade()`` that undoes ``upgrade()`` as ``(depth, code)`` (code may continue on
    further physical lines inside brackets; those are left as they are), or ``(None, reason)``."""
    info = revision_info(ctx)
    if info.upgrade is None:
        return None, Reason("no-upgrade")
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
        if item.op is not None and item.op.method in DROP_METHODS:
            raise NotInvertible("drops", op=item.op.describe())
        reason = item.reason or Reason("opaque")
        if item.kind == "other":
            for op in _ops_in(item):
                if op.method in DROP_METHODS:
                    raise NotInvertible("drops", op=op.describe())
            if reason.code == "execute-sql" or reason.mentions("op.execute") or _is_execute(item.node):
                raise NotInvertible("execute-in-upgrade")
        raise NotInvertible("upgrade-has", inner=reason)

    try:
        out: list[tuple[int, str]] = []
        for item in reversed(analysis.upgrade.items):
            out.extend(one(item))
    except NotInvertible as exc:
        return None, exc.reason
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
                    dotted = dotted_name(alias.name) or ""
                    bound.append(dotted.split(".")[0] if isinstance(small, cst.Import) else dotted)
            if any(re.search(r"(?<![\w.])" + re.escape(b) + r"\b", text) for b in bound):
                line = _one_line(info.module.code_for_node(small).strip())  # type: ignore[union-attr]
                if (0, line) not in imports:
                    imports.append((0, line))
    return imports + out, None


def _one_line(code: str) -> str:
    """An expression copied from upgrade() on one line (``existing_type=(\n sa.Text()...\n)``), unless it
    holds comments, multi-line strings or backslash continuations, which are left as written."""
    if "\n" not in code and "\r" not in code:
        return code
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
                if isinstance(f, cst.Attribute) and f.attr.value in EXECUTE_METHODS:
                    return True
    return False

