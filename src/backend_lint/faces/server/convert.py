"""Engine values <-> protocol positions: rows and 1-based character columns <-> LSP's 0-based lines and
columns counted in the negotiated encoding (UTF-16 code units unless the client offers another)."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Optional

from .incremental import changed_span


class Lines:
    """A text's lines, for position conversions in one encoding (``utf-16``, ``utf-32`` or ``utf-8``)."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.lines = text.split("\n")
        self.encoding = encoding
        self.starts = [0, *accumulate(len(line) + 1 for line in self.lines[:-1])]

    def _units(self, s: str) -> int:
        if self.encoding == "utf-32" or s.isascii():
            return len(s)
        if self.encoding == "utf-8":
            return len(s.encode("utf-8", "surrogatepass"))
        return len(s.encode("utf-16-le", "surrogatepass")) // 2

    def to_client(self, row: int, column: int) -> tuple[int, int]:
        """1-based row, 1-based character column -> 0-based line, column in the client's units."""
        line = max(row - 1, 0)
        if line >= len(self.lines):
            return len(self.lines) - 1, self._units(self.lines[-1])
        text = self.lines[line]
        return line, self._units(text[: max(column - 1, 0)])

    def offset_to_client(self, offset: int) -> tuple[int, int]:
        """A character offset into the text -> 0-based line, column in the client's units."""
        line = bisect_right(self.starts, offset) - 1
        return line, self._units(self.lines[line][: offset - self.starts[line]])

    def from_client(self, line: int, units: int) -> tuple[int, int]:
        """0-based line, column in the client's units -> 1-based row, 1-based character column."""
        if line >= len(self.lines):
            return len(self.lines), len(self.lines[-1]) + 1
        text = self.lines[line]
        if self.encoding == "utf-32" or text.isascii():
            return line + 1, min(units, len(text)) + 1
        count = 0
        for i, ch in enumerate(text):
            if count >= units:
                return line + 1, i + 1
            count += self._units(ch)
        return line + 1, len(text) + 1


def minimal_edit(old: str, new: str) -> Optional[tuple[int, int, str]]:
    """``(start, end, content)`` in ``old``'s character offsets: the one span that turns ``old`` into
    ``new`` (``None`` when they are equal). One small edit keeps the editor's cursor and undo history sane."""
    if old == new:
        return None
    start, old_end, new_end = changed_span(old, new)
    return start, old_end, new[start:new_end]
