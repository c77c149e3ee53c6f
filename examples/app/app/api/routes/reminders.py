"""Reminder routes: snooze an item until a given time, list what is due."""
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from ...deps import CurrentUser, SessionDep
from ...models import Item

router = APIRouter(prefix="/reminders", tags=["reminders"])


class SnoozeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # BKL306: "2024-03-01T09:00" (no offset) is accepted: which zone did the client mean?
    until: datetime


class SnoozeOut(BaseModel):
    item_id: int
    until: datetime
    # BKL303: `utcnow` passed uncalled: every response carries a naive timestamp
    snoozed_at: datetime = Field(default_factory=datetime.utcnow)


@router.post("/{item_id}/snooze", response_model=SnoozeOut)
def snooze(session: SessionDep, current_user: CurrentUser, item_id: int, body: SnoozeIn):
    statement = select(Item).where(Item.id == item_id, Item.owner_id == current_user.id)
    item = session.exec(statement).first()
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    # BKL301: local wall time of the server, compared with whatever the client sent
    if body.until <= datetime.now():
        raise HTTPException(status_code=422, detail="`until` is in the past")
    # BKL302: naive UTC despite the name (deprecated since Python 3.12)
    if body.until - datetime.utcnow() > timedelta(days=30):
        raise HTTPException(status_code=422, detail="snooze for at most 30 days")
    return SnoozeOut(item_id=item_id, until=body.until)


@router.get("/due", response_model=list[SnoozeOut])
def due(
    session: SessionDep,
    current_user: CurrentUser,
    # BKL304: evaluated once, when the module is imported: "due" never moves on
    before: datetime = Query(default=datetime.now(timezone.utc)),
):
    statement = select(Item).where(Item.owner_id == current_user.id, Item.created_at < before)
    return [SnoozeOut(item_id=item.id, until=before) for item in session.exec(statement).all()]
