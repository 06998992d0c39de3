"""Which tier and bucket a request is counted in, and the session liveness the gate hands to the
auth middleware, with a recording limiter (the limiters themselves are tested elsewhere)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from application.shared.access import AccessClaims, InvalidToken
from application.shared.rate_limit import RateLimitDecision, RateLimitPolicy, SessionHit
from interfaces.http.rate_limit import RateLimitGate, RateLimitTiers
from interfaces.http.request_context import VerifiedToken, verified_token_of

TIERS = RateLimitTiers.per_minute(auth=5, user=100, api=30)
CLAIMS = AccessClaims(
    user_id=uuid.uuid4(),
    vendor_id=uuid.uuid4(),
    role="OWNER",
    session_id=uuid.uuid4(),
    token_id="jti",
    issued_at=datetime.now(UTC),
    expires_at=datetime.now(UTC),
)
GOOD = "good.token.value"


@dataclass
class RecordingLimiter:
    session_live: bool | None = True
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def fallback_active(self) -> bool:
        return False

    async def hit(self, key: str, policy: RateLimitPolicy) -> RateLimitDecision:
        self.calls.append(("hit", key, policy.name))
        return RateLimitDecision(True, policy.limit, policy.limit - 1, 1, 0)

    async def hit_for_session(self, key: str, policy: RateLimitPolicy, session_id: uuid.UUID) -> SessionHit:
        self.calls.append(("hit_for_session", key, policy.name, session_id))
        return SessionHit(RateLimitDecision(True, policy.limit, policy.limit - 1, 1, 0), self.session_live)


class Tokens:
    def verify(self, token: str) -> AccessClaims:
        if token != GOOD:
            raise InvalidToken("bad")
        return CLAIMS


def gate_for(limiter: RecordingLimiter) -> RateLimitGate:
    async def limiter_factory() -> RecordingLimiter:
        return limiter

    async def tokens_factory() -> Tokens:
        return Tokens()

    return RateLimitGate(TIERS, limiter_factory, tokens_factory)  # type: ignore[arg-type]


def scope_for(path: str, authorization: str | None = None) -> dict[str, Any]:
    headers = [(b"host", b"api.example.com")]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode()))
    return {"type": "http", "path": path, "headers": headers}


@pytest.mark.parametrize("live", [True, False, None])
async def test_a_verified_token_counts_per_user_and_hands_over_its_session_liveness(live: bool | None) -> None:
    limiter = RecordingLimiter(session_live=live)
    scope = scope_for("/api/staff", f"Bearer {GOOD}")
    outcome = await gate_for(limiter).check(scope, "203.0.113.7")
    assert outcome is not None
    assert outcome.policy.name == "user"
    assert limiter.calls == [("hit_for_session", f"user:{CLAIMS.user_id}", "user", CLAIMS.session_id)]
    assert verified_token_of(scope, GOOD) == VerifiedToken(GOOD, CLAIMS, live)
    assert verified_token_of(scope, "another.token.value") is None  # only for the very token checked


async def test_an_invalid_token_counts_per_address_and_is_not_handed_over() -> None:
    limiter = RecordingLimiter()
    scope = scope_for("/api/staff", "Bearer forged.token.value")
    outcome = await gate_for(limiter).check(scope, "203.0.113.7")
    assert outcome is not None
    assert outcome.policy.name == "api"
    assert limiter.calls == [("hit", "ip:203.0.113.7", "api")]
    assert verified_token_of(scope, "forged.token.value") is None


async def test_auth_endpoints_count_per_address_even_with_a_valid_token() -> None:
    limiter = RecordingLimiter()
    for path in ("/api/auth/login", "/api/auth/login/", "//api/auth//refresh"):
        outcome = await gate_for(limiter).check(scope_for(path, f"Bearer {GOOD}"), "2001:db8::1")
        assert outcome is not None
        assert outcome.policy.name == "auth"
    assert limiter.calls == [("hit", "ip:2001:db8::/64", "auth")] * 3


async def test_health_is_never_counted() -> None:
    limiter = RecordingLimiter()
    assert await gate_for(limiter).check(scope_for("/health/ready"), "203.0.113.7") is None
    assert limiter.calls == []


def test_rate_limit_fields_describe_the_policy_and_the_decision() -> None:
    from interfaces.http.rate_limit import Outcome

    outcome = Outcome(TIERS.user, RateLimitDecision(True, 100, 42, 35, 0))
    assert outcome.headers() == [(b"ratelimit-policy", b'"user";q=100;w=60'), (b"ratelimit", b'"user";r=42;t=35')]
