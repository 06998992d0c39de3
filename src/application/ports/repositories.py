"""Persistence ports. Every tenant-owned lookup takes the vendor id: another shop's row is None."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from application.common.pagination import Page, PageRequest
from application.common.security_events import SecurityEvent
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import Vendor
from domain.shared.email import Email


class VendorRepository(Protocol):
    async def add(self, vendor: Vendor) -> None:
        """Raises ``SlugTaken`` when the slug is in use."""
        ...

    async def get(self, vendor_id: UUID) -> Vendor | None: ...

    async def get_by_slug(self, slug: str) -> Vendor | None: ...

    async def update(self, vendor: Vendor) -> None: ...

    async def list(self, page: PageRequest) -> Page[Vendor]: ...


class StaffRepository(Protocol):
    async def add(self, user: StaffUser) -> None:
        """Raises ``EmailTaken`` when the email is in use on the platform (case-insensitively)."""
        ...

    async def get(self, vendor_id: UUID, user_id: UUID, *, lock: bool = False) -> StaffUser | None:
        """Always the committed state, never a cached copy. ``lock`` holds the row until the
        transaction ends, so two concurrent changes to one member are applied one after the other."""
        ...

    async def replace_password_hash(self, user: StaffUser, expected: str) -> bool:
        """Store ``user.password_hash`` only if the stored hash is still ``expected`` (a login's
        rehash must never overwrite a password change made meanwhile)."""
        ...

    async def get_by_email(self, email: Email) -> StaffUser | None:
        """Platform-wide, for login."""
        ...

    async def update(self, user: StaffUser) -> None: ...

    async def cut_off_sessions(self, vendor_id: UUID, user_id: UUID, at: datetime) -> None:
        """Record that every token issued before ``at`` is void, touching nothing else of the row
        (a concurrent role or password change is never overwritten). Raises
        ``DependencyUnavailable`` when the database does not answer."""
        ...

    async def list(self, vendor_id: UUID, page: PageRequest) -> Page[StaffUser]: ...

    async def count_active_owners(self, vendor_id: UUID) -> int:
        """Locks the shop's owner rows until the transaction ends, so two concurrent demotions
        cannot both see the other owner."""
        ...


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

    async def list(self, vendor_id: UUID, page: PageRequest) -> Page[SecurityEvent]: ...


class DeferredSecurityEvents(Protocol):
    """Keeps security events the store could not take when they happened (the database was down
    while a logout, which cannot be undone, succeeded). Each is written to the structured log at
    once, with every field, as ``security_event_deferred`` (what an operator replays), and stored
    when the database answers again. Never raises."""

    async def defer(self, event: SecurityEvent) -> None: ...
