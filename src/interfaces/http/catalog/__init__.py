"""The catalog context over HTTP: `/api/products`."""

from __future__ import annotations

from interfaces.http.catalog.products import ProductController
from interfaces.http.catalog.schemas import PROBLEM_EXAMPLES
from interfaces.http.context import HttpContext

CONTEXT = HttpContext(controllers=(ProductController,), problem_examples=PROBLEM_EXAMPLES)
