"""Index facts and readings for generic repositories, services holding repositories, principal-fed parameters
and setattr loops (``knowledge.repositories``, ``knowledge.auth.principal_fed_parameters``, the ``appliers``
of ``index/extractors/orm.py``)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge.auth import principal_fed_parameters
from backend_lint.knowledge.facts import orm_facts
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge.repositories import repository_model, self_attribute_class
from harness import index_of_files

FILES = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlmodel import Field, SQLModel

        class Item(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            owner_id: int

        class Note(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            owner_id: int
    """,
    "app/repos.py": """
        from typing import Generic, TypeVar

        from .models import Item, Note

        T = TypeVar("T")

        class Base(Generic[T]):
            model: type[T]

            def __init__(self, db):
                self.db = db

        class ItemRepo(Base[Item]):
            model = Item

        class NoteRepo(Base):
            def __init__(self, db):
                super().__init__(Note, db)

        class Nothing(Base):
            pass

        class Service:
            def __init__(self, items: ItemRepo, db):
                self._items = items
                self._notes = NoteRepo(db)

            def update(self, item_id, changes):
                for key, value in changes.items():
                    setattr(self, key, value)

            def update_some(self, item_id, changes):
                for key, value in changes.items():
                    if key in ("title",):
                        setattr(self, key, value)
    """,
    "app/routes.py": """
        from fastapi import APIRouter, Depends

        from .deps import get_current_user
        from .services import history, shared

        router = APIRouter()

        @router.get("/a/{key}")
        def a(key: str, user=Depends(get_current_user)):
            return history(key, current_user_id=str(user.id)), shared(key, acting=user.id)

        @router.get("/b/{key}")
        def b(key: str, acting: str, user=Depends(get_current_user)):
            return shared(key, acting=acting)
    """,
    "app/deps.py": """
        from fastapi import Depends
        from fastapi.security import OAuth2PasswordBearer

        oauth2 = OAuth2PasswordBearer(tokenUrl="t")

        def get_current_user(token: str = Depends(oauth2)):
            return token
    """,
    "app/services.py": """
        def history(key, current_user_id):
            return key, current_user_id

        def shared(key, acting):
            return key, acting
    """,
}


def _index(tmp_path: Path) -> ProjectIndex:
    return index_of_files(tmp_path, FILES)


def test_repository_models_and_held_repositories(tmp_path: Path) -> None:
    idx = _index(tmp_path)
    assert repository_model(idx, "app.repos.ItemRepo") == "app.models.Item"  # ``model = Item``
    assert repository_model(idx, "app.repos.NoteRepo") == "app.models.Note"  # ``super().__init__(Note, db)``
    assert repository_model(idx, "app.repos.Nothing") is None  # a subclass that names no model
    assert self_attribute_class(idx, "app.repos.Service", "_items") == "app.repos.ItemRepo"  # a typed parameter
    assert self_attribute_class(idx, "app.repos.Service", "_notes") == "app.repos.NoteRepo"  # built in __init__
    assert self_attribute_class(idx, "app.repos.Service", "db") is None


def test_setattr_loops_without_an_allow_list(tmp_path: Path) -> None:
    appliers = orm_facts(_index(tmp_path).modules["app.repos"]).get("appliers", {})
    assert appliers["Service.update"]["applies"] == {"changes": "items"}
    assert "Service.update_some" not in appliers  # the key is tested against an allow-list


def test_principal_fed_parameters(tmp_path: Path) -> None:
    fed = principal_fed_parameters(_index(tmp_path), Settings())
    assert fed.get("app.services.history") == ["current_user_id"]
    assert "app.services.shared" not in fed  # another route hands ``acting`` its query parameter
