"""delivery: zones (postal codes and prefixes, fee, minimum subtotal), daily slots (shop-local
minutes, same-day cutoff, capacity), blackout dates, and the per (slot, date) counters that capacity
is taken from by one conditional UPDATE.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:33:03.899967
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_blackout_dates",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_delivery_blackout_dates_vendor_id_vendors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_blackout_dates")),
        sa.UniqueConstraint("vendor_id", "on_date", name="uq_delivery_blackout_dates_vendor_date"),
    )
    op.create_table(
        "delivery_slots",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("starts_minute", sa.Integer(), nullable=False),
        sa.Column("ends_minute", sa.Integer(), nullable=False),
        sa.Column("weekdays", JsonB, nullable=True),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("same_day", sa.Boolean(), nullable=False),
        sa.Column("cutoff_minute", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name=op.f("ck_delivery_slots_capacity_positive")),
        sa.CheckConstraint(
            "cutoff_minute IS NULL OR (same_day AND cutoff_minute <= starts_minute)",
            name=op.f("ck_delivery_slots_cutoff"),
        ),
        sa.CheckConstraint("fee_minor >= 0", name=op.f("ck_delivery_slots_fee_not_negative")),
        sa.CheckConstraint(
            "starts_minute >= 0 AND ends_minute <= 1439 AND starts_minute < ends_minute",
            name=op.f("ck_delivery_slots_window"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_delivery_slots_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_slots")),
        sa.UniqueConstraint("vendor_id", "id", name="uq_delivery_slots_vendor_id_id"),
    )
    op.create_index("ix_delivery_slots_vendor_start", "delivery_slots", ["vendor_id", "starts_minute"], unique=False)
    op.create_table(
        "delivery_zones",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("postal_codes", JsonB, nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("min_subtotal_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("fee_minor >= 0", name=op.f("ck_delivery_zones_fee_not_negative")),
        sa.CheckConstraint(
            "min_subtotal_minor IS NULL OR min_subtotal_minor >= 0",
            name=op.f("ck_delivery_zones_min_subtotal_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_delivery_zones_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_zones")),
    )
    op.create_index("ix_delivery_zones_vendor_name", "delivery_zones", ["vendor_id", "name"], unique=False)
    op.create_table(
        "delivery_slot_counters",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("slot_id", GUID(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("taken", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.CheckConstraint("taken >= 0", name=op.f("ck_delivery_slot_counters_taken_not_negative")),
        sa.ForeignKeyConstraint(
            ["vendor_id", "slot_id"],
            ["delivery_slots.vendor_id", "delivery_slots.id"],
            name="fk_delivery_slot_counters_slot",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_slot_counters")),
        sa.UniqueConstraint("slot_id", "on_date", name="uq_delivery_slot_counters_slot_date"),
    )


def downgrade() -> None:
    op.drop_table("delivery_slot_counters")
    op.drop_index("ix_delivery_zones_vendor_name", table_name="delivery_zones")
    op.drop_table("delivery_zones")
    op.drop_index("ix_delivery_slots_vendor_start", table_name="delivery_slots")
    op.drop_table("delivery_slots")
    op.drop_table("delivery_blackout_dates")
