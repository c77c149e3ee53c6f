"""One file's CPython ``ast`` with the node lists the rules' screens ask for (libcst-free).

Parsing with libcst costs about ten times what ``ast.parse`` costs, so when every rule still active on a
file has a screen (``RuleSpec.screen``), the engine parses the file with ``ast`` once, hands every screen
the same :class:`TreeFacts`, and reaches libcst only when a screen lets a rule through. The engine also
reads the tree for ``# noqa`` placement.

The project index records a few facts of each file it parses (``screen_record``, beside its other facts, so
that a warm run keeps them): a :class:`TreeFacts` made from that record parses the file only when a screen
reads more than the record holds (``TreeFacts.tree``).
"""

from __future__ import annotations

import ast
import re
import warnings
from operator import attrgetter
from typing import Any, Callable, Iterable, Optional

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
# a route handler's decorator: ``@<router>.<one of these>(...)`` (``knowledge.fastapi`` re-exports both)
ROUTE_DECORATORS = frozenset(HTTP_METHODS + ("api_route", "websocket"))


# Fields that never hold a node a screen asks for: identifiers and constants, and the expression context
# and operator singletons (``Load``, ``Add``, ``Eq``), which are not indexed.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "module", "level", "kind", "type_comment", "conversion", "is_async", "asname"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_TYPE_ALIAS = getattr(ast, "TypeAlias", None)  # (3.12+: its ``name`` is a ``Name`` node, not a string)


def _child_fields(kind: type) -> tuple[str, ...]:
    _getter(kind)
    return _CHILD_FIELDS[kind]


def _getter(kind: type) -> Any:
    """How ``walk`` / ``children`` (and the index extractors' ``own_nodes``) read a node kind's child fields,
    in field order: ``None`` (no child field), ``(1, attrgetter(field))`` or ``(2, attrgetter(*fields))`` (one
    C call for every field instead of a ``getattr`` per field)."""
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
    ``None`` and ``str`` items of list fields (``Dict.keys``, ``Global.names``) and the other plain values a
    field holds (``MatchSingleton.value``): callers select by node type, never by ``ast.AST`` alone. Shared by
    the index extractors and the rules' screens."""
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


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def leaf_names(node: Optional[ast.AST]) -> Iterable[str]:
    """Names, attribute names and words inside string annotations of an expression (shared by the rules'
    screens and ``claims``)."""
    if node is None:
        return
    for n in walk(node):
        if isinstance(n, ast.Name):
            yield n.id
        elif isinstance(n, ast.Attribute):
            yield n.attr
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield from _WORD.findall(n.value)


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


# The fields of a statement (or an ``except`` clause, a ``case``) that hold statements: every function of a
# module is reached through them (a function is a statement; no expression holds one).
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_BLOCKS: dict[type, tuple[str, ...]] = {}  # node kind -> its fields among ``_BLOCK_FIELDS``


def route_decorated(tree: ast.Module) -> bool:
    """Some function of the module, at any depth (a method, a nested function), is decorated
    ``@<x>.<route method>(...)`` (``ROUTE_DECORATORS``). Reads statements only, not expressions."""
    stack: list[Any] = list(tree.body)
    pop, extend = stack.pop, stack.extend
    blocks = _BLOCKS
    while stack:
        node = pop()
        kind = node.__class__
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr in ROUTE_DECORATORS:
                    return True
        fields = blocks.get(kind)
        if fields is None:
            fields = blocks[kind] = tuple(f for f in _BLOCK_FIELDS if f in getattr(kind, "_fields", ()))
        for field in fields:
            value = getattr(node, field)
            if value.__class__ is list:
                extend(value)
    return False


def top_classes(tree: ast.Module) -> list[str]:
    """The names of the module's top-level classes, in order."""
    return [s.name for s in tree.body if isinstance(s, ast.ClassDef)]


def screen_record(tree: ast.Module, source: str) -> dict[str, Any]:
    """What the project index records of a file's tree (of ``source``) for the screens (JSON: stored with the
    file's facts): ``route`` (``route_decorated``), ``classes`` (``top_classes``). A :class:`TreeFacts` given
    the record answers ``route_decorated`` and ``top_classes`` without a tree."""
    # (a decorator is spelled ``@``: most files have none, and no statement of theirs is read)
    return {"route": "@" in source and route_decorated(tree), "classes": top_classes(tree)}


class TreeFacts:
    """One file's ``ast`` with the node lists screens ask for, each computed once. Made with ``tree=None`` and
    the index's ``record`` of the same text (``screen_record``), it parses the text when something first
    reads ``tree`` (or a node list, or the names); if CPython then cannot parse it (it parsed that very
    text for the index: never expected), ``failed`` is set and ``tree`` is an empty module, for the caller
    to discard whatever was read from it."""

    __slots__ = ("source", "_tree", "_record", "failed", "_by_type", "_names", "memo")

    def __init__(self, source: str, tree: Optional[ast.Module], record: Optional[dict[str, Any]] = None) -> None:
        self.source = source
        self._tree = tree
        self._record = record
        self.failed = False
        self._by_type: Optional[dict[type, list[ast.AST]]] = None
        self._names: Optional[frozenset[str]] = None
        self.memo: dict[Any, Any] = {}

    @property
    def tree(self) -> ast.Module:
        tree = self._tree
        if tree is None:
            tree = _parse(self.source)
            if tree is None:
                self.failed = True
                tree = ast.Module(body=[], type_ignores=[])
            self._tree = tree
        return tree

    @property
    def parsed_tree(self) -> Optional[ast.Module]:
        """The tree if it was parsed (or given), without parsing it; ``None`` after a failed parse."""
        return None if self.failed else self._tree

    @property
    def route_decorated(self) -> bool:
        """``route_decorated`` of the tree (from the index's record when there is one)."""
        record = self._record
        if record is not None:
            return record["route"]  # type: ignore[no-any-return]
        return self.cached("tree_facts.route", lambda: "@" in self.source and route_decorated(self.tree))  # type: ignore[no-any-return]

    @property
    def top_classes(self) -> list[str]:
        """``top_classes`` of the tree (from the index's record when there is one)."""
        record = self._record
        if record is not None:
            return record["classes"]  # type: ignore[no-any-return]
        return self.cached("tree_facts.classes", lambda: top_classes(self.tree))  # type: ignore[no-any-return]

    def _index(self) -> dict[type, list[ast.AST]]:
        if self._by_type is None:
            # ``ast.walk`` is a generator over ``iter_child_nodes``; this loop reads only the fields that can
            # hold nodes the screens ask for (``_child_fields``) and runs about three times faster.
            by_type: dict[type, list[ast.AST]] = {}
            stack: list[Any] = [self.tree]
            pop, push, extend = stack.pop, stack.append, stack.extend
            fields_of = _CHILD_FIELDS
            while stack:
                node = pop()
                kind = node.__class__
                bucket = by_type.get(kind)
                if bucket is None:
                    by_type[kind] = [node]
                else:
                    bucket.append(node)
                fields = fields_of.get(kind)
                if fields is None:
                    fields = _child_fields(kind)
                for name in fields:
                    value = getattr(node, name)
                    if value is None:
                        continue
                    if value.__class__ is list:
                        extend(value)  # may hold ``None`` (``Dict.keys``) or ``str`` (``Global.names``): leaves
                    else:
                        push(value)
            self._by_type = by_type
        return self._by_type

    def nodes(self, *kinds: type) -> list[Any]:
        """Every node of these exact ``ast`` types, in no particular order (not the context and operator
        singletons: ``Load``, ``Add``, ``Eq``)."""
        index = self._index()
        if len(kinds) == 1:
            return index.get(kinds[0], [])
        out: list[Any] = []
        for kind in kinds:
            out.extend(index.get(kind, ()))
        return out

    @property
    def functions(self) -> list[Any]:
        return self.nodes(*FUNCTIONS)

    @property
    def calls(self) -> list[ast.Call]:
        return self.nodes(ast.Call)

    @property
    def names(self) -> frozenset[str]:
        """Every identifier the code spells: names, attribute names, imported names and their aliases,
        parameters, keyword arguments, and function and class names (not strings, not comments)."""
        if self._names is None:
            out: set[str] = set()
            index = self._index()
            out.update(n.id for n in index.get(ast.Name, ()))  # type: ignore[attr-defined]
            out.update(n.attr for n in index.get(ast.Attribute, ()))  # type: ignore[attr-defined]
            for alias in index.get(ast.alias, ()):
                out.update(alias.name.split("."))  # type: ignore[attr-defined]
                if alias.asname:  # type: ignore[attr-defined]
                    out.add(alias.asname)  # type: ignore[attr-defined]
            out.update(a.arg for a in index.get(ast.arg, ()))  # type: ignore[attr-defined]
            out.update(k.arg for k in index.get(ast.keyword, ()) if k.arg)  # type: ignore[attr-defined]
            for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                out.update(n.name for n in index.get(kind, ()))  # type: ignore[attr-defined]
            self._names = frozenset(out)
        return self._names

    def cached(self, key: Any, factory: Callable[[], Any]) -> Any:
        """Memoise a screen's answer for this file (rules of one family share their screen)."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = factory()
            return value


def _parse(source: str) -> Optional[ast.Module]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def tree_facts(source: str) -> Optional[TreeFacts]:
    """The file's ``TreeFacts``, or ``None`` when CPython cannot parse it (libcst then decides)."""
    tree = _parse(source)
    return TreeFacts(source, tree) if tree is not None else None
