"""Small helpers shared by the fact extractors (this module has no ``extract``: discovery skips it)."""

from __future__ import annotations

import ast
import unicodedata
from operator import attrgetter
from typing import Any, Callable, Optional

Resolve = Callable[[ast.AST], Optional[str]]


def store(facts: dict[str, Any], family: str, out: dict[str, Any], **parts: Any) -> None:
    """Put ``out`` plus the non-empty ``parts`` (in order) under ``facts["extra"][family]`` unless it all is
    empty: modules without facts of a family carry no key for it."""
    for key, value in parts.items():
        if value:
            out[key] = value
    if out:
        facts["extra"][family] = out


# Fields that never hold a node an extractor asks for: identifiers, constants, and the expression-context and
# operator singletons (``Load``, ``Add``, ``Eq``). Same list as ``knowledge.tree_facts``.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "module", "level", "kind", "type_comment", "conversion", "is_async", "asname"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_TYPE_ALIAS = getattr(ast, "TypeAlias", None)  # (3.12+: its ``name`` is a ``Name`` node, not a string)


def _getter(kind: type) -> Any:
    """How ``walk`` / ``own_nodes`` / ``children`` read a node kind's child fields, in field order: ``None``
    (no child field), ``(1, attrgetter(field))`` or ``(2, attrgetter(*fields))`` (one C call for every field
    instead of a ``getattr`` per field)."""
    fields = () if kind is ast.Constant else tuple(
        f for f in getattr(kind, "_fields", ()) if f not in _LEAF_FIELDS or (f == "name" and kind is _TYPE_ALIAS)
    )
    _CHILD_FIELDS[kind] = fields
    found = None if not fields else ((1, attrgetter(fields[0])) if len(fields) == 1 else (2, attrgetter(*fields)))
    _GETTERS[kind] = found
    return found


_GETTERS: dict[type, Any] = {}


def walk(node: ast.AST) -> list[Any]:
    """``list(ast.walk(node))`` in the same (breadth-first) order, without the context and operator
    singletons, and about three times faster: ``ast.walk`` is a generator over two more generators
    (``iter_child_nodes``, ``iter_fields``), and reads every field of every node. The list may also hold the
    ``None`` and ``str`` items of list fields (``Dict.keys``, ``Global.names``): callers select by node type."""
    out: list[Any] = [node]
    getters = _GETTERS
    append, extend = out.append, out.extend
    for current in out:  # (a list's iterator also yields the items appended while it runs: breadth first)
        kind = current.__class__
        try:
            found = getters[kind]
        except KeyError:
            found = _getter(kind)
        if found is None:
            continue
        if found[0] == 1:
            value = found[1](current)
            if value is not None:
                if value.__class__ is list:
                    extend(value)  # may hold ``None`` (``Dict.keys``) or ``str`` (``Global.names``): see above
                else:
                    append(value)
            continue
        for value in found[1](current):
            if value is None:
                continue
            if value.__class__ is list:
                extend(value)
            else:
                append(value)
    return out


class _Module:
    """What the extractors share while one module is extracted (``extract_module`` opens and closes it):
    the module's text, for cheap "cannot be here" checks, and each function's ``walk``, built once for all
    the extractors that read it."""

    __slots__ = ("text", "lowered", "walks", "answers")

    def __init__(self, text: Optional[str]) -> None:
        if text is not None and not text.isascii():
            # Python reads identifiers in NFKC (a fullwidth ``ｒouter`` is ``router``): look in that form
            text = unicodedata.normalize("NFKC", text)
        self.text = text
        self.lowered: Optional[str] = None
        self.walks: dict[int, Any] = {}
        self.answers: dict[tuple[bool, tuple[str, ...]], bool] = {}


_current: Optional[_Module] = None


def begin_module(text: Optional[str]) -> None:
    global _current
    _current = _Module(text)


def end_module() -> None:
    global _current
    _current = None


def mentions(*words: str) -> bool:
    """Whether the module being extracted may spell one of ``words`` (always yes outside ``extract_module``):
    no word in the text, no identifier, attribute or keyword by that name."""
    current = _current
    if current is None or current.text is None:
        return True
    key = (False, words)
    found = current.answers.get(key)
    if found is None:
        text = current.text
        found = current.answers[key] = any(w in text for w in words)
    return found


def mentions_lowered(*words: str) -> bool:
    """``mentions`` ignoring case (``words`` in lower case)."""
    current = _current
    if current is None or current.text is None:
        return True
    key = (True, words)
    found = current.answers.get(key)
    if found is None:
        if current.lowered is None:
            current.lowered = current.text.lower()
        lowered = current.lowered
        found = current.answers[key] = any(w in lowered for w in words)
    return found


def walk_function(fn: ast.AST) -> list[Any]:
    """``walk(fn)`` of a function (or class) of the module being extracted, built once and shared by every
    extractor that walks it (callers must not change the list)."""
    current = _current
    if current is None:
        return walk(fn)
    found = current.walks.get(id(fn))
    if found is None:
        found = current.walks[id(fn)] = walk(fn)
    return found


_NESTED = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})


def own_nodes(fn: ast.AST) -> tuple[list[Any], list[Any]]:
    """The nodes of a function's body that belong to it, not to a function, class or lambda nested in it
    (those nodes are listed, their insides are not), in the order a stack started from ``fn.body`` pops
    them (depth first, last child first: the order the flow and validation extractors read); and the
    nested functions among them, in the same order. Built once per function of the module being extracted."""
    current = _current
    key = -id(fn) - 1  # (``walks`` holds the full walks under ``id``)
    if current is not None:
        found = current.walks.get(key)
        if found is not None:
            return found  # type: ignore[return-value]
    out: list[Any] = []
    inner: list[Any] = []
    getters = _GETTERS
    nested = _NESTED
    stack: list[Any] = list(getattr(fn, "body", ()))
    pop, push, extend, append = stack.pop, stack.append, stack.extend, out.append
    while stack:
        node = pop()
        append(node)
        kind = node.__class__
        if kind in nested:
            if kind is not ast.ClassDef and kind is not ast.Lambda:
                inner.append(node)
            continue
        try:
            found = getters[kind]
        except KeyError:
            found = _getter(kind)
        if found is None:
            continue
        if found[0] == 1:
            value = found[1](node)
            if value is not None:
                if value.__class__ is list:
                    extend(value)
                else:
                    push(value)
            continue
        for value in found[1](node):
            if value is None:
                continue
            if value.__class__ is list:
                extend(value)
            else:
                push(value)
    result = (out, inner)
    if current is not None:
        current.walks[key] = result  # type: ignore[assignment]
    return result


def children(node: Any) -> list[Any]:
    """``list(ast.iter_child_nodes(node))`` in the same order, without the context and operator singletons;
    like ``walk``, it may hold the ``None`` and ``str`` items of list fields, and takes them (no children)."""
    try:
        found = _GETTERS[node.__class__]
    except KeyError:
        found = _getter(node.__class__)
    out: list[Any] = []
    if found is None:
        return out
    for value in (found[1](node),) if found[0] == 1 else found[1](node):
        if value is None:
            continue
        if value.__class__ is list:
            out.extend(value)
        else:
            out.append(value)
    return out
