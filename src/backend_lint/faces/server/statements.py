"""Re-linting one edited function (the server's path for code edits inside a function body).

After a full lint the server keeps the file's libcst module and the first line of each top-level
statement (``Layout``). An edit whose changed span lies inside the body of one top-level function ``F``
(its decorators, signature and name unchanged) is linted by:

1. parsing ``F``'s new text alone with libcst (a top-level statement parses the same on its own) and
   splicing it into the kept module;
2. walking ``F`` only, with the rules active on the new text, every one of them declared ``local``
   (``RuleSpec.local``: what it reports inside a function depends on that function and on the module
   outside function bodies only), each rule seeing the whole spliced module and the import table as the
   full traversal has it when it reaches ``F``;
3. resolving the findings' positions by generating ``F``'s code only, and applying ``# noqa`` to them
   with ``F``'s text (a finding in ``F`` has its ``noqa`` line in ``F``; ``BKL901`` on ``F``'s comments
   depends on ``F``'s findings only);
4. keeping the other statements' findings, those after ``F`` moved by the lines the edit added.

Anything else (a non-local rule that may fire on the file, an import, decorator or signature edited, a
change that spans statements, a finding pointing outside ``F``, a file-wide ``noqa``, a migration)
returns ``None``: the caller lints the whole file.

What the project index records of ``F`` (its facts, extracted from its text alone, before and after,
compared but for line numbers, which no per-file finding reads): when they are the same, the index is not
touched (the caller updates it with the whole file's facts on save). When they changed (a new call, a new
query), ``facts_changed(tree, part)`` (the caller's) gives the index the file's new facts (the function's
changed entries patched into the index's facts when they are its own, ``function_facts.py``; else extracted
from ``tree``) and answers whether every read of the other statements' findings still gets the same answer
(``reads.py``); only then is ``F`` walked alone, with the index as it is now. ``tree`` is CPython's tree of the new text made without parsing
it: the layout keeps the tree of the text it describes, and ``F`` parsed alone is spliced into it (the line
numbers of the statements after ``F`` lag by what the edit added, as the index's facts of them do when an
edit changes no fact; the index reads the file in full on save: ``Workspace.update_file(lagging=True)``).
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from ...engine.api import Engine, FileResult, InternalError, ProjectProbe
from ...engine.context import FileContext
from ...engine.noqa import FILE_NOQA
from ...engine.parsing import ParseFailure, parse_module
from ...engine.positions import Positions, SourceLines, first_row, statement_offsets
from ...engine.walker import Walker
from ...ground.lazy import lazy_import
from ...knowledge.cst import iter_children
from ...knowledge.imports import ImportTable
from ...knowledge.modules import looks_like_migration as _looks_like_migration
from ...values import Diagnostic, Fix, Location, ResolvedEdit
from .function_facts import same_but_lines
from .incremental import changed_span

cst = lazy_import("libcst")  # (loaded already whenever a kept module exists)

_IMPORT_WORD = re.compile(r"\bimport\b")


@dataclass
class Layout:
    """A lint's module and where its top-level statements start (``rows`` 1-based, ``offsets``); CPython's
    tree of the text (``tree``: its line numbers after an edited function may lag, as the index's facts
    do) and, per top-level statement of ``module``, the index of its first statement in ``tree.body``."""

    module: Any
    rows: list[int]
    offsets: list[int]
    tree: Any = None
    firsts: Optional[list[int]] = None
    # words of the rules' ``requires`` that the text is known not to hold (``relint_function``: after an edit
    # only the changed span can bring one in)
    absent: Optional[frozenset] = None
    # per statement of ``tree.body``: its stand-in in ``in_context`` (a stub of each function and class, the
    # statement itself otherwise), made once and handed on to the layouts after an edit of one function
    # (the other statements are the same objects; the edited function's stub is the same: same name)
    stand_ins: Optional[list] = None


def layout_of(text: str, module: Any) -> Optional[Layout]:
    """Where each top-level statement of ``module`` (the libcst module of ``text``) starts, its leading
    comment and blank lines included; ``None`` when CPython's parser and libcst do not line up."""

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = SourceLines(text)
    rows: list[int] = []
    firsts: list[int] = []
    k = 0
    body = tree.body
    for stmt in module.body:
        if k >= len(body):
            return None
        firsts.append(k)
        rows.append(first_row(body[k], stmt))
        k += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
    if k != len(body) or (rows and rows[0] < 1) or any(b <= a for a, b in zip(rows, rows[1:])):
        return None
    return Layout(module, rows, [lines.line_start(r) for r in rows], tree, firsts)


@dataclass
class Relinted:
    diagnostics: list[Diagnostic]  # the file's findings (no project-wide ones)
    layout: Layout
    uses_project: bool
    span: tuple[int, int, int] = (0, 0, 0)  # the function's start, its end in the old text and in the new one


def relint_function(
    engine: Engine,
    path: str,
    old: str,
    new: str,
    layout: Layout,
    diagnostics: Sequence[Diagnostic],
    facts_of: Optional[Any] = None,
    facts_changed: Optional[Callable[[Any, Any], bool]] = None,
) -> Optional[Relinted]:
    """The findings of ``new`` from those of ``old`` (``diagnostics``: the file's own findings, after
    ``noqa``, no project-wide ones), re-walking the one function the edit is in; ``None``: lint the file.
    ``facts_of(text, i, names)``: the project index's facts of statement ``i``'s text in the module (``in_context``;
    ``None``: unknown, taken as changed); ``facts_of`` itself ``None``: no index. When the function's facts
    changed, ``facts_changed(tree, part)`` is asked whether to go on: it gives the index the file's new facts
    (``tree``: CPython's tree of ``new``, the function spliced into the layout's, or ``None``; ``part``: the
    function's facts before and after, its name and first row, for ``function_facts.patch_facts``) and
    answers whether every other finding of the file still holds (``None``: lint the file)."""
    if old == new or FILE_NOQA.search(new) or engine.too_large(new):
        return None
    start, old_end, new_end = changed_span(old, new)
    offsets, rows, module = layout.offsets, layout.rows, layout.module
    # the statement the change is in: F = body[i], its text old[offsets[i]:offsets[i + 1]]

    i = bisect_right(offsets, start) - 1
    last = i + 1 == len(offsets)  # F is the last statement: its text runs to the end (the module's footer too)
    if i < 0 or (not last and old_end >= offsets[i + 1]):
        return None
    old_node = module.body[i]
    if not isinstance(old_node, cst.FunctionDef):
        return None
    f_start, f_old_end = offsets[i], len(old) if last else offsets[i + 1]
    delta = new_end - old_end
    f_new_end = f_old_end + delta
    old_text, new_text = old[f_start:f_old_end], new[f_start:f_new_end]
    if _IMPORT_WORD.search(old_text) or _IMPORT_WORD.search(new_text):
        return None  # imports inside a function reach the import table of the statements after it
    is_migration = engine._has_migration_rules and _looks_like_migration(new)
    if is_migration:
        return None
    try:
        mini = parse_module(new_text)
    except ParseFailure:
        return None
    if (
        len(mini.body) != 1
        or (mini.footer and not last)
        or not isinstance(mini.body[0], cst.FunctionDef)
        or mini.default_indent != module.default_indent
        or mini.default_newline != module.default_newline
    ):
        return None
    new_node = mini.body[0].with_changes(leading_lines=mini.header)
    function = _parse_function(new_text)
    if not _header_untouched(function, new_text, start - f_start) and not _same_header(new_node, old_node):
        return None  # decorators, signature or name changed
    tree = None  # (CPython's tree of the file, F spliced in: made at the end, from ``function``, unless needed before)
    if facts_of is not None:
        names = _mentioned(old_text, new_text)
        before, after = facts_of(old_text, i, names), facts_of(new_text, i, names)
        if before is None or after is None or not same_but_lines(before, after):
            # what the project index records of this function changed: the caller gives the index the file's
            # new facts and says whether the other statements' findings still hold
            tree = _spliced_tree(layout, i, new_text, rows[i])  # (F parsed again: ``function`` stays F's alone)
            if facts_changed is None or not facts_changed(tree, (before, after, old_node.name.value, rows[i])):
                return None
    # the rules that may fire on the new text (the index as it is now): all local (no screens: a local
    # rule's honest screen would only say it finds nothing in this function either)
    absent_before, absent_now = layout.absent, set()

    def has_word(word: str) -> bool:
        # a word the old text did not hold can only be in the new one around the changed span
        if absent_before is not None and word in absent_before:
            found = word in new[max(0, start - len(word) + 1): new_end + len(word) - 1]
        else:
            found = word in new
        if not found:
            absent_now.add(word)
        return found

    active = engine._active_rules(new, path, False, engine.project, has_word)
    if any(cls is not None and not _is_local(cls) for cls in active):
        return None
    # the findings of the other statements: before F as they are, after F moved; none may reach into F
    row_delta = new.count("\n", start, new_end) - old.count("\n", start, old_end)
    f_row, next_row = rows[i], _NEVER if last else rows[i + 1]
    kept: list[Diagnostic] = []
    for d in diagnostics:
        row = d.location.row
        fix = d.fix
        # (the common cases at once: a finding before F, or after F, whose rows and edits all are)
        if row < f_row:
            if (
                d.end_location.row < f_row and (d.noqa_row is None or d.noqa_row < f_row)
                and all(a.row < f_row and b.row < f_row for a, b in d.edit_locations)
                and (fix is None or all(e.__class__ is ResolvedEdit and e.end <= f_start for e in fix.edits))
            ):
                kept.append(d)
                continue
        elif row < next_row:
            continue  # F's own: found again below
        else:
            moved = _moved_after(d, f_row, next_row, row_delta, f_start, f_old_end, delta)
            if moved is None:
                return None
            kept.append(moved)
            continue
        if not _clear_of(d, f_row, next_row, f_start, f_old_end, False):
            return None
        kept.append(_shift(d, next_row, row_delta, f_old_end, delta))  # (an edit of it after F moves too)
    # splice F into the module and walk it
    body = list(module.body)
    body[i] = new_node
    spliced = module.with_changes(body=body)
    if last:
        spliced = spliced.with_changes(footer=mini.footer, has_trailing_newline=mini.has_trailing_newline)
    probe = ProjectProbe(engine.project, path) if engine.project is not None else None
    ctx = FileContext(new, path, engine.settings, probe if probe is not None else engine.project)
    ctx.module = spliced
    # the import table as the full traversal has it at F: the module's, then every import met before F
    table = ImportTable.from_module(spliced, ctx.module_name, ctx.is_package, ctx.project)
    for j, stmt in enumerate(body[:i]):
        if _IMPORT_WORD.search(new, offsets[j], offsets[j + 1]):  # (a statement without the word has no import)
            for node in _imports_in(stmt):
                table.add_import(node)
    ctx._imports = table
    table_ = engine.table
    instances = [cls(ctx) if cls is not None else None for cls in active]
    errors: list[InternalError] = []

    def on_error(index: int, exc: BaseException) -> None:
        errors.append(InternalError(path, table_.rule_classes[index].code, "", repr(exc)))

    walker = Walker(table_, instances, on_error, on_import=lambda node: ctx.imports.add_import(node))
    try:
        walker.run(cst.Module(body=[new_node]))
    except RecursionError:
        return None
    if errors:
        return None  # a rule crashed: the full lint reports it
    new_rows = rows[: i + 1] + [r + row_delta for r in rows[i + 1:]]
    new_offsets = offsets[: i + 1] + [o + delta for o in offsets[i + 1:]]
    found = _resolve(engine, ctx.reports, spliced, new_node, new, path, f_start, f_start + len(new_text), new_offsets)
    if found is None:
        return None
    # ``noqa`` on F's findings, read from F's text (their rows made relative to it), then moved back
    base_row = f_row - 1
    relative = [_shift(d, _ALL, -base_row, 0, 0) for d in found]
    alone = ast.Module(body=[function], type_ignores=[]) if function is not None else None  # (F's text's tree)
    finished = engine._finish(FileResult(path), relative, new_text, None, True, alone)
    own: list[Diagnostic] = []
    ids = {id(d) for d in relative}
    for d in finished.diagnostics:
        if id(d) in ids:
            own.append(_shift(d, _ALL, base_row, 0, 0))
        else:  # BKL901 on F's comments: its fix's offsets are F's text's
            own.append(_shift(d, _ALL, base_row, 0, f_start))
    out = sorted(kept + own, key=Diagnostic.sort_key)
    uses = probe is not None and probe.used
    if tree is None:
        tree = _spliced_tree(layout, i, new_text, rows[i], function)  # (its line numbers moved: the file's now)
    layout_ = Layout(
        spliced, new_rows, new_offsets, tree, layout.firsts if tree is not None else None, frozenset(absent_now),
        layout.stand_ins if tree is not None else None,
    )
    return Relinted(out, layout_, uses, (f_start, f_old_end, f_new_end))


def _parse_function(text: str) -> Any:
    """CPython's tree of ``text`` alone when it is one function (its line numbers from 1), else ``None``."""
    try:
        mini = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(mini.body) != 1 or not isinstance(mini.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return mini.body[0]


def _header_untouched(function: Any, text: str, at: int) -> bool:
    """Whether an edit of a function's text from offset ``at`` on (``text``: after the edit; ``function``: its
    tree, ``_parse_function``) leaves the text before its body's first line alone, that statement starting
    its line: then its decorators, name and signature are the same text as before (what ``_same_header``
    tells by comparing the two trees)."""
    if function is None or not function.body:
        return False
    first = function.body[0]
    row = first.lineno
    if row <= function.lineno:
        return False
    line_start = 0
    for _ in range(row - 1):
        line_start = text.find("\n", line_start) + 1
        if line_start == 0:
            return False
    if at < line_start:
        return False
    line = text[line_start: text.find("\n", line_start) if "\n" in text[line_start:] else len(text)]
    return first.col_offset == len(line) - len(line.lstrip(" \t"))


def _function_in_tree(layout: Layout, i: int, text: str, function: Any = None) -> Any:
    """(the layout's tree, the index in its body of top-level statement ``i``, ``text`` parsed alone as one
    function, or ``function`` when given), or ``None`` when the layout has no tree, statement ``i`` is no
    function or ``text`` is not one."""
    tree, firsts = layout.tree, layout.firsts
    if tree is None or firsts is None:
        return None
    k = firsts[i]
    if k >= len(tree.body) or not isinstance(tree.body[k], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    if function is None:
        function = _parse_function(text)
    if function is None:
        return None
    return tree, k, function


def in_context(layout: Layout, i: int, text: str, names: Optional[frozenset] = None) -> Any:
    """CPython's tree of a module made of top-level function ``i`` (``text``, parsed alone) among the other
    top-level statements of the layout's tree, every other function and class a stub of the same name
    (``def f(): pass``, ``class C: pass``): the names the module defines and imports are the same, so the
    function's names resolve as in the file, and the facts of this module tell whether the function's part
    of the file's facts changed (the extractors' facts are per function, or sums and unions of them); ``None``
    when the layout has no tree or ``text`` is not one function. ``names`` (``_mentioned``): only the other
    functions and classes of those names are there as stubs (the others are left out: the function's names
    resolve the same, and the facts of both versions of the function are compared in the same module)."""
    found = _function_in_tree(layout, i, text)
    if found is None:
        return None
    tree, k, function = found
    stand_ins = layout.stand_ins
    if stand_ins is None or len(stand_ins) != len(tree.body):
        stand_ins = layout.stand_ins = [
            _stub(stmt) if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else stmt for stmt in tree.body
        ]
    if names is None:
        body = list(stand_ins)
        body[k] = function
    else:
        body = [
            function if j == k else stmt
            for j, stmt in enumerate(stand_ins)
            if j == k or not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or stmt.name in names
        ]
    return ast.Module(body=body, type_ignores=[])


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _mentioned(*texts: str) -> Optional[frozenset]:
    """The identifiers ``texts`` spell (for ``in_context``); ``None`` when one is not ASCII (Python reads a
    non-ASCII identifier in NFKC: every function and class of the module is then kept)."""
    if not all(t.isascii() for t in texts):
        return None
    return frozenset(m for t in texts for m in _IDENTIFIER.findall(t))


def _stub(stmt: Any) -> Any:
    if isinstance(stmt, ast.ClassDef):
        node: Any = ast.ClassDef(name=stmt.name, bases=[], keywords=[], body=[ast.Pass()], decorator_list=[])
    else:
        args = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        node = ast.FunctionDef(name=stmt.name, args=args, body=[ast.Pass()], decorator_list=[], returns=None, type_comment=None)
    if "type_params" in node._fields:  # (Python 3.12+; 3.12's constructor leaves it unset, so ``hasattr`` is False)
        node.type_params = []
    return ast.fix_missing_locations(ast.copy_location(node, stmt))


def _spliced_tree(layout: Layout, i: int, text: str, row: int, function: Any = None) -> Any:
    """CPython's tree of the file with top-level statement ``i`` (a function) replaced by ``text`` parsed
    alone (its line numbers from ``row``; those of the statements after it lag by what the edit added, as
    the index's facts of them do); ``None`` when the layout has no tree or ``text`` is not one function.
    ``function``: ``text``'s tree, when the caller parsed it (``_parse_function``; its line numbers are
    moved here)."""
    found = _function_in_tree(layout, i, text, function)
    if found is None:
        return None
    tree, k, function = found
    node = ast.increment_lineno(function, row - 1)
    return ast.Module(body=tree.body[:k] + [node] + tree.body[k + 1:], type_ignores=tree.type_ignores)


def _same_header(new: Any, old: Any) -> bool:
    """Whether two versions of a function differ in their body only (decorators, name, signature, comments
    around the ``def`` line the same); the bodies are not compared."""
    empty = cst.IndentedBlock(body=())
    return new.with_changes(body=empty, leading_lines=()).deep_equals(old.with_changes(body=empty, leading_lines=()))


def _is_local(cls: type) -> bool:
    return bool(getattr(cls, "local", False)) and not any(hasattr(cls, m) for m in ("visit_Module", "leave_Module"))


def _imports_in(stmt: Any) -> list:
    """The ``Import`` / ``ImportFrom`` nodes of a statement, in the traversal's order."""
    out: list = []
    stack = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            out.append(node)
            continue
        children = list(iter_children(node))
        children.reverse()
        stack.extend(children)
    return out


def _clear_of(d: Diagnostic, f_row: int, next_row: int, f_start: int, f_end: int, after: bool) -> bool:
    """Whether a finding of another statement stays clear of F (its range, ``noqa`` line, fix edits)."""
    rows = [d.end_location.row] + ([d.noqa_row] if d.noqa_row is not None else [])
    rows += [r for a, b in d.edit_locations for r in (a.row, b.row)]
    if any(f_row <= r < next_row for r in rows):
        return False
    if not after and d.end_location.row >= next_row:
        return False
    if d.fix is not None:
        for e in d.fix.edits:
            if not isinstance(e, ResolvedEdit):
                return False
            if not (e.end <= f_start or e.start >= f_end):
                return False
            if after and e.start < f_start and e.end > f_start:
                return False
    return True


_ALL = -(10**9)
_NEVER = 10**9


def _shift(d: Diagnostic, row_from: int, rows: int, offset_from: int, chars: int) -> Diagnostic:
    """``d`` on a text where rows at or after ``row_from`` moved by ``rows`` and offsets at or after
    ``offset_from`` by ``chars``."""
    if not rows and not chars:
        return d
    moves = bool(rows) and (
        d.location.row >= row_from or d.end_location.row >= row_from
        or (d.noqa_row is not None and d.noqa_row >= row_from)
        or any(a.row >= row_from or b.row >= row_from for a, b in d.edit_locations)
    )
    if not moves and chars and d.fix is not None:
        moves = any(isinstance(e, ResolvedEdit) and e.end >= offset_from for e in d.fix.edits)
    if not moves:
        return d  # nothing of it moves: the same finding (the server keeps its protocol form)
    fix = d.fix
    if fix is not None and chars:
        edits = []
        for e in fix.edits:
            if e.__class__ is ResolvedEdit and e.end >= offset_from:
                e = ResolvedEdit(e.start + chars if e.start >= offset_from else e.start, e.end + chars, e.content)
            edits.append(e)
        fix = Fix(fix.message, tuple(edits), fix.applicability)
    noqa_row = d.noqa_row
    if noqa_row is not None and rows and noqa_row >= row_from:
        noqa_row += rows
    start, end = d.location, d.end_location
    if rows:
        if start.row >= row_from:
            start = Location(start.row + rows, start.column)
        if end.row >= row_from:
            end = Location(end.row + rows, end.column)
        spans = [(_moved_row(a, row_from, rows), _moved_row(b, row_from, rows)) for a, b in d.edit_locations]
    else:
        spans = list(d.edit_locations)
    return Diagnostic(d.code, d.name, d.message, d.path, start, end, fix, noqa_row, spans)


def _moved_after(d: Diagnostic, f_row: int, next_row: int, rows: int, f_start: int, f_end: int, chars: int) -> Optional[Diagnostic]:
    """A finding that starts after F (rows ``[f_row, next_row)``, offsets ``[f_start, f_end)``), moved by the
    ``rows`` and ``chars`` the edit added: ``_shift`` when ``_clear_of`` holds, in one pass; ``None`` when
    its ``noqa`` line, an edit's rows or an edit's offsets reach into F."""
    noqa_row = d.noqa_row
    if noqa_row is not None and noqa_row >= f_row:
        if noqa_row < next_row:
            return None
        noqa_row += rows
    spans = d.edit_locations
    if spans and rows:
        moved_spans = []
        for a, b in spans:
            if (f_row <= a.row < next_row) or (f_row <= b.row < next_row):
                return None
            moved_spans.append((Location(a.row + rows, a.column) if a.row >= next_row else a, Location(b.row + rows, b.column) if b.row >= next_row else b))
        spans = moved_spans
    elif spans:
        for a, b in spans:
            if (f_row <= a.row < next_row) or (f_row <= b.row < next_row):
                return None
        spans = list(spans)
    fix = d.fix
    if fix is not None:
        edits = []
        for e in fix.edits:
            if e.__class__ is not ResolvedEdit:
                return None
            if e.start >= f_end:
                edits.append(ResolvedEdit(e.start + chars, e.end + chars, e.content) if chars else e)
            elif e.end <= f_start:
                edits.append(e)
            else:
                return None
        if chars:
            fix = Fix(fix.message, tuple(edits), fix.applicability)
    if not rows and fix is d.fix:
        return d  # nothing of it moves: the same finding (the server keeps its protocol form)
    start, end = d.location, d.end_location
    if rows:
        start, end = Location(start.row + rows, start.column), Location(end.row + rows, end.column)
    return Diagnostic(d.code, d.name, d.message, d.path, start, end, fix, noqa_row, spans)


def _moved_row(x: Location, row_from: int, rows: int) -> Location:
    return Location(x.row + rows, x.column) if x.row >= row_from else x


def _resolve(
    engine: Engine, reports: list, module: Any, node: Any, source: str, path: str, start: int, end: int, starts: list[int]
) -> Optional[list[Diagnostic]]:
    """``Engine._resolve`` for reports made while walking ``node`` (F, starting at offset ``start``):
    positions from ``node``'s code alone; ``None`` when a report points outside it."""
    if not reports:
        return []
    lines = SourceLines(source)
    targets = set()
    for r in reports:
        if r.node is None:
            return None
        targets.add(r.node)
        if r.fix is not None:
            for e in r.fix.edits:
                n = getattr(e, "node", None)
                if n is not None:
                    targets.add(n)
    offsets = statement_offsets(module, targets, node, start, source)
    if offsets is None:
        return None
    for t in targets - offsets.keys():
        # a fix's edit outside F: an import statement of the module's top level (an import added after it)
        at = next((j for j, stmt in enumerate(module.body) if any(small is t for small in getattr(stmt, "body", ()) if not callable(small))), None)
        if at is None or module.body[at] is node:
            return None
        found = statement_offsets(module, [t], module.body[at], starts[at], source)
        if not found or t not in found:
            return None
        offsets[t] = found[t]
    positions = Positions(offsets, lines)
    out: list[Diagnostic] = []
    for report in reports:  # as ``Engine._resolve`` does
        if report.node is None:
            return None  # (a row and column from the walk: the full lint places it)
        try:
            out.append(Engine.report_diagnostic(report, path, positions, lines))
        except Exception:
            return None  # the full lint reports it
    for d in out:
        if not (start <= lines.offset(d.location.row, d.location.column - 1) <= end):
            return None
    return out


def relayout(layout: Layout, old: str, new: str) -> Optional[Layout]:
    """The layout of ``new`` after an edit whose findings were reused (``incremental.reuse``: comments and
    blank lines only, the code tokens the same), when the edit lies in one top-level statement (its
    leading lines or its body: a comment inside a function): that statement is parsed again alone and
    spliced, as ``relint_function`` splices an edited function; ``None`` otherwise."""
    start, old_end, new_end = changed_span(old, new)
    offsets, rows, module = layout.offsets, layout.rows, layout.module
    i = bisect_right(offsets, start) - 1
    last = i + 1 == len(offsets)
    if i < 0 or (not last and old_end >= offsets[i + 1]):
        return None
    delta = new_end - old_end
    end = len(old) if last else offsets[i + 1]
    try:
        mini = parse_module(new[offsets[i]: end + delta])
    except ParseFailure:
        return None
    if len(mini.body) != 1 or (mini.footer and not last) or mini.default_indent != module.default_indent or mini.default_newline != module.default_newline:
        return None
    node = mini.body[0].with_changes(leading_lines=mini.header)
    if type(node) is not type(module.body[i]):
        return None
    body = list(module.body)
    body[i] = node
    spliced = module.with_changes(body=body)
    if last:
        spliced = spliced.with_changes(footer=mini.footer, has_trailing_newline=mini.has_trailing_newline)
    row_delta = new.count("\n", start, new_end) - old.count("\n", start, old_end)
    # (CPython's tree stays: the code is the same, line numbers after the edit lag; so do its stand-ins. The
    # words a rule requires may have come with a comment: ``absent`` is not handed on)
    return Layout(
        spliced, rows[: i + 1] + [r + row_delta for r in rows[i + 1:]], offsets[: i + 1] + [o + delta for o in offsets[i + 1:]],
        layout.tree, layout.firsts, stand_ins=layout.stand_ins,
    )
