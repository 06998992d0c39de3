"""What the edge stack costs, counted in CPU instructions instead of seconds: the server runs under
valgrind's callgrind, which counts the instructions it executes whatever else the machine is doing,
so the figure repeats where requests per second on a shared machine swing by several percent.

Each variant of scripts/bench_edge_app.py (whole edge stack on, rate limiting only, headers only,
both off) serves --requests sequential `GET /api/staff?limit=20` after a warm-up; the counters
are zeroed before and dumped after, so start-up is not counted. PostgreSQL and Redis are real
(their own work is not counted: only the server process is under valgrind).

Usage:  uv run python scripts/bench_edge_instructions.py [--requests 200]
Needs valgrind (apt-get install valgrind). Takes a few minutes: callgrind runs Python about 50
times slower. Creates and drops its own database; uses its own Redis prefix. Prints figures and
asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from bench_edge import TITLES, VARIANTS, launch, seed, server_command, start_server, stop, wait_ready
from benchkit import production_env, redis_prefix, throwaway_database

WARM_UP_REQUESTS = 30
_TOTAL = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is needed: apt-get install valgrind")
    return path


def _under_callgrind(label: str, env: dict[str, str], out: Path) -> tuple[subprocess.Popen[bytes], str]:
    valgrind = [_tool("valgrind"), "--tool=callgrind", f"--callgrind-out-file={out}"]
    return launch([*valgrind, *server_command(label)], env)


def _count(process: subprocess.Popen[bytes], base: str, token: str, requests: int, out: Path) -> float:
    """Instructions per request, from a dump taken after ``requests`` requests on zeroed counters."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    with httpx.Client(headers=headers, timeout=120) as client:
        for _ in range(WARM_UP_REQUESTS):
            client.get(f"{base}/api/staff?limit=20").raise_for_status()
        before = set(out.parent.glob(f"{out.name}*"))
        subprocess.run([_tool("callgrind_control"), "--zero", str(process.pid)], check=True, capture_output=True)  # noqa: S603
        for _ in range(requests):
            client.get(f"{base}/api/staff?limit=20").raise_for_status()
        subprocess.run([_tool("callgrind_control"), "--dump", str(process.pid)], check=True, capture_output=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        dumps = set(out.parent.glob(f"{out.name}*")) - before
        if dumps:
            match = _TOTAL.search(max(dumps, key=lambda path: path.stat().st_mtime).read_text())
            if match:
                return int(match.group(1)) / requests
        time.sleep(0.5)
    raise SystemExit("callgrind wrote no dump")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    _tool("valgrind")
    _tool("callgrind_control")

    never = "1000000"
    with throwaway_database() as database_url, redis_prefix() as prefix, tempfile.TemporaryDirectory() as tmp:
        env = production_env(
            database_url, prefix, AUTHENTICATED_RATE_LIMIT=never, API_RATE_LIMIT=never, AUTH_RATE_LIMIT=never
        )
        seeder, base = start_server("full", env, None)
        try:
            token = seed(base)
        finally:
            stop(seeder)

        # One hash seed for every variant: dict and set layouts (hence probe counts) then differ
        # only where the code does.
        counted_env = {**env, "PYTHONHASHSEED": "0"}
        servers = {label: _under_callgrind(label, counted_env, Path(tmp) / f"{label}.out") for label in VARIANTS}
        try:
            for process, base in servers.values():
                wait_ready(process, base, 600)
            counts = {
                label: _count(process, base, token, args.requests, Path(tmp) / f"{label}.out")
                for label, (process, base) in servers.items()
            }
        finally:
            for process, _ in servers.values():
                if process.poll() is None:
                    stop(process)

    print(f"GET /api/staff?limit=20 (10 staff), {args.requests} sequential requests per variant under callgrind")
    for label, count in counts.items():
        print(f"{TITLES[label]:<26} {count / 1e6:7.3f} M instructions/request")
    ratio = counts["full"] / counts["bare"]
    print(f"instructions per request on/off: {ratio:.3f}  (edge stack adds {(ratio - 1) * 100:.1f}%)")


if __name__ == "__main__":
    main()
