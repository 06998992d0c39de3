"""The customers context's ports. Every method takes the vendor id and filters by it: another
shop's customer is None, exactly like a missing one."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from application.customers.views import CustomerOut, CustomerRowOut
from application.shared.pagination import Page, PageRequest
from domain.customers.customer import Customer


class CustomerShops(Protocol):
    async def country(self, vendor_id: UUID) -> str | None:
        """The shop's ISO 3166-1 alpha-2 country (national phone numbers are read as dialled there)."""
        ...


class CustomerRepository(Protocol):
    async def add(self, customer: Customer) -> None: ...

    async def get(self, vendor_id: UUID, customer_id: UUID, *, lock: bool = False) -> Customer | None:
        """With its address book; ``lock`` holds the row until the transaction ends."""
        ...

    async def update(self, before: Customer, after: Customer) -> None:
        """Stores ``after`` (and the addresses added, changed or removed since ``before``)."""
        ...


# A search anywhere in the text (three characters or more) answers its first this many matches
# in list order: counting more than that would cost a broad needle ("van ", an email domain) a
# read of every one of the shop's customers on every keystroke. The page says when it stopped.
SEARCH_WINDOW = 10_000


class CustomerQueries(Protocol):
    async def get(self, vendor_id: UUID, customer_id: UUID) -> CustomerOut | None: ...

    async def page(
        self, vendor_id: UUID, page: PageRequest, needle: str | None, *, whole_phone: bool = False
    ) -> Page[CustomerRowOut]:
        """The shop's customers by name; ``needle`` (already case-folded) narrows to those whose
        name, email or phone contains it (one or two characters: whose name starts with them);
        ``whole_phone``: ``needle`` is a whole E.164 number, and the customers with that phone.
        A search anywhere (three characters or more) holds at most ``SEARCH_WINDOW`` customers,
        the first in list order: ``total`` counts them, ``truncated`` says more matched."""
        ...
