"""What a variant costs to make, from its recipe and the stock on hand.

Each stock item's unit cost is the weighted average over its lots on hand (value on hand divided
by units on hand). A variant's cost of goods is the sum of each recipe line's quantity times that
average, computed exactly and rounded once, half up, to whole minor units. An item with nothing
on hand has no known cost: the variant's cost is then unknown (``None``, ``complete`` False),
never a guess. A variant without a recipe costs nothing from stock (0, complete).

Margin is price minus cost; margin percent is the margin as a share of the price (one decimal,
half up), unknown when the cost is unknown or the price is zero."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class LineStock:
    """One recipe line with what its item has on hand: units and their total value (minor units)."""

    quantity: int
    units_on_hand: int
    value_on_hand_minor: int


@dataclass(frozen=True, slots=True)
class Costing:
    cost_minor: int | None
    complete: bool
    margin_minor: int | None
    margin_percent: float | None


def _exact_cost(lines: Iterable[LineStock]) -> tuple[int, int] | None:
    """The exact cost of goods as a fraction ``(numerator, denominator)`` (denominator > 0), or
    None when some line's item has nothing on hand. Plain integers: a page of products costs every
    variant on every read, and ``Fraction`` (which reduces by a gcd at every step) was most of
    that read's time."""
    numerator, denominator = 0, 1
    for line in lines:
        if line.units_on_hand <= 0:
            return None
        if line.units_on_hand == denominator:
            numerator += line.quantity * line.value_on_hand_minor
        else:
            numerator = numerator * line.units_on_hand + line.quantity * line.value_on_hand_minor * denominator
            denominator *= line.units_on_hand
    return numerator, denominator


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up (towards +inf on a tie), denominator > 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def cost_of(lines: Iterable[LineStock]) -> Fraction | None:
    """The exact cost of goods of a recipe, or None when some line's item has nothing on hand."""
    exact = _exact_cost(lines)
    return None if exact is None else Fraction(*exact)


def costing(price_minor: int, lines: Iterable[LineStock]) -> Costing:
    exact = _exact_cost(lines)
    if exact is None:
        return Costing(cost_minor=None, complete=False, margin_minor=None, margin_percent=None)
    numerator, denominator = exact
    cost = _half_up(numerator, denominator)
    margin = price_minor - cost
    percent = None
    if price_minor > 0:
        # From the exact cost, so the percent agrees with the order the list sorts by:
        # (price - cost) / price in tenths of a percent, rounded half up.
        tenths = _half_up((price_minor * denominator - numerator) * 1000, price_minor * denominator)
        percent = tenths / 10
    return Costing(cost_minor=cost, complete=True, margin_minor=margin, margin_percent=percent)
