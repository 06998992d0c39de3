"""`flower-vendor dev`: the embedded default a newcomer runs first."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import stat
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest
from redis import Redis as SyncRedis
from sqlalchemy.engine import make_url

from application.catalog.demo import DEMO_CATALOG
from application.customers.demo import DEMO_CUSTOMERS
from application.delivery.demo import DEMO_ZONES
from application.stock.demo import DEMO_STOCK
from infrastructure.config import generate_secret_key
from infrastructure.db import migrations
from interfaces.cli.main import SOURCE_DIR
from tests.e2e.api_helpers import bearer, signup
from tests.e2e.conftest import ServerProcess, run_cli

pytestmark = pytest.mark.e2e


def test_dev_serves_on_sqlite_with_docs(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = server_factory(["dev"], {}, cwd=tmp_path)
    print(f"dev server answered within {server.started_in:.2f} s")

    ready = server.client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not_configured"}}
    assert (tmp_path / ".data" / "flower-vendor.db").is_file()

    schema = server.client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/health/ready" in schema.json()["paths"]
    # Issue 11: no longer a random per-process key, but dev's own key kept in ./.data/ (0600).
    key_file = tmp_path / ".data" / "dev-signing-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "dev_signing_key" in server.logs()
    assert key_file.read_text().strip() not in server.logs()

    # The demo shop is seeded on first start and its logins are printed once.
    printed = re.findall(
        r"^\s+(?:OWNER|MANAGER|STAFF|DRIVER)\s+(\S+@demo-florist\.example)\s+(\S+)$", server.logs(), re.M
    )
    logins = dict(printed)
    assert set(logins) == {f"{r}@demo-florist.example" for r in ("owner", "manager", "staff", "driver")}
    tokens = server.client.post(
        "/api/auth/login",
        json={"email": "owner@demo-florist.example", "password": logins["owner@demo-florist.example"]},
    )
    assert tokens.status_code == 200, tokens.text
    me = server.client.get("/api/auth/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert me.json()["role"] == "OWNER"
    assert "$argon2" not in server.logs()  # SQL echo hides bound parameters


def test_dev_seeds_the_demo_shop_only_once(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    first = server_factory(["dev"], {}, cwd=tmp_path)
    first.stop()
    second = server_factory(["dev"], {}, cwd=tmp_path)
    assert "Demo shop 'demo-florist' created" in first.logs()
    assert "Demo shop" not in second.logs()
    assert second.client.get("/health/ready").status_code == 200


# --- issue 11: dev is sealed, and a dev server a frontend can live with -------------------------

DEMO_LINE = re.compile(r"^\s+(OWNER|MANAGER|STAFF|DRIVER)\s+(\S+@demo-florist\.example)\s+(\S+)$", re.M)


def _demo_logins(cwd: Path) -> dict[str, str]:
    """The demo logins as kept in ./.data/demo-logins.txt (mode 0600)."""
    path = cwd / ".data" / "demo-logins.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return {email: password for _, email, password in DEMO_LINE.findall(path.read_text())}


def _owner_tokens(server: ServerProcess, cwd: Path) -> dict[str, str]:
    email = "owner@demo-florist.example"
    response = server.client.post("/api/auth/login", json={"email": email, "password": _demo_logins(cwd)[email]})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _pg_state(url: str) -> tuple[int, int, list[str], list[str]]:
    """Rows in vendors and users, the alembic revision(s), and every table of the public schema."""

    async def read() -> tuple[int, int, list[str], list[str]]:
        connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
        try:
            vendors = await connection.fetchval("SELECT count(*) FROM vendors")
            users = await connection.fetchval("SELECT count(*) FROM users")
            revisions = [r[0] for r in await connection.fetch("SELECT version_num FROM alembic_version")]
            tables = [
                r[0]
                for r in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
                )
            ]
            return int(vendors), int(users), sorted(revisions), tables
        finally:
            await connection.close()

    return asyncio.run(read())


def _redis_keys(url: str, prefix: str) -> list[bytes]:
    client = SyncRedis.from_url(url, socket_timeout=2)
    try:
        return list(client.scan_iter(match=f"{prefix}*", count=500))
    finally:
        client.close()


@pytest.fixture
def production_database(make_database: Callable[[], str]) -> str:
    """A throwaway PostgreSQL database migrated to head, standing in for production's."""
    url = make_database()
    migrations.upgrade(migrations.alembic_config(url))
    return url


def _production_variables(database: str, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        "ENVIRONMENT": "production",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        "SECRET_KEY": generate_secret_key(),
        "ENABLE_DISTRIBUTED_RATE_LIMITING": "true",
    }


def test_dev_ignores_production_variables_and_leaves_their_stores_untouched(
    server_factory: Callable[..., ServerProcess], tmp_path: Path, production_database: str, redis_url: str
) -> None:
    prefix = f"fv-dev-sealed-{uuid.uuid4().hex[:12]}:"
    before = _pg_state(production_database)
    assert before[:2] == (0, 0)
    env = _production_variables(production_database, redis_url, prefix)

    server = server_factory(["dev"], env, cwd=tmp_path)

    logs = server.logs()
    assert "dev_ignores_variables" in logs
    for name in ("ENVIRONMENT", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ENABLE_DISTRIBUTED_RATE_LIMITING"):
        assert name in logs
    for value in (production_database, env["SECRET_KEY"], make_url(production_database).database or "?"):
        assert value not in logs
    ready = server.client.get("/health/ready")
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not_configured"}}
    # Everything a request writes goes to the dev SQLite: a login (a session), a sign-up, a refresh.
    tokens = _owner_tokens(server, tmp_path)
    refreshed = server.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    shop = signup(server.client)
    with sqlite3.connect(tmp_path / ".data" / "flower-vendor.db") as db:
        slugs = {row[0] for row in db.execute("SELECT slug FROM vendors")}
    assert slugs == {"demo-florist", shop.vendor["slug"]}

    server.stop()
    assert _pg_state(production_database) == before  # no rows, no migration, no table
    assert _redis_keys(redis_url, prefix) == []


def test_demo_seed_targets_only_the_embedded_database(tmp_path: Path, production_database: str, redis_url: str) -> None:
    before = _pg_state(production_database)
    production = _production_variables(production_database, redis_url, "fv-dev-sealed-seed:")

    refused = run_cli("demo", "seed", env=production, cwd=tmp_path)
    assert refused.returncode == 1
    assert "production" in refused.stderr
    # Development, but pointed at a database `serve` could use: refused too.
    for environment in ("development", "staging", "test"):
        result = run_cli("demo", "seed", env={**production, "ENVIRONMENT": environment}, cwd=tmp_path)
        assert result.returncode == 1, result.stdout
        assert "embedded" in result.stderr
        assert production_database not in result.stderr
    assert _pg_state(production_database) == before
    assert not (tmp_path / ".data").exists()

    seeded = run_cli("demo", "seed", env={"ENVIRONMENT": "development"}, cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert set(_demo_logins(tmp_path)) == {f"{r}@demo-florist.example" for r in ("owner", "manager", "staff", "driver")}
    again = run_cli("demo", "seed", env={"ENVIRONMENT": "development"}, cwd=tmp_path)
    assert again.returncode == 0
    assert "exists already" in again.stdout
    assert _pg_state(production_database) == before


def test_a_restart_keeps_sessions_and_the_key(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    first = server_factory(["dev"], {}, cwd=tmp_path)
    tokens = _owner_tokens(first, tmp_path)
    logged_out = _owner_tokens(first, tmp_path)
    assert first.client.post("/api/auth/logout", headers=bearer(logged_out["access_token"])).status_code == 204
    key = (tmp_path / ".data" / "dev-signing-key").read_text()
    first.stop()

    second = server_factory(["dev"], {}, cwd=tmp_path)
    assert (tmp_path / ".data" / "dev-signing-key").read_text() == key
    sessions_file = tmp_path / ".data" / "dev-sessions.json"
    assert stat.S_IMODE(sessions_file.stat().st_mode) == 0o600
    assert tokens["refresh_token"] not in sessions_file.read_text()  # only hashes are kept
    assert "Demo logins of 'demo-florist'" in second.logs()
    me = second.client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    refreshed = second.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert second.client.get("/api/auth/me", headers=bearer(refreshed.json()["access_token"])).status_code == 200
    # What ended before the restart stays ended; a replayed refresh token is still caught (two
    # rotations behind, so the reuse grace no longer covers it).
    assert second.client.get("/api/auth/me", headers=bearer(logged_out["access_token"])).status_code == 401
    newest = second.client.post("/api/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]})
    assert newest.status_code == 200, newest.text
    replay = second.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401
    second.stop()

    third = server_factory(["dev"], {}, cwd=tmp_path)
    # The replay revoked the whole family, and that too survived the restart.
    assert third.client.get("/api/auth/me", headers=bearer(newest.json()["access_token"])).status_code == 401


@pytest.mark.parametrize("name", ["dev-signing-key", "dev-sessions.json"])
def test_dev_refuses_a_private_file_others_can_read(tmp_path: Path, name: str) -> None:
    data = tmp_path / ".data"
    data.mkdir()
    secret = generate_secret_key()
    (data / name).write_text(secret + "\n")
    (data / name).chmod(0o644)

    result = run_cli("dev", "--port", "1", env={}, cwd=tmp_path, timeout=30)

    assert result.returncode == 1
    assert f"{name} has mode 644" in result.stderr
    assert "chmod 600" in result.stderr
    assert secret not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert stat.S_IMODE((data / name).stat().st_mode) == 0o644  # refused, not silently changed
    assert not (data / "flower-vendor.db").exists()


def test_sql_is_logged_only_at_debug(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    quiet = server_factory(["dev"], {}, cwd=tmp_path)
    _owner_tokens(quiet, tmp_path)
    quiet.stop()
    assert "sqlalchemy.engine" not in quiet.logs()
    assert "SELECT" not in quiet.logs()

    verbose = server_factory(["dev"], {"LOG_LEVEL": "DEBUG"}, cwd=tmp_path)
    _owner_tokens(verbose, tmp_path)
    verbose.stop()
    assert "sqlalchemy.engine" in verbose.logs()
    assert "$argon2" not in verbose.logs()  # bound parameters stay hidden


def test_dev_reload_restarts_on_a_source_change_and_keeps_sessions(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    server = server_factory(["dev", "--reload"], {}, cwd=tmp_path)
    tokens = _owner_tokens(server, tmp_path)
    assert server.logs().count("Demo shop 'demo-florist' created") == 1
    assert server.logs().count("Application startup complete") == 1

    # A change under src/ (its modification time: the content stays as it is) restarts the server.
    watched = Path(SOURCE_DIR) / "interfaces" / "cli" / "__init__.py"
    os.utime(watched)
    deadline = time.monotonic() + 30
    while server.logs().count("Application startup complete") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.logs().count("Application startup complete") == 2, server.logs()

    me = server.client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    refreshed = server.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert server.logs().count("Demo shop") == 1  # seeded once, by the dev command, not by each restart


def test_the_docs_page_needs_no_network(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    """Swagger UI comes from this server: every script, style and icon the page names is served
    here, and its Content-Security-Policy lets the browser load nothing from elsewhere."""
    server = server_factory(["dev"], {}, cwd=tmp_path)
    page = server.client.get("/schema")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert urls
    assert not [url for url in urls if re.match(r"(?i)(https?:)?//", url)], urls
    for url in urls:
        asset = server.client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
    csp = page.headers["content-security-policy"]
    assert "http" not in csp
    assert "script-src 'self'" in csp


def test_the_demo_shop_has_a_believable_floor(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = server_factory(["dev"], {}, cwd=tmp_path)
    headers = bearer(_owner_tokens(server, tmp_path)["access_token"])
    items = server.client.get("/api/stock-items", params={"limit": 100}, headers=headers).json()
    assert items["total"] == len(DEMO_STOCK) >= 20
    names = {item["name"] for item in items["items"]}
    assert "Peony 'Sarah Bernhardt'" in names
    assert all(item["on_hand"] > 0 for item in items["items"])  # every item received in lots
    expiring = server.client.get("/api/stock/expiring", params={"within_days": 7}, headers=headers).json()
    assert expiring["total"] >= 5  # some lots wilt this week
    low = server.client.get("/api/stock/low", headers=headers).json()
    assert {"Gerbera mix", "Pittosporum", "Ceramic pot 12 cm"} <= {row["name"] for row in low["items"]}
    products = server.client.get("/api/products", params={"limit": 100}, headers=headers).json()
    assert products["total"] == len(DEMO_CATALOG) >= 15
    by_name = {product["name"]: product for product in products["items"]}
    assert "Peonies & lilies <3" in by_name  # plain text, kept exactly
    assert "<" not in by_name["Peonies & lilies <3"]["description"].replace("<3", "")  # markup removed
    variants = [variant for product in products["items"] for variant in product["variants"]]
    assert sum(len(product.variants) for product in DEMO_CATALOG) == len(variants)
    assert all(variant["cost_complete"] and variant["margin"]["amount_minor"] > 0 for variant in variants)
    customers = server.client.get("/api/customers", params={"limit": 100}, headers=headers).json()
    assert customers["total"] == DEMO_CUSTOMERS
    found = server.client.get("/api/customers", params={"q": "06 1200 0007"}, headers=headers).json()
    assert [row["phone"] for row in found["items"]] == ["+31612000007"]  # typed nationally, found as E.164
    zones = server.client.get("/api/delivery-zones", headers=headers).json()
    slots = server.client.get("/api/delivery-slots", headers=headers).json()
    blackouts = server.client.get("/api/blackout-dates", headers=headers).json()
    assert (zones["total"], slots["total"], blackouts["total"]) == (len(DEMO_ZONES), 4, 1)
    server.stop()
    # A restart finds the floor there and adds nothing.
    again = server_factory(["dev"], {}, cwd=tmp_path)
    headers = bearer(_owner_tokens(again, tmp_path)["access_token"])
    assert again.client.get("/api/stock-items", params={"limit": 100}, headers=headers).json()["total"] == len(
        DEMO_STOCK
    )
