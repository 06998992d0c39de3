"""What the edge stack costs: requests per second and p50/p99 latency of an authenticated list
endpoint (GET /api/staff) with everything on, and with rate limiting and security headers off,
in one run against real PostgreSQL and Redis.

By default the four variants (stack on, rate limiting only, headers only, both off) run one at a
time in rotating order; --side-by-side loads a stack-on and a stack-off server at the same time
instead, so that both see the same moment of a shared machine. Each round starts fresh servers.
The server's CPU time per request is printed beside the wall-clock figures; for a count that does
not depend on the machine's load, see scripts/bench_edge_instructions.py.

Usage:  uv run python scripts/bench_edge.py [--seconds 15] [--rounds 3] [--side-by-side] [--pin]
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
PASSWORD = "quiet orchard ladder at noon"  # noqa: S105 - a throwaway account in a throwaway database


def _pinned(command: list[str], cpu: int | None) -> list[str]:
    """``command`` bound to one CPU with taskset, when pinning is on and taskset exists."""
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(cpu), *command] if cpu is not None and taskset else command


def launch(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """``command`` (a server taking ``--port``) started on a spare port; its base URL."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own server
        [*command, "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, f"http://127.0.0.1:{port}"


def wait_ready(process: subprocess.Popen[bytes], base: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server for {base} exited")
        try:
            if httpx.get(f"{base}/health/ready", timeout=max(1.0, seconds / 10)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server for {base} did not start within {seconds} s")


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Result = tuple[float, float, float, float]


def _wrk(targets: list[tuple[str, int]], token: str, seconds: int, connections: int, cpu: int | None) -> list[Result]:
    """Load every ``(base URL, server pid)`` target at once, one wrk each. For each: requests per
    second, p50 and p99 latency (ms), and the server's CPU time per request (µs)."""
    wrk = [shutil.which("wrk") or "wrk", "--latency", "-t1" if cpu is not None or len(targets) > 1 else "-t2"]
    cpu_before = [_cpu_seconds(pid) for _, pid in targets]
    runs = [
        subprocess.Popen(  # noqa: S603
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
            stdout=subprocess.PIPE,
            text=True,
        )
        for base, _ in targets
    ]
    outputs = [run.communicate()[0] for run in runs]
    cpu_used = [_cpu_seconds(pid) - before for (_, pid), before in zip(targets, cpu_before, strict=True)]
    return [_parse(output, used) for output, used in zip(outputs, cpu_used, strict=True)]


def _parse(output: str, cpu_used: float) -> Result:
    if "Non-2xx" in output or "Requests/sec" not in output:
        raise SystemExit(f"wrk saw errors or non-2xx answers:\n{output}")
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
        "--side-by-side",
        action="store_true",
        help="load the stack-on and stack-off servers at the same time (only those two variants)",
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
                    stop(process)


def server_command(label: str) -> list[str]:
    """How every variant starts (uvicorn CLI, one worker), so that only the edge features differ."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        f"scripts.bench_edge_app:{VARIANTS[label]}",
        "--factory",
        "--no-access-log",
        "--no-server-header",
        "--no-proxy-headers",
        "--log-level",
        "warning",
    ]


def start_server(label: str, env: dict[str, str], cpu: int | None) -> tuple[subprocess.Popen[bytes], str]:
    """A fresh, ready server of one variant, pinned to ``cpu`` if given."""
    process, base = launch(_pinned(server_command(label), cpu), env)
    wait_ready(process, base, 30)
    return process, base


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=20)


def seed(base: str) -> str:
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


def _side_by_side(
    args: argparse.Namespace,
    env: dict[str, str],
    server_cpu: int | None,
    wrk_cpu: int | None,
    token: str,
    processes: list[subprocess.Popen[bytes]],
    results: dict[str, list[Result]],
) -> None:
    """Each round, a fresh server with the stack on and one with it off take the same load at the
    same time: whatever else the machine does (other tenants, PostgreSQL, Redis) slows both alike,
    so the ratio of one round no longer swings with the moment it ran."""
    for _ in range(args.rounds):
        servers = [start_server(label, env, server_cpu) for label in ("full", "bare")]
        processes.extend(process for process, _ in servers)
        targets = [(base, process.pid) for process, base in servers]
        _wrk(targets, token, 3, args.connections, wrk_cpu)  # warm up
        full, bare = _wrk(targets, token, args.seconds, args.connections, wrk_cpu)
        results["full"].append(full)
        results["bare"].append(bare)
        for process, _ in servers:
            stop(process)


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

    process, base = start_server("full", env, server_cpu)
    processes.append(process)
    token = seed(base)
    stop(process)

    results: dict[str, list[Result]] = {label: [] for label in VARIANTS}
    labels = list(VARIANTS)
    if args.side_by_side:
        _side_by_side(args, env, server_cpu, wrk_cpu, token, processes, results)
    for round_number in range(args.rounds if not args.side_by_side else 0):
        # Rotate the order so that no variant always runs first, or always right after another; a
        # fresh process each time, so that one unlucky process (memory layout, hash seed) does not
        # tilt every round of its variant.
        shift = round_number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            process, base = start_server(label, env, server_cpu)
            processes.append(process)
            _wrk([(base, process.pid)], token, 3, args.connections, wrk_cpu)  # warm up
            results[label] += _wrk([(base, process.pid)], token, args.seconds, args.connections, wrk_cpu)
            stop(process)

    placement = (
        f"servers pinned to CPU {server_cpu}, wrk to CPU {wrk_cpu} (PostgreSQL and Redis unpinned)"
        if pin
        else f"{cpus} CPUs shared by servers, wrk, PostgreSQL and Redis"
    )
    how = (
        "edge stack on and off side by side, loaded at the same time"
        if args.side_by_side
        else "one variant at a time, in rotating order"
    )
    print(
        f"GET /api/staff?limit=20 (10 staff), one uvicorn worker, wrk -c{args.connections}, "
        f"{args.rounds}x{args.seconds}s per variant, a fresh server each round, medians; {how}; {placement}"
    )
    summary: dict[str, tuple[float, float]] = {}
    for label, runs in results.items():
        if not runs:
            continue
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
