"""The worker pool and the result cache: lint (and maybe fix) a list of files, in parallel when it pays,
reusing the cached findings of files that did not change. ``workspace.run`` is the entry that calls it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from ..ground.cache import ResultCache, run_key
from ..ground.config import Settings
from ..ground.discovery import abspath_maker
from ..ground.io import SourceReadError, WriteError, read_source, sigint_held, write_source
from ..values import Diagnostic, Location
from .api import Engine
from ..ground.gc_tuning import release_freed_memory, tune_gc

if TYPE_CHECKING:  # pragma: no cover
    from ..knowledge.index import ProjectIndex



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
    digest: Optional[str] = None  # sha256 of the bytes that were linted
    uses_project: bool = False  # a rule read the project index (the cache entry depends on its facts)
    cached: bool = False  # served from the result cache


@dataclass
class RunOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: int = 0  # 0: automatic
    cache_dir: Optional[str] = None
    use_cache: bool = True
    journal: Optional[str] = None  # with fix: a file each rewritten path is appended to (workers too)
    progress: Optional[Callable[[int], None]] = None  # told how many more files are done (a face's progress bar)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run; ``written``: the files already rewritten by fixes (the face lists them)."""

    def __init__(self, written: list[str]) -> None:
        super().__init__()
        self.written = written


def _journal(options: RunOptions, path: str) -> None:
    if options.journal:
        try:
            with open(options.journal, "a", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(path + "\n")
        except OSError:
            pass


def written_files(journal: Optional[str]) -> list[str]:
    """The files a run's journal says were rewritten, each once, in order."""
    if not journal:
        return []
    try:
        with open(journal, encoding="utf-8", errors="surrogateescape") as fh:
            return list(dict.fromkeys(line.rstrip("\n") for line in fh if line.strip()))
    except OSError:
        return []


def read_error_diagnostic(path: str, message: str) -> Diagnostic:
    from ..rules.engine.syntax_error import SyntaxError_  # (a rule module: a warm run imports none)

    loc = Location(1, 1)
    return Diagnostic(SyntaxError_.code, SyntaxError_.name, message, path, loc, Location(1, 1))


def missing_path_diagnostic(path: str) -> Diagnostic:
    """BKL902 for a path named on the command line that does not exist (ruff's E902)."""
    from ..rules.engine.io_error import IoError  # (a rule module: a warm run imports none)

    message = f"{os.strerror(errno.ENOENT)} (os error {errno.ENOENT})"
    return Diagnostic(IoError.code, IoError.name, message, path, Location(1, 1), Location(1, 1))


def process_file(engine: Engine, path: str, options: RunOptions) -> FileOutcome:
    """Lint (and maybe fix) one file on disk. Never raises for bad input."""
    out = FileOutcome(path)
    if _file_size(path) > engine.settings.max_file_size:  # said before the file is read
        out.diagnostics = engine.too_large_result(path).diagnostics
        return out
    try:
        src = read_source(path)
        out.digest = src.digest
    except SourceReadError as exc:
        if engine.code_enabled_for("BKL900", path):
            out.diagnostics.append(read_error_diagnostic(path, f"Cannot read file: {exc}"))
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
                        with sigint_held():  # (Ctrl-C lands after the journal names the rewritten file)
                            write_source(src, fixed_text)
                            _journal(options, path)
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
    out.uses_project = result.uses_project
    return out


def unified_diff(old: str, new: str, path: str) -> str:
    import difflib  # (7 ms; only with --diff)

    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=path, tofile=path
    )
    text = "".join(l if l.endswith(("\n", "\r")) else l + "\n\\ No newline at end of file\n" for l in lines)
    return text


# --- parallel workers ----------------------------------------------------------------------------------

_WORKER_ENGINE: Optional[Engine] = None
_WORKER_OPTIONS: Optional[RunOptions] = None


# The parent's engine, for workers forked from it: they use it as it is (its rules, dispatch table and the
# project facts primed before the fork) instead of building their own.
_FORK_ENGINE: Optional[Engine] = None


def _init_worker(settings: Settings, codes: list[str], project, options: RunOptions, rules=None) -> None:
    global _WORKER_ENGINE, _WORKER_OPTIONS
    tune_gc()
    _WORKER_ENGINE = _FORK_ENGINE if _FORK_ENGINE is not None else Engine(settings, codes, project, rules=rules)
    _WORKER_OPTIONS = options


# How many files, spread over a pooled run's list, the parent screens before forking (``Engine.prime``).
_PRIME_SAMPLE = 64


def _prime(engine: Engine, paths: Sequence[str], sizes: Sequence[int]) -> None:
    """Let the parent derive the project-wide facts that the prefilters and screens ask for, once, from a
    sample of the run's files spread over the list (each file's text is read; a file larger than
    ``max-file-size`` is left out), so that the forked workers share them instead of each deriving them."""
    if engine.project is None or not engine.skip:
        return
    step = max(1, len(paths) // _PRIME_SAMPLE)
    limit = engine.settings.max_file_size

    def files():
        for i in range(0, len(paths), step):
            if sizes[i] > limit:
                continue
            try:
                yield paths[i], read_source(paths[i]).text
            except SourceReadError:
                continue

    engine.prime(files())


def prime_paths(engine: Engine, paths: Sequence[str]) -> None:
    """``_prime`` over ``paths`` (e.g. the project index's files, before flake8 forks its workers)."""
    _prime(engine, paths, [_file_size(p) for p in paths])


def _work(paths: list[str]) -> list[FileOutcome]:
    assert _WORKER_ENGINE is not None and _WORKER_OPTIONS is not None
    with deferred_derived(_WORKER_ENGINE.project):  # what a chunk derives is stored once, after it
        return [process_file(_WORKER_ENGINE, p, _WORKER_OPTIONS) for p in paths]


def deferred_derived(project: Optional["ProjectIndex"]) -> Any:
    """``project.deferred_derived()`` (its derived facts stored once, on leaving), or nothing to defer."""
    return project.deferred_derived() if project is not None else nullcontext()


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# Below this much source a pool costs more than it saves (each worker process starts, and builds its own
# per-process memos of project facts); measured on 2 cores.
_PARALLEL_MIN_BYTES = 1_500_000


def _lint_many(engine: Engine, paths: Sequence[str], options: RunOptions) -> list[FileOutcome]:
    """Lint ``paths``. With ``--fix``, each real file is fixed once: a name of a file met before (a link
    and its target, two hard links) is linted after the others are done, without fixing."""
    if not (options.fix and not options.diff) or len(paths) < 2:
        return _lint_each(engine, paths, options)
    firsts: list[str] = []
    repeats: list[str] = []
    seen: set[tuple[int, int]] = set()
    for p in paths:
        try:
            st = os.stat(p)
            ident = (st.st_dev, st.st_ino)
        except OSError:
            firsts.append(p)
            continue
        (repeats if ident in seen else firsts).append(p)
        seen.add(ident)
    if not repeats:
        return _lint_each(engine, paths, options)
    lint_only = replace(options, fix=False)
    done = {o.path: o for o in _lint_each(engine, firsts, options)}
    done.update((p, process_file(engine, p, lint_only)) for p in repeats)
    return [done[p] for p in paths]


def _lint_each(engine: Engine, paths: Sequence[str], options: RunOptions) -> list[FileOutcome]:
    jobs = options.jobs or (os.cpu_count() or 1)
    if len(paths) >= 16:
        tune_gc()
    if jobs <= 1 or len(paths) < 16:
        return [_process_told(engine, p, options) for p in paths]
    sizes = [_file_size(p) for p in paths]
    if not options.jobs and sum(sizes) < _PARALLEL_MIN_BYTES:
        return [_process_told(engine, p, options) for p in paths]
    # Once, here, so that the forked workers share them instead of each building its own copy.
    if engine.project is not None:
        engine.project.load_facts()
    engine.preload()  # imports the rules and libcst
    # Chunks of about equal work (files dealt round robin by size), many more chunks than workers so
    # that the last ones balance the loads, few enough to keep the messages few; results are put back
    # in the files' order.
    order = sorted(range(len(paths)), key=lambda i: -sizes[i])
    count = max(jobs, min(len(paths), max(jobs * 16, len(paths) // 24)))
    chunks: list[list[str]] = [[] for _ in range(count)]
    for k, i in enumerate(order):  # round robin over files by size: chunks of about equal work
        chunks[k % count].append(paths[i])
    by_path: dict[str, FileOutcome] = {}
    import multiprocessing  # (20 ms with concurrent.futures: only when a pool runs)
    from concurrent.futures import ProcessPoolExecutor  # (imports multiprocessing: only when needed)

    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    from concurrent.futures.process import BrokenProcessPool  # (only when a pool runs)

    initargs = (engine.settings, sorted(engine.codes), engine.project, replace(options, progress=None), engine.given_rules)
    done_chunks = 0
    global _FORK_ENGINE
    if ctx.get_start_method() == "fork":  # (spawned workers share nothing with this process: no priming)
        _prime(engine, paths, sizes)
        release_freed_memory()  # (what priming freed: each forked worker would be counted with it again)
        _FORK_ENGINE = engine
    if engine.project is not None:
        engine.project.flush_derived()  # what the parent derived, written once before the workers (which write their own as they go)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=initargs) as pool:
            for chunk_result in pool.map(_work, chunks):
                done_chunks += 1
                for o in chunk_result:
                    by_path[o.path] = o
                if options.progress is not None:
                    options.progress(len(chunk_result))
    except BrokenProcessPool:
        # A worker died (a native crash no guard foresaw): lint each remaining file in a process of its
        # own, so that only the file that kills its process is reported, and the run goes on.
        for chunk in chunks[done_chunks:]:
            for path in chunk:
                if path not in by_path:
                    by_path[path] = _isolated(ctx, initargs, path)
    finally:
        _FORK_ENGINE = None
    return [by_path[p] for p in paths]


def _process_told(engine: Engine, path: str, options: RunOptions) -> FileOutcome:
    out = process_file(engine, path, options)
    if options.progress is not None:
        options.progress(1)
    return out


def _isolated(ctx, initargs, path: str) -> FileOutcome:
    from concurrent.futures import ProcessPoolExecutor  # (only when a pool runs)
    from concurrent.futures.process import BrokenProcessPool  # (only when a pool runs)

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_init_worker, initargs=initargs) as pool:
            return pool.submit(_work, [path]).result()[0]
    except BrokenProcessPool:
        out = FileOutcome(path)
        out.diagnostics.append(read_error_diagnostic(path, "Cannot lint file: the linter process crashed on it"))
        return out


def open_cache(engine: Engine, options: RunOptions, paths: Sequence[str] = ()):
    """The result cache of this run, or None (``--no-cache``, no cache directory). Its key stamps the
    declared inputs (``ground/inputs.py``) around ``paths`` and every indexed file."""
    if not options.use_cache or not options.cache_dir:
        return None
    # each file once, absolute: the linted files are most often indexed too (``by_path`` is absolute)
    absolute = abspath_maker()
    around = dict.fromkeys(engine.project.by_path) if engine.project is not None else {}
    around.update(dict.fromkeys(map(absolute, paths)))
    key = run_key(engine.settings, engine.codes, {"skip": engine.skip, "rules": engine.rule_codes}, around)
    return ResultCache(options.cache_dir, engine.settings.root, key)


def lint_paths(engine: Engine, paths: Sequence[str], options: RunOptions) -> list[FileOutcome]:
    """Lint ``paths``; files whose cached findings are still valid are not read again. The project-wide facts
    derived on the way are stored once, at the end (``ProjectIndex.deferred_derived``)."""
    with deferred_derived(engine.project):
        return _lint_paths(engine, paths, options)


def _lint_paths(engine: Engine, paths: Sequence[str], options: RunOptions) -> list[FileOutcome]:
    cache = open_cache(engine, options, paths)
    if cache is None:
        return _lint_many(engine, paths, options)
    engine.result_cache = cache  # project-wide findings (``Engine.lint_project``) are cached there too
    project = engine.project
    project_digest = project.project_digest() if project is not None else None
    outcomes: list[Optional[FileOutcome]] = [None] * len(paths)
    keys: list[tuple] = []
    misses: list[int] = []
    fixing = options.fix or options.diff
    absolute = abspath_maker()
    for i, p in enumerate(paths):
        abspath = absolute(p)
        entry = project.entry(abspath) if project is not None else None
        if entry is not None:
            module, digest = entry.module, entry.digest
        else:
            info = project.module_info(abspath) if project is not None else None
            module = info[0] if info is not None else None
            digest = _digest_file(abspath, engine.settings.max_file_size)
        keys.append((abspath, module))
        found = cache.lookup(abspath, digest, module, project_digest, p)
        if found is not None and not (fixing and any(_fixable(d, options.unsafe_fixes) for d in found)):
            outcomes[i] = FileOutcome(p, diagnostics=found, digest=digest, cached=True)
        else:
            misses.append(i)
    if options.progress is not None and len(paths) > len(misses):
        options.progress(len(paths) - len(misses))
    if misses:
        done = _lint_many(engine, [paths[i] for i in misses], options)
        for i, o in zip(misses, done):
            outcomes[i] = o
            abspath, module = keys[i]
            if o.digest is None or o.errors or o.fixed or o.diff:
                continue
            cache.store(abspath, o.digest, module, project_digest if o.uses_project else None, o.diagnostics)
    cache.save()
    return [o for o in outcomes if o is not None]


def save_cache(engine: Engine) -> None:
    cache = engine.result_cache
    if cache is not None:
        cache.save()


def _digest_file(path: str, max_size: int) -> Optional[str]:
    """sha256 of the file's bytes; ``None`` when it cannot be read or is larger than ``max_size`` (a
    file that is not linted is not read, and its finding is not stored)."""
    try:
        if os.stat(path).st_size > max_size:
            return None
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


def _fixable(d: Diagnostic, unsafe: bool) -> bool:
    from .fixes import fixable  # (2 ms; only with --fix or --diff)

    return fixable(d, unsafe)
