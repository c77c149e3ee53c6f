"""Reading and writing source files exactly.

Files are read as bytes and decoded with their declared encoding; a BOM, line endings (the decoded text
keeps them) and the file mode survive a write, which goes through a temporary file and a rename. A file
that changed on disk since it was read is not overwritten.
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
from typing import Optional


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
