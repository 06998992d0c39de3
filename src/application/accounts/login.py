"""Log in with email and password.

Unknown email, wrong password and a deactivated account give the same answer in about the same
time: the password is always verified, against a dummy hash when there is no user.

Failed and throttled attempts are security events, but an anonymous caller must not be able to
fill a shop's audit log with them: they are counted, one row per kind (and failure reason),
account, client and ``ATTEMPT_EVENT_WINDOW`` (the login throttle's 15-minute window), with
``detail.count``, ``detail.first_at`` and ``detail.last_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from application.accounts.ports import LoginThrottle, PasswordHasher, StaffRepository, VendorRepository
from application.accounts.sessions import SessionStarter, TokenPair
from application.shared.audit import SecurityRecorder
from application.shared.errors import Conflict, InvalidCredentials, TooManyAttempts
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.password import normalise_password
from domain.shared.email import Email
from domain.shared.errors import InvalidValue

# The login throttle forgets a pair's failures 15 minutes after the last one: events of repeated
# attempts are counted per window of the same length.
ATTEMPT_EVENT_WINDOW = timedelta(minutes=15)
_COUNT_TRIES = 3


@dataclass(frozen=True, slots=True)
class LoginCommand:
    email: str
    password: str


class Login:
    def __init__(
        self,
        staff: StaffRepository,
        vendors: VendorRepository,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        sessions: SessionStarter,
        record: SecurityRecorder,
        uow: UnitOfWork,
    ) -> None:
        self._staff = staff
        self._vendors = vendors
        self._hasher = hasher
        self._throttle = throttle
        self._sessions = sessions
        self._record = record
        self._uow = uow

    async def execute(self, command: LoginCommand) -> TokenPair:
        try:
            email = Email.parse(command.email)
        except InvalidValue:
            # No account can have it; still spend the time of a verification.
            await self._hasher.verify(None, command.password)
            raise InvalidCredentials from None
        account, client = email.value, self._record.client_key

        wait = await self._throttle.begin_attempt(account, client)  # counted as a failure until reset
        if wait > 0:
            # Attach the account (when it exists) so its shop's owners see the attack.
            target = await self._staff.get_by_email(email)
            await self._count_attempt(
                SecurityEventKind.LOGIN_THROTTLED,
                key=_pair(account, client),
                vendor_id=target.vendor_id if target else None,
                user_id=target.id if target else None,
                retry_after=wait,
            )
            raise TooManyAttempts(wait)

        user = await self._staff.get_by_email(email)
        password = normalise_password(command.password)
        verified = await self._hasher.verify(user.password_hash if user else None, password)
        vendor = await self._vendors.get(user.vendor_id) if user else None
        if user is None or not verified or not user.active or vendor is None or not vendor.active:
            reason = "unknown_email" if user is None else ("wrong_password" if not verified else "inactive")
            await self._count_attempt(
                SecurityEventKind.LOGIN_FAILED,
                key=f"{reason}|{_pair(account, client)}",
                vendor_id=user.vendor_id if user else None,
                user_id=user.id if user else None,
                reason=reason,
            )
            raise InvalidCredentials

        await self._throttle.reset(account, client)
        if self._hasher.needs_rehash(user.password_hash):
            rehashed = user.with_password_hash(await self._hasher.hash(password))
            if await self._staff.replace_password_hash(rehashed, expected=user.password_hash):
                user = rehashed
        session_id, pair = await self._sessions.start(user)
        # A password change, deactivation or role change may have committed (and revoked every
        # session) while this login was verifying: read the account again now that the session
        # exists, so such a change never leaves a session it did not see.
        fresh = await self._staff.get(user.vendor_id, user.id)
        if fresh is None or not fresh.active or fresh.password_hash != user.password_hash:
            await self._sessions.end(session_id)
            raise InvalidCredentials
        if fresh.role is not user.role:
            pair = self._sessions.pair(fresh, session_id, pair.refresh_token)
        await self._record(
            SecurityEventKind.LOGIN_SUCCEEDED,
            vendor_id=user.vendor_id,
            user_id=user.id,
            session_id=str(session_id),
        )
        await self._uow.commit()
        return pair

    async def _count_attempt(
        self, kind: SecurityEventKind, *, key: str, vendor_id: UUID | None, user_id: UUID | None, **detail: Any
    ) -> None:
        """Counts the attempt in its row and commits. Under REPEATABLE READ or SERIALIZABLE (not the
        default READ COMMITTED) a concurrent attempt counted in the same row makes this transaction
        fail (``Conflict``): the count is tried again in a fresh transaction, a few times, and then
        given up; the caller's answer (401 or 429) never depends on it."""
        for _ in range(_COUNT_TRIES):
            try:
                await self._record.repeated(
                    kind, key=key, window=ATTEMPT_EVENT_WINDOW, vendor_id=vendor_id, user_id=user_id, **detail
                )
                await self._uow.commit()
            except Conflict:
                await self._uow.rollback()
            else:
                return


def _pair(account: str, client: str) -> str:
    # Length-prefixed, so no account and client can spell another pair.
    return f"{len(account)}:{account}|{client}"
