"""What the rules of family 4, part two beyond the index rules share (BKL410, BKL411, BKL415-BKL422): the
operations of ``upgrade()`` with what decides a claim, the columns they add, and the ``ast`` screen.

Decisions, for all of them (the index rules' in ``_locks.py``, read the same way): only ``upgrade()`` is read
(downgrades undo, they are not deployed forward); an operation in a loop or with ``*args`` / ``**kwargs``
makes no claim, nor one in an ``if`` arm that runs on another database only; an operation on a table created
earlier in the same revision (``op.create_table``, a helper's ``create_table("name", ...)``, or renamed from
such a table) makes no claim: the table is empty and no running code reads it.

The lock rules (BKL410, BKL411, BKL415-BKL418) are Postgres rules (``knowledge.alembic.dialect``), and, as
BKL412-BKL414, make no claim on ``batch_op`` operations (batch mode is the SQLite table-copy dance; a
project on Postgres writes ``op.*``). The rules about the code still running (BKL419-BKL422) hold on every
database and read ``batch_op`` operations too: a rename or a drop breaks the old code, batch or not.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ...ground.lazy import lazy_import

from ...knowledge.alembic import revision_info
from ...knowledge.alembic.dialect import POSTGRESQL, migration_dialect
from ...knowledge.alembic.reader import read_function
from ...knowledge.alembic.revision import DYNAMIC
from ...knowledge.alembic_ops import TABLE_PARAM
from ...knowledge.imports import dotted_name
from ...knowledge.tree_facts import TreeFacts
from ...values import Edit
from ._locks import _helper_created_tables, _places, made_earlier
from ._screens import off_postgres, revision_functions, upgrade_method_calls

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

COLUMN_CALLS = ("Column", "mapped_column")


@dataclass
class DeployOp:
    """One operation of ``upgrade()``, with what decides whether a rule may claim on it."""

    op: Any  # knowledge.alembic.ops.Op
    new_table: bool  # on a table created earlier in the same revision
    elsewhere: bool  # in an ``if`` arm that runs on another database only
    index: int  # position among the upgrade's operations
    indent: Optional[str] = None  # the indentation of the call's statement, when the call is one

    @property
    def readable(self) -> bool:
        """Arguments known and run on this database: the claims of every rule start here."""
        op = self.op
        return not (op.unpacked or op.in_loop or self.elsewhere)

    @property
    def lock_claim(self) -> bool:
        """A lock rule may claim: readable, not ``batch_op``, on an existing table."""
        return self.readable and self.op.batch is None and not self.new_table


def deploy_ops(ctx: Any) -> list[DeployOp]:
    """Every operation of ``upgrade()``, in order (``[]`` when there is none)."""

    def build() -> list[DeployOp]:
        info = revision_info(ctx)
        if info.upgrade is None:
            return []
        facts = read_function(info, ctx, info.upgrade, inline_helpers=False)
        places = _places(info.upgrade, ctx.module)
        created: set = set(_helper_created_tables(info.upgrade))
        dynamic_create = False
        out: list[DeployOp] = []
        for i, op in enumerate(facts.ops):
            _auto, line, indent, elsewhere = places.get(id(op.call), (False, None, "", False))
            table, schema = op.table, op.schema
            if table is DYNAMIC or table is None:
                new = dynamic_create
            else:
                new = (schema, table) in created or (None, table) in created
            out.append(DeployOp(op, new, elsewhere, i, indent if line is not None else None))
            if elsewhere:
                continue
            if op.method == "create_table":
                if table is DYNAMIC or table is None:
                    dynamic_create = True
                else:
                    created.add((schema, table))
            elif op.method == "rename_table" and new:
                created.add((schema, op.new_name))
        return out

    return ctx.cached("alembic.deploy_ops", build)


def on_postgres(ctx: Any) -> bool:
    return migration_dialect(ctx) == POSTGRESQL


def lock_ops(ctx: Any, methods: Iterable[str]) -> list[DeployOp]:
    """The operations named ``methods`` that a lock rule may claim on (Postgres only)."""
    wanted = frozenset(methods)
    if not on_postgres(ctx):
        return []
    return [item for item in deploy_ops(ctx) if item.op.method in wanted and item.lock_claim]


# -- columns ---------------------------------------------------------------------------------------------


def call_name(call: cst.Call) -> str:
    """The last part of a call's callee: ``sa.Column`` -> ``Column``."""
    dotted = dotted_name(call.func) or ""
    return dotted.rsplit(".", 1)[-1]


def column_call(op: Any) -> Optional[cst.Call]:
    """The ``sa.Column(...)`` written inside ``add_column`` (``None`` for a variable or anything else)."""
    expr = op.params.get("column")
    if isinstance(expr, cst.Call) and call_name(expr) in COLUMN_CALLS:
        return expr
    return None


def is_literal(expr: Optional[cst.BaseExpression], *values: str) -> bool:
    """``expr`` is the name ``True`` / ``False`` / ``None`` among ``values``."""
    return isinstance(expr, cst.Name) and expr.value in values


def positional_calls(call: cst.Call) -> list[cst.Call]:
    """The calls among a ``Column(...)``'s positional arguments (its type, ``ForeignKey``, ``Computed``...)."""
    return [a.value for a in call.args if a.keyword is None and a.star == "" and isinstance(a.value, cst.Call)]


def add_keyword(module: cst.Module, call: cst.Call, text: str, indent: Optional[str]) -> Optional[Edit]:
    """An edit passing ``text`` (``name=value``) after the call's last argument: on a line of its own when
    the call ends with a trailing comma on its own line (autogenerate's multi-line calls) and ``indent``,
    the indentation of the statement holding the call, is known (libcst writes continuation lines relative
    to it)."""
    if not call.args or any(a.star for a in call.args):
        return None
    last = call.args[-1]
    if isinstance(last.comma, cst.Comma):
        after = last.comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace):
            code = module.code_for_node(call)
            at = code.rfind(module.code_for_node(last.value))
            line = code[code.rfind("\n", 0, at) + 1 : at]
            relative = line[: len(line) - len(line.lstrip())]
            if at >= 0 and relative and indent is not None:
                return Edit.insert_after(last.value, f",\n{indent}{relative}{text}")
    return Edit.insert_after(last.value, f", {text}")


# -- screens ---------------------------------------------------------------------------------------------


def upgrade_calls(facts: TreeFacts, methods: Iterable[str], skip_batch: bool = False) -> list[ast.Call]:
    """The calls ``<anything>.<method>(...)`` inside ``upgrade()`` (with ``skip_batch``, not on a receiver
    bound by ``with ...batch_alter_table(...) as <name>:``)."""
    method_calls, batches = upgrade_method_calls(facts)
    wanted = frozenset(methods)
    calls = [c for c in method_calls if c.func.attr in wanted]
    if skip_batch:
        calls = [c for c in calls if not (isinstance(c.func.value, ast.Name) and c.func.value.id in batches)]
    return calls



def keyword_is(call: ast.Call, name: str, *values: object) -> bool:
    """``name=`` given as one of the constants ``values`` (``**kwargs``: unknown, so yes)."""
    for kw in call.keywords:
        if kw.arg is None:
            return True
        if kw.arg == name:
            return isinstance(kw.value, ast.Constant) and kw.value.value in values
    return False


def lock_screen(facts: TreeFacts, project: Any, settings: Any, methods: Iterable[str], wanted: Any = None) -> bool:
    """A lock rule's screen: ``upgrade()`` calls one of ``methods`` on ``op`` (not ``batch_op``), for which
    ``wanted(call)`` holds when given, on a table not made earlier in the revision (``made_earlier``: the
    visitors' ``new_table``), in a revision that runs on Postgres (``off_postgres``)."""
    upgrade = revision_functions(facts)[0]

    def claims(call: ast.Call) -> bool:
        if wanted is not None and not wanted(call):
            return False
        return not made_earlier(facts, upgrade, call, TABLE_PARAM.get(call.func.attr, "table_name"))  # type: ignore[attr-defined]

    return any(claims(call) for call in upgrade_calls(facts, methods, skip_batch=True)) and not off_postgres(facts, project, settings)
