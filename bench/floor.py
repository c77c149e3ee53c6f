"""The floor of a cold run: what a ``check`` costs when it stops after each of its stages (issue 17).

Usage (from a project directory, e.g. bench.py's scratch project, with the venv whose backend-lint you measure)::

    /usr/bin/time -f '%U %S' python /path/to/bench/floor.py MODE -- check . --no-cache -j 1 --exit-zero -q

MODE (each includes the ones before it):

- ``parse``: discover the project's files (as the index does) and parse each once with ``ast``; nothing else;
- ``index``: the real run with every rule inactive: the project index is built, no prefilter, screen or
  libcst parse runs;
- ``screens``: the real run with the text prefilters and the ``ast`` screens (and their second ``ast`` parse),
  then every rule dropped: libcst never runs (a file whose active rules include one without an ``ast`` screen
  is dropped without screening, as it would have gone to libcst unscreened);
- ``full``: the real run.

Compare the whole process's CPU (``/usr/bin/time``) with ``flake8`` defaults (``flake8_without_plugin.py``)
and ``ruff check --no-cache --select ALL`` run in the same minute: the stage at which backend-lint's CPU
passes a bar says which bar this architecture can reach at all (bench/RESULTS.md, run 59). Measurement
only: it wraps backend-lint's own functions in this process; the findings of the stopped modes are
meaningless. The time of ``main()`` in this process is printed to stderr.
"""
import ast
import os
import sys
import time

MODES = ("parse", "index", "screens", "full")


def _parse_only() -> None:
    from backend_lint.ground.config import discover_settings
    from backend_lint.ground.discovery import project_python_files

    files = project_python_files(os.getcwd(), discover_settings("."), True, None)
    parsed = 0
    for f in files:
        with open(f, "rb") as fh:
            source = fh.read()
        try:
            ast.parse(source, f)
            parsed += 1
        except (SyntaxError, ValueError):
            pass
    print(f"parse: {len(files)} files, {parsed} parsed", file=sys.stderr)


def _stop_after(mode: str) -> None:
    from backend_lint.engine.api import Engine

    if mode == "index":
        def nothing_active(self, *args, **kwargs):
            return [None] * len(self.rule_classes)

        Engine._active_rules = nothing_active
    elif mode == "screens":
        screen = Engine._screen_with_tree

        def drop_all(self, active, *args, **kwargs):
            kept, tree = screen(self, active, *args, **kwargs)
            return [None] * len(kept), tree

        Engine._screen_with_tree = drop_all


def run_check(args: list) -> float:
    """Run backend-lint's command line in this process with ``args``; its CPU seconds."""
    from backend_lint.faces.cli import main as cli

    started = time.process_time()
    try:
        cli(args, standalone_mode=False)
    except SystemExit:
        pass
    return time.process_time() - started


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[1] not in MODES or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    mode, args = sys.argv[1], sys.argv[3:]
    if mode == "parse":
        started = time.process_time()
        _parse_only()
        spent = time.process_time() - started
    else:
        _stop_after(mode)
        spent = run_check(args)
    print(f"{mode}: main() {spent:.2f} s CPU", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
