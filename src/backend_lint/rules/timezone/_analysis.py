"""Family 3's shared analysis of a file: the traversal state, the readings that need it, and the fix edits.

- ``ScopedRule``: a ``Rule`` base that keeps a stack of function / lambda / class frames during the one
  traversal, so that a parameter or local named ``datetime`` / ``now`` is not taken for the stdlib one
  (``self.resolve(expr)``), and so that fixes know which names they must not rely on (``self.shadowed()``).
- ``aware_parts``: the text for UTC (``timezone.utc``, or ``UTC`` for a 3.11+ target) and for the ``datetime``
  class, reusing the module's imports, with the import edits a fix needs.
- column types (``DateTime`` / ``TIMESTAMP`` with or without ``timezone=True``) and ``datetime`` annotations,
  read through the rule's scopes, and the edits that make them aware.

The vocabulary and the project facts these read are in ``knowledge/datetimes.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Container, Iterable, Optional, Sequence

from ...ground.lazy import lazy_import

from ...knowledge.datetimes import (
    ANNOTATED,
    CONTAINERS,
    DATETIME,
    FLASK_SQLALCHEMY,
    MAPPED,
    NAIVE_PYDANTIC,
    OPTIONAL_WRAPPERS,
    UTC_VALUES,
    argument,
    has_star,
    is_false,
    is_true,
)
from ...knowledge.cst import bound_names
from ...knowledge.datetime_words import helper_requires
from ...knowledge.facts import timezone_facts
from ...knowledge.index.extractors.timezone import DATETIME_TYPES
from ...values import Edit
from ..api import Rule
from .._shared.add_import import ensure_imports, module_imports

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def _block_statements(block: cst.CSTNode) -> Iterable[cst.CSTNode]:
    body = getattr(block, "body", ())
    return body if isinstance(body, (list, tuple)) else ()


def _bound_in(blocks: Iterable[cst.CSTNode]) -> set[str]:
    """Names a block binds for its own scope: assignment, loop, ``with`` and ``except`` targets and nested
    ``def`` / ``class`` names, read from statements only (a walrus inside an expression is not seen);
    ``global`` / ``nonlocal`` names are not local; imports bind what they import (the import table knows)."""
    names: set[str] = set()
    declared: set[str] = set()
    stack: list[cst.CSTNode] = []
    for block in blocks:
        stack.extend(_block_statements(block))
    while stack:
        stmt = stack.pop()
        kind = type(stmt)
        if kind is cst.SimpleStatementLine:
            stack.extend(stmt.body)  # type: ignore[attr-defined]
        elif kind is cst.Assign:
            for t in stmt.targets:  # type: ignore[attr-defined]
                names.update(bound_names(t.target))
        elif kind is cst.AnnAssign or kind is cst.AugAssign:
            names.update(bound_names(stmt.target))  # type: ignore[attr-defined]
        elif kind is cst.Global or kind is cst.Nonlocal:
            for item in stmt.names:  # type: ignore[attr-defined]
                declared.add(item.name.value)
        elif kind is cst.FunctionDef or kind is cst.ClassDef:
            names.add(stmt.name.value)  # type: ignore[attr-defined]
        elif kind is cst.If:
            stack.extend(_block_statements(stmt.body))  # type: ignore[attr-defined]
            orelse = stmt.orelse  # type: ignore[attr-defined]
            if type(orelse) is cst.If:
                stack.append(orelse)
            elif orelse is not None:
                stack.extend(_block_statements(orelse.body))
        elif kind is cst.For or kind is cst.While:
            if kind is cst.For:
                names.update(bound_names(stmt.target))  # type: ignore[attr-defined]
            stack.extend(_block_statements(stmt.body))  # type: ignore[attr-defined]
            if stmt.orelse is not None:  # type: ignore[attr-defined]
                stack.extend(_block_statements(stmt.orelse.body))  # type: ignore[attr-defined]
        elif kind is cst.With:
            for item in stmt.items:  # type: ignore[attr-defined]
                if item.asname is not None:
                    names.update(bound_names(item.asname.name))
            stack.extend(_block_statements(stmt.body))  # type: ignore[attr-defined]
        elif kind is cst.Try or kind is cst.TryStar:
            stack.extend(_block_statements(stmt.body))  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name is not None:
                    names.update(bound_names(handler.name.name))
                stack.extend(_block_statements(handler.body))
            for extra in (stmt.orelse, stmt.finalbody):  # type: ignore[attr-defined]
                if extra is not None:
                    stack.extend(_block_statements(extra.body))
    return names - declared


def _param_names(params: cst.Parameters) -> set[str]:
    out: set[str] = set()
    for p in (*params.posonly_params, *params.params, *params.kwonly_params):
        out.add(p.name.value)
    for p in (params.star_arg, params.star_kwarg):
        if isinstance(p, cst.Param):
            out.add(p.name.value)
    return out


class Frame:
    __slots__ = ("kind", "node", "in_body", "_names")

    def __init__(self, kind: str, node: cst.CSTNode) -> None:
        self.kind = kind
        self.node = node
        self.in_body = kind == "lambda"
        self._names: Optional[frozenset[str]] = None

    def names(self, ctx: "FileContext") -> frozenset[str]:
        if self._names is None:
            node = self.node

            def build() -> frozenset[str]:
                if isinstance(node, cst.Lambda):
                    return frozenset(_param_names(node.params))
                if isinstance(node, cst.FunctionDef):
                    return frozenset(_param_names(node.params) | _bound_in([node.body]))
                assert isinstance(node, cst.ClassDef)
                return frozenset(_bound_in([node.body]))

            self._names = ctx.cached(("datetimes.bound", id(node)), build)
        return self._names


class ScopedRule(Rule):
    """A rule that knows its enclosing functions, lambdas and classes (subclasses call ``super()``)."""

    def __init__(self, ctx: "FileContext") -> None:
        super().__init__(ctx)
        self.frames: list[Frame] = []
        self._shadowed: Optional[frozenset[str]] = None

    # -- frames --------------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.append(Frame("function", node))
        self._shadowed = None

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.pop()
        self._shadowed = None

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.frames.append(Frame("lambda", node))
        self._shadowed = None

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self.frames.pop()
        self._shadowed = None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.frames.append(Frame("class", node))
        self._shadowed = None

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.frames.pop()
        self._shadowed = None

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter_body(node)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter_body(node)

    def _enter_body(self, node: cst.CSTNode) -> None:
        if self.frames:
            frame = self.frames[-1]
            if frame.kind != "lambda" and getattr(frame.node, "body", None) is node:
                frame.in_body = True
                self._shadowed = None

    # -- queries -------------------------------------------------------------------------------------
    def shadowed(self) -> frozenset[str]:
        """Names bound by the enclosing scopes at this point (they hide module-level names)."""
        frames = self.frames
        if not frames:
            return frozenset()
        if self._shadowed is not None:
            return self._shadowed
        out: set[str] = set()
        for i, frame in enumerate(frames):
            if not frame.in_body:
                continue
            if frame.kind == "class" and any(f.in_body for f in frames[i + 1 :]):
                continue  # a class body's names are not visible inside its methods
            out |= frame.names(self.ctx)
        self._shadowed = frozenset(out)
        return self._shadowed

    def resolve(self, expr: cst.BaseExpression, wanted: Optional[Container[str]] = None) -> Optional[str]:
        """The qualified name of ``expr`` unless its head name is bound by an enclosing scope (with
        ``wanted``: only names in it, the others give ``None`` without looking at the scopes)."""
        qualified = self.ctx.qualified_name(expr)
        if qualified is None or (wanted is not None and qualified not in wanted):
            return None
        head = expr
        while isinstance(head, cst.Attribute):
            head = head.value
        if isinstance(head, cst.Name) and self.frames and head.value in self.shadowed():
            return None
        return qualified

    @property
    def in_function_body(self) -> bool:
        """Inside code that runs when called (a function body or a lambda), not when the module loads."""
        return any(f.in_body and f.kind in ("function", "lambda") for f in self.frames)

    @property
    def class_frame(self) -> Optional[Frame]:
        """The class whose body is being visited directly (not through a method)."""
        if self.frames and self.frames[-1].kind == "class" and self.frames[-1].in_body:
            return self.frames[-1]
        return None

    def top_function_name(self) -> Optional[str]:
        for f in self.frames:
            if f.kind == "function":
                return f.node.name.value  # type: ignore[attr-defined]
            if f.kind == "class":
                return None
        return None

    def in_downgrade(self) -> bool:
        return self.ctx.is_migration and self.top_function_name() == "downgrade"

    def text_of(self, node: cst.CSTNode) -> str:
        """Source text of ``node`` without its own parentheses (what the node's position covers)."""
        module = self.ctx.module
        assert module is not None
        if getattr(node, "lpar", None):
            node = node.with_changes(lpar=[], rpar=[])  # type: ignore[attr-defined]
        return module.code_for_node(node)


class HelperRule(ScopedRule):
    """A ``ScopedRule`` that also reports the project helpers configured in ``naive-datetime-functions``: their
    names join the rule's trigger words."""

    @classmethod
    def requires_for(cls, settings: Any) -> Optional[tuple[str, ...]]:
        return cls.requires + helper_requires(settings)  # type: ignore[operator]

    def naive_helpers(self) -> frozenset[str]:
        return frozenset(self.ctx.settings.naive_datetime_functions)


def append_argument(rule: "ScopedRule", call: cst.Call, text: str) -> Edit:
    """An edit that adds ``text`` (``"x=1"`` or ``"y"``) as the last argument of ``call``."""
    if not call.args:
        return Edit.replace(call, rule.text_of(call.func) + "(" + text + ")")
    return Edit.insert_after(call.args[-1].value, ", " + text)


def aware_parts(
    ctx: "FileContext", shadowed: Iterable[str] = (), need_datetime: bool = False
) -> Optional[tuple[str, Optional[str], list[Edit]]]:
    """(UTC expression, ``datetime`` class expression or None, import edits), reusing the module's imports.

    UTC is whatever the module already binds (``UTC``, ``utc = timezone.utc``, an imported ``timezone``);
    otherwise ``UTC`` from ``datetime`` for a 3.11+ target and ``timezone.utc`` before.
    """
    mi = module_imports(ctx)
    shadowed = frozenset(shadowed)
    wanted: list[tuple[str, str]] = []
    utc = mi.bound_to(UTC_VALUES, shadowed)
    suffix = ""
    if utc is None:
        tz = mi.existing("datetime", "timezone", shadowed, from_only=True)
        if tz is not None:
            utc = tz + ".utc"
    if utc is None:
        if ctx.settings.target_minor >= 11:
            wanted.append(("datetime", "UTC"))
        else:
            wanted.append(("datetime", "timezone"))
            suffix = ".utc"
    if need_datetime:
        wanted.insert(0, ("datetime", "datetime"))
    if not wanted:
        return utc, None, []  # type: ignore[return-value]
    found = ensure_imports(ctx, wanted, shadowed)
    if found is None:
        return None
    exprs, edits = found
    dt_expr = exprs[0] if need_datetime else None
    if utc is None:
        utc = exprs[-1] + suffix
    return utc, dt_expr, edits


class TypeState:
    """A column type expression: ``state`` is ``aware``/``naive``/``opaque``; ``fix`` says how to make it aware."""

    __slots__ = ("state", "node", "how", "target")

    def __init__(self, state: str, node: cst.CSTNode, how: Optional[str] = None, target: Optional[cst.CSTNode] = None):
        self.state = state
        self.node = node  # where to report
        self.how = how  # "bare" | "call" | "false" | None (no fix)
        self.target = target  # the node the fix edits


def is_flask_db(rule: ScopedRule, expr: cst.BaseExpression) -> bool:
    """``db`` in ``db.DateTime`` is a Flask-SQLAlchemy ``SQLAlchemy()`` instance (this module or another)."""
    project = rule.ctx.project
    qualified = rule.resolve(expr)
    if qualified is None or project is None:
        return False
    found = project.resolve_symbol(qualified)
    if found is None or found[2] != "assignments":
        return False
    call = project.modules[found[0]]["assignments"][found[1]].get("call")
    return call in FLASK_SQLALCHEMY


def is_datetime_type(rule: ScopedRule, expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, (cst.Name, cst.Attribute)):
        return False
    if rule.resolve(expr, DATETIME_TYPES) is not None:
        return True
    return isinstance(expr, cst.Attribute) and expr.attr.value in ("DateTime", "TIMESTAMP") and is_flask_db(rule, expr.value)


def column_type_state(rule: ScopedRule, expr: cst.BaseExpression) -> Optional[TypeState]:
    """How a column type expression stores time, or ``None`` when it is not SQLAlchemy's ``DateTime``/``TIMESTAMP``."""
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "with_variant":
            return column_type_state(rule, func.value)
        if not is_datetime_type(rule, func):
            return None
        arg = argument(expr, "timezone", 0)
        if arg is None:
            if has_star(expr):
                return TypeState("opaque", expr)
            if not expr.args:
                return TypeState("naive", expr, "call", expr)
            if expr.args[0].keyword is not None:
                return TypeState("naive", expr, "args", expr)
            return TypeState("naive", expr)
        if is_true(arg.value):
            return TypeState("aware", expr)
        if is_false(arg.value):
            return TypeState("naive", expr, "false", arg.value)
        return TypeState("opaque", expr)
    if is_datetime_type(rule, expr):
        return TypeState("naive", expr, "bare", expr)
    alias = project_alias(rule, expr)
    if alias is not None and alias.get("base") is None and alias.get("column") in ("aware", "naive"):
        return TypeState(alias["column"], expr)
    return None


def type_fix_edits(rule: ScopedRule, ts: TypeState) -> Optional[list[Edit]]:
    if ts.how == "bare":
        return [Edit.insert_after(ts.target, "(timezone=True)")]
    if ts.how == "call":
        return [Edit.replace(ts.target, rule.text_of(ts.target.func) + "(timezone=True)")]  # type: ignore[union-attr]
    if ts.how == "args":
        return [Edit.insert_before(ts.target.args[0], "timezone=True, ")]  # type: ignore[union-attr]
    if ts.how == "false":
        return [Edit.replace(ts.target, "True")]
    return None


SA_DATETIME_NAMES = frozenset(
    {"sqlalchemy.DateTime", "sqlalchemy.types.DateTime", "sqlalchemy.sql.sqltypes.DateTime", "sqlmodel.DateTime"}
)


def datetime_type_imports(
    ctx: "FileContext", shadowed: Iterable[str], others: Sequence[tuple[str, str]] = ()
) -> Optional[tuple[str, list[str], list[Edit]]]:
    """(``DateTime`` expression, expressions for ``others``, import edits): an existing binding of
    SQLAlchemy's ``DateTime`` (also SQLModel's re-export) is reused, else ``sqlalchemy.DateTime``."""
    existing = module_imports(ctx).bound_to(SA_DATETIME_NAMES, shadowed)
    wanted = ([] if existing else [("sqlalchemy", "DateTime")]) + list(others)
    found = ensure_imports(ctx, wanted, shadowed) if wanted else ([], [])
    if found is None:
        return None
    names, edits = found
    if existing is None:
        existing, names = names[0], names[1:]
    return existing, names, edits


def project_alias(rule: ScopedRule, expr: cst.BaseExpression) -> Optional[dict[str, Any]]:
    """Facts of a module-level alias (``Timestamp = Annotated[datetime, ...]``, ``TZ = DateTime(timezone=True)``)."""
    project = rule.ctx.project
    if project is None or not isinstance(expr, (cst.Name, cst.Attribute)):
        return None
    qualified = rule.resolve(expr)
    if qualified is None:
        return None
    found = project.resolve_symbol(qualified)
    if found is None or found[2] != "assignments":
        return None
    facts = timezone_facts(project.modules[found[0]])
    return facts.get("aliases", {}).get(found[1])


class AnnotationHit:
    __slots__ = ("node", "kind")

    def __init__(self, node: cst.CSTNode, kind: str) -> None:
        self.node = node
        self.kind = kind  # "datetime" (replaceable), "naive" (NaiveDatetime), "alias"


def naive_annotation(rule: ScopedRule, expr: cst.BaseExpression, containers: bool = False, _depth: int = 0) -> list[AnnotationHit]:
    """``datetime`` types inside an annotation (through ``Optional``/``Union``/``|``/``Annotated``, and
    containers when asked) that accept or produce naive values."""
    if _depth > 8:
        return []
    if isinstance(expr, (cst.Name, cst.Attribute)):
        qualified = rule.resolve(expr)
        if qualified == DATETIME:
            return [AnnotationHit(expr, "datetime")]
        if qualified in NAIVE_PYDANTIC:
            return [AnnotationHit(expr, "naive")]
        alias = project_alias(rule, expr)
        if alias is not None and alias.get("base") in ("datetime", "naive"):
            return [AnnotationHit(expr, "alias")]
        return []
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        return naive_annotation(rule, expr.left, containers, _depth + 1) + naive_annotation(rule, expr.right, containers, _depth + 1)
    if isinstance(expr, cst.Subscript):
        head = rule.resolve(expr.value)
        elements = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if head in ANNOTATED and elements:
            return naive_annotation(rule, elements[0], containers, _depth + 1)
        if head in OPTIONAL_WRAPPERS or (containers and head in CONTAINERS):
            out: list[AnnotationHit] = []
            for e in elements:
                out.extend(naive_annotation(rule, e, containers, _depth + 1))
            return out
    return []


def mapped_inner(rule: ScopedRule, annotation: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``T`` of ``Mapped[T]``."""
    if isinstance(annotation, cst.Subscript) and rule.resolve(annotation.value, MAPPED) is not None:
        elements = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
        if len(elements) == 1:
            return elements[0]
    return None


def callee_tail(rule: ScopedRule, func: cst.BaseExpression) -> tuple[Optional[str], Optional[str]]:
    """(qualified name, last name segment) of a callee; the segment is read from the source when unresolved."""
    qualified = rule.ctx.qualified_name(func)
    if isinstance(func, cst.Attribute):
        return qualified, func.attr.value
    if isinstance(func, cst.Name):
        return qualified, (qualified or func.value).rsplit(".", 1)[-1]
    return qualified, None
