"""GitHub Actions workflow annotations."""

from __future__ import annotations

from typing import Sequence

from ...values import Diagnostic
from .paths import display_path


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    out = []
    for d in diagnostics:
        f = _gh_escape(display_path(d.path), prop=True)
        out.append(
            f"::error title={_gh_escape('backend-lint (' + d.code + ')', prop=True)},file={f},line={d.row},col={d.column},"
            f"endLine={d.end_location.row},endColumn={d.end_location.column}::"
            f"{_gh_escape(f'{display_path(d.path)}:{d.row}:{d.column}: {d.code} {d.message}')}"
        )
    return "\n".join(out) + ("\n" if out else "")
