"""The hot path's own Redis connections, on a real Redis (the shared one, or a private one a test
may pause, stop and start)."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError, ResponseError

from infrastructure.redis.round_trips import RoundTrips
from tests.private_redis import PrivateRedis


async def test_commands_share_one_exchange_and_replies_come_back_in_order(
    trips: RoundTrips, redis_client: Redis, key_prefix: str
) -> None:
    key = f"{key_prefix}counter"
    replies = await trips.run(("INCR", key), ("EXISTS", key), ("INCRBY", key, 5), ("EXISTS", f"{key_prefix}none"))
    assert replies == [1, 1, 6, 0]
    assert await redis_client.get(key) == b"6"


async def test_a_refused_command_takes_its_place_and_the_others_still_run(trips: RoundTrips, key_prefix: str) -> None:
    key = f"{key_prefix}k"
    replies = await trips.run(("SET", key, "x"), ("INCR", key), ("EVALSHA", "0" * 40, 0), ("GET", key))
    assert replies[0] == b"OK"
    assert isinstance(replies[1], ResponseError)
    assert isinstance(replies[2], NoScriptError)
    assert replies[3] == b"x"
    assert (trips.open, trips.idle) == (1, 1)  # refusals are answers: the connection stays good


async def test_one_connection_serves_requests_one_after_another(trips: RoundTrips, key_prefix: str) -> None:
    for _ in range(20):
        await trips.run(("EXISTS", f"{key_prefix}x"))
    assert (trips.open, trips.idle) == (1, 1)


async def test_an_idle_connection_the_server_closed_is_replaced_transparently(
    trips: RoundTrips, redis_client: Redis, key_prefix: str
) -> None:
    (first_id,) = await trips.run(("CLIENT", "ID"))
    await redis_client.client_kill_filter(_id=str(first_id))  # as a restart, an idle timeout or a proxy would
    replies = await trips.run(("INCR", f"{key_prefix}c"), ("CLIENT", "ID"))
    assert replies[0] == 1  # counted once, on the new connection
    assert replies[1] != first_id
    assert (trips.open, trips.idle) == (1, 1)


async def test_concurrent_exchanges_use_separate_connections_and_keep_at_most_max_idle(
    redis_client: Redis, key_prefix: str
) -> None:
    trips = RoundTrips(redis_client, timeout=5, max_idle=3)
    try:
        key = f"{key_prefix}n"
        replies = await asyncio.gather(*(trips.run(("INCR", key), ("CLIENT", "ID")) for _ in range(10)))
        assert sorted(int(count) for count, _ in replies) == list(range(1, 11))
        assert len({client_id for _, client_id in replies}) == 10  # each exchange on its own connection
        assert (trips.open, trips.idle) == (3, 3)
    finally:
        await trips.aclose()
    assert (trips.open, trips.idle) == (0, 0)


async def test_beyond_max_connections_exchanges_wait_their_turn(redis_client: Redis, key_prefix: str) -> None:
    trips = RoundTrips(redis_client, timeout=5, max_connections=2)
    try:
        replies = await asyncio.gather(*(trips.run(("CLIENT", "ID"), ("EXISTS", f"{key_prefix}x")) for _ in range(8)))
        assert all(exists == 0 for _, exists in replies)  # none refused
        assert len({client_id for client_id, _ in replies}) <= 2
        assert trips.open == 2
    finally:
        await trips.aclose()


async def test_waiting_for_a_free_connection_does_not_count_toward_the_timeout(
    redis_client: Redis, key_prefix: str
) -> None:
    """Under load the wait for a connection is the client's own queue, not Redis being slow: were it
    counted, an overloaded server would take a healthy Redis for a down one (issue 8)."""
    trips = RoundTrips(redis_client, timeout=0.5, max_connections=1)
    try:
        # Each exchange takes 0.2 s in Redis (BLPOP on an empty list); the third waits 0.4 s for the
        # one connection, longer than the 0.5 s timeout allows once its own 0.2 s are added.
        replies = await asyncio.gather(*(trips.run(("BLPOP", f"{key_prefix}empty", "0.2")) for _ in range(3)))
        assert replies == [[None]] * 3
    finally:
        await trips.aclose()


async def test_closing_waits_for_no_one_and_leaves_nothing_open(redis_client: Redis, key_prefix: str) -> None:
    trips = RoundTrips(redis_client, timeout=5)
    await trips.run(("EXISTS", f"{key_prefix}x"))
    in_flight = asyncio.create_task(trips.run(("BLPOP", f"{key_prefix}empty", "0.2")))  # Redis answers in 0.2 s
    await asyncio.sleep(0.05)
    await trips.aclose()
    assert trips.idle == 0
    assert await in_flight == [None]  # the exchange under way finishes...
    assert trips.open == 0  # ...and its connection is closed, not kept
    with pytest.raises(RedisError):
        await trips.run(("EXISTS", f"{key_prefix}x"))


async def test_a_paused_server_times_out_and_the_connection_is_dropped(private_redis: PrivateRedis) -> None:
    client = Redis.from_url(private_redis.url, socket_timeout=5)
    trips = RoundTrips(client, timeout=0.2)
    try:
        assert await trips.run(("PING",)) == [b"PONG"]  # raw replies: no client callbacks
        await client.execute_command("CLIENT", "PAUSE", "1000", "ALL")  # type: ignore[no-untyped-call]
        started = time.perf_counter()
        with pytest.raises(TimeoutError):
            await trips.run(("EXISTS", "k"))
        assert time.perf_counter() - started < 0.9
        assert (trips.open, trips.idle) == (0, 0)  # its reply may still come: never reused
        await asyncio.sleep(1)
        assert await trips.run(("EXISTS", "k")) == [0]  # a fresh connection, a clean stream
    finally:
        await trips.aclose()
        await client.aclose()


async def test_a_server_that_goes_away_raises_and_a_restart_is_picked_up(private_redis: PrivateRedis) -> None:
    client = Redis.from_url(private_redis.url, socket_timeout=0.2)
    trips = RoundTrips(client, timeout=0.2)
    try:
        assert await trips.run(("SET", "k", "1"), ("GET", "k")) == [b"OK", b"1"]
        private_redis.stop()
        for _ in range(3):
            with pytest.raises((RedisError, OSError)):
                await trips.run(("GET", "k"))
            assert trips.open == 0
        private_redis.start()
        assert await trips.run(("GET", "k")) == [None]  # restarted empty, answered on a new connection
        assert trips.open == 1
    finally:
        await trips.aclose()
        await client.aclose()


def test_settings_are_checked() -> None:
    client = Redis()
    with pytest.raises(ValueError, match="RoundTrips needs"):
        RoundTrips(client, timeout=0)
    with pytest.raises(ValueError, match="RoundTrips needs"):
        RoundTrips(client, timeout=1, max_connections=0)
    with pytest.raises(ValueError, match="RoundTrips needs"):
        RoundTrips(client, timeout=1, max_idle=-1)
