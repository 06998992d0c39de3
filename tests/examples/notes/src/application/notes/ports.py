"""The notes context's ports. Every lookup takes the vendor id: another shop's note is None."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.notes.note import Note


class NoteRepository(Protocol):
    async def add(self, note: Note) -> None: ...

    async def get(self, vendor_id: UUID, note_id: UUID) -> Note | None: ...

    async def count(self, vendor_id: UUID) -> int: ...
