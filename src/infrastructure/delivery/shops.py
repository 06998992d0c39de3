"""What delivery needs of the shop (its country, currency and time zone), read from the platform's
``vendors`` table by name: one statement, no import of the accounts context."""

from __future__ import annotations

from uuid import UUID

from advanced_alchemy.types import GUID
from sqlalchemy import String, bindparam, column, select, table

from application.delivery.ports import DeliveryShop
from infrastructure.db.reads import SqlReads

_vendors = table(
    "vendors",
    column("id", GUID()),
    column("country", String()),
    column("currency", String()),
    column("timezone", String()),
)
_SHOP = select(_vendors.c.country, _vendors.c.currency, _vendors.c.timezone).where(
    _vendors.c.id == bindparam("vendor_id")
)


class SqlDeliveryShops:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, vendor_id: UUID) -> DeliveryShop | None:
        rows = await self._reads.rows(_SHOP, {"vendor_id": vendor_id})
        return DeliveryShop(country=rows[0][0], currency=rows[0][1], timezone=rows[0][2]) if rows else None
