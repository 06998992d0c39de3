"""Fixtures shared by the Redis adapter tests: a client, and a key prefix of the test's own
under the run's prefix (its keys are deleted afterwards; the shared Redis is never flushed)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from infrastructure.redis.round_trips import RoundTrips


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    yield client
    await client.aclose()


@pytest.fixture
async def trips(redis_client: Redis) -> AsyncIterator[RoundTrips]:
    """The hot-path connections beside ``redis_client`` (session checks, rate limiting)."""
    trips = RoundTrips(redis_client, timeout=5)
    yield trips
    await trips.aclose()


@pytest.fixture
async def key_prefix(redis_client: Redis, redis_key_prefix: str) -> AsyncIterator[str]:
    prefix = f"{redis_key_prefix}it-{uuid.uuid4().hex[:10]}:"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}*", count=500)]
    if keys:
        await redis_client.delete(*keys)


async def keys_under(client: Redis, prefix: str) -> list[str]:
    return sorted([key.decode() async for key in client.scan_iter(match=f"{prefix}*", count=500)])
