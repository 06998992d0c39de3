"""The password policy (NIST SP 800-63B: length and a blocklist, no composition rules).

A new password must be 12 to 128 characters (NFC), and is refused when it
- is made only of whitespace or invisible characters (spaces, tabs, NULs, zero-width spaces...);
- has fewer than ``MIN_DISTINCT_CHARACTERS`` distinct visible characters (``zzzzzzzzzzzz``,
  ``............``, ``abababababab``): a handful, far below any real passphrase;
- contains the account's email local part, the shop's name or the shop's slug, whole (from
  ``MIN_CONTEXT_LENGTH`` letters and digits) or any word of them (from
  ``MIN_CONTEXT_WORD_LENGTH``), compared on letters and digits only and case-insensitively:
  the first things an attacker who knows the account tries (``rosabloemen2024``, ``Bloemen!!``).

Whether a password is too common is a lookup the application does through a port.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from domain.shared.errors import InvalidValue
from domain.shared.text import is_invisible

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_DISTINCT_CHARACTERS = 5
MIN_CONTEXT_LENGTH = 4
MIN_CONTEXT_WORD_LENGTH = 5


class WeakPassword(InvalidValue):
    code = "WEAK_PASSWORD"


@dataclass(frozen=True, slots=True)
class PasswordContext:
    """What an attacker who knows the account would try first: its email and its shop."""

    email: str | None = None
    shop_name: str | None = None
    shop_slug: str | None = None


def normalise_password(password: str) -> str:
    """The form every password is hashed and verified in (NFC), so the same characters typed on
    different keyboards or platforms match."""
    return unicodedata.normalize("NFC", password)


def _skeleton(text: str) -> str:
    """Letters and digits only, case-folded: ``Rosa.Bloemen`` and ``rosa-bloemen`` agree."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def _needles(value: str) -> set[str]:
    """The skeletons a password must not contain: ``value`` whole (from ``MIN_CONTEXT_LENGTH``
    letters and digits) and each of its words (from ``MIN_CONTEXT_WORD_LENGTH``)."""
    whole = _skeleton(value)
    needles = {whole} if len(whole) >= MIN_CONTEXT_LENGTH else set()
    for word in "".join(ch if ch.isalnum() else " " for ch in value).split():
        if len(skeleton := _skeleton(word)) >= MIN_CONTEXT_WORD_LENGTH:
            needles.add(skeleton)
    return needles


def _context_reason(password: str, context: PasswordContext) -> str | None:
    haystack = _skeleton(password)
    sources = (
        (context.email.rsplit("@", 1)[0] if context.email else None, "must not contain the account's email address"),
        (context.shop_name, "must not contain the shop's name"),
        (context.shop_slug, "must not contain the shop's slug"),
    )
    for value, reason in sources:
        if value and any(needle in haystack for needle in _needles(value)):
            return reason
    return None


def check_password_policy(password: str, field: str = "password", context: PasswordContext | None = None) -> str:
    """The password as it will be hashed (NFC-normalised), or ``WeakPassword``."""
    normalised = normalise_password(password)
    length = len(normalised)
    if length < MIN_PASSWORD_LENGTH:
        raise WeakPassword(field, f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    if length > MAX_PASSWORD_LENGTH:
        raise WeakPassword(field, f"must be at most {MAX_PASSWORD_LENGTH} characters long")
    visible = {ch.casefold() for ch in normalised if not is_invisible(ch)}
    if not visible:
        raise WeakPassword(field, "must contain visible characters, not only spaces or invisible ones")
    if len(visible) < MIN_DISTINCT_CHARACTERS:
        raise WeakPassword(
            field, f"must use at least {MIN_DISTINCT_CHARACTERS} different characters, not one or a few repeated"
        )
    reason = _context_reason(normalised, context) if context is not None else None
    if reason is not None:
        raise WeakPassword(field, reason)
    return normalised


def too_common(field: str = "password") -> WeakPassword:
    return WeakPassword(field, "is too common; choose a less predictable password")
