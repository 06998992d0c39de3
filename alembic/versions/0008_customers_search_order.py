"""customers_search_order: the customer list in case-folded name order through one index that also
answers a one- or two-letter search as a range (on PostgreSQL the search column compares byte by
byte, COLLATE "C" as SQLite's BINARY does, so that order and those ranges hold under any database
collation); on PostgreSQL the trigram index keyed by shop first (btree_gin), so a search reads only
the shop's own customers; and an index of the shop's phone numbers, for a search by a whole one

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")  # a trusted extension, like pg_trgm; kept on downgrade
        op.drop_index("ix_customers_search_text_trgm", table_name="customers")
        # Same type, another collation: the rows stay, the column's indexes are rebuilt.
        op.execute('ALTER TABLE customers ALTER COLUMN search_text TYPE text COLLATE "C"')
        op.create_index(
            "ix_customers_vendor_search_trgm",
            "customers",
            ["vendor_id", "search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    op.create_index("ix_customers_vendor_search", "customers", ["vendor_id", "search_text", "id"], unique=False)
    op.drop_index("ix_customers_vendor_name", table_name="customers")
    op.create_index("ix_customers_vendor_phone", "customers", ["vendor_id", "phone"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_customers_vendor_phone", table_name="customers")
    op.create_index("ix_customers_vendor_name", "customers", ["vendor_id", "full_name", "id"], unique=False)
    op.drop_index("ix_customers_vendor_search", table_name="customers")
    if _postgresql():
        op.drop_index("ix_customers_vendor_search_trgm", table_name="customers")
        op.execute('ALTER TABLE customers ALTER COLUMN search_text TYPE text COLLATE "default"')
        op.create_index(
            "ix_customers_search_text_trgm",
            "customers",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
