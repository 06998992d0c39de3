"""Real PostgreSQL and Redis for the suite, found in this order:

1. ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` from the environment;
2. testcontainers, when a Docker daemon answers within one second;
3. the local defaults on 127.0.0.1:5432 and 127.0.0.1:6379, when they answer;
4. otherwise the run fails, saying how to provide them (never a silent skip).

Each run works in its own throwaway database, dropped afterwards, and under its own Redis key
prefix; the shared servers are never flushed or stopped.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from redis import Redis as SyncRedis
from sqlalchemy.engine import make_url

from infrastructure.config import generate_secret_key
from infrastructure.logging import configuration_restored
from tests.private_redis import PrivateRedis

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
HOW_TO_PROVIDE = (
    "No {what} for the tests. Set {var} to a server the tests may create databases/keys on, "
    "start a Docker daemon (testcontainers is used), or run one locally on {local}."
)


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """A test that configures logging (an in-process CLI command at WARNING, an app factory) must
    not decide which events the next test's loggers drop."""
    with configuration_restored():
        yield


def _tcp_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def docker_answers() -> bool:
    """A one-second probe so a missing daemon never hangs the run."""
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    parts = urlsplit(docker_host)
    try:
        if parts.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(1)
            sock.connect(parts.path)
        elif parts.scheme == "tcp" and parts.hostname:
            sock = socket.create_connection((parts.hostname, parts.port or 2375), timeout=1)
        else:
            return False
        with sock:
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return b" 200 " in sock.recv(64)
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A URL to a maintenance database on a server where the run may create its own databases."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    if docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as container:
            yield container.get_connection_url()
        return
    if _tcp_answers("127.0.0.1", 5432):
        yield LOCAL_POSTGRES
        return
    pytest.fail(HOW_TO_PROVIDE.format(what="PostgreSQL", var="TEST_DATABASE_URL", local="127.0.0.1:5432"))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
        return
    if docker_answers():
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7") as container:
            yield f"redis://{container.get_container_host_ip()}:{container.get_exposed_port(6379)}/0"
        return
    if _tcp_answers("127.0.0.1", 6379):
        yield LOCAL_REDIS
        return
    pytest.fail(HOW_TO_PROVIDE.format(what="Redis", var="TEST_REDIS_URL", local="127.0.0.1:6379"))


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def make_database(postgres_admin_url: str) -> Iterator[Callable[[], str]]:
    """Creates throwaway databases on demand; every one is dropped when the run ends."""
    created: list[str] = []

    def create() -> str:
        name = f"fv_test_{uuid.uuid4().hex[:16]}"
        asyncio.run(_admin(postgres_admin_url, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)

    yield create
    for name in created:
        asyncio.run(_admin(postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(make_database: Callable[[], str]) -> str:
    """The run's database, migrated to head."""
    from infrastructure.db import migrations

    url = make_database()
    migrations.upgrade(migrations.alembic_config(url))
    return url


@pytest.fixture(scope="session")
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    prefix = f"fv-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = SyncRedis.from_url(redis_url, socket_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own, which it may stop and restart."""
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secret_key() -> str:
    return generate_secret_key()


@pytest.fixture(scope="session")
def service_environ(database_url: str, redis_url: str, redis_key_prefix: str, secret_key: str) -> dict[str, str]:
    """A complete, valid environment pointing at the run's database and Redis."""
    return {
        "ENVIRONMENT": "test",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_key_prefix,
        "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver.local",
        "LOG_FORMAT": "json",
    }
