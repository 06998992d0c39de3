"""A stock lot: one delivery of an item, with its cost and the day it wilts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from domain.shared.errors import Checks, InvalidValue
from domain.shared.money import Money
from domain.stock.item import StockItem, check_quantity
from domain.stock.ledger import Balance

# What a lot of an item that never wilts (a vase, a roll of ribbon) expires on: never, as a date.
NEVER = date(9999, 12, 31)
# How far back a delivery may be dated, and ahead an expiry may lie: typing mistakes, not stock.
MAX_BACKDATE_DAYS = 366


@dataclass(frozen=True, slots=True)
class StockLot:
    id: UUID
    vendor_id: UUID
    stock_item_id: UUID
    quantity: int  # as received
    unit_cost: Money
    received_on: date
    expires_on: date
    balance: Balance = field(default_factory=Balance)
    created_at: datetime | None = None

    @property
    def on_hand(self) -> int:
        return self.balance.on_hand

    @property
    def reserved(self) -> int:
        return self.balance.reserved

    @property
    def available(self) -> int:
        return self.balance.available

    def fresh_on(self, day: date) -> bool:
        """Still sellable for an order on ``day``: it expires on that day or later."""
        return self.expires_on >= day

    @classmethod
    def receive(
        cls,
        item: StockItem,
        *,
        quantity: int,
        unit_cost: Money,
        received_on: date,
        expires_on: date | None,
        today: date,
        at: datetime | None = None,
        id: UUID | None = None,
    ) -> StockLot:
        """A delivery of ``item``: a positive quantity, received today or earlier (at most a year
        back), expiring on or after it was received; without an expiry date, received + the
        item's shelf life (never, for an item without one). Every refused field reported together."""
        checks = Checks()
        quantity = checks.run(check_quantity, quantity)
        if received_on > today:
            checks.add(InvalidValue("received_on", "must not be in the future"))
        elif received_on < today - timedelta(days=MAX_BACKDATE_DAYS):
            checks.add(InvalidValue("received_on", f"must be within the last {MAX_BACKDATE_DAYS} days"))
        if expires_on is None:
            expires_on = default_expiry(item, received_on)
        elif expires_on < received_on:
            checks.add(InvalidValue("expires_on", "must not be before the day the lot was received"))
        checks.raise_any()
        return cls(
            id=id or uuid4(),
            vendor_id=item.vendor_id,
            stock_item_id=item.id,
            quantity=quantity,
            unit_cost=unit_cost,
            received_on=received_on,
            expires_on=expires_on,
            balance=Balance(),
            created_at=at,
        )


def default_expiry(item: StockItem, received_on: date) -> date:
    if item.shelf_life_days is None:
        return NEVER
    try:
        return received_on + timedelta(days=item.shelf_life_days)
    except OverflowError:
        return NEVER
