"""The module header of an Alembic revision: ``revision`` / ``down_revision``, ``upgrade()``, ``downgrade()``
and module-level constants, read from the top level only (``revision_module``, ``revision_info``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ...ground.lazy import lazy_import

from ..cst import bound_names, iter_children
from ..imports import dotted_name

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


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
    # the module-level ``alembic.env.Env``, built once by ``env.module_env_of``: one guard of the names being read
    # for the whole module, so that ``A = B; B = A`` ends instead of recursing through fresh environments
    module_env: object = field(default=None, repr=False, compare=False)

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


def literal_str(node: cst.CSTNode) -> Optional[str]:
    """The text of a (possibly implicitly concatenated) string literal; None for bytes or what libcst cannot evaluate."""
    try:
        value = node.evaluated_value  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - odd prefixes
        return None
    return value if isinstance(value, str) else None


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
                            dotted = dotted_name(alias.name) or ""
                            local = dotted.split(".")[0] if isinstance(small, cst.Import) else dotted
                        bind(local, None)
                        if local == "downgrade":
                            info.downgrade_bound = True
                    continue
                target = value = None
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        names = bound_names(t.target)
                        for n in names:
                            bind(n, small.value if len(small.targets) == 1 and isinstance(t.target, cst.Name) else None)
                            if n == "downgrade":
                                info.downgrade_bound = True
                    if len(small.targets) == 1:
                        target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign):
                    for n in bound_names(small.target):
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
                        for n in bound_names(t.target):
                            bind(n, None)
                            if n == "downgrade":
                                info.downgrade_bound = True
                elif isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar):
                    for alias in node.names:
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            bind(alias.asname.name.value, None)
                        else:
                            dotted = dotted_name(alias.name) or ""
                            bind(dotted.split(".")[0] if isinstance(node, cst.Import) else dotted, None)
    return info


def value_nodes(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Nodes below ``node`` that are values: attribute names and keyword names are skipped."""
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

