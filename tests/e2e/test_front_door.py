"""Issue 8: the server guards its own front door. Header size limit, header read deadline, a bound
on connections and problem-JSON answers to protocol errors, through `flower-vendor serve` and raw
sockets (an HTTP client library would refuse to send most of this)."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.api_helpers import SECURITY_HEADERS
from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e

SOCKET_TIMEOUT = 20.0  # a bound on every read, never asserted on
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], {**production_environ, "HEADER_READ_TIMEOUT_SECONDS": "1"})


class Response:
    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.status = int(lines[0].split(" ")[1])
        self.headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def json(self) -> dict[str, object]:
        return dict(json.loads(self.body))


def _connect(server: ServerProcess) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=SOCKET_TIMEOUT)
    sock.settimeout(SOCKET_TIMEOUT)
    return sock


def _read_response(sock: socket.socket) -> Response:
    """One response: its head, then as many body bytes as Content-Length says."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before a response: {raw!r}"
        raw += chunk
        assert len(raw) < MiB
    response = Response(raw)
    length = int(response.headers.get("content-length", "0"))
    while len(response.body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed inside the body"
        response.body += chunk
    return response


def _closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed the connection (end of stream or a reset)."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def _assert_refusal(response: Response, status: int, code: str) -> dict[str, object]:
    assert response.status == status, response.status_line
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["connection"] == "close"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "permissions-policy" in response.headers
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "server" not in response.headers
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


# --- header size ------------------------------------------------------------------------------


def test_a_64_kib_header_is_431_with_security_headers_and_the_connection_closes(server: ServerProcess) -> None:
    with _connect(server) as sock:  # under the limit: served as before
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * (20 * 1024) + b"\r\n\r\n")
        assert _read_response(sock).status == 200
    with _connect(server) as sock:
        sock.sendall(
            b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: big-header-1\r\n"
            b"X-Big: " + b"a" * (64 * 1024) + b"\r\n\r\n"
        )
        response = _read_response(sock)
        body = _assert_refusal(response, 431, "HEADERS_TOO_LARGE")
        assert body["request_id"] == "big-header-1"  # the id sent before the oversized header is kept
        assert _closed_by_server(sock)


def test_48_mib_headers_on_three_connections_are_cut_off_and_liveness_stays_up(server: ServerProcess) -> None:
    rss_before = _rss_bytes(server.process.pid)
    attackers = [_connect(server) for _ in range(3)]
    chunk = b"a" * MiB

    def attack(sock: socket.socket) -> None:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        for _ in range(48):  # never the end of the header: only a limit stops this request
            try:
                sock.sendall(chunk)
            except OSError:
                return  # the server stopped reading and closed: what it should do

    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(attack, attackers))
        # Every attacking connection is still open on this side, and the server answers others.
        with httpx.Client(base_url=server.base_url, timeout=SOCKET_TIMEOUT) as client:
            assert client.get("/health/live").status_code == 200
        for sock in attackers:
            try:
                response = _read_response(sock)
            except (ConnectionResetError, AssertionError):
                continue  # closed by the server before its answer could be read
            # 431; or 408 if the machine was so slow that the 1 s header deadline came first
            assert response.status in (431, 408), response.status_line
        for sock in attackers:
            assert _closed_by_server(sock)
    finally:
        for sock in attackers:
            sock.close()
    # Not a byte of those 144 MiB was kept: the server's memory did not follow the attack.
    assert _rss_bytes(server.process.pid) - rss_before < 48 * MiB


# --- slow clients ------------------------------------------------------------------------------


def test_a_header_trickled_slowly_is_cut_off_after_the_header_timeout(server: ServerProcess) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: slow-1\r\nX-Slow: ")
        answered = False
        for _ in range(60):  # one byte every 0.25 s, at most 15 s: the server's limit is 1 s
            readable, _, _ = select.select([sock], [], [], 0.25)
            if readable:
                answered = True
                break
            try:
                sock.sendall(b"a")
            except OSError:
                break
        assert answered, "the server kept a trickling request open"
        _assert_refusal(_read_response(sock), 408, "REQUEST_TIMEOUT")
        assert _closed_by_server(sock)


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(server: ServerProcess) -> None:
    with _connect(server) as sock:
        assert _closed_by_server(sock)


# --- protocol errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Odd: a\rb\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    ],
    ids=["negative-content-length", "cr-inside-a-header", "two-content-lengths"],
)
def test_protocol_errors_are_400_problems_with_security_headers(server: ServerProcess, request_bytes: bytes) -> None:
    with _connect(server) as sock:
        sock.sendall(request_bytes)
        body = _assert_refusal(_read_response(sock), 400, "BAD_REQUEST")
        assert "Traceback" not in json.dumps(body)
        assert _closed_by_server(sock)
    assert server.client.get("/health/live").status_code == 200


# --- connections -------------------------------------------------------------------------------


def test_connections_beyond_the_bound_get_503_and_the_bound_frees_up(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    bounded = server_factory(
        ["serve"], {**production_environ, "MAX_CONNECTIONS": "4", "HEADER_READ_TIMEOUT_SECONDS": "60"}
    )
    bounded.client.close()  # its keep-alive connection would count against the bound
    holders = [_connect(bounded) for _ in range(4)]
    try:
        for sock in holders:  # connected and mid-request: each holds a connection open
            sock.sendall(b"GET /health/live HTTP/1.1\r\n")
        with _connect(bounded) as sock:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: over-1\r\n\r\n")
            response = _read_response(sock)
            body = _assert_refusal(response, 503, "SERVICE_UNAVAILABLE")
            assert response.headers["retry-after"] == "1"
            assert body["request_id"] == "over-1"
            assert _closed_by_server(sock)
    finally:
        for sock in holders:
            sock.close()
    # Once those connections are gone, new ones are served again.
    statuses = []
    for _ in range(100):
        with _connect(bounded) as sock:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            statuses.append(_read_response(sock).status)
        if statuses[-1] == 200:
            break
        time.sleep(0.05)  # the server has yet to see the holders go
    assert statuses[-1] == 200, statuses
