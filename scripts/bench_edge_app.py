"""The benchmark baseline: the production app with rate limiting and security headers off.
Only scripts/bench_edge.py starts it; no setting of the real server can do this."""

from __future__ import annotations

import os

from infrastructure.config import load_settings
from infrastructure.logging import configure_logging
from interfaces.http.app import create_app
from interfaces.http.edge import EdgeMiddleware


def create_bare() -> EdgeMiddleware:
    settings = load_settings(os.environ)
    configure_logging(level=settings.log_level, json=True)
    return create_app(settings, rate_limiting=False, security_headers=False)


def create_limits_only() -> EdgeMiddleware:
    settings = load_settings(os.environ)
    configure_logging(level=settings.log_level, json=True)
    return create_app(settings, rate_limiting=True, security_headers=False)


def create_headers_only() -> EdgeMiddleware:
    settings = load_settings(os.environ)
    configure_logging(level=settings.log_level, json=True)
    return create_app(settings, rate_limiting=False, security_headers=True)


def create_full() -> EdgeMiddleware:
    """The production app exactly as `flower-vendor serve` builds it, started the same way as the
    baseline so that only the edge features differ."""
    settings = load_settings(os.environ)
    configure_logging(level=settings.log_level, json=True)
    return create_app(settings)
