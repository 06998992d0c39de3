"""The notes context's dishka providers: writes one set per request, reads one per process."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from application.notes.add_note import AddNote
from application.notes.count_notes import CountNotes
from application.notes.get_note import GetNote
from application.notes.ports import NoteQueries, NoteRepository
from infrastructure.notes.queries import SqlNoteQueries
from infrastructure.notes.repositories import SqlNoteRepository


class NotesUseCases(Provider):
    """Writes: the repository and use cases share the request's session and unit of work."""

    scope = Scope.REQUEST

    notes = provide(SqlNoteRepository, provides=NoteRepository)
    use_cases = provide_all(AddNote)


class NotesReads(Provider):
    """Reads: the query service and the use cases over it, one per process (no request scope,
    no session, no unit of work)."""

    scope = Scope.APP

    notes = provide(SqlNoteQueries, provides=NoteQueries)
    use_cases = provide_all(GetNote, CountNotes)


def notes_providers() -> list[Provider]:
    return [NotesUseCases(), NotesReads()]
