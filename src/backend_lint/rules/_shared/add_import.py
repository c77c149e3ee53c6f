"""Make a name importable in a module for a fix: reuse what the module has, else add an import where isort puts it.

``ensure_import(ctx, "datetime", "timezone")`` returns ``("timezone", edits)`` (or ``("dt.timezone", [])`` after
``import datetime as dt``), or ``None`` when the name cannot be made available without shadowing something.
``ensure_imports`` does the same for several names at once and merges them into one statement per module, so
that one fix never carries two edits at the same place.

What is reused: a runtime import at module level (top level or the body of a ``try:``; never one under
``if TYPE_CHECKING:``) that is not shadowed at the fix site (``shadowed``: names bound by the enclosing
function or class). What is added, in this order of preference:

1. the name to an existing ``from module import ...`` statement, at its isort position (order by type:
   CONSTANTS, Classes, functions; case-insensitive);
2. a new ``from module import name`` line in the leading import block, in isort's default layout
   (sections future / stdlib / third party / first party / local; ``import x`` before ``from x import y``
   within a section; a blank line between sections), after the module docstring and ``__future__`` imports;
3. ``import module`` (the expression becomes ``module.name``) when ``name`` is bound to something else;
4. ``from module import name as module_name`` when both are taken (Django's and Airflow's ``timezone``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from ...ground.lazy import lazy_import

from ...knowledge.cst import bound_names, is_docstring
from ...values import Edit
from ...knowledge.imports import dotted_name, resolve_relative

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}
FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY, LOCAL = range(5)


@dataclass
class _BlockImport:
    index: int  # position in module.body
    line: cst.SimpleStatementLine
    node: cst.BaseSmallStatement  # Import or ImportFrom
    module: str
    is_from: bool
    level: int = 0


@dataclass
class ModuleImports:
    """Module-level import facts of one file, computed once per file (``module_imports(ctx)``)."""

    ctx: "FileContext"
    # name -> qualified target, for bindings that exist at runtime when the module body has run
    runtime: dict[str, str] = field(default_factory=dict)
    # names of modules imported with ``import a.b`` (so ``a.b.x`` is usable), with the local head name
    loaded_modules: dict[str, str] = field(default_factory=dict)
    # every name bound at module level by anything (any branch, TYPE_CHECKING, def, class, assignment)
    taken: dict[str, Optional[str]] = field(default_factory=dict)
    block: list[_BlockImport] = field(default_factory=list)
    docstring_index: Optional[int] = None
    first_party: frozenset[str] = frozenset()

    # -- building ------------------------------------------------------------------------------------
    @classmethod
    def build(cls, ctx: "FileContext") -> "ModuleImports":
        module = ctx.module
        assert module is not None
        self = cls(ctx)
        self.first_party = _first_party_names(ctx)
        body = list(module.body)
        start = 0
        if body and is_docstring(body[0]):
            self.docstring_index = 0
            start = 1
        for i in range(start, len(body)):
            stmt = body[i]
            if not (isinstance(stmt, cst.SimpleStatementLine) and stmt.body and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)):
                break
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        self.block.append(_BlockImport(i, stmt, small, _name_of(alias.name), False))
                        break
                elif isinstance(small, cst.ImportFrom):
                    mod = _name_of(small.module) if small.module is not None else ""
                    self.block.append(_BlockImport(i, stmt, small, mod, True, len(small.relative)))
        self._scan(body, runtime=True)
        return self

    def _bind(self, name: str, target: Optional[str], runtime: bool) -> None:
        self.taken[name] = target
        if runtime and target is not None:
            self.runtime[name] = target
        else:
            self.runtime.pop(name, None)

    def _resolve_value(self, expr: cst.BaseExpression) -> Optional[str]:
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.runtime.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

    def _scan(self, body: Iterable[cst.CSTNode], runtime: bool) -> None:
        ctx = self.ctx
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Import):
                        for alias in small.names:
                            full = _name_of(alias.name)
                            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                                self._bind(alias.asname.name.value, full, runtime)
                            else:
                                top = full.split(".")[0]
                                self._bind(top, top, runtime)
                                if runtime:
                                    self.loaded_modules[full] = top
                    elif isinstance(small, cst.ImportFrom):
                        if isinstance(small.names, cst.ImportStar):
                            continue
                        base = resolve_relative(
                            ctx.module_name, ctx.is_package, len(small.relative),
                            _name_of(small.module) if small.module is not None else "",
                        )
                        for alias in small.names:
                            name = _name_of(alias.name)
                            local = name
                            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                                local = alias.asname.name.value
                            self._bind(local, f"{base}.{name}" if base else name, runtime)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                        targets: list[cst.BaseExpression] = []
                        value = getattr(small, "value", None)
                        if isinstance(small, cst.Assign):
                            targets = [t.target for t in small.targets]
                        else:
                            targets = [small.target]
                        aliased = self._resolve_value(value) if isinstance(small, cst.Assign) and value is not None else None
                        for t in targets:
                            for name in bound_names(t):
                                self._bind(name, aliased if len(targets) == 1 and isinstance(t, cst.Name) else None, runtime)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                self._bind(stmt.name.value, None, runtime)
            elif isinstance(stmt, cst.Try):
                self._scan(stmt.body.body, runtime)
                for handler in stmt.handlers:
                    if handler.name is not None:
                        for name in bound_names(handler.name.name):
                            self._bind(name, None, False)
                    self._scan(handler.body.body, False)
                if stmt.orelse is not None:
                    self._scan(stmt.orelse.body.body, False)
                if stmt.finalbody is not None:
                    self._scan(stmt.finalbody.body.body, False)
            elif isinstance(stmt, cst.If):
                self._scan(stmt.body.body, False)
                orelse = stmt.orelse
                while orelse is not None:
                    self._scan(orelse.body.body, False)
                    orelse = orelse.orelse if isinstance(orelse, cst.If) else None
            elif isinstance(stmt, (cst.For, cst.While, cst.With)):
                if isinstance(stmt, cst.For):
                    for name in bound_names(stmt.target):
                        self._bind(name, None, False)
                if isinstance(stmt, cst.With):
                    for item in stmt.items:
                        if item.asname is not None:
                            for name in bound_names(item.asname.name):
                                self._bind(name, None, False)
                self._scan(stmt.body.body, False)

    # -- queries -------------------------------------------------------------------------------------
    def existing(self, module: str, name: str, shadowed: Iterable[str] = (), from_only: bool = False) -> Optional[str]:
        """An expression for ``module.name`` made of names the module already binds at runtime."""
        shadowed = set(shadowed)
        target = f"{module}.{name}"
        for local, bound in self.runtime.items():
            if bound == target and local not in shadowed:
                return local
        if from_only:
            return None
        for local, bound in self.runtime.items():
            if bound == module and local not in shadowed:
                return f"{local}.{name}"
        head = self.loaded_modules.get(module)
        if head is not None and head not in shadowed and self.runtime.get(head) == head:
            return f"{module}.{name}"
        return None

    def bound_to(self, targets: Iterable[str], shadowed: Iterable[str] = ()) -> Optional[str]:
        """A module-level runtime name bound to one of ``targets`` (an import or a value alias)."""
        shadowed = set(shadowed)
        wanted = set(targets)
        for local, bound in self.runtime.items():
            if bound in wanted and local not in shadowed:
                return local
        return None

    def is_free(self, name: str, target: str, shadowed: Iterable[str]) -> bool:
        if name in shadowed:
            return False
        if name in self.taken and self.taken[name] != target:
            return False
        local_names = self.ctx.imports.local_names
        if name in local_names and self.taken.get(name) != target:
            return False
        return True

    # -- layout --------------------------------------------------------------------------------------
    def section(self, module: str, level: int = 0) -> int:
        if level:
            return LOCAL
        top = module.split(".")[0]
        if top == "__future__":
            return FUTURE
        if top in _STDLIB:
            return STDLIB
        if top in self.first_party:
            return FIRST_PARTY
        return THIRD_PARTY

    def sort_key(self, module: str, is_from: bool, level: int = 0) -> tuple:
        return (self.section(module, level), 1 if is_from else 0, module.lower())

    def row_before(self, index: int) -> int:
        """1-based row where statement ``index`` (its leading lines included) begins."""
        return self._rows()[index]

    def _rows(self) -> list[int]:
        def build() -> list[int]:
            module = self.ctx.module
            assert module is not None
            rows = []
            row = 1 + sum(module.code_for_node(line).count("\n") for line in module.header)
            upto = (self.block[-1].index + 2) if self.block else (self.docstring_index or 0) + 2
            for stmt in module.body[:upto]:
                rows.append(row)
                row += module.code_for_node(stmt).count("\n")
            rows.append(row)
            return rows

        return self.ctx.cached("add_import.rows", build)

    def _line_blank(self, row: int) -> bool:
        lines = self.ctx.cached("add_import.lines", lambda: self.ctx.source.splitlines())
        if row - 1 >= len(lines):
            return True
        return not lines[row - 1].strip()

    def _insert(self, row: int, text: str) -> Edit:
        lines = self.ctx.cached("add_import.lines", lambda: self.ctx.source.splitlines())
        source = self.ctx.source
        if row - 1 >= len(lines) and source and not source.endswith(("\n", "\r")):
            text = self.newline + text
        return Edit.insert_at_line(row, text)

    @property
    def newline(self) -> str:
        module = self.ctx.module
        return module.default_newline if module is not None else "\n"

    def _statement_start_row(self, index: int) -> tuple[int, int]:
        """(row of the first non-blank leading line, row of the code) of top-level statement ``index``."""
        module = self.ctx.module
        assert module is not None
        stmt = module.body[index]
        first = self.row_before(index)
        leading = list(getattr(stmt, "leading_lines", ()))
        skip = 0
        for line in leading:
            if line.comment is None:
                skip += 1
            else:
                break
        return first + skip, first + len(leading)

    def add_statement(self, text_for: str, module: str, is_from: bool) -> Edit:
        """Insert the import statement ``text_for`` (no newline) at its isort position."""
        nl = self.newline
        key = self.sort_key(module, is_from)
        new_section = key[0]
        before = [b for b in self.block if self.sort_key(b.module, b.is_from, b.level) <= key]
        after = [b for b in self.block if self.sort_key(b.module, b.is_from, b.level) > key]
        prev = before[-1] if before else None
        nxt = after[0] if after else None
        if prev is not None and self.section(prev.module, prev.level) == new_section:
            return self._insert(self.row_before(prev.index + 1), text_for + nl)
        if nxt is not None and self.section(nxt.module, nxt.level) == new_section:
            _, code_row = self._statement_start_row(nxt.index)
            return self._insert(code_row, text_for + nl)
        if prev is not None:
            # a new section after an earlier one: separate it by a blank line
            return self._insert(self.row_before(prev.index + 1), nl + text_for + nl)
        if nxt is not None:
            lead_row, _ = self._statement_start_row(nxt.index)
            return self._insert(lead_row, text_for + nl + nl)
        # no import block: after the docstring, else before the first statement
        module_node = self.ctx.module
        assert module_node is not None
        if self.docstring_index is not None:
            row = self.row_before(self.docstring_index + 1)
            tail = nl if not self._line_blank(row) else ""
            return self._insert(row, nl + text_for + nl + tail)
        if module_node.body:
            lead_row, _ = self._statement_start_row(0)
            return self._insert(lead_row, text_for + nl + nl)
        return self._insert(len(self.ctx.source.splitlines()) + 1, text_for + nl)

    def add_names_to(self, stmt: cst.ImportFrom, names: Sequence[str]) -> Edit:
        """Replace ``stmt`` with itself plus ``names`` at their sorted positions."""
        assert not isinstance(stmt.names, cst.ImportStar)
        aliases = list(stmt.names)
        sep = aliases[0].comma if len(aliases) >= 2 and isinstance(aliases[0].comma, cst.Comma) else cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" ")
        )
        for name in sorted(names, key=member_key):
            new = cst.ImportAlias(name=cst.Name(name))
            position = len(aliases)
            for i, alias in enumerate(aliases):
                if member_key(_name_of(alias.name)) > member_key(name):
                    position = i
                    break
            if position == len(aliases):
                last = aliases[-1]
                new = new.with_changes(comma=last.comma)
                aliases[-1] = last.with_changes(comma=sep)
                aliases.append(new)
            else:
                aliases.insert(position, new.with_changes(comma=sep))
        new_stmt = stmt.with_changes(names=aliases)  # a line that grows too long is left to the formatter
        module = self.ctx.module
        assert module is not None
        return Edit.replace(stmt, module.code_for_node(new_stmt))

    def from_statement(self, module: str) -> Optional[cst.ImportFrom]:
        """The first top-level ``from module import a, b`` of the import block (not a star import)."""
        for b in self.block:
            if b.is_from and b.level == 0 and b.module == module and not isinstance(b.node.names, cst.ImportStar):  # type: ignore[union-attr]
                return b.node  # type: ignore[return-value]
        return None


def member_key(name: str) -> tuple[int, str]:
    """isort's ``order_by_type``: CONSTANTS, then Classes, then the rest; case-insensitive within each."""
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower()


def _name_of(node: Optional[cst.CSTNode]) -> str:
    if node is None:
        return ""
    return dotted_name(node) or ""  # type: ignore[arg-type]


def _first_party_names(ctx: "FileContext") -> frozenset[str]:
    names = set()
    if ctx.module_name:
        names.add(ctx.module_name.split(".")[0])
    project = ctx.project
    if project is not None:
        def build() -> frozenset[str]:
            names = {m.split(".")[0] for m in project.module_names() if m}
            services = getattr(project, "services", None)
            if services is not None:
                names.update(services().values())  # (``app`` of ``services.api.app.*``: services import it so)
            return frozenset(names)

        names |= project.memo("add_import.first_party", build)
    return frozenset(names)


def module_imports(ctx: "FileContext") -> ModuleImports:
    return ctx.cached("add_import.module_imports", lambda: ModuleImports.build(ctx))


def ensure_imports(
    ctx: "FileContext", wanted: Sequence[tuple[str, str]], shadowed: Iterable[str] = ()
) -> Optional[tuple[list[str], list[Edit]]]:
    """Expressions for each ``(module, name)`` in ``wanted`` and the edits that make them valid, or ``None``."""
    mi = module_imports(ctx)
    shadowed = frozenset(shadowed)
    exprs: list[Optional[str]] = []
    to_add: dict[str, list[str]] = {}  # module -> names for ``from module import ...``
    plain: list[str] = []  # modules for ``import module``
    aliased: list[tuple[str, str, str]] = []  # ``from module import name as alias``
    for module, name in wanted:
        found = mi.existing(module, name, shadowed)
        if found is not None:
            exprs.append(found)
            continue
        if mi.is_free(name, f"{module}.{name}", shadowed):
            if name not in to_add.setdefault(module, []):
                to_add[module].append(name)
            exprs.append(name)
            continue
        top = module.split(".")[0]
        if mi.is_free(top, top, shadowed):
            if module not in plain:
                plain.append(module)
            exprs.append(f"{module}.{name}")
            continue
        alias = f"{module.replace('.', '_')}_{name}"
        if mi.is_free(alias, f"{module}.{name}", shadowed):
            # isort keeps ``as`` imports on their own line (``combine_as_imports = false``)
            if (module, name, alias) not in aliased:
                aliased.append((module, name, alias))
            exprs.append(alias)
            continue
        return None
    edits: list[Edit] = []
    inserts: dict[int, list[str]] = {}
    nl = mi.newline
    for module, names in to_add.items():
        stmt = mi.from_statement(module)
        if stmt is not None:
            edits.append(mi.add_names_to(stmt, names))
        else:
            text = f"from {module} import {', '.join(sorted(names, key=member_key))}"
            edits.append(mi.add_statement(text, module, True))
    for module in plain:
        edits.append(mi.add_statement(f"import {module}", module, False))
    for module, name, alias in aliased:
        edits.append(mi.add_statement(f"from {module} import {name} as {alias}", module, True))
    # several new statements at one place become one edit (one fix must not carry overlapping edits)
    merged: list[Edit] = []
    for e in edits:
        if e.kind == "line":
            inserts.setdefault(e.start, []).append(e.content)
        else:
            merged.append(e)
    for row, texts in inserts.items():
        if len(texts) == 1:
            merged.append(Edit.insert_at_line(row, texts[0]))
        else:
            lines = [t.strip(nl) for t in texts]
            first, last = texts[0], texts[0]
            lead = first[: len(first) - len(first.lstrip(nl))]
            trail = last[len(last.rstrip(nl)):]
            merged.append(Edit.insert_at_line(row, lead + nl.join(sorted(lines, key=lambda l: (l.startswith("from "), l.lower()))) + trail))
    return [e for e in exprs if e is not None], merged  # type: ignore[misc]


def ensure_import(
    ctx: "FileContext", module: str, name: str, shadowed: Iterable[str] = ()
) -> Optional[tuple[str, list[Edit]]]:
    """An expression that refers to ``module.name`` at the fix site, and the edits needed, or ``None``."""
    found = ensure_imports(ctx, [(module, name)], shadowed)
    if found is None:
        return None
    return found[0][0], found[1]
