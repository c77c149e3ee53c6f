"""Where a pooled run's CPU goes, process by process: ``backend-lint check`` run inside this script, with
per-process accounting of the parent and of every forked worker (index extraction and lint pools).

Usage (from a project directory, with the venv whose backend-lint you want to measure)::

    python /path/to/bench/pool_profile.py --no-cache -j 2 .      # any ``check`` arguments
    python /path/to/bench/pool_profile.py --no-cache -j 1 .      # the one-process run, to compare
    PYTHONPATH=/frozen/copy/src python bench/pool_profile.py ...  # another copy of the code

It prints, for the parent and each worker: CPU seconds (``getrusage``), the CPU of the extraction batches
(``knowledge.index._extract_batch``) and of the lint chunks (``engine.run._work``) with the bytes their
results pickle to (pickled once more here, so that the size is known: the measured run pays that twice),
the cyclic collector's CPU and collections per generation (``gc.callbacks``), the minor page faults (the
copy-on-write copies of the parent's pages in a forked worker), the CPU spent deriving project-wide memos
(``ProjectIndex.memo`` / ``stored_memo`` factories: derived once per process that asks) and the parent's
phases (the index build, ``load_facts``, ``Engine.preload``, ``_prime``, ``_lint_each``), and the forks.

Measurement only: it wraps backend-lint's own functions (nothing of the standard library or of libcst) and
changes no result. ``--json DIR`` keeps the per-process records (one JSON file per process).
"""

from __future__ import annotations

import functools
import gc
import glob
import json
import os
import pickle
import resource
import shutil
import sys
import tempfile
import time

_STATS: dict = {}
_ROLE = ["parent"]
_OUT = [""]


def _reset() -> None:
    _STATS.clear()
    _STATS.update(gc_time=0.0, gc_n=[0, 0, 0], tasks={}, forks=0)


_gc_started = [0.0]


def _gc_callback(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.process_time()
    else:
        _STATS["gc_time"] += time.process_time() - _gc_started[0]
        _STATS["gc_n"][info["generation"]] += 1


def _in_child() -> None:
    _ROLE[0] = "worker"
    _reset()


def _before_fork() -> None:
    _STATS["forks"] += 1


def _dump() -> None:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    row = dict(_STATS, role=_ROLE[0], pid=os.getpid(), cpu=ru.ru_utime + ru.ru_stime, minflt=ru.ru_minflt, maxrss_kb=ru.ru_maxrss)
    if _ROLE[0] == "parent":
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        row["children_cpu"] = ch.ru_utime + ch.ru_stime
    with open(os.path.join(_OUT[0], f"{os.getpid()}.json"), "w") as fh:
        json.dump(row, fh)


def _count(name: str, seconds: float, pickled: int = 0) -> None:
    s = _STATS["tasks"].setdefault(name, [0, 0.0, 0])
    s[0] += 1
    s[1] += seconds
    s[2] += pickled


def _wrap_function(module, name: str, worker_task: bool = False) -> None:
    fn = getattr(module, name)

    @functools.wraps(fn)  # (same name and qualified name: a pool pickles the wrapper by reference)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        result = fn(*args, **kwargs)
        spent = time.process_time() - started
        size = len(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)) if worker_task and _ROLE[0] == "worker" else 0
        _count(name, spent, size)
        if _ROLE[0] == "worker":
            _dump()  # (a pool's worker ends without running atexit: its record is rewritten after each task)
        return result

    setattr(module, name, wrapper)


def _wrap_method(cls, name: str, label: str, classmethod_: bool = False) -> None:
    fn = cls.__dict__[name].__func__ if classmethod_ else getattr(cls, name)

    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _count(label, time.process_time() - started)

    setattr(cls, name, classmethod(wrapper) if classmethod_ else wrapper)


def _wrap_memos(cls) -> None:
    depth = [0]
    for name in ("memo", "stored_memo"):
        fn = getattr(cls, name)

        def wrapper(self, key, factory, *args, fn=fn, **kwargs):
            if depth[0]:  # (a memo derived inside another one counts in the outer one)
                return fn(self, key, factory, *args, **kwargs)

            def timed():
                started = time.process_time()
                depth[0] += 1
                try:
                    return factory()
                finally:
                    depth[0] -= 1
                    _count("memo factories", time.process_time() - started)

            return fn(self, key, timed, *args, **kwargs)

        setattr(cls, name, wrapper)


def _install() -> None:
    from backend_lint.engine import run
    from backend_lint.engine.api import Engine
    from backend_lint.knowledge import index
    from backend_lint.knowledge.index import ProjectIndex

    _wrap_function(index, "_extract_batch", worker_task=True)
    _wrap_function(run, "_work", worker_task=True)
    _wrap_function(index, "_extract_all")
    _wrap_function(run, "_prime")
    _wrap_function(run, "_lint_each")
    _wrap_method(ProjectIndex, "build", "index build", classmethod_=True)
    _wrap_method(ProjectIndex, "load_facts", "load_facts")
    _wrap_method(Engine, "preload", "preload")
    _wrap_memos(ProjectIndex)


def summarize(directory: str) -> str:
    rows = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path) as fh:
            rows.append(json.load(fh))
    parent = next(r for r in rows if r["role"] == "parent")
    workers = sorted((r for r in rows if r["role"] == "worker"), key=lambda r: r["pid"])
    total = parent["cpu"] + parent.get("children_cpu", 0.0)
    head = (
        f"whole run: {total:.2f} CPU s (parent {parent['cpu']:.2f}, workers {parent.get('children_cpu', 0.0):.2f}); "
        f"forks {parent['forks']}; parent's collector {parent['gc_time']:.2f} s {parent['gc_n']}; "
        f"parent's peak RSS {parent['maxrss_kb'] / 1024:.0f} MB"
    )
    out = [head]
    for name, (n, cpu, _) in parent["tasks"].items():
        out.append(f"  parent  {name:<16} x{n:<4} {cpu:6.2f} s")
    for kind in ("_extract_batch", "_work"):
        group = [w for w in workers if kind in w["tasks"]]
        if not group:
            continue
        label = "extraction" if kind == "_extract_batch" else "lint"
        out.append(f"  {label} workers: {len(group)}")
        for w in group:
            n, cpu, size = w["tasks"][kind]
            memo = w["tasks"].get("memo factories", [0, 0.0, 0])[1]
            out.append(
                f"    pid {w['pid']}: CPU {w['cpu']:6.2f} s, {n} tasks {cpu:6.2f} s, results {size / 1e6:5.1f} MB pickled, "
                f"memos {memo:4.2f} s, collector {w['gc_time']:4.2f} s {w['gc_n']}, minor faults {w['minflt']}"
            )
        out.append(f"    sum of task CPU: {sum(w['tasks'][kind][1] for w in group):.2f} s")
    return "\n".join(out)


def main() -> int:
    argv = sys.argv[1:]
    keep = None
    if "--json" in argv:
        i = argv.index("--json")
        keep = argv[i + 1]
        del argv[i : i + 2]
    _OUT[0] = keep or tempfile.mkdtemp(prefix="bkl-pool-profile-")
    os.makedirs(_OUT[0], exist_ok=True)
    for old in glob.glob(os.path.join(_OUT[0], "*.json")):
        os.unlink(old)
    _reset()
    gc.callbacks.append(_gc_callback)
    os.register_at_fork(before=_before_fork, after_in_child=_in_child)
    _install()
    from backend_lint.faces.cli import main as cli_main

    try:
        cli_main(["check", "--exit-zero", "-q", *argv], standalone_mode=False)
    except SystemExit:  # (the command may end the run itself)
        pass
    finally:
        _dump()
    print(summarize(_OUT[0]), file=sys.stderr)
    if keep is None:
        shutil.rmtree(_OUT[0], ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
