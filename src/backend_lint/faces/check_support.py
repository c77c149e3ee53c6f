"""What ``check`` needs around a run besides the formats: where the report goes (``--output-file``), whether
it is coloured (``--color``), standard input's text for the full format, the workspace for settings the
command line changed, and what ``-v`` tells."""

from __future__ import annotations

import os
import sys
from typing import Optional

import click


class Sink:
    """Where the report goes: standard output (standard error when stdout carries fixed code), or the
    ``--output-file``, written once the report is complete."""

    def __init__(self, output_file: Optional[str], to_stdout: bool) -> None:
        self.output_file = output_file
        self.to_stdout = to_stdout
        self.parts: list[str] = []
        self.color: Optional[bool] = None  # True: keep the colours even off a terminal (--color always)

    def echo(self, s: str, nl: bool = True) -> None:
        if self.output_file is not None:
            self.parts.append(s + ("\n" if nl else ""))
        else:
            click.echo(s, nl=nl, err=not self.to_stdout, color=self.color)

    def isatty(self) -> bool:
        if self.output_file is not None:
            return False
        return (sys.stdout if self.to_stdout else sys.stderr).isatty()

    def close(self) -> Optional[str]:
        """Write the ``--output-file``; returns what went wrong, if something did."""
        if self.output_file is None:
            return None
        try:
            parent = os.path.dirname(os.path.abspath(self.output_file))
            os.makedirs(parent, exist_ok=True)
            with open(self.output_file, "w", encoding="utf-8", newline="") as fh:
                fh.write("".join(self.parts))
        except OSError as exc:
            return f"{self.output_file}: cannot write the output: {exc.strerror or exc}"
        return None


def use_color(choice: str, isatty: bool) -> bool:
    """``--color always|never|auto``; auto: on a terminal, unless ``NO_COLOR`` is set (to anything)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return isatty and "NO_COLOR" not in os.environ


def buffer_sources(result, stdin_bytes: list[bytes], stdin_filename: Optional[str]) -> dict[str, str]:
    """Standard input's text (the fixed text when stdout carries it), for the full format's source lines."""
    if not result.from_buffer:
        return {}
    raw = result.buffer_output if result.source_out and result.buffer_output is not None else (stdin_bytes[0] if stdin_bytes else None)
    if raw is None:
        return {}
    from ..ground.io import SourceReadError, decode_source  # (only for standard input)

    name = stdin_filename or "-"
    try:
        return {name: decode_source(name, raw).text}
    except SourceReadError:
        return {}


def workspace_for(workspace_cls, settings, paths, request):
    """A ``Workspace`` on settings the command line changed, indexed over the same files ``run`` would."""
    from ..ground.cache import DEFAULT_CACHE_DIR  # (only with --isolated, --target-version, --per-file-ignores)
    from ..ground.discovery import iter_python_files

    cache = (request.cache_dir or os.path.join(settings.root, DEFAULT_CACHE_DIR)) if request.use_cache else None
    from_buffer = tuple(paths) == ("-",) or (request.buffer_name is not None and not paths)
    named: list[str] = []
    if not from_buffer:
        existing = [p for p in (tuple(paths) or (".",)) if os.path.lexists(p)]
        named = list(iter_python_files(existing, settings, respect_gitignore=request.respect_gitignore, cache_dir=cache))
    return workspace_cls(settings, named, cache_dir=cache, jobs=request.jobs, respect_gitignore=request.respect_gitignore)


def tell_verbose(result, say, version: str) -> None:
    """``-v``: the configuration, the project root, the files (and how many the cache answered)."""
    s = result.settings
    say(f"backend-lint {version}")
    say(f"configuration: {s.config_file or '(none: defaults)'}")
    say(f"project root: {s.root}")
    cached = sum(1 for o in result.outcomes if o.cached)
    say(f"files: {len(result.outcomes)} linted, {cached} from the cache")
