"""Session families of refresh tokens in Redis.

Key layout (``P`` = the configured key prefix; ``{auth}`` is one Redis Cluster hash tag, so every
key below lives in one slot and each Lua script may touch all of them atomically):

``P{auth}:sess:<sid>``  hash ``u`` (user id), ``v`` (vendor id), ``rt`` (hash of the current
                        refresh token); expires with the family.
``P{auth}:rt:<hash>``   hash ``s`` (session id), ``u``, ``v``, ``st`` (``current`` | ``spent``).
                        A spent token is kept until the family's expiry at the time it was spent,
                        so presenting it again is recognised as reuse. With a reuse grace, a spent
                        token also holds ``nx`` (its successor's hash), ``sl`` (that successor
                        sealed with the spent token) and ``gu`` (the grace's end, ms, Redis clock).
``P{auth}:fam:<sid>``   sorted set of every token hash of the family, scored by the token's expiry
                        (ms, Redis clock); expired members are pruned on rotation.
``P{auth}:user:<uid>``  set of the user's session ids (stale ids pruned on create, ignored by
                        ``revoke_all``).

Only SHA-256 hashes of refresh tokens are ever stored; the tokens never reach Redis nor an error
message. Every Redis failure (refused, timed out, script error) becomes ``DependencyUnavailable``.

Trade-off: one hash tag puts all sessions of the deployment on one cluster slot. The scripts need
the session keys of a token they only learn inside the script, which per-user tags cannot route.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from application.accounts.ports import MAX_SESSION_LIFETIME, ReuseGrace, Rotation, RotationOutcome, SessionRecord
from application.shared.errors import DependencyUnavailable
from infrastructure.logging import get_logger
from infrastructure.redis.keys import session_key
from infrastructure.redis.round_trips import RoundTrips

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 5

# kill(base, sid, uid_hint): drops the session, every token of its family and its user-set entry;
# returns 1 when the session still existed, else 0.
_KILL = """
local function kill(base, sid, uid_hint)
  local sess_key = base .. 'sess:' .. sid
  local fam_key = base .. 'fam:' .. sid
  local hashes = redis.call('ZRANGE', fam_key, 0, -1)
  for _, h in ipairs(hashes) do
    redis.call('DEL', base .. 'rt:' .. h)
  end
  local sess = redis.call('HMGET', sess_key, 'u', 'rt')
  if sess[2] then redis.call('DEL', base .. 'rt:' .. sess[2]) end
  local uid = sess[1] or uid_hint
  if uid then redis.call('SREM', base .. 'user:' .. uid, sid) end
  redis.call('DEL', fam_key)
  return redis.call('DEL', sess_key)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""

# KEYS: sess:<sid>, rt:<hash>   ARGV: base, sid, uid, vid, hash, ttl_ms
_CREATE = (
    _KILL
    + """
local base, sid, uid, vid, h, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local max_lifetime = tonumber(ARGV[7])
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
ttl = math.min(ttl, max_lifetime)
redis.call('HSET', KEYS[1], 'u', uid, 'v', vid, 'rt', h, 'end', now_ms() + max_lifetime)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('HSET', KEYS[2], 's', sid, 'u', uid, 'v', vid, 'st', 'current')
redis.call('PEXPIRE', KEYS[2], ttl)
local fam = base .. 'fam:' .. sid
redis.call('DEL', fam)
redis.call('ZADD', fam, now_ms() + ttl, h)
redis.call('PEXPIRE', fam, ttl)
local user = base .. 'user:' .. uid
for _, other in ipairs(redis.call('SMEMBERS', user)) do
  if redis.call('EXISTS', base .. 'sess:' .. other) == 0 then
    redis.call('SREM', user, other)
  end
end
redis.call('SADD', user, sid)
if redis.call('PTTL', user) < ttl then
  redis.call('PEXPIRE', user, ttl)
end
return 1
"""
)

# KEYS: rt:<presented>, rt:<new>   ARGV: base, presented hash, new hash, ttl_ms, grace_ms, sealed
# Replies: {'unknown'} | {'conflict'} | {'reused', sid, uid, vid} | {'rotated', sid, uid, vid}
#          | {'repeated', sid, uid, vid, sealed successor, successor hash}
_ROTATE = (
    _KILL
    + """
local base, old, new, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local grace, sealed = tonumber(ARGV[5]), ARGV[6]
local rt = redis.call('HMGET', KEYS[1], 's', 'u', 'v', 'st', 'nx', 'sl', 'gu')
local sid, uid, vid, state = rt[1], rt[2], rt[3], rt[4]
if not sid then
  return {'unknown'}
end
local sess_key = base .. 'sess:' .. sid
local sess = redis.call('HMGET', sess_key, 'u', 'v', 'rt', 'end')
if state ~= 'current' or (sess[3] and sess[3] ~= old) then
  -- Within the reuse grace, and while its successor is still current: the same successor again.
  if state == 'spent' and rt[7] and sess[1] and sess[3] == rt[5] then
    local now = now_ms()
    if tonumber(rt[7]) >= now and (not sess[4] or tonumber(sess[4]) > now) then
      return {'repeated', sid, sess[1], sess[2], rt[6], rt[5]}
    end
  end
  kill(base, sid, uid)
  redis.call('DEL', KEYS[1])
  return {'reused', sid, uid, vid}
end
if not sess[1] then
  redis.call('DEL', KEYS[1])
  return {'unknown'}
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'conflict'}
end
if sess[4] then
  -- Rotation slides the session forward, but never past its absolute end.
  local remaining = tonumber(sess[4]) - now_ms()
  if remaining <= 0 then
    kill(base, sid, sess[1])
    redis.call('DEL', KEYS[1])
    return {'unknown'}
  end
  ttl = math.min(ttl, remaining)
end
local expiry = now_ms() + ttl
redis.call('HSET', KEYS[1], 'st', 'spent')
if grace > 0 and sealed ~= '' then
  redis.call('HSET', KEYS[1], 'nx', new, 'sl', sealed, 'gu', now_ms() + grace)
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('HSET', KEYS[2], 's', sid, 'u', sess[1], 'v', sess[2], 'st', 'current')
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('HSET', sess_key, 'rt', new)
redis.call('PEXPIRE', sess_key, ttl)
local fam = base .. 'fam:' .. sid
redis.call('ZREMRANGEBYSCORE', fam, '-inf', expiry - ttl)
redis.call('ZADD', fam, expiry, old, expiry, new)
redis.call('PEXPIRE', fam, ttl)
local user = base .. 'user:' .. sess[1]
redis.call('SADD', user, sid)
if redis.call('PTTL', user) < ttl then
  redis.call('PEXPIRE', user, ttl)
end
return {'rotated', sid, sess[1], sess[2]}
"""
)

# KEYS: rt:<hash>   ARGV: base, hash   Reply: nil | {sid, uid, vid}
_FIND = """
local rt = redis.call('HMGET', KEYS[1], 's', 'st')
if not rt[1] or rt[2] ~= 'current' then
  return false
end
local sess = redis.call('HMGET', ARGV[1] .. 'sess:' .. rt[1], 'u', 'v', 'rt')
if not sess[1] or sess[3] ~= ARGV[2] then
  return false
end
return {rt[1], sess[1], sess[2]}
"""

# KEYS: sess:<sid>   ARGV: base, sid
_REVOKE = (
    _KILL
    + """
return kill(ARGV[1], ARGV[2], false)
"""
)

# KEYS: user:<uid>   ARGV: base, uid, sid to keep ('' for none)   Reply: sessions revoked
_REVOKE_ALL = (
    _KILL
    + """
local count = 0
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if sid ~= ARGV[3] then
    count = count + kill(ARGV[1], sid, ARGV[2])
  end
end
return count
"""
)


@contextmanager
def _redis_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except (RedisError, OSError) as error:
        log.warning("session_store_unavailable", operation=operation, error=type(error).__name__)
        raise DependencyUnavailable("The session store is unavailable.", retry_after=RETRY_AFTER_SECONDS) from error


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def _record(values: Sequence[Any]) -> SessionRecord:
    session_id, user_id, vendor_id = (UUID(_text(value)) for value in values)
    return SessionRecord(session_id=session_id, user_id=user_id, vendor_id=vendor_id)


def _ttl_ms(ttl: timedelta) -> int:
    milliseconds = int(ttl.total_seconds() * 1000)
    if milliseconds <= 0:
        raise ValueError("a session ttl must be positive")
    return milliseconds


class RedisSessionStore:
    """``SessionStore`` on Redis; every multi-key change is one Lua script."""

    def __init__(
        self, redis: Redis, key_prefix: str, round_trips: RoundTrips, *, max_lifetime: timedelta = MAX_SESSION_LIFETIME
    ) -> None:
        self._redis = redis
        # ``is_live`` runs on every authenticated request: on the hot path's own connections.
        self._round_trips = round_trips
        self._prefix = key_prefix
        self._base = f"{key_prefix}{{auth}}:"
        self._max_lifetime_ms = _ttl_ms(max_lifetime)
        self._create = redis.register_script(_CREATE)
        self._rotate = redis.register_script(_ROTATE)
        self._find = redis.register_script(_FIND)
        self._revoke = redis.register_script(_REVOKE)
        self._revoke_all = redis.register_script(_REVOKE_ALL)

    def _session_key(self, session_id: UUID) -> str:
        return session_key(self._prefix, session_id)

    def _token_key(self, token_hash: str) -> str:
        return f"{self._base}rt:{token_hash}"

    def _user_key(self, user_id: UUID) -> str:
        return f"{self._base}user:{user_id}"

    async def create(self, session: SessionRecord, refresh_hash: str, ttl: timedelta) -> None:
        ttl_ms = _ttl_ms(ttl)
        with _redis_errors("create"):
            created = await self._create(
                keys=[self._session_key(session.session_id), self._token_key(refresh_hash)],
                args=[
                    self._base,
                    str(session.session_id),
                    str(session.user_id),
                    str(session.vendor_id),
                    refresh_hash,
                    ttl_ms,
                    self._max_lifetime_ms,
                ],
            )
        if int(created) != 1:
            raise ValueError("the session or its refresh token hash already exists")

    async def rotate(
        self, presented_hash: str, new_hash: str, ttl: timedelta, *, grace: ReuseGrace | None = None
    ) -> Rotation:
        ttl_ms = _ttl_ms(ttl)
        grace_ms, sealed = (0, "") if grace is None else (_ttl_ms(grace.period), grace.sealed_successor)
        with _redis_errors("rotate"):
            reply = await self._rotate(
                keys=[self._token_key(presented_hash), self._token_key(new_hash)],
                args=[self._base, presented_hash, new_hash, ttl_ms, grace_ms, sealed],
            )
        outcome = _text(reply[0])
        if outcome == "rotated":
            return Rotation(RotationOutcome.ROTATED, _record(reply[1:4]))
        if outcome == "repeated":
            return Rotation(
                RotationOutcome.REPEATED,
                _record(reply[1:4]),
                sealed_successor=_text(reply[4]),
                successor_hash=_text(reply[5]),
            )
        if outcome == "reused":
            return Rotation(RotationOutcome.REUSED, _record(reply[1:4]))
        if outcome == "conflict":
            raise ValueError("the new refresh token hash already exists")
        return Rotation(RotationOutcome.UNKNOWN, None)

    async def find(self, refresh_hash: str) -> SessionRecord | None:
        with _redis_errors("find"):
            reply = await self._find(keys=[self._token_key(refresh_hash)], args=[self._base, refresh_hash])
        return None if reply is None else _record(reply)

    async def is_live(self, session_id: UUID) -> bool:
        with _redis_errors("is_live"):
            (count,) = await self._round_trips.run(("EXISTS", self._session_key(session_id)))
            if isinstance(count, Exception):
                raise count
        return int(count) == 1

    async def revoke(self, session_id: UUID) -> None:
        with _redis_errors("revoke"):
            await self._revoke(keys=[self._session_key(session_id)], args=[self._base, str(session_id)])

    async def revoke_all(self, user_id: UUID, *, except_session: UUID | None = None) -> int:
        keep = "" if except_session is None else str(except_session)
        with _redis_errors("revoke_all"):
            count = await self._revoke_all(keys=[self._user_key(user_id)], args=[self._base, str(user_id), keep])
        return int(count)
