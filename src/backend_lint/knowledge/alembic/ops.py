"""Alembic operations as read from a call: ``Op`` (method, bound arguments, resolved names), ``Batch`` (a
``with op.batch_alter_table(...)`` receiver), and the vocabularies of harmless, executing and dropping calls.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from ...ground.lazy import lazy_import

from ..alembic_ops import ALIASES as _ALIASES
from ..alembic_ops import PARAMS as _PARAMS
from ..alembic_ops import TABLE_PARAM as _TABLE_PARAM
from ..imports import dotted_name
from .revision import DYNAMIC

if TYPE_CHECKING:  # pragma: no cover
    from .env import Env

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


# The operations' parameters and keyword aliases live in ``alembic_ops`` (shared with the ``ast`` screens).
CREATE_CONSTRAINT = frozenset(
    {"create_foreign_key", "create_unique_constraint", "create_check_constraint", "create_primary_key", "create_exclude_constraint"}
)
DROP_METHODS = frozenset({"drop_table", "drop_column", "drop_index", "drop_constraint", "drop_table_comment"})
HARMLESS_OP_METHODS = frozenset(
    {"f", "get_bind", "get_context", "inline_literal", "bulk_insert", "implementation_for", "register_operation"}
)
EXECUTE_METHODS = frozenset({"execute", "exec_driver_sql", "executescript", "executemany"})
DDL_OBJECT_METHODS = frozenset({"drop", "drop_all", "create", "create_all"})
HARMLESS_MODULES = frozenset(
    {
        "sqlalchemy", "sqlmodel", "logging", "json", "datetime", "uuid", "re", "time", "textwrap", "itertools",
        "functools", "collections", "typing", "typing_extensions", "contextlib", "warnings", "os", "sys",
        "pathlib", "enum", "decimal", "math", "copy", "hashlib", "base64", "string", "operator", "dataclasses",
        "pprint", "random", "secrets", "traceback", "builtins", "click", "zoneinfo", "pytz", "dateutil",
        "alembic", "csv", "io", "struct", "binascii", "ipaddress", "urllib",
    }
)
BUILTINS = frozenset(dir(builtins))
DDL_WORDS = re.compile(r"\b(drop|alter|create|rename|truncate|comment)\b", re.I)
DML_TEXT = re.compile(r"\s*(\(\s*)*(with\b.*?\b)?(update|insert|delete|select|merge)\b", re.I | re.S)
TYPE_NAMES = frozenset({"Enum", "ENUM", "Sequence", "Identity"})


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
        if m in CREATE_CONSTRAINT or m == "drop_constraint":
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
        dotted = dotted_name(expr.func) or ""
        if dotted.split(".")[-1] in ("Column", "mapped_column"):
            for a in expr.args:
                if a.keyword is None and a.star == "":
                    return env.resolve_str(a.value)
                if a.keyword is not None and a.keyword.value == "name":
                    return env.resolve_str(a.value)
            return DYNAMIC
    return DYNAMIC


def bind_params(method: str, call: cst.Call, batch: bool) -> Optional[tuple[dict, dict]]:
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

