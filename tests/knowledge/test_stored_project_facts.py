"""Families 1-2's project-wide facts that a one-changed-file run would otherwise derive from every module's facts
(session 32, H246) are stored with the index (``ProjectIndex.stored_memo``). What a cached index answers must
be what an index without a cache answers: on the run that derives them, on the next run (read back, no module's
facts loaded), after an edit of any module that changes its facts, and under other settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backend_lint.ground.config import Settings
from backend_lint.knowledge import claims, fetch_flow, models, validation
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import checked_only_tables
from backend_lint.knowledge.queries.attach import served_by_key
from backend_lint.knowledge.queries.public import public_listings, public_models

PROJECTS = Path(__file__).resolve().parents[1] / "fixtures" / "isolation" / "_projects"


def _answers(project: ProjectIndex, settings: Settings) -> dict:
    names = fetch_flow.deciding_names(project, settings)
    return {
        "checked_only_tables": checked_only_tables(project, settings),
        "scoping_evidence": models.scoping_evidence(project),
        "dependency_fields": claims._dependency_fields(project),
        "deciding_names": (names.anywhere, names.resolved),
        "response_models": validation.response_models(project),
        "leaking_fields": validation.leaking_fields(project),
        "tables_by_class_name": models.tables_by_class_name(project),
        "public_models": public_models(project, settings),
        "public_listings": public_listings(project, settings),
        "served_by_key": served_by_key(project, settings),
        "served_openly": served_by_key(project, settings, openly=True),
    }


def _files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*.py"))


def _fresh(root: Path, settings: Settings) -> dict:
    return _answers(ProjectIndex.build(str(root), _files(root)), settings)


# a table with no identity column and a check helper handed its row with the caller, a class-based view's ``Depends`` field, an open route
# reading a row by its key: an edit that changes the facts each stored answer is derived from
_EDIT = '''

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from sqlalchemy.orm import declarative_base

LedgerBase = declarative_base()


class Ledger(LedgerBase):
    __tablename__ = "ledger"
    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String)


def ensure_ledger_access(db, ledger: Ledger, user):
    if ledger is None:
        raise PermissionError


class LedgerView:
    user = Depends(lambda: None)


ledger_router = APIRouter()


@ledger_router.get("/ledgers/{ledger_id}")
def read_ledger(ledger_id: int, db=Depends(lambda: None)):
    return db.get(Ledger, ledger_id)
'''


@pytest.mark.parametrize("name", ["fetch_and_check_helpers", "classy_club_controllers", "fastapi_sqlmodel"])
def test_stored_project_facts_answer_as_an_uncached_index(tmp_path: Path, name: str) -> None:
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root)
    cache = str(tmp_path / ".cache")
    settings = Settings()

    def cached(s: Settings = settings) -> tuple[ProjectIndex, dict]:
        project = ProjectIndex.build(str(root), _files(root), cache_dir=cache)
        return project, _answers(project, s)

    _, first = cached()
    assert first == _fresh(root, settings)
    second_index, second = cached()
    assert second == first
    assert not second_index.facts_loaded  # read back: no module's facts were read to answer
    target = sorted(root.rglob("*.py"), key=lambda p: (len(p.parts), p.name))[-1]
    target.write_text(target.read_text() + _EDIT)
    edited_index, edited = cached()
    assert edited == _fresh(root, settings)  # the facts changed: derived again, not the stored answers
    assert edited_index.facts_loaded
    other = Settings(principal_parameters=("member",), identity_fields=("owner_id",))
    _, under_other = cached(other)
    assert under_other == _fresh(root, other)  # other settings: not what the default settings stored
