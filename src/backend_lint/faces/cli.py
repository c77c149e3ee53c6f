"""``backend-lint``: the command line face (click). ruff's spelling wherever ruff has the flag.

Exit status: 0 no findings, 1 findings (or ``--diff`` would change something), 2 usage, config or
internal error.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from typing import Optional

import click

from .. import __version__
from ..ground.config import ConfigError, discover_settings

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
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (with --fix) or show unsafe fixes.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a diff; write nothing.")
@click.option("--show-fixes", is_flag=True, help="Show the fix of each finding and what --fix changed.")
@click.option(
    "--output-format",
    type=click.Choice(["text", "concise", "json", "sarif", "github"]),
    default=None,
    help="Output format (default: text).",
)
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config", type=click.Path(), help="A pyproject.toml or backend-lint.toml to use.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
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
    fix: bool,
    unsafe_fixes: bool,
    show_diff: bool,
    show_fixes: bool,
    output_format: Optional[str],
    statistics: bool,
    exit_zero: bool,
    config: Optional[str],
    quiet: bool,
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
    from ..engine.workspace import Request, run  # (160 ms cold: --help, --version and rule never load it)
    from . import output  # (the formats: only check needs them)

    output_format = output_format or os.environ.get("BACKEND_LINT_OUTPUT_FORMAT") or "text"
    request = Request(
        paths=paths, config=config, select=_split_codes(select), ignore=_split_codes(ignore),
        extend_select=_split_codes(extend_select), fix=fix, unsafe_fixes=unsafe_fixes, diff=show_diff, jobs=jobs,
        cache_dir=cache_dir, use_cache=not no_cache, respect_gitignore=not no_respect_gitignore,
        force_exclude=force_exclude, buffer=lambda: sys.stdin.buffer.read(), buffer_name=stdin_filename,
        on_warning=lambda w: click.echo(f"warning: {w}", err=True),
    )
    try:
        result = run(request)
    except ConfigError as exc:
        _fail(str(exc))
        return
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
    echo = (lambda s, nl=True: click.echo(s, nl=nl)) if to_stdout else (lambda s, nl=True: click.echo(s, nl=nl, err=True))

    if show_diff:
        for o in outcomes:
            if o.diff:
                echo(o.diff, nl=False)
        if not quiet:
            n = sum(o.fixed for o in outcomes if o.diff)
            click.echo(f"Would fix {n} error{'s' if n != 1 else ''}." if n else "No errors would be fixed.", err=True)
    elif statistics:
        echo(output.format_statistics(diagnostics), nl=False)
    elif output_format == "json":
        echo(output.format_json(diagnostics), nl=False)
    elif output_format == "sarif":
        from ..engine.registry import all_rules  # (imports every rule: SARIF lists them)

        echo(output.format_sarif(diagnostics, all_rules()), nl=False)
    elif output_format == "github":
        echo(output.format_github(diagnostics), nl=False)
    else:
        color = sys.stdout.isatty() and to_stdout and "NO_COLOR" not in os.environ
        text = output.format_text(diagnostics, color=color, show_fixes=show_fixes, unsafe_fixes=unsafe_fixes)
        if text:
            echo(text, nl=False)
        if show_fixes and total_fixed:
            echo(_fixed_summary(outcomes), nl=False)
        if not quiet:
            if text:
                echo("")
            echo(output.summary_line(diagnostics, total_fixed, unsafe_fixes, fix))

    for e in errors:
        click.echo(f"error: {e}", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    if show_diff:
        sys.exit(EXIT_FINDINGS if any(o.diff for o in outcomes) and not exit_zero else EXIT_OK)
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
    return {
        "code": r.code,
        "name": r.name,
        "linter": "backend-lint",
        "family": r.family(),
        "summary": r.summary(),
        "message_formats": [r.message],
        "fix": r.fix_availability.value,
        "explanation": r.docs(),
        "url": r.url(),
    }


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
