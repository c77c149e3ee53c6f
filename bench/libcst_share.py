"""Which files reach libcst, which families' rules the ``ast`` screens leave on them, whether they report, and
what their libcst parse + traversal + positions cost (``time.process_time`` per file, in one process).

Usage (from a project directory, e.g. bench.py's scratch project)::

    python /path/to/bench/libcst_share.py OUT.json -- check . --no-cache -j 1 --exit-zero -q

Prints one line per group (a single family's rules left, or several; with findings or none) and writes every
file's row to OUT.json: the files that reach libcst and report nothing are what a screen (or a rule reading
``ast``) could still keep from libcst (bench/RESULTS.md, run 59). Measurement only: it wraps backend-lint's own
functions in this process and changes no result.
"""
import collections
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from floor import run_check  # noqa: E402 (the sibling script)


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    out, args = sys.argv[1], sys.argv[3:]
    clock = time.process_time
    import backend_lint.engine.parsing as parsing
    from backend_lint.engine.api import Engine

    kept_by: dict = {}
    screen = Engine._screen_with_tree

    def screen_and_record(self, active, source, project, tree=None, path=None):
        kept, tree = screen(self, active, source, project, tree, path)
        if path is not None:
            kept_by[path] = [cls.code for cls in kept if cls is not None]
        return kept, tree

    started: dict = {}
    parse = parsing.parse_module

    def timed_parse(source):
        started["t"] = clock()
        return parse(source)

    rows: dict = {}
    lint = Engine.lint_source

    def lint_and_record(self, source, path, noqa=True, tree=None):
        started.pop("t", None)
        result = lint(self, source, path, noqa, tree)
        if result.parsed and "t" in started:
            families = sorted({code[3] for code in kept_by.get(path, []) if code.startswith("BKL")})
            rows[path] = {"cpu": round(clock() - started["t"], 4), "findings": len(result.diagnostics),
                          "families": families, "lines": source.count("\n")}
        return result

    Engine._screen_with_tree = screen_and_record
    parsing.parse_module = timed_parse  # (``lint_source`` imports it from this module when it needs it)
    Engine.lint_source = lint_and_record
    total = run_check(args)
    groups: dict = collections.defaultdict(lambda: [0, 0, 0.0])
    for row in rows.values():
        fams = row["families"]
        key = (f"family {fams[0]} alone" if len(fams) == 1 else f"families {','.join(fams) or '-'}") + (
            ", reports" if row["findings"] else ", no finding")
        g = groups[key]
        g[0] += 1
        g[1] += row["lines"]
        g[2] += row["cpu"]
    with open(out, "w") as fh:
        json.dump({"total_cpu": round(total, 3), "files": rows}, fh, indent=1)
    print(f"main() {total:.2f} s CPU; {len(rows)} files reach libcst", file=sys.stderr)
    for key, (files, lines, cpu) in sorted(groups.items(), key=lambda kv: -kv[1][2]):
        print(f"{cpu:7.2f} s  {files:5d} files  {lines:8d} lines  {key}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
