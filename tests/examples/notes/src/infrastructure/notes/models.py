"""ORM models. Kept apart from domain entities; repositories map between the two."""

from __future__ import annotations

from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.notes.note import MAX_NOTE_LENGTH


class NoteModel(UUIDv7AuditBase):
    """A shop's internal note; ``author_id`` is a staff member of that shop."""

    __tablename__ = "notes"

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[UUID]
    text: Mapped[str] = mapped_column(String(MAX_NOTE_LENGTH))
