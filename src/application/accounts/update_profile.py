"""Change one's own profile (today the full name). Not a credential: sessions stay as they are."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.ports import StaffRepository, VendorRepository
from application.accounts.views import MeOut
from application.shared.audit import SecurityRecorder
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.staff_user import check_full_name


@dataclass(frozen=True, slots=True)
class UpdateProfileCommand:
    full_name: str


class UpdateProfile:
    def __init__(
        self, staff: StaffRepository, vendors: VendorRepository, record: SecurityRecorder, uow: UnitOfWork
    ) -> None:
        self._staff = staff
        self._vendors = vendors
        self._record = record
        self._uow = uow

    async def execute(self, principal: Principal, command: UpdateProfileCommand) -> MeOut:
        full_name = check_full_name(command.full_name)  # 400 before any read
        # Locked: the whole row is written back, and a concurrent role change must not be undone.
        user = await self._staff.get(principal.vendor_id, principal.user_id, lock=True)
        vendor = await self._vendors.get(principal.vendor_id)
        if user is None or not user.active or vendor is None:
            raise AuthenticationFailed("The account is no longer active.")
        renamed = user.renamed(full_name)
        if renamed is not user:
            user = renamed
            await self._staff.update(user)
            # Who renamed an account is worth keeping (a name is what colleagues trust); the name
            # itself is not copied into the audit trail.
            await self._record(
                SecurityEventKind.PROFILE_UPDATED, vendor_id=user.vendor_id, user_id=user.id, fields=["full_name"]
            )
            await self._uow.commit()
        return MeOut.of(user, vendor)
