"""A service injected as an interface (``typing.Protocol``) whose dependency factory builds other classes on its
ways (orm ``built_each``): the route's calls feed the parameters of each class the factory builds
(``knowledge.auth.identity._typed_receiver_methods``), not the interface's stubs."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.auth.identity import client_fed_parameters, principal_fed_parameters
from backend_lint.knowledge.facts import orm_facts
from backend_lint.knowledge.index import ProjectIndex

FILES = {
    "kiosk/__init__.py": "",
    "kiosk/models.py": '''
from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Patron(Base):
    __tablename__ = "patrons"
    id = Column(Integer, primary_key=True)


class Locker(Base):
    __tablename__ = "lockers"
    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer)
''',
    "kiosk/lockers.py": '''
from typing import Protocol

from fastapi import Depends


class LockerOps(Protocol):
    def open(self, acting_id: int, locker_id: int) -> dict: ...


class DbLockerOps:
    def __init__(self, db):
        self.db = db

    def open(self, opener: int, locker_ref: int) -> dict:
        return {"opener": opener, "locker": locker_ref}


class DisabledLockerOps:
    def open(self, who: int, which: int) -> dict:
        return {}


class MeteredLockerOps:
    def close(self, who: int, which: int) -> dict:
        return {}


def get_db():
    raise NotImplementedError


def lockers_enabled() -> bool:
    return True


def get_locker_ops(db=Depends(get_db)) -> LockerOps:
    if lockers_enabled():
        return DbLockerOps(db)
    if db is None:
        return MeteredLockerOps()
    return DisabledLockerOps()
''',
    "kiosk/routes.py": '''
from fastapi import APIRouter, Depends

from kiosk.lockers import LockerOps, get_locker_ops
from kiosk.models import Patron

router = APIRouter()


def get_current_user() -> Patron:
    raise NotImplementedError


@router.post("/lockers/{locker_id}/open")
def open_locker(locker_id: int, user: Patron = Depends(get_current_user), ops: LockerOps = Depends(get_locker_ops)):
    return ops.open(user.id, locker_id)
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


def test_factory_records_the_classes_it_builds(tmp_path: Path) -> None:
    index = _index(tmp_path)
    fn = orm_facts(index.modules["kiosk.lockers"])["functions"]["get_locker_ops"]
    assert fn["built_each"] == ["kiosk.lockers.DbLockerOps", "kiosk.lockers.DisabledLockerOps", "kiosk.lockers.MeteredLockerOps"]
    # (a function taking no dependency, or returning what its annotation names, records nothing)
    assert "built_each" not in orm_facts(index.modules["kiosk.lockers"])["functions"]["lockers_enabled"]


def test_interface_calls_feed_each_built_class(tmp_path: Path) -> None:
    index = _index(tmp_path)
    settings = Settings()
    client = client_fed_parameters(index, settings)
    # the classes the factory builds that define the method receive the route's key by position
    assert client.get("kiosk.lockers.DbLockerOps.open") == ["locker_ref"]
    assert client.get("kiosk.lockers.DisabledLockerOps.open") == ["which"]
    # not the interface's stub, and not a built class without the method
    assert "kiosk.lockers.LockerOps.open" not in client
    assert not any(k.startswith("kiosk.lockers.MeteredLockerOps") for k in client)
    principal = principal_fed_parameters(index, settings)
    assert "kiosk.lockers.LockerOps.open" not in principal
