"""Speed of ``backend-lint server`` (issue 20): time from an edit to its published diagnostics, and memory.

A benchmark, not a test. It drives the installed server through pygls's client over stdio, as an editor
does, with ``debounce_ms = 0`` (the debounce is excluded by the target's definition):

1. a copy of a corpus package (default: langflow-base, ~940 modules) in a scratch directory, plus a
   synthetic 1,000-line FastAPI route module (``bench_routes.py``) with findings of several families;
2. the route module is opened, then edited N times for each kind of edit: a comment edited, a blank line
   added and removed, a statement changed inside one function (a string constant), and a new statement
   added inside one function (a new call: the function's facts in the index change), and an assignment
   added inside one function (its facts unchanged); each edit's time is from sending ``didChange`` to receiving its
   ``publishDiagnostics``;
3. the server's resident memory (VmRSS, and VmHWM, its peak) after opening one module of the largest
   corpus package (``--rss-package``).

    .venv/bin/python bench/server_bench.py [--package langflow-base-1.13.0] [--edits 40] [--rss-package mlflow-3.18.0]

Results go to stdout as JSON lines and a table; ``bench/server_RESULTS.md`` records a run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

_TIMING = re.compile(r"backend-lint: (linted|reused|function) .* \(version (\d+)\) in ([0-9.]+) ms, cpu ([0-9.]+) ms(?: \(lint ([0-9.]+) ms\))?")
PAUSE = 0.15  # seconds between two edits (typing cadence): idle work after a publish is not an edit's cost
CORPUS = Path("/root/.cache/backend-lint-corpus/src")
BIN = Path(sys.executable).parent / "backend-lint"

ROUTE = '''

@router.patch("/items{n}/{{item_id}}")
def update_item_{n}(item_id: int, item_in: ItemUpdate{n}, session: Session = Depends(get_session)):
    """Update item {n}."""
    item = session.get(Item{n}, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="not found")
    # copy the payload onto the row
    for key, value in item_in.model_dump().items():
        setattr(item, key, value)
    item.updated_at = datetime.utcnow()
    session.add(item)
    session.commit()
    return item
'''

HEADER = '''"""A synthetic route module for the server benchmark."""
from datetime import datetime
from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel

router = APIRouter()


def get_session():
    yield None
'''

MODEL = '''

class Item{n}(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    updated_at: datetime = Field(default_factory=datetime.utcnow)


class ItemUpdate{n}(BaseModel):
    title: Optional[str] = None
'''


def route_module(lines: int = 1000) -> str:
    parts = [HEADER]
    n = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(MODEL.format(n=n))
        parts.append(ROUTE.format(n=n))
        n += 1
    return "".join(parts)


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("server-bench", "1")
        self.waiters: dict[tuple[str, int], asyncio.Future] = {}
        self.last: dict[str, list] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.last[params.uri] = params.diagnostics
            fut = self.waiters.pop((params.uri, params.version or 0), None)
            if fut is not None and not fut.done():
                fut.set_result(time.perf_counter())

        self.timings: dict[int, tuple[str, float, float, float]] = {}  # the server's own, by version: (how, wall ms, cpu ms, of it the lint's cpu ms)
        self.indexed: asyncio.Future = asyncio.get_event_loop().create_future()  # a project's index is in

        @self.client.feature(lsp.WINDOW_LOG_MESSAGE)
        def on_log(params: lsp.LogMessageParams) -> None:
            if params.message.startswith("backend-lint: project ") and not self.indexed.done():
                self.indexed.set_result(time.perf_counter())
            m = _TIMING.search(params.message)
            if m:
                self.timings[int(m.group(2))] = (m.group(1), float(m.group(3)), float(m.group(4)), float(m.group(5) or "nan"))

    async def start(self, root: Path) -> float:
        t0 = time.perf_counter()
        await self.client.start_io(str(BIN), "server")
        await self.client.initialize_async(
            lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(),
                root_uri=root.as_uri(),
                initialization_options={"debounce_ms": 0, "log_timings": True},
            )
        )
        self.client.initialized(lsp.InitializedParams())
        return time.perf_counter() - t0

    def expect(self, uri: str, version: int) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.waiters[(uri, version)] = fut
        return fut

    async def open(self, path: Path, text: str) -> float:
        uri = path.as_uri()
        fut = self.expect(uri, 1)
        t0 = time.perf_counter()
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        return await asyncio.wait_for(fut, 600) - t0

    async def change(self, path: Path, version: int, change: lsp.TextDocumentContentChangePartial) -> float:
        await asyncio.sleep(PAUSE)
        uri = path.as_uri()
        fut = self.expect(uri, version)
        t0 = time.perf_counter()
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]
            )
        )
        done = await asyncio.wait_for(fut, 600) - t0
        while version not in self.timings:  # its log line follows the diagnostics
            await asyncio.sleep(0.001)
        return done

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def memory(self) -> dict:
        pid = self.client._server.pid  # (the subprocess pygls started)
        out = {}
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS", "VmHWM")):
                    key, value = line.split(":")
                    out[key] = int(value.split()[0]) // 1024  # MB
        return out


def _insert(line: int, character: int, text: str) -> lsp.TextDocumentContentChangePartial:
    pos = lsp.Position(line=line, character=character)
    return lsp.TextDocumentContentChangePartial(range=lsp.Range(start=pos, end=pos), text=text)


def _delete(line: int, character: int, end_line: int, end_character: int) -> lsp.TextDocumentContentChangePartial:
    return lsp.TextDocumentContentChangePartial(
        range=lsp.Range(start=lsp.Position(line=line, character=character), end=lsp.Position(line=end_line, character=end_character)), text=""
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def edits_bench(package: str, edits: int) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="bkl-server-bench-"))
    root = scratch / package
    shutil.copytree(CORPUS / package, root, ignore=shutil.ignore_patterns(".backend_lint_cache", "__pycache__"))
    modules = sorted(p for p in root.rglob("*.py"))
    target_dir = next((p.parent for p in modules if p.name == "__init__.py" and "api" in p.parts), modules[0].parent)
    path = target_dir / "bench_routes.py"
    text = route_module()
    path.write_text(text)
    lines = text.split("\n")
    comment_line = next(i for i, l in enumerate(lines) if l.strip() == "# copy the payload onto the row")
    detail_line = next(i for i, l in enumerate(lines) if 'detail="not found"' in l)
    commit_line = next(i for i, l in enumerate(lines) if l.strip() == "session.commit()")
    bench = Bench()
    result: dict = {"package": package, "modules": len(modules) + 1, "route_module_lines": text.count("\n")}
    try:
        result["startup_s"] = round(await bench.start(root), 3)
        t0 = time.perf_counter()
        result["open_s"] = round(await bench.open(path, text), 3)  # (a lint of the file alone)
        result["findings_alone"] = len(bench.last.get(path.as_uri(), []))
        again = bench.expect(path.as_uri(), 1)  # published again once the index is in
        result["index_ready_s"] = round(await asyncio.wait_for(bench.indexed, 900) - t0, 3)
        await asyncio.wait_for(again, 900)
        result["findings"] = len(bench.last.get(path.as_uri(), []))
        version = 1
        kinds: dict[str, list[float]] = {"comment": [], "blank line": [], "statement changed": [], "statement added": [], "assignment added": []}
        server: dict[str, list[tuple[str, float, float, float]]] = {k: [] for k in kinds}
        col = lines[comment_line].index("row") + 3
        dcol = lines[detail_line].index("not found") + len("not found")
        for i in range(edits):
            # a comment edited (and back, the next time)
            version += 1
            change = _insert(comment_line, col, "s") if i % 2 == 0 else _delete(comment_line, col, comment_line, col + 1)
            kinds["comment"].append(await bench.change(path, version, change))
            server["comment"].append(bench.timings[version])
            # a blank line added before `return item` (below the added statement's place), then removed
            version += 1
            blank = commit_line + 2 + 2 * (i % 2)  # (on odd rounds the two statements added above it are still there)
            change = _insert(blank, 0, "\n") if i % 2 == 0 else _delete(blank, 0, blank + 1, 0)
            kinds["blank line"].append(await bench.change(path, version, change))
            server["blank line"].append(bench.timings[version])
            # a statement's code changed inside one function (a string constant)
            version += 1
            change = _insert(detail_line, dcol, "!") if i % 2 == 0 else _delete(detail_line, dcol, detail_line, dcol + 1)
            kinds["statement changed"].append(await bench.change(path, version, change))
            server["statement changed"].append(bench.timings[version])
            # a statement added inside one function, then removed
            version += 1
            change = _insert(commit_line, 0, "    session.flush()\n") if i % 2 == 0 else _delete(commit_line, 0, commit_line + 1, 0)
            kinds["statement added"].append(await bench.change(path, version, change))
            server["statement added"].append(bench.timings[version])
            # an assignment added inside one function, then removed (no new call: the facts the project
            # index records of the function stay the same)
            version += 1
            change = _insert(commit_line + 1, 0, "    changed = True\n") if i % 2 == 0 else _delete(commit_line, 0, commit_line + 1, 0)
            kinds["assignment added"].append(await bench.change(path, version, change))
            server["assignment added"].append(bench.timings[version])
        result["findings_after"] = len(bench.last.get(path.as_uri(), []))
        result["edits"] = {
            k: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000, 1), "p95_ms": round(_pct(v, 0.95) * 1000, 1), "max_ms": round(max(v) * 1000, 1)}
            for k, v in kinds.items()
        }
        result["server_side"] = {
            k: {
                "reused": sum(1 for t in v if t[0] == "reused"),
                "function": sum(1 for t in v if t[0] == "function"),  # one function re-walked
                "linted": sum(1 for t in v if t[0] == "linted"),
                "wall_p50_ms": round(statistics.median(t[1] for t in v), 1),
                "cpu_p50_ms": round(statistics.median(t[2] for t in v), 1),
                "cpu_p95_ms": round(_pct([t[2] for t in v], 0.95), 1),
                "lint_cpu_p50_ms": round(statistics.median(t[3] for t in v), 1),  # (of the cpu: ``Session.lint``; the rest publishes)
            }
            for k, v in server.items()
        }
        everything = [x for v in kinds.values() for x in v]
        result["all_edits"] = {"p50_ms": round(statistics.median(everything) * 1000, 1), "p95_ms": round(_pct(everything, 0.95) * 1000, 1)}
        result["memory_mb"] = bench.memory()
        await bench.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


async def rss_bench(package: str) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="bkl-server-bench-"))
    root = scratch / package  # (a copy: the server writes its index cache into the project)
    shutil.copytree(CORPUS / package, root, ignore=shutil.ignore_patterns(".backend_lint_cache", "__pycache__"))
    try:
        bench = Bench()
        result: dict = {"package": package, "modules": sum(1 for _ in root.rglob("*.py"))}
        result["startup_s"] = round(await bench.start(root), 3)
        opened = [p for p in sorted(root.rglob("*.py")) if p.stat().st_size > 2000][:20]
        t0 = time.perf_counter()
        result["open_first_s"] = round(await bench.open(opened[0], opened[0].read_text(encoding="utf-8")), 3)
        # the first diagnostics come from a lint of the file alone while the index builds on a thread
        result["index_ready_s"] = round(await asyncio.wait_for(bench.indexed, 900) - t0, 3)
        for p in opened[1:]:  # more open files: their buffers, findings and tokens stay in memory
            await bench.open(p, p.read_text(encoding="utf-8"))
        result["open_files"] = len(opened)
        result["memory_mb"] = bench.memory()
        await bench.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="langflow-base-1.13.0")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--rss-package", default="mlflow-3.18.0", help="'' to skip the memory run")
    args = parser.parse_args()
    edits = asyncio.run(edits_bench(args.package, args.edits))
    print(json.dumps(edits))
    rss = asyncio.run(rss_bench(args.rss_package)) if args.rss_package else None
    print(json.dumps(rss))
    print()
    print(f"| edit to the {edits['route_module_lines']}-line route module ({edits['package']}, {edits['modules']} modules) | n | p50 ms | p95 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    for kind, v in edits["edits"].items():
        print(f"| {kind} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['max_ms']} |")
    print(f"| all | {sum(v['n'] for v in edits['edits'].values())} | {edits['all_edits']['p50_ms']} | {edits['all_edits']['p95_ms']} | |")
    print()
    if rss is not None:
        print(f"memory after the edits: {edits['memory_mb']}; {rss['package']} ({rss['modules']} modules): {rss['memory_mb']}, start {rss['startup_s']} s, first open {rss['open_first_s']} s, index in {rss['index_ready_s']} s, {rss['open_files']} files open")
    print()
    print("server side (its own clock, from log_timings):", json.dumps(edits["server_side"]))


if __name__ == "__main__":
    main()
