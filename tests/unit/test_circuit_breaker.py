"""The breaker shared by the rate limiter and the session check; its users' tests cover the
outage cycle, these cover what only the mechanism decides."""

from __future__ import annotations

import pytest

from application.shared.circuit_breaker import CircuitBreaker
from tests.fakes import MonotonicClock


class Down(Exception):
    pass


async def _fallback() -> str:
    return "fallback"


async def test_other_exceptions_propagate_and_do_not_count() -> None:
    opened: list[Exception] = []
    breaker = CircuitBreaker(Down, now=MonotonicClock(), on_open=opened.append)

    async def broken() -> str:
        raise KeyError("a bug, not an outage")

    with pytest.raises(KeyError):
        await breaker.call(broken, _fallback)
    assert breaker.is_open is False
    assert opened == []


async def test_failures_below_the_threshold_are_reported_and_take_the_fallback() -> None:
    clock = MonotonicClock()
    seen: list[int] = []
    breaker = CircuitBreaker(Down, failures_to_open=2, now=clock, on_failure=lambda _, n: seen.append(n))

    async def down() -> str:
        raise Down

    assert await breaker.call(down, _fallback) == "fallback"
    assert (breaker.is_open, seen) == (False, [1])
    assert await breaker.call(down, _fallback) == "fallback"
    assert breaker.is_open is True


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1 failure"):
        CircuitBreaker(Down, failures_to_open=0)
    with pytest.raises(ValueError, match="positive interval"):
        CircuitBreaker(Down, retry_interval_seconds=0)
