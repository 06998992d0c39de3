"""Repositories: domain entities in, SQLAlchemy rows out, in the request's session (the writes'
unit of work). Reads go through the query service (``queries.py``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.notes.note import Note
from infrastructure.notes.models import NoteModel


class SqlNoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, note: Note) -> None:
        row = NoteModel(id=note.id, vendor_id=note.vendor_id, author_id=note.author_id, text=note.text)
        row.created_at = note.created_at
        self._session.add(row)
        await self._session.flush()
