"""Which files a run lints: directories walked recursively, honouring ``.gitignore`` files and the
configured ``exclude`` / ``extend-exclude`` globs; files named explicitly are always linted."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .. import __version__
from .cache import load_checked, store_checked
from .config import Settings
from .inputs import GIT_EXCLUDE, GITIGNORE, RACY_NS, declared_inputs, per_run, remember_listing


class _GitIgnores:
    """``.gitignore`` files met on the way down, each applying below its own directory."""

    def __init__(self) -> None:
        self._specs: dict[str, object] = {}

    def load(self, directory: str, name: str = GITIGNORE) -> Optional[object]:
        """The patterns of ``directory``'s ``.gitignore`` (``name``: or of another file of git's syntax)."""
        key = directory if name == GITIGNORE else os.path.join(directory, name)
        if key in self._specs:
            return self._specs[key]
        spec = None
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            try:
                import pathspec  # (58 ms; only for a project with a .gitignore)

                with open(path, encoding="utf-8", errors="replace") as fh:
                    spec = pathspec.GitIgnoreSpec.from_lines(fh)  # (git's own matching; "gitwildmatch" is deprecated in pathspec 1.x)
            except (OSError, ImportError):
                spec = None
        self._specs[key] = spec
        return spec

    def ignored(self, path: str, is_dir: bool, chain: list[tuple[str, object]]) -> bool:
        for base, spec in chain:
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            if is_dir:
                rel += "/"
            if spec.match_file(rel):  # type: ignore[attr-defined]
                return True
        return False


def _excluded(path: str, name: str, root: str, patterns: Iterable[str]) -> bool:
    try:
        rel = os.path.relpath(path, root).replace(os.sep, "/")
    except ValueError:
        rel = path
    return _matcher(tuple(patterns)).excluded(name, rel)


class _Matcher:
    """The exclude globs compiled once into two regexes: one for names, one for root-relative paths
    (``fnmatch(name, p) or fnmatch(rel, p) or fnmatch(rel, p.rstrip("/") + "/*")`` for any pattern)."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        norm = os.path.normcase
        self.by_name = re.compile("|".join(fnmatch.translate(norm(p)) for p in patterns) or "(?!)")
        self.by_rel = re.compile(
            "|".join(f"{fnmatch.translate(norm(p))}|{fnmatch.translate(norm(p.rstrip('/') + '/*'))}" for p in patterns)
            or "(?!)"
        )

    def excluded(self, name: str, rel: str) -> bool:
        norm = os.path.normcase
        return self.by_name.match(norm(name)) is not None or self.by_rel.match(norm(rel)) is not None


_matchers: dict[tuple[str, ...], _Matcher] = {}


def _matcher(patterns: tuple[str, ...]) -> _Matcher:
    found = _matchers.get(patterns)
    if found is None:
        found = _matchers[patterns] = _Matcher(patterns)
    return found


def _git_root(start: str) -> Optional[str]:
    d = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def iter_python_files(
    paths: Iterable[str],
    settings: Settings,
    warn: Optional[callable] = None,
    respect_gitignore: bool = True,
    cache_dir: Optional[str] = None,
) -> Iterator[str]:
    """Yield the files to lint, each once, in a stable order. With ``cache_dir``, the listing of a single
    directory is stored there and reused while it is still true (``_stored_walk``)."""
    patterns = tuple(settings.exclude) + tuple(settings.extend_exclude)
    paths = list(paths)
    if len(paths) == 1 and os.path.isdir(paths[0]):
        # One directory: a run walks the project twice (the files to lint, the files to index), usually
        # the same tree; the second walk of the same directory in this process replays the first.
        yield from _memo_walk(paths[0], settings, patterns, warn, respect_gitignore, cache_dir)
        return
    yield from _iter_python_files(paths, settings, patterns, warn, respect_gitignore)


_WALKS: dict[tuple, list[str]] = per_run({})  # a directory's listing, as paths relative to it, per _walk_key (one run)


def _walk_key(p: str, settings: Settings, patterns: tuple, respect_gitignore: bool) -> tuple:
    # (the spelled directory counts, not only the real one: exclusions and ``.gitignore`` lookups follow it)
    return (os.path.realpath(p), os.path.abspath(p), patterns, os.path.abspath(settings.root), respect_gitignore)


def _memo_walk(raw: str, settings: Settings, patterns: tuple, warn, respect_gitignore: bool, cache_dir=None) -> Iterator[str]:
    p = os.path.normpath(raw)
    key = _walk_key(p, settings, patterns, respect_gitignore)
    found = _WALKS.get(key)
    if found is None and cache_dir:
        found = _stored_walk(cache_dir, key, p)
        if found is not None:
            _WALKS[key] = found
    if found is not None:
        for suffix in found:
            yield suffix if p == "." else os.path.join(p, suffix)
        return
    collected: list[str] = []
    record: list[str] = []
    warned: list[str] = []

    def note(message: str) -> None:
        warned.append(message)
        if warn:
            warn(message)

    started = time.time_ns()
    for path in _iter_python_files([raw], settings, patterns, note, respect_gitignore, record):
        collected.append(path if p == "." else path[len(p):].lstrip(os.sep))
        yield path
    _WALKS[key] = collected
    if cache_dir and not warned:  # (a directory it could not read would not be watched)
        _store_walk(cache_dir, key, p, started, record, collected)


def _iter_python_files(paths, settings, patterns, warn, respect_gitignore, record: Optional[list] = None) -> Iterator[str]:
    seen: set[str] = set()
    gitignores = _GitIgnores()
    for raw in paths:
        p = os.path.normpath(raw)
        if os.path.isfile(p) or (not os.path.isdir(p) and os.path.lexists(p) and not os.path.exists(p)):
            key = os.path.realpath(p)
            if key not in seen:
                seen.add(key)
                yield p
            continue
        if not os.path.isdir(p):
            if warn:
                warn(f"{raw}: no such file or directory")
            continue
        chain: list[tuple[str, object]] = []
        if respect_gitignore:
            git_root = _git_root(p)
            if git_root:
                # the repository's own exclusions (``.git/info/exclude``) apply from its root, first
                exclude = gitignores.load(git_root, os.path.join(*GIT_EXCLUDE))
                if exclude is not None:
                    chain.append((os.path.relpath(git_root, os.getcwd()) if not os.path.isabs(p) else git_root, exclude))
                # .gitignore files between the repository root and the starting directory apply too
                abs_p = os.path.abspath(p)
                d = git_root
                rel_parts = os.path.relpath(abs_p, git_root).split(os.sep)
                dirs = [git_root]
                for part in rel_parts:
                    if part in (".", ""):
                        continue
                    d = os.path.join(d, part)
                    dirs.append(d)
                for d in dirs[:-1]:
                    if record is not None:
                        record.append(d)
                    spec = gitignores.load(d)
                    if spec is not None:
                        chain.append((os.path.relpath(d, os.getcwd()) if not os.path.isabs(p) else d, spec))
        yield from _walk(p, settings.root, patterns, gitignores, chain, seen, warn, respect_gitignore, record)


def _walk(directory, root, patterns, gitignores, chain, seen, warn, respect_gitignore, record=None) -> Iterator[str]:
    real = os.path.realpath(directory)
    if real in seen:
        return  # a symlink loop or a directory reached twice
    seen.add(real)
    if respect_gitignore:
        spec = gitignores.load(directory)
        if spec is not None:
            chain = chain + [(directory, spec)]
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
        if record is not None:
            record.append(directory)
    except OSError as exc:
        if warn:
            warn(f"{directory}: cannot read directory: {exc.strerror or exc}")
        return
    matcher = _matcher(tuple(patterns))
    # root-relative paths of the entries: the directory's once, then joined (``relpath`` per entry is slow)
    try:
        dir_rel: Optional[str] = os.path.relpath(directory, root).replace(os.sep, "/")
    except ValueError:
        dir_rel = None
    for entry in entries:
        path = os.path.join(directory, entry.name) if directory != "." else entry.name
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
            if record is not None and entry.is_symlink():
                # what a link leads to can change (or appear) without any directory read here changing
                record.append(None)
        except OSError:
            if record is not None:
                record.append(None)  # (an entry that could not be read: the listing depends on it)
            continue
        if dir_rel is None:
            rel = path
        elif dir_rel == ".":
            rel = entry.name
        else:
            rel = dir_rel + "/" + entry.name
        if matcher.excluded(entry.name, rel):
            continue
        if chain and gitignores.ignored(path, is_dir, chain):
            continue
        if is_dir:
            if entry.name.startswith(".") and entry.name not in (".",):
                # hidden directories (.git, .venv, .tox, ...) are never project code
                continue
            yield from _walk(path, root, patterns, gitignores, chain, seen, warn, respect_gitignore, record)
        elif is_file and entry.name.endswith(".py"):
            try:
                link = entry.is_symlink()
            except OSError:
                link = True
            key = os.path.realpath(path) if link else os.path.join(real, entry.name)
            if key in seen:
                continue
            seen.add(key)
            yield path


def is_excluded_file(path: str, settings: Settings) -> bool:
    """For ``--stdin-filename`` and the flake8 plugin: does the configuration exclude this path?"""
    patterns = tuple(settings.exclude) + tuple(settings.extend_exclude)
    parts = Path(path).parts
    for i in range(len(parts)):
        sub = os.path.join(*parts[: i + 1])
        if _excluded(sub, parts[i], settings.root, patterns):
            return True
    return False


def excluded_below_root(path: str, settings: Settings) -> bool:
    """Does the configuration exclude ``path``, judged on its parts below ``settings.root`` only (a file
    found by walking from above a nested configuration: the walk applied the run's patterns, these are
    the nested one's). A path outside the root is never excluded by it."""
    patterns = tuple(settings.exclude) + tuple(settings.extend_exclude)
    root = os.path.realpath(settings.root)
    try:
        rel = os.path.relpath(os.path.realpath(path), root)
    except ValueError:
        return False
    if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
        return False
    parts = rel.split(os.sep)
    return any(_excluded(os.path.join(root, *parts[: i + 1]), parts[i], root, patterns) for i in range(len(parts)))


# --- the project listing, stored --------------------------------------------------------------------------

_RACY_NS = RACY_NS  # a directory changed this close to the listing may change again unseen (coarse mtimes)


_IGNORE_FILES = (GITIGNORE, os.path.join(*GIT_EXCLUDE))  # (a directory's own ``.gitignore``; a repository root's)


def _stamp(directory: str, present: Optional[list] = None) -> Optional[list]:
    """What a directory's listing depends on: its own mtime (entries added, removed, renamed), the latest
    mtime of its ``.gitignore`` and of its ``.git/info/exclude`` (a repository root's; -1 when neither is
    there) and which of ``.gitignore`` and ``.git`` it holds (``None`` when the directory is gone).
    ``present``: the stored answer to the last, valid while the directory's mtime is the stored one (an
    entry added or removed changes it): then only what is there is stat'ed, one call for most directories."""
    try:
        own = os.stat(directory).st_mtime_ns
    except OSError:
        return None
    if present is None:
        present = [int(os.path.lexists(os.path.join(directory, n.split(os.sep)[0]))) for n in _IGNORE_FILES]
    ignore = -1
    for name, there in zip(_IGNORE_FILES, present):  # (the latest change of either)
        if not there:
            continue
        try:
            ignore = max(ignore, os.stat(os.path.join(directory, name)).st_mtime_ns)
        except OSError:
            pass
    return [own, ignore, present]


def _stored_walk_path(cache_dir: str, key: tuple) -> tuple[str, str]:
    """Where the listing for ``key`` is stored, and the key its frame must carry."""
    ident = hashlib.sha1(repr((key, __version__)).encode()).hexdigest()
    return os.path.join(cache_dir, f"walk-{ident[:16]}.json"), ident


def _stored_walk(cache_dir: str, key: tuple, p: str) -> Optional[list[str]]:
    """The stored listing of directory ``p``, if no directory the walk read (nor a ``.gitignore`` in one)
    has changed since, and the repository root above it is the same: a pre-commit run on one file then
    stats the project's directories instead of listing them. A listing written within two seconds of a
    directory's change is not trusted (file systems with coarse timestamps), nor one from another version,
    nor one whose checksum or shape is wrong (``load_checked``)."""
    path, ident = _stored_walk_path(cache_dir, key)
    stored = load_checked(path, ident)
    try:
        written, dirs, files, git_root = stored["written"], stored["dirs"], stored["files"], stored["git"]
        if not (isinstance(written, int) and isinstance(dirs, list) and isinstance(files, list)):
            return None
        if not all(isinstance(f, str) for f in files):
            return None
        if key[-1] and git_root != _git_root(p):
            return None
        for d, own, ignore, present, _ in dirs:
            if not (isinstance(present, list) and len(present) == len(_IGNORE_FILES)):
                return None
            if written - own <= _RACY_NS or written - ignore <= _RACY_NS or _stamp(d, present) != [own, ignore, present]:
                return None
        for d, own, _, _, inputs in dirs:  # (the run key's stamp of the declared inputs lists none of them again)
            remember_listing(d, own, inputs)
        return files
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store_walk(cache_dir: str, key: tuple, p: str, written: int, record: list[str], files: list[str]) -> None:
    if None in record:  # the walk met a symbolic link or an unreadable entry: no mtime says when it changes
        return
    stamps = []
    for d in dict.fromkeys(os.path.abspath(d) for d in record):
        stamp = _stamp(d)
        if stamp is None:
            return
        try:
            inputs = declared_inputs(d, os.listdir(d))  # (``None``: listed by each run, ``inputs_stamp``)
        except OSError:
            return
        stamps.append([d, *stamp, inputs])
    git_root = _git_root(p) if key[-1] else None
    path, ident = _stored_walk_path(cache_dir, key)
    store_checked(path, ident, {"written": written, "git": git_root, "dirs": stamps, "files": files})


def project_python_files(root: str, settings: Settings, respect_gitignore: bool, cache_dir: Optional[str]) -> list[str]:
    """``iter_python_files([root])`` for the project index (its listing stored in ``cache_dir``)."""
    return list(iter_python_files([root], settings, respect_gitignore=respect_gitignore, cache_dir=cache_dir))


def abspath_maker() -> Callable[[str], str]:
    """``os.path.abspath`` without a ``getcwd()`` per call (a run's cwd does not change)."""
    cwd = os.getcwd()
    join, normpath, isabs = os.path.join, os.path.normpath, os.path.isabs
    sep = os.sep
    plain = os.altsep is None and cwd == normpath(cwd)
    dot, dot_sep, double = sep + ".", "." + sep, sep + sep

    def absolute(path: str) -> str:
        rest = path[2:] if path.startswith(dot_sep) else path  # (a walk of "." yields "./a/b.py")
        if plain and rest and rest[-1] != sep and dot not in rest and double not in rest:
            if path[0] == sep:
                return path  # (absolute and normal already: the walk of an absolute root yields these)
            if rest[0] not in (".", sep):
                return cwd + sep + rest if cwd != sep else sep + rest  # (what the walk yields: normal already)
        return normpath(path if isabs(path) else join(cwd, path))

    return absolute
