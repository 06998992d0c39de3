"""Security events: what happened to whose account, from where. Never a password or a token."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID


class SecurityEventKind(enum.StrEnum):
    SIGNUP = "SIGNUP"
    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGIN_THROTTLED = "LOGIN_THROTTLED"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"  # noqa: S105 - an event name
    LOGOUT = "LOGOUT"
    LOGOUT_ALL = "LOGOUT_ALL"
    SESSIONS_REVOKED = "SESSIONS_REVOKED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"  # noqa: S105 - an event name
    PERMISSION_DENIED = "PERMISSION_DENIED"
    STAFF_CREATED = "STAFF_CREATED"
    STAFF_UPDATED = "STAFF_UPDATED"
    VENDOR_UPDATED = "VENDOR_UPDATED"
    PROFILE_UPDATED = "PROFILE_UPDATED"


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    kind: SecurityEventKind
    at: datetime
    client_ip: str
    request_id: str
    vendor_id: UUID | None = None
    user_id: UUID | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    id: UUID | None = None


class SecurityEventLog(Protocol):
    """Every method raises ``DependencyUnavailable`` when the store does not answer."""

    async def record(self, event: SecurityEvent) -> None:
        """Stored in the caller's transaction and written to the structured log."""
        ...

    async def record_repeated(self, event: SecurityEvent, *, key: str, window: timedelta) -> int:
        """Counts one more occurrence of a repeatable event (a failed login) instead of adding a row
        per occurrence, so nobody can flood a shop's log: one row per ``key`` (which must name the
        kind and the source, e.g. account and client) and fixed ``window`` of time holding
        ``event.at``. The row keeps the first occurrence's request id and gets ``detail.count``,
        ``detail.first_at`` and ``detail.last_at`` (ISO 8601); ``at`` and the rest of ``detail`` are
        the latest occurrence's. In the caller's transaction; concurrent occurrences are all counted
        in one row. Returns the count so far."""
        ...

    async def restore(self, event: SecurityEvent) -> bool:
        """Stores an event that already has its ``id`` (one written late, or replayed from the log),
        unless a row with that id exists: False then. In the caller's transaction."""
        ...


class RefusalLog(Protocol):
    """Stores one security event in a short transaction of its own: what a read, which holds no
    unit of work, records when it refuses a caller."""

    async def record(self, event: SecurityEvent) -> None: ...


class DeferredSecurityEvents(Protocol):
    """Keeps security events the store could not take when they happened (the database was down
    while a logout, which cannot be undone, succeeded). Each is written to the structured log at
    once, with every field, as ``security_event_deferred`` (what an operator replays), and stored
    when the database answers again. Never raises."""

    async def defer(self, event: SecurityEvent) -> None: ...
