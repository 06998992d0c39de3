"""The notes context's query service: each read is one SQL statement (SQLAlchemy Core, built once
at import) with the tenant filter inside it, its row mapped straight into the read model. It runs
through ``SqlReads``: autocommit, a pooled connection held for that statement only, no session."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import bindparam, func, select

from application.notes.views import NoteOut
from infrastructure.db.reads import SqlReads
from infrastructure.notes.models import NoteModel

_notes = NoteModel.__table__

_NOTE = select(_notes.c.id, _notes.c.author_id, _notes.c.text, _notes.c.created_at).where(
    _notes.c.vendor_id == bindparam("vendor_id"), _notes.c.id == bindparam("note_id")
)
_COUNT = select(func.count()).select_from(_notes).where(_notes.c.vendor_id == bindparam("vendor_id"))


class SqlNoteQueries:
    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, vendor_id: UUID, note_id: UUID) -> NoteOut | None:
        rows = await self._reads.rows(_NOTE, {"vendor_id": vendor_id, "note_id": note_id})
        if not rows:
            return None
        row = rows[0]
        return NoteOut(id=row[0], author_id=row[1], text=row[2], created_at=row[3])

    async def count(self, vendor_id: UUID) -> int:
        rows = await self._reads.rows(_COUNT, {"vendor_id": vendor_id})
        return int(rows[0][0])
