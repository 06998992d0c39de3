"""What a bounded context hands the HTTP composition root: its controllers, and the app-scoped
dependencies worth building before the first request (``app.py`` collects one per context)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litestar.types import ControllerRouterHandler


@dataclass(frozen=True, slots=True)
class HttpContext:
    controllers: Sequence[ControllerRouterHandler]
    # Resolved from the container at start-up, so the first requests do not pay for them.
    warm_up: Sequence[type[object]] = ()
