"""`/api/security-events`: the shop's audit trail, for its owners."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Controller, get

from application.accounts.list_security_events import ListSecurityEvents
from application.shared.pagination import PageRequest
from domain.shared.role import Role
from interfaces.http.accounts.schemas import SecurityEventPage
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.di import inject_app
from interfaces.http.pagination import Limit, Offset, envelope


class SecurityEventController(Controller):
    path = "/api/security-events"
    tags = ["security"]  # noqa: RUF012
    guards = [requires(Role.OWNER, "security_events.list")]  # noqa: RUF012

    @get("/", summary="The shop's security events, newest first")
    @inject_app
    async def list_events(
        self, request: AnyRequest, use_case: FromDishka[ListSecurityEvents], limit: Limit = 50, offset: Offset = 0
    ) -> SecurityEventPage:
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset))
        return envelope(SecurityEventPage, page)
