"""Applying fixes: pure edits on text (no I/O).

Edits of one pass must not overlap (an edit identical to one already taken is shared: two fixes that add
the same import add it once). A fixed text must still parse (``parses``).
"""

from __future__ import annotations

from typing import Iterable, Optional

from ..values import Applicability, Diagnostic, ResolvedEdit


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def apply_fixes(source: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, int]:
    """Apply the fixes of ``diagnostics`` that do not overlap each other; returns (source, fixes used)."""
    taken: list[ResolvedEdit] = []
    used = 0
    for d in sorted(diagnostics, key=lambda d: (d.fix.edits[0].start, d.fix.edits[0].end) if d.fix and d.fix.edits else (0, 0)):
        assert d.fix is not None
        edits = list(d.fix.edits)
        new = [e for e in edits if e not in taken]
        if any(_overlaps(e, t) for e in new for t in taken):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(new) for b in new[i + 1 :]):
            continue
        taken.extend(new)
        used += 1
    if not taken:
        return source, 0
    return apply_edits(source, taken), used


def _overlaps(a: ResolvedEdit, b: ResolvedEdit) -> bool:
    if a == b:
        return False
    # two insertions at the same point conflict (their order would be arbitrary)
    if a.start == a.end == b.start == b.end:
        return True
    return a.start < b.end and b.start < a.end or (a.start == a.end and b.start < a.start < b.end) or (
        b.start == b.end and a.start < b.start < a.end
    )


def apply_edits(source: str, edits: Iterable[ResolvedEdit]) -> str:
    out: list[str] = []
    last = 0
    for e in sorted(set(edits), key=lambda e: (e.start, e.end)):
        out.append(source[last : e.start])
        out.append(e.content)
        last = max(last, e.end)
    out.append(source[last:])
    return "".join(out)


def parses(source: str, before: Optional[str] = None) -> bool:
    """Whether ``source`` is valid Python. libcst must parse it; CPython's parser must too, unless it
    also refused ``before`` (the file uses syntax newer than the running interpreter)."""
    from .parsing import ParseFailure, ast_syntax_error, parse_module  # (9 ms: subprocess, then libcst)

    try:
        parse_module(source)
    except ParseFailure:
        return False
    if ast_syntax_error(source) is None:
        return True
    return before is not None and ast_syntax_error(before) is not None
