"""The customer repository: the customer and its address book in and out as domain entities,
written with Core statements in the request's session (the caller's unit of work commits)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customers.customer import Address, Customer
from infrastructure.customers.models import CustomerAddressModel, CustomerModel
from infrastructure.db.errors import application_errors

_customers: Table = CustomerModel.__table__  # type: ignore[assignment]
_addresses: Table = CustomerAddressModel.__table__  # type: ignore[assignment]


def _customer_values(customer: Customer) -> dict[str, Any]:
    return {
        "full_name": customer.full_name,
        "email": customer.email,
        "phone": customer.phone,
        "notes": customer.notes,
        "marketing_consent": customer.marketing_consent,
        "marketing_consent_at": customer.marketing_consent_at,
        "search_text": customer.search_text,
    }


def _address_values(address: Address, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "name": address.name,
        "phone": address.phone,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postal_code": address.postal_code,
        "country": address.country,
    }


class SqlCustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, customer: Customer) -> None:
        now = customer.created_at or datetime.now(UTC)
        with application_errors():
            await self._session.execute(
                insert(_customers).values(
                    id=customer.id,
                    vendor_id=customer.vendor_id,
                    created_at=now,
                    updated_at=now,
                    **_customer_values(customer),
                )
            )
            await self._insert_addresses(customer, customer.addresses, 0, now)

    async def _insert_addresses(
        self, customer: Customer, addresses: tuple[Address, ...] | list[Address], first: int, now: datetime
    ) -> None:
        if not addresses:
            return
        await self._session.execute(
            insert(_addresses),
            [
                {
                    "id": address.id,
                    "vendor_id": customer.vendor_id,
                    "customer_id": customer.id,
                    "created_at": now,
                    "updated_at": now,
                    **_address_values(address, first + index),
                }
                for index, address in enumerate(addresses)
            ],
        )

    async def get(self, vendor_id: UUID, customer_id: UUID, *, lock: bool = False) -> Customer | None:
        statement = select(_customers).where(_customers.c.vendor_id == vendor_id, _customers.c.id == customer_id)
        if lock:
            statement = statement.with_for_update()
        with application_errors():
            row = (await self._session.execute(statement)).one_or_none()
            if row is None:
                return None
            lines = (
                await self._session.execute(
                    select(_addresses)
                    .where(_addresses.c.vendor_id == vendor_id, _addresses.c.customer_id == customer_id)
                    .order_by(_addresses.c.position, _addresses.c.id)
                )
            ).all()
        return Customer(
            id=row.id,
            vendor_id=row.vendor_id,
            full_name=row.full_name,
            email=row.email,
            phone=row.phone,
            notes=row.notes,
            marketing_consent=row.marketing_consent,
            marketing_consent_at=row.marketing_consent_at,
            addresses=tuple(
                Address(
                    id=line.id,
                    name=line.name,
                    phone=line.phone,
                    line1=line.line1,
                    line2=line.line2,
                    city=line.city,
                    postal_code=line.postal_code,
                    country=line.country,
                )
                for line in lines
            ),
            created_at=row.created_at,
        )

    async def update(self, before: Customer, after: Customer) -> None:
        now = datetime.now(UTC)
        of_customer = (_customers.c.vendor_id == after.vendor_id, _customers.c.id == after.id)
        with application_errors():
            await self._session.execute(
                update(_customers).where(*of_customer).values(updated_at=now, **_customer_values(after))
            )
            kept = {address.id: address for address in before.addresses}
            now_ids = {address.id for address in after.addresses}
            gone = [key for key in kept if key not in now_ids]
            if gone:
                await self._session.execute(
                    delete(_addresses).where(
                        _addresses.c.vendor_id == after.vendor_id,
                        _addresses.c.customer_id == after.id,
                        _addresses.c.id.in_(gone),
                    )
                )
            added = [address for address in after.addresses if address.id not in kept]
            for address in after.addresses:
                old = kept.get(address.id)
                if old is not None and old != address:
                    values = _address_values(address, 0)
                    del values["position"]
                    await self._session.execute(
                        update(_addresses)
                        .where(
                            _addresses.c.vendor_id == after.vendor_id,
                            _addresses.c.customer_id == after.id,
                            _addresses.c.id == address.id,
                        )
                        .values(updated_at=now, **values)
                    )
            if added:
                # Positions only grow: a new address goes after every one ever kept.
                last = await self._session.scalar(
                    select(_addresses.c.position)
                    .where(_addresses.c.vendor_id == after.vendor_id, _addresses.c.customer_id == after.id)
                    .order_by(_addresses.c.position.desc())
                    .limit(1)
                )
                await self._insert_addresses(after, added, (last or 0) + 1, now)
