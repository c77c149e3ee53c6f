"""The server's fast path (``faces/server/incremental.py``): an edit that changes no code keeps the
findings, moved; any other edit asks for a lint. Every reuse is checked against a real lint of the new text."""

from __future__ import annotations

from typing import Optional

from backend_lint.engine.api import lint_text
from backend_lint.faces.server.incremental import changed_span, code_tokens, reuse
from backend_lint.faces.server.session import Session

SOURCE = '''from datetime import datetime


def first():
    # a comment
    return datetime.utcnow()


def second():
    value = (
        datetime.utcnow()
    )
    return value
'''


def _shape(ds) -> list:
    return [
        (d.code, d.location.row, d.location.column, d.end_location.row, d.end_location.column, d.noqa_row,
         d.message, d.fix.message if d.fix else None, tuple(d.fix.edits) if d.fix else None,
         [(a.row, a.column, b.row, b.column) for a, b in d.edit_locations])
        for d in ds
    ]


def _moved(old: str, new: str) -> Optional[list]:
    found = reuse(old, new, lint_text(old, "app.py"))
    return None if found is None else found[0]


def test_changed_span_finds_the_one_changed_region():
    assert changed_span("abcdef", "abXYdef") == (2, 3, 4)
    assert changed_span("aaa", "aaaa") == (3, 3, 4)
    assert changed_span("same", "same") == (4, 4, 4)


def test_comment_and_blank_line_edits_reuse_the_findings_at_their_new_places():
    edits = [
        SOURCE.replace("# a comment", "# a longer comment, edited"),
        SOURCE.replace("def first():", "# new comment line\n\ndef first():"),
        SOURCE.replace("    value = (\n", "    value = (  # why\n"),
        SOURCE.replace("\n\ndef second", "\n\n\n\ndef second"),
        SOURCE + "\n# trailing comment\n",
        SOURCE.replace("    return value\n", "    return value\n\n"),  # Enter at the end of a line
        SOURCE.replace("    # a comment\n", "    # a comment\n\n    # and another\n"),
        SOURCE.replace("    value = (\n", "    value = (\n\n"),  # a blank line inside brackets
        SOURCE.replace("def second():", "def second():  # the second one"),
    ]
    for new in edits:
        moved = _moved(SOURCE, new)
        assert moved is not None, new
        assert _shape(moved) == _shape(lint_text(new, "app.py")), new


def test_edits_to_code_noqa_or_a_findings_line_are_linted_again():
    assert _moved(SOURCE, SOURCE.replace("return value", "return value + 1")) is None  # code
    assert _moved(SOURCE, SOURCE.replace("# a comment", "# noqa: BKL302")) is None  # a suppression
    assert _moved(SOURCE, SOURCE.replace("datetime.utcnow()\n    )", "datetime.utcnow()  # hm\n    )")) is None  # a finding's line
    assert _moved(SOURCE, SOURCE.replace("def first():", "def first(:")) is None  # does not tokenize the same
    assert _moved(SOURCE, SOURCE.replace("    # a comment", "    a_comment")) is None  # a comment became code
    assert _moved(SOURCE, SOURCE.replace("    return value\n", "    return value\n  \n  x\n")) is None
    assert _moved(SOURCE, SOURCE.replace("    value = (", "    value =\n    (")) is None  # a line break, not in brackets
    assert _moved(SOURCE, SOURCE.replace("def second():", "def second(): #")) is not None  # a comment closing a line
    assert _moved(SOURCE, SOURCE.replace("def second():", "def second( # ):")) is None  # hides code
    strings = SOURCE.replace("# a comment", 'x = "# not a comment"')
    assert _moved(strings, strings.replace("# not a comment", "# not a comment either")) is None  # a string's text


def test_code_tokens_ignore_comments_and_blank_lines_only():
    assert code_tokens("x = 1  # c\n\n\ny = 2\n") == code_tokens("x = 1\ny = 2\n")
    assert code_tokens("x = 1\n") != code_tokens("x = 2\n")
    assert code_tokens("x = (\n") is None


def test_the_session_reuses_on_a_comment_edit_and_lints_on_a_code_edit(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.backend-lint]\n")
    path = str(tmp_path / "app.py")
    session = Session()
    session.open(path, SOURCE, 1)
    first = session.lint(path)
    assert [d.code for d in first.diagnostics] == ["BKL302", "BKL302"] and not first.reused
    session.change(path, SOURCE.replace("# a comment", "# another comment"), 2)
    second = session.lint(path)
    assert second.reused and _shape(second.diagnostics) == _shape(lint_text(session.documents[path].text, path))
    session.change(path, SOURCE.replace("return value", "return None"), 3)
    third = session.lint(path)
    assert not third.reused and [d.code for d in third.diagnostics] == ["BKL302", "BKL302"]


def test_workspace_update_file_reports_whether_facts_changed(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.backend-lint]\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    models = tmp_path / "app" / "models.py"
    models.write_text("class Item:\n    def total(self):\n        return 1\n")
    session = Session()
    workspace = session.workspace_for(str(models))
    assert workspace.update_file(str(models), models.read_text()) is False  # what the index read
    assert workspace.update_file(str(models), "class Item:\n    def total(self):\n        return 2\n") is False  # a body
    assert workspace.update_file(str(models), "class Item:\n    pass\n\n\nclass Order:\n    pass\n") is True  # a class added


def test_the_session_moves_findings_edit_by_edit_across_a_debounced_burst(tmp_path):
    """Two comment edits in two places between two lints (the debounce merged them): each edit is one
    gap, so the findings are moved twice instead of the file being linted."""
    (tmp_path / "pyproject.toml").write_text("[tool.backend-lint]\n")
    path = str(tmp_path / "app.py")
    session = Session()
    session.open(path, SOURCE, 1)
    session.lint(path)
    step1 = SOURCE.replace("def first():", "# above\n\ndef first():")
    step2 = step1.replace("def second():", "def second():  # beside")
    session.change(path, step1, 2)
    session.change(path, step2, 3)
    linted = session.lint(path)
    assert linted.reused and _shape(linted.diagnostics) == _shape(lint_text(step2, path))
    session.change(path, step2.replace("return value", "return None"), 4)
    assert not session.lint(path).reused
