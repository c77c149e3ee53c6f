"""Which functions make a request-flow claim (``knowledge.auth.no_claim_reason``): the reach from routes."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.auth import no_claim_reason
from backend_lint.knowledge.index import ProjectIndex

FILES = {
    "app/__init__.py": "",
    "app/routes.py": '''
from typing import Annotated

from fastapi import APIRouter, Depends

from tests.helpers import load_item
from app.service import list_items

router = APIRouter()
ItemDep = Annotated[dict, Depends(load_item)]


@router.get("/items/{item_id}")
def read_item(item: ItemDep):
    return list_items(item)
''',
    "app/service.py": '''
def list_items(item):
    return [item]


def unused(item):
    return item
''',
    "tests/__init__.py": "",
    "tests/helpers.py": '''
def load_item(item_id: int):
    return {"id": item_id}
''',
}


def _index(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    paths = []
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(str(p))
    return ProjectIndex.build(str(tmp_path), paths, jobs=1)


def test_dependency_alias_into_a_test_module(tmp_path: Path) -> None:
    # an ``Annotated`` dependency resolving to a function of a test module (no node of the graph) is no root
    index = _index(tmp_path, FILES)
    settings = Settings()
    assert no_claim_reason(index, settings, "app.service.list_items") is None
    assert no_claim_reason(index, settings, "app.service.unused") is not None


ROLE_FILES = {
    "app/__init__.py": "",
    "app/routes.py": '''
from fastapi import APIRouter, Depends

from app.auth import get_current_user
from app.rules import count_all, get_db, require_admin, require_crew_admin

router = APIRouter()


@router.patch("/crews/{crew_id}")
def rename_crew(crew_id: str, db=Depends(get_db), user=Depends(get_current_user)):
    require_crew_admin(db, crew_id, user)
    return crew_id


@router.get("/admin/stats")
def stats(db=Depends(get_db), user=Depends(get_current_user)):
    require_admin(db, user)
    return count_all(db)
''',
    "app/auth.py": '''
def get_current_user():
    return {"id": 1}
''',
    "app/rules.py": '''
def require_admin(db, user):
    if not user.is_superuser:
        raise PermissionError("admins only")


def require_crew_admin(db, crew_id, user):
    if (crew_id, user.id) not in db:
        raise PermissionError("crew admins only")


def count_all(db):
    return len(db)


def get_db():
    yield {}
''',
}


def test_role_on_a_path_key_is_no_admin_gate(tmp_path: Path) -> None:
    # ``require_crew_admin(db, crew_id, user)``: a role on the crew the path names, not over the application, so the
    # route claims and so does the helper it calls; ``require_admin(db, user)`` keeps its route admin-only
    index = _index(tmp_path, ROLE_FILES)
    settings = Settings()
    assert no_claim_reason(index, settings, "app.rules.require_crew_admin") is None
    assert no_claim_reason(index, settings, "app.rules.count_all") == "only admin-only routes reach it"
