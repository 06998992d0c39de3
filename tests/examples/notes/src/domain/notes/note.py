"""A short internal note a staff member writes for the rest of the shop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from domain.shared.text import clean_line

MAX_NOTE_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Note:
    id: UUID
    vendor_id: UUID
    author_id: UUID
    text: str
    created_at: datetime

    @classmethod
    def write(cls, *, vendor_id: UUID, author_id: UUID, text: str, at: datetime, id: UUID | None = None) -> Note:
        """A new note, its text cleaned (1 to 500 characters, or ``InvalidValue("text", ...)``)."""
        return cls(
            id=id or uuid4(),
            vendor_id=vendor_id,
            author_id=author_id,
            text=clean_line(text, "text", max_length=MAX_NOTE_LENGTH),
            created_at=at,
        )
