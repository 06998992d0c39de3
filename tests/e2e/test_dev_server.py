"""`flower-vendor dev`: the embedded default a newcomer runs first."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import ServerProcess

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
    assert "random per-process key" in server.logs()

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
