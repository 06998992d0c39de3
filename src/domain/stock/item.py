"""A stock item: something the shop buys and keeps, counted in units (stems, bunches, pieces)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from domain.shared.errors import Checks, InvalidValue
from domain.shared.text import clean_line

MAX_ITEM_NAME_LENGTH = 120
MAX_SHELF_LIFE_DAYS = 3650
# Far beyond any florist's stock of one item, far inside a 32-bit integer column even when summed.
MAX_QUANTITY = 1_000_000


class StockKind(enum.StrEnum):
    STEM = "STEM"
    FOLIAGE = "FOLIAGE"
    SUNDRY = "SUNDRY"
    HARD_GOOD = "HARD_GOOD"


class Tracking(enum.StrEnum):
    """STRICT items are reserved for orders lot by lot; NONE items (ribbon, wire) are only counted."""

    STRICT = "STRICT"
    NONE = "NONE"


def check_item_name(raw: str, field: str = "name") -> str:
    return clean_line(raw, field, max_length=MAX_ITEM_NAME_LENGTH)


def check_shelf_life_days(value: int | None, field: str = "shelf_life_days") -> int | None:
    if value is not None and not 1 <= value <= MAX_SHELF_LIFE_DAYS:
        raise InvalidValue(field, f"must be between 1 and {MAX_SHELF_LIFE_DAYS} days")
    return value


def check_reorder_level(value: int, field: str = "reorder_level") -> int:
    if not 0 <= value <= MAX_QUANTITY:
        raise InvalidValue(field, f"must be between 0 and {MAX_QUANTITY}")
    return value


def check_quantity(value: int, field: str = "quantity") -> int:
    """A quantity that moves: a whole number of units, at least one."""
    if type(value) is not int or not 1 <= value <= MAX_QUANTITY:
        raise InvalidValue(field, f"must be a whole number between 1 and {MAX_QUANTITY}")
    return value


@dataclass(frozen=True, slots=True)
class StockItem:
    """Its quantities are not here: they are the ledger's (``domain.stock.ledger``)."""

    id: UUID
    vendor_id: UUID
    name: str
    kind: StockKind
    tracking: Tracking
    shelf_life_days: int | None
    reorder_level: int
    created_at: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        vendor_id: UUID,
        name: str,
        kind: StockKind,
        tracking: Tracking,
        shelf_life_days: int | None = None,
        reorder_level: int = 0,
        at: datetime | None = None,
        id: UUID | None = None,
    ) -> StockItem:
        """A new item, every field checked (every refused one reported together)."""
        checks = Checks()
        name = checks.run(check_item_name, name)
        shelf_life_days = checks.run(check_shelf_life_days, shelf_life_days)
        reorder_level = checks.run(check_reorder_level, reorder_level)
        checks.raise_any()
        return cls(
            id=id or uuid4(),
            vendor_id=vendor_id,
            name=name,
            kind=StockKind(kind),
            tracking=Tracking(tracking),
            shelf_life_days=shelf_life_days,
            reorder_level=reorder_level,
            created_at=at,
        )

    def changed(
        self,
        *,
        name: str | None = None,
        reorder_level: int | None = None,
        shelf_life_days: int | None = None,
        clear_shelf_life: bool = False,
    ) -> StockItem:
        """The item with the given fields changed (``clear_shelf_life``: it no longer wilts). A
        new shelf life applies to lots received from now on; lots already in keep their dates."""
        checks = Checks()
        if name is not None:
            name = checks.run(check_item_name, name)
        if reorder_level is not None:
            reorder_level = checks.run(check_reorder_level, reorder_level)
        if shelf_life_days is not None:
            shelf_life_days = checks.run(lambda days: check_shelf_life_days(days) or days, shelf_life_days)
        checks.raise_any()
        return replace(
            self,
            name=self.name if name is None else name,
            reorder_level=self.reorder_level if reorder_level is None else reorder_level,
            shelf_life_days=None if clear_shelf_life else (shelf_life_days or self.shelf_life_days),
        )
