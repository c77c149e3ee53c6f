"""Item routes."""
from fastapi import APIRouter, HTTPException
from sqlmodel import select

from ...deps import CurrentUser, SessionDep
from ...models import Item
from ...schemas import ItemCreate, ItemPublic, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/", response_model=list[ItemPublic])
def list_items(session: SessionDep, current_user: CurrentUser):
    statement = select(Item).where(Item.owner_id == current_user.id)
    return session.exec(statement).all()


@router.post("/", response_model=ItemPublic)
def create_item(session: SessionDep, current_user: CurrentUser, item_in: ItemCreate):
    item = Item.model_validate(item_in, update={"owner_id": current_user.id})
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.patch("/{item_id}", response_model=ItemPublic)
def update_item(session: SessionDep, current_user: CurrentUser, item_id: int, item_in: ItemUpdate):
    statement = select(Item).where(Item.id == item_id, Item.owner_id == current_user.id)
    item = session.exec(statement).first()
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    item.sqlmodel_update(item_in.model_dump(exclude_unset=True))
    session.add(item)
    session.commit()
    session.refresh(item)
    return item
