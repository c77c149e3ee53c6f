"""Request and response bodies."""
from sqlmodel import SQLModel


class ItemCreate(SQLModel):
    title: str
    description: str | None = None


class ItemUpdate(SQLModel):
    title: str | None = None
    description: str | None = None


class ItemPublic(SQLModel):
    id: int
    title: str
    description: str | None
    owner_id: int
