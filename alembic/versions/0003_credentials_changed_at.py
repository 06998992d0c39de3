"""users.credentials_changed_at: what PostgreSQL confirms about a token while Redis cannot

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("credentials_changed_at", DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): batch mode would rebuild the table and lose the
    # expression index on lower(email), which SQLite cannot reflect.
    op.drop_column("users", "credentials_changed_at")
