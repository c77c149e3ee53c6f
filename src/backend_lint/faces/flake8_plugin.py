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
    from ..ground.config import discover_settings  # (flake8 imports the plugin in every run: loads on first use)

    key = ("settings", directory)
    if key not in _STATE:
        _STATE[key] = discover_settings(directory)
    return _STATE[key]


def _workspace_for(filename: str, directory: Optional[str] = None):
    """The warm workspace of the file's project (settings, project index, engine), opened once per root."""
    from ..engine.workspace import Workspace  # (flake8 imports the plugin in every run: loads on first use)
    from ..engine.registry import all_codes  # (idem)
    from ..engine.selection import select_codes  # (idem)
    from ..ground.cache import DEFAULT_CACHE_DIR  # (idem)
    from ..ground.config import ConfigError  # (idem)

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
    workspace = Workspace(settings, codes=codes, cache_dir=os.path.join(settings.root, DEFAULT_CACHE_DIR))
    _STATE[key] = workspace
    return workspace, None


def _prepare(options: Any) -> None:
    """In flake8's main process, before it forks its workers: settings, the project index (built in
    parallel, stored), the rules and libcst are loaded once here and the workers inherit them, instead
    of each worker building the index and importing everything again."""
    from ..ground.gc_tuning import tune_gc  # (flake8 imports the plugin in every run: loads on first use)

    filenames = [f for f in (getattr(options, "filenames", None) or ["."]) if f not in ("-", "stdin")]
    first = os.path.abspath(filenames[0]) if filenames else os.getcwd()
    workspace, _ = _workspace_for(first, first if os.path.isdir(first) else None)
    if workspace is None:
        return
    # the rules, libcst, every module's facts (primed when workers will share them), the project-wide findings
    workspace.preload(prime=_pooled(options, filenames))
    # as ``check`` tunes its workers: what is loaded here stays (frozen: the collector need not walk it per
    # file) and collections run less often (libcst's short-lived nodes; run 64: ~1.4 s of gc per worker)
    tune_gc()


def _pooled(options: Any, filenames: list[str]) -> bool:
    """Whether flake8 will fork workers: more than one job and more than one file (a directory or several
    paths; flake8's ``Manager`` runs one named file in its own process)."""
    jobs = getattr(options, "jobs", None)
    if jobs is None:
        return False
    count = (os.cpu_count() or 1) if getattr(jobs, "is_auto", False) else getattr(jobs, "n_jobs", 1)
    return count > 1 and (len(filenames) > 1 or any(os.path.isdir(f) for f in filenames))


def _hold_derived(workspace: Any) -> None:
    """The project-wide facts a process derives while flake8 runs the plugin are stored once, when the process
    exits (``multiprocessing`` runs its finalizers then, in a pool's worker and, at exit, in the main process),
    instead of the whole derived-facts file once per value: flake8 tells a plugin neither where its chunk
    of files nor where its run ends (run 70's default group: 8 writes of ~0.85 MB per worker)."""
    if workspace.hold_derived():
        from multiprocessing.util import Finalize  # (flake8 has imported multiprocessing already)

        Finalize(None, workspace.release_derived, exitpriority=0)


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
        workspace, error = _workspace_for(self.filename)
        if workspace is None:
            yield 1, 0, f"BKL900 Configuration error: {error}", type(self)
            return
        _hold_derived(workspace)
        source = "".join(self.lines)
        if source.startswith("\ufeff"):
            source = source[1:]
        tree = self.tree if isinstance(self.tree, ast.Module) else None
        # (flake8 owns noqa; the text is the file on disk: the index keeps its facts unless it lacks the file)
        outcome = workspace.lint_buffer(self.filename, source, noqa=False, tree=tree, replace=False)
        for d in outcome.diagnostics:
            yield d.row, d.column - 1, f"{d.code} {d.message}", type(self)
        for e in outcome.errors:
            yield 1, 0, f"BKL999 {e}", type(self)
