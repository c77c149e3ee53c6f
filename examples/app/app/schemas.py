"""Request and response bodies."""
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel


class RequestModel(SQLModel):
    """What every request body shares: unknown fields are rejected, strings are bounded."""

    model_config = ConfigDict(extra="forbid", str_max_length=1000)


class ItemCreate(RequestModel):
    title: str
    description: str | None = None


class ItemImport(ItemCreate):
    """Items exported from another account, re-imported as they were."""

    owner_id: int


class ItemUpdate(RequestModel):
    title: str | None = None
    description: str | None = None


class TagUpdate(RequestModel):
    name: str | None = None


class ItemPublic(SQLModel):
    id: int
    title: str
    description: str | None
    owner_id: int


class UserPublic(SQLModel):
    id: int
    email: str
    # BKL602: the password hash is sent to every client that reads a profile
    hashed_password: str


# BKL606: a client that sends `{"emial": ...}` gets a 200 and its change is silently dropped
class UserUpdateMe(SQLModel):
    email: str | None = Field(default=None, max_length=255)
    # BKL607: a megabyte-long name is accepted and stored
    full_name: str | None = None
    # BKL605 (with the route in api/routes/users.py): any user can make themselves a superuser
    is_superuser: bool | None = None
