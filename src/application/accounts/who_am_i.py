"""The caller's own account."""

from __future__ import annotations

from application.accounts.ports import StaffRepository
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed
from domain.accounts.staff_user import StaffUser


class WhoAmI:
    def __init__(self, staff: StaffRepository) -> None:
        self._staff = staff

    async def execute(self, principal: Principal) -> StaffUser:
        user = await self._staff.get(principal.vendor_id, principal.user_id)
        if user is None or not user.active:
            raise AuthenticationFailed("The account is no longer active.")
        return user
