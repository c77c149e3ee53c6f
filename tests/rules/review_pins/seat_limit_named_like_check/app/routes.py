"""A body ``org_id`` that keys the lookup of the organisation (through a statement held in a local), whose row
is then handed with the caller to a helper named like a check whose refusal stops the route (``if not await
verify_school_member(caller, school.id, db): raise``), is checked; a helper not given the caller checks
nothing about who asks."""
import jwt
from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel, select

router = APIRouter()
bearer = OAuth2PasswordBearer(tokenUrl="/token")


class School(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    active: bool = True


class Timetable(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int
    title: str


class PlanRequest(BaseModel):
    org_id: int
    title: str


class Member(BaseModel):
    id: int


def member(token: str = Depends(bearer)) -> Member:
    return Member(**jwt.decode(token, "k", algorithms=["HS256"]))


def open_db():
    raise NotImplementedError


def acting_id(me: Member) -> int:
    return me.id


async def verify_school_member(account_id: int, school_id: int, db: Session) -> bool:
    return account_id > 0 and school_id > 0


async def verify_school_active(school: School, db: Session) -> bool:
    return school.active


@router.post("/timetables")
async def plan_timetable(body: PlanRequest, me: Member = Depends(member), db: Session = Depends(open_db)):
    statement = select(School).where(School.id == body.org_id)
    school = (await db.execute(statement)).scalars().first()
    if not school:
        raise HTTPException(status_code=404)
    if not await verify_school_member(acting_id(me), school.id, db):
        raise HTTPException(status_code=403)
    row = Timetable(org_id=body.org_id, title=body.title)
    db.add(row)
    return row


@router.post("/timetables/draft")
async def draft_timetable(body: PlanRequest, me: Member = Depends(member), db: Session = Depends(open_db)):
    statement = select(School).where(School.id == body.org_id)
    school = (await db.execute(statement)).scalars().first()
    if not school or not await verify_school_active(school, db):
        raise HTTPException(status_code=404)
    row = Timetable(org_id=body.org_id, title=body.title)
    db.add(row)
    return {"row": row, "by": me.id}


async def has_free_seats(account_id: int, school_id: int, db: Session) -> bool:
    # a plan limit: the school's seat count, whoever asks (the caller's id only for the audit log)
    return school_id > 0


@router.post("/timetables/seats")
async def seat_timetable(body: PlanRequest, me: Member = Depends(member), db: Session = Depends(open_db)):
    statement = select(School).where(School.id == body.org_id)
    school = (await db.execute(statement)).scalars().first()
    if not school:
        raise HTTPException(status_code=404)
    if not await has_free_seats(acting_id(me), school.id, db):
        raise HTTPException(status_code=402)
    row = Timetable(org_id=body.org_id, title=body.title)
    db.add(row)
    return row
