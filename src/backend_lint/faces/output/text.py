"""The concise format (one line per finding, ruff's ``concise``) and the summary line under every text format."""

from __future__ import annotations

from typing import Collection, Sequence

from ...values import Applicability, Diagnostic
from .paths import display_path


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


def header_line(d: Diagnostic, s: Style, unsafe_fixes: bool) -> str:
    """``path:row:col: CODE [*] message``: the concise format's line, the full format's header."""
    marker = ""
    if d.fix is not None and (
        d.fix.applicability is Applicability.SAFE or (unsafe_fixes and d.fix.applicability is Applicability.UNSAFE)
    ):
        marker = " " + s("[*]", "36")
    return (
        f"{s(display_path(d.path), '1')}{s(':', '36')}{d.row}{s(':', '36')}{d.column}{s(':', '36')} "
        f"{s(d.code, '1;31')}{marker} {d.message}"
    )


def format_text(
    diagnostics: Sequence[Diagnostic],
    color: bool = False,
    show_fixes: bool = False,
    unsafe_fixes: bool = False,
) -> str:
    """The concise format: one line per finding (with ``--show-fixes``, the fix's title below it)."""
    s = Style(color)
    lines: list[str] = []
    for d in diagnostics:
        lines.append(header_line(d, s, unsafe_fixes))
        if show_fixes and d.fix is not None:
            lines.append(f"  = help: {d.fix.message} ({d.fix.applicability.value})")
    return "\n".join(lines) + ("\n" if lines else "")


def summary_line(
    diagnostics: Sequence[Diagnostic],
    fixed: int,
    unsafe_fixes: bool,
    fix_mode: bool,
    unwritable: Collection[str] = (),
) -> str:
    """ruff's summary: ``Found N errors.`` and what ``--fix`` (or ``--unsafe-fixes``) would still do. Findings
    in ``unwritable`` files (``--fix`` could not write them) are never called fixable."""
    parts = []
    n = len(diagnostics)
    if fix_mode and fixed:
        parts.append(f"Found {n + fixed} error{'s' if n + fixed != 1 else ''} ({fixed} fixed, {n} remaining).")
    elif n:
        parts.append(f"Found {n} error{'s' if n != 1 else ''}.")
    else:
        parts.append("All checks passed!")
    writable = [d for d in diagnostics if d.path not in unwritable]
    safe = sum(1 for d in writable if d.fix is not None and d.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for d in writable if d.fix is not None and d.fix.applicability is Applicability.UNSAFE)
    if safe or (unsafe and unsafe_fixes):
        count = safe + (unsafe if unsafe_fixes else 0)
        parts.append(f"[*] {count} fixable with the `--fix` option.")
        if unsafe and not unsafe_fixes:
            parts[-1] = parts[-1][:-1] + f" ({unsafe} hidden fix{'es' if unsafe != 1 else ''} can be enabled with the `--unsafe-fixes` option)."
    elif unsafe:
        parts.append(f"No fixes available ({unsafe} hidden fix{'es' if unsafe != 1 else ''} can be enabled with the `--unsafe-fixes` option).")
    return "\n".join(parts)
