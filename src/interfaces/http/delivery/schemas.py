"""Request and response bodies of the delivery calls. Inputs refuse unknown fields; the bounds here
stop oversized values before any work, ``Rule`` names the domain check a field's value must pass
(``interfaces.http.field_errors``), the use case runs the same check once the body decodes.

``PROBLEM_EXAMPLES`` names, per operation, the refusals of its own use case that the OpenAPI
document shows as problem JSON, each made by the domain code that refuses it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any, ClassVar

import msgspec

from application.delivery.errors import BlackoutDateTaken, BlackoutNotFound, PostalCodeTaken, SlotNotFound, ZoneNotFound
from application.delivery.views import BlackoutOut, SlotOut, ZoneOut
from application.shared.errors import CurrencyNotTheShops, PermissionDenied, ShopNotFound
from domain.delivery.postal import MAX_POSTAL_CODE_LENGTH, normalise_postal_code
from domain.delivery.slot import (
    MAX_CAPACITY,
    BlackoutDate,
    DeliverySlot,
    check_reason,
    check_slot_name,
    parse_hh_mm,
)
from domain.delivery.zone import MAX_ZONE_CODES, DeliveryZone, check_zone_name
from domain.shared.errors import InvalidValue
from domain.shared.money import MAX_AMOUNT_MINOR, Money
from interfaces.http.field_errors import Rule

ZoneName = Annotated[str, msgspec.Meta(max_length=400, examples=["Amsterdam centre"]), Rule(check_zone_name)]
SlotName = Annotated[str, msgspec.Meta(max_length=400, examples=["Morning"]), Rule(check_slot_name)]
PostalCodes = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=40)]],
    msgspec.Meta(
        min_length=1,
        max_length=MAX_ZONE_CODES,
        examples=[["1011*", "1012 AB"]],
        description="codes as the shop's country writes them, or prefixes ending in *",
    ),
]
Weekdays = Annotated[
    list[Annotated[int, msgspec.Meta(ge=1, le=7)]],
    msgspec.Meta(min_length=1, max_length=7, examples=[[1, 2, 3, 4, 5, 6]], description="ISO 1 (Mon) to 7 (Sun)"),
]
Capacity = Annotated[
    int, msgspec.Meta(ge=1, le=MAX_CAPACITY, examples=[12], description="deliveries per date; none: no limit")
]


def _check_time(raw: str, field: str) -> str:
    parse_hh_mm(raw, field)
    return raw


Clock = Annotated[
    str, msgspec.Meta(max_length=5, examples=["09:00"], description="shop-local HH:MM"), Rule(_check_time)
]


class DeliveryMoneyIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    amount_minor: Annotated[
        int, msgspec.Meta(ge=0, le=MAX_AMOUNT_MINOR, examples=[695], description="integer minor units (cents)")
    ]
    currency: Annotated[str, msgspec.Meta(max_length=3, examples=["EUR"], description="the shop's currency")]


class ZoneIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: ZoneName
    postal_codes: PostalCodes
    fee: DeliveryMoneyIn
    min_subtotal: DeliveryMoneyIn | None = None
    active: Annotated[bool, msgspec.Meta(examples=[True])] = True


class ZonePatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: ZoneName | msgspec.UnsetType = msgspec.UNSET
    postal_codes: PostalCodes | msgspec.UnsetType = msgspec.UNSET
    fee: DeliveryMoneyIn | msgspec.UnsetType = msgspec.UNSET
    min_subtotal: DeliveryMoneyIn | msgspec.UnsetType | None = msgspec.UNSET  # null: no minimum any more
    active: Annotated[bool, msgspec.Meta(examples=[False])] | msgspec.UnsetType = msgspec.UNSET


class SlotIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: SlotName
    starts_at: Clock
    ends_at: Annotated[str, msgspec.Meta(max_length=5, examples=["12:00"]), Rule(_check_time)]
    fee: DeliveryMoneyIn
    same_day: Annotated[bool, msgspec.Meta(examples=[True])] = False
    same_day_cutoff: (
        Annotated[
            str,
            msgspec.Meta(max_length=5, examples=["08:00"], description="at or before starts_at"),
            Rule(_check_time),
        ]
        | None
    ) = None
    capacity: Capacity | None = None
    weekdays: Weekdays | None = None


class SlotPatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: SlotName | msgspec.UnsetType = msgspec.UNSET
    starts_at: Clock | msgspec.UnsetType = msgspec.UNSET
    ends_at: Annotated[str, msgspec.Meta(max_length=5, examples=["13:00"]), Rule(_check_time)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    fee: DeliveryMoneyIn | msgspec.UnsetType = msgspec.UNSET
    same_day: Annotated[bool, msgspec.Meta(examples=[True])] | msgspec.UnsetType = msgspec.UNSET
    same_day_cutoff: (  # null: no cutoff (same-day orders until the slot starts)
        Annotated[str, msgspec.Meta(max_length=5, examples=["08:30"]), Rule(_check_time)] | msgspec.UnsetType | None
    ) = msgspec.UNSET
    capacity: Capacity | msgspec.UnsetType | None = msgspec.UNSET  # null: no limit
    weekdays: Weekdays | msgspec.UnsetType | None = msgspec.UNSET  # null: every day
    active: Annotated[bool, msgspec.Meta(examples=[False])] | msgspec.UnsetType = msgspec.UNSET


class BlackoutIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    date: Annotated[date, msgspec.Meta(examples=["2026-12-25"])]
    reason: Annotated[str, msgspec.Meta(max_length=2000, examples=["Christmas Day"]), Rule(check_reason)]


class ZonePage(msgspec.Struct, frozen=True):
    items: list[ZoneOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"items": [ZoneOut.EXAMPLE], "total": 1, "limit": 50, "offset": 0}


class SlotPage(msgspec.Struct, frozen=True):
    items: list[SlotOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"items": [SlotOut.EXAMPLE], "total": 1, "limit": 50, "offset": 0}


class BlackoutPage(msgspec.Struct, frozen=True):
    items: list[BlackoutOut]
    total: Annotated[int, msgspec.Meta(examples=[1])]
    limit: Annotated[int, msgspec.Meta(examples=[50])]
    offset: Annotated[int, msgspec.Meta(examples=[0])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"items": [BlackoutOut.EXAMPLE], "total": 1, "limit": 50, "offset": 0}


def _refused(check: Callable[[], object]) -> InvalidValue:
    """What the domain refuses ``check`` with (every field together, as a command finds them)."""
    try:
        check()
    except InvalidValue as refused:
        return refused
    raise ValueError("the check passed: not an example of a refusal")


def _zone_with_overlapping_codes() -> None:
    DeliveryZone.create(
        vendor_id=msgspec.UNSET,  # type: ignore[arg-type]
        name="Centre",
        postal_codes=["1011*", "1011 AB"],
        fee=Money(695, "EUR"),
        min_subtotal=None,
        country="NL",
    )


def _slot_with_a_late_cutoff() -> None:
    DeliverySlot.create(
        vendor_id=msgspec.UNSET,  # type: ignore[arg-type]
        name="Morning",
        starts_at="09:00",
        ends_at="12:00",
        fee=Money(0, "EUR"),
        same_day=True,
        same_day_cutoff="09:30",
    )


_MANAGERS_ONLY = PermissionDenied("This needs the MANAGER role or above.")
_ZONE_REFUSED = _refused(_zone_with_overlapping_codes)
_SLOT_REFUSED = _refused(_slot_with_a_late_cutoff)
_CURRENCY = CurrencyNotTheShops("fee.currency", "EUR")
_TAKEN = PostalCodeTaken("1011 AB", "1011*", "Amsterdam centre")

PROBLEM_EXAMPLES: Mapping[str, Sequence[Exception]] = {
    "create_delivery_zone": (_ZONE_REFUSED, _MANAGERS_ONLY, ShopNotFound(), _TAKEN, _CURRENCY),
    "get_delivery_zone": (ZoneNotFound(),),
    "update_delivery_zone": (_ZONE_REFUSED, _MANAGERS_ONLY, ZoneNotFound(), _TAKEN, _CURRENCY),
    "delete_delivery_zone": (_MANAGERS_ONLY, ZoneNotFound()),
    "create_delivery_slot": (_SLOT_REFUSED, _MANAGERS_ONLY, ShopNotFound(), _CURRENCY),
    "get_delivery_slot": (SlotNotFound(),),
    "update_delivery_slot": (_SLOT_REFUSED, _MANAGERS_ONLY, SlotNotFound(), _CURRENCY),
    "delete_delivery_slot": (_MANAGERS_ONLY, SlotNotFound()),
    "create_blackout_date": (
        _refused(lambda: BlackoutDate.create(vendor_id=msgspec.UNSET, on=date(2026, 12, 25), reason="<b></b>")),  # type: ignore[arg-type]
        _MANAGERS_ONLY,
        BlackoutDateTaken(),
    ),
    "get_blackout_date": (BlackoutNotFound(),),
    "delete_blackout_date": (_MANAGERS_ONLY, BlackoutNotFound()),
    "check_delivery_availability": (
        _refused(lambda: normalise_postal_code("1011", "NL", "query.postal_code")),
        ShopNotFound(),
    ),
}

MAX_QUERY_POSTAL_CODE = MAX_POSTAL_CODE_LENGTH * 2
