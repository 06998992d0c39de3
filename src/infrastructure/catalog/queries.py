"""The catalog's query service: a product and a page of products, each one SQL statement
(SQLAlchemy Core, built once per filter and sort) with the tenant filter inside it, run through
``SqlReads`` (autocommit, no session, no ORM entity).

A statement answers one row per recipe line (a variant without a recipe, or a product without
variants, still gives one row through the outer joins), carrying what the view
``stock_item_costs`` says is on hand of the line's item and its value. The rows are folded into
the read models in order, and each variant's costing is computed from them by the domain's
``costing`` (exact, rounded once).

A page first picks its products in a CTE (filters, order, LIMIT/OFFSET and the window total), then
joins their variants and recipe lines: the LIMIT counts products, not rows. Sorting by margin needs
every product's margin, so that sort computes it in SQL over the whole shop (the same arithmetic as
the domain: exact numerics, weakest variant first) before the page is cut."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Float,
    Numeric,
    Select,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from application.catalog.ports import ProductFilter, ProductSort
from application.catalog.views import CatalogMoneyOut, ProductOut, RecipeLineOut, VariantOut
from application.shared.pagination import Page, PageRequest
from domain.catalog.costing import LineStock, costing
from domain.catalog.product import ProductKind
from infrastructure.catalog.models import ProductModel, ProductOccasionModel, RecipeLineModel, VariantModel
from infrastructure.catalog.stock_view import stock_item_costs
from infrastructure.db.like import like, like_pattern
from infrastructure.db.reads import SqlReads

_products = ProductModel.__table__
_variants = VariantModel.__table__
_lines = RecipeLineModel.__table__
_occasions = ProductOccasionModel.__table__
# The shop's stock costs, computed once per statement: the view aggregates lots per item, and a
# join onto it directly would either aggregate every shop's stock (the shop is only a join
# condition) or, when the shop is pushed in, aggregate the shop's stock again for every recipe line.
# Materialized on PostgreSQL (which would otherwise inline a CTE used once); SQLite computes it once.
_costs = (
    select(
        stock_item_costs.c.stock_item_id,
        stock_item_costs.c.lots_on_hand,
        stock_item_costs.c.value_on_hand_minor,
    )
    .where(stock_item_costs.c.vendor_id == bindparam("vendor_id"))
    .cte("shop_stock")
    .prefix_with("MATERIALIZED", dialect="postgresql")
)

# Constants written into the SQL: ``SqlReads`` sends only the named parameters of a statement.
_0: ColumnElement[int] = literal_column("0")
_1: ColumnElement[int] = literal_column("1")
# Exact arithmetic where the database has it; SQLite (`dev`) has only floating point.
_EXACT = Numeric().with_variant(Float(), "sqlite")
# Not a backslash: how a backslash is quoted in SQL text depends on the server's settings.

_PRODUCT_COLUMNS = (
    _products.c.id,
    _products.c.name,
    _products.c.kind,
    _products.c.description,
    _products.c.occasions,
    _products.c.active,
    _products.c.created_at,
    _products.c.updated_at,
)
_DETAIL_COLUMNS = (
    _variants.c.id,
    _variants.c.name,
    _variants.c.sku,
    _variants.c.price_minor,
    _variants.c.currency,
    _lines.c.stock_item_id,
    _lines.c.quantity,
    _costs.c.lots_on_hand,
    _costs.c.value_on_hand_minor,
)
_N_PRODUCT = len(_PRODUCT_COLUMNS)


def _with_variants(source: Any, product_id: Any, vendor_id: Any) -> Any:
    return (
        source.outerjoin(_variants, and_(_variants.c.vendor_id == vendor_id, _variants.c.product_id == product_id))
        .outerjoin(_lines, and_(_lines.c.vendor_id == _variants.c.vendor_id, _lines.c.variant_id == _variants.c.id))
        .outerjoin(_costs, _shop_costs(_lines.c.stock_item_id))
    )


def _shop_costs(stock_item_id: Any) -> ColumnElement[bool]:
    joined: ColumnElement[bool] = _costs.c.stock_item_id == stock_item_id
    return joined


_ONE = (
    select(*_PRODUCT_COLUMNS, *_DETAIL_COLUMNS)
    .select_from(_with_variants(_products, _products.c.id, _products.c.vendor_id))
    .where(_products.c.vendor_id == bindparam("vendor_id"), _products.c.id == bindparam("product_id"))
    .order_by(_variants.c.position, _lines.c.position)
)


def _margins() -> Any:
    """Per product of the shop: the lowest margin share (0.25 for 25 %) among its variants whose
    cost is known and price above zero; no row value (NULL) when there is none."""
    line_costs = (
        select(
            _lines.c.variant_id.label("variant_id"),
            func.sum(
                cast(_lines.c.quantity, _EXACT)
                * cast(_costs.c.value_on_hand_minor, _EXACT)
                / cast(func.nullif(_costs.c.lots_on_hand, _0), _EXACT)
            ).label("cost"),
            func.sum(case((func.coalesce(_costs.c.lots_on_hand, _0) > _0, _0), else_=_1)).label("missing"),
        )
        .select_from(_lines.outerjoin(_costs, _shop_costs(_lines.c.stock_item_id)))
        .where(_lines.c.vendor_id == bindparam("vendor_id"))
        .group_by(_lines.c.variant_id)
        .cte("line_costs")
    )
    price = cast(_variants.c.price_minor, _EXACT)
    share = case(
        (
            and_(func.coalesce(line_costs.c.missing, _0) == _0, _variants.c.price_minor > _0),
            (price - func.coalesce(line_costs.c.cost, _0)) / price,
        ),
        else_=None,
    )
    return (
        select(_variants.c.product_id.label("product_id"), func.min(share).label("margin"))
        .select_from(_variants.outerjoin(line_costs, line_costs.c.variant_id == _variants.c.id))
        .where(_variants.c.vendor_id == bindparam("vendor_id"))
        .group_by(_variants.c.product_id)
        .cte("margins")
    )


def _where(where: tuple[bool, bool, bool, bool]) -> list[ColumnElement[bool]]:
    by_kind, by_occasion, by_active, by_q = where
    clauses: list[ColumnElement[bool]] = [_products.c.vendor_id == bindparam("vendor_id")]
    if by_kind:
        clauses.append(_products.c.kind == bindparam("kind"))
    if by_active:
        clauses.append(_products.c.active == bindparam("active"))
    if by_occasion:
        clauses.append(
            exists().where(
                _occasions.c.vendor_id == _products.c.vendor_id,
                _occasions.c.product_id == _products.c.id,
                _occasions.c.key == bindparam("occasion"),
            )
        )
    if by_q:
        clauses.append(like(_products.c.search_text, "pattern"))
    return clauses


@cache
def _page_statement(where: tuple[bool, bool, bool, bool], sort: ProductSort) -> tuple[Select[Any], Select[Any]]:
    """The page statement and its count for one combination of filters and one sort: a handful of
    shapes, each built once (``SqlReads`` compiles each once) and each a plain WHERE for the planner."""
    source: Any = _products
    order: list[Any]
    if sort in (ProductSort.MARGIN, ProductSort.MARGIN_DESC):
        margins = _margins()
        source = _products.outerjoin(margins, margins.c.product_id == _products.c.id)
        if sort is ProductSort.MARGIN:
            order = [margins.c.margin.asc().nulls_last(), _products.c.id]
        else:
            order = [margins.c.margin.desc().nulls_last(), _products.c.id.desc()]
    else:
        orders: dict[ProductSort, list[Any]] = {
            ProductSort.NAME: [func.lower(_products.c.name), _products.c.name, _products.c.id],
            ProductSort.NAME_DESC: [
                func.lower(_products.c.name).desc(),
                _products.c.name.desc(),
                _products.c.id.desc(),
            ],
            ProductSort.CREATED_AT: [_products.c.created_at, _products.c.id],
            ProductSort.CREATED_AT_DESC: [_products.c.created_at.desc(), _products.c.id.desc()],
        }
        order = orders[sort]
    clauses = _where(where)
    # Only the id and the ranks are carried through the sort (narrow rows sort in memory); the
    # page's products are joined back by id afterwards.
    page = (
        select(
            _products.c.id.label("id"),
            _products.c.vendor_id.label("vendor_id"),
            func.row_number().over(order_by=order).label("rank"),
            func.count().over().label("total"),
        )
        .select_from(source)
        .where(*clauses)
        .order_by(*order)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .cte("page")
    )
    chosen = page.join(_products, and_(_products.c.vendor_id == page.c.vendor_id, _products.c.id == page.c.id))
    statement = (
        select(*_PRODUCT_COLUMNS, *_DETAIL_COLUMNS, page.c.total)
        .select_from(_with_variants(chosen, _products.c.id, _products.c.vendor_id))
        .order_by(page.c.rank, _variants.c.position, _lines.c.position)
    )
    count = select(func.count()).select_from(_products).where(*clauses)
    return statement, count


def _occasions_of(value: Any) -> list[str]:
    if isinstance(value, str):  # a driver that hands JSON back as text
        value = json.loads(value)
    return [str(tag) for tag in value or ()]


def _variant(rows: Sequence[Sequence[Any]]) -> VariantOut:
    first = rows[0]
    price, currency = int(first[_N_PRODUCT + 3]), str(first[_N_PRODUCT + 4])
    lines = [row for row in rows if row[_N_PRODUCT + 5] is not None]
    costs = costing(
        price,
        [
            LineStock(
                quantity=int(row[_N_PRODUCT + 6]),
                units_on_hand=int(row[_N_PRODUCT + 7] or 0),
                value_on_hand_minor=int(row[_N_PRODUCT + 8] or 0),
            )
            for row in lines
        ],
    )
    return VariantOut(
        id=first[_N_PRODUCT],
        name=first[_N_PRODUCT + 1],
        sku=first[_N_PRODUCT + 2],
        price=CatalogMoneyOut(price, currency),
        recipe=[RecipeLineOut(stock_item_id=row[_N_PRODUCT + 5], quantity=int(row[_N_PRODUCT + 6])) for row in lines],
        cost=None if costs.cost_minor is None else CatalogMoneyOut(costs.cost_minor, currency),
        cost_complete=costs.complete,
        margin=None if costs.margin_minor is None else CatalogMoneyOut(costs.margin_minor, currency),
        margin_percent=costs.margin_percent,
    )


def _products_of(rows: Sequence[Sequence[Any]]) -> list[ProductOut]:
    """Folds rows (ordered by product, variant, line) into products."""
    grouped: dict[Any, list[Sequence[Any]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    products = []
    for product_rows in grouped.values():
        head = product_rows[0]
        by_variant: dict[Any, list[Sequence[Any]]] = {}
        for row in product_rows:
            if row[_N_PRODUCT] is not None:
                by_variant.setdefault(row[_N_PRODUCT], []).append(row)
        products.append(
            ProductOut(
                id=head[0],
                name=head[1],
                kind=ProductKind(head[2]),
                description=head[3],
                occasions=_occasions_of(head[4]),
                active=bool(head[5]),
                created_at=head[6],
                updated_at=head[7],
                variants=[_variant(variant_rows) for variant_rows in by_variant.values()],
            )
        )
    return products


class SqlProductQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, vendor_id: UUID, product_id: UUID) -> ProductOut | None:
        rows = await self._reads.rows(_ONE, {"vendor_id": vendor_id, "product_id": product_id})
        products = _products_of(rows)
        return products[0] if products else None

    async def page(self, vendor_id: UUID, page: PageRequest, where: ProductFilter | None = None) -> Page[ProductOut]:
        where = where or ProductFilter()
        params: dict[str, Any] = {"vendor_id": vendor_id}
        if where.kind is not None:
            params["kind"] = where.kind.value
        if where.occasion is not None:
            params["occasion"] = where.occasion
        if where.active is not None:
            params["active"] = where.active
        if where.q is not None:
            params["pattern"] = like_pattern(where.q)
        shape = (where.kind is not None, where.occasion is not None, where.active is not None, where.q is not None)
        statement, count = _page_statement(shape, where.sort)
        rows, total = await self._reads.page(statement, count, params, page)
        return Page(items=_products_of(rows), total=total, limit=page.limit, offset=page.offset)
