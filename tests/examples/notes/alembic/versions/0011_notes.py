"""notes: a shop's internal notes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:27:58.965793
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("author_id", GUID(length=16), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_notes_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(op.f("ix_notes_vendor_id"), "notes", ["vendor_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notes_vendor_id"), table_name="notes")
    op.drop_table("notes")
