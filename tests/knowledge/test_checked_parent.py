"""Rows a dependency checked (``checked_parent_model``: a client key handed to one call with who asks, or with
a row checked above), the keys they took, and a helper's lookups of a child table untied to such a row
(``child_untied_params``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import (
    checked_parent_dependencies,
    checked_parent_keys,
    checked_parent_model,
    child_untied_params,
    flow_facts,
)

FILES = {
    "hive/__init__.py": "",
    "hive/models.py": '''
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Keeper(Base):
    __tablename__ = "keepers"
    id = Column(Integer, primary_key=True)


class Apiary(Base):
    __tablename__ = "apiaries"
    id = Column(Integer, primary_key=True)


class Colony(Base):
    __tablename__ = "colonies"
    id = Column(Integer, primary_key=True)
    apiary_id = Column(Integer, ForeignKey("apiaries.id"))


class Inspection(Base):
    __tablename__ = "inspections"
    id = Column(Integer, primary_key=True)
    colony_id = Column(Integer, ForeignKey("colonies.id"))
    notes = Column(String)
''',
    "hive/schemas.py": '''
from pydantic import BaseModel


class Apiary(BaseModel):
    id: int
''',
    "hive/store.py": '''
from sqlalchemy import select

from hive.models import Apiary, Colony, Inspection


def apiary_for_keeper(db, keeper_id, apiary_id):
    return db.scalars(select(Apiary).where(Apiary.id == apiary_id)).first()


def colony_in(db, apiary_id, colony_id):
    return db.scalars(select(Colony).where(Colony.id == colony_id, Colony.apiary_id == apiary_id)).first()


def inspection(db, inspection_id):
    return db.scalars(select(Inspection).where(Inspection.id == inspection_id)).first()


def inspection_of(db, colony_id, inspection_id):
    return db.scalars(select(Inspection).where(Inspection.id == inspection_id, Inspection.colony_id == colony_id)).first()


def load_inspection(db, inspection_id):
    return inspection(db, inspection_id)
''',
    "hive/deps.py": '''
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

from hive import schemas, store
from hive.models import Colony, Keeper

bearer = OAuth2PasswordBearer(tokenUrl="/token")


def get_db():
    raise NotImplementedError


def current_keeper(token: str = Depends(bearer), db=Depends(get_db)) -> Keeper:
    return db.get(Keeper, token)


def keeper_apiary(apiary_id: int, db=Depends(get_db), keeper: Keeper = Depends(current_keeper)) -> schemas.Apiary:
    found = store.apiary_for_keeper(db, keeper_id=keeper.id, apiary_id=apiary_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


def keeper_colony(colony_id: int, db=Depends(get_db), apiary: schemas.Apiary = Depends(keeper_apiary)) -> Colony:
    return store.colony_in(db, apiary_id=apiary.id, colony_id=colony_id)


def any_colony(colony_id: int, db=Depends(get_db)) -> Colony:
    return db.get(Colony, colony_id)
''',
}


def _index(tmp_path: Path) -> ProjectIndex:
    paths = []
    for rel, text in FILES.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    return ProjectIndex.build(str(tmp_path), paths, jobs=1)


def test_checked_rows_and_their_keys(tmp_path: Path) -> None:
    index = _index(tmp_path)
    settings = Settings()
    # a schema named like one table stands for it; the checked apiary makes the colony checked in turn
    assert checked_parent_model(index, settings, "hive.deps.keeper_apiary", None) == "hive.models.Apiary"
    assert checked_parent_model(index, settings, "hive.deps.keeper_colony", None) == "hive.models.Colony"
    # a lookup by the key alone decides nothing
    assert checked_parent_model(index, settings, "hive.deps.any_colony", None) is None
    assert checked_parent_dependencies(index, settings) == {"hive.deps.keeper_apiary", "hive.deps.keeper_colony"}
    assert checked_parent_keys(index, settings, "hive.deps.keeper_colony") == {"colony_id", "apiary_id"}


def test_child_lookups_untied_to_the_checked_row(tmp_path: Path) -> None:
    index = _index(tmp_path)
    settings = Settings()
    fns = flow_facts(index, "hive.store")["functions"]

    def untied(name: str, parent: str) -> dict:
        return child_untied_params(index, settings, "hive.store", None, name, fns[name], parent)

    assert untied("inspection", "hive.models.Colony") == {
        "inspection_id": ("hive.models.Inspection", ("inspection()",), ("colony_id",))
    }
    # two references away, through a helper
    assert untied("load_inspection", "hive.models.Apiary") == {
        "inspection_id": ("hive.models.Inspection", ("load_inspection()", "inspection()"), ("colony_id", "apiary_id"))
    }
    # a predicate on the reference filled by a parameter ties the child only as well as what the caller hands it
    # (a route handing the checked key or row never asks: ``_note_child_fetch``)
    assert untied("inspection_of", "hive.models.Colony") == {
        "colony_id": ("hive.models.Inspection", ("inspection_of()",), ("colony_id",)),
        "inspection_id": ("hive.models.Inspection", ("inspection_of()",), ("colony_id",)),
    }
    assert untied("colony_in", "hive.models.Apiary") == {
        "apiary_id": ("hive.models.Colony", ("colony_in()",), ("apiary_id",)),
        "colony_id": ("hive.models.Colony", ("colony_in()",), ("apiary_id",)),
    }
