"""The caller's id handed to a service that only hands it on (``knowledge.queries.principal_passes_through``)
and the flow summary facts it reads (``idle``, ``admin_guards``, keys copied into a list or a loop)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.queries import flow_facts, helper_unscoped, principal_passes_through

FILES = {
    "app/__init__.py": "",
    "app/models.py": '''
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Shelf(Base):
    __tablename__ = "shelves"
    shelf_id = Column(Integer, primary_key=True)
    tenant_id = Column(String(64))


class Staff(Base):
    __tablename__ = "staff"
    staff_id = Column(Integer, primary_key=True)
    user_id = Column(String(64))
    tenant_id = Column(String(64))
    grade = Column(String(16))


class Login(Base):
    __tablename__ = "logins"
    login_id = Column(Integer, primary_key=True)
    user_id = Column(String(64))
''',
    "app/db.py": '''
from app.models import Login, Shelf, Staff

session = None


def shelves(shelf_id):
    ids = [shelf_id]
    return [r for r in session.query(Shelf).filter(Shelf.shelf_id.in_(ids)).all()]


def move_shelf(shelf_id, place, moved_by=None):
    values = {"place": place}
    if moved_by is not None:
        values["updated_by"] = moved_by
    return session.query(Shelf).filter(Shelf.shelf_id == shelf_id).update(values)


def staff_of(user_id):
    return session.query(Staff).filter(Staff.user_id == user_id).first()


def login_of(user_id):
    return session.query(Login).filter(Login.user_id == user_id).first()
''',
    "app/service.py": '''
from app.db import login_of, move_shelf, shelves, staff_of


def move(shelf_id, place, user_id):
    me = staff_of(user_id)
    if me.grade != "ADMIN":
        raise PermissionError(f"{user_id} is no admin")
    return move_shelf(shelf_id, place, moved_by=user_id)


def move_as_root(shelf_id, place, user_id):
    login = login_of(user_id)
    if login.grade not in ("SUPERUSER",):
        raise PermissionError
    return move_shelf(shelf_id, place, moved_by=user_id)


def move_if_mine(shelf_id, place, user_id):
    if user_id != "owner":
        raise PermissionError
    return move_shelf(shelf_id, place, moved_by=user_id)


def move_many(shelf_ids, place, user_id):
    for shelf_id in shelf_ids:
        move_shelf(shelf_id, place, moved_by=user_id)
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


def _passes(index: ProjectIndex, name: str) -> bool:
    settings = Settings()
    summary = flow_facts(index, "app.service")["functions"][name]
    reached = helper_unscoped(index, settings, "app.service", None, name, summary)
    assert reached, name
    model = next(iter(reached.values()))[0]
    return principal_passes_through(index, settings, "app.service", None, name, summary, "user_id", model)


def test_summary_facts(tmp_path: Path) -> None:
    index = _index(tmp_path)
    service = flow_facts(index, "app.service")["functions"]
    db = flow_facts(index, "app.db")["functions"]
    assert "user_id" in service["move"]["idle"]  # a call's argument, a formatted string, a keyword
    assert service["move"]["admin_guards"] == [["app.db.staff_of", ["admin"]]]
    assert "user_id" not in service["move_if_mine"].get("idle", ())  # compared
    assert db["move_shelf"]["idle"] == ["moved_by", "place"]  # a presence test, a value written down
    assert db["shelves"]["fetches"][0]["keys"] == ["shelf_id"]  # ``ids = [shelf_id]``
    assert [0, "shelf_ids"] in service["move_many"]["calls"][0]["args"]  # ``for shelf_id in shelf_ids``


def test_principal_passes_through(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert _passes(index, "move")  # a tenant's admin role, then the audit column: decides nothing of the shelf
    assert _passes(index, "move_many")
    assert not _passes(index, "move_as_root")  # a platform role (no tenant on the caller's row): admin-only
    assert not _passes(index, "move_if_mine")  # compared


def test_facts_do_not_call_decoded_callers_silent(tmp_path: Path) -> None:
    # routes that decode the caller in their body have a principal: ``facts`` does not say that none has one
    from backend_lint.knowledge.index.report import project_facts

    files = dict(FILES)
    files["app/tokens.py"] = "import jwt\n\n\ndef caller(authorization):\n    return jwt.decode(authorization, 'k', algorithms=['HS256'])['sub']\n"
    files["app/routes.py"] = (
        "from typing import Optional\n\nfrom fastapi import APIRouter, Header\n\nfrom app.service import move\n"
        "from app.tokens import caller\n\nrouter = APIRouter()\n\n\n@router.put('/shelves/{shelf_id}')\n"
        "def move_endpoint(shelf_id: int, place: str, authorization: Optional[str] = Header(None)):\n"
        "    return move(shelf_id, place, caller(authorization))\n"
    )
    paths = []
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    index = ProjectIndex.build(str(tmp_path), paths, jobs=1)
    data = project_facts(index, Settings())
    assert data["caller_decoders"]
    assert not any("no route has a principal" in why for why in data["family2_silent"])
