"""Redis stops under a running server: issuing tokens answers 503, valid access tokens keep
working, readiness says `degraded`. Uses a private redis-server on a spare port, never the shared one."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.api_helpers import bearer, login, signup
from tests.e2e.conftest import ServerProcess
from tests.private_redis import PrivateRedis

pytestmark = pytest.mark.e2e


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

    for _ in range(5):
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
    assert server.logs().count("session_check_degraded") == 1  # once per outage, not per request
    assert server.logs().count("rate_limiter_fallback_active") == 1

    private_redis.start()
    # The rate limiter's breaker retries Redis after its interval (5 s) on the next limited request.
    deadline = time.monotonic() + 15
    while client.get("/health/ready").json()["checks"]["redis"] != "ok" and time.monotonic() < deadline:
        client.get("/api/nothing-here")
        time.sleep(0.25)
    assert client.get("/health/ready").json()["checks"]["redis"] == "ok"
    fresh = login(client, shop.email)
    assert client.get("/api/auth/me", headers=bearer(fresh["access_token"])).status_code == 200
