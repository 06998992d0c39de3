"""Readiness probe for Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from application.health.ports import ProbeStatus
from application.shared.rate_limit import RateLimiter
from infrastructure.logging import get_logger

log = get_logger(__name__)


class RedisProbe:
    """Redis is not required for readiness: the in-memory fallback keeps the service up (degraded).

    ``degraded`` while the rate limiter's fallback serves, or when Redis does not answer a ping."""

    name = "redis"
    required = False

    def __init__(self, redis: Redis | None, limiter: RateLimiter | None = None) -> None:
        self._redis = redis
        self._limiter = limiter

    def known_status(self) -> ProbeStatus | None:
        """Without a round trip: not configured, or degraded while the limiter's fallback serves."""
        if self._redis is None:
            return ProbeStatus.NOT_CONFIGURED
        if self._limiter is not None and self._limiter.fallback_active:
            return ProbeStatus.DEGRADED
        return None

    async def check(self) -> ProbeStatus:
        known = self.known_status()
        if known is not None or self._redis is None:
            return known or ProbeStatus.NOT_CONFIGURED
        try:
            await self._redis.ping()
        except Exception as error:  # noqa: BLE001 - the probe reports, it never raises
            log.warning("readiness_probe_failed", dependency=self.name, error=type(error).__name__)
            return ProbeStatus.DEGRADED
        return ProbeStatus.OK
