"""flake8 face: ``flake8 --select BKL`` reports what ``backend-lint check`` reports.

flake8 owns ``# noqa`` (so the engine runs with noqa off and BKL901 is not reported here) and selection
by code; the plugin never writes files. Settings and the project index come from the file's project,
resolved once per process.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Optional

from . import __version__

_STATE: dict[str, Any] = {}


def _engine_for(filename: str):
    from .config import ConfigError, discover_settings, select_codes
    from .engine import Engine
    from .files import iter_python_files
    from .index import ProjectIndex
    from .registry import all_codes
    from .runner import DEFAULT_CACHE_DIR

    start = filename if filename not in ("stdin", "-", None) else os.getcwd()
    try:
        settings = discover_settings(os.path.dirname(os.path.abspath(start)) if os.path.isfile(start) else os.getcwd())
    except ConfigError as exc:
        return None, str(exc)
    key = settings.root
    cached = _STATE.get(key)
    if cached is not None:
        return cached, None
    # flake8 decides what is reported; run every rule except those the project ignores
    codes = [c for c in select_codes(settings, all_codes()) if c != "BKL901"]
    files = list(iter_python_files([settings.root], settings))
    project = ProjectIndex.build(settings.root, files, cache_dir=os.path.join(settings.root, DEFAULT_CACHE_DIR))
    engine = Engine(settings, codes, project)
    _STATE[key] = engine
    return engine, None


def _project_diagnostics(engine, path: str) -> list:
    """Findings of project rules (BKL405, the migration graph) for this file, computed once per run."""
    if not engine.project_rules or engine.project is None:
        return []
    key = ("project-diagnostics", id(engine))
    found = _STATE.get(key)
    if found is None:
        found = {}
        for d in engine.lint_project():
            found.setdefault(os.path.abspath(d.path), []).append(d)
        _STATE[key] = found
    return [d for d in found.get(os.path.abspath(path), []) if engine.code_enabled_for(d.code, path)]


class BackendLintPlugin:
    name = "backend-lint"
    version = __version__

    def __init__(self, tree: Any, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        engine, error = _engine_for(self.filename)
        if engine is None:
            yield 1, 0, f"BKL900 Configuration error: {error}", type(self)
            return
        source = "".join(self.lines)
        if source.startswith("\ufeff"):
            source = source[1:]
        path = self.filename
        if engine.project is not None and os.path.isfile(path):
            info = engine.project.module_for_path(path)
            if info is None:
                engine.project.update_source(path, source)
        result = engine.lint_source(source, path, noqa=False)
        for d in result.diagnostics + _project_diagnostics(engine, path):
            yield d.row, d.column - 1, f"{d.code} {d.message}", type(self)
        for e in result.errors:
            yield 1, 0, f"BKL999 {e}", type(self)
