"""What a PATCH body says of a field: absent keeps it, a value sets it; ``null`` clears a field that
can be empty and is refused (400, naming the field) for one that cannot."""

from __future__ import annotations

from typing import TypeVar

import msgspec

T = TypeVar("T")


def given(value: T | msgspec.UnsetType) -> T | None:
    """The new value of a field that cannot be empty, or None when the body leaves it out."""
    return None if isinstance(value, msgspec.UnsetType) else value


def change(value: T | msgspec.UnsetType | None) -> tuple[T | None, bool]:
    """(the new value or None, whether to clear it)."""
    if value is msgspec.UNSET:
        return None, False
    if value is None:
        return None, True
    return value, False
