import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Account, Invoice


class Billing:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def invoices(self, *, tenant_id: uuid.UUID, reader: Account) -> list[Invoice]:
        # an audit trail of who read which tenant: it records, it refuses nothing
        self._record_access(tenant_id, reader)
        rows = await self._session.execute(select(Invoice).where(Invoice.tenant_id == tenant_id))
        return list(rows.scalars())

    def _record_access(self, tenant_id: uuid.UUID, reader: Account) -> None:
        print("read", tenant_id, reader.id)
