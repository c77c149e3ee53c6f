"""flake8-compatible ``# noqa`` comments, read from tokens (a string holding "# noqa" is not a comment).

- ``# noqa`` suppresses every finding on its line;
- ``# noqa: BKL401,BKL402`` (also ``# noqa:BKL401 BKL402``) suppresses those codes (a prefix such as ``BKL4``
  works too, as in flake8);
- ``# backend-lint: noqa`` anywhere in a file skips the file; ``# backend-lint: noqa: BKL301`` ignores
  those codes in the whole file.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Iterable, Optional

# flake8's own pattern (flake8/defaults.py), so both tools read the same comments the same way.
NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
NOQA_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
FILE_NOQA = re.compile(r"#\s*backend-lint\s*:\s*noqa(?::\s?(?P<codes>[A-Z0-9,\s]+))?", re.IGNORECASE)


@dataclass
class NoqaComment:
    row: int
    col: int  # 0-based column of the comment's ``#``
    text: str  # the whole comment token
    codes: Optional[list[str]]  # None for a blanket ``# noqa``
    span: tuple[int, int] = (0, 0)  # offsets of the codes list inside ``text``, for BKL901 fixes
    used: set = field(default_factory=set)


@dataclass
class Suppressions:
    by_row: dict[int, NoqaComment] = field(default_factory=dict)
    file_exempt: bool = False
    file_codes: list[str] = field(default_factory=list)
    # (start_row, end_row) of multi-line strings: a finding inside one is suppressed on its last line
    multiline_strings: list[tuple[int, int]] = field(default_factory=list)
    strings_read: bool = False  # whether ``multiline_strings`` was read (from the file's tokens)

    def noqa_row(self, row: int) -> int:
        """Where a ``# noqa`` for ``row`` goes: after every multi-line string around it, also one that starts
        on the line where another ends (two triple-quoted arguments of one call), so never inside a string."""
        while True:
            end = max((e for s, e in self.multiline_strings if s <= row <= e), default=row)
            if end == row:
                return row
            row = end

    def is_suppressed(self, code: str, row: int) -> bool:
        if any(code.startswith(c) for c in self.file_codes):
            return True
        comment = self.by_row.get(self.noqa_row(row))
        if comment is None:
            return False
        if comment.codes is None:
            comment.used.add(code)
            return True
        for c in comment.codes:
            if code.startswith(c):
                comment.used.add(c)
                return True
        return False


def parse_suppressions(source: str, strings_only: bool = False) -> Suppressions:
    """The file's ``# noqa`` comments and multi-line strings, from its tokens (``strings_only``: the strings
    even when the file has no ``noqa``)."""
    result = Suppressions()
    lowered = source.lower()
    if "noqa" not in lowered and not strings_only:
        return result
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        result.strings_read = True
    except (tokenize.TokenError, SyntaxError, IndentationError):
        tokens = _comment_tokens_fallback(source)
    result.multiline_strings.extend(_string_spans(tokens, 0))
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            _read_comment(result, tok.start[0], tok.start[1], tok.string)
    return result


def _read_comment(result: Suppressions, row: int, col: int, text: str) -> None:
    file_match = FILE_NOQA.search(text)
    if file_match:
        codes = file_match.group("codes")
        if codes:
            result.file_codes.extend(c.upper() for c in NOQA_CODE.findall(codes))
        else:
            result.file_exempt = True
        return
    m = NOQA_INLINE.search(text)
    if not m:
        return
    codes_text = m.group("codes")
    if codes_text:
        codes = [c.upper() for c in NOQA_CODE.findall(codes_text)]
        result.by_row[row] = NoqaComment(row, col, text, codes, (m.start("codes"), m.end()))
    else:
        result.by_row[row] = NoqaComment(row, col, text, None)


def read_suppressions(source: str, tree: Optional[ast.Module]) -> Suppressions:
    """``parse_suppressions``' comments without tokenizing the whole file: CPython's ``tree`` tells which
    statement (or run of lines between statements) holds each line that spells ``noqa``, and only those
    are tokenized, each from the start of its line (a statement starts outside any string or bracket).
    The multi-line strings are left unread (``multiline_strings_at`` reads those around findings). Any
    doubt (no tree, lone ``\\r`` line ends, a piece that does not tokenize) reads the whole file."""
    lowered = source.lower()
    if "noqa" not in lowered:
        return Suppressions()
    if tree is None or "\r" in source.replace("\r\n", ""):
        return parse_suppressions(source)
    rows = [i for i, line in enumerate(lowered.split("\n"), start=1) if "noqa" in line]
    lines = source.split("\n")
    pieces: dict[tuple[int, int], None] = {}
    for row in rows:
        piece = _piece(tree, row, lines)
        if piece is None:
            return parse_suppressions(source)
        pieces[piece] = None
    result = Suppressions()
    wanted = set(rows)
    for lo, hi in pieces:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines[lo - 1:hi]) + "\n").readline))
        except (tokenize.TokenError, SyntaxError, IndentationError):
            return parse_suppressions(source)
        for tok in tokens:
            row = tok.start[0] + lo - 1
            if tok.type == tokenize.COMMENT and row in wanted:
                _read_comment(result, row, tok.start[1], tok.string)
    return result


def _first_row(stmt: ast.stmt) -> int:
    return min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])


def _blocks(stmt: ast.stmt) -> list[ast.stmt]:
    """The statements nested in ``stmt``'s blocks, in source order."""
    out: list[ast.stmt] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(stmt, name, None)
        if isinstance(value, list):
            out.extend(s for s in value if isinstance(s, ast.stmt))
    for handler in getattr(stmt, "handlers", ()):
        out.extend(handler.body)
    for case in getattr(stmt, "cases", ()):
        out.extend(case.body)
    out.sort(key=_first_row)
    return out


def _starts_line(stmt: ast.stmt, lines: list[str]) -> bool:
    """Nothing comes before ``stmt`` on its first line (not the end of a string or of another statement)."""
    line = lines[_first_row(stmt) - 1]
    body = line.lstrip(" \t\f")
    if getattr(stmt, "decorator_list", None):
        return body.startswith("@")
    return stmt.col_offset == len(line) - len(body)


def _piece(tree: ast.Module, row: int, lines: list[str]) -> Optional[tuple[int, int]]:
    """The rows to tokenize for ``row``: the innermost simple statement holding it, or else the run of rows
    between the statements of the innermost block (a compound statement's header or ``else:`` line,
    comments, blank lines). ``None`` when that piece would start after something else on its first line
    (a statement after the closing quotes of a triple-quoted string and a semicolon: tokenizing from the
    line's start would open a string there)."""
    statements: list[ast.stmt] = tree.body
    low, high = 1, len(lines)
    owner: Optional[ast.stmt] = None
    while True:
        parent = owner
        before, after, owner = low - 1, high + 1, None
        for stmt in statements:
            first, end = _first_row(stmt), stmt.end_lineno or stmt.lineno
            if end < row:
                before = max(before, end)
            elif first > row:
                after = min(after, first)
                break
            else:
                owner = stmt
                break
        if owner is None:
            if parent is not None and before + 1 == low and not _starts_line(parent, lines):
                return None
            return before + 1, after - 1
        inner = _blocks(owner)
        if not inner:
            return (_first_row(owner), owner.end_lineno or owner.lineno) if _starts_line(owner, lines) else None
        statements, low, high = inner, _first_row(owner), owner.end_lineno or owner.lineno


def _comment_tokens_fallback(source: str) -> list:
    """When the file does not tokenize, read ``#`` comments line by line (best effort)."""
    out = []
    for row, line in enumerate(source.splitlines(), start=1):
        idx = line.find("#")
        if idx >= 0:
            out.append(tokenize.TokenInfo(tokenize.COMMENT, line[idx:], (row, idx), (row, len(line)), line))
    return out


_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+: f-strings are several tokens
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def _string_spans(tokens: Iterable[tokenize.TokenInfo], offset: int) -> list[tuple[int, int]]:
    """(first row, last row) + ``offset`` of the string tokens that span lines (an f-string whole)."""
    out: list[tuple[int, int]] = []
    opened: list[int] = []  # rows of the f-strings open around the current token
    for tok in tokens:
        kind = tok.type
        if kind == tokenize.STRING and not opened:
            if tok.start[0] != tok.end[0]:
                out.append((tok.start[0] + offset, tok.end[0] + offset))
        elif kind == _FSTRING_START:
            opened.append(tok.start[0])
        elif kind == _FSTRING_END and opened:
            first = opened.pop()
            if not opened and first != tok.end[0]:
                out.append((first + offset, tok.end[0] + offset))
    return out


def multiline_strings_at(source: str, tree: Optional[ast.Module], rows: Iterable[int]) -> Optional[list[tuple[int, int]]]:
    """The multi-line string tokens (as ``tokenize`` reads them) around any of ``rows``, without tokenizing
    the file: the string literals of CPython's ``tree`` whose lines hold one of the rows (only the nodes
    around those rows are visited) are tokenized from their own text. Implicitly concatenated literals are
    one ``ast`` node but several tokens, hence the tokenizing. ``None`` when that fails (the caller then
    tokenizes the file)."""
    found = _strings_following(source, tree, rows)
    return found if found is not None else parse_suppressions(source, strings_only=True).multiline_strings


def _strings_following(source: str, tree: Optional[ast.Module], rows: Iterable[int]) -> Optional[list[tuple[int, int]]]:
    asked: set[int] = set()
    found: set[tuple[int, int]] = set()
    todo = set(rows)
    while todo:  # (and the strings around the rows where those end: ``noqa_row`` follows them)
        asked |= todo
        spans = _strings_around(source, tree, todo)
        if spans is None:
            return None
        found.update(spans)
        todo = {e for _, e in spans} - asked
    return sorted(found)


def _strings_around(source: str, tree: Optional[ast.Module], rows: Iterable[int]) -> Optional[list[tuple[int, int]]]:
    wanted = sorted(set(rows))
    if not wanted:
        return []
    if tree is None or "\r" in source.replace("\r\n", ""):  # (lone CRs: ``ast`` and ``split`` count lines apart)
        return None
    def holds(lo: int, hi: int) -> bool:
        i = bisect.bisect_left(wanted, lo)
        return i < len(wanted) and wanted[i] <= hi

    lines: Optional[list[str]] = None
    out: list[tuple[int, int]] = []
    stack: list[ast.AST] = [tree]
    while stack:
        for child in ast.iter_child_nodes(stack.pop()):
            lo = getattr(child, "lineno", None)
            hi = getattr(child, "end_lineno", None)
            if lo is None or hi is None:  # (``arguments``, ``comprehension``...: no position of their own)
                stack.append(child)
                continue
            for decorator in getattr(child, "decorator_list", ()):
                lo = min(lo, decorator.lineno)
            if not holds(lo, hi):
                continue
            if isinstance(child, ast.JoinedStr) or (isinstance(child, ast.Constant) and isinstance(child.value, (str, bytes))):
                if hi > lo:
                    if lines is None:
                        lines = source.split("\n")
                    try:
                        first = lines[lo - 1].encode("utf-8")[child.col_offset:].decode("utf-8")
                        last = lines[hi - 1].encode("utf-8")[: child.end_col_offset].decode("utf-8")
                        text = "(" + "\n".join([first, *lines[lo:hi - 1], last]) + ")\n"
                        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
                    except (tokenize.TokenError, SyntaxError, UnicodeError, IndexError, ValueError):
                        return None
                    out.extend(_string_spans(tokens, lo - 1))
                continue
            stack.append(child)
    return out
