"""The static resolution environment: what a name means at a point of ``upgrade()`` / ``downgrade()``
(literals, ``op.f("...")``, module constants, single-assignment locals, imports, batch receivers).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from ...ground.lazy import lazy_import

from ..alembic_ops import NAME_WRAPPERS as _NAME_WRAPPERS
from ..cst import bound_names, walk
from ..imports import dotted_name
from .revision import DYNAMIC, RevisionModule, literal_str, value_nodes
from .ops import Batch

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


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
        # (node types, not ``isinstance``: libcst's classes are ABCs, and a failing instance check costs a call
        # into ``abc``; every class below is concrete, and no libcst class derives from one)
        function_def, class_def, assign, ann_assign = cst.FunctionDef, cst.ClassDef, cst.Assign, cst.AnnAssign
        aug_assign, for_, comp_for, with_item = cst.AugAssign, cst.For, cst.CompFor, cst.WithItem
        except_handler, named_expr, import_, import_from = cst.ExceptHandler, cst.NamedExpr, cst.Import, cst.ImportFrom

        def rebound(target: cst.BaseExpression) -> None:
            """A name bound in a way the reader does not follow (augmented, loop, ``with``, ``except``, walrus)."""
            for n in bound_names(target):
                self.locals.add(n)
                counts[n] = counts.get(n, 0) + 2

        for node in walk(func.body):
            kind = type(node)
            if kind is function_def or kind is class_def:
                self.locals.add(node.name.value)
                counts[node.name.value] = counts.get(node.name.value, 0) + 1
                if kind is function_def:
                    self.functions[node.name.value] = node
            elif kind is assign:
                for t in node.targets:
                    for n in bound_names(t.target):
                        self.locals.add(n)
                        counts[n] = counts.get(n, 0) + 1
                        if isinstance(t.target, cst.Name) and len(node.targets) == 1:
                            self.exprs[n] = node.value
                        else:
                            counts[n] += 1
            elif kind is ann_assign:
                for n in bound_names(node.target):
                    self.locals.add(n)
                    counts[n] = counts.get(n, 0) + 1
                    if node.value is not None:
                        self.exprs[n] = node.value
            elif kind is aug_assign or kind is for_ or kind is comp_for or kind is named_expr:
                rebound(node.target)
            elif kind is with_item:
                if node.asname is not None:
                    rebound(node.asname.name)
            elif kind is except_handler:
                if node.name is not None:
                    rebound(node.name.name)
            elif kind is import_ or kind is import_from:
                if isinstance(node.names, cst.ImportStar):
                    continue
                base = ""
                if kind is import_from:
                    base = ("." * len(node.relative)) + (dotted_name(node.module) or "")
                for alias in node.names:
                    dotted = dotted_name(alias.name) or ""
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
                return env._guarded(name, env.resolve_value, env.exprs[name], DYNAMIC)
            if name in env.locals:
                return DYNAMIC
            env = env.parent
        if name in self.info.constants and name not in self.info.other_names:
            module_env = module_env_of(self.info, self.ctx)
            return module_env._guarded(name, module_env.resolve_value, self.info.constants[name], DYNAMIC)
        return DYNAMIC

    def _guarded(self, name: str, read: Any, expr: cst.BaseExpression, cycle: object) -> object:
        """``read(expr)``, the expression ``name`` holds here, or ``cycle`` when ``name`` is already being read
        (``a = b; b = a``)."""
        if name in self._resolving:
            return cycle
        self._resolving.add(name)
        try:
            return read(expr)
        finally:
            self._resolving.discard(name)

    def resolve_value(self, expr: cst.BaseExpression) -> object:
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            text = literal_str(expr)
            return DYNAMIC if text is None else text
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
        for node in value_nodes(expr):
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
        if any(name in e.batch or name in e.op_aliases for e in chain(self)):
            return True  # ``batch_op`` in ``batch_op.f("...")``: the same name in the mirrored block
        while env is not None:
            if name in env.values:
                return env.values[name] is not DYNAMIC
            if name in env.imports:
                return True
            if name in env.exprs:
                return env._guarded(name, env.static_names, env.exprs[name], False)  # type: ignore[return-value]
            if name in env.locals:
                return False
            env = env.parent
        return True  # module level (import, constant, function) or builtin

    def strings_in(self, expr: cst.CSTNode) -> list[str]:
        """String literals and resolvable names inside ``expr`` (for mentions)."""
        out: list[str] = []
        for node in value_nodes(expr):
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
                text = literal_str(node)
                if text is not None:
                    out.append(text)
            elif isinstance(node, cst.FormattedStringText):
                out.append(node.value)
            elif isinstance(node, cst.Name):
                v = self.lookup(node.value)
                if isinstance(v, str):
                    out.append(v)
                elif isinstance(v, list):
                    out.extend(x for x in v if isinstance(x, str))
        return out


def module_env_of(info: RevisionModule, ctx: Any) -> Env:
    """The revision's module-level environment, built once per revision (``RevisionModule.module_env``): its guard
    (``_guarded``) must see every name being read at module level, or a cycle (``A = B; B = A``) recurses."""
    if info.module_env is None:
        info.module_env = Env(info, ctx, None)
    return info.module_env  # type: ignore[return-value]


def chain(env: Env) -> Iterable[Env]:
    e: Optional[Env] = env
    while e is not None:
        yield e
        e = e.parent

