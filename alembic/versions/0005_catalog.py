"""catalog: products, their variants (SKU unique per shop), recipe lines pointing at the shop's
stock items, occasion tags; on PostgreSQL a trigram index (pg_trgm) for the text search `q`

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 14:17:04.547696
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        # Trigram matching for `q` (LIKE '%text%' served by a GIN index). Left in place on downgrade:
        # an extension is the database's, and something else may use it by then.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "products",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=2000), server_default=sa.text("''"), nullable=False),
        sa.Column("occasions", JsonB, nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("search_text", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('ARRANGEMENT', 'BOUQUET', 'PLANT', 'ADDON')", name=op.f("ck_products_kind_known")),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_products_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("vendor_id", "id", name="uq_products_vendor_id_id"),
    )
    if _postgresql():  # SQLite (`dev`) scans: its LIKE has no index to use
        op.create_index(
            "ix_products_search_text_trgm",
            "products",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    op.create_index("ix_products_vendor_created_at", "products", ["vendor_id", "created_at"], unique=False)
    op.create_index("ix_products_vendor_name", "products", ["vendor_id", "name"], unique=False)
    op.create_table(
        "product_occasions",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("product_id", GUID(length=16), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["vendor_id", "product_id"],
            ["products.vendor_id", "products.id"],
            name="fk_product_occasions_product",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_product_occasions_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_occasions")),
        sa.UniqueConstraint("product_id", "key", name="uq_product_occasions_product_key"),
    )
    op.create_index("ix_product_occasions_vendor_key", "product_occasions", ["vendor_id", "key"], unique=False)
    op.create_table(
        "product_variants",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("product_id", GUID(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_product_variants_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["vendor_id", "product_id"],
            ["products.vendor_id", "products.id"],
            name="fk_product_variants_product",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_product_variants_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variants")),
        sa.UniqueConstraint("vendor_id", "id", name="uq_product_variants_vendor_id_id"),
        sa.UniqueConstraint("vendor_id", "sku", name="uq_product_variants_vendor_sku"),
    )
    op.create_index(
        "ix_product_variants_product", "product_variants", ["vendor_id", "product_id", "position"], unique=False
    )
    op.create_table(
        "recipe_lines",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("vendor_id", GUID(length=16), nullable=False),
        sa.Column("product_id", GUID(length=16), nullable=False),
        sa.Column("variant_id", GUID(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stock_item_id", GUID(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_recipe_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["vendor_id", "stock_item_id"],
            ["stock_items.vendor_id", "stock_items.id"],
            name="fk_recipe_lines_stock_item",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id", "variant_id"],
            ["product_variants.vendor_id", "product_variants.id"],
            name="fk_recipe_lines_variant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_recipe_lines_vendor_id_vendors"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_lines")),
        sa.UniqueConstraint("variant_id", "stock_item_id", name="uq_recipe_lines_variant_item"),
    )
    op.create_index("ix_recipe_lines_product", "recipe_lines", ["vendor_id", "product_id"], unique=False)
    op.create_index("ix_recipe_lines_variant", "recipe_lines", ["vendor_id", "variant_id", "position"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_recipe_lines_variant", table_name="recipe_lines")
    op.drop_index("ix_recipe_lines_product", table_name="recipe_lines")
    op.drop_table("recipe_lines")
    op.drop_index("ix_product_variants_product", table_name="product_variants")
    op.drop_table("product_variants")
    op.drop_index("ix_product_occasions_vendor_key", table_name="product_occasions")
    op.drop_table("product_occasions")
    op.drop_index("ix_products_vendor_name", table_name="products")
    op.drop_index("ix_products_vendor_created_at", table_name="products")
    if _postgresql():
        op.drop_index("ix_products_search_text_trgm", table_name="products")
    op.drop_table("products")
