"""Customers and their address books, written through the domain (STAFF and up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from uuid import UUID

from application.customers.errors import AddressNotFound, CustomerNotFound
from application.customers.ports import CustomerRepository, CustomerShops
from application.customers.views import CustomerAddressOut, CustomerOut
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import ShopNotFound
from application.shared.unit_of_work import UnitOfWork
from domain.customers.customer import Address, Customer
from domain.shared.errors import Checks
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class AddressData:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str | None = None  # the shop's when left out
    phone: str | None = None
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class CreateCustomerCommand:
    full_name: str
    email: str | None = None
    phone: str | None = None
    notes: str | None = None
    marketing_consent: bool = False
    addresses: tuple[AddressData, ...] = field(default=())


async def _country(shops: CustomerShops, vendor_id: UUID) -> str:
    country = await shops.country(vendor_id)
    if country is None:
        raise ShopNotFound()
    return country


def _address(data: AddressData, shop_country: str, prefix: str = "") -> Address:
    return Address.create(
        name=data.name,
        phone=data.phone,
        line1=data.line1,
        line2=data.line2,
        city=data.city,
        postal_code=data.postal_code,
        country=data.country or shop_country,
        prefix=prefix,
    )


class _Writes:
    def __init__(
        self,
        customers: CustomerRepository,
        shops: CustomerShops,
        authorizer: Authorizer,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._customers = customers
        self._shops = shops
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock

    async def _load(self, principal: Principal, customer_id: UUID) -> Customer:
        customer = await self._customers.get(principal.vendor_id, customer_id, lock=True)
        if customer is None:
            raise CustomerNotFound()
        return customer


class CreateCustomer(_Writes):
    """Callable with plain data (the demo shop seeds through it)."""

    async def execute(self, principal: Principal, command: CreateCustomerCommand) -> CustomerOut:
        await self._authorizer.require(principal, Role.STAFF, "customers.create")
        country = await _country(self._shops, principal.vendor_id)
        checks = Checks()
        addresses = [
            checks.attempt(partial(_address, data, country, prefix=f"addresses[{index}]."))
            for index, data in enumerate(command.addresses)
        ]
        customer = checks.finish(
            lambda: Customer.create(
                vendor_id=principal.vendor_id,
                country=country,
                full_name=command.full_name,
                email=command.email,
                phone=command.phone,
                notes=command.notes,
                marketing_consent=command.marketing_consent,
                addresses=tuple(address for address in addresses if address is not None),
                at=self._clock.now(),
            )
        )
        await self._customers.add(customer)
        await self._uow.commit()
        return CustomerOut.of(customer)


@dataclass(frozen=True, slots=True)
class UpdateCustomerCommand:
    customer_id: UUID
    full_name: str | None = None
    email: str | None = None
    clear_email: bool = False
    phone: str | None = None
    clear_phone: bool = False
    notes: str | None = None
    marketing_consent: bool | None = None


class UpdateCustomer(_Writes):
    async def execute(self, principal: Principal, command: UpdateCustomerCommand) -> CustomerOut:
        await self._authorizer.require(principal, Role.STAFF, "customers.update")
        country = await _country(self._shops, principal.vendor_id)
        customer = await self._load(principal, command.customer_id)
        changed = customer.changed(
            country=country,
            at=self._clock.now(),
            full_name=command.full_name,
            email=command.email,
            clear_email=command.clear_email,
            phone=command.phone,
            clear_phone=command.clear_phone,
            notes=command.notes,
            marketing_consent=command.marketing_consent,
        )
        if changed != customer:
            await self._customers.update(customer, changed)
        await self._uow.commit()
        return CustomerOut.of(changed)


@dataclass(frozen=True, slots=True)
class AddAddressCommand:
    customer_id: UUID
    address: AddressData


class AddAddress(_Writes):
    async def execute(self, principal: Principal, command: AddAddressCommand) -> CustomerAddressOut:
        await self._authorizer.require(principal, Role.STAFF, "customers.address.add")
        country = await _country(self._shops, principal.vendor_id)
        customer = await self._load(principal, command.customer_id)
        address = _address(command.address, country)
        await self._customers.update(customer, customer.with_address(address))
        await self._uow.commit()
        return CustomerAddressOut.of(address)


@dataclass(frozen=True, slots=True)
class UpdateAddressCommand:
    customer_id: UUID
    address_id: UUID
    name: str | None = None
    phone: str | None = None
    clear_phone: bool = False
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None


class UpdateAddress(_Writes):
    async def execute(self, principal: Principal, command: UpdateAddressCommand) -> CustomerAddressOut:
        await self._authorizer.require(principal, Role.STAFF, "customers.address.update")
        customer = await self._load(principal, command.customer_id)
        address = customer.address(command.address_id)
        if address is None:
            raise AddressNotFound()
        changed = address.changed(
            name=command.name,
            phone=command.phone,
            clear_phone=command.clear_phone,
            line1=command.line1,
            line2=command.line2,
            city=command.city,
            postal_code=command.postal_code,
            country=command.country,
        )
        if changed != address:
            await self._customers.update(customer, customer.with_address_replaced(changed))
        await self._uow.commit()
        return CustomerAddressOut.of(changed)


class RemoveAddress(_Writes):
    async def execute(self, principal: Principal, customer_id: UUID, address_id: UUID) -> None:
        await self._authorizer.require(principal, Role.STAFF, "customers.address.remove")
        customer = await self._load(principal, customer_id)
        if customer.address(address_id) is None:
            raise AddressNotFound()
        await self._customers.update(customer, customer.without_address(address_id))
        await self._uow.commit()
