"""End one session: the caller's (named by a live access token), or the one a refresh token names.

Two ways to say which session ends:

- With a live access token (``principal``), the request speaks for that user: their session ends,
  and a refresh token in the body also ends the session it names if that session is the same
  user's (another tab). Someone else's refresh token is ignored: a request authenticated as one
  user never ends another user's session (most likely a client that mixed up stored accounts).
- Without one (absent, expired, revoked), the refresh token speaks for itself: a current, unspent
  refresh token of a live session proves that session is the caller's to end, exactly as it
  would let the caller refresh it. Anything else (never issued, spent, expired, already revoked)
  ends nothing and still succeeds: the answer never tells whether such a token ever existed, and
  the state the client asked for (that token opens nothing) holds either way.

The revocation (in the session store) is what the caller asked for; the security event is its
record, under the vendor and user of the session that ended. Once the revocation has succeeded
the answer is success even if the database cannot take the event right now: the event is then
deferred (logged at once with every field as ``security_event_deferred``, stored when the
database answers again), never lost and never a 503 that would make the client believe it is
still logged in.
"""

from __future__ import annotations

from uuid import UUID

from application.accounts.ports import RefreshTokens, SessionStore
from application.shared.audit import SecurityRecorder
from application.shared.context import Principal
from application.shared.errors import AuthenticationFailed, RuleRefused
from application.shared.security_events import DeferredSecurityEvents, SecurityEventKind
from application.shared.unit_of_work import UnitOfWork


class NothingToLogOut(AuthenticationFailed):
    """Neither a live access token nor a refresh token: nothing names a session (401)."""

    code = "INVALID_TOKEN"

    def __init__(self) -> None:
        super().__init__("A live access token or a refresh token (body `refresh_token`) is required to log out.")


class NoSessionOfItsOwn(RuleRefused):
    """A script's principal (``SCRIPT_SESSION_ID``) has no session to end."""

    code = "NO_SESSION"

    def __init__(self) -> None:
        super().__init__(
            "A script acts without a session, so it has none to log out; LogoutEverywhere (or"
            " `flower-vendor sessions revoke`) ends every session of the member."
        )


class Logout:
    def __init__(
        self,
        store: SessionStore,
        refresh_tokens: RefreshTokens,
        record: SecurityRecorder,
        uow: UnitOfWork,
        deferred: DeferredSecurityEvents,
    ) -> None:
        self._store = store
        self._refresh = refresh_tokens
        self._record = record
        self._uow = uow
        self._deferred = deferred

    async def execute(self, principal: Principal | None, refresh_token: str | None) -> None:
        if principal is None:
            await self._by_refresh_token(refresh_token)
            return
        if principal.is_script:
            raise NoSessionOfItsOwn
        revoked = [principal.session_id]
        if refresh_token:
            # The refresh token may name another of the caller's sessions (another tab): end it too.
            other = await self._store.find(self._refresh.hash(refresh_token))
            if other is not None and other.user_id == principal.user_id and other.session_id != principal.session_id:
                revoked.append(other.session_id)
        await self._end(revoked, vendor_id=principal.vendor_id, user_id=principal.user_id)

    async def _by_refresh_token(self, refresh_token: str | None) -> None:
        if not refresh_token:
            raise NothingToLogOut
        session = await self._store.find(self._refresh.hash(refresh_token))
        if session is None:
            return  # nothing live to end: the same answer as a successful logout
        await self._end([session.session_id], vendor_id=session.vendor_id, user_id=session.user_id)

    async def _end(self, sessions: list[UUID], *, vendor_id: UUID, user_id: UUID) -> None:
        for session_id in sessions:
            await self._store.revoke(session_id)
        event = self._record.event(
            SecurityEventKind.LOGOUT, vendor_id=vendor_id, user_id=user_id, sessions=[str(s) for s in sessions]
        )
        await self._record.after_the_fact(event, self._uow, self._deferred)
