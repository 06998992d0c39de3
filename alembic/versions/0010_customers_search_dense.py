"""customers_search_dense: ``search_dense``, the search text with its spaces and punctuation written
as the letter q (a generated column), and the shop's trigram index on it instead of on
``search_text``: to pg_trgm the whole text is then one word, so a needle across a space or a dot
("a.d", "sophie de", "+316") has trigrams that narrow its candidates; the search checks the real
text too, so a q standing for a dot matches nothing it should not. The ordered index includes
``search_dense``, so a walk of it checks both conditions index-only

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# infrastructure.customers.models.DENSE_EXPRESSION as it stood at this revision
DENSE = (
    "replace(replace(replace(replace(replace(replace(replace(search_text, ' ', 'q'), '.', 'q'), '@', 'q'), "
    "'+', 'q'), '-', 'q'), '_', 'q'), '''', 'q')"
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        op.execute(f"ALTER TABLE customers ADD COLUMN search_dense text GENERATED ALWAYS AS ({DENSE}) STORED")
        op.drop_index("ix_customers_vendor_search", table_name="customers")
        op.create_index(
            "ix_customers_vendor_search",
            "customers",
            ["vendor_id", "search_text", "id"],
            unique=False,
            postgresql_include=["search_dense"],
        )
        op.drop_index("ix_customers_vendor_search_trgm", table_name="customers")
        op.create_index(
            "ix_customers_vendor_search_trgm",
            "customers",
            ["vendor_id", "search_dense"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_dense": "gin_trgm_ops"},
        )
    else:  # SQLite adds only a virtual generated column; it has no trigram index to feed
        op.execute(f"ALTER TABLE customers ADD COLUMN search_dense TEXT GENERATED ALWAYS AS ({DENSE}) VIRTUAL")


def downgrade() -> None:
    if _postgresql():
        op.drop_index("ix_customers_vendor_search_trgm", table_name="customers")
        op.create_index(
            "ix_customers_vendor_search_trgm",
            "customers",
            ["vendor_id", "search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
        op.drop_index("ix_customers_vendor_search", table_name="customers")
        op.create_index("ix_customers_vendor_search", "customers", ["vendor_id", "search_text", "id"], unique=False)
    op.execute("ALTER TABLE customers DROP COLUMN search_dense")
