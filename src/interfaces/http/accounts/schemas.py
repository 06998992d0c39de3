"""Request and response bodies. Inputs refuse unknown fields; limits here stop oversized values
before any work, the domain's rules give the precise message."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from application.shared.security_events import SecurityEvent
from domain.accounts.staff_user import StaffUser
from domain.accounts.vendor import Vendor
from domain.shared.role import Role

ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]


class SignupIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    vendor_name: ShortText
    vendor_slug: ShortText
    timezone: ShortText
    currency: ShortText
    country: ShortText
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Secret
    full_name: ShortText


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: Secret


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    refresh_token: Secret


class LogoutIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    refresh_token: Secret | None = None


class ChangePasswordIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    current_password: Secret
    new_password: Secret


class StaffIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    full_name: ShortText
    role: Role
    password: Secret


class StaffPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    role: Role | None = None
    active: bool | None = None


class VendorPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: ShortText | None = None
    timezone: ShortText | None = None
    card_message_max: int | None = None


class VendorOut(msgspec.Struct, frozen=True):
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


class SignupOut(msgspec.Struct, frozen=True):
    vendor: VendorOut
    user: UserOut


class TokensOut(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    refresh_expires_in: int


class MeOut(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    full_name: str
    role: Role
    vendor_id: UUID


class StaffPage(msgspec.Struct, frozen=True):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class SecurityEventOut(msgspec.Struct, frozen=True):
    id: UUID | None
    at: datetime
    kind: str
    user_id: UUID | None
    client_ip: str
    request_id: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: SecurityEvent) -> SecurityEventOut:
        return cls(
            id=event.id,
            at=event.at,
            kind=event.kind.value,
            user_id=event.user_id,
            client_ip=event.client_ip,
            request_id=event.request_id,
            detail=dict(event.detail),
        )


class SecurityEventPage(msgspec.Struct, frozen=True):
    items: list[SecurityEventOut]
    total: int
    limit: int
    offset: int
