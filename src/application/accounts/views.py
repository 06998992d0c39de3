"""What the accounts context's reads return: read models, filled straight from one SQL row each by
the query services and sent as they are (msgspec structs, so no mapping between the row and the
response). The write side maps its entities to the same structs with ``of``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from application.shared.security_events import SecurityEvent, SecurityEventKind
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import DEFAULT_CARD_MESSAGE_MAX, Vendor
from domain.shared.role import Role


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


class MeOut(msgspec.Struct, frozen=True):
    """The caller's own account and its shop."""

    id: UUID
    email: str
    full_name: str
    role: Role
    vendor_id: UUID
    vendor: MeVendorOut

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
