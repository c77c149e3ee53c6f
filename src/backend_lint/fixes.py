"""Applying fixes, and reading/writing files exactly.

Edits of one pass must not overlap (an edit identical to one already taken is shared: two fixes that add
the same import add it once). Files are read as bytes and decoded with their declared encoding; a BOM,
line endings (the decoded text keeps them) and the file mode survive a write, which goes through a
temporary file and a rename. A file that changed on disk since it was read is not overwritten.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from typing import Iterable, Optional

from .diagnostics import Applicability, Diagnostic, ResolvedEdit


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def apply_fixes(source: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, int]:
    """Apply the fixes of ``diagnostics`` that do not overlap each other; returns (source, fixes used)."""
    taken: list[ResolvedEdit] = []
    used = 0
    for d in sorted(diagnostics, key=lambda d: (d.fix.edits[0].start, d.fix.edits[0].end) if d.fix and d.fix.edits else (0, 0)):
        assert d.fix is not None
        edits = list(d.fix.edits)
        new = [e for e in edits if e not in taken]
        if any(_overlaps(e, t) for e in new for t in taken):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(new) for b in new[i + 1 :]):
            continue
        taken.extend(new)
        used += 1
    if not taken:
        return source, 0
    return apply_edits(source, taken), used


def _overlaps(a: ResolvedEdit, b: ResolvedEdit) -> bool:
    if a == b:
        return False
    # two insertions at the same point conflict (their order would be arbitrary)
    if a.start == a.end == b.start == b.end:
        return True
    return a.start < b.end and b.start < a.end or (a.start == a.end and b.start < a.start < b.end) or (
        b.start == b.end and a.start < b.start < a.end
    )


def apply_edits(source: str, edits: Iterable[ResolvedEdit]) -> str:
    out: list[str] = []
    last = 0
    for e in sorted(set(edits), key=lambda e: (e.start, e.end)):
        out.append(source[last : e.start])
        out.append(e.content)
        last = max(last, e.end)
    out.append(source[last:])
    return "".join(out)


def parses(source: str, before: Optional[str] = None) -> bool:
    """Whether ``source`` is valid Python. libcst must parse it; CPython's parser must too, unless it
    also refused ``before`` (the file uses syntax newer than the running interpreter)."""
    from .parsing import ParseFailure, ast_syntax_error, parse_module

    try:
        parse_module(source)
    except ParseFailure:
        return False
    if ast_syntax_error(source) is None:
        return True
    return before is not None and ast_syntax_error(before) is not None


# --- exact file IO ---------------------------------------------------------------------------------------

class SourceReadError(Exception):
    """The file cannot be read as Python source text (message is one line, for the user)."""


@dataclass
class SourceFile:
    path: str
    text: str
    encoding: str
    bom: bool
    digest: str
    raw: bytes


def read_source(path: str, max_size: Optional[int] = None) -> SourceFile:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except IsADirectoryError:
        raise SourceReadError("is a directory") from None
    except OSError as exc:
        raise SourceReadError(f"cannot read file: {exc.strerror or exc}") from None
    return decode_source(path, raw)


def decode_source(path: str, raw: bytes) -> SourceFile:
    if b"\x00" in raw:
        raise SourceReadError("file contains NUL bytes; not Python source")
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        raise SourceReadError(f"cannot decode file: {exc}") from None
    body = raw[len(codecs.BOM_UTF8):] if bom else raw
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = body.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceReadError(f"cannot decode file as {enc}: {exc.__class__.__name__}") from None
    return SourceFile(path, text, enc, bom, hashlib.sha256(raw).hexdigest(), raw)


def encode_source(src: SourceFile, text: str) -> bytes:
    data = text.encode(src.encoding)
    return (codecs.BOM_UTF8 + data) if src.bom else data


class WriteError(Exception):
    pass


def write_source(src: SourceFile, text: str) -> None:
    """Write ``text`` back atomically, keeping encoding, BOM and mode; refuse if the file changed meanwhile."""
    data = encode_source(src, text)
    try:
        with open(src.path, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise WriteError(f"cannot re-read before writing: {exc.strerror or exc}") from None
    if hashlib.sha256(current).hexdigest() != src.digest:
        raise WriteError("file changed on disk while linting; not overwritten")
    try:
        mode = os.stat(src.path).st_mode
    except OSError as exc:
        raise WriteError(f"cannot stat file: {exc.strerror or exc}") from None
    # a file with no write bit is read-only on purpose, even for root
    if not (mode & 0o222) or not os.access(src.path, os.W_OK):
        raise WriteError("file is read-only")
    try:
        write_atomically(src.path, data, like=os.stat(src.path))
    except OSError as exc:
        raise WriteError(f"cannot write file: {exc.strerror or exc}") from None


def write_atomically(path: str, data: bytes, like: Optional[os.stat_result] = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename, so that a
    reader sees the old or the new content, never half of it. ``like``: keep that mode and owner.
    Raises ``OSError``; the temporary file never outlives a failure."""
    fd, tmp = tempfile.mkstemp(prefix=".backend-lint-", suffix=".tmp", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if like is not None:
            os.chmod(tmp, stat.S_IMODE(like.st_mode))
            try:
                os.chown(tmp, like.st_uid, like.st_gid)
            except (PermissionError, AttributeError):
                pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
