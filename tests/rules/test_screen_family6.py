"""Family 6's screens read what the visitors read (run 36): BKL601 the return annotation ``_judge`` reads and
whether the handler returns a value, BKL604 only the type of an ``Annotated`` parameter, BKL605 each handler's
own statements; run 39: BKL604 only route handlers' parameters, and not those whose marker (a default, the
``Annotated`` metadata, a project alias) is a dependency's or another non-body marker; BKL603 per route
handler: an untyped source (such a parameter, or a ``.json()`` / ``.form()`` read) and a write in its own body. The quiet fixtures written for them never reach libcst, their naive twins do.

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
    ("validation/BKL604/quiet_dependency_markers.py", "BKL604", False),
    ("validation/BKL604/quiet_dependency_markers_naive.py", "BKL604", True),
    ("validation/BKL603/quiet_handler_sources.py", "BKL603", False),
    ("validation/BKL603/quiet_handler_sources_naive.py", "BKL603", True),
    ("validation/BKL601/quiet_returned_values.py", "BKL601", False),
    ("validation/BKL601/quiet_returned_values_naive.py", "BKL601", True),
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
        # the table as the type of a dependency (its marker is not the body's: run 39), and in a helper
        ('@router.post("/crates")\ndef add_crate(crate: Annotated[Crate, Depends(crate_filter)]) -> None: ...\n', False),
        ('@router.post("/crates")\ndef add_crate(crate: Crate = Depends(crate_filter)) -> None: ...\n', False),
        ('@router.get("/crates")\ndef list_crates(kind: Annotated[str, Query()]) -> None: ...\n\ndef fill(crate: Crate) -> None: ...\n', False),
        ('@router.post("/crates")\ndef add_crate(crate: Annotated[Crate, Body(embed=True)]) -> None: ...\n', True),
        ('@router.post("/crates")\ndef add_crate(crate: Annotated[Crate, "note", Body()]) -> None: ...\n', True),
        ('@router.post("/crates")\ndef add_crate(crate: Crate) -> None: ...\n', True),
        # a marker the file alone cannot read (a local name): the screen lets the file through
        ('def marker() -> None: ...\n\n@router.post("/crates")\ndef add_crate(crate: Annotated[Crate, marker()]) -> None: ...\n', True),
    ],
)
def test_bkl604_reads_annotated_type(tmp_path, handler: str, parsed: bool) -> None:
    path = tmp_path / "crates.py"
    text = _TABLE.replace("Depends, Query", "Body, Depends, Query") + handler
    result = _lint(path, text, "BKL604")
    assert result.parsed is parsed
    project = ProjectIndex.from_sources(str(tmp_path), {str(path): text})
    unskipped = Engine(Settings(), ["BKL604"], project, skip=False).lint_source(text, str(path))
    assert result.diagnostics == unskipped.diagnostics
    assert bool(result.diagnostics) is parsed  # every case the screen lets through is one the rule reports


# a project whose dependency aliases live in another module (``CurrentAccount = Annotated[Account, Depends(...)]``)
_ALIASES = {
    "svc/__init__.py": "",
    "svc/tables.py": textwrap.dedent(
        """\
        from typing import Optional

        from sqlmodel import Field, SQLModel


        class Account(SQLModel, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            email: str
        """
    ),
    "svc/deps.py": textwrap.dedent(
        """\
        from typing import Annotated

        from fastapi import Body, Depends

        from svc.tables import Account


        def current_account() -> Account: ...


        CurrentAccount = Annotated[Account, Depends(current_account)]
        AccountBody = Annotated[Account, Body(embed=True)]
        """
    ),
}
_ROUTES = textwrap.dedent(
    """\
    from fastapi import APIRouter

    from svc.deps import {name}

    router = APIRouter()


    @router.post("/accounts/me")
    def touch(account: {name}) -> None: ...
    """
)


@pytest.mark.parametrize("name, parsed", [("CurrentAccount", False), ("AccountBody", True)])
def test_bkl604_reads_alias_markers(tmp_path, name: str, parsed: bool) -> None:
    sources = {}
    for rel, text in {**_ALIASES, "svc/routes.py": _ROUTES.format(name=name)}.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        sources[str(target)] = text
    project = ProjectIndex.from_sources(str(tmp_path), sources)
    path = str(tmp_path / "svc/routes.py")
    result = Engine(Settings(root=str(tmp_path)), ["BKL604"], project, skip=True).lint_source(sources[path], path)
    assert result.parsed is parsed
    assert bool(result.diagnostics) is parsed


def test_bkl601_schemas_named_like_tables() -> None:
    """Session 21 (H145): names the file's imports resolve to a project class that is no table (a schema named
    like a table), or to a function whose return annotation names no table, keep a route module from libcst;
    the twin whose names resolve to the table models reaches it and is reported."""
    root = FIXTURES / "validation/BKL601/schemas_named_like_tables"
    sources = {str(p): p.read_text() for p in sorted(root.rglob("*.py"))}
    project = ProjectIndex.from_sources(str(root), sources)
    engine = Engine(Settings(), ["BKL601"], project, skip=True)
    quiet = str(root / "depot/routes.py")
    naive = str(root / "depot/routes_naive.py")
    result = engine.lint_source(sources[quiet], quiet)
    assert not result.parsed and not result.diagnostics
    result = engine.lint_source(sources[naive], naive)
    assert result.parsed and len(result.diagnostics) == 3
    unskipped = Engine(Settings(), ["BKL601"], project, skip=False)
    assert not unskipped.lint_source(sources[quiet], quiet).diagnostics
