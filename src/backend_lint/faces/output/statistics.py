"""``--statistics``: findings counted per rule."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from ...values import Diagnostic


def format_statistics(diagnostics: Sequence[Diagnostic]) -> str:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fixable)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    width = max((len(str(c)) for _, c in rows), default=1)
    out = []
    for (code, name), count in rows:
        mark = "[*]" if fixable.get(code) else "[ ]"
        out.append(f"{count:>{width}}\t{code}\t{mark} {name}")
    return "\n".join(out) + ("\n" if out else "")
