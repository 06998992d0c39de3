"""Login throttling per (account, client) pair, in Redis or in process memory.

Policy (every number is a constructor parameter; the defaults are):

* Failures are counted per pair of account (an already lower-cased email) and client (the
  client address). The pair is hashed (HMAC-SHA256 when a key is given, else SHA-256) into the
  key: no email ever appears in a Redis key.
* The first ``free_failures`` = 5 failures cost nothing: ``retry_after`` stays 0 while fewer than
  5 failures are counted.
* With n >= 5 failures counted, the next attempt must wait ``2 ** (n - 5)`` seconds (1 s after the
  5th failure, 2 s after the 6th, 4 s after the 7th ...), capped at ``max_delay_seconds`` = 900
  (15 minutes).
* The count is forgotten ``window_seconds`` = 900 (15 minutes) after the last failure's wait has
  ended (each failure sets the window to ``window + wait``), so an attacker who keeps trying stays
  at the cap instead of earning 5 new free attempts every 15 minutes.
* ``reset`` clears the pair after a successful login.
* Only this pair slows down: the same account from another client, or another account from the
  same client, is unaffected, so nobody can lock a victim out of their account from elsewhere.

``retry_after`` answers whole seconds, rounded up. The Redis version changes the count, the lock
and the window in one Lua script; any Redis failure raises ``DependencyUnavailable``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from application.shared.errors import DependencyUnavailable
from infrastructure.logging import get_logger

log = get_logger(__name__)

FREE_FAILURES = 5
WINDOW_SECONDS = 15 * 60
MAX_DELAY_SECONDS = 15 * 60
RETRY_AFTER_SECONDS = 5
_SWEEP_INTERVAL_SECONDS = 60.0
_MAX_EXPONENT = 40  # 2**40 s is far beyond any sensible cap

# KEYS: count, lock   ARGV: free_failures, max_delay_ms, window_ms   Reply: failures counted
_RECORD_FAILURE = """
local n = redis.call('INCR', KEYS[1])
local free, cap, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local delay = 0
if n >= free then
  local exponent = n - free
  if exponent >= 40 then
    delay = cap
  else
    delay = math.min(math.floor(2 ^ exponent) * 1000, cap)
  end
end
if delay > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', delay)
end
redis.call('PEXPIRE', KEYS[1], window + delay)
return n
"""


# The same, but refused without counting while the pair is locked: one atomic check-and-count, so
# parallel guesses cannot all pass the check before any of them is counted.
# Reply: milliseconds still to wait (the attempt was not counted), or 0 (it was counted).
_BEGIN_ATTEMPT = """
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then
  return locked
end
""" + _RECORD_FAILURE.replace("return n", "return 0")


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    free_failures: int = FREE_FAILURES
    window_seconds: int = WINDOW_SECONDS
    max_delay_seconds: int = MAX_DELAY_SECONDS

    def __post_init__(self) -> None:
        if self.free_failures < 0 or self.window_seconds <= 0 or self.max_delay_seconds < 0:
            raise ValueError("throttle numbers must not be negative and the window must be positive")

    def delay_seconds(self, failures: int) -> int:
        """The wait imposed once ``failures`` failures are counted."""
        if failures < self.free_failures:
            return 0
        exponent = failures - self.free_failures
        if exponent >= _MAX_EXPONENT:
            return self.max_delay_seconds
        return min(int(2**exponent), self.max_delay_seconds)


def pair_id(account: str, client: str, key: bytes | None = None) -> str:
    """A fixed-length, non-reversible name for the pair (length-prefixed, so pairs never collide)."""
    message = f"{len(account)}:{account}|{client}".encode("utf-8", errors="surrogatepass")
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
    return hashlib.sha256(b"flower-vendor-login-throttle\x00" + message).hexdigest()[:32]


@contextmanager
def _redis_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except (RedisError, OSError) as error:
        log.warning("login_throttle_unavailable", operation=operation, error=type(error).__name__)
        raise DependencyUnavailable("The login throttle is unavailable.", retry_after=RETRY_AFTER_SECONDS) from error


class RedisLoginThrottle:
    """``LoginThrottle`` in Redis: ``P throttle:{<pair>}:n`` (count) and ``:lock`` (the wait)."""

    def __init__(
        self,
        redis: Redis,
        key_prefix: str,
        *,
        free_failures: int = FREE_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
        max_delay_seconds: int = MAX_DELAY_SECONDS,
        key_secret: bytes | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = key_prefix
        self._policy = ThrottlePolicy(free_failures, window_seconds, max_delay_seconds)
        self._key_secret = key_secret
        self._record = redis.register_script(_RECORD_FAILURE)
        self._begin = redis.register_script(_BEGIN_ATTEMPT)

    def _keys(self, account: str, client: str) -> tuple[str, str]:
        # The pair id is the cluster hash tag, so the script's two keys share a slot.
        base = f"{self._prefix}throttle:{{{pair_id(account, client, self._key_secret)}}}"
        return f"{base}:n", f"{base}:lock"

    async def retry_after(self, account: str, client: str) -> int:
        _, lock = self._keys(account, client)
        with _redis_errors("retry_after"):
            milliseconds = int(await self._redis.pttl(lock))
        return math.ceil(milliseconds / 1000) if milliseconds > 0 else 0

    async def record_failure(self, account: str, client: str) -> None:
        count, lock = self._keys(account, client)
        policy = self._policy
        with _redis_errors("record_failure"):
            await self._record(
                keys=[count, lock],
                args=[policy.free_failures, policy.max_delay_seconds * 1000, policy.window_seconds * 1000],
            )

    async def begin_attempt(self, account: str, client: str) -> int:
        count, lock = self._keys(account, client)
        policy = self._policy
        with _redis_errors("begin_attempt"):
            milliseconds = int(
                await self._begin(
                    keys=[count, lock],
                    args=[policy.free_failures, policy.max_delay_seconds * 1000, policy.window_seconds * 1000],
                )
            )
        return math.ceil(milliseconds / 1000) if milliseconds > 0 else 0

    async def reset(self, account: str, client: str) -> None:
        with _redis_errors("reset"):
            await self._redis.delete(*self._keys(account, client))


@dataclass(slots=True)
class _Entry:
    failures: int
    forget_at: float
    locked_until: float


class InMemoryLoginThrottle:
    """``LoginThrottle`` in process memory, by an injectable clock (``time.monotonic``)."""

    def __init__(
        self,
        *,
        free_failures: int = FREE_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
        max_delay_seconds: int = MAX_DELAY_SECONDS,
        key_secret: bytes | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        self._policy = ThrottlePolicy(free_failures, window_seconds, max_delay_seconds)
        self._key_secret = key_secret
        self._now = now or time.monotonic
        self._lock = asyncio.Lock()
        self._entries: dict[str, _Entry] = {}
        self._last_sweep = self._now()

    def _entry(self, key: str, now: float) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.forget_at <= now:
            del self._entries[key]
            return None
        return entry

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep >= _SWEEP_INTERVAL_SECONDS:
            self._last_sweep = now
            self._entries = {key: entry for key, entry in self._entries.items() if entry.forget_at > now}

    async def retry_after(self, account: str, client: str) -> int:
        async with self._lock:
            now = self._now()
            entry = self._entry(pair_id(account, client, self._key_secret), now)
            if entry is None or entry.locked_until <= now:
                return 0
            return math.ceil(entry.locked_until - now)

    async def record_failure(self, account: str, client: str) -> None:
        async with self._lock:
            self._count(pair_id(account, client, self._key_secret), self._now())

    async def begin_attempt(self, account: str, client: str) -> int:
        async with self._lock:
            now = self._now()
            key = pair_id(account, client, self._key_secret)
            entry = self._entry(key, now)
            if entry is not None and entry.locked_until > now:
                return math.ceil(entry.locked_until - now)
            self._count(key, now)
            return 0

    def _count(self, key: str, now: float) -> None:
        self._sweep(now)
        entry = self._entry(key, now) or _Entry(failures=0, forget_at=now, locked_until=now)
        entry.failures += 1
        delay = self._policy.delay_seconds(entry.failures)
        if delay > 0:
            entry.locked_until = now + delay
        entry.forget_at = now + self._policy.window_seconds + delay
        self._entries[key] = entry

    async def reset(self, account: str, client: str) -> None:
        async with self._lock:
            self._entries.pop(pair_id(account, client, self._key_secret), None)
