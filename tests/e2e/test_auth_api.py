"""Contract section 4 (auth) through a real server process, real PostgreSQL and real Redis."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from tests.e2e.api_helpers import PASSWORD, add_staff, bearer, login, signup, unique
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    # A one-second reuse grace, so the reuse test can outwait it.
    return server_factory(["serve"], {**production_environ, "REFRESH_REUSE_GRACE_SECONDS": "1"})


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["code"] == code, body
    return body


# --- signup -------------------------------------------------------------------------------------


def test_signup_answers_vendor_and_owner(client: httpx.Client) -> None:
    shop = signup(client, email=f"{unique('Mixed')}@Example.COM")
    assert shop.vendor["currency"] == "EUR"
    assert shop.vendor["timezone"] == "Europe/Amsterdam"
    assert shop.owner["role"] == "OWNER"
    assert shop.owner["vendor_id"] == shop.vendor["id"]
    assert shop.owner["email"] == shop.email.lower()
    assert "password" not in json.dumps(shop.owner)
    uuid.UUID(shop.vendor["id"])


def test_email_is_unique_case_insensitively(client: httpx.Client) -> None:
    shop = signup(client)
    response = client.post(
        "/api/auth/signup",
        json={
            "vendor_name": "Other",
            "vendor_slug": unique("other"),
            "timezone": "UTC",
            "currency": "USD",
            "country": "US",
            "email": shop.email.upper(),
            "password": PASSWORD,
            "full_name": "Someone Else",
        },
    )
    _problem(response, 409, "EMAIL_TAKEN")


def test_slug_is_unique(client: httpx.Client) -> None:
    shop = signup(client)
    response = client.post(
        "/api/auth/signup",
        json={
            "vendor_name": "Copy",
            "vendor_slug": shop.vendor["slug"],
            "timezone": "UTC",
            "currency": "USD",
            "country": "US",
            "email": f"{unique('copy')}@example.com",
            "password": PASSWORD,
            "full_name": "Copy Cat",
        },
    )
    _problem(response, 409, "SLUG_TAKEN")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("password", "short-pass", "WEAK_PASSWORD"),
        ("password", "x" * 129, "WEAK_PASSWORD"),
        ("password", "password1234", "WEAK_PASSWORD"),
        ("timezone", "Mars/Olympus", "VALIDATION_ERROR"),
        ("currency", "EURO", "VALIDATION_ERROR"),
        ("country", "XX", "VALIDATION_ERROR"),
        ("email", "not-an-email", "VALIDATION_ERROR"),
        ("vendor_slug", "Not A Slug", "VALIDATION_ERROR"),
    ],
)
def test_signup_refuses_invalid_fields_with_400(client: httpx.Client, field: str, value: str, code: str) -> None:
    slug = unique("bad")
    body = {
        "vendor_name": "Bad",
        "vendor_slug": slug,
        "timezone": "UTC",
        "currency": "EUR",
        "country": "NL",
        "email": f"{slug}@example.com",
        "password": PASSWORD,
        "full_name": "Bad Input",
        field: value,
    }
    problem = _problem(client.post("/api/auth/signup", json=body), 400, code)
    assert problem["errors"][0]["field"] == field


def test_signup_refuses_unknown_and_missing_fields(client: httpx.Client) -> None:
    _problem(client.post("/api/auth/signup", json={"email": "a@b.cd", "is_admin": True}), 400, "VALIDATION_ERROR")


# --- login and throttling ----------------------------------------------------------------------


def test_login_answers_a_bearer_pair(client: httpx.Client) -> None:
    shop = signup(client)
    tokens = login(client, shop.email.upper())
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 15 * 60
    assert tokens["refresh_expires_in"] == 7 * 24 * 3600
    me = client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": shop.owner["id"],
        "email": shop.email,
        "full_name": "Rosa Owner",
        "role": "OWNER",
        "vendor_id": shop.vendor["id"],
        # The shop, since issue 11 (item 8).
        "vendor": {key: shop.vendor[key] for key in ("id", "name", "slug", "timezone", "currency")},
    }


def test_wrong_password_unknown_email_and_deactivated_user_look_the_same(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    staff, staff_email = add_staff(client, owner, "STAFF")
    deactivate = client.patch(f"/api/staff/{staff['id']}", json={"active": False}, headers=bearer(owner))
    assert deactivate.status_code == 200
    answers = [
        client.post("/api/auth/login", json={"email": shop.email, "password": "wrong password here"}),
        client.post("/api/auth/login", json={"email": f"{unique('nobody')}@example.com", "password": PASSWORD}),
        client.post("/api/auth/login", json={"email": staff_email, "password": PASSWORD}),
    ]
    bodies = []
    for response in answers:
        body = _problem(response, 401, "INVALID_CREDENTIALS")
        body.pop("request_id")
        bodies.append(body)
    assert bodies[0] == bodies[1] == bodies[2]


def test_repeated_failures_throttle_that_account_from_that_client(client: httpx.Client) -> None:
    shop = signup(client)
    for _ in range(5):
        _problem(
            client.post("/api/auth/login", json={"email": shop.email, "password": "x" * 12}), 401, "INVALID_CREDENTIALS"
        )
    throttled = client.post("/api/auth/login", json={"email": shop.email, "password": PASSWORD})
    _problem(throttled, 429, "TOO_MANY_ATTEMPTS")
    assert int(throttled.headers["retry-after"]) >= 1
    # Another account from the same client is not affected.
    other = signup(client)
    assert client.post("/api/auth/login", json={"email": other.email, "password": PASSWORD}).status_code == 200


# --- refresh, rotation and reuse ----------------------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_family(client: httpx.Client) -> None:
    shop = signup(client)
    first = login(client, shop.email)
    second = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    assert client.get("/api/auth/me", headers=bearer(pair["access_token"])).status_code == 200

    time.sleep(1.3)  # past the reuse grace
    reuse = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    _problem(reuse, 401, "INVALID_REFRESH_TOKEN")
    # The whole family is gone: the newest refresh token and every access token of the session.
    _problem(
        client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401, "INVALID_REFRESH_TOKEN"
    )
    _problem(client.get("/api/auth/me", headers=bearer(pair["access_token"])), 401, "INVALID_TOKEN")
    _problem(client.get("/api/auth/me", headers=bearer(first["access_token"])), 401, "INVALID_TOKEN")


def test_refresh_rereads_the_role(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    staff, staff_email = add_staff(client, owner, "STAFF")
    tokens = login(client, staff_email)
    client.patch(f"/api/staff/{staff['id']}", json={"role": "MANAGER"}, headers=bearer(owner))
    # The role change revoked the session; a fresh login carries the new role.
    _problem(
        client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401, "INVALID_REFRESH_TOKEN"
    )
    fresh = login(client, staff_email)["access_token"]
    assert client.get("/api/auth/me", headers=bearer(fresh)).json()["role"] == "MANAGER"


# --- logout ------------------------------------------------------------------------------------


def test_logout_ends_that_session_only(client: httpx.Client) -> None:
    shop = signup(client)
    one, two = login(client, shop.email), login(client, shop.email)
    response = client.post(
        "/api/auth/logout", json={"refresh_token": one["refresh_token"]}, headers=bearer(one["access_token"])
    )
    assert response.status_code == 204
    _problem(client.get("/api/auth/me", headers=bearer(one["access_token"])), 401, "INVALID_TOKEN")
    _problem(
        client.post("/api/auth/refresh", json={"refresh_token": one["refresh_token"]}), 401, "INVALID_REFRESH_TOKEN"
    )
    assert client.get("/api/auth/me", headers=bearer(two["access_token"])).status_code == 200


def test_logout_all_ends_every_session(client: httpx.Client) -> None:
    shop = signup(client)
    one, two = login(client, shop.email), login(client, shop.email)
    assert client.post("/api/auth/logout-all", headers=bearer(one["access_token"])).status_code == 204
    for pair in (one, two):
        _problem(client.get("/api/auth/me", headers=bearer(pair["access_token"])), 401, "INVALID_TOKEN")
        refreshed = client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        _problem(refreshed, 401, "INVALID_REFRESH_TOKEN")


# --- change password ---------------------------------------------------------------------------


def test_change_password_revokes_other_sessions(client: httpx.Client) -> None:
    shop = signup(client)
    current, other = login(client, shop.email), login(client, shop.email)
    headers = bearer(current["access_token"])
    wrong = client.post(
        "/api/auth/change-password",
        json={"current_password": "not the password", "new_password": "a new long passphrase"},
        headers=headers,
    )
    _problem(wrong, 422, "CURRENT_PASSWORD_INCORRECT")
    weak = client.post(
        "/api/auth/change-password",
        json={"current_password": PASSWORD, "new_password": "password1234"},
        headers=headers,
    )
    _problem(weak, 400, "WEAK_PASSWORD")
    changed = client.post(
        "/api/auth/change-password",
        json={"current_password": PASSWORD, "new_password": "a new long passphrase"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    _problem(client.get("/api/auth/me", headers=bearer(other["access_token"])), 401, "INVALID_TOKEN")
    _problem(
        client.post("/api/auth/login", json={"email": shop.email, "password": PASSWORD}), 401, "INVALID_CREDENTIALS"
    )
    login(client, shop.email, "a new long passphrase")


# --- rejected access tokens ---------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forged(valid: str, secret: str, **changes: Any) -> str:
    header = jwt.get_unverified_header(valid)
    claims = jwt.decode(valid, options={"verify_signature": False})
    header_changes = changes.pop("header", {})
    claims.update(changes)
    for key in [k for k, v in claims.items() if v is None]:
        del claims[key]
    return jwt.encode(claims, secret, algorithm="HS256", headers={**header, **header_changes})


def test_rejected_token_matrix(client: httpx.Client, production_environ: dict[str, str]) -> None:
    shop = signup(client)
    tokens = login(client, shop.email)
    valid, secret = tokens["access_token"], production_environ["SECRET_KEY"]
    assert client.get("/api/auth/me", headers=bearer(valid)).status_code == 200

    claims = jwt.decode(valid, options={"verify_signature": False})
    header = jwt.get_unverified_header(valid)
    alg_none = f"{_b64({**header, 'alg': 'none'})}.{_b64(claims)}."
    now = int(time.time())
    cases = {
        "alg none": alg_none,
        "wrong signature": _forged(valid, "another-secret-key-that-is-long-enough-0123456789"),
        "unknown kid": _forged(valid, secret, header={"kid": "0000000000000000"}),
        "wrong audience": _forged(valid, secret, aud="someone-else"),
        "wrong issuer": _forged(valid, secret, iss="https://evil.example"),
        "expired": _forged(valid, secret, iat=now - 3600, nbf=now - 3600, exp=now - 1800),
        "missing exp": _forged(valid, secret, exp=None),
        "refresh as access": tokens["refresh_token"],
        "typ refresh": _forged(valid, secret, typ="refresh"),
        "garbage": "not.a.token",
    }
    for name, token in cases.items():
        response = client.get("/api/auth/me", headers=bearer(token))
        assert response.status_code == 401, name
        assert response.json()["code"] == "INVALID_TOKEN", name
    _problem(client.get("/api/auth/me"), 401, "INVALID_TOKEN")
    _problem(client.get("/api/auth/me", headers={"Authorization": f"Basic {valid}"}), 401, "INVALID_TOKEN")
    # An access token is no refresh token either.
    _problem(client.post("/api/auth/refresh", json={"refresh_token": valid}), 401, "INVALID_REFRESH_TOKEN")
