"""On-disk caches: the per-file result cache, and the framing shared with the stored project index.

**Result cache.** A file's findings are reused when nothing they can depend on changed. The key of one
file is:

- the sha256 of its bytes (taken from the project index, which re-reads a file whose size or mtime
  changed, or computed here),
- the run's key: backend-lint's own code (a digest of the package's sources, so an edited rule never
  serves stale findings in development either), the Python version, the effective settings, the selected
  codes and the content of every other file a run reads (``ground/inputs.py``: dependency pins, nested
  requirement files, ``alembic.ini``, ``env.py``, configuration files, ``.gitignore``) in the directories
  of the linted and indexed files and their ancestors,
- the file's module name (it decides how relative imports resolve),
- and, only for files whose rules actually read the project index while linting them, a digest of the
  facts of every module of the project. The engine records that read (``FileResult.uses_project``); a
  file whose rules never looked at the index cannot change when another module does. Facts are what
  the index extracts (classes, fields, imports, signatures...), not the text: an edited function body
  that changes no module's facts invalidates nothing else.

Findings are stored, not only "clean", so warm runs with findings are instant too. Files with internal
errors and files that a fix rewrote are never stored.

**Safety.** Every cache file is written to a temporary file and renamed into place (concurrent runs
never see half a file; the last writer wins, after merging the entries it did not have). Its first line
is a header with a sha256 of each following section: a file that fails the check, does not parse, or
has the wrong shape is ignored and rebuilt, never trusted. Entries are validated one by one on use. Every other stored artifact (the project listing, the derived
project facts) goes through ``store_checked`` / ``load_checked``: the same framing, verified before use.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import zlib
from typing import Any, Iterable, Optional

from .. import __version__
from ..values import Applicability, Diagnostic, Fix, Location, ResolvedEdit
from .inputs import inputs_stamp
from .io import write_atomically

FORMAT = 3
DEFAULT_CACHE_DIR = ".backend_lint_cache"  # in the project root

_code_digests: dict[tuple[str, ...], str] = {}


def code_digest(parts: Iterable[str] = ("",)) -> str:
    """sha256 over the sources of backend-lint under the given package sub-paths ("" = everything)."""
    key = tuple(parts)
    found = _code_digests.get(key)
    if found is not None:
        return found
    base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the package root
    h = hashlib.sha256()
    names: list[str] = []
    for part in key:
        top = os.path.join(base, part)
        if os.path.isfile(top):
            names.append(part)
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            rel = os.path.relpath(dirpath, base)
            names.extend(os.path.normpath(os.path.join(rel, f)) for f in filenames if f.endswith(".py"))
    for name in sorted(set(names)):
        try:
            with open(os.path.join(base, name), "rb") as fh:
                data = fh.read()
        except OSError:
            data = b"?"
        h.update(name.encode() + b"\0" + data + b"\0")
    h.update(__version__.encode())
    found = _code_digests[key] = h.hexdigest()
    return found


# --- framed files: a header line with checksums, then one JSON section per line ----------------------------

def write_framed(path: str, header: dict, sections: list[bytes], shas: Optional[list[str]] = None, sized: bool = False) -> bool:
    """Atomically write ``header`` + sections (each one line of JSON; ``shas``: their sha256, when known).
    ``sized``: the header also gives each section's length, so that ``Framed.open`` reads only the sections
    asked for. Returns False when it could not."""
    header = dict(header, format=FORMAT, sections=shas if shas is not None else [hashlib.sha256(s).hexdigest() for s in sections])
    if sized:
        header["sizes"] = [len(s) for s in sections]
    # (written piece by piece: a project's facts are ~15 MB, and one joined copy of them would stay in the
    # process's heap, to be counted again in every worker it forks)
    parts = [json.dumps(header).encode()]
    for s in sections:
        parts += (b"\n", s)
    parts.append(b"\n")
    return atomic_write(path, parts)


def store_checked(path: str, key: str, value: Any) -> bool:
    """Store one JSON value framed (header with its sha256 and ``key``); ``load_checked`` verifies it."""
    try:
        body = json.dumps(value, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return False
    return write_framed(path, {"key": key}, [body])


def load_checked(path: str, key: str) -> Any:
    """The value ``store_checked`` wrote under ``key``, or ``None`` when the file is missing, damaged
    (checksum, framing, JSON) or was written under another key. The caller still checks its shape."""
    framed = Framed.read(path, key)
    if framed is None or len(framed.header["sections"]) != 1:
        return None
    return framed.section(0)


def atomic_write(path: str, data: "bytes | list[bytes]") -> bool:
    try:
        ensure_cache_dir(os.path.dirname(path))
        write_atomically(path, data)
    except OSError:
        return False
    return True


def ensure_cache_dir(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.exists(ignore):
        try:
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("# Created by backend-lint automatically.\n*\n")
        except OSError:
            pass


class Framed:
    """A framed file read from disk; sections are checked against the header's sha256 on first use."""

    def __init__(self, header: dict, sections: list[bytes]) -> None:
        self.header = header
        self._raw = sections
        self._checked: dict[int, Any] = {}

    @classmethod
    def read(cls, path: str, key: str) -> Optional["Framed"]:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        first, sep, rest = data.partition(b"\n")
        if not sep:
            return None
        try:
            header = json.loads(first)
        except ValueError:
            return None
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
            return None
        shas = header.get("sections")
        if not isinstance(shas, list):
            return None
        sections = rest.split(b"\n")
        if sections and sections[-1] == b"":
            sections.pop()
        if len(sections) != len(shas):
            return None  # truncated or padded: never trusted
        framed = cls(header, sections)
        return framed

    @classmethod
    def open(cls, path: str, key: str) -> Optional["Framed"]:
        """``read`` for a file written ``sized``: reads the header only, and each section when it is asked for
        (a run that needs a few modules' facts does not read the whole base of facts)."""
        try:
            fh = open(path, "rb")
        except OSError:
            return None
        try:
            first = fh.readline()
            header = json.loads(first)
            size = os.fstat(fh.fileno()).st_size
        except (OSError, ValueError):
            fh.close()
            return None
        shas = header.get("sections") if isinstance(header, dict) else None
        sizes = header.get("sizes") if isinstance(header, dict) else None
        if (
            header.get("format") != FORMAT or header.get("key") != key or not isinstance(shas, list)
            or not isinstance(sizes, list) or len(sizes) != len(shas) or not all(isinstance(n, int) and n >= 0 for n in sizes)
            or size != len(first) + sum(sizes) + len(sizes) or not first.endswith(b"\n")
        ):
            fh.close()
            return None  # truncated, padded or not sized: never trusted
        return cls(header, _Sections(fh, len(first), sizes))

    def raw(self, i: int) -> Optional[bytes]:
        """Section ``i`` as stored, when it passes its checksum (``None`` otherwise)."""
        try:
            raw = self._raw[i]
            return raw if hashlib.sha256(raw).hexdigest() == self.header["sections"][i] else None
        except (IndexError, TypeError):
            return None

    def section(self, i: int) -> Any:
        """The parsed JSON of section ``i``, or ``None`` when it is damaged."""
        if i in self._checked:
            return self._checked[i]
        value = None
        try:
            raw = self._raw[i]
            if hashlib.sha256(raw).hexdigest() == self.header["sections"][i]:
                value = json.loads(raw)
        except (IndexError, ValueError, TypeError):
            value = None
        self._checked[i] = value
        return value


class _Sections:
    """The sections of a sized framed file, each read from it when indexed (``os.pread``: forked workers share
    the open file, not a file position)."""

    def __init__(self, fh: Any, start: int, sizes: list[int]) -> None:
        self._fh = fh
        self._offsets: list[int] = []
        for n in sizes:
            self._offsets.append(start)
            start += n + 1
        self._sizes = sizes

    def __len__(self) -> int:
        return len(self._sizes)

    def __getitem__(self, i: int) -> bytes:
        offset, size = self._offsets[i], self._sizes[i]
        try:
            if hasattr(os, "pread"):
                return os.pread(self._fh.fileno(), size, offset)
            self._fh.seek(offset)
            return self._fh.read(size)
        except (OSError, ValueError):
            return b""  # (fails its checksum: never trusted)


def digest_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# --- diagnostics <-> JSON -------------------------------------------------------------------------------

def dump_diagnostic(d: Any) -> list:
    fix = None
    if d.fix is not None:
        fix = [d.fix.message, d.fix.applicability.value, [[e.start, e.end, e.content] for e in d.fix.edits]]
    return [
        d.code,
        d.name,
        d.message,
        d.location.row,
        d.location.column,
        d.end_location.row,
        d.end_location.column,
        d.noqa_row,
        fix,
        [[a.row, a.column, b.row, b.column] for a, b in d.edit_locations],
    ]


def load_diagnostic(row: list, path: str) -> Any:
    code, name, message, r1, c1, r2, c2, noqa_row, fix, edit_locations = row
    if not (isinstance(code, str) and isinstance(name, str) and isinstance(message, str)):
        raise ValueError("bad entry")
    f = None
    if fix is not None:
        f = Fix(str(fix[0]), tuple(ResolvedEdit(int(s), int(e), str(c)) for s, e, c in fix[2]), Applicability(fix[1]))
    locs = [(Location(int(a), int(b)), Location(int(c), int(e))) for a, b, c, e in edit_locations]
    return Diagnostic(
        code, name, message, path, Location(int(r1), int(c1)), Location(int(r2), int(c2)), f,
        None if noqa_row is None else int(noqa_row), locs,
    )


# --- the result cache -----------------------------------------------------------------------------------

def run_key(settings: Any, codes: Iterable[str], extra: Any = None, paths: Iterable[str] = ()) -> str:
    """What every cached result of a run depends on besides its own file and the project's facts: the
    code, the settings, the selection, and every declared input (``ground/inputs.py``) around ``paths``
    (the linted and the indexed files): pins, Alembic configuration, ``env.py``, configuration files."""
    try:
        settings_data = dataclasses.asdict(settings)
    except TypeError:  # pragma: no cover - Settings is a dataclass
        settings_data = repr(settings)
    return digest_json(
        {
            "code": code_digest(),
            "python": list(sys.version_info[:2]),
            "settings": settings_data,
            "codes": sorted(codes),
            "inputs": inputs_stamp([os.path.join(getattr(settings, "root", "."), "-"), *paths]),
            "extra": extra,
        }
    )


# The results file holds one section per bucket of files (by a checksum of the path): a run that looks up a
# few files (a pre-commit run on one changed file) decodes and re-encodes only their buckets; the others are
# copied as they are (their checksums verified first).
_BUCKETS = 64


def _bucket(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % _BUCKETS


class ResultCache:
    """Findings per file, for one project root and one run key (settings, codes, code version)."""

    def __init__(self, cache_dir: str, root: str, key: str) -> None:
        self.cache_dir = cache_dir
        self.key = key
        name = hashlib.sha256(f"{os.path.abspath(root)}|{key}".encode()).hexdigest()[:20]
        self.path = os.path.join(cache_dir, f"results-{name}.json")
        self.dirty = False
        # the file as it was when read (``save`` reads it again only when another run replaced it since)
        self._seen = _file_identity(self.path)
        self._framed = self._read()
        self._buckets: dict[int, dict] = {}  # decoded buckets, this run's changes in them
        self._changes: dict[str, Optional[list]] = {}  # what this run stored (``None``: dropped as damaged)
        self._project: Any = None
        self._project_read = False
        self._project_changed = False

    def _read(self) -> Optional[Framed]:
        framed = Framed.read(self.path, self.key)
        if framed is None or framed.header.get("buckets") != _BUCKETS or len(framed.header["sections"]) != _BUCKETS + 1:
            return None
        return framed

    def _bucket_of(self, abspath: str) -> dict:
        i = _bucket(abspath)
        found = self._buckets.get(i)
        if found is None:
            raw = self._framed.section(i + 1) if self._framed is not None else None
            found = self._buckets[i] = raw if isinstance(raw, dict) else {}
        return found

    @property
    def entries(self) -> dict[str, list]:
        """Every file's entry (each bucket decoded)."""
        out: dict[str, list] = {}
        for i in range(_BUCKETS):
            raw = self._buckets.get(i)
            if raw is None and self._framed is not None:
                raw = self._framed.section(i + 1)
            out.update(raw if isinstance(raw, dict) else {})
        return out

    @property
    def project_entry(self) -> Optional[list]:
        if not self._project_read:
            self._project_read = True
            found = self._framed.section(0) if self._framed is not None else None
            self._project = found if isinstance(found, list) else None
        return self._project

    # A file entry: [content digest, module name, project digest or None, [diagnostic rows]]
    def lookup(self, abspath: str, digest: Optional[str], module: Optional[str], project_digest: Optional[str], path: str) -> Optional[list]:
        if digest is None:
            return None
        entry = self._bucket_of(abspath).get(abspath)
        if entry is None:
            return None
        try:
            stored_digest, stored_module, stored_project, rows = entry
            if stored_digest != digest or stored_module != module:
                return None
            if stored_project is not None and stored_project != project_digest:
                return None
            return [load_diagnostic(r, path) for r in rows]
        except (TypeError, ValueError, KeyError):
            self._bucket_of(abspath).pop(abspath, None)
            self._changes[abspath] = None
            self.dirty = True
            return None

    def store(self, abspath: str, digest: str, module: Optional[str], project_digest: Optional[str], diagnostics: list) -> None:
        entry = [digest, module, project_digest, [dump_diagnostic(d) for d in diagnostics]]
        self._bucket_of(abspath)[abspath] = entry
        self._changes[abspath] = entry
        self.dirty = True

    def lookup_project(self, project_digest: str, codes: Iterable[str]) -> Optional[list]:
        entry = self.project_entry
        if not entry:
            return None
        try:
            stored_digest, stored_codes, rows = entry
            if stored_digest != project_digest or stored_codes != sorted(codes):
                return None
            return [load_diagnostic(r[1], r[0]) for r in rows]
        except (TypeError, ValueError, KeyError, IndexError):
            return None

    def store_project(self, project_digest: str, codes: Iterable[str], diagnostics: list) -> None:
        self._project = [project_digest, sorted(codes), [[d.path, dump_diagnostic(d)] for d in diagnostics]]
        self._project_read = self._project_changed = True
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        # Another run may have written since we read: keep what it wrote, with this run's changes on top.
        # (Every write replaces the file by a rename: the same inode, size and mtime is the file this run read.)
        now = _file_identity(self.path)
        if now is not None and now != self._seen:
            other = self._read()
            if other is not None:
                self._framed, self._buckets = other, {}
                if not self._project_changed:
                    self._project_read = False
                for p, entry in self._changes.items():
                    bucket = self._bucket_of(p)
                    if entry is None:
                        bucket.pop(p, None)
                    else:
                        bucket[p] = entry
        changed = {_bucket(p) for p in self._changes}
        sections: list[bytes] = [json.dumps(self.project_entry, separators=(",", ":")).encode()]
        shas = [hashlib.sha256(sections[0]).hexdigest()]
        for i in range(_BUCKETS):
            raw = self._framed.raw(i + 1) if i not in changed and self._framed is not None else None
            if raw is not None:  # (as read, its checksum verified)
                shas.append(self._framed.header["sections"][i + 1])  # type: ignore[union-attr]
            else:
                bucket = self._buckets.get(i)
                if bucket is None:
                    found = self._framed.section(i + 1) if self._framed is not None else None
                    bucket = found if isinstance(found, dict) else {}
                raw = json.dumps(bucket, separators=(",", ":")).encode()
                shas.append(hashlib.sha256(raw).hexdigest())
            sections.append(raw)
        header = {"key": self.key, "buckets": _BUCKETS}
        write_framed(self.path, header, sections, shas)
        self._seen = _file_identity(self.path)
        self._framed = Framed(dict(header, format=FORMAT, sections=shas), sections)
        self.dirty = False


def _file_identity(path: str) -> Optional[tuple[int, int, int, int]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def clean(cache_dir: str) -> bool:
    if os.path.isdir(cache_dir):
        import shutil  # (~3 ms with bz2 and lzma: only `clean` needs it)

        shutil.rmtree(cache_dir, ignore_errors=True)
        return True
    return False
