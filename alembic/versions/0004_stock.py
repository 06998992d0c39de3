"""stock: items, the lots they are received in, the movement ledger, and the published view
stock_item_costs (what is on hand of each item and what it cost, for the catalog's recipe costing)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:11:05.965031
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The stock context's published read model: per item, what is on hand in its lots and what that
# stock cost (sum of on_hand x unit cost, minor units). Other contexts read this view by name and
# never the tables behind it. Weighted average unit cost = value_on_hand_minor / lots_on_hand.
STOCK_ITEM_COSTS = """
CREATE VIEW stock_item_costs AS
SELECT i.vendor_id AS vendor_id,
       i.id AS stock_item_id,
       i.on_hand AS on_hand,
       i.reserved AS reserved,
       COALESCE(SUM(l.on_hand), 0) AS lots_on_hand,
       COALESCE(SUM(l.on_hand * l.unit_cost_minor), 0) AS value_on_hand_minor
FROM stock_items AS i
LEFT JOIN stock_lots AS l
  ON l.vendor_id = i.vendor_id AND l.stock_item_id = i.id AND l.on_hand > 0
GROUP BY i.vendor_id, i.id, i.on_hand, i.reserved
"""


def upgrade() -> None:
    op.create_table(
        "stock_items",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tracking", sa.String(length=8), nullable=False),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("reorder_level", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("on_hand", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('STEM', 'FOLIAGE', 'SUNDRY', 'HARD_GOOD')", name=op.f("ck_stock_items_kind_known")
        ),
        sa.CheckConstraint("tracking IN ('STRICT', 'NONE')", name=op.f("ck_stock_items_tracking_known")),
        sa.CheckConstraint(
            "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand", name=op.f("ck_stock_items_quantities_consistent")
        ),
        sa.CheckConstraint("reorder_level >= 0", name=op.f("ck_stock_items_reorder_level_not_negative")),
        sa.CheckConstraint(
            "shelf_life_days IS NULL OR shelf_life_days > 0", name=op.f("ck_stock_items_shelf_life_positive")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_stock_items_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_items")),
        sa.UniqueConstraint("vendor_id", "id", name="uq_stock_items_vendor_id_id"),
    )
    op.create_index("ix_stock_items_vendor_name", "stock_items", ["vendor_id", "name"], unique=False)
    op.create_table(
        "stock_lots",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("stock_item_id", GUID(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("unit_cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("expires_on >= received_on", name=op.f("ck_stock_lots_expires_after_received")),
        sa.CheckConstraint(
            "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand", name=op.f("ck_stock_lots_quantities_consistent")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_lots_quantity_positive")),
        sa.CheckConstraint("unit_cost_minor >= 0", name=op.f("ck_stock_lots_unit_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["vendor_id", "stock_item_id"],
            ["stock_items.vendor_id", "stock_items.id"],
            name="fk_stock_lots_item",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_stock_lots_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_lots")),
        sa.UniqueConstraint("vendor_id", "id", name="uq_stock_lots_vendor_id_id"),
    )
    op.create_index(
        "ix_stock_lots_item_expiry", "stock_lots", ["vendor_id", "stock_item_id", "expires_on"], unique=False
    )
    op.create_index("ix_stock_lots_vendor_expiry", "stock_lots", ["vendor_id", "expires_on"], unique=False)
    op.create_table(
        "stock_movements",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("stock_item_id", GUID(length=16), nullable=False),
        sa.Column("lot_id", GUID(length=16), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("order_id", GUID(length=16), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("actor_id", GUID(length=16), nullable=True),
        sa.Column("at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('RECEIPT', 'RESERVE', 'RELEASE', 'CONSUME', 'WASTE', 'ADJUSTMENT')",
            name=op.f("ck_stock_movements_kind_known"),
        ),
        sa.CheckConstraint(
            "kind NOT IN ('WASTE', 'ADJUSTMENT') OR reason IS NOT NULL", name=op.f("ck_stock_movements_reason_given")
        ),
        sa.CheckConstraint(
            "quantity > 0 OR (kind = 'ADJUSTMENT' AND quantity <> 0)",
            name=op.f("ck_stock_movements_quantity_meaningful"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id", "lot_id"],
            ["stock_lots.vendor_id", "stock_lots.id"],
            name="fk_stock_movements_lot",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id", "stock_item_id"],
            ["stock_items.vendor_id", "stock_items.id"],
            name="fk_stock_movements_item",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_stock_movements_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index("ix_stock_movements_item_at", "stock_movements", ["vendor_id", "stock_item_id", "at"], unique=False)
    op.create_index(
        "ix_stock_movements_order",
        "stock_movements",
        ["vendor_id", "order_id"],
        unique=False,
        postgresql_where=sa.text("order_id IS NOT NULL"),
        sqlite_where=sa.text("order_id IS NOT NULL"),
    )
    op.execute(STOCK_ITEM_COSTS)


def downgrade() -> None:
    op.execute("DROP VIEW stock_item_costs")
    op.drop_index("ix_stock_movements_order", table_name="stock_movements")
    op.drop_index("ix_stock_movements_item_at", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("ix_stock_lots_vendor_expiry", table_name="stock_lots")
    op.drop_index("ix_stock_lots_item_expiry", table_name="stock_lots")
    op.drop_table("stock_lots")
    op.drop_index("ix_stock_items_vendor_name", table_name="stock_items")
    op.drop_table("stock_items")
