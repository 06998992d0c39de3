"""The read pattern against real PostgreSQL: every read is exactly one SQL statement, sent without
a transaction (no BEGIN, no ROLLBACK), tenant-filtered in the statement, and answers what the
write side stored. Statements are counted as they reach the driver (see ``statements``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from dishka import AsyncContainer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from application.accounts.create_staff import CreateStaff, CreateStaffCommand
from application.accounts.list_security_events import ListSecurityEvents
from application.accounts.list_staff import GetStaffMember, ListStaff
from application.accounts.ports import SecurityEventQueries, StaffFilter, StaffQueries, StaffSort, VendorQueries
from application.accounts.signup import SignUp, SignUpCommand, SignUpResult
from application.accounts.update_staff import UpdateStaff, UpdateStaffCommand
from application.accounts.who_am_i import WhoAmI
from application.shared.context import Principal
from application.shared.errors import PermissionDenied
from application.shared.pagination import PageRequest
from application.shared.security_events import SecurityEventKind
from domain.shared.role import Role
from infrastructure.config import load_settings
from infrastructure.di.container import make_container

PASSWORD = "peonies and lilacs"


@dataclass
class Statements:
    sent: list[str] = field(default_factory=list)
    transactions: int = 0

    @asynccontextmanager
    async def counting(self) -> AsyncIterator[Statements]:
        self.sent.clear()
        self.transactions = 0
        yield self
        for _ in range(3):  # asyncpg calls its query loggers soon after a query, not during it
            await asyncio.sleep(0)


@pytest.fixture
async def container(service_environ: dict[str, str]) -> AsyncIterator[AsyncContainer]:
    container = make_container(load_settings(service_environ))
    yield container
    await container.close()


@pytest.fixture
async def statements(container: AsyncContainer) -> Statements:
    """Counts what reaches PostgreSQL: statements sent through SQLAlchemy (prepared by its asyncpg
    adapter) and statements sent straight to the asyncpg connection (its query logger), with
    BEGIN, COMMIT and ROLLBACK counted apart as transactions."""
    seen = Statements()
    engine = await container.get(AsyncEngine)
    watched: set[int] = set()

    def through_sqlalchemy(*args: Any) -> None:
        seen.sent.append(str(args[2]))

    def on_driver(query: Any) -> None:
        first = query.query.split(None, 1)[0].rstrip(";").upper()
        if first == "BEGIN":
            seen.transactions += 1
        elif first not in ("COMMIT", "ROLLBACK"):
            seen.sent.append(query.query)

    def on_checkout(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        if id(driver) not in watched:
            watched.add(id(driver))
            driver.add_query_logger(on_driver)

    event.listen(engine.sync_engine, "before_cursor_execute", through_sqlalchemy)
    event.listen(engine.sync_engine, "checkout", on_checkout)
    return seen


async def _shop(container: AsyncContainer, slug: str, staff: int = 0) -> tuple[SignUpResult, Principal]:
    async with container() as scope:
        result = await (await scope.get(SignUp)).execute(
            SignUpCommand(
                vendor_name=slug.title(),
                vendor_slug=slug,
                timezone="Europe/Amsterdam",
                currency="EUR",
                country="NL",
                email=f"owner@{slug}.example",
                password=PASSWORD,
                full_name="Rosa Owner",
            )
        )
    owner = Principal(user_id=result.user.id, vendor_id=result.vendor.id, role=Role.OWNER, session_id=uuid.uuid4())
    for n in range(staff):
        async with container() as scope:
            await (await scope.get(CreateStaff)).execute(
                owner,
                CreateStaffCommand(
                    email=f"staff{n}@{slug}.example", full_name=f"Staff {n}", role=Role.STAFF, password=PASSWORD
                ),
            )
    return result, owner


async def test_each_read_is_one_statement_without_a_transaction(
    container: AsyncContainer, statements: Statements
) -> None:
    shop, _ = await _shop(container, f"rosa-{uuid.uuid4().hex[:8]}", staff=4)
    other, _ = await _shop(container, f"tulip-{uuid.uuid4().hex[:8]}", staff=2)
    staff = await container.get(StaffQueries)
    vendors = await container.get(VendorQueries)
    events = await container.get(SecurityEventQueries)

    async with statements.counting():
        page = await staff.page(shop.vendor.id, PageRequest(limit=3, offset=0))
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert "count(*) OVER ()" in statements.sent[0]
    assert (len(page.items), page.total) == (3, 5)  # the owner and four staff: the other shop's are not counted
    assert all(member.vendor_id == shop.vendor.id for member in page.items)
    assert page.items[0].id == shop.user.id  # oldest first
    assert page.items[0].role is Role.OWNER

    async with statements.counting():
        me = await staff.me(shop.vendor.id, shop.user.id)
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert me is not None
    assert (me.id, me.email, me.role) == (shop.user.id, shop.user.email.value, Role.OWNER)
    async with statements.counting():
        assert await staff.me(other.vendor.id, shop.user.id) is None  # another shop's id: nobody
    assert len(statements.sent) == 1

    async with statements.counting():
        vendor = await vendors.get(shop.vendor.id)
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert vendor is not None
    assert (vendor.slug, vendor.card_message_max) == (shop.vendor.slug, 200)

    async with statements.counting():
        trail = await events.page(shop.vendor.id, PageRequest(limit=50, offset=0))
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    kinds = [e.kind for e in trail.items]
    assert kinds.count(SecurityEventKind.STAFF_CREATED) == 4
    assert kinds[-1] is SecurityEventKind.SIGNUP
    assert trail.total == len(trail.items) == 5

    async with statements.counting():
        everyone = await vendors.page(PageRequest(limit=100, offset=0))
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert everyone.total >= 2
    newest = await vendors.page(PageRequest(limit=2, offset=everyone.total - 2))  # oldest first: ours come last
    assert {v.id for v in newest.items} == {shop.vendor.id, other.vendor.id}


async def test_a_page_past_the_end_still_tells_the_total(container: AsyncContainer, statements: Statements) -> None:
    shop, _ = await _shop(container, f"iris-{uuid.uuid4().hex[:8]}", staff=1)
    staff = await container.get(StaffQueries)
    async with statements.counting():
        page = await staff.page(shop.vendor.id, PageRequest(limit=10, offset=10))
    assert (list(page.items), page.total) == ([], 2)
    assert len(statements.sent) == 2  # only here a second statement counts
    assert statements.transactions == 0


async def test_read_use_cases_run_without_a_request_scope(container: AsyncContainer, statements: Statements) -> None:
    """Read use cases come from the app scope; a refused read records its denial in a short
    transaction of its own, and the read itself runs no statement."""
    shop, owner = await _shop(container, f"lily-{uuid.uuid4().hex[:8]}", staff=1)
    who_am_i = await container.get(WhoAmI)
    list_staff = await container.get(ListStaff)
    async with statements.counting():
        me = await who_am_i.execute(owner)
        page = await list_staff.execute(owner, PageRequest(limit=20))
    assert me.id == owner.user_id
    assert page.total == 2
    assert len(statements.sent) == 2
    assert statements.transactions == 0

    staff_member = Principal(user_id=uuid.uuid4(), vendor_id=shop.vendor.id, role=Role.STAFF, session_id=uuid.uuid4())
    async with statements.counting():
        with pytest.raises(PermissionDenied):
            await (await container.get(ListSecurityEvents)).execute(staff_member, PageRequest())
    assert statements.transactions == 1  # the denial's own short transaction, nothing else
    assert [s.split()[0] for s in statements.sent] == ["INSERT"]
    trail = await (await container.get(SecurityEventQueries)).page(shop.vendor.id, PageRequest())
    denial = trail.items[0]
    assert denial.kind is SecurityEventKind.PERMISSION_DENIED
    assert denial.detail == {"action": "security_events.list", "role": "STAFF", "required": "OWNER"}


async def test_me_names_the_shop_in_the_same_statement(container: AsyncContainer, statements: Statements) -> None:
    shop, _ = await _shop(container, f"aster-{uuid.uuid4().hex[:8]}")
    staff = await container.get(StaffQueries)
    async with statements.counting():
        me = await staff.me(shop.vendor.id, shop.user.id)
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert " JOIN vendors " in statements.sent[0]
    assert me is not None
    assert (me.vendor.id, me.vendor.name, me.vendor.slug, me.vendor.timezone, me.vendor.currency) == (
        shop.vendor.id,
        shop.vendor.name,
        shop.vendor.slug,
        "Europe/Amsterdam",
        "EUR",
    )


async def test_one_member_is_one_statement_filtered_by_shop(container: AsyncContainer, statements: Statements) -> None:
    shop, owner = await _shop(container, f"dahlia-{uuid.uuid4().hex[:8]}", staff=1)
    other, _ = await _shop(container, f"fern-{uuid.uuid4().hex[:8]}")
    staff = await container.get(StaffQueries)
    async with statements.counting():
        member = await staff.get(shop.vendor.id, shop.user.id)
    assert len(statements.sent) == 1
    assert statements.transactions == 0
    assert "users.vendor_id = $" in statements.sent[0]
    assert member is not None
    assert (member.id, member.vendor_id, member.role, member.active) == (shop.user.id, shop.vendor.id, Role.OWNER, True)
    async with statements.counting():
        assert await staff.get(other.vendor.id, shop.user.id) is None  # another shop's member: nobody
        assert await staff.get(shop.vendor.id, uuid.uuid4()) is None
    assert len(statements.sent) == 2
    found = await (await container.get(GetStaffMember)).execute(owner, shop.user.id)
    assert found.email == shop.user.email.value


async def test_the_staff_list_filters_and_sorts_in_one_statement(
    container: AsyncContainer, statements: Statements
) -> None:
    slug = f"orchid-{uuid.uuid4().hex[:8]}"
    shop, owner = await _shop(container, slug)
    names = {"zoe": Role.STAFF, "Adam": Role.MANAGER, "bea": Role.STAFF, "Carl": Role.DRIVER}
    ids: dict[str, uuid.UUID] = {}
    for name, role in names.items():
        async with container() as scope:
            created = await (await scope.get(CreateStaff)).execute(
                owner,
                CreateStaffCommand(
                    email=f"{name.lower()}@{slug}.example", full_name=name, role=role, password=PASSWORD
                ),
            )
        ids[name] = created.id
    async with container() as scope:
        await (await scope.get(UpdateStaff)).execute(owner, UpdateStaffCommand(user_id=ids["bea"], active=False))
    other, other_owner = await _shop(container, f"moss-{uuid.uuid4().hex[:8]}", staff=2)
    staff = await container.get(StaffQueries)

    async def names_of(where: StaffFilter, page: PageRequest | None = None) -> tuple[list[str], int]:
        async with statements.counting():
            listed = await staff.page(shop.vendor.id, page or PageRequest(), where)
        assert len(statements.sent) == 1
        assert statements.transactions == 0
        assert "count(*) OVER ()" in statements.sent[0]
        assert all(member.vendor_id == shop.vendor.id for member in listed.items)
        return [member.full_name for member in listed.items], listed.total

    assert await names_of(StaffFilter(role=Role.STAFF)) == (["zoe", "bea"], 2)
    assert await names_of(StaffFilter(active=False)) == (["bea"], 1)
    assert await names_of(StaffFilter(active=True, role=Role.STAFF)) == (["zoe"], 1)
    assert await names_of(StaffFilter(sort=StaffSort.NAME)) == (["Adam", "bea", "Carl", "Rosa Owner", "zoe"], 5)
    assert await names_of(StaffFilter(sort=StaffSort.NAME_DESC)) == (["zoe", "Rosa Owner", "Carl", "bea", "Adam"], 5)
    assert await names_of(StaffFilter(sort=StaffSort.CREATED_AT)) == (["Rosa Owner", "zoe", "Adam", "bea", "Carl"], 5)
    assert await names_of(StaffFilter(sort=StaffSort.CREATED_AT_DESC)) == (
        ["Carl", "bea", "Adam", "zoe", "Rosa Owner"],
        5,
    )
    assert await names_of(StaffFilter(active=True, sort=StaffSort.NAME), PageRequest(limit=2, offset=1)) == (
        ["Carl", "Rosa Owner"],
        4,
    )
    # The other shop's staff match the same filter but are never counted.
    async with statements.counting():
        other_staff = await staff.page(other.vendor.id, PageRequest(), StaffFilter(role=Role.STAFF))
    assert other_staff.total == 2
    # Past the end of a filtered list: the filtered count, by a second statement.
    async with statements.counting():
        past = await staff.page(shop.vendor.id, PageRequest(limit=5, offset=50), StaffFilter(role=Role.STAFF))
    assert (list(past.items), past.total) == ([], 2)
    assert len(statements.sent) == 2
    listed = await (await container.get(ListStaff)).execute(owner, PageRequest(), StaffFilter(role=Role.DRIVER))
    assert [m.id for m in listed.items] == [ids["Carl"]]
    assert other_owner.vendor_id != owner.vendor_id
