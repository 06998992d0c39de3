"""Readiness: is every dependency the service cannot work without reachable?

Readiness is public and unlimited (load balancers call it, contract section 9), so it must stay
cheap: the probes' round trips run at most once per ``max_age`` (1 s) per process, however many
callers there are. Callers that arrive while a probe is running share that probe; callers within
``max_age`` of its start get its answer. What a probe knows without I/O (``known_status``: the
rate limiter's fallback switched on, Redis not configured) is asked on every call, so a switch to
the fallback shows at once; anything else shows within ``max_age`` plus one probe's time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from application.health.ports import DependencyProbe, ProbeStatus

DEFAULT_MAX_AGE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    ready: bool
    checks: dict[str, str]


class CheckReadiness:
    """One per process (application scope): the cache and the running probe are shared."""

    def __init__(
        self,
        probes: Sequence[DependencyProbe],
        *,
        max_age: float = DEFAULT_MAX_AGE_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probes = tuple(probes)
        self._max_age = max_age
        self._now = now
        self._measured: tuple[float, tuple[ProbeStatus, ...]] | None = None  # (started at, statuses)
        self._running: asyncio.Future[tuple[ProbeStatus, ...]] | None = None
        self.probe_runs = 0  # how many times the probes' round trips ran (tests and metrics read it)

    async def execute(self) -> ReadinessReport:
        known = [probe.known_status() for probe in self._probes]
        if all(status is not None for status in known):
            measured: tuple[ProbeStatus | None, ...] = tuple(known)
        else:
            probed = await self._probed()
            measured = tuple(k if k is not None else p for k, p in zip(known, probed, strict=True))
        return self._report(measured)

    async def _probed(self) -> tuple[ProbeStatus, ...]:
        cached = self._measured
        if cached is not None and self._now() - cached[0] < self._max_age:
            return cached[1]
        if self._running is None:
            self._running = asyncio.ensure_future(self._probe(self._now()))
        # Shielded: a caller that goes away (client disconnect, timeout) never cancels the probe
        # the other callers are waiting for.
        return await asyncio.shield(self._running)

    async def _probe(self, started: float) -> tuple[ProbeStatus, ...]:
        try:
            self.probe_runs += 1
            # Probes run concurrently so one slow dependency does not add to another's time.
            statuses = tuple(await asyncio.gather(*(probe.check() for probe in self._probes)))
            self._measured = (started, statuses)
            return statuses
        finally:
            self._running = None

    def _report(self, statuses: tuple[ProbeStatus | None, ...]) -> ReadinessReport:
        final = [status or ProbeStatus.DOWN for status in statuses]
        ready = all(
            status is not ProbeStatus.DOWN or not probe.required
            for probe, status in zip(self._probes, final, strict=True)
        )
        checks = {probe.name: status.value for probe, status in zip(self._probes, final, strict=True)}
        return ReadinessReport(ready=ready, checks=checks)
