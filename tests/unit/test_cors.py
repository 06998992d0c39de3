"""Issue 11 item 6: CORS answered by the edge on every response, preflights before rate limiting
and authentication, the development defaults, and credentials never with ``*``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infrastructure.config import DEV_CORS_ORIGINS, ConfigurationError, load_settings
from interfaces.http.cors import CorsPolicy, with_vary_origin
from interfaces.http.edge import EdgeMiddleware, EdgePolicy
from interfaces.http.front_door import refusal_response
from tests.unit.test_config import env, only_problems_of
from tests.unit.test_http_helpers import HOST, FakeApp, HeldApp, Message, Result, failing_before_start, http_scope

SHOP = "https://shop.example"
EVIL = "https://evil.example"
POLICY = CorsPolicy(allow_origins=(SHOP, "http://localhost:5173"))


def cors_headers(result: Result) -> dict[str, str]:
    return {k.decode().lower(): v.decode() for k, v in result.raw_headers if k.lower().startswith(b"access-control-")}


async def call(app: Any, headers: list[tuple[bytes, bytes]], *, method: str = "GET", body: bytes = b"") -> Result:
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    await app({**http_scope(headers), "method": method}, receive, send)
    return Result(messages)


def edge(inner: Any, policy: CorsPolicy = POLICY, **options: Any) -> EdgeMiddleware:
    return EdgeMiddleware(
        inner, EdgePolicy(allowed_hosts=("shop.example",), max_body_bytes=1024, cors=policy, **options)
    )


# --- the policy --------------------------------------------------------------------------------


def test_an_allowed_origin_gets_itself_and_the_exposed_headers_and_no_credentials() -> None:
    headers = dict(POLICY.response_headers(SHOP.encode()))
    assert headers == {
        b"access-control-allow-origin": SHOP.encode(),
        b"access-control-expose-headers": b"X-Request-ID, Retry-After, RateLimit, RateLimit-Policy",
    }


@pytest.mark.parametrize(
    "origin",
    [EVIL, SHOP + ".evil.example", SHOP + ":443", "http://shop.example", "null", "", SHOP + "/", "*"],
)
def test_anything_but_an_exact_configured_origin_gets_nothing(origin: str) -> None:
    assert POLICY.response_headers(origin.encode()) == ()
    assert POLICY.preflight(origin.encode(), b"POST", None).status == 403


def test_no_origin_gets_nothing() -> None:
    assert POLICY.response_headers(None) == ()


def test_credentials_only_when_configured_and_only_for_exact_origins() -> None:
    with_credentials = CorsPolicy(allow_origins=(SHOP, "*"), allow_credentials=True)
    assert (b"access-control-allow-credentials", b"true") in with_credentials.response_headers(SHOP.encode())
    anyone = with_credentials.response_headers(EVIL.encode())
    assert dict(anyone)[b"access-control-allow-origin"] == b"*"
    assert b"access-control-allow-credentials" not in dict(anyone)
    assert b"access-control-allow-credentials" not in dict(POLICY.response_headers(SHOP.encode()))


def test_the_any_origin_answers_star_without_credentials() -> None:
    policy = CorsPolicy(allow_origins=("*",))
    assert dict(policy.response_headers(EVIL.encode()))[b"access-control-allow-origin"] == b"*"


def test_a_configured_origin_in_capitals_matches_what_browsers_send() -> None:
    policy = CorsPolicy(allow_origins=("HTTPS://Shop.Example",))
    assert dict(policy.response_headers(SHOP.encode()))[b"access-control-allow-origin"] == SHOP.encode()


def test_preflight_lists_methods_and_headers_and_refuses_others() -> None:
    answer = POLICY.preflight(SHOP.encode(), b"PATCH", b"Authorization, content-type,X-Request-ID, accept")
    assert answer.status == 204
    headers = dict(answer.headers)
    assert headers[b"access-control-allow-origin"] == SHOP.encode()
    assert headers[b"access-control-allow-methods"] == b"GET, POST, PATCH, PUT, DELETE, OPTIONS"
    assert headers[b"access-control-allow-headers"] == b"Authorization, Content-Type, X-Request-ID, X-Session-Mode"
    assert headers[b"access-control-max-age"] == b"600"
    assert POLICY.preflight(SHOP.encode(), b"TRACE", None).code == "CORS_METHOD_NOT_ALLOWED"
    refused = POLICY.preflight(SHOP.encode(), b"POST", b"content-type, x-evil")
    assert (refused.status, refused.code) == (400, "CORS_HEADER_NOT_ALLOWED")
    assert "x-evil" in refused.detail


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ([], [(b"vary", b"Origin")]),
        ([(b"vary", b"Accept-Encoding")], [(b"vary", b"Accept-Encoding, Origin")]),
        ([(b"Vary", b"origin")], [(b"Vary", b"origin")]),
        ([(b"vary", b"*")], [(b"vary", b"*")]),
    ],
)
def test_vary_origin_is_merged_never_doubled(before: list[tuple[bytes, bytes]], after: list[Any]) -> None:
    assert with_vary_origin(before) == after


# --- settings ----------------------------------------------------------------------------------


def test_dev_allows_the_usual_frontend_dev_servers_unless_cors_origins_says_otherwise() -> None:
    assert load_settings({"ENVIRONMENT": "development"}).cors_origins == DEV_CORS_ORIGINS
    assert DEV_CORS_ORIGINS == ("http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000")
    chosen = load_settings({"ENVIRONMENT": "development", "CORS_ORIGINS": "http://localhost:4200"})
    assert chosen.cors_origins == ("http://localhost:4200",)


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_outside_development_there_are_no_origins_by_default(environment: str) -> None:
    settings = load_settings(env(ENVIRONMENT=environment))
    assert settings.cors_origins == ()
    assert settings.auth_cookies is False


def test_cookie_mode_is_refused_without_an_exact_origin() -> None:
    for origins in ("*", ""):
        environ = env(ENVIRONMENT="staging", CORS_ORIGINS=origins, AUTH_COOKIES="true")
        messages = only_problems_of(environ, "AUTH_COOKIES")
        assert any("exactly" in message for message in messages)
    with pytest.raises(ConfigurationError):
        load_settings({"ENVIRONMENT": "development", "CORS_ORIGINS": "*", "AUTH_COOKIES": "true"})


def test_cookie_mode_may_be_enabled_for_exact_origins_and_is_on_under_dev() -> None:
    assert load_settings(env(CORS_ORIGINS=SHOP, AUTH_COOKIES="true")).auth_cookies is True
    assert load_settings({"ENVIRONMENT": "development"}).auth_cookies is True
    assert load_settings({"ENVIRONMENT": "development", "AUTH_COOKIES": "false"}).auth_cookies is False


# --- the edge ----------------------------------------------------------------------------------


async def test_a_response_to_an_allowed_origin_carries_the_headers_once() -> None:
    result = await call(edge(FakeApp()), [HOST, (b"origin", SHOP.encode())])
    assert result.status == 200
    assert cors_headers(result) == {
        "access-control-allow-origin": SHOP,
        "access-control-expose-headers": "X-Request-ID, Retry-After, RateLimit, RateLimit-Policy",
    }
    assert result.header("vary") == "Origin"


async def test_a_foreign_origin_gets_no_cors_header_but_vary() -> None:
    result = await call(edge(FakeApp()), [HOST, (b"origin", EVIL.encode())])
    assert cors_headers(result) == {}
    assert result.header("vary") == "Origin"


async def test_without_cors_configured_nothing_changes() -> None:
    result = await call(edge(FakeApp(), CorsPolicy()), [HOST, (b"origin", SHOP.encode())])
    assert cors_headers(result) == {}
    assert result.header_values("vary") == []


@pytest.mark.parametrize(
    ("headers", "method", "body", "status"),
    [
        ([HOST, (b"content-length", b"4096")], "POST", b"", 413),
        ([HOST, (b"content-length", b"x")], "POST", b"", 400),
        ([(b"host", b"evil.example")], "GET", b"", 400),
        ([HOST], "POST", b"x" * 2048, 413),
    ],
)
async def test_the_edges_own_refusals_carry_the_headers(
    headers: list[tuple[bytes, bytes]], method: str, body: bytes, status: int
) -> None:
    result = await call(edge(FakeApp()), [*headers, (b"origin", SHOP.encode())], method=method, body=body)
    assert result.status == status
    assert result.header("access-control-allow-origin") == SHOP
    assert result.header("content-type") == "application/problem+json"
    foreign = await call(edge(FakeApp()), [*headers, (b"origin", EVIL.encode())], method=method, body=body)
    assert cors_headers(foreign) == {}


async def test_the_last_resort_500_carries_the_headers() -> None:
    result = await call(edge(failing_before_start), [HOST, (b"origin", SHOP.encode())])
    assert result.status == 500
    assert result.header("access-control-allow-origin") == SHOP


async def test_the_503_of_load_shedding_carries_the_headers() -> None:
    inner = HeldApp()
    middleware = edge(inner, max_in_flight=1)
    held = asyncio.create_task(call(middleware, [HOST]))
    await asyncio.sleep(0)
    shed = await call(middleware, [HOST, (b"origin", SHOP.encode())])
    foreign = await call(middleware, [HOST, (b"origin", EVIL.encode())])
    inner.release.set()
    await held
    assert shed.status == 503
    assert shed.header("access-control-allow-origin") == SHOP
    assert shed.header("vary") == "Origin"
    assert foreign.status == 503
    assert cors_headers(foreign) == {}


async def test_a_preflight_is_answered_by_the_edge_without_the_app() -> None:
    inner = FakeApp()
    preflight = [HOST, (b"origin", SHOP.encode()), (b"access-control-request-method", b"POST")]
    result = await call(edge(inner), preflight, method="OPTIONS")
    assert result.status == 204
    assert result.header("access-control-allow-origin") == SHOP
    assert result.header("access-control-allow-methods") == "GET, POST, PATCH, PUT, DELETE, OPTIONS"
    assert result.header("vary") == "Origin"
    assert result.header("x-content-type-options") == "nosniff"
    assert len(inner.calls) == 0
    foreign = [HOST, (b"origin", EVIL.encode()), (b"access-control-request-method", b"POST")]
    refused = await call(edge(inner), foreign, method="OPTIONS")
    assert refused.status == 403
    assert refused.json()["code"] == "CORS_ORIGIN_NOT_ALLOWED"
    assert cors_headers(refused) == {}
    assert len(inner.calls) == 0


class CountingGate:
    """A rate-limit gate that counts what it is asked and admits everything."""

    def __init__(self) -> None:
        self.checks = 0

    async def check(self, scope: Any, client_ip: str) -> None:
        self.checks += 1


async def test_a_preflight_is_neither_rate_limited_nor_counted() -> None:
    gate = CountingGate()
    middleware = EdgeMiddleware(
        FakeApp(),
        EdgePolicy(allowed_hosts=("shop.example",), max_body_bytes=1024, cors=POLICY),
        rate_limit=gate,  # type: ignore[arg-type]
    )
    preflight = [HOST, (b"origin", SHOP.encode()), (b"access-control-request-method", b"DELETE")]
    for _ in range(3):
        assert (await call(middleware, preflight, method="OPTIONS")).status == 204
    assert gate.checks == 0
    await call(middleware, [HOST, (b"origin", SHOP.encode())])
    assert gate.checks == 1


async def test_the_apps_vary_is_kept_and_origin_added() -> None:
    inner = FakeApp(extra_headers=[(b"vary", b"Accept-Encoding")])
    result = await call(edge(inner), [HOST, (b"origin", SHOP.encode())])
    assert result.header("vary") == "Accept-Encoding, Origin"


async def test_an_options_request_that_is_not_a_preflight_reaches_the_app() -> None:
    inner = FakeApp()
    await call(edge(inner), [HOST, (b"origin", SHOP.encode())], method="OPTIONS")
    assert len(inner.calls) == 1


async def test_a_preflight_with_a_bad_host_is_refused_first() -> None:
    preflight = [(b"host", b"evil.example"), (b"origin", SHOP.encode()), (b"access-control-request-method", b"GET")]
    result = await call(edge(FakeApp()), preflight, method="OPTIONS")
    assert result.status == 400
    assert result.json()["code"] == "HOST_NOT_ALLOWED"


def test_front_door_refusals_carry_the_headers_given() -> None:
    raw = refusal_response(
        431,
        "HEADERS_TOO_LARGE",
        "too large",
        request_id="r1",
        hsts=False,
        extra_headers=POLICY.response_headers(SHOP.encode()),
        cors=True,
    )
    head = raw.partition(b"\r\n\r\n")[0].decode().lower()
    assert f"access-control-allow-origin: {SHOP}" in head
    assert "vary: origin" in head
