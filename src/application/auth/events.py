"""A small helper so use cases record security events in one line."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.common.context import RequestMeta
from application.common.security_events import SecurityEvent, SecurityEventKind
from application.ports.clock import Clock
from application.ports.repositories import SecurityEventLog


class SecurityRecorder:
    def __init__(self, log: SecurityEventLog, clock: Clock, meta: RequestMeta) -> None:
        self._log = log
        self._clock = clock
        self._meta = meta

    async def __call__(
        self,
        kind: SecurityEventKind,
        *,
        vendor_id: UUID | None = None,
        user_id: UUID | None = None,
        **detail: Any,
    ) -> None:
        await self._log.record(
            SecurityEvent(
                kind=kind,
                at=self._clock.now(),
                client_ip=self._meta.client_ip,
                request_id=self._meta.request_id,
                vendor_id=vendor_id,
                user_id=user_id,
                detail=detail,
            )
        )

    @property
    def client_ip(self) -> str:
        return self._meta.client_ip

    @property
    def client_key(self) -> str:
        """The client as login throttling counts it."""
        return self._meta.throttle_key
