"""Add a member to a shop's staff. Owners add any role; managers add STAFF and DRIVER."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.passwords import NewPassword
from application.accounts.ports import StaffRepository
from application.shared.audit import SecurityRecorder
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.staff_user import StaffUser, check_full_name
from domain.shared.email import Email
from domain.shared.errors import Checks
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class CreateStaffCommand:
    email: str
    full_name: str
    role: Role
    password: str


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
        # Every cheap check before the costly hash, each refused field reported together.
        checks = Checks()
        email = checks.attempt(lambda: Email.parse(command.email))
        full_name = checks.run(check_full_name, command.full_name)
        checks.run(lambda password: self._passwords.check(password, context=context), command.password)
        checks.raise_any()
        assert email is not None  # raise_any raised otherwise
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
