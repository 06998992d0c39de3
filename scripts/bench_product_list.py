"""The authenticated product list beside the routes of the previous issue's benchmark, in one run.

Three candidates on loopback, one worker each, against one throwaway PostgreSQL database and the
same Redis: `flower-vendor serve` (production settings, limits high enough never to refuse),
answering ``GET /api/products?limit=20`` (20 products with two variants each, every variant costed
from a three-line recipe over stock with lots) and ``GET /api/staff?limit=20`` (issue 10's route),
and the lean reference of ``make bench`` (benchmarks/reference: Litestar, pyjwt, one Redis round
trip, one asyncpg query) answering the staff list: the "irreducible work" figure of issue 10.

Every round loads each (candidate, route) for ``--seconds`` at 16 and at 64 connections, in a
rotated order, so the machine's noise falls on all alike; the figures are requests per second over
all rounds and the median p50/p99. Prints a table and the ratios; asserts nothing.

Usage:  ./.venv/bin/python -m scripts.bench_product_list [--seconds 5] [--rounds 2]
Needs wrk (apt-get install wrk), PostgreSQL and Redis as the tests do.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import httpx
from benchmarks.run import COMMANDS, Server, start, stop, wait_ready
from benchmarks.run import seed as seed_shop
from benchmarks.wrk import DONE_SCRIPT, WrkRun, parse

from scripts.benchkit import production_env, redis_prefix, throwaway_database

PRODUCTS = 20
CONNECTIONS = (16, 64)
ROUTES = {
    ("project", "products"): "/api/products?limit=20",
    ("project", "staff"): "/api/staff?limit=20",
    ("reference", "staff"): "/api/staff?limit=20",
}


def seed(base: str) -> str:
    """``make bench``'s shop (its owner and 25 staff), then stock with lots and 20 costed products,
    through the project's API; the owner's token."""
    token = seed_shop(base)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
        stems = []
        for i in range(6):
            item = client.post(
                "/api/stock-items",
                json={"name": f"Stem {i}", "kind": "STEM", "tracking": "STRICT", "shelf_life_days": 10},
            )
            item.raise_for_status()
            stems.append(item.json()["id"])
            for cost in (80 + i, 95 + i):
                lot = {"quantity": 200, "unit_cost": {"amount_minor": cost, "currency": "EUR"}}
                client.post(f"/api/stock-items/{stems[-1]}/lots", json=lot).raise_for_status()
        for p in range(PRODUCTS):
            variants = [
                {
                    "name": size,
                    "sku": f"BQ-{p:03d}-{size[0]}",
                    "price": {"amount_minor": 2500 + 100 * p + 1000 * v, "currency": "EUR"},
                    "recipe": [{"stock_item_id": stems[(p + v + k) % len(stems)], "quantity": 3 + k} for k in range(3)],
                }
                for v, size in enumerate(("Small", "Large"))
            ]
            body = {
                "name": f"Bouquet {p:02d}",
                "kind": "BOUQUET",
                "description": "Seasonal stems, hand-tied.",
                "occasions": ["birthday", "thank you"],
                "variants": variants,
            }
            client.post("/api/products", json=body).raise_for_status()
    return token


def wrk(server: Server, path: str, token: str, seconds: int, connections: int, script: Path) -> WrkRun:
    output = subprocess.run(  # noqa: S603 - our own load generator against our own server
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            "-H",
            f"Authorization: Bearer {token}",
            "-H",
            "Accept-Encoding: identity",
            f"{server.base}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk: apt-get install wrk")
    runs: dict[tuple[tuple[str, str], int], list[WrkRun]] = {}
    with throwaway_database() as database, redis_prefix() as prefix, tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "done.lua"
        script.write_text(DONE_SCRIPT)
        env = production_env(
            database,
            prefix,
            AUTH_RATE_LIMIT="1000000",
            API_RATE_LIMIT="1000000",
            AUTHENTICATED_RATE_LIMIT="1000000",
            MAX_CONCURRENT_REQUESTS="256",
        )
        servers = {name: start(name, env) for name in ("project", "reference")}
        try:
            for server in servers.values():
                wait_ready(server, 60)
            token = seed(servers["project"].base)
            page = httpx.get(
                f"{servers['project'].base}{ROUTES['project', 'products']}",
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            print(f"product page: {len(page['items'])} of {page['total']} products, two variants each")
            cells = list(ROUTES)
            for cell in cells:  # warm-up
                wrk(servers[cell[0]], ROUTES[cell], token, 2, 16, script)
            for round_ in range(args.rounds):
                order = cells[round_ % len(cells) :] + cells[: round_ % len(cells)]
                for connections in CONNECTIONS:
                    for cell in order:
                        run = wrk(servers[cell[0]], ROUTES[cell], token, args.seconds, connections, script)
                        runs.setdefault((cell, connections), []).append(run)
        finally:
            for server in servers.values():
                stop(server)
    print(f"\n{'candidate, route':<42}" + "".join(f"{f'req/s @{c}':>12}{f'p99 @{c}':>12}" for c in CONNECTIONS))
    rps: dict[tuple[tuple[str, str], int], float] = {}
    for cell, path in ROUTES.items():
        line = f"{cell[0] + '  GET ' + path:<42}"
        for connections in CONNECTIONS:
            done = runs[cell, connections]
            answered = sum(r.requests - r.non_2xx for r in done)
            failed = sum(r.errors + r.non_2xx for r in done)
            rps[cell, connections] = answered / sum(r.duration_s for r in done)
            p99 = statistics.median(r.p99_ms for r in done)
            line += f"{rps[cell, connections]:>12.0f}{p99:>10.1f}ms"
            if failed:
                line += f" ({failed} failed)"
        print(line)
    print()
    for connections in CONNECTIONS:
        products = rps[("project", "products"), connections]
        print(
            f"@{connections}: product list / project staff list = "
            f"{products / rps[('project', 'staff'), connections]:.2f}; "
            f"product list / reference staff list = {products / rps[('reference', 'staff'), connections]:.2f}"
        )
    print(f"(reference command: {' '.join(COMMANDS['reference'][-1:])})")


if __name__ == "__main__":
    main()
