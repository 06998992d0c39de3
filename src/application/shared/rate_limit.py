"""Request rate limiting: a policy, the decision for one request, and the limiter port.

A policy allows ``limit`` requests per ``window_seconds``. A client may spend the whole allowance in
one burst from idle; afterwards requests are admitted at one per ``window_seconds / limit`` seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

# The name goes into storage keys: keep it to a short, plain word (no braces, colons or spaces).
_POLICY_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    name: str  # the tier: "auth", "api", "user" ...
    limit: int
    window_seconds: int = 60

    def __post_init__(self) -> None:
        if not _POLICY_NAME.fullmatch(self.name):
            raise ValueError("a rate limit policy name is 1-32 letters, digits, '_', '.' or '-'")
        if self.limit < 1 or self.window_seconds < 1:
            raise ValueError("a rate limit policy needs a limit and a window of at least 1")


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    """Requests still admitted right now, after this one (0 when refused)."""
    reset_seconds: int
    """Seconds until the allowance is fully restored (whole seconds, rounded up; 0 when idle)."""
    retry_after_seconds: int
    """0 when allowed; otherwise the wait before a retry can be admitted (rounded up, at least 1)."""


@dataclass(frozen=True, slots=True)
class SessionHit:
    decision: RateLimitDecision
    session_live: bool | None
    """Whether the session was live when the request was counted; ``None`` when the limiter could
    not tell (no shared store, or the store is down), and the caller must ask the session store."""


class RateLimiter(Protocol):
    async def hit(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision:
        """Count one request for ``key`` under ``policy`` and decide on it.

        Never raises because a backend (Redis) is down: the implementation falls back instead.
        """
        ...

    async def hit_for_session(self, key: str, policy: RateLimitPolicy, session_id: UUID) -> SessionHit:
        """``hit`` for a request carrying a verified access token of session ``session_id``.

        Where the limiter shares its store with the session store, it also reads whether the
        session is live in the same round trip, so an authenticated request costs the store one
        round trip instead of two. Never raises because a backend is down.
        """
        ...

    @property
    def fallback_active(self) -> bool:
        """True while decisions come from a degraded fallback instead of the shared store."""
        ...
