"""What the index rules of family 4, part two share (BKL412 blocking-index-creation, BKL413
concurrent-index-in-transaction, BKL414 blocking-index-drop): the index operations of ``upgrade()`` with
what decides a claim, their screen, and the one fix writer (``postgresql_concurrently=True`` and
``with op.get_context().autocommit_block():``).

Decisions, for all three: only ``upgrade()`` is read (downgrades undo, they are not deployed forward); ``batch_op``
operations make no claim (batch mode is SQLite's table-copy dance); Postgres only (``knowledge.alembic.dialect``);
an operation in a loop or with ``**kwargs`` makes no claim (its keywords are unknown), nor one in an ``if`` arm
that runs on another database only (``if op.get_context().dialect.name == "sqlite":``, the ``else`` of
``if is_postgres:``). A table created in the
revision (``op.create_table``, a helper's ``create_table("name", ...)``, or renamed from such a table) is new.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, Optional

from ...ground.lazy import lazy_import

from ...knowledge.alembic import revision_info
from ...knowledge.alembic.dialect import POSTGRESQL, migration_dialect
from ...knowledge.alembic.reader import read_function
from ...knowledge.alembic.revision import DYNAMIC
from ...knowledge.cst import iter_children
from ...knowledge.tree_facts import TreeFacts
from ...values import Edit, Fix
from ._screens import Unreadable, batch_names, bind_args, module_constants, off_postgres, op_is_alembic, revision_functions, screen_string
from ...knowledge.tree_facts import walk as ast_walk

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

INDEX_METHODS = ("create_index", "drop_index")
CONCURRENTLY = "postgresql_concurrently"


@dataclass
class IndexOp:
    """One ``op.create_index`` / ``op.drop_index`` of ``upgrade()``."""

    op: Any  # knowledge.alembic.ops.Op
    concurrent: bool  # ``postgresql_concurrently=`` given and not literally False
    in_autocommit: bool  # inside ``with ....autocommit_block():``
    new_table: bool  # on a table created earlier in the same revision (or an index created there)
    line: Optional[cst.SimpleStatementLine]  # the statement, when the call is one on its own line
    indent: str  # that statement's indentation


def _is_autocommit_with(stmt: cst.With) -> bool:
    for item in stmt.items:
        call = item.item
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "autocommit_block":
            return True
    return False


_OTHER_DIALECT = re.compile(r"sqlite|mysql|mariadb|mssql|oracle", re.I)
_POSTGRES = re.compile(r"postgres|\bpg|psycopg|asyncpg", re.I)
_NEGATED = re.compile(r"\bnot\b|!=")


def _arms_elsewhere(test: str) -> tuple[bool, bool]:
    """Whether an ``if`` with this test runs its body, resp. its ``else``, on another database only:
    ``if dialect == "sqlite":`` / ``if isinstance(bind.dialect, MySQLDialect):`` (body), ``if is_postgres:``
    / ``if dialect == "postgresql":`` (else)."""
    other, pg, negated = bool(_OTHER_DIALECT.search(test)), bool(_POSTGRES.search(test)), bool(_NEGATED.search(test))
    if other and pg:
        return False, False
    return (other and not negated) or (pg and negated), (pg and not negated) or (other and negated)


def _places(func: cst.FunctionDef, module: cst.Module) -> dict:
    """id(call) -> (in an autocommit block, its own statement line or None, that line's indentation, on
    another database only)."""
    out: dict = {}
    default_indent = module.default_indent

    def calls(node: cst.CSTNode, auto: bool, other: bool) -> None:
        for child in iter_children(node):
            if isinstance(child, cst.Call):
                out.setdefault(id(child), (auto, None, "", other))
            calls(child, auto, other)

    def suite(node: Any, indent: str, auto: bool, other: bool) -> None:
        if isinstance(node, cst.IndentedBlock):
            step = node.indent if node.indent is not None else default_indent
            block(list(node.body), indent + step, auto, other)
        else:
            calls(node, auto, other)

    def block(stmts: list, indent: str, auto: bool, other: bool) -> None:
        for stmt in stmts:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and len(stmt.body) == 1:
                        out[id(small.value)] = (auto, stmt, indent, other)
                    calls(small, auto, other)
                continue
            if isinstance(stmt, cst.If):
                calls(stmt.test, auto, other)
                body_other, else_other = _arms_elsewhere(module.code_for_node(stmt.test))
                suite(stmt.body, indent, auto, other or body_other)
                if isinstance(stmt.orelse, cst.If):
                    block([stmt.orelse], indent, auto, other or else_other)
                elif isinstance(stmt.orelse, cst.Else):
                    suite(stmt.orelse.body, indent, auto, other or else_other)
                continue
            inner_auto = auto or (isinstance(stmt, cst.With) and _is_autocommit_with(stmt))
            for child in iter_children(stmt):
                if isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                    suite(child, indent, inner_auto, other)
                elif isinstance(child, (cst.Else, cst.ExceptHandler, cst.Finally, cst.ExceptStarHandler)):
                    suite(child.body, indent, auto, other)
                else:
                    if isinstance(child, cst.Call):
                        out.setdefault(id(child), (auto, None, "", other))
                    calls(child, auto, other)

    suite(func.body, "", False, False)
    del calls, suite, block  # (closures that refer to each other: a cycle holding the module otherwise)
    return out


def _helper_created_tables(func: cst.FunctionDef) -> list:
    """``(None, name)`` for every ``<anything>.create_table("name", ...)`` / ``create_table("name", ...)``."""
    out = []
    stack: list = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            f = node.func
            name = f.value if isinstance(f, cst.Name) else f.attr.value if isinstance(f, cst.Attribute) else None
            if name == "create_table" and node.args and isinstance(node.args[0].value, cst.SimpleString) and node.args[0].keyword is None:
                out.append((None, node.args[0].value.evaluated_value))
        stack.extend(iter_children(node))
    return out


def _concurrent(op: Any) -> bool:
    value = op.kwargs.get(CONCURRENTLY)
    if value is None:
        return False
    return not (isinstance(value, cst.Name) and value.value in ("False", "None"))


def index_ops(ctx: Any) -> list[IndexOp]:
    """The index operations of ``upgrade()`` that the rules may claim on (Postgres, not batch, known
    keywords), in order; ``[]`` for any other dialect."""

    def build() -> list[IndexOp]:
        info = revision_info(ctx)
        if info.upgrade is None or migration_dialect(ctx) != POSTGRESQL:
            return []
        facts = read_function(info, ctx, info.upgrade, inline_helpers=False)
        module = ctx.module
        places = _places(info.upgrade, module)
        # ``create_table("name", ...)`` through a project helper counts too (superset's ``create_table``)
        created_tables: set = set(_helper_created_tables(info.upgrade))
        created_indexes: set = set()
        dynamic_create = False
        out: list[IndexOp] = []
        for op in facts.ops:
            auto, line, indent, elsewhere = places.get(id(op.call), (False, None, "", False))
            if op.method in ("rename_table", "create_table") and elsewhere:
                continue  # runs on another database only
            if op.method == "rename_table":
                if (op.schema, op.table) in created_tables or (None, op.table) in created_tables:
                    created_tables.add((op.schema, op.new_name))
                continue
            if op.method == "create_table":
                table = op.table
                if table is DYNAMIC or table is None:
                    dynamic_create = True
                else:
                    created_tables.add((op.schema, table))
                continue
            if op.method not in INDEX_METHODS or op.batch is not None or op.unpacked or op.in_loop or elsewhere:
                if op.method == "create_index" and op.batch is None:
                    created_indexes.add(op.name)
                continue
            table = op.table
            if table is DYNAMIC or (table is None and op.method == "create_index"):
                new = dynamic_create
            elif table is None:
                new = False
            else:
                new = (op.schema, table) in created_tables or (None, table) in created_tables
            if op.method == "drop_index" and op.name is not DYNAMIC and op.name in created_indexes:
                new = True
            if op.method == "create_index":
                created_indexes.add(op.name)
            out.append(IndexOp(op, _concurrent(op), auto, new, line, indent))
        return out

    return ctx.cached("alembic.index_ops", build)


def _ast_str(node: Any) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _ast_table(call: ast.Call) -> Optional[str]:
    """The literal table of ``create_index(name, table, ...)`` / ``drop_index(name, table)``."""
    for kw in call.keywords:
        if kw.arg in ("table_name", "tablename"):
            return _ast_str(kw.value)
    return _ast_str(call.args[1]) if len(call.args) > 1 else None


def index_screen(facts: TreeFacts, project: Any, settings: Any, method: Optional[str], concurrent: bool) -> bool:
    """Whether ``upgrade()`` has an index call the visitors may claim: ``method`` (any of the two when
    ``None``), with ``postgresql_concurrently=`` given or not as ``concurrent`` says, not on a
    ``batch_op`` receiver nor on a table that a ``create_table("<literal>", ...)`` without ``schema=``
    makes in the same function, in a revision that runs on Postgres (``off_postgres``). Never stricter than
    ``index_ops``: it reads less."""
    if getattr(settings, "migration_dialect", None) in ("sqlite", "mysql"):
        return False
    upgrade, _ = revision_functions(facts)
    if upgrade is None:
        return False
    batches: set = set()
    created: set = set()
    calls: list = []
    for node in ast_walk(upgrade):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            batches.update(batch_names(node))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name == "create_table" and node.args and not any(kw.arg == "schema" for kw in node.keywords):
                table = _ast_str(node.args[0])
                if table is not None:
                    created.add(table)
            elif name in INDEX_METHODS and isinstance(func, ast.Attribute) and (method is None or name == method):
                calls.append(node)
    for call in calls:
        if isinstance(call.func.value, ast.Name) and call.func.value.id in batches:
            continue
        given = any(kw.arg == CONCURRENTLY or kw.arg is None for kw in call.keywords)
        if concurrent and not given:
            continue
        if not concurrent:
            literal_true = any(
                kw.arg == CONCURRENTLY and not (isinstance(kw.value, ast.Constant) and kw.value.value in (False, None))
                for kw in call.keywords
            )
            if literal_true:
                continue
            table = _ast_table(call)
            if table is not None and table in created:
                continue
            if _made_before(facts, upgrade, call):
                continue
        return not off_postgres(facts, project, settings)
    return False


def _made_before(facts: TreeFacts, upgrade: Any, call: ast.Call) -> bool:
    """The table of an index call is made earlier in ``upgrade()`` (``made_earlier``)."""
    return made_earlier(facts, upgrade, call, "table_name")


def made_earlier(facts: TreeFacts, upgrade: Any, call: ast.Call, param: str) -> bool:
    """The table ``param`` of an operation call of ``upgrade()`` names is one the visitors count as made in
    the same revision before it (``index_ops`` / ``deploy_ops``' new tables): a literal
    ``<anything>.create_table("name", ...)`` anywhere in the function (``_helper_created_tables``), or an
    ``op.create_table(NAME, ...)`` statement without ``schema=`` before the call, ``NAME`` a literal or a
    module constant, not in a loop, a nested definition or an ``if`` arm whose header names a database
    (``_places`` may read it as run on another database only). ``False`` when unsure."""
    try:
        params, _ = bind_args(call.func.attr, call, False)  # type: ignore[attr-defined]
        table = screen_string(params.get(param), module_constants(facts))
    except Unreadable:
        return False
    if table is None:
        return False
    if table in _literal_tables(facts, upgrade):
        return True
    at = (call.lineno, call.col_offset)
    return any(end < at and made == table for end, made in _tables_made(facts, upgrade))


_SIMPLE_STRING = re.compile(r"""[rRuU]?(?:"[^"\\\n]*"|'[^'\\\n]*')""")


def _literal_tables(facts: TreeFacts, upgrade: Any) -> frozenset[str]:
    """``_helper_created_tables`` on ``ast``: the first positional argument of every call named
    ``create_table`` in the function's body, when it is one plain string literal (not implicitly
    concatenated: libcst's ``SimpleString``)."""

    def build() -> frozenset[str]:
        out = set()
        lines = facts.source.split("\n") if "\r" not in facts.source else None
        if lines is None:
            return frozenset()
        for stmt in upgrade.body:
            for node in ast_walk(stmt):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                first = node.args[0]
                if name != "create_table" or not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                    continue
                if first.lineno != first.end_lineno:
                    continue
                text = lines[first.lineno - 1].encode("utf-8")[first.col_offset : first.end_col_offset].decode("utf-8", "replace")
                if _SIMPLE_STRING.fullmatch(text):
                    out.add(first.value)
        return frozenset(out)

    return facts.cached("alembic.literal_tables", build)


def _tables_made(facts: TreeFacts, upgrade: Any) -> list[tuple[tuple[int, int], str]]:
    """(where the statement ends, table) of each ``op.create_table(...)`` statement ``_made_before`` reads."""

    def build() -> list[tuple[tuple[int, int], str]]:
        out: list[tuple[tuple[int, int], str]] = []
        if not op_is_alembic(facts):
            return out
        consts = module_constants(facts)
        lines = facts.source.split("\n") if "\r" not in facts.source else None

        def neutral_header(stmt: ast.If) -> bool:
            if lines is None or not stmt.body:
                return False
            header = "\n".join(lines[stmt.lineno - 1 : stmt.body[0].lineno])  # (from ``if`` to the body: the test's code and more)
            return not (_OTHER_DIALECT.search(header) or _POSTGRES.search(header))

        def block(stmts: list) -> None:
            for stmt in stmts:
                if isinstance(stmt, ast.If):
                    if neutral_header(stmt):
                        block(stmt.body)
                        block(stmt.orelse)
                elif isinstance(stmt, ast.With):
                    block(stmt.body)
                elif isinstance(stmt, ast.Try):
                    for part in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):
                        block(part)
                elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                    func = stmt.value.func
                    if isinstance(func, ast.Attribute) and func.attr == "create_table" and isinstance(func.value, ast.Name) and func.value.id == "op":
                        try:
                            params, kwargs = bind_args("create_table", stmt.value, False)
                            table = screen_string(params.get("table_name"), consts)
                        except Unreadable:
                            continue
                        if table is not None and "schema" not in kwargs:
                            out.append(((stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0), table))

        block(upgrade.body)
        return out

    return facts.cached("alembic.tables_made", build)


def concurrent_index_fix(ctx: Any, item: IndexOp, safe: bool) -> Optional[Fix]:
    """``postgresql_concurrently=True`` (unless given) and the statement wrapped in
    ``with <op>.get_context().autocommit_block():`` (unless already inside one). No fix when the call is not
    a statement of its own, or holds a multi-line string (re-indenting would change it)."""
    op = item.op
    edits: list[Edit] = []
    title_parts: list[str] = []
    if not item.concurrent:
        if not op.call.args or CONCURRENTLY in op.kwargs:  # ``=False`` written out: a choice to review
            return None
        edits.append(Edit.insert_after(op.call.args[-1].value, f", {CONCURRENTLY}=True"))
        title_parts.append(f"pass `{CONCURRENTLY}=True`")
    if not item.in_autocommit:
        if item.line is None:
            return None
        small = item.line.body[0]
        # libcst writes a statement with its continuation lines relative to the statement's own indentation
        code = ctx.module.code_for_node(small)
        if '"""' in code or "'''" in code:
            return None
        if edits:  # the keyword goes into the wrapped text instead of a separate edit
            edits = []
            call_code = ctx.module.code_for_node(op.call)
            code = code.replace(call_code, _with_keyword(ctx, op.call, call_code), 1)
        step = ctx.module.default_indent
        lines = code.split("\n")
        body = "\n".join([lines[0]] + [(item.indent + step + ln) if ln.strip() else ln for ln in lines[1:]])
        receiver = op.env.code(op.receiver)
        wrapped = f"with {receiver}.get_context().autocommit_block():\n{item.indent}{step}{body}"
        edits.append(Edit.replace(small, wrapped))
        title_parts.append("wrap it in `autocommit_block()`")
    if not edits:
        return None
    title = " and ".join(title_parts)
    title = title[0].upper() + title[1:]
    return Fix.safe(title, edits) if safe else Fix.unsafe(title, edits)


def _with_keyword(ctx: Any, call: cst.Call, call_code: str) -> str:
    """``call_code`` (the call's text) with ``postgresql_concurrently=True`` after its last argument: on a
    line of its own when the call ends with a trailing comma on its own line."""
    last = call.args[-1]
    inner = ctx.module.code_for_node(last.value)
    at = call_code.rfind(inner)
    if at < 0:
        return call_code
    end = at + len(inner)
    rest = call_code[end:]
    if isinstance(last.comma, cst.Comma) and "\n" in rest and rest.lstrip().startswith(","):
        line_start = call_code.rfind("\n", 0, at) + 1
        line = call_code[line_start:at]
        ws = line[: len(line) - len(line.lstrip())]
        if ws:
            comma = call_code.index(",", end) + 1
            return call_code[:comma] + f"\n{ws}{CONCURRENTLY}=True," + call_code[comma:]
    return call_code[:end] + f", {CONCURRENTLY}=True" + rest
