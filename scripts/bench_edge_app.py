"""The benchmark baseline: the production app with rate limiting and security headers off.
Only scripts/bench_edge.py starts it; no setting of the real server can do this."""

from __future__ import annotations

import dataclasses
import os

from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from infrastructure.logging import configure_logging
from interfaces.http.app import build_litestar, create_app, edge_policy, rate_limit_gate
from interfaces.http.di import http_providers
from interfaces.http.edge import EdgeMiddleware


def _variant(*, rate_limiting: bool, security_headers: bool) -> EdgeMiddleware:
    """The production app's parts, with the edge features the benchmark compares switched here, in
    the benchmark's own app: the production factory has no such switch."""
    settings = load_settings(os.environ)
    configure_logging(level=settings.log_level, json=True)
    container = make_container(settings, *http_providers())
    policy = dataclasses.replace(edge_policy(settings), security_headers=security_headers)
    gate = rate_limit_gate(settings, container) if rate_limiting else None
    return EdgeMiddleware(build_litestar(settings, container), policy, rate_limit=gate)


def create_bare() -> EdgeMiddleware:
    return _variant(rate_limiting=False, security_headers=False)


def create_limits_only() -> EdgeMiddleware:
    return _variant(rate_limiting=True, security_headers=False)


def create_headers_only() -> EdgeMiddleware:
    return _variant(rate_limiting=False, security_headers=True)


def create_full() -> EdgeMiddleware:
    """The production app exactly as `flower-vendor serve` builds it, started the same way as the
    baseline so that only the edge features differ."""
    settings = load_settings(os.environ)
    configure_logging(level=settings.log_level, json=True)
    return create_app(settings)
