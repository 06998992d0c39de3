"""A circuit breaker: use a dependency while it answers, a fallback while it does not.

The rate limiter (Redis, else process memory) and the session check (Redis, else fail open) both
put one in front of Redis, so that an outage costs one timeout per retry interval instead of one
per request, and is reported once instead of once per request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class CircuitBreaker:
    """* Closed: every call goes to the dependency. ``failures_to_open`` failures in a row (a
      success in between starts the count again) open the breaker.
    * Open: calls take the fallback. After ``retry_interval_seconds`` ONE call at a time probes
      the dependency while concurrent calls keep taking the fallback; a successful probe closes
      the breaker, a failed one keeps it open for another interval.

    Only exceptions of type ``failure`` count as the dependency failing; anything else propagates.
    ``on_open(error)`` and ``on_close(outage_seconds)`` are called once per outage;
    ``on_failure(error, failures_in_a_row)`` for every other failure (below the threshold, or
    while already open).
    """

    def __init__(
        self,
        failure: type[Exception],
        *,
        failures_to_open: int = 1,
        retry_interval_seconds: float = 5.0,
        now: Callable[[], float] = time.monotonic,
        on_open: Callable[[Exception], None] | None = None,
        on_close: Callable[[float], None] | None = None,
        on_failure: Callable[[Exception, int], None] | None = None,
    ) -> None:
        if failures_to_open < 1 or retry_interval_seconds <= 0:
            raise ValueError("a circuit breaker opens after at least 1 failure and retries after a positive interval")
        self._failure = failure
        self._failures_to_open = failures_to_open
        self._retry_interval = retry_interval_seconds
        self._now = now
        self._on_open = on_open
        self._on_close = on_close
        self._on_failure = on_failure
        self._open = False
        self._probing = False
        self._failures = 0
        self._opened_at = 0.0
        self._retry_at = 0.0

    @property
    def is_open(self) -> bool:
        return self._open

    @property
    def retry_interval_seconds(self) -> float:
        return self._retry_interval

    async def call(self, attempt: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]) -> T:
        if not self._open:
            try:
                result = await attempt()
            except self._failure as error:
                self._failed(error)
                return await fallback()
            self._failures = 0
            return result
        if self._probing or self._now() < self._retry_at:
            return await fallback()
        self._probing = True
        try:
            result = await attempt()
        except self._failure as error:
            self._failed(error)
            return await fallback()
        finally:
            self._probing = False
        self._close()
        return result

    def _failed(self, error: Exception) -> None:
        now = self._now()
        self._failures += 1
        self._retry_at = now + self._retry_interval
        if self._open or self._failures < self._failures_to_open:
            # Below the threshold, or calls in flight when the dependency went away: one outage.
            if self._on_failure is not None:
                self._on_failure(error, self._failures)
            return
        self._open = True
        self._opened_at = now
        if self._on_open is not None:
            self._on_open(error)

    def _close(self) -> None:
        self._open = False
        self._failures = 0
        if self._on_close is not None:
            self._on_close(self._now() - self._opened_at)
