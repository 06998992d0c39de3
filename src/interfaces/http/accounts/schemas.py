"""Request and response bodies. Inputs refuse unknown fields; limits here stop oversized values
before any work, the domain's rules give the precise message."""

from __future__ import annotations

from typing import Annotated

import msgspec

from application.accounts.views import SecurityEventOut, UserOut, VendorOut
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


class ProfilePatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    full_name: ShortText


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


class TokensOut(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    refresh_expires_in: int


class SignupOut(msgspec.Struct, frozen=True):
    vendor: VendorOut
    user: UserOut
    tokens: TokensOut  # the owner is logged in: the same pair a login answers


class StaffPage(msgspec.Struct, frozen=True):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class SecurityEventPage(msgspec.Struct, frozen=True):
    items: list[SecurityEventOut]
    total: int
    limit: int
    offset: int
