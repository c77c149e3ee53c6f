"""The stored project index: a small manifest read on every run, facts read only when a rule needs them.

Files in the cache directory (one set per project root and per version of the extraction code):

- ``index-<id>.json``: a framed file (see ``cache.py``: a header line with the sha256 of each section)
  holding the manifest (per file: mtime, size, content digest, facts digest, module name, whether it
  parsed, where its facts live, a digest of its absolute imports) and a *delta*: the facts of files that
  changed since the base was written;
- ``index-<id>-<sha>.facts.json``: the *base*, every module's facts at some point, written whole and
  never modified (a new base gets a new name): a section listing the paths, then one section per
  module, so that a run that needs a few modules decodes only those.

A warm run reads the manifest only. A run that changed a few files rewrites the manifest and the delta
(small) and leaves the base alone; when the delta grows past an eighth of the project, the base is
rewritten. Anything that fails its checksum or cannot be read is extracted again from the source file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import TYPE_CHECKING, Optional

from ...ground.cache import Framed, code_digest, write_framed
from .entry import EXTRACTION_CODE, Entry, encode_facts

if TYPE_CHECKING:  # pragma: no cover
    from . import ProjectIndex


class IndexStore:
    def __init__(self, cache_dir: str, root: str) -> None:
        self.cache_dir = cache_dir
        self.key = f"{code_digest(EXTRACTION_CODE)}:py{sys.version_info[0]}.{sys.version_info[1]}"
        ident = hashlib.sha256(f"{os.path.abspath(root)}|{self.key}".encode()).hexdigest()[:16]
        self.ident = ident
        self.path = os.path.join(cache_dir, f"index-{ident}.json")
        self._framed: Optional[Framed] = None
        self._base_name: Optional[str] = None
        self._delta: Optional[dict] = None
        self._base_framed: Optional[Framed] = None
        self._base_where: dict[str, int] = {}
        self.written: Optional[int] = None  # when the stored manifest's stamps were taken (ns), if known

    # -- reading --------------------------------------------------------------------------------------
    def manifest(self) -> dict[str, "Entry"]:
        framed = Framed.read(self.path, self.key)
        if framed is None:
            return {}
        rows = framed.section(0)
        if not isinstance(rows, dict):
            return {}
        self._framed = framed
        written = framed.header.get("written")
        self.written = written if isinstance(written, int) else None
        base = framed.header.get("base")
        self._base_name = base if isinstance(base, str) and "/" not in base and "\\" not in base else None
        out: dict[str, Entry] = {}
        for path, row in rows.items():
            try:
                mtime, size, digest, facts_digest, module, is_package, parsed, in_base, imports = row
                if not isinstance(imports, str):
                    continue  # (what the roots read of the file unknown: extracted again)
                out[path] = Entry(
                    [int(mtime), int(size)], str(digest), str(facts_digest), str(module), bool(is_package),
                    bool(parsed), None, bool(in_base) and self._base_name is not None, imports_digest=imports,
                )
            except (TypeError, ValueError):
                continue
        return out

    def _delta_facts(self) -> dict:
        if self._delta is None:
            delta = self._framed.section(1) if self._framed is not None else None
            self._delta = delta if isinstance(delta, dict) else {}
        return self._delta

    def load_facts(self, index: "ProjectIndex", paths: list[str]) -> None:
        """Fill in the facts of ``paths`` from the base and the delta (what fails stays ``None``)."""
        want_base = [p for p in paths if index._entries[p].in_base]
        base, where = self._base() if want_base else (None, {})
        delta = self._delta_facts() if len(want_base) < len(paths) else {}
        for p in paths:
            e = index._entries[p]
            if e.in_base:
                i = where.get(p)
                facts = base.section(i) if base is not None and i is not None else None
            else:
                facts = delta.get(p)
            if isinstance(facts, dict) and facts.get("module") == e.module:
                e.facts = facts

    def _base(self) -> tuple[Optional[Framed], dict[str, int]]:
        """The base file (read once; a section per module, each checked and decoded only when asked
        for) and the section of each path."""
        if self._base_framed is None and self._base_name is not None:
            framed = Framed.open(os.path.join(self.cache_dir, self._base_name), self.key)  # (sections read when asked for)
            paths = framed.section(0) if framed is not None else None
            if isinstance(paths, list):
                self._base_framed = framed
                self._base_where = {p: i + 1 for i, p in enumerate(paths) if isinstance(p, str)}
        return self._base_framed, self._base_where

    # -- writing --------------------------------------------------------------------------------------
    def save(self, index: "ProjectIndex", written: Optional[int] = None) -> None:
        """Store ``index``; ``written``: when its stamps were taken (before any file was stat'ed)."""
        entries = index._entries
        in_delta = [p for p, e in entries.items() if not e.in_base]
        compact = self._base_name is None or len(in_delta) > max(64, len(entries) // 8)
        if compact:
            index.load_facts()
            paths = [p for p, e in entries.items() if e.facts is not None]
            sections = [json.dumps(paths, separators=(",", ":")).encode()]
            sections += [entries[p].encoded or encode_facts(entries[p].facts) for p in paths]
            h = hashlib.sha256(sections[0])
            for s in sections[1:]:  # (the digest of the sections joined by newlines, without joining them)
                h.update(b"\n")
                h.update(s)
            digest = h.hexdigest()
            base_name = f"index-{self.ident}-{digest[:16]}.facts.json"
            if not write_framed(os.path.join(self.cache_dir, base_name), {"key": self.key}, sections, sized=True):
                return
            self._base_framed, self._base_where = None, {}
            for e in entries.values():
                e.in_base = e.facts is not None
            delta: dict = {}
        else:
            base_name = self._base_name
            old_delta = self._delta_facts()
            delta = {}
            for p in in_delta:
                e = entries[p]
                f = e.facts if e.facts is not None else old_delta.get(p)
                if isinstance(f, dict):
                    delta[p] = f
        rows = {p: e.row() for p, e in entries.items() if e.in_base or p in delta}
        manifest = json.dumps(rows, separators=(",", ":")).encode()
        body = json.dumps(delta, separators=(",", ":")).encode()
        if write_framed(self.path, {"key": self.key, "base": base_name, "written": written}, [manifest, body]) and compact:
            self._remove_old_bases(base_name)
        self._base_name = base_name

    def _remove_old_bases(self, keep: str) -> None:
        prefix = f"index-{self.ident}-"
        try:
            names = os.listdir(self.cache_dir)
        except OSError:
            return
        for name in names:
            if name.startswith(prefix) and name.endswith(".facts.json") and name != keep:
                try:
                    os.unlink(os.path.join(self.cache_dir, name))
                except OSError:
                    pass
