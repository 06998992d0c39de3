"""Ids in a route's path. Parsed after the role guards, so a malformed id is simply an id nobody
has: the same 404 as a missing (or another shop's) resource, never a 400 that tells them apart."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID


def path_id(raw: str, missing: Callable[[], Exception]) -> UUID:
    """``raw`` as a UUID, or ``missing()`` raised (the resource's own not-found error)."""
    try:
        return UUID(raw)
    except ValueError:
        raise missing() from None
