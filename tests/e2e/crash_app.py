"""An ASGI factory for end-to-end tests that need a real server answering 500: the production app
plus one route that raises. Started with `python -m uvicorn tests.e2e.crash_app:create --factory`."""

from __future__ import annotations

import os

from litestar import get

from infrastructure.config import load_settings
from infrastructure.logging import configure_logging
from interfaces.http.app import create_app
from interfaces.http.edge import EdgeMiddleware


@get("/test/crash", opt={"exclude_from_auth": True})
async def crash() -> None:
    raise RuntimeError("boom: internal detail that must not leak")


def create() -> EdgeMiddleware:
    settings = load_settings(os.environ)
    configure_logging(level=settings.log_level, json=True)
    return create_app(settings, extra_route_handlers=[crash])
