"""ORM models. Kept apart from domain entities; repositories map between the two."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import JsonB
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

metadata = UUIDv7AuditBase.metadata


class VendorModel(UUIDv7AuditBase):
    """A flower shop: the tenant every other row belongs to."""

    __tablename__ = "vendors"

    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str] = mapped_column(String(2))
    settings: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict, server_default=text("'{}'"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class UserModel(UUIDv7AuditBase):
    """A member of a shop's staff. Emails are unique platform-wide, case-insensitively."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('OWNER', 'MANAGER', 'STAFF', 'DRIVER')", name="role_known"),
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    password_hash: Mapped[str] = mapped_column(String(255))
