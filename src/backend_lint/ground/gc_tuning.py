"""Garbage-collector settings for processes that parse many files."""

from __future__ import annotations

import gc
import os


def tune_gc() -> None:
    """Before linting many files in this process: what is loaded by now (the project's facts, the rules,
    libcst) stays, so the collector stops traversing it (``gc.freeze``), and collections run less often:
    libcst allocates hundreds of thousands of short-lived nodes per file, and each full collection
    would walk every long-lived object again."""
    if os.environ.get("BACKEND_LINT_DEFAULT_GC"):
        return
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
