"""ORM models of customers and their address books.

``search_text`` is the case-folded name, email and E.164 phone (``domain.customers.customer.search_key``),
kept by the repository on every write, for ``q`` and the list's order. It compares byte by byte
(``COLLATE "C"`` on PostgreSQL; SQLite's BINARY), so ``ix_customers_vendor_search`` (vendor_id,
search_text, id) walks the list in name order and answers a one- or two-letter search (the start
of the name) as a range. On PostgreSQL a trigram GIN index of each shop's customers
(``ix_customers_vendor_search_trgm``: btree_gin's ``vendor_id``, pg_trgm's ``gin_trgm_ops``) on
``search_dense`` (the same text, its spaces and punctuation written as q, so pg_trgm sees one word
and a needle across them keeps its trigrams) finds a longer needle anywhere among the shop's own
customers only, the real text then checked; the ordered index includes ``search_dense``, so a walk
checks both index-only. SQLite (``dev``) reads the ordered index through. A whole phone number is
looked up in ``ix_customers_vendor_phone``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
    Computed,
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

# The characters that separate words for pg_trgm and that names, emails and phone numbers hold,
# each written as "q" in ``search_dense`` (a needle is rewritten the same way: ``dense``).
DENSE_SEPARATORS = " .@+-_'"
DENSE_LETTER = "q"


def _dense_expression() -> str:
    expression = "search_text"
    for separator in DENSE_SEPARATORS:
        quoted = separator.replace("'", "''")
        expression = f"replace({expression}, '{quoted}', '{DENSE_LETTER}')"
    return expression


DENSE_EXPRESSION = _dense_expression()  # replace() nests: PostgreSQL and SQLite both have it


def dense(text_: str) -> str:
    """``text_`` as ``search_dense`` writes it."""
    return text_.translate(str.maketrans(DENSE_SEPARATORS, DENSE_LETTER * len(DENSE_SEPARATORS)))


class CustomerModel(UUIDv7AuditBase):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("vendor_id", "id", name="uq_customers_vendor_id_id"),
        # search_dense included: a walk of this index checks a search's dense condition too, index-only
        Index("ix_customers_vendor_search", "vendor_id", "search_text", "id", postgresql_include=["search_dense"]),
        Index("ix_customers_vendor_phone", "vendor_id", "phone"),
        Index(
            "ix_customers_vendor_search_trgm",
            "vendor_id",
            "search_dense",
            postgresql_using="gin",
            postgresql_ops={"search_dense": "gin_trgm_ops"},
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
    # ``search_text`` with its spaces and punctuation as letters: one long word to pg_trgm, so a
    # needle across them ("a.d", "sophie de") has trigrams that narrow (computed by the database).
    search_dense: Mapped[str] = mapped_column(Text, Computed(DENSE_EXPRESSION, persisted=True))


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
