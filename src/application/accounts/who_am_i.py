"""The caller's own account."""

from __future__ import annotations

from application.accounts.ports import StaffQueries
from application.accounts.views import MeOut
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed


class WhoAmI:
    def __init__(self, staff: StaffQueries) -> None:
        self._staff = staff

    async def execute(self, principal: Principal) -> MeOut:
        me = await self._staff.me(principal.vendor_id, principal.user_id)
        if me is None:
            raise AuthenticationFailed("The account is no longer active.")
        return me
