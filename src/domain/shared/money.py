"""Money: an integer amount of a currency's minor units (cents), never a float."""

from __future__ import annotations

from dataclasses import dataclass

from domain.shared.errors import InvalidValue, InvariantViolation
from domain.shared.iso_codes import CURRENCIES

# Far beyond any florist's price or stock value, far inside a PostgreSQL BIGINT and a JS safe integer.
MAX_AMOUNT_MINOR = 10**13


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount_minor) is not int:
            raise InvalidValue("amount_minor", "must be a whole number of minor units")
        if abs(self.amount_minor) > MAX_AMOUNT_MINOR:
            raise InvalidValue("amount_minor", f"must be at most {MAX_AMOUNT_MINOR} in size")
        if self.currency not in CURRENCIES:
            raise InvalidValue("currency", "must be an ISO 4217 currency code such as EUR")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def of(cls, amount_minor: int, currency: str, field: str, *, vendor_currency: str | None = None) -> Money:
        """An amount from input, every problem named by ``field`` (``price.amount_minor``, …):
        non-negative, and in the shop's currency when ``vendor_currency`` is given."""
        if type(amount_minor) is not int or amount_minor < 0:
            raise InvalidValue(f"{field}.amount_minor", "must be a whole number of minor units, 0 or more")
        if amount_minor > MAX_AMOUNT_MINOR:
            raise InvalidValue(f"{field}.amount_minor", f"must be at most {MAX_AMOUNT_MINOR}")
        if currency not in CURRENCIES:
            raise InvalidValue(f"{field}.currency", "must be an ISO 4217 currency code such as EUR")
        if vendor_currency is not None and currency != vendor_currency:
            raise InvalidValue(f"{field}.currency", f"must be the shop's currency, {vendor_currency}")
        return cls(amount_minor, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvariantViolation(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount_minor * quantity, self.currency)
