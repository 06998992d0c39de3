"""Free text kept as plain text (contract section 6) and Money, the shared kernel the shop floor uses."""

from __future__ import annotations

import pytest

from domain.shared.errors import InvalidValue, InvariantViolation
from domain.shared.money import MAX_AMOUNT_MINOR, Money
from domain.shared.text import plain_text


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Roses & lilies <3", "Roses & lilies <3"),  # entities and a lone '<' survive exactly
        ("<b>Peonies</b> &amp; tulips", "Peonies & tulips"),
        ("Peonies<script>alert(1)</script>", "Peonies"),
        ("<style>p{color:red}</style>Lilies", "Lilies"),
        ('<img src=x onerror="alert(1)">Ranunculus', "Ranunculus"),
        ("tulips<br>roses", "tulips roses"),
        ("&#x202E;reversed", "reversed"),  # an entity for a bidi override is removed once unescaped
        ("zero\u200bwidth\u2066 and\u202e bidi", "zerowidth and bidi"),
        ("a\u0000b\u0007c", "abc"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC
        ("  many   spaces\tand\nlines  ", "many spaces and lines"),
        ("5 < 10 and 10 > 5", "5 < 10 and 10 > 5"),
    ],
)
def test_one_line_plain_text(raw: str, kept: str) -> None:
    assert plain_text(raw, "name", max_length=200) == kept


def test_multiline_text_keeps_its_line_breaks() -> None:
    raw = "<p>Card:</p><p>Happy  birthday,\r\n\r\n\r\n\r\nlove\u200b Anna</p>"
    assert plain_text(raw, "notes", max_length=200, multiline=True) == "Card:\nHappy birthday,\n\nlove Anna"


def test_too_long_is_refused_never_truncated() -> None:
    with pytest.raises(InvalidValue) as refused:
        plain_text("x" * 201, "description", max_length=200)
    assert refused.value.field == "description"
    assert plain_text("<b>" + "x" * 200 + "</b>", "description", max_length=200) == "x" * 200


def test_empty_after_cleaning() -> None:
    for raw in ("", "   ", "<b></b>", "\u200b\u202e", "<script>x</script>"):
        with pytest.raises(InvalidValue):
            plain_text(raw, "reason", max_length=50)
        assert plain_text(raw, "reason", max_length=50, required=False) == ""


def test_money_arithmetic_stays_in_one_currency() -> None:
    assert Money(450, "EUR") + Money(50, "EUR") == Money(500, "EUR")
    assert Money(450, "EUR").times(3) == Money(1350, "EUR")
    assert Money(100, "EUR") - Money(250, "EUR") == Money(-150, "EUR")
    with pytest.raises(InvariantViolation):
        Money(1, "EUR") + Money(1, "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        (-1, "EUR", "price.amount_minor"),
        (MAX_AMOUNT_MINOR + 1, "EUR", "price.amount_minor"),
        (True, "EUR", "price.amount_minor"),
        (100, "eur", "price.currency"),
        (100, "USD", "price.currency"),  # not the shop's
    ],
)
def test_money_from_input_names_the_field(amount: int, currency: str, field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        Money.of(amount, currency, "price", vendor_currency="EUR")
    assert refused.value.field == field
    assert Money.of(0, "EUR", "price", vendor_currency="EUR") == Money.zero("EUR")
