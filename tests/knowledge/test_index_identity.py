"""The project index facts families 1 and 2 rely on: ORM models and owners across modules, schema fields
with optionality, dependency aliases and auth dependencies, global loader criteria, and reuse on disk."""

from __future__ import annotations

import re
from pathlib import Path

from backend_lint.ground.config import Settings, settings_from_table
from backend_lint.knowledge.index import ProjectIndex
from backend_lint.knowledge import models as M
from backend_lint.knowledge.auth import alias_dependency, classify_dependency, principal_classes
from harness import index_of_files

SETTINGS = Settings()

PROJECT = {
    "app/__init__.py": "",
    "app/db/__init__.py": "from .base import Base\nfrom .models import Item, Note\n",
    "app/db/base.py": """
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass
    """,
    "app/db/mixins.py": """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, declared_attr, mapped_column


        class OwnedMixin:
            @declared_attr
            def owner_id(cls) -> Mapped[int]:
                return mapped_column(ForeignKey("user.id"))
    """,
    "app/db/models.py": """
        from typing import Optional

        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from fastapi_users_db_sqlalchemy import SQLAlchemyBaseUserTable

        from .base import Base
        from .mixins import OwnedMixin


        class User(Base):
            __tablename__ = "user"
            id: Mapped[int] = mapped_column(primary_key=True)


        class Item(OwnedMixin, Base):
            __tablename__ = "item"
            id: Mapped[int] = mapped_column(primary_key=True)
            owner: Mapped["User"] = relationship()


        class Note(Base):
            __tablename__ = "note"
            id: Mapped[int] = mapped_column(primary_key=True)
            author_id: Mapped[Optional[int]]


        class Country(Base):
            __tablename__ = "country"
            code: Mapped[str] = mapped_column(primary_key=True)


        class Timestamped(Base):
            __abstract__ = True
            tenant_id: Mapped[int]


        class ExternalUser(SQLAlchemyBaseUserTable):
            user_id: Mapped[int]
    """,
    "app/schemas.py": """
        from typing import Annotated, Optional

        from pydantic import BaseModel, Field
        from sqlmodel import SQLModel


        class ItemBase(SQLModel):
            title: str
            note: str | None = None


        class ItemUpdate(ItemBase):
            title: Optional[str] = None
            count: int = 0
            tags: list[str] = Field(default_factory=list)
            price: Annotated[Optional[float], Field(ge=0)] = None
            required_but_nullable: int | None
            explicit: Optional[int] = Field(None, description="x")
            ellipsis: Optional[int] = Field(..., description="x")


        class External(SomethingFromAPackage):
            x: int
    """,
    "app/deps.py": """
        from typing import Annotated

        from fastapi import Depends

        from .db import models


        def get_current_user() -> models.User:
            ...


        def get_current_active_user(user: Annotated[models.User, Depends(get_current_user)]) -> models.User:
            return user


        def get_current_active_superuser(user: models.User = Depends(get_current_active_user)) -> models.User:
            return user


        CurrentUser = Annotated[models.User, Depends(get_current_active_user)]
        AdminUser = Annotated[models.User, Depends(get_current_active_superuser)]
        Token = Annotated[str, Depends(lambda: "")]
    """,
    "app/listeners.py": """
        from sqlalchemy import event
        from sqlalchemy.orm import Session, with_loader_criteria

        from .db.models import Note


        def _scope(state):
            state.statement = state.statement.options(with_loader_criteria(Note, lambda cls: cls.author_id == 1))


        event.listen(Session, "do_orm_execute", _scope)
    """,
}


def _index(tmp_path: Path, files: dict[str, str] = PROJECT) -> ProjectIndex:
    return index_of_files(tmp_path, files)


def test_models_columns_and_owners_across_modules(tmp_path: Path) -> None:
    idx = _index(tmp_path)
    # a re-export through the package __init__ resolves to the defining module
    assert idx.canonical("app.db.Item") == "app.db.models.Item"
    assert M.is_table_model(idx, "app.db.Item")
    assert not M.is_table_model(idx, "app.db.base.Base")  # the declarative base itself
    assert not M.is_table_model(idx, "app.db.models.Timestamped")  # __abstract__
    assert not M.is_table_model(idx, "app.db.models.ExternalUser")  # base from an installed package: no claim
    assert "owner_id" in M.model_columns(idx, "app.db.models.Item")  # declared_attr on a mixin of another module
    assert "owner" not in M.model_columns(idx, "app.db.models.Item")  # a relationship, not a column
    assert M.identity_columns(idx, SETTINGS, "app.db.models.Item") == ("owner_id",)
    assert M.identity_columns(idx, SETTINGS, "app.db.models.Note") == ("author_id",)  # implicit Mapped column
    assert M.is_owned(idx, SETTINGS, "app.db.models.Item")
    assert not M.is_owned(idx, SETTINGS, "app.db.models.Country")
    assert not M.is_owned(idx, SETTINGS, "app.db.models.User")
    assert M.relationships(idx, "app.db.models.Item") == {"owner": "app.db.models.User"}
    forced = SETTINGS.with_overrides(owned_models=("Country",), not_owned_models=("app.db.models.Item",))
    assert M.is_owned(idx, forced, "app.db.models.Country")
    assert not M.is_owned(idx, forced, "app.db.Item")


def test_global_loader_criteria(tmp_path: Path) -> None:
    idx = _index(tmp_path)
    assert M.globally_scoped(idx, "app.db.models.Note")
    assert not M.globally_scoped(idx, "app.db.models.Item")


def test_schema_fields_with_optionality(tmp_path: Path) -> None:
    idx = _index(tmp_path)
    fields = M.schema_fields(idx, "app.schemas.ItemUpdate")
    assert set(fields) == {"title", "note", "count", "tags", "price", "required_but_nullable", "explicit", "ellipsis"}
    assert fields["note"].owner == "app.schemas.ItemBase"  # inherited
    assert fields["title"].optional and fields["title"].owner == "app.schemas.ItemUpdate"  # the subclass wins
    assert fields["note"].optional
    assert not fields["count"].optional and not fields["count"].required
    assert not fields["tags"].optional and fields["tags"].default == "<factory>"
    assert fields["price"].optional and fields["price"].nullable
    assert fields["required_but_nullable"].required and not fields["required_but_nullable"].optional
    assert fields["explicit"].optional
    assert fields["ellipsis"].required and not fields["ellipsis"].optional
    assert M.is_pydantic_model(idx, "app.schemas.ItemUpdate") is True
    assert M.is_pydantic_model(idx, "app.db.models.Item") is False
    assert M.is_pydantic_model(idx, "app.schemas.External") is None  # unknown base: no claim


def test_dependency_aliases_and_auth_functions(tmp_path: Path) -> None:
    idx = _index(tmp_path)
    # get_current_active_user is a default name; the superuser one is admin by its name
    assert classify_dependency(idx, SETTINGS, "app.deps.get_current_active_user").kind == "auth"
    assert classify_dependency(idx, SETTINGS, "app.deps.get_current_active_superuser").kind == "admin"
    assert alias_dependency(idx, SETTINGS, "app.deps.CurrentUser").kind == "auth"
    assert alias_dependency(idx, SETTINGS, "app.deps.CurrentUser").principal_type == "app.db.models.User"
    assert alias_dependency(idx, SETTINGS, "app.deps.AdminUser").kind == "admin"
    assert alias_dependency(idx, SETTINGS, "app.deps.Token").kind is None
    assert "app.db.models.User" in principal_classes(idx, SETTINGS)


def test_custom_auth_dependency_through_a_chain(tmp_path: Path) -> None:
    files = {
        "svc/__init__.py": "",
        "svc/auth.py": """
            from fastapi import Depends

            from .models import Member


            def load_member() -> Member:
                ...


            def active_member(member: Member = Depends(load_member)) -> Member:
                return member
        """,
        "svc/models.py": """
            from sqlmodel import Field, SQLModel


            class Member(SQLModel, table=True):
                id: int = Field(primary_key=True)
        """,
    }
    idx = _index(tmp_path, files)
    assert classify_dependency(idx, SETTINGS, "svc.auth.active_member").kind is None
    configured = SETTINGS.with_overrides(auth_dependencies=SETTINGS.auth_dependencies + ("load_member",))
    # configuring the first link is enough: the second takes it and returns the same class
    assert classify_dependency(idx, configured, "svc.auth.active_member").kind == "auth"


def test_unannotated_auth_dependency_yields_the_user_row_it_loads(tmp_path: Path) -> None:
    files = {
        "svc/__init__.py": "",
        "svc/models.py": """
            from sqlmodel import Field, SQLModel


            class User(SQLModel, table=True):
                id: int = Field(primary_key=True)


            class Widget(SQLModel, table=True):
                id: int = Field(primary_key=True)
        """,
        "svc/auth.py": """
            import jwt
            from fastapi import Depends
            from fastapi.security import OAuth2PasswordBearer
            from sqlmodel import select

            from .models import User, Widget

            scheme = OAuth2PasswordBearer(tokenUrl="token")


            def get_current_user(token: str = Depends(scheme), session=Depends(object)):
                sub = jwt.decode(token, "k", algorithms=["HS256"]).get("sub")
                user = session.get(User, int(sub))
                if user is None:
                    raise ValueError()
                return user


            def get_user_by_name(token: str = Depends(scheme), session=Depends(object)):
                name = jwt.decode(token, "k", algorithms=["HS256"]).get("name")
                return session.exec(select(User).where(User.id == 1)).first()


            def get_widget_holder(token: str = Depends(scheme), session=Depends(object)):
                jwt.decode(token, "k", algorithms=["HS256"])
                widget = session.get(Widget, 1)
                return widget
        """,
    }
    idx = _index(tmp_path, files)
    assert classify_dependency(idx, SETTINGS, "svc.auth.get_current_user").kind == "auth"
    # the user model's row it returns (no annotation) is the principal's class; a row of another model is not
    assert principal_classes(idx, SETTINGS) == frozenset({"svc.models.User"})


def test_unannotated_auth_dependency_yields_the_user_row_its_getter_returns(tmp_path: Path) -> None:
    files = {
        "svc/__init__.py": "",
        "svc/models.py": """
            from sqlmodel import Field, SQLModel


            class User(SQLModel, table=True):
                id: int = Field(primary_key=True)
                email: str


            class Widget(SQLModel, table=True):
                id: int = Field(primary_key=True)
        """,
        "svc/users.py": """
            from sqlmodel import select

            from .models import User, Widget


            def get_user_by_email(session, email: str):
                return session.exec(select(User).where(User.email == email)).first()


            def get_widget(session, widget_id: int):
                return session.get(Widget, widget_id)
        """,
        "svc/auth.py": """
            import jwt
            from fastapi import Depends
            from fastapi.security import OAuth2PasswordBearer

            from .users import get_user_by_email, get_widget

            scheme = OAuth2PasswordBearer(tokenUrl="token")


            def get_current_user(token: str = Depends(scheme), session=Depends(object)):
                email = jwt.decode(token, "k", algorithms=["HS256"]).get("sub")
                user = get_user_by_email(session, email)
                if user is None:
                    raise ValueError()
                return user


            def get_widget_holder(token: str = Depends(scheme), session=Depends(object)):
                return get_widget(session, int(jwt.decode(token, "k", algorithms=["HS256"])["w"]))
        """,
    }
    idx = _index(tmp_path, files)
    # what ``-> User`` would say: the getter's row of the user model is the dependency's principal type
    assert classify_dependency(idx, SETTINGS, "svc.auth.get_current_user").principal_type == "svc.models.User"
    assert classify_dependency(idx, SETTINGS, "svc.auth.get_widget_holder").principal_type is None
    assert principal_classes(idx, SETTINGS) == frozenset({"svc.models.User"})


def test_index_is_stored_and_reused(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _index(root)
    files = [str(p) for p in root.rglob("*.py")]
    cache = tmp_path / "cache"
    first = ProjectIndex.build(str(root), files, cache_dir=str(cache))
    assert M.is_owned(first, SETTINGS, "app.db.models.Item")
    second = ProjectIndex.build(str(root), files, cache_dir=str(cache))
    assert second.modules["app.deps"]["extra"]["orm"]["aliases"]["CurrentUser"]["dependency"] == "app.deps.get_current_active_user"
    assert M.is_owned(second, SETTINGS, "app.db.models.Item")
    # a changed file is read again
    models = root / "app/db/models.py"
    models.write_text(models.read_text().replace("author_id", "editor_id"))
    third = ProjectIndex.build(str(root), files, cache_dir=str(cache))
    assert not M.is_owned(third, SETTINGS, "app.db.models.Note")


def test_readme_multi_tenant_example_is_valid() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Multi-tenant projects", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    import tomllib

    table = tomllib.loads(block)["tool"]["backend-lint"]
    settings = settings_from_table(table, Path("pyproject.toml"), Path("."))
    assert "team_id" in settings.identity_fields and "tenant_id" in settings.identity_fields
    assert settings.identity_attribute("tenant_id") == "tenant_id"
    assert "get_current_member" in settings.auth_dependencies


def test_privileged_factory_arguments() -> None:
    """A role or permission handed to an authenticating dependency factory gates the route to admins when it
    names one (every element of a list doing so); ordinary permissions and flags do not."""
    from backend_lint.knowledge.auth import privileged_arguments

    assert privileged_arguments(["GroupType.admin"], None)
    assert privileged_arguments(["[CdrPermissions.manage_cdr]"], None)
    assert privileged_arguments([], {"permissions": "[constants.PERMISSION_ADMIN_UPDATE_USER]"})
    assert privileged_arguments(["Role.MODERATOR"], None)
    assert not privileged_arguments(["[CdrPermissions.access_cdr]"], None)
    assert not privileged_arguments(["[Perms.vote, Perms.manage_campaign]"], None)  # voters are let in too
    assert not privileged_arguments([], {"allow_admin": "True", "optional": "False"})
    assert not privileged_arguments(["Scope.unmanaged_items"], None)
    assert not privileged_arguments(None, None)
    # several values of one ``*roles`` parameter are alternatives: admin-only when every one is an administrator's
    assert privileged_arguments(["'teacher'", "'admin'"], None)  # (two parameters: ``require_access('admin', 'read')``)
    assert not privileged_arguments(["'teacher'", "'student'", "'admin'"], None, alternatives=True)
    assert not privileged_arguments(["'Director'", "'CEO'", "'Admin'"], None, alternatives=True)
    assert privileged_arguments(["'admin'", "'super_admin'"], None, alternatives=True)
    assert privileged_arguments(["'Admin'", "'SuperAdmin'"], None, alternatives=True)
    assert privileged_arguments(["'platform_admin'"], None)


def test_principal_classes_leave_out_verdicts_and_responses(tmp_path: Path) -> None:
    """What an auth dependency returns is the principal's class; the response of a service that takes a request
    body and depends on the caller is not. A context object built from the authenticated request alone still is,
    and so is what a dependency factory's inner function returns (``require_access(action)`` -> ``Verdict``: a
    verdict and a caller's actor, ``require_permission(p)`` -> ``PlatformActor`` on hold-out 20, are not told
    apart; not built)."""
    files = {
        "svc/__init__.py": "",
        "svc/models.py": """
            from pydantic import BaseModel
            from sqlmodel import Field, SQLModel


            class User(SQLModel, table=True):
                id: int = Field(primary_key=True)


            class Verdict(BaseModel):
                allowed: bool
                user_id: int | None = None


            class ChatIn(BaseModel):
                text: str


            class ChatOut(BaseModel):
                reply: str


            class CallerContext(BaseModel):
                user_id: int
        """,
        "svc/auth.py": """
            from fastapi import Depends, HTTPException, Request

            from .models import CallerContext, ChatIn, ChatOut, User, Verdict


            def get_current_user(request: Request) -> User:
                ...


            def require_access(action: str):
                async def dependency(request: Request, current_user: User = Depends(get_current_user)) -> Verdict:
                    verdict = Verdict(allowed=action == "read", user_id=current_user.id)
                    if not verdict.allowed:
                        raise HTTPException(status_code=403)
                    return verdict
                return dependency


            async def start_chat(request: Request, body: ChatIn, current_user: User = Depends(get_current_user)) -> ChatOut:
                return ChatOut(reply=body.text)


            def get_context(current_user: User = Depends(get_current_user)) -> CallerContext:
                return CallerContext(user_id=current_user.id)
        """,
    }
    idx = _index(tmp_path, files)
    assert principal_classes(idx, SETTINGS) == frozenset({"svc.models.User", "svc.models.CallerContext", "svc.models.Verdict"})
