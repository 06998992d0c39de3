"""Composition root of the HTTP API: settings, logging, the container and the Litestar app."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from functools import partial

from dishka import AsyncContainer
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.middleware import DefineMiddleware
from litestar.types import ControllerRouterHandler

from application.shared.access import AccessTokens, SessionLiveness
from application.shared.confirm_access import ConfirmAccess
from application.shared.rate_limit import RateLimiter
from infrastructure.config import Settings, load_settings
from infrastructure.db.errors import translate_database_error
from infrastructure.di.container import make_container
from infrastructure.logging import configure_logging
from interfaces.http import accounts, catalog, customers, delivery, stock
from interfaces.http.auth import AUTH_EXEMPT_PATHS, BearerAuthMiddleware, SessionCheck
from interfaces.http.browser_sessions import BrowserSessions, attach_browser_sessions
from interfaces.http.context import HttpContext
from interfaces.http.cors import CorsPolicy
from interfaces.http.di import attach_container, http_providers
from interfaces.http.edge import EdgeMiddleware, EdgePolicy
from interfaces.http.errors import exception_handlers
from interfaces.http.front_door import FrontDoorPolicy
from interfaces.http.front_door import configure as configure_front_door
from interfaces.http.health import HealthController
from interfaces.http.openapi import complete_document, docs_assets, openapi_config
from interfaces.http.rate_limit import RateLimitGate, RateLimitTiers
from interfaces.http.strict_input import strict_input

# Every bounded context's HTTP side: adding a context adds one line here.
CONTEXTS: tuple[HttpContext, ...] = (
    accounts.CONTEXT,
    catalog.CONTEXT,
    stock.CONTEXT,
    customers.CONTEXT,
    delivery.CONTEXT,
)

API_VERSION = "1.0.0"
COMPRESSION_MINIMUM_BYTES = 1024


async def _warm_up(container: AsyncContainer) -> None:
    """Build what the first requests would otherwise pay for (each context names its own), then
    move everything start-up made out of the garbage collector's sight: a full collection over the
    ~120,000 objects of the imported frameworks takes tens of milliseconds, a pause every request in
    flight would wait through; after ``gc.freeze`` collections scan only what requests allocate."""
    for context in CONTEXTS:
        for dependency in context.warm_up:
            await container.get(dependency)
    gc.collect()
    gc.freeze()


def build_litestar(
    settings: Settings,
    container: AsyncContainer,
    *,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    openapi = openapi_config(API_VERSION) if settings.docs_enabled else None
    compression = CompressionConfig(
        backend="brotli",
        brotli_gzip_fallback=True,
        minimum_size=COMPRESSION_MINIMUM_BYTES,
        # Secrets in auth responses must never share a compressed body with attacker-chosen input (BREACH).
        exclude=["^/api/auth/"],
    )
    app = Litestar(
        route_handlers=[
            HealthController,
            *(controller for context in CONTEXTS for controller in context.controllers),
            *([docs_assets()] if settings.docs_enabled else []),
            *extra_route_handlers,
        ],
        middleware=[
            DefineMiddleware(
                BearerAuthMiddleware,
                exclude=list(AUTH_EXEMPT_PATHS),
                session_check=SessionCheck(partial(container.get, SessionLiveness)),
                confirm_access=partial(container.get, ConfirmAccess),
            )
        ],
        exception_handlers=exception_handlers(translate_database_error),
        # Bodies and query parameters strictly typed, before Litestar's lax conversion.
        before_request=strict_input,
        openapi_config=openapi,
        debug=settings.debug,
        # Our own structlog set-up logs errors; Litestar's would print tracebacks a second time.
        logging_config=None,
        request_max_body_size=settings.max_request_body_bytes,
        # No cors_config: CORS is the edge's (interfaces/http/cors.py), on every response, errors included.
        compression_config=compression,
        on_startup=[partial(_warm_up, container)],
        on_shutdown=[container.close],
    )
    attach_container(container, app)  # no per-request scope: handlers open one only when they write
    attach_browser_sessions(app.state, browser_sessions(settings))
    if settings.docs_enabled:
        complete_document(app, {name: shown for c in CONTEXTS for name, shown in c.problem_examples.items()})
    return app


def rate_limit_gate(settings: Settings, container: AsyncContainer) -> RateLimitGate:
    return RateLimitGate(
        RateLimitTiers.per_minute(
            auth=settings.auth_rate_limit, user=settings.authenticated_rate_limit, api=settings.api_rate_limit
        ),
        limiter=partial(container.get, RateLimiter),
        tokens=partial(container.get, AccessTokens),
    )


def browser_sessions(settings: Settings) -> BrowserSessions:
    # Secure cookies everywhere but `dev`, which serves plain http (a browser would drop them there).
    return BrowserSessions.of(
        enabled=settings.auth_cookies, origins=settings.cors_origins, secure=not settings.is_development
    )


def cors_policy(settings: Settings) -> CorsPolicy:
    return CorsPolicy(allow_origins=settings.cors_origins, allow_credentials=settings.auth_cookies)


def edge_policy(settings: Settings) -> EdgePolicy:
    return EdgePolicy(
        allowed_hosts=settings.allowed_hosts,
        max_body_bytes=settings.max_request_body_bytes,
        trusted_proxies=settings.trusted_proxies,
        hsts=settings.is_production,
        docs_path="/schema" if settings.docs_enabled else None,
        max_in_flight=settings.max_concurrent_requests,
        body_read_timeout=settings.body_read_timeout_seconds,
        cors=cors_policy(settings),
    )


def create_app(
    settings: Settings | None = None,
    *,
    container: AsyncContainer | None = None,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
) -> EdgeMiddleware:
    """The ASGI application. Without arguments (the ASGI server's factory) it reads the environment."""
    if settings is None:
        settings = load_settings(os.environ)
        configure_logging(level=settings.log_level, json=settings.log_format == "json")
    configure_front_door(
        FrontDoorPolicy(
            max_header_bytes=settings.max_header_bytes,
            header_read_timeout=settings.header_read_timeout_seconds,
            max_connections=settings.max_connections,
            hsts=settings.is_production,
            cors=cors_policy(settings),
        )
    )
    container = container or make_container(settings, *http_providers())
    app = build_litestar(settings, container, extra_route_handlers=extra_route_handlers)
    return EdgeMiddleware(app, edge_policy(settings), rate_limit=rate_limit_gate(settings, container))
