"""Ports the readiness check needs: one probe per dependency."""

from __future__ import annotations

import enum
from typing import Protocol


class ProbeStatus(enum.StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"
    NOT_CONFIGURED = "not_configured"


class DependencyProbe(Protocol):
    """Answers whether one dependency is usable right now. Must never raise."""

    @property
    def name(self) -> str: ...

    @property
    def required(self) -> bool:
        """A required dependency that is down makes the whole service not ready."""
        ...

    async def check(self) -> ProbeStatus: ...
