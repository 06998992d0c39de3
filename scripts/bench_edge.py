"""What the edge stack costs: requests per second and p50/p99 latency of an authenticated list
endpoint (GET /api/staff) with everything on, and with rate limiting and security headers off,
in one run against real PostgreSQL and Redis.

Usage:  uv run python scripts/bench_edge.py [--seconds 15] [--rounds 3] [--connections 16] [--pin]
Needs `wrk` (apt-get install wrk). Creates and drops its own database; uses its own Redis prefix.
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from benchkit import free_port, production_env, redis_prefix, throwaway_database

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {
    "full": "create_full",
    "limits": "create_limits_only",
    "headers": "create_headers_only",
    "bare": "create_bare",
}
TITLES = {
    "full": "edge stack on",
    "limits": "rate limiting only",
    "headers": "security headers only",
    "bare": "limits + headers off",
}
PASSWORD = "bench passphrase for the edge"  # noqa: S105 - a throwaway account in a throwaway database


def _pinned(command: list[str], cpu: int | None) -> list[str]:
    """``command`` bound to one CPU with taskset, when pinning is on and taskset exists."""
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(cpu), *command] if cpu is not None and taskset else command


def _start(command: list[str], env: dict[str, str], cpu: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own server
        [*_pinned(command, cpu), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/ready").status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{command} did not start")


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk(
    base: str, token: str, seconds: int, connections: int, cpu: int | None, server_pid: int
) -> tuple[float, float, float, float]:
    """Requests per second, p50 and p99 latency (ms), and the server's CPU time per request (µs)."""
    wrk = [shutil.which("wrk") or "wrk", "--latency", "-t1" if cpu is not None else "-t2"]
    cpu_before = _cpu_seconds(server_pid)
    output = subprocess.run(  # noqa: S603
        [
            *_pinned(wrk, cpu),
            f"-c{connections}",
            f"-d{seconds}s",
            "-H",
            f"Authorization: Bearer {token}",
            "-H",
            "Accept-Encoding: identity",
            f"{base}/api/staff?limit=20",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu_used = _cpu_seconds(server_pid) - cpu_before
    if "Non-2xx" in output:
        raise SystemExit(f"non-2xx answers during the run:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]

    def latency(percentile: str) -> float:
        value, unit = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rps, latency("50"), latency("99"), cpu_used / max(requests, 1) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="run every variant this many times, each round starting with the next variant; medians are reported",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin the servers to the last CPU and wrk to the first (PostgreSQL and Redis stay unpinned)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    processes: list[subprocess.Popen[bytes]] = []
    with throwaway_database() as database_url, redis_prefix() as prefix:
        try:
            _measure(args, database_url, prefix, processes)
        finally:
            for process in processes:
                if process.poll() is None:
                    _stop(process)


def _server(label: str, env: dict[str, str], cpu: int | None) -> tuple[subprocess.Popen[bytes], str]:
    """A fresh server of one variant. Every variant starts the same way (uvicorn CLI, one worker),
    so only the edge features differ."""
    command = [sys.executable, "-m", "uvicorn", f"scripts.bench_edge_app:{VARIANTS[label]}", "--factory"]
    return _start(
        [*command, "--no-access-log", "--no-server-header", "--no-proxy-headers", "--log-level", "warning"], env, cpu
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=20)


def _seed(base: str) -> str:
    """A shop with ten staff; the owner's access token."""
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    signup = {
        "vendor_name": "Bench",
        "vendor_slug": slug,
        "timezone": "UTC",
        "currency": "EUR",
        "country": "NL",
        "email": f"{slug}@example.com",
        "password": PASSWORD,
        "full_name": "Bench Owner",
    }
    httpx.post(f"{base}/api/auth/signup", json=signup).raise_for_status()
    login = {"email": signup["email"], "password": PASSWORD}
    token: str = httpx.post(f"{base}/api/auth/login", json=login).json()["access_token"]
    for i in range(9):
        httpx.post(
            f"{base}/api/staff",
            json={"email": f"s{i}-{slug}@example.com", "full_name": f"S{i}", "role": "STAFF", "password": PASSWORD},
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
    return token


def _measure(
    args: argparse.Namespace, database_url: str, prefix: str, processes: list[subprocess.Popen[bytes]]
) -> None:
    # Limits high enough never to refuse: the limiter still counts every request in Redis.
    never = "1000000"
    env = production_env(
        database_url, prefix, AUTHENTICATED_RATE_LIMIT=never, API_RATE_LIMIT=never, AUTH_RATE_LIMIT=never
    )
    cpus = os.cpu_count() or 1
    pin = args.pin and cpus >= 2 and shutil.which("taskset") is not None
    server_cpu, wrk_cpu = (cpus - 1, 0) if pin else (None, None)

    process, base = _server("full", env, server_cpu)
    processes.append(process)
    token = _seed(base)
    _stop(process)

    results: dict[str, list[tuple[float, float, float, float]]] = {label: [] for label in VARIANTS}
    labels = list(VARIANTS)
    for round_number in range(args.rounds):
        # Rotate the order so that no variant always runs first, or always right after another; a
        # fresh process each time, so that one unlucky process (memory layout, hash seed) does not
        # tilt every round of its variant.
        shift = round_number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            process, base = _server(label, env, server_cpu)
            processes.append(process)
            _wrk(base, token, 3, args.connections, wrk_cpu, process.pid)  # warm up
            results[label].append(_wrk(base, token, args.seconds, args.connections, wrk_cpu, process.pid))
            _stop(process)

    placement = (
        f"servers pinned to CPU {server_cpu}, wrk to CPU {wrk_cpu} (PostgreSQL and Redis unpinned)"
        if pin
        else f"{cpus} CPUs shared by servers, wrk, PostgreSQL and Redis"
    )
    print(
        f"GET /api/staff?limit=20 (10 staff), one uvicorn worker, wrk -c{args.connections}, "
        f"{args.rounds}x{args.seconds}s per variant (a fresh server each time), medians; {placement}"
    )
    summary: dict[str, tuple[float, float]] = {}
    for label, runs in results.items():
        rps, p50, p99, cpu_us = (statistics.median(r[i] for r in runs) for i in range(4))
        summary[label] = (rps, cpu_us)
        print(
            f"{TITLES[label]:<26} {rps:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   "
            f"server CPU {cpu_us:7.0f} µs/request"
        )
    ratio = summary["full"][0] / summary["bare"][0]
    print(f"throughput ratio on/off (medians): {ratio:.3f}  (edge stack costs {(1 - ratio) * 100:.1f}%)")
    per_round = [full[0] / bare[0] for full, bare in zip(results["full"], results["bare"], strict=True)]
    print("  ratio round by round: " + ", ".join(f"{r:.3f}" for r in per_round))
    cpu_ratio = summary["full"][1] / summary["bare"][1]
    print(f"server CPU per request on/off (medians): {cpu_ratio:.3f}  (edge stack adds {(cpu_ratio - 1) * 100:.1f}%)")


if __name__ == "__main__":
    main()
