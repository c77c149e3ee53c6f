"""BKL305's screen asks what its visitor asks of a SQLModel table field (run 39): where the project's
SQLModel stores ``datetime`` aware (0.0.45 or later, read from the nearest pin above the file, or the
``sqlmodel-version`` setting), a ``datetime`` field reports nothing, so the file does not reach libcst;
``NaiveDatetime`` fields and projects that admit an older SQLModel still do.

The screen's soundness is the fixtures' (``test_skip_equivalence.py`` lints every fixture with skipping on
and off); this checks that the version read actually keeps files away from libcst.
"""

from __future__ import annotations

import textwrap

import pytest

from backend_lint.engine.api import Engine
from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex

from harness import load_fixtures

_FIXTURES = {f.id: f for f in load_fixtures() if f.id.startswith("timezone/BKL305/sqlmodel_")}

CASES = [
    ("timezone/BKL305/sqlmodel_aware_quiet/", "svc/mixins.py", False),
    ("timezone/BKL305/sqlmodel_aware_quiet/", "svc/ledger.py", False),
    ("timezone/BKL305/sqlmodel_aware_quiet/", "svc/ledger_naive.py", True),
    ("timezone/BKL305/sqlmodel_new/", "app/models.py", True),
    ("timezone/BKL305/sqlmodel_old/", "app/models.py", True),
    ("timezone/BKL305/sqlmodel_old/", "app/base.py", True),
]


@pytest.mark.parametrize("fixture_id, relative, parsed", CASES, ids=[f"{c[0].split('/')[2]}-{c[1]}" for c in CASES])
def test_bkl305_screen_reads_the_sqlmodel_pin(fixture_id: str, relative: str, parsed: bool) -> None:
    fixture = _FIXTURES[fixture_id]
    (f,) = [f for f in fixture.files if f.path == fixture.root / relative]
    result = fixture.engine(skip=True, codes=["BKL305"]).lint_source(f.text, str(f.path))
    assert result.parsed is parsed
    assert bool(result.diagnostics) is parsed


_TABLE = textwrap.dedent(
    """\
    from datetime import datetime
    from typing import Optional

    from sqlmodel import Field, SQLModel


    class Voucher(SQLModel, table=True):
        id: Optional[int] = Field(default=None, primary_key=True)
        issued_on: datetime
    """
)


@pytest.mark.parametrize("version, parsed", [("0.0.45", False), ("0.0.46", False), ("0.0.44", True), (None, True)])
def test_bkl305_screen_reads_the_version_setting(tmp_path, version, parsed: bool) -> None:
    # no pin file in ``tmp_path``: the setting alone decides (no setting: an unpinned project counts as old)
    path = tmp_path / "vouchers.py"
    settings = Settings(root=str(tmp_path), sqlmodel_version=version)
    project = ProjectIndex.from_sources(str(tmp_path), {str(path): _TABLE})
    result = Engine(settings, ["BKL305"], project, skip=True).lint_source(_TABLE, str(path))
    assert result.parsed is parsed
    assert bool(result.diagnostics) is parsed
