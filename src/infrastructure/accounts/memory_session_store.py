"""The in-process twin of ``RedisSessionStore`` for ``flower-vendor dev`` and unit tests.

Same semantics (held to the same contract tests): a token is current or spent, a spent token is
kept until the family's expiry at the time it was spent so its reuse is detected, reuse kills the
whole family (except within a rotation's reuse grace). Entries expire by an injectable clock
(``time.monotonic`` by default); expired entries are ignored at once and swept out periodically.
One ``asyncio.Lock`` serialises every operation, so concurrent rotations of one token produce
exactly one ROTATED.

Not for more than one process: each worker would have its own sessions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from application.accounts.ports import MAX_SESSION_LIFETIME, ReuseGrace, Rotation, RotationOutcome, SessionRecord

SWEEP_INTERVAL_SECONDS = 60.0


@dataclass(slots=True)
class _Session:
    user_id: UUID
    vendor_id: UUID
    current: str
    expires_at: float
    ends_at: float = float("inf")  # the absolute end, however often it is refreshed


@dataclass(slots=True)
class _Token:
    session_id: UUID
    user_id: UUID
    vendor_id: UUID
    spent: bool
    expires_at: float
    # Set when spent with a reuse grace: the successor's hash, the successor sealed, the grace's end.
    successor: str = ""
    sealed: str = ""
    grace_until: float = 0.0


@dataclass(slots=True)
class _Family:
    hashes: dict[str, float] = field(default_factory=dict)  # token hash -> expiry
    expires_at: float = 0.0


def _seconds(ttl: timedelta) -> float:
    seconds = ttl.total_seconds()
    if seconds <= 0:
        raise ValueError("a session ttl must be positive")
    return seconds


class InMemorySessionStore:
    """``SessionStore`` in process memory."""

    def __init__(
        self, now: Callable[[], float] | None = None, *, max_lifetime: timedelta = MAX_SESSION_LIFETIME
    ) -> None:
        self._now = now or time.monotonic
        self._max_lifetime = _seconds(max_lifetime)
        self._lock = asyncio.Lock()
        self._sessions: dict[UUID, _Session] = {}
        self._tokens: dict[str, _Token] = {}
        self._families: dict[UUID, _Family] = {}
        self._users: dict[UUID, set[UUID]] = {}
        self._last_sweep = self._now()

    # -- lookups that honour expiry ---------------------------------------------------------

    def _session(self, session_id: UUID, now: float) -> _Session | None:
        session = self._sessions.get(session_id)
        if session is not None and session.expires_at <= now:
            del self._sessions[session_id]
            return None
        return session

    def _token(self, token_hash: str, now: float) -> _Token | None:
        token = self._tokens.get(token_hash)
        if token is not None and token.expires_at <= now:
            del self._tokens[token_hash]
            return None
        return token

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < SWEEP_INTERVAL_SECONDS:
            return
        self._last_sweep = now
        self._sessions = {sid: s for sid, s in self._sessions.items() if s.expires_at > now}
        self._tokens = {h: t for h, t in self._tokens.items() if t.expires_at > now}
        self._families = {sid: f for sid, f in self._families.items() if f.expires_at > now}
        for user_id, session_ids in list(self._users.items()):
            session_ids.intersection_update(self._sessions.keys())
            if not session_ids:
                del self._users[user_id]

    def _kill(self, session_id: UUID, user_hint: UUID | None, now: float) -> bool:
        family = self._families.pop(session_id, None)
        if family is not None:
            for token_hash in family.hashes:
                self._tokens.pop(token_hash, None)
        session = self._session(session_id, now)
        self._sessions.pop(session_id, None)
        if session is not None:
            self._tokens.pop(session.current, None)
        user_id = session.user_id if session is not None else user_hint
        if user_id is not None and (session_ids := self._users.get(user_id)) is not None:
            session_ids.discard(session_id)
            if not session_ids:
                del self._users[user_id]
        return session is not None

    # -- SessionStore -----------------------------------------------------------------------

    async def create(self, session: SessionRecord, refresh_hash: str, ttl: timedelta) -> None:
        seconds = _seconds(ttl)
        async with self._lock:
            now = self._now()
            self._sweep(now)
            if self._session(session.session_id, now) is not None or self._token(refresh_hash, now) is not None:
                raise ValueError("the session or its refresh token hash already exists")
            expires_at = now + min(seconds, self._max_lifetime)
            self._sessions[session.session_id] = _Session(
                session.user_id, session.vendor_id, refresh_hash, expires_at, now + self._max_lifetime
            )
            self._tokens[refresh_hash] = _Token(
                session.session_id, session.user_id, session.vendor_id, spent=False, expires_at=expires_at
            )
            self._families[session.session_id] = _Family({refresh_hash: expires_at}, expires_at)
            session_ids = self._users.setdefault(session.user_id, set())
            session_ids.intersection_update([sid for sid in session_ids if self._session(sid, now) is not None])
            session_ids.add(session.session_id)

    async def rotate(
        self, presented_hash: str, new_hash: str, ttl: timedelta, *, grace: ReuseGrace | None = None
    ) -> Rotation:
        seconds = _seconds(ttl)
        grace_seconds = 0.0 if grace is None else _seconds(grace.period)
        async with self._lock:
            now = self._now()
            self._sweep(now)
            token = self._token(presented_hash, now)
            if token is None:
                return Rotation(RotationOutcome.UNKNOWN, None)
            record = SessionRecord(token.session_id, token.user_id, token.vendor_id)
            session = self._session(token.session_id, now)
            if token.spent or (session is not None and session.current != presented_hash):
                if (
                    token.spent
                    and token.sealed
                    and session is not None
                    and session.current == token.successor
                    and token.grace_until >= now
                    and session.ends_at > now
                ):
                    return Rotation(
                        RotationOutcome.REPEATED,
                        SessionRecord(token.session_id, session.user_id, session.vendor_id),
                        successor_hash=token.successor,
                        sealed_successor=token.sealed,
                    )
                self._kill(token.session_id, token.user_id, now)
                self._tokens.pop(presented_hash, None)
                return Rotation(RotationOutcome.REUSED, record)
            if session is None:
                del self._tokens[presented_hash]
                return Rotation(RotationOutcome.UNKNOWN, None)
            if self._token(new_hash, now) is not None:
                raise ValueError("the new refresh token hash already exists")
            if session.ends_at <= now:
                self._kill(token.session_id, token.user_id, now)
                self._tokens.pop(presented_hash, None)
                return Rotation(RotationOutcome.UNKNOWN, None)
            expires_at = min(now + seconds, session.ends_at)
            token.spent = True
            token.expires_at = expires_at
            if grace is not None and grace.sealed_successor:
                token.successor, token.sealed = new_hash, grace.sealed_successor
                token.grace_until = now + grace_seconds
            self._tokens[new_hash] = _Token(
                token.session_id, session.user_id, session.vendor_id, spent=False, expires_at=expires_at
            )
            session.current = new_hash
            session.expires_at = expires_at
            family = self._families.setdefault(token.session_id, _Family())
            family.hashes = {h: e for h, e in family.hashes.items() if e > now}
            family.hashes[presented_hash] = expires_at
            family.hashes[new_hash] = expires_at
            family.expires_at = expires_at
            self._users.setdefault(session.user_id, set()).add(token.session_id)
            return Rotation(
                RotationOutcome.ROTATED, SessionRecord(token.session_id, session.user_id, session.vendor_id)
            )

    async def find(self, refresh_hash: str) -> SessionRecord | None:
        async with self._lock:
            now = self._now()
            token = self._token(refresh_hash, now)
            if token is None or token.spent:
                return None
            session = self._session(token.session_id, now)
            if session is None or session.current != refresh_hash:
                return None
            return SessionRecord(token.session_id, session.user_id, session.vendor_id)

    async def is_live(self, session_id: UUID) -> bool:
        async with self._lock:
            return self._session(session_id, self._now()) is not None

    async def revoke(self, session_id: UUID) -> None:
        async with self._lock:
            self._kill(session_id, None, self._now())

    async def revoke_all(self, user_id: UUID, *, except_session: UUID | None = None) -> int:
        async with self._lock:
            now = self._now()
            count = 0
            for session_id in list(self._users.get(user_id, ())):
                if session_id != except_session and self._kill(session_id, user_id, now):
                    count += 1
            return count
