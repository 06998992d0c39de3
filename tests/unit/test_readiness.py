"""Readiness over fake dependency probes: required DOWN means not ready, anything else is ready."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from application.health.check_readiness import CheckReadiness
from application.ports.health import ProbeStatus


@dataclass
class FakeProbe:
    name: str
    required: bool
    status: ProbeStatus
    calls: int = field(default=0, init=False)

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


async def test_every_probe_is_checked_once_per_execution() -> None:
    probes = [FakeProbe("database", True, ProbeStatus.DOWN), FakeProbe("redis", False, ProbeStatus.OK)]
    check = CheckReadiness(probes)

    await check.execute()
    await check.execute()

    assert [p.calls for p in probes] == [2, 2]


async def test_status_changes_are_seen_on_the_next_execution() -> None:
    database = FakeProbe("database", True, ProbeStatus.OK)
    check = CheckReadiness([database])
    assert (await check.execute()).ready is True

    database.status = ProbeStatus.DOWN
    assert (await check.execute()).ready is False


class Rendezvous:
    """Two probes that each wait for the other: they only finish if they run concurrently."""

    def __init__(self, name: str, mine: asyncio.Event, theirs: asyncio.Event) -> None:
        self.name = name
        self.required = True
        self._mine = mine
        self._theirs = theirs

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
