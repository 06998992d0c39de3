"""`/api/stock-items` and `/api/stock`: items, their lots, waste and adjustments, the ledger,
what expires soon and what runs low. Every role reads; managers and owners write."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from application.shared.context import Principal
from application.shared.pagination import PageRequest
from application.stock.errors import StockItemNotFound
from application.stock.items import CreateStockItem, CreateStockItemCommand, UpdateStockItem, UpdateStockItemCommand
from application.stock.movements import AdjustStock, LotMovementCommand, ReceiveLot, ReceiveLotCommand, RecordWaste
from application.stock.ports import StockFilter, StockSort
from application.stock.reads import (
    MAX_WITHIN_DAYS,
    ExpiringStock,
    GetStockItem,
    ListMovements,
    ListStockItems,
    LowStock,
)
from application.stock.views import MovementOut, StockItemOut, StockLotOut
from domain.shared.role import Role
from domain.stock.item import StockKind
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.di import inject, inject_app
from interfaces.http.pagination import Limit, Offset, envelope
from interfaces.http.patching import change, given
from interfaces.http.paths import path_id
from interfaces.http.stock.schemas import (
    AdjustmentIn,
    ExpiringPage,
    LotIn,
    LowStockPage,
    MovementPage,
    StockItemIn,
    StockItemPage,
    StockItemPatchIn,
    WasteIn,
)

_WRITE = requires(Role.MANAGER, "stock")
SortParam = Literal["name", "-name", "created_at", "-created_at", "available", "-available"]
KindFilter = Annotated[StockKind | None, Parameter(description="Only items of this kind")]
Text = Annotated[str | None, Parameter(max_length=120, description="Part of the name, case-insensitively")]
Sort = Annotated[SortParam, Parameter(description="By name, creation time or available quantity; `-` descending")]
WithinDays = Annotated[
    int, Parameter(ge=0, le=MAX_WITHIN_DAYS, description="Days from the shop's today (0: today); expired lots too")
]


def _item_id(raw: str) -> UUID:
    return path_id(raw, StockItemNotFound)


class StockItemController(Controller):
    path = "/api/stock-items"
    tags = ["stock"]  # noqa: RUF012

    @get("/", summary="The shop's stock items with their totals")
    @inject_app
    async def list_stock_items(
        self,
        request: AnyRequest,
        use_case: FromDishka[ListStockItems],
        limit: Limit = 50,
        offset: Offset = 0,
        kind: KindFilter = None,
        q: Text = None,
        sort: Sort = "name",
    ) -> StockItemPage:
        where = StockFilter(kind=kind, q=q or None, sort=StockSort(sort))
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset), where)
        return envelope(StockItemPage, page)

    @get("/{item_id:str}", summary="One stock item: on hand, reserved, available and its lots")
    @inject_app
    async def get_stock_item(
        self, request: AnyRequest, item_id: FromPath[str], use_case: FromDishka[GetStockItem]
    ) -> StockItemOut:
        return await use_case.execute(principal_of(request), _item_id(item_id))

    @post("/", status_code=HTTP_201_CREATED, guards=[_WRITE], summary="Add a stock item")
    @inject
    async def create_stock_item(
        self, data: JSONBody[StockItemIn], principal: FromDishka[Principal], use_case: FromDishka[CreateStockItem]
    ) -> StockItemOut:
        command = CreateStockItemCommand(
            name=data.name,
            kind=data.kind,
            tracking=data.tracking,
            shelf_life_days=data.shelf_life_days,
            reorder_level=data.reorder_level,
        )
        return await use_case.execute(principal, command)

    @patch("/{item_id:str}", guards=[_WRITE], summary="Rename an item, change its reorder level or shelf life")
    @inject
    async def update_stock_item(
        self,
        item_id: FromPath[str],
        data: JSONBody[StockItemPatchIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[UpdateStockItem],
    ) -> StockItemOut:
        shelf_life_days, clear_shelf_life = change(data.shelf_life_days)
        command = UpdateStockItemCommand(
            stock_item_id=_item_id(item_id),
            name=given(data.name),
            reorder_level=given(data.reorder_level),
            shelf_life_days=shelf_life_days,
            clear_shelf_life=clear_shelf_life,
        )
        return await use_case.execute(principal, command)

    @post(
        "/{item_id:str}/lots",
        status_code=HTTP_201_CREATED,
        guards=[_WRITE],
        opt={"problems": (422,)},
        summary="Receive a lot of an item",
    )
    @inject
    async def receive_lot(
        self,
        item_id: FromPath[str],
        data: JSONBody[LotIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[ReceiveLot],
    ) -> StockLotOut:
        command = ReceiveLotCommand(
            stock_item_id=_item_id(item_id),
            quantity=data.quantity,
            unit_cost_minor=data.unit_cost.amount_minor,
            currency=data.unit_cost.currency,
            expires_on=data.expires_on,
            received_on=data.received_on,
        )
        return await use_case.execute(principal, command)

    @post(
        "/{item_id:str}/waste",
        status_code=HTTP_201_CREATED,
        guards=[_WRITE],
        opt={"problems": (409,)},
        summary="Record units of a lot thrown away",
    )
    @inject
    async def record_waste(
        self,
        item_id: FromPath[str],
        data: JSONBody[WasteIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[RecordWaste],
    ) -> MovementOut:
        command = LotMovementCommand(
            stock_item_id=_item_id(item_id), lot_id=data.lot_id, quantity=data.quantity, reason=data.reason
        )
        return await use_case.execute(principal, command)

    @post(
        "/{item_id:str}/adjustments",
        status_code=HTTP_201_CREATED,
        guards=[_WRITE],
        opt={"problems": (409,)},
        summary="Correct a lot's count: units found or missing",
    )
    @inject
    async def adjust_stock(
        self,
        item_id: FromPath[str],
        data: JSONBody[AdjustmentIn],
        principal: FromDishka[Principal],
        use_case: FromDishka[AdjustStock],
    ) -> MovementOut:
        command = LotMovementCommand(
            stock_item_id=_item_id(item_id), lot_id=data.lot_id, quantity=data.quantity, reason=data.reason
        )
        return await use_case.execute(principal, command)

    @get("/{item_id:str}/movements", summary="An item's movement ledger, newest first")
    @inject_app
    async def list_stock_movements(
        self,
        request: AnyRequest,
        item_id: FromPath[str],
        use_case: FromDishka[ListMovements],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> MovementPage:
        page = await use_case.execute(principal_of(request), _item_id(item_id), PageRequest(limit=limit, offset=offset))
        return envelope(MovementPage, page)


class StockReportController(Controller):
    path = "/api/stock"
    tags = ["stock"]  # noqa: RUF012

    @get(
        "/expiring",
        opt={"problems": (404,)},
        summary="Lots with stock left that expire within N days (or have expired)",
    )
    @inject_app
    async def list_expiring_stock(
        self,
        request: AnyRequest,
        use_case: FromDishka[ExpiringStock],
        within_days: WithinDays = 7,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> ExpiringPage:
        page = await use_case.execute(principal_of(request), within_days, PageRequest(limit=limit, offset=offset))
        return envelope(ExpiringPage, page)

    @get("/low", summary="Items whose available quantity is below their reorder level")
    @inject_app
    async def list_low_stock(
        self, request: AnyRequest, use_case: FromDishka[LowStock], limit: Limit = 50, offset: Offset = 0
    ) -> LowStockPage:
        page = await use_case.execute(principal_of(request), PageRequest(limit=limit, offset=offset))
        return envelope(LowStockPage, page)
