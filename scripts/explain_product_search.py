"""The product list's text search (`GET /api/products?q=`) at 100,000 products: the plan PostgreSQL
chooses for the list's real statement and how long it takes, to show the trigram index serves it.

Usage:
    uv run python scripts/explain_product_search.py [--products 100000] [--runs 7]

It creates a throwaway database on the server named by ``BENCH_DATABASE_ADMIN_URL`` (default: the
local PostgreSQL), migrates it to head, seeds one shop with ``--products`` products (flower names
and words mixed, one variant each with its SKU and a recipe of three of twenty stock items with
lots) and a second shop with a tenth as many, ANALYZEs,
then for a few searches prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the statement the query service
sends (``infrastructure.catalog.queries``, the `q` filter, sorted by name, first page of 20) and the
median time of ``--runs`` executions (and, for comparison, with bitmap scans switched off); then
the time of the first page sorted by margin, which computes every product's margin. It
exits non-zero when a plan does not use ``ix_products_search_text_trgm``, and drops the database
at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.engine import make_url

from application.catalog.ports import ProductSort
from infrastructure.catalog.queries import _page_statement
from infrastructure.db import migrations
from infrastructure.db.like import like_pattern

ADMIN_URL = os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
INDEX = "ix_products_search_text_trgm"
SEARCHES = ("peony", "blush sunset", "sku-004217", "zzz-nothing")

FLOWERS = "Rose Tulip Lily Peony Orchid Ranunculus Hydrangea Carnation Freesia Gerbera Anemone Dahlia Lisianthus"
WORDS = "Blush Sunset Garden Meadow Velvet Ivory Coral Amber Wild Spring Autumn Midnight Pastel Golden Harbour"

SEED = """
INSERT INTO vendors (id, name, slug, timezone, currency, country, settings, active, created_at, updated_at)
VALUES ($1, $2, $3, 'Europe/Amsterdam', 'EUR', 'NL', '{}', true, now(), now());
"""
PRODUCTS = """
WITH rows AS (
  SELECT n,
         (string_to_array($3, ' '))[1 + n % 13] || ' ' || (string_to_array($4, ' '))[1 + (n / 13) % 15]
           || ' ' || (string_to_array($4, ' '))[1 + (n / 195) % 15] || ' no. ' || n AS name,
         'Hand-tied with seasonal foliage, ' || (string_to_array($3, ' '))[1 + (n * 7) % 13]
           || ' and more.' AS description,
         'SKU-' || lpad(n::text, 6, '0') AS sku,
         gen_random_uuid() AS id
  FROM generate_series(1, $2) AS n
), products AS (
  INSERT INTO products (id, vendor_id, name, kind, description, occasions, active, search_text, created_at, updated_at)
  SELECT id, $1, name, 'BOUQUET', description, '["Birthday"]'::jsonb, true,
         lower(name || E'\\n' || description || E'\\n' || sku), now() - (n || ' seconds')::interval, now()
  FROM rows
  RETURNING id
)
INSERT INTO product_variants
  (id, vendor_id, product_id, position, name, sku, price_minor, currency, created_at, updated_at)
SELECT gen_random_uuid(), $1, rows.id, 0, 'Standard', rows.sku, 2500 + rows.n % 4000, 'EUR', now(), now()
FROM rows JOIN products ON products.id = rows.id;
"""


# Twenty stock items with two lots each, and three recipe lines per variant: what the margin sort costs.
STOCK = """
INSERT INTO stock_items (id, vendor_id, name, kind, tracking, shelf_life_days, reorder_level, on_hand, reserved,
                         created_at, updated_at)
SELECT gen_random_uuid(), $1, 'Item ' || n, 'STEM', 'STRICT', 7, 0, 300, 0, now(), now()
FROM generate_series(1, 20) AS n;
INSERT INTO stock_lots (id, vendor_id, stock_item_id, quantity, on_hand, reserved, unit_cost_minor, currency,
                        received_on, expires_on, created_at, updated_at)
SELECT gen_random_uuid(), i.vendor_id, i.id, 150, 150, 0, 50 + lot * 10, 'EUR', current_date, current_date + 7,
       now(), now()
FROM stock_items AS i, generate_series(1, 2) AS lot WHERE i.vendor_id = $1;
"""
RECIPES = """
WITH items AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM stock_items WHERE vendor_id = $1),
     variants AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM product_variants WHERE vendor_id = $1)
INSERT INTO recipe_lines (id, vendor_id, product_id, variant_id, position, stock_item_id, quantity)
SELECT gen_random_uuid(), $1, v.product_id, v.id, line, items.id, 1 + (variants.n + line) % 9
FROM variants JOIN product_variants AS v ON v.id = variants.id, generate_series(0, 2) AS line
JOIN items ON TRUE
WHERE items.k = (variants.n * 3 + line) % 20;
"""


async def _margin_sort(connection: asyncpg.Connection, vendor: uuid.UUID, runs: int) -> None:
    """Not part of the index check: how long the first page sorted by margin takes at this size."""
    statement, _ = _page_statement((False, False, False, False), ProductSort.MARGIN)
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    params: dict[str, Any] = {"vendor_id": vendor, "limit": 20, "offset": 0}
    values = [params[name] for name in compiled.positiontup or ()]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await connection.fetch(str(compiled), *values)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"\n=== sort=margin, first page of 20: median {statistics.median(timings):.2f} ms over {runs} runs")
    if os.environ.get("SHOW_MARGIN_PLAN"):
        plan = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", *values)
        print("\n".join(row[0] for row in plan))


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _seed(connection: asyncpg.Connection, vendor: uuid.UUID, slug: str, products: int) -> None:
    await connection.execute(SEED, vendor, slug.title(), slug)
    await connection.execute(PRODUCTS, vendor, products, FLOWERS, WORDS)
    await connection.execute(STOCK.split(";", maxsplit=1)[0], vendor)
    await connection.execute(STOCK.split(";")[1], vendor)
    await connection.execute(RECIPES, vendor)


async def _explain(connection: asyncpg.Connection, vendor: uuid.UUID, q: str, runs: int) -> bool:
    statement, _ = _page_statement((False, False, False, True), ProductSort.NAME)
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    params: dict[str, Any] = {"vendor_id": vendor, "pattern": like_pattern(q.casefold()), "limit": 20, "offset": 0}
    values = [params[name] for name in compiled.positiontup or ()]
    plan = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", *values)
    text = "\n".join(row[0] for row in plan)
    timings = []
    rows: list[Any] = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = await connection.fetch(str(compiled), *values)
        timings.append((time.perf_counter() - started) * 1000)
    total = rows[0][-1] if rows else 0
    # The same statement with bitmap scans off: what the index saves (a sequential scan instead).
    await connection.execute("SET enable_bitmapscan = off")
    scans = []
    for _ in range(runs):
        started = time.perf_counter()
        # Its own text, so asyncpg prepares it afresh (a statement prepared before keeps its plan).
        await connection.fetch(f"/* without the index */ {compiled}", *values)
        scans.append((time.perf_counter() - started) * 1000)
    await connection.execute("RESET enable_bitmapscan")
    print(
        f"\n=== q={q!r}: {total} matching products, median {statistics.median(timings):.2f} ms over {runs} runs"
        f" (without the index: {statistics.median(scans):.2f} ms)"
    )
    print(text)
    return INDEX in text


async def main(products: int, runs: int) -> int:
    name = f"fv_search_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_dsn(ADMIN_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(migrations.upgrade, migrations.alembic_config(url))  # alembic runs its own loop
        connection = await asyncpg.connect(_dsn(url))
        try:
            shop, other = uuid.uuid4(), uuid.uuid4()
            started = time.perf_counter()
            await _seed(connection, shop, f"search-{shop.hex[:8]}", products)
            await _seed(connection, other, f"other-{other.hex[:8]}", max(products // 10, 1))
            await connection.execute("ANALYZE")
            print(f"seeded {products} + {max(products // 10, 1)} products in {time.perf_counter() - started:.1f} s")
            used = [await _explain(connection, shop, q, runs) for q in SEARCHES]
            await _margin_sort(connection, shop, runs)
        finally:
            await connection.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    if not all(used):
        print(f"\nFAIL: {INDEX} unused for {[q for q, ok in zip(SEARCHES, used, strict=True) if not ok]}")
        return 1
    print(f"\nOK: every search used {INDEX}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.products, arguments.runs)))
