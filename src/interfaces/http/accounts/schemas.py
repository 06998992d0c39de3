"""Request and response bodies. Inputs refuse unknown fields; limits here stop oversized values
before any work, the domain's rules give the precise message.

``Rule`` names the domain check the use case runs on a field (the same function, not a copy), so
that a body refused for its shape also lists what those checks refuse of its well-typed values
(``interfaces.http.field_errors``). A body that decodes is checked by the use case alone. Only
checks that are pure and cheap are named: the common-password list, the shop's name and slug of a
new staff member's or a password change's context, and uniqueness are the use case's alone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from application.accounts.views import SecurityEventOut, UserOut, VendorOut
from domain.accounts.password import PasswordContext, check_password_policy
from domain.accounts.staff_user import check_full_name
from domain.accounts.vendor import (
    check_card_message_max,
    check_country,
    check_currency,
    check_slug,
    check_timezone,
    check_vendor_name,
)
from domain.shared.email import Email
from domain.shared.role import Role
from interfaces.http.field_errors import Rule

ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]


def _signup_password_context(fields: Mapping[str, Any]) -> PasswordContext:
    """What sign-up gives the password policy: the owner's email and the new shop's name and slug."""
    return PasswordContext(
        email=fields.get("email"), shop_name=fields.get("vendor_name"), shop_slug=fields.get("vendor_slug")
    )


def _staff_password_context(fields: Mapping[str, Any]) -> PasswordContext:
    """A new staff member's email (the shop's name and slug are the use case's to add)."""
    return PasswordContext(email=fields.get("email"))


class SignupIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    vendor_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Rosa Bloom"]), Rule(check_vendor_name)]
    vendor_slug: Annotated[str, msgspec.Meta(max_length=200, examples=["rosa-bloom"]), Rule(check_slug)]
    timezone: Annotated[str, msgspec.Meta(max_length=200, examples=["Europe/Amsterdam"]), Rule(check_timezone)]
    currency: Annotated[str, msgspec.Meta(max_length=200, examples=["EUR"]), Rule(check_currency)]
    country: Annotated[str, msgspec.Meta(max_length=200, examples=["NL"]), Rule(check_country)]
    email: Annotated[str, msgspec.Meta(max_length=320, examples=["owner@rosa-bloom.example"]), Rule(Email.parse)]
    password: Annotated[
        str,
        msgspec.Meta(max_length=1024, examples=["peonies and lilacs in may"]),
        Rule(check_password_policy, context=_signup_password_context),
    ]
    full_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Rosa Florist"]), Rule(check_full_name)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    email: Annotated[str, msgspec.Meta(max_length=320, examples=["owner@rosa-bloom.example"])]
    password: Annotated[str, msgspec.Meta(max_length=1024, examples=["peonies and lilacs in may"])]


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The JSON-token mode's body; cookie mode sends none (the cookie carries the token)."""

    refresh_token: Secret


class LogoutIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    refresh_token: Secret | None = None


class ChangePasswordIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    current_password: Annotated[str, msgspec.Meta(max_length=1024, examples=["peonies and lilacs in may"])]
    new_password: Annotated[
        str, msgspec.Meta(max_length=1024, examples=["tulips after the frost"]), Rule(check_password_policy)
    ]


class ProfilePatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    full_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Rosa de Vries"]), Rule(check_full_name)]


class StaffIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    email: Annotated[str, msgspec.Meta(max_length=320, examples=["mila@rosa-bloom.example"]), Rule(Email.parse)]
    full_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Mila Jansen"]), Rule(check_full_name)]
    role: Role
    password: Annotated[
        str,
        msgspec.Meta(max_length=1024, examples=["sunflowers by the door"]),
        Rule(check_password_policy, context=_staff_password_context),
    ]


class StaffPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    role: Role | None = None
    active: bool | None = None


class VendorPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: Annotated[ShortText, Rule(check_vendor_name)] | None = None
    timezone: Annotated[ShortText, Rule(check_timezone)] | None = None
    card_message_max: Annotated[int, Rule(check_card_message_max)] | None = None


class TokensOut(msgspec.Struct, frozen=True):
    access_token: Annotated[str, msgspec.Meta(examples=["eyJhbGciOiJIUzI1NiIsImtpZCI6IjFjN2Q0In0.eyJzdWIiOi..."])]
    refresh_token: Annotated[
        str | None,
        msgspec.Meta(
            examples=["fvr_3q9Zk8VvH0Yp5bqk6y4W2mJr1cT7xL0aQe9uN8sDfGo"],
            description="null in cookie mode (`X-Session-Mode: cookie`): the HttpOnly cookie carries it",
        ),
    ]
    token_type: Annotated[str, msgspec.Meta(examples=["Bearer"])]
    expires_in: Annotated[int, msgspec.Meta(examples=[900], description="seconds the access token is good for")]
    refresh_expires_in: Annotated[
        int, msgspec.Meta(examples=[604800], description="seconds the refresh token is good for")
    ]


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
