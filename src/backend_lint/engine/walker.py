"""One traversal per file, dispatching to every active rule.

libcst's own ``Module.visit`` rebuilds every node it passes (about 0.6x the cost of parsing); this walker
reads the dataclass fields of each node directly and skips whitespace-only nodes (about 0.1x). The
dispatch table (node type -> rule methods) is built once per run from the rule classes; per file only the
rule instances are created.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable, Optional, Sequence

import libcst as cst

from ..knowledge.cst import KIND_NODE, KIND_SEQ, fields_of, kind_memo, kind_of


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
        kinds = kind_memo
        # per node type: (visit entries, leave entries, a reader of its child fields, whether it reads several,
        # is an import)
        infos: dict[type, tuple] = self.table.type_infos
        path = self.path
        enter, exit_ = path.append, path.pop

        def info_for(tp: type) -> tuple:
            name = tp.__name__
            fields = fields_of(tp)
            # the child fields read in one C call (``attrgetter`` of several names gives a tuple)
            found = infos[tp] = (
                visit_table.get(name),
                leave_table.get(name),
                attrgetter(*fields) if fields else None,
                len(fields) > 1,
                name == "Import" or name == "ImportFrom",
            )
            return found

        def rec(node: cst.CSTNode) -> None:
            tp = type(node)
            info = infos.get(tp)
            if info is None:
                info = info_for(tp)
            visit, leave, getter, several, is_import = info
            enter(node)
            if is_import and on_import is not None:
                on_import(node)
            if visit:
                call(visit, node)
            if getter is not None:
                for value in getter(node) if several else (getter(node),):
                    k = kinds.get(type(value))
                    if k is None:
                        k = kind_of(type(value))
                    if k == KIND_NODE:
                        rec(value)
                    elif k == KIND_SEQ:
                        for child in value:
                            kc = kinds.get(type(child))
                            if kc is None:
                                kc = kind_of(type(child))
                            if kc == KIND_NODE:
                                rec(child)
            if leave:
                call(leave, node)
            exit_()

        try:
            rec(module)
        finally:
            # ``rec`` refers to itself through its closure: without this the cycle would keep the walker, the
            # rule instances, the file's context and its whole libcst tree alive until the cyclic collector
            # finds them (~7,000 objects per linted file, walked again by every collection until then)
            del rec
