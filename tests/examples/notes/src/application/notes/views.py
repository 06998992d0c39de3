"""What the notes context's reads return: read models, filled straight from one SQL row by the
query service and sent as they are. The write side maps its entity to the same struct with ``of``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.notes.note import Note


class NoteOut(msgspec.Struct, frozen=True):
    """One of a shop's notes."""

    id: UUID
    author_id: UUID
    text: str
    created_at: datetime

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls(id=note.id, author_id=note.author_id, text=note.text, created_at=note.created_at)
