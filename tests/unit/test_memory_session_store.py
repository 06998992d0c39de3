"""The in-memory session store against the shared contract, plus its own clock and sweep."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from application.accounts.ports import RotationOutcome
from infrastructure.accounts.memory_session_store import SWEEP_INTERVAL_SECONDS, InMemorySessionStore
from tests.fakes import MonotonicClock
from tests.session_store_contract import WEEK, SessionStoreContract, new_hash, start


class MemoryHarness:
    def __init__(self) -> None:
        self.clock = MonotonicClock(1000.0)
        self.store = InMemorySessionStore(now=self.clock)

    async def elapse(self, seconds: float) -> None:
        self.clock.now += seconds


@pytest.fixture
def harness() -> MemoryHarness:
    return MemoryHarness()


class TestInMemorySessionStore(SessionStoreContract):
    pass


async def test_expired_entries_are_swept(harness: MemoryHarness) -> None:
    store = harness.store
    user_id = uuid.uuid4()
    family = await start(store, user_id)
    spent, current = family.current, new_hash()
    assert (await store.rotate(spent, current, WEEK)).outcome is RotationOutcome.ROTATED
    await harness.elapse(WEEK.total_seconds() + SWEEP_INTERVAL_SECONDS + 1)
    await start(store)  # any write sweeps once the interval has passed
    assert family.record.session_id not in store._sessions
    assert spent not in store._tokens
    assert current not in store._tokens
    assert family.record.session_id not in store._families
    assert user_id not in store._users


async def test_spent_token_outlives_its_own_expiry_until_the_family_expires(harness: MemoryHarness) -> None:
    store = harness.store
    family = await start(store)
    await harness.elapse(WEEK.total_seconds() - 10)
    current = new_hash()
    assert (await store.rotate(family.current, current, WEEK)).outcome is RotationOutcome.ROTATED
    await harness.elapse(20)  # the first token would have expired by now, had it not been spent
    assert (await store.rotate(family.current, new_hash(), WEEK)).outcome is RotationOutcome.REUSED
    assert not await store.is_live(family.record.session_id)


async def test_refreshing_never_extends_a_session_past_its_absolute_lifetime() -> None:
    clock = MonotonicClock(1000.0)
    store = InMemorySessionStore(now=clock, max_lifetime=timedelta(seconds=100))
    family = await start(store)  # asks for a week; the absolute lifetime caps it at 100 s
    current = family.current
    for _ in range(3):
        clock.now += 30
        fresh = new_hash()
        assert (await store.rotate(current, fresh, WEEK)).outcome is RotationOutcome.ROTATED
        current = fresh
    assert await store.is_live(family.record.session_id)
    clock.now += 11  # 101 s after the login, however recently it was refreshed
    assert not await store.is_live(family.record.session_id)
    assert (await store.rotate(current, new_hash(), WEEK)).outcome is RotationOutcome.UNKNOWN
