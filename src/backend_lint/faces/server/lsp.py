"""The protocol: ``backend-lint server`` speaks LSP on stdio through pygls 2 and lsprotocol.

Diagnostics are published on open, on save, and on change after ``debounce_ms`` (an initialization
option, default 150; ``0`` lints every change at once; ``log_timings: true`` logs each lint's time).
A project's first index is built on a thread (``background_index``, default true): until it is in, its
files are linted alone (no cross-file facts), then linted again and published once more.
Code actions: a quick fix per fixable finding
(safe ones preferred, unsafe ones labelled "(unsafe)"), "add ``# noqa: CODE``", and
``source.fixAll.backend-lint`` (safe fixes only). ``pyproject.toml`` / ``backend-lint.toml`` changes
(watched, or saved in the editor) reload the configuration; saved and watched Python files update the
project index in memory and re-lint the open files that depend on it, and so does an unsaved edit that
changes what the index records of its buffer (the dependants after the same debounce; those whose every
read of the index still gets the same answer keep their findings: ``reads.py``).

Every handler catches what goes wrong: a crash is logged (``window/logMessage``) and the server goes on.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import os
import time
import traceback
from typing import Any, Callable, Optional, Sequence
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.exceptions import JsonRpcInternalError
from pygls.protocol import default_converter
from pygls.uris import from_fs_path, to_fs_path

from ... import __version__
from ...engine.api import SYNTAX_ERROR_CODE, UNUSED_NOQA_CODE
from ...values import Diagnostic
from ..output.urls import rule_url  # the JSON output's URL of a rule: the two agree
from .convert import Lines, minimal_edit
from .session import Action, Linted, Session

SOURCE = "backend-lint"
FIX_ALL_KIND = "source.fixAll.backend-lint"
DEFAULT_DEBOUNCE_MS = 150
# the sources, the configuration and the other declared inputs of a lint (``ground/inputs.py``)
WATCHED = (
    "**/*.py", "**/pyproject.toml", "**/backend-lint.toml", "**/alembic.ini", "**/requirements*.txt", "**/requirements*.in",
    "**/requirements/*.txt", "**/requirements/*.in", "**/*.lock", "**/Pipfile", "**/setup.cfg", "**/.gitignore",
)
_ERROR_CODES = (SYNTAX_ERROR_CODE, "BKL902")


class BackendLintServer(LanguageServer):
    def __init__(self, extra_rules: Sequence[Any] = ()) -> None:
        super().__init__("backend-lint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.session = Session(extra_rules, log=self.log)
        self.debounce_ms = DEFAULT_DEBOUNCE_MS
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self.encoding = "utf-16"
        self.log_timings = False
        self._settles = 0  # (``_settle``)
        self.background_index = True  # initialization option ``background_index``
        self.uris: dict[str, str] = {}  # path -> the URI the client named it by (published back as is)
        self._converted: dict[str, dict[Any, tuple[Diagnostic, dict]]] = {}

    # -- helpers -----------------------------------------------------------------------------------------
    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:  # no client yet (or gone): nothing to tell
            pass

    def guarded(self, what: str, work: Callable[[], Any], default: Any = None) -> Any:
        """Run ``work``; a crash is logged, never raised into pygls (the server must outlive it)."""
        try:
            return work()
        except Exception as exc:
            self.log(f"backend-lint: internal error while {what}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}", lsp.MessageType.Error)
            return default

    def publish(self, path: str) -> None:
        """Lint the open buffer ``path`` and publish its findings."""
        doc = self.session.documents.get(path)
        if doc is None:
            return
        wall, cpu = time.perf_counter(), time.thread_time()
        linted = self.session.lint(path)
        lint_cpu = time.thread_time()
        lines = Lines(linted.text, self.encoding)
        # a finding a fast path kept as it was (before the edit) keeps its protocol form too; the map holds
        # the findings themselves, so their ids stay theirs. In an ASCII text a column is the same in every
        # encoding and a line is the row less one: there a finding with the same code, message, columns,
        # height and fix keeps its JSON whatever path found it and wherever it moved (``_Form``: its text
        # with the two line numbers left out)
        ascii = linted.text.isascii()
        previous = self._converted.get(path, {}) if linted.how != "linted" or ascii else {}
        converted: dict[Any, tuple[Diagnostic, Any]] = {}
        data: list[str] = []  # their JSON texts (written directly: serializing 200 findings with cattrs is ~5 ms)
        last_row = len(lines.lines)
        for d in linted.diagnostics:
            if ascii and d.end_location.row < last_row:
                key: Any = _shape_key(d)
                known = previous.get(key)
                form = known[1] if known is not None else _Form(json_of(d, lines))
                converted[key] = (d, form)
                data.append(form.at(d.location.row - 1, d.end_location.row - 1))
            else:
                known = previous.get(id(d))
                raw = known[1] if known is not None and known[0] is d else _dumps(json_of(d, lines))
                converted[id(d)] = (d, raw)
                data.append(raw)
        self._converted[path] = converted
        for error in linted.errors:  # a rule that crashed: said, and the other rules' findings stand
            self.log(f"backend-lint: {error}", lsp.MessageType.Error)
            data.append(_dumps(
                {
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                    "message": f"backend-lint internal error: {error}",
                    "severity": lsp.DiagnosticSeverity.Information.value,
                    "code": "BKL999",
                    "source": SOURCE,
                }
            ))
        self._publish_json(self.uris.get(path) or uri_of(path), data, doc.version)
        if self.log_timings:
            how = linted.how
            self.log(
                f"backend-lint: {how} {path} (version {doc.version}) in {(time.perf_counter() - wall) * 1000:.1f} ms, "
                f"cpu {(time.thread_time() - cpu) * 1000:.1f} ms (lint {(lint_cpu - cpu) * 1000:.1f} ms)"
            )
        if linted.facts_changed:
            # an edit changed what the index records of this buffer (saved or not): the open files whose
            # findings may read it are linted again, after the same debounce
            for other in self.session.dependants_after(path):
                if other != path and other in self.session.documents:
                    self.schedule(other)
        # what the next edit's fast paths need (code tokens, the statements' layout): computed while idle
        if linted.tokens is None or (linted.layout is None and (linted.module is not None or linted.own is not None)):
            asyncio.get_running_loop().call_soon(self._prepare, linted)

    def _publish_json(self, uri: str, diagnostics: list[str], version: Optional[int]) -> None:
        """``publishDiagnostics`` from the findings' JSON texts, written as pygls writes a notification (its
        ``_send_data``: the typed path would serialize every finding again)."""
        body = notification_json(uri, diagnostics, version)
        protocol = self.protocol
        writer = getattr(protocol, "writer", None)
        if writer is None or not hasattr(protocol, "_include_headers") or not hasattr(protocol, "_send_data"):
            # (a pygls without them: the typed path)
            params = json.loads(body)["params"]
            typed = default_converter().structure(params, lsp.PublishDiagnosticsParams)
            self.text_document_publish_diagnostics(typed)
            return
        if protocol._include_headers:  # as ``JsonRPCProtocol._send_data`` frames it (the body is ASCII)
            body = f"Content-Length: {len(body)}\r\nContent-Type: {protocol.CONTENT_TYPE}; charset={protocol.CHARSET}\r\n\r\n" + body
        try:
            written = writer.write(body.encode(protocol.CHARSET))
            if inspect.isawaitable(written):
                asyncio.ensure_future(written)
        except BrokenPipeError:
            raise
        except Exception as error:  # (as pygls reports a failed write)
            self._report_server_error(error, JsonRpcInternalError)

    def _prepare(self, linted: Linted) -> None:
        self.guarded("preparing for the next edit", lambda: self.session.prepare(linted))
        if linted.how == "linted":
            self._settle()

    def _settle(self) -> None:
        """While idle after a whole-file lint: the heap's objects as they are now (the project index's facts,
        the open files' trees and findings) are collected once and frozen (``gc.freeze``), so that the
        cyclic garbage collector no longer walks them on every later collection: on a large project a full
        collection walks every fact of the index, 100 ms and more, paid by whichever edit triggers it.
        Objects that die later are still freed by their reference counts; a cycle among them waits for
        every 16th settle, which unfreezes and collects the whole heap (hundreds of ms on a large project);
        the others collect the young generations only (what came since) before freezing."""
        start = time.perf_counter()
        self._settles += 1
        if self._settles % 16 == 0:
            gc.unfreeze()
            gc.collect()
        else:
            gc.collect(1)
        gc.freeze()
        if self.log_timings:
            self.log(f"backend-lint: heap settled in {(time.perf_counter() - start) * 1000:.1f} ms")

    def publish_many(self, paths: Sequence[str]) -> None:
        for path in paths:
            self.cancel_pending(path)
            self.guarded(f"linting {path}", lambda p=path: self.publish(p))

    def cancel_pending(self, path: str) -> None:
        handle = self._pending.pop(path, None)
        if handle is not None:
            handle.cancel()

    def schedule(self, path: str) -> None:
        """Lint ``path`` after ``debounce_ms`` without a further change (at once with 0)."""
        self.cancel_pending(path)
        if self.debounce_ms <= 0:
            self.publish_many([path])
            return
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._pending.pop(path, None)
            self.guarded(f"linting {path}", lambda: self.publish(path))

        self._pending[path] = loop.call_later(self.debounce_ms / 1000.0, fire)


def path_of(uri: str) -> str:
    path = to_fs_path(uri)
    if path is None:  # not a file: URI (an untitled buffer): a name of its own
        parsed = urlparse(uri)
        path = os.path.join(os.getcwd(), unquote(parsed.path).lstrip("/") or "untitled.py")
    return os.path.abspath(path)


def uri_of(path: str) -> str:
    return from_fs_path(path) or path


def _shape_key(d: Diagnostic) -> tuple:
    """What ``to_lsp`` reads of a finding in an ASCII text, but its rows (its height instead)."""
    fix = d.fix
    return (
        d.code, d.message, d.location.column, d.end_location.row - d.location.row, d.end_location.column,
        fix.message if fix is not None else None, fix.applicability.value if fix is not None else None,
    )


_START, _END = 987654321, 987654322  # (line numbers no text has: where a ``_Form``'s lines go)


class _Form:
    """A finding's JSON text (``json_of``) with its start and end lines left out: ``at(start, end)``."""

    __slots__ = ("head", "middle", "tail")

    def __init__(self, raw: dict) -> None:
        raw = dict(raw, range={"start": dict(raw["range"]["start"], line=_START), "end": dict(raw["range"]["end"], line=_END)})
        self.head, _, rest = _dumps(raw).partition(f'"line":{_START}')
        self.middle, _, self.tail = rest.partition(f'"line":{_END}')
        self.head += '"line":'
        self.middle += '"line":'

    def at(self, start: int, end: int) -> str:
        return f"{self.head}{start}{self.middle}{end}{self.tail}"


def _dumps(value: Any) -> str:
    """JSON without blanks (ASCII: non-ASCII characters escaped, as pygls writes them)."""
    return json.dumps(value, separators=(",", ":"))


def notification_json(uri: str, diagnostics: list[str], version: Optional[int]) -> str:
    """The ``publishDiagnostics`` notification's JSON text, from its findings' JSON texts."""
    tail = f',"version":{version}' if version is not None else ""
    return (
        f'{{"jsonrpc":"2.0","method":"{lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}","params":'
        f'{{"uri":{_dumps(uri)},"diagnostics":[{",".join(diagnostics)}]{tail}}}}}'
    )


def severity_of(d: Diagnostic) -> lsp.DiagnosticSeverity:
    if d.code in _ERROR_CODES:
        return lsp.DiagnosticSeverity.Error
    return lsp.DiagnosticSeverity.Warning


def json_of(d: Diagnostic, lines: Lines) -> dict:
    """``to_lsp(d, lines)`` as pygls's converter writes it in JSON (a test holds the two together)."""
    start = lines.to_client(d.location.row, d.location.column)
    end = lines.to_client(d.end_location.row, d.end_location.column)
    out: dict[str, Any] = {
        "range": {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}},
        "message": d.message,
        "severity": severity_of(d).value,
        "code": d.code,
        "codeDescription": {"href": rule_url(d.code)},
        "source": SOURCE,
    }
    if d.code == UNUSED_NOQA_CODE:
        out["tags"] = [lsp.DiagnosticTag.Unnecessary.value]
    if d.fix is not None:
        out["data"] = {"fix": {"title": d.fix.message, "applicability": d.fix.applicability.value}}
    return out


def to_lsp(d: Diagnostic, lines: Lines) -> lsp.Diagnostic:
    start = lines.to_client(d.location.row, d.location.column)
    end = lines.to_client(d.end_location.row, d.end_location.column)
    fix = None
    if d.fix is not None:
        fix = {"title": d.fix.message, "applicability": d.fix.applicability.value}
    return lsp.Diagnostic(
        range=lsp.Range(start=lsp.Position(line=start[0], character=start[1]), end=lsp.Position(line=end[0], character=end[1])),
        message=d.message,
        severity=severity_of(d),
        code=d.code,
        code_description=lsp.CodeDescription(href=rule_url(d.code)),
        source=SOURCE,
        tags=[lsp.DiagnosticTag.Unnecessary] if d.code == UNUSED_NOQA_CODE else None,
        data={"fix": fix} if fix is not None else None,
    )


def _text_edit(old: str, new: str, lines: Lines) -> Optional[lsp.TextEdit]:
    span = minimal_edit(old, new)
    if span is None:
        return None
    start, end, content = span
    a, b = lines.offset_to_client(start), lines.offset_to_client(end)
    return lsp.TextEdit(
        range=lsp.Range(start=lsp.Position(line=a[0], character=a[1]), end=lsp.Position(line=b[0], character=b[1])),
        new_text=content,
    )


def _code_action(action: Action, uri: str, linted: Linted, lines: Lines, version: Optional[int]) -> Optional[lsp.CodeAction]:
    edit = _text_edit(linted.text, action.new_text, lines)
    if edit is None:
        return None
    return lsp.CodeAction(
        title=action.title,
        kind=lsp.CodeActionKind.QuickFix if action.kind == "quickfix" else FIX_ALL_KIND,
        diagnostics=[to_lsp(d, lines) for d in action.diagnostics] or None,
        is_preferred=action.preferred or None,
        edit=lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=[edit],
                )
            ]
        ),
    )


def _overlaps(d: Diagnostic, lines: Lines, rng: lsp.Range) -> bool:
    start = lines.to_client(d.location.row, d.location.column)
    end = lines.to_client(d.end_location.row, d.end_location.column)
    return (start[0], start[1]) <= (rng.end.line, rng.end.character) and (rng.start.line, rng.start.character) <= (end[0], end[1])


def build_server(extra_rules: Sequence[Any] = ()) -> BackendLintServer:
    server = BackendLintServer(extra_rules)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: BackendLintServer, params: lsp.InitializeParams) -> None:
        options = params.initialization_options or {}
        if isinstance(options, dict):
            value = options.get("debounce_ms", options.get("debounceMs"))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                ls.debounce_ms = float(value)
            elif value is not None:
                ls.log(f"backend-lint: `debounce_ms` must be a number >= 0, not {value!r}; using {DEFAULT_DEBOUNCE_MS}", lsp.MessageType.Warning)
            ls.log_timings = bool(options.get("log_timings"))
            background = options.get("background_index", True)
            if isinstance(background, bool):
                ls.background_index = background
            else:
                ls.log(f"backend-lint: `background_index` must be true or false, not {background!r}; using true", lsp.MessageType.Warning)
        encoding = getattr(ls.workspace, "position_encoding", None)
        if encoding is not None:
            ls.encoding = str(getattr(encoding, "value", encoding))

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: BackendLintServer, params: lsp.InitializedParams) -> None:
        ls.encoding = str(getattr(ls.workspace.position_encoding, "value", ls.workspace.position_encoding) or "utf-16")
        if ls.background_index:  # a project's first index builds on a thread; its files are linted alone meanwhile
            loop = asyncio.get_running_loop()
            ls.session.post = lambda work: loop.call_soon_threadsafe(ls.guarded, "installing a project index", work)
            ls.session.on_ready = lambda paths: ls.publish_many([p for p in paths if p in ls.session.documents])
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is not None and watched.dynamic_registration:
            watchers = [lsp.FileSystemWatcher(glob_pattern=g) for g in WATCHED]
            try:
                await ls.client_register_capability_async(
                    lsp.RegistrationParams(
                        registrations=[
                            lsp.Registration(
                                id="backend-lint-watched-files",
                                method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                            )
                        ]
                    )
                )
            except Exception as exc:
                ls.log(f"backend-lint: could not watch files: {exc}", lsp.MessageType.Warning)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: BackendLintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        path = path_of(item.uri)
        ls.uris[path] = item.uri
        ls.session.open(path, item.text, item.version)
        ls.publish_many([path])

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: BackendLintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = path_of(uri)
        document = ls.workspace.get_text_document(uri)  # pygls applied the (incremental) changes
        ls.session.change(path, document.source, params.text_document.version)
        ls.schedule(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=True))
    def did_save(ls: BackendLintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = path_of(uri)
        if path in ls.session.documents and params.text is not None:
            ls.session.change(path, params.text, ls.session.documents[path].version)
        paths = ls.guarded(f"updating the index for {path}", lambda: ls.session.saved(path), [path])
        ls.publish_many([p for p in paths if p in ls.session.documents])

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: BackendLintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = path_of(uri)
        ls.cancel_pending(path)
        paths = ls.guarded(f"closing {path}", lambda: ls.session.close(path), [])
        ls.uris.pop(path, None)
        ls._converted.pop(path, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        ls.publish_many(paths)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: BackendLintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        kinds = {lsp.FileChangeType.Created: "created", lsp.FileChangeType.Changed: "changed", lsp.FileChangeType.Deleted: "deleted"}
        changes = [(path_of(c.uri), kinds.get(c.type, "changed")) for c in params.changes]
        paths = ls.guarded("reading changed files", lambda: ls.session.files_changed(changes), [])
        ls.publish_many(paths)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
    )
    def code_action(ls: BackendLintServer, params: lsp.CodeActionParams) -> Optional[list[lsp.CodeAction]]:
        return ls.guarded("computing code actions", lambda: _code_actions(ls, params), None)

    return server


def _code_actions(ls: BackendLintServer, params: lsp.CodeActionParams) -> Optional[list[lsp.CodeAction]]:
    uri = params.text_document.uri
    path = path_of(uri)
    doc = ls.session.documents.get(path)
    if doc is None:
        return None
    only = params.context.only
    want_quick = not only or any(k == lsp.CodeActionKind.QuickFix or str(k).startswith("quickfix") for k in only)
    want_fix_all = not only or any(FIX_ALL_KIND.startswith(str(k)) for k in only)
    actions: list[Action] = []
    linted = ls.session.ensure_linted(path)
    if linted is None:
        return None
    lines = Lines(linted.text, ls.encoding)
    if want_quick:
        asked = {(d.code, d.range.start.line, d.range.start.character) for d in params.context.diagnostics if d.source == SOURCE}

        def wanted(d: Diagnostic) -> bool:
            start = lines.to_client(d.location.row, d.location.column)
            if asked:
                return (d.code, start[0], start[1]) in asked
            return _overlaps(d, lines, params.range)

        actions += ls.session.quick_fixes(path, wanted)
    if want_fix_all:
        fix_all = ls.session.fix_all(path)
        if fix_all is not None:
            actions.append(fix_all)
    out = [a for a in (_code_action(a, uri, linted, lines, doc.version) for a in actions) if a is not None]
    return out or None


def serve(extra_rules: Sequence[Any] = ()) -> None:
    """Run the server on standard input and output until the client exits."""
    build_server(extra_rules).start_io()

