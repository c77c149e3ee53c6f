"""Garbage-collector settings for processes that parse many files."""

from __future__ import annotations

import functools
import gc
import os
import sys
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def tune_gc() -> None:
    """Before linting many files in this process: what is loaded by now (the project's facts, the rules,
    libcst) stays, so the collector stops traversing it (``gc.freeze``), and collections run less often:
    libcst allocates hundreds of thousands of short-lived nodes per file, and each full collection
    would walk every long-lived object again."""
    global _tuned
    if os.environ.get("BACKEND_LINT_DEFAULT_GC"):
        return
    _tuned = True
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def release_freed_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; nothing elsewhere). After a
    cold index build the heap holds ~15-20 MB freed by then (the encoded facts the store wrote, the buffers the
    extraction processes' facts came in): resident pages that every worker a pool forks from this process is
    counted with again, and that a worker's own allocations (libcst's parser) do not reuse."""
    if sys.platform != "linux":
        return
    try:
        import ctypes  # (~3 ms; only after a build that extracted files, or before a pool forks)

        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # (another C library: musl has no ``malloc_trim``)
        return
    trim(0)


_tuned = False  # ``tune_gc`` ran in this process: what a paused build made is frozen too (``collections_paused``)


def collections_paused(fn: F) -> F:
    """Run ``fn`` with the cyclic collector off (restored after, also on an error). For building the project
    index: its facts are millions of small containers that all live until the run ends, so the collector's
    passes over them, triggered by their allocation alone, free nothing (a quarter of an in-process
    extraction on 1,500 files). The extraction leaves nothing in reference cycles (a recursive closure
    deletes its own name when done), so its garbage is freed as it is made. In a process whose collector
    ``tune_gc`` tuned (a batch run: ``engine/workspace._lint_groups``), what ``fn`` made is frozen before the
    collector runs again: otherwise its first collection walks every fact of the index (~0.2 s on the bench's
    FastAPI project), to free nothing."""

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if os.environ.get("BACKEND_LINT_DEFAULT_GC") or not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if _tuned:
                gc.freeze()
            gc.enable()

    return paused  # type: ignore[return-value]
