"""A member of a shop's staff, and the rule that a shop always keeps an active owner."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.shared.errors import InvariantViolation
from domain.shared.text import clean_line
from domain.users.email import Email
from domain.users.role import Role

MAX_FULL_NAME_LENGTH = 120


class LastOwnerError(InvariantViolation):
    code = "LAST_OWNER"

    def __init__(self) -> None:
        super().__init__("A shop must keep at least one active owner.")


def check_full_name(raw: str, field: str = "full_name") -> str:
    return clean_line(raw, field, max_length=MAX_FULL_NAME_LENGTH)


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: UUID
    vendor_id: UUID
    email: Email
    full_name: str
    role: Role
    active: bool
    password_hash: str
    created_at: datetime | None = None

    @property
    def is_active_owner(self) -> bool:
        return self.active and self.role is Role.OWNER

    def changed(self, *, role: Role | None = None, active: bool | None = None, active_owners: int) -> StaffUser:
        """This user with a new role and/or active flag; ``active_owners`` counts the shop's active
        owners before the change. Refuses a change that would leave the shop without one."""
        updated = replace(
            self,
            role=self.role if role is None else role,
            active=self.active if active is None else active,
        )
        if self.is_active_owner and not updated.is_active_owner and active_owners <= 1:
            raise LastOwnerError
        return updated

    def with_password_hash(self, password_hash: str) -> StaffUser:
        return replace(self, password_hash=password_hash)
