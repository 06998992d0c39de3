"""The stock context over HTTP: `/api/stock-items` and `/api/stock`."""

from __future__ import annotations

from interfaces.http.context import HttpContext
from interfaces.http.stock.controllers import StockItemController, StockReportController

CONTEXT = HttpContext(controllers=(StockItemController, StockReportController))
