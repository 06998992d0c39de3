"""The caller's shop, for every role."""

from __future__ import annotations

from application.accounts.ports import VendorQueries
from application.accounts.views import VendorOut
from application.shared.context import Principal
from application.shared.errors import ShopNotFound


class GetVendor:
    def __init__(self, vendors: VendorQueries) -> None:
        self._vendors = vendors

    async def execute(self, principal: Principal) -> VendorOut:
        vendor = await self._vendors.get(principal.vendor_id)
        if vendor is None:
            raise ShopNotFound()
        return vendor
