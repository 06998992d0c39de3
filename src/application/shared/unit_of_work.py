"""Transaction boundary: a use case commits explicitly; anything left uncommitted is rolled back."""

from __future__ import annotations

from typing import Protocol


class UnitOfWork(Protocol):
    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
