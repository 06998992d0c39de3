"""ORM models. Kept apart from domain entities; repositories map between the two."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.shared.role import Role


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


class StaffUserModel(UUIDv7AuditBase):
    """A member of a shop's staff. Emails are unique platform-wide, case-insensitively."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(role.value) for role in Role)})", name="role_known"),
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
    )

    vendor_id: Mapped[UUID] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Tokens issued before this no longer speak for the user (password, role or active flag changed,
    # or every session ended): what PostgreSQL confirms while Redis cannot confirm a session.
    credentials_changed_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True, default=None
    )


class SecurityEventModel(UUIDv7Base):
    """Append-only trail of security-relevant events; never a password or a token."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_vendor_at", "vendor_id", text("at DESC")),)

    vendor_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), nullable=True, default=None
    )
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[UUID | None] = mapped_column(nullable=True, default=None)
    client_ip: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
