"""A member of a shop's staff, and the rule that a shop always keeps an active owner."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from domain.shared.email import Email
from domain.shared.errors import InvariantViolation
from domain.shared.role import Role
from domain.shared.text import clean_line

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
    credentials_changed_at: datetime | None = None
    """When the account's password, role or active flag last changed, or all its sessions were
    cut off: an access token issued before then no longer speaks for it. While the session store
    cannot confirm a session, this is what PostgreSQL still can."""

    @classmethod
    def register(
        cls,
        *,
        vendor_id: UUID,
        email: Email,
        full_name: str,
        role: Role,
        password_hash: str,
        at: datetime,
        id: UUID | None = None,
    ) -> StaffUser:
        """A new, active member of a shop's staff, the name checked (the email is valid by its type;
        the password was checked before it was hashed): the only way sign-up, staff creation and the
        demo seed make one."""
        if not password_hash:
            raise InvariantViolation("A staff member needs a password hash.")
        return cls(
            id=id or uuid4(),
            vendor_id=vendor_id,
            email=email,
            full_name=check_full_name(full_name),
            role=role,
            active=True,
            password_hash=password_hash,
            created_at=at,
        )

    @property
    def is_active_owner(self) -> bool:
        return self.active and self.role is Role.OWNER

    def changed(
        self, *, role: Role | None = None, active: bool | None = None, active_owners: int, at: datetime
    ) -> StaffUser:
        """This user with a new role and/or active flag as of ``at``; ``active_owners`` counts the
        shop's active owners before the change. Refuses a change that would leave the shop without
        one. A real change cuts off the tokens issued before it."""
        new_role = self.role if role is None else role
        new_active = self.active if active is None else active
        if new_role is self.role and new_active == self.active:
            return self
        updated = replace(self, role=new_role, active=new_active, credentials_changed_at=at)
        if self.is_active_owner and not updated.is_active_owner and active_owners <= 1:
            raise LastOwnerError
        return updated

    def renamed(self, full_name: str) -> StaffUser:
        """This user under a new full name, checked like at registration (the same user when the
        name does not change). Not a credential: sessions stay good."""
        name = check_full_name(full_name)
        return self if name == self.full_name else replace(self, full_name=name)

    def with_password_hash(self, password_hash: str) -> StaffUser:
        """The same password under a new hash (a parameter upgrade): existing sessions stay good."""
        return replace(self, password_hash=password_hash)

    def with_new_password(self, password_hash: str, *, at: datetime) -> StaffUser:
        """A password change: tokens issued before ``at`` no longer speak for the account."""
        return replace(self, password_hash=password_hash, credentials_changed_at=at)

    def sessions_cut_off(self, *, at: datetime) -> StaffUser:
        """Every session ended (log out everywhere, an operator's revocation)."""
        return replace(self, credentials_changed_at=at)
