"""Sign up a shop with its owner (HTTP `POST /api/auth/signup` and `flower-vendor vendor create`)."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.passwords import NewPassword
from application.accounts.ports import StaffRepository, VendorRepository
from application.shared.clock import Clock
from application.shared.context import RequestMeta
from application.shared.security_events import SecurityEvent, SecurityEventKind, SecurityEventLog
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.password import PasswordContext
from domain.accounts.staff_user import StaffUser, check_full_name
from domain.accounts.vendor import (
    Vendor,
)
from domain.shared.email import Email
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class SignUpCommand:
    vendor_name: str
    vendor_slug: str
    timezone: str
    currency: str
    country: str
    email: str
    password: str
    full_name: str


@dataclass(frozen=True, slots=True)
class SignUpResult:
    vendor: Vendor
    user: StaffUser


class SignUp:
    def __init__(
        self,
        vendors: VendorRepository,
        staff: StaffRepository,
        passwords: NewPassword,
        events: SecurityEventLog,
        uow: UnitOfWork,
        clock: Clock,
        meta: RequestMeta,
    ) -> None:
        self._vendors = vendors
        self._staff = staff
        self._passwords = passwords
        self._events = events
        self._uow = uow
        self._clock = clock
        self._meta = meta

    async def execute(self, command: SignUpCommand) -> SignUpResult:
        now = self._clock.now()
        vendor = Vendor.open(
            name=command.vendor_name,
            slug=command.vendor_slug,
            timezone=command.timezone,
            currency=command.currency,
            country=command.country,
            at=now,
        )
        email = Email.parse(command.email)
        full_name = check_full_name(command.full_name)  # before the costly hash, like every cheap check
        context = PasswordContext(email=email.value, shop_name=vendor.name, shop_slug=vendor.slug)
        password_hash = await self._passwords.hash(command.password, context=context)
        owner = StaffUser.register(
            vendor_id=vendor.id, email=email, full_name=full_name, role=Role.OWNER, password_hash=password_hash, at=now
        )
        await self._vendors.add(vendor)
        await self._staff.add(owner)
        await self._events.record(
            SecurityEvent(
                kind=SecurityEventKind.SIGNUP,
                at=now,
                client_ip=self._meta.client_ip,
                request_id=self._meta.request_id,
                vendor_id=vendor.id,
                user_id=owner.id,
                detail={"slug": vendor.slug},
            )
        )
        await self._uow.commit()
        return SignUpResult(vendor=vendor, user=owner)
