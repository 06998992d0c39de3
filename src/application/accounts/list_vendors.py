"""Every shop on the platform, a page at a time (operators, through the CLI)."""

from __future__ import annotations

from application.accounts.ports import VendorQueries
from application.accounts.views import VendorOut
from application.shared.pagination import Page, PageRequest


class ListVendors:
    """Operators only (the CLI): every shop on the platform."""

    def __init__(self, vendors: VendorQueries) -> None:
        self._vendors = vendors

    async def execute(self, page: PageRequest) -> Page[VendorOut]:
        return await self._vendors.page(page)
