"""Readiness probes against real and unreachable PostgreSQL and Redis."""

from __future__ import annotations

import socket

from application.health.ports import ProbeStatus
from infrastructure.config import load_settings
from infrastructure.db.database import create_engine
from infrastructure.db.probes import DatabaseProbe
from infrastructure.redis.client import create_redis
from infrastructure.redis.probes import RedisProbe


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_database_probe_ok(service_environ: dict[str, str]) -> None:
    engine = create_engine(load_settings(service_environ))
    try:
        assert await DatabaseProbe(engine).check() is ProbeStatus.OK
    finally:
        await engine.dispose()


async def test_database_probe_down_when_unreachable(service_environ: dict[str, str]) -> None:
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/nowhere"
    engine = create_engine(load_settings({**service_environ, "DATABASE_URL": url}))
    try:
        assert await DatabaseProbe(engine, timeout=2).check() is ProbeStatus.DOWN
    finally:
        await engine.dispose()


async def test_redis_probe_ok(service_environ: dict[str, str]) -> None:
    client = create_redis(load_settings(service_environ))
    try:
        assert await RedisProbe(client).check() is ProbeStatus.OK
    finally:
        assert client is not None
        await client.aclose()


async def test_redis_probe_degraded_when_unreachable(service_environ: dict[str, str]) -> None:
    settings = load_settings({**service_environ, "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"})
    client = create_redis(settings)
    try:
        assert await RedisProbe(client).check() is ProbeStatus.DEGRADED
    finally:
        assert client is not None
        await client.aclose()


async def test_redis_probe_not_configured() -> None:
    assert await RedisProbe(None).check() is ProbeStatus.NOT_CONFIGURED


async def test_redis_client_fails_fast_without_retries(service_environ: dict[str, str]) -> None:
    """A Redis that accepts connections but never answers must not stall a request for seconds."""
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes handshakes; nobody ever replies
        port = silent.getsockname()[1]
        settings = load_settings({**service_environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0"})
        client = create_redis(settings)
        assert client is not None
        started = time.monotonic()
        try:
            assert await RedisProbe(client).check() is ProbeStatus.DEGRADED
        finally:
            await client.aclose()
        # With the default retry policy this takes seconds; with 200 ms and no retries, well under one.
        assert time.monotonic() - started < 2.0
