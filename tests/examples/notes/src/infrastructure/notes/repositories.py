"""Repositories: SQLAlchemy in, domain entities out. Every query is filtered by vendor."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.notes.note import Note
from infrastructure.notes.models import NoteModel


def _note(row: NoteModel) -> Note:
    return Note(id=row.id, vendor_id=row.vendor_id, author_id=row.author_id, text=row.text, created_at=row.created_at)


class SqlNoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, note: Note) -> None:
        row = NoteModel(id=note.id, vendor_id=note.vendor_id, author_id=note.author_id, text=note.text)
        row.created_at = note.created_at
        self._session.add(row)
        await self._session.flush()

    async def get(self, vendor_id: UUID, note_id: UUID) -> Note | None:
        row = await self._session.scalar(
            select(NoteModel).where(NoteModel.vendor_id == vendor_id, NoteModel.id == note_id)
        )
        return _note(row) if row else None

    async def count(self, vendor_id: UUID) -> int:
        statement = select(func.count()).select_from(NoteModel).where(NoteModel.vendor_id == vendor_id)
        return await self._session.scalar(statement) or 0
