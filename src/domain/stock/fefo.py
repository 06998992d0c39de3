"""First expired, first out: which lots an order's units come from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.stock.lot import StockLot


@dataclass(frozen=True, slots=True)
class Take:
    """``quantity`` units of ``lot_id`` (of ``stock_item_id``)."""

    stock_item_id: UUID
    lot_id: UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Shortage:
    stock_item_id: UUID
    wanted: int
    available: int


def fefo(lots: Iterable[StockLot], quantity: int, on_date: date) -> list[Take] | None:
    """``quantity`` units from the lots still fresh on ``on_date``, the soonest to expire first (ties:
    the oldest delivery, then the lot id), or None when they hold fewer than that: all or nothing."""
    fresh = sorted(
        (lot for lot in lots if lot.fresh_on(on_date) and lot.available > 0),
        key=lambda lot: (lot.expires_on, lot.received_on, lot.id),
    )
    takes: list[Take] = []
    wanted = quantity
    for lot in fresh:
        if wanted == 0:
            break
        taken = min(wanted, lot.available)
        takes.append(Take(lot.stock_item_id, lot.id, taken))
        wanted -= taken
    return takes if wanted == 0 else None


def allocate(lots: Sequence[StockLot], wanted: Mapping[UUID, int], on_date: date) -> tuple[list[Take], list[Shortage]]:
    """Every item's ``wanted`` units by ``fefo``; the takes when every item has enough, else the
    shortages (then nothing is to be taken at all)."""
    takes: list[Take] = []
    shortages: list[Shortage] = []
    for item_id in sorted(wanted):
        item_lots = [lot for lot in lots if lot.stock_item_id == item_id]
        chosen = fefo(item_lots, wanted[item_id], on_date)
        if chosen is None:
            available = sum(lot.available for lot in item_lots if lot.fresh_on(on_date) and lot.available > 0)
            shortages.append(Shortage(item_id, wanted[item_id], available))
        else:
            takes.extend(chosen)
    return ([], shortages) if shortages else (takes, [])
