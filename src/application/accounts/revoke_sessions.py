"""Operators: revoke every session of a user by email (`flower-vendor sessions revoke`)."""

from __future__ import annotations

from application.accounts.ports import SessionStore, StaffRepository
from application.shared.audit import SecurityRecorder
from application.shared.clock import Clock
from application.shared.errors import NotFound
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.shared.email import Email


class RevokeUserSessions:
    def __init__(
        self, staff: StaffRepository, store: SessionStore, record: SecurityRecorder, uow: UnitOfWork, clock: Clock
    ) -> None:
        self._staff = staff
        self._store = store
        self._record = record
        self._uow = uow
        self._clock = clock

    async def execute(self, email: str) -> int:
        user = await self._staff.get_by_email(Email.parse(email))
        if user is None:
            raise NotFound("No user has that email.")
        # Also in PostgreSQL: while Redis cannot confirm a session, tokens from before now are refused.
        await self._staff.cut_off_sessions(user.vendor_id, user.id, self._clock.now())
        count = await self._store.revoke_all(user.id)
        await self._record(
            SecurityEventKind.SESSIONS_REVOKED, vendor_id=user.vendor_id, user_id=user.id, sessions=count, by="operator"
        )
        await self._uow.commit()
        return count
