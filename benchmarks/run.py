"""`make bench`: the project, a lean reference and a FastAPI + SQLAlchemy ORM peer, in one run.

What runs (one worker each, loopback only, real PostgreSQL and Redis):

  project    `flower-vendor serve` with production settings (benchkit.production_env); the rate
             limits and the cap on requests in flight set high enough never to refuse (the limiter
             still counts every request in Redis; the cap is still checked)
  reference  benchmarks/reference/app.py: Litestar, pyjwt, one Redis round trip, one asyncpg query
  peer       benchmarks/peer/app.py: FastAPI, pydantic v2, SQLAlchemy ORM session per request

All three read the same throwaway database (migrated with the project's alembic, one shop with
26 staff seeded through the project's API) and accept the project's own access token.

What is measured, for `GET /api/staff?limit=20` on all three and `GET /api/auth/me` on the project,
at 16 and at 64 connections:

* requests per second and p50/p99 latency: wrk (one thread) on loopback, exact percentiles from a
  Lua ``done`` hook (benchmarks/wrk.py);
* server CPU per request: the server process's user + system time (/proc/<pid>/stat) over the
  requests it answered; PostgreSQL's and Redis's own CPU is not counted, for any candidate;
* peak memory: the worker's VmHWM (/proc/<pid>/status) at the end of the load;
* instructions per request: each server again under valgrind's callgrind, counters zeroed after a
  warm-up, then BENCH_CALLGRIND_REQUESTS sequential requests; skipped (with a note) without
  valgrind. Callgrind counts do not depend on the machine's load.

Noise: the machine may be shared and small, so the candidates are loaded one at a time (each alone
with wrk, PostgreSQL and Redis) and interleaved: every cell's time is split into BENCH_ROUNDS
slices, and each round runs the cells in a rotated order, so a slow moment of the machine falls on
every candidate alike. Loading them at the same time would make the servers compete for the same
cores, which distorts the latencies the targets are stated in.

Environment: BENCH_SECONDS (per cell and connection count, default 10), BENCH_ROUNDS (default 2),
BENCH_CALLGRIND_REQUESTS (default 500; 0 skips callgrind), BENCH_OUTPUT (default docs/benchmarks.md;
the chart is written beside it as .png). With the defaults the whole run takes about 4 minutes.

Cleans up: stops every server it started, drops its database, deletes its Redis keys (its own
prefix; Redis is never flushed). Prints figures and the issue's targets, PASS or FAIL; asserts
nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

import asyncpg
import httpx
from redis import Redis
from scripts.benchkit import ADMIN_URL, REDIS_URL, free_port, production_env, redis_prefix, throwaway_database

from benchmarks.wrk import DONE_SCRIPT, WrkRun, parse

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "2")))
CALLGRIND_REQUESTS = int(os.environ.get("BENCH_CALLGRIND_REQUESTS", "500"))
OUTPUT = ROOT / os.environ.get("BENCH_OUTPUT", "docs/benchmarks.md")
CONNECTIONS = (16, 64)
WARM_UP_SECONDS = 2
CALLGRIND_WARM_UP = 30
STAFF = 25  # besides the owner
PASSWORD = "quiet orchard ladder at dawn"  # noqa: S105 - a throwaway account in a throwaway database

# The project and the reference run on the project's own environment (`uv sync`: its dependencies
# and nothing else); only the driver and the peer run on the bench environment, whose FastAPI,
# pydantic and matplotlib (numpy) would otherwise be found and loaded by the project's own imports
# (Litestar's pydantic plugin, advanced-alchemy's numpy support), costing it memory and time.
PROJECT_BIN = Path(os.environ.get("BENCH_PROJECT_VENV", str(ROOT / ".venv"))) / "bin"


def uvicorn(python: Path | str) -> list[str]:
    return [
        str(python),
        "-m",
        "uvicorn",
        "--factory",
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--no-server-header",
        "--no-proxy-headers",
        "--log-level",
        "warning",
        "--host",
        "127.0.0.1",
    ]


COMMANDS = {
    "project": [str(PROJECT_BIN / "flower-vendor"), "serve", "--host", "127.0.0.1"],
    "reference": [*uvicorn(PROJECT_BIN / "python"), "benchmarks.reference.app:create_app"],
    "peer": [*uvicorn(sys.executable), "benchmarks.peer.app:create_app"],
}
TITLES = {
    "project": "project (flower-vendor serve)",
    "reference": "lean reference (Litestar + asyncpg)",
    "peer": "peer (FastAPI + SQLAlchemy ORM)",
}
PATHS = {"list": "/api/staff?limit=20", "me": "/api/auth/me"}
Cell = tuple[str, str]  # (server, route)
CELLS: list[Cell] = [("project", "list"), ("project", "me"), ("reference", "list"), ("peer", "list")]
CELL_TITLES = {
    ("project", "list"): "project  GET /api/staff?limit=20",
    ("project", "me"): "project  GET /api/auth/me",
    ("reference", "list"): "reference  GET /api/staff?limit=20",
    ("peer", "list"): "peer  GET /api/staff?limit=20",
}
SHORT = {
    ("project", "list"): "project\nstaff list",
    ("project", "me"): "project\n/auth/me",
    ("reference", "list"): "reference\nstaff list",
    ("peer", "list"): "FastAPI+ORM\nstaff list",
}


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Slice:
    run: WrkRun
    cpu_seconds: float


@dataclass
class Figures:
    slices: dict[tuple[Cell, int], list[Slice]] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    startup_peak_rss_mb: dict[str, float] = field(default_factory=dict)
    instructions: dict[Cell, float] = field(default_factory=dict)
    warnings: dict[str, dict[str, int]] = field(default_factory=dict)
    callgrind_note: str = ""

    def rps(self, cell: Cell, connections: int) -> float:
        slices = self.slices[cell, connections]
        return sum(s.run.requests - s.run.non_2xx for s in slices) / sum(s.run.duration_s for s in slices)

    def p50(self, cell: Cell, connections: int) -> float:
        return statistics.median(s.run.p50_ms for s in self.slices[cell, connections])

    def p99(self, cell: Cell, connections: int) -> float:
        return statistics.median(s.run.p99_ms for s in self.slices[cell, connections])

    def cpu_us(self, cell: Cell) -> float:
        slices = [s for c in CONNECTIONS for s in self.slices[cell, c]]
        return sum(s.cpu_seconds for s in slices) / max(1, sum(s.run.requests for s in slices)) * 1e6

    def failures(self, cell: Cell) -> int:
        return sum(s.run.errors + s.run.non_2xx for c in CONNECTIONS for s in self.slices[cell, c])


# --- processes --------------------------------------------------------------------------------


@cache
def logs() -> Path:
    """The run's directory for its servers' output (made on first use, removed after a good run)."""
    return Path(tempfile.mkdtemp(prefix="fv-bench-logs-"))


def start(name: str, env: dict[str, str], prefix: list[str] | None = None) -> Server:
    """``name``'s server on a spare loopback port; its output goes to a log file of the run's own."""
    port = free_port()
    log = logs() / f"{name}-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own servers
            [*(prefix or []), *COMMANDS[name], "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Server(name, process, f"http://127.0.0.1:{port}", log)


def wait_ready(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            output = server.log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"{server.name} exited before it was ready:\n{output}")
        try:
            if httpx.get(f"{server.base}/health/ready", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{server.name} was not ready within {seconds:.0f} s")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def logged_warnings(server: Server) -> dict[str, int]:
    """How often each warning or error event appears in the server's JSON log."""
    counts: dict[str, int] = {}
    for line in server.log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in ("warning", "error", "critical"):
            event = str(entry.get("event"))
            counts[event] = counts.get(event, 0) + 1
    return counts


def _warnings_sentence(counts: dict[str, int]) -> str:
    if not counts:
        return "It logged no warning during the load."
    return "During the load it logged: " + ", ".join(f"`{event}` x{n}" for event, n in sorted(counts.items())) + "."


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- seeding ----------------------------------------------------------------------------------


def seed(base: str) -> str:
    """A shop with its owner and STAFF staff members, through the project's API; the owner's token."""
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    signup = {
        "vendor_name": "Bench Flowers",
        "vendor_slug": slug,
        "timezone": "UTC",
        "currency": "EUR",
        "country": "NL",
        "email": f"owner@{slug}.example.com",
        "password": PASSWORD,
        "full_name": "Bench Owner",
    }
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/api/auth/signup", json=signup).raise_for_status()
        login = client.post("/api/auth/login", json={"email": signup["email"], "password": PASSWORD})
        login.raise_for_status()
        token: str = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(STAFF):
            body = {
                "email": f"staff{i}@{slug}.example.com",
                "full_name": f"Staff Member {i}",
                "role": "STAFF",
                "password": PASSWORD,
            }
            client.post("/api/staff", json=body, headers=headers).raise_for_status()
    return token


def check_answers(servers: dict[str, Server], token: str) -> None:
    """Every candidate answers the list with the same page before any figure is taken."""
    headers = {"Authorization": f"Bearer {token}"}
    pages = {}
    for name, route in CELLS:
        response = httpx.get(f"{servers[name].base}{PATHS[route]}", headers=headers, timeout=30)
        if response.status_code != 200:
            raise SystemExit(f"{name} answered {PATHS[route]} with {response.status_code}: {response.text[:300]}")
        if route == "list":
            page = response.json()
            pages[name] = (page["total"], [item["id"] for item in page["items"]])
    if len(set(map(str, pages.values()))) != 1:
        raise SystemExit(f"the candidates disagree on the page: {pages}")
    total, items = next(iter(pages.values()))
    print(f"every candidate answers the same page: {len(items)} of {total} staff")


# --- load -------------------------------------------------------------------------------------


def wrk(server: Server, route: str, token: str, seconds: float, connections: int, script: Path) -> Slice:
    before = cpu_seconds(server.pid)
    output = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            "-H",
            f"Authorization: Bearer {token}",
            "-H",
            "Accept-Encoding: identity",
            f"{server.base}{PATHS[route]}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Slice(parse(output), cpu_seconds(server.pid) - before)


def load(servers: dict[str, Server], token: str, figures: Figures, script: Path) -> None:
    for name, route in CELLS:  # warm-up: caches, pools, JIT-less Python's first-call costs
        wrk(servers[name], route, token, WARM_UP_SECONDS, CONNECTIONS[0], script)
    for level, connections in enumerate(CONNECTIONS):
        for round_number in range(ROUNDS):
            shift = (level * ROUNDS + round_number) % len(CELLS)
            for cell in CELLS[shift:] + CELLS[:shift]:
                name, route = cell
                piece = wrk(servers[name], route, token, SECONDS / ROUNDS, connections, script)
                figures.slices.setdefault((cell, connections), []).append(piece)
                print(
                    f"  c={connections:<3} round {round_number + 1}/{ROUNDS}  {CELL_TITLES[cell]:<38}"
                    f"{piece.run.rps:8.0f} req/s  p99 {piece.run.p99_ms:7.1f} ms",
                    flush=True,
                )
    for name, server in servers.items():
        figures.peak_rss_mb[name] = peak_rss_mb(server.pid)
        figures.warnings[name] = logged_warnings(server)


# --- instructions -----------------------------------------------------------------------------


def callgrind(env: dict[str, str], token: str, figures: Figures, processes: list[Server]) -> None:
    valgrind, control = shutil.which("valgrind"), shutil.which("callgrind_control")
    if CALLGRIND_REQUESTS <= 0:
        figures.callgrind_note = "instructions not counted: BENCH_CALLGRIND_REQUESTS=0"
        return
    if valgrind is None or control is None:
        figures.callgrind_note = "instructions not counted: valgrind is not installed (apt-get install valgrind)"
        return
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        # One hash seed for all: dict and set layouts then do not vary from run to run.
        counted_env = {**env, "PYTHONHASHSEED": "0"}
        outs = {name: Path(tmp) / f"{name}.out" for name in COMMANDS}
        # Start-up runs uninstrumented (--instr-atstart=no): several times faster than counted.
        under = [valgrind, "--tool=callgrind", "--instr-atstart=no"]
        servers = {name: start(name, counted_env, [*under, f"--callgrind-out-file={outs[name]}"]) for name in COMMANDS}
        processes.extend(servers.values())

        def count(name: str) -> dict[Cell, float]:
            server = servers[name]
            wait_ready(server, 600)
            print(f"  {name} ready under callgrind after {time.monotonic() - started:.0f} s", flush=True)
            counts = {}
            for cell in CELLS:
                if cell[0] == name:
                    counts[cell] = _instructions(server, cell[1], token, outs[name], control)
                    print(
                        f"  {CELL_TITLES[cell]:<38}{counts[cell] / 1e6:7.2f} M instructions/request "
                        f"({time.monotonic() - started:.0f} s)",
                        flush=True,
                    )
            return counts

        with ThreadPoolExecutor(len(servers)) as pool:
            for counts in pool.map(count, servers):
                figures.instructions.update(counts)
        for server in servers.values():
            stop(server)
    figures.callgrind_note = (
        f"instructions: {CALLGRIND_REQUESTS} sequential requests per route under valgrind --tool=callgrind "
        f"after {CALLGRIND_WARM_UP} warm-up requests (server process only; took {time.monotonic() - started:.0f} s)"
    )


def _instructions(server: Server, route: str, token: str, out: Path, control: str) -> float:
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    url = f"{server.base}{PATHS[route]}"
    subprocess.run([control, "--instr=on", str(server.pid)], check=True, capture_output=True)  # noqa: S603
    with httpx.Client(headers=headers, timeout=120) as client:
        for _ in range(CALLGRIND_WARM_UP):
            client.get(url).raise_for_status()
        before = set(out.parent.glob(f"{out.name}*"))
        subprocess.run([control, "--zero", str(server.pid)], check=True, capture_output=True)  # noqa: S603
        for _ in range(CALLGRIND_REQUESTS):
            client.get(url).raise_for_status()
        subprocess.run([control, "--dump", str(server.pid)], check=True, capture_output=True)  # noqa: S603
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for dump in set(out.parent.glob(f"{out.name}*")) - before:
            for line in dump.read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1]) / CALLGRIND_REQUESTS
        time.sleep(0.5)
    raise SystemExit(f"callgrind wrote no dump for {server.name}")


# --- report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    measured: str
    passed: bool


def targets(f: Figures) -> list[Target]:
    lst, me, ref, peer = CELLS
    result = [
        Target(
            "staff list ≥ 0.7x the reference's throughput at 64 connections",
            f"{f.rps(lst, 64) / f.rps(ref, 64):.2f}x",
            f.rps(lst, 64) >= 0.7 * f.rps(ref, 64),
        ),
        Target("staff list p99 < 25 ms at 16 connections", f"{f.p99(lst, 16):.1f} ms", f.p99(lst, 16) < 25),
        Target(
            "staff list ≥ 2x the FastAPI + ORM peer's throughput at 64 connections",
            f"{f.rps(lst, 64) / f.rps(peer, 64):.2f}x",
            f.rps(lst, 64) >= 2 * f.rps(peer, 64),
        ),
        Target(
            "/api/auth/me ≥ the reference list's throughput at 64 connections",
            f"{f.rps(me, 64) / f.rps(ref, 64):.2f}x",
            f.rps(me, 64) >= f.rps(ref, 64),
        ),
        Target(
            "peak memory < 200 MB per worker (project)",
            f"{f.peak_rss_mb['project']:.0f} MB",
            f.peak_rss_mb["project"] < 200,
        ),
    ]
    return result


def figures_table(f: Figures) -> list[str]:
    head = (
        "| candidate, route | req/s @16 | p50 @16 | p99 @16 | req/s @64 | p50 @64 | p99 @64 "
        "| CPU/request | instructions/request | peak RSS (peak once ready) |"
    )
    rows = [head, "|" + "---|" * 10]
    for cell in CELLS:
        instructions = f"{f.instructions[cell] / 1e6:.2f} M" if cell in f.instructions else "n/a"
        failures = f.failures(cell)
        rows.append(
            f"| {CELL_TITLES[cell]}{f' ({failures} failed)' if failures else ''} "
            f"| {f.rps(cell, 16):.0f} | {f.p50(cell, 16):.1f} ms | {f.p99(cell, 16):.1f} ms "
            f"| {f.rps(cell, 64):.0f} | {f.p50(cell, 64):.1f} ms | {f.p99(cell, 64):.1f} ms "
            f"| {f.cpu_us(cell):.0f} µs | {instructions} "
            f"| {f.peak_rss_mb[cell[0]]:.0f} MB ({f.startup_peak_rss_mb[cell[0]]:.0f} MB) |"
        )
    return rows


def ratios_table(f: Figures) -> list[str]:
    lst, me, ref, peer = CELLS

    def instr(a: Cell, b: Cell) -> str:
        return f"{f.instructions[a] / f.instructions[b]:.2f}" if a in f.instructions and b in f.instructions else "n/a"

    rows = ["| ratio | req/s @16 | req/s @64 | p99 @16 | CPU/request | instructions/request |", "|" + "---|" * 6]
    for title, a, b in (
        ("project list / reference list", lst, ref),
        ("project list / peer list", lst, peer),
        ("project /auth/me / reference list", me, ref),
        ("reference list / peer list", ref, peer),
    ):
        rows.append(
            f"| {title} | {f.rps(a, 16) / f.rps(b, 16):.2f} | {f.rps(a, 64) / f.rps(b, 64):.2f} "
            f"| {f.p99(a, 16) / f.p99(b, 16):.2f} | {f.cpu_us(a) / f.cpu_us(b):.2f} | {instr(a, b)} |"
        )
    return rows


def summary(f: Figures) -> str:
    lst, me, ref, peer = CELLS
    return (
        f"At 64 connections the project's staff list serves {f.rps(lst, 64) / f.rps(ref, 64):.2f}x the lean "
        f"reference's requests per second and {f.rps(lst, 64) / f.rps(peer, 64):.2f}x the FastAPI + ORM peer's; "
        f"/api/auth/me serves {f.rps(me, 64) / f.rps(ref, 64):.2f}x the reference's list. At 16 connections the "
        f"list's p99 is {f.p99(lst, 16):.0f} ms (reference {f.p99(ref, 16):.0f} ms, peer {f.p99(peer, 16):.0f} ms). "
        f"Per request the project spends {f.cpu_us(lst):.0f} µs of CPU, the reference {f.cpu_us(ref):.0f} µs, "
        f"the peer {f.cpu_us(peer):.0f} µs."
    )


def targets_table(f: Figures) -> list[str]:
    rows = ["| target (issue 10) | measured | |", "|---|---|---|"]
    rows += [f"| {t.text} | {t.measured} | {'PASS' if t.passed else 'FAIL'} |" for t in targets(f)]
    return rows


def machine() -> list[tuple[str, str]]:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.processor())
    commit = _git("rev-parse", "--short", "HEAD")
    # The files this run rewrites do not count as uncommitted changes of the code measured.
    written = (OUTPUT, OUTPUT.with_suffix(".png"))
    generated = [f":!{path.relative_to(ROOT)}" for path in written if path.is_relative_to(ROOT)]
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", ".", *generated)
    postgres = asyncio.run(_postgres_version())
    redis = Redis.from_url(REDIS_URL)
    try:
        redis_version = str(redis.info("server")["redis_version"])
    finally:
        redis.close()
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("litestar", "uvicorn", "fastapi", "sqlalchemy", "asyncpg")
    )
    wrk_version = subprocess.run(["wrk", "-v"], check=False, capture_output=True, text=True).stdout.split(" [")[0]  # noqa: S607
    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("commit", commit + (" (with uncommitted changes)" if dirty else "")),
        ("CPUs (nproc)", str(os.cpu_count())),
        ("CPU", cpu),
        ("kernel", platform.release()),
        ("Python", platform.python_version()),
        ("PostgreSQL / Redis", f"{postgres} / {redis_version}"),
        ("libraries", versions),
        ("load generator", f"{wrk_version}, one thread, on the same machine"),
    ]


def _git(*args: str) -> str:
    git = ["git", *args]
    return subprocess.run(git, check=False, cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: S603


async def _postgres_version() -> str:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        return str(await connection.fetchval("SHOW server_version")).split()[0]
    finally:
        await connection.close()


def report(f: Figures, facts: list[tuple[str, str]]) -> None:
    print()
    for line in [*figures_table(f), "", *ratios_table(f), "", *targets_table(f)]:
        print(line)
    print(summary(f))
    print("project: " + _warnings_sentence(f.warnings.get("project", {})))
    if f.callgrind_note:
        print(f.callgrind_note)
    chart = OUTPUT.with_suffix(".png")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    draw(f, chart)
    OUTPUT.write_text(markdown(f, facts, chart.name))
    print(f"\nwrote {OUTPUT} and {chart}")


def markdown(f: Figures, facts: list[tuple[str, str]], chart: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/run.py`); regenerate it after a change that may move the figures. "
        "The lean reference (`benchmarks/reference/`) and the FastAPI + SQLAlchemy ORM peer (`benchmarks/peer/`) "
        "are yardsticks, not part of the product.",
        "",
        f"![Requests per second, p99 latency and CPU per request of each candidate]({chart})",
        "",
        f"**{summary(f)}**",
        "",
        "## What ran",
        "",
        "* One worker each, on loopback, against the same throwaway PostgreSQL database (migrated with the "
        f"project's alembic; one shop, its owner and {STAFF} staff) and the same Redis, with the project's own "
        "access token (the owner's).",
        "* **project**: `flower-vendor serve`, production settings; the rate limits and the cap on requests in "
        f"flight (MAX_CONCURRENT_REQUESTS={4 * max(CONNECTIONS)}) set high enough never to refuse (every request "
        "is still counted in Redis and checked against the cap). " + _warnings_sentence(f.warnings.get("project", {})),
        "* **reference**: Litestar, pyjwt verify, one Redis round trip (rate-limit script + session EXISTS), "
        "one asyncpg query of the page with `count(*) OVER ()`, msgspec encode: the irreducible work.",
        "* **peer**: FastAPI + pydantic v2 + SQLAlchemy ORM (asyncpg), a session per request, the page and a "
        "separate count, written the conventional way.",
        "* uvicorn with httptools and uvloop serves all three.",
        f"* Load: wrk, one thread, {SECONDS:g} s per route and connection count, split into {ROUNDS} rounds; "
        "one candidate is loaded at a time and every round runs them in a rotated order, so the machine's "
        "noise falls on all alike. Percentiles are wrk's exact ones (a Lua `done` hook).",
        "* CPU/request: the server process's user + system time over the requests it answered (PostgreSQL's "
        "and Redis's CPU not included). Peak RSS: the worker's VmHWM after the load; "
        "in brackets, its VmHWM once it was ready, before any request.",
        f"* {f.callgrind_note or 'instructions: not counted'}.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in facts),
        "",
        "## Figures",
        "",
        *figures_table(f),
        "",
        "## Ratios",
        "",
        "Above 1 means the first is faster or bigger; for p99, CPU and instructions lower is better.",
        "",
        *ratios_table(f),
        "",
        "## Targets",
        "",
        *targets_table(f),
        "",
        "On a shared machine requests per second move by several percent from run to run; the ratios, "
        "taken in one run, and the instruction counts move much less.",
        "",
    ]
    return "\n".join(lines)


def draw(f: Figures, path: Path) -> None:
    import matplotlib  # noqa: PLC0415 - the bench group's dependency, only needed here

    matplotlib.use("Agg")
    import matplotlib.patches  # noqa: PLC0415
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import matplotlib.ticker  # noqa: PLC0415

    lst, me, ref, peer = CELLS
    labels = [SHORT[cell] for cell in CELLS]
    colours = ["#c0392b", "#e67e22", "#2c3e50", "#7f8c8d"]
    x = range(len(CELLS))
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    width = 0.38

    def grouped(axis: object, values: Callable[[Cell, int], float], fmt: str | Callable[[float], str]) -> None:
        for offset, connections, hatch in ((-width / 2, 16, ""), (width / 2, 64, "//")):
            bars = axis.bar(  # type: ignore[attr-defined]
                [i + offset for i in x],
                [values(cell, connections) for cell in CELLS],
                width,
                color=colours,
                hatch=hatch,
                edgecolor="white",
                label=f"{connections} connections",
            )
            axis.bar_label(bars, fmt=fmt, fontsize=8, padding=2)  # type: ignore[attr-defined]

    grouped(axes[0], f.rps, "%.0f")
    # The throughput targets at 64 connections, over the bars they apply to.
    goals = {
        CELLS.index(lst): max(0.7 * f.rps(ref, 64), 2 * f.rps(peer, 64)),
        CELLS.index(me): f.rps(ref, 64),
    }
    for index, goal in goals.items():
        axes[0].hlines(goal, index - 0.05, index + width + 0.05, colors="#27ae60", linestyles="--", linewidth=1.5)
        axes[0].text(index + width / 2, goal, "target at 64", color="#27ae60", fontsize=8, ha="center", va="bottom")
    axes[0].set_title("Requests per second (higher is better)")
    grouped(axes[1], f.p99, lambda value: f"{value:.0f}" if value >= 100 else f"{value:.1f}")
    axes[1].set_yscale("log")
    axes[1].set_ylim(bottom=1)
    axes[1].yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axes[1].axhline(25, color="#27ae60", linestyle="--", linewidth=1)
    axes[1].text(
        -0.5,
        25,
        "target at 16 connections: 25 ms",
        color="#27ae60",
        fontsize=8,
        ha="left",
        va="bottom",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
    )
    axes[1].set_title("p99 latency, ms, log scale (lower is better)")
    cpu = [f.cpu_us(cell) for cell in CELLS]
    bars = axes[2].bar(list(x), cpu, 0.6, color=colours)
    notes = [
        f"{value:.0f} µs" + (f"\n{f.instructions[cell] / 1e6:.1f} M instr." if cell in f.instructions else "")
        for value, cell in zip(cpu, CELLS, strict=True)
    ]
    axes[2].bar_label(bars, labels=notes, fontsize=8, padding=2)
    axes[2].set_title("Server CPU per request, µs (lower is better)")
    for axis in axes:
        axis.set_xticks(list(x), labels, fontsize=9)
        axis.spines[["top", "right"]].set_visible(False)
        axis.margins(y=0.18)
    axes[0].legend(
        handles=[
            matplotlib.patches.Patch(facecolor="#bbbbbb", label="16 connections"),
            matplotlib.patches.Patch(facecolor="#bbbbbb", hatch="//", edgecolor="white", label="64 connections"),
        ],
        fontsize=8,
        frameon=False,
    )
    figure.suptitle(
        "GET /api/staff?limit=20 and /api/auth/me, one worker each, wrk on loopback, one run: the project's list "
        f"at 64 connections = {f.rps(lst, 64) / f.rps(ref, 64):.2f}x the reference, "
        f"{f.rps(lst, 64) / f.rps(peer, 64):.2f}x the FastAPI + ORM peer",
        fontsize=11,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (make bench installs it when run as root)")
    started = time.monotonic()
    facts = machine()  # before anything is written, so the commit's state is the code's
    figures = Figures()
    processes: list[Server] = []
    with (
        throwaway_database() as database_url,
        redis_prefix() as prefix,
        tempfile.NamedTemporaryFile("w", suffix=".lua") as script,
    ):
        script.write(DONE_SCRIPT)
        script.flush()
        never = "1000000"
        env = production_env(
            database_url,
            prefix,
            AUTHENTICATED_RATE_LIMIT=never,
            API_RATE_LIMIT=never,
            AUTH_RATE_LIMIT=never,
            MAX_CONCURRENT_REQUESTS=str(4 * max(CONNECTIONS)),
        )
        try:
            servers = {name: start(name, env) for name in COMMANDS}
            processes.extend(servers.values())
            for server in servers.values():
                wait_ready(server, 60)
                figures.startup_peak_rss_mb[server.name] = peak_rss_mb(server.pid)
            token = seed(servers["project"].base)
            check_answers(servers, token)
            print(
                f"loading one candidate at a time, {SECONDS:g} s per cell in {ROUNDS} rotating rounds, "
                f"at {' and '.join(map(str, CONNECTIONS))} connections",
                flush=True,
            )
            load(servers, token, figures, Path(script.name))
            for server in servers.values():
                stop(server)
            print("counting instructions under callgrind ...", flush=True)
            callgrind(env, token, figures, processes)
        except BaseException:
            print(f"the servers' output is kept in {logs()}", file=sys.stderr)
            raise
        finally:
            for server in processes:
                stop(server)
    shutil.rmtree(logs(), ignore_errors=True)
    report(figures, facts)
    print(f"the whole run took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
