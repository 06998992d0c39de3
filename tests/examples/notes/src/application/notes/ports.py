"""The notes context's ports: the repository the writes use, and the query service the reads use.
Every read takes the vendor id: another shop's note is None."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from application.notes.views import NoteOut
from domain.notes.note import Note


class NoteRepository(Protocol):
    async def add(self, note: Note) -> None: ...


class NoteQueries(Protocol):
    async def get(self, vendor_id: UUID, note_id: UUID) -> NoteOut | None: ...

    async def count(self, vendor_id: UUID) -> int: ...
