#!/usr/bin/env python3
"""Cost of one large generated module (issue 15, item 7): 1, 2 and 5 MB, linted and refused.

Usage (from the repository root, with the project's venv)::

    python bench/large_files.py                    # 1, 2, 5 MB, 2 runs each
    python bench/large_files.py --sizes 1 2 5 10 --repeat 3

Each module is what code generators write: many model classes with datetime columns and defaults,
functions with clock calls inside and outside their bodies (the BKL304 screen was quadratic in calls x
functions), routes, and long literal tables. For each size two runs of ``check --no-cache --select ALL``:

- *linted*: ``max-file-size`` above the file: the whole pipeline (index, screens, libcst, rules);
- *refused*: the default ``max-file-size`` (2 MB) below the file: reported as BKL900 without being
  read (files under 2 MB are linted in both runs). Above ``--max-linted-mb`` only this run is made: a
  libcst tree takes about 1 GB per MB of source.

The table shows wall time, CPU, peak memory and seconds per MB; linear cost shows as a flat s/MB column.
Timing assertions do not belong in the test suite; this script is where speed is measured.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import run_once  # noqa: E402  (bench/bench.py: one timed run with its peak memory)

HEADER = '''from datetime import date, datetime, timezone

import sqlalchemy as sa
from fastapi import APIRouter
from sqlmodel import Field, SQLModel

router = APIRouter()
STARTED = datetime.now(timezone.utc)
'''

CHUNK = '''

class Record{n}(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    seen_on: date | None = None


event_{n} = sa.Column("event_{n}", sa.DateTime(timezone=True), default=datetime.now(timezone.utc))


def compute_{n}(rows: list[int]) -> dict:
    now = datetime.now(timezone.utc)
    total = 0
    for r in rows:
        if r % 3 == 0:
            total += r * {n}
        else:
            total -= r
    return {{"at": now.isoformat(), "total": total, "day": date.today().isoformat()}}


@router.get("/records/{n}")
def read_{n}(limit: int = 10) -> list[dict]:
    return [compute_{n}(list(range(limit)))]


TABLE_{n} = [{table}]
'''


def generate(path: Path, megabytes: float) -> int:
    target = int(megabytes * 1_000_000)
    parts = [HEADER]
    size = len(HEADER)
    n = 0
    table = ", ".join(f'("k{i}", {i}, {i * 0.5})' for i in range(20))
    while size < target:
        chunk = CHUNK.format(n=n, table=table)
        parts.append(chunk)
        size += len(chunk)
        n += 1
    path.write_text("".join(parts))
    return path.stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="*", type=float, default=[1, 2, 5], help="module sizes in MB")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/bkl-bench-large")
    ap.add_argument("--max-linted-mb", type=float, default=2.5, help="above this size, only the refused run (libcst needs ~1 GB per MB)")
    ap.add_argument("--backend-lint", default=str(Path(sys.executable).parent / "backend-lint"))
    args = ap.parse_args()

    rows = []
    for mb in args.sizes:
        work = Path(args.workdir) / f"{mb:g}mb"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        size = generate(work / "generated.py", mb * 0.999)
        runs = [("linted", size * 2)] if mb <= args.max_linted_mb else []
        for label, limit in runs + [("refused", 2_000_000)]:
            (work / "pyproject.toml").write_text(f"[tool.backend-lint]\nmax-file-size = {limit}\n")
            cmd = [args.backend_lint, "check", "--no-cache", "--select", "ALL", "--exit-zero", "-q", "."]
            samples = [run_once(cmd, work) for _ in range(args.repeat)]
            best = min(samples, key=lambda s: s.wall)
            peak = max(s.peak_mb for s in samples)
            rows.append((mb, size, label if size > limit or label == "linted" else "linted (under the limit)", best.wall, best.cpu, peak))
            print(f"  {mb:>4g} MB  {label:<8} wall {best.wall:7.2f} s  cpu {best.cpu:7.2f} s  peak {peak:6.0f} MB  {best.wall / (size / 1e6):6.2f} s/MB", flush=True)
    print()
    print("| size | run | wall (s) | CPU (s) | peak (MB) | s per MB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for mb, size, label, wall, cpu, peak in rows:
        print(f"| {size / 1e6:.2f} MB | {label} | {wall:.2f} | {cpu:.2f} | {peak:.0f} | {wall / (size / 1e6):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
