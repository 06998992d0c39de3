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
