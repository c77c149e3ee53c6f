"""Compiled dataclass methods, kept from one run to the next.

Importing libcst defines about 240 dataclasses. For each one, ``dataclasses`` writes ``__init__``,
``__repr__``, ``__eq__``, ``__setattr__``... as source text and compiles it with ``exec``: about half of
libcst's import time (0.06 of 0.13 s on CPython 3.11), which a one-file run (pre-commit) pays every time.
The text depends only on the class's fields, and compiling the same text gives the same code.

While libcst and the rules are imported, :func:`compiled_dataclasses` shadows the name ``exec`` in the
``dataclasses`` module (a module global is found before the builtin) with a function that looks the text
up in a table of code objects stored by an earlier run, compiles what is missing exactly as ``exec`` does
(filename ``<string>``, no inherited ``__future__`` flags, the interpreter's optimisation level), then
runs the code object with the caller's globals and locals. The shadow is removed on leaving the block.

The table is code, so it lives in this user's cache directory (``table_dir``: ``$XDG_CACHE_HOME`` or
``~/.cache``, ``%LOCALAPPDATA%`` on Windows, then ``backend-lint``), never in the project's cache: a repository
could ship a table, and linting it must not run its code. On POSIX the directory and the file must belong to
this user and be writable by no one else, or the table is neither read nor written. One file per interpreter
(bytecode magic, cache tag, ``-O`` level): ``marshal`` data behind a sha256 of itself (against damage, not
against tampering: the ownership is), read only when the digest matches; anything else is ignored and
rewritten. It is written back when a text was missing; entries this process did not use are dropped once
they outnumber the ones it used (after an upgrade of libcst or of the rules).
"""

from __future__ import annotations

import builtins
import hashlib
import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Optional

_MAGIC = b"backend-lint dataclass code 1\n"

# per process: the table read from disk (texts -> code objects), the texts used, whether one was compiled
_table: Optional[dict] = None
_table_dir: Optional[str] = None
_used: dict = {}
_missed = False
counts = {"compiled": 0, "reused": 0}  # texts compiled here / found in the table (tests, profiling)


def table_dir() -> Optional[str]:
    """This user's directory for the table (see the module docstring); ``None`` when there is none."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or ""
        if not os.path.isabs(base):  # (the XDG spec: a relative value is ignored)
            base = os.path.join(os.path.expanduser("~"), ".cache")
    if not base or not os.path.isabs(base):
        return None
    return os.path.join(base, "backend-lint")


def _trusted(path: str) -> bool:
    """``path`` belongs to this user and no one else may write it (always true where there are no uids)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_uid == getuid() and not st.st_mode & 0o022


def file_name() -> str:
    from importlib.util import MAGIC_NUMBER

    tag = f"{sys.implementation.cache_tag}|{sys.flags.optimize}".encode() + MAGIC_NUMBER
    return f"dataclass-code-{hashlib.sha256(tag).hexdigest()[:16]}.bin"


def _read(path: str) -> dict:
    import marshal

    if not (_trusted(os.path.dirname(path)) and _trusted(path)):
        return {}
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return {}
    head = len(_MAGIC) + 64
    if not data.startswith(_MAGIC) or data[len(_MAGIC):head] != hashlib.sha256(data[head:]).hexdigest().encode():
        return {}
    try:
        table = marshal.loads(data[head:])
    except (ValueError, EOFError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    code_type = type(_read.__code__)
    return {k: v for k, v in table.items() if type(k) is str and type(v) is code_type}


def _write(path: str, table: dict) -> None:
    import marshal

    from .cache import atomic_write

    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if not _trusted(directory):
        return
    payload = marshal.dumps(table)
    atomic_write(path, _MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload)


def _load(cache_dir: Optional[str]) -> dict:
    global _table, _table_dir
    if _table is None or _table_dir != cache_dir:
        _table = _read(os.path.join(cache_dir, file_name())) if cache_dir else {}
        _table_dir = cache_dir
    return _table


@contextmanager
def compiled_dataclasses(cache_dir: Optional[str]) -> Iterator[None]:
    """Define the dataclasses of the modules imported in this block from the stored code (see the module
    docstring). Without ``cache_dir`` (``--no-cache``) nothing is read nor written and nothing changes."""
    if not cache_dir:
        yield
        return
    import dataclasses

    if "exec" in vars(dataclasses):  # someone else shadows it already: leave it alone
        yield
        return
    table = _load(cache_dir)
    run = builtins.exec

    def exec_(source: Any, globals: Any = None, locals: Any = None, *rest: Any, **kwargs: Any) -> Any:
        global _missed
        if globals is None:  # ``exec``'s defaults are the caller's namespaces, not this function's
            frame = sys._getframe(1)
            globals = frame.f_globals
            if locals is None:
                locals = frame.f_locals
        if type(source) is str:
            code = table.get(source)
            if code is None:
                code = table[source] = compile(source, "<string>", "exec", dont_inherit=True)
                _missed = True
                counts["compiled"] += 1
            else:
                counts["reused"] += 1
            _used[source] = code
            source = code
        return run(source, globals, locals, *rest, **kwargs)

    dataclasses.exec = exec_  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if vars(dataclasses).get("exec") is exec_:
            del dataclasses.exec  # type: ignore[attr-defined]
        _save(cache_dir)


def _save(cache_dir: str) -> None:
    global _missed
    if not _missed or _table is None:
        return
    _missed = False
    keep = _table if len(_table) - len(_used) <= len(_used) else dict(_used)
    try:
        _write(os.path.join(cache_dir, file_name()), keep)
    except (OSError, ValueError):
        pass
