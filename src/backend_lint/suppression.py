"""flake8-compatible ``# noqa`` comments, read from tokens (a string holding "# noqa" is not a comment).

- ``# noqa`` suppresses every finding on its line;
- ``# noqa: BKL401,BKL402`` (also ``# noqa:BKL401 BKL402``) suppresses those codes (a prefix such as ``BKL4``
  works too, as in flake8);
- ``# backend-lint: noqa`` anywhere in a file skips the file; ``# backend-lint: noqa: BKL301`` ignores
  those codes in the whole file.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Optional

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

    def noqa_row(self, row: int) -> int:
        for start, end in self.multiline_strings:
            if start <= row <= end:
                return end
        return row

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


def parse_suppressions(source: str) -> Suppressions:
    result = Suppressions()
    lowered = source.lower()
    if "noqa" not in lowered:
        return result
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        tokens = _comment_tokens_fallback(source)
    for tok in tokens:
        if tok.type == tokenize.STRING and tok.start[0] != tok.end[0]:
            result.multiline_strings.append((tok.start[0], tok.end[0]))
            continue
        if tok.type != tokenize.COMMENT:
            continue
        text = tok.string
        file_match = FILE_NOQA.search(text)
        if file_match:
            codes = file_match.group("codes")
            if codes:
                result.file_codes.extend(c.upper() for c in NOQA_CODE.findall(codes))
            else:
                result.file_exempt = True
            continue
        m = NOQA_INLINE.search(text)
        if not m:
            continue
        codes_text = m.group("codes")
        if codes_text:
            tail_start = m.start("codes")
            codes = [c.upper() for c in NOQA_CODE.findall(codes_text)]
            result.by_row[tok.start[0]] = NoqaComment(
                tok.start[0], tok.start[1], text, codes, (tail_start, m.end())
            )
        else:
            result.by_row[tok.start[0]] = NoqaComment(tok.start[0], tok.start[1], text, None)
    return result


def _comment_tokens_fallback(source: str) -> list:
    """When the file does not tokenize, read ``#`` comments line by line (best effort)."""
    out = []
    for row, line in enumerate(source.splitlines(), start=1):
        idx = line.find("#")
        if idx >= 0:
            out.append(tokenize.TokenInfo(tokenize.COMMENT, line[idx:], (row, idx), (row, len(line)), line))
    return out
