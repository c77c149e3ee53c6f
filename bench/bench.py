#!/usr/bin/env python3
"""Time backend-lint against its peers on one list of files, in one run.

Usage (from the repository root, with the project's venv)::

    python bench/bench.py                                  # the default corpus subset (see DEFAULT_PACKAGES)
    python bench/bench.py --group fastapi                  # FastAPI services with owned models (issue 17)
    python bench/bench.py --files my-files.txt             # any list of .py files, one per line
    python bench/bench.py --repeat 5 --slow-repeat 2 --write bench/RESULTS.md

The files are copied into one scratch project (``--workdir``, with a ``pyproject.toml`` at its top) so
that every tool sees the same tree and the same project root. Each command runs ``--repeat`` times
(``--slow-repeat`` for the slow peers); the script prints min / median wall time, the ratio of every
figure to ``backend-lint check`` cold, and the peak memory of each command's whole process tree
(sampled from /proc, summed over processes).

Peers are found on PATH or given by flags (``--ruff``, ``--flake8``, ``--fixit``); a missing peer is
skipped with a note. flake8 "without our plugin" is the same flake8 with the backend-lint entry point
filtered out of its plugin finder (see ``flake8_without_plugin.py``). Fixit should live in its own venv
(``python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install fixit``) so that it cannot change
the libcst that backend-lint uses.

Timing assertions do not belong in the test suite; this script is where speed is measured.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = Path(os.environ.get("BKL_CORPUS", Path.home() / ".cache" / "backend-lint-corpus")) / "src"
# About the size of the corpus (2,733 files, 378,703 lines): FastAPI, Flask and Litestar services
# with SQLAlchemy models and Alembic revisions.
DEFAULT_PACKAGES = (
    "apache-airflow-core-3.3.2",
    "apache-superset-6.1.0",
    "litestar-2.25.0",
    "fastapi-users-15.0.5",
    "fastapi-pagination-0.16.1",
    "opal-server-0.9.9",
)
# The users of families 1-2: FastAPI services with owned models, auth and schemas in most files (issue 17).
# Their files get past the cheap screens far more often than Airflow's or Superset's do.
FASTAPI_PACKAGES = (
    "langflow-base-1.13.0",
    "prefect-3.9.1/prefect/server",
    "zenml-0.98.0/zenml/zen_server",
    "fastapi-users-15.0.5",
    "sqladmin-0.32.0",
)
GROUPS = {"default": DEFAULT_PACKAGES, "fastapi": FASTAPI_PACKAGES}
# How far behind ruff --select ALL a cold run may be, per group (the FastAPI group's aim is tighter: issue 17).
RUFF_AIM = {"default": 5.0, "fastapi": 4.0}
FIXIT_RULES = "fixit.rules:NoRedundantFString,fixit.rules:CompareSingletonPrimitivesByIs,fixit.rules:UseTypesFromTyping"
# The pre-commit case: one changed file, everything else warm. A route module with models and schemas.
ONE_FILE_CANDIDATES = (
    "airflow/api_fastapi/core_api/routes/public/connections.py",
    "airflow/api_fastapi/core_api/routes/public/variables.py",
)


# --- measuring ----------------------------------------------------------------------------------------

def _tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants (kB), from /proc."""
    total = 0
    stack = [root_pid]
    seen = set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return total


@dataclass
class Sample:
    wall: float
    peak_mb: float
    returncode: int
    cpu: float = 0.0  # user + system seconds of the whole process tree


@dataclass
class Measure:
    key: str
    label: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def times(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)


# Like a user's machine: byte-code caches on (this workplace sets PYTHONDONTWRITEBYTECODE, which makes
# every Python tool compile its sources on every start).
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(cmd: list[str], cwd: Path, env: Optional[dict] = None) -> Sample:
    import tempfile

    err_file = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err_file, env=env or BENCH_ENV)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            stop.wait(0.01)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, status, usage = os.wait4(proc.pid, 0)  # CPU time of the command and every process it waited for
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    t.join()
    if proc.returncode not in (0, 1):
        err_file.seek(0)
        sys.stderr.write(f"  ! {' '.join(cmd[:4])} ... exited {proc.returncode}: {err_file.read().decode(errors='replace')[-800:]}\n")
    return Sample(wall, peak / 1024, proc.returncode, usage.ru_utime + usage.ru_stime)


def measure(key: str, label: str, cmd: list[str], cwd: Path, repeat: int, before=None, env=None, warmup: int = 0) -> Measure:
    m = Measure(key, label)
    for _ in range(warmup):
        if before:
            before()
        run_once(cmd, cwd, env)
    for _ in range(repeat):
        if before:
            before()
        m.samples.append(run_once(cmd, cwd, env))
    print(f"  {label:<58} min {m.min:7.3f} s   median {m.median:7.3f} s   cpu {m.cpu:7.2f} s   peak {m.peak_mb:6.0f} MB", flush=True)
    return m


# --- the scratch project ---------------------------------------------------------------------------------

def collect_files(args) -> list[Path]:
    if args.files:
        lines = Path(args.files).read_text().split("\n")
        return [Path(l.strip()).resolve() for l in lines if l.strip()]
    out: list[Path] = []
    for pkg in args.packages:
        d = Path(args.corpus) / pkg
        if not d.is_dir():
            sys.exit(f"error: {d} not found (run shared/corpus/fetch-corpus.sh, or give --files)")
        out.extend(sorted(d.rglob("*.py")))
    return out


def make_project(files: list[Path], workdir: Path) -> tuple[Path, int, int]:
    project = workdir / "project"
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    common = Path(os.path.commonpath([str(f.parent) for f in files]))
    lines = 0
    for f in files:
        dest = project / f.relative_to(common)
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = f.read_bytes()
        lines += data.count(b"\n")
        dest.write_bytes(data)
    (project / "pyproject.toml").write_text('[project]\nname = "bench-project"\nversion = "0"\n')
    return project, len(files), lines


def find_tool(flag: Optional[str], name: str, extra: tuple[str, ...] = ()) -> Optional[str]:
    if flag:
        # (a relative path is made absolute: the peers run in the copied project, not here)
        if os.path.exists(flag):
            return os.path.abspath(flag)
        return shutil.which(flag)
    for cand in (os.path.join(os.path.dirname(sys.executable), name), *extra):
        if os.path.exists(cand):
            return cand
    return shutil.which(name)


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.splitlines()[0] if out else "?"


PARSE_SNIPPET = r"""
import sys, time, warnings
paths = [l for l in open(sys.argv[2]).read().split("\n") if l]
texts = []
for p in paths:
    try:
        texts.append(open(p, encoding="utf-8").read())
    except (OSError, UnicodeDecodeError):
        pass
if sys.argv[1] == "ast":
    import ast
    parse = lambda t: ast.parse(t)
else:
    import libcst
    parse = libcst.parse_module
warnings.simplefilter("ignore")
start = time.process_time()
for t in texts:
    try:
        parse(t)
    except Exception:
        pass
print(time.process_time() - start)
"""


PREFILTER_SNIPPET = r"""
import sys, os
from backend_lint.ground.config import discover_settings
from backend_lint.engine.api import Engine
from backend_lint.ground.discovery import iter_python_files
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.tree_facts import tree_facts
from backend_lint.knowledge.modules import looks_like_migration
root = sys.argv[1]
settings = discover_settings(root)
files = list(iter_python_files([root], settings))
project = ProjectIndex.build(root, files, cache_dir=os.path.join(root, ".backend_lint_cache"))
engine = Engine(settings, project=project)
texts = []
for f in files:
    try:
        texts.append((str(f), open(f, encoding="utf-8").read()))
    except (OSError, UnicodeDecodeError):
        pass
total = sum(t.count(chr(10)) for _, t in texts) or 1
classes = engine.rule_classes
own = {cls: [0, 0, 0, 0] for cls in classes}  # files/lines passing the text prefilters, then also the screen
reach = [0, 0]
parsed = {cls: [0, 0] for cls in classes}  # files that reach libcst with this rule active, and with it alone
for f, t in texts:
    n = t.count(chr(10))
    active = engine._active_rules(t, f, looks_like_migration(t))
    facts = None
    for cls in active:
        if cls is None:
            continue
        own[cls][0] += 1
        own[cls][1] += n
        if cls.may_fire_tree is not None:
            if facts is None:
                facts = tree_facts(t) or False
            if facts is not False and not cls.may_fire_tree(facts, project, settings):
                continue
        own[cls][2] += 1
        own[cls][3] += n
    screened = [c for c in engine._screen(active, t, None) if c is not None] if any(active) else []
    if screened:
        reach[0] += 1
        reach[1] += n
        for cls in screened:
            parsed[cls][0] += 1
            parsed[cls][1] += len(screened) == 1
pct = lambda a, b: f"{100 * a / b:.0f}%"
for cls in classes:
    o = own[cls]
    screen = f"{pct(o[2], len(texts))} / {pct(o[3], total)}" if cls.may_fire_tree is not None else "(no screen)"
    print(f"| {cls.code} {cls.name} | {pct(o[0], len(texts))} / {pct(o[1], total)} | {screen} | {parsed[cls][0]} ({parsed[cls][1]}) |")
print(f"| any rule (these files reach libcst) | | {pct(reach[0], len(texts))} / {pct(reach[1], total)} | {reach[0]} of {len(texts)} |")
"""


def prefilter_report(py: str, project: Path) -> str:
    out = subprocess.run([py, "-c", PREFILTER_SNIPPET, str(project)], capture_output=True, text=True, env=BENCH_ENV)
    if out.returncode != 0:
        return f"(prefilter report failed: {out.stderr[-300:]})"
    return (
        "| rule | text prefilters: files / lines | and its ast screen: files / lines | files reaching libcst with it active (it alone) |\n"
        "| --- | --- | --- | --- |\n" + out.stdout.strip()
    )


INDEX_SNIPPET = r"""
import sys, time, warnings, json
from backend_lint.ground.io import decode_source
from backend_lint.knowledge.index import extract
texts = []
for p in open(sys.argv[1]).read().splitlines():
    try:
        texts.append((p, decode_source("", open(p, "rb").read()).text))
    except Exception:
        pass
spent = {}
def timed(name, fn):
    def run(tree, facts, resolve):
        start = time.process_time()
        try:
            return fn(tree, facts, resolve)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start
    return run
found = tuple((name, timed(name, fn)) for name, fn in extract._extractors())
extract._extractors = lambda: found  # (this measuring process only: each extractor's share)
warnings.simplefilter("ignore")
start = time.process_time()
for p, t in texts:
    extract.extract_module(t, p, p.rsplit("/", 1)[-1][:-3], p.endswith("__init__.py"))
total = time.process_time() - start
print(json.dumps({"total": total, **spent}))
"""


def measure_index(file_list: Path, repeat: int, notes: list[str]) -> Measure:
    """The project index's extraction alone (``ast.parse`` and every extractor), one core, CPU s; each
    extractor's share goes to the notes (the median run's)."""
    m = Measure("index", "project index alone: extract every file (1 core, CPU s)")
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", INDEX_SNIPPET, str(file_list)], capture_output=True, text=True, env=BENCH_ENV)
        try:
            found = json.loads(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            found = {"total": float("nan")}
        runs.append(found)
        m.samples.append(Sample(float(found["total"]), 0.0, out.returncode))
    print(f"  {m.label:<58} min {m.min:7.3f} s   median {m.median:7.3f} s", flush=True)
    middle = sorted(runs, key=lambda r: r["total"])[len(runs) // 2]
    parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(middle.items(), key=lambda kv: -kv[1]) if k != "total")
    notes.append(f"the index's extractors (CPU s, of {middle['total']:.2f}; the rest is `ast.parse` and the module facts): {parts}")
    return m


def measure_parse(kind: str, file_list: Path, repeat: int) -> Measure:
    m = Measure(f"parse-{kind}", f"{'ast.parse' if kind == 'ast' else 'libcst.parse_module'} alone (1 core, CPU s)")
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", PARSE_SNIPPET, kind, str(file_list)], capture_output=True, text=True, env=BENCH_ENV)
        m.samples.append(Sample(float(out.stdout.strip() or "nan"), 0.0, out.returncode))
    print(f"  {m.label:<58} min {m.min:7.3f} s   median {m.median:7.3f} s", flush=True)
    return m


# --- main -----------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", help="a file listing .py paths, one per line (default: the corpus subset)")
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="the corpus' src/ directory")
    ap.add_argument("--group", choices=sorted(GROUPS), default="default",
                    help="a named set of corpus packages: 'default' (the historical runs) or 'fastapi' (issue 17)")
    ap.add_argument("--packages", nargs="*", default=None, help="corpus packages (or sub-folders) to use; overrides --group")
    ap.add_argument("--workdir", default="/tmp/bkl-bench", help="scratch directory (the files are copied here)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per fast command")
    ap.add_argument("--slow-repeat", type=int, default=2, help="runs per slow command (flake8, Fixit, cold)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cores to use (all by default)")
    ap.add_argument("--backend-lint", default=None, help="the backend-lint executable")
    ap.add_argument("--ruff", default=None)
    ap.add_argument("--flake8", default=None)
    ap.add_argument("--fixit", default=None, help="default: fixit on PATH, or /work/bench-venv/bin/fixit")
    ap.add_argument("--skip", nargs="*", default=[], help="measure keys to skip (e.g. fixit flake8)")
    ap.add_argument("--write", default=None, help="write the results as Markdown to this file")
    ap.add_argument(
        "--snapshot", action="store_true",
        help="run a frozen copy of backend-lint's sources (for a tree that others are editing: the cache's key "
        "includes a digest of backend-lint's own code, so an edit between two warm runs makes them cold)",
    )
    args = ap.parse_args()
    if args.packages is None:
        args.packages = list(GROUPS[args.group])

    load_before = os.getloadavg()
    notes: list[str] = []
    files = collect_files(args)
    workdir = Path(args.workdir)
    project, nfiles, nlines = make_project(files, workdir)
    file_list = workdir / "files.txt"
    rel_files = sorted(str(p.relative_to(project)) for p in project.rglob("*.py"))
    file_list.write_text("\n".join(str(project / f) for f in rel_files) + "\n")
    print(f"{nfiles} files, {nlines} lines, copied to {project}")

    bkl = find_tool(args.backend_lint, "backend-lint")
    ruff = find_tool(args.ruff, "ruff")
    flake8 = find_tool(args.flake8, "flake8")
    fixit = find_tool(args.fixit, "fixit", ("/work/bench-venv/bin/fixit",))
    if bkl is None:
        sys.exit("error: backend-lint not found")
    py = os.path.join(os.path.dirname(bkl), "python")
    if not os.path.exists(py):
        py = sys.executable
    jobs = str(args.jobs)
    cache = project / ".backend_lint_cache"
    if args.snapshot:
        where = subprocess.run([py, "-c", "import backend_lint, os; print(os.path.dirname(backend_lint.__file__))"],
                               capture_output=True, text=True, env=BENCH_ENV).stdout.strip()
        snap = workdir / "snapshot"
        shutil.rmtree(snap, ignore_errors=True)
        shutil.copytree(where, snap / "backend_lint", ignore=shutil.ignore_patterns("__pycache__"))
        BENCH_ENV["PYTHONPATH"] = str(snap) + os.pathsep + BENCH_ENV.get("PYTHONPATH", "")
        notes.append(f"backend-lint ran from a frozen copy of {where}")

    def clean_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    results: dict[str, Measure] = {}
    R, S = args.repeat, args.slow_repeat

    def want(key: str) -> bool:
        return key not in args.skip and not any(key.startswith(s + "-") for s in args.skip)

    print("backend-lint:")
    base = [bkl, "check", "--exit-zero", "-q", "--jobs", jobs]
    if want("bkl-cold"):
        results["bkl-cold"] = measure("bkl-cold", f"backend-lint check, cold (empty cache), {jobs} jobs", base + ["."], project, S, before=clean_cache)
    if want("bkl-nocache"):
        results["bkl-nocache"] = measure("bkl-nocache", f"backend-lint check --no-cache, {jobs} jobs", base + ["--no-cache", "."], project, S)
    if want("bkl-cold-1job"):
        one = [bkl, "check", "--exit-zero", "-q", "--jobs", "1", "."]
        results["bkl-cold-1job"] = measure("bkl-cold-1job", "backend-lint check, cold (empty cache), 1 job", one, project, S, before=clean_cache)
    if want("bkl-warm"):
        clean_cache()
        results["bkl-warm"] = measure("bkl-warm", "backend-lint check, warm (nothing changed)", base + ["."], project, R, warmup=1)
    if want("bkl-one"):
        # (the copied project keeps each package's own directory: ``apache-airflow-core-3.3.2/airflow/...``)
        target = next((project / f for c in ONE_FILE_CANDIDATES for f in rel_files if f == c or f.endswith("/" + c)), None)
        if target is None:
            target = project / rel_files[len(rel_files) // 2]
        original = target.read_bytes()
        counter = [0]

        def touch() -> None:  # a real edit: the file's own cache entry misses, the rest is warm
            counter[0] += 1
            target.write_bytes(original + f"\n# bench edit {counter[0]}\n".encode())

        base_one = [bkl, "check", "--exit-zero", "-q", str(target.relative_to(project))]
        run_once(base + ["."], project)  # warm everything
        try:
            results["bkl-one"] = measure("bkl-one", f"backend-lint check ONE changed file, warm index", base_one, project, R, before=touch)
            results["bkl-one"].note = str(target.relative_to(project))
        finally:
            target.write_bytes(original)

    print("peers:")
    if ruff and want("ruff-all"):
        results["ruff-all"] = measure("ruff-all", "ruff check --no-cache --select ALL", [ruff, "check", "--no-cache", "--select", "ALL", "--exit-zero", "-q", "."], project, R)
    if ruff and want("ruff-dtz"):
        results["ruff-dtz"] = measure("ruff-dtz", "ruff check --no-cache --select DTZ,FAST", [ruff, "check", "--no-cache", "--select", "DTZ,FAST", "--exit-zero", "-q", "."], project, R)
    if not ruff:
        notes.append("ruff not found: skipped")
    if flake8 and want("flake8"):
        without = [py, str(HERE / "flake8_without_plugin.py"), "--exit-zero", "."]
        results["flake8"] = measure("flake8", "flake8 (defaults), without our plugin", without, project, S)
        if want("flake8-bkl"):  # (``--skip flake8-bkl`` keeps flake8 alone)
            results["flake8-bkl"] = measure("flake8-bkl", "flake8 (defaults) with the BKL plugin, cold index", [flake8, "--exit-zero", "."], project, S, before=clean_cache)
    elif not flake8:
        notes.append("flake8 not found: skipped")
    if fixit and want("fixit"):
        results["fixit"] = measure("fixit", "Fixit, three built-in rules", [fixit, "--rules", FIXIT_RULES, "lint", "."], project, S)
    elif not fixit:
        notes.append("Fixit not found (give --fixit or install it in its own venv): skipped")
    if want("parse"):
        results["parse-ast"] = measure_parse("ast", file_list, S)
        results["parse-libcst"] = measure_parse("libcst", file_list, S)
    if want("index"):
        results["index"] = measure_index(file_list, S, notes)

    prefilter = prefilter_report(py, project) if want("prefilter") else ""
    load_after = os.getloadavg()
    versions = {
        "backend-lint": tool_version([bkl, "--version"]),
        "ruff": tool_version([ruff, "--version"]) if ruff else "-",
        "flake8": tool_version([flake8, "--version"]) if flake8 else "-",
        "fixit": tool_version([fixit, "--version"]) if fixit else "-",
        "libcst": tool_version([py, "-c", "import importlib.metadata as m; print(m.version('libcst'))"]),
        "python": tool_version([py, "-V"]),
    }
    notes.append(
        f"load average (1 min) before the run {load_before[0]:.1f}, after {load_after[0]:.1f} on {os.cpu_count()} cores"
        " (other processes on the machine slow every tool alike, but not always equally)"
    )
    report = render(results, versions, nfiles, nlines, args, notes, prefilter)
    print()
    print(report)
    if args.write:
        Path(args.write).write_text(report)
        print(f"written to {args.write}")
    return 0


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _mem_gb() -> str:
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return "?"


def render(results: dict[str, Measure], versions: dict[str, str], nfiles: int, nlines: int, args, notes: list[str], prefilter: str = "") -> str:
    ref = results.get("bkl-cold")
    out = []
    out.append(f"Run on {datetime.date.today().isoformat()}: {platform.system()} {platform.release()}, {_cpu_model()}, "
               f"{os.cpu_count()} cores, {_mem_gb()} RAM; `--jobs {args.jobs}`.")
    src = f"`--files {args.files}`" if args.files else "corpus packages " + ", ".join(f"`{p}`" for p in args.packages)
    out.append(f"Files: {src}: **{nfiles} files, {nlines:,} lines**.")
    out.append("Versions: " + "; ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    out.append("")
    out.append("| command | runs | min (s) | median (s) | x backend-lint cold (median) | CPU s (median) | peak memory (MB) |")
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    for m in results.values():
        ratio = f"{m.median / ref.median:.2f}" if ref and m.key != "bkl-cold" else ("1" if m.key == "bkl-cold" else "")
        peak = f"{m.peak_mb:.0f}" if m.peak_mb else "-"
        cpu = f"{m.cpu:.2f}" if m.cpu else "-"
        label = m.label + (f" (`{m.note}`)" if m.note else "")
        out.append(f"| {label} | {len(m.samples)} | {m.min:.3f} | {m.median:.3f} | {ratio} | {cpu} | {peak} |")
    out.append("")
    out.append("Targets (medians):")
    out.extend(_targets(results, RUFF_AIM.get(args.group, 5.0)))
    for n in notes:
        out.append(f"- note: {n}")
    if prefilter:
        out.append("")
        out.append("How much of the corpus each rule's cheap prefilter (`requires` / `requires_for` / `may_fire`,")
        out.append("migration detection) lets through to libcst; a file is parsed when any enabled rule may fire:")
        out.append("")
        out.append(prefilter)
    return "\n".join(out) + "\n"


def _targets(r: dict[str, Measure], ruff_aim: float = 5.0) -> list[str]:
    lines = []

    def line(ok: Optional[bool], text: str) -> None:
        mark = "n/a" if ok is None else ("met" if ok else "MISSED")
        lines.append(f"- [{mark}] {text}")

    def cpu(a: str, b: str) -> str:
        if r[a].cpu and r[b].cpu:
            return f"; CPU time {r[a].cpu:.1f} s vs {r[b].cpu:.1f} s: {r[a].cpu / r[b].cpu:.2f}"
        return ""

    cold = r.get("bkl-cold")
    if cold and "flake8" in r:
        x = r["flake8"].median / cold.median
        line(x >= 3, f"cold check vs flake8 defaults: {x:.1f}x faster (target >= 3x){cpu('flake8', 'bkl-cold')}")
    if cold and "fixit" in r:
        x = r["fixit"].median / cold.median
        line(x >= 15, f"cold check vs Fixit (3 rules): {x:.1f}x faster (target >= 15x){cpu('fixit', 'bkl-cold')}")
    if cold and "ruff-all" in r:
        x = cold.median / r["ruff-all"].median
        line(x <= ruff_aim, f"cold check vs ruff --select ALL: {x:.1f}x slower (aim: within {ruff_aim:g}x){cpu('bkl-cold', 'ruff-all')}")
    if "bkl-warm" in r and "ruff-dtz" in r:
        w, d = r["bkl-warm"].median, r["ruff-dtz"].median
        line(w <= d, f"warm check {w:.3f} s vs ruff --select DTZ,FAST --no-cache {d:.3f} s (target: no slower){cpu('bkl-warm', 'ruff-dtz')}")
    if "flake8" in r and "flake8-bkl" in r:
        x = r["flake8-bkl"].median / r["flake8"].median
        line(x <= 1.5, f"flake8 with our plugin / without: {x:.2f}x (target <= 1.5x){cpu('flake8-bkl', 'flake8')}")
    if "bkl-one" in r:
        t = r["bkl-one"].median
        line(t < 0.3, f"one changed file, warm index: {t:.3f} s (target < 0.3 s)")
    if cold and "bkl-cold-1job" in r:
        x = r["bkl-cold-1job"].median / cold.median
        line(x >= 1.7, f"{r['bkl-cold'].label.split(', ')[-1]} vs 1 job: {x:.2f}x faster (target >= 1.7x)")
    peaks = [m.peak_mb for k, m in r.items() if k.startswith("bkl-") and m.peak_mb]
    if peaks:
        line(max(peaks) < 500, f"peak memory of backend-lint runs: {max(peaks):.0f} MB (target < 500 MB)")
    return lines


if __name__ == "__main__":
    sys.exit(main())
