"""The outer ASGI wrapper around the whole Litestar app.

Litestar builds user middleware per route, so unmatched routes (404, 405) and some framework errors
never pass through it. What every response needs — a request id, the Host check, the access log,
a last-resort 500 — therefore lives here, outside the router.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import structlog

from interfaces.http.client_address import ClientAddressResolver
from interfaces.http.problems import PROBLEM_CONTENT_TYPE, encode_problem, make_problem
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

HEALTH_PATHS = frozenset({"/health/live", "/health/ready"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_without_port(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8000
        end = host.find("]")
        return host[1:end] if end != -1 else host
    if host.count(":") == 1:
        return host.rsplit(":", 1)[0]
    return host


class HostPolicy:
    """Host header allow-list compared without the port; ``*.example.com`` matches sub-domains."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self._any = "*" in allowed
        self._exact = frozenset(h for h in allowed if not h.startswith("*."))
        self._suffixes = tuple(h[1:] for h in allowed if h.startswith("*."))

    def allows(self, host_header: str | None) -> bool:
        if self._any:
            return True
        if not host_header:
            return False
        host = host_without_port(host_header)
        return host in self._exact or any(host.endswith(suffix) for suffix in self._suffixes)


@dataclass(frozen=True, slots=True)
class EdgePolicy:
    allowed_hosts: tuple[str, ...]
    max_body_bytes: int
    trusted_proxies: tuple[str, ...] = ()
    hsts: bool = False
    docs_path: str | None = None  # where interactive docs are served, if anywhere
    security_headers: bool = True


class EdgeMiddleware:
    """Request id, client address, 413, Host, rate limit (in the contract's order), security
    headers on every response, the access log and a last-resort 500."""

    def __init__(self, app: ASGIApp, policy: EdgePolicy, *, rate_limit: RateLimitGate | None = None) -> None:
        self.app = app
        self._policy = policy
        self._hosts = HostPolicy(policy.allowed_hosts)
        self._clients = ClientAddressResolver(policy.trusted_proxies)
        self._rate_limit = rate_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = accept_or_make_request_id(header_value(scope, b"x-request-id"))
        client_ip = self._clients.resolve(scope)
        store_request_id(scope, request_id)
        store_client_ip(scope, client_ip)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        started = time.perf_counter()
        response: dict[str, Any] = {"status": None}
        extra_headers: list[tuple[bytes, bytes]] = [(REQUEST_ID_HEADER.encode(), request_id.encode())]
        policy = self._policy
        docs = policy.docs_path is not None and str(scope.get("path", "")).startswith(policy.docs_path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if bytes(k).lower() != b"x-request-id"]
                if policy.security_headers:
                    headers = secure(headers, hsts=policy.hsts, docs=docs)
                message["headers"] = headers + extra_headers
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await self._send_problem(send_with_headers, *refusal, request_id)
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
            if header_value(scope, b"content-length") is None and scope.get("method") in _BODY_METHODS:
                buffered = await self._read_unsized_body(receive)
                if buffered is None:
                    await self._send_problem(
                        send_with_headers,
                        413,
                        "PAYLOAD_TOO_LARGE",
                        f"The request body is larger than {policy.max_body_bytes} bytes.",
                        request_id,
                    )
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
            log.info(
                "request",
                method=scope.get("method"),
                path=scope.get("path"),
                status=response["status"],
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                client_ip=client_ip,
            )
            structlog.contextvars.clear_contextvars()

    async def _read_unsized_body(self, receive: Receive) -> Receive | None:
        """A body sent without Content-Length (chunked) is read here, up to the limit, so that an
        oversized one is 413 before authentication, as the contract orders. Memory stays bounded
        by the limit; ``None`` means it was exceeded."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; let the app see the disconnect
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
