"""The edge against a real server process: a Host with a bogus port, encoded slashes in the path,
a body trickled too slowly (issue 8's Info and Low findings)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]) -> ServerProcess:
    return server_factory(["serve"], {**production_environ, "BODY_READ_TIMEOUT_SECONDS": "1"})


def exchange(server: ServerProcess, request: bytes, *, pause_after: int | None = None, timeout: float = 15) -> bytes:
    """Send ``request`` raw (optionally stopping after ``pause_after`` bytes) and read until the
    server answers and closes, or ``timeout`` passes."""
    port = urlsplit(server.base_url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request if pause_after is None else request[:pause_after])
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            received += chunk
            if pause_after is None and b"\r\n\r\n" in received:
                head, _, body = received.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                if len(body) >= length:
                    break
        return received


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("host", [b"127.0.0.1:evil", b"localhost:0", b"localhost:99999", b"localhost:80:80"])
def test_a_host_header_with_a_bogus_port_is_refused(server: ServerProcess, host: bytes) -> None:
    answer = exchange(server, b"GET /api/vendor HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    assert status_of(answer) == 400
    assert b'"code":"HOST_NOT_ALLOWED"' in answer
    assert b"x-request-id:" in answer.lower()


def test_a_host_header_with_a_real_port_is_served(server: ServerProcess) -> None:
    answer = exchange(server, b"GET /api/vendor HTTP/1.1\r\nHost: localhost:8000\r\nConnection: close\r\n\r\n")
    assert status_of(answer) == 401  # reached authentication: the Host was accepted


@pytest.mark.parametrize("path", [b"/api%2Fvendor", b"/api%2fvendor", b"/api/staff%5c..%5cvendor", b"/health%2Flive"])
def test_percent_encoded_slashes_are_not_routed(server: ServerProcess, path: bytes) -> None:
    answer = exchange(server, b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert status_of(answer) == 400
    assert b"application/problem+json" in answer


def test_a_body_trickled_too_slowly_is_cut_off_with_408(server: ServerProcess) -> None:
    request = (
        b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 60\r\n\r\n" + b'{"email": "someone@example.com", "password": "x"}' + b" " * 10
    )
    answer = exchange(server, request, pause_after=len(request) - 30, timeout=20)
    assert answer, "the server kept the connection open without answering"
    assert status_of(answer) == 408
    assert b'"code":"REQUEST_TIMEOUT"' in answer
    assert b"connection: close" in answer.lower()
    assert "Traceback" not in server.logs()


def test_bodies_trickling_in_do_not_take_the_slots_of_everyone_else(
    server_factory: Callable[..., ServerProcess], production_environ: dict[str, str]
) -> None:
    server = server_factory(
        ["serve"], {**production_environ, "MAX_CONCURRENT_REQUESTS": "4", "BODY_READ_TIMEOUT_SECONDS": "20"}
    )
    port = urlsplit(server.base_url).port
    assert port is not None
    head = (
        b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{"
    )
    slow = []
    try:
        for _ in range(12):  # three times the worker's slots, each body one byte in
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(head)
            slow.append(sock)
        time.sleep(0.5)
        statuses = [server.client.get("/api/vendor").status_code for _ in range(5)]
    finally:
        for sock in slow:
            sock.close()
    assert statuses == [401] * 5  # served (refused for lack of a token), never shed with 503
