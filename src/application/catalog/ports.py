"""The catalog context's ports. Every lookup takes the vendor id: another shop's row is None.

Stock belongs to another context: the catalog sees it only through these ports (implemented over
the stock context's published view), never its tables or code."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from application.catalog.views import ProductOut
from application.shared.pagination import Page, PageRequest
from domain.catalog.product import Product, ProductKind


class ProductRepository(Protocol):
    async def add(self, product: Product) -> None:
        """Raises ``SkuTaken`` when a variant's SKU is used by another variant of the shop."""
        ...

    async def get(self, vendor_id: UUID, product_id: UUID, *, lock: bool = False) -> Product | None:
        """``lock`` holds the product until the transaction ends (two concurrent changes queue)."""
        ...

    async def update(self, product: Product) -> None:
        """Stores the product and its variants as they are now (removed variants deleted).
        Raises ``SkuTaken`` like ``add``."""
        ...

    async def delete(self, product: Product) -> None: ...


class StockItems(Protocol):
    async def known(self, vendor_id: UUID, stock_item_ids: Collection[UUID]) -> set[UUID]:
        """Which of ``stock_item_ids`` are the shop's stock items."""
        ...


class ShopCurrency(Protocol):
    async def of(self, vendor_id: UUID) -> str | None:
        """The shop's currency (ISO 4217), None for an unknown shop."""
        ...


class ProductUsage(Protocol):
    async def is_ordered(self, vendor_id: UUID, product_id: UUID) -> bool:
        """Whether an order refers to the product (then deleting it only deactivates it)."""
        ...


class ProductSort(enum.StrEnum):
    """The orders of the product list; ties fall back to the id, so pages never overlap.

    ``margin`` ranks a product by its weakest variant: the lowest margin percent among its variants
    whose cost is known (and price above zero). Products with no such variant come last in both
    directions."""

    NAME = "name"
    NAME_DESC = "-name"
    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    MARGIN = "margin"
    MARGIN_DESC = "-margin"


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Which products a list shows. ``occasion`` matches a tag case-insensitively; ``q`` is text
    found (case-insensitively) in the name, the description or a variant's SKU."""

    kind: ProductKind | None = None
    occasion: str | None = None
    active: bool | None = None
    q: str | None = None
    sort: ProductSort = ProductSort.NAME


class ProductQueries(Protocol):
    async def get(self, vendor_id: UUID, product_id: UUID) -> ProductOut | None: ...

    async def page(
        self, vendor_id: UUID, page: PageRequest, where: ProductFilter | None = None
    ) -> Page[ProductOut]: ...
