"""Readiness over fake dependency probes: required DOWN means not ready, anything else is ready;
the probes' round trips run at most once per second however many callers ask."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from application.health.check_readiness import CheckReadiness
from application.health.ports import ProbeStatus
from tests.fakes import MonotonicClock


@dataclass
class FakeProbe:
    name: str
    required: bool
    status: ProbeStatus
    known: ProbeStatus | None = None
    calls: int = field(default=0, init=False)

    def known_status(self) -> ProbeStatus | None:
        return self.known

    async def check(self) -> ProbeStatus:
        self.calls += 1
        return self.status


async def test_ready_when_required_ok_and_optional_degraded() -> None:
    report = await CheckReadiness(
        [FakeProbe("database", True, ProbeStatus.OK), FakeProbe("redis", False, ProbeStatus.DEGRADED)]
    ).execute()

    assert report.ready is True
    assert report.checks == {"database": "ok", "redis": "degraded"}


async def test_not_ready_when_a_required_probe_is_down() -> None:
    report = await CheckReadiness(
        [FakeProbe("database", True, ProbeStatus.DOWN), FakeProbe("redis", False, ProbeStatus.OK)]
    ).execute()

    assert report.ready is False
    assert report.checks == {"database": "down", "redis": "ok"}


async def test_one_required_down_among_several_ok_is_not_ready() -> None:
    report = await CheckReadiness(
        [
            FakeProbe("database", True, ProbeStatus.OK),
            FakeProbe("search", True, ProbeStatus.DOWN),
            FakeProbe("redis", False, ProbeStatus.OK),
        ]
    ).execute()

    assert report.ready is False
    assert report.checks["search"] == "down"


async def test_optional_down_keeps_ready() -> None:
    report = await CheckReadiness(
        [FakeProbe("database", True, ProbeStatus.OK), FakeProbe("redis", False, ProbeStatus.DOWN)]
    ).execute()

    assert report.ready is True
    assert report.checks == {"database": "ok", "redis": "down"}


@pytest.mark.parametrize("status", [ProbeStatus.OK, ProbeStatus.DEGRADED, ProbeStatus.NOT_CONFIGURED])
async def test_required_probe_that_is_not_down_keeps_ready(status: ProbeStatus) -> None:
    report = await CheckReadiness([FakeProbe("database", True, status)]).execute()
    assert report.ready is True
    assert report.checks == {"database": status.value}


async def test_redis_not_configured_under_dev_is_ready() -> None:
    report = await CheckReadiness(
        [FakeProbe("database", True, ProbeStatus.OK), FakeProbe("redis", False, ProbeStatus.NOT_CONFIGURED)]
    ).execute()

    assert report.ready is True
    assert report.checks == {"database": "ok", "redis": "not_configured"}


async def test_checks_are_plain_strings_keyed_by_probe_name() -> None:
    probes = [FakeProbe(name, False, status) for name, status in zip("abcd", ProbeStatus, strict=False)]
    report = await CheckReadiness(probes).execute()

    assert list(report.checks) == ["a", "b", "c", "d"]
    assert report.checks == {"a": "ok", "b": "degraded", "c": "down", "d": "not_configured"}
    assert all(type(value) is str for value in report.checks.values())


async def test_every_probe_is_checked_once_per_execution_a_second_apart() -> None:
    clock = MonotonicClock()
    probes = [FakeProbe("database", True, ProbeStatus.DOWN), FakeProbe("redis", False, ProbeStatus.OK)]
    check = CheckReadiness(probes, now=clock)

    await check.execute()
    clock.advance(1.0)
    await check.execute()

    assert [p.calls for p in probes] == [2, 2]
    assert check.probe_runs == 2


async def test_status_changes_are_seen_once_the_cached_answer_is_a_second_old() -> None:
    clock = MonotonicClock()
    database = FakeProbe("database", True, ProbeStatus.OK)
    check = CheckReadiness([database], now=clock)
    assert (await check.execute()).ready is True

    database.status = ProbeStatus.DOWN
    clock.advance(0.5)
    assert (await check.execute()).ready is True  # the answer of half a second ago
    clock.advance(0.5)
    assert (await check.execute()).ready is False
    database.status = ProbeStatus.OK
    clock.advance(1.0)
    assert (await check.execute()).ready is True


async def test_many_callers_within_a_second_share_one_probe() -> None:
    clock = MonotonicClock()
    probes = [FakeProbe("database", True, ProbeStatus.OK), FakeProbe("redis", False, ProbeStatus.OK)]
    check = CheckReadiness(probes, now=clock)

    for _ in range(100):
        report = await check.execute()
        clock.advance(0.009)

    assert report.checks == {"database": "ok", "redis": "ok"}
    assert [p.calls for p in probes] == [1, 1]
    assert check.probe_runs == 1


class GatedProbe:
    """A probe that waits until the test opens its gate, counting how often it ran."""

    def __init__(self) -> None:
        self.name = "database"
        self.required = True
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self.calls = 0

    def known_status(self) -> ProbeStatus | None:
        return None

    async def check(self) -> ProbeStatus:
        self.calls += 1
        self.started.set()
        await self.gate.wait()
        return ProbeStatus.OK


async def test_callers_arriving_during_a_probe_wait_for_that_probe() -> None:
    probe = GatedProbe()
    check = CheckReadiness([probe], now=MonotonicClock())

    callers = [asyncio.create_task(check.execute()) for _ in range(50)]
    await probe.started.wait()
    await asyncio.sleep(0)
    probe.gate.set()
    reports = await asyncio.gather(*callers)

    assert probe.calls == 1
    assert all(r.ready for r in reports)


async def test_a_caller_that_goes_away_does_not_cancel_the_shared_probe() -> None:
    probe = GatedProbe()
    check = CheckReadiness([probe], now=MonotonicClock())
    impatient = asyncio.create_task(check.execute())
    patient = asyncio.create_task(check.execute())
    await probe.started.wait()

    impatient.cancel()
    await asyncio.sleep(0)
    probe.gate.set()

    assert (await patient).ready is True
    assert impatient.cancelled()
    assert probe.calls == 1


async def test_a_slow_probe_is_never_run_twice_at_once() -> None:
    clock = MonotonicClock()
    probe = GatedProbe()
    check = CheckReadiness([probe], now=clock)
    first = asyncio.create_task(check.execute())
    await probe.started.wait()
    clock.advance(5.0)  # the probe takes longer than the cache lives (a database timing out)
    second = asyncio.create_task(check.execute())
    await asyncio.sleep(0)
    probe.gate.set()
    await asyncio.gather(first, second)
    assert probe.calls == 1


async def test_a_status_known_without_io_shows_at_once_despite_the_cache() -> None:
    clock = MonotonicClock()
    database = FakeProbe("database", True, ProbeStatus.OK)
    redis = FakeProbe("redis", False, ProbeStatus.OK)
    check = CheckReadiness([database, redis], now=clock)
    assert (await check.execute()).checks == {"database": "ok", "redis": "ok"}

    redis.known = ProbeStatus.DEGRADED  # the rate limiter switched to its in-memory fallback
    report = await check.execute()

    assert report.ready is True
    assert report.checks == {"database": "ok", "redis": "degraded"}
    assert check.probe_runs == 1


async def test_probes_whose_status_is_all_known_need_no_round_trip() -> None:
    redis = FakeProbe("redis", False, ProbeStatus.OK, known=ProbeStatus.NOT_CONFIGURED)
    check = CheckReadiness([redis])
    assert (await check.execute()).checks == {"redis": "not_configured"}
    assert redis.calls == 0


class Rendezvous:
    """Two probes that each wait for the other: they only finish if they run concurrently."""

    def __init__(self, name: str, mine: asyncio.Event, theirs: asyncio.Event) -> None:
        self.name = name
        self.required = True
        self._mine = mine
        self._theirs = theirs

    def known_status(self) -> ProbeStatus | None:
        return None

    async def check(self) -> ProbeStatus:
        self._mine.set()
        await self._theirs.wait()
        return ProbeStatus.OK


async def test_probes_run_concurrently() -> None:
    first, second = asyncio.Event(), asyncio.Event()
    check = CheckReadiness([Rendezvous("database", first, second), Rendezvous("redis", second, first)])

    async with asyncio.timeout(2):  # only reached if the probes run one after the other
        report = await check.execute()

    assert report.ready is True
    assert report.checks == {"database": "ok", "redis": "ok"}
