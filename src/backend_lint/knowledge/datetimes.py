"""Family 3 vocabulary: which calls, references, annotations and column types give naive time.

Shared by BKL301-BKL306:

- ``ScopedRule``: a ``Rule`` base that keeps a stack of function / lambda / class frames during the one
  traversal, so that a parameter or local named ``datetime`` / ``now`` is not taken for the stdlib one
  (``self.resolve(expr)``), and so that fixes know which names they must not rely on (``self.shadowed()``).
- ``ChainTracker``: what a call or attribute is followed by (``.astimezone()``, ``.replace(tzinfo=...)``) without
  a parent provider: the outer node is visited first and records itself for its inner value.
- ``aware_parts``: the text for UTC (``timezone.utc``, or ``UTC`` for a 3.11+ target) and for the ``datetime``
  class, reusing the module's imports, with the import edits a fix needs.
- column types (``DateTime`` / ``TIMESTAMP`` with or without ``timezone=True``), ``datetime`` annotations, and
  the project facts behind BKL305 / BKL306 (``type_annotation_map``, SQLModel tables and their bases, request
  body models, the pinned SQLModel version).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Container, Iterable, Optional, Sequence

import libcst as cst

from ..values import Edit
from .index.extractors.timezone import DATETIME_TYPES
from ..rules.api import Rule
from .add_import import ensure_imports, module_imports
from .datetime_words import (  # noqa: F401  (re-exported)
    CALL_KINDS,
    CLOCK_CALLS,
    DATETIME,
    MAPPED,
    NAIVE_FACTORIES,
    NAIVE_PYDANTIC,
    helper_requires,
)
from .fastapi import ROUTER_CLASSES
from .models import SQLMODEL_BASES
from .models import is_pydantic_model as _is_pydantic_model

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from .index import ProjectIndex

DATE = "datetime.date"
UTC_VALUES = ("datetime.timezone.utc", "datetime.UTC")
UTC_LIKE = frozenset(UTC_VALUES + ("pytz.utc", "pytz.UTC", "dateutil.tz.UTC", "dateutil.tz.tz.UTC"))

FIELD_FUNCTIONS = frozenset({"pydantic.Field", "pydantic.fields.Field", "sqlmodel.Field", "sqlmodel.main.Field"})
DATACLASS_FIELDS = frozenset({"dataclasses.field"})
ATTRS_FIELDS = frozenset({"attr.ib", "attr.attrib", "attr.field", "attrs.field"})
SQLMODEL_FIELDS = frozenset({"sqlmodel.Field", "sqlmodel.main.Field"})
AWARE_PYDANTIC = frozenset({"pydantic.AwareDatetime", "pydantic.types.AwareDatetime"})
OPTIONAL_WRAPPERS = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional"})
CONTAINERS = frozenset(
    {
        "typing.List", "typing.Sequence", "typing.Set", "typing.FrozenSet", "typing.Tuple", "typing.Iterable",
        "collections.abc.Sequence", "collections.abc.Iterable", "builtins.list", "builtins.set",
        "builtins.tuple", "builtins.frozenset",
    }
)
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
FLASK_SQLALCHEMY = frozenset({"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"})
# FastAPI parameter markers that make a parameter something else than a request body
NOT_BODY_MARKERS = frozenset(
    {
        f"{mod}.{name}"
        for mod in ("fastapi", "fastapi.params", "fastapi.param_functions")
        for name in ("Depends", "Security", "Query", "Path", "Header", "Cookie")
    }
)
SQLMODEL_AWARE_FROM = (0, 0, 45)
# bases outside the project whose hierarchy holds no ``type_annotation_map`` of the project
_KNOWN_EXTERNAL = ("sqlalchemy.", "sqlmodel.", "typing.", "builtins.", "abc.", "object")


# --- names and scopes --------------------------------------------------------------------------------

def _target_names(target: cst.CSTNode, out: set[str]) -> None:
    if isinstance(target, cst.Name):
        out.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            _target_names(el.value, out)
    elif isinstance(target, cst.StarredElement):
        _target_names(target.value, out)


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
                _target_names(t.target, names)
        elif kind is cst.AnnAssign or kind is cst.AugAssign:
            _target_names(stmt.target, names)  # type: ignore[attr-defined]
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
                _target_names(stmt.target, names)  # type: ignore[attr-defined]
            stack.extend(_block_statements(stmt.body))  # type: ignore[attr-defined]
            if stmt.orelse is not None:  # type: ignore[attr-defined]
                stack.extend(_block_statements(stmt.orelse.body))  # type: ignore[attr-defined]
        elif kind is cst.With:
            for item in stmt.items:  # type: ignore[attr-defined]
                if item.asname is not None:
                    _target_names(item.asname.name, names)
            stack.extend(_block_statements(stmt.body))  # type: ignore[attr-defined]
        elif kind is cst.Try or kind is cst.TryStar:
            stack.extend(_block_statements(stmt.body))  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name is not None:
                    _target_names(handler.name.name, names)
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

    def naive_helpers(self) -> frozenset[str]:
        return frozenset(self.ctx.settings.naive_datetime_functions)


# --- chains ------------------------------------------------------------------------------------------

class ChainTracker:
    """Remembers, for a call or attribute, the attribute access applied to it and the call of that access."""

    def __init__(self) -> None:
        self.parent: dict[int, tuple[str, Optional[cst.Call]]] = {}

    def note_call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, (cst.Call, cst.Attribute)):
            self.parent[id(func.value)] = (func.attr.value, node)

    def note_attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, (cst.Call, cst.Attribute)):
            self.parent.setdefault(id(node.value), (node.attr.value, None))

    def of(self, node: cst.CSTNode) -> Optional[tuple[str, Optional[cst.Call]]]:
        return self.parent.get(id(node))

    def followed_by_astimezone(self, node: cst.CSTNode) -> bool:
        """``x.astimezone``, also after a chain of ``.replace(...)`` calls (ruff's rule)."""
        current: cst.CSTNode = node
        for _ in range(32):
            found = self.parent.get(id(current))
            if found is None:
                return False
            attr, call = found
            if attr == "astimezone":
                return True
            if attr == "replace" and call is not None:
                current = call
                continue
            return False
        return False

    def replace_tzinfo(self, node: cst.CSTNode, through_replace: bool = False) -> Optional[cst.Arg]:
        """The ``tzinfo=`` argument of a ``.replace(...)`` applied to ``node`` (optionally down a replace chain)."""
        current: cst.CSTNode = node
        for _ in range(32):
            found = self.parent.get(id(current))
            if found is None or found[0] != "replace" or found[1] is None:
                return None
            arg = keyword_arg(found[1], "tzinfo")
            if arg is not None or not through_replace:
                return arg
            current = found[1]
        return None


# --- arguments ---------------------------------------------------------------------------------------

def keyword_arg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional_arg(call: cst.Call, index: int) -> Optional[cst.Arg]:
    i = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            continue
        if i == index:
            return arg
        i += 1
    return None


def argument(call: cst.Call, name: str, index: int) -> Optional[cst.Arg]:
    return keyword_arg(call, name) or positional_arg(call, index)


def has_star(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def count_positional(call: cst.Call) -> int:
    return sum(1 for a in call.args if a.keyword is None and not a.star)


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def is_true(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def is_false(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value in ("False", "None")


def append_argument(rule: "ScopedRule", call: cst.Call, text: str) -> Edit:
    """An edit that adds ``text`` (``"x=1"`` or ``"y"``) as the last argument of ``call``."""
    if not call.args:
        return Edit.replace(call, rule.text_of(call.func) + "(" + text + ")")
    return Edit.insert_after(call.args[-1].value, ", " + text)


def string_value(expr: cst.BaseExpression) -> Optional[str]:
    """The text of a string literal, an implicit concatenation or an f-string's literal parts."""
    if isinstance(expr, cst.SimpleString):
        if "b" in expr.prefix.lower():
            return None
        try:
            value = expr.evaluated_value
        except Exception:  # pragma: no cover - libcst evaluates every valid literal
            return None
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = string_value(expr.left), string_value(expr.right)
        if left is None and right is None:
            return None
        return (left or "") + (right or "")
    if isinstance(expr, cst.FormattedString):
        return "".join(p.value for p in expr.parts if isinstance(p, cst.FormattedStringText))
    return None


# --- fixes -------------------------------------------------------------------------------------------

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


# --- column types and annotations -------------------------------------------------------------------

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
    facts = project.modules[found[0]].get("extra", {}).get("timezone", {})
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


# --- project facts -----------------------------------------------------------------------------------

def _tz_facts(facts: dict[str, Any]) -> dict[str, Any]:
    return facts.get("extra", {}).get("timezone", {}) or {}


def class_mro_names(project: "ProjectIndex", qualified: str) -> list[str]:
    return [name for name, _ in project.class_mro(qualified)]


def is_pydantic_model(project: "ProjectIndex", qualified: str) -> bool:
    return _is_pydantic_model(project, qualified) is True


def is_sqlmodel_class(project: "ProjectIndex", qualified: str) -> bool:
    return any(name in SQLMODEL_BASES for name in class_mro_names(project, qualified))


def mapped_datetime_state(ctx: "FileContext", class_qualified: str) -> str:
    """``aware`` when a ``type_annotation_map`` of the class's hierarchy (or, failing that, of the project)
    maps ``datetime`` to an aware or project type; ``naive`` otherwise (SQLAlchemy's default ``DateTime()``)."""
    project = ctx.project
    if project is None:
        return "naive"

    def owners() -> tuple[dict[str, str], bool]:
        by_owner: dict[str, str] = {}
        any_aware = False
        for mod, facts in project.iter_modules():
            for entry in _tz_facts(facts).get("maps", ()):
                state = "naive" if entry["state"] == "naive" else "aware"
                if entry.get("owner"):
                    by_owner[f"{mod}.{entry['owner']}" if mod else entry["owner"]] = state
                any_aware = any_aware or state == "aware"
        return by_owner, any_aware

    by_owner, any_aware = project.memo("datetimes.annotation_maps", owners)
    mro = project.class_mro(class_qualified) if class_qualified else []
    for name, _ in mro:
        state = by_owner.get(project.canonical(name)) or by_owner.get(name)
        if state is not None:
            return state
    # a hierarchy that leaves the project through something unknown may get a map we cannot see
    followed = bool(mro) and mro[0][1] is not None and all(
        facts is not None or name.startswith(_KNOWN_EXTERNAL) for name, facts in mro[1:]
    )
    return "aware" if any_aware and not followed else "naive"


def _is_router(project: "ProjectIndex", receiver: Optional[str], module_uses_fastapi: bool) -> bool:
    if receiver is None:
        return module_uses_fastapi
    found = project.resolve_symbol(receiver)
    if found is None:
        return module_uses_fastapi
    if found[2] != "assignments":
        return False
    call = project.modules[found[0]]["assignments"][found[1]].get("call")
    if call is None:
        return module_uses_fastapi
    if call in ROUTER_CLASSES:
        return True
    return any(name in ROUTER_CLASSES for name in class_mro_names(project, call))


def body_model_fields(project: "ProjectIndex") -> dict[str, frozenset[str]]:
    """Project classes -> the annotated fields they contribute to a request body model (own or inherited)."""

    def build() -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        done: set[str] = set()
        for mod, facts in project.iter_modules():
            tz = _tz_facts(facts)
            for route in tz.get("routes", ()):
                if not _is_router(project, route.get("receiver"), bool(tz.get("fastapi"))):
                    continue
                for param in route.get("params", ()):
                    if any(m in NOT_BODY_MARKERS for m in param.get("markers", ())):
                        continue
                    for type_name in param.get("types", ()):
                        found = project.get_class(type_name)
                        if found is None or found[0] in done:
                            continue
                        canonical = found[0]
                        done.add(canonical)
                        if not is_pydantic_model(project, canonical):
                            continue
                        seen: set[str] = set()
                        for cname, cfacts in project.class_mro(canonical):
                            if cfacts is None:
                                continue
                            for fname, finfo in cfacts.get("fields", {}).items():
                                if fname in seen or finfo.get("annotation") is None:
                                    continue
                                seen.add(fname)
                                out.setdefault(cname, set()).add(fname)
        return {k: frozenset(v) for k, v in out.items()}

    return project.memo("datetimes.body_model_fields", build)


def sqlmodel_table_fields(project: "ProjectIndex") -> dict[str, frozenset[str]]:
    """Non-table classes -> fields that a SQLModel ``table=True`` subclass stores (reported at the base)."""

    def build() -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for qualified, cfacts in project.iter_classes():
            if cfacts.get("keywords", {}).get("table") != "True":
                continue
            mro = project.class_mro(qualified)
            if not any(name in SQLMODEL_BASES for name, _ in mro):
                continue
            seen: set[str] = set()
            for cname, facts in mro:
                if facts is None:
                    continue
                for fname, finfo in facts.get("fields", {}).items():
                    if fname in seen or finfo.get("annotation") is None:
                        continue
                    seen.add(fname)
                    if cname != qualified and facts.get("keywords", {}).get("table") != "True":
                        out.setdefault(cname, set()).add(fname)
        return {k: frozenset(v) for k, v in out.items()}

    return project.memo("datetimes.sqlmodel_table_fields", build)


# --- the pinned SQLModel version ---------------------------------------------------------------------

_VERSION = re.compile(r"\d+(?:\.\d+)*")
_CLAUSE = re.compile(r"(===|==|~=|>=|<=|!=|>|<|\^|~)?\s*v?(\d+(?:\.(?:\d+|\*))*)")


def parse_version(text: str) -> Optional[tuple[int, ...]]:
    m = _VERSION.search(text or "")
    if not m:
        return None
    return tuple(int(p) for p in m.group(0).split("."))


def minimum_version(spec: str) -> tuple[int, ...]:
    """The lowest version a specifier admits (``(0,)`` when it has no lower bound)."""
    low: tuple[int, ...] = (0,)
    for clause in spec.split(","):
        m = _CLAUSE.search(clause.strip())
        if not m:
            continue
        op = m.group(1) or "=="
        if op in ("==", "===", "~=", ">=", ">", "^", "~"):
            parts = []
            for p in m.group(2).split("."):
                if p == "*":
                    break
                parts.append(int(p))
            version = tuple(parts) or (0,)
            low = max(low, version)
    return low


_LOCK_ENTRY = re.compile(r'name\s*=\s*"sqlmodel"\s*\n\s*version\s*=\s*"([^"]+)"', re.I)
_PIPFILE_LOCK = re.compile(r'"sqlmodel"\s*:\s*\{[^}]*?"version"\s*:\s*"([^"]+)"', re.I | re.S)
_REQUIREMENT = re.compile(r"""(?:^|["'\s,\[])sqlmodel(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~^]=?|===)\s*v?[\d.*]+(?:\s*,\s*(?:[<>=!~^]=?|===)\s*v?[\d.*]+)*)?""", re.I | re.M)
_POETRY = re.compile(r"""^\s*sqlmodel\s*=\s*(?:"([^"]*)"|\{[^}]*version\s*=\s*"([^"]*)")""", re.I | re.M)


def _pin_in_text(name: str, text: str) -> Optional[tuple[int, ...]]:
    if "sqlmodel" not in text.lower():
        return None
    if name.endswith(".lock") and name != "Pipfile.lock":
        m = _LOCK_ENTRY.search(text)
        return parse_version(m.group(1)) if m else None
    if name == "Pipfile.lock":
        m = _PIPFILE_LOCK.search(text)
        return parse_version(m.group(1)) if m else None
    if name in ("pyproject.toml", "Pipfile"):
        m = _POETRY.search(text)
        if m:
            return minimum_version(m.group(1) or m.group(2) or "")
    m = _REQUIREMENT.search(text)
    if m:
        return minimum_version(m.group("spec") or "")
    return None


_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def _is_project_dir(directory: str) -> bool:
    try:
        names = set(os.listdir(directory))
    except OSError:
        return False
    return any(m in names for m in _PROJECT_MARKERS) or any(n.endswith(".dist-info") for n in names)


@lru_cache(maxsize=512)
def _pin_in_dir(directory: str) -> Optional[tuple[int, ...]]:
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    locks = [n for n in ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock") if n in names]
    specs = [n for n in ("pyproject.toml", "Pipfile", "setup.cfg", "setup.py") if n in names]
    specs += sorted(n for n in names if n.startswith("requirements") and n.endswith((".txt", ".in")))
    if "requirements" in names and os.path.isdir(os.path.join(directory, "requirements")):
        try:
            specs += [os.path.join("requirements", n) for n in sorted(os.listdir(os.path.join(directory, "requirements"))) if n.endswith((".txt", ".in"))]
        except OSError:
            pass
    specs += [os.path.join(n, "METADATA") for n in sorted(names) if n.endswith(".dist-info")]
    for name in locks + specs:
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(2_000_000)
        except OSError:
            continue
        found = _pin_in_text(os.path.basename(name), text)
        if found is not None:
            return found
    return None


def sqlmodel_version(ctx: "FileContext") -> Optional[tuple[int, ...]]:
    """The lowest SQLModel version the project admits: the setting, else the nearest lock file or pin
    between the file's directory and the project root; ``None`` when nothing names SQLModel. A file
    outside the run's root (``backend-lint check projA projB`` takes its settings from ``projA``) is
    read against its own project: the search goes up to the first directory with project metadata, so
    the answer does not depend on the order of the paths on the command line."""
    setting = ctx.settings.sqlmodel_version
    if setting:
        return parse_version(setting)

    def find() -> Optional[tuple[int, ...]]:
        root = os.path.abspath(ctx.settings.root or ".")
        directory = os.path.dirname(os.path.abspath(ctx.path))
        inside = (directory + os.sep).startswith(root + os.sep) or directory == root
        for _ in range(12):
            found = _pin_in_dir(directory)
            if found is not None:
                return found
            if inside and directory == root:
                break
            if not inside and _is_project_dir(directory):
                break
            if os.path.dirname(directory) == directory:
                break
            directory = os.path.dirname(directory)
        return None

    return ctx.cached("datetimes.sqlmodel_version", find)


def sqlmodel_stores_aware(ctx: "FileContext") -> bool:
    """From SQLModel 0.0.45 a plain ``datetime`` table field is stored aware (``UTCDateTime``).

    Implicit fields are naive when any version the project admits is older (or when no pin is found)."""
    version = sqlmodel_version(ctx)
    return version is not None and version >= SQLMODEL_AWARE_FROM


def first_arg_is_string(call: cst.Call) -> bool:
    return bool(call.args) and call.args[0].keyword is None and isinstance(call.args[0].value, (cst.SimpleString, cst.ConcatenatedString))


def callee_tail(rule: ScopedRule, func: cst.BaseExpression) -> tuple[Optional[str], Optional[str]]:
    """(qualified name, last name segment) of a callee; the segment is read from the source when unresolved."""
    qualified = rule.ctx.qualified_name(func)
    if isinstance(func, cst.Attribute):
        return qualified, func.attr.value
    if isinstance(func, cst.Name):
        return qualified, (qualified or func.value).rsplit(".", 1)[-1]
    return qualified, None

