"""Role checks that leave a trace: a refusal is recorded as a security event, then raised."""

from __future__ import annotations

from application.shared.audit import SecurityRecorder
from application.shared.clock import Clock
from application.shared.context import Principal, RequestOrigin
from application.shared.errors import PermissionDenied
from application.shared.security_events import RefusalLog, SecurityEvent, SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.shared.role import Role


class Authorizer:
    def __init__(self, record: SecurityRecorder, uow: UnitOfWork) -> None:
        self._record = record
        self._uow = uow

    async def require(self, principal: Principal, role: Role, action: str) -> None:
        try:
            principal.require(role)
        except PermissionDenied:
            await self._deny(principal, action, required=role.value)
            raise

    async def require_may_manage(self, principal: Principal, target: Role, action: str) -> None:
        try:
            principal.require_may_manage(target)
        except PermissionDenied:
            await self._deny(principal, action, target_role=target.value)
            raise

    async def _deny(self, principal: Principal, action: str, **detail: str) -> None:
        """Records the refusal without committing the caller's work: whatever the request did
        before this check is rolled back (the request fails with 403 anyway), then the event is
        written in a short transaction of its own."""
        await self._uow.rollback()
        await self._record(
            SecurityEventKind.PERMISSION_DENIED,
            vendor_id=principal.vendor_id,
            user_id=principal.user_id,
            action=action,
            role=principal.role.value,
            **detail,
        )
        await self._uow.commit()


class ReadGate:
    """The role check of a read. A read holds no unit of work (it is app-scoped and runs one
    statement), so a refusal is recorded through ``RefusalLog`` in a transaction of its own, with
    the same fields as ``Authorizer`` records, then raised."""

    def __init__(self, refusals: RefusalLog, clock: Clock, origin: RequestOrigin) -> None:
        self._refusals = refusals
        self._clock = clock
        self._origin = origin

    async def require(self, principal: Principal, role: Role, action: str) -> None:
        if principal.role.includes(role):
            return
        meta = self._origin()
        await self._refusals.record(
            SecurityEvent(
                kind=SecurityEventKind.PERMISSION_DENIED,
                at=self._clock.now(),
                client_ip=meta.client_ip,
                request_id=meta.request_id,
                vendor_id=principal.vendor_id,
                user_id=principal.user_id,
                detail={"action": action, "role": principal.role.value, "required": role.value},
            )
        )
        principal.require(role)  # raises PermissionDenied with the usual message
