"""What the customers context's reads return: msgspec structs filled straight from SQL rows by the
query services; the write side maps its entities to the same structs with ``of``.

Each ``EXAMPLE`` is one body exactly as a client receives it, for the OpenAPI document: Rosa
Bloom (NL) keeps Anna de Vries, who sends flowers to her mother in Utrecht."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from domain.customers.customer import Address, Customer

EXAMPLE_CUSTOMER_ID = "0f8d1b8e-2c52-4d5e-9a3c-6b1f0e7a9d21"
EXAMPLE_ADDRESS_ID = "6c0f3c9a-8e1d-4b7a-a5d2-3f9e8b1c7a44"
_AT = "2026-12-01T09:30:12.487311Z"


class CustomerAddressOut(msgspec.Struct, frozen=True):
    """A recipient in a customer's address book."""

    id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_ADDRESS_ID])]
    name: Annotated[str, msgspec.Meta(examples=["Marieke de Vries"])]
    phone: Annotated[str | None, msgspec.Meta(examples=["+31301234567"], description="E.164")]
    line1: Annotated[str, msgspec.Meta(examples=["Oudegracht 12"])]
    line2: Annotated[str, msgspec.Meta(examples=["3rd floor"])]
    city: Annotated[str, msgspec.Meta(examples=["Utrecht"])]
    postal_code: Annotated[str, msgspec.Meta(examples=["3511 AB"])]
    country: Annotated[str, msgspec.Meta(examples=["NL"], description="ISO 3166-1 alpha-2")]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_ADDRESS_ID,
        "name": "Marieke de Vries",
        "phone": "+31301234567",
        "line1": "Oudegracht 12",
        "line2": "3rd floor",
        "city": "Utrecht",
        "postal_code": "3511 AB",
        "country": "NL",
    }

    @classmethod
    def of(cls, address: Address) -> CustomerAddressOut:
        return cls(
            address.id,
            address.name,
            address.phone,
            address.line1,
            address.line2,
            address.city,
            address.postal_code,
            address.country,
        )


_ID = msgspec.Meta(examples=[EXAMPLE_CUSTOMER_ID])
_NAME = msgspec.Meta(examples=["Anna de Vries"])
_EMAIL = msgspec.Meta(examples=["anna@example.com"])
_PHONE = msgspec.Meta(examples=["+31612345678"], description="E.164")
_CONSENT = msgspec.Meta(examples=[True])
_CONSENT_AT = msgspec.Meta(examples=[_AT], description="when consent was given; null without consent")
_CREATED = msgspec.Meta(examples=[_AT])


class CustomerRowOut(msgspec.Struct, frozen=True):
    """A customer in a list (the address book is the single customer's read)."""

    id: Annotated[UUID, _ID]
    full_name: Annotated[str, _NAME]
    email: Annotated[str | None, _EMAIL]
    phone: Annotated[str | None, _PHONE]
    marketing_consent: Annotated[bool, _CONSENT]
    created_at: Annotated[datetime, _CREATED]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_CUSTOMER_ID,
        "full_name": "Anna de Vries",
        "email": "anna@example.com",
        "phone": "+31612345678",
        "marketing_consent": True,
        "created_at": _AT,
    }


class CustomerOut(msgspec.Struct, frozen=True):
    id: Annotated[UUID, _ID]
    full_name: Annotated[str, _NAME]
    email: Annotated[str | None, _EMAIL]
    phone: Annotated[str | None, _PHONE]
    notes: Annotated[str, msgspec.Meta(examples=["Prefers white flowers.\nNo lilies (cat)."])]
    marketing_consent: Annotated[bool, _CONSENT]
    marketing_consent_at: Annotated[datetime | None, _CONSENT_AT]
    addresses: list[CustomerAddressOut]
    created_at: Annotated[datetime, _CREATED]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_CUSTOMER_ID,
        "full_name": "Anna de Vries",
        "email": "anna@example.com",
        "phone": "+31612345678",
        "notes": "Prefers white flowers.\nNo lilies (cat).",
        "marketing_consent": True,
        "marketing_consent_at": _AT,
        "addresses": [CustomerAddressOut.EXAMPLE],
        "created_at": _AT,
    }

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        assert customer.created_at is not None
        return cls(
            customer.id,
            customer.full_name,
            customer.email,
            customer.phone,
            customer.notes,
            customer.marketing_consent,
            customer.marketing_consent_at,
            [CustomerAddressOut.of(address) for address in customer.addresses],
            customer.created_at,
        )
