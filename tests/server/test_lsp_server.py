"""``backend-lint server`` end to end: pytest-lsp's real client speaks LSP to the installed entry point in a
subprocess, over stdio. One server serves the tests of a module-scoped project (starting one costs about a
second); the crashing-rule test starts its own.

No test depends on timing: every wait is for a notification whose content the test names, with a generous
timeout that only a broken server reaches.
"""

from __future__ import annotations

import ast
import asyncio
import os
import sys
from pathlib import Path
from typing import Callable, Optional

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from backend_lint.engine.api import lint_text

BIN = Path(sys.executable).parent / "backend-lint"
HERE = Path(__file__).parent
FIX_ALL = "source.fixAll.backend-lint"
WAIT = 60.0  # seconds: only a broken server waits this long
pytestmark = pytest.mark.asyncio(loop_scope="module")  # the module's tests share one client and server

SCHEMAS = """from pydantic import BaseModel


class ItemUpdate(BaseModel):
    title: str | None = None
"""

SERVICES = """from .schemas import ItemUpdate


def update_item(item, item_in: ItemUpdate):
    item.title = item_in.title
    return item
"""

TIMES = """from datetime import datetime


def stamp():
    return datetime.utcnow()
"""


def _project(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.backend-lint]\n')
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "schemas.py").write_text(SCHEMAS)
    (root / "app" / "services.py").write_text(SERVICES)
    (root / "app" / "times.py").write_text("# on disk: nothing to report\n")
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("lsp") / "demo")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("BACKEND_LINT_OUTPUT_FORMAT", None)
    return env


async def _start(client: LanguageClient, root: Path, debounce_ms: int = 0) -> None:
    registered: list = []

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams) -> None:  # (VS Code's capabilities say it watches files)
        registered.extend(params.registrations)

    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="demo")],
            initialization_options={"debounce_ms": debounce_ms, "log_timings": True},
        )
    )


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[str(BIN), "server"], server_env=_env()))
async def client(lsp_client: LanguageClient, project: Path):
    await _start(lsp_client, project)
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, uri: str, ok: Callable[[list[lsp.Diagnostic]], bool]) -> list[lsp.Diagnostic]:
    """The diagnostics published for ``uri`` once they satisfy ``ok``."""

    async def wait() -> list[lsp.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and ok(list(current)):
                return list(current)
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), WAIT)


def codes(diagnostics: list[lsp.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_edit(text: str, edit: lsp.WorkspaceEdit) -> str:
    """Apply a code action's edit as a client does (document changes, in reverse order of position)."""
    edits: list[lsp.TextEdit] = []
    for change in edit.document_changes or []:
        edits.extend(change.edits)
    for uri_edits in (edit.changes or {}).values():
        edits.extend(uri_edits)
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: lsp.Position) -> int:  # (the texts here are ASCII: UTF-16 units are characters)
        return starts[min(pos.line, len(lines))] + pos.character

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


async def actions(client: LanguageClient, uri: str, diagnostics: list[lsp.Diagnostic], only: Optional[list[str]] = None) -> list[lsp.CodeAction]:
    rng = diagnostics[0].range if diagnostics else lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=lsp.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, lsp.CodeAction)]


# -- the tests ---------------------------------------------------------------------------------------------


async def test_diagnostics_of_an_unsaved_buffer_appear_with_code_link_and_severity(client: LanguageClient, project: Path):
    path = project / "app" / "times.py"
    uri = open_doc(client, path, TIMES)
    found = await published(client, uri, lambda ds: "BKL302" in codes(ds))
    d = next(d for d in found if d.code == "BKL302")
    assert d.source == "backend-lint"
    assert d.severity == lsp.DiagnosticSeverity.Warning
    assert d.code_description is not None and "bkl302" in d.code_description.href.lower()
    assert (d.range.start.line, d.range.start.character) == (4, 11)  # `datetime.utcnow()` on line 5
    assert path.read_text() == "# on disk: nothing to report\n"  # linted from the buffer, not the disk


async def test_a_quick_fix_yields_code_that_parses_and_lints_clean(client: LanguageClient, project: Path):
    path = project / "app" / "times.py"
    uri = open_doc(client, path, TIMES, version=10)
    found = await published(client, uri, lambda ds: "BKL302" in codes(ds))
    target = [d for d in found if d.code == "BKL302"]
    offered = await actions(client, uri, target, only=[lsp.CodeActionKind.QuickFix])
    fixes = [a for a in offered if "noqa" not in a.title]
    assert fixes, [a.title for a in offered]
    fix = fixes[0]
    assert fix.kind == lsp.CodeActionKind.QuickFix
    assert fix.title.endswith("(unsafe)") and not fix.is_preferred  # BKL302's fix here changes behaviour
    fixed = apply_edit(TIMES, fix.edit)
    ast.parse(fixed)
    assert not [d for d in lint_text(fixed, str(path)) if d.code == "BKL302"]
    replace_all(client, uri, fixed, 11)
    await published(client, uri, lambda ds: "BKL302" not in codes(ds))
    assert path.read_text() == "# on disk: nothing to report\n"  # nothing written by the server


async def test_fix_all_applies_the_safe_fixes_only(client: LanguageClient, project: Path):
    path = project / "app" / "times.py"
    text = TIMES + "\n\ndef stamp_utc():\n    return datetime.utcnow().replace(tzinfo=timezone.utc)\n"
    text = text.replace("from datetime import datetime", "from datetime import datetime, timezone")
    uri = open_doc(client, path, text, version=20)
    found = await published(client, uri, lambda ds: codes(ds).count("BKL302") == 2)
    offered = await actions(client, uri, [], only=[FIX_ALL])
    assert [a.kind for a in offered] == [FIX_ALL]
    fixed = apply_edit(text, offered[0].edit)
    ast.parse(fixed)
    left = [d for d in lint_text(fixed, str(path)) if d.code == "BKL302"]
    assert len(left) == 1 and left[0].fix.applicability.value == "unsafe"  # the unsafe one stays
    assert "datetime.now(timezone.utc)" in fixed
    del found


async def test_noqa_action_silences_the_finding(client: LanguageClient, project: Path):
    path = project / "app" / "times.py"
    uri = open_doc(client, path, TIMES, version=30)
    found = await published(client, uri, lambda ds: "BKL302" in codes(ds))
    target = [d for d in found if d.code == "BKL302"]
    offered = await actions(client, uri, target)
    noqa = [a for a in offered if "noqa" in a.title]
    assert len(noqa) == 1 and "BKL302" in noqa[0].title
    fixed = apply_edit(TIMES, noqa[0].edit)
    assert "return datetime.utcnow()  # noqa: BKL302\n" in fixed
    replace_all(client, uri, fixed, 31)
    await published(client, uri, lambda ds: "BKL302" not in codes(ds))


async def test_a_change_in_one_file_relints_the_open_files_that_depend_on_it(client: LanguageClient, project: Path):
    services = project / "app" / "services.py"
    schemas = project / "app" / "schemas.py"
    uri = open_doc(client, services, SERVICES)
    await published(client, uri, lambda ds: "BKL503" in codes(ds))
    # the schema's field becomes required in the editor: the open services file is linted again with the
    # unsaved buffer's facts and has nothing left; and back
    schemas_uri = open_doc(client, schemas, SCHEMAS)
    required = SCHEMAS.replace("title: str | None = None", "title: str")
    replace_all(client, schemas_uri, required, 2)
    await published(client, uri, lambda ds: "BKL503" not in codes(ds))
    replace_all(client, schemas_uri, SCHEMAS, 3)
    await published(client, uri, lambda ds: "BKL503" in codes(ds))
    # required again, then saved
    replace_all(client, schemas_uri, required, 4)
    schemas.write_text(required)  # (what the editor's save does; the server reads the buffer it is sent)
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=schemas_uri), text=required))
    await published(client, uri, lambda ds: "BKL503" not in codes(ds))
    # and back, through the file system this time (another tool edits a file that is not open)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=schemas_uri)))
    schemas.write_text(SCHEMAS)
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=schemas_uri, type=lsp.FileChangeType.Changed)])
    )
    await published(client, uri, lambda ds: "BKL503" in codes(ds))


async def test_a_comment_edit_reuses_the_findings_at_their_new_place(client: LanguageClient, project: Path):
    path = project / "app" / "times.py"
    uri = open_doc(client, path, TIMES, version=50)
    await published(client, uri, lambda ds: "BKL302" in codes(ds))
    edited = TIMES.replace("def stamp():", "# when it happened\n\n\ndef stamp():")
    replace_all(client, uri, edited, 51)
    await published(client, uri, lambda ds: [d.range.start.line for d in ds if d.code == "BKL302"] == [7])
    edited = edited.replace("def stamp():", "def stamp():  # now")
    replace_all(client, uri, edited, 52)
    found = await published(client, uri, lambda ds: [d.range.start.line for d in ds if d.code == "BKL302"] == [7])

    async def logged() -> None:
        while not any("(version 52)" in m.message for m in client.log_messages):
            await client.wait_for_notification(lsp.WINDOW_LOG_MESSAGE)

    await asyncio.wait_for(logged(), WAIT)
    for version in (51, 52):  # no whole-file lint: the findings moved, or only ``stamp`` walked again
        assert any(("reused" in m.message or "function" in m.message) and f"(version {version})" in m.message for m in client.log_messages)
    offered = await actions(client, uri, [d for d in found if d.code == "BKL302"])  # the moved fix still applies
    fixed = apply_edit(edited, next(a for a in offered if "noqa" not in a.title).edit)
    assert "# when it happened" in fixed and not [d for d in lint_text(fixed, str(path)) if d.code == "BKL302"]


async def test_configuration_is_reloaded_when_pyproject_changes(client: LanguageClient, project: Path):
    path = project / "app" / "times.py"
    uri = open_doc(client, path, TIMES, version=40)
    await published(client, uri, lambda ds: "BKL302" in codes(ds))
    config = project / "pyproject.toml"
    before = config.read_text()
    config.write_text(before + 'ignore = ["BKL302"]\n')
    try:
        client.workspace_did_change_watched_files(
            lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=config.as_uri(), type=lsp.FileChangeType.Changed)])
        )
        await published(client, uri, lambda ds: "BKL302" not in codes(ds))
    finally:
        config.write_text(before)
        client.workspace_did_change_watched_files(
            lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=config.as_uri(), type=lsp.FileChangeType.Changed)])
        )
    await published(client, uri, lambda ds: "BKL302" in codes(ds))


async def test_a_file_that_does_not_parse_gives_bkl900_and_the_server_goes_on(client: LanguageClient, project: Path):
    path = project / "app" / "broken.py"
    uri = open_doc(client, path, "def broken(:\n    pass\n")
    found = await published(client, uri, lambda ds: "BKL900" in codes(ds))
    assert next(d for d in found if d.code == "BKL900").severity == lsp.DiagnosticSeverity.Error
    assert await actions(client, uri, found) == []  # no fix, no noqa for a syntax error
    replace_all(client, uri, TIMES, 2)
    await published(client, uri, lambda ds: codes(ds) == ["BKL302"])


async def test_changes_are_linted_after_the_debounce_and_the_last_version_wins(tmp_path: Path):
    root = _project(tmp_path / "debounced")
    config = ClientServerConfig(server_command=[str(BIN), "server"], server_env=_env())
    client = await config.start()
    try:
        await _start(client, root, debounce_ms=50)
        uri = open_doc(client, root / "app" / "times.py", "x = 1\n")
        await published(client, uri, lambda ds: ds == [])
        replace_all(client, uri, "y = 2\n", 2)
        replace_all(client, uri, TIMES.replace("utcnow()", "utcnow"), 3)
        replace_all(client, uri, TIMES, 4)
        await published(client, uri, lambda ds: codes(ds) == ["BKL302"])
        await client.shutdown_session()
    finally:
        await client.stop()


async def test_a_crashing_rule_does_not_kill_the_server(tmp_path: Path):
    root = _project(tmp_path / "crash")
    config = ClientServerConfig(server_command=[sys.executable, str(HERE / "crash_server.py")], server_env=_env())
    client = await config.start()
    try:
        await _start(client, root)
        uri = open_doc(client, root / "app" / "times.py", TIMES)
        found = await published(client, uri, lambda ds: "BKL999" in codes(ds))
        assert "BKL302" in codes(found)  # the other rules' findings stand
        crash = next(d for d in found if d.code == "BKL999")
        assert "BKL998" in crash.message and "this rule always crashes" in crash.message
        assert any("BKL998" in m.message for m in client.log_messages)
        replace_all(client, uri, "x = 1\n", 2)  # and the server still answers
        await published(client, uri, lambda ds: codes(ds) == ["BKL999"])
        offered = await actions(client, uri, [])
        assert offered == []
        await client.shutdown_session()
    finally:
        await client.stop()

