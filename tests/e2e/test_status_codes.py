"""Issue 11 item 3, through a real `flower-vendor serve` on PostgreSQL and Redis: status codes a
client can act on. A wrong current password is 422 `CURRENT_PASSWORD_INCORRECT` (the session stays
good: 401 means only "this token or session is no longer good"), and logout takes the refresh token
alone when the access token is expired or absent."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from tests.e2e.api_helpers import PASSWORD, Shop, add_staff, bearer, login, signup
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "an entirely new sentence"


def _own_prefix(environ: dict[str, str]) -> str:
    # A prefix of its own: throttles and limits counted by other tests never reach these buckets.
    return f"{environ['REDIS_KEY_PREFIX']}{uuid.uuid4().hex[:8]}:"


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    env = {**production_environ, "REDIS_KEY_PREFIX": _own_prefix(production_environ), "AUTH_RATE_LIMIT": "1000"}
    return server_factory(["serve"], env)


@pytest.fixture
def client(server: ServerProcess) -> httpx.Client:
    return server.client


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["request_id"]
    return body


def _expired(access_token: str, secret: str) -> str:
    """The same token (same session, same key id) with its lifetime over, signed with the real key:
    exactly what a client holds a quarter of an hour after its last refresh."""
    header = jwt.get_unverified_header(access_token)
    claims = jwt.decode(access_token, options={"verify_signature": False})
    now = int(time.time())
    claims.update(iat=now - 3600, nbf=now - 3600, exp=now - 60, jti=uuid.uuid4().hex)
    return jwt.encode(claims, secret, algorithm="HS256", headers=header)


def _is_live(client: httpx.Client, pair: dict[str, Any]) -> bool:
    """Whether the pair's access token still opens its session (a read: nothing is rotated)."""
    status = client.get("/api/auth/me", headers=bearer(pair["access_token"])).status_code
    assert status in (200, 401)
    return status == 200


def _refresh_works(client: httpx.Client, refresh_token: str) -> bool:
    response = client.post("/api/auth/refresh", json={"refresh_token": refresh_token})
    if response.status_code == 401:
        _problem(response, 401, "INVALID_REFRESH_TOKEN")
        return False
    assert response.status_code == 200, response.text
    return True


def _events(client: httpx.Client, shop: Shop, kind: str, token: str | None = None) -> list[dict[str, Any]]:
    """The shop's security events of ``kind``, read by its owner (a fresh session unless ``token``)."""
    token = token or login(client, shop.email, shop.password)["access_token"]
    page = client.get("/api/security-events", params={"limit": 100}, headers=bearer(token))
    assert page.status_code == 200, page.text
    return [event for event in page.json()["items"] if event["kind"] == kind]


def _logout(client: httpx.Client, refresh_token: str | None, access_token: str | None = None) -> httpx.Response:
    headers = bearer(access_token) if access_token is not None else {}
    body = None if refresh_token is None else {"refresh_token": refresh_token}
    return client.post("/api/auth/logout", json=body, headers=headers)


# --- a wrong current password --------------------------------------------------------------------


def test_a_wrong_current_password_is_422_with_its_own_code_and_the_user_stays_logged_in(
    client: httpx.Client,
) -> None:
    shop = signup(client)
    current, other = login(client, shop.email), login(client, shop.email)
    wrong = client.post(
        "/api/auth/change-password",
        json={"current_password": "not the password at all", "new_password": NEW_PASSWORD},
        headers=bearer(current["access_token"]),
    )
    problem = _problem(wrong, 422, "CURRENT_PASSWORD_INCORRECT")
    # A form can put the message under the right input; nothing tells the client to re-authenticate.
    assert problem["errors"] == [{"field": "current_password", "message": "The current password is not correct."}]
    assert "www-authenticate" not in wrong.headers
    # Not logged out: the same access token still works, and so does the same refresh token.
    assert _is_live(client, current)
    assert _is_live(client, other)
    assert _refresh_works(client, current["refresh_token"])
    # The failure is recorded as before, against the account that sent it.
    failures = _events(client, shop, "LOGIN_FAILED")
    assert [(e["user_id"], e["detail"]) for e in failures] == [(shop.owner["id"], {"reason": "change_password"})]
    # The password did not change: the right one still changes it.
    changed = client.post(
        "/api/auth/change-password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(current["access_token"]),
    )
    assert changed.status_code == 204, changed.text


def test_repeated_wrong_current_passwords_are_throttled_like_logins(client: httpx.Client) -> None:
    shop = signup(client)
    current, other = login(client, shop.email), login(client, shop.email)
    headers = bearer(current["access_token"])
    guesses = [
        client.post(
            "/api/auth/change-password",
            json={"current_password": f"guess number {n} is wrong", "new_password": NEW_PASSWORD},
            headers=headers,
        )
        for n in range(5)
    ]
    for guess in guesses:
        _problem(guess, 422, "CURRENT_PASSWORD_INCORRECT")
    # Locked now: even the right password waits, with Retry-After, and the change does not happen.
    locked = client.post(
        "/api/auth/change-password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=headers
    )
    _problem(locked, 429, "TOO_MANY_ATTEMPTS")
    assert int(locked.headers["retry-after"]) > 0
    # Still never a 401: the session is good, and the other session was not revoked (no change).
    assert _is_live(client, current)
    assert _is_live(client, other)
    # (The owner's login is locked too, from this client: the events are read with a live session.)
    assert len(_events(client, shop, "LOGIN_FAILED", current["access_token"])) == 5
    assert _events(client, shop, "PASSWORD_CHANGED", current["access_token"]) == []


# --- logout with the refresh token alone -------------------------------------------------------


def test_logout_with_an_expired_access_token_and_the_refresh_token_ends_the_session(
    client: httpx.Client, production_environ: dict[str, str]
) -> None:
    shop = signup(client)
    pair, other = login(client, shop.email), login(client, shop.email)
    expired = _expired(pair["access_token"], production_environ["SECRET_KEY"])
    _problem(client.get("/api/auth/me", headers=bearer(expired)), 401, "INVALID_TOKEN")

    assert _logout(client, pair["refresh_token"], expired).status_code == 204

    assert not _refresh_works(client, pair["refresh_token"])
    assert not _is_live(client, pair)  # the session's unexpired access token ended with it
    assert _is_live(client, other)
    logouts = _events(client, shop, "LOGOUT")
    assert len(logouts) == 1
    assert logouts[0]["user_id"] == shop.owner["id"]
    assert len(logouts[0]["detail"]["sessions"]) == 1


def test_logout_with_no_authorization_header_and_the_refresh_token_ends_the_session(client: httpx.Client) -> None:
    shop = signup(client)
    owner = login(client, shop.email)["access_token"]
    member, email = add_staff(client, owner, "STAFF")
    pair, other = login(client, email), login(client, email)

    response = _logout(client, pair["refresh_token"])

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert not _refresh_works(client, pair["refresh_token"])
    assert not _is_live(client, pair)
    assert _is_live(client, other)
    # Recorded for the member whose session ended (from the session record, not from a token).
    logouts = _events(client, shop, "LOGOUT")
    assert [e["user_id"] for e in logouts] == [member["id"]]


def test_logout_with_a_refresh_token_that_opens_nothing_is_204_and_ends_nothing(client: httpx.Client) -> None:
    shop = signup(client)
    pair = login(client, shop.email)
    spent = pair["refresh_token"]
    rotated = client.post("/api/auth/refresh", json={"refresh_token": spent})
    assert rotated.status_code == 200
    fresh = rotated.json()
    refused = [
        "garbage",
        "fvr_" + secrets.token_urlsafe(32),  # well-formed, never issued
        spent,  # spent by the rotation above: it proves nothing about the session any more
        fresh["access_token"],  # an access token is never a refresh token
        "x" * 1024,
    ]
    for token in refused:
        answer = _logout(client, token)
        assert answer.status_code == 204, (token[:12], answer.text)
    # Nothing ended, nothing recorded: the answer never told which of these had ever existed.
    assert _is_live(client, fresh)
    assert _events(client, shop, "LOGOUT") == []
    assert _refresh_works(client, fresh["refresh_token"])


def test_logout_with_the_refresh_token_of_an_ended_session_is_idempotent(client: httpx.Client) -> None:
    shop = signup(client)
    pair = login(client, shop.email)
    assert _logout(client, pair["refresh_token"], pair["access_token"]).status_code == 204
    for _ in range(2):
        assert _logout(client, pair["refresh_token"]).status_code == 204
        # The ended session's own access token (its signature still good) is no principal either.
        assert _logout(client, pair["refresh_token"], pair["access_token"]).status_code == 204
    assert len(_events(client, shop, "LOGOUT")) == 1


@pytest.mark.parametrize("body", [None, {}, {"refresh_token": None}, {"refresh_token": ""}])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Bearer fvr_abc", "Basic dXNlcjpwYXNz"])
def test_logout_with_neither_a_live_access_token_nor_a_refresh_token_is_401(
    client: httpx.Client, body: dict[str, Any] | None, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.post("/api/auth/logout", json=body, headers=headers)
    _problem(response, 401, "INVALID_TOKEN")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "body", [{"refresh_token": 7}, {"refresh_token": ["fvr_x"]}, {"refresh_token": "x" * 1025}, {"token": "x"}]
)
def test_logout_refuses_a_malformed_body_with_400_with_or_without_an_access_token(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    shop = signup(client)
    pair = login(client, shop.email)
    for headers in ({}, bearer(pair["access_token"])):
        _problem(client.post("/api/auth/logout", json=body, headers=headers), 400, "VALIDATION_ERROR")
    assert _is_live(client, pair)


def test_logout_with_a_live_access_token_and_no_body_still_ends_that_session(client: httpx.Client) -> None:
    shop = signup(client)
    pair = login(client, shop.email)
    assert client.post("/api/auth/logout", headers=bearer(pair["access_token"])).status_code == 204
    assert not _is_live(client, pair)
    assert not _refresh_works(client, pair["refresh_token"])


# --- another user's refresh token ----------------------------------------------------------------


def test_a_request_authenticated_as_one_user_never_ends_another_users_session(client: httpx.Client) -> None:
    """Authenticated as A, with B's refresh token in the body: the request speaks for A, so A's
    session ends and B's is left alone (the most likely cause is a client that mixed up two stored
    accounts). Only B's refresh token presented on its own, which proves B's session as it would
    let its holder refresh it, ends B's session."""
    shop_a, shop_b = signup(client), signup(client)
    a, b = login(client, shop_a.email), login(client, shop_b.email)
    owner_b = login(client, shop_b.email)["access_token"]
    _, colleague_email = add_staff(client, owner_b, "MANAGER")
    c = login(client, colleague_email)

    # Another shop's user, and a colleague in the same shop: neither session is touched.
    assert _logout(client, b["refresh_token"], a["access_token"]).status_code == 204
    assert _logout(client, c["refresh_token"], owner_b).status_code == 204
    assert not _is_live(client, a)
    assert _is_live(client, b)
    assert _is_live(client, c)
    assert _refresh_works(client, c["refresh_token"]) is True
    assert [e["user_id"] for e in _events(client, shop_a, "LOGOUT")] == [shop_a.owner["id"]]
    assert [e["user_id"] for e in _events(client, shop_b, "LOGOUT")] == [shop_b.owner["id"]]  # owner_b's own

    # B's refresh token on its own ends B's session, recorded under B's shop and user.
    assert _logout(client, b["refresh_token"]).status_code == 204
    assert not _is_live(client, b)
    b_logouts = _events(client, shop_b, "LOGOUT")
    assert [e["user_id"] for e in b_logouts] == [shop_b.owner["id"]] * 2
    assert len(_events(client, shop_a, "LOGOUT")) == 1


def test_an_expired_access_token_of_one_user_does_not_make_anothers_logout_theirs(
    client: httpx.Client, production_environ: dict[str, str]
) -> None:
    """An access token that no longer authenticates is no principal: the refresh token alone
    decides, and the event goes to the owner of the session that ended, never the stale token's."""
    shop_a, shop_b = signup(client), signup(client)
    a, b = login(client, shop_a.email), login(client, shop_b.email)
    expired_a = _expired(a["access_token"], production_environ["SECRET_KEY"])

    assert _logout(client, b["refresh_token"], expired_a).status_code == 204

    assert not _is_live(client, b)
    assert _is_live(client, a)  # A's session was never named by a credential that proves it
    assert [e["user_id"] for e in _events(client, shop_b, "LOGOUT")] == [shop_b.owner["id"]]
    assert _events(client, shop_a, "LOGOUT") == []


# --- rate limiting -------------------------------------------------------------------------------


def test_logout_without_an_access_token_is_counted_in_the_api_tier_per_client_address(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    env = {
        **production_environ,
        "REDIS_KEY_PREFIX": _own_prefix(production_environ),
        "API_RATE_LIMIT": "3",
        "AUTH_RATE_LIMIT": "3",
        "AUTHENTICATED_RATE_LIMIT": "100",
    }
    server = server_factory(["serve"], env)
    client = server.client
    shop = signup(client)  # auth tier: 1
    pair = login(client, shop.email)  # auth tier: 2
    garbage = [_logout(client, f"fvr_{n}") for n in range(3)]
    assert [r.status_code for r in garbage] == [204] * 3
    assert garbage[0].headers["ratelimit-policy"] == '"api";q=3;w=60'
    # The address's api allowance is spent: a logout by refresh token alone now waits, real or not.
    refused = _logout(client, pair["refresh_token"])
    _problem(refused, 429, "RATE_LIMITED")
    assert int(refused.headers["retry-after"]) >= 1
    assert _is_live(client, pair)  # a refused request ended nothing
    # With a live access token it is the user's tier, as before; the auth tier was not touched.
    live = _logout(client, pair["refresh_token"], pair["access_token"])
    assert live.status_code == 204
    assert live.headers["ratelimit-policy"] == '"user";q=100;w=60'
    assert not _is_live(client, pair)
    assert login(client, shop.email)["token_type"] == "Bearer"  # auth tier: 3, still allowed
