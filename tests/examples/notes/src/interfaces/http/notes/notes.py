"""`/api/notes`: the shop's internal notes."""

from __future__ import annotations

from uuid import UUID

from dishka import FromDishka
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from application.notes.add_note import AddNote, AddNoteCommand
from application.notes.get_note import GetNote
from application.notes.views import NoteOut
from application.shared.context import Principal
from application.shared.errors import NotFound
from domain.shared.role import Role
from interfaces.http.auth import AnyRequest, principal_of, requires
from interfaces.http.di import inject, inject_app
from interfaces.http.notes.schemas import NoteIn


class NotesController(Controller):
    path = "/api/notes"
    tags = ["notes"]  # noqa: RUF012
    guards = [requires(Role.STAFF, "notes")]  # noqa: RUF012

    @post("/", status_code=HTTP_201_CREATED, summary="Write a note")
    @inject
    async def add_note(
        self, data: JSONBody[NoteIn], principal: FromDishka[Principal], use_case: FromDishka[AddNote]
    ) -> NoteOut:
        return NoteOut.of(await use_case.execute(principal, AddNoteCommand(text=data.text)))

    @get("/{note_id:str}", summary="One of the shop's notes")
    @inject_app
    async def get_note(self, request: AnyRequest, note_id: FromPath[str], use_case: FromDishka[GetNote]) -> NoteOut:
        # Parsed here, after the role guard: a malformed id is simply an id nobody has (404).
        try:
            target = UUID(note_id)
        except ValueError:
            raise NotFound("No note with this id.") from None
        return await use_case.execute(principal_of(request), target)
