"""How many notes a shop has (operators, from the command line)."""

from __future__ import annotations

from uuid import UUID

from application.notes.ports import NoteQueries


class CountNotes:
    def __init__(self, notes: NoteQueries) -> None:
        self._notes = notes

    async def execute(self, vendor_id: UUID) -> int:
        return await self._notes.count(vendor_id)
