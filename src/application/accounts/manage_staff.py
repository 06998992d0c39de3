"""Create, change and list a shop's staff. Owners manage any role; managers STAFF and DRIVER."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from application.accounts.passwords import NewPassword
from application.accounts.ports import SessionStore, StaffRepository
from application.accounts.sessions import revoke_after_commit
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import NotFound
from application.shared.pagination import Page, PageRequest
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.staff_user import StaffUser, check_full_name
from domain.shared.email import Email
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class CreateStaffCommand:
    email: str
    full_name: str
    role: Role
    password: str


@dataclass(frozen=True, slots=True)
class UpdateStaffCommand:
    user_id: uuid.UUID
    role: Role | None = None
    active: bool | None = None


class CreateStaff:
    def __init__(
        self,
        staff: StaffRepository,
        passwords: NewPassword,
        authorizer: Authorizer,
        record: SecurityRecorder,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._staff = staff
        self._passwords = passwords
        self._authorizer = authorizer
        self._record = record
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal, command: CreateStaffCommand) -> StaffUser:
        await self._authorizer.require_may_manage(principal, command.role, "staff.create")
        context = await self._passwords.context_for(command.email, principal.vendor_id)
        email = Email.parse(command.email)
        full_name = check_full_name(command.full_name)  # before the costly hash, like every cheap check
        user = StaffUser.register(
            vendor_id=principal.vendor_id,
            email=email,
            full_name=full_name,
            role=command.role,
            password_hash=await self._passwords.hash(command.password, context=context),
            at=self._clock.now(),
        )
        await self._staff.add(user)
        await self._record(
            SecurityEventKind.STAFF_CREATED,
            vendor_id=principal.vendor_id,
            user_id=principal.user_id,
            target_user_id=str(user.id),
            role=user.role.value,
        )
        await self._uow.commit()
        return user


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


class ListStaff:
    def __init__(self, staff: StaffRepository, authorizer: Authorizer) -> None:
        self._staff = staff
        self._authorizer = authorizer

    async def execute(self, principal: Principal, page: PageRequest) -> Page[StaffUser]:
        await self._authorizer.require(principal, Role.MANAGER, "staff.list")
        return await self._staff.list(principal.vendor_id, page)
