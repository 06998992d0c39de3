"""Rotating SECRET_KEY: tokens signed with the retired key keep working while it is listed in
SECRET_KEY_PREVIOUS, and stop once it is removed. Real servers sharing one PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infrastructure.config import generate_secret_key
from tests.e2e.api_helpers import bearer, login, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


def test_secret_key_rotation_keeps_sessions(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    old_key, new_key = generate_secret_key(), generate_secret_key()
    old = server_factory(["serve"], {**production_environ, "SECRET_KEY": old_key})
    shop = signup(old.client)
    tokens = login(old.client, shop.email)

    rotated = server_factory(["serve"], {**production_environ, "SECRET_KEY": new_key, "SECRET_KEY_PREVIOUS": old_key})
    assert rotated.client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    # Refresh tokens do not depend on the key; the new access token is signed with the new key.
    refreshed = rotated.client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new_access = refreshed.json()["access_token"]
    assert rotated.client.get("/api/auth/me", headers=bearer(new_access)).status_code == 200
    # The old server, which does not know the new key, refuses it: the key really changed.
    assert old.client.get("/api/auth/me", headers=bearer(new_access)).status_code == 401

    retired = server_factory(["serve"], {**production_environ, "SECRET_KEY": new_key})
    assert retired.client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert retired.client.get("/api/auth/me", headers=bearer(new_access)).status_code == 200
