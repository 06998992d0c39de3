"""The list envelope every list endpoint shares: limit 1 to 100 (default 50) and offset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.shared.errors import InvalidValue

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidValue("limit", f"must be between 1 and {MAX_LIMIT}")
        if self.offset < 0:
            raise InvalidValue("offset", "must not be negative")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """``total``: how many items the list's pages hold. ``truncated``: more matched than a list
    that stops at a window holds (the customers search)."""

    items: Sequence[T]
    total: int
    limit: int
    offset: int
    truncated: bool = False
