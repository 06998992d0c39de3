"""Sign up a shop with its owner (`flower-vendor vendor create`, the demo seed) and, over HTTP
(`POST /api/auth/signup`), log the owner in at once."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from application.accounts.passwords import NewPassword
from application.accounts.ports import StaffRepository, VendorRepository
from application.accounts.sessions import SessionStarter, TokenPair
from application.shared.audit import SecurityRecorder
from application.shared.clock import Clock
from application.shared.context import RequestMeta
from application.shared.errors import DependencyUnavailable
from application.shared.security_events import SecurityEvent, SecurityEventKind, SecurityEventLog
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.password import PasswordContext
from domain.accounts.staff_user import StaffUser, check_full_name
from domain.accounts.vendor import (
    Vendor,
)
from domain.shared.email import Email
from domain.shared.errors import Checks
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
        result = await self.stage(command)
        await self._uow.commit()
        return result

    async def stage(self, command: SignUpCommand) -> SignUpResult:
        """Everything but the commit: the caller's unit of work commits the shop, its owner and
        the SIGNUP event together with whatever else it adds."""
        now = self._clock.now()
        # Every cheap check before the costly hash, each refused field reported together.
        checks = Checks()
        vendor = checks.attempt(
            lambda: Vendor.open(
                name=command.vendor_name,
                slug=command.vendor_slug,
                timezone=command.timezone,
                currency=command.currency,
                country=command.country,
                at=now,
            )
        )
        email = checks.attempt(lambda: Email.parse(command.email))
        full_name = checks.run(check_full_name, command.full_name)
        context = PasswordContext(
            email=email.value if email else command.email,
            shop_name=vendor.name if vendor else command.vendor_name,
            shop_slug=vendor.slug if vendor else command.vendor_slug,
        )
        checks.run(lambda password: self._passwords.check(password, context=context), command.password)
        checks.raise_any()
        assert vendor is not None  # raise_any raised otherwise
        assert email is not None
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
        return SignUpResult(vendor=vendor, user=owner)


@dataclass(frozen=True, slots=True)
class SignedUp:
    vendor: Vendor
    user: StaffUser
    tokens: TokenPair


class SignUpAndLogIn:
    """Sign-up over HTTP: the owner's first session starts with the shop, as a login would start
    it, and is recorded as one (``LOGIN_SUCCEEDED`` with ``via: signup``). The session is created
    before the commit: when the session store is down nothing is committed (503, and the same
    sign-up can be sent again); when the commit fails the session is ended."""

    def __init__(self, signup: SignUp, sessions: SessionStarter, record: SecurityRecorder, uow: UnitOfWork) -> None:
        self._signup = signup
        self._sessions = sessions
        self._record = record
        self._uow = uow

    async def execute(self, command: SignUpCommand) -> SignedUp:
        result = await self._signup.stage(command)
        session_id, tokens = await self._sessions.start(result.user)
        try:
            await self._record(
                SecurityEventKind.LOGIN_SUCCEEDED,
                vendor_id=result.vendor.id,
                user_id=result.user.id,
                session_id=str(session_id),
                via="signup",
            )
            await self._uow.commit()
        except BaseException:
            with contextlib.suppress(DependencyUnavailable):
                await self._sessions.end(session_id)
            raise
        return SignedUp(vendor=result.vendor, user=result.user, tokens=tokens)
