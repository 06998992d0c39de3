"""Start-up time of `flower-vendor dev` and `flower-vendor serve`: seconds until /health/ready answers 200.

Usage (PostgreSQL and Redis on their local defaults, or DATABASE_URL / REDIS_URL set):
    uv run python scripts/bench_startup.py [--runs 5]
It creates and drops its own database; it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from benchkit import REDIS_URL, free_port, redis_prefix, throwaway_database

from infrastructure.config import generate_secret_key

FLOWER_VENDOR = str(Path(sys.executable).with_name("flower-vendor"))


def _time_to_ready(args: list[str], env: dict[str, str], cwd: str) -> float:
    port = free_port()
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    with throwaway_database() as database_url, redis_prefix() as prefix:
        serve_env = {
            "ENVIRONMENT": "production",
            "SECRET_KEY": generate_secret_key(),
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
        }
        with tempfile.TemporaryDirectory() as fresh:
            first_dev = _time_to_ready(["dev"], {}, fresh)  # creates and migrates the SQLite file, seeds the demo
            dev = [_time_to_ready(["dev"], {}, fresh) for _ in range(runs)]
        serve = [_time_to_ready(["serve"], serve_env, os.getcwd()) for _ in range(runs)]

    print(f"dev   first start (new SQLite + migrations): {first_dev:.2f} s")
    print(f"dev   warm start:  median {statistics.median(dev):.2f} s  max {max(dev):.2f} s  ({runs} runs)")
    print(f"serve start:       median {statistics.median(serve):.2f} s  max {max(serve):.2f} s  ({runs} runs)")


if __name__ == "__main__":
    main()
