"""Which ASGI server to run the API on: requests per second of the authenticated
GET /api/staff?limit=20 on each candidate server, all loaded at the same time (one wrk each), so
that a shared, noisy machine slows every candidate alike and the ratios hold.

Candidates (one worker each, the full production app through ``interfaces.http.app:create_app``):
  uvicorn   uvicorn with httptools, as `flower-vendor serve` ran it before the front-door limits
  guarded   `flower-vendor serve` itself: uvicorn with the guarded httptools protocol
  granian   granian with its own header timeout, buffer limit and backpressure

Each round starts fresh servers in a rotating start order, warms them up, then loads them.

Usage:  uv run python scripts/bench_server.py [--seconds 10] [--rounds 4] [--only uvicorn,guarded] [--pin]
        [--baseline ../other-checkout]   (adds that checkout's `flower-vendor serve`, measured first)
Needs `wrk` (apt-get install wrk); the granian candidate needs granian installed (skipped otherwise).
Creates and drops its own database; uses its own Redis prefix. Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench_edge import Result, _pinned, _wrk, launch, seed, stop, wait_ready
from benchkit import production_env, redis_prefix, throwaway_database

FLOWER_VENDOR = str(Path(sys.executable).with_name("flower-vendor"))
APP = "interfaces.http.app:create_app"
CANDIDATES: dict[str, list[str]] = {
    "uvicorn": [
        sys.executable,
        "-m",
        "uvicorn",
        APP,
        "--factory",
        "--http",
        "httptools",
        "--no-access-log",
        "--no-server-header",
        "--no-proxy-headers",
        "--log-level",
        "warning",
    ],
    "guarded": [FLOWER_VENDOR, "serve", "--host", "127.0.0.1"],
    "granian": [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "--http",
        "1",
        "--no-ws",
        "--loop",
        "uvloop",
        "--http1-header-read-timeout",
        "10000",
        "--http1-buffer-size",
        "65536",
        "--backpressure",
        "1000",
        "--log-level",
        "warning",
        APP,
    ],
}
TITLES = {
    "baseline": "another checkout's serve",
    "uvicorn": "uvicorn + httptools (before)",
    "guarded": "uvicorn + guarded protocol",
    "granian": "granian, limits set",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default=",".join(CANDIDATES), help="comma-separated candidates")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of another commit with its own .venv (uv sync): its `flower-vendor serve` joins as the "
        "first candidate, 'baseline', so a change is measured against the code before it",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin every server (all its threads) to the last CPU and wrk to the first, so that a server "
        "with extra threads cannot take more of the machine than the others",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    labels = [label for label in args.only.split(",") if label]
    if args.baseline is not None:
        binary = args.baseline.resolve() / ".venv" / "bin" / "flower-vendor"
        if not binary.exists():
            raise SystemExit(f"{binary} does not exist: run `uv sync` in {args.baseline}")
        CANDIDATES["baseline"] = [str(binary), "serve", "--host", "127.0.0.1"]
        labels.insert(0, "baseline")
    if "granian" in labels and importlib.util.find_spec("granian") is None:
        print("granian is not installed: skipped")
        labels.remove("granian")

    cpus = os.cpu_count() or 1
    pin = args.pin and cpus >= 2 and shutil.which("taskset") is not None
    args.server_cpu, args.wrk_cpu = (cpus - 1, 0) if pin else (None, None)
    processes: list[subprocess.Popen[bytes]] = []
    with throwaway_database() as database_url, redis_prefix() as prefix:
        never = "1000000"  # limits high enough never to refuse; the limiter still counts in Redis
        env = production_env(
            database_url, prefix, AUTHENTICATED_RATE_LIMIT=never, API_RATE_LIMIT=never, AUTH_RATE_LIMIT=never
        )
        try:
            results = _measure(args, labels, env, processes)
        finally:
            for process in processes:
                if process.poll() is None:
                    stop(process)
    _report(args, labels, results)


def _measure(
    args: argparse.Namespace, labels: list[str], env: dict[str, str], processes: list[subprocess.Popen[bytes]]
) -> dict[str, list[Result]]:
    process, base = launch(CANDIDATES[labels[0]], env)
    processes.append(process)
    wait_ready(process, base, 30)
    token = seed(base)
    stop(process)

    results: dict[str, list[Result]] = {label: [] for label in labels}
    for round_number in range(args.rounds):
        shift = round_number % len(labels)
        order = labels[shift:] + labels[:shift]
        servers = []
        for label in order:
            process, base = launch(_pinned(CANDIDATES[label], args.server_cpu), env)
            processes.append(process)
            wait_ready(process, base, 30)
            servers.append((label, process, base))
        targets = [(base, _worker_pid(process.pid)) for _, process, base in servers]
        _wrk(targets, token, 3, args.connections, args.wrk_cpu)  # warm up
        for (label, _, _), result in zip(
            servers, _wrk(targets, token, args.seconds, args.connections, args.wrk_cpu), strict=True
        ):
            results[label].append(result)
        for _, process, _ in servers:
            stop(process)
    return results


def _worker_pid(pid: int) -> int:
    """The process that serves: granian runs its one worker as a child of the process started."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if len(children) == 1 else pid


def _report(args: argparse.Namespace, labels: list[str], results: dict[str, list[Result]]) -> None:
    print(
        f"GET /api/staff?limit=20 (10 staff), one worker each, wrk -c{args.connections} per server, "
        f"{args.rounds}x{args.seconds}s, all candidates loaded at the same time, fresh servers each round, medians; "
        + (
            f"servers pinned to CPU {args.server_cpu}, wrk to CPU {args.wrk_cpu}"
            if args.server_cpu is not None
            else "unpinned"
        )
    )
    reference = labels[0]
    for label in labels:
        runs = results[label]
        rps, p50, p99, cpu_us = (statistics.median(r[i] for r in runs) for i in range(4))
        ratios = [run[0] / ref[0] for run, ref in zip(runs, results[reference], strict=True)]
        print(
            f"{TITLES[label]:<30} {rps:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   "
            f"server CPU {cpu_us:6.0f} µs/request   vs {reference}: median {statistics.median(ratios):.3f} "
            f"(rounds: {', '.join(f'{r:.3f}' for r in ratios)})"
        )


if __name__ == "__main__":
    main()
