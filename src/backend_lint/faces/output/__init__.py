"""Output formats, one module each: full (ruff's default: findings with their source lines), concise (one
line per finding; ``text`` is kept as another name of ``full``), json (ruff's shape), sarif 2.1.0, github
annotations, and the ``--statistics`` table (or JSON)."""

from __future__ import annotations

from .full import format_full
from .github import format_github
from .json import format_json
from .sarif import format_sarif
from .statistics import format_statistics, format_statistics_json
from .text import format_text, summary_line

FORMATS = ("full", "concise", "text", "json", "sarif", "github")

__all__ = [
    "FORMATS",
    "format_full",
    "format_github",
    "format_json",
    "format_sarif",
    "format_statistics",
    "format_statistics_json",
    "format_text",
    "summary_line",
]
