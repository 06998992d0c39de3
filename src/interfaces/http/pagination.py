from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from litestar.params import Parameter

from application.shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

T = TypeVar("T")
Envelope = TypeVar("Envelope")

MAX_OFFSET = 2**31 - 1

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description=f"1 to {MAX_LIMIT}, default {DEFAULT_LIMIT}")]
Offset = Annotated[int, Parameter(ge=0, le=MAX_OFFSET)]


def envelope(kind: Callable[[list[T], int, int, int], Envelope], page: Page[T]) -> Envelope:
    """A use case's page as a list endpoint's answer struct (``items``, ``total``, ``limit``, ``offset``)."""
    return kind(list(page.items), page.total, page.limit, page.offset)
