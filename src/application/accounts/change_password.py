"""Change one's own password; every other session of the user is revoked.

A wrong current password is ``CurrentPasswordIncorrect`` (422): counted by the login throttle and
recorded as a failed login, but the caller's session stays live."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.errors import CurrentPasswordIncorrect
from application.accounts.passwords import NewPassword
from application.accounts.ports import LoginThrottle, PasswordHasher, SessionStore, StaffRepository
from application.accounts.sessions import revoke_after_commit
from application.shared.audit import SecurityRecorder
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed, TooManyAttempts
from application.shared.security_events import SecurityEventKind
from application.shared.unit_of_work import UnitOfWork
from domain.accounts.password import normalise_password


@dataclass(frozen=True, slots=True)
class ChangePasswordCommand:
    current_password: str
    new_password: str


class ChangePassword:
    def __init__(
        self,
        staff: StaffRepository,
        hasher: PasswordHasher,
        passwords: NewPassword,
        throttle: LoginThrottle,
        store: SessionStore,
        record: SecurityRecorder,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._staff = staff
        self._hasher = hasher
        self._passwords = passwords
        self._throttle = throttle
        self._store = store
        self._record = record
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal, command: ChangePasswordCommand) -> None:
        context = await self._passwords.context_of_member(principal.vendor_id, principal.user_id)
        new_password = self._passwords.check(command.new_password, "new_password", context)
        # Locked: the whole row is written back below, and a concurrent role change must not be undone.
        user = await self._staff.get(principal.vendor_id, principal.user_id, lock=True)
        if user is None or not user.active:
            raise AuthenticationFailed("The account is no longer active.")
        # A stolen access token must not become a way to guess the password: same throttle as login.
        account, client = user.email.value, self._record.client_key
        wait = await self._throttle.begin_attempt(account, client)
        if wait > 0:
            raise TooManyAttempts(wait)
        if not await self._hasher.verify(user.password_hash, normalise_password(command.current_password)):
            await self._record(
                SecurityEventKind.LOGIN_FAILED, vendor_id=user.vendor_id, user_id=user.id, reason="change_password"
            )
            await self._uow.commit()
            raise CurrentPasswordIncorrect
        await self._throttle.reset(account, client)
        new_hash = await self._hasher.hash(new_password)
        await self._staff.update(user.with_new_password(new_hash, at=self._clock.now()))
        revoked = await self._store.revoke_all(user.id, except_session=principal.session_id)
        await self._record(
            SecurityEventKind.PASSWORD_CHANGED, vendor_id=user.vendor_id, user_id=user.id, sessions_revoked=revoked
        )
        await self._uow.commit()
        # Again after the commit: a login that verified the old password meanwhile re-reads the
        # account only after creating its session, so between the two revocations none survives.
        await revoke_after_commit(self._store, user.id, except_session=principal.session_id)
