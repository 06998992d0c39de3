"""Cheap targets made dear, through real `flower-vendor serve` processes (issue 8, item 6).

* A flood of readiness requests runs the probes at most about once a second (counted as PINGs on
  a private redis-server's command statistics, the only PINGs the service sends).
* Twenty wrong logins against one account leave a row or two with their counts, not twenty rows.
* A logout while PostgreSQL is unreachable (a TCP proxy in front of it, cut by the test) answers
  204, the session is revoked, and the security event is logged as `security_event_deferred`,
  then stored once PostgreSQL answers again, or replayed from the log by an operator.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from redis import Redis as SyncRedis
from sqlalchemy.engine import make_url

from tests.e2e.api_helpers import Shop, bearer, login, signup
from tests.e2e.conftest import ServerProcess, run_cli
from tests.private_redis import PrivateRedis
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e


def _pings(redis_url: str) -> int:
    client = SyncRedis.from_url(redis_url, socket_timeout=5)
    try:
        stats: dict[str, Any] = client.info("commandstats")
    finally:
        client.close()
    return int(stats.get("cmdstat_ping", {}).get("calls", 0))


def test_a_flood_of_readiness_requests_runs_the_probes_about_once_a_second(
    private_redis: PrivateRedis, server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], {**production_environ, "REDIS_URL": private_redis.url})
    requests = 300

    async def flood() -> list[httpx.Response]:
        gate = asyncio.Semaphore(20)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:

            async def one() -> httpx.Response:
                async with gate:
                    return await client.get("/health/ready")

            return await asyncio.gather(*(one() for _ in range(requests)))

    before = _pings(private_redis.url)
    started = time.monotonic()
    responses = asyncio.run(flood())
    elapsed = time.monotonic() - started
    probes = _pings(private_redis.url) - before

    assert [r.status_code for r in responses] == [200] * requests
    assert all(r.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}} for r in responses)
    # At most one probe per started second of the flood (plus the one running when it began):
    # without the cache it was one per request.
    assert 1 <= probes <= int(elapsed) + 2, (probes, elapsed)


def test_twenty_wrong_logins_leave_one_counted_row_per_kind_not_twenty(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], production_environ)
    client = server.client
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]

    statuses = [
        client.post("/api/auth/login", json={"email": shop.email, "password": "not the password!"}).status_code
        for _ in range(20)
    ]

    assert statuses.count(401) + statuses.count(429) == 20
    events = client.get("/api/security-events", params={"limit": 100}, headers=bearer(owner)).json()["items"]
    attempts = [e for e in events if e["kind"] in ("LOGIN_FAILED", "LOGIN_THROTTLED")]
    # One row per kind, or two should the attempts straddle a 15-minute window's edge.
    assert 1 <= len(attempts) <= 4, attempts
    assert sum(e["detail"]["count"] for e in attempts) == 20
    assert sum(e["detail"]["count"] for e in attempts if e["kind"] == "LOGIN_FAILED") == statuses.count(401)
    for event in attempts:
        assert event["user_id"] == shop.owner["id"]
        assert event["detail"]["first_at"] <= event["detail"]["last_at"]
    assert {e["kind"] for e in events} >= {"SIGNUP", "LOGIN_SUCCEEDED", "LOGIN_FAILED"}


def test_twenty_concurrent_wrong_logins_are_all_counted_in_one_row_per_kind(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], production_environ)
    shop = signup(server.client)
    owner = login(server.client, shop.email)["access_token"]

    async def flood() -> list[int]:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            body = {"email": shop.email, "password": "not the password!"}
            responses = await asyncio.gather(*(client.post("/api/auth/login", json=body) for _ in range(20)))
        return [r.status_code for r in responses]

    statuses = asyncio.run(flood())

    assert sorted(set(statuses)) <= [401, 429], statuses
    events = server.client.get("/api/security-events", params={"limit": 100}, headers=bearer(owner)).json()["items"]
    attempts = [e for e in events if e["kind"] in ("LOGIN_FAILED", "LOGIN_THROTTLED")]
    assert 1 <= len(attempts) <= 4, attempts
    assert len({(e["kind"], e["detail"]["first_at"]) for e in attempts}) == len(attempts)  # no duplicate rows
    assert sum(e["detail"]["count"] for e in attempts) == 20
    assert "Traceback" not in server.logs()


# -- logout while PostgreSQL is unreachable -----------------------------------------------------


@pytest.fixture
def postgres_proxy(production_environ: dict[str, str]) -> Iterator[TcpProxy]:
    url = make_url(production_environ["DATABASE_URL"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    yield proxy
    proxy.cut()


def _through(proxy: TcpProxy, environ: dict[str, str]) -> dict[str, str]:
    url = make_url(environ["DATABASE_URL"]).set(host="127.0.0.1", port=proxy.port)
    return {**environ, "DATABASE_URL": url.render_as_string(hide_password=False), "DB_CONNECT_TIMEOUT": "2"}


def _deferred_lines(logs: str) -> list[dict[str, Any]]:
    lines = []
    for line in logs.splitlines():
        if "security_event_deferred" in line and line.startswith("{"):
            parsed = json.loads(line)
            if parsed.get("event") == "security_event_deferred":
                lines.append(parsed)
    return lines


def _logout_while_postgres_is_cut(server: ServerProcess, proxy: TcpProxy) -> tuple[Shop, str]:
    """Signs a shop up, logs its owner in, cuts PostgreSQL, logs out: (the shop, the request id)."""
    client = server.client
    shop = signup(client)
    tokens = login(client, shop.email)
    proxy.cut()

    response = client.post(
        "/api/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=bearer(tokens["access_token"])
    )

    assert response.status_code == 204, response.text
    me = client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401, me.text  # revoked at once, though PostgreSQL is still away
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code in (401, 503), refreshed.text
    request_id = response.headers["x-request-id"]
    [line] = [d for d in _deferred_lines(server.logs()) if d["request_id"] == request_id]
    assert line["kind"] == "LOGOUT"
    assert line["vendor_id"] == shop.vendor["id"]
    assert line["user_id"] == shop.owner["id"]
    assert line["client_ip"] == "127.0.0.1"
    assert len(line["detail"]["sessions"]) == 1
    assert line["event_id"]
    assert line["at"]
    return shop, request_id


def test_logout_while_postgres_is_down_answers_204_and_stores_its_event_when_it_returns(
    postgres_proxy: TcpProxy, server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], _through(postgres_proxy, production_environ))
    shop, request_id = _logout_while_postgres_is_cut(server, postgres_proxy)

    postgres_proxy.start()
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while not found and time.monotonic() < deadline:
        time.sleep(0.5)
        if "security_event_stored_late" not in server.logs():
            continue
        fresh = server.client.post("/api/auth/login", json={"email": shop.email, "password": shop.password})
        if fresh.status_code != 200:
            continue
        events = server.client.get(
            "/api/security-events", params={"limit": 100}, headers=bearer(fresh.json()["access_token"])
        ).json()["items"]
        found = [e for e in events if e["request_id"] == request_id]

    assert [e["kind"] for e in found] == ["LOGOUT"]
    assert found[0]["user_id"] == shop.owner["id"]
    assert "Traceback" not in server.logs()


async def _stored(database_url: str, request_id: str) -> list[tuple[str, str]]:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await connection.fetch("SELECT kind, request_id FROM security_events WHERE request_id = $1", request_id)
    finally:
        await connection.close()
    return [(r["kind"], r["request_id"]) for r in rows]


def test_an_operator_replays_a_deferred_logout_event_from_the_log_once(
    postgres_proxy: TcpProxy, server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], _through(postgres_proxy, production_environ))
    _, request_id = _logout_while_postgres_is_cut(server, postgres_proxy)
    server.stop()  # before PostgreSQL returns: the event is only in the log now
    assert "security_event_still_deferred" in server.logs()
    postgres_proxy.start()
    assert asyncio.run(_stored(production_environ["DATABASE_URL"], request_id)) == []

    first = run_cli("security-events", "replay", str(server.log_path), env=production_environ)
    again = run_cli("security-events", "replay", str(server.log_path), env=production_environ)

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "stored 1 event(s); 0 already stored; 0 unreadable"
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "stored 0 event(s); 1 already stored; 0 unreadable"
    assert asyncio.run(_stored(production_environ["DATABASE_URL"], request_id)) == [("LOGOUT", request_id)]


def test_replay_reads_only_marked_lines_and_names_unreadable_ones(
    tmp_path: Path, production_environ: dict[str, str]
) -> None:
    log = tmp_path / "server.log"
    log.write_text(
        "not json at all\n"
        '{"event": "security_event", "kind": "LOGOUT"}\n'
        '{"event": "security_event_stored_late", "note": "security_event_deferred"}\n'
        '{"event": "security_event_deferred", "kind": "LOGOUT"}\n'
    )

    result = run_cli("security-events", "replay", str(log), env=production_environ)

    assert result.returncode == 1
    assert result.stdout.strip() == "stored 0 event(s); 0 already stored; 1 unreadable"
    assert "Traceback" not in result.stderr
