"""Request rate limiting by GCRA (the generic cell rate algorithm), in Redis or in process memory.

Why GCRA
--------
* One key per (policy, client) holding a single number, the theoretical arrival time (TAT); every
  decision is O(1) in time and space, with no per-request log and no counters per window.
* The check and the count are one Lua script: no read-then-write race between concurrent requests,
  so the count is exact across every app instance sharing the Redis (``asyncio.gather`` of 3 x
  limit hits from two instances admits exactly ``limit``).
* "Now" is the Redis server's clock (``redis.call('TIME')``), so instances with skewed clocks agree.
* The allowance refills smoothly, one request every ``T = window / limit``. A fixed window lets a
  client spend its allowance at the end of one window and again at the start of the next (2 x limit
  within a second); GCRA admits at most ``limit + floor(t / T)`` requests in any span of ``t``
  seconds: the burst plus the steady rate, never a second burst on top.

The formula (times in milliseconds)
-----------------------------------
``T = window / limit`` is the emission interval. For a request arriving at ``now`` with stored
``TAT`` (``now`` if the key is missing or the TAT is in the past)::

    new_tat = max(TAT, now) + T
    allowed  <=>  new_tat - now <= window          (i.e. now >= new_tat - window)

An allowed request stores ``new_tat``; a refused one stores nothing (refusals cost nothing, so a
client that keeps hammering is not pushed further back). From idle ``new_tat - now`` grows by T per
request, so exactly ``limit`` requests pass back-to-back and the ``limit + 1``-th is refused; then
one more is admitted every T. The decision reports:

* ``remaining = floor((window - (tat - now)) / T)``: requests still admitted right now (``tat`` is
  the TAT after this request); ``limit - 1`` after the first hit from idle.
* ``reset_seconds = ceil((tat - now) / 1000)``: until the allowance is fully restored, i.e. until
  the state is equivalent to "never seen"; never more than the window.
* ``retry_after_seconds = ceil((new_tat - window - now) / 1000)`` (at least 1) when refused: the
  earliest moment the same request would be admitted.

Every comparison allows a 10 microsecond slack, so the rounding of floating-point TATs never turns
the ``limit``-th back-to-back request into a refusal. Redis TATs count milliseconds from a fixed
epoch (2024-01-01 UTC) rather than 1970, which keeps the doubles about 60 times more precise.

Keys
----
``P{rl}:<policy>:<first 32 hex of sha256(key)>`` (``P`` = the configured prefix): the client's
address or id never appears in Redis. The TAT key expires (PEXPIRE) when the allowance is fully
restored, at most one window after the last admitted request, so idle clients cost nothing.

Trade-off of the one hash tag ``{rl}``: every rate-limit key lives in one Redis Cluster slot, hence
on one shard, which carries all rate-limit traffic. That keeps the deployment's keys together
(one SCAN on one node finds them all, and a future script may touch several tiers at once). Each
script only touches one key, so if that shard ever runs hot the tag can become the hashed client
id and the load spreads over the cluster.

Failure handling
----------------
``RedisRateLimiter`` raises ``RateLimiterUnavailable`` on any Redis failure (refused, timed out,
script error). ``FallbackRateLimiter`` is a circuit breaker in front of it that answers from an
``InMemoryRateLimiter`` while Redis is down, so ``hit`` never fails and never waits on a dead Redis
for more than one socket timeout per retry interval. During an outage each instance limits on its
own (up to ``instances x limit`` in total): degraded, not open.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from redis.exceptions import NoScriptError, RedisError

from application.shared.circuit_breaker import CircuitBreaker
from application.shared.rate_limit import RateLimitDecision, RateLimitPolicy, SessionHit
from infrastructure.logging import get_logger
from infrastructure.redis.round_trips import RoundTrips

log = get_logger(__name__)

SLACK_MS = 0.01
EPOCH_SECONDS = 1_704_067_200  # 2024-01-01T00:00:00Z; changing it would misread every stored TAT
MAX_KEYS = 100_000
SWEEP_INTERVAL_SECONDS = 60.0
RETRY_INTERVAL_SECONDS = 5.0

# KEYS: the TAT key   ARGV: limit, window (ms), slack (ms), epoch (s)
# Reply: {allowed (0|1), remaining, reset (ms, rounded up), retry (ms, rounded up; 0 when allowed)}
# Lua numbers become integer replies by truncation, so everything returned is already whole.
_GCRA = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local slack = tonumber(ARGV[3])
local interval = window / limit
local clock = redis.call('TIME')
local now = (tonumber(clock[1]) - tonumber(ARGV[4])) * 1000 + tonumber(clock[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then
  tat = now
end
local new_tat = tat + interval
local allowed = 1
local retry = 0
if new_tat - window - now > slack then
  allowed = 0
  retry = math.ceil(new_tat - window - now - slack)
  new_tat = tat
else
  redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
end
local remaining = math.floor((window - (new_tat - now) + slack) / interval)
remaining = math.max(0, math.min(limit, remaining))
local reset = math.max(0, math.ceil(new_tat - now - slack))
return {allowed, remaining, reset, retry}
"""


class RateLimiterUnavailable(Exception):
    """The shared store did not answer; only the circuit breaker sees this, never a caller."""


@dataclass(frozen=True, slots=True)
class _Gcra:
    allowed: bool
    tat: float  # the TAT to keep (unchanged when refused)
    remaining: int
    reset_ms: int
    retry_ms: int


def _gcra(stored_tat: float | None, now: float, limit: int, window_ms: int) -> _Gcra:
    """The Lua script's arithmetic, step for step, for the in-memory limiter."""
    interval = window_ms / limit
    tat = now if stored_tat is None or stored_tat < now else stored_tat
    new_tat = tat + interval
    allowed = True
    retry_ms = 0
    if new_tat - window_ms - now > SLACK_MS:
        allowed = False
        retry_ms = math.ceil(new_tat - window_ms - now - SLACK_MS)
        new_tat = tat
    remaining = max(0, min(limit, math.floor((window_ms - (new_tat - now) + SLACK_MS) / interval)))
    reset_ms = max(0, math.ceil(new_tat - now - SLACK_MS))
    return _Gcra(allowed, new_tat, remaining, reset_ms, retry_ms)


def _decision(allowed: bool, limit: int, remaining: int, reset_ms: int, retry_ms: int) -> RateLimitDecision:
    return RateLimitDecision(
        allowed=allowed,
        limit=limit,
        remaining=remaining,
        reset_seconds=max(0, math.ceil(reset_ms / 1000)),
        retry_after_seconds=0 if allowed else max(1, math.ceil(retry_ms / 1000)),
    )


@lru_cache(maxsize=4096)  # the same clients come back request after request
def client_id(key: str) -> str:
    """A fixed-length, non-reversible name for the client key."""
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


@contextmanager
def _redis_errors() -> Iterator[None]:
    try:
        yield
    except (RedisError, OSError) as error:
        # Not logged here: the breaker logs once per outage, not once per request.
        raise RateLimiterUnavailable(type(error).__name__) from error


class RedisRateLimiter:
    """GCRA in Redis, one Lua script per request. Raises ``RateLimiterUnavailable`` when Redis fails.

    ``session_key`` names the key that exists while a session is live (the session store's
    layout); with it, ``hit_for_session`` sends that EXISTS in the same write as the script, so an
    authenticated request costs one round trip for both. The script is called by its SHA1
    (EVALSHA) and sent whole only when Redis does not know it yet (after a restart or a
    SCRIPT FLUSH). Both go through ``RoundTrips``, the hot path's lean connections.
    """

    def __init__(
        self, round_trips: RoundTrips, key_prefix: str, *, session_key: Callable[[UUID], str] | None = None
    ) -> None:
        self._trips = round_trips
        self._base = f"{key_prefix}{{rl}}:"
        self._sha = hashlib.sha1(_GCRA.encode(), usedforsecurity=False).hexdigest()
        self._session_key = session_key

    def key_for(self, key: str, policy: RateLimitPolicy) -> str:
        return f"{self._base}{policy.name}:{client_id(key)}"

    def _script_args(self, key: str, policy: RateLimitPolicy) -> tuple[str | int | float, ...]:
        return (1, self.key_for(key, policy), policy.limit, policy.window_seconds * 1000, SLACK_MS, EPOCH_SECONDS)

    async def hit(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision:
        args = self._script_args(key, policy)
        with _redis_errors():
            (reply,) = await self._trips.run(("EVALSHA", self._sha, *args))
            reply = await self._unless_unknown_script(reply, args)
        return _reply_decision(reply, policy)

    async def hit_for_session(self, key: str, policy: RateLimitPolicy, session_id: UUID) -> SessionHit:
        if self._session_key is None:
            return SessionHit(await self.hit(key, policy), None)
        args = self._script_args(key, policy)
        with _redis_errors():
            live_check = ("EXISTS", self._session_key(session_id))
            reply, exists = await self._trips.run(("EVALSHA", self._sha, *args), live_check)
            reply = await self._unless_unknown_script(reply, args)
        live = None if isinstance(exists, Exception) else int(exists) == 1
        return SessionHit(_reply_decision(reply, policy), live)

    async def _unless_unknown_script(self, reply: Any, args: tuple[str | int | float, ...]) -> Any:
        """The script's reply; the script sent whole when Redis did not know its SHA1."""
        if isinstance(reply, NoScriptError):
            (reply,) = await self._trips.run(("EVAL", _GCRA, *args))
        if isinstance(reply, Exception):
            raise reply
        return reply


def _reply_decision(reply: Any, policy: RateLimitPolicy) -> RateLimitDecision:
    allowed, remaining, reset_ms, retry_ms = reply
    return _decision(int(allowed) == 1, policy.limit, int(remaining), int(reset_ms), int(retry_ms))


class InMemoryRateLimiter:
    """GCRA in process memory: the limiter of ``flower-vendor dev`` and the breaker's fallback.

    ``hit`` never awaits, so each decision is atomic on the event loop (not thread-safe). Entries
    whose TAT has passed are equivalent to absent: they are swept out every
    ``sweep_interval_seconds``, and at most ``max_keys`` are kept, the least recently seen being
    forgotten first (forgetting a client only ever gives it a fresh allowance). Limits apply per
    process: with several workers each one counts on its own.
    """

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        *,
        max_keys: int = MAX_KEYS,
        sweep_interval_seconds: float = SWEEP_INTERVAL_SECONDS,
    ) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self._now = now
        self._max_keys = max_keys
        self._sweep_interval_ms = sweep_interval_seconds * 1000
        self._tats: OrderedDict[tuple[str, str], float] = OrderedDict()  # least recently seen first
        self._last_sweep = now() * 1000

    @property
    def fallback_active(self) -> bool:
        return False

    def __len__(self) -> int:
        return len(self._tats)

    def _sweep(self, now: float) -> None:
        self._last_sweep = now
        self._tats = OrderedDict((key, tat) for key, tat in self._tats.items() if tat > now)

    async def hit(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision:
        now = self._now() * 1000
        if now - self._last_sweep >= self._sweep_interval_ms:
            self._sweep(now)
        entry = (policy.name, key)
        outcome = _gcra(self._tats.get(entry), now, policy.limit, policy.window_seconds * 1000)
        if outcome.tat > now:
            self._tats[entry] = outcome.tat
            self._tats.move_to_end(entry)
            if len(self._tats) > self._max_keys:
                self._sweep(now)
                while len(self._tats) > self._max_keys:
                    self._tats.popitem(last=False)
        else:
            self._tats.pop(entry, None)
        return _decision(outcome.allowed, policy.limit, outcome.remaining, outcome.reset_ms, outcome.retry_ms)

    async def hit_for_session(self, key: str, policy: RateLimitPolicy, session_id: UUID) -> SessionHit:
        # Process memory knows nothing of sessions: the caller asks the session store.
        return SessionHit(await self.hit(key, policy), None)


class SharedRateLimiter(Protocol):
    """The breaker's primary: every method raises ``RateLimiterUnavailable`` when its store fails."""

    async def hit(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision: ...

    async def hit_for_session(self, key: str, policy: RateLimitPolicy, session_id: UUID) -> SessionHit: ...


class LocalRefusals:
    """Refusals this process already knows of, so a client that keeps hammering after a 429 costs no
    Redis round trip until its retry time: during a flood the shared store is asked once per client
    per second or so, not once per request. Exact on the safe side: a refusal is remembered only
    until one second before the retry time Redis gave (which is rounded up to whole seconds), so a
    request Redis would admit is never refused here; it only reaches Redis a little sooner. Bounded:
    at most ``max_keys`` clients, the oldest forgotten first."""

    def __init__(self, *, now: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self._now = now
        self._max_keys = max_keys
        self._until: OrderedDict[tuple[str, str], tuple[float, RateLimitDecision]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._until)

    def get(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision | None:
        entry = self._until.get((policy.name, key))
        if entry is None:
            return None
        noted_at, decision = entry
        elapsed = self._now() - noted_at
        if elapsed >= decision.retry_after_seconds - 1:
            del self._until[(policy.name, key)]
            return None
        return RateLimitDecision(
            allowed=False,
            limit=decision.limit,
            remaining=0,
            reset_seconds=max(1, math.ceil(decision.reset_seconds - elapsed)),
            retry_after_seconds=max(1, math.ceil(decision.retry_after_seconds - elapsed)),
        )

    def note(self, key: str, policy: RateLimitPolicy, decision: RateLimitDecision) -> None:
        if decision.allowed or decision.retry_after_seconds < 2:
            return
        self._until[(policy.name, key)] = (self._now(), decision)
        self._until.move_to_end((policy.name, key))
        while len(self._until) > self._max_keys:
            self._until.popitem(last=False)


class FallbackRateLimiter:
    """Redis while it answers, process memory while it does not, through a ``CircuitBreaker``:
    a failure opens it; that request and every request for the next ``retry_interval_seconds``
    are answered from memory; then ONE request tries Redis again while concurrent requests stay
    on memory, and success closes it.

    One WARNING ``rate_limiter_fallback_active`` per outage and one INFO
    ``rate_limiter_redis_restored`` when it ends; ``on_state_change(active)`` is called on each
    transition (for a metrics gauge). ``hit`` never raises because Redis is down.
    """

    def __init__(
        self,
        primary: SharedRateLimiter,
        fallback: InMemoryRateLimiter,
        *,
        retry_interval_seconds: float = RETRY_INTERVAL_SECONDS,
        now: Callable[[], float] = time.monotonic,
        on_state_change: Callable[[bool], None] | None = None,
    ) -> None:
        self._primary = primary
        self._fallback = fallback
        self._on_state_change = on_state_change
        self._refusals = LocalRefusals(now=now)
        self._breaker = CircuitBreaker(
            RateLimiterUnavailable,
            retry_interval_seconds=retry_interval_seconds,
            now=now,
            on_open=self._opened,
            on_close=self._closed,
            on_failure=self._failed_again,
        )

    @property
    def fallback_active(self) -> bool:
        return self._breaker.is_open

    async def hit(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision:
        refused = self._refusals.get(key, policy)
        if refused is not None:
            return refused
        decision = await self._breaker.call(
            lambda: self._primary.hit(key, policy), lambda: self._fallback.hit(key, policy)
        )
        if not self._breaker.is_open:  # memory's own refusals need no second copy
            self._refusals.note(key, policy, decision)
        return decision

    async def hit_for_session(self, key: str, policy: RateLimitPolicy, session_id: UUID) -> SessionHit:
        refused = self._refusals.get(key, policy)
        if refused is not None:
            return SessionHit(refused, None)  # refused before authentication: liveness is not needed
        hit = await self._breaker.call(
            lambda: self._primary.hit_for_session(key, policy, session_id),
            lambda: self._fallback.hit_for_session(key, policy, session_id),
        )
        if not self._breaker.is_open:
            self._refusals.note(key, policy, hit.decision)
        return hit

    def _opened(self, error: Exception) -> None:
        log.warning(
            "rate_limiter_fallback_active",
            error=str(error),
            retry_interval_seconds=self._breaker.retry_interval_seconds,
        )
        self._notify(True)

    def _closed(self, outage_seconds: float) -> None:
        log.info("rate_limiter_redis_restored", outage_seconds=round(outage_seconds, 3))
        self._notify(False)

    @staticmethod
    def _failed_again(error: Exception, _: int) -> None:
        log.debug("rate_limiter_probe_failed", error=str(error))

    def _notify(self, active: bool) -> None:
        if self._on_state_change is None:
            return
        try:
            self._on_state_change(active)
        except Exception:  # a broken metrics hook must not break rate limiting
            log.exception("rate_limiter_state_hook_failed", fallback_active=active)
