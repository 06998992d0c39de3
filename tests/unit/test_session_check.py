"""The auth middleware's session check: answers from the store, fails open while the store is
down without asking it on every request, and logs once per outage."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import pytest
from structlog.testing import capture_logs

from application.shared.errors import DependencyUnavailable
from interfaces.http.auth import SessionCheck
from tests.fakes import MonotonicClock

LIVE, REVOKED = uuid.uuid4(), uuid.uuid4()


@dataclass
class FlakyStore:
    down: bool = False
    asked: list[uuid.UUID] = field(default_factory=list)

    async def is_live(self, session_id: uuid.UUID) -> bool:
        self.asked.append(session_id)
        if self.down:
            raise DependencyUnavailable("The session store is unavailable.", retry_after=5)
        return session_id == LIVE


@pytest.fixture
def clock() -> MonotonicClock:
    return MonotonicClock()


@pytest.fixture
def store() -> FlakyStore:
    return FlakyStore()


@pytest.fixture
def check(store: FlakyStore, clock: MonotonicClock) -> SessionCheck:
    async def resolve() -> FlakyStore:
        return store

    return SessionCheck(resolve, retry_interval_seconds=5, now=clock)  # type: ignore[arg-type]


def events(logs: list[dict[str, object]], name: str) -> list[dict[str, object]]:
    return [entry for entry in logs if entry["event"] == name]


async def test_the_store_decides_while_it_answers(check: SessionCheck, store: FlakyStore) -> None:
    assert await check.is_live(LIVE) is True
    assert await check.is_live(REVOKED) is False
    assert store.asked == [LIVE, REVOKED]
    assert check.degraded is False


async def test_an_outage_answers_unknown_asks_once_per_interval_and_warns_once(
    check: SessionCheck, store: FlakyStore, clock: MonotonicClock
) -> None:
    store.down = True
    with capture_logs() as logs:
        assert [await check.is_live(REVOKED) for _ in range(10)] == [None] * 10
        assert store.asked == [REVOKED] * 3  # three failures in a row, then the rest did not wait
        assert check.degraded is True
        clock.advance(5)
        assert await check.is_live(REVOKED) is None  # one probe after the interval: still down
        assert len(store.asked) == 4
        store.down = False
        assert await check.is_live(REVOKED) is None  # within the new interval: not asked yet
        clock.advance(5)
        assert await check.is_live(REVOKED) is False  # back: revocations bite again
        assert check.degraded is False
    assert len(events(logs, "session_check_degraded")) == 1
    assert len(events(logs, "session_check_restored")) == 1


async def test_one_failure_leaves_only_its_own_request_unknown(check: SessionCheck, store: FlakyStore) -> None:
    store.down = True
    assert await check.is_live(REVOKED) is None
    assert await check.is_live(REVOKED) is None
    store.down = False
    assert await check.is_live(REVOKED) is False  # two failures did not switch the check off
    store.down = True
    assert [await check.is_live(REVOKED) for _ in range(2)] == [None, None]
    assert check.degraded is False  # the success in between reset the count
    assert len(store.asked) == 5


async def test_only_one_request_at_a_time_probes_a_store_taken_for_down(clock: MonotonicClock) -> None:
    gate = asyncio.Event()

    class SlowDownStore(FlakyStore):
        async def is_live(self, session_id: uuid.UUID) -> bool:
            self.asked.append(session_id)
            await gate.wait()
            raise DependencyUnavailable("The session store is unavailable.", retry_after=5)

    store = SlowDownStore()

    async def resolve() -> FlakyStore:
        return store

    check = SessionCheck(resolve, failures_to_skip=1, retry_interval_seconds=5, now=clock)  # type: ignore[arg-type]
    first = asyncio.create_task(check.is_live(REVOKED))
    await asyncio.sleep(0)
    gate.set()
    assert await first is None
    assert check.degraded is True
    gate.clear()
    clock.advance(5)
    probe = asyncio.create_task(check.is_live(REVOKED))
    await asyncio.sleep(0)
    others = [await check.is_live(REVOKED) for _ in range(5)]  # answered at once while one probes
    assert others == [None] * 5
    gate.set()
    assert await probe is None
    assert len(store.asked) == 2
