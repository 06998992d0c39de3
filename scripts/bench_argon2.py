"""argon2id at the production parameters: latency, throughput and the memory they imply.

Usage:
    uv run python scripts/bench_argon2.py [--runs 30] [--max-concurrency N]
Goes through ``Argon2PasswordHasher`` itself (worker pool and semaphore included), so the figures are
what a login costs the service. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable

from infrastructure.accounts.passwords import Argon2PasswordHasher

PASSWORD = secrets.token_urlsafe(24)  # 32 characters, like a sensible real password


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


async def _latencies(runs: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def _throughput(hasher: Argon2PasswordHasher, password_hash: str, callers: int, total: int) -> float:
    """Verifications per second with ``callers`` concurrent callers sharing ``total`` verifications."""
    remaining = total

    async def caller() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await hasher.verify(password_hash, PASSWORD)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return total / (time.perf_counter() - started)


async def main(runs: int, max_concurrency: int | None) -> None:
    hasher = Argon2PasswordHasher(max_concurrency=max_concurrency)
    try:
        concurrency = hasher.max_concurrency
        print(f"python {platform.python_version()} on {platform.machine()}, os.cpu_count()={os.cpu_count()}")
        print(
            f"argon2id m={hasher.memory_cost} KiB ({hasher.memory_cost / 1024:.0f} MiB), "
            f"t={hasher.time_cost}, p={hasher.parallelism}; max_concurrency={concurrency}; runs={runs}"
        )

        await hasher.warm_up()  # the dummy hash, and a first pass through the pool
        password_hash = await hasher.hash(PASSWORD)

        hashes = await _latencies(runs, lambda: hasher.hash(PASSWORD))
        verifies = await _latencies(runs, lambda: hasher.verify(password_hash, PASSWORD))
        wrong = await _latencies(runs, lambda: hasher.verify(password_hash, PASSWORD + "x"))
        unknown = await _latencies(runs, lambda: hasher.verify(None, PASSWORD))

        print()
        print(f"{'':34}{'p50':>11}{'p95':>11}{'min':>11}")
        for label, samples in (
            ("hash", hashes),
            ("verify (right password)", verifies),
            ("verify (wrong password)", wrong),
            ("verify (unknown user, dummy hash)", unknown),
        ):
            print(f"{label:34}{_ms(statistics.median(samples))}{_ms(_percentile(samples, 95))}{_ms(min(samples))}")

        total = max(runs, 4 * concurrency)
        one = await _throughput(hasher, password_hash, 1, total)
        many = await _throughput(hasher, password_hash, concurrency, total)
        flood = await _throughput(hasher, password_hash, 10 * concurrency, total)
        print()
        for label, rate in (
            ("1 caller", one),
            (f"{concurrency} callers (= max_concurrency)", many),
            (f"{10 * concurrency} callers (10x the limit, queued)", flood),
        ):
            print(f"verifications/s, {label:38}{rate:7.1f}")
        peak_kib = concurrency * hasher.memory_cost
        print()
        print(
            f"argon2 memory at the limit: {concurrency} x {hasher.memory_cost} KiB = "
            f"{peak_kib} KiB ({peak_kib / 1024:.0f} MiB), however many callers wait"
        )
    finally:
        hasher.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--max-concurrency", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.max_concurrency))
