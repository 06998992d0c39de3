"""The rules of a product's variants that need the shop's stored state (422, every problem named
by its path): prices in the shop's currency, recipe stock items of the shop's own stock."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.catalog.errors import ProductRefused
from application.catalog.ports import ShopCurrency, StockItems
from application.shared.errors import ShopNotFound
from domain.catalog.product import Variant

NOT_A_STOCK_ITEM = "is not a stock item of this shop"


def wrong_currency(currency: str) -> str:
    return f"must be the shop's currency, {currency}"


class ShopRules:
    def __init__(self, stock: StockItems, currency: ShopCurrency) -> None:
        self._stock = stock
        self._currency = currency

    async def problems(self, vendor_id: UUID, variants: Sequence[Variant]) -> list[tuple[str, str]]:
        currency = await self._currency.of(vendor_id)
        if currency is None:
            raise ShopNotFound()
        wanted = {line.stock_item_id for variant in variants for line in variant.recipe}
        known = await self._stock.known(vendor_id, wanted) if wanted else set()
        problems: list[tuple[str, str]] = []
        for index, variant in enumerate(variants):
            if variant.price.currency != currency:
                problems.append((f"variants[{index}].price.currency", wrong_currency(currency)))
            for position, line in enumerate(variant.recipe):
                if line.stock_item_id not in known:
                    problems.append((f"variants[{index}].recipe[{position}].stock_item_id", NOT_A_STOCK_ITEM))
        return problems

    async def refuse(self, vendor_id: UUID, variants: Sequence[Variant], also: Sequence[tuple[str, str]] = ()) -> None:
        problems = [*also, *await self.problems(vendor_id, variants)]
        if problems:
            raise ProductRefused(problems)
