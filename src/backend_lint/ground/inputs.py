"""Every file a run reads besides the Python sources it lints and indexes, declared in one place.

The Python sources are keyed by their content (the project index, the result cache). Everything else a
run may read is declared here, and ``inputs_stamp`` digests the content of each such file in every
directory the run's files live in (and their ancestors): the result cache stamps that digest into its
key, so that a warm run never serves findings that a ``--no-cache`` run would not report.

- dependency pins (the SQLModel version, the database driver): lock files, spec files,
  ``requirements*.txt`` / ``.in`` and ``requirements/*.txt`` / ``.in``, ``*.dist-info/METADATA``
  (``knowledge/datetimes.py``, ``knowledge/alembic/dialect.py`` list them from here);
- Alembic: ``alembic.ini`` and ``[tool.alembic]`` in ``pyproject.toml`` (``script_location``,
  ``version_locations``, ``sqlalchemy.url``), ``env.py`` (its isolation level);
- configuration: ``backend-lint.toml`` and ``pyproject.toml`` (``ground/config.py``);
- which files are linted: ``.gitignore`` files and ``.git/info/exclude`` (``ground/discovery.py``).

Process-wide memos of what these files say are registered with ``per_run`` and forgotten at the start of
every run (``forget``): a process that runs twice (a language server, a test) never reads a stale one.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Callable, Iterable, Optional

# -- the declarations ------------------------------------------------------------------------------------
LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
SPEC_FILES = ("pyproject.toml", "Pipfile", "setup.cfg", "setup.py")
REQUIREMENTS_DIR = "requirements"
DIST_INFO_METADATA = "METADATA"
ALEMBIC_INI = "alembic.ini"
ALEMBIC_CONFIGS = (ALEMBIC_INI, "pyproject.toml")  # where ``script_location`` / ``version_locations`` live
ALEMBIC_ENV = "env.py"
CONFIG_FILES = ("backend-lint.toml", "pyproject.toml")
GITIGNORE = ".gitignore"
GIT_EXCLUDE = (".git", "info", "exclude")  # relative to a repository root

# Files changed this close (in nanoseconds) to the moment a stamp of them was stored may change again
# without their mtime moving (file systems keep coarse timestamps): such a stamp is not trusted.
RACY_NS = 2_000_000_000

_NAMED = frozenset(LOCK_FILES + SPEC_FILES + ALEMBIC_CONFIGS + (ALEMBIC_ENV,) + CONFIG_FILES + (GITIGNORE,))


def is_requirements(name: str) -> bool:
    return name.startswith("requirements") and name.endswith((".txt", ".in"))


def pin_files(directory: str, names: Iterable[str], locks: bool = True) -> list[str]:
    """The pin files of ``directory`` (whose entries are ``names``), relative to it, in the order the pin
    search reads them: lock files (with ``locks``), spec files, requirements, installed metadata."""
    names = list(names)
    present = set(names)
    out = [n for n in LOCK_FILES if n in present] if locks else []
    out += [n for n in SPEC_FILES if n in present]
    out += sorted(n for n in names if is_requirements(n))
    if REQUIREMENTS_DIR in present and os.path.isdir(os.path.join(directory, REQUIREMENTS_DIR)):
        try:
            out += [os.path.join(REQUIREMENTS_DIR, n) for n in sorted(os.listdir(os.path.join(directory, REQUIREMENTS_DIR))) if n.endswith((".txt", ".in"))]
        except OSError:
            pass
    if locks:
        out += [os.path.join(n, DIST_INFO_METADATA) for n in sorted(names) if n.endswith(".dist-info")]
    return out


def input_files(directory: str) -> list[str]:
    """Every declared input present in ``directory`` (absolute paths, sorted)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, n) for n in _declared(directory, names)]


def _declared(directory: str, names: list[str]) -> list[str]:
    found = {n for n in names if n in _NAMED}
    found.update(pin_files(directory, names))
    if ".git" in names:
        found.add(os.path.join(*GIT_EXCLUDE))
    return sorted(found)


def declared_inputs(directory: str, names: list[str]) -> Optional[list[str]]:
    """The declared inputs of ``directory`` (relative to it, sorted) given its entries ``names``; ``None`` when
    they depend on more than its own listing (a ``requirements`` directory: its files are inputs too)."""
    if REQUIREMENTS_DIR in names:
        return None
    return _declared(directory, names)


# A directory (absolute) -> (its mtime, its declared inputs) as a stored listing of the project, replayed by
# this run, found them (``ground/discovery.py``: that listing is trusted only while none of its directories
# changed): ``inputs_stamp`` stats such a directory instead of listing it.
_WALKED: dict[str, tuple[int, list[str]]] = {}


def remember_listing(directory: str, mtime_ns: int, names: Any) -> None:
    """What a trusted stored listing says of ``directory`` (absolute): its mtime and its declared inputs."""
    if isinstance(names, list) and all(isinstance(n, str) for n in names):
        _WALKED[directory] = (mtime_ns, names)


def _listed_inputs(directory: str) -> list[str]:
    walked = _WALKED.get(directory)
    if walked is not None:
        try:
            if os.stat(directory).st_mtime_ns == walked[0]:  # (an entry added or removed changes it)
                return [os.path.join(directory, n) for n in walked[1]]
        except OSError:
            pass
    return input_files(directory)


def directories_of(paths: Iterable[str]) -> list[str]:
    """The directories of ``paths`` (absolute) and every ancestor of them, each once, sorted."""
    out: set[str] = set()
    for first in {_dirname(p) for p in paths}:  # (a directory made absolute once, not a file)
        d = os.path.abspath(first)
        while d not in out:
            out.add(d)
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return sorted(out)


def _dirname(path: str, sep: str = os.sep) -> str:
    head = path.rpartition(sep)[0]
    return head if head and head[-1] != sep and os.altsep is None else os.path.dirname(path)


def inputs_stamp(paths: Iterable[str]) -> str:
    """A digest of the content of every declared input in the directories of ``paths`` and their
    ancestors. Content, not mtimes: an edit within one timestamp tick is seen as well."""
    h = hashlib.sha256()
    for directory in directories_of(paths):
        _feed(h, _listed_inputs(directory))
    return h.hexdigest()


def own_inputs_stamp(directory: str) -> str:
    """A digest of the content of the declared inputs of ``directory`` itself (not its ancestors')."""
    h = hashlib.sha256()
    feed_own_inputs(h, directory)
    return h.hexdigest()


def feed_own_inputs(h: Any, directory: str) -> None:
    """Add each declared input of ``directory`` (its path and a digest of its content) to the hash ``h``."""
    _feed(h, input_files(directory))


def _feed(h: Any, paths: list[str]) -> None:
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue  # a directory, gone, unreadable: the readers see nothing either
        h.update(path.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(data).digest())


# -- process-wide memos of the inputs ------------------------------------------------------------------------
_PER_RUN: list[Any] = [_WALKED]


def per_run(memo: Callable) -> Callable:
    """Register a memo (an ``lru_cache``d function, or a dict) of what declared inputs say: ``forget``
    clears it at the start of every run."""
    _PER_RUN.append(memo)
    return memo


def forget() -> None:
    """Forget every registered memo (the start of a run: the files may have changed since the last)."""
    for memo in _PER_RUN:
        clear = getattr(memo, "cache_clear", None) or getattr(memo, "clear", None)
        if clear is not None:
            clear()
