"""The Redis client: short timeouts and no retries, so an outage fails fast instead of stalling requests."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from infrastructure.config import Settings


def create_redis(settings: Settings) -> Redis | None:
    if settings.redis_url is None:
        return None
    timeout = settings.redis_socket_timeout
    return Redis.from_url(
        settings.redis_url.reveal(),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # redis-py 8 retries with backoff by default; a down Redis must answer in one timeout.
        retry=Retry(NoBackoff(), retries=0),
        retry_on_timeout=False,
        health_check_interval=0,
        decode_responses=False,
        max_connections=100,
    )
