"""The symbolic simulation behind BKL404 (``analyse``): upgrade operations whose inverse is missing from
``downgrade()``, over schema objects with identities (so renames are followed, a dropped table covers what it
holds, and a drop undone by a re-create under the same name is told apart from a rename undone by
drop-and-add).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ...ground.lazy import lazy_import

from .revision import DYNAMIC, revision_info
from .ops import CREATE_CONSTRAINT, DROP_METHODS, Op
from .reader import FunctionFacts, alternatives, read_function, word_in

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


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
    """An upgrade operation whose inverse ``downgrade()`` lacks (the rule words it): ``problem`` is
    ``not-dropped`` (created by the upgrade, still there), ``not-restored`` (dropped and re-created by the
    upgrade), ``not-recreated`` (dropped by the upgrade), ``comment-kept`` / ``comment-lost`` (a table
    comment set / dropped), ``rename-by-drop-add`` or ``not-renamed-back``; ``kind`` is ``table``,
    ``column``, ``index``, ``constraint`` or ``comment``; ``name`` the object as written (``table.column``
    for a column; the table for a comment); ``previous`` the name a rename must give back."""

    op: Op
    problem: str
    kind: str
    name: str
    names: tuple
    previous: Optional[str] = None


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
        if m in DROP_METHODS and op.guards:
            # ``if "x" in existing_tables: op.drop_table("x")``: a clean-up of what may be there
            strings = op.guard_strings()
            target = name if isinstance(name, str) else table
            if isinstance(target, str) and any(word_in(target, g) for g in strings):
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
        elif m in ("create_index",) or m in CREATE_CONSTRAINT:
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
        elif m == "create_index" or m in CREATE_CONSTRAINT:
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
                found = ("not-dropped", "table", obj.name)
                names = (obj.name,)
            elif obj.kind == "column":
                if not s.alive_table(t) or t.columns.get(obj.name) is not obj:
                    continue
                found = ("not-dropped", "column", f"{t.name}.{obj.name}")
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
                found = ("not-dropped", what, obj.name)
                names = (obj.name,) + ((t.name, t.pre_name) if t is not None else ())
            elif obj.kind == "comment":
                if not s.alive_table(t) or t.comment is not obj:
                    continue
                found = ("comment-kept", "comment", t.name)
                names = (t.name, t.pre_name)
            else:  # pragma: no cover
                continue
            if suppressed("drop", obj.kind, names):
                continue
            if obj.recreated:
                what = {"table": "table", "column": "column", "index": "index", "constraint": "constraint"}[obj.kind]
                label = f"{t.name}.{obj.name}" if obj.kind == "column" else obj.name
                found = ("not-restored", what, label)
            out.append(Finding(obj.op, *found, names))

        # objects the upgrade dropped must come back
        for kind, schema, table, name, op, tobj in self.dropped:
            if kind == "table":
                if s.table(schema, table, materialize=False, lenient=True) is not None:
                    continue
                found = ("not-recreated", "table", table)
                names = (table,)
            elif kind == "column":
                t = s.table(schema, table, materialize=False, lenient=True)
                if t is not None and (t.origin == "down" or name in t.columns):
                    continue
                found = ("not-recreated", "column", f"{table}.{name}")
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
                found = ("not-recreated", what, name)
                names = (name, table)
            else:  # comment
                t = s.table(schema, table, materialize=False, lenient=True)
                if t is not None and (t.comment is not None or t.origin == "down"):
                    continue
                found = ("comment-lost", "comment", table)
                names = (table,)
            if suppressed("create", kind, names):
                continue
            out.append(Finding(op, *found, names))

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
                found = ("rename-by-drop-add", what, full, None)
                if suppressed("rename", obj.kind, ()):
                    continue
            else:
                found = ("not-renamed-back", what, obj.name, pre_name)
                if suppressed("rename", obj.kind, names) or suppressed("drop", obj.kind, names):
                    continue
            out.append(Finding(op, *found[:3], names, found[3]))
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
        if any(alternatives(prev.path, op.path) and prev.signature() == sig for prev in out):
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

