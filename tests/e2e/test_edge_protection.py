"""Issue 4: rate limiting, client addresses, security headers, limits, CORS and compression,
through real server processes and real Redis."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator

import brotli
import httpx
import pytest

from tests.e2e.api_helpers import SECURITY_HEADERS, add_staff, bearer, login, signup
from tests.e2e.conftest import ServerProcess, crash_app_server
from tests.private_redis import PrivateRedis

pytestmark = pytest.mark.e2e


def _limited_env(environ: dict[str, str], **extra: str) -> dict[str, str]:
    # A prefix of its own: limits counted by other tests never leak into these buckets.
    return {
        **environ,
        "REDIS_KEY_PREFIX": f"{environ['REDIS_KEY_PREFIX']}{uuid.uuid4().hex[:8]}:",
        "API_RATE_LIMIT": "5",
        "AUTH_RATE_LIMIT": "3",
        "AUTHENTICATED_RATE_LIMIT": "4",
        **extra,
    }


def assert_secure_headers(response: httpx.Response, *, production: bool = True) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert "permissions-policy" in response.headers
    assert "server" not in response.headers
    if production:
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_the_n_plus_first_request_is_429_with_retry_after(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], _limited_env(production_environ))
    answers = [server.client.get("/api/nowhere") for _ in range(6)]
    assert [a.status_code for a in answers] == [404] * 5 + [429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-policy"] == '"api";q=5;w=60'
    assert refused.headers["ratelimit"].startswith('"api";r=0;t=')
    assert answers[0].headers["ratelimit"].startswith('"api";r=4;t=')
    assert_secure_headers(refused)
    # Health is never limited.
    assert all(server.client.get("/health/live").status_code == 200 for _ in range(10))
    assert "ratelimit" not in server.client.get("/health/live").headers


def test_auth_and_user_tiers(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> None:
    server = server_factory(["serve"], _limited_env(production_environ, AUTH_RATE_LIMIT="4"))
    shop = signup(server.client)  # auth tier: 1
    token = login(server.client, shop.email)["access_token"]  # auth tier: 2
    statuses = [
        server.client.post("/api/auth/login", json={"email": shop.email, "password": "x" * 12}).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    # The user tier is counted per user, apart from the address's api tier.
    user = [server.client.get("/api/auth/me", headers=bearer(token)) for _ in range(5)]
    assert [r.status_code for r in user] == [200] * 4 + [429]
    assert user[0].headers["ratelimit-policy"] == '"user";q=4;w=60'
    assert server.client.get("/api/nowhere").headers["ratelimit-policy"] == '"api";q=5;w=60'


def test_two_servers_sharing_redis_allow_n_in_total(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    env = _limited_env(production_environ, API_RATE_LIMIT="6")
    first, second = server_factory(["serve"], env), server_factory(["serve"], env)
    statuses = []
    for _ in range(6):
        statuses.append(first.client.get("/api/nowhere").status_code)
        statuses.append(second.client.get("/api/nowhere").status_code)
    assert statuses.count(404) == 6
    assert statuses.count(429) == 6


def test_spoofed_forwarded_for_from_an_untrusted_peer_lands_in_the_peers_bucket(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], _limited_env(production_environ))
    statuses = [
        server.client.get("/api/nowhere", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(6)
    ]
    assert statuses == [404] * 5 + [429]


def test_trusted_proxy_forwarded_for_picks_the_rightmost_untrusted_address(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], _limited_env(production_environ, TRUSTED_PROXIES="127.0.0.0/8,10.0.0.0/8"))

    def status(forwarded: str) -> int:
        return server.client.get("/api/nowhere", headers={"X-Forwarded-For": forwarded}).status_code

    # The client-written left part changes every time; the proxy-appended address decides the bucket.
    assert [status(f"{i}.{i}.{i}.{i}, 203.0.113.7, 10.1.1.1") for i in range(1, 7)] == [404] * 5 + [429]
    assert status("203.0.113.8") == 404


def test_redis_stopping_keeps_limiting_and_then_returns(
    private_redis: PrivateRedis, server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    redis = private_redis
    server = server_factory(["serve"], _limited_env(production_environ, REDIS_URL=redis.url, API_RATE_LIMIT="5"))
    assert [server.client.get("/api/nowhere").status_code for _ in range(2)] == [404, 404]
    redis.stop()
    during = [server.client.get("/api/nowhere", headers={"X-Forwarded-For": "x"}) for _ in range(6)]
    assert [r.status_code for r in during] == [404] * 5 + [429]  # memory counts afresh, still limits
    assert all(r.status_code != 500 for r in during)
    ready = server.client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["redis"] == "degraded"
    redis.start()
    deadline = time.monotonic() + 15
    while server.client.get("/health/ready").json()["checks"]["redis"] != "ok" and time.monotonic() < deadline:
        server.client.get("/health/live")
        server.client.get("/api/nowhere")
        time.sleep(0.25)
    assert server.client.get("/health/ready").json()["checks"]["redis"] == "ok"
    logs = server.logs()
    assert logs.count("rate_limiter_fallback_active") == 1
    assert "rate_limiter_redis_restored" in logs
    assert "Traceback" not in logs


@pytest.fixture(scope="module")
def crash_server(production_environ: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with crash_app_server(
        _limited_env(production_environ, MAX_REQUEST_BODY_BYTES="2048"), tmp_path_factory.mktemp("crash")
    ) as base:
        yield base


def test_security_headers_on_200_404_413_429_and_500(crash_server: str) -> None:
    with httpx.Client(base_url=crash_server, timeout=10) as client:
        ok = client.get("/health/live")
        crashed = client.get("/test/crash")
        assert crashed.status_code == 500
        assert "boom" not in crashed.text
        too_large = client.post("/api/auth/login", content=b"x" * 4096, headers={"content-type": "application/json"})
        assert too_large.status_code == 413
        missing = [client.get("/api/nowhere") for _ in range(6)]
        assert missing[0].status_code == 404
        assert missing[-1].status_code == 429
        wrong_host = client.get("/api/nowhere", headers={"Host": "evil.example"})
        assert wrong_host.status_code == 400
        for response in (ok, crashed, too_large, missing[0], missing[-1], wrong_host):
            assert_secure_headers(response)


def test_streamed_body_over_the_limit_is_413(crash_server: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"x" * 512

    with httpx.Client(base_url=crash_server, timeout=10) as client:
        response = client.post("/api/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_cors_allows_exact_origins_only(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], {**production_environ, "CORS_ORIGINS": "https://shop.example"})
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = server.client.options("/api/auth/login", headers={"Origin": "https://shop.example", **preflight})
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "access-control-allow-credentials" not in allowed.headers
    foreign = server.client.options("/api/auth/login", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in foreign.headers
    simple = server.client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_br_and_gzip_decode_to_the_same_json_and_auth_is_never_compressed(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], production_environ)
    client = server.client
    shop = signup(client)
    token = login(client, shop.email)["access_token"]
    for role in ("STAFF", "DRIVER", "MANAGER", "STAFF", "DRIVER"):
        add_staff(client, token, role)
    url = f"{server.base_url}/api/staff?limit=100"
    bodies = {}
    for encoding in ("br", "gzip", "identity"):
        raw = httpx.get(url, headers={**bearer(token), "Accept-Encoding": encoding})
        bodies[encoding] = raw
    assert bodies["br"].headers["content-encoding"] == "br"
    assert bodies["gzip"].headers["content-encoding"] == "gzip"
    assert "content-encoding" not in bodies["identity"].headers
    plain = bodies["identity"].json()
    assert len(bodies["identity"].content) > 1024
    assert json.loads(bodies["br"].content) == plain  # httpx decodes br (brotli installed) and gzip
    assert json.loads(bodies["gzip"].content) == plain
    with httpx.Client(timeout=10) as raw_client:
        request = raw_client.build_request("GET", url, headers={**bearer(token), "Accept-Encoding": "br"})
        streamed = raw_client.send(request, stream=True)
        compressed = b"".join(streamed.iter_raw())
        streamed.close()
    assert json.loads(brotli.decompress(compressed)) == plain
    login_response = httpx.post(
        f"{server.base_url}/api/auth/login",
        json={"email": shop.email, "password": shop.password},
        headers={"Accept-Encoding": "br, gzip"},
    )
    assert login_response.status_code == 200
    assert "content-encoding" not in login_response.headers


def test_docs_are_served_in_staging(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], {**production_environ, "ENVIRONMENT": "staging"})
    assert server.client.get("/schema/openapi.json").status_code == 200
    assert "strict-transport-security" not in server.client.get("/health/live").headers
