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
    vendor_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Rosa Bloom"])]
    vendor_slug: Annotated[str, msgspec.Meta(max_length=200, examples=["rosa-bloom"])]
    timezone: Annotated[str, msgspec.Meta(max_length=200, examples=["Europe/Amsterdam"])]
    currency: Annotated[str, msgspec.Meta(max_length=200, examples=["EUR"])]
    country: Annotated[str, msgspec.Meta(max_length=200, examples=["NL"])]
    email: Annotated[str, msgspec.Meta(max_length=320, examples=["owner@rosa-bloom.example"])]
    password: Annotated[str, msgspec.Meta(max_length=1024, examples=["peonies and lilacs in may"])]
    full_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Rosa Florist"])]


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
    new_password: Annotated[str, msgspec.Meta(max_length=1024, examples=["tulips after the frost"])]


class ProfilePatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    full_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Rosa de Vries"])]


class StaffIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    email: Annotated[str, msgspec.Meta(max_length=320, examples=["mila@rosa-bloom.example"])]
    full_name: Annotated[str, msgspec.Meta(max_length=200, examples=["Mila Jansen"])]
    role: Role
    password: Annotated[str, msgspec.Meta(max_length=1024, examples=["sunflowers by the door"])]


class StaffPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    role: Role | None = None
    active: bool | None = None


class VendorPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: ShortText | None = None
    timezone: ShortText | None = None
    card_message_max: int | None = None


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
