"""Start-up time of `flower-vendor dev` and `flower-vendor serve`: seconds until /health/ready answers 200.

Usage (PostgreSQL and Redis on their local defaults, or DATABASE_URL / REDIS_URL set):
    uv run python scripts/bench_startup.py [--runs 5]
It creates and drops its own database; it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from infrastructure.config import generate_secret_key
from infrastructure.persistence import migrations

FLOWER_VENDOR = str(Path(sys.executable).with_name("flower-vendor"))
ADMIN_URL = os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _time_to_ready(args: list[str], env: dict[str, str], cwd: str) -> float:
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [FLOWER_VENDOR, *args, "--port", str(port)],
        env={"PATH": os.environ["PATH"], **env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(timeout=2) as client:
            while time.perf_counter() - started < 60:
                try:
                    if client.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
        raise SystemExit(f"{args[0]} did not become ready within 60 s")
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    name = f"fv_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        migrations.upgrade(migrations.alembic_config(database_url))
        serve_env = {
            "ENVIRONMENT": "production",
            "SECRET_KEY": generate_secret_key(),
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
        }
        with tempfile.TemporaryDirectory() as fresh:
            first_dev = _time_to_ready(["dev"], {}, fresh)  # creates and migrates the SQLite file
            dev = [_time_to_ready(["dev"], {}, fresh) for _ in range(runs)]
        serve = [_time_to_ready(["serve"], serve_env, os.getcwd()) for _ in range(runs)]
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    print(f"dev   first start (new SQLite + migrations): {first_dev:.2f} s")
    print(f"dev   warm start:  median {statistics.median(dev):.2f} s  max {max(dev):.2f} s  ({runs} runs)")
    print(f"serve start:       median {statistics.median(serve):.2f} s  max {max(serve):.2f} s  ({runs} runs)")


if __name__ == "__main__":
    main()
