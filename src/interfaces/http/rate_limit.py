"""Which rate-limit tier a request falls in, and the IETF RateLimit fields that describe it.

Tiers (contract section 9): ``auth`` per client address on signup, login and refresh; ``user`` per
user once the access token's signature verifies; ``api`` per client address for everything else.
Health checks are never limited. A valid signature is enough to pick the user bucket (a
forged token cannot pick someone else's); whether the token's session is still live is the auth
middleware's decision, but the limiter reads it in the same Redis round trip as the count and
leaves it in the request scope, so the hot path pays one round trip, not two.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from application.shared.access import AccessTokens, InvalidToken
from application.shared.rate_limit import RateLimitDecision, RateLimiter, RateLimitPolicy
from interfaces.http.client_address import client_bucket
from interfaces.http.request_context import VerifiedToken, bearer_token, header_value, store_verified_token

AUTH_PATHS = frozenset({"/api/auth/signup", "/api/auth/login", "/api/auth/refresh"})
UNLIMITED_PATHS = frozenset({"/health/live", "/health/ready"})


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
        decision = self.decision
        return [
            _policy_header(self.policy),
            (b"ratelimit", f'"{self.policy.name}";r={decision.remaining};t={decision.reset_seconds}'.encode()),
        ]


@lru_cache(maxsize=16)
def _policy_header(policy: RateLimitPolicy) -> tuple[bytes, bytes]:
    return b"ratelimit-policy", f'"{policy.name}";q={policy.limit};w={policy.window_seconds}'.encode()


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
            policy = self._tiers.auth
        else:
            policy = self._tiers.api
            token = bearer_token(header_value(scope, b"authorization"))
            if token is not None:
                try:
                    claims = tokens.verify(token)
                except InvalidToken:
                    pass
                else:
                    policy = self._tiers.user
                    # The bucket name is part of the stored key: changing it resets every allowance.
                    hit = await limiter.hit_for_session(f"user:{claims.user_id}", policy, claims.session_id)
                    store_verified_token(scope, VerifiedToken(token, claims, hit.session_live))
                    return Outcome(policy, hit.decision)
        decision = await limiter.hit(f"ip:{client_bucket(client_ip)}", policy)
        return Outcome(policy, decision)
