"""delivery_slot_bookings: the slot and date each booking (an order's id) holds, so that taking a
slot again for the same order counts nothing and giving it back twice gives back once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_slot_bookings",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("booking_id", GUID(length=16), nullable=False),
        sa.Column("slot_id", GUID(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["vendor_id", "slot_id"],
            ["delivery_slots.vendor_id", "delivery_slots.id"],
            name="fk_delivery_slot_bookings_slot",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_slot_bookings")),
        sa.UniqueConstraint("vendor_id", "booking_id", name="uq_delivery_slot_bookings_vendor_booking"),
    )
    op.create_index("ix_delivery_slot_bookings_slot_date", "delivery_slot_bookings", ["slot_id", "on_date"])


def downgrade() -> None:
    op.drop_index("ix_delivery_slot_bookings_slot_date", table_name="delivery_slot_bookings")
    op.drop_table("delivery_slot_bookings")
