"""The delivery domain: postal codes per country, zones that do not overlap, slot rules, and the
availability time rules in the shop's own time zone, across clock changes:

- America/Los_Angeles: spring forward Sunday 2026-03-08 (02:00 -> 03:00 PDT), fall back Sunday
  2026-11-01 (02:00 PDT -> 01:00 PST, so 01:00-01:59 happens twice).
- Pacific/Auckland: fall back Sunday 2026-04-05 (03:00 NZDT -> 02:00 NZST), spring forward Sunday
  2026-09-27 (02:00 -> 03:00 NZDT); its date is a day ahead of UTC's for half of UTC's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.delivery.postal import covers, normalise_pattern, normalise_postal_code, overlap
from domain.delivery.slot import BlackoutDate, DeliverySlot
from domain.delivery.timing import SlotAvailability, Unavailable, availability, shop_today, wall_instant
from domain.delivery.zone import DeliveryZone, zone_for
from domain.shared.errors import InvalidValue, InvalidValues
from domain.shared.money import Money

LA = ZoneInfo("America/Los_Angeles")
AUCKLAND = ZoneInfo("Pacific/Auckland")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SHOP = uuid4()


def _slot(
    start: str,
    end: str,
    *,
    same_day: bool = True,
    cutoff: str | None = None,
    capacity: int | None = None,
    weekdays: list[int] | None = None,
    fee: int = 500,
) -> DeliverySlot:
    return DeliverySlot.create(
        vendor_id=SHOP,
        name=f"{start}-{end}",
        starts_at=start,
        ends_at=end,
        fee=Money(fee, "EUR"),
        same_day=same_day,
        same_day_cutoff=cutoff,
        capacity=capacity,
        weekdays=weekdays,
    )


def _zone(*codes: str, fee: int = 700, country: str = "NL") -> DeliveryZone:
    return DeliveryZone.create(
        vendor_id=SHOP,
        name="Centre",
        postal_codes=list(codes),
        fee=Money(fee, "EUR"),
        min_subtotal=None,
        country=country,
    )


# -- postal codes --


@pytest.mark.parametrize(
    ("raw", "country", "written"),
    [
        ("1011ab", "NL", "1011 AB"),
        (" 1011  ab ", "NL", "1011 AB"),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("SW1A   1AA", "GB", "SW1A 1AA"),
        ("k1a0b1", "CA", "K1A 0B1"),
        ("94103", "US", "94103"),
        ("6011", "NZ", "6011"),
    ],
)
def test_postal_codes_are_written_as_the_country_writes_them(raw: str, country: str, written: str) -> None:
    assert normalise_postal_code(raw, country) == written


@pytest.mark.parametrize(
    ("raw", "country"), [("1011", "NL"), ("ABCDE", "US"), ("<b>", "NL"), ("", "GB"), ("12 34 56 78 90 12", "XX")]
)
def test_impossible_postal_codes_are_refused_with_the_field(raw: str, country: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalise_postal_code(raw, country, "postal_code")
    assert refused.value.field == "postal_code"


def test_a_prefix_covers_the_codes_written_after_it() -> None:
    prefix = normalise_pattern("1011*", "NL")
    assert covers(prefix, "1011 AB")
    assert not covers(prefix, "1012 AB")
    assert covers(normalise_pattern("sw1a*", "GB"), "SW1A 1AA")
    with pytest.raises(InvalidValue):
        normalise_pattern("1*1*", "NL")
    with pytest.raises(InvalidValue):
        normalise_pattern("*", "NL")


@given(st.from_regex(r"\A[0-9]{4}[A-Z]{2}\Z"), st.integers(min_value=2, max_value=5))
def test_a_prefix_and_a_code_overlap_exactly_when_the_prefix_covers_it(raw: str, cut: int) -> None:
    code = normalise_postal_code(raw, "NL")
    prefix = f"{code[:cut]}*"
    assert overlap(prefix, code) == covers(prefix, code)
    assert overlap(prefix, code)
    assert overlap(code, prefix)
    other = f"{'9' if code[0] != '9' else '8'}{code[1:cut]}*"
    assert not overlap(other, code)


def test_a_zone_may_not_list_overlapping_entries_and_names_each() -> None:
    with pytest.raises(InvalidValues) as refused:
        DeliveryZone.create(
            vendor_id=SHOP,
            name=" ",
            postal_codes=["1011*", "1011 AB"],
            fee=Money(700, "EUR"),
            min_subtotal=None,
            country="NL",
        )
    assert {p.field for p in refused.value.problems} == {"name", "postal_codes[1]"}


def test_active_zones_of_a_shop_clash_on_a_shared_code_or_prefix() -> None:
    centre = _zone("1011*", "1012 AB")
    north = _zone("1012*")
    west = _zone("1013 AA")
    assert centre.clashes([north]) is not None
    assert centre.clashes([west]) is None
    assert centre.clashes([north.changed(country="NL", active=False)]) is None
    assert zone_for([centre, west], "1013 AA") is west
    assert zone_for([centre, west], "2000 AA") is None


# -- slots --


def test_a_slot_refuses_every_bad_field_together() -> None:
    with pytest.raises(InvalidValues) as refused:
        DeliverySlot.create(
            vendor_id=SHOP,
            name="x",
            starts_at="25:00",
            ends_at="9:00",
            fee=Money(0, "EUR"),
            same_day=True,
            same_day_cutoff="24:00",
            capacity=0,
            weekdays=[0],
        )
    assert {p.field for p in refused.value.problems} == {
        "starts_at",
        "ends_at",
        "same_day_cutoff",
        "capacity",
        "weekdays",
    }


def test_a_cutoff_comes_at_or_before_the_start_and_only_on_same_day_slots() -> None:
    assert _slot("10:00", "12:00", cutoff="10:00").same_day_cutoff == time(10, 0)
    with pytest.raises(InvalidValue) as late:
        _slot("10:00", "12:00", cutoff="10:01")
    assert late.value.field == "same_day_cutoff"
    with pytest.raises(InvalidValue) as not_same_day:
        _slot("10:00", "12:00", same_day=False, cutoff="08:00")
    assert not_same_day.value.field == "same_day_cutoff"
    with pytest.raises(InvalidValue) as backwards:
        _slot("12:00", "10:00")
    assert backwards.value.field == "ends_at"


def test_a_blackout_reason_is_plain_text() -> None:
    assert BlackoutDate.create(vendor_id=SHOP, on=date(2026, 12, 25), reason="<b>Christmas</b>").reason == "Christmas"
    with pytest.raises(InvalidValue):
        BlackoutDate.create(vendor_id=SHOP, on=date(2026, 12, 25), reason="<script>x</script>")


# -- wall times across clock changes --


def test_los_angeles_spring_forward_2026_03_08_a_skipped_time_is_the_moment_the_clocks_jump() -> None:
    # 02:30 does not exist: the clocks go from 01:59:59 PST to 03:00 PDT (10:00 UTC).
    assert wall_instant(date(2026, 3, 8), time(2, 30), LA) == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
    assert wall_instant(date(2026, 3, 8), time(2, 0), LA) == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
    assert wall_instant(date(2026, 3, 8), time(3, 0), LA) == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
    assert wall_instant(date(2026, 3, 8), time(1, 59), LA) == datetime(2026, 3, 8, 9, 59, tzinfo=UTC)


def test_los_angeles_fall_back_2026_11_01_a_repeated_time_is_its_first_occurrence() -> None:
    # 01:30 happens at 08:30 UTC (PDT) and again at 09:30 UTC (PST): the first one counts.
    assert wall_instant(date(2026, 11, 1), time(1, 30), LA) == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert wall_instant(date(2026, 11, 1), time(2, 0), LA) == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def test_auckland_clock_changes_2026_04_05_and_2026_09_27() -> None:
    # fall back: 02:30 happens twice (13:30 UTC NZDT, 14:30 UTC NZST): the first counts
    assert wall_instant(date(2026, 4, 5), time(2, 30), AUCKLAND) == datetime(2026, 4, 4, 13, 30, tzinfo=UTC)
    # spring forward: 02:30 is skipped; the clocks jump at 14:00 UTC
    assert wall_instant(date(2026, 9, 27), time(2, 30), AUCKLAND) == datetime(2026, 9, 26, 14, 0, tzinfo=UTC)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.sampled_from([LA, AUCKLAND, AMSTERDAM]),
)
def test_a_wall_instant_is_the_first_moment_the_clock_shows_that_time_or_later(
    day: date, at: time, zone: ZoneInfo
) -> None:
    instant = wall_instant(day, at, zone)
    local = instant.astimezone(zone)
    assert local.date() == day
    assert local.time() >= at
    before = (instant - timedelta(seconds=1)).astimezone(zone)
    assert before.date() < day or before.time() < at


# -- availability --


def _available(
    day: date,
    now: datetime,
    zone: ZoneInfo,
    slots: list[DeliverySlot],
    *,
    code: str = "1011 AB",
    blackouts: set[date] | None = None,
    taken: dict[UUID, int] | None = None,
) -> list[SlotAvailability]:
    delivery_zone = zone_for([_zone("1011*")], code)
    return availability(
        day=day,
        now=now,
        zone=zone,
        slots=slots,
        delivery_zone=delivery_zone,
        blackouts=blackouts or set(),
        taken=taken or {},
    )


def test_each_reason_is_given_with_its_code() -> None:
    morning = _slot("09:00", "12:00", cutoff="08:00", capacity=3)
    evening = _slot("17:00", "20:00", cutoff="14:00")
    later = _slot("13:00", "15:00", same_day=False)
    now = datetime(2026, 6, 10, 8, 30, tzinfo=AMSTERDAM)
    today = date(2026, 6, 10)
    answers = {a.slot.id: a for a in _available(today, now, AMSTERDAM, [morning, evening, later])}
    assert answers[morning.id].reason is Unavailable.SAME_DAY_CUTOFF_PASSED
    assert answers[evening.id].reason is None
    assert answers[evening.id].fee == Money(1200, "EUR")
    assert answers[later.id].reason is Unavailable.SAME_DAY_CUTOFF_PASSED
    tomorrow = today + timedelta(days=1)
    full = _available(tomorrow, now, AMSTERDAM, [morning], taken={morning.id: 3})[0]
    assert (full.reason, full.remaining) == (Unavailable.SLOT_FULL, 0)
    some = _available(tomorrow, now, AMSTERDAM, [morning], taken={morning.id: 1})[0]
    assert (some.reason, some.remaining) == (None, 2)
    assert _available(today - timedelta(days=1), now, AMSTERDAM, [evening])[0].reason is Unavailable.DELIVERY_DATE_PAST
    assert (
        _available(tomorrow, now, AMSTERDAM, [evening], blackouts={tomorrow})[0].reason
        is Unavailable.DELIVERY_DATE_BLACKED_OUT
    )
    outside = _available(tomorrow, now, AMSTERDAM, [evening], code="2000 AA")[0]
    assert (outside.reason, outside.fee) == (Unavailable.OUT_OF_AREA, None)


def test_slots_run_only_on_their_weekdays() -> None:
    weekend = _slot("10:00", "12:00", weekdays=[6, 7])
    now = datetime(2026, 6, 1, 8, 0, tzinfo=AMSTERDAM)
    assert _available(date(2026, 6, 6), now, AMSTERDAM, [weekend])  # a Saturday
    assert not _available(date(2026, 6, 8), now, AMSTERDAM, [weekend])  # a Monday


def test_auckland_is_on_its_own_date_not_utcs() -> None:
    # 2026-12-01 11:30 UTC is 2026-12-02 00:30 in Auckland (NZDT, +13): the 1st is past there.
    now = datetime(2026, 12, 1, 11, 30, tzinfo=UTC)
    assert shop_today(now, AUCKLAND) == date(2026, 12, 2)
    slot = _slot("09:00", "12:00", cutoff="07:00")
    assert _available(date(2026, 12, 1), now, AUCKLAND, [slot])[0].reason is Unavailable.DELIVERY_DATE_PAST
    today = _available(date(2026, 12, 2), now, AUCKLAND, [slot])[0]
    assert today.reason is None
    assert today.starts == datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def test_los_angeles_shop_is_a_day_behind_utc_in_its_evening() -> None:
    # 2026-12-02 03:00 UTC is 2026-12-01 19:00 in Los Angeles: the 1st is still today there.
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    slot = _slot("20:00", "21:00", cutoff="19:30")
    assert _available(date(2026, 12, 1), now, LA, [slot])[0].reason is None
    assert (
        _available(date(2026, 12, 1), now + timedelta(minutes=30), LA, [slot])[0].reason
        is Unavailable.SAME_DAY_CUTOFF_PASSED
    )


def test_los_angeles_cutoff_at_a_skipped_time_on_2026_03_08() -> None:
    slot = _slot("02:30", "04:00", cutoff="02:30")
    day = date(2026, 3, 8)
    before_jump = datetime(2026, 3, 8, 9, 59, 59, tzinfo=UTC)  # 01:59:59 PST
    at_jump = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 03:00 PDT
    assert _available(day, before_jump, LA, [slot])[0].reason is None
    answer = _available(day, at_jump, LA, [slot])[0]
    assert answer.reason is Unavailable.SAME_DAY_CUTOFF_PASSED
    assert answer.starts == at_jump
    assert answer.ends == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)


def test_los_angeles_cutoff_in_the_repeated_hour_on_2026_11_01() -> None:
    slot = _slot("03:00", "05:00", cutoff="01:30")
    day = date(2026, 11, 1)
    assert _available(day, datetime(2026, 11, 1, 8, 29, tzinfo=UTC), LA, [slot])[0].reason is None  # 01:29 PDT
    # 01:30 PDT has passed; at 01:10 PST (09:10 UTC) the clock reads earlier, but the cutoff stays passed
    assert (
        _available(day, datetime(2026, 11, 1, 8, 30, tzinfo=UTC), LA, [slot])[0].reason
        is Unavailable.SAME_DAY_CUTOFF_PASSED
    )
    assert (
        _available(day, datetime(2026, 11, 1, 9, 10, tzinfo=UTC), LA, [slot])[0].reason
        is Unavailable.SAME_DAY_CUTOFF_PASSED
    )
    # 03:00 and 05:00 both come after the repeated hour: two real hours apart
    answer = _available(day, datetime(2026, 11, 1, 8, 0, tzinfo=UTC), LA, [slot])[0]
    assert answer.ends - answer.starts == timedelta(hours=2)


def test_auckland_same_day_cutoff_on_the_fall_back_day_2026_04_05() -> None:
    slot = _slot("09:00", "12:00", cutoff="02:30")
    day = date(2026, 4, 5)
    assert _available(day, datetime(2026, 4, 4, 13, 29, tzinfo=UTC), AUCKLAND, [slot])[0].reason is None
    assert (
        _available(day, datetime(2026, 4, 4, 14, 45, tzinfo=UTC), AUCKLAND, [slot])[0].reason
        is Unavailable.SAME_DAY_CUTOFF_PASSED
    )
    # 09:00 NZST that day is 21:00 UTC
    assert _available(day, datetime(2026, 4, 4, 13, 0, tzinfo=UTC), AUCKLAND, [slot])[0].starts == datetime(
        2026, 4, 4, 21, 0, tzinfo=UTC
    )


def test_auckland_slot_at_a_skipped_time_on_2026_09_27() -> None:
    slot = _slot("02:30", "06:00", cutoff="02:00")
    answer = _available(date(2026, 9, 27), datetime(2026, 9, 26, 13, 0, tzinfo=UTC), AUCKLAND, [slot])[0]
    assert answer.reason is None
    assert answer.starts == datetime(2026, 9, 26, 14, 0, tzinfo=UTC)  # 03:00 NZDT, the jump
    assert answer.ends == datetime(2026, 9, 26, 17, 0, tzinfo=UTC)  # 06:00 NZDT


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([LA, AUCKLAND, AMSTERDAM]),
    # a cutoff comes at or before the slot's start (23:58): 23:59 is not a cutoff it can have
    st.times(max_value=time(23, 58)).map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_a_same_day_slot_is_bookable_until_its_cutoff_and_never_for_a_past_date(
    now: datetime, offset: int, zone: ZoneInfo, cutoff: time
) -> None:
    slot = DeliverySlot.create(
        vendor_id=SHOP,
        name="Any",
        starts_at="23:58",
        ends_at="23:59",
        fee=Money(0, "EUR"),
        same_day=True,
        same_day_cutoff=f"{cutoff.hour:02d}:{cutoff.minute:02d}",
    )
    today = shop_today(now, zone)
    day = today + timedelta(days=offset)
    (answer,) = _available(day, now, zone, [slot])
    if offset < 0:
        assert answer.reason is Unavailable.DELIVERY_DATE_PAST
    elif offset > 0:
        assert answer.bookable
    else:
        passed = now >= wall_instant(day, cutoff, zone)
        assert answer.bookable is not passed
        # once the shop's clock reads the cutoff or later, it has passed (even in a skipped hour)
        if now.astimezone(zone).time() >= cutoff:
            assert passed
