"""The outer ASGI wrapper around the whole Litestar app.

Litestar builds user middleware per route, so unmatched routes (404, 405) and some framework errors
never pass through it. What every response needs — a request id, the Host check, the access log,
a last-resort 500 — therefore lives here, outside the router.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import structlog

from application.shared.context import RequestMeta, bind_request_meta
from interfaces.http.client_address import ClientAddressResolver, client_bucket
from interfaces.http.cors import NO_CORS, CorsPolicy, with_vary_origin
from interfaces.http.problems import PROBLEM_CONTENT_TYPE, encode_problem, make_problem, refusal
from interfaces.http.rate_limit import RateLimitGate
from interfaces.http.request_context import (
    REQUEST_ID_HEADER,
    accept_or_make_request_id,
    header_value,
    store_client_ip,
    store_request_id,
)
from interfaces.http.security_headers import secure

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

log = structlog.stdlib.get_logger("flower_vendor.http")

LIVENESS_PATH = "/health/live"
HEALTH_PATHS = frozenset({LIVENESS_PATH, "/health/ready"})
_ENCODED_SEPARATOR = re.compile(rb"%(2f|5c)", re.IGNORECASE)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def split_host(host: str) -> tuple[str, int | None] | None:
    """``(host, port)`` of a Host header or an allow-list entry (``port`` None when absent), or
    ``None`` when it is malformed: a port that is not a number in 1-65535 (``localhost:evil``),
    an unclosed IPv6 bracket, stray colons."""
    host = host.strip().lower()
    port_text: str | None = None
    if host.startswith("["):  # [::1] or [::1]:8000
        end = host.find("]")
        if end == -1:
            return None
        name, rest = host[1:end], host[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port_text = rest[1:]
    elif host.count(":") == 1:
        name, port_text = host.split(":")
    elif ":" in host:  # a bare IPv6 address, as allow-lists write them
        name = host
    else:
        name = host
    if not name:
        return None
    if port_text is None:
        return name, None
    if not (port_text.isascii() and port_text.isdigit()) or len(port_text) > 5 or not 0 < int(port_text) < 65536:
        return None
    return name, int(port_text)


class _ClientGone(Exception):
    """The client disconnected before its request body was complete."""


class HostPolicy:
    """Host header allow-list. The header's port must be a valid port number, and where an entry
    names one (``shop.example:8443``) it must be that port; an entry without a port accepts the
    host on any port. ``*.example.com`` matches sub-domains."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self._any = "*" in allowed
        exact: dict[str, set[int | None]] = {}
        suffixes: list[tuple[str, int | None]] = []
        for entry in allowed:
            if entry == "*":
                continue
            split = split_host(entry)
            if split is None:
                continue
            name, port = split
            if name.startswith("*."):
                suffixes.append((name[1:], port))
            else:
                exact.setdefault(name, set()).add(port)
        self._exact = {name: frozenset(ports) for name, ports in exact.items()}
        self._suffixes = tuple(suffixes)

    def allows(self, host_header: str | None) -> bool:
        if self._any:
            return True
        if not host_header:
            return False
        split = split_host(host_header)
        if split is None:
            return False
        host, port = split
        ports = self._exact.get(host)
        if ports is not None and (None in ports or port in ports):
            return True
        return any(host.endswith(suffix) and (pinned is None or pinned == port) for suffix, pinned in self._suffixes)


@dataclass(frozen=True, slots=True)
class EdgePolicy:
    allowed_hosts: tuple[str, ...]
    max_body_bytes: int
    trusted_proxies: tuple[str, ...] = ()
    hsts: bool = False
    docs_path: str | None = None  # where interactive docs are served, if anywhere
    security_headers: bool = True
    max_in_flight: int = 64
    """Requests this worker serves at once; beyond it, 503 before any Redis or database work."""
    body_read_timeout: float = 10.0
    """Seconds a client has to deliver a whole request body."""
    cors: CorsPolicy = NO_CORS
    """Which browser origins may call the API; its headers go on every response, errors included."""


class EdgeMiddleware:
    """Load shedding, request id, client address, 413, Host, CORS preflight, rate limit (in the
    contract's order), the body read against a deadline, security and CORS headers on every
    response, the access log and a last-resort 500.

    Load shedding: past ``max_in_flight`` requests in this worker, a request is answered 503 with
    ``Retry-After`` before anything else runs (no Redis, no database, no per-request log line), so
    a flood cannot starve the event loop of the time its own security checks need. Liveness is
    exempt: an overloaded worker is alive. The shed requests are logged as one ``requests_shed``
    warning per second with their count.
    """

    def __init__(
        self,
        app: ASGIApp,
        policy: EdgePolicy,
        *,
        rate_limit: RateLimitGate | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self._policy = policy
        self._hosts = HostPolicy(policy.allowed_hosts)
        self._clients = ClientAddressResolver(policy.trusted_proxies)
        self._rate_limit = rate_limit
        self._now = now
        self._in_flight = 0
        self._shed = 0
        self._shed_reported_at = -1.0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._in_flight >= self._policy.max_in_flight and scope.get("path") != LIVENESS_PATH:
            await self._shed_request(scope, send)
            return
        self._in_flight += 1
        slot = [True]  # held until the response's last byte is handed to the server (see _serve)
        try:
            await self._serve(scope, receive, send, slot)
        finally:
            if slot[0]:
                self._in_flight -= 1

    async def _shed_request(self, scope: Scope, send: Send, request_id: str | None = None) -> None:
        self._shed += 1
        now = self._now()
        if now - self._shed_reported_at >= 1.0:
            log.warning("requests_shed", count=self._shed, in_flight=self._in_flight)
            self._shed, self._shed_reported_at = 0, now
        request_id = request_id or accept_or_make_request_id(header_value(scope, b"x-request-id"))
        headers, body = refusal(
            503,
            "OVERLOADED",
            "The service is overloaded; retry after the time in Retry-After.",
            request_id=request_id,
            hsts=self._policy.hsts,
            extra_headers=((b"retry-after", b"1"), *self._cors_headers(scope)),
            security_headers=self._policy.security_headers,
        )
        if self._policy.cors.enabled:
            headers = with_vary_origin(headers)
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _serve(self, scope: Scope, receive: Receive, send: Send, slot: list[bool]) -> None:
        request_id = accept_or_make_request_id(header_value(scope, b"x-request-id"))
        client_ip = self._clients.resolve(scope)
        store_request_id(scope, request_id)
        store_client_ip(scope, client_ip)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        bind_request_meta(RequestMeta(client_ip=client_ip, request_id=request_id, client_key=client_bucket(client_ip)))

        started = time.perf_counter()
        response: dict[str, Any] = {"status": None}
        extra_headers: list[tuple[bytes, bytes]] = [(REQUEST_ID_HEADER.encode(), request_id.encode())]
        policy = self._policy
        docs = policy.docs_path is not None and str(scope.get("path", "")).startswith(policy.docs_path)
        cors = policy.cors.enabled
        origin = header_value(scope, b"origin") if cors else None
        if origin is not None:
            extra_headers.extend(policy.cors.response_headers(origin.encode("latin-1")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if bytes(k).lower() != b"x-request-id"]
                if policy.security_headers:
                    headers = secure(headers, hsts=policy.hsts, docs=docs)
                if cors:
                    headers = with_vary_origin(headers)
                message["headers"] = headers + extra_headers
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False) and slot[0]:
                # The response is complete: the slot is free now, not when this task has also
                # written its access line. A keep-alive client's next request, which the server
                # may start at once, must not find this one still counted (a false 503 at the cap).
                slot[0] = False
                self._in_flight -= 1

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await self._send_problem(send_with_headers, *refusal, request_id)
                return
            if origin is not None and scope.get("method") == "OPTIONS":
                requested_method = header_value(scope, b"access-control-request-method")
                if requested_method is not None:  # a preflight: never rate limited, never authenticated
                    await self._preflight(scope, send_with_headers, extra_headers, origin, requested_method, request_id)
                    return
            if self._rate_limit is not None:
                outcome = await self._rate_limit.check(scope, client_ip)
                if outcome is not None:
                    extra_headers.extend(outcome.headers())
                    if not outcome.decision.allowed:
                        retry_after = str(max(1, outcome.decision.retry_after_seconds)).encode()
                        extra_headers.append((b"retry-after", retry_after))
                        await self._send_problem(
                            send_with_headers,
                            429,
                            "RATE_LIMITED",
                            "Too many requests; slow down and retry after the time in Retry-After.",
                            request_id,
                        )
                        return
            if scope.get("method") in _BODY_METHODS:
                # A body on its way holds a connection, not one of the worker's slots: a client
                # trickling bodies must not be able to fill the slots and shed everyone else.
                self._in_flight -= 1
                try:
                    async with asyncio.timeout(policy.body_read_timeout):
                        buffered = await self._read_body(receive)
                except TimeoutError:
                    extra_headers.append((b"connection", b"close"))
                    await self._send_problem(
                        send_with_headers,
                        408,
                        "REQUEST_TIMEOUT",
                        f"The request body did not arrive within {policy.body_read_timeout:g} seconds.",
                        request_id,
                    )
                    return
                except _ClientGone:
                    return  # nobody is left to answer; the app never sees half a body
                finally:
                    self._in_flight += 1
                if buffered is None:
                    await self._send_problem(
                        send_with_headers,
                        413,
                        "PAYLOAD_TOO_LARGE",
                        f"The request body is larger than {policy.max_body_bytes} bytes.",
                        request_id,
                    )
                    return
                if self._in_flight > policy.max_in_flight:  # the slots filled while the body arrived
                    response["status"] = 503
                    await self._shed_request(scope, send, request_id)
                    return
                receive = buffered
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled_exception", path=scope.get("path"))
            if response["status"] is None:
                await self._send_problem(
                    send_with_headers, 500, "INTERNAL_ERROR", "An unexpected error occurred.", request_id
                )
        finally:
            if log.is_enabled_for(logging.INFO):  # the access line costs nothing when filtered out
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope.get("path"),
                    status=response["status"],
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    client_ip=client_ip,
                )
            structlog.contextvars.clear_contextvars()

    def _cors_headers(self, scope: Scope) -> tuple[tuple[bytes, bytes], ...]:
        if not self._policy.cors.enabled:
            return ()
        origin = header_value(scope, b"origin")
        return self._policy.cors.response_headers(origin.encode("latin-1") if origin is not None else None)

    async def _preflight(
        self,
        scope: Scope,
        send: Send,
        extra_headers: list[tuple[bytes, bytes]],
        origin: str,
        requested_method: str,
        request_id: str,
    ) -> None:
        """Answers a CORS preflight here, before the rate limiter and authentication: a browser
        that cannot get its preflight through shows a network error, not the API's answer. What it
        costs is bounded like any request (load shedding, the Host check above)."""
        requested_headers = header_value(scope, b"access-control-request-headers")
        answer = self._policy.cors.preflight(
            origin.encode("latin-1"),
            requested_method.encode("latin-1"),
            requested_headers.encode("latin-1") if requested_headers is not None else None,
        )
        # The response's own CORS headers come from the answer (none for a disallowed origin).
        extra_headers[:] = [(name, value) for name, value in extra_headers if not name.startswith(b"access-control-")]
        extra_headers.extend(answer.headers)
        if answer.status != 204:
            await self._send_problem(send, answer.status, answer.code, answer.detail, request_id)
            return
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _read_body(self, receive: Receive) -> Receive | None:
        """The whole body is read here, against the caller's deadline, so a client trickling it
        byte by byte cannot hold a connection (and a slot) for ever; a body sent without
        Content-Length (chunked) is counted as it comes, so that an oversized one is 413 before
        authentication, as the contract orders. Memory stays bounded by the limit; ``None`` means
        it was exceeded; ``_ClientGone`` that the client disconnected first. Then the body is
        replayed to the app in one message."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _ClientGone
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > self._policy.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        """Checks every route shares, in the contract's order: 413, then Host.

        A declared length over the limit is refused before a byte of the body is read; bodies
        without one are counted by Litestar as they stream (``request_max_body_size``).
        """
        length = header_value(scope, b"content-length")
        if length is not None:
            if not (length.isascii() and length.isdigit()) or len(length) > 18:
                return 400, "BAD_REQUEST", "The Content-Length header is not a valid length."
            if int(length) > self._policy.max_body_bytes:
                return 413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {self._policy.max_body_bytes} bytes."
        raw_path = scope.get("raw_path")
        if isinstance(raw_path, bytes) and b"%" in raw_path and _ENCODED_SEPARATOR.search(raw_path.split(b"?", 1)[0]):
            # Decoded, "/api%2Fvendor" would be routed like "/api/vendor": never what a client meant.
            return 400, "BAD_REQUEST", "Percent-encoded slashes and backslashes are not allowed in the path."
        # Orchestrator probes address the container by IP; health answers carry nothing host-specific.
        if scope.get("path") not in HEALTH_PATHS and not self._hosts.allows(header_value(scope, b"host")):
            return 400, "HOST_NOT_ALLOWED", "The Host header names a host this service does not serve."
        return None

    @staticmethod
    async def _send_problem(send: Send, status: int, code: str, detail: str, request_id: str) -> None:
        body = encode_problem(make_problem(status, detail=detail, code=code, request_id=request_id))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
