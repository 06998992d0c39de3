"""Security events: what happened to whose account, from where. Never a password or a token."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
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
