"""Tables with no identity column whose rows a function holds while it calls an access decision
(``queries.loaded_then_decided``, joined to ``helper_checked_tables``), and a lookup bound by a walrus in an
``if`` that raises only when nothing is found: a fetch (``flow`` summary), not a refusal."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import flow_facts, helper_checked_tables, loaded_then_decided

FILES = {
    "kiln/__init__.py": "",
    "kiln/models.py": '''
from typing import Optional

from sqlmodel import Field, SQLModel


class Potter(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)


class Studio(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)


class Batch(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_ref: int
    label: str


class Glaze(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
''',
    "kiln/rules.py": '''
from fastapi import HTTPException


def may_fire(potter_id: int, studio_ref: int) -> None:
    if (potter_id, studio_ref) not in _crew():
        raise HTTPException(status_code=403)


def glaze_in_stock(name: str, count: int) -> None:
    if count <= 0 and name:
        raise HTTPException(status_code=409)


def _crew() -> set:
    raise NotImplementedError
''',
    "kiln/views.py": '''
from fastapi import HTTPException
from sqlmodel import Session, select

from kiln.models import Batch, Glaze
from kiln.rules import glaze_in_stock, may_fire


def load_batch(session: Session, key: int) -> Batch:
    if (batch := session.scalar(select(Batch).where(Batch.id == key))) is None:
        raise HTTPException(status_code=404)
    return batch


def refuse_taken(session: Session, name: str) -> None:
    if session.scalar(select(Glaze).where(Glaze.name == name)):
        raise HTTPException(status_code=409)


def fire(session: Session, key: int, potter_id: int) -> Batch:
    batch = session.get(Batch, key)
    may_fire(potter_id, batch.studio_ref)
    return batch


def mix(session: Session, name: str, count: int) -> None:
    glaze = session.scalar(select(Glaze).where(Glaze.name == name))
    glaze_in_stock(glaze.name, count)
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


def test_walrus_lookup_refused_when_absent_is_a_fetch(tmp_path: Path) -> None:
    functions = flow_facts(_index(tmp_path), "kiln.views").get("functions", {})
    assert [f["model"] for f in functions["load_batch"].get("fetches", ())] == ["kiln.models.Batch"]
    # a lookup that is only the test of an ``if`` that raises (a uniqueness refusal) stays no fetch
    assert not (functions.get("refuse_taken") or {}).get("fetches")


def test_tables_held_while_an_access_decision_is_called(tmp_path: Path) -> None:
    index = _index(tmp_path)
    decided = loaded_then_decided(index, Settings())
    assert decided["kiln.models.Batch"] == ("kiln.views.fire", "may_fire")
    # a 409 refusal decides no access; the principal-like table and tables no decision sees are not listed
    assert "kiln.models.Glaze" not in decided and "kiln.models.Studio" not in decided
    assert "kiln.models.Potter" not in decided
    assert "kiln.models.Batch" in helper_checked_tables(index, Settings())


# A library's ``validate`` (pydantic, WTForms) checks that data is well formed, not who may see the row; a
# library callee named for an access check still decides (session 23, H169; hold-out 26's lma and divbase)
VALIDATING = {
    "shelf/__init__.py": "",
    "shelf/models.py": '''
from typing import Optional

from sqlmodel import Field, SQLModel


class Notice(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    text: str


class Drawer(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    zone: str


class Rack(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    zone: str
''',
    "shelf/views.py": '''
from pydantic import BaseModel
from sqlmodel import Session

from acl_client import acl
from shelf.models import Drawer, Notice, Rack


class NoticeOut(BaseModel):
    text: str


def read_notice(session: Session, key: int) -> NoticeOut:
    notice = session.get(Notice, key)
    return NoticeOut.model_validate(notice)


def edit_drawer(session: Session, key: int, form) -> Drawer:
    drawer = session.get(Drawer, key)
    if form.validate_on_submit():
        drawer.zone = form.zone.data
    return drawer


def open_rack(session: Session, key: int, user_id: int) -> Rack:
    rack = session.get(Rack, key)
    acl.check_permission(user_id, rack.zone)
    return rack
''',
}


def test_library_validation_is_no_access_decision(tmp_path: Path) -> None:
    paths = []
    for rel, text in VALIDATING.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    decided = loaded_then_decided(ProjectIndex.build(str(tmp_path), paths, jobs=1), Settings())
    assert "shelf.models.Notice" not in decided and "shelf.models.Drawer" not in decided
    assert decided["shelf.models.Rack"] == ("shelf.views.open_rack", "check_permission")


# A generic getter that refuses only when its own lookup finds nothing decides nothing about access; one whose
# lookup takes the caller, or that also compares the owner, still does (session 36, H266; hold-out 40's foundry)
GETTERS = {
    "depot/__init__.py": "",
    "depot/models.py": '''
from typing import Optional

from sqlmodel import Field, SQLModel


class Crate(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    bay: int


class Pallet(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    bay: int


class Bin(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    bay: int
''',
    "depot/util.py": '''
from fastapi import HTTPException
from sqlmodel import select


def get_or_404(db, model, ident):
    found = db.exec(select(model).where(model.id == ident)).first()
    if found is None:
        raise HTTPException(status_code=404)
    return found


def get_mine_or_404(db, model, ident, user_id):
    found = db.exec(select(model).where(model.id == ident, model.user_id == user_id)).first()
    if not found:
        raise HTTPException(status_code=404)
    return found


def require_grant(db, bay, holder):
    found = db.exec(select(Grant).where(Grant.bay == bay, Grant.holder == holder)).first()
    if found is None:
        raise HTTPException(status_code=403)


def require_role(perms, role, holder):
    found = perms.get(role)
    if found is None:
        raise HTTPException(status_code=404)


def get_compared_or_404(db, model, ident, keeper):
    found = db.get(model, ident)
    if not found:
        raise HTTPException(status_code=404)
    if found.keeper != keeper:
        raise HTTPException(status_code=403)
    return found
''',
    "depot/views.py": '''
from sqlmodel import Session, select

from depot.models import Bin, Crate, Pallet
from depot.util import get_compared_or_404, get_mine_or_404, get_or_404


def crates(session: Session, key: int) -> list:
    get_or_404(session, Crate, key)
    return session.exec(select(Crate).where(Crate.bay == key)).all()


def pallets(session: Session, key: int, user_id: int) -> list:
    get_mine_or_404(session, Pallet, key, user_id)
    return session.exec(select(Pallet).where(Pallet.bay == key)).all()


def bins(session: Session, key: int, keeper: int) -> list:
    get_compared_or_404(session, Bin, key, keeper)
    return session.exec(select(Bin).where(Bin.bay == key)).all()
''',
}


def test_a_getter_refusing_only_when_nothing_is_found_decides_nothing(tmp_path: Path) -> None:
    paths = []
    for rel, text in GETTERS.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    index = ProjectIndex.build(str(tmp_path), paths, jobs=1)
    checks = flow_facts(index, "depot.util").get("checks", {})
    assert checks["get_or_404"]["not_found"] == checks["get_or_404"]["groups"]
    assert checks["get_mine_or_404"]["not_found"] == checks["get_mine_or_404"]["groups"]
    assert checks["get_compared_or_404"]["not_found"] != checks["get_compared_or_404"]["groups"]
    # (a 403 when the lookup finds nothing refuses the caller; ``perms.get(role)`` reads a dict: R36 item 5)
    assert checks["require_grant"]["groups"] and not checks["require_grant"].get("not_found")
    assert checks["require_role"]["groups"] and not checks["require_role"].get("not_found")
    decided = loaded_then_decided(index, Settings())
    assert "depot.models.Crate" not in decided
    assert decided["depot.models.Pallet"] == ("depot.views.pallets", "get_mine_or_404")
    assert decided["depot.models.Bin"] == ("depot.views.bins", "get_compared_or_404")
