"""PostgreSQL drops every connection of a running server (as on a restart or failover) while it is
idle: the next requests are served on fresh connections, without a restart of the app. Works in a
database of its own and terminates only that database's backends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from infrastructure.db import migrations
from tests.e2e.api_helpers import bearer, login, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


def _backends(url: str, *, terminate: bool) -> set[int]:
    """The pids of the app's backends in that database (terminated first when asked)."""

    async def run() -> set[int]:
        connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
        try:
            query = (
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'flower-vendor' AND pid <> pg_backend_pid()"
            )
            pids = {row["pid"] for row in await connection.fetch(query)}
            if terminate:
                for pid in pids:
                    await connection.execute("SELECT pg_terminate_backend($1)", pid)
                for _ in range(200):  # until they are gone, at most 10 s
                    if not {row["pid"] for row in await connection.fetch(query)} & pids:
                        break
                    await asyncio.sleep(0.05)
            return pids
        finally:
            await connection.close()

    return asyncio.run(run())


def test_requests_after_every_backend_was_killed_are_served_on_fresh_connections(
    make_database: Callable[[], str],
    server_factory: Callable[..., ServerProcess],
    production_environ: dict[str, str],
) -> None:
    url = make_database()
    migrations.upgrade(migrations.alembic_config(url))
    server = server_factory(["serve"], {**production_environ, "DATABASE_URL": url})
    client = server.client
    shop = signup(client)
    tokens = login(client, shop.email)
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    owner = bearer(tokens["access_token"])
    assert client.post("/api/customers", json={"full_name": "Rosa Visser"}, headers=owner).status_code == 201
    assert client.get("/api/customers?q=visser", headers=owner).json()["total"] == 1

    killed = _backends(url, terminate=True)
    assert killed  # the server held pooled connections to kill
    time.sleep(0.2)

    statuses = [client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code for _ in range(5)]
    assert statuses == [200] * 5  # idle connections whose backend is gone are replaced at checkout
    # a search sent unnamed, to be planned for its needle, on a fresh connection as well
    assert [client.get(f"/api/customers?q={q}", headers=owner).json()["total"] for q in ("visser", "ro")] == [1, 1]
    assert client.get("/health/ready").json()["checks"]["database"] == "ok"
    assert login(client, shop.email)["access_token"]  # a write transaction too
    assert _backends(url, terminate=False).isdisjoint(killed)
    assert "Traceback" not in server.logs()
