"""Request and response bodies. Inputs refuse unknown fields; the limit here stops an oversized
text before any work, the domain's rule gives the precise message."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.notes.note import Note


class NoteIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    text: Annotated[str, msgspec.Meta(max_length=2000)]


class NoteOut(msgspec.Struct, frozen=True):
    id: UUID
    author_id: UUID
    text: str
    created_at: datetime

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls(id=note.id, author_id=note.author_id, text=note.text, created_at=note.created_at)
