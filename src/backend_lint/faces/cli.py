"""``backend-lint``: the command line face (click). ruff's spelling wherever ruff has the flag.

Exit status: 0 no findings, 1 findings (or ``--diff`` would change something), 2 usage, config or
internal error.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Optional

import click

from .. import __version__
from ..ground.config import TARGET_VERSIONS, ConfigError, discover_settings
from .facts import facts as facts_command

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    return tuple(out)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


class _Group(click.Group):
    def main(self, *args, **kwargs):  # click's usage errors exit 2 already; keep tracebacks away
        kwargs.setdefault("prog_name", "backend-lint")
        return super().main(*args, **kwargs)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="backend-lint")
def main() -> None:
    """A linter for FastAPI / SQLModel / SQLAlchemy / Alembic backends."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (e.g. BKL3, BKL401, ALL).")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Codes to enable on top of the selection.")
@click.option("--per-file-ignores", multiple=True, help="PATTERN:CODE pairs, comma-separated; replaces the configured ones.")
@click.option("--extend-per-file-ignores", multiple=True, help="PATTERN:CODE pairs added to the configured per-file-ignores.")
@click.option("--target-version", type=click.Choice(list(TARGET_VERSIONS)), help="The Python version to target (overrides the configuration).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file (the defaults and the command line only).")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (with --fix) or show unsafe fixes.")
@click.option("--fix-only", is_flag=True, help="Apply fixes, report nothing else; exit 0 whatever remains.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a fix was applied, even if nothing remains.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a diff; write nothing.")
@click.option("--show-fixes", is_flag=True, help="Show the fix of each finding and what --fix changed.")
@click.option(
    "--output-format",
    type=click.Choice(["full", "concise", "text", "json", "sarif", "github"]),
    default=None,
    help="Output format (default: full; `text` is another name of full).",
)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write the output to this file instead of standard output.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", help="Colour the text output (default: auto, on a terminal unless NO_COLOR is set).")
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--show-settings", is_flag=True, help="Show the configuration file and the settings that apply to the first PATH, and exit.")
@click.option("--show-files", is_flag=True, help="List the files a run would lint, and exit.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config", type=click.Path(), help="A pyproject.toml or backend-lint.toml to use.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary and no progress.")
@click.option("-v", "--verbose", is_flag=True, help="Also print the configuration, the project root and the phases' timings (standard error).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--cache-dir", type=click.Path(), help="Where the cache lives (default: .backend_lint_cache in the project root).")
@click.option("--jobs", "-j", type=int, default=0, help="Worker processes (default: all cores).")
@click.option("--stdin-filename", type=click.Path(), help="Lint standard input as if it were this file.")
@click.option("--no-respect-gitignore", is_flag=True, help="Lint files that .gitignore excludes.")
@click.option("--force-exclude", is_flag=True, help="Apply exclude settings to files named on the command line too.")
@click.option("--baseline", "baseline_file", type=click.Path(), help="Ignore findings recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(), help="Record the current findings as a baseline and exit 0.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every line with a finding.")
def check(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    per_file_ignores: tuple[str, ...],
    extend_per_file_ignores: tuple[str, ...],
    target_version: Optional[str],
    isolated: bool,
    fix: bool,
    unsafe_fixes: bool,
    fix_only: bool,
    exit_non_zero_on_fix: bool,
    show_diff: bool,
    show_fixes: bool,
    output_format: Optional[str],
    output_file: Optional[str],
    color: str,
    statistics: bool,
    show_settings: bool,
    show_files: bool,
    exit_zero: bool,
    config: Optional[str],
    quiet: bool,
    verbose: bool,
    no_cache: bool,
    cache_dir: Optional[str],
    jobs: int,
    stdin_filename: Optional[str],
    no_respect_gitignore: bool,
    force_exclude: bool,
    baseline_file: Optional[str],
    write_baseline_file: Optional[str],
    add_noqa: bool,
) -> None:
    """Lint PATHS (files or directories; default: the current directory; `-` reads standard input)."""
    from ..engine.workspace import Request, Workspace, run  # (160 ms cold: --help, --version and rule never load it)
    from . import output  # (the formats: only check needs them)
    from .check_support import Sink, buffer_sources, tell_verbose, use_color, workspace_for
    from .progress import Progress
    from .settings_cli import cli_settings, files_to_lint
    from .settings_cli import show_settings as settings_text

    output_format = output_format or os.environ.get("BACKEND_LINT_OUTPUT_FORMAT") or "full"
    if output_format == "text":  # the old name of the default
        output_format = "full"
    if output_format not in output.FORMATS:
        _fail(f"BACKEND_LINT_OUTPUT_FORMAT: unknown output format `{output_format}` (one of {', '.join(output.FORMATS)})")
    fix = fix or fix_only
    select_, ignore_, extend_ = _split_codes(select), _split_codes(ignore), _split_codes(extend_select)
    overridden = bool(isolated or target_version or per_file_ignores or extend_per_file_ignores)
    settings = None
    if overridden or show_settings or show_files:
        try:
            settings = cli_settings(
                paths, config, select_, ignore_, extend_, stdin_filename, isolated=isolated,
                target_version=target_version, per_file_ignores=per_file_ignores,
                extend_per_file_ignores=extend_per_file_ignores,
            )
        except ConfigError as exc:
            _fail(str(exc))
            return
    if show_settings:
        click.echo(settings_text(paths[0] if paths and paths[0] != "-" else (stdin_filename or "."), settings), nl=False)
        sys.exit(EXIT_OK)
    if show_files:
        for f in files_to_lint(paths, settings, not no_respect_gitignore, force_exclude, lambda w: click.echo(f"warning: {w}", err=True)):
            click.echo(f)
        sys.exit(EXIT_OK)

    stdin_bytes: list[bytes] = []

    def read_stdin() -> bytes:
        stdin_bytes.append(sys.stdin.buffer.read())
        return stdin_bytes[0]

    say = lambda s: click.echo(s, err=True)  # noqa: E731
    tracker = Progress(sys.stderr if not quiet and sys.stderr.isatty() else None, verbose=say if verbose else None)
    request = Request(
        paths=paths, config=config, select=select_, ignore=ignore_,
        extend_select=extend_, fix=fix, unsafe_fixes=unsafe_fixes, diff=show_diff, jobs=jobs,
        cache_dir=cache_dir, use_cache=not no_cache, respect_gitignore=not no_respect_gitignore,
        force_exclude=force_exclude, buffer=read_stdin, buffer_name=stdin_filename,
        on_warning=lambda w: click.echo(f"warning: {w}", err=True), progress=tracker,
    )
    try:
        workspace = None
        if overridden:  # settings from the command line: the workspace is built on them
            workspace = workspace_for(Workspace, settings, paths, request)
        result = run(request, workspace=workspace)
    except ConfigError as exc:
        tracker.clear()
        _fail(str(exc))
        return
    except KeyboardInterrupt as exc:  # Ctrl-C: 130, and the files fixes already rewrote
        tracker.clear()
        for path in getattr(exc, "written", ()):
            click.echo(f"interrupted: already fixed: {path}", err=True)
        click.echo("interrupted", err=True)
        sys.exit(130)
    if verbose:
        tell_verbose(result, say, __version__)
        tracker.report_timings()
    if result.buffer_output is not None:
        sys.stdout.buffer.write(result.buffer_output)
        if result.source_out:
            sys.stdout.flush()
    diagnostics, errors, outcomes = result.diagnostics, result.errors, result.outcomes
    if errors_exit := _adoption(diagnostics, result.settings, baseline_file, write_baseline_file, add_noqa, result.from_buffer):
        for e in errors:
            click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_ERROR if errors else errors_exit[0])
    if baseline_file:
        from .adoption import BaselineError, filter_baseline, load_baseline  # (5 ms; only with --baseline)

        try:
            diagnostics = filter_baseline(diagnostics, load_baseline(baseline_file), result.settings.root)
        except BaselineError as exc:
            _fail(str(exc))
    total_fixed = result.fixed
    to_stdout = not result.source_out  # with --fix on stdin, stdout carries the fixed code
    sink = Sink(output_file, to_stdout)
    echo = sink.echo
    unwritable = {o.path for o in outcomes if o.warnings} if fix and not show_diff else set()
    text_format = output_format in ("full", "concise")

    if show_diff:
        for o in outcomes:
            if o.diff:
                echo(o.diff, nl=False)
        if not quiet:
            n = sum(o.fixed for o in outcomes if o.diff)
            click.echo(f"Would fix {n} error{'s' if n != 1 else ''}." if n else "No errors would be fixed.", err=True)
    elif fix_only:
        if text_format:
            if show_fixes and total_fixed:
                echo(_fixed_summary(outcomes), nl=False)
            if not quiet and total_fixed:
                echo(f"Fixed {total_fixed} error{'s' if total_fixed != 1 else ''}.")
    elif statistics:
        if output_format == "json":
            echo(output.format_statistics_json(diagnostics, unsafe_fixes, unwritable), nl=False)
        else:
            echo(output.format_statistics(diagnostics, unsafe_fixes, unwritable), nl=False)
            if not quiet:
                echo(output.summary_line(diagnostics, total_fixed, unsafe_fixes, fix, unwritable))
    elif output_format == "json":
        echo(output.format_json(diagnostics), nl=False)
    elif output_format == "sarif":
        from ..engine.registry import all_rules  # (imports every rule: SARIF lists them)

        echo(output.format_sarif(diagnostics, all_rules()), nl=False)
    elif output_format == "github":
        echo(output.format_github(diagnostics), nl=False)
    else:
        colored = use_color(color, sink.isatty())
        sink.color = True if colored else None
        if output_format == "concise":
            text = output.format_text(diagnostics, color=colored, show_fixes=show_fixes, unsafe_fixes=unsafe_fixes)
        else:
            text = output.format_full(diagnostics, color=colored, unsafe_fixes=unsafe_fixes, sources=buffer_sources(result, stdin_bytes, stdin_filename))
        if text:
            echo(text, nl=False)
        if show_fixes and total_fixed:
            echo(_fixed_summary(outcomes), nl=False)
        if not quiet:
            if text and output_format == "concise":
                echo("")
            echo(output.summary_line(diagnostics, total_fixed, unsafe_fixes, fix, unwritable))
    if problem := sink.close():
        _fail(problem)

    for e in errors:
        click.echo(f"error: {e}", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    if exit_non_zero_on_fix and total_fixed and not show_diff and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    if show_diff:
        sys.exit(EXIT_FINDINGS if any(o.diff for o in outcomes) and not exit_zero else EXIT_OK)
    if fix_only:
        sys.exit(EXIT_OK)
    if diagnostics and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _adoption(diagnostics, settings, baseline_file, write_baseline_file, add_noqa, use_stdin):
    """``--write-baseline`` and ``--add-noqa`` end the run here; returns ``(exit status,)`` when they did."""
    if write_baseline_file:
        from .adoption import write_baseline  # (5 ms; only with --write-baseline)

        try:
            n = write_baseline(write_baseline_file, diagnostics, settings.root)
        except OSError as exc:
            _fail(f"{write_baseline_file}: cannot write baseline: {exc.strerror or exc}")
        click.echo(f"Wrote a baseline of {n} finding{'s' if n != 1 else ''} to {write_baseline_file}", err=True)
        return (EXIT_OK,)
    if add_noqa:
        if use_stdin:
            _fail("--add-noqa cannot be used with standard input")
        from .adoption import add_noqa_to_files  # (5 ms; only with --add-noqa)

        total, warnings = add_noqa_to_files(diagnostics)
        for w in warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(f"Added {total} noqa directive{'s' if total != 1 else ''}.", err=True)
        return (EXIT_OK,)
    return None


def _fixed_summary(outcomes) -> str:
    lines = ["", f"Fixed {sum(o.fixed for o in outcomes)} error(s):"]
    for o in outcomes:
        if o.fixed:
            lines.append(f"- {o.path}: {o.fixed} fix(es) applied")
    return "\n".join(lines) + "\n"


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rule(code: Optional[str], show_all: bool, output_format: str) -> None:
    """Show a rule's documentation (by code or name), or list every rule with --all."""
    from ..engine.registry import all_rules, get_rule  # (imports every rule and libcst: only this command)

    if show_all:
        rules = list(all_rules())
    elif code:
        found = get_rule(code)
        if found is None:
            _fail(f"unknown rule `{code}`")
            return
        rules = [found]
    else:
        _fail("give a rule code (e.g. `backend-lint rule BKL402`) or --all")
        return
    if output_format == "json":
        data = [_rule_json(r) for r in rules]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
        return
    if show_all:
        for r in rules:
            fix = {"none": "   ", "sometimes": "(*)", "always": "[*]"}[r.fix_availability.value]
            click.echo(f"{r.code}  {fix}  {r.name:<40} {r.summary()}")
        return
    r = rules[0]
    click.echo(f"# {r.name} ({r.code})\n")
    click.echo(f"Family: {r.family()}. Fix: {r.fix_availability.value}.\n")
    click.echo(r.docs())


def _rule_json(r) -> dict:
    from .output.urls import rule_url  # (loads the formats: only the JSON listing)

    return {
        "code": r.code,
        "name": r.name,
        "linter": "backend-lint",
        "family": r.family(),
        "summary": r.summary(),
        "message_formats": [r.message],
        "fix": r.fix_availability.value,
        "explanation": r.docs(),
        "url": rule_url(r.code),
    }


main.add_command(facts_command)


@main.group()
def cache() -> None:
    """Manage the cache."""


@cache.command("clean")
@click.option("--cache-dir", type=click.Path(), help="The cache to remove (default: the project's).")
def cache_clean(cache_dir: Optional[str]) -> None:
    """Remove the cache."""
    from ..ground.cache import DEFAULT_CACHE_DIR  # (loads ground/io: --help and --version do not)

    if cache_dir is None:
        try:
            settings = discover_settings(os.getcwd())
        except ConfigError as exc:
            _fail(str(exc))
            return
        cache_dir = os.path.join(settings.root, DEFAULT_CACHE_DIR)
    if os.path.isdir(cache_dir):
        import shutil  # (~3 ms with bz2 and lzma: only `clean` needs it)

        shutil.rmtree(cache_dir, ignore_errors=True)
        click.echo(f"Removed cache at: {cache_dir}")
    else:
        click.echo(f"No cache found at: {cache_dir}")


@main.command()
@click.option("--stdio", is_flag=True, help="Speak LSP on standard input and output (the default and only transport).")
def server(stdio: bool) -> None:
    """Run the language server (LSP on standard input and output)."""
    from .server import ServerUnavailable, serve  # (the server package: only this command)

    try:
        serve()
    except ServerUnavailable as exc:
        _fail(str(exc))


if __name__ == "__main__":  # pragma: no cover
    main()
