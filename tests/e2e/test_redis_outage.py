"""Redis stops under a running server: issuing tokens answers 503, valid access tokens keep
working, readiness says `degraded`. Uses a private redis-server on a spare port, never the shared one."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.api_helpers import bearer, login, signup
from tests.e2e.conftest import ServerProcess, free_port

pytestmark = pytest.mark.e2e


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is needed for the outage test (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import socket

                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def test_redis_outage_keeps_access_tokens_working_and_refuses_new_tokens(
    private_redis: PrivateRedis,
    server_factory: Callable[..., ServerProcess],
    production_environ: dict[str, str],
) -> None:
    server = server_factory(["serve"], {**production_environ, "REDIS_URL": private_redis.url})
    client: httpx.Client = server.client
    shop = signup(client)
    tokens = login(client, shop.email)
    assert client.get("/health/ready").json()["checks"]["redis"] == "ok"

    private_redis.stop()

    me = client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    for response in (
        client.post("/api/auth/login", json={"email": shop.email, "password": shop.password}),
        client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
    ):
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "SERVICE_UNAVAILABLE"
        assert int(response.headers["retry-after"]) > 0
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "degraded"}
    assert "Traceback" not in server.logs()

    private_redis.start()
    # The rate limiter's breaker retries Redis after its interval (5 s) on the next limited request.
    deadline = time.monotonic() + 15
    while client.get("/health/ready").json()["checks"]["redis"] != "ok" and time.monotonic() < deadline:
        client.get("/api/nothing-here")
        time.sleep(0.25)
    assert client.get("/health/ready").json()["checks"]["redis"] == "ok"
    fresh = login(client, shop.email)
    assert client.get("/api/auth/me", headers=bearer(fresh["access_token"])).status_code == 200
