"""Output formats, one module each: text (ruff's full format; concise is the same), json (ruff's shape),
sarif 2.1.0, github annotations, and the ``--statistics`` table."""

from __future__ import annotations

from .github import format_github
from .json import format_json
from .sarif import format_sarif
from .statistics import format_statistics
from .text import format_text, summary_line

FORMATS = ("text", "json", "sarif", "github", "concise")

__all__ = ["FORMATS", "format_github", "format_json", "format_sarif", "format_statistics", "format_text", "summary_line"]
