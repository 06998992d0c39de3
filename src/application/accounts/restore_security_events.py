"""Store security events that were deferred (logged while the database was down), for operators."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from application.accounts.ports import DeferredEventReader
from application.shared.security_events import SecurityEvent, SecurityEventLog
from application.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class RestoreResult:
    stored: int
    already_present: int
    unreadable: int = 0


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


class ReplaySecurityEvents:
    """The events a server's log carries as deferred, stored as ``RestoreSecurityEvents`` does;
    every other line is skipped, and one that claims to carry an event but does not is counted
    as unreadable. A log without deferred events does not touch the database."""

    def __init__(self, reader: DeferredEventReader, restore: RestoreSecurityEvents) -> None:
        self._reader = reader
        self._restore = restore

    async def execute(self, lines: Iterable[str]) -> RestoreResult:
        read = self._reader.read(lines)
        if not read.events:
            return RestoreResult(stored=0, already_present=0, unreadable=read.unreadable)
        result = await self._restore.execute(read.events)
        return RestoreResult(stored=result.stored, already_present=result.already_present, unreadable=read.unreadable)
