"""ORM models of a shop's delivery set-up: zones, slots, blackout dates, the per (slot, date)
counter that capacity is taken from, and the bookings (an order's id and the slot and date it
holds) that make taking and giving back idempotent.

Times of day are minutes after shop-local midnight (``HH:MM`` at the edges); postal codes and
weekdays are JSON lists. A zone's codes cannot be checked for overlap by a unique index (prefixes),
so the repository serialises the shop's zone writers instead (an advisory lock on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.types import GUID, JsonB
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column


class DeliveryZoneModel(UUIDv7AuditBase):
    __tablename__ = "delivery_zones"
    __table_args__ = (
        CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
        CheckConstraint("min_subtotal_minor IS NULL OR min_subtotal_minor >= 0", name="min_subtotal_not_negative"),
        Index("ix_delivery_zones_vendor_name", "vendor_id", "name"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    postal_codes: Mapped[list[str]] = mapped_column(JsonB)
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    min_subtotal_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True, default=None)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class DeliverySlotModel(UUIDv7AuditBase):
    __tablename__ = "delivery_slots"
    __table_args__ = (
        UniqueConstraint("vendor_id", "id", name="uq_delivery_slots_vendor_id_id"),
        CheckConstraint("starts_minute >= 0 AND ends_minute <= 1439 AND starts_minute < ends_minute", name="window"),
        CheckConstraint("cutoff_minute IS NULL OR (same_day AND cutoff_minute <= starts_minute)", name="cutoff"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
        Index("ix_delivery_slots_vendor_start", "vendor_id", "starts_minute"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    starts_minute: Mapped[int] = mapped_column(Integer)
    ends_minute: Mapped[int] = mapped_column(Integer)
    weekdays: Mapped[list[int] | None] = mapped_column(JsonB, nullable=True, default=None)
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    same_day: Mapped[bool] = mapped_column(Boolean)
    cutoff_minute: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class BlackoutDateModel(UUIDv7AuditBase):
    __tablename__ = "delivery_blackout_dates"
    __table_args__ = (UniqueConstraint("vendor_id", "on_date", name="uq_delivery_blackout_dates_vendor_date"),)

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    on_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(2000))


class SlotCounterModel(UUIDv7Base):
    """How many deliveries a slot counts on a date: taken by one conditional UPDATE."""

    __tablename__ = "delivery_slot_counters"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vendor_id", "slot_id"],
            ["delivery_slots.vendor_id", "delivery_slots.id"],
            name="fk_delivery_slot_counters_slot",
            ondelete="CASCADE",
        ),
        UniqueConstraint("slot_id", "on_date", name="uq_delivery_slot_counters_slot_date"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
    )

    slot_id: Mapped[UUID] = mapped_column(GUID)
    on_date: Mapped[date] = mapped_column(Date)
    vendor_id: Mapped[UUID] = mapped_column(GUID)
    taken: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class SlotBookingModel(UUIDv7Base):
    """The slot and date a booking (an order, by its id) holds: one row per booking, so taking it
    again counts nothing and giving it back twice gives back once."""

    __tablename__ = "delivery_slot_bookings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vendor_id", "slot_id"],
            ["delivery_slots.vendor_id", "delivery_slots.id"],
            name="fk_delivery_slot_bookings_slot",
            ondelete="CASCADE",
        ),
        UniqueConstraint("vendor_id", "booking_id", name="uq_delivery_slot_bookings_vendor_booking"),
        Index("ix_delivery_slot_bookings_slot_date", "slot_id", "on_date"),
    )

    vendor_id: Mapped[UUID] = mapped_column(GUID)
    booking_id: Mapped[UUID] = mapped_column(GUID)
    slot_id: Mapped[UUID] = mapped_column(GUID)
    on_date: Mapped[date] = mapped_column(Date)
