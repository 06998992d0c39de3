"""An owner reads the shop's security events, newest first."""

from __future__ import annotations

from application.common.context import Principal
from application.common.pagination import Page, PageRequest
from application.common.security_events import SecurityEvent
from application.ports.repositories import SecurityEventLog
from application.security.authorizer import Authorizer
from domain.shared.role import Role


class ListSecurityEvents:
    def __init__(self, events: SecurityEventLog, authorizer: Authorizer) -> None:
        self._events = events
        self._authorizer = authorizer

    async def execute(self, principal: Principal, page: PageRequest) -> Page[SecurityEvent]:
        await self._authorizer.require(principal, Role.OWNER, "security_events.list")
        return await self._events.list(principal.vendor_id, page)
