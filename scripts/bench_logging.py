"""What one log call costs: the previous set-up (structlog -> stdlib logging -> ProcessorFormatter
-> json.dumps, flushed per line) against the current one (filtering wrapper -> processors ->
msgspec bytes -> one write + flush), side by side in one process, on the same events:

- ``access line``: the edge's ``request`` event with the request id bound (10 fields on the line);
- ``dropped debug``: a ``debug`` event with 5 fields under level INFO;
- ``guarded access line``: the edge's access call site under level WARNING (the level check only).

Lines go to a real file (/dev/null by default) through a text stdout, as in production. The two
set-ups alternate round by round and the best round of each is kept, so a noisy machine moves both.

Usage:  uv run python scripts/bench_logging.py [--calls 20000] [--rounds 7]
        uv run python scripts/bench_logging.py --callgrind   (instructions per call; needs valgrind)
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import structlog

from infrastructure.logging import configure_logging, redact_sensitive

CASES = ("access line", "dropped debug", "guarded access line")


def configure_logging_before(*, level: str = "INFO") -> None:
    """The JSON set-up as infrastructure/logging.py built it before, kept here to compare against."""

    def shared() -> list[Any]:
        return [
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_sensitive,
        ]

    structlog.configure(
        processors=[
            *shared(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.ExceptionRenderer(structlog.tracebacks.ExceptionDictTransformer(show_locals=False)),
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers.clear()
    root.addHandler(handler)
    root.setLevel(level)


def configure_logging_after(*, level: str = "INFO") -> None:
    configure_logging(level=level, json=True)


SETUPS: dict[str, Callable[..., None]] = {"before": configure_logging_before, "after": configure_logging_after}


def make_case(setup: str, case: str) -> Callable[[int], None]:
    """A loop of ``n`` calls of ``case`` under ``setup``, through a fresh module-level-style logger."""
    level = "WARNING" if case == "guarded access line" else "INFO"
    SETUPS[setup](level=level)
    log = structlog.stdlib.get_logger("flower_vendor.http")  # a lazy proxy, as edge.py holds
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id="7f9c1c2e8a4b4d0f9e3a5b6c7d8e9f01")
    scope = {"method": "GET", "path": "/api/staff"}
    status = {"status": 200}
    client_ip = "203.0.113.7"
    perf_counter = time.perf_counter

    if case == "dropped debug":

        def run(n: int) -> None:
            for _ in range(n):
                log.debug("cache_miss", key="staff:1", vendor_id="v-1", size=3, hit=False, tries=1)

    elif case == "access line":

        def run(n: int) -> None:
            for _ in range(n):
                started = perf_counter()
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope.get("path"),
                    status=status["status"],
                    duration_ms=round((perf_counter() - started) * 1000, 2),
                    client_ip=client_ip,
                )

    else:  # the call site in edge.py, whose guard the level WARNING turns off

        def run(n: int) -> None:
            for _ in range(n):
                started = perf_counter()
                if log.is_enabled_for(logging.INFO):
                    log.info(
                        "request",
                        method=scope.get("method"),
                        path=scope.get("path"),
                        status=status["status"],
                        duration_ms=round((perf_counter() - started) * 1000, 2),
                        client_ip=client_ip,
                    )

    run(200)  # warm the caches, the proxy's first use
    return run


def timed(setup: str, case: str, calls: int) -> float:
    run = make_case(setup, case)
    started = time.perf_counter()
    run(calls)
    return (time.perf_counter() - started) / calls * 1e6


def wall_clock(calls: int, rounds: int) -> None:
    best: dict[tuple[str, str], float] = {}
    for _ in range(rounds):
        for case in CASES:
            for setup in SETUPS:
                us = timed(setup, case, calls)
                best[setup, case] = min(best.get((setup, case), us), us)
    print(f"µs per call, best of {rounds} rounds of {calls} calls, lines to {os.devnull}", file=sys.stderr)
    print(f"{'':<22}{'before':>10}{'after':>10}{'ratio':>9}", file=sys.stderr)
    for case in CASES:
        before, after = best["before", case], best["after", case]
        print(f"{case:<22}{before:>10.2f}{after:>10.2f}{before / after:>8.1f}x", file=sys.stderr)


def callgrind(calls: int) -> None:
    """Instructions per call: callgrind counts two runs of different lengths; their difference
    divided by the difference in calls leaves out start-up."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed", file=sys.stderr)
        return
    print(f"instructions per call (callgrind, {calls} vs {calls * 3} calls)", file=sys.stderr)
    print(f"{'':<22}{'before':>10}{'after':>10}{'ratio':>9}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            figures = []
            for setup in SETUPS:
                totals = []
                for n in (calls, calls * 3):
                    out = os.path.join(tmp, "cg.out")
                    result = subprocess.run(  # noqa: S603 - our own interpreter and script
                        [
                            valgrind,
                            "--tool=callgrind",
                            f"--callgrind-out-file={out}",
                            sys.executable,
                            __file__,
                            "--one",
                            setup,
                            case,
                            str(n),
                        ],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    match = re.search(r"Collected : (\d+)", result.stderr)
                    assert match, result.stderr[-2000:]
                    totals.append(int(match.group(1)))
                figures.append((totals[1] - totals[0]) / (calls * 2))
            before, after = figures
            print(f"{case:<22}{before:>10.0f}{after:>10.0f}{before / after:>8.1f}x", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead of timing")
    parser.add_argument("--one", nargs=3, metavar=("SETUP", "CASE", "CALLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Figures go to stderr; stdout is where the log lines go: a real file, as a server's stdout.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    if args.one:
        setup, case, calls = args.one
        make_case(setup, case)(int(calls))
        return
    if args.callgrind:
        callgrind(min(args.calls, 2_000))
    else:
        wall_clock(args.calls, args.rounds)


if __name__ == "__main__":
    main()
