"""The shop's staff, a page at a time, filtered and sorted (managers and owners), and one member."""

from __future__ import annotations

import uuid

from application.accounts.ports import StaffFilter, StaffQueries
from application.accounts.views import UserOut
from application.shared.authorizer import ReadGate
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.pagination import Page, PageRequest
from domain.shared.role import Role


class ListStaff:
    def __init__(self, staff: StaffQueries, gate: ReadGate) -> None:
        self._staff = staff
        self._gate = gate

    async def execute(self, principal: Principal, page: PageRequest, where: StaffFilter | None = None) -> Page[UserOut]:
        await self._gate.require(principal, Role.MANAGER, "staff.list")
        return await self._staff.page(principal.vendor_id, page, where)


class GetStaffMember:
    """One member of the caller's shop (managers and owners, like the list); another shop's id is
    a member nobody has."""

    def __init__(self, staff: StaffQueries, gate: ReadGate) -> None:
        self._staff = staff
        self._gate = gate

    async def execute(self, principal: Principal, user_id: uuid.UUID) -> UserOut:
        await self._gate.require(principal, Role.MANAGER, "staff.get")
        member = await self._staff.get(principal.vendor_id, user_id)
        if member is None:
            raise NotFound("No staff member with this id.")
        return member
