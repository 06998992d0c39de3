"""Every shop on the platform, a page at a time (operators, through the CLI)."""

from __future__ import annotations

from application.accounts.ports import VendorRepository
from application.shared.pagination import Page, PageRequest
from domain.accounts.vendor import Vendor


class ListVendors:
    """Operators only (the CLI): every shop on the platform."""

    def __init__(self, vendors: VendorRepository) -> None:
        self._vendors = vendors

    async def execute(self, page: PageRequest) -> Page[Vendor]:
        return await self._vendors.list(page)
