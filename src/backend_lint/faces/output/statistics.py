"""``--statistics``: findings counted per rule (a table, or ruff's JSON list with ``--output-format json``).

A rule is marked ``[*]`` (JSON: ``"fixable": true``) only when one of its findings has a fix that ``--fix``
would apply: a safe one, or an unsafe one under ``--unsafe-fixes``; never for a file whose fixes could not
be written (``unwritable``).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Collection, Sequence

from ...values import Applicability, Diagnostic


def applicable(d: Diagnostic, unsafe_fixes: bool, unwritable: Collection[str] = ()) -> bool:
    """Would ``--fix`` (with ``unsafe_fixes``) apply this finding's fix?"""
    if d.fix is None or d.path in unwritable:
        return False
    return d.fix.applicability is Applicability.SAFE or (unsafe_fixes and d.fix.applicability is Applicability.UNSAFE)


def _rows(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool, unwritable: Collection[str]):
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if applicable(d, unsafe_fixes, unwritable))
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    return [(code, name, count, bool(fixable.get(code))) for (code, name), count in rows]


def format_statistics(
    diagnostics: Sequence[Diagnostic], unsafe_fixes: bool = False, unwritable: Collection[str] = ()
) -> str:
    rows = _rows(diagnostics, unsafe_fixes, unwritable)
    width = max((len(str(count)) for _, _, count, _ in rows), default=1)
    out = []
    for code, name, count, fixable in rows:
        mark = "[*]" if fixable else "[ ]"
        out.append(f"{count:>{width}}\t{code}\t{mark} {name}")
    return "\n".join(out) + ("\n" if out else "")


def format_statistics_json(
    diagnostics: Sequence[Diagnostic], unsafe_fixes: bool = False, unwritable: Collection[str] = ()
) -> str:
    """ruff's shape: ``[{"code", "name", "count", "fixable"}]``, the most frequent first."""
    rows = _rows(diagnostics, unsafe_fixes, unwritable)
    data = [{"code": code, "name": name, "count": count, "fixable": fixable} for code, name, count, fixable in rows]
    return json.dumps(data, indent=2) + "\n"
