"""The time rules of delivery, all in the shop's IANA time zone, pure functions of "now".

A shop-local wall time on a date means **the first instant the shop's clock shows that time or
later** that day. So on a spring-forward day a time the clocks skip (02:30 in Los Angeles on
2026-03-08) means the moment the clocks jump (03:00 local): a slot starting at 02:30 starts then
and a 02:30 cutoff passes then. On an autumn day a time that happens twice (01:30 in Los Angeles on
2026-11-01) means its first occurrence. The shop's "today" is its own date, which may differ from
UTC's (Auckland is already on tomorrow for half of UTC's day)."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.delivery.slot import DeliverySlot
from domain.delivery.zone import DeliveryZone
from domain.shared.money import Money


class Unavailable(enum.StrEnum):
    """Why a slot cannot be booked: the codes orders answer with too."""

    DELIVERY_DATE_PAST = "DELIVERY_DATE_PAST"
    DELIVERY_DATE_BLACKED_OUT = "DELIVERY_DATE_BLACKED_OUT"
    SAME_DAY_CUTOFF_PASSED = "SAME_DAY_CUTOFF_PASSED"
    SLOT_FULL = "SLOT_FULL"
    OUT_OF_AREA = "OUT_OF_AREA"


def shop_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def wall_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) the shop's clock shows ``at`` or later on ``day``."""
    first = datetime.combine(day, at, tzinfo=zone).replace(fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None):
        return instant  # exists (the first of two when the autumn hour repeats it)
    # Skipped by a spring-forward change: the clocks jump over it at an instant between the time
    # read with the offset after the change (earlier) and with the one before (``instant``).
    low = int(first.replace(fold=1).astimezone(UTC).timestamp())
    high = int(instant.timestamp())
    after = datetime.fromtimestamp(high, UTC).astimezone(zone).utcoffset()
    while low < high:  # the first second already on the new offset
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(high, UTC)


@dataclass(frozen=True, slots=True)
class SlotAvailability:
    slot: DeliverySlot
    starts: datetime  # UTC instants of the window on that date
    ends: datetime
    fee: Money | None  # zone + slot, when the address is in a zone
    remaining: int | None  # None: no capacity limit
    reason: Unavailable | None  # None: bookable

    @property
    def bookable(self) -> bool:
        return self.reason is None


def date_refusal(day: date, now: datetime, zone: ZoneInfo, blackouts: Collection[date]) -> Unavailable | None:
    """What refuses the whole date, before any slot."""
    if day < shop_today(now, zone):
        return Unavailable.DELIVERY_DATE_PAST
    if day in blackouts:
        return Unavailable.DELIVERY_DATE_BLACKED_OUT
    return None


def slot_refusal(slot: DeliverySlot, day: date, now: datetime, zone: ZoneInfo, taken: int) -> Unavailable | None:
    """What refuses this slot on ``day`` once the date and the address are fine."""
    if day == shop_today(now, zone):
        if not slot.same_day:
            return Unavailable.SAME_DAY_CUTOFF_PASSED
        cutoff = slot.same_day_cutoff if slot.same_day_cutoff is not None else slot.starts_at
        if now >= wall_instant(day, cutoff, zone):
            return Unavailable.SAME_DAY_CUTOFF_PASSED
    if slot.capacity is not None and taken >= slot.capacity:
        return Unavailable.SLOT_FULL
    return None


def availability(
    *,
    day: date,
    now: datetime,
    zone: ZoneInfo,
    slots: Iterable[DeliverySlot],
    delivery_zone: DeliveryZone | None,
    blackouts: Collection[date],
    taken: Mapping[UUID, int],
) -> list[SlotAvailability]:
    """Every slot that runs on ``day`` (its weekdays), earliest first, each bookable or with why not:
    a past date, then a blackout, then an address out of every zone, then the slot's own rules."""
    refused = date_refusal(day, now, zone, blackouts)
    if refused is None and delivery_zone is None:
        refused = Unavailable.OUT_OF_AREA
    answers = []
    for slot in sorted((s for s in slots if s.runs_on(day)), key=lambda s: (s.starts_at, s.ends_at, s.name)):
        used = taken.get(slot.id, 0)
        reason = refused or slot_refusal(slot, day, now, zone, used)
        answers.append(
            SlotAvailability(
                slot=slot,
                starts=wall_instant(day, slot.starts_at, zone),
                ends=wall_instant(day, slot.ends_at, zone),
                fee=delivery_zone.fee + slot.fee if delivery_zone is not None else None,
                remaining=None if slot.capacity is None else max(slot.capacity - used, 0),
                reason=reason,
            )
        )
    return answers
