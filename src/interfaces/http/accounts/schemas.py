"""Request and response bodies. Inputs refuse unknown fields; limits here stop oversized values
before any work, the domain's rules give the precise message.

``Rule`` names the domain check the use case runs on a field (the same function, not a copy), so
that a body refused for its shape also lists what those checks refuse of its well-typed values
(``interfaces.http.field_errors``). A body that decodes is checked by the use case alone. Only
checks that are pure and cheap are named: the common-password list, the shop's name and slug of a
new staff member's or a password change's context, and uniqueness are the use case's alone.

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
    ShopNotFound,
    TooManyAttempts,
)
from domain.accounts.password import PasswordContext, check_password_policy, too_common
from domain.accounts.staff_user import LastOwnerError, check_full_name
from domain.accounts.vendor import (
    check_card_message_max,
    check_country,
    check_currency,
    check_slug,
    check_timezone,
    check_vendor_name,
)
from domain.shared.email import Email
from domain.shared.errors import Checks, InvalidValue
from domain.shared.role import Role
from interfaces.http.browser_sessions import (
    COOKIE_WITHOUT_HEADER,
    ORIGIN_NOT_LISTED,
    CookieModeDisabled,
    CsrfRejected,
)
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
    role: Role | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class VendorPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: Annotated[ShortText, Rule(check_vendor_name)] | msgspec.UnsetType = msgspec.UNSET
    timezone: Annotated[ShortText, Rule(check_timezone)] | msgspec.UnsetType = msgspec.UNSET
    card_message_max: Annotated[int, Rule(check_card_message_max)] | msgspec.UnsetType = msgspec.UNSET


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
# Cookie mode's refusals (interfaces.http.browser_sessions), on the four calls that take it.
_COOKIE_MODE_REFUSALS = (CsrfRejected(ORIGIN_NOT_LISTED), CookieModeDisabled())

PROBLEM_EXAMPLES: Mapping[str, Sequence[Exception]] = {
    "signup": (
        _refused((check_slug, "Rosa Bloom!"), (check_timezone, "Amsterdam")),
        _refused((check_password_policy, "roses")),
        EmailTaken(),
        SlugTaken(),
        *_COOKIE_MODE_REFUSALS,
    ),
    "login": (InvalidCredentials(), _THROTTLED, *_COOKIE_MODE_REFUSALS),
    "refresh": (InvalidRefreshToken(), CsrfRejected(COOKIE_WITHOUT_HEADER), *_COOKIE_MODE_REFUSALS),
    "logout": (NothingToLogOut(), CsrfRejected(COOKIE_WITHOUT_HEADER), *_COOKIE_MODE_REFUSALS),
    "change_password": (too_common("new_password"), CurrentPasswordIncorrect(), _THROTTLED),
    "get_vendor": (ShopNotFound(),),
    "update_vendor": (_refused((check_card_message_max, 0)), _OWNERS_ONLY, ShopNotFound()),
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
