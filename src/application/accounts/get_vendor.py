"""The caller's shop, for every role."""

from __future__ import annotations

from application.accounts.ports import VendorRepository
from application.shared.context import Principal
from application.shared.errors import NotFound
from domain.accounts.vendor import Vendor


class GetVendor:
    def __init__(self, vendors: VendorRepository) -> None:
        self._vendors = vendors

    async def execute(self, principal: Principal) -> Vendor:
        vendor = await self._vendors.get(principal.vendor_id)
        if vendor is None:
            raise NotFound("No such shop.")
        return vendor
