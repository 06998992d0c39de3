"""Store security events that were deferred (logged while the database was down), for operators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.shared.security_events import SecurityEvent, SecurityEventLog
from application.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class RestoreResult:
    stored: int
    already_present: int


class RestoreSecurityEvents:
    """Idempotent: an event already stored (by the server's own retry, or an earlier replay) is
    counted as already present and left alone. One transaction for the whole batch."""

    def __init__(self, events: SecurityEventLog, uow: UnitOfWork) -> None:
        self._events = events
        self._uow = uow

    async def execute(self, events: Sequence[SecurityEvent]) -> RestoreResult:
        stored = 0
        for event in events:
            if await self._events.restore(event):
                stored += 1
        await self._uow.commit()
        return RestoreResult(stored=stored, already_present=len(events) - stored)
