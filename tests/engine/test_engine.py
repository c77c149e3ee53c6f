"""Engine behaviour that no single rule shows: error isolation, noqa, fix loop, edits."""

from __future__ import annotations

import libcst as cst

from backend_lint.ground.config import Settings
from backend_lint.values import Edit, Fix, FixAvailability, ResolvedEdit
from backend_lint.engine.api import Engine
from backend_lint.engine.fixes import apply_edits
from backend_lint.engine.registry import all_rules
from backend_lint.rules.api import Rule

from clihelpers import EMPTY_DOWNGRADE


class Boom(Rule):
    code = "BKL998"
    name = "boom"
    message = "boom"

    def visit_Name(self, node: cst.Name) -> None:
        raise ValueError("kaboom")


class RenameX(Rule):
    """Renames `x` to `y` (a safe fix), and reports every `y` without a fix."""

    code = "BKL997"
    name = "rename-x"
    message = "`x` should be `y`"
    fix_availability = FixAvailability.SOMETIMES

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "x":
            self.report(node, fix=Fix.safe("Rename to `y`", [Edit.replace(node, "y")]))


class BreakSyntax(Rule):
    code = "BKL996"
    name = "break-syntax"
    message = "bad fix"

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "z":
            self.report(node, fix=Fix.safe("break", [Edit.replace(node, "(")]))


def _engine(*extra: type[Rule]) -> Engine:
    rules = tuple(all_rules()) + extra
    return Engine(Settings(), [r.code for r in rules], rules=rules)


def test_a_crashing_rule_is_reported_and_others_still_run() -> None:
    result = _engine(Boom).lint_source(EMPTY_DOWNGRADE, "m.py")
    assert [d.code for d in result.diagnostics] == ["BKL402"]
    assert len(result.errors) == 1
    err = str(result.errors[0])
    assert "m.py" in err and "BKL998" in err and "boom" in err and "kaboom" in err


def test_fix_loop_applies_and_relints() -> None:
    engine = _engine(RenameX)
    fixed, result, applied = engine.fix_source("x = x + 1\nprint(x)\n", "f.py")
    assert fixed == "y = y + 1\nprint(y)\n"
    assert applied == 3
    assert not [d for d in result.diagnostics if d.code == "BKL997"]


def test_a_fix_that_breaks_syntax_is_rejected() -> None:
    engine = _engine(RenameX, BreakSyntax)
    fixed, result, applied = engine.fix_source("x = z\n", "f.py")
    assert fixed == "y = z\n"
    assert any(d.code == "BKL996" for d in result.diagnostics)


def test_identical_edits_from_two_fixes_apply_once() -> None:
    from backend_lint.engine.fixes import apply_fixes
    from backend_lint.values import Diagnostic, Location

    imp = ResolvedEdit(0, 0, "import os\n")
    d1 = Diagnostic("BKL997", "a", "m", "f.py", Location(1, 1), Location(1, 1), Fix.safe("a", [imp, ResolvedEdit(4, 5, "A")]))
    d2 = Diagnostic("BKL997", "a", "m", "f.py", Location(1, 1), Location(1, 1), Fix.safe("b", [imp, ResolvedEdit(8, 9, "B")]))
    out, used = apply_fixes("x = a + b\n", [d1, d2])
    assert used == 2
    assert out == "import os\nx = A + B\n"


def test_apply_edits_keeps_every_other_byte() -> None:
    src = "a\r\nb\tc  # é\r\n"
    assert apply_edits(src, [ResolvedEdit(3, 4, "B")]) == "a\r\nB\tc  # é\r\n"


def test_noqa_is_left_to_the_caller_when_asked() -> None:
    text = EMPTY_DOWNGRADE.replace("def downgrade():", "def downgrade():  # noqa: BKL402")
    engine = Engine(Settings())
    assert engine.lint_source(text, "m.py").diagnostics == []
    assert [d.code for d in engine.lint_source(text, "m.py", noqa=False).diagnostics] == ["BKL402"]


def test_noqa_prefix_and_blanket() -> None:
    engine = Engine(Settings())
    for comment in ("# noqa", "# noqa: BKL4", "# NOQA:BKL402", "# noqa:BKL401,BKL402"):
        text = EMPTY_DOWNGRADE.replace("def downgrade():", f"def downgrade():  {comment}")
        assert [d.code for d in engine.lint_source(text, "m.py").diagnostics if d.code != "BKL901"] == [], comment


def test_positions_are_one_based_columns() -> None:
    d = Engine(Settings()).lint_source(EMPTY_DOWNGRADE, "m.py").diagnostics[0]
    assert (d.row, d.column) == (16, 5)
    assert (d.end_location.row, d.end_location.column) == (16, 14)


def test_crlf_source_positions_and_fixes() -> None:
    engine = _engine(RenameX)
    fixed, _, _ = engine.fix_source("a = 1\r\nx = 2\r\n", "f.py")
    assert fixed == "a = 1\r\ny = 2\r\n"
    d = [d for d in engine.lint_source("a = 1\r\nx = 2\r\n", "f.py").diagnostics if d.code == "BKL997"][0]
    assert (d.row, d.column) == (2, 1)
