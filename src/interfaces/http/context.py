"""What a bounded context hands the HTTP composition root: its controllers, and the app-scoped
dependencies worth building before the first request, and the examples of its own refusals for
the OpenAPI document (``app.py`` collects one per context)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from litestar.types import ControllerRouterHandler


@dataclass(frozen=True, slots=True)
class HttpContext:
    controllers: Sequence[ControllerRouterHandler]
    # Resolved from the container at start-up, so the first requests do not pay for them.
    warm_up: Sequence[type[object]] = ()
    # The OpenAPI document's problem examples of the context's own refusals, by handler name.
    problem_examples: Mapping[str, Sequence[Exception]] = field(default_factory=dict)
