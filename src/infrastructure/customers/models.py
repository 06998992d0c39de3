"""ORM models of customers and their address books.

``search_text`` is the case-folded name, email and E.164 phone (``domain.customers.customer.search_key``),
kept by the repository on every write, for ``q`` and the list's order. It compares byte by byte
(``COLLATE "C"`` on PostgreSQL; SQLite's BINARY), so ``ix_customers_vendor_search`` (vendor_id,
search_text, id) walks the list in name order and answers a one- or two-letter search (the start
of the name) as a range. On PostgreSQL a trigram GIN index of each shop's customers
(``ix_customers_vendor_search_trgm``: btree_gin's ``vendor_id``, pg_trgm's ``gin_trgm_ops``) finds a
longer needle anywhere (``LIKE '%text%'``) among the shop's own customers only; SQLite (``dev``)
reads the ordered index through. A whole phone number is looked up in ``ix_customers_vendor_phone``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
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


class CustomerModel(UUIDv7AuditBase):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("vendor_id", "id", name="uq_customers_vendor_id_id"),
        Index("ix_customers_vendor_search", "vendor_id", "search_text", "id"),
        Index("ix_customers_vendor_phone", "vendor_id", "phone"),
        Index(
            "ix_customers_vendor_search_trgm",
            "vendor_id",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True, default=None)
    phone: Mapped[str | None] = mapped_column(String(16), nullable=True, default=None)
    notes: Mapped[str] = mapped_column(String(2000), default="", server_default=text("''"))
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    marketing_consent_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True, default=None
    )
    search_text: Mapped[str] = mapped_column(
        Text().with_variant(Text(collation="C"), "postgresql"), default="", server_default=text("''")
    )


class CustomerAddressModel(UUIDv7AuditBase):
    """A recipient in a customer's address book (``position``: the order they were added in)."""

    __tablename__ = "customer_addresses"
    __table_args__ = (
        ForeignKeyConstraint(
            ["vendor_id", "customer_id"],
            ["customers.vendor_id", "customers.id"],
            name="fk_customer_addresses_customer",
            ondelete="CASCADE",
        ),
        Index("ix_customer_addresses_customer", "vendor_id", "customer_id", "position"),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    customer_id: Mapped[UUID] = mapped_column()
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16), nullable=True, default=None)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
