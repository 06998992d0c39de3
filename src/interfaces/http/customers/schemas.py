"""Request and response bodies of the customer calls. Inputs refuse unknown fields; the bounds here
stop oversized values before any work, ``Rule`` names the domain check a field's value must pass
(``interfaces.http.field_errors``); the use case runs the same checks once the body decodes.

Phones are checked against the shop's country by the use case (a national number needs it), so
they carry no ``Rule``; an impossible one is still a 400 naming the field."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, ClassVar

import msgspec

from application.customers.errors import AddressNotFound, CustomerNotFound
from application.customers.views import CustomerRowOut
from application.shared.errors import PermissionDenied, ShopNotFound
from domain.customers.contact import MAX_PHONE_INPUT_LENGTH, check_country, check_email, check_phone
from domain.customers.customer import MAX_ADDRESSES, check_full_name, check_notes, check_postal_code
from domain.shared.errors import InvalidValue
from interfaces.http.field_errors import Rule

FullName = Annotated[str, msgspec.Meta(max_length=400, examples=["Anna de Vries"]), Rule(check_full_name)]
Email = Annotated[str, msgspec.Meta(max_length=400, examples=["anna@example.com"]), Rule(check_email)]
Phone = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_PHONE_INPUT_LENGTH,
        examples=["06 12345678"],
        description="E.164 (+31612345678) or as dialled in the shop's country; answered as E.164",
    ),
]
Notes = Annotated[
    str, msgspec.Meta(max_length=8000, examples=["Prefers white flowers.\nNo lilies (cat)."]), Rule(check_notes)
]
Consent = Annotated[bool, msgspec.Meta(examples=[True], description="consent to marketing; stamped when given")]
RecipientName = Annotated[str, msgspec.Meta(max_length=400, examples=["Marieke de Vries"]), Rule(check_full_name)]
Line = Annotated[str, msgspec.Meta(max_length=800, examples=["Oudegracht 12"])]
Line2 = Annotated[str, msgspec.Meta(max_length=800, examples=["3rd floor"])]
City = Annotated[str, msgspec.Meta(max_length=400, examples=["Utrecht"])]
PostalCode = Annotated[str, msgspec.Meta(max_length=64, examples=["3511 AB"]), Rule(check_postal_code)]
Country = Annotated[
    str,
    msgspec.Meta(max_length=2, examples=["NL"], description="ISO 3166-1 alpha-2; the shop's when left out"),
    Rule(check_country),
]
RecipientPhone = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_PHONE_INPUT_LENGTH,
        examples=["030 1234567"],
        description="E.164 or as dialled in the address's country; answered as E.164",
    ),
]


class AddressIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: RecipientName
    line1: Line
    city: City
    postal_code: PostalCode
    country: Country | None = None
    phone: RecipientPhone | None = None
    line2: Line2 | None = None


class AddressPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The fields to change; ``phone: null`` removes the phone."""

    name: RecipientName | msgspec.UnsetType = msgspec.UNSET
    line1: Line | msgspec.UnsetType = msgspec.UNSET
    line2: Line2 | msgspec.UnsetType = msgspec.UNSET
    city: City | msgspec.UnsetType = msgspec.UNSET
    postal_code: PostalCode | msgspec.UnsetType = msgspec.UNSET
    country: Country | msgspec.UnsetType = msgspec.UNSET
    phone: RecipientPhone | msgspec.UnsetType | None = msgspec.UNSET


class CustomerIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    full_name: FullName
    email: Email | None = None
    phone: Phone | None = None
    notes: Notes | None = None
    marketing_consent: Consent = False
    addresses: Annotated[list[AddressIn], msgspec.Meta(max_length=MAX_ADDRESSES)] = []


class CustomerPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The fields to change; ``email: null`` or ``phone: null`` removes them; the address book
    changes through ``/addresses``."""

    full_name: FullName | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET
    marketing_consent: Consent | msgspec.UnsetType = msgspec.UNSET


class CustomerPage(msgspec.Struct, frozen=True):
    """The list envelope, and ``truncated``: a search of three characters or more answers its
    first ``SEARCH_WINDOW`` (10,000) matches in list order (``total`` counts those); true when
    more matched."""

    items: list[CustomerRowOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]
    truncated: Annotated[bool, msgspec.Meta(examples=[False])] = False

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "items": [CustomerRowOut.EXAMPLE],
        "total": 1,
        "limit": 50,
        "offset": 0,
        "truncated": False,
    }


def _refused(check: Callable[[], object]) -> InvalidValue:
    try:
        check()
    except InvalidValue as refused:
        return refused
    raise ValueError("the check passed: not an example of a refusal")


_STAFF_ONLY = PermissionDenied("This needs the STAFF role or above.")
_BAD_PHONE = _refused(lambda: check_phone("06 1234", "NL"))
_BAD_EMAIL = _refused(lambda: check_email("anna@"))
_BAD_POSTAL = _refused(lambda: check_postal_code(" \u200b "))

PROBLEM_EXAMPLES: Mapping[str, Sequence[Exception]] = {
    "get_customer": (CustomerNotFound(),),
    "create_customer": (_BAD_PHONE, _BAD_EMAIL, _STAFF_ONLY),
    "update_customer": (_BAD_PHONE, _BAD_EMAIL, _STAFF_ONLY, CustomerNotFound(), ShopNotFound()),
    "add_customer_address": (_BAD_POSTAL, _STAFF_ONLY, CustomerNotFound(), ShopNotFound()),
    "update_customer_address": (_BAD_POSTAL, _STAFF_ONLY, CustomerNotFound(), AddressNotFound()),
    "remove_customer_address": (_STAFF_ONLY, CustomerNotFound(), AddressNotFound()),
}
