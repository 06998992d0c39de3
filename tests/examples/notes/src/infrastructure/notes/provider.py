"""The notes context's dishka provider: its repository and use cases, one set per request."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from application.notes.add_note import AddNote
from application.notes.count_notes import CountNotes
from application.notes.get_note import GetNote
from application.notes.ports import NoteRepository
from infrastructure.notes.repositories import SqlNoteRepository


class NotesUseCases(Provider):
    """The repository and use cases share the request's session."""

    scope = Scope.REQUEST

    notes = provide(SqlNoteRepository, provides=NoteRepository)
    use_cases = provide_all(AddNote, GetNote, CountNotes)


def notes_providers() -> list[Provider]:
    return [NotesUseCases()]
