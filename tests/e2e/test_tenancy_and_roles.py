"""Contract section 5: roles, tenancy, staff management and security events, over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.api_helpers import PASSWORD, add_staff, bearer, login, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], production_environ)


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _status(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code


def test_every_role_reads_the_vendor_only_owners_change_it(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    for role in ("MANAGER", "STAFF", "DRIVER"):
        _, email = add_staff(client, owner, role)
        token = login(client, email)["access_token"]
        got = client.get("/api/vendor", headers=bearer(token))
        assert got.status_code == 200
        assert got.json()["id"] == shop.vendor["id"]
        # 403 comes before the body is validated: this body is not even valid.
        _status(client.patch("/api/vendor", json={"bogus": 1}, headers=bearer(token)), 403, "FORBIDDEN")
    changed = client.patch("/api/vendor", json={"name": "Rosa & Co", "card_message_max": 150}, headers=bearer(owner))
    assert changed.status_code == 200
    assert changed.json()["name"] == "Rosa & Co"
    assert changed.json()["card_message_max"] == 150
    _status(client.patch("/api/vendor", json={"timezone": "Nowhere/City"}, headers=bearer(owner)), 400)
    _status(client.patch("/api/vendor", json={"unknown": True}, headers=bearer(owner)), 400)


def test_managers_manage_staff_and_drivers_only(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    _, manager_email = add_staff(client, owner, "MANAGER")
    manager = login(client, manager_email)["access_token"]
    staff, _ = add_staff(client, manager, "STAFF")
    add_staff(client, manager, "DRIVER")
    for role in ("OWNER", "MANAGER"):
        body = {
            "email": f"{role.lower()}-x@{shop.vendor['slug']}.test",
            "full_name": "X",
            "role": role,
            "password": PASSWORD,
        }
        _status(client.post("/api/staff", json=body, headers=bearer(manager)), 403, "FORBIDDEN")
    _status(client.patch(f"/api/staff/{staff['id']}", json={"role": "MANAGER"}, headers=bearer(manager)), 403)
    _status(client.patch(f"/api/staff/{shop.owner['id']}", json={"active": False}, headers=bearer(manager)), 403)
    listed = client.get("/api/staff", headers=bearer(manager))
    assert listed.status_code == 200
    assert listed.json()["total"] == 4
    assert {"items", "total", "limit", "offset"} == set(listed.json())


def test_staff_and_drivers_cannot_manage_staff(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    for role in ("STAFF", "DRIVER"):
        _, email = add_staff(client, owner, role)
        token = login(client, email)["access_token"]
        _status(client.get("/api/staff", headers=bearer(token)), 403, "FORBIDDEN")
        _status(client.post("/api/staff", json={}, headers=bearer(token)), 403, "FORBIDDEN")
        _status(client.get("/api/security-events", headers=bearer(token)), 403, "FORBIDDEN")


def test_deactivation_and_role_change_bite_at_once(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    staff, email = add_staff(client, owner, "STAFF")
    tokens = login(client, email)
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    _status(client.patch(f"/api/staff/{staff['id']}", json={"active": False}, headers=bearer(owner)), 200)
    _status(client.get("/api/auth/me", headers=bearer(tokens["access_token"])), 401, "INVALID_TOKEN")
    _status(client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
    _status(client.post("/api/auth/login", json={"email": email, "password": PASSWORD}), 401, "INVALID_CREDENTIALS")


def test_a_shop_keeps_an_active_owner(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    _status(
        client.patch(f"/api/staff/{shop.owner['id']}", json={"active": False}, headers=bearer(owner)), 409, "LAST_OWNER"
    )
    _status(
        client.patch(f"/api/staff/{shop.owner['id']}", json={"role": "MANAGER"}, headers=bearer(owner)),
        409,
        "LAST_OWNER",
    )
    second, second_email = add_staff(client, owner, "OWNER")
    _status(client.patch(f"/api/staff/{shop.owner['id']}", json={"role": "MANAGER"}, headers=bearer(owner)), 200)
    other_owner = login(client, second_email)["access_token"]
    _status(
        client.patch(f"/api/staff/{second['id']}", json={"active": False}, headers=bearer(other_owner)),
        409,
        "LAST_OWNER",
    )


def test_another_vendors_ids_are_404(client: httpx.Client) -> None:
    shop_a, shop_b = signup(client), signup(client)
    owner_a = login(client, shop_a.email)["access_token"]
    owner_b = login(client, shop_b.email)["access_token"]
    staff_a, _ = add_staff(client, owner_a, "STAFF")
    missing = "00000000-0000-7000-8000-000000000000"
    for target in (staff_a["id"], shop_a.owner["id"], missing):
        _status(client.patch(f"/api/staff/{target}", json={"active": False}, headers=bearer(owner_b)), 404, "NOT_FOUND")
    listed = client.get("/api/staff", headers=bearer(owner_b)).json()
    assert [u["id"] for u in listed["items"]] == [shop_b.owner["id"]]
    assert client.get("/api/vendor", headers=bearer(owner_b)).json()["id"] == shop_b.vendor["id"]
    events_b = client.get("/api/security-events", headers=bearer(owner_b)).json()["items"]
    assert all(e["user_id"] in (None, shop_b.owner["id"]) for e in events_b)
    assert staff_a["id"] not in json.dumps(events_b)
    _status(client.patch("/api/staff/not-a-uuid", json={}, headers=bearer(owner_b)), 404)


def test_security_events_are_recorded_newest_first_without_secrets(client: httpx.Client) -> None:
    shop = signup(client)
    client.post("/api/auth/login", json={"email": shop.email, "password": "wrong password!!"})
    tokens = login(client, shop.email)
    owner = tokens["access_token"]
    _, driver_email = add_staff(client, owner, "DRIVER")
    driver = login(client, driver_email)["access_token"]
    client.get("/api/staff", headers=bearer(driver))  # denied, recorded
    response = client.get("/api/security-events", params={"limit": 100}, headers=bearer(owner))
    assert response.status_code == 200
    page = response.json()
    kinds = [e["kind"] for e in page["items"]]
    assert {"SIGNUP", "LOGIN_FAILED", "LOGIN_SUCCEEDED", "STAFF_CREATED", "PERMISSION_DENIED"} <= set(kinds)
    stamps = [e["at"] for e in page["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert all(set(e) == {"id", "at", "kind", "user_id", "client_ip", "request_id", "detail"} for e in page["items"])
    text = json.dumps(page)
    for secret in (PASSWORD, "wrong password!!", tokens["access_token"], tokens["refresh_token"]):
        assert secret not in text
    assert page["limit"] == 100
    second_page = client.get("/api/security-events", params={"limit": 2, "offset": 2}, headers=bearer(owner)).json()
    assert [e["id"] for e in second_page["items"]] == [e["id"] for e in page["items"][2:4]]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "many"])
def test_list_limit_outside_1_to_100_is_400(client: httpx.Client, limit: str) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    _status(client.get("/api/staff", params={"limit": limit}, headers=bearer(owner)), 400)
