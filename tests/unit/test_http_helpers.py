"""Problem JSON, request ids, the Host policy and the outer ASGI wrapper, driven without a server."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import pytest
import structlog
from structlog.testing import capture_logs

from interfaces.http.edge import EdgeMiddleware, EdgePolicy, HostPolicy, split_host
from interfaces.http.problems import (
    PROBLEM_CONTENT_TYPE,
    FieldError,
    code_for_status,
    encode_problem,
    make_problem,
)
from interfaces.http.request_context import accept_or_make_request_id, request_id_of

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# --- problem details --------------------------------------------------------------------------


def test_problem_has_every_contract_field() -> None:
    problem = make_problem(404, detail="No such order.", request_id="req-1")
    body = json.loads(encode_problem(problem))

    assert body == {
        "type": body["type"],
        "title": "Not Found",
        "status": 404,
        "detail": "No such order.",
        "code": "NOT_FOUND",
        "request_id": "req-1",
    }
    assert re.match(r"^[a-z][a-z0-9+.-]*:\S+$", body["type"]), "type must be a URI"


def test_explicit_code_wins_and_shapes_the_type() -> None:
    problem = make_problem(409, detail="Stock is short.", code="INSUFFICIENT_STOCK", request_id="r")
    body = json.loads(encode_problem(problem))

    assert body["code"] == "INSUFFICIENT_STOCK"
    assert body["status"] == 409
    assert body["title"] == "Conflict"
    assert "insufficient-stock" in body["type"]


def test_different_codes_give_different_types() -> None:
    first = make_problem(422, detail="x", code="SLOT_FULL")
    second = make_problem(422, detail="x", code="OUT_OF_AREA")
    assert first.type != second.type


def test_errors_are_omitted_when_none() -> None:
    body = json.loads(encode_problem(make_problem(400, detail="Bad.", request_id="r")))
    assert "errors" not in body


def test_field_errors_are_encoded_as_a_list_of_objects() -> None:
    problem = make_problem(
        400,
        detail="The request is not valid.",
        code="VALIDATION_ERROR",
        request_id="r",
        errors=[FieldError(field="email", message="is not an email"), FieldError(field="lines", message="empty")],
    )
    body = json.loads(encode_problem(problem))

    assert body["errors"] == [
        {"field": "email", "message": "is not an email"},
        {"field": "lines", "message": "empty"},
    ]
    assert body["code"] == "VALIDATION_ERROR"
    assert msgspec.to_builtins(problem) == body


def test_unknown_status_still_has_a_title() -> None:
    body = json.loads(encode_problem(make_problem(499, detail="x", request_id="r")))
    assert body["title"]
    assert body["code"] == "CLIENT_ERROR"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "BAD_REQUEST"),
        (401, "UNAUTHORIZED"),
        (403, "FORBIDDEN"),
        (404, "NOT_FOUND"),
        (405, "METHOD_NOT_ALLOWED"),
        (409, "CONFLICT"),
        (412, "PRECONDITION_FAILED"),
        (413, "PAYLOAD_TOO_LARGE"),
        (422, "UNPROCESSABLE_CONTENT"),
        (428, "PRECONDITION_REQUIRED"),
        (429, "RATE_LIMITED"),
        (500, "INTERNAL_ERROR"),
        (503, "SERVICE_UNAVAILABLE"),
        (418, "CLIENT_ERROR"),
        (451, "CLIENT_ERROR"),
        (502, "SERVER_ERROR"),
        (504, "SERVER_ERROR"),
    ],
)
def test_code_for_status(status: int, code: str) -> None:
    assert code_for_status(status) == code


@pytest.mark.parametrize("status", [400, 401, 404, 409, 413, 422, 429, 500, 503])
def test_codes_are_stable_upper_case_machine_codes(status: int) -> None:
    assert re.fullmatch(r"[A-Z][A-Z_]*", code_for_status(status))


# --- request ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "incoming",
    [
        "a",
        "abc-123",
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "0f2c4e1a-8d9b-4c3e-a1f0-7b6d5e4c3b2a",
        "svc.api:req_42-x",
        "x" * 128,
    ],
)
def test_well_formed_request_id_is_kept(incoming: str) -> None:
    assert accept_or_make_request_id(incoming) == incoming


@pytest.mark.parametrize(
    "incoming",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("x" * 129, id="129-chars"),
        pytest.param("abc def", id="space"),
        pytest.param("abc\n", id="trailing-newline"),
        pytest.param("abc\r\nX-Injected: 1", id="header-injection"),
        pytest.param("abc\tdef", id="tab"),
        pytest.param("caf\u00e9", id="unicode"),
        pytest.param("\u0430bc", id="cyrillic-lookalike"),
        pytest.param("<script>alert(1)</script>", id="script"),
        pytest.param("a/b", id="slash"),
        pytest.param("a;b", id="semicolon"),
    ],
)
def test_malformed_request_id_is_replaced(incoming: str | None) -> None:
    made = accept_or_make_request_id(incoming)
    assert made != incoming
    assert REQUEST_ID_RE.fullmatch(made)


def test_made_request_ids_are_unique() -> None:
    assert len({accept_or_make_request_id(None) for _ in range(50)}) == 50


# --- Host policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("example.com:8000", "example.com"),
        ("Example.COM", "example.com"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1:443", "127.0.0.1"),
        (" shop.test ", "shop.test"),
    ],
)
def test_host_without_port(header: str, host: str) -> None:
    split = split_host(header)
    assert split is not None
    assert split[0] == host


def test_exact_hosts_are_allowed_with_or_without_port() -> None:
    policy = HostPolicy(("shop.example", "127.0.0.1", "::1"))

    assert policy.allows("shop.example")
    assert policy.allows("shop.example:8443")
    assert policy.allows("SHOP.example")
    assert policy.allows("127.0.0.1:8000")
    assert policy.allows("[::1]:8000")
    assert not policy.allows("other.example")
    assert not policy.allows("api.shop.example")
    assert not policy.allows("shop.example.evil.test")


def test_wildcard_host_matches_sub_domains_only() -> None:
    policy = HostPolicy(("*.shop.test",))

    assert policy.allows("a.shop.test")
    assert policy.allows("a.b.shop.test:8000")
    assert not policy.allows("evilshop.test")
    assert not policy.allows("shop.test.evil.example")
    assert not policy.allows("other.test")


@pytest.mark.parametrize(
    "header", ["localhost:evil", "localhost:", "localhost:0", "localhost:65536", "localhost:80:80", "[::1", "[::1]x"]
)
def test_a_host_with_a_malformed_port_is_refused(header: str) -> None:
    assert not HostPolicy(("localhost", "127.0.0.1", "::1")).allows(header)


def test_an_entry_with_a_port_allows_only_that_port() -> None:
    policy = HostPolicy(("shop.example:8443", "[::1]:8000", "*.shop.test:443"))
    assert policy.allows("shop.example:8443")
    assert not policy.allows("shop.example")
    assert not policy.allows("shop.example:8444")
    assert policy.allows("[::1]:8000")
    assert not policy.allows("[::1]:8001")
    assert policy.allows("a.shop.test:443")
    assert not policy.allows("a.shop.test:8443")


@pytest.mark.parametrize("header", [None, ""])
def test_missing_host_is_refused(header: str | None) -> None:
    assert not HostPolicy(("localhost", "127.0.0.1")).allows(header)


@pytest.mark.parametrize("header", [None, "", "anything.example", "evil.test:1234"])
def test_star_allows_every_host(header: str | None) -> None:
    assert HostPolicy(("*",)).allows(header)


# --- EdgeMiddleware as a plain ASGI callable --------------------------------------------------

Message = dict[str, Any]


class FakeApp:
    """An inner ASGI app that records what it saw and answers 200 with a `server` header."""

    def __init__(self, *, extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.extra_headers = extra_headers or []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Callable[[Message], Awaitable[None]]) -> None:
        self.calls.append(
            {
                "scope": scope,
                "request_id": request_id_of(scope),
                "log_context": dict(structlog.contextvars.get_contextvars()),
            }
        )
        if scope["type"] != "http":
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/plain"),
                    (b"server", b"uvicorn"),
                    (b"Server", b"litestar"),
                    *self.extra_headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"hello", "more_body": False})


class Boom(RuntimeError):
    pass


SECRET_ERROR_TEXT = "db password is Hunter2 at /srv/app/orders.py"


async def failing_before_start(scope: dict[str, Any], receive: Any, send: Any) -> None:
    raise Boom(SECRET_ERROR_TEXT)


async def failing_after_start(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    raise Boom(SECRET_ERROR_TEXT)


class Result:
    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages
        starts = [m for m in messages if m["type"] == "http.response.start"]
        assert len(starts) == 1, messages
        self.status: int = starts[0]["status"]
        self.raw_headers: list[tuple[bytes, bytes]] = list(starts[0]["headers"])
        self.body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")

    def header_values(self, name: str) -> list[str]:
        return [v.decode("latin-1") for k, v in self.raw_headers if k.lower() == name.encode()]

    def header(self, name: str) -> str:
        values = self.header_values(name)
        assert len(values) == 1, (name, self.raw_headers)
        return values[0]

    def json(self) -> Any:
        return json.loads(self.body)


def http_scope(headers: list[tuple[bytes, bytes]], *, path: str = "/api/orders") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("203.0.113.9", 51000),
        "server": ("127.0.0.1", 8000),
    }


async def call(app: Any, headers: list[tuple[bytes, bytes]]) -> Result:
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    await app(http_scope(headers), receive, send)
    return Result(messages)


def edge(inner: Any, *, allowed_hosts: tuple[str, ...] = ("shop.example",), max_body_bytes: int = 1024) -> Any:
    return EdgeMiddleware(inner, EdgePolicy(allowed_hosts=allowed_hosts, max_body_bytes=max_body_bytes))


HOST = (b"host", b"shop.example:8000")


async def test_kept_request_id_is_echoed_and_shared_with_the_inner_app() -> None:
    inner = FakeApp()
    result = await call(edge(inner), [HOST, (b"x-request-id", b"trace-abc.123:xyz")])

    assert result.status == 200
    assert result.body == b"hello"
    assert result.header("x-request-id") == "trace-abc.123:xyz"
    assert inner.calls[0]["request_id"] == "trace-abc.123:xyz"
    assert inner.calls[0]["log_context"].get("request_id") == "trace-abc.123:xyz"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([HOST], id="absent"),
        pytest.param([HOST, (b"x-request-id", b"")], id="empty"),
        pytest.param([HOST, (b"x-request-id", b"bad id with spaces")], id="spaces"),
        pytest.param([HOST, (b"x-request-id", b"<script>alert(1)</script>")], id="script"),
        pytest.param([HOST, (b"x-request-id", b"y" * 129)], id="too-long"),
    ],
)
async def test_request_id_is_generated_when_not_acceptable(headers: list[tuple[bytes, bytes]]) -> None:
    inner = FakeApp()
    result = await call(edge(inner), headers)

    made = result.header("x-request-id")
    assert REQUEST_ID_RE.fullmatch(made)
    assert made not in {v.decode("latin-1") for k, v in headers if k == b"x-request-id"}
    assert inner.calls[0]["request_id"] == made


async def test_inner_request_id_and_server_headers_are_replaced() -> None:
    inner = FakeApp(extra_headers=[(b"X-Request-ID", b"spoofed"), (b"x-custom", b"kept")])
    result = await call(edge(inner), [HOST, (b"x-request-id", b"req-1")])

    assert result.header_values("server") == []
    assert result.header("x-request-id") == "req-1"
    assert result.header("x-custom") == "kept"
    assert result.header("content-type") == "text/plain"


async def test_log_context_is_cleared_after_the_request() -> None:
    structlog.contextvars.bind_contextvars(request_id="stale", user="someone")
    await call(edge(FakeApp()), [HOST, (b"x-request-id", b"req-2")])
    assert structlog.contextvars.get_contextvars() == {}


@pytest.mark.parametrize(
    "host",
    [
        pytest.param(b"evil.example", id="foreign"),
        pytest.param(b"shop.example.evil.test", id="suffix-trick"),
        pytest.param(b"evilshop.example:8000", id="prefix-trick"),
    ],
)
async def test_foreign_host_is_refused_without_calling_the_app(host: bytes) -> None:
    inner = FakeApp()
    result = await call(edge(inner), [(b"host", host), (b"x-request-id", b"req-host")])

    assert inner.calls == []
    assert result.status == 400
    assert result.header("content-type") == PROBLEM_CONTENT_TYPE
    assert int(result.header("content-length")) == len(result.body)
    body = result.json()
    assert body["code"] == "HOST_NOT_ALLOWED"
    assert body["status"] == 400
    assert body["request_id"] == "req-host"
    assert {"type", "title", "detail"} <= body.keys()
    assert result.header("x-request-id") == "req-host"


async def test_request_without_host_is_refused_by_the_edge() -> None:
    inner = FakeApp()
    result = await call(edge(inner), [])

    assert inner.calls == []
    assert result.status == 400
    assert result.json()["code"] == "HOST_NOT_ALLOWED"
    assert REQUEST_ID_RE.fullmatch(result.json()["request_id"])
    assert result.header("x-request-id") == result.json()["request_id"]


async def test_wildcard_allowed_hosts_reach_the_app() -> None:
    inner = FakeApp()
    result = await call(edge(inner, allowed_hosts=("*.shop.test",)), [(b"host", b"berlin.shop.test")])
    assert result.status == 200
    assert len(inner.calls) == 1


async def test_declared_body_over_the_limit_is_413_before_the_host_check() -> None:
    inner = FakeApp()
    result = await call(
        edge(inner, max_body_bytes=1024),
        [(b"host", b"evil.example"), (b"content-length", b"1025"), (b"x-request-id", b"big")],
    )

    assert inner.calls == []
    assert result.status == 413
    assert result.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert result.json()["request_id"] == "big"


async def test_declared_body_at_the_limit_passes() -> None:
    inner = FakeApp()
    result = await call(edge(inner, max_body_bytes=1024), [HOST, (b"content-length", b"1024")])
    assert result.status == 200
    assert len(inner.calls) == 1


async def test_non_numeric_content_length_is_400() -> None:
    inner = FakeApp()
    result = await call(edge(inner), [HOST, (b"content-length", b"12abc")])
    assert inner.calls == []
    assert result.status == 400
    assert result.header("content-type") == PROBLEM_CONTENT_TYPE


async def test_exception_before_the_response_becomes_a_500_problem() -> None:
    result = await call(edge(failing_before_start), [HOST, (b"x-request-id", b"req-500")])

    assert result.status == 500
    assert result.header("content-type") == PROBLEM_CONTENT_TYPE
    body = result.json()
    assert body["status"] == 500
    assert body["code"] == "INTERNAL_ERROR"
    assert body["request_id"] == "req-500"
    assert result.header("x-request-id") == "req-500"
    text = result.body.decode()
    for leaked in ("Hunter2", "Boom", "Traceback", "orders.py", SECRET_ERROR_TEXT):
        assert leaked not in text


async def test_exception_after_the_response_started_sends_no_second_start() -> None:
    result = await call(edge(failing_after_start), [HOST, (b"x-request-id", b"req-late")])

    # Result() asserts exactly one start message; it is the app's own, not a 500.
    assert result.status == 200
    assert result.header("x-request-id") == "req-late"
    assert SECRET_ERROR_TEXT.encode() not in result.body


async def test_non_http_scopes_pass_through_untouched() -> None:
    inner = FakeApp()
    scope: dict[str, Any] = {"type": "lifespan", "asgi": {"version": "3.0"}}
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    await edge(inner)(scope, receive, send)

    assert len(inner.calls) == 1
    assert inner.calls[0]["scope"] is scope
    assert "state" not in scope


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc.def", "abc.def"),
        ("bearer  abc.def ", "abc.def"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    from interfaces.http.request_context import bearer_token

    assert bearer_token(header) == token


# --- load shedding, encoded separators, the body deadline --------------------------------------


class HeldApp(FakeApp):
    """Holds every request until ``release`` is set, so requests pile up in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Callable[[Message], Awaitable[None]]) -> None:
        await self.release.wait()
        await super().__call__(scope, receive, send)


class LingeringApp(FakeApp):
    """Answers at once, then keeps its task running (as a handler's clean-up and the access line
    do) until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Callable[[Message], Awaitable[None]]) -> None:
        await super().__call__(scope, receive, send)
        await self.release.wait()


async def test_a_slot_is_free_once_the_response_is_sent_not_when_its_task_ends() -> None:
    """A keep-alive client's next request may start while the previous request's task is still
    finishing: at the cap, it must be served, not shed."""
    inner = LingeringApp()
    middleware = EdgeMiddleware(
        inner, EdgePolicy(allowed_hosts=("shop.example",), max_body_bytes=1024, max_in_flight=1)
    )
    first = asyncio.create_task(call(middleware, [HOST]))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not first.done()  # its response is out, its task lingers
    assert middleware.in_flight == 0
    second = asyncio.create_task(call(middleware, [HOST]))
    for _ in range(5):
        await asyncio.sleep(0)
    assert middleware.in_flight == 0
    inner.release.set()
    assert (await first).status == 200
    assert (await second).status == 200


async def test_past_the_in_flight_cap_requests_are_shed_before_the_app_and_liveness_is_not() -> None:
    inner = HeldApp()
    middleware = EdgeMiddleware(
        inner, EdgePolicy(allowed_hosts=("shop.example",), max_body_bytes=1024, max_in_flight=2)
    )
    held = [asyncio.create_task(call(middleware, [HOST])) for _ in range(2)]
    await asyncio.sleep(0)
    assert middleware.in_flight == 2
    with capture_logs() as logs:
        shed = await call(middleware, [HOST, (b"x-request-id", b"req-shed")])
    assert shed.status == 503
    assert shed.json()["code"] == "OVERLOADED"
    assert shed.json()["request_id"] == "req-shed"
    assert shed.header("retry-after") == "1"
    assert shed.header("x-request-id") == "req-shed"
    assert shed.header("x-content-type-options") == "nosniff"
    assert [entry["event"] for entry in logs] == ["requests_shed"]  # no access-log line per shed request

    live_scope = http_scope([HOST], path="/health/live")
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    live = asyncio.create_task(middleware(live_scope, receive, send))
    await asyncio.sleep(0)
    inner.release.set()
    await live
    assert Result(sent).status == 200  # liveness went through although the worker was full
    assert [r.status for r in await asyncio.gather(*held)] == [200, 200]
    assert middleware.in_flight == 0
    assert (await call(middleware, [HOST])).status == 200


@pytest.mark.parametrize("raw_path", [b"/api%2Fvendor", b"/api%2fvendor", b"/api/staff%5C..%5Cvendor"])
async def test_percent_encoded_separators_in_the_path_are_refused(raw_path: bytes) -> None:
    inner = FakeApp()
    scope = {**http_scope([HOST]), "path": raw_path.decode().replace("%2F", "/"), "raw_path": raw_path}
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await edge(inner)(scope, receive, send)
    assert inner.calls == []
    assert Result(sent).status == 400


async def test_an_encoded_slash_in_the_query_is_fine() -> None:
    inner = FakeApp()
    scope = {**http_scope([HOST]), "raw_path": b"/api/orders?next=%2Fapi"}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await edge(inner)(scope, receive, send)
    assert Result(sent).status == 200


async def test_a_body_that_does_not_arrive_in_time_is_408_and_the_connection_closes() -> None:
    inner = FakeApp()
    middleware = EdgeMiddleware(
        inner, EdgePolicy(allowed_hosts=("shop.example",), max_body_bytes=1024, body_read_timeout=0.05)
    )
    scope = {**http_scope([HOST, (b"content-length", b"10")]), "method": "POST"}
    first = True

    async def receive() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"{", "more_body": True}
        await asyncio.sleep(3600)  # the rest never comes
        raise AssertionError("unreachable")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await middleware(scope, receive, send)
    result = Result(sent)
    assert result.status == 408
    assert result.json()["code"] == "REQUEST_TIMEOUT"
    assert result.header("connection") == "close"
    assert inner.calls == []


async def test_a_body_on_its_way_holds_no_slot_and_the_app_runs_once_it_has_arrived() -> None:
    inner = FakeApp()
    middleware = EdgeMiddleware(
        inner, EdgePolicy(allowed_hosts=("shop.example",), max_body_bytes=1024, max_in_flight=2)
    )
    arrived = asyncio.Event()
    scopes = [{**http_scope([HOST, (b"content-length", b"2")]), "method": "POST"} for _ in range(5)]

    async def slow_receive() -> Message:
        await arrived.wait()
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def quiet_send(message: Message) -> None:
        pass

    trickling = [asyncio.create_task(middleware(scope, slow_receive, quiet_send)) for scope in scopes]
    await asyncio.sleep(0)
    assert middleware.in_flight == 0  # five bodies on their way, no slot taken
    assert (await call(middleware, [HOST])).status == 200  # others are still served
    arrived.set()
    await asyncio.gather(*trickling)
    assert len(inner.calls) == 6
    assert middleware.in_flight == 0


async def test_a_client_gone_before_its_body_arrived_never_reaches_the_app() -> None:
    inner = FakeApp()
    scope = {**http_scope([HOST, (b"content-length", b"10")]), "method": "POST"}
    messages = iter([{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}])

    async def receive() -> Message:
        return next(messages)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await edge(inner)(scope, receive, send)
    assert inner.calls == []
    assert sent == []
