"""The customers use cases over in-memory fakes (``tests/unit/customer_fakes.py``)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from application.customers.commands import (
    AddAddressCommand,
    AddressData,
    CreateCustomerCommand,
    UpdateAddressCommand,
    UpdateCustomerCommand,
)
from application.customers.errors import AddressNotFound, CustomerNotFound
from application.shared.errors import PermissionDenied, ShopNotFound
from application.shared.pagination import PageRequest
from application.shared.security_events import SecurityEventKind
from domain.shared.errors import InvalidValue, InvalidValues
from domain.shared.role import Role
from tests.unit.customer_fakes import CustomerWorld

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
HOME = AddressData(name="Marieke", line1="Oudegracht 12", city="Utrecht", postal_code="3511 ab")


@pytest.fixture
def world() -> CustomerWorld:
    world = CustomerWorld()
    world.clock.set(AT)
    return world


async def test_create_with_plain_data_reads_phones_in_the_shops_country(world: CustomerWorld) -> None:
    staff = world.shop(Role.STAFF, country="US")
    out = await world.create.execute(
        staff,
        CreateCustomerCommand(
            full_name="Ann Lee",
            email="ann@example.com",
            phone="(201) 555-0123",
            marketing_consent=True,
            addresses=(HOME, replace(HOME, country="NL", phone="06 12345678")),
        ),
    )
    assert (out.phone, out.marketing_consent_at, out.created_at) == ("+12015550123", AT, AT)
    assert [a.country for a in out.addresses] == ["US", "NL"]  # the shop's when left out
    assert out.addresses[1].phone == "+31612345678"
    assert world.repo.customers[out.id].vendor_id == staff.vendor_id
    assert world.uow.commits == 1


async def test_every_bad_field_is_reported_and_nothing_is_stored(world: CustomerWorld) -> None:
    staff = world.shop()
    with pytest.raises(InvalidValues) as refused:
        await world.create.execute(
            staff,
            CreateCustomerCommand(
                full_name="",
                phone="06 1",
                addresses=(HOME, replace(HOME, postal_code="", phone="0000")),
            ),
        )
    assert {p.field for p in refused.value.problems} == {
        "full_name",
        "phone",
        "addresses[1].postal_code",
        "addresses[1].phone",
    }
    assert world.repo.customers == {}


async def test_drivers_write_nothing_and_the_refusal_is_recorded(world: CustomerWorld) -> None:
    staff = world.shop(Role.STAFF)
    customer = await world.create.execute(staff, CreateCustomerCommand(full_name="Anna"))
    driver = replace(staff, role=Role.DRIVER, user_id=uuid.uuid4())
    with pytest.raises(PermissionDenied):
        await world.create.execute(driver, CreateCustomerCommand(full_name="X"))
    with pytest.raises(PermissionDenied):
        await world.update.execute(driver, UpdateCustomerCommand(customer_id=customer.id, full_name="X"))
    with pytest.raises(PermissionDenied):
        await world.add_address.execute(driver, AddAddressCommand(customer_id=customer.id, address=HOME))
    assert [c.full_name for c in world.repo.customers.values()] == ["Anna"]
    assert world.repo.customers[customer.id].addresses == ()
    denials = [e.detail["action"] for e in world.events.events if e.kind is SecurityEventKind.PERMISSION_DENIED]
    assert denials == ["customers.create", "customers.update", "customers.address.add"]


async def test_another_shops_customer_is_not_found(world: CustomerWorld) -> None:
    mine = world.shop()
    theirs = world.shop(Role.OWNER)
    customer = await world.create.execute(mine, CreateCustomerCommand(full_name="Anna", addresses=(HOME,)))
    address_id = customer.addresses[0].id
    with pytest.raises(CustomerNotFound):
        await world.update.execute(theirs, UpdateCustomerCommand(customer_id=customer.id, full_name="X"))
    with pytest.raises(CustomerNotFound):
        await world.remove_address.execute(theirs, customer.id, address_id)
    with pytest.raises(AddressNotFound):
        await world.remove_address.execute(mine, customer.id, uuid.uuid4())
    with pytest.raises(AddressNotFound):
        await world.update_address.execute(mine, UpdateAddressCommand(customer_id=customer.id, address_id=uuid.uuid4()))
    assert world.repo.customers[customer.id].full_name == "Anna"
    gone = replace(mine, vendor_id=uuid.uuid4())
    with pytest.raises(ShopNotFound):
        await world.create.execute(gone, CreateCustomerCommand(full_name="X"))


async def test_updates_stamp_consent_and_clear_fields(world: CustomerWorld) -> None:
    staff = world.shop()
    customer = await world.create.execute(
        staff, CreateCustomerCommand(full_name="Anna", email="anna@example.com", phone="0612345678")
    )
    world.clock.advance(days=2)
    out = await world.update.execute(
        staff, UpdateCustomerCommand(customer_id=customer.id, clear_email=True, marketing_consent=True, notes="VIP")
    )
    assert (out.email, out.phone, out.notes) == (None, "+31612345678", "VIP")
    assert out.marketing_consent_at == AT + timedelta(days=2)
    out = await world.update.execute(staff, UpdateCustomerCommand(customer_id=customer.id, marketing_consent=False))
    assert out.marketing_consent_at is None
    with pytest.raises(InvalidValue) as refused:
        await world.update.execute(staff, UpdateCustomerCommand(customer_id=customer.id, phone="+999"))
    assert refused.value.field == "phone"


async def test_the_address_book_through_its_use_cases(world: CustomerWorld) -> None:
    staff = world.shop()
    customer = await world.create.execute(staff, CreateCustomerCommand(full_name="Anna"))
    added = await world.add_address.execute(staff, AddAddressCommand(customer_id=customer.id, address=HOME))
    other = await world.add_address.execute(
        staff, AddAddressCommand(customer_id=customer.id, address=replace(HOME, name="Tom"))
    )
    changed = await world.update_address.execute(
        staff, UpdateAddressCommand(customer_id=customer.id, address_id=added.id, phone="030 1234567")
    )
    assert changed.phone == "+31301234567"
    await world.remove_address.execute(staff, customer.id, added.id)
    kept = world.repo.customers[customer.id].addresses
    assert [a.id for a in kept] == [other.id]


async def test_a_phone_typed_nationally_is_searched_as_e164(world: CustomerWorld) -> None:
    staff = world.shop()
    anna = await world.create.execute(staff, CreateCustomerCommand(full_name="Anna", phone="+31612345678"))
    await world.create.execute(staff, CreateCustomerCommand(full_name="Bob", email="BOB@example.com"))
    page = await world.list.execute(staff, PageRequest(), "06 12345678")
    assert [row.id for row in page.items] == [anna.id]
    assert (world.queries.needles[-1], world.queries.whole_phones[-1]) == ("+31612345678", True)
    page = await world.list.execute(staff, PageRequest(), "612345")  # part of a number: anywhere
    assert [row.id for row in page.items] == [anna.id]
    assert (world.queries.needles[-1], world.queries.whole_phones[-1]) == ("612345", False)
    page = await world.list.execute(staff, PageRequest(), "  BOB@\u200b ")
    assert [row.full_name for row in page.items] == ["Bob"]
    assert (world.queries.needles[-1], world.queries.whole_phones[-1]) == ("bob@", False)
    assert (await world.list.execute(staff, PageRequest(), " \u200b ")).total == 2
    assert world.queries.needles[-1] is None
    assert (await world.list.execute(world.shop(), PageRequest(), "anna")).total == 0
