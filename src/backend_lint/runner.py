"""A whole run over files: discovery, the project index, parallel linting, fixing and writing.

The CLI is a thin face over ``Run``; the flake8 plugin uses ``Engine`` directly.
"""

from __future__ import annotations

import difflib
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from .config import Settings
from .diagnostics import Diagnostic, Location
from .engine import Engine, FileResult, InternalError

DEFAULT_CACHE_DIR = ".backend_lint_cache"


@dataclass
class FileOutcome:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # internal errors (exit 2)
    warnings: list[str] = field(default_factory=list)  # could not write, etc.
    fixed: int = 0
    diff: str = ""
    fixed_codes: list[str] = field(default_factory=list)
    parsed: bool = False


@dataclass
class RunOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: int = 0  # 0: automatic
    cache_dir: Optional[str] = None
    use_cache: bool = True


def _read_error_diag(path: str, message: str) -> Diagnostic:
    from .rules.engine.syntax_error import SyntaxError_

    loc = Location(1, 1)
    return Diagnostic(SyntaxError_.code, SyntaxError_.name, message, path, loc, Location(1, 1))


def process_file(engine: Engine, path: str, options: RunOptions) -> FileOutcome:
    """Lint (and maybe fix) one file on disk. Never raises for bad input."""
    from .fixes import SourceReadError, WriteError, read_source, write_source

    out = FileOutcome(path)
    try:
        src = read_source(path)
    except SourceReadError as exc:
        if engine.code_enabled_for("BKL900", path):
            out.diagnostics.append(_read_error_diag(path, f"Cannot read file: {exc}"))
        return out
    try:
        if options.fix or options.diff:
            fixed_text, result, applied = engine.fix_source(src.text, path, unsafe=options.unsafe_fixes)
            out.fixed = applied
            if applied and fixed_text != src.text:
                if options.diff:
                    out.diff = unified_diff(src.text, fixed_text, path)
                else:
                    try:
                        write_source(src, fixed_text)
                    except WriteError as exc:
                        out.warnings.append(f"{path}: fixes not written: {exc}")
                        out.fixed = 0
                        result = engine.lint_source(src.text, path)
        else:
            result = engine.lint_source(src.text, path)
    except Exception as exc:  # an engine bug: report it with the file and go on
        out.errors.append(f"{path}: internal error: {type(exc).__name__}: {exc}")
        return out
    out.diagnostics = result.diagnostics
    out.errors = [str(e) for e in result.errors]
    out.parsed = result.parsed
    return out


def unified_diff(old: str, new: str, path: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=path, tofile=path
    )
    text = "".join(l if l.endswith(("\n", "\r")) else l + "\n\\ No newline at end of file\n" for l in lines)
    return text


# --- parallel workers ----------------------------------------------------------------------------------
_WORKER_ENGINE: Optional[Engine] = None
_WORKER_OPTIONS: Optional[RunOptions] = None


def _init_worker(settings: Settings, codes: list[str], project, options: RunOptions) -> None:
    global _WORKER_ENGINE, _WORKER_OPTIONS
    _WORKER_ENGINE = Engine(settings, codes, project)
    _WORKER_OPTIONS = options


def _work(paths: list[str]) -> list[FileOutcome]:
    assert _WORKER_ENGINE is not None and _WORKER_OPTIONS is not None
    return [process_file(_WORKER_ENGINE, p, _WORKER_OPTIONS) for p in paths]


def lint_paths(engine: Engine, paths: Sequence[str], options: RunOptions) -> list[FileOutcome]:
    jobs = options.jobs or (os.cpu_count() or 1)
    if jobs <= 1 or len(paths) < 16:
        return [process_file(engine, p, options) for p in paths]
    # Chunks small enough to balance, large enough to keep pickling cheap.
    size = max(4, min(64, len(paths) // (jobs * 8) or 1))
    chunks = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
    outcomes: list[FileOutcome] = []
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(engine.settings, sorted(engine.codes), engine.project, options),
    ) as pool:
        for chunk_result in pool.map(_work, chunks):
            outcomes.extend(chunk_result)
    return outcomes
