"""Cheap libcst traversal primitives: a node's children in source order, read from its dataclass fields
(no node rebuilding, whitespace-only nodes skipped). Shared by the engine's walker, knowledge and rules."""


from __future__ import annotations

import dataclasses
from functools import lru_cache
from operator import attrgetter
from typing import Iterable, Iterator, Optional

from ..ground.lazy import lazy_import

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")

_WHITESPACE_TYPE_NAMES = ("SimpleWhitespace", "ParenthesizedWhitespace", "EmptyLine", "Newline", "TrailingWhitespace", "Comment")


@lru_cache(maxsize=None)
def _whitespace_types() -> tuple[type, ...]:
    """libcst's whitespace-only node types, read off ``cst`` on first use: not at import (``ground/lazy.py``)."""
    return tuple(getattr(cst, name) for name in _WHITESPACE_TYPE_NAMES)


_SKIPPED_FIELDS = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "newline",
        "semicolon",
        "comma",
        "lpar",
        "rpar",
        "equal",
        "colon",
        "star",
        "dot",
        "operator",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "asynchronous",
        "whitespace",
    }
)
# Fields in source order where the dataclass order differs from it.
_FIELD_ORDER_OVERRIDES: dict[str, tuple[str, ...]] = {
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "Arg": ("keyword", "value"),
}
# Operators are leaves worth dispatching on (``Comparison`` rules read them through their parent).
_KEEP_FIELDS_FOR = {"ComparisonTarget": ("operator", "comparator")}

_field_cache: dict[type, tuple[str, ...]] = {}
# type -> what a field value of that type is: _NODE (a child to walk), _SEQ (a list/tuple of possible
# children) or _OTHER (strings, whitespace nodes, sentinels). Types, not ``isinstance`` on every value:
# ``CSTNode`` is an ABC and ABC instance checks dominated the walk.
_OTHER, _NODE, _SEQ = 0, 1, 2
_kinds: dict[type, int] = {}


def _kind(tp: type) -> int:
    found = _kinds.get(tp)
    if found is None:
        # the MRO, not ``issubclass``: ``CSTNode`` is an ABC, and its check of a type that is no node (``str``,
        # ``MaybeSentinel``, ``list``...) walks every libcst node class once per type (~30 ms a process; libcst
        # registers no virtual subclass, so both answers agree)
        mro = tp.__mro__
        if cst.CSTNode in mro:
            found = _OTHER if any(w in mro for w in _whitespace_types()) else _NODE
        elif issubclass(tp, (list, tuple)):
            found = _SEQ
        else:
            found = _OTHER
        _kinds[tp] = found
    return found


def _fields_of(tp: type) -> tuple[str, ...]:
    names = _field_cache.get(tp)
    if names is None:
        override = _FIELD_ORDER_OVERRIDES.get(tp.__name__) or _KEEP_FIELDS_FOR.get(tp.__name__)
        all_fields = [f.name for f in dataclasses.fields(tp)]
        if override:
            names = tuple(n for n in override if n in all_fields)
        else:
            names = tuple(
                n for n in all_fields if n not in _SKIPPED_FIELDS and not n.startswith("whitespace")
            )
        _field_cache[tp] = names
    return names


_readers: dict[type, tuple] = {}  # type -> (reader of its child fields, whether it reads several), or None


def _reader(tp: type) -> Optional[tuple]:
    fields = _fields_of(tp)
    found = _readers[tp] = (attrgetter(*fields), len(fields) > 1) if fields else None
    return found


def child_list(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``list(iter_children(node))``, built without a generator and with the fields read in one C call
    (the walks below call it for every node)."""
    out: list[cst.CSTNode] = []
    try:
        reader = _readers[type(node)]
    except KeyError:
        reader = _reader(type(node))
    if reader is None:
        return out
    kinds = _kinds
    getter, several = reader
    for value in getter(node) if several else (getter(node),):
        k = kinds.get(type(value))
        if k is None:
            k = _kind(type(value))
        if k == _NODE:
            out.append(value)
        elif k == _SEQ:
            for child in value:
                kc = kinds.get(type(child))
                if kc is None:
                    kc = _kind(type(child))
                if kc == _NODE:
                    out.append(child)
    return out


def iter_children(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Direct non-whitespace children of ``node`` in source order (cheap, no node rebuilding)."""
    return iter(child_list(node))


def walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """All non-whitespace nodes below and including ``node``, pre-order."""
    stack = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        current = pop()
        yield current
        children = child_list(current)
        children.reverse()
        extend(children)


def load_names(expr: cst.CSTNode) -> Iterator[str]:
    """Names read by an expression (``a.b.c`` reads ``a``; keywords and attribute names are not reads)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        kind = type(node)  # (``is``: no subclasses; a failing ``isinstance`` on libcst's ABCs calls into ``abc``)
        if kind is cst.Name:
            yield node.value
            continue
        if kind is cst.Attribute:
            stack.append(node.value)
            continue
        if kind is cst.Arg:
            stack.append(node.value)
            continue
        if kind is cst.Lambda:
            stack.append(node.body)
            continue
        stack.extend(child_list(node))



def keyword_arg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    """The argument ``name=...`` of ``call``, or None."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def bound_names(target: cst.BaseExpression) -> list[str]:
    """The names an assignment target binds, in order: a name, the names of a tuple or list (nested), a starred one."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: list[str] = []
        for el in target.elements:
            out.extend(bound_names(el.value))
        return out
    if isinstance(target, cst.StarredElement):
        return bound_names(target.value)
    return []


def is_docstring(stmt: cst.CSTNode) -> bool:
    """``stmt`` is a line holding only a string literal (a docstring where it comes first in its body)."""
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )

# The walk's primitives under public names, for the engine's walker (engine/walker.py).
KIND_NODE, KIND_SEQ = _NODE, _SEQ
kind_memo = _kinds
kind_of = _kind
fields_of = _fields_of


def top_level_statements(body: Iterable[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Module statements as the project index visits them: also inside top-level ``if`` / ``try`` blocks."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, cst.If):
            yield from top_level_statements(_block(stmt.body))
            orelse = stmt.orelse
            while orelse is not None:
                yield from top_level_statements(_block(orelse.body))
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        elif isinstance(stmt, cst.Try):
            yield from top_level_statements(_block(stmt.body))
            for handler in stmt.handlers:
                yield from top_level_statements(_block(handler.body))
            if stmt.orelse is not None:
                yield from top_level_statements(_block(stmt.orelse.body))


def _block(body: cst.BaseSuite) -> Iterable[cst.CSTNode]:
    return body.body if isinstance(body, cst.IndentedBlock) else ()


def definition_names(module: cst.Module) -> dict[int, str]:
    """``id(function node) -> name`` as the project index names it within its module: ``"f"`` for a top-level
    function, ``"C.m"`` for a method of a top-level class (both also inside top-level ``if`` / ``try``).

    Callers memoise it per file (``FileContext.cached``): one scan instead of one per function asked about."""
    out: dict[int, str] = {}
    for stmt in top_level_statements(module.body):
        if isinstance(stmt, cst.FunctionDef):
            out[id(stmt)] = stmt.name.value
        elif isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            for sub in stmt.body.body:
                if isinstance(sub, cst.FunctionDef):
                    out[id(sub)] = f"{stmt.name.value}.{sub.name.value}"
    return out


def definition_names_of(ctx) -> dict[int, str]:
    """``definition_names`` of the file a ``FileContext`` holds, computed once per file."""
    module = ctx.module
    return ctx.cached("cst.definition_names", lambda: definition_names(module) if module is not None else {})


def sql_conjuncts(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``and_(a, b)`` / ``a & b`` -> ``[a, b]`` (recursively); anything else is one conjunct."""
    if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
        name = node.func.value if isinstance(node.func, cst.Name) else node.func.attr.value
        if name == "and_":
            out: list[cst.CSTNode] = []
            for a in node.args:
                out.extend(sql_conjuncts(a.value))
            return out
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitAnd):
        return sql_conjuncts(node.left) + sql_conjuncts(node.right)
    return [node]


def bool_operands(expr: cst.CSTNode, unwrap_not: bool = False) -> list[cst.CSTNode]:
    """The operands of nested boolean operations (libcst nests ``a and b or c`` as binary ``BooleanOperation``
    nodes with ``left``/``right``): ``[a, b, c]``; with ``unwrap_not``, ``not x`` yields ``x`` (also at the top)."""
    out: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        while unwrap_not and isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            node = node.expression
        if isinstance(node, cst.BooleanOperation):
            stack.extend((node.right, node.left))
        else:
            out.append(node)
    return out
