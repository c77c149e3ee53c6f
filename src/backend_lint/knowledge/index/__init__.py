"""The project index: facts about every module of the project, built once per run.

Rules that need to know the project (models and their columns in ``models.py``, schemas, dependency
aliases in ``deps.py``, migration graphs) ask the index instead of parsing other files. The index is
built from the project root's files (not only the linted ones: a pre-commit run on one file still sees the
models), with ``ast`` only, and stored on disk keyed by each file's content, so a second run and the
flake8 plugin reuse it and only changed files are read again. The linted code is never imported.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Iterable, Iterator, Optional

from ...ground.cache import code_digest, load_checked, store_checked
from ...ground.discovery import abspath_maker
from ...ground.gc_tuning import collections_paused, release_freed_memory, tune_gc
from ...ground.inputs import RACY_NS
from ..modules import module_name_for, resolve_relative
from .entry import Entry, encode_facts
from .services import colliding_services, service_name, service_of, service_prefix
from .roots import RootsReport, base_dir_for, dotted_under, guess_imports, guessed_defines, infer_roots, relative_report

_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

class ProjectIndex:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self._modules: Optional[dict[str, dict[str, Any]]] = {}
        self.by_path: dict[str, str] = {}
        self.sources: dict[str, str] = {}  # module -> content digest
        self._memo: dict[Any, Any] = {}
        # ``resolve_symbol``'s answers once every module's facts are loaded (the rules ask ~150 k times per run
        # for a few thousand names); dropped whenever the modules, their names or the aliases change
        self._symbols: dict[str, Optional[tuple[str, str, str]]] = {}
        # ``class_mro``'s answers, kept and dropped with ``_symbols`` (``_forget_symbols``): ~38,000 questions in
        # ``prime`` alone on a large project, for a few thousand classes
        self._mros: dict[str, tuple[tuple[str, Optional[dict[str, Any]]], ...]] = {}
        # Storage: per path, what the manifest knows; facts are loaded only when a rule asks for them.
        self._entries: dict[str, Entry] = {}
        self._facts_loader: Optional[Any] = None
        self._project_digest: Optional[str] = None
        # where project-wide derived facts (``stored_memo``) outlive the run; set by ``build``
        self._derived_path: Optional[str] = None
        self._derived: Optional[dict[str, Any]] = None
        # the process whose run writes the derived facts once, at its end (``deferred_derived``), and whether
        # it has values to write; any other process (a forked worker) writes each value as it derives it
        self._derived_deferred_by: Optional[int] = None
        self._derived_dirty = False
        self._lazy: Optional[_LazyModules] = None
        # import roots (``roots.py``): the units and ``src`` directories that name modules, what the
        # inference found, and the default names of renamed modules (``split`` follows them)
        self._units: frozenset[str] = frozenset()
        self._src: frozenset[str] = frozenset()
        self.roots_report: Optional[RootsReport] = None
        self.aliases: dict[str, str] = {}
        # several services in one repository (``services.py``): service root -> the package name it shares
        self._services: dict[str, str] = {}
        # CPython trees of the files this process extracted, for the lint of the same text (``take_tree``)
        self._handover: Optional[Any] = None

    # -- lazily loaded facts ---------------------------------------------------------------------------
    @property
    def modules(self) -> Any:
        """Module name -> facts. Until something iterates it, a lookup by name reads that one module's
        facts from the store (a run that lints one file touches a handful of modules, not thousands)."""
        if self._modules is None:
            if self._lazy is None:
                self._lazy = _LazyModules(self)
            return self._lazy
        return self._modules

    @modules.setter
    def modules(self, value: dict[str, dict[str, Any]]) -> None:
        self._modules = value
        self._forget_symbols()

    def _forget_symbols(self) -> None:
        """Drop the answers kept for names (``resolve_symbol``'s, ``class_mro``'s): the modules, their names or the
        aliases changed."""
        self._symbols = {}
        self._mros = {}

    def _load_paths(self, paths: list[str]) -> None:
        if self._facts_loader is not None:
            self._facts_loader(self, paths)

    def _materialize(self) -> None:
        self._lazy = None
        loader, self._facts_loader = self._facts_loader, None
        missing = [p for p, e in self._entries.items() if e.facts is None]
        if missing and loader is not None:
            loader(self, missing)
        modules: dict[str, dict[str, Any]] = {}
        by_path: dict[str, str] = {}
        for abspath, e in self._entries.items():
            if e.facts is None:  # could not be read back (damaged store, file gone): extract again
                _reextract(self, abspath, e)
            if e.facts is None:
                continue
            old = by_path.get(abspath)
            if old is not None and old != e.module:
                modules.pop(old, None)
            modules[e.module] = e.facts
            by_path[abspath] = e.module
        self._modules = modules
        self._forget_symbols()

    @property
    def facts_loaded(self) -> bool:
        return self._modules is not None

    def project_digest(self) -> str:
        """A digest of every module's facts: what a rule that read the index can have depended on."""
        if self._project_digest is None:
            h = hashlib.sha256()
            for abspath, e in self._entries.items():
                h.update(f"{abspath}\0{e.module}\0{e.facts_digest}\n".encode())
            self._project_digest = h.hexdigest()
        return self._project_digest

    def entry(self, abspath: str) -> Optional[Entry]:
        """What the index knows about an absolute path (without reading facts)."""
        return self._entries.get(abspath)

    def entry_digest(self, path: str) -> Optional[str]:
        """The content digest the index read for ``path`` (None when the file is not indexed)."""
        e = self._entries.get(os.path.abspath(path))
        return e.digest if e is not None else None

    def parsed_ok(self, path: str, text: str) -> bool:
        """Whether ``text`` is the indexed content of ``path`` and CPython parsed it (no syntax error)."""
        e = self._entries.get(os.path.abspath(path))
        if e is None or not e.parsed:
            return False
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return hashlib.sha256(data).hexdigest() == e.digest

    # -- building ------------------------------------------------------------------------------------
    @classmethod
    @collections_paused  # (its facts all live until the run ends: ground/gc_tuning.py)
    def build(
        cls,
        root: str,
        files: Iterable[str],
        cache_dir: Optional[str] = None,
        read: Optional[Any] = None,
        jobs: int = 0,
        max_size: Optional[int] = None,
        src: Iterable[str] = (),
    ) -> "ProjectIndex":
        """Index ``files``. With ``cache_dir``, reuse the stored facts of files whose size and mtime did
        not change (or whose content did not), extract the others (in parallel when there are many),
        and store the result. Facts of unchanged files stay on disk until a rule asks for them. Files larger
        than ``max_size`` bytes are left out unread."""
        from .store import IndexStore  # (ground.cache and the store, ~30 ms: only a run with a cache directory)

        index = cls(root)
        index._src = frozenset(os.path.normpath(os.path.join(index.root, s)) for s in src)
        store = IndexStore(cache_dir, index.root) if cache_dir else None
        stored = store.manifest() if store is not None else {}
        written = store.written if store is not None else None
        started = time.time_ns()  # (before any stat: a stamp is trusted only when older than this by RACY_NS)
        roots_path = os.path.join(store.cache_dir, f"roots-{store.ident}.json") if store is not None else None
        roots_key = f"{store.key}:{sorted(index._src)}" if store is not None else ""
        stored_roots = load_checked(roots_path, roots_key) if roots_path is not None else None
        previous = RootsReport.from_json(stored_roots.get("report")) if isinstance(stored_roots, dict) else None
        if previous is not None:
            index._units = frozenset(previous.units)
        elif not stored:
            # a cold build: the roots guessed from the files' import lines (without a parse), so that the modules
            # they rename are extracted once, under their names; the roots inferred from the extracted facts
            # decide (``_apply_roots`` extracts again the files a wrong guess named otherwise)
            files = list(files)
            index._units = index._guess_units(files, max_size)
        files = list(files)
        index._find_services(files)
        namer = index._namer()
        todo: list[tuple[str, list, Optional[Entry], tuple[str, bool], Optional[tuple[str, str]]]] = []
        entries: dict[str, Optional[Entry]] = {}
        changed = False
        absolute = abspath_maker()
        for f in files:
            abspath = absolute(f)
            if abspath in entries:
                continue
            try:
                st = os.stat(abspath)
            except OSError:
                continue
            if max_size is not None and st.st_size > max_size:
                continue  # (``max-file-size``: never read, reported as not linted)
            stamp = [st.st_mtime_ns, st.st_size]
            name = namer(abspath)
            entry = stored.get(abspath)
            # a stamp taken within RACY_NS of the file's change may hide a later edit of the same size
            # (coarse mtimes): then the file is read again and its digest compared (``_extract_one``)
            trusted = written is not None and stamp[0] < written - RACY_NS
            if entry is not None and trusted and entry.stamp == stamp and (entry.module, entry.is_package) == name:
                entries[abspath] = entry
                continue
            entries[abspath] = None
            todo.append((abspath, stamp, entry, name, index.module_remap(name[0])))
        if todo:
            changed = True
            from .extract import TreeHandover  # (only files not in the store)

            index._handover = TreeHandover(TREE_BUDGET)
            for abspath, new in _extract_all(todo, jobs, index._handover, store is not None):
                entries[abspath] = new
        for abspath, entry in entries.items():
            if entry is not None:
                index._entries[abspath] = entry
                index.by_path[abspath] = entry.module
                index.sources[entry.module] = entry.digest
        if len(index._entries) != len(stored) or any(p not in stored for p in index._entries):
            changed = True
        if written is None and index._entries:
            changed = True  # (a manifest without its time: store one, so that its stamps can be trusted)
        if all(e.facts is not None for e in index._entries.values()):
            index._modules = None
            index._materialize()
        else:
            index._modules = None
            index._facts_loader = store.load_facts if store is not None else None
        if previous is not None and isinstance(stored_roots, dict) and stored_roots.get("inputs") == index._roots_inputs():
            # the same files with the same absolute imports (whatever else changed in them): the roots stand
            index.roots_report = previous
        else:
            if index._apply_roots(jobs=jobs, keep=store is not None):
                changed = True
            if roots_path is not None and index.roots_report is not None:
                store_checked(roots_path, roots_key, {"inputs": index._roots_inputs(), "report": index.roots_report.to_json()})
        index._set_aliases()
        if store is not None and changed:
            store.save(index, started)
        for e in index._entries.values():
            e.encoded = None  # written, or not to be: not carried into forked workers
        if todo:
            release_freed_memory()  # (the encoded facts just dropped, the pool's buffers: before any fork)
        if store is not None:
            index._derived_path = os.path.join(store.cache_dir, f"derived-{store.ident}.json")
        return index

    def screen_record(self, path: str, text: str) -> Optional[dict[str, Any]]:
        """What the index recorded for the screens (``tree_facts.screen_record``) of ``path`` if ``text`` is the
        very text it indexed and CPython parsed it (``None`` otherwise, or when the file's facts are not loaded:
        no store is read for it)."""
        e = self._entries.get(os.path.abspath(path))
        if e is None or e.facts is None or not e.parsed:
            return None
        record = e.facts.get("screen")
        if record is None:
            return None
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return record if hashlib.sha256(data).hexdigest() == e.digest else None  # type: ignore[no-any-return]

    def take_tree(self, path: str, text: str) -> Optional[Any]:
        """CPython's tree of ``text`` if this process parsed that very text of ``path`` for the index (each
        tree is handed over once; ``None`` otherwise): a file is parsed with ``ast`` once per run."""
        handover = self._handover
        if handover is None or not handover.trees:
            return None
        return handover.take(os.path.abspath(path), text)

    def newer_syntax_paths(self) -> list[str]:
        """The files (absolute paths, sorted) that have no facts because they use syntax newer than the running
        Python's ``ast`` reads, even respelled (``knowledge/newer_syntax.py``): libcst parses them, so they are
        not syntax errors (no BKL900 says anything about them). Reads only the facts of files that did not parse."""
        unparsed = [p for p, e in self._entries.items() if not e.parsed]
        if not unparsed:
            return []
        if self._modules is None:
            self._load_paths([p for p in unparsed if self._entries[p].facts is None])
        return sorted(p for p in unparsed if (self._entries[p].facts or {}).get("newer_syntax"))

    def load_facts(self) -> None:
        """Read every module's facts now (before forking workers, so that they share them)."""
        if self._modules is None:
            self._materialize()

    @classmethod
    def from_sources(cls, root: str, sources: dict[str, str]) -> "ProjectIndex":
        """Build an index from in-memory sources (path -> text); used by tests and ``--stdin-filename``."""
        index = cls(root)
        index._find_services(list(sources))
        for path, text in sources.items():
            index.update_source(path, text)
        index._apply_roots({os.path.abspath(p): t for p, t in sources.items()})
        index._set_aliases()
        return index

    # -- import roots ----------------------------------------------------------------------------------
    def _find_services(self, files: list) -> None:
        """The service roots that share a package name (``services.colliding_services``), from the paths."""
        default = _ModuleNamer(self.root)
        absolute = abspath_maker()
        names = {}
        for f in files:
            abspath = absolute(f)
            if abspath.endswith(".py") and abspath not in names:
                names[abspath] = default(abspath)
        self._services = colliding_services(self.root, names)

    def _namer(self) -> "_ModuleNamer":
        return _ModuleNamer(self.root, self._units, self._src, self._services)

    def name_for(self, path: str) -> tuple[str, bool]:
        """The module name and package flag the index gives the file ``path`` (its import roots, its service):
        what an update of the file (an editor's buffer) extracts it under, with ``module_remap`` of the name."""
        return self._namer()(os.path.abspath(path))

    def module_remap(self, module: str) -> Optional[tuple[str, str]]:
        """How the module ``module`` reads its absolute imports of its service's own package (``app.x`` ->
        ``services.api.app.x``): a module named from its service's path (its package, its tests); not one that an
        import root names otherwise."""
        for service, head in self._services.items():
            prefix = service_prefix(self.root, service)
            if module.startswith(prefix + "."):
                return head, f"{prefix}.{head}"
        return None

    def services(self) -> dict[str, str]:
        """Service root (absolute) -> the package name it shares with other service roots."""
        return dict(self._services)

    def _roots_inputs(self) -> str:
        """What the inferred roots depend on: every file's path and absolute imports (a digest of them, kept in
        the manifest: a file whose imports did not change is not read), and the ``src`` key."""
        h = hashlib.sha256()
        for abspath in sorted(self._entries):
            h.update(f"{abspath}\0{self._entries[abspath].imports_key()}\n".encode())
        h.update(repr(sorted(self._src)).encode())
        return h.hexdigest()

    def _guess_units(self, files: list, max_size: Optional[int]) -> frozenset[str]:
        """The units ``infer_roots`` finds from the import lines of ``files`` (``roots.guess_imports``), every
        file's names taken as unknown: a guess, checked by ``_apply_roots`` once the facts are extracted."""
        default = _ModuleNamer(self.root)
        absolute = abspath_maker()
        names: dict[str, tuple[str, bool]] = {}
        imports: dict[str, list] = {}
        bound: dict[str, Optional[list]] = {}
        for f in files:
            abspath = absolute(f)
            if abspath in names:
                continue
            try:
                with open(abspath, "rb") as fh:
                    raw = fh.read()
            except OSError:
                continue
            if max_size is not None and len(raw) > max_size:
                continue
            names[abspath] = default(abspath)
            imports[abspath], bound[abspath] = guess_imports(raw.decode("utf-8", "replace"))
        if not names:
            return frozenset()
        return frozenset(infer_roots(
            self.root, names, imports.__getitem__, lambda path, module: guessed_defines(bound[path], module), self._src
        ).units)

    def _apply_roots(self, texts: Optional[dict[str, str]] = None, jobs: int = 1, keep: bool = True) -> bool:
        """Infer the import roots from every module's absolute imports; name again (and extract again)
        the files whose name they change, in a pool when there are many (``jobs``, ``keep``: as ``build``'s
        extraction). True when some module was renamed."""
        self.load_facts()
        default = _ModuleNamer(self.root)
        files = {p: default(p) for p in self._entries}
        # the names the inference reads relative imports under: those of the roots' first guess, whatever
        # names the modules were extracted under (``build`` extracts them under guessed roots)
        first = _ModuleNamer(self.root, frozenset(), self._src) if self._src else None

        def imports_of(path: str) -> list:
            facts = self._entries[path].facts
            return facts.get("absolute_imports", []) if facts else []

        def relative_of(path: str) -> list:
            facts = self._entries[path].facts
            return facts.get("relative_imports", []) if facts else []

        def defines(path: str, module: str) -> Optional[set[str]]:
            e = self._entries.get(path)
            facts = e.facts if e is not None else None
            if not facts or not facts.get("parsed"):
                return None
            named, is_package = first(path) if first is not None else files[path]
            spelled = facts.get("import_spellings") or {}
            if any(resolve_relative(named, is_package, level, mod) for level, mod in spelled.get("stars", ())):
                return None
            relative = spelled.get("names", {})
            names = set(facts.get("classes", ())) | set(facts.get("functions", ())) | set(facts.get("assignments", ()))
            for local, target in facts.get("imports", {}).items():  # not what ``openai.py`` imports from ``openai``
                if local in relative:
                    level, mod, name = relative[local]
                    base = resolve_relative(named, is_package, level, mod)
                    target = f"{base}.{name}" if base else name
                if isinstance(target, str) and target != module and not target.startswith(module + "."):
                    names.add(local)
            return names

        from .extract import extract_module  # (every extractor, ~25 ms: only when the roots rename modules)

        split = [p for p, e in self._entries.items() if e.is_package and e.facts and "extend_path" in str(
            (e.facts.get("assignments", {}).get("__path__") or {}).get("value") or "")]
        report = infer_roots(self.root, files, imports_of, defines, self._src, split, relative_of)
        self.roots_report = report
        units = frozenset(report.units)
        if units == self._units:
            report.relative, report.unresolved_relative = relative_report(
                {p: (e.module, e.is_package) for p, e in self._entries.items()}, relative_of)
            return False
        self._units = units
        namer = self._namer()
        renamed = False
        again: list = []  # files on disk to extract again under their new names (a third of a FastAPI group)
        for abspath, e in list(self._entries.items()):
            name = namer(abspath)
            if (e.module, e.is_package) == name:
                continue
            if texts is not None and abspath in texts:
                self._add(abspath, e.digest, extract_module(texts[abspath], abspath, name[0], name[1], remap=self.module_remap(name[0])))
                renamed = True
                continue
            again.append((abspath, e.stamp, None, name, self.module_remap(name[0])))
        for abspath, new in _extract_all(again, jobs, None, keep) if again else ():
            if new is None:
                continue
            self._entries[abspath] = new
            renamed = True
        if renamed:
            self.by_path = {p: e.module for p, e in self._entries.items()}
            self.sources = {e.module: e.digest for e in self._entries.values()}
            self._modules = None
            self._lazy = None
            self._materialize()
            self._memo.clear()
            self._forget_symbols()
            self._project_digest = None
        report.relative, report.unresolved_relative = relative_report(
            {p: (e.module, e.is_package) for p, e in self._entries.items()}, relative_of)
        return renamed

    def _set_aliases(self) -> None:
        """The default name of every module that the roots renamed -> its name (``split`` follows them)."""
        self.aliases = {}
        self._forget_symbols()
        if not self._units and not self._src:
            return
        default = _ModuleNamer(self.root)
        for abspath, e in self._entries.items():
            old = default(abspath)[0]
            service = service_of(abspath, self._services) if self._services else None
            if service is not None and old.split(".")[0] == self._services[service]:
                continue  # (a service's ``app.main``: one of several, never the default of an import elsewhere)
            if old and old != e.module:
                self.aliases.setdefault(old, e.module)

    def update_source(self, path: str, text: str) -> None:
        """Replace one module's facts from new text (an editor buffer, or a file the fixer changed)."""
        from .extract import TreeHandover, extract_module  # (every extractor, ~25 ms: only when a file must be read again)

        abspath = os.path.abspath(path)
        name, is_package = self.name_for(abspath)
        if self._handover is None:
            self._handover = TreeHandover(TREE_BUDGET)
        facts = extract_module(text, abspath, name, is_package, self._handover, remap=self.module_remap(name))
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        self._add(abspath, digest, facts)

    def _add(self, abspath: str, digest: str, facts: dict[str, Any], encoded: Optional[bytes] = None) -> None:
        if self._modules is None:
            self._materialize()  # loads the stored facts first: their order decides name clashes
        modules = self.modules
        name = facts["module"]
        old = self.by_path.get(abspath)
        if old is not None and old != name:
            modules.pop(old, None)
        modules[name] = facts
        self.by_path[abspath] = name
        self.sources[name] = digest
        previous = self._entries.pop(abspath, None)
        stamp = previous.stamp if previous is not None else [0, 0]
        self._entries[abspath] = Entry(
            stamp, digest, _facts_digest(facts, encoded), name, bool(facts.get("is_package")), bool(facts.get("parsed")), facts
        )
        self._memo.clear()
        self._forget_symbols()
        self._project_digest = None
        self._derived = None
        self._derived_dirty = False
        self._derived_path = None  # the stored values describe the project before this change

    # -- queries -------------------------------------------------------------------------------------
    def memo(self, key: Any, factory: Any) -> Any:
        """Memoise a derived fact for the life of the index (cleared when a module changes)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory()
            return value

    def stored_memo(self, key: str, factory: Any, load: Any = None) -> Any:
        """``memo`` for a project-wide derived fact that also outlives the run: stored next to the index,
        valid while every module's facts and backend-lint's code are unchanged. A run that lints one file
        (pre-commit) then reads a word list instead of deriving it from every module's facts. ``factory``
        returns JSON-able data (lists, dicts, strings); ``load`` rebuilds the value from the stored JSON."""
        memo_key = ("stored", key)
        try:
            return self._memo[memo_key]
        except KeyError:
            pass
        stored = self._read_derived()
        raw = stored.get(key) if stored is not None else None
        if raw is not None:
            try:
                value = load(raw) if load is not None else raw
            except (TypeError, ValueError):
                value = None
            if value is not None:
                self._memo[memo_key] = value
                return value
        value = self._memo[memo_key] = factory()
        if stored is not None:
            stored[key] = sorted(value) if isinstance(value, (set, frozenset)) else value
            if self._derived_deferred_by == os.getpid():
                self._derived_dirty = True
            else:
                self._write_derived(stored)
        return value

    @contextmanager
    def deferred_derived(self) -> Iterator[None]:
        """Within: ``stored_memo`` writes the derived-facts file once, on leaving (or at ``flush_derived``),
        instead of once per value it derives (each write is the whole file, ~0.8 MB on a large project)."""
        outer = self._derived_deferred_by
        self._derived_deferred_by = os.getpid()
        try:
            yield
        finally:
            self.flush_derived()
            self._derived_deferred_by = outer

    def flush_derived(self) -> None:
        """Write the derived values that this process holds back (``deferred_derived``), if any."""
        if self._derived_dirty and self._derived_deferred_by == os.getpid():
            self._derived_dirty = False
            if self._derived is not None:
                self._write_derived(self._derived)

    def _derived_key(self) -> str:
        return f"{self.project_digest()}:{code_digest()}"

    def _read_derived(self) -> Optional[dict[str, Any]]:
        if self._derived_path is None:
            return None
        if self._derived is None:
            self._derived = {}
            data = load_checked(self._derived_path, self._derived_key())  # (verified: checksum and key)
            if isinstance(data, dict) and isinstance(data.get("values"), dict):
                self._derived = data["values"]
        return self._derived

    def _write_derived(self, values: dict[str, Any]) -> None:
        if self._derived_path is None:
            return
        store_checked(self._derived_path, self._derived_key(), {"values": values})  # a concurrent run may lose a key: it is derived again

    def module_info(self, path: str) -> Optional[tuple[str, bool]]:
        e = self._entries.get(os.path.abspath(path))
        if e is None:
            return None
        return e.module, e.is_package

    def module_for_path(self, path: str) -> Optional[dict[str, Any]]:
        name = self.by_path.get(os.path.abspath(path))
        return self.modules.get(name) if name else None

    def digest_of(self, qualified_module: str) -> Optional[str]:
        return self.sources.get(qualified_module)

    def split(self, qualified: str) -> Optional[tuple[str, str]]:
        """``"app.models.Item"`` -> ``("app.models", "Item")`` for the longest known module prefix."""
        parts = qualified.split(".")
        aliases = self.aliases
        for i in range(len(parts) - 1, 0, -1):
            mod = ".".join(parts[:i])
            if mod in self.modules:
                return mod, ".".join(parts[i:])
            if aliases:  # a module's default name, where the import roots renamed it
                renamed = aliases.get(mod)
                if renamed is not None and renamed in self.modules:
                    return renamed, ".".join(parts[i:])
        return None

    def resolve_symbol(self, qualified: str, _depth: int = 0) -> Optional[tuple[str, str, str]]:
        """Follow re-exports: returns (module, name, kind) where kind is class/function/assignment."""
        if _depth == 0 and self._modules is not None:  # (every module loaded: the answer is kept, see ``_symbols``)
            try:
                return self._symbols[qualified]
            except KeyError:
                found = self._symbols[qualified] = self._resolve_symbol(qualified, 0)
                return found
        return self._resolve_symbol(qualified, _depth)

    def _resolve_symbol(self, qualified: str, _depth: int) -> Optional[tuple[str, str, str]]:
        if _depth > 10:
            return None
        split = self.split(qualified)
        if split is None:
            return None
        mod, name = split
        facts = self.modules[mod]
        head, _, rest = name.partition(".")
        if rest:
            return None
        for kind in ("classes", "functions", "assignments"):
            if head in facts.get(kind, {}):
                if kind == "assignments":
                    aliased = self._class_alias(mod, head, _depth)
                    if aliased is not None:
                        return aliased
                return mod, head, kind
        target = facts.get("imports", {}).get(head)
        if target and target != qualified:
            return self.resolve_symbol(target, _depth + 1)
        star = self.star_source(mod, head)
        if star is not None:
            return self.resolve_symbol(f"{star}.{head}", _depth + 1)
        return None

    def _class_alias(self, mod: str, name: str, _depth: int) -> Optional[tuple[str, str, str]]:
        """The project class a module-level name is another name for (``Table = EventsTable``, also
        ``Item = models.Item``), so that ``events.Table`` is the model wherever a class is resolved; ``None``
        for any other value (a call, a subscript, a name that is not a project class)."""
        value = self.modules[mod]["assignments"][name].get("value")
        if not isinstance(value, str) or not _DOTTED_NAME.match(value) or value == name:
            return None
        target = self.name_in_module(mod, value)
        if target is None or target == f"{mod}.{name}":
            return None
        found = self.resolve_symbol(target, _depth + 1)
        return found if found is not None and found[2] == "classes" else None

    def exports(self, module: str, name: str, _depth: int = 0) -> bool:
        """Whether ``from module import *`` binds ``name``: its ``__all__`` when it has one, else its public
        top-level names (and what its own star imports bring)."""
        facts = self.modules.get(module) if module in self.modules else None
        if facts is None or _depth > 10:
            return False
        dunder_all = facts.get("all")
        if dunder_all is not None:
            return name in dunder_all
        if name.startswith("_"):
            return False
        if any(name in facts.get(kind, {}) for kind in ("classes", "functions", "assignments", "imports")):
            return True
        return any(self.exports(star, name, _depth + 1) for star in facts.get("star_imports", ()))

    def star_source(self, module: str, name: str) -> Optional[str]:
        """The project module whose ``*`` gives ``module`` the name ``name`` (the last such import wins, as in
        Python), or ``None``."""
        facts = self.modules.get(module) if module in self.modules else None
        for star in reversed((facts or {}).get("star_imports", ())):
            if self.exports(star, name):
                return star
        return None

    def project_function(self, qualified: Optional[str]) -> Optional[tuple[str, str]]:
        """``(module, name)`` of the project function ``qualified`` names, following re-exports (``resolve_symbol``);
        ``None`` for a class, an assignment, a name outside the project, or no name (``None`` / ``""``)."""
        found = self.resolve_symbol(qualified) if qualified else None
        return (found[0], found[1]) if found is not None and found[2] == "functions" else None

    def get_class(self, qualified: str) -> Optional[tuple[str, dict[str, Any]]]:
        """(canonical qualified name, class facts) for a project class, following re-exports."""
        found = self.resolve_symbol(qualified)
        if found is None or found[2] != "classes":
            return None
        mod, name, _ = found
        return f"{mod}.{name}", self.modules[mod]["classes"][name]

    def canonical(self, qualified: str) -> str:
        found = self.resolve_symbol(qualified)
        return f"{found[0]}.{found[1]}" if found else qualified

    def class_mro(self, qualified: str) -> tuple[tuple[str, Optional[dict[str, Any]]], ...]:
        """The class and its bases, depth first, each once. External bases come with ``None`` facts. Kept, as
        ``resolve_symbol``'s answers are, once every module is loaded (a tuple: the callers share it)."""
        if self._modules is None:
            return self._class_mro(qualified)
        try:
            return self._mros[qualified]
        except KeyError:
            found = self._mros[qualified] = self._class_mro(qualified)
            return found

    def _class_mro(self, qualified: str) -> tuple[tuple[str, Optional[dict[str, Any]]], ...]:
        out: list[tuple[str, Optional[dict[str, Any]]]] = []
        seen: set[str] = set()

        def visit(q: str, depth: int) -> None:
            if depth > 30:
                return
            found = self.get_class(q)
            name = found[0] if found else q
            if name in seen:
                return
            seen.add(name)
            out.append((name, found[1] if found else None))
            if found:
                module = name.rpartition(".")[0]
                for base in found[1].get("bases", []):
                    if base:
                        # a bare base is one a star import binds (the extractor had no project to say from where)
                        visit(("." not in base and self.name_in_module(module, base)) or base, depth + 1)
            elif depth:
                made = self._made_base(q)
                if made is not None:
                    visit(made, depth + 1)

        visit(qualified, 0)
        del visit  # (a recursive closure: a reference cycle per call, left to the collector)
        return tuple(out)

    def _made_base(self, qualified: str) -> Optional[str]:
        """The project class a declarative base made by a call was given (``Base = declarative_base(cls=ModelBase)``,
        Flask-SQLAlchemy's ``db = SQLAlchemy(model_class=ModelBase)`` read as ``db.Model``, also through a module-level
        alias ``Model = db.Model``): its methods are the models' (``Item.get(id)``). ``None`` otherwise."""
        return self.memo(("index.made_base", qualified), lambda: self._find_made_base(qualified, 0))

    def _find_made_base(self, qualified: str, depth: int) -> Optional[str]:
        if depth > 4 or "." not in qualified:
            return None
        found = self.resolve_symbol(qualified)
        if found is None:
            head, _, attr = qualified.rpartition(".")
            holder = self.resolve_symbol(head) if attr == "Model" else None
            if holder is None or holder[2] != "assignments":
                return None
            return self._factory_class(holder[0], holder[1], ("SQLAlchemy",), "model_class")
        mod, name, kind = found
        if kind != "assignments":
            return None
        made = self._factory_class(mod, name, ("declarative_base", "as_declarative"), "cls")
        if made is not None:
            return made
        value = self.modules[mod]["assignments"][name].get("value")
        if isinstance(value, str) and value.replace(".", "").replace("_", "").isalnum():
            target = self.name_in_module(mod, value)
            return self._find_made_base(target, depth + 1) if target and target != qualified else None
        return None

    def _factory_class(self, mod: str, name: str, factories: tuple[str, ...], keyword: str) -> Optional[str]:
        call = self.modules[mod].get("extra", {}).get("orm", {}).get("calls", {}).get(name)
        if not call or (call.get("func") or "").rsplit(".", 1)[-1] not in factories:
            return None
        given = (call.get("kwargs") or {}).get(keyword)
        target = self.name_in_module(mod, given) if isinstance(given, str) else None
        found = self.get_class(target) if target else None
        return found[0] if found is not None else None

    def name_in_module(self, mod: str, dotted: str) -> Optional[str]:
        """The qualified name a dotted name written in module ``mod`` has (its imports, its own names)."""
        head, _, rest = dotted.partition(".")
        if not head.isidentifier():
            return None
        facts = self.modules[mod]
        if head in facts.get("imports", {}):
            base = facts["imports"][head]
        elif any(head in facts.get(kind, {}) for kind in ("classes", "functions", "assignments")):
            base = f"{mod}.{head}"
        else:
            star = self.star_source(mod, head)  # ``from .base import *`` binds it
            if star is None:
                return None
            base = f"{star}.{head}"
        return f"{base}.{rest}" if rest else base

    def iter_classes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for mod, facts in self.modules.items():
            for name, cls in facts.get("classes", {}).items():
                yield f"{mod}.{name}", cls

    def module_names(self) -> Iterable[str]:
        """Every module's name, from the manifest (no facts read)."""
        if self._modules is not None:
            return self._modules.keys()
        return {e.module for e in self._entries.values()}

    def iter_modules(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return iter(self.modules.items())


class _LazyModules(Mapping):
    """The index's modules before they are all read: ``in`` needs the manifest only, ``[name]`` reads one
    module's facts, and iterating reads them all (once; the index then holds a plain dict)."""

    def __init__(self, index: ProjectIndex) -> None:
        self._index = index
        self._paths: dict[str, str] = {}
        for abspath, e in index._entries.items():  # the order of ``_materialize``: last one wins a clash
            self._paths[e.module] = abspath

    def _full(self) -> dict[str, dict[str, Any]]:
        index = self._index
        if index._modules is None:
            index._materialize()
        return index._modules  # type: ignore[return-value]

    def __contains__(self, name: object) -> bool:
        if self._index._modules is not None:
            return name in self._index._modules
        return name in self._paths

    def __getitem__(self, name: str) -> dict[str, Any]:
        index = self._index
        if index._modules is not None:
            return index._modules[name]
        abspath = self._paths[name]
        e = index._entries.get(abspath)
        if e is not None and e.facts is None:
            index._load_paths([abspath])
        if e is None or e.facts is None or e.facts.get("module") != name:
            return self._full()[name]  # damaged or missing: the full path extracts again
        return e.facts

    def __iter__(self) -> Iterator[str]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())

    def keys(self) -> Any:
        return self._full().keys()

    def items(self) -> Any:
        return self._full().items()

    def values(self) -> Any:
        return self._full().values()


def _decode(raw: bytes) -> Optional[str]:
    from ...ground.io import SourceReadError, decode_source  # (~50 ms with its codecs: only files not in the store)

    try:
        return decode_source("", raw).text
    except SourceReadError:
        return None


def _facts_digest(facts: dict[str, Any], encoded: Optional[bytes] = None) -> str:
    return hashlib.sha256(encoded if encoded is not None else encode_facts(facts)).hexdigest()


def _extract_one(
    abspath: str, stamp: list, stored: Optional[Entry], name: tuple[str, bool], root: str, handover: Optional[Any] = None, keep: bool = True,
    remap: Optional[tuple[str, str]] = None,
) -> Optional[Entry]:
    try:
        with open(abspath, "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    digest = hashlib.sha256(raw).hexdigest()
    if stored is not None and stored.digest == digest and (stored.module, stored.is_package) == name:
        # touched, not changed: keep the facts (still on disk if they were not loaded)
        return Entry(
            stamp, digest, stored.facts_digest, stored.module, stored.is_package, stored.parsed, stored.facts, stored.in_base,
            imports_digest=stored.imports_digest,
        )
    from .extract import extract_module  # (every extractor, ~25 ms: only files not in the store)

    text = _decode(raw)
    if text is None:
        return None
    facts = extract_module(text, abspath, name[0], name[1], handover, remap=remap)
    encoded = encode_facts(facts)
    # ``keep``: whether the store will write the encoded facts (without a store, a pool's worker does not send
    # them back beside the facts: half the bytes its parent unpickles)
    return Entry(stamp, digest, _facts_digest(facts, encoded), name[0], name[1], bool(facts.get("parsed")), facts, encoded=encoded if keep else None)


def _extract_batch(root: str, items: list, handover: Optional[Any] = None, keep: bool = True) -> list:
    out = []
    for abspath, stamp, stored, name, remap in items:
        out.append((abspath, _extract_one(abspath, stamp, stored, name, root, handover, keep, remap)))
    return out


_PARALLEL_MIN = 200  # below this many files to extract, a process pool costs more than it saves


# Characters of source whose CPython trees an index extracted in this process keeps for the lint (about
# 24 MB of trees): a changed file of a warm run, a small project, the first files of a ``-j 1`` run.
TREE_BUDGET = 1_000_000


def pool_start_method() -> str:
    """How a pool starts its workers: forked (they share what this process has loaded) when this process
    runs one thread. ``fork`` copies only the calling thread: a lock another thread holds at that moment (an
    import in progress, a logger, a stream buffer) stays held in the child forever, and the pool waits on a
    worker that never starts. The language server builds its first index on a thread beside its event
    loop, so there the workers start from a fresh interpreter (``spawn``)."""
    if sys.platform == "win32" or threading.active_count() > 1:
        return "spawn"
    return "fork"


def _extract_all(todo: list, jobs: int, handover: Optional[Any] = None, keep: bool = True) -> list:
    """Extract ``todo`` here or, when there are many, in a pool (whose trees stay in its processes);
    ``handover`` keeps the trees of the files extracted here; ``keep``: a store will write the encoded facts."""
    jobs = jobs or (os.cpu_count() or 1)
    root = ""
    if jobs <= 1 or len(todo) < _PARALLEL_MIN:
        return _extract_batch(root, todo, handover)
    import multiprocessing  # (~25 ms: only an extraction large enough for a pool)
    from concurrent.futures import ProcessPoolExecutor  # (~30 ms: the same)

    # chunks of about equal work (dealt round robin by size), many more than workers
    order = sorted(todo, key=lambda t: -t[1][1])
    count = max(jobs, min(len(order), max(jobs * 8, len(order) // 32)))
    chunks: list[list] = [[] for _ in range(count)]
    for k, item in enumerate(order):
        chunks[k % count].append(item)
    ctx = multiprocessing.get_context(pool_start_method())
    out: list = []
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=tune_gc) as pool:
            for part in pool.map(_extract_batch, [root] * len(chunks), chunks, [None] * len(chunks), [keep] * len(chunks)):
                out.extend(part)
    except Exception:  # a broken pool (resources, pickling): do it here
        return _extract_batch(root, todo, handover)
    by_path = dict(out)
    return [(t[0], by_path.get(t[0])) for t in todo]


def _reextract(index: "ProjectIndex", abspath: str, e: Entry) -> None:
    new = _extract_one(abspath, e.stamp, None, (e.module, e.is_package), index.root, remap=index.module_remap(e.module))
    if new is None:
        return
    e.facts = new.facts
    e.digest = new.digest
    e.facts_digest = new.facts_digest
    e.imports_digest = None
    e.parsed = new.parsed
    e.in_base = False
    index._project_digest = None


class _ModuleNamer:
    """``module_name_for`` with the per-directory work (``__init__.py`` lookups, ``resolve``) done once
    per directory instead of once per file (a test holds the two to the same answers)."""

    def __init__(self, root: str, units: frozenset[str] = frozenset(), src: frozenset[str] = frozenset(),
                 services: Optional[dict[str, str]] = None) -> None:
        self.root = root
        self._services = services or {}  # (``services.py``: the files of a shared package name are named by their path)
        self._chains: dict[str, list[str]] = {}
        self._rel: dict[str, Optional[list[str]]] = {}
        self._resolved_root: Optional[Path] = None
        # import roots (``roots.py``): a file under a unit or a ``src`` directory is named from it
        self._units = units
        self._src = src
        self._bases: dict[str, Optional[str]] = {}
        self._prefixes: dict[str, str] = {}  # a directory in a package -> its dotted name ("" outside packages)

    def _from_roots(self, abspath: str, directory: str, base: str) -> Optional[tuple[str, bool]]:
        if not self._units and not self._src:
            return None
        if abspath in self._units:
            start: Optional[str] = directory
        else:
            start = self._bases.get(directory, "")  # type: ignore[assignment]
            if start == "":
                start = self._bases[directory] = base_dir_for(directory, self._units, self._src, os.path.dirname(self.root))
        if start is None:
            return None
        return dotted_under(directory, start, base)

    def _chain(self, directory: str) -> list[str]:
        """Names of ``directory`` and its parents up to the first one without ``__init__.py``."""
        found = self._chains.get(directory)
        if found is None:
            if os.path.isfile(os.path.join(directory, "__init__.py")):
                parent = os.path.dirname(directory)
                found = [os.path.basename(directory)] + (self._chain(parent) if parent != directory else [])
            else:
                found = []
            self._chains[directory] = found
        return found

    def _rel_parts(self, directory: str) -> Optional[list[str]]:
        if directory not in self._rel:
            if self._resolved_root is None:
                self._resolved_root = Path(self.root).resolve()
            try:
                rel = Path(directory).resolve().relative_to(self._resolved_root)
                parts: Optional[list[str]] = [x for x in rel.parts]
                if parts and parts[0] == "src":
                    parts = parts[1:]
            except (ValueError, OSError):
                parts = None
            self._rel[directory] = parts
        return self._rel[directory]

    def __call__(self, abspath: str) -> tuple[str, bool]:
        named = self._name(abspath)
        if self._services:
            return service_name(self.root, abspath, named, self._services) or named
        return named

    def _name(self, abspath: str) -> tuple[str, bool]:
        directory, _, base = abspath.rpartition(os.sep)
        if not directory or directory[-1] == os.sep or os.altsep is not None:
            directory, base = os.path.split(abspath)
        if not base.endswith(".py") or not directory:
            return module_name_for(abspath, self.root)
        if not self._units and not self._src:  # (the usual case: the directory's dotted name, once per directory)
            prefix = self._prefixes.get(directory)
            if prefix is None:
                chain = self._chain(directory)
                prefix = self._prefixes[directory] = ".".join(reversed(chain)) if chain else ""
            if prefix:
                return (prefix, True) if base == "__init__.py" else (f"{prefix}.{base[:-3]}" if base != ".py" else prefix, False)
        named = self._from_roots(abspath, directory, base)
        if named is not None:
            return named
        is_package = base == "__init__.py"
        own = [] if is_package else [base[:-3]]
        chain = self._chain(directory)
        if chain:
            parts = own + chain
        else:
            if os.path.islink(abspath):
                return module_name_for(abspath, self.root)
            rel = self._rel_parts(directory)
            parts = own + list(reversed(rel)) if rel is not None else own
        return ".".join(reversed([x for x in parts if x])), is_package
