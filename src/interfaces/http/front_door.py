"""The server's own front door: what happens to a connection before the app sees a request.

uvicorn's httptools protocol has no limit on the size of a request head, no deadline for reading
it and no bound on connections, and it answers malformed requests with a bare ``text/plain`` 400.
``GuardedHttpToolsProtocol`` adds those, per worker process:

- a request head (request line and headers) larger than ``max_header_bytes`` is answered 431 and
  the connection closed; never more than the limit is handed to the parser (a pipelined head that
  shares a read with the end of the previous request may pass up to one read buffer more);
- a request head not complete within ``header_read_timeout`` seconds of its first byte (or of the
  connection opening) is answered 408, or closed silently if nothing was sent;
- a connection beyond ``max_connections`` open ones gets 503 with ``Retry-After`` after its request
  head and is closed, without reaching the app;
- the parser's own refusals (``Content-Length: -1``, a CR inside a header) are answered 400.

Every such answer is RFC 9457 problem JSON with the security headers and an ``X-Request-ID``, like
the app's own, and the CORS headers when the request's ``Origin`` is an allowed one, so that a
browser sees the problem rather than a network error. That needs the parser to have read ``Origin``
before the refusal: httptools hands a header over once the next one begins, so a head cut off
inside ``Origin`` itself (or stalled right after it) is answered without them. After a
refusal the connection stops reading into the parser, half-closes, discards whatever the client
still sends for a moment (so that the client reads the answer instead of a reset) and then closes.

The CLI starts uvicorn with this class by import string; the app factory hands it the limits from
the settings (``configure``) before uvicorn creates the first connection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httptools
import structlog
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from interfaces.http.cors import NO_CORS, CorsPolicy, with_vary_origin
from interfaces.http.problems import refusal
from interfaces.http.request_context import accept_or_make_request_id

log = structlog.stdlib.get_logger("flower_vendor.http")

# How long a refused connection keeps discarding what the client still sends before it closes.
LINGER_SECONDS = 1.0
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, slots=True)
class FrontDoorPolicy:
    max_header_bytes: int = 32_768
    header_read_timeout: float = 10.0
    max_connections: int = 1000
    hsts: bool = False
    cors: CorsPolicy = NO_CORS


_policy = FrontDoorPolicy()


def configure(policy: FrontDoorPolicy) -> None:
    """Set the limits every connection of this process gets (called by the app factory)."""
    global _policy  # noqa: PLW0603 - one policy per server process, set once at start-up
    _policy = policy


def current_policy() -> FrontDoorPolicy:
    return _policy


def refusal_response(
    status: int,
    code: str,
    detail: str,
    *,
    request_id: str,
    hsts: bool,
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
    cors: bool = False,
) -> bytes:
    """A complete HTTP/1.1 response that refuses a request and announces ``Connection: close``:
    problem JSON, the security headers, ``X-Request-ID`` and no ``Server`` header (``Vary: Origin``
    too when ``cors``; the caller puts any ``Access-Control-*`` headers in ``extra_headers``)."""
    headers, body = refusal(status, code, detail, request_id=request_id, hsts=hsts, extra_headers=extra_headers)
    if cors:
        headers = with_vary_origin(headers)
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
    lines.extend(name + b": " + value for name, value in headers)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header size limit, a header read deadline, a bound on
    open connections and problem-JSON answers to protocol errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._policy = _policy
        self._in_head = True  # reading a request line and headers (or waiting for the next request)
        self._head_bytes = 0
        self._completed = 0  # requests read in full on this connection
        # When the current request head began (loop time), None outside a head. One timer per
        # connection checks it and re-arms itself: no timer is made or cancelled per request.
        self._head_started: float | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        self._over_limit = False
        self._refused = False
        self._linger: asyncio.TimerHandle | None = None

    # --- connection ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._over_limit = len(self.connections) > self._policy.max_connections
        # A connection that never sends a byte is bound by the same deadline as a slow one.
        self._head_started = self.loop.time()
        self._arm_head_timer(self._policy.header_read_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        while data and not self._refused:
            if not self._in_head:
                self._feed(data)
                return
            if self._head_started is None:
                self._head_started = self.loop.time()
            room = self._policy.max_header_bytes - self._head_bytes
            if len(data) <= room:  # the usual case: the whole read fits
                self._head_bytes += len(data)
                self._feed(data)
                return
            head, data = data[:room], data[room:]
            self._head_bytes += len(head)
            completed = self._completed
            if head:
                self._feed(head)
            if self._refused or self.transport.is_closing():
                return
            # Still inside the same head with bytes left over: that head is over the limit. (If a
            # request ended within these bytes, the next one has only begun: keep counting.)
            if data and self._in_head and self._completed == completed:
                self._refuse(
                    431,
                    "HEADERS_TOO_LARGE",
                    f"The request line and headers are larger than {self._policy.max_header_bytes} bytes.",
                    reason="header_too_large",
                )
                return

    def _feed(self, data: bytes) -> None:
        """uvicorn's ``data_received``, with the parser's refusals answered here."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            if not self._refused:  # not already answered by a callback
                self._refuse(400, "BAD_REQUEST", "The request is not valid HTTP/1.1.", reason="invalid_http")

    # --- parser callbacks -----------------------------------------------------------------------

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_started = None
        if self._over_limit:
            self._refuse(
                503,
                "SERVICE_UNAVAILABLE",
                "The server has too many open connections; retry after the time in Retry-After.",
                reason="too_many_connections",
                extra_headers=((b"retry-after", str(RETRY_AFTER_SECONDS).encode()),),
            )
            raise _Refused
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._completed += 1
        if not self._refused:
            super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """The parser refused the request (uvicorn's answer is a bare text/plain 400)."""
        if not self._refused:
            self._refuse(400, "BAD_REQUEST", "The request is not valid HTTP/1.1.", reason="invalid_http")

    # --- refusals -------------------------------------------------------------------------------

    def _refuse(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        reason: str,
        extra_headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        self._refused = True
        self._cancel_head_timer()
        self._unset_keepalive_if_required()
        request_id = accept_or_make_request_id(self._incoming_request_id())
        log.warning(
            "request_refused",
            status=status,
            reason=reason,
            request_id=request_id,
            client_ip=self.client[0] if self.client else None,
        )
        if self.transport.is_closing():
            return
        cors = self._policy.cors
        if cors.enabled:
            extra_headers = (*extra_headers, *cors.response_headers(self._incoming_header(b"origin")))
        response = refusal_response(
            status,
            code,
            detail,
            request_id=request_id,
            hsts=self._policy.hsts,
            extra_headers=extra_headers,
            cors=cors.enabled,
        )
        self.transport.write(response)
        self.flow.resume_reading()  # keep reading (and discarding) while lingering
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def _incoming_request_id(self) -> str | None:
        value = self._incoming_header(b"x-request-id")
        return value.decode("latin-1") if value is not None else None

    def _incoming_header(self, name: bytes) -> bytes | None:
        """A header of the request being refused, if the parser had read it (names are lower-case)."""
        for key, value in self.headers or ():
            if key == name:
                return bytes(value)
        return None

    def _arm_head_timer(self, delay: float) -> None:
        self._head_timer = self.loop.call_later(delay, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._refused or self.transport.is_closing():
            return
        timeout = self._policy.header_read_timeout
        started = self._head_started if self._in_head else None
        if started is None:  # between requests or reading a body: look again later
            self._arm_head_timer(timeout)
            return
        remaining = started + timeout - self.loop.time()
        if remaining > 0:  # this head began after the timer was set
            self._arm_head_timer(remaining)
            return
        if self._head_bytes == 0:
            self.transport.close()  # connected and said nothing
            return
        self._refuse(
            408,
            "REQUEST_TIMEOUT",
            f"The request headers did not arrive within {timeout:g} seconds.",
            reason="header_timeout",
        )


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a connection that has just been refused."""
