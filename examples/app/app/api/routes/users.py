"""User routes: the signed-in user's own profile."""
from fastapi import APIRouter

from ...deps import CurrentUser, SessionDep
from ...schemas import UserPublic, UserUpdateMe

router = APIRouter(prefix="/users", tags=["users"])


# BKL601: the ORM row goes out as it is: `hashed_password` and every column added later
@router.get("/me")
def read_me(current_user: CurrentUser):
    return current_user


@router.patch("/me", response_model=UserPublic)
def update_me(session: SessionDep, current_user: CurrentUser, user_in: UserUpdateMe):
    current_user.sqlmodel_update(user_in.model_dump(exclude_unset=True))
    session.add(current_user)
    session.commit()
    session.refresh(current_user)
    return current_user
