"""wrk, driven with a Lua ``done`` hook that prints exact figures, and the parser of its output.

wrk's own ``--latency`` table rounds to two decimals in a unit that changes with the value; the
hook below prints integers instead (microseconds, counts), one ``key value`` pair per line, which
this module reads back. Kept free of third-party imports so that the unit tests can load it.
"""

from __future__ import annotations

from dataclasses import dataclass

# wrk calls done() once, after the run, with the merged statistics of every thread.
DONE_SCRIPT = """
done = function(summary, latency, requests)
  io.write("FV_REQUESTS ", summary.requests, "\\n")
  io.write("FV_DURATION_US ", summary.duration, "\\n")
  io.write("FV_P50_US ", latency:percentile(50), "\\n")
  io.write("FV_P99_US ", latency:percentile(99), "\\n")
  io.write("FV_MAX_US ", latency.max, "\\n")
  local e = summary.errors
  io.write("FV_ERRORS ", e.connect + e.read + e.write + e.timeout, "\\n")
  io.write("FV_NON_2XX ", e.status, "\\n")
end
"""

_KEYS = ("FV_REQUESTS", "FV_DURATION_US", "FV_P50_US", "FV_P99_US", "FV_MAX_US", "FV_ERRORS", "FV_NON_2XX")


@dataclass(frozen=True, slots=True)
class WrkRun:
    """One wrk run: requests completed, over how long, latency percentiles, failures."""

    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # connect, read, write errors and timeouts
    non_2xx: int  # answers with a status of 400 or more (wrk counts 3xx as fine)

    @property
    def rps(self) -> float:
        """Successful answers per second: a refusal (429, 503) is not throughput."""
        return (self.requests - self.non_2xx) / self.duration_s if self.duration_s > 0 else 0.0


def parse(output: str) -> WrkRun:
    """The figures the ``done`` hook printed; ValueError when any is missing (wrk failed)."""
    values: dict[str, float] = {}
    for line in output.splitlines():
        key, _, value = line.strip().partition(" ")
        if key in _KEYS:
            values[key] = float(value)
    missing = [key for key in _KEYS if key not in values]
    if missing:
        raise ValueError(f"wrk printed no {', '.join(missing)}; its output was:\n{output}")
    return WrkRun(
        requests=int(values["FV_REQUESTS"]),
        duration_s=values["FV_DURATION_US"] / 1e6,
        p50_ms=values["FV_P50_US"] / 1000,
        p99_ms=values["FV_P99_US"] / 1000,
        max_ms=values["FV_MAX_US"] / 1000,
        errors=int(values["FV_ERRORS"]),
        non_2xx=int(values["FV_NON_2XX"]),
    )
