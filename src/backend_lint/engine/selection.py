"""Rule selection: which codes a run reports (``select`` / ``extend-select`` / ``ignore``, ruff's order),
which a file's ``per-file-ignores`` drop, and the run's settings (configuration discovered or named, then the
command line's selectors on top; ``ground/config.py`` discovers and validates).

Opt-in rules (``RuleSpec.opt_in``, e.g. BKL606/BKL607) are off in the default selection (no ``select`` in the
configuration nor on the command line). Any selector that is written down and covers them turns them on:
their code, a prefix (``BKL6``, ``BKL60``, also a bare ``BKL``), or ``ALL``, in ``select`` or in
``extend-select`` (``extend-select = ["BKL606"]`` adds one to the default selection); ``ignore`` wins as
usual when it is the more specific selector."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Optional, Sequence

from ..ground.config import Settings, discover_settings, config_in, find_project_root, load_config_file, validate_selectors
from .registry import all_codes, opt_in_codes


def resolve_settings(
    paths: Iterable[str],
    config: Optional[str],
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    extend_select: tuple[str, ...] = (),
    stdin_filename: Optional[str] = None,
) -> Settings:
    """The settings of a run: ``config`` if given, else discovered from the first path (or the stdin file
    name, or the working directory); every selector validated. Raises ``ConfigError``. Files elsewhere
    may have settings of their own (``settings_per_file``)."""
    paths = tuple(paths)
    start = stdin_filename or (paths[0] if paths and paths[0] != "-" else os.getcwd())
    if config:
        settings = load_config_file(config)
        here = Path(start if os.path.exists(start) else os.getcwd()).resolve()
        if Path(settings.root) not in (here, *here.parents):
            # a config file outside the tree gives settings, never the project root (cross-module facts)
            settings = settings.with_overrides(root=str(find_project_root(here)))
    else:
        settings = discover_settings(start if os.path.exists(start) else os.getcwd())
    return with_selectors(settings, select, ignore, extend_select)


def with_selectors(
    settings: Settings, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), extend_select: tuple[str, ...] = ()
) -> Settings:
    """``settings`` validated, with the command line's selectors on top. Raises ``ConfigError``."""
    codes = all_codes()
    origin = settings.config_file or "settings"
    validate_selectors((settings.select or ()) + settings.ignore + settings.extend_select, codes, origin)
    for key, vals in settings.per_file_ignores:
        validate_selectors(vals, codes, f"{origin}: per-file-ignores")
    overrides = {}
    if select:
        validate_selectors(select, codes, "--select")
        overrides["select"] = select
    if ignore:
        validate_selectors(ignore, codes, "--ignore")
        overrides["ignore"] = settings.ignore + ignore
    if extend_select:
        validate_selectors(extend_select, codes, "--extend-select")
        overrides["extend_select"] = settings.extend_select + extend_select
    return settings.with_overrides(**overrides) if overrides else settings


def settings_per_file(
    files: Sequence[str],
    settings: Settings,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    extend_select: tuple[str, ...] = (),
) -> list[tuple[Settings, list[str]]]:
    """``files`` grouped by their settings, as ruff resolves them: each file's closest configuration
    (``backend-lint.toml``, or ``pyproject.toml`` with ``[tool.backend-lint]``), the command line's
    selectors on top. A file with no configuration above it, or whose closest one is the run's, takes the
    run's ``settings``. Groups come in the order of their first file. Raises ``ConfigError``."""
    by_dir: dict[str, Optional[str]] = {}
    by_config: dict[Optional[str], Settings] = {}
    groups: dict[Optional[str], list[str]] = {}
    run_config = os.path.realpath(settings.config_file) if settings.config_file else None

    def closest(directory: str) -> Optional[str]:  # (each directory read once: a walk up, memoised)
        chain = []
        d = directory
        while d not in by_dir:
            chain.append(d)
            found = config_in(Path(d))
            if found is not None:
                by_dir[d] = os.path.realpath(found)
                break
            parent = os.path.dirname(d)
            if parent == d:
                by_dir[d] = None
                break
            d = parent
        answer = by_dir[d]
        for c in chain:
            by_dir[c] = answer
        return answer

    real_dirs: dict[str, str] = {}  # a file's directory, resolved once per directory (not once per file)
    islink, dirname, basename, realpath, join = os.path.islink, os.path.dirname, os.path.basename, os.path.realpath, os.path.join

    def resolved(directory: str) -> str:
        """``realpath(directory)``, from its parent's (memoised): a directory that is not a link resolves to
        its resolved parent joined with its name (one ``lstat``, where ``realpath`` reads every component)."""
        found = real_dirs.get(directory)
        if found is None:
            parent, name = dirname(directory), basename(directory)
            if name in ("", ".", "..") or parent == directory or islink(directory):
                found = realpath(directory or ".")
            else:
                found = join(resolved(parent), name)
            real_dirs[directory] = found
        return found

    configs: dict[str, Optional[str]] = {}  # a file's directory -> its closest configuration
    for f in files:
        if islink(f):
            config = closest(dirname(realpath(f)))  # a linked file: the configuration of its target
        else:
            parent = dirname(f)
            config = configs.get(parent, "")
            if config == "":
                config = configs[parent] = closest(resolved(parent))
        if config is None or config == run_config:
            config = run_config
        elif config not in by_config:
            by_config[config] = with_selectors(load_config_file(config), select, ignore, extend_select)
        groups.setdefault(config, []).append(f)
    return [(settings if config == run_config else by_config[config], group) for config, group in groups.items()]


def _matches(code: str, selector: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def select_codes(settings: Settings, all_codes: Iterable[str], opt_in: Optional[Iterable[str]] = None) -> list[str]:
    """ruff's order: ``select`` (or defaults) plus ``extend-select``, minus ``ignore``; the most specific
    selector wins when an ignore and a select overlap. The default selection (``select`` unset) is ``ALL``
    but for the opt-in rules (``opt_in``: the registry's unless given), which only written selectors turn on."""
    off_by_default = opt_in_codes() if opt_in is None else frozenset(opt_in)
    written = (*(settings.select or ()), *settings.extend_select)
    default = (*(settings.select if settings.select is not None else ("ALL",)), *settings.extend_select)
    chosen = []
    for code in all_codes:
        selectors = written if code in off_by_default else default
        best_sel = max((len(s) if s != "ALL" else 0 for s in selectors if _matches(code, s)), default=-1)
        best_ign = max((len(s) if s != "ALL" else 0 for s in settings.ignore if _matches(code, s)), default=-1)
        if best_sel >= 0 and best_sel > best_ign:
            chosen.append(code)
    return chosen


def per_file_ignored(settings: Settings, path: str) -> tuple[str, ...]:
    """Codes (prefixes) ignored for ``path`` by ``per-file-ignores`` (globs relative to the root)."""
    if not settings.per_file_ignores:
        return ()
    rel = _relative(path, settings.root)
    name = os.path.basename(path)
    out: list[str] = []
    for pattern, codes in settings.per_file_ignores:
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*"):
            out.extend(codes)
    return tuple(out)


def _relative(path: str, root: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
