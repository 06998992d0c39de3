"""The customers context over HTTP: `/api/customers` and its `/addresses` sub-resource."""

from __future__ import annotations

from interfaces.http.context import HttpContext
from interfaces.http.customers.controllers import CustomerController
from interfaces.http.customers.schemas import PROBLEM_EXAMPLES

CONTEXT = HttpContext(controllers=(CustomerController,), problem_examples=PROBLEM_EXAMPLES)
