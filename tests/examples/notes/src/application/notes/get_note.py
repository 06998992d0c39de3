"""One of the caller's shop's notes; another shop's note is not found."""

from __future__ import annotations

from uuid import UUID

from application.notes.ports import NoteQueries
from application.notes.views import NoteOut
from application.shared.authorizer import ReadGate
from application.shared.context import Principal
from application.shared.errors import NotFound
from domain.shared.role import Role


class GetNote:
    def __init__(self, notes: NoteQueries, gate: ReadGate) -> None:
        self._notes = notes
        self._gate = gate

    async def execute(self, principal: Principal, note_id: UUID) -> NoteOut:
        await self._gate.require(principal, Role.STAFF, "notes.get")
        note = await self._notes.get(principal.vendor_id, note_id)
        if note is None:
            raise NotFound("No note with this id.")
        return note
