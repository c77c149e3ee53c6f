"""Family 5 vocabulary: update contexts, payload schemas and how a payload's data reaches a row.

Three pieces, shared by BKL501 / BKL502 / BKL503:

- **Schema fields** (``schema_fields`` / ``schema_info``, defined in ``knowledge/schemas.py`` and shared
  with families 1/2): the pydantic / SQLModel fields of a project class and its bases, each with whether it
  is *optional* and whether a client may leave it *unset*.
- **Update contexts** (``update_context(ctx, func)``): RULES.md's definition (a PUT/PATCH handler, a
  function named ``update*`` / ``patch*`` / ``edit*``, a function taking a schema named ``*Update`` /
  ``*Patch`` / ``*Edit`` or whose fields are all optional), plus the functions a PUT/PATCH handler hands its
  parameters to (index extractor ``index/extractors/updates.py``).
- **Flow analysis** (``analyze(ctx, func)``): one pass over a function body, statement by statement,
  that follows dumps of the payload (``payload.model_dump()``, ``payload.dict()``,
  ``jsonable_encoder(payload)``) through local variables, merges and loops to the places that write onto
  an existing object (``setattr`` loops, ``sqlmodel_update``, ``model_copy(update=)``,
  ``update(M).values()``, ``query(...).update()``, ``__dict__.update``, ``<x>.update*(...)``), and finds
  unguarded ``obj.x = payload.x`` assignments. Branches are joined; ``if``/``continue`` guards are facts
  that hold inside the guarded code.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ..ground.lazy import lazy_import

from .cst import bound_names, iter_children, keyword_arg
from .facts import updates_facts
from .fastapi import route_info
from .imports import dotted_name
from .reexports import reexport_closure
from .update_words import DUMP_METHODS, UPDATE_SCHEMA_SUFFIXES, is_update_name
from .schemas import (  # noqa: F401  (re-exported: family 5 rules import them from here)
    SchemaField,
    SchemaInfo,
    ast_dotted,
    parse_expr,
    schema_info,
    uses_pydantic_v1,
)
from .tree_facts import walk as ast_walk

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.context import FileContext
    from .index import ProjectIndex

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


_update_name = is_update_name
_UPDATE_SUFFIXES = UPDATE_SCHEMA_SUFFIXES


def all_optional_schema_names(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Bare names of project schemas whose fields are all optional (for the cheap prefilter)."""
    if project is None:
        return frozenset()

    def build() -> frozenset[str]:
        out = set()
        for qualified, info in project.iter_classes():
            if not info.get("fields"):
                continue
            si = schema_info(project, qualified)
            if si is not None and si.is_schema and si.all_optional(v1=True):
                out.add(qualified.rsplit(".", 1)[-1])
        return frozenset(out)

    return project.stored_memo("updates.all_optional_names", build, load=frozenset)


def handler_callees(project: Optional["ProjectIndex"]) -> frozenset[str]:
    """Canonical dotted names of the functions PUT/PATCH handlers pass their parameters to."""
    if project is None:
        return frozenset()

    def build() -> frozenset[str]:
        out = set()
        for _, facts in project.iter_modules():
            for name in updates_facts(facts).get("handler_callees", []):
                canonical = _canonical_callable(project, name)
                if canonical is not None:
                    out.add(canonical)
        return frozenset(out)

    return project.stored_memo("updates.handler_callees", build, load=frozenset)


def _canonical_callable(project: "ProjectIndex", name: str) -> Optional[str]:
    """A project function (``mod.func``) or method (``mod.Class.method``), else ``None``."""
    found = project.resolve_symbol(name)
    if found is not None:
        return f"{found[0]}.{found[1]}" if found[2] == "functions" else None
    head, _, method = name.rpartition(".")
    if head:
        cls = project.get_class(head)
        if cls is not None and method in cls[1].get("methods", []):
            return f"{cls[0]}.{method}"
    return None


# ``<target>.attr = payload.attr`` somewhere in the file (parentheses, continuation lines and comments
# allowed around the value): BKL503 cannot fire on a file without one.
ATTRIBUTE_COPY = re.compile(
    r"\.\s*\w+\s*=(?:[\s\\(]|#[^\n]*)*\w+\s*\.\s*\w+(?:[ \t)\\]|#[^\n]*)*(?:$|;|\n)", re.M
)


def may_write_dump(source: str) -> bool:
    """Every write BKL501/502 know (``setattr``, ``sqlmodel_update``, ``.update(``, ``copy(update=``,
    ``update(M).values``, ``update_item(...)``) spells ``setattr``, ``update`` or ``Update``."""
    return "update" in source or "setattr" in source or "Update" in source


def prefilter_words(project: Optional["ProjectIndex"]) -> tuple[str, ...]:
    """Substrings one of which a file must contain to hold an update context."""
    base = ("update", "Update", "patch", "Patch", "edit", "Edit", ".put(", "api_route", "add_api_route")
    if project is None:
        return base

    def build() -> tuple[str, ...]:
        # a schema re-exported under another name (``from .schemas import ItemIn as ItemPatchBody``)
        # reaches the file under that name
        extra = set(reexport_closure(project, all_optional_schema_names(project)))
        extra.update(n.rsplit(".", 1)[-1] for n in handler_callees(project))
        return base + tuple(sorted(w for w in extra if w))

    return project.stored_memo("updates.prefilter_words", build, load=tuple)


# --------------------------------------------------------------------------------------------------
# annotations in the linted file (libcst)
# --------------------------------------------------------------------------------------------------

_DICT_TYPES = frozenset(
    {
        "builtins.dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
    }
)


def _annotation_parts(ctx: "FileContext", expr: Optional[cst.BaseExpression], depth: int = 0) -> list[cst.BaseExpression]:
    """The class-like members of an annotation: ``A | None`` -> [A]; ``Union[A, B]`` -> [A, B];
    ``Optional[A]`` / ``Annotated[A, ...]`` -> [A]; ``"A"`` -> [A]."""
    if expr is None or depth > 6:
        return []
    if isinstance(expr, cst.SimpleString):
        try:
            text = expr.evaluated_value
            parsed = cst.parse_expression(text) if isinstance(text, str) else None
        except Exception:
            parsed = None
        return _annotation_parts(ctx, parsed, depth + 1) if parsed is not None else []
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        return _annotation_parts(ctx, expr.left, depth + 1) + _annotation_parts(ctx, expr.right, depth + 1)
    if isinstance(expr, cst.Name) and expr.value == "None":
        return []
    if isinstance(expr, cst.Subscript):
        head = ctx.qualified_name(expr.value) or dotted_name(expr.value) or ""
        last = head.rsplit(".", 1)[-1]
        items = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if last in ("Optional", "Union"):
            out: list[cst.BaseExpression] = []
            for item in items:
                out.extend(_annotation_parts(ctx, item, depth + 1))
            return out
        if last == "Annotated":
            return _annotation_parts(ctx, items[0], depth + 1) if items else []
        return [expr]
    if isinstance(expr, (cst.Name, cst.Attribute)):
        return [expr]
    return []


def annotation_classes(ctx: "FileContext", annotation: Optional[cst.BaseExpression]) -> list[str]:
    """Qualified names of the classes an annotation names (``None`` members dropped)."""
    out = []
    for part in _annotation_parts(ctx, annotation):
        node = part.value if isinstance(part, cst.Subscript) else part
        q = ctx.qualified_name(node)
        if q is None:
            q = dotted_name(node)
        if q:
            out.append(q)
    return out


_SEQUENCES = frozenset(
    {"list", "List", "Sequence", "Iterable", "set", "Set", "frozenset", "FrozenSet", "tuple", "Tuple", "Collection"}
)


def element_classes(ctx: "FileContext", annotation: Optional[cst.BaseExpression]) -> Optional[list[str]]:
    """``list[ItemUpdate]`` -> [ItemUpdate]; ``None`` when the annotation is not a sequence."""
    for part in _annotation_parts(ctx, annotation):
        if isinstance(part, cst.Subscript):
            head = (ctx.qualified_name(part.value) or dotted_name(part.value) or "").rsplit(".", 1)[-1]
            if head in _SEQUENCES:
                items = [e.slice.value for e in part.slice if isinstance(e.slice, cst.Index)]
                return annotation_classes(ctx, items[0]) if items else []
    return None


def field_element_classes(project: Optional["ProjectIndex"], f: SchemaField) -> list[str]:
    """The element classes of a schema field typed ``list[X]`` (resolved in the declaring module)."""
    if project is None:
        return []
    node = parse_expr(f.annotation)
    module = f.owner.rsplit(".", 1)[0]
    facts = project.modules.get(module, {})
    out = []
    for sub in ast_walk(node) if node is not None else []:
        if isinstance(sub, ast.Subscript) and (ast_dotted(sub.value) or "").rsplit(".", 1)[-1] in _SEQUENCES:
            inner = sub.slice.elts[0] if isinstance(sub.slice, ast.Tuple) and sub.slice.elts else sub.slice
            name = ast_dotted(inner)
            if name is None:
                continue
            head, _, rest = name.partition(".")
            if head in facts.get("classes", {}):
                base = f"{module}.{head}"
            elif head in facts.get("imports", {}):
                base = facts["imports"][head]
            else:
                continue
            out.append(f"{base}.{rest}" if rest else base)
            break
    return out


def _is_dict_annotation(ctx: "FileContext", annotation: Optional[cst.BaseExpression]) -> bool:
    classes = annotation_classes(ctx, annotation)
    return bool(classes) and all(c in _DICT_TYPES for c in classes)


# --------------------------------------------------------------------------------------------------
# update contexts
# --------------------------------------------------------------------------------------------------


def enclosing_classes(ctx: "FileContext") -> dict[int, str]:
    """``id(function node) -> class name`` for methods of top-level classes."""

    def build() -> dict[int, str]:
        out: dict[int, str] = {}
        module = ctx.module
        assert module is not None

        def scan(body: Iterable[cst.CSTNode], cls: Optional[str]) -> None:
            for stmt in body:
                if isinstance(stmt, cst.ClassDef) and cls is None:
                    scan(_suite(stmt.body), stmt.name.value)
                elif isinstance(stmt, cst.FunctionDef) and cls is not None:
                    out[id(stmt)] = cls
                elif isinstance(stmt, cst.If):
                    scan(_suite(stmt.body), cls)

        scan(module.body, None)
        return out

    return ctx.cached("updates.enclosing_classes", build)


def _suite(body: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=list(body.body))]
    return []


def _all_params(func: cst.FunctionDef) -> list[cst.Param]:
    p = func.params
    out = list(p.posonly_params) + list(p.params) + list(p.kwonly_params)
    return out


def update_context(ctx: "FileContext", func: cst.FunctionDef) -> Optional[str]:
    """Why ``func`` is an update context (a short reason), or ``None``."""
    return ctx.cached(("updates.context", id(func)), lambda: _update_context(ctx, func))


def _update_context(ctx: "FileContext", func: cst.FunctionDef) -> Optional[str]:
    name = func.name.value
    if _update_name(name):
        return "name"
    route = route_info(ctx, func)
    if route is not None and route.is_update:
        return "route"
    project = ctx.project
    for param in _all_params(func):
        if param.annotation is None:
            continue
        for q in annotation_classes(ctx, param.annotation.annotation):
            last = q.rsplit(".", 1)[-1]
            if last.endswith(_UPDATE_SUFFIXES):
                return "schema"
            info = schema_info(project, q)
            if info is not None and info.is_schema and info.all_optional(uses_pydantic_v1(ctx, info)):
                return "schema"
    if project is not None:
        callees = handler_callees(project)
        if callees:
            cls = enclosing_classes(ctx).get(id(func))
            mod = ctx.module_name
            qualified = ".".join(x for x in (mod, cls, name) if x)
            if qualified in callees:
                return "callee"
    return None


# --------------------------------------------------------------------------------------------------
# flow analysis
# --------------------------------------------------------------------------------------------------

_ENCODERS = frozenset({"fastapi.encoders.jsonable_encoder", "jsonable_encoder"})
_QUERY_ATTRS = frozenset({"query", "filter", "filter_by", "where"})
_SA_UPDATE = frozenset(
    {
        "sqlalchemy.update",
        "sqlalchemy.sql.update",
        "sqlalchemy.sql.expression.update",
        "sqlalchemy.sql.dml.update",
        "sqlmodel.update",
        "sqlalchemy.future.update",
    }
)
# ``update``, ``update_item``, ``update_one``, ``updateOne``, ``patch_user`` (not an HTTP client's ``patch``),
# ``apply_update_data``, ``find_one_and_update``,
# ``bulk_update``, ``perform_update`` (not ``emit_update_event``, ``notify_update`` or an upsert's
# ``on_conflict_do_update``: an upsert is a create path)
_UPDATE_CALL = re.compile(
    r"^_*(?:apply_)?update(?:$|_|[A-Z])|^_*patch_"
    r"|(?:^|_)(?:bulk|perform|partial|do|apply|find_one_and|crud|db|orm|repo)_update$"
    r"|^findOneAndUpdate$"
)
_REQUEST_KEYWORDS = frozenset({"json", "body", "content", "params", "headers", "files"})
_UPSERTS = frozenset({"on_conflict_do_update", "on_duplicate_key_update"})
_VALIDATE_METHODS = frozenset({"model_validate", "parse_obj", "model_validate_json", "parse_raw", "from_orm", "model_construct", "construct"})


@dataclass
class Dump:
    """A dump of the payload: ``payload.model_dump(...)`` / ``.dict(...)`` / ``jsonable_encoder(payload)``."""

    node: cst.CSTNode  # the dump call (or the payload name for ``vars(p)`` / ``p.__dict__`` / ``for k, v in p``)
    receiver: str
    schemas: list[str]
    excludes_unset: bool  # ``exclude_unset=True`` or an ``include=`` of the fields set (or no claim)
    exclude_none: bool  # a literal ``exclude_none=True``
    explicit_unset_false: bool  # ``exclude_unset=False`` written out
    opaque: bool  # ``**kwargs``: no claim about the flags
    written: bool = False  # reaches a write onto an existing object
    written_unfiltered: bool = False  # ... with no None/fields-set filter on the way
    fixable: bool = True  # a call that takes ``exclude_unset=``
    replacement: Optional[str] = None  # code that replaces ``node`` for a fix (``row.sqlmodel_update(payload)``)


@dataclass
class FieldAssignment:
    """``obj.x = payload.y`` with no guard on ``payload.y``."""

    node: cst.Assign
    target: str
    payload: str
    attr: str
    schemas: list[str]


@dataclass
class UpdateAnalysis:
    context: Optional[str]
    dumps: list[Dump] = field(default_factory=list)
    assignments: list[FieldAssignment] = field(default_factory=list)


# abstract values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Val:
    taint: frozenset = frozenset()  # {(dump index, filtered)}
    fs: bool = False  # a subset of the payload's fields set (keys of a dict, members of a set)
    stmt: bool = False  # an ``update(...)`` statement or a ``query(...)`` chain
    fresh: bool = False  # a freshly constructed object (not an existing row)
    dictish: bool = False  # a local dict (``{}``, ``dict()``, a dump): ``.update`` merges into it

    def join(self, other: "Val") -> "Val":
        return Val(
            self.taint | other.taint,
            self.fs and other.fs,
            self.stmt or other.stmt,
            self.fresh and other.fresh,
            self.dictish or other.dictish,
        )

    def filtered(self) -> "Val":
        return Val(frozenset((i, True) for i, _ in self.taint), self.fs, self.stmt, self.fresh, self.dictish)


EMPTY = Val()
Env = dict  # name -> Val


def _join_env(a: Env, b: Env) -> Env:
    out = dict(a)
    for k, v in b.items():
        out[k] = out[k].join(v) if k in out else v
    return out


def canon(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """A key for simple expressions: ``v``, ``payload.x``, ``data[k]`` (also ``data.get(k)``)."""
    if expr is None:
        return None
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        inner = canon(expr.value)
        return f"{inner}.{expr.attr.value}" if inner else None
    if isinstance(expr, cst.SimpleString):
        try:
            return repr(expr.evaluated_value)
        except Exception:
            return None
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        a, b = canon(expr.value), canon(expr.slice[0].slice.value)
        return f"{a}[{b}]" if a and b else None
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "get"
        and expr.args
        and expr.args[0].keyword is None
    ):
        a, b = canon(expr.func.value), canon(expr.args[0].value)
        return f"{a}[{b}]" if a and b else None
    if isinstance(expr, cst.NamedExpr):
        return canon(expr.target)
    return None


def _root(expr: cst.BaseExpression) -> Optional[str]:
    while isinstance(expr, (cst.Attribute, cst.Subscript, cst.Call)):
        expr = expr.func if isinstance(expr, cst.Call) else expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _non_none_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.FormattedString)):
        return True
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        return True
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return all(isinstance(e, cst.Element) and _non_none_literal(e.value) for e in expr.elements)
    if isinstance(expr, cst.Attribute):  # ``Status.ACTIVE``
        return True
    return False


def _is_true(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def _is_false(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "False"


def _exits(stmts: list[cst.BaseStatement]) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Return, cst.Raise, cst.Continue, cst.Break)) for s in last.body)
    if isinstance(last, cst.If):
        if last.orelse is None:
            return False
        return _exits(_suite(last.body)) and _exits(_orelse_body(last.orelse))
    return False


def _orelse_body(orelse: Any) -> list[cst.BaseStatement]:
    if orelse is None:
        return []
    if isinstance(orelse, cst.If):
        return [orelse]
    return _suite(orelse.body)


class _Analyzer:
    def __init__(self, ctx: "FileContext", func: cst.FunctionDef, context: str) -> None:
        self.ctx = ctx
        self.func = func
        self.result = UpdateAnalysis(context)
        self.dumps_by_node: dict[int, int] = {}
        # payload candidates: name -> schema classes (may be empty when unknown)
        self.payloads: dict[str, list[str]] = {}
        self.dict_params: set[str] = set()
        self.params: set[str] = set()
        self.assigned_names: set[str] = set()
        self.assign_seen: set[int] = set()
        self.loop_depth = 0
        self.elements: dict[str, list[str]] = {}  # ``items: list[ItemUpdate]`` -> [ItemUpdate]
        self.aliases: dict[str, str] = {}  # ``title = payload.title``: a guard on ``title`` guards both
        for param in _all_params(func):
            name = param.name.value
            if name in ("self", "cls"):
                continue
            self.params.add(name)
            annotation = param.annotation.annotation if param.annotation is not None else None
            if annotation is not None and _is_dict_annotation(ctx, annotation):
                self.dict_params.add(name)
                continue
            classes = annotation_classes(ctx, annotation) if annotation is not None else []
            if any(self._is_row_class(c) for c in classes) and not any(self._is_schema_class(c) for c in classes):
                continue
            self.payloads[name] = classes
            elements = element_classes(ctx, annotation)
            if elements is not None:
                self.elements[name] = elements
        for node in _walk_body(func):
            kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
            if kind is cst.AssignTarget and isinstance(node.target, cst.Name):
                self.assigned_names.add(node.target.value)
            elif (kind is cst.AnnAssign or kind is cst.AugAssign) and isinstance(node.target, cst.Name):
                self.assigned_names.add(node.target.value)
            elif kind is cst.For:
                for t in bound_names(node.target):
                    self.assigned_names.add(t)

    # -- classes ---------------------------------------------------------------------------------------
    def _info(self, qualified: str) -> Optional[SchemaInfo]:
        return schema_info(self.ctx.project, qualified)

    def _is_schema_class(self, qualified: str) -> bool:
        info = self._info(qualified)
        return info is not None and info.is_schema

    def _is_row_class(self, qualified: str) -> bool:
        info = self._info(qualified)
        return info is not None and info.is_table

    # -- statements ------------------------------------------------------------------------------------
    def run(self) -> UpdateAnalysis:
        env: Env = {}
        if self.func.name.value in ("__init__", "__post_init__", "model_post_init"):
            env["self"] = Val(fresh=True)  # the object being built: nothing stored yet
        self.block(_suite(self.func.body), env, frozenset())
        return self.result

    def block(self, stmts: list[cst.BaseStatement], env: Env, facts: frozenset) -> tuple[Env, frozenset]:
        for stmt in stmts:
            env, facts = self.stmt(stmt, env, facts)
        return env, facts

    def stmt(self, stmt: cst.BaseStatement, env: Env, facts: frozenset) -> tuple[Env, frozenset]:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                env, facts = self.small(small, env, facts)
            return env, facts
        if isinstance(stmt, cst.If):
            self.expr(stmt.test, env, facts)
            t_facts = facts | conditions(self, stmt.test, True, env)
            f_facts = facts | conditions(self, stmt.test, False, env)
            body = _suite(stmt.body)
            orelse = _orelse_body(stmt.orelse)
            env1, f1 = self.block(body, dict(env), t_facts)
            env2, f2 = self.block(orelse, dict(env), f_facts)
            body_exits, else_exits = _exits(body), _exits(orelse)
            if body_exits and not else_exits:
                return env2, f2
            if else_exits and not body_exits:
                return env1, f1
            # facts true at the end of both branches hold after the ``if`` (``if p.x is None: p.x = d``)
            return _join_env(env1, env2), f1 & f2
        if isinstance(stmt, cst.For):
            it = self.expr(stmt.iter, env, facts)
            loop_env = dict(env)
            self.bind_loop(stmt.target, stmt.iter, it, loop_env)
            body = _suite(stmt.body)
            self.loop_depth += 1
            env1, _ = self.block(body, loop_env, facts)
            if self.loop_depth <= 2:  # a second pass carries loop-borne merges; nested loops stay linear
                env1, _ = self.block(body, _join_env(loop_env, env1), facts)
            self.loop_depth -= 1
            env2, _ = self.block(_orelse_body(stmt.orelse), _join_env(env, env1), facts)
            return _join_env(env, env2), facts
        if isinstance(stmt, cst.While):
            self.expr(stmt.test, env, facts)
            body = _suite(stmt.body)
            t_facts = facts | conditions(self, stmt.test, True, env)
            self.loop_depth += 1
            env1, _ = self.block(body, dict(env), t_facts)
            if self.loop_depth <= 2:
                env1, _ = self.block(body, _join_env(env, env1), t_facts)
            self.loop_depth -= 1
            return _join_env(env, env1), facts
        if isinstance(stmt, (cst.Try, cst.TryStar)):
            env1, f1 = self.block(_suite(stmt.body), dict(env), facts)
            out = _join_env(env, env1)
            for handler in stmt.handlers:
                env_h, _ = self.block(_suite(handler.body), dict(out), facts)
                out = _join_env(out, env_h)
            if stmt.orelse is not None:
                env_e, _ = self.block(_suite(stmt.orelse.body), dict(env1), f1)
                out = _join_env(out, env_e)
            if stmt.finalbody is not None:
                out, _ = self.block(_suite(stmt.finalbody.body), out, facts)
            return out, facts
        if isinstance(stmt, cst.With):
            for item in stmt.items:
                self.expr(item.item, env, facts)
                if item.asname is not None:
                    for n in bound_names(item.asname.name):
                        env[n] = EMPTY
            return self.block(_suite(stmt.body), env, facts)
        if isinstance(stmt, cst.Match):
            self.expr(stmt.subject, env, facts)
            out = dict(env)
            for case in stmt.cases:
                env_c, _ = self.block(_suite(case.body), dict(env), facts)
                out = _join_env(out, env_c)
            return out, facts
        # nested functions and classes are analysed on their own
        return env, facts

    def small(self, small: cst.BaseSmallStatement, env: Env, facts: frozenset) -> tuple[Env, frozenset]:
        if isinstance(small, cst.Assign):
            value = self.expr(small.value, env, facts)
            for target in small.targets:
                self.assign(target.target, small.value, value, env, facts, small)
                key = canon(target.target)
                if key is not None and not isinstance(target.target, cst.Name):
                    # ``payload.x = payload.x or obj.x``: written on purpose, no longer an accidental None
                    facts = facts - {f"notnone:{key}"} if _is_none(small.value) else facts | {f"notnone:{key}"}
                elif isinstance(target.target, cst.Name):
                    facts = frozenset(f for f in facts if not f.endswith(f":{key}"))
                    alias = canon(small.value)
                    if alias is not None and isinstance(small.value, cst.Attribute):
                        self.aliases[key] = alias
                    else:
                        self.aliases.pop(key, None)
            return env, facts
        if isinstance(small, cst.AnnAssign):
            if small.value is not None:
                value = self.expr(small.value, env, facts)
                self.assign(small.target, small.value, value, env, facts, None)
            return env, facts
        if isinstance(small, cst.AugAssign):
            value = self.expr(small.value, env, facts)
            if isinstance(small.target, cst.Name):
                name = small.target.value
                old = env.get(name, EMPTY)
                if isinstance(small.operator, cst.BitOrAssign):
                    env[name] = Val(old.taint | value.taint, old.fs and value.fs, dictish=old.dictish)
                elif isinstance(small.operator, (cst.BitAndAssign, cst.SubtractAssign)):
                    env[name] = Val(old.taint, old.fs or (value.fs and isinstance(small.operator, cst.BitAndAssign)))
            return env, facts
        if isinstance(small, cst.Expr):
            self.expr(small.value, env, facts)
            return env, facts
        if isinstance(small, cst.Return):
            if small.value is not None:
                self.expr(small.value, env, facts)
            return env, facts
        if isinstance(small, cst.Assert):
            self.expr(small.test, env, facts)
            return env, facts | conditions(self, small.test, True, env)
        return env, facts

    def assign(
        self,
        target: cst.BaseExpression,
        value_node: cst.BaseExpression,
        value: Val,
        env: Env,
        facts: frozenset,
        stmt: Optional[cst.Assign],
    ) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            env[name] = value
            schemas = self._constructed_schema(value_node)
            if schemas is not None:
                self.payloads[name] = schemas
            else:
                # a name rebound to something else is no longer the payload
                self.payloads.pop(name, None)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                for n in bound_names(el.value):
                    env[n] = EMPTY
                    self.payloads.pop(n, None)
            return
        if isinstance(target, cst.Attribute) and stmt is not None:
            self.check_field_assignment(target, value_node, env, facts, stmt)

    def _constructed_schema(self, value: cst.BaseExpression) -> Optional[list[str]]:
        """``X(...)`` / ``X.model_validate(...)`` where ``X`` is a project schema -> [X]."""
        while isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        if isinstance(func, cst.Attribute) and func.attr.value in _VALIDATE_METHODS:
            func = func.value
        q = self.ctx.qualified_name(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
        if q and self._is_schema_class(q):
            return [q]
        return None

    def bind_loop(self, target: cst.BaseExpression, iter_node: cst.BaseExpression, it: Val, env: Env) -> None:
        names = bound_names(target)
        if isinstance(iter_node, cst.Name) and isinstance(target, cst.Tuple) and len(names) == 2:
            # ``for name, value in payload:`` iterates a pydantic model's fields: a full dump
            index = self.implicit_dump(iter_node, iter_node.value, env)
            if index is not None:
                it = Val(frozenset({(index, False)}))
        for n in names:
            env[n] = Val(it.taint, it.fs)
            self.payloads.pop(n, None)
        if isinstance(target, cst.Name):
            # ``for item_in in body.items:`` / ``for item_in in items:``: each element is a payload too
            elements = self._payload_elements(iter_node)
            if elements is not None:
                self.payloads[target.value] = elements

    def _payload_elements(self, node: cst.BaseExpression) -> Optional[list[str]]:
        if isinstance(node, cst.Name):
            if node.value in self.payloads and node.value in self.elements:
                return list(self.elements[node.value])
            return None
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in self.payloads:
            out: list[str] = []
            for q in self.payloads[node.value.value]:
                info = schema_info(self.ctx.project, q)
                f = info.fields.get(node.attr.value) if info is not None else None
                if f is not None:
                    out.extend(field_element_classes(self.ctx.project, f))
            return out
        return None

    # -- expressions -----------------------------------------------------------------------------------
    def expr(self, node: Optional[cst.BaseExpression], env: Env, facts: frozenset) -> Val:
        if node is None:
            return EMPTY
        if isinstance(node, cst.Name):
            return env.get(node.value, EMPTY)
        if isinstance(node, cst.Await):
            return self.expr(node.expression, env, facts)
        if isinstance(node, cst.Attribute):
            if node.attr.value in ("model_fields_set", "__fields_set__", "fields_set"):
                self.expr(node.value, env, facts)
                return Val(fs=True)
            if node.attr.value == "__dict__" and isinstance(node.value, cst.Name):
                index = self.implicit_dump(node, node.value.value, env)
                if index is not None:
                    return Val(frozenset({(index, False)}), dictish=True)
            inner = self.expr(node.value, env, facts)
            if inner.stmt:
                return Val(stmt=True)
            return EMPTY
        if isinstance(node, cst.Call):
            return self.call(node, env, facts)
        if isinstance(node, cst.Subscript):
            inner = self.expr(node.value, env, facts)
            for el in node.slice:
                if isinstance(el.slice, cst.Index):
                    self.expr(el.slice.value, env, facts)
            return Val(inner.taint)
        if isinstance(node, cst.Dict):
            out = Val(dictish=True, fs=True)
            literal_keys = False
            for el in node.elements:
                if isinstance(el, cst.StarredDictElement):
                    v = self.expr(el.value, env, facts)
                    out = Val(out.taint | v.taint, out.fs and v.fs, dictish=True)
                else:
                    self.expr(el.key, env, facts)
                    v = self.expr(el.value, env, facts)
                    # ``{"$set": payload.dict()}``: the dump is still written by whoever takes the dict
                    out = Val(out.taint | v.taint, out.fs, dictish=True)
                    literal_keys = True
            if literal_keys or not node.elements:
                out = Val(out.taint, False, dictish=True)
            return out
        if isinstance(node, (cst.DictComp, cst.SetComp, cst.ListComp, cst.GeneratorExp)):
            return self.comprehension(node, env, facts)
        if isinstance(node, cst.BinaryOperation):
            left = self.expr(node.left, env, facts)
            right = self.expr(node.right, env, facts)
            if isinstance(node.operator, cst.BitOr):
                return Val(left.taint | right.taint, left.fs and right.fs, dictish=left.dictish or right.dictish)
            if isinstance(node.operator, cst.BitAnd):
                return Val(left.taint | right.taint, left.fs or right.fs)
            if isinstance(node.operator, cst.Subtract):
                return Val(left.taint, left.fs)
            return EMPTY
        if isinstance(node, cst.BooleanOperation):
            left = self.expr(node.left, env, facts)
            right = self.expr(node.right, env, facts)
            return left.join(right)
        if isinstance(node, cst.IfExp):
            self.expr(node.test, env, facts)
            body = self.expr(node.body, env, facts | conditions(self, node.test, True, env))
            orelse = self.expr(node.orelse, env, facts | conditions(self, node.test, False, env))
            return body.join(orelse)
        if isinstance(node, cst.NamedExpr):
            value = self.expr(node.value, env, facts)
            if isinstance(node.target, cst.Name):
                env[node.target.value] = value
            return value
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            for el in node.elements:
                self.expr(el.value, env, facts)
            return EMPTY
        if isinstance(node, cst.Comparison):
            self.expr(node.left, env, facts)
            for c in node.comparisons:
                self.expr(c.comparator, env, facts)
            return EMPTY
        if isinstance(node, cst.UnaryOperation):
            self.expr(node.expression, env, facts)
            return EMPTY
        if isinstance(node, cst.FormattedString):
            return EMPTY
        return EMPTY

    def comprehension(self, node: Any, env: Env, facts: frozenset) -> Val:
        local = dict(env)
        local_facts = facts
        for_in = node.for_in
        iter_fs = False
        taint: frozenset = frozenset()
        first = True
        while for_in is not None:
            it = self.expr(for_in.iter, local, local_facts)
            if first:
                taint = it.taint
                iter_fs = it.fs
                first = False
            for n in bound_names(for_in.target):
                local[n] = Val(it.taint, it.fs)
            for cond in for_in.ifs:
                local_facts = local_facts | conditions(self, cond.test, True, local)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            key = node.key
            value = node.value
            self.expr(key, local, local_facts)
            self.expr(value, local, local_facts)
            filtered = _none_guarded(value, local_facts) or _key_guarded(key, local_facts)
            fs = iter_fs or _key_guarded(key, local_facts)
            val = Val(taint, fs, dictish=True)
        else:
            elt = node.elt
            self.expr(elt, local, local_facts)
            filtered = _key_guarded(elt, local_facts)
            fs = iter_fs or filtered
            val = Val(taint, fs)
        return val.filtered() if filtered else val

    def call(self, node: cst.Call, env: Env, facts: frozenset) -> Val:
        func = node.func
        if (
            isinstance(func, cst.Name)
            and func.value == "vars"
            and len(node.args) == 1
            and isinstance(node.args[0].value, cst.Name)
        ):
            index = self.implicit_dump(node, node.args[0].value.value, env)
            if index is not None:
                return Val(frozenset({(index, False)}), dictish=True)
        dump = self.dump_of(node, env, facts)
        if dump is not None:
            for arg in node.args:
                self.expr(arg.value, env, facts)
            d = self.result.dumps[dump]
            return Val(frozenset({(dump, False)}), fs=d.excludes_unset and not d.opaque, dictish=True)
        args = [self.expr(arg.value, env, facts) for arg in node.args]
        recv = self.expr(func.value, env, facts) if isinstance(func, cst.Attribute) else EMPTY
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        qualified = self.ctx.qualified_name(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
        fname = func.value if isinstance(func, cst.Name) else None

        # -- sinks -------------------------------------------------------------------------------------
        if fname == "setattr" or qualified == "builtins.setattr":
            if len(node.args) >= 3:
                self.setattr_sink(node, env, facts)
            return EMPTY
        if method == "sqlmodel_update" and node.args:
            first = node.args[0].value
            if isinstance(first, cst.Name) and not node.args[0].star:
                # ``row.sqlmodel_update(payload)`` copies every field of a model, set or not
                index = self.implicit_dump(first, first.value, env, replacement=f"{first.value}.model_dump(exclude_unset=True)")
                if index is not None:
                    args[0] = Val(args[0].taint | {(index, False)})
            self.sink(args[0], _root(func.value), env)
            upd = keyword_arg(node, "update")
            if upd is not None:
                self.sink(self.expr(upd.value, env, facts), _root(func.value), env)
            return EMPTY
        if method in ("model_copy", "copy"):
            upd = keyword_arg(node, "update")
            if upd is not None:
                self.sink(next(a for a, arg in zip(args, node.args) if arg is upd), _root(func.value), env)
                return EMPTY
            if method == "copy" and not node.args:
                return Val(recv.taint, recv.fs, dictish=recv.dictish)
            return EMPTY
        if method == "values" and isinstance(func, cst.Attribute):
            # ``insert(...).on_conflict_do_update(set_=...)`` is an upsert: a create path, no claim
            if recv.stmt or self._chain_has_update(func.value, env):
                for a in args:
                    self.sink(a, None)
                return Val(stmt=True)
            return EMPTY
        if method == "update" and isinstance(func, cst.Attribute):
            target = func.value
            if isinstance(target, cst.Attribute) and target.attr.value == "__dict__":
                for a in args:
                    self.sink(a, _root(target.value), env)
                return EMPTY
            if recv.stmt or self._chain_has_query(target, env):
                for a in args:
                    self.sink(a, None)
                return EMPTY
            if isinstance(target, cst.Name) and target.value in self.assigned_names and not recv.fresh:
                old = env.get(target.value, EMPTY)
                merged = old
                for a in args:
                    merged = Val(merged.taint | a.taint, merged.fs and a.fs, dictish=True)
                env[target.value] = merged
                return EMPTY
            if self._is_sa_update(func):
                return Val(stmt=True)
            if not node.args:
                return Val(stmt=True)  # ``table.update()``
            # ``repo.update(...)``, ``self.settings.update(...)``: written onto an existing object
            for a in args:
                self.sink(a, _root(target), env)
            return EMPTY
        if self._is_sa_update(func):
            return Val(stmt=True)
        if isinstance(func, cst.Attribute) and method in _QUERY_ATTRS:
            return Val(stmt=recv.stmt or method == "query" or self._chain_has_query(func.value, env))
        callee = method or fname or ""
        if _UPDATE_CALL.search(callee) and not callee[:1].isupper() and callee not in _UPSERTS:
            # a repository / service call that writes onto a stored row: ``crud.update_item(db, item, data)``;
            # a request body (``json=`` / ``body=`` / ``content=``: an HTTP or Kubernetes client) is not a row
            for a, arg in zip(args, node.args):
                if arg.keyword is not None and arg.keyword.value in _REQUEST_KEYWORDS:
                    continue
                self.sink(a, None)
            return EMPTY
        if method in ("items", "keys", "values") and not node.args:
            return Val(recv.taint, recv.fs)
        if method in ("get", "pop", "setdefault") and node.args:
            return Val(recv.taint)
        if method in ("intersection", "difference") and isinstance(func, cst.Attribute):
            fs = recv.fs or (method == "intersection" and any(a.fs for a in args))
            return Val(recv.taint, fs)
        if method == "union":
            return Val(recv.taint, recv.fs and all(a.fs for a in args))
        if qualified in ("builtins.dict",) or fname == "dict":
            out = Val(dictish=True, fs=True)
            for a, arg in zip(args, node.args):
                if arg.keyword is not None:
                    out = Val(out.taint, False, dictish=True)
                    continue
                out = Val(out.taint | a.taint, out.fs and a.fs, dictish=True)
            if not node.args:
                out = Val(dictish=True)
            return out
        if qualified in ("builtins.set", "builtins.frozenset", "builtins.list", "builtins.sorted", "copy.copy", "copy.deepcopy"):
            if args:
                return Val(args[0].taint, args[0].fs, dictish=args[0].dictish)
            return EMPTY
        if fname == "getattr" or qualified == "builtins.getattr":
            if len(args) >= 2:
                return Val(args[1].taint)
            return EMPTY
        # a constructor: a fresh object (a create path), unless it rebuilds stored data
        # (``Item(**stored_data)`` in the FastAPI docs' PATCH example is the existing item)
        last = (qualified or dotted_name(func) or "").rsplit(".", 1)[-1]
        if last[:1].isupper() and isinstance(func, (cst.Name, cst.Attribute)):
            fresh = True
            for a, arg in zip(args, node.args):
                if arg.keyword is None and (arg.star == "**" and not a.taint or arg.star != "**"):
                    fresh = False
            return Val(fresh=fresh)
        return EMPTY

    def _is_sa_update(self, func: cst.BaseExpression) -> bool:
        q = self.ctx.qualified_name(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
        if q in _SA_UPDATE:
            return True
        return bool(q) and q.startswith(("sqlalchemy.", "sqlmodel.")) and q.endswith(".update")

    def _chain_has_update(self, expr: cst.BaseExpression, env: Env) -> bool:
        while True:
            if isinstance(expr, cst.Call):
                f = expr.func
                if self._is_sa_update(f):
                    return True
                if isinstance(f, cst.Attribute):
                    if f.attr.value == "update" and not expr.args:
                        return True  # ``table.update()``
                    expr = f.value
                    continue
                if isinstance(f, cst.Name) and f.value == "update":
                    return True
                return False
            if isinstance(expr, cst.Attribute):
                expr = expr.value
                continue
            if isinstance(expr, cst.Name):
                return env.get(expr.value, EMPTY).stmt
            return False

    def _chain_has_query(self, expr: cst.BaseExpression, env: Env) -> bool:
        while True:
            if isinstance(expr, cst.Call):
                f = expr.func
                if isinstance(f, cst.Attribute):
                    if f.attr.value in _QUERY_ATTRS:
                        return True
                    expr = f.value
                    continue
                return False
            if isinstance(expr, cst.Attribute):
                expr = expr.value
                continue
            if isinstance(expr, cst.Name):
                return env.get(expr.value, EMPTY).stmt
            return False

    # -- dumps and sinks -------------------------------------------------------------------------------
    def implicit_dump(
        self, node: cst.CSTNode, name: str, env: Env, replacement: Optional[str] = None
    ) -> Optional[int]:
        """``vars(payload)``, ``payload.__dict__``, ``for k, v in payload``: every field, no flags to set.
        Only for payloads whose class resolves to a project schema (a list or a tuple iterates too)."""
        key = id(node)
        if key in self.dumps_by_node:
            return self.dumps_by_node[key]
        schemas = self.payloads.get(name)
        if not schemas or not any(self._is_schema_class(q) for q in schemas):
            return None
        dump = Dump(node, name, list(schemas), False, False, False, False, fixable=False, replacement=replacement)
        self.result.dumps.append(dump)
        index = len(self.result.dumps) - 1
        self.dumps_by_node[key] = index
        return index

    def dump_of(self, node: cst.Call, env: Env, facts: frozenset) -> Optional[int]:
        key = id(node)
        if key in self.dumps_by_node:
            return self.dumps_by_node[key]
        func = node.func
        receiver: Optional[cst.BaseExpression] = None
        if isinstance(func, cst.Attribute) and func.attr.value in DUMP_METHODS:
            receiver = func.value
        elif isinstance(func, (cst.Name, cst.Attribute)):
            q = self.ctx.qualified_name(func)
            if (q in _ENCODERS or (q is None and dotted_name(func) == "jsonable_encoder")) and node.args:
                if node.args[0].keyword is None and not node.args[0].star:
                    receiver = node.args[0].value
        if not isinstance(receiver, cst.Name):
            return None
        name = receiver.value
        if name not in self.payloads or name in self.dict_params:
            return None
        if f"isdict:{name}" in facts:
            return None  # caller-controlled dict (``if isinstance(obj_in, dict)``)
        opaque = any(arg.star == "**" for arg in node.args)
        unset = keyword_arg(node, "exclude_unset")
        none = keyword_arg(node, "exclude_none")
        defaults = keyword_arg(node, "exclude_defaults")
        include = keyword_arg(node, "include")
        excludes_unset = False
        explicit_false = False
        if unset is not None:
            if _is_false(unset.value):
                explicit_false = True
            else:
                excludes_unset = True  # ``True`` or a computed flag: no claim
        if defaults is not None and not _is_false(defaults.value):
            excludes_unset = True
        if include is not None:
            inc = self.expr(include.value, env, facts)
            if inc.fs:
                excludes_unset = True
        exclude_none = none is not None and _is_true(none.value)
        dump = Dump(node, name, list(self.payloads.get(name, [])), excludes_unset, exclude_none, explicit_false, opaque)
        self.result.dumps.append(dump)
        index = len(self.result.dumps) - 1
        self.dumps_by_node[key] = index
        return index

    def sink(self, value: Val, target_root: Optional[str], env: Optional[Env] = None) -> None:
        if target_root is not None and env is not None and env.get(target_root, EMPTY).fresh:
            return  # a freshly built object (a create path): nothing stored is overwritten
        for index, filtered in value.taint:
            dump = self.result.dumps[index]
            if target_root is not None and dump.receiver == target_root:
                continue  # the row dumped onto itself
            dump.written = True
            if not filtered:
                dump.written_unfiltered = True

    def setattr_sink(self, node: cst.Call, env: Env, facts: frozenset) -> None:
        target, key, value = node.args[0].value, node.args[1].value, node.args[2].value
        val = self.expr(value, env, facts)
        key_val = self.expr(key, env, facts)
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Name)
            and value.func.value == "getattr"
            and len(value.args) >= 2
        ):
            val = Val(val.taint | key_val.taint)
        guarded = _none_guarded(value, facts) or _key_guarded(key, facts) or key_val.fs
        self.sink(val.filtered() if guarded else val, _root(target), env)

    # -- BKL503 ----------------------------------------------------------------------------------------
    def check_field_assignment(
        self, target: cst.Attribute, value: cst.BaseExpression, env: Env, facts: frozenset, stmt: cst.Assign
    ) -> None:
        if id(stmt) in self.assign_seen:
            return
        if not isinstance(value, cst.Attribute) or not isinstance(value.value, cst.Name):
            return
        payload = value.value.value
        if payload not in self.payloads:
            return
        root = _root(target)
        if root is None or root == payload:
            return
        if env.get(root, EMPTY).fresh:
            return  # a freshly built object: nothing stored to overwrite
        attr = value.attr.value
        key = f"{payload}.{attr}"
        if f"notnone:{key}" in facts or f"field:{attr}" in facts:
            return
        self.assign_seen.add(id(stmt))
        self.result.assignments.append(
            FieldAssignment(stmt, canon(target) or root, payload, attr, list(self.payloads[payload]))
        )


def _none_guarded(value: cst.BaseExpression, facts: frozenset) -> bool:
    key = canon(value)
    return key is not None and f"notnone:{key}" in facts


def _key_guarded(key: cst.BaseExpression, facts: frozenset) -> bool:
    k = canon(key)
    return k is not None and f"key:{k}" in facts


def _walk_body(func: cst.FunctionDef) -> Iterable[cst.CSTNode]:
    """Nodes of the function body, not descending into nested functions, classes or lambdas."""
    stack: list[cst.CSTNode] = list(_suite(func.body))
    while stack:
        node = stack.pop()
        yield node
        kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.Lambda:
            continue
        stack.extend(iter_children(node))


# conditions -----------------------------------------------------------------------------------------


def _fs_expr(an: _Analyzer, expr: cst.BaseExpression, env: Env) -> bool:
    """Is ``expr`` (a subset of) the payload's fields set: ``payload.model_fields_set``, a local derived
    from it, or a dump with ``exclude_unset=True``?"""
    if isinstance(expr, cst.Attribute) and expr.attr.value in ("model_fields_set", "__fields_set__"):
        return True
    if isinstance(expr, cst.Name):
        return env.get(expr.value, EMPTY).fs
    if isinstance(expr, cst.Call):
        f = expr.func
        if isinstance(f, cst.Attribute) and f.attr.value in DUMP_METHODS:
            unset = keyword_arg(expr, "exclude_unset")
            return unset is not None and _is_true(unset.value)
        if isinstance(f, cst.Attribute) and f.attr.value == "keys":
            return _fs_expr(an, f.value, env)
    return False


def conditions(an: _Analyzer, test: cst.BaseExpression, truth: bool, env: Env) -> frozenset:
    facts = _conditions(an, test, truth, env)
    if an.aliases:
        extra = {f"notnone:{an.aliases[f[8:]]}" for f in facts if f.startswith("notnone:") and f[8:] in an.aliases}
        if extra:
            facts = facts | extra
    return facts


def _conditions(an: _Analyzer, test: cst.BaseExpression, truth: bool, env: Env) -> frozenset:
    """Facts that hold when ``test`` evaluates to ``truth``: ``notnone:<expr>``, ``field:<name>`` (the field
    is in the payload's fields set), ``key:<name>`` (a loop key is in the fields set), ``isdict:<name>``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return conditions(an, test.expression, not truth, env)
    if isinstance(test, cst.BooleanOperation):
        left = conditions(an, test.left, truth, env)
        right = conditions(an, test.right, truth, env)
        is_and = isinstance(test.operator, cst.And)
        if is_and == truth:  # ``a and b`` true, or ``a or b`` false: both hold
            return left | right
        return left & right
    if isinstance(test, cst.NamedExpr):
        return conditions(an, test.target, truth, env) | conditions(an, test.value, truth, env)
    if isinstance(test, cst.Call):
        f = test.func
        if isinstance(f, cst.Name) and f.value == "isinstance" and len(test.args) >= 2:
            key = canon(test.args[0].value)
            if key is None:
                return frozenset()
            out = set()
            if truth:
                out.add(f"notnone:{key}")
                types = test.args[1].value
                members = [e.value for e in types.elements] if isinstance(types, cst.Tuple) else [types]
                if any(isinstance(m, cst.Name) and m.value in ("dict", "Dict", "Mapping") for m in members) or any(
                    (an.ctx.qualified_name(m) or "") in _DICT_TYPES for m in members if isinstance(m, (cst.Name, cst.Attribute))
                ):
                    out.add(f"isdict:{key}")
            return frozenset(out)
        if isinstance(f, cst.Name) and f.value == "bool" and test.args and truth:
            key = canon(test.args[0].value)
            return frozenset({f"notnone:{key}"}) if key else frozenset()
        if canon(test) is None:
            return frozenset()
    if isinstance(test, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
        key = canon(test)
        if key is not None and truth:
            return frozenset({f"notnone:{key}"})
        return frozenset()
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comp = test.comparisons[0]
        op = comp.operator
        left, right = test.left, comp.comparator
        if isinstance(op, (cst.Is, cst.Equal, cst.IsNot, cst.NotEqual)):
            positive = isinstance(op, (cst.IsNot, cst.NotEqual))
            other = None
            if _is_none(right):
                other = left
            elif _is_none(left):
                other = right
            if other is not None:
                key = canon(other)
                if key is not None and truth == positive:
                    return frozenset({f"notnone:{key}"})
                return frozenset()
            if isinstance(op, cst.Equal) and truth:
                out = set()
                for a, b in ((left, right), (right, left)):
                    if _non_none_literal(b):
                        key = canon(a)
                        if key is not None:
                            out.add(f"notnone:{key}")
                            # ``field == "x"`` for a loop over the fields set
                            if isinstance(b, cst.SimpleString) and isinstance(a, cst.Name) and env.get(a.value, EMPTY).fs:
                                try:
                                    out.add(f"field:{b.evaluated_value}")
                                except Exception:
                                    pass
                return frozenset(out)
            return frozenset()
        if isinstance(op, (cst.In, cst.NotIn)):
            holds = isinstance(op, cst.In) == truth
            if not holds:
                return frozenset()
            out = set()
            if _fs_expr(an, right, env):
                if isinstance(left, cst.SimpleString):
                    try:
                        out.add(f"field:{left.evaluated_value}")
                    except Exception:
                        pass
                else:
                    key = canon(left)
                    if key is not None:
                        out.add(f"key:{key}")
            if isinstance(op, cst.In) and _non_none_literal(right):
                key = canon(left)
                if key is not None:
                    out.add(f"notnone:{key}")
            return frozenset(out)
        if isinstance(op, (cst.LessThan, cst.GreaterThan, cst.LessThanEqual, cst.GreaterThanEqual)) and truth:
            out = set()
            for side in (left, right):
                key = canon(side)
                if key is not None:
                    out.add(f"notnone:{key}")
            return frozenset(out)
    return frozenset()


def analyze(ctx: "FileContext", func: cst.FunctionDef) -> UpdateAnalysis:
    """The family-5 facts of one function (shared by the three rules through ``ctx.cached``)."""

    def build() -> UpdateAnalysis:
        reason = update_context(ctx, func)
        if reason is None:
            return UpdateAnalysis(None)
        try:
            return _Analyzer(ctx, func, reason).run()
        except RecursionError:  # pathological nesting: no claim rather than an internal error
            return UpdateAnalysis(None)

    return ctx.cached(("updates.analysis", id(func)), build)


def dump_schema_may_be_partial(ctx: "FileContext", dump: Dump) -> bool:
    """False when every schema of the dumped payload requires every field (a full replacement body)."""
    if not dump.schemas:
        return True
    for q in dump.schemas:
        info = schema_info(ctx.project, q)
        if info is None or not info.is_schema or not info.all_required(uses_pydantic_v1(ctx, info)):
            return True
    return False


def optional_in_payload(ctx: "FileContext", assignment: FieldAssignment) -> Optional[SchemaField]:
    """The optional field that ``payload.<attr>`` reads, when a payload schema declares it optional."""
    for q in assignment.schemas:
        info = schema_info(ctx.project, q)
        if info is None or not info.is_schema:
            continue
        f = info.fields.get(assignment.attr)
        if f is not None and f.is_optional(uses_pydantic_v1(ctx, info)):
            return f
    return None
