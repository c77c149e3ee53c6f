"""Name resolution from a module's own import table (no libcst metadata providers).

``ImportTable.qualified_name(expr)`` turns ``dt.datetime.now`` (after ``import datetime as dt``) into
``"datetime.datetime.now"``, ``DT`` (after ``from datetime import datetime as DT``) into
``"datetime.datetime"`` and a class defined in the module into ``"<module>.<Name>"``. A name with no
binding gives ``None``: rules make no claim about what they cannot resolve.
"""

from __future__ import annotations

import builtins
from typing import Any, Iterable, Optional

from ..ground.lazy import lazy_import

from .modules import resolve_relative  # noqa: F401  (re-exported; libcst-free for the index)

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_BUILTINS = frozenset(dir(builtins))


def dotted_name(expr: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` as a string, or ``None`` when ``expr`` is not a plain dotted name."""
    parts: list[str] = []
    while type(expr) is cst.Attribute:  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        parts.append(expr.attr.value)
        expr = expr.value
    if type(expr) is cst.Name:
        parts.append(expr.value)
        return ".".join(reversed(parts))
    return None


def last_segment(q: Optional[str]) -> str:
    """The last part of a dotted name (``""`` for ``None``)."""
    return q.rsplit(".", 1)[-1] if q else ""


def _module_expr_name(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    return dotted_name(node) or ""  # type: ignore[arg-type]


class ImportTable:
    """Bindings of top-level names to qualified names, built from the module's statements."""

    def __init__(self, module_name: str = "", is_package: bool = False, project: Optional[Any] = None) -> None:
        self.module_name = module_name
        self.is_package = is_package
        # ``from m import *``: the modules read (resolved), and the project index that says what they bind
        self.star_modules: list[str] = []
        self.project = project
        # how the module's service reads its absolute imports of its own package (``ProjectIndex.module_remap``)
        remap_of = getattr(project, "module_remap", None)
        self.remap: Optional[tuple[str, str]] = remap_of(module_name) if remap_of is not None and module_name else None
        self.bindings: dict[str, str] = {}
        # Names bound by a def/class/assignment in this module (they shadow imports of the same name).
        self.local_names: set[str] = set()

    # -- building ------------------------------------------------------------------------------------
    @classmethod
    def from_module(cls, module: cst.Module, module_name: str = "", is_package: bool = False, project: Optional[Any] = None) -> "ImportTable":
        """``project``: the project index, through which names of ``from m import *`` resolve."""
        table = cls(module_name, is_package, project)
        table._scan_body(module.body)
        return table

    def _scan_body(self, body: Iterable[cst.CSTNode]) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self.add_import(small)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        self._add_assignment(small)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                self._bind_local(stmt.name.value)
            elif isinstance(stmt, cst.If):
                self._scan_body(stmt.body.body)
                orelse = stmt.orelse
                while orelse is not None:
                    self._scan_body(orelse.body.body)
                    orelse = orelse.orelse if isinstance(orelse, cst.If) else None
            elif isinstance(stmt, cst.Try):
                self._scan_body(stmt.body.body)
                for handler in stmt.handlers:
                    self._scan_body(handler.body.body)
                if stmt.orelse is not None:
                    self._scan_body(stmt.orelse.body.body)

    def _bind_local(self, name: str) -> None:
        self.local_names.add(name)
        self.bindings[name] = f"{self.module_name}.{name}" if self.module_name else name

    def _add_assignment(self, node: cst.Assign | cst.AnnAssign) -> None:
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        value = node.value
        aliased = self.qualified_name(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
        for target in targets:
            if isinstance(target, cst.Name):
                if aliased is not None:
                    self.bindings[target.value] = aliased  # ``now = datetime.now`` keeps its meaning
                    self.local_names.discard(target.value)
                else:
                    self._bind_local(target.value)

    def add_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = self._absolute(_module_expr_name(alias.name))
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.bindings[alias.asname.name.value] = full
                    self.local_names.discard(alias.asname.name.value)
                else:
                    top = _module_expr_name(alias.name).split(".")[0]
                    self.bindings[top] = self._absolute(top)
                    self.local_names.discard(top)
            return
        level = len(node.relative)
        base = resolve_relative(self.module_name, self.is_package, level, _module_expr_name(node.module))
        if not level:
            base = self._absolute(base)
        if isinstance(node.names, cst.ImportStar):
            if base and base not in self.star_modules:
                self.star_modules.append(base)
            return
        for alias in node.names:
            name = _module_expr_name(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.bindings[local] = f"{base}.{name}" if base else name
            self.local_names.discard(local)

    def _absolute(self, module: str) -> str:
        """An absolute import's module as the module's service reads it (``app.x`` -> ``services.api.app.x``)."""
        from .index.services import remap_module  # (the index's own reading; after this module: no cycle)

        return remap_module(module, self.remap)

    def add_function_imports(self, func: cst.FunctionDef) -> None:
        """Bind the imports a function's own body makes (``from app.models import Workspace`` written inside
        it, to dodge an import cycle), as the traversal would once it reaches them, before the function is
        read: the first function of a module to import a model locally uses it as the later ones do. Nested
        functions and classes keep theirs."""
        # The statement-holding fields of each block kind, in the order of ``node.children`` (which libcst
        # builds by rebuilding the node through a visitor, and whose other children are whitespace, headers
        # and expressions): a stack, so the order decides which of two imports of one name binds last.
        # Exact types (``is``): a failing ``isinstance`` on libcst's ABCs calls into ``abc``.
        pending: list[Any] = [func.body]
        pop, push, extend = pending.pop, pending.append, pending.extend
        imports = (cst.Import, cst.ImportFrom)
        lines = (cst.SimpleStatementLine, cst.IndentedBlock)
        with_orelse = (cst.If, cst.For, cst.While)
        only_body = (cst.Else, cst.ExceptHandler, cst.Finally, cst.With)
        while pending:
            node = pop()
            kind = type(node)
            if kind in imports:
                self.add_import(node)
            elif kind in lines:
                extend(node.body)
            elif kind in with_orelse:
                push(node.body)
                if node.orelse is not None:
                    push(node.orelse)
            elif kind in only_body:
                push(node.body)
            elif kind is cst.Try:
                push(node.body)
                extend(node.handlers)
                if node.orelse is not None:
                    push(node.orelse)
                if node.finalbody is not None:
                    push(node.finalbody)

    # -- queries -------------------------------------------------------------------------------------
    def resolve_name(self, name: str) -> Optional[str]:
        bound = self.bindings.get(name)
        if bound is not None:
            return bound
        if self.star_modules:
            star = self._star_source(name)
            if star is not None:
                return f"{star}.{name}"
        if name in _BUILTINS:
            return f"builtins.{name}"
        return None

    def _star_source(self, name: str) -> Optional[str]:
        """The module whose ``*`` binds ``name`` here: a project module that exports it (the last star import
        wins, as in Python); else, when exactly one star import names a module outside the project, that one
        for a public name that no builtin has."""
        project = self.project
        outside = []
        for star in reversed(self.star_modules):
            if project is not None and star in project.modules:
                if project.exports(star, name):
                    return star
            else:
                outside.append(star)
        if len(outside) == 1 and not name.startswith("_") and name not in _BUILTINS:
            return outside[0]
        return None

    def qualified_name(self, expr: cst.BaseExpression) -> Optional[str]:
        parts: list[str] = []
        while type(expr) is cst.Attribute:  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
            parts.append(expr.attr.value)
            expr = expr.value
        if type(expr) is not cst.Name:
            return None
        head = self.resolve_name(expr.value)
        if head is None:
            return None
        parts.append(head)
        return ".".join(reversed(parts))

    def local_name_for(self, qualified: str) -> Optional[str]:
        """A name bound in this module that refers to ``qualified`` (``"datetime.timezone"`` -> ``"timezone"``
        or ``"dt.timezone"`` after ``import datetime as dt``), or ``None``."""
        for local, bound in self.bindings.items():
            if bound == qualified and local not in self.local_names:
                return local
        for local, bound in self.bindings.items():
            if local in self.local_names:
                continue
            if qualified.startswith(bound + "."):
                return local + qualified[len(bound):]
        return None
