"""The database pool policy: what a pre-ping costs per checkout, and whether bursts churn connections.

Usage:
    uv run python scripts/bench_pool.py [--checkouts 2000] [--rounds 5] [--tasks 64] [--per-task 50]

Both parts build engines with the app's own ``create_engine`` against the server named by
``BENCH_DATABASE_ADMIN_URL`` (default: the local PostgreSQL's ``postgres`` database; only
``SELECT 1`` is run there).

1. Round trips: one checkout + ``SELECT 1`` + return, sequentially, with ``DB_POOL_PRE_PING`` true
   and false. Round trips are counted as writes to each connection's socket (asyncpg sends one write
   per exchange), and the two modes alternate round by round so machine noise hits both alike.
2. Churn: ``--tasks`` concurrent tasks (``MAX_CONCURRENT_REQUESTS``) each doing ``--per-task``
   checkouts + ``SELECT 1`` with a short pause between, under the old pool (10 + 20 overflow) and
   the new default (20 + 0): connections opened and closed during the burst.

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.config import generate_secret_key, load_settings
from infrastructure.db.database import create_engine

ADMIN_URL = os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _engine(**variables: str) -> AsyncEngine:
    environ = {
        "ENVIRONMENT": "test",
        "SECRET_KEY": generate_secret_key(),
        "DATABASE_URL": ADMIN_URL,
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # parsed only
        **variables,
    }
    return create_engine(load_settings(environ))


class Counters:
    """Socket writes (round trips), connections opened and closed, for one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.writes = 0
        self.opened = 0
        self.closed = 0
        event.listen(engine.sync_engine, "connect", self._on_connect)
        event.listen(engine.sync_engine, "close", self._on_close)

    def _on_connect(self, _: Any, record: Any) -> None:
        self.opened += 1
        transport = record.driver_connection._transport
        write: Callable[[bytes], None] = transport.write

        def counting(data: bytes) -> None:
            self.writes += 1
            write(data)

        transport.write = counting

    def _on_close(self, *_: Any) -> None:
        self.closed += 1


async def _checkout_and_select(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def round_trips(checkouts: int, rounds: int) -> None:
    modes = {"pre-ping on ": "true", "pre-ping off": "false"}
    engines = {mode: _engine(DB_POOL_PRE_PING=ping, DB_POOL_SIZE="1") for mode, ping in modes.items()}
    counters = {mode: Counters(engine) for mode, engine in engines.items()}
    for engine in engines.values():  # open the connection and warm the statement caches
        for _ in range(20):
            await _checkout_and_select(engine)
    for counter in counters.values():
        counter.writes = 0
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(rounds):
        for mode, engine in engines.items():
            started = time.perf_counter()
            for _ in range(checkouts):
                await _checkout_and_select(engine)
            times[mode].append((time.perf_counter() - started) / checkouts)
    print(f"1. checkout + SELECT 1 + return, sequential, {checkouts} x {rounds} rounds per mode")
    print("   mode          round trips/checkout   median time/checkout")
    medians = {mode: statistics.median(samples) for mode, samples in times.items()}
    for mode, counter in counters.items():
        trips = counter.writes / (checkouts * rounds)
        print(f"   {mode}  {trips:20.2f}   {medians[mode] * 1e6:17.0f} µs")
    ratio = medians["pre-ping on "] / medians["pre-ping off"]
    print(f"   pre-ping on / off time: {ratio:.2f}x")
    for engine in engines.values():
        await engine.dispose()


async def churn(tasks: int, per_task: int) -> None:
    pools = {"old 10 + 20 overflow": ("10", "20"), "new 20 + 0 overflow": ("20", "0")}
    print(f"2. burst: {tasks} concurrent tasks x {per_task} checkouts + SELECT 1, 0-2 ms pause between")
    print("   pool                   opened  closed  still open  time")
    for name, (size, overflow) in pools.items():
        engine = _engine(DB_POOL_SIZE=size, DB_MAX_OVERFLOW=overflow, DB_POOL_TIMEOUT="30")
        counter = Counters(engine)
        generator = random.Random(10)  # noqa: S311 - pauses between requests, not secrets
        pauses = [[generator.uniform(0, 0.002) for _ in range(per_task)] for _ in range(tasks)]

        async def worker(own: list[float], engine: AsyncEngine = engine) -> None:
            for pause in own:
                await _checkout_and_select(engine)
                await asyncio.sleep(pause)

        started = time.perf_counter()
        await asyncio.gather(*(worker(own) for own in pauses))
        elapsed = time.perf_counter() - started
        still_open = counter.opened - counter.closed
        print(f"   {name:22} {counter.opened:6} {counter.closed:7} {still_open:11}  {elapsed:5.2f} s")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkouts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=64)
    parser.add_argument("--per-task", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(round_trips(arguments.checkouts, arguments.rounds))
    asyncio.run(churn(arguments.tasks, arguments.per_task))


if __name__ == "__main__":
    main()
