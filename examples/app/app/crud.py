"""A small CRUD layer shared by the routes (the shape of full-stack-fastapi-template's `CRUDBase`)."""
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, SQLModel

from .models import Item, Tag
from .schemas import ItemUpdate, TagUpdate

ModelT = TypeVar("ModelT", bound=SQLModel)
UpdateT = TypeVar("UpdateT", bound=BaseModel)


class CRUDBase(Generic[ModelT, UpdateT]):
    def __init__(self, model: type[ModelT]) -> None:
        self.model = model

    def update(self, session: Session, *, db_obj: ModelT, obj_in: UpdateT | dict[str, Any]) -> ModelT:
        if isinstance(obj_in, dict):
            update_data = obj_in  # the caller chose the keys
        else:
            # BKL501: every field the client did not send is written with its default
            update_data = obj_in.model_dump()
        for field, value in update_data.items():
            setattr(db_obj, field, value)
        session.add(db_obj)
        session.commit()
        session.refresh(db_obj)
        return db_obj


tags = CRUDBase[Tag, TagUpdate](Tag)


def update_item_details(session: Session, item: Item, item_in: ItemUpdate) -> Item:
    # BKL502: a client can never clear the description (an explicit `null` is dropped)
    item.sqlmodel_update(item_in.model_dump(exclude_unset=True, exclude_none=True))
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


def update_item_title(session: Session, item: Item, item_in: ItemUpdate) -> Item:
    if item_in.title is not None:
        item.title = item_in.title
    # BKL503: a PATCH that only changes the title erases the description
    item.description = item_in.description
    session.add(item)
    session.commit()
    return item
