"""Request and response bodies. Inputs refuse unknown fields; limits here stop oversized values
before any work, the domain's rules give the precise message.

Examples for the OpenAPI document: request fields carry ``Meta(examples=...)``; a response body's
``EXAMPLE`` is the whole body as sent (see ``application.accounts.views``); ``PROBLEM_EXAMPLES``
names, per operation, the refusals of its own that the document shows as problem JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, ClassVar

import msgspec

from application.accounts.errors import CurrentPasswordIncorrect, EmailTaken, SlugTaken
from application.accounts.logout import NothingToLogOut
from application.accounts.views import SecurityEventOut, UserOut, VendorOut
from application.shared.errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from domain.accounts.password import check_password_policy, too_common
from domain.accounts.staff_user import LastOwnerError
from domain.accounts.vendor import check_card_message_max, check_slug, check_timezone
from domain.shared.errors import Checks, InvalidValue
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
    refresh_token: Annotated[str, msgspec.Meta(examples=["fvr_3q9Zk8VvH0Yp5bqk6y4W2mJr1cT7xL0aQe9uN8sDfGo"])]
    token_type: Annotated[str, msgspec.Meta(examples=["Bearer"])]
    expires_in: Annotated[int, msgspec.Meta(examples=[900], description="seconds the access token is good for")]
    refresh_expires_in: Annotated[
        int, msgspec.Meta(examples=[604800], description="seconds the refresh token is good for")
    ]


def _from_field_examples(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """A body made of its fields' first ``Meta`` examples (``TokensOut``'s, so the pair that sign-up
    answers is the one documented for login)."""
    body: dict[str, Any] = {}
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    for field in info.fields:
        kinds = field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else (field.type,)
        for kind in kinds:
            if isinstance(kind, msgspec.inspect.Metadata) and (kind.extra_json_schema or {}).get("examples"):
                body[field.encode_name] = kind.extra_json_schema["examples"][0]  # type: ignore[index]
                break
    return body


class SignupOut(msgspec.Struct, frozen=True):
    vendor: VendorOut
    user: UserOut
    tokens: TokensOut  # the owner is logged in: the same pair a login answers

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "vendor": VendorOut.EXAMPLE,
        "user": UserOut.OWNER_EXAMPLE,
        "tokens": _from_field_examples(TokensOut),
    }


class StaffPage(msgspec.Struct, frozen=True):
    items: list[UserOut]
    total: int
    limit: int
    offset: int

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "items": [UserOut.OWNER_EXAMPLE, UserOut.EXAMPLE],
        "total": 2,
        "limit": 50,
        "offset": 0,
    }


class SecurityEventPage(msgspec.Struct, frozen=True):
    items: list[SecurityEventOut]
    total: int
    limit: int
    offset: int

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "items": [SecurityEventOut.EXAMPLE, SecurityEventOut.LOGIN_EXAMPLE],  # newest first
        "total": 7,
        "limit": 2,
        "offset": 0,
    }


def _refused(*checks: tuple[Callable[[Any], Any], Any]) -> InvalidValue:
    """What the domain's own checks refuse these values with, all together as a command finds them."""
    found = Checks()
    for check, value in checks:
        found.run(check, value)
    try:
        found.raise_any()
    except InvalidValue as refused:
        return refused
    raise ValueError("every value passed its check: not an example of a refusal")


# Refusals an operation answers beyond those every operation of its kind can give (the OpenAPI
# document shows each as the problem JSON the server sends for it), by handler name.
_NO_SUCH_MEMBER = NotFound("No staff member with this id.")
_MANAGERS_ONLY = PermissionDenied("This needs the MANAGER role or above.")
_OWNERS_ONLY = PermissionDenied("This needs the OWNER role or above.")
_THROTTLED = TooManyAttempts(retry_after=300)
PROBLEM_EXAMPLES: Mapping[str, Sequence[Exception]] = {
    "signup": (
        _refused((check_slug, "Rosa Bloom!"), (check_timezone, "Amsterdam")),
        _refused((check_password_policy, "roses")),
        EmailTaken(),
        SlugTaken(),
    ),
    "login": (InvalidCredentials(), _THROTTLED),
    "refresh": (InvalidRefreshToken(),),
    "logout": (NothingToLogOut(),),
    "change_password": (too_common("new_password"), CurrentPasswordIncorrect(), _THROTTLED),
    "get_vendor": (NotFound("No such shop."),),
    "update_vendor": (_refused((check_card_message_max, 0)), _OWNERS_ONLY, NotFound("No such shop.")),
    "list_staff": (_MANAGERS_ONLY,),
    "get_staff": (_MANAGERS_ONLY, _NO_SUCH_MEMBER),
    "create_staff": (_refused((check_password_policy, "mila")), _MANAGERS_ONLY, EmailTaken()),
    "update_staff": (
        _MANAGERS_ONLY,
        PermissionDenied("A MANAGER may not manage OWNER accounts."),
        _NO_SUCH_MEMBER,
        LastOwnerError(),
    ),
    "list_events": (_OWNERS_ONLY,),
}
