"""The front door's refusal bytes and its byte and time accounting, driven without a socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from interfaces.http import front_door
from interfaces.http.front_door import FrontDoorPolicy, GuardedHttpToolsProtocol, refusal_response
from interfaces.http.security_headers import BASE_HEADERS


def _parse(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(": ")
        assert name.lower() not in headers, f"{name} twice"
        headers[name.lower()] = value
    return status_line, headers, body


# --- refusal_response ------------------------------------------------------------------------


def test_refusal_is_a_problem_with_security_headers_and_request_id() -> None:
    raw = refusal_response(431, "HEADERS_TOO_LARGE", "Too large.", request_id="rid-1", hsts=True)
    status_line, headers, body = _parse(raw)

    assert status_line == "HTTP/1.1 431 Request Header Fields Too Large"
    assert headers["content-type"] == "application/problem+json"
    assert headers["content-length"] == str(len(body))
    assert headers["connection"] == "close"
    assert headers["x-request-id"] == "rid-1"
    assert headers["cache-control"] == "no-store"
    assert headers["strict-transport-security"].startswith("max-age=")
    for name, value in BASE_HEADERS:
        assert headers[name.decode()] == value.decode()
    assert "server" not in headers
    problem = json.loads(body)
    assert problem["status"] == 431
    assert problem["code"] == "HEADERS_TOO_LARGE"
    assert problem["request_id"] == "rid-1"
    assert problem["detail"] == "Too large."


def test_refusal_without_hsts_and_with_extra_headers() -> None:
    raw = refusal_response(
        503, "SERVICE_UNAVAILABLE", "Busy.", request_id="r", hsts=False, extra_headers=((b"retry-after", b"1"),)
    )
    status_line, headers, _ = _parse(raw)
    assert status_line == "HTTP/1.1 503 Service Unavailable"
    assert headers["retry-after"] == "1"
    assert "strict-transport-security" not in headers


# --- the protocol, on a fake transport -----------------------------------------------------------


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False
        self.eof = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.eof = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _ok_app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def policy() -> Iterator[FrontDoorPolicy]:
    chosen = FrontDoorPolicy(max_header_bytes=4096, header_read_timeout=0.05, max_connections=2, hsts=False)
    before = front_door.current_policy()
    front_door.configure(chosen)
    yield chosen
    front_door.configure(before)


def _connection(state: ServerState) -> tuple[GuardedHttpToolsProtocol, FakeTransport]:
    config = Config(app=_ok_app, log_config=None, server_header=False)
    config.load()
    protocol = GuardedHttpToolsProtocol(config=config, server_state=state, app_state={})
    transport = FakeTransport()
    protocol.connection_made(transport)
    return protocol, transport


async def _answered(transport: FakeTransport, responses: int = 1) -> None:
    """Let the app's tasks run until ``responses`` responses are written (by loop turns, not time)."""
    for _ in range(10_000):
        if transport.written.count(b"HTTP/1.1 ") >= responses:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"no answer: {transport.written!r}")


def _request_with_head_of(size: int) -> bytes:
    start = b"GET / HTTP/1.1\r\nHost: a\r\nX-Pad: "
    return start + b"a" * (size - len(start) - 4) + b"\r\n\r\n"


async def test_a_head_of_exactly_the_limit_is_served(policy: FrontDoorPolicy) -> None:
    protocol, transport = _connection(ServerState())
    protocol.data_received(_request_with_head_of(policy.max_header_bytes))
    await _answered(transport)
    assert transport.written.startswith(b"HTTP/1.1 200 ")
    protocol.connection_lost(None)


async def test_one_byte_over_the_limit_is_431_and_never_reaches_the_app(policy: FrontDoorPolicy) -> None:
    protocol, transport = _connection(ServerState())
    request = _request_with_head_of(policy.max_header_bytes + 1)
    for start in range(0, len(request), 1000):  # in pieces, as a network delivers it
        protocol.data_received(request[start : start + 1000])
    assert transport.written.startswith(b"HTTP/1.1 431 ")
    assert transport.eof
    assert b"200" not in transport.written.split(b"\r\n")[0]
    protocol.data_received(b"a" * 100_000)  # discarded while lingering
    assert transport.written.count(b"HTTP/1.1") == 1
    protocol.connection_lost(None)


async def test_the_count_starts_again_for_each_request_on_a_connection(policy: FrontDoorPolicy) -> None:
    protocol, transport = _connection(ServerState())
    for sent in range(1, 4):
        protocol.data_received(_request_with_head_of(policy.max_header_bytes - 10))
        await _answered(transport, sent)
    assert transport.written.count(b"HTTP/1.1 200 ") == 3
    protocol.connection_lost(None)


async def test_a_head_not_finished_in_time_is_408(policy: FrontDoorPolicy) -> None:
    protocol, transport = _connection(ServerState())
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: a\r\n")
    await asyncio.sleep(policy.header_read_timeout * 4)
    assert transport.written.startswith(b"HTTP/1.1 408 ")
    protocol.connection_lost(None)


async def test_a_silent_connection_is_closed_without_an_answer(policy: FrontDoorPolicy) -> None:
    protocol, transport = _connection(ServerState())
    await asyncio.sleep(policy.header_read_timeout * 4)
    assert transport.closed
    assert transport.written == b""
    protocol.connection_lost(None)


async def test_connections_over_the_bound_get_503(policy: FrontDoorPolicy) -> None:
    state = ServerState()
    held = [_connection(state) for _ in range(policy.max_connections)]
    protocol, transport = _connection(state)
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert transport.written.startswith(b"HTTP/1.1 503 ")
    assert b"retry-after: 1\r\n" in transport.written
    protocol.connection_lost(None)
    for other, _ in held:
        other.connection_lost(None)


async def test_many_small_pipelined_requests_in_one_read_are_not_one_big_head(policy: FrontDoorPolicy) -> None:
    protocol, transport = _connection(ServerState())
    one = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    count = policy.max_header_bytes // len(one) + 5  # more than the limit in one read
    protocol.data_received(one * count)
    await _answered(transport, count)
    assert b" 431 " not in transport.written
    protocol.connection_lost(None)
