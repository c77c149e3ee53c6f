"""Request and response bodies."""
from sqlmodel import SQLModel


class ItemCreate(SQLModel):
    title: str
    description: str | None = None


class ItemImport(ItemCreate):
    """Items exported from another account, re-imported as they were."""

    owner_id: int


class ItemUpdate(SQLModel):
    title: str | None = None
    description: str | None = None


class TagUpdate(SQLModel):
    name: str | None = None


class ItemPublic(SQLModel):
    id: int
    title: str
    description: str | None
    owner_id: int
