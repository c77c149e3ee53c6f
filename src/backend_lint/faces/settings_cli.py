"""The command line's settings: ``--isolated``, ``--target-version`` and ``--per-file-ignores`` on top of the
configuration (ruff's spelling), and what ``--show-settings`` and ``--show-files`` print.

A run with none of the three flags resolves its settings in ``engine/workspace.run`` as always; with one of
them the face resolves the settings here and hands ``run`` a ``Workspace`` built on them.
"""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path
from typing import Callable, Optional, Sequence

from ..engine.registry import all_codes
from ..engine.selection import resolve_settings, select_codes
from ..ground.config import TARGET_VERSIONS, ConfigError, Settings, find_project_root, settings_from_table, validate_selectors
from ..ground.discovery import is_excluded_file, iter_python_files


def parse_per_file_ignores(values: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """ruff's ``--per-file-ignores 'tests/*:BKL201,migrations/*.py:BKL4'``: comma-separated ``PATTERN:CODE``
    pairs (the option may be repeated); pairs of one pattern are merged, in order."""
    merged: dict[str, list[str]] = {}
    for value in values:
        for pair in value.split(","):
            pair = pair.strip()
            if not pair:
                continue
            pattern, sep, code = pair.rpartition(":")
            pattern, code = pattern.strip(), code.strip().upper()
            if not sep or not pattern or not code:
                raise ConfigError(f"--per-file-ignores: expected PATTERN:CODE, got `{pair}`")
            merged.setdefault(pattern, []).append(code)
    return tuple((p, tuple(c)) for p, c in merged.items())


def isolated_settings(start: str) -> Settings:
    """The defaults, as if no configuration file existed; the project root found as without one."""
    root = find_project_root(start if os.path.exists(start) else os.getcwd())
    defaults = settings_from_table({}, Path("(isolated)"), root)
    return defaults.with_overrides(config_file=None)


def cli_settings(
    paths: Sequence[str],
    config: Optional[str],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    stdin_filename: Optional[str],
    isolated: bool = False,
    target_version: Optional[str] = None,
    per_file_ignores: Sequence[str] = (),
    extend_per_file_ignores: Sequence[str] = (),
) -> Settings:
    """The run's settings with the command line's overrides. Raises ``ConfigError``."""
    if isolated:
        if config:
            raise ConfigError("--isolated and --config cannot be used together")
        paths = tuple(paths)
        start = stdin_filename or (paths[0] if paths and paths[0] != "-" else os.getcwd())
        settings = _with_selectors(isolated_settings(start), select, ignore, extend_select)
    else:
        settings = resolve_settings(paths, config, select, ignore, extend_select, stdin_filename)
    overrides: dict = {}
    if target_version:
        if target_version not in TARGET_VERSIONS:
            raise ConfigError(f"--target-version: must be one of {', '.join(TARGET_VERSIONS)}, got `{target_version}`")
        overrides["target_version"] = target_version
    codes = all_codes()
    if per_file_ignores:  # replaces the configuration's, as in ruff
        overrides["per_file_ignores"] = parse_per_file_ignores(per_file_ignores)
    if extend_per_file_ignores:
        base = overrides.get("per_file_ignores", settings.per_file_ignores)
        overrides["per_file_ignores"] = tuple(base) + parse_per_file_ignores(extend_per_file_ignores)
    for _, vals in overrides.get("per_file_ignores", ()):
        validate_selectors(vals, codes, "--per-file-ignores")
    return settings.with_overrides(**overrides) if overrides else settings


def _with_selectors(settings: Settings, select, ignore, extend_select) -> Settings:
    codes = all_codes()
    overrides: dict = {}
    for value, key, flag in ((select, "select", "--select"), (ignore, "ignore", "--ignore"), (extend_select, "extend_select", "--extend-select")):
        if value:
            validate_selectors(value, codes, flag)
            overrides[key] = tuple(value)
    return settings.with_overrides(**overrides) if overrides else settings


def show_settings(path: str, settings: Settings) -> str:
    """``--show-settings``: which configuration applies to ``path``, the resolved settings, the rules on."""
    lines = [
        f"Resolved settings for: {os.path.abspath(path)}",
        f"Settings path: {settings.config_file or '(none: defaults)'}",
        f"Project root: {settings.root}",
        "",
    ]
    for f in fields(settings):
        if f.name in ("root", "config_file"):
            continue
        lines.append(f"{f.name.replace('_', '-')} = {_show(getattr(settings, f.name))}")
    lines.append(f"enabled-rules = {_show(tuple(select_codes(settings, all_codes())))}")
    return "\n".join(lines) + "\n"


def _show(value) -> str:
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        inner = ", ".join(f"{k!r} = {_show(v)}" for k, v in value)
        return "{" + inner + "}"
    if isinstance(value, tuple):
        if not value:
            return "[]"
        return "[\n" + "".join(f"    {v!r},\n" for v in value) + "]"
    if value is None:
        return "none"
    return repr(value)


def files_to_lint(
    paths: Sequence[str],
    settings: Settings,
    respect_gitignore: bool,
    force_exclude: bool,
    warn: Callable[[str], None],
) -> list[str]:
    """``--show-files``: what a run over ``paths`` would lint (as ``run`` finds them), sorted."""
    named = [p for p in (tuple(paths) or (".",)) if os.path.lexists(p)]
    files = list(iter_python_files(named, settings, warn=warn, respect_gitignore=respect_gitignore))
    if force_exclude:
        files = [f for f in files if not is_excluded_file(f, settings)]
    return sorted(os.path.abspath(f) for f in files)
