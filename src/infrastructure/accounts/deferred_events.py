"""Security events the database could not take when they happened, kept until it can.

``defer`` writes the event to the structured log at once, as one ``security_event_deferred`` line
with every field (``event_id``, ``kind``, ``at``, ``vendor_id``, ``user_id``, ``client_ip``,
``request_id``, ``detail``), then queues it in process memory; a background task stores the queue
when the database answers again (retrying every ``retry_seconds``, one connection attempt at a
time) and logs ``security_event_stored_late`` per event. The id is fixed at deferral and stored
with insert-if-absent, so an event is never stored twice: not by the retry, not by an operator
replaying the log (``flower-vendor security-events replay``) after a restart lost the queue.
What a restart, a crash or a full queue (``max_pending``) loses from memory is still in the log:
at shutdown every event still queued is named in ``security_event_still_deferred``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.accounts.ports import DeferredRead
from application.shared.errors import DependencyUnavailable
from application.shared.security_events import SecurityEvent, SecurityEventKind
from infrastructure.accounts.repositories import SqlSecurityEventLog
from infrastructure.db.errors import translate_database_error
from infrastructure.logging import get_logger

log = get_logger("flower_vendor.security")

DEFERRED_MARKER = "security_event_deferred"
DEFAULT_RETRY_SECONDS = 2.0
DEFAULT_MAX_PENDING = 10_000
_SHUTDOWN_FLUSH_SECONDS = 2.0


def deferred_fields(event: SecurityEvent) -> dict[str, Any]:
    """Everything needed to store the event again, as the log line carries it."""
    return {
        "event_id": str(event.id) if event.id else None,
        "kind": event.kind.value,
        "at": event.at.isoformat(),
        "vendor_id": str(event.vendor_id) if event.vendor_id else None,
        "user_id": str(event.user_id) if event.user_id else None,
        "client_ip": event.client_ip,
        "request_id": event.request_id,
        "detail": dict(event.detail),
    }


def event_from_deferred(line: dict[str, Any]) -> SecurityEvent:
    """The event a ``security_event_deferred`` log line (parsed JSON) carries. Raises ``ValueError``
    (or ``KeyError``) on a line that does not carry one."""
    if line.get("event") != DEFERRED_MARKER:
        raise ValueError(f"not a {DEFERRED_MARKER} line")
    at = datetime.fromisoformat(str(line["at"]))
    if at.tzinfo is None:
        raise ValueError("the event time has no time zone")
    detail = line.get("detail") or {}
    if not isinstance(detail, dict):
        raise ValueError("detail is not an object")
    return SecurityEvent(
        id=UUID(str(line["event_id"])),
        kind=SecurityEventKind(str(line["kind"])),
        at=at,
        client_ip=str(line["client_ip"]),
        request_id=str(line["request_id"]),
        vendor_id=UUID(str(line["vendor_id"])) if line.get("vendor_id") else None,
        user_id=UUID(str(line["user_id"])) if line.get("user_id") else None,
        detail=dict(detail),
    )


class DeferredEventLogReader:
    """``DeferredEventReader`` over the server's JSON log lines (a prefix before the JSON object,
    such as a timestamp added by a log shipper, is ignored)."""

    def read(self, lines: Iterable[str]) -> DeferredRead:
        events: list[SecurityEvent] = []
        unreadable = 0
        for line in lines:
            if DEFERRED_MARKER not in line:
                continue
            try:
                parsed = json.loads(line[line.index("{") :])
                if not isinstance(parsed, dict) or parsed.get("event") != DEFERRED_MARKER:
                    continue  # another line that merely mentions the marker
                events.append(event_from_deferred(parsed))
            except (ValueError, KeyError, TypeError):
                unreadable += 1
        return DeferredRead(events=events, unreadable=unreadable)


class DeferredSecurityEventWriter:
    """``DeferredSecurityEvents``: one per process (application scope)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self._sessions = sessions
        self._retry_seconds = retry_seconds
        self._pending: deque[SecurityEvent] = deque()
        self._max_pending = max_pending
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def defer(self, event: SecurityEvent) -> None:
        if event.id is None:
            event = replace(event, id=uuid.uuid4())
        log.warning(DEFERRED_MARKER, **deferred_fields(event))
        if len(self._pending) >= self._max_pending:
            dropped = self._pending.popleft()
            log.error("security_event_queue_full", dropped_event_id=str(dropped.id), replay_from="log")
        self._pending.append(event)
        if not self._closed and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._retry(), name="deferred-security-events")

    async def _retry(self) -> None:
        failures = 0
        while self._pending:
            await asyncio.sleep(self._retry_seconds)
            try:
                await self.store_pending()
            except Exception as error:  # noqa: BLE001 - keep the events and try again; never crash the loop
                failures += 1
                if failures == 1:
                    log.warning("security_event_retry_failed", error=type(error).__name__, pending=len(self._pending))

    async def store_pending(self) -> int:
        """Stores every queued event in one transaction; raises (keeping them) when it cannot."""
        batch = list(self._pending)
        if not batch:
            return 0
        stored: list[tuple[SecurityEvent, bool]] = []
        unstorable: list[tuple[SecurityEvent, Exception]] = []
        async with self._sessions() as session:
            events = SqlSecurityEventLog(session)
            for event in batch:
                try:
                    # Each in a savepoint: one event the database refuses for good (bad data) must not
                    # hold back the others. An unavailable database raises out of here, keeping all.
                    async with session.begin_nested():
                        stored.append((event, await events.restore(event)))
                except DependencyUnavailable:
                    raise
                except Exception as error:
                    if translate_database_error(error) is not None:  # unavailable, or a race: try again later
                        raise
                    unstorable.append((event, error))  # refused for good: it stays in the log only
            await session.commit()
        for event, new in stored:
            with contextlib.suppress(ValueError):
                self._pending.remove(event)
            log.info("security_event_stored_late", event_id=str(event.id), request_id=event.request_id, new=new)
        for event, refusal in unstorable:
            with contextlib.suppress(ValueError):
                self._pending.remove(event)
            log.error(
                "security_event_unstorable",
                event_id=str(event.id),
                request_id=event.request_id,
                error=type(refusal).__name__,
                replay_from="log",
            )
        return len(stored)

    async def aclose(self) -> None:
        """At shutdown: one last short attempt, then name whatever is still only in the log."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pending:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(_SHUTDOWN_FLUSH_SECONDS):
                    await self.store_pending()
        for event in self._pending:
            log.error("security_event_still_deferred", event_id=str(event.id), request_id=event.request_id)
