"""What customers need of the shop (its country), read from the platform's ``vendors`` table by
name: one statement, no import of the accounts context."""

from __future__ import annotations

from uuid import UUID

from advanced_alchemy.types import GUID
from sqlalchemy import String, bindparam, column, select, table

from infrastructure.db.reads import SqlReads

_vendors = table("vendors", column("id", GUID()), column("country", String()))
_COUNTRY = select(_vendors.c.country).where(_vendors.c.id == bindparam("vendor_id"))


class SqlCustomerShops:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def country(self, vendor_id: UUID) -> str | None:
        rows = await self._reads.rows(_COUNTRY, {"vendor_id": vendor_id})
        return str(rows[0][0]).upper() if rows else None
