"""The one entry of a run, for every face.

``run(request)`` owns a whole run: the settings (discovered or named by ``ground/config.py``, the
selectors on top: ``selection.resolve_settings``), the files (``ground/discovery.py``), the project index
(``knowledge/index``), the worker pool and the result cache (``run.py``), fixes (``fixes.py`` computes
them, ``ground/io.py`` writes them) and the project-wide rules. It returns a ``RunResult`` that the faces
render; it prints nothing and never exits.

``Workspace`` is the warm part of a run (settings, index, engine) and outlives it: flake8 opens one per
project and lints each file it is handed through ``lint_buffer``; a language server would do the same with
an unsaved buffer (its facts replace the file's in the index first), then ``run`` with ``workspace=``.
"""

from __future__ import annotations

import copy
import hashlib
import os
import sys
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional, Sequence

from ..ground.cache import DEFAULT_CACHE_DIR, ensure_cache_dir
from ..ground.config import ConfigError, Settings
from ..ground.discovery import abspath_maker, excluded_below_root, is_excluded_file, iter_python_files, project_python_files
from ..ground.gc_tuning import tune_gc
from ..ground.inputs import directories_of, forget, own_inputs_stamp
from ..ground.io import SourceReadError, decode_source, encode_source, read_source
from ..knowledge.index import ProjectIndex
from ..knowledge.index.roots import unresolved_share
from ..values import Diagnostic
from .api import Engine
from .run import FileOutcome, Interrupted, RunOptions, deferred_derived, written_files, lint_paths, prime_paths, missing_path_diagnostic, read_error_diagnostic, unified_diff
from .selection import resolve_settings, settings_per_file


@dataclass
class Request:
    """What a face asks of a run (the CLI's options, minus how to show the result)."""

    paths: Sequence[str] = ()  # files or directories; none (and no buffer): the current directory
    config: Optional[str] = None  # a configuration file that replaces discovery
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: int = 0  # 0: automatic
    cache_dir: Optional[str] = None  # None: ``.backend_lint_cache`` in the project root
    use_cache: bool = True
    respect_gitignore: bool = True
    force_exclude: bool = False
    buffer: Optional[Callable[[], bytes]] = None  # lint this source (read when needed) instead of paths
    buffer_name: Optional[str] = None  # the file the buffer stands for (``--stdin-filename``)
    on_warning: Optional[Callable[[str], None]] = None  # told each warning when it happens (and kept in the result)
    # told (phase, files done, files in all) as the run goes: "discover", "index", "lint" (once per file done,
    # in any order), "project", "done"; for a face's progress bar and timings
    progress: Optional[Callable[[str, int, int], None]] = None


@dataclass
class RunResult:
    settings: Settings
    outcomes: list[FileOutcome]
    diagnostics: list[Diagnostic]  # sorted; the project-wide rules' findings included
    errors: list[str]  # internal errors (exit 2)
    warnings: list[str]  # discovery's, then the files' (could not write, ...), in order
    from_buffer: bool = False
    buffer_output: Optional[bytes] = None  # with ``fix`` on a buffer: what the face writes out (the source)
    source_out: bool = False  # ``buffer_output`` is the fixed source (the face's report goes elsewhere)

    @property
    def fixed(self) -> int:
        return sum(o.fixed for o in self.outcomes)


class Workspace:
    """One project, warm: its settings, the project index over its root (plus files named outside it) and
    the engine. Reuse it across runs and buffers; the index follows the buffers it is given."""

    def __init__(
        self,
        settings: Settings,
        named: Sequence[str] = (),
        codes: Optional[Sequence[str]] = None,
        cache_dir: Optional[str] = None,
        jobs: int = 0,
        respect_gitignore: bool = True,
    ) -> None:
        self.settings = settings
        self.cache_dir = cache_dir
        self.index = _build_index(settings, named, cache_dir, jobs, respect_gitignore)
        self.engine = Engine(settings, codes, self.index)
        self._project_findings: Optional[dict[str, list[Diagnostic]]] = None
        self._project_errors: list[str] = []  # the project-wide rules' crashes, not yet told
        self._inputs: dict[str, str] = {}  # a directory -> the stamp of its own declared inputs (``_forget_changed_inputs``)
        self._held: Optional[tuple[int, Any]] = None  # (the process, its ``deferred_derived``): ``hold_derived``

    def lint_buffer(self, path: str, text: str, noqa: bool = True, tree: Any = None, replace: bool = True) -> FileOutcome:
        """Lint ``text`` as the file ``path``, with the project-wide findings that fall on it. ``replace``:
        the text replaces the file's facts in the index (an editor's unsaved buffer); otherwise only a file
        the index lacks is added (flake8: the text is the file on disk). ``tree``: its CPython tree, if
        the caller has one."""
        if replace:
            self._forget_changed_inputs(path)
        index = self.index
        if index is not None:
            if replace:
                index.update_source(path, text)
                self._project_findings = None
            elif index.entry(os.path.abspath(path)) is None and os.path.isfile(path):
                index.update_source(path, text)
        result = self.engine.lint_source(text, path, noqa=noqa, tree=tree)
        out = FileOutcome(path, diagnostics=result.diagnostics + self.project_findings(path))
        out.errors = [str(e) for e in result.errors]
        if self._project_errors:  # a project-wide rule's crash, told once (with the first file)
            out.errors += self._project_errors
            self._project_errors = []
        return out

    def _forget_changed_inputs(self, path: str) -> None:
        """A warm workspace (an editor's) lints buffer after buffer: when a declared input in the directory
        of ``path`` or above it changed since a buffer last read it (a pin, ``alembic.ini``, ``.gitignore``:
        ground/inputs.py), what the process remembers of the inputs is forgotten, as at the start of a run.
        Each directory's own inputs are stamped, so that the first buffer of another directory still sees a
        change of an input they share (the root's pin) made since. (Reads those few small files: far less
        than a lint.)"""
        changed = False
        for directory in directories_of([os.path.abspath(path)]):
            stamp = own_inputs_stamp(directory)
            before = self._inputs.get(directory)
            self._inputs[directory] = stamp
            changed = changed or (before is not None and before != stamp)
        if changed:
            forget()
            self._project_findings = None

    def project_findings(self, path: str) -> list[Diagnostic]:
        """The project-wide rules' findings (BKL405, the migration graph) on ``path``, computed once."""
        engine = self.engine
        if not engine.has_project_rules or self.index is None:
            return []
        if self._project_findings is None:
            found: dict[str, list[Diagnostic]] = {}
            for d in engine.lint_project():
                found.setdefault(os.path.abspath(d.path), []).append(d)
            self._project_findings = found
            self._project_errors = [str(e) for e in engine.project_errors]
        return [d for d in self._project_findings.get(os.path.abspath(path), []) if engine.code_enabled_for(d.code, path)]

    # -- a language server's warm loop (``faces/server``) ----------------------------------------------
    def update_file(
        self, path: str, text: Optional[str] = None, lagging: bool = False, tree: Any = None, facts: Optional[dict] = None
    ) -> bool:
        """The index follows one file: ``text`` (an editor's buffer) or, with ``None``, the file on disk.
        Returns whether its facts changed (what other files' findings can depend on). A file whose text
        changed but whose facts did not (an edit inside a function body that no fact records, a comment)
        keeps the index's derived facts warm: nothing project-wide is recomputed.

        ``lagging`` (a language server's edit inside one function): the parts of the new facts equal to the
        index's but for line numbers are the index's own objects, line numbers as they were (they lag, as
        they do when an edit changes no fact at all; no per-file finding reads them), so that whoever
        compares the old and new facts meets the same objects; the file is read again in full on the next
        update without ``lagging`` (a save). ``tree`` (with ``lagging``): CPython's tree of ``text``, whose
        line numbers may lag the same way (the server splices the edited function into the previous tree).
        ``facts`` (with ``lagging``): the new facts themselves, when the caller has them (the server patches the
        edited function's part into the index's facts: ``faces/server/function_facts.py``); not extracted."""
        index = self.index
        if index is None:
            return False
        if text is None:
            try:
                text = read_source(path).text
            except SourceReadError:
                return False
        from ..knowledge.index.entry import encode_facts  # (the index's own encoding: only when a buffer changes)
        from ..knowledge.index.extract import extract_module  # (every extractor, ~25 ms the first time)

        abspath = os.path.abspath(path)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        entry = index.entry(abspath)
        if entry is not None and entry.digest == digest:
            return False
        name, is_package = index.name_for(abspath)  # (the index's name: its import roots, its service)
        remap = index.module_remap(name)
        encoded = None
        if lagging and entry is not None and entry.module == name and entry.facts is not None and entry.parsed:
            if facts is None:
                facts = extract_module(text, abspath, name, is_package, tree=tree, remap=remap)
            shared = share_facts(facts, entry.facts)
            digest = LAGGING + digest  # (not the text's: the next full update extracts it again)
            if shared is entry.facts:  # the same but for line numbers
                entry.digest = digest
                index.sources[name] = digest
                return False
            # (a digest of the facts only tells them apart: a fresh token does, without encoding them)
            index._add(abspath, digest, shared, LAGGING.encode() + os.urandom(16))
            self._project_findings = None
            return True
        facts = extract_module(text, abspath, name, is_package, remap=remap)
        if entry is not None and entry.module == name and entry.facts is not None:
            encoded = encode_facts(facts)
            if hashlib.sha256(encoded).hexdigest() == entry.facts_digest:
                entry.digest = digest  # the same facts: only the content stamp moves
                entry.parsed = bool(facts.get("parsed"))
                index.sources[name] = digest
                return False
        index._add(abspath, digest, facts, encoded)  # what ``update_source`` does, without extracting the facts again
        self._project_findings = None
        return True

    def lint_open(self, path: str, text: str) -> tuple[FileOutcome, bool]:
        """``lint_buffer`` for a buffer whose facts ``update_file`` already gave the index: the project-wide
        findings on it pass through its ``# noqa`` too. Also returns whether the file's findings read the
        project index (then they depend on other files)."""
        engine = self.engine
        result = engine.lint_source(text, path)
        project = self.project_findings(path)
        if project:
            project = engine.apply_noqa(text, project)
        out = FileOutcome(path, diagnostics=sorted(result.diagnostics + project, key=Diagnostic.sort_key))
        out.errors = [str(e) for e in result.errors]
        if self._project_errors:
            out.errors += self._project_errors
            self._project_errors = []
        return out, result.uses_project or bool(project)

    def hold_derived(self) -> bool:
        """Until ``release_derived``, the project-wide facts this process derives are stored once, then, instead
        of the whole derived-facts file once per value (``ProjectIndex.deferred_derived``): for a face that lints
        buffer after buffer in a process with no end of run of its own (a flake8 worker). Returns whether this
        call started holding them (not when the process already holds them, nor without an index)."""
        if self.index is None or (self._held is not None and self._held[0] == os.getpid()):
            return False
        held = self.index.deferred_derived()
        held.__enter__()
        self._held = (os.getpid(), held)
        return True

    def release_derived(self) -> None:
        """Store what ``hold_derived`` held back in this process (nothing in another process: a forked child's
        copy of its parent's hold is not its own)."""
        held = self._held
        if held is not None and held[0] == os.getpid():
            self._held = None
            held[1].__exit__(None, None, None)

    def preload(self, prime: bool = False) -> None:
        """Everything a lint needs, loaded now (before a face forks workers that should share it). ``prime``
        (workers will be forked): also the project-wide words and facts the screens derive, from a sample of
        the index's files, once here instead of once per worker, as ``check -j N`` primes its pool (run 64:
        ~1 s of each flake8 worker on the default bench group). What it derives is stored once, at its end."""
        self.engine.preload()  # imports the rules (and libcst)
        with deferred_derived(self.index):
            if self.index is not None:
                self.index.load_facts()
                if prime:
                    prime_paths(self.engine, sorted(self.index.by_path))
            if self.engine.has_project_rules:
                self.project_findings(os.getcwd())


LAGGING = "lagging:"  # an index entry's digest while its facts' line numbers lag (``update_file(lagging=True)``)
_LINE = "line"


def share_facts(new: Any, old: Any) -> Any:
    """``new`` (a module's facts) with every part equal to ``old``'s but for line numbers (``"line"`` keys)
    replaced by ``old``'s object; ``old`` itself when the whole is."""
    if new is old:
        return old
    kind = new.__class__
    if kind is not old.__class__:
        return new
    if new == old:  # (compared in C: the parts a spliced tree gives again come out equal, line numbers too)
        return old
    if kind is dict:
        out = {}
        same = len(new) == len(old)
        for key, value in new.items():
            before = old.get(key, _MISSING)
            if before is _MISSING:
                out[key] = value
                same = False
            elif key == _LINE and value.__class__ is int and before.__class__ is int:
                out[key] = before
            else:
                out[key] = shared = share_facts(value, before)
                same = same and shared is before
        return old if same else out
    if kind is list:
        if len(new) != len(old):
            return [share_facts(v, w) for v, w in zip(new, old)] + new[len(old):] if len(new) > len(old) else new
        items = [share_facts(v, w) for v, w in zip(new, old)]
        return old if all(a is b for a, b in zip(items, old)) else items
    return old if new == old else new


_MISSING = object()


def run(request: Request, workspace: Optional[Workspace] = None) -> RunResult:
    """Lint (and maybe fix) what ``request`` names; see the module's docstring. Raises ``ConfigError``
    (settings) before it reads anything else, ``Interrupted`` on Ctrl-C (with the files already fixed).
    Files are linted in groups that share their closest configuration, each with its own workspace;
    ``workspace``: a warm one to lint every file through (its settings are then the run's)."""
    forget()  # what this process remembers of the declared inputs may be stale (ground/inputs.py)
    if request.jobs < 0:
        raise ConfigError(f"--jobs: must be 0 (every core) or a number of worker processes, got {request.jobs}")
    from_buffer = tuple(request.paths) == ("-",) or (request.buffer_name is not None and not request.paths)
    if workspace is not None:
        settings = workspace.settings
    else:
        settings = resolve_settings(
            request.paths, request.config, request.select, request.ignore, request.extend_select, request.buffer_name
        )
    paths = tuple(request.paths) or ((".",) if not from_buffer else ())
    cache_root = request.cache_dir or os.path.join(settings.root, DEFAULT_CACHE_DIR)
    options = RunOptions(
        fix=request.fix, unsafe_fixes=request.unsafe_fixes, diff=request.diff, jobs=request.jobs,
        cache_dir=cache_root if request.use_cache else None, use_cache=request.use_cache,
    )
    warnings: list[str] = []
    tell = request.progress or (lambda phase, done, total: None)

    def warn(message: str) -> None:
        warnings.append(message)
        if request.on_warning is not None:
            request.on_warning(message)

    if request.use_cache and request.cache_dir:
        problem = _unwritable(request.cache_dir)
        if problem:  # said, and the run goes on without a cache
            warn(f"{request.cache_dir}: cannot use as the cache directory ({problem}); running without a cache")
            options = replace(options, cache_dir=None, use_cache=False)

    files: list[str] = []
    missing: list[Diagnostic] = []
    tell("discover", 0, 0)
    if not from_buffer:
        # a named path that does not exist is an error finding (BKL902), never a pass
        missing = [missing_path_diagnostic(p) for p in paths if not os.path.lexists(p)]
        named = [p for p in paths if os.path.lexists(p)]
        files = list(iter_python_files(
            named, settings, warn=warn, respect_gitignore=request.respect_gitignore, cache_dir=options.cache_dir
        ))
        if request.force_exclude:
            files = [f for f in files if not is_excluded_file(f, settings)]
        # a notebook named on the command line is not linted, and said so (BKL900, as a file too large)
        missing += [read_error_diagnostic(f, NOT_LINTED_NOTEBOOK) for f in files if f.endswith(NOTEBOOK_SUFFIX)]
        files = [f for f in files if not f.endswith(NOTEBOOK_SUFFIX)]
    tell("index", 0, len(files))
    result = RunResult(settings, [], [], [], [], from_buffer=from_buffer)
    if from_buffer:
        if workspace is None:
            workspace = Workspace(
                settings, files, cache_dir=options.cache_dir, jobs=options.jobs, respect_gitignore=request.respect_gitignore
            )
        _run_buffer(workspace, request, result)
        groups: list = []
    elif workspace is not None or request.config:
        groups = [(settings, files)]
    else:
        # each file's settings come from its closest configuration (``--config`` overrides them all)
        groups = settings_per_file(files, settings, request.select, request.ignore, request.extend_select) or [(settings, files)]
        groups = _nested_excludes(groups, settings, named, request.force_exclude)
    outcomes: dict[str, FileOutcome] = {}
    project: list[Diagnostic] = []
    if request.fix and not request.diff and groups:
        import tempfile  # (~4 ms with random: only with --fix)

        fd, journal = tempfile.mkstemp(prefix="backend-lint-fixed-", suffix=".txt")
        os.close(fd)
        options = replace(options, journal=journal)
    if groups:
        tell("lint", 0, len(files))
    if request.progress is not None and groups:
        done = [0]

        def one_more(n: int) -> None:
            done[0] += n
            tell("lint", done[0], len(files))

        options = replace(options, progress=one_more)
    try:
        _lint_groups(groups, settings, workspace, request, options, outcomes, project, result, warn)
    except KeyboardInterrupt:
        raise Interrupted(written_files(options.journal)) from None
    finally:
        if options.journal:
            try:
                os.unlink(options.journal)
            except OSError:
                pass
    project_errors, result.errors = result.errors, []

    if not from_buffer:
        result.outcomes = [outcomes[f] for f in files if f in outcomes]
    result.diagnostics.extend(missing)
    for o in result.outcomes:
        result.diagnostics.extend(o.diagnostics)
        result.errors.extend(o.errors)
        for w in o.warnings:
            warn(w)
    result.warnings = warnings
    if not from_buffer:
        tell("project", len(files), len(files))
    result.diagnostics.extend(project)
    result.errors.extend(project_errors)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    tell("done", len(files), len(files))
    return result


NOTEBOOK_SUFFIX = ".ipynb"
NOT_LINTED_NOTEBOOK = "Jupyter notebook: not linted (backend-lint reads Python source files only)"


def _unwritable(directory: str) -> Optional[str]:
    """Why ``directory`` cannot hold the cache (created if missing), or ``None``."""
    try:
        ensure_cache_dir(directory)
    except OSError as exc:
        return exc.strerror or str(exc)
    if not os.access(directory, os.W_OK | os.X_OK):
        return "not writable"
    return None


def _warn_unresolved(index: ProjectIndex, warn: Callable[[str], None]) -> bool:
    """Once per run: the share of the project's own imports (absolute and relative) that resolve nowhere. True
    when said."""
    found = unresolved_share(index.roots_report)
    if found is None:
        return False
    count, total, examples, relative = found
    shown = ", ".join(f"`{m}` ({os.path.relpath(p, index.root)})" for p, m in examples)
    kinds = "absolute" if not relative else ("relative" if relative == count else f"absolute and relative ({relative} relative)")
    warn(
        f"{count} of {total} imports of the project's own modules ({count / total:.0%}, {kinds}) do not resolve, "
        f"e.g. {shown}: cross-module facts (models, auth dependencies) may be missing. If the imports start from "
        "another directory, list it in `src` under [tool.backend-lint]; `backend-lint facts` shows the roots"
    )
    return True


def _warn_newer_syntax(index: ProjectIndex, warn: Callable[[str], None]) -> bool:
    """Once per run: the files this Python cannot read for the index because they use newer syntax (libcst,
    hence the rules, parse them; their facts are missing, so findings that need them are too). True when said."""
    found = index.newer_syntax_paths()
    if not found:
        return False
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    shown = ", ".join(os.path.relpath(p, index.root) for p in found[:3]) + (", ..." if len(found) > 3 else "")
    n = len(found)
    warn(
        f"{n} module{'s' if n != 1 else ''} ({shown}) use{'s' if n == 1 else ''} syntax newer than Python {version}, "
        f"which runs backend-lint: {'its' if n == 1 else 'their'} facts (models, auth dependencies) are missing and "
        "findings that need them may be too. Run backend-lint under the project's Python; `backend-lint facts` "
        "lists the modules without facts"
    )
    return True


def _nested_excludes(groups: list, settings: Settings, named: list[str], force_exclude: bool) -> list:
    """A group whose closest configuration is not the run's also drops the files its own patterns exclude
    (found by walking: a file named on the command line stays, unless ``--force-exclude``)."""
    out = []
    kept_named = set() if force_exclude else {os.path.normpath(p) for p in named if not os.path.isdir(p)}
    for group_settings, group in groups:
        if group_settings is not settings:
            group = [f for f in group if os.path.normpath(f) in kept_named or not excluded_below_root(f, group_settings)]
        if group:
            out.append((group_settings, group))
    return out


def _lint_groups(groups, settings, workspace, request, options, outcomes, project, result, warn=None) -> None:
    """Lint each group of files with its settings (its own workspace unless one was given)."""
    warn_newer = warn
    for group_settings, group_files in groups:
        group_options = options
        if group_settings is not settings and options.use_cache and not request.cache_dir:
            group_options = replace(options, cache_dir=os.path.join(group_settings.root, DEFAULT_CACHE_DIR))
        group_workspace = workspace
        if group_workspace is None:
            if len(group_files) >= 16:
                tune_gc()  # (as ``lint_paths`` will: the index's facts are then frozen as they are built)
            group_workspace = Workspace(
                group_settings, group_files, cache_dir=group_options.cache_dir, jobs=options.jobs,
                respect_gitignore=request.respect_gitignore,
            )
        if warn is not None and group_workspace.index is not None:
            warned = _warn_unresolved(group_workspace.index, warn)
            warn = None if warned else warn  # once per run
        if warn_newer is not None and group_workspace.index is not None:
            warned = _warn_newer_syntax(group_workspace.index, warn_newer)
            warn_newer = None if warned else warn_newer  # once per run
        for o in lint_paths(group_workspace.engine, group_files, group_options):
            outcomes[o.path] = o
        project.extend(_project_findings(group_workspace, group_files))
        result.errors.extend(str(e) for e in group_workspace.engine.project_errors)


def _run_buffer(workspace: Workspace, request: Request, result: RunResult) -> None:
    """Standard input (or an editor's buffer) as the file ``request.buffer_name``."""
    engine, index = workspace.engine, workspace.index
    name = request.buffer_name or "-"
    raw = request.buffer() if request.buffer is not None else b""
    outcome = FileOutcome(name)
    result.outcomes.append(outcome)
    if request.fix and not request.diff:
        # with --fix, standard output is the source and nothing else, whatever happens below (the face
        # writes everything else to standard error): unchanged unless a fix applies
        result.buffer_output = raw
        result.source_out = True
    if request.buffer_name and is_excluded_file(request.buffer_name, workspace.settings):
        return
    if name.endswith(NOTEBOOK_SUFFIX):
        outcome.diagnostics.append(read_error_diagnostic(name, NOT_LINTED_NOTEBOOK))
        return
    try:
        src = decode_source(name, raw)
    except SourceReadError as exc:
        outcome.diagnostics.append(read_error_diagnostic(name, f"Cannot read file: {exc}"))
        return
    if index is not None and request.buffer_name:
        index.update_source(request.buffer_name, src.text)
    if request.fix or request.diff:
        fixed_text, lint, applied = engine.fix_source(src.text, name, unsafe=request.unsafe_fixes)
        outcome.fixed = applied
        if request.diff:
            if fixed_text != src.text:
                outcome.diff = unified_diff(src.text, fixed_text, name)
        elif fixed_text != src.text:
            result.buffer_output = encode_source(src, fixed_text)
    else:
        lint = engine.lint_source(src.text, name)
    outcome.diagnostics = lint.diagnostics
    outcome.errors = [str(e) for e in lint.errors]
    if request.buffer_name:
        # the project-wide rules, as ``check PATH`` and flake8 report them: the buffer's facts replaced
        # the file's in the index (above), its siblings are read from disk
        found = [copy.copy(d) for d in workspace.project_findings(request.buffer_name)]
        for d in found:
            d.path = name
        outcome.diagnostics += engine.apply_noqa(src.text, found) if found else []
        outcome.errors += workspace._project_errors
        workspace._project_errors = []


def _project_findings(workspace: Workspace, files: list[str]) -> list[Diagnostic]:
    """The project-wide rules' findings (e.g. the migration graph) on the files of this run, their
    ``# noqa`` applied."""
    engine = workspace.engine
    if not engine.has_project_rules or workspace.index is None:
        return []
    absolute = abspath_maker()
    linted = {absolute(f): f for f in files}
    by_file: dict[str, list[Diagnostic]] = {}
    for d in engine.lint_project():
        key = absolute(d.path)
        if key in linted and engine.code_enabled_for(d.code, linted[key]):
            d.path = linted[key]
            by_file.setdefault(key, []).append(d)
    out: list[Diagnostic] = []
    for key, ds in by_file.items():
        try:
            text = read_source(ds[0].path).text
        except SourceReadError:
            continue
        out.extend(engine.apply_noqa(text, ds))
    return out


def _build_index(
    settings: Settings, named: Sequence[str], cache_dir: Optional[str], jobs: int, respect_gitignore: bool
) -> ProjectIndex:
    """The project index over the project root (so that one linted file still sees its models)."""
    root = settings.root
    absolute = abspath_maker()
    if named and all(not absolute(f).startswith(os.path.abspath(root) + os.sep) for f in named):
        # linting files outside the configured root: index what was named
        project_files = list(named)
    else:
        project_files = project_python_files(root, settings, respect_gitignore, cache_dir)
        known = {absolute(f) for f in project_files}
        project_files += [f for f in named if absolute(f) not in known]
    return ProjectIndex.build(root, project_files, cache_dir=cache_dir, jobs=jobs, max_size=settings.max_file_size, src=settings.src)
