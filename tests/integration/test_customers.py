"""Customers against real PostgreSQL: the repository through the use cases, each read one
statement outside a transaction, the search (name, email, phone typed in national format, LIKE
wildcards taken literally), the address book, and one shop never seeing another's customers."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest
from dishka import AsyncContainer
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from application.accounts.signup import SignUp, SignUpCommand
from application.customers.commands import (
    AddAddress,
    AddAddressCommand,
    AddressData,
    CreateCustomer,
    CreateCustomerCommand,
    RemoveAddress,
    UpdateAddress,
    UpdateAddressCommand,
    UpdateCustomer,
    UpdateCustomerCommand,
)
from application.customers.errors import CustomerNotFound
from application.customers.ports import SEARCH_WINDOW
from application.customers.reads import GetCustomer, ListCustomers
from application.customers.views import CustomerOut
from application.shared.context import Principal
from application.shared.pagination import PageRequest
from domain.shared.role import Role
from infrastructure.db.reads import SqlReads
from tests.integration import test_query_services as reads
from tests.integration.test_query_services import PASSWORD, Statements

container = reads.container
statements = reads.statements
HOME = AddressData(name="Marieke", line1="Oudegracht 12", city="Utrecht", postal_code="3511 ab")


async def _shop(container: AsyncContainer, country: str = "NL") -> Principal:
    slug = f"cust-{uuid.uuid4().hex[:8]}"
    async with container() as scope:
        result = await (await scope.get(SignUp)).execute(
            SignUpCommand(
                vendor_name="Rosa Bloom",
                vendor_slug=slug,
                timezone="Europe/Amsterdam",
                currency="EUR",
                country=country,
                email=f"owner@{slug}.example",
                password=PASSWORD,
                full_name="Rosa Owner",
            )
        )
    return Principal(user_id=result.user.id, vendor_id=result.vendor.id, role=Role.STAFF, session_id=uuid.uuid4())


async def _create(container: AsyncContainer, who: Principal, command: CreateCustomerCommand) -> CustomerOut:
    async with container() as scope:
        return await (await scope.get(CreateCustomer)).execute(who, command)


async def _names(container: AsyncContainer, who: Principal, q: str | None) -> list[str]:
    page = await (await container.get(ListCustomers)).execute(who, PageRequest(limit=100), q)
    assert page.total == len(page.items)
    return [row.full_name for row in page.items]


async def test_search_by_name_email_and_phone_in_national_format(container: AsyncContainer) -> None:
    shop = await _shop(container)
    await _create(container, shop, CreateCustomerCommand(full_name="Anna de Vries", phone="06 12345678"))
    await _create(container, shop, CreateCustomerCommand(full_name="Bob Jansen", email="Bob.J@Example.com"))
    await _create(container, shop, CreateCustomerCommand(full_name="Carla 100%_ Smit", phone="+12015550123"))
    assert await _names(container, shop, None) == ["Anna de Vries", "Bob Jansen", "Carla 100%_ Smit"]
    assert await _names(container, shop, "DE VRIES") == ["Anna de Vries"]
    assert await _names(container, shop, "bob.j@example") == ["Bob Jansen"]
    assert await _names(container, shop, "06-1234 5678") == ["Anna de Vries"]  # national: the E.164 number
    assert await _names(container, shop, "+31612345678") == ["Anna de Vries"]
    assert await _names(container, shop, "2015550") == ["Carla 100%_ Smit"]
    assert await _names(container, shop, "100%_") == ["Carla 100%_ Smit"]
    assert await _names(container, shop, "%") == []  # wildcards are literal
    assert await _names(container, shop, "_") == []
    assert await _names(container, shop, "bo") == ["Bob Jansen"]  # two letters: the name's start
    assert await _names(container, shop, "zzz") == []


async def test_the_list_is_in_case_folded_name_order_and_short_searches_match_its_start(
    container: AsyncContainer,
) -> None:
    shop = await _shop(container)
    for name in ("bob Visser", "Anna Bakker", "ÉMILE Smit", "Bea de Wit", "anna Aalders", "Zoë Kok"):
        await _create(container, shop, CreateCustomerCommand(full_name=name))
    assert await _names(container, shop, None) == [
        "anna Aalders",
        "Anna Bakker",
        "Bea de Wit",
        "bob Visser",
        "Zoë Kok",
        "ÉMILE Smit",  # after z: compared by code point, é (U+00E9) after every ASCII letter
    ]
    assert await _names(container, shop, "B") == ["Bea de Wit", "bob Visser"]
    assert await _names(container, shop, "an") == ["anna Aalders", "Anna Bakker"]
    assert await _names(container, shop, "é") == ["ÉMILE Smit"]
    assert await _names(container, shop, "zo") == ["Zoë Kok"]
    assert await _names(container, shop, "zz") == []


_MANY = """
INSERT INTO customers (id, vendor_id, full_name, email, phone, notes, marketing_consent, search_text,
                       created_at, updated_at)
SELECT gen_random_uuid(), :vendor_id, name, email, NULL, '', false, lower(name || ' ' || email), now(), now()
FROM (
  SELECT n, (ARRAY['Sophie', 'Daan', 'Anna', 'Lars'])[1 + n % 4] || ' Number ' || lpad(n::text, 5, '0') AS name,
         'guest' || n || (CASE WHEN n % 3 = 0 THEN '@kpn.nl' ELSE '@example.com' END) AS email
  FROM generate_series(1, :count) AS n
) AS rows
"""


async def test_a_search_answers_its_first_window_of_matches_in_list_order(container: AsyncContainer) -> None:
    """Within ``SEARCH_WINDOW`` a search's page is sorted from its matches; past it, the first
    ``SEARCH_WINDOW`` matches in list order are the answer, a page found by walking the ordered
    index: both agree with a plain filter and sort of every customer, page by page, and ``total``
    and ``truncated`` say how many the pages hold and whether more matched."""
    shop = await _shop(container)
    count = SEARCH_WINDOW + 1200
    engine = await container.get(AsyncEngine)
    async with engine.begin() as connection:
        await connection.execute(text(_MANY), {"vendor_id": shop.vendor_id, "count": count})
        await connection.execute(text("ANALYZE customers"))
    every = sorted(
        (f"{first} number {n:05d} guest{n}{'@kpn.nl' if n % 3 == 0 else '@example.com'}", first, n)
        for n in range(1, count + 1)
        for first in [("sophie", "daan", "anna", "lars")[n % 4]]
    )
    listing = await container.get(ListCustomers)
    searches = (("guest", count), ("example", count - count // 3), ("sophie", count // 4), ("kpn", count // 3))
    assert searches[0][1] > SEARCH_WINDOW >= searches[1][1]  # one search fills the window, the others do not
    for needle, matches in searches:
        matching = [text_ for text_, _, _ in every if needle in text_]
        assert len(matching) == matches
        held = min(matches, SEARCH_WINDOW)
        for offset in (0, 50, held - 10, held - 50):
            page = await listing.execute(shop, PageRequest(limit=100, offset=offset), needle)
            assert (page.total, page.truncated) == (held, matches > SEARCH_WINDOW), (needle, offset)
            names = [row.full_name.casefold() for row in page.items]
            assert names == [text_.split(" guest")[0] for text_ in matching[offset : min(offset + 100, held)]], (
                needle,
                offset,
            )
            assert page.limit == 100  # the limit asked for, though the window cut the page
        for offset in (held, held + 5):
            past = await listing.execute(shop, PageRequest(limit=50, offset=offset), needle)
            assert (past.items, past.total, past.truncated) == ([], held, matches > SEARCH_WINDOW), (needle, offset)
    whole = await listing.execute(shop, PageRequest(limit=1, offset=count - 1), None)
    assert (whole.total, whole.truncated, len(whole.items)) == (count, False, 1)  # the list itself is not cut
    starting = await listing.execute(shop, PageRequest(limit=1), "s")
    assert (starting.total, starting.truncated) == (count // 4, False)  # nor a search of the name's start


async def test_a_us_shop_reads_national_numbers_as_us_ones(container: AsyncContainer) -> None:
    shop = await _shop(container, country="US")
    out = await _create(container, shop, CreateCustomerCommand(full_name="Ann Lee", phone="(201) 555-0123"))
    assert out.phone == "+12015550123"
    assert await _names(container, shop, "201-555-0123") == ["Ann Lee"]


async def test_one_shop_never_sees_another_shops_customers(container: AsyncContainer) -> None:
    mine, theirs = await _shop(container), await _shop(container)
    command = CreateCustomerCommand(full_name="Anna", phone="0612345678", addresses=(HOME,))
    anna = await _create(container, mine, command)
    await _create(container, theirs, CreateCustomerCommand(full_name="Anna Other", phone="0612345678"))
    assert await _names(container, mine, "0612345678") == ["Anna"]
    assert await _names(container, theirs, "anna") == ["Anna Other"]
    get = await container.get(GetCustomer)
    with pytest.raises(CustomerNotFound):
        await get.execute(theirs, anna.id)
    async with container() as scope:
        with pytest.raises(CustomerNotFound):
            await (await scope.get(UpdateCustomer)).execute(
                replace(theirs, role=Role.OWNER), UpdateCustomerCommand(customer_id=anna.id, full_name="Taken")
            )
    async with container() as scope:
        with pytest.raises(CustomerNotFound):
            await (await scope.get(RemoveAddress)).execute(theirs, anna.id, anna.addresses[0].id)
    assert (await get.execute(mine, anna.id)) == anna


async def test_the_address_book_and_changes_are_stored(container: AsyncContainer, statements: Statements) -> None:
    shop = await _shop(container)
    anna = await _create(
        container,
        shop,
        CreateCustomerCommand(full_name="Anna", email="anna@example.com", marketing_consent=True, addresses=(HOME,)),
    )
    home = anna.addresses[0]
    async with container() as scope:
        tom = await (await scope.get(AddAddress)).execute(
            shop,
            AddAddressCommand(
                customer_id=anna.id,
                address=AddressData(
                    name="Tom",
                    line1="10 Downing St",
                    city="London",
                    postal_code="sw1a 2aa",
                    country="GB",
                    phone="020 7946 0018",
                ),
            ),
        )
    async with container() as scope:
        await (await scope.get(UpdateAddress)).execute(
            shop, UpdateAddressCommand(customer_id=anna.id, address_id=home.id, line2="3rd floor")
        )
    async with container() as scope:
        await (await scope.get(UpdateCustomer)).execute(
            shop, UpdateCustomerCommand(customer_id=anna.id, clear_email=True, marketing_consent=False)
        )
    get = await container.get(GetCustomer)
    async with statements.counting():
        stored = await get.execute(shop, anna.id)
    assert len(statements.sent) == 1  # the customer and its address book in one statement
    assert statements.transactions == 0
    assert (stored.email, stored.marketing_consent, stored.marketing_consent_at) == (None, False, None)
    assert [(a.id, a.line2) for a in stored.addresses] == [(home.id, "3rd floor"), (tom.id, "")]
    assert stored.addresses[1].phone == "+442079460018"
    async with container() as scope:
        await (await scope.get(RemoveAddress)).execute(shop, anna.id, home.id)
    assert [a.id for a in (await get.execute(shop, anna.id)).addresses] == [tom.id]
    await asyncio.sleep(0.05)  # the driver's query logger has seen the statement above
    async with statements.counting():
        await (await container.get(ListCustomers)).execute(shop, PageRequest(), "anna")
    assert len(statements.sent) == 1
    assert statements.transactions == 1  # its read-only transaction, for the planner setting (below)


_SETTING = select(
    func.current_setting(literal_column("'enable_seqscan'")),
    func.current_setting(literal_column("'transaction_read_only'")),
    func.current_setting(literal_column("'plan_cache_mode'")),
)


async def test_a_search_is_planned_without_a_table_scan_and_leaves_no_transaction_behind(
    container: AsyncContainer,
) -> None:
    """A search runs with sequential scans ruled out, in a read-only transaction of its own; the
    connection goes back to the pool with neither, also when the search is cancelled mid-flight.
    (``transaction_read_only`` is on only inside the search's own transaction.)"""
    reads = await container.get(SqlReads)
    assert [tuple(row) for row in await reads.rows(_SETTING, {}, search=True)] == [("off", "on", "force_custom_plan")]
    for _ in range(3):
        assert [tuple(row) for row in await reads.rows(_SETTING, {})] == [("on", "off", "auto")]
    engine = await container.get(AsyncEngine)
    slow = asyncio.create_task(reads.rows(select(func.pg_sleep(literal_column("5"))), {}, search=True))
    await asyncio.sleep(0.5)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    for _ in range(engine.pool.size() + 2):  # every pooled connection, the cancelled one's replacement included
        assert [tuple(row) for row in await reads.rows(_SETTING, {})] == [("on", "off", "auto")]
    async with engine.connect() as connection:
        open_transactions = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )
        )
    assert open_transactions == 0


async def test_a_needle_across_spaces_and_punctuation_matches_the_real_text_only(container: AsyncContainer) -> None:
    """The trigram index reads the dense text (separators as q); the real text decides: "a.d"
    never finds an "aqd", nor "aqd" an "a.d"."""
    shop = await _shop(container)
    for name, email in (("Anna de Wit", "anna.dewit@example.com"), ("Aqda Ruis", "aqda@example.com")):
        await _create(container, shop, CreateCustomerCommand(full_name=name, email=email))
    assert await _names(container, shop, "a.d") == ["Anna de Wit"]
    assert await _names(container, shop, "a d") == ["Anna de Wit"]
    assert await _names(container, shop, "aqd") == ["Aqda Ruis"]
    assert await _names(container, shop, "a@e") == ["Aqda Ruis"]
    assert await _names(container, shop, "t@e") == ["Anna de Wit"]
    assert await _names(container, shop, "q@e") == []


async def test_search_uses_the_shops_trigram_index(container: AsyncContainer) -> None:
    engine = await container.get(AsyncEngine)
    async with engine.connect() as connection:
        definition = await connection.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_customers_vendor_search_trgm'")
        )
        collation = await connection.scalar(
            text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'customers' AND column_name = 'search_text'"
            )
        )
    assert definition is not None
    assert "gin (vendor_id, search_dense gin_trgm_ops)" in definition
    assert collation == "C"
