"""Families 1-2's screens read per handler what the visitors read (run 49): family 1 a route's own text for an
identity field as a parameter's, an attribute's or a string's (not a keyword naming the caller's id handed on,
a log line, a docstring), or a class word; both families leave out a top-level route an admin dependency gates
for certain (``claims.admin_gated``). The quiet fixtures never reach libcst, their naive twins do.

The screens' soundness is the fixtures' (``test_skip_equivalence.py`` lints every fixture with skipping on
and off); this checks that the new reads actually keep files away from libcst.
"""

from __future__ import annotations

import pytest

from backend_lint.engine.api import Engine
from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex

from harness import FIXTURES

CASES = [
    ("identity/BKL101/quiet_route_text.py", "BKL101", False),
    ("identity/BKL101/quiet_route_text.py", "BKL102", False),
    ("identity/BKL101/quiet_route_text_naive.py", "BKL101", True),
    ("isolation/BKL201/quiet_admin_gated.py", "BKL201", False),
    ("isolation/BKL201/quiet_admin_gated.py", "BKL202", False),
    ("isolation/BKL201/quiet_admin_gated_naive.py", "BKL201", True),
    ("isolation/BKL201/quiet_admin_gated_naive.py", "BKL202", True),
]


def _lint(path, text: str, code: str):
    project = ProjectIndex.from_sources(str(path.parent), {str(path): text})
    return Engine(Settings(), [code], project, skip=True).lint_source(text, str(path))


@pytest.mark.parametrize("relative, code, parsed", CASES, ids=[f"{c[0].rsplit('/', 1)[-1]}-{c[1]}" for c in CASES])
def test_screen_decides_per_handler(relative: str, code: str, parsed: bool) -> None:
    path = FIXTURES / relative
    result = _lint(path, path.read_text(), code)
    assert result.parsed is parsed
    assert bool(result.diagnostics) is parsed
