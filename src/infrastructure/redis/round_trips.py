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


class RoundTrips:
    def __init__(self, redis: Redis, *, timeout: float, max_connections: int = 100, max_idle: int = 16) -> None:
        if timeout <= 0 or max_connections < 1 or max_idle < 0:
            raise ValueError("RoundTrips needs a positive timeout, max_connections >= 1 and max_idle >= 0")
        pool = redis.connection_pool
        # The exchange as a whole is bounded below; a per-write timeout would cost a task per write.
        self._kwargs = {**pool.connection_kwargs, "socket_timeout": None}
        self._connection_class = pool.connection_class
        self._timeout = timeout
        self._max_connections = max_connections
        self._max_idle = min(max_idle, max_connections)
        self._idle: list[AbstractConnection] = []
        self._open = 0

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
        and the exchange is tried once more on a new connection, within the same timeout. A new
        connection that fails, or any timeout, is raised at once: Redis is down or stalled."""
        async with asyncio.timeout(self._timeout):
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
            await connection.send_packed_command(connection.pack_commands(commands), check_health=False)
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
        if len(self._idle) < self._max_idle:
            self._idle.append(connection)
        else:
            self._open -= 1
            await connection.disconnect(nowait=True)
        return replies

    def _take(self) -> AbstractConnection:
        if self._idle:
            return self._idle.pop()
        if self._open >= self._max_connections:
            raise RedisConnectionError("too many Redis connections on the hot path")
        self._open += 1
        connection: AbstractConnection = self._connection_class(**self._kwargs)
        return connection

    async def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        for connection in idle:
            await connection.disconnect(nowait=True)

    async def aclose(self) -> None:
        await self._drop_idle()
