"""Reusing a file's findings across an edit that leaves its code unchanged (the server's fast path).

An edit that only touches comments or whitespace (a blank line, a re-indented continuation line, a typo
fixed in a comment) changes no statement's code: the findings of the previous lint are still right, at
shifted positions. ``reuse`` decides that and shifts them; anything else returns ``None`` and the caller
lints the file again.

The decision (each step is cheap next to a lint; the findings of step 2 are read last, so that a code
edit is told apart at once):

1. the text changed in one span (the common prefix and suffix of the two texts);
2. the previous findings hold no syntax error (BKL900: its message quotes a line number), the changed
   lines of either text say nothing of ``noqa`` / ``bkl`` (a suppression comment changes the
   findings), and the change touches no finding's range, and no fix edit's range of the previous lint
   (a message or a fix may quote the text it covers, comments included);
3. the span lies in one gap between two code tokens of the old text (``CodeTokens``: tokenized once per
   full lint, then moved along with the findings), and the gap stays a gap: only blanks, comments and
   line breaks, the same indentation before the next token when it starts a line, and no line break
   added or removed outside brackets except between two logical lines. The code token stream is then
   the same.

Positions after the change move by what the change added; positions before it stay. ``noqa_row`` and fix
edits (offsets) move the same way.
"""

from __future__ import annotations

import io
import re
import token
import tokenize
from bisect import bisect_left, bisect_right
from typing import Optional, Sequence

from ...values import Diagnostic, Fix, Location, ResolvedEdit

_SYNTAX_ERROR = "BKL900"
_SUPPRESSION_WORDS = re.compile(r"noqa|bkl", re.IGNORECASE)


def changed_span(old: str, new: str) -> tuple[int, int, int]:
    """``(start, old_end, new_end)``: ``old[start:old_end]`` became ``new[start:new_end]``, the rest is
    shared. Prefix and suffix are found by bisection on slice comparisons (done in C)."""
    limit = min(len(old), len(new))
    lo, hi = 0, limit
    while lo < hi:  # the longest common prefix
        mid = (lo + hi + 1) // 2
        if old[:mid] == new[:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, limit - prefix
    while lo < hi:  # the longest common suffix that does not overlap the prefix
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid:] == new[len(new) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return prefix, len(old) - lo, len(new) - lo


_CODE_SKIPPED = frozenset({token.COMMENT, token.NL, token.INDENT, token.DEDENT, token.ENDMARKER, tokenize.ENCODING})
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
_GAP_LINE = re.compile(r"[ \t\f]*(?:#[^\r\n]*)?\r?")
_BLANKS = re.compile(r"[ \t\f]*")


class CodeTokens:
    """The code tokens of a text (no comments, blank-line ``NL``, ``INDENT`` / ``DEDENT``), as character
    offsets, each with the bracket depth after it."""

    __slots__ = ("starts", "ends", "depths", "kinds")

    def __init__(self, starts: list[int], ends: list[int], depths: list[int], kinds: list[int]) -> None:
        self.starts, self.ends, self.depths, self.kinds = starts, ends, depths, kinds

    @classmethod
    def of(cls, text: str) -> Optional["CodeTokens"]:
        """``None`` when the text does not tokenize (an unfinished edit: lint it)."""
        line_starts = _Lines(text).starts
        starts: list[int] = []
        ends: list[int] = []
        depths: list[int] = []
        kinds: list[int] = []
        depth = 0
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.type in _CODE_SKIPPED:
                    continue
                if tok.type == token.OP:
                    if tok.string in _OPEN:
                        depth += 1
                    elif tok.string in _CLOSE:
                        depth -= 1
                (r1, c1), (r2, c2) = tok.start, tok.end
                starts.append(line_starts[r1 - 1] + c1 if r1 <= len(line_starts) else len(text))
                ends.append(line_starts[r2 - 1] + c2 if r2 <= len(line_starts) else len(text))
                depths.append(depth)
                kinds.append(tok.type)
        except (tokenize.TokenError, SyntaxError):
            return None
        return cls(starts, ends, depths, kinds)

    def moved(self, after: int, delta: int) -> "CodeTokens":
        """The same tokens after an edit at ``after`` that added ``delta`` characters (in a gap)."""
        i = bisect_left(self.starts, after)
        starts = self.starts[:i] + [x + delta for x in self.starts[i:]]
        ends = self.ends[:i] + [x + delta for x in self.ends[i:]]
        return CodeTokens(starts, ends, self.depths, self.kinds)

    def spliced(self, start: int, end: int, delta: int, part: "CodeTokens") -> "CodeTokens":
        """The tokens of a text where the top-level statement ``[start, end)`` (starting a line, outside
        brackets) was replaced by one whose own tokens are ``part`` (tokenized alone) and ``delta``
        characters longer: a top-level statement tokenizes the same alone as in its file."""
        i, j = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return CodeTokens(
            self.starts[:i] + [x + start for x in part.starts] + [x + delta for x in self.starts[j:]],
            self.ends[:i] + [x + start for x in part.ends] + [x + delta for x in self.ends[j:]],
            self.depths[:i] + part.depths + self.depths[j:],
            self.kinds[:i] + part.kinds + self.kinds[j:],
        )

    def gap_around(self, start: int, end: int) -> Optional[tuple[int, int, int]]:
        """``(index of the token before, gap start, gap end)`` when ``[start, end)`` touches no code token;
        the index is -1 when the gap opens the file."""
        i = bisect_right(self.ends, start) - 1  # the last token that ends at or before ``start``
        gap_start = self.ends[i] if i >= 0 else 0
        nxt = i + 1
        gap_end = self.starts[nxt] if nxt < len(self.starts) else None
        if gap_end is None or end > gap_end:
            if gap_end is not None:
                return None
            return i, gap_start, -1
        if gap_start > start:
            return None
        return i, gap_start, gap_end


def code_tokens(text: str) -> Optional[list[tuple[int, str]]]:
    """The file's code as ``(type, string)`` tokens, positions left out (for tests and checks)."""
    found = CodeTokens.of(text)
    if found is None:
        return None
    return [(k, text[a:b] if k != token.NEWLINE else "") for k, a, b in zip(found.kinds, found.starts, found.ends)]


def _gap_ok(old_gap: str, new_gap: str, depth: int, after_newline: bool, before_newline: bool) -> bool:
    """Whether replacing the gap ``old_gap`` (between two code tokens) with ``new_gap`` keeps the tokens."""
    if "\\" in old_gap or "\\" in new_gap:
        return False  # line continuations: lint
    new_lines = new_gap.split("\n")
    last = new_lines[-1]
    for line in new_lines[:-1]:
        if _GAP_LINE.fullmatch(line) is None:
            return False
    if before_newline:  # the gap ends the line: a comment may close it
        if _GAP_LINE.fullmatch(last) is None:
            return False
    elif _BLANKS.fullmatch(last) is None:
        return False  # the next token follows on this line: no comment may hide it
    if depth > 0 or before_newline:
        return True  # inside brackets, or before a line's end: line breaks only add blank lines
    if after_newline:  # between two logical lines: blank and comment lines come and go, indentation stays
        return old_gap.rsplit("\n", 1)[-1] == last
    old_breaks, new_breaks = old_gap.count("\n"), new_gap.count("\n")
    return old_breaks == new_breaks == 0


class _Lines:
    """Offsets of line starts, for ``(row, 1-based column)`` <-> character offset."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self.starts = starts
        self.length = len(text)

    def offset(self, row: int, column: int) -> int:
        if row - 1 >= len(self.starts):
            return self.length
        return min(self.starts[max(row, 1) - 1] + column - 1, self.length)

    def location(self, offset: int) -> Location:
        row = bisect_right(self.starts, offset)
        return Location(row, offset - self.starts[row - 1] + 1)

    def row_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)


def reuse(
    old: str, new: str, diagnostics: Sequence[Diagnostic], old_tokens: Optional[CodeTokens] = None
) -> Optional[tuple[list[Diagnostic], CodeTokens]]:
    """The previous findings of ``old``, moved onto ``new``, when the edit changed no code (see the
    module's docstring); with ``new``'s code tokens (pass them back as ``old_tokens`` next time).
    ``None``: lint ``new``."""
    if old_tokens is None:
        old_tokens = CodeTokens.of(old)
        if old_tokens is None:
            return None
    if old == new:
        return list(diagnostics), old_tokens
    if any(d.code == _SYNTAX_ERROR for d in diagnostics):
        return None  # a syntax error's message quotes the parser's line and column: lint
    start, old_end, new_end = changed_span(old, new)
    line_start = old.rfind("\n", 0, start) + 1
    old_chunk = old[line_start: _line_end(old, old_end)]
    new_chunk = new[line_start: _line_end(new, new_end)]
    if _SUPPRESSION_WORDS.search(old_chunk) or _SUPPRESSION_WORDS.search(new_chunk):
        return None
    # (the code tokens first: a code edit is told apart without reading every finding)
    gap = old_tokens.gap_around(start, old_end)
    if gap is None:
        return None
    before, gap_start, gap_end = gap
    delta = new_end - old_end
    old_gap = old[gap_start: gap_end if gap_end >= 0 else len(old)]
    new_gap = new[gap_start: gap_end + delta if gap_end >= 0 else len(new)]
    depth = old_tokens.depths[before] if before >= 0 else 0
    after_newline = before < 0 or old_tokens.kinds[before] == token.NEWLINE
    before_newline = gap_end < 0 or old_tokens.kinds[before + 1] == token.NEWLINE
    if not _gap_ok(old_gap, new_gap, depth, after_newline, before_newline):
        return None
    old_lines = _Lines(old)
    for d in diagnostics:  # the change must not touch what a finding covers or its fix rewrites
        spans = [(old_lines.offset(d.location.row, d.location.column), old_lines.offset(d.end_location.row, d.end_location.column))]
        if d.fix is not None:
            spans.extend((e.start, e.end) for e in d.fix.edits if isinstance(e, ResolvedEdit))
        if any(lo <= old_end and start <= hi for lo, hi in spans):
            return None
    # Positions at or after the change's end move: rows by the line breaks it added, columns only on the
    # change's last line; positions before it (no finding or edit lies inside it) stay.
    end_row = old_lines.row_of(old_end)
    end_row_start = old_lines.starts[end_row - 1]
    row_delta = new.count("\n", start, new_end) - old.count("\n", start, old_end)
    new_end_row_start = new.rfind("\n", 0, new_end) + 1
    end_col = old_end - end_row_start + 1  # 1-based column of the change's end on its row

    def move(loc: Location) -> Location:
        if loc.row < end_row or loc.row == end_row and loc.column < end_col:
            return loc
        if loc.row > end_row:
            return Location(loc.row + row_delta, loc.column)
        return Location(loc.row + row_delta, end_row_start + loc.column - 1 + delta - new_end_row_start + 1)

    def move_row(row: int) -> int:  # (a ``noqa`` row is where its line ends: after the change on ``end_row``)
        return row + row_delta if row >= end_row else row

    out: list[Diagnostic] = []
    for d in diagnostics:
        if d.end_location.row < end_row and (d.noqa_row is None or d.noqa_row < end_row) and all(
            b.row < end_row for _, b in d.edit_locations
        ) and not (d.fix is not None and any(isinstance(e, ResolvedEdit) and e.end >= old_end for e in d.fix.edits)):
            out.append(d)  # wholly before the change: the same finding
            continue
        fix = d.fix
        if fix is not None:
            fix = Fix(
                fix.message,
                tuple(
                    ResolvedEdit(e.start + delta if e.start >= old_end else e.start, e.end + delta if e.end >= old_end else e.end, e.content)
                    if isinstance(e, ResolvedEdit) else e
                    for e in fix.edits
                ),
                fix.applicability,
            )
        out.append(
            Diagnostic(
                d.code, d.name, d.message, d.path, move(d.location), move(d.end_location), fix,
                move_row(d.noqa_row) if d.noqa_row is not None else None,
                [(move(a), move(b)) for a, b in d.edit_locations],
            )
        )
    return out, old_tokens.moved(old_end, delta)


def _line_end(text: str, offset: int) -> int:
    at = text.find("\n", offset)
    return len(text) if at == -1 else at
