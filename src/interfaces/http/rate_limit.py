"""Which rate-limit tier a request falls in, and the IETF RateLimit fields that describe it.

Tiers (contract section 9): ``auth`` per client address on signup, login and refresh; ``user`` per
user once the access token's signature verifies; ``api`` per client address for everything else.
Health and metrics are never limited. Whether the token's session is still live is the auth
middleware's business; here a valid signature is enough to pick the bucket, and a forged token
cannot pick someone else's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from application.ports.rate_limit import RateLimitDecision, RateLimiter, RateLimitPolicy
from application.ports.security import AccessTokens, InvalidToken
from interfaces.http.client_address import client_bucket
from interfaces.http.request_context import bearer_token, header_value, store_verified_token

AUTH_PATHS = frozenset({"/api/auth/signup", "/api/auth/login", "/api/auth/refresh"})
UNLIMITED_PATHS = frozenset({"/health/live", "/health/ready", "/metrics"})


@dataclass(frozen=True, slots=True)
class RateLimitTiers:
    auth: RateLimitPolicy
    user: RateLimitPolicy
    api: RateLimitPolicy

    @classmethod
    def per_minute(cls, *, auth: int, user: int, api: int) -> RateLimitTiers:
        return cls(RateLimitPolicy("auth", auth), RateLimitPolicy("user", user), RateLimitPolicy("api", api))


@dataclass(frozen=True, slots=True)
class Outcome:
    policy: RateLimitPolicy
    decision: RateLimitDecision

    def headers(self) -> list[tuple[bytes, bytes]]:
        name = self.policy.name
        return [
            (b"ratelimit-policy", f'"{name}";q={self.policy.limit};w={self.policy.window_seconds}'.encode()),
            (b"ratelimit", f'"{name}";r={self.decision.remaining};t={self.decision.reset_seconds}'.encode()),
        ]


class RateLimitGate:
    def __init__(
        self,
        tiers: RateLimitTiers,
        limiter: Callable[[], Awaitable[RateLimiter]],
        tokens: Callable[[], Awaitable[AccessTokens]],
    ) -> None:
        self._tiers = tiers
        self._resolve_limiter = limiter
        self._resolve_tokens = tokens
        self._cached: tuple[RateLimiter, AccessTokens] | None = None

    async def _services(self) -> tuple[RateLimiter, AccessTokens]:
        # APP-scoped singletons: resolved once, not through the container's lock on every request.
        if self._cached is None:
            self._cached = (await self._resolve_limiter(), await self._resolve_tokens())
        return self._cached

    async def check(self, scope: MutableMapping[str, Any], client_ip: str) -> Outcome | None:
        # "/api/auth/login/" and "//api/auth//login" reach the same handler: bucket them alike.
        path = "/" + "/".join(part for part in str(scope.get("path", "")).split("/") if part)
        if path in UNLIMITED_PATHS:
            return None
        limiter, tokens = await self._services()
        if path in AUTH_PATHS:
            policy, key = self._tiers.auth, f"ip:{client_bucket(client_ip)}"
        else:
            policy, key = self._tiers.api, f"ip:{client_bucket(client_ip)}"
            token = bearer_token(header_value(scope, b"authorization"))
            if token is not None:
                try:
                    claims = tokens.verify(token)
                except InvalidToken:
                    pass
                else:
                    store_verified_token(scope, token, claims)
                    policy, key = self._tiers.user, f"user:{claims.user_id}"
        decision = await limiter.hit(key, policy)
        return Outcome(policy, decision)
