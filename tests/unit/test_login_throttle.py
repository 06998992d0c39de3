"""The login throttle policy, on the in-memory throttle with an injected clock."""

from __future__ import annotations

import asyncio

import pytest

from infrastructure.accounts.login_throttle import InMemoryLoginThrottle, ThrottlePolicy, pair_id
from tests.fakes import MonotonicClock

ACCOUNT = "florist@example.com"
CLIENT = "203.0.113.7"


@pytest.fixture
def clock() -> MonotonicClock:
    return MonotonicClock(5000.0)


@pytest.fixture
def throttle(clock: MonotonicClock) -> InMemoryLoginThrottle:
    return InMemoryLoginThrottle(now=clock)


async def fail(throttle: InMemoryLoginThrottle, times: int, account: str = ACCOUNT, client: str = CLIENT) -> None:
    for _ in range(times):
        await throttle.record_failure(account, client)


async def test_first_five_failures_are_free(throttle: InMemoryLoginThrottle) -> None:
    for _ in range(5):
        assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
        await throttle.record_failure(ACCOUNT, CLIENT)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 1


async def test_wait_doubles_with_each_failure(throttle: InMemoryLoginThrottle) -> None:
    await fail(throttle, 5)
    waits = [await throttle.retry_after(ACCOUNT, CLIENT)]
    for _ in range(5):
        await throttle.record_failure(ACCOUNT, CLIENT)
        waits.append(await throttle.retry_after(ACCOUNT, CLIENT))
    assert waits == [1, 2, 4, 8, 16, 32]


async def test_wait_is_capped_at_fifteen_minutes(throttle: InMemoryLoginThrottle) -> None:
    await fail(throttle, 200)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 900


async def test_wait_counts_down(throttle: InMemoryLoginThrottle, clock: MonotonicClock) -> None:
    await fail(throttle, 7)  # 4 s
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 4
    clock.advance(1.5)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 3  # 2.5 s left, rounded up
    clock.advance(2.5)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0


async def test_other_client_and_other_account_are_unaffected(throttle: InMemoryLoginThrottle) -> None:
    await fail(throttle, 10)
    assert await throttle.retry_after(ACCOUNT, CLIENT) > 0
    assert await throttle.retry_after(ACCOUNT, "198.51.100.1") == 0
    assert await throttle.retry_after("someone@example.com", CLIENT) == 0
    await throttle.record_failure(ACCOUNT, "198.51.100.1")
    assert await throttle.retry_after(ACCOUNT, "198.51.100.1") == 0


async def test_reset_clears_the_pair(throttle: InMemoryLoginThrottle) -> None:
    await fail(throttle, 8)
    await fail(throttle, 8, client="198.51.100.1")
    await throttle.reset(ACCOUNT, CLIENT)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
    await fail(throttle, 4)  # the count started over: four more are free
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
    assert await throttle.retry_after(ACCOUNT, "198.51.100.1") == 8  # only that pair was reset
    await throttle.reset("nobody@example.com", CLIENT)  # nothing to reset


async def test_window_expires(throttle: InMemoryLoginThrottle, clock: MonotonicClock) -> None:
    await fail(throttle, 4)
    clock.advance(15 * 60 - 1)
    await fail(throttle, 1)  # still in the window: the fifth failure
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 1
    clock.advance(1 + 15 * 60)  # the wait, then a quiet window
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
    await fail(throttle, 4)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0  # forgotten: free again


async def test_window_runs_from_the_end_of_the_wait(throttle: InMemoryLoginThrottle, clock: MonotonicClock) -> None:
    await fail(throttle, 200)  # capped: 900 s
    clock.advance(900 + 15 * 60 - 1)
    await fail(throttle, 1)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 900  # still counted: no new free attempts


async def test_custom_policy(clock: MonotonicClock) -> None:
    throttle = InMemoryLoginThrottle(free_failures=2, window_seconds=60, max_delay_seconds=3, now=clock)
    await fail(throttle, 1)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
    await fail(throttle, 1)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 1
    await fail(throttle, 5)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 3
    clock.advance(3 + 60)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0
    await fail(throttle, 1)
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 0


async def test_concurrent_failures_are_all_counted(throttle: InMemoryLoginThrottle) -> None:
    await asyncio.gather(*(throttle.record_failure(ACCOUNT, CLIENT) for _ in range(8)))
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 8


async def test_expired_entries_are_swept(throttle: InMemoryLoginThrottle, clock: MonotonicClock) -> None:
    await fail(throttle, 3)
    clock.advance(3600)
    await fail(throttle, 1, account="other@example.com")
    assert len(throttle._entries) == 1


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (9, 16), (14, 512), (15, 900), (10**6, 900)],
)
def test_policy_table(failures: int, wait: int) -> None:
    assert ThrottlePolicy().delay_seconds(failures) == wait


@pytest.mark.parametrize("numbers", [{"free_failures": -1}, {"window_seconds": 0}, {"max_delay_seconds": -5}], ids=str)
def test_policy_refuses_nonsense(numbers: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must"):
        ThrottlePolicy(**numbers)


def test_pair_id_hides_the_account() -> None:
    identifier = pair_id(ACCOUNT, CLIENT)
    assert ACCOUNT not in identifier
    assert "florist" not in identifier
    assert len(identifier) == 32
    assert identifier == pair_id(ACCOUNT, CLIENT)
    assert identifier != pair_id(ACCOUNT, "198.51.100.1")
    assert pair_id("a|b", "c") != pair_id("a", "b|c")  # the account is length-prefixed
    assert pair_id(ACCOUNT, CLIENT, b"key-one") != pair_id(ACCOUNT, CLIENT, b"key-two")
    assert pair_id(ACCOUNT, CLIENT, b"key-one") != identifier


async def test_begin_attempt_counts_then_refuses_without_counting(
    throttle: InMemoryLoginThrottle, clock: MonotonicClock
) -> None:
    waits = await asyncio.gather(*(throttle.begin_attempt(ACCOUNT, CLIENT) for _ in range(20)))
    assert waits.count(0) == 5
    assert await throttle.retry_after(ACCOUNT, CLIENT) == 1
    clock.advance(1)
    # Refused attempts were not counted: the next one is the 6th, and it locks for 2 s.
    assert await throttle.begin_attempt(ACCOUNT, CLIENT) == 0
    assert await throttle.begin_attempt(ACCOUNT, CLIENT) == 2
    await throttle.reset(ACCOUNT, CLIENT)
    assert await throttle.begin_attempt(ACCOUNT, CLIENT) == 0
