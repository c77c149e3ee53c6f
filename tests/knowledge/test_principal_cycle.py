"""The principal classes are read from the auth dependencies; a dependency factory's classification asked whether
the project is multi-tenant, which reads every table's owner columns, and a column that may name another table
(``Book.author_id`` -> ``Author``) asks whether that table is related to the principal: the principal classes
again. Asked eagerly, that recursed without end (found in session 24: 899 internal errors on a tree of fixture
apps). ``multi_tenant`` is now asked only when a factory's argument administers accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import index_of_files

from backend_lint.ground.config import Settings
from backend_lint.knowledge.auth import principal_classes
from backend_lint.knowledge.auth.dependencies import privileged_arguments
from backend_lint.knowledge.models import identity_columns

FILES = {
    "app/__init__.py": "",
    "app/models.py": '''
from sqlmodel import Field, SQLModel


class Clinician(SQLModel, table=True):
    id: int = Field(primary_key=True)
    email: str


class Shelf(SQLModel, table=True):
    id: int = Field(primary_key=True)
    label: str


class Book(SQLModel, table=True):
    id: int = Field(primary_key=True)
    author_id: int = Field(foreign_key="shelf.id")
    organization_id: int
''',
    "app/deps.py": '''
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer
import jwt

from app.models import Clinician

scheme = OAuth2PasswordBearer(tokenUrl="token")


def get_current_clinician(token: str = Depends(scheme)) -> Clinician:
    payload = jwt.decode(token, "k", algorithms=["HS256"])
    return Clinician(id=payload["sub"], email="")


def require_role(role: str):
    def dependency(clinician: Clinician = Depends(get_current_clinician)) -> Clinician:
        if role != "any":
            raise HTTPException(status_code=403)
        return clinician

    return dependency
''',
}


def test_principal_classes_and_owner_columns_do_not_recurse(tmp_path: Path) -> None:
    index = index_of_files(tmp_path, FILES)
    settings = Settings()
    assert "app.models.Clinician" in principal_classes(index, settings)
    assert "organization_id" in identity_columns(index, settings, "app.models.Book")


def test_accounts_is_asked_only_for_an_argument_that_administers_accounts() -> None:
    def never() -> bool:
        raise AssertionError("asked")

    assert not privileged_arguments(None, None, accounts=never)
    assert privileged_arguments(["Role.admin"], None, accounts=never)
    with pytest.raises(AssertionError):
        privileged_arguments(["users:write"], None, accounts=never)
