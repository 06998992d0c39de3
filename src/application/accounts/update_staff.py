"""Change a staff member's role or deactivate them; their sessions end at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from application.accounts.ports import SessionStore, StaffRepository
from application.accounts.sessions import revoke_after_commit
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.staff_user import StaffUser
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class UpdateStaffCommand:
    user_id: uuid.UUID
    role: Role | None = None
    active: bool | None = None


class UpdateStaff:
    """A role change or deactivation revokes the member's sessions at once."""

    def __init__(
        self,
        staff: StaffRepository,
        store: SessionStore,
        authorizer: Authorizer,
        record: SecurityRecorder,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._staff = staff
        self._store = store
        self._authorizer = authorizer
        self._record = record
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal, command: UpdateStaffCommand) -> StaffUser:
        await self._authorizer.require(principal, Role.MANAGER, "staff.update")
        target = await self._staff.get(principal.vendor_id, command.user_id, lock=True)
        if target is None:
            raise NotFound("No staff member with this id.")
        await self._authorizer.require_may_manage(principal, target.role, "staff.update")
        if command.role is not None:
            await self._authorizer.require_may_manage(principal, command.role, "staff.update")

        owners = await self._staff.count_active_owners(principal.vendor_id) if target.is_active_owner else 0
        updated = target.changed(role=command.role, active=command.active, active_owners=owners, at=self._clock.now())
        if updated is target:
            return target
        await self._staff.update(updated)
        revoked = await self._store.revoke_all(target.id)
        await self._record(
            SecurityEventKind.STAFF_UPDATED,
            vendor_id=principal.vendor_id,
            user_id=principal.user_id,
            target_user_id=str(target.id),
            role=updated.role.value,
            active=updated.active,
            sessions_revoked=revoked,
        )
        await self._uow.commit()
        await revoke_after_commit(self._store, target.id)
        return updated
