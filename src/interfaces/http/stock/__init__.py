"""The stock context over HTTP: `/api/stock-items` and `/api/stock`."""

from __future__ import annotations

from interfaces.http.context import HttpContext
from interfaces.http.stock.controllers import StockItemController, StockReportController
from interfaces.http.stock.schemas import PROBLEM_EXAMPLES

CONTEXT = HttpContext(controllers=(StockItemController, StockReportController), problem_examples=PROBLEM_EXAMPLES)
