"""`flower-vendor dev`: the embedded default a newcomer runs first."""

from __future__ import annotations

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
