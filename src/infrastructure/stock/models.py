"""ORM models of perishable stock: items, the lots they are received in, and the append-only
movement ledger that is the only way quantities change.

``on_hand`` and ``reserved`` on items and lots are running totals of the ledger, kept in the same
transaction as each movement and checked by the database (never below zero, never more reserved
than on hand), so an availability check is one row read and a reservation one conditional update.
The published view ``stock_item_costs`` (alembic 0004) is what other contexts may read: per item,
what is on hand and what it cost, for the catalog's recipe costing.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    BigInteger,
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

STOCK_KINDS = ("STEM", "FOLIAGE", "SUNDRY", "HARD_GOOD")
TRACKINGS = ("STRICT", "NONE")
MOVEMENT_KINDS = ("RECEIPT", "RESERVE", "RELEASE", "CONSUME", "WASTE", "ADJUSTMENT")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class StockItemModel(UUIDv7AuditBase):
    """What a shop buys and keeps: stems, foliage, sundries, hard goods."""

    __tablename__ = "stock_items"
    __table_args__ = (
        UniqueConstraint("vendor_id", "id", name="uq_stock_items_vendor_id_id"),
        CheckConstraint(_one_of("kind", STOCK_KINDS), name="kind_known"),
        CheckConstraint(_one_of("tracking", TRACKINGS), name="tracking_known"),
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"),
        CheckConstraint("reorder_level >= 0", name="reorder_level_not_negative"),
        CheckConstraint("on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand", name="quantities_consistent"),
        Index("ix_stock_items_vendor_name", "vendor_id", "name"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    tracking: Mapped[str] = mapped_column(String(8))
    shelf_life_days: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    reorder_level: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    on_hand: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    reserved: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class StockLotModel(UUIDv7AuditBase):
    """One delivery of an item: its quantity, unit cost and the day it wilts."""

    __tablename__ = "stock_lots"
    __table_args__ = (
        UniqueConstraint("vendor_id", "id", name="uq_stock_lots_vendor_id_id"),
        ForeignKeyConstraint(
            ["vendor_id", "stock_item_id"],
            ["stock_items.vendor_id", "stock_items.id"],
            name="fk_stock_lots_item",
            ondelete="RESTRICT",
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost_minor >= 0", name="unit_cost_not_negative"),
        CheckConstraint("expires_on >= received_on", name="expires_after_received"),
        CheckConstraint("on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand", name="quantities_consistent"),
        Index("ix_stock_lots_item_expiry", "vendor_id", "stock_item_id", "expires_on"),
        Index("ix_stock_lots_vendor_expiry", "vendor_id", "expires_on"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    stock_item_id: Mapped[UUID] = mapped_column()
    quantity: Mapped[int] = mapped_column(Integer)  # as received
    on_hand: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    unit_cost_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)


class StockMovementModel(UUIDv7Base):
    """One line of the append-only ledger. ``quantity`` is a magnitude (the kind says which way it
    moves), except for an ADJUSTMENT, whose sign says whether stock was found or lost."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vendor_id", "stock_item_id"],
            ["stock_items.vendor_id", "stock_items.id"],
            name="fk_stock_movements_item",
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["vendor_id", "lot_id"],
            ["stock_lots.vendor_id", "stock_lots.id"],
            name="fk_stock_movements_lot",
            ondelete="RESTRICT",
        ),
        CheckConstraint(_one_of("kind", MOVEMENT_KINDS), name="kind_known"),
        CheckConstraint("quantity > 0 OR (kind = 'ADJUSTMENT' AND quantity <> 0)", name="quantity_meaningful"),
        CheckConstraint("kind NOT IN ('WASTE', 'ADJUSTMENT') OR reason IS NOT NULL", name="reason_given"),
        Index("ix_stock_movements_item_at", "vendor_id", "stock_item_id", "at"),
        # What an order holds (release and consume read it); only movements of an order.
        Index(
            "ix_stock_movements_order",
            "vendor_id",
            "order_id",
            postgresql_where=text("order_id IS NOT NULL"),
            sqlite_where=text("order_id IS NOT NULL"),
        ),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    stock_item_id: Mapped[UUID] = mapped_column()
    lot_id: Mapped[UUID | None] = mapped_column(nullable=True, default=None)
    kind: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[UUID | None] = mapped_column(nullable=True, default=None)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True, default=None)
    actor_id: Mapped[UUID | None] = mapped_column(nullable=True, default=None)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
