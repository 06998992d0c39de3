"""The stock context's own refusals (their HTTP status follows from the shared kind they extend)."""

from __future__ import annotations

from collections.abc import Sequence

from application.shared.errors import Conflict, NotFound
from domain.stock.fefo import Shortage


class StockItemNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No stock item with this id.")


class LotNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("This stock item has no lot with this id.")


class InsufficientStock(Conflict):
    """A reservation that cannot be met in full: nothing was reserved. ``shortages`` names each
    item short, what was wanted and what is available on the date."""

    code = "INSUFFICIENT_STOCK"

    def __init__(self, shortages: Sequence[Shortage]) -> None:
        named = "; ".join(
            f"stock item {short.stock_item_id}: {short.wanted} wanted, {short.available} available"
            for short in shortages
        )
        super().__init__(f"Not enough fresh stock: {named}.")
        self.shortages = tuple(shortages)
