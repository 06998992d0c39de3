"""Issue 11, item 5: browser sessions in cookie mode, beside the JSON-token mode, through real
server processes (`serve` on PostgreSQL and Redis, and `dev`).

Cookies are handled by hand here (each request sends exactly the ``Cookie`` header the test
chooses, and the client's own jar is emptied before every call), so what the server sets is read
straight from ``Set-Cookie`` and nothing is sent by accident."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.api_helpers import bearer, signup_body
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

SHOP = "https://app.rosa-bloom.example"
EVIL = "https://rosa-bloom.example.evil"
COOKIE = "__Secure-fv_refresh"
COOKIE_MODE = {"X-Session-Mode": "cookie", "Origin": SHOP}
GRACE_SECONDS = 2


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(
        ["serve"],
        {
            **production_environ,
            "AUTH_COOKIES": "true",
            "CORS_ORIGINS": SHOP,
            "AUTH_RATE_LIMIT": "10000",
            "REFRESH_REUSE_GRACE_SECONDS": str(GRACE_SECONDS),
        },
    )


@dataclass(frozen=True)
class SetCookie:
    name: str
    value: str
    attributes: dict[str, str]  # lower-cased names; flags map to ""


def set_cookie(response: httpx.Response) -> SetCookie:
    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    pair, *attributes = (part.strip() for part in headers[0].split(";"))
    name, _, value = pair.partition("=")
    parsed = {}
    for attribute in attributes:
        key, _, val = attribute.partition("=")
        parsed[key.lower()] = val.lower() if key.lower() == "samesite" else val  # its value is case-insensitive
    return SetCookie(name, value, parsed)


def call(server: ServerProcess, path: str, *, cookie: str | bytes | None = None, **kwargs: Any) -> httpx.Response:
    client = server.client
    client.cookies.clear()
    headers = dict(kwargs.pop("headers", {}))
    if cookie is not None:
        headers["Cookie"] = cookie
    response = client.post(path, headers=headers, **kwargs)
    client.cookies.clear()
    return response


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def cookie_login(
    server: ServerProcess, cookie_name: str = COOKIE, headers: dict[str, str] = COOKIE_MODE
) -> tuple[dict[str, Any], str]:
    body = signup_body("cookie")
    assert call(server, "/api/auth/signup", json=body).status_code == 201
    response = call(
        server, "/api/auth/login", json={"email": body["email"], "password": body["password"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    cookie = set_cookie(response)
    assert cookie.name == cookie_name
    return response.json(), f"{cookie.name}={cookie.value}"


def problem_response(response: httpx.Response) -> httpx.Response:
    problem(response, 401, "INVALID_REFRESH_TOKEN")
    return response


def assert_forgotten(response: httpx.Response) -> None:
    """``response`` deletes the refresh cookie (empty, expired, on its path)."""
    deleted = set_cookie(response)
    assert (deleted.name, deleted.attributes["max-age"], deleted.attributes["path"]) == (COOKIE, "0", "/api/auth")
    assert deleted.value in ("", '""')


def me_status(server: ServerProcess, access_token: str) -> int:
    return server.client.get("/api/auth/me", headers=bearer(access_token)).status_code


# -- the cookie ------------------------------------------------------------------------------------


def test_login_in_cookie_mode_sets_an_httponly_strict_secure_cookie_and_no_token_in_the_body(
    server: ServerProcess,
) -> None:
    tokens, _ = cookie_login(server)
    body = signup_body("cookie")
    call(server, "/api/auth/signup", json=body)
    response = call(
        server, "/api/auth/login", json={"email": body["email"], "password": body["password"]}, headers=COOKIE_MODE
    )
    cookie = set_cookie(response)
    assert cookie.value.startswith("fvr_")
    assert cookie.attributes == {
        "httponly": "",
        "secure": "",
        "samesite": "strict",
        "path": "/api/auth",
        "max-age": str(7 * 24 * 3600),
    }
    answer = response.json()
    assert answer["refresh_token"] is None
    assert cookie.value not in response.text  # never readable by a script
    assert me_status(server, answer["access_token"]) == 200
    # Credentialed CORS for the listed origin, so the browser lets the page read the answer.
    assert response.headers["access-control-allow-origin"] == SHOP
    assert response.headers["access-control-allow-credentials"] == "true"
    assert tokens["refresh_token"] is None


def test_sign_up_in_cookie_mode_logs_the_owner_in_with_the_cookie(server: ServerProcess) -> None:
    response = call(server, "/api/auth/signup", json=signup_body("cookie"), headers=COOKIE_MODE)
    assert response.status_code == 201, response.text
    cookie = set_cookie(response)
    assert (cookie.name, cookie.attributes["path"], cookie.attributes["samesite"]) == (COOKIE, "/api/auth", "strict")
    tokens = response.json()["tokens"]
    assert tokens["refresh_token"] is None
    refreshed = call(server, "/api/auth/refresh", cookie=f"{COOKIE}={cookie.value}", headers=COOKIE_MODE)
    assert refreshed.status_code == 200, refreshed.text


def test_refresh_in_cookie_mode_reads_and_replaces_the_cookie(server: ServerProcess) -> None:
    _, cookie = cookie_login(server)
    response = call(server, "/api/auth/refresh", cookie=cookie, headers=COOKIE_MODE)
    assert response.status_code == 200, response.text
    rotated = set_cookie(response)
    assert f"{rotated.name}={rotated.value}" != cookie
    assert rotated.attributes["max-age"] == str(7 * 24 * 3600)
    assert response.json()["refresh_token"] is None
    assert me_status(server, response.json()["access_token"]) == 200
    again = call(server, "/api/auth/refresh", cookie=f"{rotated.name}={rotated.value}", headers=COOKIE_MODE)
    assert again.status_code == 200, again.text


def test_the_json_mode_is_unchanged_beside_it(server: ServerProcess) -> None:
    body = signup_body("json")
    call(server, "/api/auth/signup", json=body)
    response = call(server, "/api/auth/login", json={"email": body["email"], "password": body["password"]})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    refresh_token = response.json()["refresh_token"]
    assert refresh_token.startswith("fvr_")
    refreshed = call(server, "/api/auth/refresh", json={"refresh_token": refresh_token})
    assert refreshed.status_code == 200
    assert "set-cookie" not in refreshed.headers
    assert refreshed.json()["refresh_token"].startswith("fvr_")
    unknown = call(server, "/api/auth/refresh", json={"refresh_token": "fvr_never-issued"})
    problem(unknown, 401, "INVALID_REFRESH_TOKEN")
    assert "set-cookie" not in unknown.headers  # a refused JSON-mode refresh has no cookie to delete


# -- CSRF -----------------------------------------------------------------------------------------


def test_csrf_refusals_change_nothing(server: ServerProcess) -> None:
    tokens, cookie = cookie_login(server)
    refusals = [
        # The cookie without the header: a form post or a plain fetch from anywhere.
        ("/api/auth/refresh", {}, None),
        ("/api/auth/logout", {}, None),
        ("/api/auth/refresh", {"Origin": SHOP}, None),
        # The header from a foreign, a null or no origin.
        ("/api/auth/refresh", {"X-Session-Mode": "cookie", "Origin": EVIL}, None),
        ("/api/auth/refresh", {"X-Session-Mode": "cookie", "Origin": "null"}, None),
        ("/api/auth/refresh", {"X-Session-Mode": "cookie"}, None),
        ("/api/auth/logout", {"X-Session-Mode": "cookie", "Origin": EVIL}, None),
        ("/api/auth/login", {"X-Session-Mode": "cookie", "Origin": EVIL}, {"email": "a@b.example", "password": "x"}),
        # Almost the listed origin.
        ("/api/auth/refresh", {"X-Session-Mode": "cookie", "Origin": SHOP + ":444"}, None),
        ("/api/auth/refresh", {"X-Session-Mode": "cookie", "Origin": SHOP.replace("https", "http")}, None),
    ]
    for path, headers, body in refusals:
        response = call(server, path, cookie=cookie, headers=headers, json=body)
        problem(response, 403, "CSRF_REJECTED")
        assert "set-cookie" not in response.headers
    # Checked before the body is read: a malformed body does not change the answer.
    response = call(
        server, "/api/auth/refresh", cookie=cookie, content=b"\xff{", headers={"Content-Type": "application/json"}
    )
    problem(response, 403, "CSRF_REJECTED")
    # Nothing was rotated or ended: the session and its cookie still work.
    assert me_status(server, tokens["access_token"]) == 200
    assert call(server, "/api/auth/refresh", cookie=cookie, headers=COOKIE_MODE).status_code == 200


def test_cookie_mode_refuses_what_it_does_not_take(server: ServerProcess) -> None:
    _, cookie = cookie_login(server)
    for value in ("Cookie", "json", "cookie, cookie", "", "cookie\u200b".encode()):
        response = call(server, "/api/auth/refresh", cookie=cookie, headers={"X-Session-Mode": value, "Origin": SHOP})
        body = problem(response, 400, "VALIDATION_ERROR")
        assert [error["field"] for error in body["errors"]] == ["header.x-session-mode"]
    with_body = call(server, "/api/auth/refresh", cookie=cookie, headers=COOKIE_MODE, json={"refresh_token": "fvr_x"})
    body = problem(with_body, 400, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == ["refresh_token"]
    assert "set-cookie" not in with_body.headers  # a malformed call keeps the cookie: only a 401 deletes it
    # No cookie, or one that opens nothing: the session is over (401), never a 500; the answer
    # deletes the cookie, so the browser stops presenting it.
    assert_forgotten(problem_response(call(server, "/api/auth/refresh", headers=COOKIE_MODE)))
    for junk in (f"{COOKIE}=fvr_never-issued", f"{COOKIE}=\u200b", f"{COOKIE}=" + "x" * 2000, f"{COOKIE}=a;{COOKIE}=b"):
        answer = call(server, "/api/auth/refresh", cookie=junk.encode("utf-8"), headers=COOKIE_MODE)
        assert_forgotten(problem_response(answer))
    # The JSON mode still needs its body.
    body = problem(call(server, "/api/auth/refresh"), 400, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == ["refresh_token"]


def test_the_preflight_lets_the_listed_origin_send_the_header_with_credentials(server: ServerProcess) -> None:
    preflight = {
        "Origin": SHOP,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-session-mode",
    }
    answer = server.client.options("/api/auth/refresh", headers=preflight)
    assert answer.status_code == 204, answer.text
    assert "X-Session-Mode" in answer.headers["access-control-allow-headers"]
    assert answer.headers["access-control-allow-credentials"] == "true"
    foreign = server.client.options("/api/auth/refresh", headers={**preflight, "Origin": EVIL})
    assert foreign.status_code == 403
    assert "access-control-allow-credentials" not in foreign.headers


# -- logout ---------------------------------------------------------------------------------------


def test_logout_in_cookie_mode_ends_the_session_and_deletes_the_cookie(server: ServerProcess) -> None:
    tokens, cookie = cookie_login(server)
    response = call(server, "/api/auth/logout", cookie=cookie, headers=COOKIE_MODE)
    assert response.status_code == 204, response.text
    deleted = set_cookie(response)
    assert (deleted.name, deleted.attributes["max-age"]) == (COOKIE, "0")
    assert deleted.value in ("", '""')  # no token left in it
    assert deleted.attributes["path"] == "/api/auth"
    assert me_status(server, tokens["access_token"]) == 401
    assert_forgotten(problem_response(call(server, "/api/auth/refresh", cookie=cookie, headers=COOKIE_MODE)))


# -- two tabs -------------------------------------------------------------------------------------


def test_two_tabs_refreshing_the_same_cookie_at_once_both_stay_logged_in(server: ServerProcess) -> None:
    _, cookie = cookie_login(server)
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def tab() -> None:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            barrier.wait()
            answers.append(client.post("/api/auth/refresh", headers={**COOKIE_MODE, "Cookie": cookie}))

    tabs = [threading.Thread(target=tab) for _ in range(2)]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join(timeout=20)
    assert [answer.status_code for answer in answers] == [200, 200], [answer.text for answer in answers]
    cookies = {set_cookie(answer).value for answer in answers}
    assert len(cookies) == 1  # the same new refresh token, whichever answer the browser keeps
    (shared,) = cookies
    for answer in answers:
        assert me_status(server, answer.json()["access_token"]) == 200
    # The session goes on with the shared cookie.
    next_one = call(server, "/api/auth/refresh", cookie=f"{COOKIE}={shared}", headers=COOKIE_MODE)
    assert next_one.status_code == 200, next_one.text
    assert me_status(server, next_one.json()["access_token"]) == 200


def test_a_reuse_after_the_grace_still_ends_the_session(server: ServerProcess) -> None:
    tokens, cookie = cookie_login(server)
    first = call(server, "/api/auth/refresh", cookie=cookie, headers=COOKIE_MODE)
    assert first.status_code == 200
    repeated = call(server, "/api/auth/refresh", cookie=cookie, headers=COOKIE_MODE)  # within the grace
    assert repeated.status_code == 200, repeated.text
    assert set_cookie(repeated).value == set_cookie(first).value
    time.sleep(GRACE_SECONDS + 0.5)
    assert_forgotten(problem_response(call(server, "/api/auth/refresh", cookie=cookie, headers=COOKIE_MODE)))
    # The whole family is gone: the successor and the access tokens.
    successor = f"{COOKIE}={set_cookie(first).value}"
    assert_forgotten(problem_response(call(server, "/api/auth/refresh", cookie=successor, headers=COOKIE_MODE)))
    assert me_status(server, first.json()["access_token"]) == 401
    assert me_status(server, tokens["access_token"]) == 401


# -- a server without cookie mode, and `dev` -------------------------------------------------------


def test_without_auth_cookies_cookie_mode_is_refused_and_no_credentials_are_allowed(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    plain = server_factory(["serve"], {**production_environ, "CORS_ORIGINS": SHOP})
    body = signup_body("plain")
    assert call(plain, "/api/auth/signup", json=body).status_code == 201
    login = {"email": body["email"], "password": body["password"]}
    response = call(plain, "/api/auth/login", json=login, headers=COOKIE_MODE)
    problem(response, 403, "COOKIE_MODE_DISABLED")
    assert "set-cookie" not in response.headers
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "access-control-allow-credentials" not in response.headers
    assert call(plain, "/api/auth/login", json=login).json()["refresh_token"].startswith("fvr_")


def test_dev_sets_a_plain_http_cookie_for_the_vite_origin(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    dev = server_factory(["dev"], {}, cwd=tmp_path)
    vite = {"X-Session-Mode": "cookie", "Origin": "http://localhost:5173"}
    _, cookie = cookie_login(dev, "fv_refresh", vite)
    response = call(dev, "/api/auth/refresh", cookie=cookie, headers=vite)
    assert response.status_code == 200, response.text
    sent = set_cookie(response)
    assert sent.name == "fv_refresh"
    assert "secure" not in sent.attributes  # plain http under dev only
    assert {k: sent.attributes[k] for k in ("httponly", "samesite", "path")} == {
        "httponly": "",
        "samesite": "strict",
        "path": "/api/auth",
    }
    assert response.headers["access-control-allow-credentials"] == "true"
    problem(call(dev, "/api/auth/refresh", cookie=cookie, headers={**vite, "Origin": EVIL}), 403, "CSRF_REJECTED")
