"""Customer search (`GET /api/customers?q=`) at 100,000 customers on PostgreSQL: p50/p99 latency of
the list's real statements (``infrastructure.customers.queries``, first page of 50), and the plan
PostgreSQL chooses. A search anywhere (three characters or more) answers its first
``SEARCH_WINDOW`` (10,000) matches: up to 10,001 are found once, through the shop's trigram GIN
index ``ix_customers_vendor_search_trgm`` (on ``search_dense``, separators written as q) for a
rare needle or by walking the ordered index ``ix_customers_vendor_search`` (stopping at 10,001)
for a common one, counted, and the page is sorted from them or walked off the ordered index;
``matches`` below is that count (10001: the window is full). A one- or two-letter search (the
start of the name) is a range of the ordered index.

A whole phone number is looked up in ``ix_customers_vendor_phone``.

Usage:  ./.venv/bin/python -m scripts.bench_customer_search [--customers 100000] [--runs 300] [--plans] [--http]

Creates a throwaway database (``scripts.benchkit.throwaway_database``) migrated to head, seeds the
shop searched (NL) with ``--customers`` customers (Dutch first and last names, an email and a
mobile number each), another shop as large and a third with a tenth as many, ANALYZEs, then for
each search prints the rows it matches, the indexes its plan uses, and p50/p99 over ``--runs``
executions on one connection: the needle made as ``ListCustomers`` makes it (a national phone
number becomes E.164) and sent as ``SqlReads`` sends it (a search anywhere planned for its needle
on every call and never as a table scan, both set in a read-only transaction around it). Prints figures;
asserts nothing. The issue's target: p99 under 20 ms.

``--http``: the shop searched signs up through a real ``flower-vendor serve`` (production settings,
one worker, limits high enough never to refuse) first; after the statements, each search is
requested ``--runs`` times one after another with httpx (``GET /api/customers?q=...&limit=50``):
the latency a client sees on loopback, token check, rate limit and JSON included. Needs Redis as
the tests do.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
from benchmarks.run import start, stop, wait_ready
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from domain.customers.contact import phone_or_none
from infrastructure.customers.queries import Match, search_params, search_statement
from infrastructure.db.reads import SEARCH_SETTINGS
from scripts.benchkit import production_env, redis_prefix, throwaway_database

PASSWORD = "quiet orchard ladder at dawn"  # noqa: S105 - a throwaway account in a throwaway database

INDEXES = ("ix_customers_vendor_search_trgm", "ix_customers_vendor_search", "ix_customers_vendor_phone")
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
    "ver",  # part of many names (Vera, Vermeulen, de Vries... ): about one in twelve, near the window
    "zoë",  # a first name, its customers together at the end of the list
    "a.d",  # no whole word of three letters: no trigram to look up
    "van ",  # a common name part: about one customer in six
    "+316",  # every mobile number: all of them
    "example",  # every email: all of them
    "an",  # two letters: no whole trigram; matches names starting with them
    "s",  # one letter: about one customer in seven
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
    phone = phone_or_none(q, "NL") if q else None
    needle = (phone or " ".join(q.split()).casefold()) if q else ""
    match, params = search_params(needle, whole_phone=phone is not None)
    compiled = search_statement(match).compile(dialect=asyncpg_dialect.dialect())
    params |= {"vendor_id": shop, "limit": 50, "offset": 0}
    values = [params[name] for name in compiled.positiontup or ()]
    searched = match is Match.CONTAINS
    if searched:
        await connection.execute("SET enable_seqscan = off")
    plan = "\n".join(row[0] for row in await connection.fetch(f"EXPLAIN {compiled}", *values))
    if searched:
        await connection.execute("RESET enable_seqscan")

    async def fetch() -> list[Any]:
        if searched:  # as SqlReads sends a search: planned for its needle, no table scan
            await connection.execute(SEARCH_SETTINGS)
            rows = await connection.fetch(str(compiled), *values)
            await connection.execute("ROLLBACK")
            return rows  # type: ignore[no-any-return]
        return await connection.fetch(str(compiled), *values)  # type: ignore[no-any-return]

    rows: list[Any] = []
    for _ in range(5):  # warm the cache
        rows = await fetch()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = await fetch()
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "q": q,
        "needle": needle,
        "matches": rows[0][-1] if rows else 0,  # a search anywhere: at most one past the window
        "index": "+".join(
            index.removeprefix("ix_customers_") for index in INDEXES if re.search(f"{index}(?![a-z_])", plan)
        )
        or "-",
        "p50": statistics.median(timings),
        "p99": _percentile(timings, 0.99),
        "plan": plan,
    }


async def _seed(url: str, shop: uuid.UUID, customers: int, *, new_shop: bool) -> None:
    """``shop`` gets ``customers`` customers; beside it, another shop as large and a small one
    (the index holds other shops' customers too, as it would in production)."""
    connection = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        others = ((uuid.uuid4(), customers), (uuid.uuid4(), customers // 10))
        for vendor, size in ((shop, customers), *others):
            if new_shop or vendor != shop:
                await connection.execute(VENDOR, vendor, "Bench Flowers", f"bench-{vendor.hex[:8]}")
            await connection.execute(CUSTOMERS, vendor, size, FIRST, LAST)
        await connection.execute("VACUUM ANALYZE customers")
        print(
            f"seeded {customers} customers in the shop searched, {customers} and {customers // 10} in two others, "
            f"in {time.perf_counter() - started:.1f} s"
        )
    finally:
        await connection.close()


async def statements(url: str, shop: uuid.UUID, runs: int, show_plans: bool) -> None:
    connection = await asyncpg.connect(url)
    try:
        print(f"\nthe list's statement alone, {runs} executions each on one connection")
        print(f"{'q':<16} {'needle':<16} {'matches':>8} {'indexes':>32} {'p50 ms':>8} {'p99 ms':>8}")
        worst = 0.0
        for q in SEARCHES:
            result = await _search(connection, shop, q, runs)
            worst = max(worst, result["p99"])
            print(
                f"{result['q']:<16} {result['needle']:<16} {result['matches']:>8} {result['index']:>32} "
                f"{result['p50']:>8.2f} {result['p99']:>8.2f}"
            )
            if show_plans:
                print(result["plan"])
        print(f"worst p99: {worst:.2f} ms (target: under 20 ms)")
    finally:
        await connection.close()


def over_http(url: str, customers: int, runs: int, show_plans: bool) -> None:
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
                asyncio.run(_seed(url, vendor, customers, new_shop=False))
                asyncio.run(statements(url, vendor, runs, show_plans))
                login = client.post("/api/auth/login", json={"email": signup["email"], "password": PASSWORD})
                login.raise_for_status()
                headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                print(f"\nthrough flower-vendor serve (one worker), the same shop, {runs} requests each, one at a time")
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
                print(f"worst p99 over HTTP: {worst:.2f} ms (target: under 20 ms)")
        finally:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--plans", action="store_true", help="print each search's plan")
    parser.add_argument("--http", action="store_true", help="the statements, then the same through a real server")
    args = parser.parse_args()
    with throwaway_database() as url:
        if args.http:
            over_http(url, args.customers, args.runs, args.plans)
        else:
            shop = uuid.uuid4()
            asyncio.run(_seed(url, shop, args.customers, new_shop=True))
            asyncio.run(statements(url, shop, args.runs, args.plans))


if __name__ == "__main__":
    main()
