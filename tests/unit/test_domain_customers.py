"""The customers domain: emails (syntax only), phones (E.164 or the shop country's national
format, kept as E.164), consent stamps and the address book."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.customers.contact import check_country, check_email, check_phone, phone_or_none
from domain.customers.customer import MAX_ADDRESSES, Address, Customer, search_key
from domain.shared.errors import InvalidValue, InvalidValues

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("+31612345678", "NL", "+31612345678"),
        ("06 12345678", "NL", "+31612345678"),
        ("06-1234 5678", "NL", "+31612345678"),
        ("020 123 4567", "NL", "+31201234567"),
        ("(201) 555-0123", "US", "+12015550123"),
        ("201.555.0123", "US", "+12015550123"),
        ("+1 201 555 0123", "NL", "+12015550123"),  # E.164 whatever the shop's country
        ("020 7946 0018", "GB", "+442079460018"),
        ("07911 123456", "GB", "+447911123456"),
        ("+44 7911 123456", "US", "+447911123456"),
    ],
)
def test_phones_in_e164_or_national_format_are_kept_as_e164(raw: str, country: str, e164: str) -> None:
    assert check_phone(raw, country) == e164


@pytest.mark.parametrize(
    ("raw", "country"),
    [
        ("06 1234", "NL"),  # too short
        ("06 123456789", "NL"),  # too long
        ("(000) 555-0123", "US"),  # no such area code
        ("12", "GB"),
        ("+999 1234 5678", "NL"),  # no such country code
        ("phone me", "NL"),
        ("+", "NL"),
        ("  ", "NL"),
        ("1" * 60, "NL"),
        ("06 12345678", "US"),  # an NL mobile typed nationally is not a US number
    ],
)
def test_impossible_phones_are_refused_naming_the_field(raw: str, country: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_phone(raw, country, "addresses[0].phone")
    assert refused.value.field == "addresses[0].phone"


def test_a_search_box_holds_a_phone_only_when_it_is_a_whole_number() -> None:
    assert phone_or_none("06 12345678", "NL") == "+31612345678"
    assert phone_or_none("612345", "NL") is None
    assert phone_or_none("anna", "NL") is None


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("anna@example.com", "anna@example.com"),
        (" Anna@Example.COM ", "Anna@example.com"),
        ("a+b@bücher.de", "a+b@bücher.de"),
    ],
)
def test_emails_are_checked_for_syntax_only(raw: str, kept: str) -> None:
    assert check_email(raw) == kept
    # a domain that does not exist is fine: no DNS look-up
    assert check_email("anna@no-such-domain-for-sure.example") == "anna@no-such-domain-for-sure.example"


@pytest.mark.parametrize(
    "raw", ["anna", "anna@", "@example.com", "an na@example.com", "anna@example..com", "", "a" * 300]
)
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_email(raw)
    assert refused.value.field == "email"


def test_countries_are_alpha2_codes_the_numbering_plan_knows() -> None:
    assert check_country(" nl ") == "NL"
    for bad in ("XX", "NLD", "1A", "", "ÑL"):
        with pytest.raises(InvalidValue):
            check_country(bad)


def _customer(**fields: object) -> Customer:
    return Customer.create(vendor_id=uuid.uuid4(), country="NL", full_name="Anna de Vries", at=AT, **fields)  # type: ignore[arg-type]


def test_a_customer_reports_every_bad_field_at_once() -> None:
    with pytest.raises(InvalidValues) as refused:
        Customer.create(
            vendor_id=uuid.uuid4(), country="NL", full_name=" \u200b", email="x@", phone="06", notes="a" * 3000, at=AT
        )
    assert {problem.field for problem in refused.value.problems} == {"full_name", "email", "phone", "notes"}


def test_notes_are_plain_multiline_text() -> None:
    customer = _customer(notes="<b>White</b> flowers\r\n\r\n\r\nNo lilies\u202e")
    assert customer.notes == "White flowers\n\nNo lilies"


def test_consent_is_stamped_when_given_and_cleared_when_withdrawn() -> None:
    customer = _customer()
    assert (customer.marketing_consent, customer.marketing_consent_at) == (False, None)
    later = AT + timedelta(days=3)
    given = customer.changed(country="NL", at=later, marketing_consent=True)
    assert (given.marketing_consent, given.marketing_consent_at) == (True, later)
    confirmed = given.changed(country="NL", at=later + timedelta(days=1), marketing_consent=True)
    assert confirmed.marketing_consent_at == later  # the first stamp stays
    untouched = given.changed(country="NL", at=later + timedelta(days=1), full_name="Anna")
    assert untouched.marketing_consent_at == later
    withdrawn = given.changed(country="NL", at=later, marketing_consent=False)
    assert (withdrawn.marketing_consent, withdrawn.marketing_consent_at) == (False, None)
    assert _customer(marketing_consent=True).marketing_consent_at == AT


def test_changes_keep_what_is_not_named_and_clear_what_is() -> None:
    customer = _customer(email="anna@example.com", phone="0612345678")
    assert customer.search_text == "anna de vries anna@example.com +31612345678"
    changed = customer.changed(country="NL", at=AT, clear_email=True, phone="+442079460018")
    assert (changed.email, changed.phone, changed.full_name) == (None, "+442079460018", "Anna de Vries")
    assert changed.changed(country="NL", at=AT, clear_phone=True).phone is None
    with pytest.raises(InvalidValue) as refused:
        customer.changed(country="NL", at=AT, phone="06 1")
    assert refused.value.field == "phone"
    assert search_key("Émile", None, None) == "émile"


def test_an_address_book_adds_changes_and_removes_recipients() -> None:
    home = Address.create(name="Marieke", line1="Oudegracht 12", city="Utrecht", postal_code="3511 ab", country="nl")
    assert (home.postal_code, home.country, home.phone, home.line2) == ("3511 AB", "NL", None, "")
    london = Address.create(
        name="Tom", line1="10 Downing St", city="London", postal_code="SW1A 2AA", country="GB", phone="020 7946 0018"
    )
    assert london.phone == "+442079460018"  # read as dialled in the address's own country
    customer = _customer().with_address(home).with_address(london)
    assert [a.id for a in customer.addresses] == [home.id, london.id]
    moved = home.changed(line2="3rd floor", phone="030 1234567")
    assert (moved.id, moved.line2, moved.phone, moved.line1) == (home.id, "3rd floor", "+31301234567", "Oudegracht 12")
    assert moved.changed(clear_phone=True).phone is None
    customer = customer.with_address_replaced(moved)
    assert customer.address(home.id) == moved
    customer = customer.without_address(home.id)
    assert [a.id for a in customer.addresses] == [london.id]
    with pytest.raises(InvalidValues) as refused:
        Address.create(name="", line1="", city="x", postal_code="", country="XX", phone="123", prefix="addresses[2].")
    assert {p.field for p in refused.value.problems} == {
        "addresses[2].name",
        "addresses[2].line1",
        "addresses[2].postal_code",
        "addresses[2].country",
    }
    full = _customer(addresses=tuple([home] * MAX_ADDRESSES))
    with pytest.raises(InvalidValue):
        full.with_address(london)
