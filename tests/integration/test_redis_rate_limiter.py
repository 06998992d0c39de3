"""The GCRA rate limiter on a real Redis, and its circuit breaker through a real outage."""

from __future__ import annotations

import asyncio
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator
from functools import partial

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot
from structlog.testing import capture_logs

from application.shared.rate_limit import RateLimitDecision, RateLimitPolicy
from infrastructure.config import Settings, generate_secret_key, load_settings
from infrastructure.redis.client import create_redis
from infrastructure.redis.keys import session_key
from infrastructure.redis.rate_limiter import FallbackRateLimiter, InMemoryRateLimiter, RedisRateLimiter
from infrastructure.redis.round_trips import RoundTrips
from tests.integration.conftest import keys_under
from tests.private_redis import PrivateRedis

CLIENT = "203.0.113.7"
HOUR = 3600  # long windows: no refill can happen while a test runs


@pytest.fixture
async def other_client(redis_url: str) -> AsyncIterator[Redis]:
    """A second connection pool: a second app instance."""
    client = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    yield client
    await client.aclose()


@pytest.fixture
async def other_trips(other_client: Redis) -> AsyncIterator[RoundTrips]:
    """The hot-path connections of a second app instance."""
    trips = RoundTrips(other_client, timeout=5)
    yield trips
    await trips.aclose()


@pytest.fixture
def limiter(trips: RoundTrips, key_prefix: str) -> RedisRateLimiter:
    return RedisRateLimiter(trips, key_prefix, session_key=partial(session_key, key_prefix))


async def burst(
    limiter: RedisRateLimiter, times: int, policy: RateLimitPolicy, key: str = CLIENT
) -> list[RateLimitDecision]:
    return [await limiter.hit(key, policy) for _ in range(times)]


def settings_for(redis_url: str) -> Settings:
    return load_settings(
        {
            "ENVIRONMENT": "test",
            "SECRET_KEY": generate_secret_key(),
            "DATABASE_URL": "postgresql://user@127.0.0.1:1/unused",
            "REDIS_URL": redis_url,
        }
    )


def production_client(redis_url: str) -> Redis:
    """The client the service builds: 200 ms timeouts, no retries."""
    client = create_redis(settings_for(redis_url))
    assert client is not None
    return client


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- GCRA on Redis -------------------------------------------------------------------------


async def test_burst_of_exactly_limit_then_refused(limiter: RedisRateLimiter) -> None:
    policy = RateLimitPolicy("auth", limit=5, window_seconds=HOUR)
    decisions = await burst(limiter, 7, policy)
    assert [d.allowed for d in decisions] == [True] * 5 + [False, False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0, 0]
    assert [d.retry_after_seconds for d in decisions[:5]] == [0] * 5
    assert decisions[0].reset_seconds == 720
    for refused in decisions[5:]:
        assert 719 <= refused.retry_after_seconds <= 720  # one emission interval, less the elapsed ms
        assert 3599 <= refused.reset_seconds <= 3600


async def test_agrees_with_the_in_memory_twin(limiter: RedisRateLimiter) -> None:
    policy = RateLimitPolicy("api", limit=7, window_seconds=HOUR)
    twin = InMemoryRateLimiter()
    on_redis = await burst(limiter, 9, policy)
    in_memory = [await twin.hit(CLIENT, policy) for _ in range(9)]
    assert [(d.allowed, d.remaining) for d in on_redis] == [(d.allowed, d.remaining) for d in in_memory]
    for ours, theirs in zip(on_redis, in_memory, strict=True):
        assert abs(ours.reset_seconds - theirs.reset_seconds) <= 1
        assert abs(ours.retry_after_seconds - theirs.retry_after_seconds) <= 1


async def test_refill_runs_on_the_server_clock(limiter: RedisRateLimiter, redis_client: Redis) -> None:
    policy = RateLimitPolicy("api", limit=2, window_seconds=1)  # one request per 0.5 s after the burst
    assert [d.allowed for d in await burst(limiter, 3, policy)] == [True, True, False]
    await asyncio.sleep(0.55)
    assert [d.allowed for d in await burst(limiter, 2, policy)] == [True, False]
    await asyncio.sleep(1.1)  # fully restored: the key has expired
    assert await redis_client.exists(limiter.key_for(CLIENT, policy)) == 0
    assert (await limiter.hit(CLIENT, policy)).remaining == 1


async def test_two_instances_share_the_allowance(trips: RoundTrips, other_trips: RoundTrips, key_prefix: str) -> None:
    first = RedisRateLimiter(trips, key_prefix)
    second = RedisRateLimiter(other_trips, key_prefix)
    policy = RateLimitPolicy("auth", limit=10, window_seconds=HOUR)
    allowed = 0
    for _ in range(10):
        allowed += (await first.hit(CLIENT, policy)).allowed
        allowed += (await second.hit(CLIENT, policy)).allowed
    assert allowed == 10


async def test_concurrent_hits_from_two_instances_admit_exactly_limit(
    trips: RoundTrips, other_trips: RoundTrips, key_prefix: str
) -> None:
    limiters = [RedisRateLimiter(trips, key_prefix), RedisRateLimiter(other_trips, key_prefix)]
    policy = RateLimitPolicy("api", limit=20, window_seconds=HOUR)
    decisions = await asyncio.gather(*(limiters[n % 2].hit(CLIENT, policy) for n in range(3 * policy.limit)))
    assert sum(d.allowed for d in decisions) == policy.limit
    assert all(d.retry_after_seconds >= 1 for d in decisions if not d.allowed)
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(policy.limit))


async def test_clients_and_policies_are_independent(limiter: RedisRateLimiter) -> None:
    auth = RateLimitPolicy("auth", limit=2, window_seconds=HOUR)
    api = RateLimitPolicy("api", limit=2, window_seconds=HOUR)
    assert [d.allowed for d in await burst(limiter, 3, auth)] == [True, True, False]
    assert (await limiter.hit("198.51.100.1", auth)).allowed
    assert (await limiter.hit(CLIENT, api)).allowed


async def test_keys_hide_the_client_and_share_one_hash_slot(
    limiter: RedisRateLimiter, redis_client: Redis, key_prefix: str
) -> None:
    clients = [CLIENT, "198.51.100.1", "2001:db8::1", "user:0190f0c4-5c2e-7a44-b1f3-1e5b0b2f9a10"]
    for policy in (RateLimitPolicy("auth", 5), RateLimitPolicy("api", 5), RateLimitPolicy("user", 5)):
        for client in clients:
            await limiter.hit(client, policy)
    keys = await keys_under(redis_client, key_prefix)
    assert len(keys) == 12
    shape = re.compile(re.escape(key_prefix) + r"\{rl\}:(auth|api|user):[0-9a-f]{32}")
    assert all(shape.fullmatch(key) for key in keys)
    assert all(client not in key for key in keys for client in clients)
    assert len({key_slot(key.encode()) for key in keys}) == 1
    assert key_slot(keys[0].encode()) == key_slot(b"rl")


async def test_the_key_expires_when_the_allowance_is_restored(limiter: RedisRateLimiter, redis_client: Redis) -> None:
    policy = RateLimitPolicy("api", limit=5, window_seconds=60)
    await limiter.hit(CLIENT, policy)
    key = limiter.key_for(CLIENT, policy)
    assert 11_000 < await redis_client.pttl(key) <= 12_000  # one emission interval
    float(await redis_client.get(key))  # the TAT, in ms
    await burst(limiter, 4, policy)
    assert 59_000 < await redis_client.pttl(key) <= 60_000  # about one window
    await limiter.hit(CLIENT, policy)  # refused: nothing is written
    assert 59_000 < await redis_client.pttl(key) <= 60_000


# -- the circuit breaker -------------------------------------------------------------------


async def test_redis_down_falls_back_fast(key_prefix: str) -> None:
    client = production_client(f"redis://127.0.0.1:{spare_port()}/0")
    trips = RoundTrips(client, timeout=0.2)
    transitions: list[bool] = []
    breaker = FallbackRateLimiter(
        RedisRateLimiter(trips, key_prefix), InMemoryRateLimiter(), on_state_change=transitions.append
    )
    policy = RateLimitPolicy("auth", limit=2, window_seconds=HOUR)
    try:
        with capture_logs() as logs:
            started = time.perf_counter()
            first = await breaker.hit(CLIENT, policy)
            elapsed = time.perf_counter() - started
            rest = [await breaker.hit(CLIENT, policy) for _ in range(2)]
        assert elapsed < 1.0
        assert first.allowed
        assert [d.allowed for d in rest] == [True, False]  # the memory limiter still limits
        assert breaker.fallback_active is True
        assert transitions == [True]
        assert [entry["event"] for entry in logs].count("rate_limiter_fallback_active") == 1
    finally:
        await trips.aclose()
        await client.aclose()


async def test_breaker_follows_redis_through_an_outage(private_redis: PrivateRedis, redis_key_prefix: str) -> None:
    client = production_client(private_redis.url)
    trips = RoundTrips(client, timeout=0.2)
    primary = RedisRateLimiter(trips, redis_key_prefix)
    transitions: list[bool] = []
    breaker = FallbackRateLimiter(
        primary, InMemoryRateLimiter(), retry_interval_seconds=0.2, on_state_change=transitions.append
    )
    policy = RateLimitPolicy("api", limit=3, window_seconds=HOUR)
    key = primary.key_for(CLIENT, policy)
    try:
        with capture_logs() as logs:
            first = await breaker.hit(CLIENT, policy)
            assert first.allowed
            assert first.remaining == 2
            assert breaker.fallback_active is False
            assert await client.exists(key) == 1  # counted in Redis

            private_redis.stop()
            started = time.perf_counter()
            during = await breaker.hit(CLIENT, policy)
            assert time.perf_counter() - started < 1.0
            assert during.allowed
            assert during.remaining == 2  # memory has its own count
            assert breaker.fallback_active is True
            assert transitions == [True]
            for _ in range(5):  # within the retry interval nobody waits on the dead Redis
                started = time.perf_counter()
                await breaker.hit(CLIENT, policy)
                assert (
                    time.perf_counter() - started < 0.5
                )  # far below one 200 ms Redis timeout per call, with room for a loaded CI

            private_redis.start()  # same port, empty (no persistence)
            deadline = time.monotonic() + 5
            restored = during
            while breaker.fallback_active and time.monotonic() < deadline:
                await asyncio.sleep(0.25)
                restored = await breaker.hit(CLIENT, policy)
            assert breaker.fallback_active is False
            assert transitions == [True, False]
            assert restored.allowed
            assert restored.remaining == 2  # counted by the restarted Redis, from scratch
            assert await trips.run(("EXISTS", key)) == [1]  # (the client's own pooled socket died with Redis)
            after = [await breaker.hit(CLIENT, policy) for _ in range(3)]
            assert [d.allowed for d in after] == [True, True, False]  # counts go to Redis again
            assert [d.remaining for d in after] == [1, 0, 0]

        events = [entry["event"] for entry in logs]
        assert events.count("rate_limiter_fallback_active") == 1
        assert events.count("rate_limiter_redis_restored") == 1
    finally:
        await trips.aclose()
        await client.aclose()


# -- the session check that rides along ---------------------------------------------------


async def test_hit_for_session_reads_liveness_in_the_same_round_trip(
    limiter: RedisRateLimiter, redis_client: Redis, key_prefix: str
) -> None:
    policy = RateLimitPolicy("user", limit=3, window_seconds=HOUR)
    live, gone = uuid.uuid4(), uuid.uuid4()
    await redis_client.hset(session_key(key_prefix, live), "u", "someone")
    first = await limiter.hit_for_session("user:a", policy, live)
    second = await limiter.hit_for_session("user:a", policy, gone)
    assert (first.session_live, second.session_live) == (True, False)
    assert [first.decision.remaining, second.decision.remaining] == [2, 1]  # both counted, one bucket
    await redis_client.delete(session_key(key_prefix, live))  # revoked: the very next request knows
    assert (await limiter.hit_for_session("user:a", policy, live)).session_live is False


async def test_without_a_session_layout_liveness_is_left_to_the_session_store(
    trips: RoundTrips, key_prefix: str
) -> None:
    limiter = RedisRateLimiter(trips, key_prefix)
    outcome = await limiter.hit_for_session("user:a", RateLimitPolicy("user", 2), uuid.uuid4())
    assert outcome.session_live is None
    assert outcome.decision.allowed


async def test_a_script_redis_forgot_is_sent_again(private_redis: PrivateRedis, redis_key_prefix: str) -> None:
    client = production_client(private_redis.url)
    trips = RoundTrips(client, timeout=0.2)
    limiter = RedisRateLimiter(trips, redis_key_prefix, session_key=partial(session_key, redis_key_prefix))
    policy = RateLimitPolicy("api", limit=3, window_seconds=HOUR)
    try:
        assert (await limiter.hit(CLIENT, policy)).remaining == 2
        await client.script_flush()  # as after a restart: EVALSHA now answers NOSCRIPT
        assert (await limiter.hit(CLIENT, policy)).remaining == 1
        await client.script_flush()
        outcome = await limiter.hit_for_session(CLIENT, policy, uuid.uuid4())
        assert (outcome.decision.remaining, outcome.session_live) == (0, False)
    finally:
        await trips.aclose()
        await client.aclose()


async def test_the_breaker_leaves_liveness_unknown_while_redis_is_down(key_prefix: str) -> None:
    client = production_client(f"redis://127.0.0.1:{spare_port()}/0")
    trips = RoundTrips(client, timeout=0.2)
    breaker = FallbackRateLimiter(
        RedisRateLimiter(trips, key_prefix, session_key=partial(session_key, key_prefix)), InMemoryRateLimiter()
    )
    try:
        outcome = await breaker.hit_for_session("user:a", RateLimitPolicy("user", 2), uuid.uuid4())
        assert outcome.decision.allowed
        assert outcome.session_live is None  # the auth middleware asks the session store (fails open)
        assert breaker.fallback_active is True
    finally:
        await trips.aclose()
        await client.aclose()
