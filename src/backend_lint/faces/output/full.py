"""The full format (ruff's default): each finding with its source lines, the span underlined, and the fix's
title as ``help:``.

```
app/models.py:12:16: BKL302 [*] `datetime.utcnow()` returns a naive datetime
   |
11 | class Item(SQLModel, table=True):
12 |     created = datetime.utcnow()
   |               ^^^^^^^^^^^^^^^^^ BKL302
   |
   = help: Use `datetime.now(timezone.utc)`

```

The sources come from ``sources`` (path -> text; standard input's text is handed in) or are read from disk
(after ``--fix`` the file on disk is the one the findings point into). A finding whose lines cannot be read
(a missing path, an undecodable file) is shown as its header line only.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from ...ground.io import SourceReadError, read_source
from ...values import Applicability, Diagnostic
from .text import Style, header_line

CONTEXT = 2  # lines shown before and after the span, as ruff does
MAX_SPAN_LINES = 8  # a longer span shows its first and last lines around a `...`


def format_full(
    diagnostics: Sequence[Diagnostic],
    color: bool = False,
    unsafe_fixes: bool = False,
    sources: Optional[dict[str, str]] = None,
) -> str:
    s = Style(color)
    lines_of = _source_reader(sources or {})
    blocks: list[str] = []
    for d in diagnostics:
        block = [header_line(d, s, unsafe_fixes)]
        src_lines = lines_of(d.path)
        if src_lines is not None and 1 <= d.row <= max(len(src_lines), 1):
            block.extend(_frame(d, src_lines, s))
        elif d.fix is not None and d.fix.message:
            block.append(f"  = {s('help', '1;36')}: {d.fix.message}")
        blocks.append("\n".join(block) + "\n")
    return "\n".join(blocks) + ("\n" if blocks else "")


def _source_reader(sources: dict[str, str]) -> Callable[[str], Optional[list[str]]]:
    memo: dict[str, Optional[list[str]]] = {}

    def lines_of(path: str) -> Optional[list[str]]:
        if path not in memo:
            text = sources.get(path)
            if text is None and path != "-":
                try:
                    text = read_source(path).text
                except (SourceReadError, OSError, ValueError):
                    text = None
            memo[path] = text.splitlines() if text is not None else None
        return memo[path]

    return lines_of


def _expand(line: str) -> str:
    return line.expandtabs(4)


def _width(prefix: str) -> int:
    return len(prefix.expandtabs(4))


def _frame(d: Diagnostic, src: list[str], s: Style) -> list[str]:
    if not src:
        src = [""]
    first = d.row
    last = min(max(d.end_location.row, first), len(src))
    if d.end_location.row > first and d.end_location.column == 1 and last > first:
        last -= 1  # a span that ends at the start of a line does not cover it
    lo = max(1, first - CONTEXT)
    hi = min(len(src), last + CONTEXT)
    while lo < first and not src[lo - 1].strip():
        lo += 1
    while hi > last and not src[hi - 1].strip():
        hi -= 1
    gutter = len(str(hi))
    bar = s("|", "1;34")
    blank = " " * gutter

    def numbered(n: int, mark: str = "") -> str:
        text = _expand(src[n - 1])
        return f"{s(str(n).rjust(gutter), '1;34')} {bar} {mark}{text}".rstrip()

    out = [f"{blank} {bar}"]
    label = s(d.code, "1;31")
    if last == first:
        for n in range(lo, first):
            out.append(numbered(n))
        out.append(numbered(first))
        line = src[first - 1]
        start = _width(line[: max(d.column - 1, 0)])
        end_col = d.end_location.column if d.end_location.row == first else len(line) + 1
        end = _width(line[: max(end_col - 1, 0)])
        carets = "^" * max(end - start, 1)
        out.append(f"{blank} {bar} {' ' * start}{s(carets, '1;31')} {label}")
        for n in range(first + 1, hi + 1):
            out.append(numbered(n))
    else:
        # ruff's multi-line marker: `/` opens the span, `|` runs down it, `|___^` closes it
        for n in range(lo, first):
            out.append(numbered(n, "  "))
        span = list(range(first, last + 1))
        if len(span) > MAX_SPAN_LINES:
            span = span[: MAX_SPAN_LINES // 2] + [0] + span[-(MAX_SPAN_LINES // 2 - 1):]
        for n in span:
            if n == 0:
                out.append(f"{blank} {bar} {s('|', '1;31')} ...")
            else:
                out.append(numbered(n, s("/" if n == first else "|", "1;31") + " "))
        end_line = src[last - 1]
        end_col = d.end_location.column if d.end_location.row == last else len(end_line) + 1
        end = max(_width(end_line[: max(end_col - 1, 0)]), 1)
        out.append(f"{blank} {bar} {s('|' + '_' * end + '^', '1;31')} {label}")
        for n in range(last + 1, hi + 1):
            out.append(numbered(n, "  "))
    out.append(f"{blank} {bar}")
    if d.fix is not None and d.fix.message:
        note = ""
        if d.fix.applicability is Applicability.UNSAFE:
            note = " (unsafe fix)"
        elif d.fix.applicability is Applicability.DISPLAY_ONLY:
            note = " (display-only)"
        out.append(f"{blank} = {s('help', '1;36')}: {d.fix.message}{note}")
    return out
