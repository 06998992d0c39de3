"""ORM models of the catalog. Kept apart from the domain entities; the repository maps between them.

Every child row carries ``vendor_id`` and points at its parent through (vendor_id, id), so a row
can never hang under another shop's product; recipe lines point at the stock context's
``stock_items`` the same way, by table name only (a constraint, no import of that context)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.types import JsonB
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.catalog.product import (
    MAX_DESCRIPTION_LENGTH,
    MAX_OCCASION_LENGTH,
    MAX_PRODUCT_NAME_LENGTH,
    MAX_SKU_LENGTH,
    MAX_VARIANT_NAME_LENGTH,
    ProductKind,
)

# A case-folded tag can be longer than the tag (ß becomes ss); four times is more than enough.
MAX_OCCASION_KEY_LENGTH = 4 * MAX_OCCASION_LENGTH


class ProductModel(UUIDv7AuditBase):
    """What a shop sells. ``search_text`` is the case-folded name, description and SKUs, kept by
    the repository on every write, for ``q`` (a trigram index on PostgreSQL)."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("vendor_id", "id", name="uq_products_vendor_id_id"),
        CheckConstraint(f"kind IN ({', '.join(repr(kind.value) for kind in ProductKind)})", name="kind_known"),
        Index("ix_products_vendor_name", "vendor_id", "name"),
        Index("ix_products_vendor_created_at", "vendor_id", "created_at"),
        Index(
            "ix_products_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(MAX_PRODUCT_NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(MAX_DESCRIPTION_LENGTH), default="", server_default=text("''"))
    occasions: Mapped[list[Any]] = mapped_column(JsonB, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    search_text: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))


class ProductOccasionModel(UUIDv7Base):
    """One occasion tag of a product, case-folded: what ``?occasion=`` matches."""

    __tablename__ = "product_occasions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vendor_id", "product_id"],
            ["products.vendor_id", "products.id"],
            name="fk_product_occasions_product",
            ondelete="CASCADE",
        ),
        UniqueConstraint("product_id", "key", name="uq_product_occasions_product_key"),
        Index("ix_product_occasions_vendor_key", "vendor_id", "key"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    product_id: Mapped[UUID] = mapped_column()
    key: Mapped[str] = mapped_column(String(MAX_OCCASION_KEY_LENGTH))


class VariantModel(UUIDv7AuditBase):
    """A size of a product: its SKU (unique in the shop), price and place in the product's list."""

    __tablename__ = "product_variants"
    __table_args__ = (
        UniqueConstraint("vendor_id", "id", name="uq_product_variants_vendor_id_id"),
        UniqueConstraint("vendor_id", "sku", name="uq_product_variants_vendor_sku"),
        ForeignKeyConstraint(
            ["vendor_id", "product_id"],
            ["products.vendor_id", "products.id"],
            name="fk_product_variants_product",
            ondelete="CASCADE",
        ),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        Index("ix_product_variants_product", "vendor_id", "product_id", "position"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    product_id: Mapped[UUID] = mapped_column()
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(MAX_VARIANT_NAME_LENGTH))
    sku: Mapped[str] = mapped_column(String(MAX_SKU_LENGTH))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class RecipeLineModel(UUIDv7Base):
    """So many units of one of the shop's stock items in one variant."""

    __tablename__ = "recipe_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vendor_id", "variant_id"],
            ["product_variants.vendor_id", "product_variants.id"],
            name="fk_recipe_lines_variant",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["vendor_id", "stock_item_id"],
            ["stock_items.vendor_id", "stock_items.id"],
            name="fk_recipe_lines_stock_item",
            ondelete="RESTRICT",
        ),
        UniqueConstraint("variant_id", "stock_item_id", name="uq_recipe_lines_variant_item"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_recipe_lines_variant", "vendor_id", "variant_id", "position"),
        Index("ix_recipe_lines_product", "vendor_id", "product_id"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    product_id: Mapped[UUID] = mapped_column()
    variant_id: Mapped[UUID] = mapped_column()
    position: Mapped[int] = mapped_column(Integer)
    stock_item_id: Mapped[UUID] = mapped_column()
    quantity: Mapped[int] = mapped_column(Integer)
