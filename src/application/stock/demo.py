"""The demo shop's stock, for `flower-vendor dev` and `flower-vendor demo seed`: about twenty
items a florist really keeps, each received in lots through the same use cases a manager uses,
some of them wilting this week so the expiring list has something to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.errors import ShopNotFound
from application.shared.pagination import PageRequest
from application.stock.items import CreateStockItem, CreateStockItemCommand
from application.stock.movements import ReceiveLot, ReceiveLotCommand
from application.stock.ports import Shops, StockFilter, StockQueries
from domain.stock.item import StockKind, Tracking


@dataclass(frozen=True, slots=True)
class DemoLot:
    quantity: int
    unit_cost_minor: int
    received_days_ago: int  # expiry follows from the item's shelf life, unless given
    expires_in_days: int | None = None


@dataclass(frozen=True, slots=True)
class DemoItem:
    name: str
    kind: StockKind
    shelf_life_days: int | None
    reorder_level: int
    lots: tuple[DemoLot, ...]
    tracking: Tracking = Tracking.STRICT


STEM, FOLIAGE, SUNDRY, HARD_GOOD = StockKind.STEM, StockKind.FOLIAGE, StockKind.SUNDRY, StockKind.HARD_GOOD

DEMO_STOCK: tuple[DemoItem, ...] = (
    DemoItem("Red rose 'Freedom' 60 cm", STEM, 10, 60, (DemoLot(100, 85, 8), DemoLot(150, 92, 1))),
    DemoItem("White rose 'Avalanche' 50 cm", STEM, 10, 40, (DemoLot(80, 78, 2),)),
    DemoItem("Spray rose 'Lydia'", STEM, 9, 30, (DemoLot(40, 65, 6),)),
    DemoItem("Peony 'Sarah Bernhardt'", STEM, 7, 20, (DemoLot(30, 210, 5), DemoLot(25, 225, 0))),
    DemoItem("Ranunculus 'Hanoi'", STEM, 7, 25, (DemoLot(50, 120, 3),)),
    DemoItem("Tulip 'Strong Gold'", STEM, 6, 50, (DemoLot(120, 38, 4),)),
    DemoItem("Lisianthus white", STEM, 12, 20, (DemoLot(30, 140, 2),)),
    DemoItem("Hydrangea 'Magical Jade'", STEM, 8, 10, (DemoLot(12, 390, 6),)),
    DemoItem("Chrysanthemum spray 'Pina Colada'", STEM, 14, 20, (DemoLot(40, 70, 3),)),
    DemoItem("Gerbera mix", STEM, 8, 30, (DemoLot(25, 55, 1),)),  # below its reorder level
    DemoItem("Sunflower 'Sunrich Orange'", STEM, 8, 20, (DemoLot(30, 95, 2),)),
    DemoItem("Stargazer lily", STEM, 10, 15, (DemoLot(20, 180, 7),)),
    DemoItem("Alstroemeria 'Virginia'", STEM, 12, 25, (DemoLot(60, 48, 2),)),
    DemoItem("Gypsophila 'Xlence'", STEM, 10, 10, (DemoLot(25, 75, 4),)),
    DemoItem("Eucalyptus cinerea", FOLIAGE, 14, 20, (DemoLot(40, 60, 5),)),
    DemoItem("Italian ruscus", FOLIAGE, 21, 20, (DemoLot(50, 35, 9),)),
    DemoItem("Pittosporum", FOLIAGE, 14, 15, (DemoLot(8, 55, 12),)),  # short, and expiring
    DemoItem("Kraft paper wrap", SUNDRY, None, 50, (DemoLot(200, 22, 30),), Tracking.NONE),
    DemoItem("Satin ribbon, blush", SUNDRY, None, 10, (DemoLot(25, 150, 30),), Tracking.NONE),
    DemoItem("Flower food sachet", SUNDRY, 365, 100, (DemoLot(500, 6, 60),), Tracking.NONE),
    DemoItem("Glass vase 20 cm", HARD_GOOD, None, 6, (DemoLot(18, 450, 40),)),
    DemoItem("Ceramic pot 12 cm", HARD_GOOD, None, 6, (DemoLot(4, 380, 40),)),  # low
)


class SeedDemoStock:
    """Fills an empty shop's stock with ``DEMO_STOCK``; a shop that has stock already is left as it
    is. Answers the shop's stock item ids by name (what the catalog's demo recipes need)."""

    def __init__(
        self,
        create: CreateStockItem,
        receive: ReceiveLot,
        queries: StockQueries,
        shops: Shops,
        clock: Clock,
    ) -> None:
        self._create = create
        self._receive = receive
        self._queries = queries
        self._shops = shops
        self._clock = clock

    async def execute(self, owner: Principal) -> dict[str, UUID]:
        existing = await self._queries.page(owner.vendor_id, PageRequest(limit=100), StockFilter())
        if existing.items:
            return {item.name: item.id for item in existing.items}
        shop = await self._shops.get(owner.vendor_id)
        if shop is None:
            raise ShopNotFound()
        today = shop.today(self._clock.now())
        ids: dict[str, UUID] = {}
        for demo in DEMO_STOCK:
            item = await self._create.execute(
                owner,
                CreateStockItemCommand(
                    name=demo.name,
                    kind=demo.kind,
                    tracking=demo.tracking,
                    shelf_life_days=demo.shelf_life_days,
                    reorder_level=demo.reorder_level,
                ),
            )
            ids[item.name] = item.id
            for lot in demo.lots:
                await self._receive.execute(
                    owner,
                    ReceiveLotCommand(
                        stock_item_id=item.id,
                        quantity=lot.quantity,
                        unit_cost_minor=lot.unit_cost_minor,
                        currency=shop.currency,
                        received_on=today - timedelta(days=lot.received_days_ago),
                        expires_on=None if lot.expires_in_days is None else today + timedelta(days=lot.expires_in_days),
                    ),
                )
        return ids
