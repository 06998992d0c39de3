"""Customer search (`GET /api/customers?q=`) at 100,000 customers on PostgreSQL: p50/p99 latency of
the list's real statement (``infrastructure.customers.queries``, first page of 50), and the plan
PostgreSQL chooses, to show the trigram GIN index ``ix_customers_search_text_trgm`` serves it (one- and two-letter
searches match the start of the name, through the index's word-start trigrams).

Usage:  ./.venv/bin/python -m scripts.bench_customer_search [--customers 100000] [--runs 300]

Creates a throwaway database (``scripts.benchkit.throwaway_database``) migrated to head, seeds one
shop (NL) with ``--customers`` customers (Dutch first and last names, an email and a mobile number
each) and a second shop with a tenth as many, ANALYZEs, then for each search prints the rows it
matches, whether the plan uses the index, and p50/p99 over ``--runs`` executions on one
connection, the needle made as ``ListCustomers`` makes it (a national phone number becomes E.164).
Prints figures; asserts nothing. The issue's target: p99 under 20 ms.

``--http`` then does the same through a real ``flower-vendor serve`` (production settings, one
worker, limits high enough never to refuse) on the same database: the shop signs up through the
API, its customers are seeded as above, and each search is requested ``--runs`` times one after
another with httpx (``GET /api/customers?q=...&limit=50``): the latency a client sees on loopback.
Needs Redis as the tests do.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
from benchmarks.run import start, stop, wait_ready
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from domain.customers.contact import phone_or_none
from infrastructure.customers.queries import search_pattern, search_statement
from scripts.benchkit import production_env, redis_prefix, throwaway_database

PASSWORD = "quiet orchard ladder at dawn"  # noqa: S105 - a throwaway account in a throwaway database

INDEXES = ("ix_customers_search_text_trgm", "ix_customers_vendor_name")
FIRST = "Anna Bram Daan Emma Eva Fleur Lars Lisa Luuk Maud Noah Noor Sanne Sem Sophie Thijs Tess Vera Wouter Zoë"
LAST = (
    "de Jong,Jansen,de Vries,van den Berg,van Dijk,Bakker,Janssen,Visser,Smit,Meijer,de Boer,Mulder,de Groot,"
    "Bos,Vos,Peters,Hendriks,van Leeuwen,Dekker,Brouwer,de Wit,Dijkstra,Smits,de Graaf,van der Meer,"
    "van der Linden,Kok,Jacobs,de Haan,Vermeulen"
)
SEARCHES = (
    "jansen",  # a common surname: about one customer in thirty
    "sophie de",  # first and last name
    "maud.bos4",  # part of an email
    "06 10012345",  # a mobile number as dialled in NL: searched as +31610012345
    "+31610054321",
    "0001234",  # part of a number
    "zzqx",  # nothing
    "an",  # two letters: no whole trigram; matches names starting with them
    "s",
    "",  # no q: the whole list, counted
)

VENDOR = """
INSERT INTO vendors (id, name, slug, timezone, currency, country, settings, active, created_at, updated_at)
VALUES ($1, $2, $3, 'Europe/Amsterdam', 'EUR', 'NL', '{}', true, now(), now())
"""
CUSTOMERS = """
WITH rows AS (
  SELECT n,
         (string_to_array($3, ' '))[1 + n % 20] || ' ' || (string_to_array($4, ','))[1 + (n / 20) % 30] AS full_name,
         lower((string_to_array($3, ' '))[1 + n % 20] || '.'
           || replace((string_to_array($4, ','))[1 + (n / 20) % 30], ' ', '') || n || '@example.com') AS email,
         '+3161' || lpad(n::text, 7, '0') AS phone
  FROM generate_series(1, $2) AS n
)
INSERT INTO customers (id, vendor_id, full_name, email, phone, notes, marketing_consent, search_text,
                       created_at, updated_at)
SELECT gen_random_uuid(), $1, full_name, email, phone, '', n % 3 = 0,
       lower(full_name || ' ' || email || ' ' || phone), now(), now()
FROM rows
"""


def _percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _search(connection: asyncpg.Connection, shop: uuid.UUID, q: str, runs: int) -> dict[str, Any]:
    needle = (phone_or_none(q, "NL") or " ".join(q.split()).casefold()) if q else ""
    compiled = search_statement(bool(needle)).compile(dialect=asyncpg_dialect.dialect())
    params: dict[str, Any] = {"vendor_id": shop, "q": search_pattern(needle), "limit": 50, "offset": 0}
    values = [params[name] for name in compiled.positiontup or ()]
    plan = "\n".join(row[0] for row in await connection.fetch(f"EXPLAIN {compiled}", *values))
    rows: list[Any] = []
    for _ in range(5):  # warm the cache
        rows = await connection.fetch(str(compiled), *values)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = await connection.fetch(str(compiled), *values)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "q": q,
        "needle": needle,
        "matches": rows[0][-1] if rows else 0,
        "index": next((index for index in INDEXES if index in plan), "-"),
        "p50": statistics.median(timings),
        "p99": _percentile(timings, 0.99),
        "plan": plan,
    }


async def run(url: str, customers: int, runs: int, show_plans: bool) -> None:
    connection = await asyncpg.connect(url)
    try:
        shop, other = uuid.uuid4(), uuid.uuid4()
        started = time.perf_counter()
        for vendor, size in ((shop, customers), (other, customers // 10)):
            await connection.execute(VENDOR, vendor, "Bench Flowers", f"bench-{vendor.hex[:8]}")
            await connection.execute(CUSTOMERS, vendor, size, FIRST, LAST)
        await connection.execute("VACUUM ANALYZE customers")
        print(f"seeded {customers} + {customers // 10} customers in {time.perf_counter() - started:.1f} s")
        print(f"{'q':<16} {'needle':<16} {'matches':>8} {'index':>34} {'p50 ms':>8} {'p99 ms':>8}")
        worst = 0.0
        for q in SEARCHES:
            result = await _search(connection, shop, q, runs)
            worst = max(worst, result["p99"])
            print(
                f"{result['q']:<16} {result['needle']:<16} {result['matches']:>8} {result['index']:>34} "
                f"{result['p50']:>8.2f} {result['p99']:>8.2f}"
            )
            if show_plans:
                print(result["plan"])
        print(f"worst p99: {worst:.2f} ms (target: under 20 ms)")
    finally:
        await connection.close()


async def _seed_shop(url: str, vendor: uuid.UUID, customers: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(CUSTOMERS, vendor, customers, FIRST, LAST)
        await connection.execute("VACUUM ANALYZE customers")
    finally:
        await connection.close()


def over_http(url: str, customers: int, runs: int) -> None:
    with redis_prefix() as prefix:
        env = production_env(
            url,
            prefix,
            AUTH_RATE_LIMIT="1000000",
            API_RATE_LIMIT="1000000",
            AUTHENTICATED_RATE_LIMIT="1000000",
        )
        server = start("project", env)
        try:
            wait_ready(server, 60)
            slug = f"bench-{uuid.uuid4().hex[:8]}"
            with httpx.Client(base_url=server.base, timeout=30) as client:
                signup = {
                    "vendor_name": "Bench Flowers",
                    "vendor_slug": slug,
                    "timezone": "Europe/Amsterdam",
                    "currency": "EUR",
                    "country": "NL",
                    "email": f"owner@{slug}.example.com",
                    "password": PASSWORD,
                    "full_name": "Bench Owner",
                }
                created = client.post("/api/auth/signup", json=signup)
                created.raise_for_status()
                vendor = uuid.UUID(created.json()["vendor"]["id"])
                asyncio.run(_seed_shop(url, vendor, customers))
                login = client.post("/api/auth/login", json={"email": signup["email"], "password": PASSWORD})
                login.raise_for_status()
                headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                print(f"\nthrough flower-vendor serve, {customers} customers in the shop, {runs} requests each")
                print(f"{'q':<16} {'total':>8} {'p50 ms':>8} {'p99 ms':>8}")
                worst = 0.0
                for q in SEARCHES:
                    params = {"limit": "50", **({"q": q} if q else {})}
                    answer: dict[str, Any] = {}
                    for _ in range(5):
                        answer = client.get("/api/customers", params=params, headers=headers).json()
                    timings = []
                    for _ in range(runs):
                        started = time.perf_counter()
                        response = client.get("/api/customers", params=params, headers=headers)
                        timings.append((time.perf_counter() - started) * 1000)
                        response.raise_for_status()
                    p99 = _percentile(timings, 0.99)
                    worst = max(worst, p99)
                    print(f"{q:<16} {answer['total']:>8} {statistics.median(timings):>8.2f} {p99:>8.2f}")
                print(f"worst p99 over HTTP: {worst:.2f} ms")
        finally:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--plans", action="store_true", help="print each search's plan")
    parser.add_argument("--http", action="store_true", help="then the same through a real server")
    args = parser.parse_args()
    with throwaway_database() as url:
        asyncio.run(run(url, args.customers, args.runs, args.plans))
        if args.http:
            over_http(url, args.customers, args.runs)


if __name__ == "__main__":
    main()
