"""A delivery slot: a shop-local window recurring daily, and the shop's blackout dates."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from uuid import UUID, uuid4

from domain.shared.errors import Checks, InvalidValue
from domain.shared.money import Money
from domain.shared.text import clean_line, plain_text

MAX_SLOT_NAME_LENGTH = 120
MAX_REASON_LENGTH = 500
MAX_CAPACITY = 100_000
_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hh_mm(raw: str, field: str) -> time:
    """``HH:MM`` on a 24-hour clock, shop-local."""
    match = _HH_MM.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise InvalidValue(field, "must be a time of day as HH:MM (00:00 to 23:59)")
    return time(int(match.group(1)), int(match.group(2)))


def hh_mm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def check_slot_name(raw: str, field: str = "name") -> str:
    return clean_line(raw, field, max_length=MAX_SLOT_NAME_LENGTH)


def check_capacity(value: int | None, field: str = "capacity") -> int | None:
    if value is not None and (type(value) is not int or not 1 <= value <= MAX_CAPACITY):
        raise InvalidValue(field, f"must be a whole number between 1 and {MAX_CAPACITY}")
    return value


def check_weekdays(value: Collection[int] | None, field: str = "weekdays") -> frozenset[int] | None:
    """ISO weekdays, 1 (Monday) to 7 (Sunday); none means every day."""
    if value is None:
        return None
    if not value or any(type(day) is not int or not 1 <= day <= 7 for day in value):
        raise InvalidValue(field, "must list ISO weekdays, 1 (Monday) to 7 (Sunday)")
    return frozenset(value)


def check_reason(raw: str, field: str = "reason") -> str:
    return plain_text(raw, field, max_length=MAX_REASON_LENGTH)


@dataclass(frozen=True, slots=True)
class DeliverySlot:
    """``same_day_cutoff`` (set only for a same-day slot) is the shop-local time until which the
    slot can be booked for today; a same-day slot without one can be booked until it starts.
    A slot that is not same-day cannot be booked on the shop's today at all."""

    id: UUID
    vendor_id: UUID
    name: str
    starts_at: time
    ends_at: time
    weekdays: frozenset[int] | None
    fee: Money
    same_day: bool
    same_day_cutoff: time | None
    capacity: int | None
    active: bool = True
    created_at: datetime | None = None

    @staticmethod
    def _checked(
        checks: Checks,
        *,
        starts_at: str,
        ends_at: str,
        same_day: bool,
        same_day_cutoff: str | None,
    ) -> tuple[time, time, time | None]:
        start = checks.attempt(lambda: parse_hh_mm(starts_at, "starts_at"))
        end = checks.attempt(lambda: parse_hh_mm(ends_at, "ends_at"))
        cutoff = None
        if same_day_cutoff is not None:
            cutoff = checks.attempt(lambda: parse_hh_mm(same_day_cutoff, "same_day_cutoff"))
        if start is not None and end is not None and end <= start:
            checks.add(InvalidValue("ends_at", "must be after starts_at (a window ends the day it starts)"))
        if cutoff is not None and not same_day:
            checks.add(InvalidValue("same_day_cutoff", "only a same_day slot has a cutoff"))
        if start is not None and cutoff is not None and cutoff > start:
            checks.add(InvalidValue("same_day_cutoff", "must be at or before starts_at"))
        return start or time(0), end or time(0), cutoff  # only used once the checks passed

    @classmethod
    def create(
        cls,
        *,
        vendor_id: UUID,
        name: str,
        starts_at: str,
        ends_at: str,
        fee: Money,
        same_day: bool,
        same_day_cutoff: str | None = None,
        capacity: int | None = None,
        weekdays: Collection[int] | None = None,
        at: datetime | None = None,
    ) -> DeliverySlot:
        checks = Checks()
        clean_name = checks.run(check_slot_name, name)
        start, end, cutoff = cls._checked(
            checks, starts_at=starts_at, ends_at=ends_at, same_day=same_day, same_day_cutoff=same_day_cutoff
        )
        checks.run(check_capacity, capacity)
        days = checks.attempt(lambda: check_weekdays(weekdays))
        checks.raise_any()
        return cls(uuid4(), vendor_id, clean_name, start, end, days, fee, same_day, cutoff, capacity, True, at)

    def changed(
        self,
        *,
        name: str | None = None,
        starts_at: str | None = None,
        ends_at: str | None = None,
        fee: Money | None = None,
        same_day: bool | None = None,
        same_day_cutoff: str | None = None,
        clear_cutoff: bool = False,
        capacity: int | None = None,
        clear_capacity: bool = False,
        weekdays: Collection[int] | None = None,
        clear_weekdays: bool = False,
        active: bool | None = None,
    ) -> DeliverySlot:
        checks = Checks()
        clean_name = checks.run(check_slot_name, name) if name is not None else self.name
        is_same_day = self.same_day if same_day is None else same_day
        cutoff_raw = (
            None
            if clear_cutoff or not is_same_day
            else (
                same_day_cutoff
                if same_day_cutoff is not None
                else (hh_mm(self.same_day_cutoff) if self.same_day_cutoff else None)
            )
        )
        if same_day_cutoff is not None and not is_same_day:
            cutoff_raw = same_day_cutoff  # refused below, named
        start, end, cutoff = self._checked(
            checks,
            starts_at=starts_at if starts_at is not None else hh_mm(self.starts_at),
            ends_at=ends_at if ends_at is not None else hh_mm(self.ends_at),
            same_day=is_same_day,
            same_day_cutoff=cutoff_raw,
        )
        checks.run(check_capacity, capacity)
        days = checks.attempt(lambda: check_weekdays(weekdays))
        checks.raise_any()
        return replace(
            self,
            name=clean_name,
            starts_at=start,
            ends_at=end,
            fee=fee if fee is not None else self.fee,
            same_day=is_same_day,
            same_day_cutoff=cutoff,
            capacity=None if clear_capacity else (capacity if capacity is not None else self.capacity),
            weekdays=None if clear_weekdays else (days if weekdays is not None else self.weekdays),
            active=self.active if active is None else active,
        )

    def runs_on(self, day: date) -> bool:
        return self.active and (self.weekdays is None or day.isoweekday() in self.weekdays)


@dataclass(frozen=True, slots=True)
class BlackoutDate:
    id: UUID
    vendor_id: UUID
    on: date
    reason: str
    created_at: datetime | None = None

    @classmethod
    def create(cls, *, vendor_id: UUID, on: date, reason: str, at: datetime | None = None) -> BlackoutDate:
        return cls(uuid4(), vendor_id, on, check_reason(reason), at)
