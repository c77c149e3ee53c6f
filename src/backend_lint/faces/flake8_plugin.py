"""flake8 face: ``flake8 --select BKL`` reports what ``backend-lint check`` reports.

flake8 owns ``# noqa`` (so the engine runs with noqa off and BKL901 is not reported here) and selection
by code; the plugin never writes files. Settings and the project index come from the file's project,
resolved once per process.
"""

from __future__ import annotations

import ast
import os
from typing import Any, Iterator, Optional

from .. import __version__

_STATE: dict[Any, Any] = {}


def _settings_for(directory: str):
    """Settings discovery (reads pyproject.toml files up the tree) once per directory, not per file."""
    from ..ground.config import discover_settings

    key = ("settings", directory)
    if key not in _STATE:
        _STATE[key] = discover_settings(directory)
    return _STATE[key]


def _engine_for(filename: str, directory: Optional[str] = None):
    from ..ground.config import ConfigError, select_codes
    from ..engine.api import Engine
    from ..ground.discovery import iter_python_files
    from ..knowledge.index import ProjectIndex
    from ..engine.registry import all_codes
    from ..engine.run import DEFAULT_CACHE_DIR

    start = filename if filename not in ("stdin", "-", None) else os.getcwd()
    if directory is None:
        directory = os.path.dirname(os.path.abspath(start)) if os.path.isfile(start) else os.getcwd()
    try:
        settings = _settings_for(directory)
    except ConfigError as exc:
        return None, str(exc)
    key = settings.root
    cached = _STATE.get(key)
    if cached is not None:
        return cached, None
    # flake8 decides what is reported; run every rule except those the project ignores
    codes = [c for c in select_codes(settings, all_codes()) if c != "BKL901"]
    cache_dir = os.path.join(settings.root, DEFAULT_CACHE_DIR)
    files = list(iter_python_files([settings.root], settings, cache_dir=cache_dir))
    project = ProjectIndex.build(settings.root, files, cache_dir=cache_dir)
    engine = Engine(settings, codes, project)
    _STATE[key] = engine
    return engine, None


def _prepare(options: Any) -> None:
    """In flake8's main process, before it forks its workers: settings, the project index (built in
    parallel, stored), the rules and libcst are loaded once here and the workers inherit them, instead
    of each worker building the index and importing everything again."""
    filenames = [f for f in (getattr(options, "filenames", None) or ["."]) if f not in ("-", "stdin")]
    first = os.path.abspath(filenames[0]) if filenames else os.getcwd()
    engine, _ = _engine_for(first, first if os.path.isdir(first) else None)
    if engine is None:
        return
    engine.preload()  # imports the rules (and libcst)
    if engine.project is not None:
        engine.project.load_facts()
    if engine.has_project_rules:
        _project_diagnostics(engine, first)
    import gc

    gc.freeze()  # the facts, rules and libcst loaded here stay: the collector need not walk them per file


def _project_diagnostics(engine, path: str) -> list:
    """Findings of project rules (BKL405, the migration graph) for this file, computed once per run."""
    if not engine.has_project_rules or engine.project is None:
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
        self.tree = tree  # flake8's ast of the file: the engine's screens reuse it
        self.filename = filename
        self.lines = lines

    @classmethod
    def parse_options(cls, options: Any) -> None:
        try:
            _prepare(options)
        except Exception:  # never let a warm-up problem break flake8: the run builds lazily instead
            pass

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        engine, error = _engine_for(self.filename)
        if engine is None:
            yield 1, 0, f"BKL900 Configuration error: {error}", type(self)
            return
        source = "".join(self.lines)
        if source.startswith("\ufeff"):
            source = source[1:]
        path = self.filename
        if engine.project is not None and engine.project.entry(os.path.abspath(path)) is None and os.path.isfile(path):
            engine.project.update_source(path, source)
        tree = self.tree if isinstance(self.tree, ast.Module) else None
        result = engine.lint_source(source, path, noqa=False, tree=tree)
        for d in result.diagnostics + _project_diagnostics(engine, path):
            yield d.row, d.column - 1, f"{d.code} {d.message}", type(self)
        for e in result.errors:
            yield 1, 0, f"BKL999 {e}", type(self)
