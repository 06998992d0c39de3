"""The shop's staff, a page at a time (managers and owners)."""

from __future__ import annotations

from application.accounts.ports import StaffRepository
from application.shared.authorizer import Authorizer
from application.shared.context import Principal
from application.shared.pagination import Page, PageRequest
from domain.accounts.staff_user import StaffUser
from domain.shared.role import Role


class ListStaff:
    def __init__(self, staff: StaffRepository, authorizer: Authorizer) -> None:
        self._staff = staff
        self._authorizer = authorizer

    async def execute(self, principal: Principal, page: PageRequest) -> Page[StaffUser]:
        await self._authorizer.require(principal, Role.MANAGER, "staff.list")
        return await self._staff.list(principal.vendor_id, page)
