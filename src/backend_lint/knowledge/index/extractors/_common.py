"""Small helpers shared by the fact extractors (this module has no ``extract``: discovery skips it)."""

from __future__ import annotations

import ast
import unicodedata
from typing import Any, Callable, Optional

# The readers of a node kind's child fields, the breadth-first ``walk`` and ``children`` live in
# ``knowledge.tree_facts`` (the rules' screens walk with them too); re-exported for the extractors.
from ...tree_facts import _GETTERS, _getter, children, walk  # noqa: F401

Resolve = Callable[[ast.AST], Optional[str]]


def store(facts: dict[str, Any], family: str, out: dict[str, Any], **parts: Any) -> None:
    """Put ``out`` plus the non-empty ``parts`` (in order) under ``facts["extra"][family]`` unless it all is
    empty: modules without facts of a family carry no key for it."""
    for key, value in parts.items():
        if value:
            out[key] = value
    if out:
        facts["extra"][family] = out


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


def module_text() -> Optional[str]:
    """The text of the module being extracted (in NFKC when it is not ASCII), ``None`` outside ``extract_module``."""
    current = _current
    return None if current is None else current.text


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


def walk_kinds(fn: ast.AST) -> dict[type, list[Any]]:
    """``walk_function(fn)``'s items by class (``{ast.Call: [...], ast.Name: [...]}``), each list in the walk's
    order: a reader that wants one or a few node kinds goes over those alone instead of the whole walk (most
    readers ask for calls, assignments, returns or ``if`` statements). Built once per function of the module
    being extracted (callers must not change the lists); ``.get(kind, ())`` for a kind the function lacks."""
    current = _current
    key = ("kinds", id(fn))
    if current is not None:
        found = current.walks.get(key)  # type: ignore[call-overload]
        if found is not None:
            return found  # type: ignore[no-any-return]
    kinds: dict[type, list[Any]] = {}
    get = kinds.get
    for node in walk_function(fn):
        kind = node.__class__
        bucket = get(kind)
        if bucket is None:
            kinds[kind] = [node]
        else:
            bucket.append(node)
    if current is not None:
        current.walks[key] = kinds  # type: ignore[index]
    return kinds


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
