"""The customers reads, open to every role of the shop: one customer, and the list with ``q``."""

from __future__ import annotations

from uuid import UUID

from application.customers.errors import CustomerNotFound
from application.customers.ports import CustomerQueries, CustomerShops
from application.customers.views import CustomerOut, CustomerRowOut
from application.shared.context import Principal
from application.shared.pagination import Page, PageRequest
from domain.customers.contact import phone_or_none
from domain.shared.text import visible_text

MAX_QUERY_LENGTH = 120


class GetCustomer:
    def __init__(self, customers: CustomerQueries) -> None:
        self._customers = customers

    async def execute(self, principal: Principal, customer_id: UUID) -> CustomerOut:
        customer = await self._customers.get(principal.vendor_id, customer_id)
        if customer is None:
            raise CustomerNotFound()
        return customer


class ListCustomers:
    """``q`` matches part of the name, email or phone; a whole phone number typed as dialled in the
    shop's country (``06 12345678``) is looked up as the E.164 number it stands for."""

    def __init__(self, customers: CustomerQueries, shops: CustomerShops) -> None:
        self._customers = customers
        self._shops = shops

    async def execute(self, principal: Principal, page: PageRequest, q: str | None = None) -> Page[CustomerRowOut]:
        needle, phone = None, None
        if q is not None:
            text = " ".join(visible_text(q).split())[:MAX_QUERY_LENGTH]
            if text:
                # Only what could be a phone number costs the shop's country (a second statement).
                country = await self._shops.country(principal.vendor_id) if _has_digits(text) else None
                phone = phone_or_none(text, country) if country else None
                needle = phone or text.casefold()
        return await self._customers.page(principal.vendor_id, page, needle, whole_phone=phone is not None)


def _has_digits(text: str) -> bool:
    return any(char.isdigit() for char in text)
