"""More item routes, written later and in a hurry (families 1 and 2 of backend-lint)."""
from fastapi import APIRouter, HTTPException
from sqlmodel import select

from ...deps import CurrentUser, SessionDep
from ...models import Item
from ...schemas import ItemImport, ItemPublic

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/by-owner", response_model=list[ItemPublic])
def list_items_of_owner(session: SessionDep, current_user: CurrentUser, owner_id: int):
    # BKL102: the client says whose items to list
    return session.exec(select(Item).where(Item.owner_id == owner_id)).all()


@router.post("/import", response_model=ItemPublic)
def import_item(session: SessionDep, current_user: CurrentUser, item_in: ItemImport):
    # BKL101: the owner comes from the body
    item = Item.model_validate(item_in)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.get("/{item_id}", response_model=ItemPublic)
def read_item(session: SessionDep, current_user: CurrentUser, item_id: int):
    # BKL201: any user reads any item by guessing ids
    item = session.exec(select(Item).where(Item.id == item_id)).first()
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@router.delete("/{item_id}")
def delete_item(session: SessionDep, current_user: CurrentUser, item_id: int):
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    # BKL202: ownership is checked after an unscoped load (403 vs 404 tells ids apart)
    if item.owner_id != current_user.id:
        raise HTTPException(status_code=403, detail="Not enough permissions")
    session.delete(item)
    session.commit()
    return {"ok": True}
