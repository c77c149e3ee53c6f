"""Tag routes: tags are shared by every user."""
from typing import Any

from fastapi import APIRouter, HTTPException

from ... import crud
from ...deps import CurrentUser, SessionDep
from ...models import Tag
from ...schemas import TagUpdate

router = APIRouter(prefix="/tags", tags=["tags"])


@router.patch("/{tag_id}")
def update_tag(session: SessionDep, current_user: CurrentUser, tag_id: int, tag_in: TagUpdate):
    tag = session.get(Tag, tag_id)
    if tag is None:
        raise HTTPException(status_code=404, detail="Tag not found")
    return crud.tags.update(session, db_obj=tag, obj_in=tag_in)


# BKL604: the table model is the body: the client chooses the `id` too
@router.post("/")
def create_tag(session: SessionDep, current_user: CurrentUser, tag: Tag) -> None:
    session.add(tag)
    session.commit()


# BKL603: rows of any shape go straight into the table
@router.post("/import")
def import_tags(session: SessionDep, current_user: CurrentUser, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        session.add(Tag(**row))
    session.commit()
