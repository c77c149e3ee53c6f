import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from .billing import Billing
from .deps import get_current_user, open_session
from .models import Account

router = APIRouter()


def billing(session: AsyncSession = Depends(open_session)) -> Billing:
    return Billing(session)


@router.get("/invoices")
async def list_invoices(
    tenant_id: uuid.UUID = Query(...),  # BKL102 expected: nothing checks the tenant for the caller
    current_user: Account = Depends(get_current_user),
    service: Billing = Depends(billing),
):
    return await service.invoices(tenant_id=tenant_id, reader=current_user)
