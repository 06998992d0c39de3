"""Email addresses: unique platform-wide, compared case-insensitively."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.shared.errors import InvalidValue

# Pragmatic syntax check (RFC 5321 lengths, one @, a dotted domain); deliverability is not our concern.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(rf"^{_LOCAL}@{_LABEL}(\.{_LABEL})+$")


@dataclass(frozen=True, slots=True)
class Email:
    value: str

    @classmethod
    def parse(cls, raw: str, field: str = "email") -> Email:
        candidate = raw.strip()
        if len(candidate) > 254 or not _EMAIL_RE.fullmatch(candidate) or len(candidate.split("@")[0]) > 64:
            raise InvalidValue(field, "is not a valid email address")
        # The domain is case-insensitive by definition; local parts are in practice: one account per mailbox.
        return cls(candidate.lower())

    def __str__(self) -> str:
        return self.value
