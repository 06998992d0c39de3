"""The shop's staff, a page at a time (managers and owners)."""

from __future__ import annotations

from application.accounts.ports import StaffQueries
from application.accounts.views import UserOut
from application.shared.authorizer import ReadGate
from application.shared.context import Principal
from application.shared.pagination import Page, PageRequest
from domain.shared.role import Role


class ListStaff:
    def __init__(self, staff: StaffQueries, gate: ReadGate) -> None:
        self._staff = staff
        self._gate = gate

    async def execute(self, principal: Principal, page: PageRequest) -> Page[UserOut]:
        await self._gate.require(principal, Role.MANAGER, "staff.list")
        return await self._staff.page(principal.vendor_id, page)
