"""What a PATCH body says of a field that can be emptied: absent keeps it, ``null`` clears it, a
value sets it."""

from __future__ import annotations

from typing import TypeVar

import msgspec

T = TypeVar("T")


def change(value: T | msgspec.UnsetType | None) -> tuple[T | None, bool]:
    """(the new value or None, whether to clear it)."""
    if value is msgspec.UNSET:
        return None, False
    if value is None:
        return None, True
    return value, False
