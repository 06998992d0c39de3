"""Issue 11, item 8: the calls a frontend needs, through a real server on PostgreSQL and Redis.

Sign-up answers with the owner's tokens; ``/me`` names the shop; ``PATCH /api/auth/me`` changes
one's own name; ``GET /api/staff/{id}``; the staff list filters by ``role`` and ``active`` and sorts
by name or creation time. Each is attacked too: bad types, unknown fields and parameters, another
shop's ids, a revoked token: a clear 4xx, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.api_helpers import (
    PASSWORD,
    add_staff,
    bearer,
    fields,
    login,
    problem,
    signup,
    signup_body,
    unique,
)
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    # Many sign-ups and logins from one address: the auth tier is not what these tests are about.
    # No reuse grace: a spent refresh token is reuse at once (the strict setting).
    return server_factory(
        ["serve"], {**production_environ, "AUTH_RATE_LIMIT": "10000", "REFRESH_REUSE_GRACE_SECONDS": "0"}
    )


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _signup_body(**overrides: Any) -> dict[str, Any]:
    return signup_body("shop", **overrides)


# -- sign-up logs the owner in --------------------------------------------------------------------


def test_sign_up_answers_with_the_owners_tokens(client: httpx.Client) -> None:
    body = _signup_body()
    response = client.post("/api/auth/signup", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert set(answer) == {"vendor", "user", "tokens"}
    assert answer["vendor"]["slug"] == body["vendor_slug"]  # the fields sign-up always answered
    assert (answer["user"]["email"], answer["user"]["role"]) == (body["email"], "OWNER")
    tokens = answer["tokens"]
    assert set(tokens) == set(login(client, body["email"]))  # the login answer's shape
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0
    assert tokens["refresh_expires_in"] > 0

    me = client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    assert (me.json()["id"], me.json()["vendor"]["slug"]) == (answer["user"]["id"], body["vendor_slug"])

    refreshed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]
    # The sign-up's refresh token is now spent: presenting it again ends the family.
    problem(client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
    problem(client.get("/api/auth/me", headers=bearer(refreshed.json()["access_token"])), 401)

    # The owner's first session is in the audit trail as a login from sign-up.
    owner = login(client, body["email"])["access_token"]
    events = client.get("/api/security-events", params={"limit": "100"}, headers=bearer(owner)).json()["items"]
    from_signup = [e for e in events if e["kind"] == "LOGIN_SUCCEEDED" and e["detail"].get("via") == "signup"]
    assert len(from_signup) == 1
    assert from_signup[0]["user_id"] == answer["user"]["id"]
    assert "SIGNUP" in {e["kind"] for e in events}


def test_the_sign_up_session_ends_like_any_other(client: httpx.Client) -> None:
    tokens = client.post("/api/auth/signup", json=_signup_body()).json()["tokens"]
    assert client.post("/api/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    problem(client.get("/api/auth/me", headers=bearer(tokens["access_token"])), 401)
    problem(client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)


def test_a_refused_sign_up_hands_out_no_tokens(client: httpx.Client) -> None:
    first = _signup_body()
    assert client.post("/api/auth/signup", json=first).status_code == 201
    taken_email = _signup_body(email=first["email"].upper())
    assert "tokens" not in problem(client.post("/api/auth/signup", json=taken_email), 409, "EMAIL_TAKEN")
    taken_slug = _signup_body(vendor_slug=first["vendor_slug"])
    assert "tokens" not in problem(client.post("/api/auth/signup", json=taken_slug), 409)
    assert "tokens" not in problem(client.post("/api/auth/signup", json=_signup_body(password="password1234")), 400)
    problem(client.post("/api/auth/signup", json={**_signup_body(), "tokens": {"access_token": "x"}}), 400)
    problem(client.post("/api/auth/signup", json={**_signup_body(), "full_name": 7}), 400)


# -- /me names the shop ---------------------------------------------------------------------------


def test_me_names_the_shop(client: httpx.Client) -> None:
    shop = signup(client, currency="GBP", timezone="Europe/London", country="GB")
    owner = login(client, shop.email)["access_token"]
    me = client.get("/api/auth/me", headers=bearer(owner))
    assert me.status_code == 200, me.text
    assert me.json() == {
        "id": shop.owner["id"],
        "email": shop.email,
        "full_name": "Rosa Owner",
        "role": "OWNER",
        "vendor_id": shop.vendor["id"],
        "vendor": {
            "id": shop.vendor["id"],
            "name": "Rosa Bloemen",
            "slug": shop.vendor["slug"],
            "timezone": "Europe/London",
            "currency": "GBP",
        },
    }
    assert client.patch("/api/vendor", json={"name": "Rosa & Co"}, headers=bearer(owner)).status_code == 200
    assert client.get("/api/auth/me", headers=bearer(owner)).json()["vendor"]["name"] == "Rosa & Co"
    # A driver sees their shop too.
    _, email = add_staff(client, owner, "DRIVER")
    driver = client.get("/api/auth/me", headers=bearer(login(client, email)["access_token"])).json()
    assert (driver["role"], driver["vendor"]["slug"]) == ("DRIVER", shop.vendor["slug"])


# -- PATCH /api/auth/me ---------------------------------------------------------------------------


def test_anyone_changes_their_own_name(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    staff, email = add_staff(client, owner, "STAFF")
    session = login(client, email)
    other_session = login(client, email)["access_token"]
    changed = client.patch(
        "/api/auth/me", json={"full_name": "  Sam   Staff "}, headers=bearer(session["access_token"])
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["full_name"] == "Sam Staff"
    assert changed.json()["vendor"]["slug"] == shop.vendor["slug"]
    assert set(changed.json()) == set(client.get("/api/auth/me", headers=bearer(owner)).json())  # MeOut
    assert client.get("/api/auth/me", headers=bearer(session["access_token"])).json()["full_name"] == "Sam Staff"
    member = client.get(f"/api/staff/{staff['id']}", headers=bearer(owner)).json()
    assert member["full_name"] == "Sam Staff"
    # A name is not a credential: every session stays.
    assert client.get("/api/auth/me", headers=bearer(other_session)).status_code == 200
    assert client.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]}).status_code == 200
    events = client.get("/api/security-events", params={"limit": "100"}, headers=bearer(owner)).json()["items"]
    renamed = [e for e in events if e["kind"] == "PROFILE_UPDATED"]
    assert [(e["user_id"], e["detail"]) for e in renamed] == [(staff["id"], {"fields": ["full_name"]})]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": 5}, "full_name"),
        ({"full_name": None}, "full_name"),
        ({"full_name": ["Rosa"]}, "full_name"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "\u200b\u2060"}, "full_name"),
        ({"full_name": "x" * 121}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"full_name": "Rosa", "role": "OWNER"}, "role"),
        ({"full_name": "Rosa", "email": "boss@example.com"}, "email"),
        ({}, "full_name"),
    ],
)
def test_a_bad_name_change_is_400_naming_the_field(client: httpx.Client, body: dict[str, Any], field: str) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    assert field in fields(client.patch("/api/auth/me", json=body, headers=bearer(owner)))
    me = client.get("/api/auth/me", headers=bearer(owner)).json()
    assert (me["full_name"], me["role"], me["email"]) == ("Rosa Owner", "OWNER", shop.email)


def test_a_name_change_needs_a_live_session_and_json(client: httpx.Client) -> None:
    shop = signup(client)
    session = login(client, shop.email)
    token = session["access_token"]
    problem(client.patch("/api/auth/me", json={"full_name": "Nobody"}), 401)
    problem(client.patch("/api/auth/me", json={"full_name": "Nobody"}, headers=bearer("not.a.jwt")), 401)
    problem(client.patch("/api/auth/me", json={"full_name": "Nobody"}, headers=bearer(session["refresh_token"])), 401)
    response = client.patch(
        "/api/auth/me", content="full_name=Nobody", headers={**bearer(token), "content-type": "text/plain"}
    )
    problem(response, 415)
    problem(
        client.patch(
            "/api/auth/me", content=b'{"full_name": ', headers={**bearer(token), "content-type": "application/json"}
        ),
        400,
    )
    assert client.post("/api/auth/logout", headers=bearer(token)).status_code == 204
    problem(client.patch("/api/auth/me", json={"full_name": "After Logout"}, headers=bearer(token)), 401)
    owner = login(client, shop.email)["access_token"]
    assert client.get("/api/auth/me", headers=bearer(owner)).json()["full_name"] == "Rosa Owner"


def test_a_deactivated_member_cannot_rename_itself(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    staff, email = add_staff(client, owner, "STAFF")
    token = login(client, email)["access_token"]
    assert client.patch(f"/api/staff/{staff['id']}", json={"active": False}, headers=bearer(owner)).status_code == 200
    problem(client.patch("/api/auth/me", json={"full_name": "Still Here"}, headers=bearer(token)), 401)
    assert client.get(f"/api/staff/{staff['id']}", headers=bearer(owner)).json()["full_name"] == "A Staff"


# -- GET /api/staff/{id} --------------------------------------------------------------------------


def test_managers_and_owners_read_one_member(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    _, manager_email = add_staff(client, owner, "MANAGER")
    manager = login(client, manager_email)["access_token"]
    driver, _ = add_staff(client, owner, "DRIVER")
    listed = {m["id"]: m for m in client.get("/api/staff", headers=bearer(owner)).json()["items"]}
    for token in (owner, manager):
        got = client.get(f"/api/staff/{driver['id']}", headers=bearer(token))
        assert got.status_code == 200, got.text
        assert got.json() == listed[driver["id"]] == driver
    assert client.get(f"/api/staff/{shop.owner['id']}", headers=bearer(manager)).json()["role"] == "OWNER"


def test_one_member_of_another_shop_or_nobody_is_404(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    other = signup(client)
    other_owner = login(client, other.email)["access_token"]
    other_staff, _ = add_staff(client, other_owner, "STAFF")
    for member_id in (other.owner["id"], other_staff["id"], str(uuid.uuid4()), "not-a-uuid", "1", "%20", "%00", "..."):
        problem(client.get(f"/api/staff/{member_id}", headers=bearer(owner)), 404, "NOT_FOUND")
    problem(client.get("/api/staff/..%2Fvendor", headers=bearer(owner)), 400)  # the edge refuses it
    # The same id answers its own shop.
    assert client.get(f"/api/staff/{other_staff['id']}", headers=bearer(other_owner)).status_code == 200


def test_staff_and_drivers_cannot_read_a_member(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    for role in ("STAFF", "DRIVER"):
        _, email = add_staff(client, owner, role)
        token = login(client, email)["access_token"]
        problem(client.get(f"/api/staff/{shop.owner['id']}", headers=bearer(token)), 403, "FORBIDDEN")
        problem(client.get("/api/staff/not-a-uuid", headers=bearer(token)), 403, "FORBIDDEN")  # 403 before 404
    problem(client.get(f"/api/staff/{shop.owner['id']}"), 401)
    problem(client.get(f"/api/staff/{shop.owner['id']}", params={"x": "1"}, headers=bearer(owner)), 400)
    events = client.get("/api/security-events", params={"limit": "100"}, headers=bearer(owner)).json()["items"]
    denied = [e["detail"]["action"] for e in events if e["kind"] == "PERMISSION_DENIED"]
    assert denied.count("staff") == 4  # the route's guard records each refusal


# -- the staff list: filters and orders -----------------------------------------------------------


@pytest.fixture(scope="module")
def crew(server: ServerProcess) -> tuple[str, dict[str, str]]:
    """A shop with members named out of creation order and case order, one deactivated."""
    client = server.client
    shop = signup(client, full_name="Rosa Owner")
    owner = login(client, shop.email)["access_token"]
    ids = {"Rosa Owner": shop.owner["id"]}
    for name, role in (("zoe", "STAFF"), ("Adam", "MANAGER"), ("bea", "STAFF"), ("Carl", "DRIVER")):
        body = {"email": f"{unique(name.lower())}@example.com", "full_name": name, "role": role, "password": PASSWORD}
        created = client.post("/api/staff", json=body, headers=bearer(owner))
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
    assert client.patch(f"/api/staff/{ids['bea']}", json={"active": False}, headers=bearer(owner)).status_code == 200
    other = signup(client)  # another shop's staff match the same filters and never show
    add_staff(client, login(client, other.email)["access_token"], "STAFF")
    return owner, ids


def _names(client: httpx.Client, token: str, **params: str) -> tuple[list[str], int]:
    response = client.get("/api/staff", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return [m["full_name"] for m in response.json()["items"]], response.json()["total"]


def test_the_list_filters_by_role_and_active(client: httpx.Client, crew: tuple[str, dict[str, str]]) -> None:
    owner, _ = crew
    assert _names(client, owner, role="STAFF") == (["zoe", "bea"], 2)
    assert _names(client, owner, role="OWNER") == (["Rosa Owner"], 1)
    assert _names(client, owner, active="false") == (["bea"], 1)
    assert _names(client, owner, active="true", role="STAFF") == (["zoe"], 1)
    assert _names(client, owner, active="true") == (["Rosa Owner", "zoe", "Adam", "Carl"], 4)
    assert _names(client, owner, role="DRIVER", active="false") == ([], 0)
    assert _names(client, owner) == (["Rosa Owner", "zoe", "Adam", "bea", "Carl"], 5)


def test_the_list_sorts_by_name_or_creation(client: httpx.Client, crew: tuple[str, dict[str, str]]) -> None:
    owner, _ = crew
    by_creation = ["Rosa Owner", "zoe", "Adam", "bea", "Carl"]
    by_name = ["Adam", "bea", "Carl", "Rosa Owner", "zoe"]
    assert _names(client, owner, sort="created_at") == (by_creation, 5)
    assert _names(client, owner, sort="-created_at") == (by_creation[::-1], 5)
    assert _names(client, owner, sort="name") == (by_name, 5)
    assert _names(client, owner, sort="-name") == (by_name[::-1], 5)
    assert _names(client, owner, sort="full_name") == (by_name, 5)  # the contract's spelling
    assert _names(client, owner, sort="-full_name") == (by_name[::-1], 5)
    assert _names(client, owner, sort="name", limit="2", offset="1") == (["bea", "Carl"], 5)
    assert _names(client, owner, sort="-name", role="STAFF", active="true") == (["zoe"], 1)


def test_a_manager_filters_too(client: httpx.Client, crew: tuple[str, dict[str, str]]) -> None:
    owner, ids = crew
    manager_email = client.get(f"/api/staff/{ids['Adam']}", headers=bearer(owner)).json()["email"]
    manager = login(client, manager_email)["access_token"]
    assert _names(client, manager, role="MANAGER") == (["Adam"], 1)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "DRIVERS"}, "query.role"),
        ({"role": "driver"}, "query.role"),
        ({"role": ""}, "query.role"),
        ({"role": "OWNER "}, "query.role"),
        ({"active": "1"}, "query.active"),
        ({"active": "TRUE"}, "query.active"),
        ({"active": "yes"}, "query.active"),
        ({"active": ""}, "query.active"),
        ({"sort": "email"}, "query.sort"),
        ({"sort": "+name"}, "query.sort"),
        ({"sort": "Name"}, "query.sort"),
        ({"sort": "name,created_at"}, "query.sort"),
        ({"sort": "name;DROP TABLE users"}, "query.sort"),
        ({"order": "name"}, "query.order"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(
    client: httpx.Client, crew: tuple[str, dict[str, str]], params: dict[str, str], field: str
) -> None:
    owner, _ = crew
    assert field in fields(client.get("/api/staff", params=params, headers=bearer(owner)))


def test_a_filter_given_twice_and_every_bad_one_at_once(client: httpx.Client, crew: tuple[str, dict[str, str]]) -> None:
    owner, _ = crew
    twice = client.get("/api/staff?role=STAFF&role=OWNER", headers=bearer(owner))
    assert fields(twice) == {"query.role"}
    every = client.get("/api/staff", params={"role": "x", "active": "x", "sort": "x"}, headers=bearer(owner))
    assert fields(every) == {"query.role", "query.active", "query.sort"}


def test_staff_cannot_list_even_with_filters(client: httpx.Client) -> None:
    owner = login(client, signup(client).email)["access_token"]
    _, email = add_staff(client, owner, "STAFF")
    token = login(client, email)["access_token"]
    problem(client.get("/api/staff", params={"role": "OWNER"}, headers=bearer(token)), 403, "FORBIDDEN")
    problem(client.get("/api/staff", params={"role": "OWNER"}), 401)


# -- the same calls under `dev` (SQLite and in-memory sessions) -----------------------------------


def test_the_frontend_calls_work_under_dev(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> None:
    client = server_factory(["dev"], {}, cwd=tmp_path).client
    body = _signup_body()
    answer = client.post("/api/auth/signup", json=body)
    assert answer.status_code == 201, answer.text
    owner = answer.json()["tokens"]["access_token"]
    me = client.get("/api/auth/me", headers=bearer(owner)).json()
    assert me["vendor"] == {k: answer.json()["vendor"][k] for k in ("id", "name", "slug", "timezone", "currency")}
    renamed = client.patch("/api/auth/me", json={"full_name": "Rosa Renamed"}, headers=bearer(owner))
    assert (renamed.status_code, renamed.json()["full_name"]) == (200, "Rosa Renamed")
    for name, role in (("zoe", "STAFF"), ("Adam", "MANAGER"), ("bea", "STAFF")):
        staff = {"email": f"{unique(name.lower())}@example.com", "full_name": name, "role": role, "password": PASSWORD}
        assert client.post("/api/staff", json=staff, headers=bearer(owner)).status_code == 201
    assert _names(client, owner, sort="name") == (["Adam", "bea", "Rosa Renamed", "zoe"], 4)
    assert _names(client, owner, sort="-created_at", role="STAFF", active="true") == (["bea", "zoe"], 2)
    assert _names(client, owner, active="false") == ([], 0)
    one = client.get(f"/api/staff/{me['id']}", headers=bearer(owner))
    assert (one.status_code, one.json()["full_name"]) == (200, "Rosa Renamed")
    problem(client.get(f"/api/staff/{uuid.uuid4()}", headers=bearer(owner)), 404)
    assert fields(client.get("/api/staff", params={"role": "boss"}, headers=bearer(owner))) == {"query.role"}
