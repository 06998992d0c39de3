"""Vendors: slug, time zone, currency, country, card-message bounds and ``Vendor.updated``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from domain.accounts.password import WeakPassword
from domain.accounts.vendor import (
    DEFAULT_CARD_MESSAGE_MAX,
    MAX_CARD_MESSAGE_MAX,
    Vendor,
    check_card_message_max,
    check_country,
    check_currency,
    check_slug,
    check_timezone,
    check_vendor_name,
)
from domain.shared.errors import Checks, InvalidValue, InvalidValues


def make_vendor(**settings: object) -> Vendor:
    return Vendor(
        id=uuid.uuid4(),
        name="Rosa Bloom",
        slug="rosa-bloom",
        timezone="Europe/Amsterdam",
        currency="EUR",
        country="NL",
        settings=dict(settings),
    )


# -- slug ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["abc", "rosa-bloom", "r0sa-2-bloom", "123", "a" * 63, "a-b"])
def test_valid_slugs(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "ab",
        "a" * 64,
        "Rosa-bloom",
        "ROSA",
        "rosa--bloom",
        "-rosa",
        "rosa-",
        "rosa_bloom",
        "rosa bloom",
        "rosa.bloom",
        " rosa",
        "rosé",
        "---",
    ],
)
def test_invalid_slugs(slug: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_slug(slug)
    assert caught.value.field == "vendor_slug"


def test_slug_with_trailing_newline_is_refused() -> None:
    with pytest.raises(InvalidValue):
        check_slug("rosa-bloom\n")


def test_slug_error_names_the_given_field() -> None:
    with pytest.raises(InvalidValue) as caught:
        check_slug("X", field="slug")
    assert caught.value.field == "slug"


# -- time zone, currency, country --------------------------------------------------------------


@pytest.mark.parametrize("tz", ["Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "UTC", "Pacific/Chatham"])
def test_iana_time_zones_are_accepted(tz: str) -> None:
    assert check_timezone(tz) == tz


@pytest.mark.parametrize(
    "tz", ["", "europe/amsterdam", "Europe/Atlantis", "Mars/Olympus_Mons", "+01:00", "CEST", "Europe/Amsterdam "]
)
def test_unknown_time_zones_are_refused(tz: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_timezone(tz)
    assert caught.value.field == "timezone"


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/Europe/Amsterdam", "right/UTC"])
def test_host_zoneinfo_files_that_are_not_iana_zones_are_refused(name: str) -> None:
    # The host's zoneinfo directory may hold these; their meaning depends on the server.
    with pytest.raises(InvalidValue) as caught:
        check_timezone(name)
    assert caught.value.field == "timezone"


@pytest.mark.parametrize("code", ["EUR", "USD", "GBP", "JPY", "CHF"])
def test_iso_currencies_are_accepted(code: str) -> None:
    assert check_currency(code) == code


@pytest.mark.parametrize("code", ["", "eur", "Eur", "EURO", "EU", "ABC", "XXX", " EUR"])
def test_unknown_currencies_are_refused(code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_currency(code)
    assert caught.value.field == "currency"


@pytest.mark.parametrize("code", ["NL", "DE", "GB", "US", "JP"])
def test_iso_countries_are_accepted(code: str) -> None:
    assert check_country(code) == code


@pytest.mark.parametrize("code", ["", "nl", "Nl", "NLD", "UK", "EU", "XX", "N"])
def test_unknown_countries_are_refused(code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_country(code)
    assert caught.value.field == "country"


# -- name and card message bounds --------------------------------------------------------------


def test_vendor_name_collapses_whitespace_and_has_limits() -> None:
    assert check_vendor_name("  Rosa   Bloom\t") == "Rosa Bloom"
    assert check_vendor_name("v" * 120) == "v" * 120
    for bad in ("", "   ", "v" * 121):
        with pytest.raises(InvalidValue) as caught:
            check_vendor_name(bad)
        assert caught.value.field == "vendor_name"


def test_vendor_name_loses_control_characters() -> None:
    assert check_vendor_name("Rosa\x00Bloom\u202d") == "RosaBloom"


@pytest.mark.parametrize(("value", "accepted"), [(-1, False), (0, False), (1, True), (1000, True), (1001, False)])
def test_card_message_max_bounds(value: int, accepted: bool) -> None:
    assert MAX_CARD_MESSAGE_MAX == 1000
    if accepted:
        assert check_card_message_max(value) == value
    else:
        with pytest.raises(InvalidValue) as caught:
            check_card_message_max(value)
        assert caught.value.field == "card_message_max"


# -- Vendor -------------------------------------------------------------------------------------


def test_card_message_max_defaults_to_200() -> None:
    assert DEFAULT_CARD_MESSAGE_MAX == 200
    assert make_vendor().card_message_max == 200
    assert make_vendor(card_message_max=350).card_message_max == 350
    assert make_vendor(card_message_max="lots").card_message_max == 200


def test_updated_changes_only_what_is_given() -> None:
    vendor = make_vendor(other="kept")
    updated = vendor.updated(name="  Rosa   & Co ", timezone="Europe/Berlin", card_message_max=500)
    assert updated.name == "Rosa & Co"
    assert updated.timezone == "Europe/Berlin"
    assert updated.card_message_max == 500
    assert updated.settings == {"other": "kept", "card_message_max": 500}
    assert (updated.id, updated.slug, updated.currency, updated.country) == (
        vendor.id,
        vendor.slug,
        vendor.currency,
        vendor.country,
    )


def test_updated_does_not_touch_the_original() -> None:
    vendor = make_vendor(card_message_max=100)
    vendor.updated(name="Other", card_message_max=900)
    assert vendor.name == "Rosa Bloom"
    assert vendor.settings == {"card_message_max": 100}
    assert vendor.card_message_max == 100


def test_updated_with_nothing_is_equal() -> None:
    vendor = make_vendor(card_message_max=100)
    assert vendor.updated() == vendor
    assert vendor.updated(name="Rosa Bloom", timezone="Europe/Amsterdam", card_message_max=100) == vendor


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "n" * 121}, "name"),
        ({"timezone": "Nowhere/Special"}, "timezone"),
        ({"card_message_max": 0}, "card_message_max"),
        ({"card_message_max": 1001}, "card_message_max"),
    ],
)
def test_updated_validates_each_field(change: dict[str, object], field: str) -> None:
    vendor = make_vendor()
    with pytest.raises(InvalidValue) as caught:
        vendor.updated(**change)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_open_checks_every_field() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    vendor = Vendor.open(
        name=" Rosa  Bloom ", slug="rosa-bloom", timezone="Europe/Amsterdam", currency="EUR", country="NL", at=at
    )
    assert (vendor.name, vendor.slug, vendor.created_at, vendor.active) == ("Rosa Bloom", "rosa-bloom", at, True)
    good = {"name": "Rosa", "slug": "rosa", "timezone": "UTC", "currency": "EUR", "country": "NL"}
    for field, bad in (("slug", "Rosa Bloom!"), ("timezone", "Mars/Olympus"), ("currency", "EURO"), ("country", "XX")):
        with pytest.raises(InvalidValue):
            Vendor.open(**{**good, field: bad}, at=at)


# -- every refused field at once ----------------------------------------------------------------


def test_open_reports_every_refused_field() -> None:
    with pytest.raises(InvalidValues) as caught:
        Vendor.open(name=" ", slug="A", timezone="Nowhere", currency="eur", country="NL", at=datetime.now(UTC))
    assert [problem.field for problem in caught.value.problems] == [
        "vendor_name",
        "vendor_slug",
        "timezone",
        "currency",
    ]
    assert caught.value.code == "VALIDATION_ERROR"
    assert (caught.value.field, caught.value.reason) == ("vendor_name", caught.value.problems[0].reason)


def test_open_with_one_refused_field_raises_it_alone() -> None:
    with pytest.raises(InvalidValue) as caught:
        Vendor.open(name="Rosa", slug="rosa", timezone="UTC", currency="EUR", country="XX", at=datetime.now(UTC))
    assert not isinstance(caught.value, InvalidValues)
    assert caught.value.field == "country"


def test_updated_reports_every_refused_field() -> None:
    with pytest.raises(InvalidValues) as caught:
        make_vendor().updated(name="", timezone="Nowhere", card_message_max=0)
    assert sorted(problem.field for problem in caught.value.problems) == ["card_message_max", "name", "timezone"]


def test_checks_flatten_nested_problems_and_keep_a_shared_code() -> None:
    checks = Checks()
    checks.add(InvalidValues([WeakPassword("password", "a"), WeakPassword("new_password", "b")]))
    assert checks.run(check_slug, "rosa") == "rosa"
    assert checks.run(check_slug, "R") == "R"  # refused: the raw value back, the problem kept
    assert checks.failed
    with pytest.raises(InvalidValues) as caught:
        checks.raise_any()
    assert [problem.field for problem in caught.value.problems] == ["password", "new_password", "vendor_slug"]
    assert caught.value.code == "VALIDATION_ERROR"
    assert InvalidValues([WeakPassword("password", "a"), WeakPassword("x", "b")]).code == "WEAK_PASSWORD"
    Checks().raise_any()  # nothing refused: nothing raised


def test_checks_attempt_keeps_going_and_finish_raises_every_problem_together() -> None:
    def refuse(field: str) -> str:
        raise InvalidValue(field, "is refused")

    checks = Checks()
    assert checks.attempt(lambda: "made") == "made"
    assert checks.attempt(lambda: refuse("first")) is None
    with pytest.raises(InvalidValues) as together:
        checks.finish(lambda: refuse("last"))
    assert [problem.field for problem in together.value.problems] == ["first", "last"]
    with pytest.raises(InvalidValue) as alone:
        Checks().finish(lambda: refuse("only"))
    assert alone.value.field == "only"
    assert Checks().finish(lambda: 42) == 42
    with pytest.raises(InvalidValue):
        checks.finish(lambda: "made, but an earlier problem stands")
