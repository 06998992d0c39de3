"""The Redis login throttle on a real Redis: the policy, its keys, and failing when Redis is down."""

from __future__ import annotations

import asyncio
import socket

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from application.shared.errors import DependencyUnavailable
from infrastructure.accounts.login_throttle import RedisLoginThrottle
from infrastructure.config import generate_secret_key, load_settings
from infrastructure.redis.client import create_redis
from tests.integration.conftest import keys_under

ACCOUNT = "florist@example.com"
CLIENT = "203.0.113.7"


@pytest.fixture
def throttle(redis_client: Redis, key_prefix: str) -> RedisLoginThrottle:
    return RedisLoginThrottle(redis_client, key_prefix)


async def fail(throttle: RedisLoginThrottle, times: int, account: str = ACCOUNT, client: str = CLIENT) -> None:
    for _ in range(times):
        await throttle.record_failure(account, client)


async def test_five_free_failures_then_growing_waits(throttle: RedisLoginThrottle) -> None:
    for _ in range(5):
        assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
        await throttle.record_failure(ACCOUNT, CLIENT)
    waits = [await throttle.retry_after(ACCOUNT, CLIENT)]
    for _ in range(4):
        await throttle.record_failure(ACCOUNT, CLIENT)
        waits.append(await throttle.retry_after(ACCOUNT, CLIENT))
    assert waits == [1, 2, 4, 8, 16]


async def test_cap(redis_client: Redis, key_prefix: str) -> None:
    throttle = RedisLoginThrottle(redis_client, key_prefix, max_delay_seconds=3)
    await fail(throttle, 100)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 3
    default = RedisLoginThrottle(redis_client, key_prefix + "default:")
    await fail(default, 60)
    assert await default.retry_after(ACCOUNT, CLIENT) == 900


async def test_other_client_and_other_account_are_unaffected(throttle: RedisLoginThrottle) -> None:
    await fail(throttle, 8)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 8
    assert await throttle.retry_after(ACCOUNT, "198.51.100.1") == 0
    assert await throttle.retry_after("someone@example.com", CLIENT) == 0


async def test_reset_clears_the_pair(redis_client: Redis, key_prefix: str, throttle: RedisLoginThrottle) -> None:
    await fail(throttle, 7)
    await fail(throttle, 7, client="198.51.100.1")
    await throttle.reset(ACCOUNT, CLIENT)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
    assert await throttle.retry_after(ACCOUNT, "198.51.100.1") == 4
    await fail(throttle, 4)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0  # counting started over
    await throttle.reset(ACCOUNT, CLIENT)
    await throttle.reset(ACCOUNT, "198.51.100.1")
    assert await keys_under(redis_client, key_prefix) == []


async def test_wait_ends(redis_client: Redis, key_prefix: str) -> None:
    throttle = RedisLoginThrottle(redis_client, key_prefix, free_failures=1)
    await fail(throttle, 1)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 1
    await asyncio.sleep(1.1)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0


async def test_window_expires(redis_client: Redis, key_prefix: str) -> None:
    throttle = RedisLoginThrottle(redis_client, key_prefix, free_failures=2, window_seconds=1)
    await fail(throttle, 1)
    await asyncio.sleep(1.2)
    await fail(throttle, 1)  # the first was forgotten: this is the first again
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
    await fail(throttle, 1)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 1


async def test_keys_hide_the_account(redis_client: Redis, key_prefix: str, throttle: RedisLoginThrottle) -> None:
    await fail(throttle, 6)
    keys = await keys_under(redis_client, key_prefix)
    assert len(keys) == 2
    assert all(ACCOUNT not in key and "florist" not in key and CLIENT not in key for key in keys)
    assert len({key_slot(key.encode()) for key in keys}) == 1
    count_key = next(key for key in keys if key.endswith(":n"))
    assert await redis_client.get(count_key) == b"6"
    pttl = await redis_client.pttl(count_key)
    assert 900_000 < pttl <= 902_000  # the window runs from the end of the 2 s wait


async def test_concurrent_failures_are_all_counted(throttle: RedisLoginThrottle) -> None:
    await asyncio.gather(*(throttle.record_failure(ACCOUNT, CLIENT) for _ in range(10)))
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 32


async def test_redis_down_raises_dependency_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(
        {
            "ENVIRONMENT": "test",
            "SECRET_KEY": generate_secret_key(),
            "DATABASE_URL": "postgresql://user@127.0.0.1:1/unused",
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        }
    )
    client = create_redis(settings)
    assert client is not None
    try:
        throttle = RedisLoginThrottle(client, "fv-down:")
        for call in (throttle.retry_after, throttle.record_failure, throttle.reset):
            with pytest.raises(DependencyUnavailable) as caught:
                await call(ACCOUNT, CLIENT)
            assert caught.value.retry_after == 5
            assert ACCOUNT not in str(caught.value)
    finally:
        await client.aclose()


async def test_parallel_attempts_cannot_all_pass_the_check(redis_url: str, redis_key_prefix: str) -> None:
    """50 simultaneous guesses: only the free ones (and the first locked one) get through.

    What is under test is the script's atomicity, not latency: the client gets generous timeouts,
    since opening 50 connections at once on a loaded CI machine can outlast the service's 200 ms."""
    import asyncio
    import uuid as _uuid

    from infrastructure.accounts.login_throttle import RedisLoginThrottle

    client = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    prefix = f"{redis_key_prefix}parallel-{_uuid.uuid4().hex[:8]}:"
    throttle = RedisLoginThrottle(client, prefix)
    try:
        waits = await asyncio.gather(*(throttle.begin_attempt("victim@example.com", "203.0.113.9") for _ in range(50)))
        allowed = sum(1 for wait in waits if wait == 0)
        assert allowed == 5  # the 5th counted attempt sets the first lock
        assert all(wait >= 1 for wait in waits if wait)
        assert await throttle.begin_attempt("victim@example.com", "198.51.100.7") == 0  # another client
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
