"""An owner reads the shop's security events, newest first."""

from __future__ import annotations

from application.shared.authorizer import Authorizer
from application.shared.context import Principal
from application.shared.pagination import Page, PageRequest
from application.shared.security_events import SecurityEvent, SecurityEventLog
from domain.shared.role import Role


class ListSecurityEvents:
    def __init__(self, events: SecurityEventLog, authorizer: Authorizer) -> None:
        self._events = events
        self._authorizer = authorizer

    async def execute(self, principal: Principal, page: PageRequest) -> Page[SecurityEvent]:
        await self._authorizer.require(principal, Role.OWNER, "security_events.list")
        return await self._events.list(principal.vendor_id, page)
