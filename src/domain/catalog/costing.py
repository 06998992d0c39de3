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


def _half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)) // 1)


def cost_of(lines: Iterable[LineStock]) -> Fraction | None:
    """The exact cost of goods of a recipe, or None when some line's item has nothing on hand."""
    total = Fraction(0)
    for line in lines:
        if line.units_on_hand <= 0:
            return None
        total += Fraction(line.quantity * line.value_on_hand_minor, line.units_on_hand)
    return total


def costing(price_minor: int, lines: Iterable[LineStock]) -> Costing:
    exact = cost_of(lines)
    if exact is None:
        return Costing(cost_minor=None, complete=False, margin_minor=None, margin_percent=None)
    cost = _half_up(exact)
    margin = price_minor - cost
    percent = None
    if price_minor > 0:
        # From the exact cost, so the percent agrees with the order the list sorts by.
        tenths = (Fraction(price_minor) - exact) * 1000 / price_minor
        percent = float(Fraction(_half_up(tenths), 10))
    return Costing(cost_minor=cost, complete=True, margin_minor=margin, margin_percent=percent)
