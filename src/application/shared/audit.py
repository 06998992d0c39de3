"""A small helper so use cases record security events in one line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from application.shared.clock import Clock
from application.shared.context import RequestMeta
from application.shared.errors import DependencyUnavailable
from application.shared.security_events import (
    DeferredSecurityEvents,
    SecurityEvent,
    SecurityEventKind,
    SecurityEventLog,
)
from application.shared.unit_of_work import UnitOfWork


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
        await self._log.record(self.event(kind, vendor_id=vendor_id, user_id=user_id, **detail))

    async def repeated(
        self,
        kind: SecurityEventKind,
        *,
        key: str,
        window: timedelta,
        vendor_id: UUID | None = None,
        user_id: UUID | None = None,
        **detail: Any,
    ) -> int:
        """One more occurrence, counted in the row of ``key`` for the current ``window`` (see
        ``SecurityEventLog.record_repeated``); the kind is part of the key."""
        event = self.event(kind, vendor_id=vendor_id, user_id=user_id, **detail)
        return await self._log.record_repeated(event, key=f"{kind.value}|{key}", window=window)

    def event(
        self,
        kind: SecurityEventKind,
        *,
        vendor_id: UUID | None = None,
        user_id: UUID | None = None,
        **detail: Any,
    ) -> SecurityEvent:
        return SecurityEvent(
            kind=kind,
            at=self._clock.now(),
            client_ip=self._meta.client_ip,
            request_id=self._meta.request_id,
            vendor_id=vendor_id,
            user_id=user_id,
            detail=detail,
        )

    async def after_the_fact(self, event: SecurityEvent, uow: UnitOfWork, deferred: DeferredSecurityEvents) -> bool:
        """Stores and commits the event of an action that has already taken effect and cannot be
        undone (a revocation): the answer must not depend on the database. When the database is
        unavailable the event is handed to ``deferred`` (logged at once, stored later) and the
        caller carries on. True when it was stored now."""
        try:
            await self._log.record(event)
            await uow.commit()
        except DependencyUnavailable:
            await deferred.defer(event)
            return False
        return True

    @property
    def client_ip(self) -> str:
        return self._meta.client_ip

    @property
    def client_key(self) -> str:
        """The client as login throttling counts it."""
        return self._meta.throttle_key
