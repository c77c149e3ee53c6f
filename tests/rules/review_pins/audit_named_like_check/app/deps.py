from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Account

bearer = OAuth2PasswordBearer(tokenUrl="token")


async def open_session() -> AsyncSession:
    raise NotImplementedError


async def get_current_user(token: str = Depends(bearer)) -> Account:
    raise NotImplementedError
