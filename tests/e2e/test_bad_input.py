"""Hostile or broken input gets a clear 4xx (or 503 for a dependency), never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.e2e.api_helpers import add_staff, bearer, login, signup
from tests.e2e.conftest import ServerProcess, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    prefix = f"{production_environ['REDIS_KEY_PREFIX']}{uuid.uuid4().hex[:8]}:"
    return server_factory(["serve"], {**production_environ, "REDIS_KEY_PREFIX": prefix, "AUTH_RATE_LIMIT": "20"})


def test_deeply_nested_json_is_400(server: ServerProcess) -> None:
    response = server.client.post("/api/auth/login", content=b"[" * 1000, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_absurd_content_length_is_400(server: ServerProcess) -> None:
    import socket

    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + b"0" * 5000 + b"1\r\n\r\n{"
        )
        answer = sock.recv(4096)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500


def test_offset_beyond_any_row_count_is_400(server: ServerProcess) -> None:
    shop = signup(server.client)
    token = login(server.client, shop.email)["access_token"]
    huge = server.client.get("/api/staff", params={"offset": str(2**63)}, headers=bearer(token))
    assert huge.status_code == 400


def test_trailing_slash_stays_in_the_auth_tier(server: ServerProcess) -> None:
    response = server.client.post("/api/auth/login/", json={"email": "a@b.example", "password": "x" * 12})
    assert response.headers["ratelimit-policy"] == '"auth";q=20;w=60'


def test_chunked_oversized_body_is_413_before_authentication(server: ServerProcess) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 65536

    response = server.client.patch("/api/vendor", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_malformed_staff_id_is_403_for_a_driver_and_404_for_an_owner(server: ServerProcess) -> None:
    shop = signup(server.client)
    owner = login(server.client, shop.email)["access_token"]
    _, driver_email = add_staff(server.client, owner, "DRIVER")
    driver = login(server.client, driver_email)["access_token"]
    assert server.client.patch("/api/staff/not-a-uuid", json={}, headers=bearer(driver)).status_code == 403
    assert server.client.patch("/api/staff/not-a-uuid", json={}).status_code == 401
    assert server.client.patch("/api/staff/not-a-uuid", json={}, headers=bearer(owner)).status_code == 404


def test_database_down_is_503_with_retry_after(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    server = server_factory(["serve"], {**production_environ, "DATABASE_URL": down, "DB_CONNECT_TIMEOUT": "1"})
    response = server.client.post("/api/auth/login", json={"email": "a@b.example", "password": "x" * 12})
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert int(response.headers["retry-after"]) > 0
    ready = server.client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "down"
    assert "Traceback" not in server.logs()


def test_unknown_routes_and_methods_never_500(server: ServerProcess) -> None:
    for method, path in [("GET", "/api/%ff"), ("TRACE", "/api/auth/login"), ("GET", "/api/staff/../vendor")]:
        response = httpx.request(method, f"{server.base_url}{path}")
        assert response.status_code < 500, (method, path, response.status_code)
