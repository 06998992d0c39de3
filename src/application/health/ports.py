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

    def known_status(self) -> ProbeStatus | None:
        """The status this process already knows without any I/O (a fallback it switched to, a
        dependency it was never given), or None when only ``check`` can tell. Asked on every
        readiness call, so such a change shows at once even while ``check``'s answer is reused."""
        ...

    async def check(self) -> ProbeStatus: ...
