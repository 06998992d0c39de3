"""The ledger's arithmetic and first-expired-first-out, as properties over any sequence of
movements (hypothesis): no lot ever goes negative or has more reserved than on hand, refused
movements change nothing, and the running totals equal the ledger's sums."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.shared.errors import InvalidValue, InvalidValues
from domain.shared.money import Money
from domain.stock.fefo import allocate, fefo
from domain.stock.item import StockItem, StockKind, Tracking
from domain.stock.ledger import (
    Balance,
    Movement,
    MovementKind,
    NotEnoughStock,
    apply,
    balances,
    consumed_by_order,
    held_by_order,
    totals,
)
from domain.stock.lot import NEVER, StockLot

VENDOR = uuid.uuid4()
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
ITEMS = [uuid.uuid4() for _ in range(2)]
LOTS = [(ITEMS[n % 2], uuid.uuid4()) for n in range(4)]
ORDERS = [uuid.uuid4() for _ in range(3)]


def _movement(kind: MovementKind, lot: int, quantity: int, order: int | None = None) -> Movement:
    item_id, lot_id = LOTS[lot]
    return Movement.new(
        kind,
        vendor_id=VENDOR,
        stock_item_id=item_id,
        lot_id=lot_id,
        quantity=quantity,
        at=AT,
        order_id=ORDERS[order] if order is not None else None,
        reason="counted" if kind in (MovementKind.WASTE, MovementKind.ADJUSTMENT) else None,
    )


operations = st.lists(
    st.tuples(
        st.sampled_from(list(MovementKind)),
        st.integers(0, len(LOTS) - 1),
        st.integers(1, 30),
        st.booleans(),  # an adjustment's sign
        st.integers(0, len(ORDERS) - 1),
    ),
    max_size=80,
)


class Shop:
    """A model of the repository: running totals per lot and item, updated only when a movement is
    accepted, and the ledger of accepted movements."""

    def __init__(self) -> None:
        self.lots: dict[uuid.UUID, Balance] = {}
        self.items: dict[uuid.UUID, Balance] = {}
        self.ledger: list[Movement] = []

    def record(self, movement: Movement) -> bool:
        before = self.lots.get(movement.lot_id, Balance())
        try:
            after = apply(before, movement.kind, movement.quantity, of_order=movement.order_id is not None)
        except NotEnoughStock:
            return False
        self.lots[movement.lot_id] = after
        self.items[movement.stock_item_id] = self.items.get(movement.stock_item_id, Balance()) + movement.effect
        self.ledger.append(movement)
        return True


@settings(max_examples=300, deadline=None)
@given(operations)
def test_no_lot_goes_negative_and_the_totals_equal_the_ledger(
    ops: list[tuple[MovementKind, int, int, bool, int]],
) -> None:
    shop = Shop()
    for kind, lot, quantity, negative, order in ops:
        signed = -quantity if kind is MovementKind.ADJUSTMENT and negative else quantity
        before = dict(shop.lots)
        accepted = shop.record(_movement(kind, lot, signed, order if kind in _ORDERED else None))
        if not accepted:
            assert shop.lots == before  # a refused movement changes nothing
        for balance in (*shop.lots.values(), *shop.items.values()):
            assert 0 <= balance.reserved <= balance.on_hand
            assert balance.available >= 0
    assert totals(shop.ledger) == shop.lots
    assert totals(shop.ledger, by_item=True) == shop.items
    assert balances(shop.ledger) == shop.lots  # the ledger replayed step by step never breaks a balance
    for item_id in ITEMS:
        lots_of_item = [
            balance for (item, lot_id) in LOTS if item == item_id for balance in [shop.lots.get(lot_id)] if balance
        ]
        assert sum((balance for balance in lots_of_item), Balance()) == shop.items.get(item_id, Balance())


_ORDERED = (MovementKind.RESERVE, MovementKind.RELEASE, MovementKind.CONSUME)


@given(st.integers(0, 100), st.integers(0, 100), st.integers(1, 200))
def test_waste_never_exceeds_what_the_lot_has_unreserved(on_hand: int, reserved: int, quantity: int) -> None:
    balance = Balance(on_hand, min(reserved, on_hand))
    if quantity <= balance.available:
        assert apply(balance, MovementKind.WASTE, quantity) == Balance(balance.on_hand - quantity, balance.reserved)
    else:
        with pytest.raises(NotEnoughStock):
            apply(balance, MovementKind.WASTE, quantity)


def test_a_receipt_must_be_positive() -> None:
    with pytest.raises(Exception, match="positive"):
        _movement(MovementKind.RECEIPT, 0, 0)
    with pytest.raises(Exception, match="positive"):
        _movement(MovementKind.RECEIPT, 0, -5)
    item = StockItem.create(vendor_id=VENDOR, name="Rose", kind=StockKind.STEM, tracking=Tracking.STRICT)
    with pytest.raises(InvalidValue) as refused:
        StockLot.receive(item, quantity=-3, unit_cost=Money(10, "EUR"), received_on=TODAY, expires_on=None, today=TODAY)
    assert refused.value.field == "quantity"


def test_an_expiry_defaults_to_received_plus_shelf_life() -> None:
    rose = StockItem.create(
        vendor_id=VENDOR, name="Rose", kind=StockKind.STEM, tracking=Tracking.STRICT, shelf_life_days=7
    )
    vase = StockItem.create(vendor_id=VENDOR, name="Vase", kind=StockKind.HARD_GOOD, tracking=Tracking.NONE)
    received = TODAY - timedelta(days=2)
    lot = StockLot.receive(
        rose, quantity=10, unit_cost=Money(40, "EUR"), received_on=received, expires_on=None, today=TODAY
    )
    assert lot.expires_on == received + timedelta(days=7)
    assert (
        StockLot.receive(
            vase, quantity=1, unit_cost=Money(900, "EUR"), received_on=TODAY, expires_on=None, today=TODAY
        ).expires_on
        == NEVER
    )
    with pytest.raises(InvalidValues) as refused:
        StockLot.receive(
            rose,
            quantity=0,
            unit_cost=Money(40, "EUR"),
            received_on=TODAY,
            expires_on=TODAY - timedelta(days=1),
            today=TODAY,
        )
    assert {problem.field for problem in refused.value.problems} == {"quantity", "expires_on"}


def test_an_item_reports_every_refused_field() -> None:
    with pytest.raises(InvalidValues) as refused:
        StockItem.create(
            vendor_id=VENDOR,
            name=" \u200b ",
            kind=StockKind.STEM,
            tracking=Tracking.STRICT,
            shelf_life_days=0,
            reorder_level=-1,
        )
    assert {problem.field for problem in refused.value.problems} == {"name", "shelf_life_days", "reorder_level"}


lot_specs = st.lists(
    st.tuples(st.integers(0, 10), st.integers(0, 20), st.integers(0, 20), st.integers(0, 5)),
    min_size=0,
    max_size=8,
)


def _lots(specs: list[tuple[int, int, int, int]], item_id: uuid.UUID) -> list[StockLot]:
    """Lots from (expires in days, on hand, reserved, received days ago)."""
    return [
        StockLot(
            id=uuid.uuid4(),
            vendor_id=VENDOR,
            stock_item_id=item_id,
            quantity=max(on_hand, 1),
            unit_cost=Money(10, "EUR"),
            received_on=TODAY - timedelta(days=ago),
            expires_on=TODAY + timedelta(days=expires),
            balance=Balance(on_hand, min(reserved, on_hand)),
        )
        for expires, on_hand, reserved, ago in specs
    ]


@given(lot_specs, st.integers(1, 60), st.integers(0, 10))
def test_fefo_takes_the_soonest_to_expire_of_the_fresh_lots_all_or_nothing(
    specs: list[tuple[int, int, int, int]], quantity: int, days_ahead: int
) -> None:
    lots = _lots(specs, ITEMS[0])
    on_date = TODAY + timedelta(days=days_ahead)
    fresh = [lot for lot in lots if lot.expires_on >= on_date and lot.available > 0]
    takes = fefo(lots, quantity, on_date)
    if sum(lot.available for lot in fresh) < quantity:
        assert takes is None
        return
    assert takes is not None
    assert sum(take.quantity for take in takes) == quantity
    by_id = {lot.id: lot for lot in lots}
    chosen = [by_id[take.lot_id] for take in takes]
    assert all(lot in fresh for lot in chosen)  # never a wilted lot, never an empty one
    assert all(0 < take.quantity <= by_id[take.lot_id].available for take in takes)
    assert len({take.lot_id for take in takes}) == len(takes)
    # First expired first out: every lot taken from but the last is emptied, and no fresh lot
    # left untouched expires before the last one taken from.
    assert all(take.quantity == by_id[take.lot_id].available for take in takes[:-1])
    last = chosen[-1].expires_on
    untouched = [lot for lot in fresh if lot not in chosen]
    assert all(lot.expires_on >= last for lot in untouched)
    assert [lot.expires_on for lot in chosen] == sorted(lot.expires_on for lot in chosen)


@given(lot_specs, lot_specs, st.integers(1, 40), st.integers(1, 40))
def test_allocation_is_all_or_nothing_across_items(
    first: list[tuple[int, int, int, int]], second: list[tuple[int, int, int, int]], a: int, b: int
) -> None:
    lots = _lots(first, ITEMS[0]) + _lots(second, ITEMS[1])
    takes, shortages = allocate(lots, {ITEMS[0]: a, ITEMS[1]: b}, TODAY)
    enough = {
        item: sum(lot.available for lot in lots if lot.stock_item_id == item and lot.fresh_on(TODAY)) for item in ITEMS
    }
    short = {item for item, wanted in ((ITEMS[0], a), (ITEMS[1], b)) if enough[item] < wanted}
    assert {s.stock_item_id for s in shortages} == short
    if short:
        assert takes == []
    else:
        assert sum(t.quantity for t in takes if t.stock_item_id == ITEMS[0]) == a
        assert sum(t.quantity for t in takes if t.stock_item_id == ITEMS[1]) == b


@settings(max_examples=200, deadline=None)
@given(operations)
def test_what_an_order_holds_is_what_it_reserved_less_released_and_consumed(
    ops: list[tuple[MovementKind, int, int, bool, int]],
) -> None:
    shop = Shop()
    for kind, lot, quantity, _, order in ops:
        if kind in _ORDERED:
            # Releases and consumptions settle what the order holds, as StockReservations does.
            if kind is not MovementKind.RESERVE:
                for lot_id, held in held_by_order(shop.ledger, ORDERS[order]).items():
                    index = next(n for n, (_, known) in enumerate(LOTS) if known == lot_id)
                    assert shop.record(_movement(kind, index, held, order))
                continue
            shop.record(_movement(kind, lot, quantity, order))
        elif kind is MovementKind.RECEIPT:
            shop.record(_movement(kind, lot, quantity))
        elif kind is MovementKind.WASTE:
            # An order's consumed units written off: recorded, no balance moves, and only once.
            before = dict(shop.lots)
            for lot_id, consumed in consumed_by_order(shop.ledger, ORDERS[order]).items():
                index = next(n for n, (_, known) in enumerate(LOTS) if known == lot_id)
                assert shop.record(_movement(kind, index, consumed, order))
            assert shop.lots == before
            assert consumed_by_order(shop.ledger, ORDERS[order]) == {}
    reserved = sum((held for order in ORDERS for held in held_by_order(shop.ledger, order).values()), 0)
    assert reserved == sum(balance.reserved for balance in shop.lots.values())
    assert totals(shop.ledger) == shop.lots
