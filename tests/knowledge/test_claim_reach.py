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


TYPED = {
    "app/__init__.py": "",
    "app/deps.py": '''
from fastapi import Depends


def current_user():
    return {"id": 1}


def current_admin(user=Depends(current_user)):
    return user
''',
    "app/services.py": '''
from sqlalchemy.orm import Session


class Row:
    __tablename__ = "rows"

    def archive(self):
        return self


class PostService:
    def __init__(self, db: Session):
        self.db = db

    def update(self, post_id):
        return self.fetch(post_id)

    def fetch(self, post_id):
        return post_id

    def remove(self, post_id):
        return post_id


class CommentService:
    def __init__(self, db: Session, posts: PostService):
        self.db = db
        self.posts = posts

    def update(self, comment_id):
        data = {}
        data.update(id=comment_id)
        self.db.query(Row).filter(Row.id == comment_id).update(data)
        return self.posts.fetch(comment_id)

    def remove(self, comment_id):
        return comment_id


class SpecialPosts(PostService):
    def remove(self, post_id):
        return post_id


post_service = PostService(None)
''',
    "app/routes.py": '''
from fastapi import APIRouter, Depends
from sqlalchemy import update

from app.deps import current_admin, current_user
from app.services import CommentService, PostService, post_service

router = APIRouter()


@router.put("/posts/{post_id}")
def edit_post(post_id: int, db=Depends(), admin=Depends(current_admin)):
    return PostService(db).update(post_id)


@router.put("/comments/{comment_id}")
def edit_comment(comment_id: int, comments: CommentService = Depends(), user=Depends(current_user)):
    update(comment_id)
    return comments.update(comment_id)


@router.delete("/posts/{post_id}")
def delete_post(post_id: int, user=Depends(current_user)):
    return post_service.remove(post_id)
''',
}


def test_method_calls_follow_the_receivers_class(tmp_path: Path) -> None:
    # a method called on a receiver of a known class (``PostService(db)``, a typed dependency, ``self.posts`` kept
    # by ``__init__``, a module-level instance) reaches that class's method (and its subclasses' overrides), not
    # every method of the name; a dict's ``update``, a query chain's and ``sqlalchemy.update`` reach none
    index = _index(tmp_path, TYPED)
    settings = Settings()
    assert no_claim_reason(index, settings, "app.services.PostService.update") is not None  # admin route only
    assert no_claim_reason(index, settings, "app.services.CommentService.update") is None
    assert no_claim_reason(index, settings, "app.services.PostService.fetch") is None  # ``self.posts.fetch``
    assert no_claim_reason(index, settings, "app.services.PostService.remove") is None  # ``post_service.remove``
    assert no_claim_reason(index, settings, "app.services.SpecialPosts.remove") is None  # an override
    assert no_claim_reason(index, settings, "app.services.CommentService.remove") is not None


def test_plain_calls_are_stored_by_place_and_read_back(tmp_path: Path) -> None:
    # a plain call of a module-level name is kept as its place in ``calls_out`` (``plain_calls``), not as a
    # ``receivers`` entry; ``receivers_of`` gives the reader the entry back, and the library's ``update`` still
    # reaches no project method of that name
    from backend_lint.knowledge.facts import orm_facts
    from backend_lint.knowledge.index.extractors.orm import PLAIN_CALL, receivers_of

    files = {
        "app/__init__.py": "",
        "app/routes.py": '''
import sqlalchemy as sa
from fastapi import APIRouter, Depends

from app.admin import Ledger
from app.auth import get_current_user

router = APIRouter()


@router.post("/items/{item_id}")
def touch_item(item_id: int, user=Depends(get_current_user)):
    return sa.update("items"), Ledger
''',
        "app/auth.py": '''
def get_current_user():
    return None
''',
        "app/admin.py": '''
class Ledger:
    def update(self, entry):
        return entry
''',
    }
    index = _index(tmp_path, files)
    assert no_claim_reason(index, Settings(), "app.admin.Ledger.update") is not None
    fn = orm_facts(index.modules["app.routes"])["functions"]["touch_item"]
    plain = [fn["calls_out"][i] for i in fn["plain_calls"]]
    assert "sqlalchemy.update" in plain and "receivers" not in fn
    assert receivers_of(fn) == {call: [PLAIN_CALL] for call in plain}
