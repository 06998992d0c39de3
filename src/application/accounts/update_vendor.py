"""Change the shop's settings (owners only)."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.ports import VendorRepository
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.context import Principal
from application.shared.errors import ShopNotFound
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.vendor import Vendor
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class UpdateVendorCommand:
    name: str | None = None
    timezone: str | None = None
    card_message_max: int | None = None


class UpdateVendor:
    def __init__(
        self, vendors: VendorRepository, authorizer: Authorizer, record: SecurityRecorder, uow: UnitOfWork
    ) -> None:
        self._vendors = vendors
        self._authorizer = authorizer
        self._record = record
        self._uow = uow

    async def execute(self, principal: Principal, command: UpdateVendorCommand) -> Vendor:
        await self._authorizer.require(principal, Role.OWNER, "vendor.update")
        vendor = await self._vendors.get(principal.vendor_id)
        if vendor is None:
            raise ShopNotFound()
        updated = vendor.updated(
            name=command.name, timezone=command.timezone, card_message_max=command.card_message_max
        )
        if updated != vendor:
            await self._vendors.update(updated)
            changed = [f for f in ("name", "timezone", "card_message_max") if getattr(command, f) is not None]
            await self._record(
                SecurityEventKind.VENDOR_UPDATED, vendor_id=vendor.id, user_id=principal.user_id, fields=changed
            )
            await self._uow.commit()
        return updated
