"""The hot path to Redis: a few commands in one write and one read, on connections of our own.

Every authenticated request asks Redis whether its session is live and counts itself against its
rate limit. Through redis-py 8's client each command costs more client CPU than Redis spends on
it: a pool lock, observability hooks, and a task per socket write for the write timeout. Here the
commands of one request go out as one packed write on a connection taken from a small LIFO stack,
their replies are read back in order, and one ``asyncio.timeout`` bounds the whole exchange
(``scripts/bench_edge.py`` measures what that buys). Everything else keeps using the client.

The connections are made from the client's own connection class and settings (address, TLS,
password, database, protocol), so they connect exactly as the client does. A connection goes back
on the stack only after a complete exchange; a timeout, a cancellation or any error closes it,
since replies may still be on their way. Errors surface as redis-py's (``RedisError``) or
``TimeoutError``/``OSError``, which the adapters already turn into "Redis unavailable".
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

Command = Sequence[str | bytes | int | float]


def pack(commands: tuple[Command, ...]) -> bytes:
    """The commands in Redis's wire format (RESP arrays of bulk strings), in one buffer. The hot
    path's arguments are only strings, bytes, integers and floats, so this does in one pass what
    redis-py's general encoder does with a memoryview and an encoder call per argument; the bytes
    are the same (floats as ``repr``, as redis-py writes them)."""
    out = bytearray()
    for command in commands:
        out += b"*%d\r\n" % len(command)
        for arg in command:
            if isinstance(arg, bytes):
                data = arg
            elif isinstance(arg, str):
                data = arg.encode()
            elif isinstance(arg, bool):
                raise TypeError("a boolean is not a Redis argument")
            elif isinstance(arg, int):
                data = b"%d" % arg
            elif isinstance(arg, float):
                data = repr(arg).encode()
            else:
                raise TypeError(f"{type(arg).__name__} is not a Redis argument")
            out += b"$%d\r\n%s\r\n" % (len(data), data)
    return bytes(out)


class RoundTrips:
    """``max_connections`` (by default the client pool's) bounds the exchanges in flight: beyond it
    a caller waits for a free connection (outside its timeout) rather than being refused, so a burst
    of requests does not look like a Redis outage. Up to ``max_idle`` (by default all of them) stay
    open between exchanges, so a busy server does not reconnect under load."""

    def __init__(
        self, redis: Redis, *, timeout: float, max_connections: int | None = None, max_idle: int | None = None
    ) -> None:
        pool = redis.connection_pool
        limit = pool.max_connections if max_connections is None else max_connections
        if timeout <= 0 or limit < 1 or (max_idle is not None and max_idle < 0):
            raise ValueError("RoundTrips needs a positive timeout, max_connections >= 1 and max_idle >= 0")
        # The exchange as a whole is bounded below; a per-write timeout would cost a task per write.
        self._kwargs = {**pool.connection_kwargs, "socket_timeout": None}
        self._connection_class = pool.connection_class
        self._timeout = timeout
        self._slots = asyncio.Semaphore(limit)
        self._max_idle = limit if max_idle is None else min(max_idle, limit)
        self._idle: list[AbstractConnection] = []
        self._open = 0
        self._closed = False

    @property
    def idle(self) -> int:
        return len(self._idle)

    @property
    def open(self) -> int:
        """Connections open or being opened, idle ones included."""
        return self._open

    async def run(self, *commands: Command) -> list[Any]:
        """Each command's raw reply (no client-side conversion: ``SET`` gives ``b"OK"``), in order.
        A command Redis refused (a ``ResponseError``, such as NOSCRIPT) is returned in its place
        rather than raised, so the others are not lost.

        An idle connection may have been closed by the server meanwhile (a restart, an idle
        ``timeout``, a proxy): when a reused connection fails that way, every idle one is dropped
        and the exchange is tried once more on a new connection, within the same timeout. (Should
        the first connection break after Redis ran the commands, they run twice; for the rate
        limiter that is one extra count, in a case that needs a connection to die mid-exchange
        while Redis stays up.) A new connection that fails, or any timeout, is raised at once:
        Redis is down or stalled."""
        if self._closed:
            raise RedisConnectionError("the hot-path Redis connections are closed")
        # The wait for a free connection is not Redis being slow: only the exchange itself is timed.
        # (Under overload the wait is bounded by the edge's cap on requests in flight.)
        async with self._slots, asyncio.timeout(self._timeout):
            reused = bool(self._idle)
            try:
                return await self._exchange(self._take(), commands)
            except RedisConnectionError:
                if not reused:
                    raise
                await self._drop_idle()
            return await self._exchange(self._take(), commands)

    async def _exchange(self, connection: AbstractConnection, commands: tuple[Command, ...]) -> list[Any]:
        try:
            await connection.send_packed_command(pack(commands), check_health=False)
            replies: list[Any] = []
            for _ in commands:
                try:
                    replies.append(await connection.read_response())
                except ResponseError as refused:
                    replies.append(refused)
        except BaseException:
            # Replies may still be on their way (timeout, cancellation): never reuse it.
            self._open -= 1
            await connection.disconnect(nowait=True)
            raise
        if self._closed or len(self._idle) >= self._max_idle:
            self._open -= 1
            await connection.disconnect(nowait=True)
        else:
            self._idle.append(connection)
        return replies

    def _take(self) -> AbstractConnection:
        if self._idle:
            return self._idle.pop()
        connection: AbstractConnection = self._connection_class(**self._kwargs)
        self._open += 1
        return connection

    async def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        for connection in idle:
            await connection.disconnect(nowait=True)

    async def aclose(self) -> None:
        """Close the idle connections; those in use close when their exchange ends."""
        self._closed = True
        await self._drop_idle()
