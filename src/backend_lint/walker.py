"""One traversal per file, dispatching to every active rule.

libcst's own ``Module.visit`` rebuilds every node it passes (about 0.6x the cost of parsing); this walker
reads the dataclass fields of each node directly and skips whitespace-only nodes (about 0.1x). The
dispatch table (node type -> rule methods) is built once per run from the rule classes; per file only the
rule instances are created.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Optional, Sequence

import libcst as cst

_WHITESPACE_TYPES = (
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.TrailingWhitespace,
    cst.Comment,
)
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
        if issubclass(tp, cst.CSTNode):
            found = _OTHER if issubclass(tp, _WHITESPACE_TYPES) else _NODE
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


def iter_children(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Direct non-whitespace children of ``node`` in source order (cheap, no node rebuilding)."""
    kinds = _kinds
    for name in _fields_of(type(node)):
        value = getattr(node, name)
        k = kinds.get(type(value))
        if k is None:
            k = _kind(type(value))
        if k == _NODE:
            yield value
        elif k == _SEQ:
            for child in value:
                kc = kinds.get(type(child))
                if kc is None:
                    kc = _kind(type(child))
                if kc == _NODE:
                    yield child


def walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """All non-whitespace nodes below and including ``node``, pre-order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = list(iter_children(current))
        children.reverse()
        stack.extend(children)


Method = Callable[[Any, cst.CSTNode], Any]


class DispatchTable:
    """``visit_X`` / ``leave_X`` methods of a fixed list of rule classes, indexed by node type name."""

    def __init__(self, rule_classes: Sequence[type]) -> None:
        self.rule_classes = list(rule_classes)
        self.visit: dict[str, list[tuple[int, Method]]] = {}
        self.leave: dict[str, list[tuple[int, Method]]] = {}
        for index, cls in enumerate(self.rule_classes):
            for attr in dir(cls):
                if attr.startswith("visit_"):
                    self.visit.setdefault(attr[6:], []).append((index, getattr(cls, attr)))
                elif attr.startswith("leave_"):
                    self.leave.setdefault(attr[6:], []).append((index, getattr(cls, attr)))
        self.node_types = frozenset(self.visit) | frozenset(self.leave)
        self.type_infos: dict[type, tuple] = {}  # filled by the walker, per node type


class Walker:
    """Runs one traversal with the rule instances of one file."""

    def __init__(
        self,
        table: DispatchTable,
        instances: list[Optional[Any]],
        on_error: Callable[[int, BaseException], None],
        on_import: Optional[Callable[[cst.CSTNode], None]] = None,
    ) -> None:
        self.table = table
        self.instances = instances
        self.on_error = on_error
        self.on_import = on_import
        # the node being visited and its ancestors, module first (read when a rule reports: the engine
        # then finds the reported node's statement without searching the module for it)
        self.path: list[cst.CSTNode] = []

    def _call(self, entries: list[tuple[int, Method]], node: cst.CSTNode) -> None:
        instances = self.instances
        for index, method in entries:
            instance = instances[index]
            if instance is None:
                continue
            try:
                method(instance, node)
            except Exception as exc:  # one rule's bug never stops the others
                instances[index] = None
                self.on_error(index, exc)

    def run(self, module: cst.Module) -> None:
        visit_table = self.table.visit
        leave_table = self.table.leave
        on_import = self.on_import
        call = self._call
        kinds = _kinds
        # per node type: (visit entries, leave entries, child fields, is an import)
        infos: dict[type, tuple] = self.table.type_infos
        path = self.path
        enter, exit_ = path.append, path.pop

        def info_for(tp: type) -> tuple:
            name = tp.__name__
            found = infos[tp] = (
                visit_table.get(name),
                leave_table.get(name),
                _fields_of(tp),
                name == "Import" or name == "ImportFrom",
            )
            return found

        def rec(node: cst.CSTNode) -> None:
            tp = type(node)
            info = infos.get(tp)
            if info is None:
                info = info_for(tp)
            visit, leave, fields, is_import = info
            enter(node)
            if is_import and on_import is not None:
                on_import(node)
            if visit:
                call(visit, node)
            for name in fields:
                value = getattr(node, name)
                k = kinds.get(type(value))
                if k is None:
                    k = _kind(type(value))
                if k == _NODE:
                    rec(value)
                elif k == _SEQ:
                    for child in value:
                        kc = kinds.get(type(child))
                        if kc is None:
                            kc = _kind(type(child))
                        if kc == _NODE:
                            rec(child)
            if leave:
                call(leave, node)
            exit_()

        rec(module)
