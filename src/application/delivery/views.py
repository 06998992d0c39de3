"""What the delivery reads return: msgspec structs filled from SQL rows by the query services; the
write side maps its entities to the same structs with ``of``. Examples tell one story: the shop
Rosa Bloom (EUR, Europe/Amsterdam) on 2026-12-01."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from domain.delivery.slot import BlackoutDate, DeliverySlot, hh_mm
from domain.delivery.timing import SlotAvailability, Unavailable
from domain.delivery.zone import DeliveryZone
from domain.shared.money import Money

EXAMPLE_ZONE_ID = "0b9d5c1e-7b53-4a47-9a0c-3c1f3f0e8a11"
EXAMPLE_SLOT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
EXAMPLE_BLACKOUT_ID = "c3a1b2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
_AT = msgspec.Meta(examples=["2026-12-01T09:30:12.487311Z"])
HhMm = Annotated[str, msgspec.Meta(examples=["09:00"], description="shop-local HH:MM")]


class DeliveryMoneyOut(msgspec.Struct, frozen=True):
    amount_minor: Annotated[int, msgspec.Meta(examples=[695], description="integer minor units (cents)")]
    currency: Annotated[str, msgspec.Meta(examples=["EUR"])]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {"amount_minor": 695, "currency": "EUR"}

    @classmethod
    def of(cls, money: Money) -> DeliveryMoneyOut:
        return cls(money.amount_minor, money.currency)


class ZoneOut(msgspec.Struct, frozen=True):
    id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_ZONE_ID])]
    name: Annotated[str, msgspec.Meta(examples=["Amsterdam centre"])]
    postal_codes: Annotated[list[str], msgspec.Meta(examples=[["1011*", "1012 AB"]])]
    fee: DeliveryMoneyOut
    min_subtotal: DeliveryMoneyOut | None
    active: Annotated[bool, msgspec.Meta(examples=[True])]
    created_at: Annotated[datetime | None, _AT]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_ZONE_ID,
        "name": "Amsterdam centre",
        "postal_codes": ["1011*", "1012 AB"],
        "fee": DeliveryMoneyOut.EXAMPLE,
        "min_subtotal": {"amount_minor": 2500, "currency": "EUR"},
        "active": True,
        "created_at": "2026-12-01T08:02:41.118204Z",
    }

    @classmethod
    def of(cls, zone: DeliveryZone) -> ZoneOut:
        return cls(
            zone.id,
            zone.name,
            list(zone.postal_codes),
            DeliveryMoneyOut.of(zone.fee),
            DeliveryMoneyOut.of(zone.min_subtotal) if zone.min_subtotal is not None else None,
            zone.active,
            zone.created_at,
        )


class SlotOut(msgspec.Struct, frozen=True):
    id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_SLOT_ID])]
    name: Annotated[str, msgspec.Meta(examples=["Morning"])]
    starts_at: HhMm
    ends_at: Annotated[str, msgspec.Meta(examples=["12:00"])]
    weekdays: Annotated[
        list[int] | None, msgspec.Meta(examples=[[1, 2, 3, 4, 5, 6]], description="ISO 1-7; null: daily")
    ]
    fee: DeliveryMoneyOut
    same_day: Annotated[bool, msgspec.Meta(examples=[True])]
    same_day_cutoff: Annotated[str | None, msgspec.Meta(examples=["08:00"])]
    capacity: Annotated[int | None, msgspec.Meta(examples=[12], description="deliveries per date; null: no limit")]
    active: Annotated[bool, msgspec.Meta(examples=[True])]
    created_at: Annotated[datetime | None, _AT]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_SLOT_ID,
        "name": "Morning",
        "starts_at": "09:00",
        "ends_at": "12:00",
        "weekdays": [1, 2, 3, 4, 5, 6],
        "fee": {"amount_minor": 0, "currency": "EUR"},
        "same_day": True,
        "same_day_cutoff": "08:00",
        "capacity": 12,
        "active": True,
        "created_at": "2026-12-01T08:03:10.500112Z",
    }

    @classmethod
    def of(cls, slot: DeliverySlot) -> SlotOut:
        return cls(
            slot.id,
            slot.name,
            hh_mm(slot.starts_at),
            hh_mm(slot.ends_at),
            sorted(slot.weekdays) if slot.weekdays is not None else None,
            DeliveryMoneyOut.of(slot.fee),
            slot.same_day,
            hh_mm(slot.same_day_cutoff) if slot.same_day_cutoff is not None else None,
            slot.capacity,
            slot.active,
            slot.created_at,
        )


class BlackoutOut(msgspec.Struct, frozen=True):
    id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_BLACKOUT_ID])]
    date: Annotated[date, msgspec.Meta(examples=["2026-12-25"])]
    reason: Annotated[str, msgspec.Meta(examples=["Christmas Day"])]
    created_at: Annotated[datetime | None, _AT]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "id": EXAMPLE_BLACKOUT_ID,
        "date": "2026-12-25",
        "reason": "Christmas Day",
        "created_at": "2026-12-01T08:04:00.000001Z",
    }

    @classmethod
    def of(cls, blackout: BlackoutDate) -> BlackoutOut:
        return cls(blackout.id, blackout.on, blackout.reason, blackout.created_at)


class SlotAvailabilityOut(msgspec.Struct, frozen=True):
    slot_id: Annotated[UUID, msgspec.Meta(examples=[EXAMPLE_SLOT_ID])]
    name: Annotated[str, msgspec.Meta(examples=["Morning"])]
    starts_at: HhMm
    ends_at: Annotated[str, msgspec.Meta(examples=["12:00"])]
    starts: Annotated[datetime, msgspec.Meta(examples=["2026-12-02T08:00:00Z"], description="the instant, UTC")]
    ends: Annotated[datetime, msgspec.Meta(examples=["2026-12-02T11:00:00Z"])]
    bookable: Annotated[bool, msgspec.Meta(examples=[True])]
    reason: Annotated[Unavailable | None, msgspec.Meta(examples=[None], description="why not, when not bookable")]
    fee: DeliveryMoneyOut | None  # zone + slot; null out of area
    remaining: Annotated[int | None, msgspec.Meta(examples=[11], description="null: no capacity limit")]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "slot_id": EXAMPLE_SLOT_ID,
        "name": "Morning",
        "starts_at": "09:00",
        "ends_at": "12:00",
        "starts": "2026-12-02T08:00:00Z",
        "ends": "2026-12-02T11:00:00Z",
        "bookable": True,
        "reason": None,
        "fee": DeliveryMoneyOut.EXAMPLE,
        "remaining": 11,
    }

    @classmethod
    def of(cls, answer: SlotAvailability) -> SlotAvailabilityOut:
        return cls(
            answer.slot.id,
            answer.slot.name,
            hh_mm(answer.slot.starts_at),
            hh_mm(answer.slot.ends_at),
            answer.starts,
            answer.ends,
            answer.bookable,
            answer.reason,
            DeliveryMoneyOut.of(answer.fee) if answer.fee is not None else None,
            answer.remaining,
        )


class AvailabilityOut(msgspec.Struct, frozen=True):
    date: Annotated[date, msgspec.Meta(examples=["2026-12-02"])]
    postal_code: Annotated[str, msgspec.Meta(examples=["1011 AB"], description="as the country writes it")]
    zone_id: Annotated[UUID | None, msgspec.Meta(examples=[EXAMPLE_ZONE_ID])]
    timezone: Annotated[str, msgspec.Meta(examples=["Europe/Amsterdam"])]
    slots: list[SlotAvailabilityOut]

    EXAMPLE: ClassVar[Mapping[str, Any]] = {
        "date": "2026-12-02",
        "postal_code": "1011 AB",
        "zone_id": EXAMPLE_ZONE_ID,
        "timezone": "Europe/Amsterdam",
        "slots": [SlotAvailabilityOut.EXAMPLE],
    }
