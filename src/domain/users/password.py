"""The password policy: length only (12 to 128 characters), no composition rules (NIST SP 800-63B).

Whether a password is too common is a lookup the application does through a port.
"""

from __future__ import annotations

import unicodedata

from domain.shared.errors import InvalidValue

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


class WeakPassword(InvalidValue):
    code = "WEAK_PASSWORD"


def normalise_password(password: str) -> str:
    """The form every password is hashed and verified in (NFC), so the same characters typed on
    different keyboards or platforms match."""
    return unicodedata.normalize("NFC", password)


def check_password_policy(password: str, field: str = "password") -> str:
    """The password as it will be hashed (NFC-normalised), or ``WeakPassword``."""
    normalised = normalise_password(password)
    length = len(normalised)
    if length < MIN_PASSWORD_LENGTH:
        raise WeakPassword(field, f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    if length > MAX_PASSWORD_LENGTH:
        raise WeakPassword(field, f"must be at most {MAX_PASSWORD_LENGTH} characters long")
    return normalised


def too_common(field: str = "password") -> WeakPassword:
    return WeakPassword(field, "is too common; choose a less predictable password")
