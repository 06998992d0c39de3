"""An account's standing in one short read: what PostgreSQL confirms while Redis cannot."""

from __future__ import annotations

import asyncio
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.access import AccountStanding
from application.shared.errors import DependencyUnavailable
from infrastructure.accounts.models import StaffUserModel, VendorModel
from infrastructure.db.errors import application_errors

_users = StaffUserModel.__table__
_vendors = VendorModel.__table__


class SqlAccountStandings:
    """A single SELECT on its own pooled connection, no ORM, no transaction held past it. Bounded by
    ``timeout``: a database that does not answer in time is unavailable (503), never "confirmed"."""

    def __init__(self, engine: AsyncEngine, *, timeout: float = 3.0) -> None:
        self._engine = engine
        self._timeout = timeout

    async def standing(self, vendor_id: UUID, user_id: UUID) -> AccountStanding | None:
        statement = (
            select(_users.c.role, _users.c.active, _users.c.credentials_changed_at, _vendors.c.active)
            .select_from(_users.join(_vendors, _vendors.c.id == _users.c.vendor_id))
            .where(_users.c.id == user_id, _users.c.vendor_id == vendor_id)
        )
        try:
            with application_errors():  # unreachable, saturated or shutting down: DependencyUnavailable
                async with asyncio.timeout(self._timeout), self._engine.connect() as connection:
                    row = (await connection.execute(statement)).first()
        except OSError:  # a socket error the driver did not wrap (DNS, routing)
            raise DependencyUnavailable("The database is unavailable.", retry_after=5) from None
        if row is None:
            return None
        role, user_active, changed_at, vendor_active = row
        return AccountStanding(
            role=str(role), active=bool(user_active) and bool(vendor_active), credentials_changed_at=changed_at
        )
