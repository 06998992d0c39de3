"""Revocation that cannot be flooded or waited away (issue 8): a revoked or demoted token never gets
more than PostgreSQL still backs, whether Redis answers late (a flood) or not at all (an outage).
Real server processes; the outage uses a private redis-server, never the shared one."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.api_helpers import PASSWORD, Shop, add_staff, bearer, login, signup, unique
from tests.e2e.conftest import ServerProcess
from tests.private_redis import PrivateRedis

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FLOOD = (sys.executable, "-m", "tests.e2e.flood")


def staff_emails(client: httpx.Client, owner_token: str) -> set[str]:
    emails: set[str] = set()
    offset = 0
    while True:
        page = client.get(f"/api/staff?limit=100&offset={offset}", headers=bearer(owner_token))
        assert page.status_code == 200, page.text
        body = page.json()
        emails |= {item["email"] for item in body["items"]}
        offset += body["limit"]
        if offset >= body["total"]:
            return emails


def new_owner_body() -> dict[str, str]:
    return {
        "email": f"{unique('intruder')}@example.com",
        "full_name": "Not Wanted",
        "role": "OWNER",
        "password": PASSWORD,
    }


class Cast:
    """A shop with a live owner, an owner deactivated after logging in, and an owner demoted to STAFF
    after logging in: the last two hold tokens that PostgreSQL no longer backs."""

    def __init__(self, client: httpx.Client) -> None:
        self.shop: Shop = signup(client)
        self.owner = login(client, self.shop.email)["access_token"]
        owner = bearer(self.owner)
        deactivated, deactivated_email = add_staff(client, self.owner, "OWNER")
        demoted, demoted_email = add_staff(client, self.owner, "OWNER")
        self.deactivated = login(client, deactivated_email)["access_token"]
        self.demoted = login(client, demoted_email)["access_token"]
        time.sleep(1.1)  # the changes below happen in a later second than the tokens' `iat`
        response = client.patch(f"/api/staff/{deactivated['id']}", json={"active": False}, headers=owner)
        assert response.status_code == 200, response.text
        response = client.patch(f"/api/staff/{demoted['id']}", json={"role": "STAFF"}, headers=owner)
        assert response.status_code == 200, response.text
        # While Redis answers, both sessions were revoked at once.
        for token in (self.deactivated, self.demoted):
            assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401


# -- a flood ------------------------------------------------------------------------------------


@pytest.fixture
def flood_server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], production_environ)


def flood_result(flood: subprocess.Popen[str]) -> tuple[dict[str, int], dict[str, str]]:
    out, err = flood.communicate(timeout=60)
    assert flood.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    return result["counts"], result["samples"]


def start_flood(server: ServerProcess, *, connections: int, seconds: float) -> subprocess.Popen[str]:
    port = urlsplit(server.base_url).port
    return subprocess.Popen(
        [*FLOOD, "--port", str(port), "--connections", str(connections), "--seconds", str(seconds), "--batch", "16"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_flood_never_lets_a_revoked_or_demoted_token_write(flood_server: ServerProcess) -> None:
    client = flood_server.client
    cast = Cast(client)
    before = staff_emails(client, cast.owner)

    flood = start_flood(flood_server, connections=300, seconds=12)
    statuses: dict[str, list[int | str]] = {"revoked": [], "demoted": [], "legitimate": []}
    sent: list[str] = []
    time.sleep(2)  # let the flood build up
    with httpx.Client(base_url=flood_server.base_url, timeout=30) as probe:
        for _ in range(15):
            for name, token in (("revoked", cast.deactivated), ("demoted", cast.demoted)):
                body = new_owner_body()
                sent.append(body["email"])
                try:
                    statuses[name].append(probe.post("/api/staff", json=body, headers=bearer(token)).status_code)
                except httpx.TimeoutException:
                    statuses[name].append("timeout")
            try:
                statuses["legitimate"].append(probe.get("/api/auth/me", headers=bearer(cast.owner)).status_code)
            except httpx.TimeoutException:
                statuses["legitimate"].append("timeout")
            time.sleep(0.3)
    answered, _ = flood_result(flood)

    assert sum(answered.values()) > 500, answered  # the flood really ran
    for name in ("revoked", "demoted"):
        assert all(status in (401, 503) for status in statuses[name]), statuses
    assert all(status in (200, 503) for status in statuses["legitimate"]), statuses
    time.sleep(1)  # the flood is over: the shop is served normally again
    after = staff_emails(client, cast.owner)
    assert after == before  # no account was created by any probe
    assert not set(sent) & after
    assert "Traceback" not in flood_server.logs()


def test_a_flood_is_shed_with_503_and_retry_after_and_health_stays_live(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(["serve"], {**production_environ, "MAX_CONCURRENT_REQUESTS": "4"})
    flood = start_flood(server, connections=60, seconds=6)
    time.sleep(1.5)
    with httpx.Client(base_url=server.base_url, timeout=30) as probe:
        for _ in range(20):
            assert probe.get("/health/live").status_code == 200  # liveness is never shed
            assert probe.get("/api/vendor").status_code in (401, 429, 503)  # shed, limited or refused
    answered, samples = flood_result(flood)
    assert answered.get("503", 0) > 0, answered
    head = samples["503"].partition("\r\n\r\n")[0]
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in head.split("\r\n")[1:])
    }
    assert headers["content-type"].startswith("application/problem+json")
    assert headers["retry-after"] == "1"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-request-id"]
    assert int(headers["content-length"]) > 0  # the problem JSON (its code: tests/unit/test_http_helpers.py)
    assert "requests_shed" in server.logs()


# -- an outage ----------------------------------------------------------------------------------


@pytest.fixture
def outage_server(
    private_redis: PrivateRedis, server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> tuple[ServerProcess, PrivateRedis]:
    return server_factory(["serve"], {**production_environ, "REDIS_URL": private_redis.url}), private_redis


@pytest.mark.parametrize("outage", ["stopped", "paused"])
def test_during_a_redis_outage_only_what_postgresql_backs_is_allowed(
    outage_server: tuple[ServerProcess, PrivateRedis], outage: str
) -> None:
    server, redis = outage_server
    client = server.client
    cast = Cast(client)
    before = staff_emails(client, cast.owner)

    if outage == "stopped":
        redis.stop()
    else:
        redis.pause()
    try:
        attempts: list[tuple[str, httpx.Response]] = []
        for _ in range(3):
            for token in (cast.deactivated, cast.demoted):
                headers = bearer(token)
                attempts += [
                    ("create owner", client.post("/api/staff", json=new_owner_body(), headers=headers)),
                    ("rename shop", client.patch("/api/vendor", json={"name": "Taken Over"}, headers=headers)),
                    ("security events", client.get("/api/security-events", headers=headers)),
                    ("me", client.get("/api/auth/me", headers=headers)),
                ]
        refused = [(what, r.status_code) for what, r in attempts if r.status_code != 401]
        assert not refused, refused
        assert all(r.json()["code"] == "INVALID_TOKEN" for _, r in attempts)

        # The owner PostgreSQL still backs keeps working, with the role PostgreSQL holds.
        owner = bearer(cast.owner)
        assert client.get("/api/auth/me", headers=owner).json()["role"] == "OWNER"
        renamed = client.patch("/api/vendor", json={"name": "Rosa Degraded"}, headers=owner)
        assert renamed.status_code == 200, renamed.text
        assert client.get("/api/security-events", headers=owner).status_code == 200
        after = staff_emails(client, cast.owner)
    finally:
        if outage == "paused":
            redis.resume()
    assert after == before
    assert client.get("/api/vendor", headers=bearer(cast.owner)).json()["name"] == "Rosa Degraded"
    logs = server.logs()
    assert logs.count("session_check_degraded") == 1
    assert "Traceback" not in logs


def test_a_token_from_before_a_password_change_is_refused_during_an_outage(
    outage_server: tuple[ServerProcess, PrivateRedis],
) -> None:
    server, redis = outage_server
    client = server.client
    shop = signup(client)
    other_device = login(client, shop.email)["access_token"]
    this_device = login(client, shop.email)["access_token"]
    time.sleep(1.1)
    changed = client.post(
        "/api/auth/change-password",
        json={"current_password": shop.password, "new_password": "a whole new sentence of words"},
        headers=bearer(this_device),
    )
    assert changed.status_code == 204, changed.text
    redis.pause()
    try:
        statuses: dict[str, Any] = {
            "other device": client.get("/api/vendor", headers=bearer(other_device)).status_code,
            "this device": client.get("/api/vendor", headers=bearer(this_device)).status_code,
        }
    finally:
        redis.resume()
    # Both predate the change: PostgreSQL cannot tell one session from the other, so neither passes.
    assert statuses == {"other device": 401, "this device": 401}
