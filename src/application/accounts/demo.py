"""The demo shop for `flower-vendor dev` and `flower-vendor demo seed`: a florist with one account
per role, each with a random password shown once. Its stock and catalog are filled afterwards, as
its owner, by the other contexts' demo seeds (``interfaces/cli/demo.py`` runs them in turn)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.accounts.passwords import NewPassword
from application.accounts.ports import StaffRepository, VendorRepository
from application.accounts.signup import SignUp, SignUpCommand
from application.shared.audit import SecurityRecorder
from application.shared.clock import Clock
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.password import PasswordContext, WeakPassword
from domain.accounts.staff_user import StaffUser
from domain.shared.email import Email
from domain.shared.role import Role

DEMO_SLUG = "demo-florist"
DEMO_NAME = "Demo Florist"
DEMO_OWNER_EMAIL = "owner@demo-florist.example"
DEMO_CURRENCY = "EUR"
DEMO_STAFF = (
    (Role.MANAGER, "manager@demo-florist.example", "Mara Manager"),
    (Role.STAFF, "staff@demo-florist.example", "Sam Staff"),
    (Role.DRIVER, "driver@demo-florist.example", "Dani Driver"),
)


def _context(email: str) -> PasswordContext:
    return PasswordContext(email=email, shop_name=DEMO_NAME, shop_slug=DEMO_SLUG)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str
    email: str
    password: str


class SeedDemoShop:
    def __init__(
        self,
        signup: SignUp,
        vendors: VendorRepository,
        staff: StaffRepository,
        passwords: NewPassword,
        record: SecurityRecorder,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._signup = signup
        self._vendors = vendors
        self._staff = staff
        self._passwords = passwords
        self._record = record
        self._uow = uow
        self._clock = clock

    def _fresh_password(self, email: str) -> str:
        """A random password the policy takes (a random one could, very rarely, spell the shop)."""
        while True:
            password = secrets.token_urlsafe(12)
            try:
                return self._passwords.check(password, context=_context(email))
            except WeakPassword:
                continue

    async def execute(self) -> list[DemoLogin]:
        """The logins of a newly seeded demo shop; empty when it exists already."""
        if await self._vendors.get_by_slug(DEMO_SLUG) is not None:
            return []
        owner = DemoLogin("OWNER", DEMO_OWNER_EMAIL, self._fresh_password(DEMO_OWNER_EMAIL))
        result = await self._signup.execute(
            SignUpCommand(
                vendor_name=DEMO_NAME,
                vendor_slug=DEMO_SLUG,
                timezone="Europe/Amsterdam",
                currency=DEMO_CURRENCY,
                country="NL",
                email=owner.email,
                password=owner.password,
                full_name="Olive Owner",
            )
        )
        logins = [owner]
        for role, email, name in DEMO_STAFF:
            login = DemoLogin(role.value, email, self._fresh_password(email))
            member = StaffUser.register(
                vendor_id=result.vendor.id,
                email=Email.parse(email),
                full_name=name,
                role=role,
                password_hash=await self._passwords.hash(login.password, context=_context(email)),
                at=self._clock.now(),
            )
            await self._staff.add(member)
            await self._record(  # audited like any staff creation
                SecurityEventKind.STAFF_CREATED,
                vendor_id=result.vendor.id,
                user_id=result.user.id,
                target_user_id=str(member.id),
                role=member.role.value,
                by="demo_seed",
            )
            logins.append(login)
        await self._uow.commit()
        return logins
