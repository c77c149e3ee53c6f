"""Reusing a file's findings across an edit that leaves its code unchanged (the server's fast path).

An edit that only touches comments or whitespace (a blank line, a re-indented continuation line, a typo
fixed in a comment) changes no statement's code: the findings of the previous lint are still right, at
shifted positions. ``reuse`` decides that and shifts them; anything else returns ``None`` and the caller
lints the file again.

The decision, in order (every check is cheap next to a lint):

1. the text changed in one span (the common prefix and suffix of the two texts);
2. the changed lines of either text say nothing of ``noqa`` / ``bkl`` (a suppression comment changes the
   findings) and the changed lines hold no finding and no fix edit of the previous lint (a finding's
   message, range or fix may quote the text it sits on);
3. the file's code tokens (``tokenize`` without comments, blank-line ``NL`` tokens and whitespace) are the
   same in both texts: the same statements, the same code.

Positions after the change move by what the change added (rows, and columns on the change's last line);
positions before it stay. ``noqa_row`` and fix edits (offsets) move the same way.
"""

from __future__ import annotations

import copy
import io
import re
import token
import tokenize
from bisect import bisect_right
from typing import Optional, Sequence

from ...values import Diagnostic, Fix, Location, ResolvedEdit

_SUPPRESSION_WORDS = re.compile(r"noqa|bkl", re.IGNORECASE)
_SKIPPED = frozenset({token.COMMENT, token.NL, tokenize.ENCODING})


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


def code_tokens(text: str) -> Optional[list[tuple[int, str]]]:
    """The file's code as ``(type, string)`` tokens: no comments, no blank-line tokens, no positions.
    ``None`` when the text does not tokenize (an unfinished edit: lint it)."""
    out: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in _SKIPPED:
                continue
            out.append((tok.type, tok.string if tok.type not in (token.NEWLINE, token.DEDENT, token.ENDMARKER) else ""))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return out


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
    old: str, new: str, diagnostics: Sequence[Diagnostic], old_tokens: Optional[list] = None
) -> Optional[tuple[list[Diagnostic], list]]:
    """The previous findings of ``old``, moved onto ``new``, when the edit changed no code (see the
    module's docstring); with ``new``'s code tokens (pass them back as ``old_tokens`` next time).
    ``None``: lint ``new``."""
    if old == new:
        return [copy.deepcopy(d) for d in diagnostics], old_tokens if old_tokens is not None else []
    start, old_end, new_end = changed_span(old, new)
    old_lines, new_lines = _Lines(old), _Lines(new)
    first_row = old_lines.row_of(start)
    last_old_row = old_lines.row_of(old_end)
    # the whole lines the change touches, in both texts
    old_chunk = old[old_lines.starts[first_row - 1]: _line_end(old, old_end)]
    new_chunk = new[new_lines.starts[first_row - 1]: _line_end(new, new_end)]
    if _SUPPRESSION_WORDS.search(old_chunk) or _SUPPRESSION_WORDS.search(new_chunk):
        return None
    for d in diagnostics:
        rows = [(d.location.row, d.end_location.row)]
        if d.noqa_row is not None:
            rows.append((d.noqa_row, d.noqa_row))
        rows.extend((a.row, b.row) for a, b in d.edit_locations)
        if d.fix is not None and not d.edit_locations:
            rows.extend((old_lines.row_of(e.start), old_lines.row_of(e.end)) for e in d.fix.edits)
        if any(lo <= last_old_row and first_row <= hi for lo, hi in rows):
            return None
    if old_tokens is None:
        old_tokens = code_tokens(old)
    if old_tokens is None:
        return None
    new_tokens = code_tokens(new)
    if new_tokens is None or new_tokens != old_tokens:
        return None
    delta = (new_end - old_end)

    def move_offset(offset: int) -> int:
        return offset + delta if offset >= old_end else offset

    def move(loc: Location) -> Location:
        return new_lines.location(move_offset(old_lines.offset(loc.row, loc.column)))

    def move_row(row: int) -> int:
        return new_lines.row_of(move_offset(old_lines.starts[min(row, len(old_lines.starts)) - 1]))

    out: list[Diagnostic] = []
    for d in diagnostics:
        moved = copy.copy(d)
        moved.location = move(d.location)
        moved.end_location = move(d.end_location)
        moved.noqa_row = move_row(d.noqa_row) if d.noqa_row is not None else None
        moved.edit_locations = [(move(a), move(b)) for a, b in d.edit_locations]
        if d.fix is not None:
            edits = tuple(
                ResolvedEdit(move_offset(e.start), move_offset(e.end), e.content) if isinstance(e, ResolvedEdit) else e
                for e in d.fix.edits
            )
            moved.fix = Fix(d.fix.message, edits, d.fix.applicability)
        out.append(moved)
    return out, new_tokens


def _line_end(text: str, offset: int) -> int:
    at = text.find("\n", offset)
    return len(text) if at == -1 else at
