"""SQLAlchemy Core tables in the index (``extractors.orm.core_tables``, ``models.core_table``), interfaces the
project implements once, objects made from a Core table's rows, and dependencies that hand on a row loaded by
a client's key given the caller (not principal classes)."""

from __future__ import annotations

from pathlib import Path

from backend_lint.ground.config import Settings
from backend_lint.knowledge import models as M
from backend_lint.knowledge.auth import classify_dependency, principal_classes
from backend_lint.knowledge.repositories import core_row_table, sole_implementation

from harness import index_of_files

SETTINGS = Settings()

FILES = {
    "svc/__init__.py": "",
    "svc/tables.py": """
        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, MetaData, Table, Text

        meta = MetaData()

        members = Table("members", meta, Column("id", Text, primary_key=True), Column("password_hash", Text))
        shelves = Table("shelves", meta, Column("id", Text, primary_key=True), Column("owner_id", Text, ForeignKey("members.id")))
        readers = Table("readers", meta, Column("id", Text, primary_key=True), Column("name", Text))
        loans = sa.Table("loans", meta, Column("id", Text, primary_key=True), Column("user_id", Text, ForeignKey("readers.id")))
        notes = Table("notes", meta, Column("id", Text, primary_key=True), Column("owner_id", Text))
        spaces = Table("spaces", meta, Column("id", Text, primary_key=True), Column("workspace_id", Text, ForeignKey("groups.id")))
        not_a_table = Table(name_from_config(), meta)
    """,
    "svc/entities.py": """
        from pydantic import BaseModel


        class Shelf(BaseModel):
            id: str
            owner_id: str


        class Member(BaseModel):
            id: str
    """,
    "svc/repo.py": """
        from typing import Optional, Protocol

        from sqlalchemy import select

        from .entities import Shelf
        from .tables import shelves


        class IShelves(Protocol):
            async def get(self, shelf_id: str) -> Optional[Shelf]:
                raise NotImplementedError


        class Shelves(IShelves):
            def __init__(self, db):
                self.db = db

            async def get(self, shelf_id: str) -> Optional[Shelf]:
                row = await self.db.fetchone(select(shelves).where(shelves.c.id == shelf_id))
                return Shelf(**row) if row else None


        class IBoth(Protocol):
            def run(self) -> None: ...


        class One(IBoth):
            def run(self) -> None: ...


        class Two(IBoth):
            def run(self) -> None: ...
    """,
    "svc/deps.py": """
        from typing import TypeAlias
        from uuid import UUID

        from fastapi import Depends, Path

        from .entities import Member, Shelf
        from .repo import IShelves

        Key: TypeAlias = UUID | str


        def get_current_user() -> Member:
            raise NotImplementedError


        def shelves_dep() -> IShelves:
            raise NotImplementedError


        async def current_shelf(shelf_id: str = Path(...), repo: IShelves = Depends(shelves_dep)) -> Shelf:
            return await repo.get(shelf_id)


        async def readable_shelf(user: Member = Depends(get_current_user), shelf: Shelf = Depends(current_shelf)) -> Shelf:
            return shelf


        class ShelfWithChecks:
            async def __call__(self, shelf_id: Key, user: Member = Depends(get_current_user), repo: IShelves = Depends(shelves_dep)) -> Shelf:
                return await repo.get(shelf_id)
    """,
}


def test_core_tables_are_table_models_owned_by_a_user_reference(tmp_path: Path) -> None:
    idx = index_of_files(tmp_path, FILES)
    assert M.is_table_model(idx, "svc.tables.shelves") and M.core_table(idx, "svc.tables.shelves")
    assert "owner_id" in M.model_columns(idx, "svc.tables.shelves")
    assert not M.is_table_model(idx, "svc.tables.not_a_table")  # (no literal name, no column)
    # the foreign key decides: a login table (a password column) owns; a table of people who never log in does not
    assert M.is_owned(idx, SETTINGS, "svc.tables.shelves")
    assert not M.is_owned(idx, SETTINGS, "svc.tables.loans")  # ``user_id`` -> readers.id
    assert not M.is_owned(idx, SETTINGS, "svc.tables.notes")  # ``owner_id`` with no foreign key
    assert M.is_owned(idx, SETTINGS, "svc.tables.spaces")  # a tenant column keeps its name's meaning


def test_interfaces_and_row_objects(tmp_path: Path) -> None:
    idx = index_of_files(tmp_path, FILES)
    assert sole_implementation(idx, "svc.repo.IShelves") == "svc.repo.Shelves"
    assert sole_implementation(idx, "svc.repo.IBoth") is None  # two implementations
    assert sole_implementation(idx, "svc.repo.Shelves") is None  # no interface
    assert core_row_table(idx, "svc.entities.Shelf") == "svc.tables.shelves"
    assert core_row_table(idx, "svc.entities.Member") is None


def test_a_dependency_handing_on_a_keyed_row_is_no_principal(tmp_path: Path) -> None:
    idx = index_of_files(tmp_path, FILES)
    assert principal_classes(idx, SETTINGS) == frozenset({"svc.entities.Member"})
    assert classify_dependency(idx, SETTINGS, "svc.deps.readable_shelf").resource
    assert classify_dependency(idx, SETTINGS, "svc.deps.ShelfWithChecks").resource
