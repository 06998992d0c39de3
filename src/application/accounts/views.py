"""What the accounts context's reads return: read models, filled straight from one SQL row each by
the query services and sent as they are (msgspec structs, so no mapping between the row and the
response). The write side maps its entities to the same structs with ``of``.

Each struct's ``EXAMPLE`` is one body exactly as a client receives it (JSON types: ids and times as
strings), for the OpenAPI document; the examples tell one story (the shop Rosa Bloom, its owner and
a member of its staff), and a unit test decodes each into its struct so they cannot drift."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import msgspec

from application.shared.security_events import SecurityEvent, SecurityEventKind
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import DEFAULT_CARD_MESSAGE_MAX, Vendor
from domain.shared.role import Role

# The example story's ids, shared by the examples here and by the HTTP bodies that contain them.
EXAMPLE_VENDOR_ID = "0b7e6c1a-5d2f-4e8a-9c3b-7f1d2e4a6b58"
EXAMPLE_OWNER_ID = "5a1f3c9e-8b2d-4f6a-a7c1-3e9b2d4f6a80"
EXAMPLE_MEMBER_ID = "c4d8e2f1-6a3b-4c5d-9e7f-1a2b3c4d5e6f"
EXAMPLE_REQUEST_ID = "3f2c9a7e1b6d4c58a0e9f7b2d1c4a6e8"


def card_message_max(settings: Any) -> int:
    """A shop's card message limit from its stored settings (the default when unset), as ``Vendor``
    reads it."""
    value = settings.get("card_message_max") if isinstance(settings, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_CARD_MESSAGE_MAX


class VendorOut(msgspec.Struct, frozen=True):
    """A shop and its settings."""

    id: UUID
    name: str
    slug: str
    timezone: str
    currency: str
    country: str
    card_message_max: int
    active: bool
    created_at: datetime | None

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_VENDOR_ID,
        "name": "Rosa Bloom",
        "slug": "rosa-bloom",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "country": "NL",
        "card_message_max": DEFAULT_CARD_MESSAGE_MAX,
        "active": True,
        "created_at": "2026-03-02T09:14:05.382614Z",
    }

    @classmethod
    def of(cls, vendor: Vendor) -> VendorOut:
        return cls(
            id=vendor.id,
            name=vendor.name,
            slug=vendor.slug,
            timezone=vendor.timezone,
            currency=vendor.currency,
            country=vendor.country,
            card_message_max=vendor.card_message_max,
            active=vendor.active,
            created_at=vendor.created_at,
        )


class UserOut(msgspec.Struct, frozen=True):
    """A member of a shop's staff."""

    id: UUID
    vendor_id: UUID
    email: str
    full_name: str
    role: Role
    active: bool
    created_at: datetime | None

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_MEMBER_ID,
        "vendor_id": EXAMPLE_VENDOR_ID,
        "email": "mila@rosa-bloom.example",
        "full_name": "Mila Jansen",
        "role": "STAFF",
        "active": True,
        "created_at": "2026-03-02T10:41:37.905113Z",
    }
    # The shop's owner as sign-up answers it (and as the staff list shows them).
    OWNER_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_OWNER_ID,
        "vendor_id": EXAMPLE_VENDOR_ID,
        "email": "owner@rosa-bloom.example",
        "full_name": "Rosa Florist",
        "role": "OWNER",
        "active": True,
        "created_at": "2026-03-02T09:14:05.382614Z",
    }

    @classmethod
    def of(cls, user: StaffUser) -> UserOut:
        return cls(
            id=user.id,
            vendor_id=user.vendor_id,
            email=user.email.value,
            full_name=user.full_name,
            role=user.role,
            active=user.active,
            created_at=user.created_at,
        )


class MeVendorOut(msgspec.Struct, frozen=True):
    """The caller's shop, as a frontend shows it next to the account."""

    id: UUID
    name: str
    slug: str
    timezone: str
    currency: str

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        key: VendorOut.EXAMPLE[key] for key in ("id", "name", "slug", "timezone", "currency")
    }


class MeOut(msgspec.Struct, frozen=True):
    """The caller's own account and its shop."""

    id: UUID
    email: str
    full_name: str
    role: Role
    vendor_id: UUID
    vendor: MeVendorOut

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_OWNER_ID,
        "email": "owner@rosa-bloom.example",
        "full_name": "Rosa Florist",
        "role": "OWNER",
        "vendor_id": EXAMPLE_VENDOR_ID,
        "vendor": MeVendorOut.EXAMPLE,
    }

    @classmethod
    def of(cls, user: StaffUser, vendor: Vendor) -> MeOut:
        return cls(
            id=user.id,
            email=user.email.value,
            full_name=user.full_name,
            role=user.role,
            vendor_id=user.vendor_id,
            vendor=MeVendorOut(
                id=vendor.id, name=vendor.name, slug=vendor.slug, timezone=vendor.timezone, currency=vendor.currency
            ),
        )


class SecurityEventOut(msgspec.Struct, frozen=True):
    """One entry of a shop's audit trail."""

    id: UUID | None
    at: datetime
    kind: SecurityEventKind
    user_id: UUID | None
    client_ip: str
    request_id: str
    detail: dict[str, Any]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": "9d3e7a51-2c4b-4f8e-b6a0-5e1d7c3b9f24",
        "at": "2026-03-02T10:41:37.905113Z",
        "kind": "STAFF_CREATED",
        "user_id": EXAMPLE_OWNER_ID,
        "client_ip": "203.0.113.24",
        "request_id": EXAMPLE_REQUEST_ID,
        "detail": {"target_user_id": EXAMPLE_MEMBER_ID, "role": "STAFF"},
    }
    # An owner's sign-in, as the audit trail records it.
    LOGIN_EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": "e2a4c6b8-1d3f-4a5b-8c7d-9e0f1a2b3c4d",
        "at": "2026-03-02T10:39:12.004871Z",
        "kind": "LOGIN_SUCCEEDED",
        "user_id": EXAMPLE_OWNER_ID,
        "client_ip": "203.0.113.24",
        "request_id": "8b1e4d7a0c3f4e62b9a5d8c1f4e7a0b3",
        "detail": {"session_id": "71c5e9b3-4d2a-4e8f-a1b6-c3d5e7f9a0b2"},
    }

    @classmethod
    def of(cls, event: SecurityEvent) -> SecurityEventOut:
        return cls(
            id=event.id,
            at=event.at,
            kind=event.kind,
            user_id=event.user_id,
            client_ip=event.client_ip,
            request_id=event.request_id,
            detail=dict(event.detail),
        )
