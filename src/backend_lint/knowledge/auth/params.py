"""Parameters of the function being linted: libcst definitions paired with CPython's nodes (``ast_resolver``),
``param_infos`` (annotation and default of each), and the file's top-level assignments."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from ...ground.lazy import lazy_import
from ..facts import alias_entry
from ..imports import dotted_name, last_segment
# the same parsing as the index
from ..index.extractors.orm import (
    annotated_factory,
    annotated_marker,
    call_factory,
    call_marker,
    main_type,
)
from .dependencies import (
    _matches_class,
    classify_dependency,
    CLIENT_MARKERS,
    DEPENDENCY_MARKERS,
    DependencyKind,
    marked_factory,
    NOT_AUTH,
    NOT_CLIENT_MARKERS,
    param_dependency,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...engine.context import FileContext

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


# --- per-file: parameters of a libcst function -----------------------------------------------------------

def ast_resolver(ctx: "FileContext") -> Callable[[ast.AST], Optional[str]]:
    def resolve(node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Call):
            node = node.func
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = ctx.imports.resolve_name(node.id)
        if head is None:
            head = node.id
        elif head.startswith("builtins."):
            head = head[len("builtins."):] if node.id in ("str", "int", "bool", "float", "bytes", "dict", "list") else head
        parts.append(head)
        return ".".join(reversed(parts))

    return ctx.cached("auth.ast_resolver", lambda: resolve)


def _code(ctx: "FileContext", node: cst.CSTNode) -> str:
    assert ctx.module is not None
    return ctx.module.code_for_node(node)


def _to_ast(ctx: "FileContext", node: Optional[cst.CSTNode]) -> Optional[ast.expr]:
    if node is None:
        return None
    try:
        return ast.parse(_code(ctx, node).strip(), mode="eval").body
    except SyntaxError:
        return None


def _cst_defs(body: Any, out: list) -> list:
    """The function definitions under ``body`` (a libcst block's statements), in the order of the source: what
    ``_ast_defs`` lists of CPython's tree of the same text. Only blocks hold definitions."""
    for stmt in body:
        kind = type(stmt)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.SimpleStatementLine:
            continue  # (most statements: none of the kinds below)
        if kind is cst.FunctionDef:
            out.append(stmt)
            _cst_defs(_block(stmt.body), out)
        elif kind is cst.ClassDef:
            _cst_defs(_block(stmt.body), out)
        elif kind is cst.If or kind is cst.For or kind is cst.While:
            _cst_defs(_block(stmt.body), out)
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                _cst_defs((orelse,), out)
            elif orelse is not None:
                _cst_defs(_block(orelse.body), out)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            _cst_defs(_block(stmt.body), out)
            for handler in stmt.handlers:
                _cst_defs(_block(handler.body), out)
            for part in (stmt.orelse, stmt.finalbody):
                if part is not None:
                    _cst_defs(_block(part.body), out)
        elif isinstance(stmt, cst.With):
            _cst_defs(_block(stmt.body), out)
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                _cst_defs(_block(case.body), out)
    return out


def _block(suite: Any) -> Any:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()


def _ast_defs(body: list, out: list) -> list:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(stmt)
            _ast_defs(stmt.body, out)
        elif isinstance(stmt, ast.ClassDef):
            _ast_defs(stmt.body, out)
        elif isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            _ast_defs(stmt.body, out)
            _ast_defs(stmt.orelse, out)
        elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            _ast_defs(stmt.body, out)
            for handler in stmt.handlers:
                _ast_defs(handler.body, out)
            _ast_defs(stmt.orelse, out)
            _ast_defs(stmt.finalbody, out)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            _ast_defs(stmt.body, out)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                _ast_defs(case.body, out)
    return out


def _ast_twins(ctx: "FileContext") -> dict[int, Any]:
    """``id(libcst function) -> CPython's node of the same definition`` when the engine handed over CPython's tree
    of the file (``FileContext.tree``); empty otherwise, or when the two trees do not list the same functions."""

    def build() -> dict[int, Any]:
        tree, module = ctx.tree, ctx.module
        if tree is None or module is None:
            return {}
        ours, theirs = _cst_defs(module.body, []), _ast_defs(tree.body, [])
        if len(ours) != len(theirs) or any(a.name.value != b.name for a, b in zip(ours, theirs)):
            return {}
        return {id(a): b for a, b in zip(ours, theirs)}

    return ctx.cached("auth.ast_twins", build)


def _twin_or_parse(ctx: "FileContext", twin: Optional[ast.expr], node: cst.CSTNode) -> Optional[ast.expr]:
    """CPython's node of ``node`` from the file's tree when it is on one line; else ``_to_ast``'s own parse of
    its text, which fails where the text breaks a line outside brackets of its own (``User`` and ``| None`` on
    two lines of a parameter list): its answer stands, ``None`` included."""
    if twin is not None and twin.lineno == twin.end_lineno:
        return twin
    return _to_ast(ctx, node)


def _param_asts(ctx: "FileContext", func: cst.FunctionDef, params: list) -> Optional[list]:
    """``(annotation, default)`` of each of ``params`` (``func``'s, positional and keyword-only) as CPython's
    nodes, taken from the file's tree: what ``_to_ast`` would parse from their text, without printing and parsing
    each one again. ``None`` when the file's tree is not at hand."""
    twin = _ast_twins(ctx).get(id(func))
    if twin is None:
        return None
    args = twin.args
    positional = args.posonlyargs + args.args
    if len(positional) + len(args.kwonlyargs) != len(params):
        return None
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    return [(a.annotation, d) for a, d in zip(positional, defaults)] + list(zip((a.annotation for a in args.kwonlyargs), args.kw_defaults))


@dataclass
class ParamInfo:
    name: str
    node: cst.Param
    type: Optional[str]  # resolved main class of the annotation
    marker: Optional[str]  # last name of Depends/Security/Body/Query/... (default or Annotated)
    dependency: DependencyKind = NOT_AUTH
    marker_node: Optional[cst.Call] = None
    # the resolved callable given to ``Depends`` / ``Security`` (``None`` for a call of a factory, for a
    # class, or when there is none): ``knowledge.queries`` reads the row a dependency hands on
    provider: Optional[str] = None


def param_infos(ctx: "FileContext", func: cst.FunctionDef) -> list[ParamInfo]:
    return ctx.cached(("auth.params", id(func)), lambda: _param_infos(ctx, func))


def _param_infos(ctx: "FileContext", func: cst.FunctionDef) -> list[ParamInfo]:
    resolve = ast_resolver(ctx)
    settings = ctx.settings
    project = ctx.project
    out: list[ParamInfo] = []
    params = list(func.params.posonly_params) + list(func.params.params) + list(func.params.kwonly_params)
    twins = _param_asts(ctx, func, params)
    for i, p in enumerate(params):
        name = p.name.value
        ann = _twin_or_parse(ctx, twins[i][0] if twins is not None else None, p.annotation.annotation) if p.annotation is not None else None
        type_q = main_type(ann, resolve) if ann is not None else None
        marker_info: Optional[dict[str, Any]] = None
        default_factory: Optional[dict[str, Any]] = None
        marker_node = None
        if isinstance(p.default, cst.Call):
            d = _twin_or_parse(ctx, twins[i][1] if twins is not None else None, p.default)
            if isinstance(d, ast.Call) and last_segment(resolve(d.func)) in DEPENDENCY_MARKERS | CLIENT_MARKERS | NOT_CLIENT_MARKERS:
                marker_info = call_marker(d, resolve)
                marker_node = p.default
            elif isinstance(d, ast.Call) and marked_factory(project, resolve(d.func)):
                # ``member: ProjectMember = require_permission(perm)``: FastAPI reads the ``Depends(inner)`` the call
                # returns, as ``Depends(require_permission(perm))`` would be read
                default_factory = call_factory(d, resolve)
                marker_node = p.default
        if marker_info is None and ann is not None:
            marker_info = annotated_marker(ann, resolve)
        factory_info = annotated_factory(ann, resolve) if marker_info is None and isinstance(ann, (ast.Subscript, ast.Constant)) else None
        if default_factory is not None:
            marker_info, factory_info = None, default_factory
        entry: dict[str, Any] = {"name": name, "type": type_q}
        if marker_info is not None:
            entry.update(marker_info)
        elif isinstance(ann, (ast.Name, ast.Attribute)) and default_factory is None:
            entry["alias"] = resolve(ann)
        if marker_info is None and "alias" not in entry and isinstance(p.default, (cst.Name, cst.Attribute)):
            entry["alias"] = ctx.qualified_name(p.default)  # ``token: str = DependsJwtAuth``, a marker held in a name
        if factory_info is not None and "alias" not in entry:
            entry.update(factory_info)
        kind = param_dependency(project, settings, entry)
        if kind.kind is None and marker_info is not None and last_segment(marker_info.get("marker")) in DEPENDENCY_MARKERS:
            # ``Depends(current_user)`` spelled with a local or unresolvable name
            spelling = None
            if isinstance(p.default, cst.Call) and p.default.args:
                spelling = dotted_name(p.default.args[0].value) if not isinstance(p.default.args[0].value, cst.Call) else dotted_name(p.default.args[0].value.func)  # type: ignore[union-attr]
            kind = classify_dependency(project, settings, marker_info.get("dependency"), spelling, marker_info.get("kwargs"), 0, bool(marker_info.get("called")), marker_info.get("args"))
            if kind.kind is None and _matches_class(type_q, settings):
                kind = DependencyKind("auth", type_q)
        if kind.kind is not None and not kind.principal_type:
            kind = DependencyKind(kind.kind, type_q, kind.credentials, kind.resource)
        marker = last_segment(marker_info.get("marker")) if marker_info else None
        if marker is None and "factory" in entry and (kind.kind is not None or default_factory is not None):
            marker = "Depends"  # ``Annotated[User, RequireScopes(...)]``: the factory returns the marker
        if marker is None and entry.get("alias") and project is not None:
            a = alias_entry(project, entry["alias"])
            if a is not None:
                marker = last_segment(a.get("marker"))
                if a.get("type"):
                    type_q = a["type"]
        provider = None
        if marker_info is not None and last_segment(marker_info.get("marker")) in DEPENDENCY_MARKERS and not marker_info.get("called"):
            provider = marker_info.get("dependency")
        out.append(ParamInfo(name, p, type_q, marker, kind, marker_node, provider))
    return out


def marker_target(call: cst.Call) -> Optional[cst.BaseExpression]:
    """What a parameter's marker node has FastAPI run: ``Depends(f)`` -> ``f``, ``Depends(factory(x))`` ->
    ``factory(x)``; a factory's call that is the marker itself (``require_permission(perm)``, returning
    ``Depends(inner)``) -> that call. ``None`` for a marker with no argument."""
    if last_segment(dotted_name(call.func)) not in DEPENDENCY_MARKERS | CLIENT_MARKERS | NOT_CLIENT_MARKERS:
        return call
    return call.args[0].value if call.args else None


def module_assignments(ctx: "FileContext") -> dict[str, cst.BaseExpression]:
    """Top-level ``name = value`` of the file being linted (last one wins)."""

    def build() -> dict[str, cst.BaseExpression]:
        out: dict[str, cst.BaseExpression] = {}
        assert ctx.module is not None
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        for t in small.targets:
                            if isinstance(t.target, cst.Name):
                                out[t.target.value] = small.value
                    elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                        out[small.target.value] = small.value
        return out

    return ctx.cached("auth.module_assignments", build)
