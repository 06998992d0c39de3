"""The one SQLAlchemy ``MetaData`` that every context's ORM models join (advanced-alchemy's registry).

Migrations compare against it once each context's ``models`` module is imported (``alembic/env.py``
imports them, one line per context)."""

from __future__ import annotations

from advanced_alchemy.base import orm_registry

metadata = orm_registry.metadata
