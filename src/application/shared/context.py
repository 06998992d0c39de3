"""Who is acting, for which shop, and from where."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final, Protocol
from uuid import UUID

from application.shared.errors import PermissionDenied
from domain.shared.role import Role

SCRIPT_SESSION_ID: Final = UUID(int=0)
"""The session id of a principal that has no session: a local operator script acting as a named
staff member (``ActAs``). The nil UUID, which ``uuid4`` never makes, so no session ever has it: no
access token may carry it (verification refuses one that does) and no session store ever holds it."""


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified staff member: taken from a live session's access token, or, with
    ``SCRIPT_SESSION_ID`` for its session, named by an operator's script (``ActAs``)."""

    user_id: UUID
    vendor_id: UUID
    role: Role
    session_id: UUID

    @property
    def is_script(self) -> bool:
        """A local operator script, not a session: there is no session of its own to end or keep."""
        return self.session_id == SCRIPT_SESSION_ID

    def require(self, role: Role) -> None:
        if not self.role.includes(role):
            raise PermissionDenied(f"This needs the {role.value} role or above.")

    def require_may_manage(self, target: Role) -> None:
        if not self.role.may_manage(target):
            raise PermissionDenied(f"A {self.role.value} may not manage {target.value} accounts.")


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """Where a call comes from, for security events: the client address and the request id."""

    client_ip: str
    request_id: str
    client_key: str | None = None  # what counts as one client for throttling (an IPv6 /64); default: the address

    @property
    def throttle_key(self) -> str:
        return self.client_key or self.client_ip


class RequestOrigin(Protocol):
    """Where the current call comes from, for what is built once per process (app-scoped) and so
    cannot take a ``RequestMeta`` per call."""

    def __call__(self) -> RequestMeta: ...


_CURRENT: ContextVar[RequestMeta | None] = ContextVar("flower_vendor_request_meta", default=None)


def bind_request_meta(meta: RequestMeta) -> None:
    """Called by the HTTP edge for each request (the value lives in the request's own context)."""
    _CURRENT.set(meta)


def current_request_meta() -> RequestMeta:
    """What the HTTP edge bound for the current request; outside HTTP, the local operator."""
    meta = _CURRENT.get()
    return meta if meta is not None else RequestMeta(client_ip="local", request_id=uuid.uuid4().hex)
