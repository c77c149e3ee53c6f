"""BKL301's and BKL501's screens read the arguments and imports their visitors read (run 34), and are not
vacuous: the quiet fixtures written for them never reach libcst, their naive twins do.

The screens' soundness is the fixtures' (``test_skip_equivalence.py`` lints every fixture with skipping on
and off); this checks that the two new reads actually keep files away from libcst.
"""

from __future__ import annotations

import pytest

from backend_lint.engine.api import Engine
from backend_lint.ground.config import Settings

from harness import FIXTURES

CASES = [
    ("timezone/BKL301/naive_datetime_call_bound_names.py", "BKL301", False),
    ("timezone/BKL301/naive_datetime_call_bound_names_naive.py", "BKL301", True),
    ("timezone/BKL301/aware_bounds.py", "BKL301", False),
    ("timezone/BKL301/aware_bounds_naive.py", "BKL301", True),
    ("partial_updates/BKL501/quiet_dump_arguments.py", "BKL501", False),
    ("partial_updates/BKL501/quiet_dump_arguments_naive.py", "BKL501", True),
]


@pytest.mark.parametrize("relative, code, parsed", CASES, ids=[c[0].rsplit("/", 1)[-1] for c in CASES])
def test_screen_decides_on_arguments(relative: str, code: str, parsed: bool) -> None:
    path = FIXTURES / relative
    result = Engine(Settings(), [code], skip=True).lint_source(path.read_text(), str(path))
    assert result.parsed is parsed
    assert bool(result.diagnostics) is parsed
