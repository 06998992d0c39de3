"""Staff roles. OWNER includes everything MANAGER may do; MANAGER includes everything STAFF may do."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    OWNER = "OWNER"
    MANAGER = "MANAGER"
    STAFF = "STAFF"
    DRIVER = "DRIVER"

    def includes(self, required: Role) -> bool:
        """Whether this role may do what ``required`` may do."""
        if self is required:
            return True
        return required in _INCLUDES[self]

    def may_manage(self, target: Role) -> bool:
        """Owners manage staff of any role; managers manage STAFF and DRIVER accounts."""
        if self is Role.OWNER:
            return True
        return self is Role.MANAGER and target in (Role.STAFF, Role.DRIVER)


_INCLUDES: dict[Role, frozenset[Role]] = {
    Role.OWNER: frozenset({Role.MANAGER, Role.STAFF}),
    Role.MANAGER: frozenset({Role.STAFF}),
    Role.STAFF: frozenset(),
    Role.DRIVER: frozenset(),
}
