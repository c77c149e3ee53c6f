"""Compare BKL301 + BKL302 with ruff's flake8-datetimez rules (DTZ), line for line.

    python scripts/compare_dtz.py [PATH ...] [--files LIST] [--show N] [--jobs N]

PATHs are files or directories (default: the corpus list ``~/.cache/backend-lint-corpus/files.txt``).
Both tools see the same files: ruff through ``ruff check --isolated --ignore-noqa --select DTZ`` (ruff
must be on PATH or next to this Python), backend-lint through its engine with only BKL301 and BKL302
selected; ``# noqa`` comments are ignored on both sides. A finding is a (file, row) pair, counted with
multiplicity. The script prints the agreement and every difference, grouped by class with the source
line, so that each one can be read and explained.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CORPUS_LIST = Path.home() / ".cache" / "backend-lint-corpus" / "files.txt"
CODES = ["BKL301", "BKL302"]


def python_files(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
                out.extend(os.path.join(dirpath, f) for f in filenames if f.endswith(".py"))
        elif p.endswith(".py"):
            out.append(p)
    return sorted(os.path.abspath(f) for f in out)


def ruff_binary() -> str:
    here = os.path.join(os.path.dirname(sys.executable), "ruff")
    return here if os.path.exists(here) else (shutil.which("ruff") or "ruff")


def run_ruff(files: list[str]) -> Counter:
    found: Counter = Counter()
    ruff = ruff_binary()
    for i in range(0, len(files), 400):
        chunk = files[i : i + 400]
        proc = subprocess.run(
            [ruff, "check", "--isolated", "--no-cache", "--ignore-noqa", "--select", "DTZ", "--output-format", "json", "--exit-zero", *chunk],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"ruff failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
        for d in json.loads(proc.stdout or "[]"):
            if d.get("code") and d["code"].startswith("DTZ"):
                found[(os.path.abspath(d["filename"]), d["location"]["row"])] += 1
    return found


def _lint_chunk(files: list[str]) -> list[tuple[str, int, str]]:
    from backend_lint.ground.config import Settings
    from backend_lint.engine.api import Engine
    from backend_lint.ground.io import SourceReadError, read_source

    engine = Engine(Settings(), CODES)
    out = []
    for f in files:
        try:
            text = read_source(f).text
        except SourceReadError:
            continue
        for d in engine.lint_source(text, f, noqa=False).diagnostics:
            if d.code in CODES:
                out.append((f, d.row, d.code))
    return out


def run_ours(files: list[str], jobs: int) -> Counter:
    found: Counter = Counter()
    chunks = [files[i : i + 50] for i in range(0, len(files), 50)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for part in pool.map(_lint_chunk, chunks):
            for f, row, _ in part:
                found[(f, row)] += 1
    return found


_CLASSES = [
    ("utcnow()/utcfromtimestamp() followed by .astimezone(): deprecated and wrong off UTC (BKL302 reports it)",
     "ours", re.compile(r"utc(now|fromtimestamp)\(.*\)\s*\.astimezone")),
    ("*args / **kwargs may carry the timezone: no claim", "theirs", re.compile(r"\(\s*\*|,\s*\*")),
    ("datetime(...) / strptime(...) made aware by .replace(tzinfo=...) (after other .replace calls)",
     "theirs", re.compile(r"\.replace\(")),
    ("%z in an implicitly concatenated format string", "theirs", re.compile(r"%z")),
]


def classify(side: str, line: str, following: str) -> str:
    text = line + " " + following
    for title, where, pattern in _CLASSES:
        if where == side and pattern.search(text):
            return title
    return "other (read it)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--files", help="a file that lists .py files, one per line")
    parser.add_argument("--show", type=int, default=20, help="differences shown per class (default 20)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if args.files:
        files = sorted(os.path.abspath(l.strip()) for l in open(args.files, encoding="utf-8") if l.strip())
    elif args.paths:
        files = python_files(args.paths)
    else:
        files = sorted(os.path.abspath(l.strip()) for l in open(CORPUS_LIST, encoding="utf-8") if l.strip())
    theirs = run_ruff(files)
    ours = run_ours(files, args.jobs)
    both = ours & theirs
    only_ours = ours - theirs
    only_theirs = theirs - ours
    union = ours | theirs
    n_both, n_ours, n_theirs = sum(both.values()), sum(only_ours.values()), sum(only_theirs.values())
    print(f"files: {len(files)}")
    print(f"ruff DTZ findings (lines): {sum(theirs.values())}   BKL301+BKL302: {sum(ours.values())}")
    print(f"agree: {n_both}   only BKL: {n_ours}   only DTZ: {n_theirs}")
    if union:
        print(f"agreement: {100.0 * n_both / sum(union.values()):.1f}% of all findings, "
              f"{100.0 * n_both / max(1, sum(theirs.values())):.1f}% of DTZ's findings are ours too")
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    cache: dict[str, list[str]] = {}
    for side, diff in (("ours", only_ours), ("theirs", only_theirs)):
        for (path, row), n in sorted(diff.items()):
            lines = cache.get(path)
            if lines is None:
                try:
                    lines = cache[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    lines = cache[path] = []
            line = lines[row - 1] if 0 < row <= len(lines) else ""
            following = " ".join(l.strip() for l in lines[row : row + 3])
            title = classify(side, line, following)
            groups[(side, title)].append(f"{path}:{row}: {line.strip()[:140]}" + (f"  (x{n})" if n > 1 else ""))
    for (side, title), items in sorted(groups.items()):
        who = "only BKL301/BKL302" if side == "ours" else "only ruff DTZ"
        print(f"\n[{who}] {title}: {len(items)}")
        for item in items[: args.show]:
            print("   ", item)
        if len(items) > args.show:
            print(f"    ... {len(items) - args.show} more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
