"""GCRA rate limiting on the in-memory limiter (injected clock), and the Redis circuit breaker."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from structlog.testing import capture_logs

from application.shared.rate_limit import RateLimitDecision, RateLimitPolicy
from infrastructure.redis.rate_limiter import (
    FallbackRateLimiter,
    InMemoryRateLimiter,
    LocalRefusals,
    RateLimiterUnavailable,
    RedisRateLimiter,
)
from tests.fakes import MonotonicClock

CLIENT = "203.0.113.7"
AUTH = RateLimitPolicy("auth", limit=5, window_seconds=60)  # one request per 12 s after the burst


@pytest.fixture
def clock() -> MonotonicClock:
    return MonotonicClock(10_000.0)


@pytest.fixture
def limiter(clock: MonotonicClock) -> InMemoryRateLimiter:
    return InMemoryRateLimiter(now=clock)


async def burst(limiter: Any, times: int, key: str = CLIENT, policy: RateLimitPolicy = AUTH) -> list[RateLimitDecision]:
    return [await limiter.hit(key, policy) for _ in range(times)]


# -- policy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "limit", "window"),
    [("auth", 0, 60), ("auth", 5, 0), ("", 5, 60), ("a{b}", 5, 60), ("a:b", 5, 60), ("x" * 33, 5, 60)],
)
def test_policy_rejects_nonsense(name: str, limit: int, window: int) -> None:
    with pytest.raises(ValueError, match="rate limit policy"):
        RateLimitPolicy(name, limit, window)


def test_policy_defaults_to_a_minute() -> None:
    assert RateLimitPolicy("api", 300).window_seconds == 60


# -- GCRA in memory ------------------------------------------------------------------------


async def test_burst_of_exactly_limit_then_refused(limiter: InMemoryRateLimiter) -> None:
    decisions = await burst(limiter, 6)
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
    assert all(d.limit == 5 for d in decisions)
    assert all(d.retry_after_seconds == 0 for d in decisions[:5])
    refused = decisions[5]
    assert refused.retry_after_seconds == 12  # the next slot is one emission interval away
    assert refused.reset_seconds == 60


async def test_first_hit_from_idle(limiter: InMemoryRateLimiter) -> None:
    first = await limiter.hit(CLIENT, AUTH)
    assert first == RateLimitDecision(allowed=True, limit=5, remaining=4, reset_seconds=12, retry_after_seconds=0)


async def test_reset_seconds_grows_with_use_and_never_exceeds_the_window(limiter: InMemoryRateLimiter) -> None:
    decisions = await burst(limiter, 8)
    assert [d.reset_seconds for d in decisions] == [12, 24, 36, 48, 60, 60, 60, 60]


async def test_refill_is_one_request_per_interval(limiter: InMemoryRateLimiter, clock: MonotonicClock) -> None:
    await burst(limiter, 5)
    clock.advance(11.9)
    early = await limiter.hit(CLIENT, AUTH)
    assert not early.allowed
    assert early.retry_after_seconds == 1  # 0.1 s left, rounded up
    clock.advance(0.1)
    on_time = await limiter.hit(CLIENT, AUTH)
    assert on_time.allowed
    assert on_time.remaining == 0
    assert not (await limiter.hit(CLIENT, AUTH)).allowed
    clock.advance(24)  # two more slots
    assert [d.allowed for d in await burst(limiter, 3)] == [True, True, False]


async def test_refused_requests_cost_nothing(limiter: InMemoryRateLimiter, clock: MonotonicClock) -> None:
    await burst(limiter, 5)
    refused = await burst(limiter, 100)
    assert not any(d.allowed for d in refused)
    assert {d.retry_after_seconds for d in refused} == {12}
    clock.advance(12)
    assert (await limiter.hit(CLIENT, AUTH)).allowed


async def test_reset_seconds_is_when_the_full_allowance_is_back(
    limiter: InMemoryRateLimiter, clock: MonotonicClock
) -> None:
    last = (await burst(limiter, 3))[-1]
    assert last.reset_seconds == 36
    clock.advance(last.reset_seconds - 0.5)
    assert (await limiter.hit(CLIENT, AUTH)).remaining == 3  # not quite all back yet
    clock.advance(60)
    assert (await limiter.hit(CLIENT, AUTH)).remaining == AUTH.limit - 1
    clock.advance(60)
    assert [d.allowed for d in await burst(limiter, 6)] == [True] * 5 + [False]


async def test_remaining_counts_partial_refill(limiter: InMemoryRateLimiter, clock: MonotonicClock) -> None:
    await burst(limiter, 5)
    clock.advance(30)  # 2.5 slots back
    decision = await limiter.hit(CLIENT, AUTH)
    assert decision.allowed
    assert decision.remaining == 1
    assert decision.reset_seconds == 42  # 60 - 30 + 12


@pytest.mark.parametrize(
    ("limit", "window"), [(1, 1), (3, 1), (7, 60), (100, 60), (300, 60), (1000, 60), (1000, 1), (9999, 3600)]
)
async def test_exact_burst_for_awkward_intervals(clock: MonotonicClock, limit: int, window: int) -> None:
    """Floating-point rounding of window / limit never refuses the limit-th request."""
    limiter = InMemoryRateLimiter(now=clock)
    policy = RateLimitPolicy("api", limit, window)
    decisions = await burst(limiter, limit + 1, policy=policy)
    assert sum(d.allowed for d in decisions) == limit
    assert not decisions[-1].allowed
    assert decisions[-1].retry_after_seconds == max(1, math.ceil(window / limit))
    assert decisions[limit - 1].reset_seconds == window


@pytest.mark.parametrize(("limit", "window", "step"), [(5, 60, 0.7), (10, 10, 0.35), (100, 60, 0.05)])
async def test_any_span_holds_at_most_the_burst_plus_the_rate(
    clock: MonotonicClock, limit: int, window: int, step: float
) -> None:
    """A client hammering faster than allowed: any span of t seconds admits at most limit + t / T."""
    limiter = InMemoryRateLimiter(now=clock)
    policy = RateLimitPolicy("api", limit, window)
    interval = window / limit
    start = clock.now
    admitted: list[float] = []
    for _ in range(int(4 * window / step)):
        if (await limiter.hit(CLIENT, policy)).allowed:
            admitted.append(clock.now)
        clock.advance(step)
    for first, begin in enumerate(admitted):
        for last in range(first, len(admitted)):
            span = admitted[last] - begin
            assert last - first + 1 <= limit + math.floor(span / interval + 1e-6)
    # over a long run: the burst plus one per interval (give or take one request of rounding)
    assert abs(len(admitted) - (limit + (clock.now - start) / interval)) <= 2


async def test_no_second_burst_across_a_minute_boundary(limiter: InMemoryRateLimiter, clock: MonotonicClock) -> None:
    """Where a fixed window would admit 2 x limit around its boundary, GCRA admits the burst only once."""
    clock.advance(59.5)
    assert sum(d.allowed for d in await burst(limiter, 5)) == 5
    clock.advance(1)  # "the next minute"
    assert sum(d.allowed for d in await burst(limiter, 5)) == 0
    clock.advance(11)  # 12 s after the burst: exactly one slot
    assert sum(d.allowed for d in await burst(limiter, 5)) == 1


async def test_keys_and_policies_are_independent(limiter: InMemoryRateLimiter) -> None:
    api = RateLimitPolicy("api", limit=2, window_seconds=60)
    await burst(limiter, 5)
    assert not (await limiter.hit(CLIENT, AUTH)).allowed
    assert (await limiter.hit("198.51.100.1", AUTH)).remaining == 4  # another client
    assert [d.allowed for d in await burst(limiter, 3, policy=api)] == [True, True, False]  # another tier
    assert not (await limiter.hit(CLIENT, AUTH)).allowed


async def test_concurrent_hits_admit_exactly_limit(limiter: InMemoryRateLimiter) -> None:
    decisions = await asyncio.gather(*(limiter.hit(CLIENT, AUTH) for _ in range(30)))
    assert sum(d.allowed for d in decisions) == 5


async def test_in_memory_limiter_is_never_a_fallback(limiter: InMemoryRateLimiter) -> None:
    assert limiter.fallback_active is False


async def test_restored_entries_are_swept(clock: MonotonicClock) -> None:
    limiter = InMemoryRateLimiter(now=clock, sweep_interval_seconds=60)
    for index in range(500):
        await limiter.hit(f"10.0.{index // 256}.{index % 256}", AUTH)
    assert len(limiter) == 500
    clock.advance(30)
    await burst(limiter, 5, key="late")  # restored only after 60 s
    assert len(limiter) == 501  # no sweep yet: the 500 restored entries are still held
    clock.advance(31)
    await limiter.hit("later", AUTH)
    assert len(limiter) == 2  # the 500 were restored after 12 s and swept; "late" is still counting
    clock.advance(61)
    await limiter.hit("last", AUTH)
    assert len(limiter) == 1


async def test_restored_entry_is_dropped_on_sight(limiter: InMemoryRateLimiter, clock: MonotonicClock) -> None:
    await limiter.hit(CLIENT, AUTH)
    clock.advance(12)
    assert (await limiter.hit(CLIENT, AUTH)).remaining == 4
    assert len(limiter) == 1


async def test_number_of_keys_is_capped_least_recently_seen_first(clock: MonotonicClock) -> None:
    limiter = InMemoryRateLimiter(now=clock, max_keys=3)
    await burst(limiter, 5, key="a")
    await burst(limiter, 5, key="b")
    await burst(limiter, 5, key="c")
    assert not (await limiter.hit("a", AUTH)).allowed  # a refused hit still counts as seen: "b" is now oldest
    await limiter.hit("d", AUTH)
    assert len(limiter) == 3
    assert (await limiter.hit("b", AUTH)).allowed  # forgotten: a fresh allowance
    assert not (await limiter.hit("a", AUTH)).allowed
    for index in range(1000):
        await limiter.hit(f"flood-{index}", AUTH)
    assert len(limiter) == 3


async def test_cap_sweeps_before_evicting(clock: MonotonicClock) -> None:
    limiter = InMemoryRateLimiter(now=clock, max_keys=2, sweep_interval_seconds=3600)
    await burst(limiter, 5, key="busy")
    await limiter.hit("idle", AUTH)
    clock.advance(13)  # "idle" is restored, "busy" is not
    await limiter.hit("new", AUTH)
    assert len(limiter) == 2
    assert (await limiter.hit("busy", AUTH)).remaining == 0  # its state was kept (fresh would say 4)


# -- the circuit breaker -------------------------------------------------------------------


class FakePrimary:
    """Stands in for RedisRateLimiter: its own GCRA state, can be down, can be held mid-call."""

    def __init__(self, clock: MonotonicClock) -> None:
        self.store = InMemoryRateLimiter(now=clock)
        self.down = False
        self.calls = 0
        self.gate: asyncio.Event | None = None

    async def hit(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise RateLimiterUnavailable("ConnectionError")
        return await self.store.hit(key, policy)


class Breaker:
    def __init__(self, clock: MonotonicClock) -> None:
        self.primary = FakePrimary(clock)
        self.memory = InMemoryRateLimiter(now=clock)
        self.transitions: list[bool] = []
        self.limiter = FallbackRateLimiter(
            self.primary,
            self.memory,
            retry_interval_seconds=5.0,
            now=clock,
            on_state_change=self.transitions.append,
        )

    async def hit(self, key: str = CLIENT, policy: RateLimitPolicy = AUTH) -> RateLimitDecision:
        return await self.limiter.hit(key, policy)


@pytest.fixture
def breaker(clock: MonotonicClock) -> Breaker:
    return Breaker(clock)


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    with capture_logs() as captured:
        yield captured


def events(logs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [entry for entry in logs if entry["event"] == name]


async def test_closed_breaker_uses_the_primary(breaker: Breaker) -> None:
    decisions = await burst(breaker.limiter, 6)
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert breaker.primary.calls == 6
    assert len(breaker.memory) == 0
    assert breaker.limiter.fallback_active is False
    assert breaker.transitions == []


async def test_failure_opens_and_memory_answers(breaker: Breaker, logs: list[dict[str, Any]]) -> None:
    breaker.primary.down = True
    decision = await breaker.hit()
    assert decision.allowed
    assert decision.remaining == 4  # counted in memory
    assert breaker.limiter.fallback_active is True
    assert breaker.transitions == [True]
    assert breaker.primary.calls == 1
    warnings = events(logs, "rate_limiter_fallback_active")
    assert len(warnings) == 1
    assert warnings[0]["log_level"] == "warning"
    assert warnings[0]["error"] == "ConnectionError"


async def test_open_breaker_does_not_touch_the_primary_before_the_interval(
    breaker: Breaker, clock: MonotonicClock, logs: list[dict[str, Any]]
) -> None:
    breaker.primary.down = True
    decisions = await burst(breaker.limiter, 6)
    assert [d.allowed for d in decisions] == [True] * 5 + [False]  # the memory limiter still limits
    clock.advance(4.9)
    await burst(breaker.limiter, 20)
    assert breaker.primary.calls == 1
    assert len(events(logs, "rate_limiter_fallback_active")) == 1  # once per outage, not per request


async def test_failed_probe_keeps_it_open_for_another_interval(
    breaker: Breaker, clock: MonotonicClock, logs: list[dict[str, Any]]
) -> None:
    breaker.primary.down = True
    await breaker.hit()
    clock.advance(5)
    assert (await breaker.hit()).allowed  # the probe fails and memory answers
    assert breaker.primary.calls == 2
    await burst(breaker.limiter, 3)
    assert breaker.primary.calls == 2
    clock.advance(4.9)
    await breaker.hit()
    assert breaker.primary.calls == 2
    clock.advance(0.1)
    await breaker.hit()
    assert breaker.primary.calls == 3
    assert breaker.limiter.fallback_active is True
    assert breaker.transitions == [True]
    assert len(events(logs, "rate_limiter_fallback_active")) == 1
    assert events(logs, "rate_limiter_redis_restored") == []


async def test_successful_probe_closes(breaker: Breaker, clock: MonotonicClock, logs: list[dict[str, Any]]) -> None:
    breaker.primary.down = True
    await burst(breaker.limiter, 5)  # memory allowance spent
    breaker.primary.down = False
    clock.advance(5)
    probe = await breaker.hit()
    assert probe.allowed
    assert probe.remaining == 4  # the primary's count, not memory's
    assert breaker.limiter.fallback_active is False
    assert breaker.transitions == [True, False]
    restored = events(logs, "rate_limiter_redis_restored")
    assert len(restored) == 1
    assert restored[0]["log_level"] == "info"
    await burst(breaker.limiter, 4)
    assert breaker.primary.calls == 1 + 1 + 4
    assert not (await breaker.hit()).allowed  # the primary's allowance is spent now


async def test_only_one_probe_in_flight(breaker: Breaker, clock: MonotonicClock) -> None:
    breaker.primary.down = True
    await breaker.hit()
    breaker.primary.down = False
    breaker.primary.gate = asyncio.Event()
    clock.advance(5)
    probe = asyncio.create_task(breaker.hit())
    await asyncio.sleep(0)
    assert breaker.primary.calls == 2  # the probe is waiting on the primary
    others = await asyncio.gather(*(breaker.hit(f"10.0.0.{n}") for n in range(10)))
    assert all(d.allowed for d in others)
    assert breaker.primary.calls == 2  # nobody else went to the primary meanwhile
    assert len(breaker.memory) == 11
    assert breaker.limiter.fallback_active is True
    breaker.primary.gate.set()
    assert (await probe).allowed
    assert breaker.limiter.fallback_active is False
    breaker.primary.gate = None
    await breaker.hit("10.0.0.99")
    assert breaker.primary.calls == 3


async def test_each_outage_warns_once(breaker: Breaker, clock: MonotonicClock, logs: list[dict[str, Any]]) -> None:
    for _ in range(2):
        breaker.primary.down = True
        await burst(breaker.limiter, 3)
        clock.advance(5)
        await breaker.hit()  # failed probe
        breaker.primary.down = False
        clock.advance(5)
        await breaker.hit()  # successful probe
    assert breaker.transitions == [True, False, True, False]
    assert len(events(logs, "rate_limiter_fallback_active")) == 2
    assert len(events(logs, "rate_limiter_redis_restored")) == 2


async def test_concurrent_failures_are_one_outage(breaker: Breaker, logs: list[dict[str, Any]]) -> None:
    breaker.primary.down = True
    breaker.primary.gate = asyncio.Event()
    pending = [asyncio.create_task(breaker.hit(f"10.0.0.{n}")) for n in range(5)]
    await asyncio.sleep(0)
    breaker.primary.gate.set()
    decisions = await asyncio.gather(*pending)
    assert all(d.allowed for d in decisions)
    assert breaker.primary.calls == 5
    assert breaker.transitions == [True]
    assert len(events(logs, "rate_limiter_fallback_active")) == 1


async def test_a_broken_state_hook_does_not_break_limiting(clock: MonotonicClock, logs: list[dict[str, Any]]) -> None:
    primary = FakePrimary(clock)

    def hook(active: bool) -> None:
        raise RuntimeError("metrics are down too")

    limiter = FallbackRateLimiter(primary, InMemoryRateLimiter(now=clock), now=clock, on_state_change=hook)
    primary.down = True
    assert (await limiter.hit(CLIENT, AUTH)).allowed
    assert limiter.fallback_active is True
    assert len(events(logs, "rate_limiter_state_hook_failed")) == 1


class _UnreachableRedis:
    """Just enough of ``RoundTrips`` for RedisRateLimiter: every exchange fails."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def run(self, *commands: Any) -> list[Any]:
        raise self.error


@pytest.mark.parametrize("error", [RedisConnectionError("refused"), RedisTimeoutError("slow"), OSError("unreachable")])
async def test_redis_failures_become_unavailable_and_the_breaker_absorbs_them(
    error: BaseException, clock: MonotonicClock
) -> None:
    primary = RedisRateLimiter(_UnreachableRedis(error), "fv:", session_key=str)  # type: ignore[arg-type]
    for attempt in (primary.hit(CLIENT, AUTH), primary.hit_for_session(CLIENT, AUTH, uuid.uuid4())):
        with pytest.raises(RateLimiterUnavailable) as caught:
            await attempt
        assert caught.value.__cause__ is error
        assert CLIENT not in str(caught.value)
    limiter = FallbackRateLimiter(primary, InMemoryRateLimiter(now=clock), now=clock)
    assert (await limiter.hit(CLIENT, AUTH)).allowed
    assert limiter.fallback_active is True


def test_redis_keys_hide_the_client_and_share_one_hash_tag() -> None:
    limiter = RedisRateLimiter(_UnreachableRedis(OSError()), "fv:")  # type: ignore[arg-type]
    key = limiter.key_for(CLIENT, AUTH)
    assert key.startswith("fv:{rl}:auth:")
    assert len(key.rsplit(":", 1)[1]) == 32
    assert CLIENT not in key
    assert limiter.key_for(CLIENT, RateLimitPolicy("api", 5)) != key
    assert limiter.key_for("198.51.100.1", AUTH) != key


# -- refusals remembered locally -----------------------------------------------------------


async def test_a_client_hammering_after_a_refusal_costs_no_shared_round_trip(breaker: Breaker) -> None:
    await burst(breaker.limiter, 6)  # 5 admitted, the 6th refused with about 12 s to wait
    calls = breaker.primary.calls
    refused = await burst(breaker.limiter, 200)
    assert not any(d.allowed for d in refused)
    assert breaker.primary.calls == calls  # answered from memory, not from Redis
    assert all(d.retry_after_seconds >= 1 and d.remaining == 0 for d in refused)
    other = await breaker.hit(key="198.51.100.1")  # another client is not affected
    assert other.allowed
    assert breaker.primary.calls == calls + 1


async def test_local_refusals_never_refuse_what_the_shared_store_would_admit(clock: MonotonicClock) -> None:
    """Every decision equals that of a reference limiter that sees every request."""
    breaker = Breaker(clock)
    reference = InMemoryRateLimiter(now=clock)
    asked_primary = 0
    for step in range(400):  # 100 s in steps of 0.25 s, several requests per step
        for _ in range(1 + step % 3):
            decision = await breaker.hit()
            expected = await reference.hit(CLIENT, AUTH)
            assert decision.allowed == expected.allowed, f"at {step * 0.25} s"
            if not decision.allowed:
                assert decision.retry_after_seconds >= expected.retry_after_seconds
        clock.advance(0.25)
    asked_primary = breaker.primary.calls
    assert asked_primary < 400  # most refusals were answered locally


def test_local_refusals_stay_bounded(clock: MonotonicClock) -> None:
    refusals = LocalRefusals(now=clock, max_keys=3)
    refused = RateLimitDecision(allowed=False, limit=5, remaining=0, reset_seconds=60, retry_after_seconds=12)
    for n in range(10):
        refusals.note(f"client-{n}", AUTH, refused)
    assert len(refusals) == 3
    assert refusals.get("client-0", AUTH) is None
    assert refusals.get("client-9", AUTH) is not None
    short = RateLimitDecision(allowed=False, limit=5, remaining=0, reset_seconds=60, retry_after_seconds=1)
    refusals.note("quick", AUTH, short)  # a 1 s wait is not worth remembering (rounded up by Redis)
    assert refusals.get("quick", AUTH) is None
