"""Readiness: is every dependency the service cannot work without reachable?"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from application.ports.health import DependencyProbe, ProbeStatus


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    ready: bool
    checks: dict[str, str]


class CheckReadiness:
    def __init__(self, probes: Sequence[DependencyProbe]) -> None:
        self._probes = tuple(probes)

    async def execute(self) -> ReadinessReport:
        # Probes run concurrently so one slow dependency does not add to another's time.
        statuses = await asyncio.gather(*(probe.check() for probe in self._probes))
        ready = all(
            status is not ProbeStatus.DOWN or not probe.required
            for probe, status in zip(self._probes, statuses, strict=True)
        )
        checks = {probe.name: status.value for probe, status in zip(self._probes, statuses, strict=True)}
        return ReadinessReport(ready=ready, checks=checks)
