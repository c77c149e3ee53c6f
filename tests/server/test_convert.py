"""Positions between the engine (rows, 1-based character columns) and LSP (0-based, UTF-16 units unless
the client offers another encoding)."""

from __future__ import annotations

from backend_lint.faces.server.convert import Lines, minimal_edit

TEXT = 'x = "\U0001F600é"; y = datetime.utcnow()\nz = 1\n'


def test_columns_count_utf16_units_by_default_and_characters_in_utf32():
    col = TEXT.index("datetime") + 1  # 1-based characters
    assert Lines(TEXT).to_client(1, col) == (0, col - 1 + 1)  # the emoji is two UTF-16 units
    assert Lines(TEXT, "utf-32").to_client(1, col) == (0, col - 1)
    assert Lines(TEXT, "utf-8").to_client(1, col) == (0, col - 1 + 3 + 1)  # 4 bytes, then 2 for "é"
    for encoding in ("utf-16", "utf-32", "utf-8"):
        lines = Lines(TEXT, encoding)
        assert lines.from_client(*lines.to_client(1, col)) == (1, col)
        assert lines.offset_to_client(TEXT.index("z")) == (1, 0)


def test_minimal_edit_is_the_one_changed_span():
    assert minimal_edit("a = 1\nb = 2\n", "a = 1\nb = 3\n") == (10, 11, "3")
    assert minimal_edit("same", "same") is None



def test_the_json_the_server_writes_is_what_pygls_writes_for_the_typed_diagnostic() -> None:
    """``publishDiagnostics`` is written from ``json_of`` (``lsp.py``): the same JSON as pygls's converter
    gives for ``to_lsp``: with and without a fix, the unused-``noqa`` tag, an error's severity, UTF-16
    columns after a non-ASCII character; and the notification around it is pygls's."""
    from lsprotocol import types as lsp
    from pygls.protocol import default_converter

    from backend_lint.engine.api import lint_text
    from backend_lint.faces.server.lsp import json_of, to_lsp

    text = 'from datetime import datetime\n\nx = ("\U0001F600", datetime.utcnow())\ny = 1  # noqa: BKL302\n'
    found = lint_text(text, "a.py") + lint_text("def (:\n", "b.py")
    assert {"BKL302", "BKL901", "BKL900"} <= {d.code for d in found}
    c = default_converter()
    for encoding in ("utf-16", "utf-8"):
        lines = Lines(text, encoding)
        for d in found:
            assert json_of(d, lines) == c.unstructure(to_lsp(d, lines)), d.code
    lines = Lines(text)
    params = {"uri": "file:///a.py", "diagnostics": [json_of(d, lines) for d in found], "version": 3}
    typed = lsp.PublishDiagnosticsNotification(params=lsp.PublishDiagnosticsParams(uri="file:///a.py", diagnostics=[to_lsp(d, lines) for d in found], version=3))
    assert c.unstructure(typed) == {"jsonrpc": "2.0", "method": lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params}


def test_the_notification_text_is_the_json_of_its_findings() -> None:
    """The server writes ``publishDiagnostics`` from each finding's JSON text; in an ASCII text a finding
    keeps its text (``_Form``) wherever it moved, its two line numbers put in."""
    import json

    from backend_lint.engine.api import lint_text
    from backend_lint.faces.server.lsp import _Form, json_of, notification_json

    text = 'from datetime import datetime\n\nx = datetime.utcnow()\ny = (\n    datetime.utcnow()\n)  # noqa: BKL302, BKL501\n'
    found = lint_text(text, "a.py")
    assert {"BKL302", "BKL901"} <= {d.code for d in found}
    lines = Lines(text)
    forms = [_Form(json_of(d, lines)) for d in found]
    body = notification_json('file:///a "b".py', [f.at(d.location.row + 1, d.end_location.row + 1) for f, d in zip(forms, found)], 7)
    want = []
    for d in found:  # (every finding two lines further down)
        raw = json_of(d, lines)
        raw["range"]["start"]["line"] += 2
        raw["range"]["end"]["line"] += 2
        want.append(raw)
    assert json.loads(body) == {
        "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
        "params": {"uri": 'file:///a "b".py', "diagnostics": want, "version": 7},
    }
    assert json.loads(notification_json("file:///a.py", [], None))["params"] == {"uri": "file:///a.py", "diagnostics": []}
