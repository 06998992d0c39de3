"""`flower-vendor serve` in production mode, through a real server process and real services."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "request_id"}


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], {**production_environ, "MAX_REQUEST_BODY_BYTES": "4096"})


def _assert_problem(response: object, status: int, code: str) -> dict[str, object]:
    import httpx

    assert isinstance(response, httpx.Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return dict(body)


def test_liveness(server: ServerProcess) -> None:
    response = server.client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_reports_database_and_redis(server: ServerProcess) -> None:
    response = server.client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_docs_are_off_in_production(server: ServerProcess) -> None:
    for path in ("/schema", "/schema/openapi.json", "/schema/swagger"):
        _assert_problem(server.client.get(path), 404, "NOT_FOUND")


def test_unknown_route_is_problem_json(server: ServerProcess) -> None:
    body = _assert_problem(server.client.get("/api/nothing-here"), 404, "NOT_FOUND")
    assert body["type"] == "urn:flower-vendor:problem:not-found"


def test_wrong_method_is_problem_json_with_allow(server: ServerProcess) -> None:
    response = server.client.delete("/health/live")
    _assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


def test_oversized_body_is_413_before_anything_else(server: ServerProcess) -> None:
    response = server.client.post("/health/live", content=b"x" * 5000, headers={"Host": "evil.example"})
    _assert_problem(response, 413, "PAYLOAD_TOO_LARGE")


def test_foreign_host_is_refused_as_problem_json(server: ServerProcess) -> None:
    _assert_problem(server.client.get("/api/anything", headers={"Host": "evil.example"}), 400, "HOST_NOT_ALLOWED")
    _assert_problem(server.client.get("/schema", headers={"Host": "evil.example"}), 400, "HOST_NOT_ALLOWED")
    assert server.client.get("/api/anything", headers={"Host": "localhost:1234"}).status_code == 404


def test_health_probes_answer_whatever_the_host(server: ServerProcess) -> None:
    # Orchestrators probe containers by IP address, which is rarely in ALLOWED_HOSTS.
    assert server.client.get("/health/live", headers={"Host": "10.1.2.3:8000"}).status_code == 200
    assert server.client.get("/health/ready", headers={"Host": "10.1.2.3:8000"}).status_code == 200


def test_request_id_is_kept_when_well_formed_and_made_otherwise(server: ServerProcess) -> None:
    kept = server.client.get("/health/live", headers={"X-Request-ID": "trace-123:abc.DEF_9"})
    assert kept.headers["x-request-id"] == "trace-123:abc.DEF_9"
    replaced = server.client.get("/health/live", headers={"X-Request-ID": "bad id with spaces"})
    assert replaced.headers["x-request-id"] not in ("", "bad id with spaces")
    made = server.client.get("/health/live")
    assert len(made.headers["x-request-id"]) >= 16


def test_no_server_header(server: ServerProcess) -> None:
    response = server.client.get("/health/live")
    assert "server" not in response.headers


def test_logs_are_json_lines_with_request_ids_and_no_secrets(
    server: ServerProcess, production_environ: dict[str, str]
) -> None:
    server.client.get(
        "/health/ready",
        headers={"X-Request-ID": "log-check-1", "Authorization": "Bearer sekrit-token-value", "Cookie": "sid=sekrit"},
    )
    server.client.get("/nowhere", headers={"X-Request-ID": "log-check-2"})
    lines = [line for line in server.logs().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    access = {r["request_id"]: r for r in records if r.get("event") == "request" and "request_id" in r}
    assert access["log-check-1"]["status"] == 200
    assert access["log-check-1"]["method"] == "GET"
    assert access["log-check-1"]["path"] == "/health/ready"
    assert access["log-check-1"]["client_ip"] == "127.0.0.1"
    assert isinstance(access["log-check-1"]["duration_ms"], float | int)
    assert access["log-check-2"]["status"] == 404
    text = server.logs()
    for secret in ("sekrit", production_environ["SECRET_KEY"], production_environ["DATABASE_URL"]):
        assert secret not in text
