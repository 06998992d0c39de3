"""An owner reads the shop's security events, newest first."""

from __future__ import annotations

from application.accounts.ports import SecurityEventQueries
from application.accounts.views import SecurityEventOut
from application.shared.authorizer import ReadGate
from application.shared.context import Principal
from application.shared.pagination import Page, PageRequest
from domain.shared.role import Role


class ListSecurityEvents:
    def __init__(self, events: SecurityEventQueries, gate: ReadGate) -> None:
        self._events = events
        self._gate = gate

    async def execute(self, principal: Principal, page: PageRequest) -> Page[SecurityEventOut]:
        await self._gate.require(principal, Role.OWNER, "security_events.list")
        return await self._events.page(principal.vendor_id, page)
