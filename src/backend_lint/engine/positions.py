"""Positions of libcst nodes as source offsets, without libcst's ``PositionProvider`` pass.

``SourceLines`` turns (row, column) into offsets and back; ``node_offsets`` finds the ranges of the nodes
a rule reported (by code generation of their statements only); ``Positions`` answers ``positions[node]``
like ``PositionProvider``.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import re
from itertools import accumulate
from typing import Any, Iterable, Optional

_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceLines:
    """Offsets of line starts, to turn (row, column) into string offsets and back."""

    def __init__(self, source: str) -> None:
        self.source = source
        if "\r" not in source:  # (the common case, without a match object per line: about 4x faster)
            self.starts = [0, *accumulate(len(line) + 1 for line in source.split("\n")[:-1])]
            return
        starts = [0]
        for m in _NEWLINE.finditer(source):
            starts.append(m.end())
        self.starts = starts

    def offset(self, row: int, col: int) -> int:
        if row - 1 >= len(self.starts):
            return len(self.source)
        return min(self.starts[row - 1] + col, len(self.source))

    def line_start(self, row: int) -> int:
        if row - 1 >= len(self.starts):
            return len(self.source)
        return self.starts[row - 1]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based row, 0-based column of ``offset``."""
        row = bisect.bisect_right(self.starts, offset)
        return row, offset - self.starts[row - 1]


class _Range:
    __slots__ = ("start", "end")

    def __init__(self, start: Any, end: Any) -> None:
        self.start = start
        self.end = end


class _Pos:
    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


class Positions:
    """``positions[node]`` like libcst's ``PositionProvider`` (1-based lines, 0-based columns)."""

    def __init__(self, offsets: dict, lines: SourceLines) -> None:
        self.offsets = offsets
        self.lines = lines

    def __getitem__(self, node: Any) -> _Range:
        start, end = self.offsets[node]
        return _Range(_Pos(*self.lines.position(start)), _Pos(*self.lines.position(end)))


class _PositionsDone(Exception):
    pass


class _Mismatch(Exception):
    pass


def node_offsets(
    module: Any, nodes: Iterable[Any], tree: Any = None, lines: Optional["SourceLines"] = None, hints: Optional[dict] = None
) -> dict:
    """Source offsets ``(start, end)`` of ``nodes``, with the ranges of libcst's ``PositionProvider``.

    ``PositionProvider`` records every node of the module through a code-generation pass (2 to 4 times
    the cost of parsing, even when one node is wanted). This runs the same code generation with a state
    that only counts characters and only records the wanted nodes (and the children their syntactic
    range is hoisted from), and stops as soon as they are all known. libcst round-trips source exactly,
    so generated offsets are source offsets. A test holds it to ``PositionProvider`` on real files.

    Given CPython's ``ast`` of the same text (``tree``, from the screens) and its ``lines``, only the
    innermost statement around each wanted node is generated, from that statement's first line (its
    ``ast`` line number less its leading comment lines) with its blocks' indentation; every generated
    token is checked against the source at its offset, and any difference falls back to generating the
    module from its start.
    """
    targets = set(nodes)
    if tree is not None and lines is not None and targets:
        try:
            found = offsets_by_statement(module, targets, tree, lines, hints)
        except (AttributeError, IndexError, TypeError, KeyError, ValueError):  # trees that do not line up
            found = None
        if found is not None:
            return found
    return _codegen_offsets(module, targets, module, 0, (), None)


_STATE_CLASS: Any = None


def _state_class() -> Any:
    """The code generation state that records offsets (a subclass of libcst's ``CodegenState``), defined once:
    a class defined per call would hold the module in a reference cycle until the cyclic collector runs."""
    global _STATE_CLASS
    if _STATE_CLASS is not None:
        return _STATE_CLASS
    from libcst._nodes.internal import CodegenState  # (libcst: loaded only when a file is parsed; a warm run never loads it)

    null = contextlib.nullcontext()

    class _State(CodegenState):
        def __init__(self, module: Any, targets: set, computed: dict, base: int, indents: tuple, source: Optional[str]) -> None:
            super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
            self.targets = targets
            self.computed = computed
            self.starts: dict = {}
            self.source = source
            self.pos = base
            self.indent_tokens.extend(indents)
            self.indent_len = sum(len(i) for i in indents)
            self.last_len = 0
            self.remaining = len(targets)
            self.any_tokens = False

        def increase_indent(self, value: str) -> None:
            self.indent_tokens.append(value)
            self.indent_len += len(value)

        def decrease_indent(self) -> None:
            self.indent_len -= len(self.indent_tokens.pop())

        def add_indent_tokens(self) -> None:
            if self.indent_tokens:
                if self.source is not None and not self.source.startswith("".join(self.indent_tokens), self.pos):
                    raise _Mismatch
                self.pos += self.indent_len
                self.last_len = len(self.indent_tokens[-1])
                if not self.any_tokens:
                    self.any_tokens = True
                    self.tokens.append(self.indent_tokens[-1])  # ``Module`` reads ``len(state.tokens)``

        def add_token(self, value: str) -> None:
            if self.source is not None and not self.source.startswith(value, self.pos):
                raise _Mismatch
            self.pos += len(value)
            self.last_len = len(value)
            if not self.any_tokens:
                self.any_tokens = True
                self.tokens.append(value)

        def pop_trailing_newline(self) -> None:
            if self.any_tokens:
                self.pos -= self.last_len
                self.last_len = 0

        def _set(self, node: Any, value: tuple) -> None:
            first = node not in self.computed
            self.computed[node] = value
            if first:
                self.remaining -= 1
                if self.remaining <= 0:
                    raise _PositionsDone

        def before_codegen(self, node: Any) -> None:
            if node in self.targets:
                self.starts[node] = self.pos

        def after_codegen(self, node: Any) -> None:
            if node in self.targets and node not in self.computed:
                self._set(node, (self.starts.get(node, self.pos), self.pos))

        def record_syntactic_position(self, node: Any, *, start_node: Any = None, end_node: Any = None) -> Any:
            if node not in self.targets:
                return null
            for child in (start_node, end_node):
                if child is not None and child not in self.targets:
                    self.targets.add(child)
                    self.remaining += 1
            return self._record(node, start_node, end_node)

        @contextlib.contextmanager
        def _record(self, node: Any, start_node: Any, end_node: Any) -> Any:
            start = self.pos
            yield  # (an exception, e.g. ``_PositionsDone`` from inside, passes through unrecorded)
            end = self.pos
            if start_node is not None:
                start = self.computed[start_node][0]
            if end_node is not None:
                end = self.computed[end_node][1]
            self._set(node, (start, end))

    _STATE_CLASS = _State
    return _State


def _codegen_offsets(module: Any, nodes: Iterable[Any], root: Any, base: int, indents: tuple, source: Optional[str]) -> dict:
    """Generate ``root`` (the module, or a statement starting at offset ``base`` inside blocks indented by
    ``indents``) and record ``nodes``; with ``source``, raise ``_Mismatch`` at the first token that is not
    the source's text at its offset."""
    targets = set(nodes)
    computed: dict = {}
    if targets:
        try:
            root._codegen(_state_class()(module, targets, computed, base, indents, source))
        except _PositionsDone:
            pass
    return computed


def paths_below(root: Any, wanted: set) -> dict:
    """The path from ``root`` to each node of ``wanted`` found below it (``root`` first, the node last)."""
    from ..knowledge.cst import iter_children  # (libcst: loaded only when a file is parsed; a warm run never loads it)

    found: dict = {}
    left = set(wanted)
    path: list = []
    stack: list = [(root, 0)]
    while stack and left:
        node, depth = stack.pop()
        del path[depth:]
        path.append(node)
        if node in left:
            left.discard(node)
            found[node] = tuple(path)
        children = list(iter_children(node))
        children.reverse()
        stack.extend((child, depth + 1) for child in children)
    return found


def offsets_by_statement(module: Any, targets: set, tree: Any, lines: "SourceLines", hints: Optional[dict] = None) -> Optional[dict]:
    import libcst as cst  # (libcst: loaded only when a file is parsed; a warm run never loads it)

    statement_types = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
    groups: dict = {}  # innermost statement -> (path from the module to it, its targets)
    # Each target's path from the module: searched below the node the traversal was at when it was
    # reported (``hints``: that node's ancestors), which usually holds it; the others from the module.
    chains: dict = {}
    below: dict = {}  # id(node the traversal was at) -> (its ancestors, targets reported there)
    for node in targets:
        ancestors = hints.get(node) if hints else None
        if ancestors and ancestors[0] is module:
            below.setdefault(id(ancestors[-1]), (ancestors, set()))[1].add(node)
    for ancestors, wanted in below.values():
        for node, sub in paths_below(ancestors[-1], wanted).items():
            chains[node] = ancestors[:-1] + sub
    left = targets.difference(chains)
    if left:
        found = paths_below(module, left)
        if len(found) < len(left):
            return None
        chains.update(found)
    for node, chain in chains.items():
        for k in range(len(chain) - 1, 0, -1):
            owner = chain[k]
            if isinstance(owner, statement_types) and not (isinstance(owner, cst.If) and chain[k - 1].__class__ is cst.If):
                groups.setdefault(owner, (chain[: k + 1], set()))[1].add(node)
                break
        else:
            return None  # the module itself, or a node outside every statement
    computed: dict = {}
    for statement, (chain, mine) in groups.items():
        located = _statement_start(module, chain, tree)
        if located is None:
            return None
        row, indents = located
        try:
            computed.update(_codegen_offsets(module, mine, statement, lines.line_start(row), indents, lines.source))
        except _Mismatch:
            return None
        if any(n not in computed for n in mine):
            return None
    return computed


def _statement_start(module: Any, chain: tuple, tree: Any) -> Optional[tuple[int, tuple]]:
    """(first line, enclosing blocks' indentation) of the last statement of ``chain`` (module ... statement),
    read from the matching ``ast`` statement (``None`` where the two trees do not line up)."""
    import libcst as cst  # (libcst: loaded only when a file is parsed; a warm run never loads it)

    statement_types = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
    indents: list[str] = []
    a: Any = tree
    container: Optional[list] = None  # the ast statement list the next cst statement sits in
    cst_list: Any = ()
    for k in range(len(chain) - 1):
        node, nxt = chain[k], chain[k + 1]
        elif_step = isinstance(node, cst.If) and isinstance(nxt, cst.If)
        if isinstance(node, cst.Module):
            container, cst_list = a.body, node.body
        elif isinstance(node, cst.IndentedBlock):
            indents.append(node.indent if node.indent is not None else module.default_indent)
            cst_list = node.body
        elif isinstance(node, cst.BaseCompoundStatement):
            if isinstance(nxt, cst.IndentedBlock):
                container = a.body
            elif elif_step:
                a = a.orelse[0]  # ``elif``: the nested ``If`` is the ast's ``orelse[0]``
                if not isinstance(a, ast.If):
                    return None
            elif isinstance(nxt, cst.Else):
                container = a.orelse
            elif isinstance(nxt, (cst.ExceptHandler, cst.ExceptStarHandler)):
                container = a.handlers[list(node.handlers).index(nxt)].body
            elif isinstance(nxt, cst.Finally):
                container = a.finalbody
            elif isinstance(nxt, cst.MatchCase):
                container = a.cases[list(node.cases).index(nxt)].body
            else:
                return None
        elif isinstance(node, (cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase)):
            if not isinstance(nxt, cst.IndentedBlock):
                return None
        else:
            return None
        if isinstance(nxt, statement_types) and not elif_step:
            if container is None:
                return None
            j = list(cst_list).index(nxt)
            a = container[sum(len(x.body) if isinstance(x, cst.SimpleStatementLine) else 1 for x in cst_list[:j])]
    return first_row(a, chain[-1]), tuple(indents)


def first_row(node: ast.stmt, statement: Any) -> int:
    """The row where the libcst ``statement`` starts, its leading comment and blank lines (and its first
    decorator's) included, from ``node``, the same statement on ``ast``."""
    row = node.lineno
    lead = len(statement.leading_lines)
    decorators = getattr(node, "decorator_list", None)
    if decorators and getattr(statement, "decorators", None):
        row = decorators[0].lineno
        lead += len(statement.decorators[0].leading_lines)
    return row - lead


def statement_offsets(module: Any, nodes: Iterable[Any], statement: Any, base: int, source: str) -> Optional[dict]:
    """Source offsets of ``nodes`` found in the top-level ``statement`` of ``module`` that starts (its
    leading lines included) at offset ``base`` of ``source``, by generating that statement only; ``None``
    when the generated code is not ``source``'s text there (the language server's re-walk of one function)."""
    try:
        return _codegen_offsets(module, nodes, statement, base, (), source)
    except _Mismatch:
        return None
