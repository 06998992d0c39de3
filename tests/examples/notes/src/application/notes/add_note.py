"""Write a note for the caller's shop (staff, managers and owners)."""

from __future__ import annotations

from dataclasses import dataclass

from application.notes.ports import NoteRepository
from application.shared.authorizer import Authorizer
from application.shared.clock import Clock
from application.shared.context import Principal
from application.shared.unit_of_work import UnitOfWork
from domain.notes.note import Note
from domain.shared.role import Role


@dataclass(frozen=True, slots=True)
class AddNoteCommand:
    text: str


class AddNote:
    def __init__(self, notes: NoteRepository, authorizer: Authorizer, uow: UnitOfWork, clock: Clock) -> None:
        self._notes = notes
        self._authorizer = authorizer
        self._uow = uow
        self._clock = clock

    async def execute(self, principal: Principal, command: AddNoteCommand) -> Note:
        await self._authorizer.require(principal, Role.STAFF, "notes.add")
        note = Note.write(
            vendor_id=principal.vendor_id, author_id=principal.user_id, text=command.text, at=self._clock.now()
        )
        await self._notes.add(note)
        await self._uow.commit()
        return note
