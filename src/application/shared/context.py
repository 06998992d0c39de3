"""Who is acting, for which shop, and from where."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.shared.errors import PermissionDenied
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified staff member, taken from a live session's access token."""

    user_id: UUID
    vendor_id: UUID
    role: Role
    session_id: UUID

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
