"""The Redis session store against the shared contract on a real Redis, plus what only Redis has:
key layout, TTLs, leftovers after revocation, and failing fast when Redis is down or silent."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from application.accounts.ports import RotationOutcome, SessionRecord
from application.shared.errors import DependencyUnavailable
from infrastructure.accounts.refresh_tokens import OpaqueRefreshTokens
from infrastructure.accounts.session_store import RedisSessionStore
from infrastructure.config import generate_secret_key, load_settings
from infrastructure.redis.client import create_redis
from infrastructure.redis.round_trips import RoundTrips
from tests.integration.conftest import keys_under
from tests.session_store_contract import WEEK, SessionStoreContract, new_hash, new_record, start

_tokens = OpaqueRefreshTokens()


class RedisHarness:
    def __init__(self, store: RedisSessionStore) -> None:
        self.store = store

    async def elapse(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@pytest.fixture
def harness(redis_client: Redis, trips: RoundTrips, key_prefix: str) -> RedisHarness:
    return RedisHarness(RedisSessionStore(redis_client, key_prefix, trips))


class TestRedisSessionStore(SessionStoreContract):
    pass


# -- Redis only --------------------------------------------------------------------------------


async def test_keys_share_one_slot_and_hold_no_token(redis_client: Redis, trips: RoundTrips, key_prefix: str) -> None:
    store = RedisSessionStore(redis_client, key_prefix, trips)
    first, second = _tokens.new(), _tokens.new()
    record = new_record()
    await store.create(record, first.token_hash, WEEK)
    assert (await store.rotate(first.token_hash, second.token_hash, WEEK)).outcome is RotationOutcome.ROTATED

    keys = await keys_under(redis_client, key_prefix)
    assert {key.removeprefix(f"{key_prefix}{{auth}}:").split(":")[0] for key in keys} == {"sess", "rt", "fam", "user"}
    assert len({key_slot(key.encode()) for key in keys}) == 1
    dumped = repr(keys)
    for key in keys:
        kind = await redis_client.type(key)
        if kind == b"hash":
            dumped += repr(await redis_client.hgetall(key))
        elif kind == b"zset":
            dumped += repr(await redis_client.zrange(key, 0, -1, withscores=True))
        else:
            dumped += repr(await redis_client.smembers(key))
    assert first.token_hash in dumped
    for token in (first.token, second.token):
        assert token not in dumped
        assert token.removeprefix("fvr_") not in dumped


async def test_ttls_follow_the_family(redis_client: Redis, trips: RoundTrips, key_prefix: str) -> None:
    store = RedisSessionStore(redis_client, key_prefix, trips)
    base = f"{key_prefix}{{auth}}:"
    record = new_record()
    first, second = new_hash(), new_hash()
    await store.create(record, first, timedelta(hours=1))
    assert (await store.rotate(first, second, WEEK)).outcome is RotationOutcome.ROTATED

    week_ms = WEEK.total_seconds() * 1000
    for key in (
        f"{base}sess:{record.session_id}",
        f"{base}rt:{first}",  # spent, kept as long as the family to detect its reuse
        f"{base}rt:{second}",
        f"{base}fam:{record.session_id}",
        f"{base}user:{record.user_id}",
    ):
        pttl = await redis_client.pttl(key)
        assert week_ms - 10_000 < pttl <= week_ms, key
    assert (await redis_client.hget(f"{base}rt:{first}", "st")) == b"spent"
    assert (await redis_client.hget(f"{base}rt:{second}", "st")) == b"current"
    assert (await redis_client.hget(f"{base}sess:{record.session_id}", "rt")) == second.encode()


async def test_reuse_and_revoke_leave_no_keys(redis_client: Redis, trips: RoundTrips, key_prefix: str) -> None:
    store = RedisSessionStore(redis_client, key_prefix, trips)
    user_id = uuid.uuid4()
    reused = await start(store, user_id)
    successor = new_hash()
    assert (await store.rotate(reused.current, successor, WEEK)).outcome is RotationOutcome.ROTATED
    assert (await store.rotate(reused.current, new_hash(), WEEK)).outcome is RotationOutcome.REUSED
    revoked = await start(store, user_id)
    await store.revoke(revoked.record.session_id)
    assert await keys_under(redis_client, key_prefix) == []


async def test_concurrent_rotation_leaves_a_consistent_state(
    redis_client: Redis, trips: RoundTrips, key_prefix: str
) -> None:
    store = RedisSessionStore(redis_client, key_prefix, trips)
    family = await start(store)
    bystander = await start(store, family.record.user_id)
    rotations = await asyncio.gather(*(store.rotate(family.current, new_hash(), WEEK) for _ in range(50)))
    assert [r.outcome for r in rotations].count(RotationOutcome.ROTATED) == 1
    base = f"{key_prefix}{{auth}}:"
    assert await keys_under(redis_client, key_prefix) == sorted(
        [
            f"{base}sess:{bystander.record.session_id}",
            f"{base}rt:{bystander.current}",
            f"{base}fam:{bystander.record.session_id}",
            f"{base}user:{bystander.record.user_id}",
        ]
    )
    assert await redis_client.smembers(f"{base}user:{bystander.record.user_id}") == {
        str(bystander.record.session_id).encode()
    }


async def test_works_with_decoded_responses(redis_url: str, key_prefix: str) -> None:
    client = Redis.from_url(redis_url, socket_timeout=5, decode_responses=True)
    trips = RoundTrips(client, timeout=5)
    try:
        store = RedisSessionStore(client, key_prefix, trips)
        family = await start(store)
        successor = new_hash()
        rotation = await store.rotate(family.current, successor, WEEK)
        assert rotation.outcome is RotationOutcome.ROTATED
        assert rotation.session == family.record
        assert await store.find(successor) == family.record
        assert await store.is_live(family.record.session_id) is True
        assert await store.revoke_all(family.record.user_id) == 1
        assert await store.is_live(family.record.session_id) is False
    finally:
        await trips.aclose()
        await client.aclose()


# -- Redis unavailable -------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client_for(port: int) -> Redis:
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
    return client


def _calls(store: RedisSessionStore, token_hash: str) -> list[Callable[[], Awaitable[Any]]]:
    record = SessionRecord(session_id=uuid.uuid4(), user_id=uuid.uuid4(), vendor_id=uuid.uuid4())
    return [
        lambda: store.create(record, token_hash, WEEK),
        lambda: store.rotate(token_hash, new_hash(), WEEK),
        lambda: store.find(token_hash),
        lambda: store.is_live(record.session_id),
        lambda: store.revoke(record.session_id),
        lambda: store.revoke_all(record.user_id),
        lambda: store.revoke_all(record.user_id, except_session=record.session_id),
    ]


async def _assert_unavailable(store: RedisSessionStore) -> None:
    token = _tokens.new()
    for call in _calls(store, token.token_hash):
        started = time.monotonic()
        with pytest.raises(DependencyUnavailable) as caught:
            await call()
        assert time.monotonic() - started < 1.5
        assert caught.value.retry_after == 5
        assert token.token_hash not in str(caught.value)
        assert token.token not in str(caught.value)


async def test_redis_down_raises_dependency_unavailable() -> None:
    client = _client_for(_closed_port())
    trips = RoundTrips(client, timeout=0.2)
    try:
        await _assert_unavailable(RedisSessionStore(client, "fv-down:", trips))
        assert trips.open == 0  # a failed connection is never kept
    finally:
        await client.aclose()


async def test_silent_redis_times_out_as_dependency_unavailable() -> None:
    """A server that accepts connections and never answers: the 200 ms socket timeout applies."""
    connections: list[asyncio.StreamWriter] = []

    async def accept_and_ignore(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept_and_ignore, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = _client_for(port)
    trips = RoundTrips(client, timeout=0.2)
    try:
        await _assert_unavailable(RedisSessionStore(client, "fv-silent:", trips))
        assert trips.open == 0  # a connection that timed out is closed, never reused
    finally:
        await client.aclose()
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_refreshing_never_extends_a_session_past_its_absolute_lifetime(
    redis_client: Redis, trips: RoundTrips, key_prefix: str
) -> None:
    store = RedisSessionStore(redis_client, key_prefix, trips, max_lifetime=timedelta(milliseconds=1500))
    family = await start(store)  # asks for a week; the absolute lifetime caps it
    await asyncio.sleep(0.8)
    fresh = new_hash()
    assert (await store.rotate(family.current, fresh, WEEK)).outcome is RotationOutcome.ROTATED
    ttl = await redis_client.pttl(f"{key_prefix}{{auth}}:sess:{family.record.session_id}")
    assert 0 < ttl <= 800  # what is left of the 1.5 s, not a new week
    await asyncio.sleep(0.9)
    assert not await store.is_live(family.record.session_id)
    assert (await store.rotate(fresh, new_hash(), WEEK)).outcome is RotationOutcome.UNKNOWN
