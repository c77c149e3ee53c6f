"""Family 6's screens read what the visitors read (run 36): BKL601 the return annotation ``_judge`` reads and
whether the handler returns a value, BKL604 only the type of an ``Annotated`` parameter, BKL605 each handler's
own statements. The quiet fixtures written for them never reach libcst, their naive twins do.

The screens' soundness is the fixtures' (``test_skip_equivalence.py`` lints every fixture with skipping on
and off); this checks that the new reads actually keep files away from libcst.
"""

from __future__ import annotations

import textwrap

import pytest

from backend_lint.engine.api import Engine
from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex

from harness import FIXTURES

CASES = [
    ("validation/BKL601/quiet_return_annotations.py", "BKL601", False),
    ("validation/BKL601/quiet_return_annotations_naive.py", "BKL601", True),
    ("validation/BKL605/quiet_route_bodies.py", "BKL605", False),
    ("validation/BKL605/quiet_route_bodies_naive.py", "BKL605", True),
]


def _lint(path, text: str, code: str):
    project = ProjectIndex.from_sources(str(path.parent), {str(path): text})
    return Engine(Settings(), [code], project, skip=True).lint_source(text, str(path))


@pytest.mark.parametrize("relative, code, parsed", CASES, ids=[c[0].rsplit("/", 1)[-1] for c in CASES])
def test_screen_decides_on_handlers(relative: str, code: str, parsed: bool) -> None:
    path = FIXTURES / relative
    result = _lint(path, path.read_text(), code)
    assert result.parsed is parsed
    assert bool(result.diagnostics) is parsed


_TABLE = textwrap.dedent(
    """\
    from typing import Annotated, Optional

    from fastapi import APIRouter, Depends, Query
    from sqlmodel import Field, SQLModel

    router = APIRouter()


    class Crate(SQLModel, table=True):
        id: Optional[int] = Field(default=None, primary_key=True)
        label: str


    def crate_filter(kind: str = Query("")) -> str: ...


    """
)


@pytest.mark.parametrize(
    "handler, parsed",
    [
        # the table only in ``Annotated``'s metadata: a dependency, never the body's type
        ('@router.get("/crates")\ndef list_crates(kind: Annotated[str, Depends(crate_filter), Crate]) -> None: ...\n', False),
        ('@router.post("/crates")\ndef add_crate(crate: Annotated[Crate, Depends(crate_filter)]) -> None: ...\n', True),
        ('@router.post("/crates")\ndef add_crate(crate: Crate) -> None: ...\n', True),
    ],
)
def test_bkl604_reads_annotated_type(tmp_path, handler: str, parsed: bool) -> None:
    path = tmp_path / "crates.py"
    result = _lint(path, _TABLE + handler, "BKL604")
    assert result.parsed is parsed
