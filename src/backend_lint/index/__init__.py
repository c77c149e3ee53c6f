"""The project index: facts about every module of the project, built once per run.

Rules that need to know the project (models and their columns in ``models.py``, schemas, dependency
aliases in ``deps.py``, migration graphs) ask the index instead of parsing other files. The index is
built from the project root's files (not only the linted ones: a pre-commit run on one file still sees the
models), with ``ast`` only, and stored on disk keyed by each file's content, so a second run and the
flake8 plugin reuse it and only changed files are read again. The linted code is never imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from .extract import FACTS_VERSION, extract_module, extractors_key
from ..semantics.modules import module_name_for


class ProjectIndex:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.modules: dict[str, dict[str, Any]] = {}
        self.by_path: dict[str, str] = {}
        self.sources: dict[str, str] = {}  # module -> content digest
        self._memo: dict[Any, Any] = {}

    # -- building ------------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        root: str,
        files: Iterable[str],
        cache_dir: Optional[str] = None,
        read: Optional[Any] = None,
    ) -> "ProjectIndex":
        from .. import __version__

        index = cls(root)
        stored: dict[str, Any] = {}
        cache_path = None
        key = f"{__version__}:{FACTS_VERSION}:{extractors_key()}"
        if cache_dir:
            digest = hashlib.sha256(f"{index.root}|{key}".encode()).hexdigest()[:16]
            cache_path = os.path.join(cache_dir, f"index-{digest}.json")
            stored = _load_json(cache_path, key)
        new_store: dict[str, Any] = {}
        changed = False
        for f in files:
            abspath = os.path.abspath(f)
            try:
                st = os.stat(abspath)
            except OSError:
                continue
            entry = stored.get(abspath)
            stamp = [st.st_mtime_ns, st.st_size]
            if entry is not None and entry.get("stamp") == stamp:
                new_store[abspath] = entry
                index._add(abspath, entry["digest"], entry["facts"])
                continue
            try:
                with open(abspath, "rb") as fh:
                    raw = fh.read()
            except OSError:
                continue
            digest = hashlib.sha256(raw).hexdigest()
            if entry is not None and entry.get("digest") == digest:
                entry = dict(entry, stamp=stamp)
            else:
                text = _decode(raw)
                name, is_package = module_name_for(abspath, index.root)
                facts = extract_module(text, abspath, name, is_package) if text is not None else None
                if facts is None:
                    continue
                entry = {"stamp": stamp, "digest": digest, "facts": facts}
            changed = True
            new_store[abspath] = entry
            index._add(abspath, entry["digest"], entry["facts"])
        if cache_path and (changed or set(new_store) != set(stored)):
            _store_json(cache_path, key, new_store)
        return index

    @classmethod
    def from_sources(cls, root: str, sources: dict[str, str]) -> "ProjectIndex":
        """Build an index from in-memory sources (path -> text); used by tests and ``--stdin-filename``."""
        index = cls(root)
        for path, text in sources.items():
            abspath = os.path.abspath(path)
            name, is_package = module_name_for(abspath, index.root)
            facts = extract_module(text, abspath, name, is_package)
            index._add(abspath, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), facts)
        return index

    def update_source(self, path: str, text: str) -> None:
        """Replace one module's facts from new text (an editor buffer, or a file the fixer changed)."""
        abspath = os.path.abspath(path)
        name, is_package = module_name_for(abspath, self.root)
        facts = extract_module(text, abspath, name, is_package)
        self._add(abspath, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), facts)

    def _add(self, abspath: str, digest: str, facts: dict[str, Any]) -> None:
        name = facts["module"]
        old = self.by_path.get(abspath)
        if old is not None and old != name:
            self.modules.pop(old, None)
        self.modules[name] = facts
        self.by_path[abspath] = name
        self.sources[name] = digest
        self._memo.clear()

    # -- queries -------------------------------------------------------------------------------------
    def memo(self, key: Any, factory: Any) -> Any:
        """Memoise a derived fact for the life of the index (cleared when a module changes)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory()
            return value

    def module_info(self, path: str) -> Optional[tuple[str, bool]]:
        name = self.by_path.get(os.path.abspath(path))
        if name is None:
            return None
        return name, bool(self.modules[name].get("is_package"))

    def module_for_path(self, path: str) -> Optional[dict[str, Any]]:
        name = self.by_path.get(os.path.abspath(path))
        return self.modules.get(name) if name else None

    def digest_of(self, qualified_module: str) -> Optional[str]:
        return self.sources.get(qualified_module)

    def split(self, qualified: str) -> Optional[tuple[str, str]]:
        """``"app.models.Item"`` -> ``("app.models", "Item")`` for the longest known module prefix."""
        parts = qualified.split(".")
        for i in range(len(parts) - 1, 0, -1):
            mod = ".".join(parts[:i])
            if mod in self.modules:
                return mod, ".".join(parts[i:])
        return None

    def resolve_symbol(self, qualified: str, _depth: int = 0) -> Optional[tuple[str, str, str]]:
        """Follow re-exports: returns (module, name, kind) where kind is class/function/assignment."""
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
                return mod, head, kind
        target = facts.get("imports", {}).get(head)
        if target and target != qualified:
            return self.resolve_symbol(target, _depth + 1)
        return None

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

    def class_mro(self, qualified: str) -> list[tuple[str, Optional[dict[str, Any]]]]:
        """The class and its bases, depth first, each once. External bases come with ``None`` facts."""
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
                for base in found[1].get("bases", []):
                    if base:
                        visit(base, depth + 1)

        visit(qualified, 0)
        return out

    def iter_classes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for mod, facts in self.modules.items():
            for name, cls in facts.get("classes", {}).items():
                yield f"{mod}.{name}", cls

    def iter_modules(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return iter(self.modules.items())


def _decode(raw: bytes) -> Optional[str]:
    from ..fixes import SourceReadError, decode_source

    try:
        return decode_source("", raw).text
    except SourceReadError:
        return None


def _load_json(path: str, key: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("files"), dict):
        return {}
    return data["files"]


def _store_json(path: str, key: str, files: dict[str, Any]) -> None:
    try:
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        ignore = os.path.join(directory, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("# Created by backend-lint automatically.\n*\n")
        fd, tmp = tempfile.mkstemp(prefix=".index-", dir=os.path.dirname(path))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "files": files}, fh)
        os.replace(tmp, path)
    except OSError:
        pass
