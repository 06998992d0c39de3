"""The movement ledger: the only way a quantity of stock changes, and the arithmetic of it.

Every movement belongs to one lot. A lot's balance is two numbers, ``on_hand`` (units in the
shop) and ``reserved`` (of those, units promised to orders); ``available`` is what is left to
promise. Each kind of movement changes them in one fixed way (``effect``):

============  ==========  ==========
kind          on_hand     reserved
============  ==========  ==========
RECEIPT q     + q
RESERVE q                 + q
RELEASE q                 - q
CONSUME q     - q         - q         (reserved units leave the shop in an order)
WASTE q       - q                     (only unreserved units: reserved ones belong to an order)
ADJUSTMENT d  + d                     (d signed: found or lost at a count)
============  ==========  ==========

A WASTE that names an order writes off units that order consumed (an order cancelled after it was
made up): they left ``on_hand`` when it consumed them, so it changes no balance and only records
the loss, at most what the order consumed and has not written off yet (``consumed_by_order``).

A balance is valid when ``0 <= reserved <= on_hand``; a movement that would leave it otherwise is
refused (``apply``). The database keeps the same balances as running totals and checks the same
rule, so the stored totals always equal ``balances`` over the stored ledger.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from domain.shared.errors import InvalidValue, InvariantViolation
from domain.shared.text import plain_text
from domain.stock.item import MAX_QUANTITY

MAX_REASON_LENGTH = 500


class MovementKind(enum.StrEnum):
    RECEIPT = "RECEIPT"
    RESERVE = "RESERVE"
    RELEASE = "RELEASE"
    CONSUME = "CONSUME"
    WASTE = "WASTE"
    ADJUSTMENT = "ADJUSTMENT"


_NEEDS_REASON = frozenset((MovementKind.WASTE, MovementKind.ADJUSTMENT))


def check_reason(raw: str, field: str = "reason") -> str:
    return plain_text(raw, field, max_length=MAX_REASON_LENGTH, multiline=True)


def check_adjustment(value: int, field: str = "quantity") -> int:
    """A signed correction: stock found (positive) or lost (negative), never zero."""
    if type(value) is not int or value == 0 or abs(value) > MAX_QUANTITY:
        raise InvalidValue(field, f"must be a whole number between -{MAX_QUANTITY} and {MAX_QUANTITY}, not 0")
    return value


class NotEnoughStock(InvariantViolation):
    """A movement would take more than a lot has (or has free): refused, nothing recorded."""

    code = "INSUFFICIENT_STOCK"


@dataclass(frozen=True, slots=True)
class Balance:
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def valid(self) -> bool:
        return 0 <= self.reserved <= self.on_hand

    def __add__(self, other: Balance) -> Balance:
        return Balance(self.on_hand + other.on_hand, self.reserved + other.reserved)


@dataclass(frozen=True, slots=True)
class Movement:
    """One line of the ledger. ``quantity`` is a magnitude, except an ADJUSTMENT's, which is signed."""

    id: UUID
    vendor_id: UUID
    stock_item_id: UUID
    lot_id: UUID
    kind: MovementKind
    quantity: int
    at: datetime
    order_id: UUID | None = None
    reason: str | None = None
    actor_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.kind is MovementKind.ADJUSTMENT:
            if self.quantity == 0:
                raise InvariantViolation("an adjustment moves at least one unit")
        elif self.quantity <= 0:
            raise InvariantViolation(f"a {self.kind.value} moves a positive quantity")
        if self.kind in _NEEDS_REASON and not self.reason:
            raise InvariantViolation(f"a {self.kind.value} needs a reason")

    @classmethod
    def new(
        cls,
        kind: MovementKind,
        *,
        vendor_id: UUID,
        stock_item_id: UUID,
        lot_id: UUID,
        quantity: int,
        at: datetime,
        order_id: UUID | None = None,
        reason: str | None = None,
        actor_id: UUID | None = None,
    ) -> Movement:
        return cls(
            id=uuid4(),
            vendor_id=vendor_id,
            stock_item_id=stock_item_id,
            lot_id=lot_id,
            kind=kind,
            quantity=quantity,
            at=at,
            order_id=order_id,
            reason=reason,
            actor_id=actor_id,
        )

    @property
    def effect(self) -> Balance:
        return effect(self.kind, self.quantity, of_order=self.order_id is not None)


def effect(kind: MovementKind, quantity: int, *, of_order: bool = False) -> Balance:
    """How a movement of ``kind`` and ``quantity`` changes a lot's balance (the table above);
    ``of_order``: the movement names an order (only a WASTE's effect depends on it)."""
    if kind is MovementKind.WASTE and of_order:
        return Balance()
    if kind is MovementKind.RECEIPT or kind is MovementKind.ADJUSTMENT:
        return Balance(on_hand=quantity)
    if kind is MovementKind.RESERVE:
        return Balance(reserved=quantity)
    if kind is MovementKind.RELEASE:
        return Balance(reserved=-quantity)
    if kind is MovementKind.CONSUME:
        return Balance(on_hand=-quantity, reserved=-quantity)
    return Balance(on_hand=-quantity)  # WASTE


def apply(balance: Balance, kind: MovementKind, quantity: int, *, of_order: bool = False) -> Balance:
    """The balance after the movement, or ``NotEnoughStock`` naming what is missing."""
    after = balance + effect(kind, quantity, of_order=of_order)
    if after.valid:
        return after
    if kind is MovementKind.RELEASE or kind is MovementKind.CONSUME:
        raise NotEnoughStock(f"only {balance.reserved} of this lot are reserved, not {quantity}")
    if kind is MovementKind.RESERVE:
        raise NotEnoughStock(f"only {balance.available} of this lot are available, not {quantity}")
    if kind is MovementKind.WASTE and quantity <= balance.on_hand:
        raise NotEnoughStock(
            f"only {balance.available} of this lot's {balance.on_hand} are not reserved for orders, not {quantity}"
        )
    if kind is MovementKind.WASTE:
        raise NotEnoughStock(f"the lot has only {balance.on_hand}, not {quantity}")
    raise NotEnoughStock(f"the lot has only {balance.available} not reserved for orders, cannot remove {-quantity}")


def balances(movements: Iterable[Movement]) -> dict[UUID, Balance]:
    """Each lot's balance from its movements, in order, refusing one that would break it."""
    result: dict[UUID, Balance] = {}
    for movement in movements:
        result[movement.lot_id] = apply(
            result.get(movement.lot_id, Balance()),
            movement.kind,
            movement.quantity,
            of_order=movement.order_id is not None,
        )
    return result


def totals(movements: Iterable[Movement], *, by_item: bool = False) -> dict[UUID, Balance]:
    """Each lot's (``by_item``: each item's) balance as the plain sum of its movements' effects, in
    any order: what the running totals must equal. (Whether every step on the way was valid is
    ``balances``' question; the stored ledger's order of commits is not recorded.)"""
    result: dict[UUID, Balance] = {}
    for movement in movements:
        key = movement.stock_item_id if by_item else movement.lot_id
        result[key] = result.get(key, Balance()) + movement.effect
    return result


def held_by_order(movements: Iterable[Movement], order_id: UUID) -> Mapping[UUID, int]:
    """Per lot, how many units ``order_id`` still holds reserved (reserved, less released and consumed)."""
    held: dict[UUID, int] = {}
    for movement in movements:
        if movement.order_id != order_id or movement.kind not in (
            MovementKind.RESERVE,
            MovementKind.RELEASE,
            MovementKind.CONSUME,
        ):
            continue
        held[movement.lot_id] = held.get(movement.lot_id, 0) + movement.effect.reserved
    return {lot_id: quantity for lot_id, quantity in held.items() if quantity > 0}


def consumed_by_order(movements: Iterable[Movement], order_id: UUID) -> Mapping[UUID, int]:
    """Per lot, how many units ``order_id`` consumed and has not written off yet."""
    consumed: dict[UUID, int] = {}
    for movement in movements:
        if movement.order_id != order_id:
            continue
        if movement.kind is MovementKind.CONSUME:
            consumed[movement.lot_id] = consumed.get(movement.lot_id, 0) + movement.quantity
        elif movement.kind is MovementKind.WASTE:
            consumed[movement.lot_id] = consumed.get(movement.lot_id, 0) - movement.quantity
    return {lot_id: quantity for lot_id, quantity in consumed.items() if quantity > 0}
