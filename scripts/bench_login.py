"""Login latency and logins per second through a real `flower-vendor serve` process.

Usage (PostgreSQL and Redis on their local defaults):
    uv run python scripts/bench_login.py [--logins 60] [--concurrency 1 4 16]
Creates and drops its own database and uses its own Redis key prefix; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from benchkit import free_port, production_env, redis_prefix, throwaway_database

FLOWER_VENDOR = str(Path(sys.executable).with_name("flower-vendor"))
PASSWORD = "quiet orchard ladder at dusk"  # noqa: S105 - a throwaway account in a throwaway database


async def _run(base: str, logins: int, levels: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        emails = []
        for _ in range(max(levels) * 2):
            slug = f"bench-{uuid.uuid4().hex[:10]}"
            body = {
                "vendor_name": "Bench",
                "vendor_slug": slug,
                "timezone": "UTC",
                "currency": "EUR",
                "country": "NL",
                "email": f"{slug}@example.com",
                "password": PASSWORD,
                "full_name": "Bench Owner",
            }
            response = await client.post("/api/auth/signup", json=body)
            response.raise_for_status()
            emails.append(body["email"])

        for level in levels:
            await _measure(client, emails, logins, level)


async def _measure(client: httpx.AsyncClient, emails: list[str], logins: int, level: int) -> None:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(logins):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            started = time.perf_counter()
            response = await client.post(
                "/api/auth/login", json={"email": emails[i % len(emails)], "password": PASSWORD}
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"login answered {response.status_code}: {response.text}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(level)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def ms(quantile: float) -> float:
        return latencies[min(len(latencies) - 1, int(quantile * len(latencies)))] * 1000

    print(
        f"concurrency {level:>3}: {logins / elapsed:6.1f} logins/s   "
        f"p50 {ms(0.50):7.1f} ms   p95 {ms(0.95):7.1f} ms   p99 {ms(0.99):7.1f} ms   "
        f"mean {statistics.mean(latencies) * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=60)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()

    with throwaway_database() as database_url, redis_prefix() as prefix:
        env = production_env(database_url, prefix)
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [FLOWER_VENDOR, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            print(
                f"argon2id m=64 MiB t=3 p=1, one uvicorn worker, {os.cpu_count()} CPUs, {args.logins} logins per level"
            )
            asyncio.run(_run(base, args.logins, args.concurrency))
        finally:
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
